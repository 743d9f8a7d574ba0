//! The HTTP API and the embedded page. Commands are JSON POSTs; the page hears training through
//! one WebSocket per session (scripts can read the same events as Server-Sent Events instead).
//! Every refusal is a 4xx with a one-line message.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream::{self, Stream};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::mpsc::Receiver;

use super::command::command;
use super::csv_upload;
use super::observer::{Mode, PageEvent};
use super::session::{self, Refusal, Sessions};
use super::settings::{Settings, MAX_DELAY_MS};
use super::tour::{EXPERIMENTS, TOUR_EN, TOUR_ZH};
use crate::backend::Backend;
use crate::data::DataSource;
use crate::inference::Predictor;
use crate::train::RunDir;

/// Largest CSV upload.
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;
/// Largest JSON command: the `features` list of a wide upload fits (6 000 columns unticked but
/// one took 100 KB; at 64 KiB it was refused as too long, not naming the list).
pub const MAX_JSON: usize = 1024 * 1024;

const INDEX: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const I18N_JS: &str = include_str!("assets/i18n.js");
const STYLE: &str = include_str!("assets/style.css");

type App = Arc<Sessions>;

/// A refusal as the page sees it: the status and `{"error": message}`.
pub struct ApiError(u16, String);

impl From<Refusal> for ApiError {
    fn from((status, message): Refusal) -> Self {
        ApiError(status, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(json!({ "error": self.1 }))).into_response()
    }
}

type Reply<T> = Result<T, ApiError>;

