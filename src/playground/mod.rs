//! `plaindnn playground`: the tutorial live in the browser. A local web server (axum on tokio)
//! serves one page; each page gets a session whose training runs on its own thread through
//! `train::train_on`, reporting through the training loop's observer — never a copy of the loop.
//!
//! - [`settings`]: the page's JSON → `DataSource` + `TrainConfig`, and the `plaindnn train` line;
//! - [`observer`]: epochs to the page's event stream (a WebSocket, or SSE); play / pause / step;
//! - [`session`]: one page, one training at a time; a closed page stops its training;
//! - [`uploads`]: a file per upload, kept while the page's run trains on it;
//! - [`routes`]: the HTTP API and the embedded page (`assets/`, in English and Chinese);
//! - [`tour`]: TOUR.md and TOUR.zh-CN.md as pages the explanations link into.
//!
//! Safe by default: loopback only; a Host header that is not this server's own address (DNS
//! rebinding) and a cross-site Origin are refused; bodies, layers, units and epochs are capped.

pub mod command;
pub mod csv_upload;
pub mod observer;
pub mod page_words;
pub mod routes;
pub mod session;
pub mod settings;
pub mod tour;
pub mod uploads;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{Error, Result};
use session::Sessions;

/// Where and how the server listens.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Address to bind (loopback unless the user says otherwise).
    pub host: IpAddr,
    /// Port (0: any free port).
    pub port: u16,
    /// Folder for the sessions' uploads and run directories.
    pub runs_dir: PathBuf,
}

/// Which requests reach the API: the Host header must name this server, an Origin header (sent
/// by browsers on cross-site requests) must be this server's.
#[derive(Debug)]
pub struct Guard {
    hosts: Vec<String>,
    /// Bound to every interface: the user chose to be reachable by any name.
    any_host: bool,
}

impl Guard {
    /// The names a browser uses for `addr`: `127.0.0.1:P`, and `localhost:P` for loopback.
    pub fn for_addr(addr: SocketAddr) -> Self {
        let mut hosts = vec![addr.to_string()];
        if addr.ip().is_loopback() {
            hosts.push(format!("localhost:{}", addr.port()));
        }
        Self {
            hosts,
            any_host: addr.ip().is_unspecified(),
        }
    }

    /// `Ok`, or the reason the request is refused.
    pub fn check(&self, headers: &HeaderMap) -> std::result::Result<(), String> {
        let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
        let host = text(header::HOST).unwrap_or("");
        if !self.any_host && !self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            return Err(format!(
                "Host `{host}` is not this server ({}): the playground only answers its own address \
                 (a guard against DNS rebinding); open {}",
                self.hosts[0],
                self.url()
            ));
        }
        if let Some(origin) = text(header::ORIGIN) {
            let own = self.any_host || self.hosts.iter().any(|h| origin == format!("http://{h}"));
            if !own {
                return Err(format!(
                    "Origin `{origin}` is another site: the playground takes commands only from its own page {}",
                    self.url()
                ));
            }
        }
        Ok(())
    }

    fn url(&self) -> String {
        format!("http://{}/", self.hosts[0])
    }
}

/// Refuses requests the [`Guard`] does not let through, with 403 and the reason.
async fn guard(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    match guard.check(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(message) => routes::ApiError::from((403, message)).into_response(),
    }
}

/// Why the server cannot listen, blaming the flag at fault: an address this machine does not
/// have is `--host`'s, anything else (in use, a privileged port) `--port`'s.
fn cannot_listen(host: std::net::IpAddr, port: u16, e: std::io::Error) -> Error {
    let at = format!("cannot listen on {host}:{port}: {e}");
    match e.kind() {
        std::io::ErrorKind::AddrNotAvailable => Error::invalid(
            "--host",
            format!("{at}; give an address of this machine with --host (127.0.0.1, the default, or 0.0.0.0 for every one)"),
        ),
        _ => Error::invalid("--port", format!("{at}; choose another with --port P (0: any free port)")),
    }
}