/// Every route, with `sessions` as state.
pub fn router(sessions: App) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { page("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/app.js",
            get(|| async { page("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/i18n.js",
            get(|| async { page("text/javascript; charset=utf-8", I18N_JS) }),
        )
        .route(
            "/style.css",
            get(|| async { page("text/css; charset=utf-8", STYLE) }),
        )
        .route(
            "/tour/en",
            get(|| async { page("text/html; charset=utf-8", TOUR_EN.as_str()) }),
        )
        .route(
            "/tour/zh-CN",
            get(|| async { page("text/html; charset=utf-8", TOUR_ZH.as_str()) }),
        )
        .route(
            "/experiments",
            get(|| async { page("text/html; charset=utf-8", EXPERIMENTS.as_str()) }),
        )
        .route("/api/sessions", post(create_session))
        .route("/api/sessions/{id}/events", get(events))
        .route("/api/sessions/{id}/socket", get(socket))
        .route("/api/sessions/{id}/train", post(train))
        .route("/api/sessions/{id}/control", post(control))
        .route("/api/sessions/{id}/upload", post(upload))
        .route("/api/sessions/{id}/report.html", get(report))
        .route("/api/sessions/{id}/model.safetensors", get(model))
        .route("/api/command", post(command_line))
        .fallback(|| async { ApiError(404, "no such page or API route; open /".into()) })
        .method_not_allowed_fallback(|| async {
            let why = "not with this method: GET for pages, the event streams and downloads, POST for commands";
            ApiError(405, why.into())
        })
        .layer(DefaultBodyLimit::max(MAX_UPLOAD))
        .with_state(sessions)
}

fn page(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The body of a JSON command: `application/json` (so other sites' forms cannot send one), at
/// most [`MAX_JSON`] bytes, parsed with the line and column of the first error.
fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply<T> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if !kind.is_some_and(|k| k.starts_with("application/json")) {
        return Err(ApiError(
            415,
            "send the command as JSON with Content-Type: application/json".into(),
        ));
    }
    let body = body.map_err(|e| {
        let why = format!("request body refused ({e}); a command is at most {MAX_JSON} bytes");
        ApiError(e.status().as_u16(), why)
    })?;
    if body.len() > MAX_JSON {
        return Err(ApiError(
            413,
            format!("a command is at most {MAX_JSON} bytes, got {}", body.len()),
        ));
    }
    let malformed =
        |e: &dyn std::fmt::Display| ApiError(400, format!("malformed JSON command: {e}"));
    let depth = nesting(&body);
    if depth > MAX_DEPTH {
        let why = format!("it nests {depth} levels deep; a command nests at most {MAX_DEPTH}");
        return Err(malformed(&why));
    }
    if let Some(what) = positional(&body) {
        let why = format!("{what} is a JSON object of named fields ({{…}}), got an array");
        return Err(malformed(&why));
    }
    let mut reader = serde_json::Deserializer::from_slice(&body);
    let parsed = serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        // the field's path first (`settings.batch_size: invalid type …`), unless it is the whole
        match e.path().to_string() {
            path if path == "." => malformed(e.inner()),
            path => malformed(&format!("{path}: {}", e.inner())),
        }
    })?;
    reader.end().map_err(|e| malformed(&e))?;
    Ok(parsed)
}

/// Most levels of `[` and `{` a command nests (`{"settings": {"features": [...]}}` is 3): past
/// serde_json's 128 a body parses as no value, and its error would be told as a field's type.
const MAX_DEPTH: usize = 16;

/// How deep `body`'s arrays and objects nest, brackets inside strings not counted.
fn nesting(body: &[u8]) -> usize {
    let (mut depth, mut most, mut in_string, mut escaped) = (0usize, 0, false, false);
    for &b in body {
        match (in_string, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') => in_string = false,
            (true, _) => {}
            (false, b'"') => in_string = true,
            (false, b'[' | b'{') => {
                depth += 1;
                most = most.max(depth);
            }
            (false, b']' | b'}') => depth = depth.saturating_sub(1),
            (false, _) => {}
        }
    }
    most
}

/// What of a command is an array where an object belongs: serde reads a struct from an array
/// too, by position, which no command means.
fn positional(body: &[u8]) -> Option<&'static str> {
    match serde_json::from_slice(body).ok()? {
        serde_json::Value::Array(_) => Some("a command"),
        serde_json::Value::Object(m) if m.get("settings").is_some_and(|s| s.is_array()) => {
            Some("settings")
        }
        _ => None,
    }
}

fn too_large(e: BytesRejection) -> ApiError {
    ApiError(
        e.status().as_u16(),
        format!(
            "request body refused ({e}); uploads are at most {} MiB",
            MAX_UPLOAD >> 20
        ),
    )
}

async fn create_session(
    State(app): State<App>,
    body: Result<Bytes, BytesRejection>,
) -> Reply<Response> {
    // nothing to set here: a body other than none or `{}` would be ignored, so it is refused
    let body = body.map_err(too_large)?;
    let empty = body.iter().all(u8::is_ascii_whitespace)
        || serde_json::from_slice::<serde_json::Map<_, _>>(&body).is_ok_and(|m| m.is_empty());
    if !empty {
        let why = "a session takes no body: send the settings with POST \
                   /api/sessions/{id}/train";
        return Err(ApiError(400, why.into()));
    }
    let (id, _) = app.create()?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// Ends the session when the page's stream is dropped (tab closed, reloaded, network gone).
struct StreamGuard {
    app: App,
    id: String,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.app.remove(&self.id);
    }
}

/// The session's events, once: a second reader (SSE or WebSocket) is refused with 409.
fn take_stream(app: &App, id: String) -> Reply<(Receiver<PageEvent>, StreamGuard)> {
    let receiver = app.get(&id)?.take_stream().ok_or_else(|| {
        ApiError(
            409,
            format!("session `{id}` already has its event stream open (one page, one stream)"),
        )
    })?;
    let guard = StreamGuard {
        app: app.clone(),
        id,
    };
    Ok((receiver, guard))
}

/// The events as Server-Sent Events (`event: epoch`, `data: {...}`), for scripts and curl.
async fn events(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Reply<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let (receiver, guard) = take_stream(&app, id)?;
    let stream = stream::unfold((receiver, guard), |(mut receiver, guard)| async move {
        let event = receiver.recv().await?;
        let sse = Event::default().event(event.name).data(event.json);
        Some((Ok(sse), (receiver, guard)))
    });
    // a comment every second: a closed page is noticed at the next write
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(1))))
}