/// Binds, calls `ready` with the page's URL, and serves until the process ends.
pub fn serve(options: ServeOptions, ready: impl FnOnce(&str)) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Training(format!("starting the web server's runtime: {e}")))?;
    runtime.block_on(async move {
        let (host, port) = (options.host, options.port);
        let listener = (tokio::net::TcpListener::bind((host, port)).await)
            .map_err(|e| cannot_listen(host, port, e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Training(format!("reading the bound address: {e}")))?;
        let runs = &options.runs_dir;
        std::fs::create_dir_all(runs).map_err(|e| {
            let why = format!(
                "{}: {e}; give a folder the pages' runs can go in",
                runs.display()
            );
            Error::invalid("--runs", why)
        })?;
        let guard_state = Arc::new(Guard::for_addr(addr));
        let app = routes::router(Arc::new(Sessions::new(options.runs_dir.clone())))
            .layer(axum::middleware::from_fn(body_in_time))
            .layer(axum::middleware::from_fn_with_state(guard_state, guard));
        ready(&format!("http://{addr}/"));
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true); // each event leaves at once, as with axum::serve
            tokio::spawn(serve_connection(stream, app.clone()));
        }
    })
}

/// A connection that could not be accepted ends, not the server (it stopped, and every page's
/// run with it, at its file limit: `ulimit -n 256` is a Mac's default). As `axum::serve`: one
/// reset before it was accepted is skipped; out of files, it says so and waits a second for
/// connections to close.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    eprintln!("warning: the playground could not accept a connection ({e}); trying again in 1 s");
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
}

/// Longest wait for a request's body once its headers are in: a client that stops half-way
/// through one is answered 408 and closed (hyper times out headers only). 10 MiB, an upload's
/// most, takes 17 s at 5 Mbit/s.
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// Whether reading a body failed on its length limit (by type, as axum's own rejections tell it).
fn past_limit(e: &axum::Error) -> bool {
    let inner = std::error::Error::source(e);
    inner.is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
}

/// Reads a request's body within [`BODY_TIMEOUT`] before its route sees it (each route keeps its
/// own size limit; what arrives past the largest, an upload's, is refused here).
async fn body_in_time(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let read = axum::body::to_bytes(body, routes::MAX_UPLOAD + 1);
    match tokio::time::timeout(BODY_TIMEOUT, read).await {
        Ok(Ok(bytes)) => {
            let request = Request::from_parts(parts, axum::body::Body::from(bytes));
            next.run(request).await
        }
        Ok(Err(e)) if past_limit(&e) => {
            // past the largest a route takes: said as that route says it
            let most = match parts.uri.path().ends_with("/upload") {
                true => format!("uploads are at most {} MiB", routes::MAX_UPLOAD >> 20),
                false => format!("a command is at most {} bytes", routes::MAX_JSON),
            };
            let why = format!(
                "request body refused (over {} MiB); {most}",
                routes::MAX_UPLOAD >> 20
            );
            routes::ApiError::from((413, why)).into_response()
        }
        Ok(Err(e)) => {
            let why = format!("the request's body could not be read: {e}");
            routes::ApiError::from((400, why)).into_response()
        }
        Err(_) => {
            let why = format!(
                "the request's body did not arrive within {} s",
                BODY_TIMEOUT.as_secs()
            );
            let mut response = routes::ApiError::from((408, why)).into_response();
            let close = header::HeaderValue::from_static("close");
            response.headers_mut().insert(header::CONNECTION, close);
            response
        }
    }
}

/// Longest wait for a request's headers, the first or the next on a kept-alive connection: a
/// client that sends half a request, or none, is closed after it (browsers send theirs at once).
const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// One connection, HTTP/1 with the header timeout (what `axum::serve` does, less the timer).
async fn serve_connection(stream: tokio::net::TcpStream, app: axum::Router) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let service = hyper_util::service::TowerToHyperService::new(app);
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades(); // the page's WebSocket
    let _ = connection.await; // a closed or timed-out connection ends here, quietly
}