/// The events over a WebSocket, each a text `{"event": name, "data": {...}}`: what the page
/// uses, since browsers count WebSockets apart from the six HTTP/1.1 connections they open to
/// one address (an EventSource holds one of those six, so a seventh page could not load).
async fn socket(
    State(app): State<App>,
    Path(id): Path<String>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Reply<Response> {
    let upgrade = upgrade.map_err(|e| {
        let why = format!("{e}: open this route as a WebSocket, or read /api/sessions/{id}/events");
        ApiError(e.status().as_u16(), why)
    })?;
    let (receiver, guard) = take_stream(&app, id)?;
    Ok(upgrade.on_upgrade(move |socket| relay(socket, receiver, guard)))
}

/// Sends each event until the page closes its socket (then `guard` ends the session).
async fn relay(mut socket: WebSocket, mut receiver: Receiver<PageEvent>, guard: StreamGuard) {
    loop {
        tokio::select! {
            event = receiver.recv() => {
                let Some(event) = event else { break };
                let text = format!("{{\"event\":\"{}\",\"data\":{}}}", event.name, event.json);
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {} // pings are answered below us; the page sends nothing else
            },
        }
    }
    drop(guard);
}

/// `{"settings": {...}, "mode": "play" | "step"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrainRequest {
    #[serde(default)]
    settings: Settings,
    #[serde(default)]
    mode: StartMode,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum StartMode {
    #[default]
    Play,
    Step,
}

async fn train(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply<Response> {
    let request: TrainRequest = json_body(&headers, body)?;
    let session = app.get(&id)?;
    let mode = match request.mode {
        StartMode::Play => Mode::Play,
        StartMode::Step => Mode::Step,
    };
    let started = tokio::task::spawn_blocking(move || session.start(&request.settings, mode))
        .await
        .map_err(|e| ApiError(500, format!("starting the training failed: {e}")))??;
    Ok((StatusCode::ACCEPTED, Json(json!({ "command": started }))).into_response())
}

/// `{"action": "play" | "pause" | "step" | "stop", "delay_ms": N}`, both optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlRequest {
    action: Option<Mode>,
    delay_ms: Option<u64>,
}

async fn control(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply<Json<serde_json::Value>> {
    let request: ControlRequest = json_body(&headers, body)?;
    if let Some(ms) = request.delay_ms.filter(|&ms| ms > MAX_DELAY_MS) {
        return Err(ApiError(
            400,
            format!("delay_ms: must be 0 to {MAX_DELAY_MS}, got {ms}"),
        ));
    }
    let mode = app.get(&id)?.control(request.action, request.delay_ms)?;
    Ok(Json(json!({ "mode": mode })))
}

async fn command_line(
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply<Json<serde_json::Value>> {
    let settings: Settings = json_body(&headers, body)?;
    settings.check().map_err(|m| ApiError(400, m))?;
    // sizes do not change the flags: the 2-D sets have 2 inputs; a CSV's are known at training
    let config = settings.config(2, 2).map_err(|m| ApiError(400, m))?;
    // what `train` warns of with these settings, before the run; of a built-in set's rows too
    let mut warnings: Vec<String> = config.warnings();
    let line = command(&settings, &config, None);
    let mut points = None;
    if let Ok(source @ DataSource::Builtin { train_size, .. }) = settings.source(None) {
        warnings.extend(config.lone_row(train_size));
        // a built-in set's points, as its run will draw them: the page shows them before Play
        points = source
            .load()
            .ok()
            .map(|data| session::points(&data, &config, line.clone()));
    }
    Ok(Json(
        json!({ "command": line, "warnings": warnings, "points": points }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadQuery {
    name: Option<String>,
}

/// A CSV file, checked as `train --data` checks it (same messages), kept for the page's runs.
async fn upload(
    State(app): State<App>,
    Path(id): Path<String>,
    query: Result<Query<UploadQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Reply<Json<serde_json::Value>> {
    let Query(query) = query.map_err(|e| ApiError(400, e.body_text()))?;
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if !kind.is_some_and(|k| k.starts_with("text/csv")) {
        return Err(ApiError(
            415,
            "send the file with Content-Type: text/csv".into(),
        ));
    }
    let body = body.map_err(too_large)?;
    let session = app.get(&id)?;
    let name = csv_upload::name(query.name.as_deref()).map_err(|why| ApiError(400, why))?;
    let kept = tokio::task::spawn_blocking(move || csv_upload::keep(&session, name, &body));
    let summary = kept.await.map_err(|e| ApiError(500, e.to_string()))??;
    Ok(Json(summary))
}

async fn report(State(app): State<App>, Path(id): Path<String>) -> Reply<Response> {
    let path = app.get(&id)?.run_dir().join("report.html");
    // a few hundred KiB: read in place
    let html = std::fs::read(&path).map_err(|_| {
        ApiError(
            404,
            "no report yet: report.html is written when a run ends".into(),
        )
    })?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

async fn model(State(app): State<App>, Path(id): Path<String>) -> Reply<Response> {
    let dir = app.get(&id)?.run_dir();
    if !RunDir::new(&dir).model_path().exists() {
        let why = "no model yet: model.safetensors is ready once a run has saved its weights";
        return Err(ApiError(404, why.into()));
    }
    let bytes = tokio::task::spawn_blocking(move || {
        Predictor::open(&dir, Backend::Flex).and_then(|p| p.safetensors())
    })
    .await
    .map_err(|e| ApiError(500, e.to_string()))?
    .map_err(|e| ApiError(404, format!("no model yet ({e})")))?;
    let headers = [
        (header::CONTENT_TYPE, "application/octet-stream"),
        (
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"model.safetensors\"",
        ),
    ];
    Ok((headers, bytes).into_response())
}
