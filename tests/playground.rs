//! `plaindnn playground`'s API, driven over HTTP against the built binary: a seeded run streamed
//! over the page's WebSocket to the end and compared with `plaindnn train`, the Host and Origin
//! guards, the caps, malformed and fuzzed JSON, one training per page, one reader per session's
//! events (WebSocket or Server-Sent Events), and a closed page stopping its training.
#![cfg(feature = "playground")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The server, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    runs: common::TempDir,
}

impl Server {
    /// `plaindnn playground --no-open --port 0`, its address read from the line it prints.
    fn start(name: &str) -> Self {
        Self::start_with(name, None, &[])
    }

    /// [`Server::start`], with at most `files` open files (`ulimit -n`) if given, and `flags`.
    fn start_with(name: &str, files: Option<u32>, flags: &[&str]) -> Self {
        let runs = common::temp_dir(&format!("playground-{name}"));
        let limit = files.map_or(String::new(), |n| format!("ulimit -n {n} && "));
        let script = "bin=$0; runs=$1; shift; exec \"$bin\" playground --no-open --port 0 --runs \"$runs\" \"$@\"";
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("{limit}{script}"))
            .arg(common::bin())
            .arg(&runs)
            .args(flags)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout).read_line(&mut line).expect("a line");
        let start = line.find("http://127.0.0.1:").expect("the URL is printed") + 7;
        let addr = line[start..].split('/').next().unwrap().to_string();
        Server { child, addr, runs }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.addr).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        stream
    }

    /// One request with this server's Host header unless `headers` give another; (status, body).
    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, String) {
        let mut stream = self.connect();
        let host_given = headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host"));
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        if !host_given {
            head += &format!("Host: {}\r\n", self.addr);
        }
        headers
            .iter()
            .for_each(|(k, v)| head += &format!("{k}: {v}\r\n"));
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(b"\r\n").unwrap();
        // a refused body may be cut off by the server's answer
        let _ = stream.write_all(body);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_string();
        (status, body)
    }

    fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let json = [("Content-Type", "application/json")];
        let (status, text) = self.request("POST", path, &json, body.to_string().as_bytes());
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// A CSV uploaded to page `id` as the file `name`; (status, body).
    fn upload(&self, id: &str, name: &str, csv: &str) -> (u16, String) {
        let path = format!("/api/sessions/{id}/upload?name={name}");
        let text = [("Content-Type", "text/csv")];
        self.request("POST", &path, &text, csv.as_bytes())
    }

    /// Trains page `id` with `settings` (a train request's body) to the end, heard on the page's
    /// stream `events`: the run's command and all its events.
    fn run_to_end(
        &self,
        id: &str,
        events: &mut Events,
        settings: &Value,
    ) -> (String, Vec<(String, Value)>) {
        let (status, started) = self.post(&format!("/api/sessions/{id}/train"), settings);
        assert_eq!(status, 202, "{started}");
        let command = started["command"].as_str().unwrap().to_string();
        (command, events.until_done())
    }

    /// The message that refuses a run of page `id` with `settings` (status 400).
    fn refusal(&self, id: &str, settings: &Value) -> String {
        let (status, body) = self.post(&format!("/api/sessions/{id}/train"), settings);
        assert_eq!(status, 400, "{body}");
        body["error"].as_str().unwrap_or_default().to_string()
    }

    fn session(&self) -> String {
        let (status, body) = self.post("/api/sessions", &json!({}));
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_string()
    }

    /// The session's event stream.
    fn events(&self, id: &str) -> Events {
        let mut stream = self.connect();
        let head = format!(
            "GET /api/sessions/{id}/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.addr
        );
        stream.write_all(head.as_bytes()).unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 2 {
            line.clear(); // the response head
        }
        Events::Sse {
            reader,
            pending: String::new(),
        }
    }

    /// The session's events over the WebSocket the page opens (tungstenite as the client).
    fn socket(&self, id: &str) -> Events {
        let url = format!("ws://{}/api/sessions/{id}/socket", self.addr);
        let (socket, _) = tungstenite::client(url, self.connect()).expect("the WebSocket opens");
        Events::Socket(socket)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait(); // then `runs` goes as it drops
    }
}

/// A session's events: Server-Sent Events over a chunked HTTP/1.1 body, or the page's WebSocket.
enum Events {
    Sse {
        reader: BufReader<TcpStream>,
        pending: String,
    },
    Socket(tungstenite::WebSocket<TcpStream>),
}

impl Events {
    /// The next `(event name, JSON data)`.
    fn next(&mut self) -> (String, Value) {
        match self {
            Events::Sse { reader, pending } => next_sse(reader, pending),
            Events::Socket(socket) => next_message(socket),
        }
    }

    /// Every event up to and including `done`.
    fn until_done(&mut self) -> Vec<(String, Value)> {
        let mut all = Vec::new();
        loop {
            let event = self.next();
            let done = event.0 == "done";
            all.push(event);
            if done {
                return all;
            }
        }
    }
}

/// The next Server-Sent Event with a name and data; keep-alive comments are skipped.
fn next_sse(reader: &mut BufReader<TcpStream>, pending: &mut String) -> (String, Value) {
    loop {
        if let Some((block, rest)) = pending.split_once("\n\n") {
            let (block, rest) = (block.to_string(), rest.to_string());
            *pending = rest;
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name).map(str::trim).map(str::to_string))
            };
            if let (Some(event), Some(data)) = (field("event:"), field("data:")) {
                return (event, serde_json::from_str(&data).expect("JSON data"));
            }
            continue;
        }
        let mut size = String::new();
        reader.read_line(&mut size).expect("a chunk");
        let n = usize::from_str_radix(size.trim(), 16).expect("a chunk size");
        let mut chunk = vec![0; n + 2];
        reader.read_exact(&mut chunk).expect("the chunk");
        *pending += &String::from_utf8_lossy(&chunk[..n]);
    }
}

/// The next text message, `{"event": name, "data": {...}}`; pings are answered by the client.
fn next_message(socket: &mut tungstenite::WebSocket<TcpStream>) -> (String, Value) {
    loop {
        if let tungstenite::Message::Text(text) = socket.read().expect("a message") {
            let mut message: Value = serde_json::from_str(&text).expect("a JSON message");
            let name = message["event"]
                .as_str()
                .expect("an event name")
                .to_string();
            return (name, message["data"].take());
        }
    }
}

fn spiral_settings(epochs: usize) -> Value {
    json!({"dataset": "spiral", "seed": 7, "hidden": [32, 32], "activation": "relu",
           "lr": 0.01, "batch_size": 16, "epochs": epochs, "grid": 30})
}

/// Before Play the page draws a built-in set's points: `/api/command` sends them, the points the
/// run's first event sends (none for a CSV, whose file the command does not know).
#[test]
fn the_command_preview_carries_the_points_the_run_will_draw() {
    let server = Server::start("preview-points");
    let settings = spiral_settings(1);
    let (status, preview) = server.post("/api/command", &settings);
    assert_eq!(status, 200, "{preview}");
    let id = server.session();
    let mut events = server.socket(&id);
    let (_, all) = server.run_to_end(&id, &mut events, &json!({ "settings": settings }));
    let data = &all[0].1;
    assert_eq!(data["train"].as_array().map(Vec::len), Some(256));
    assert_eq!(preview["points"]["train"], data["train"]);
    assert_eq!(preview["points"]["val"], data["val"]);
    let mut csv = settings.clone();
    csv["dataset"] = json!("csv");
    let (status, preview) = server.post("/api/command", &csv);
    assert_eq!(status, 200, "{preview}");
    assert!(preview["points"].is_null(), "{preview}");
}

/// The page shows what `train` would warn of with its settings (a step schedule past the last
/// epoch), in the words its command's run prints.
#[test]
fn the_command_carries_the_warnings_its_train_run_prints() {
    let server = Server::start("command-warnings");
    let mut settings = spiral_settings(5);
    settings["lr_schedule"] = json!("step:50:0.5");
    let (status, answer) = server.post("/api/command", &settings);
    assert_eq!(status, 200, "{answer}");
    let warnings = answer["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{answer}");
    let command = answer["command"].as_str().expect("command");
    let out = common::temp_dir("playground-command-warnings");
    let out_arg = out.to_string_lossy().into_owned();
    let mut args: Vec<&str> = command.split(' ').skip(1).collect();
    args.extend(["--quiet", "--out", out_arg.as_str()]);
    let trained = common::plaindnn(&args);
    let said = format!("warning: {}", warnings[0].as_str().expect("text"));
    assert!(
        common::stderr(&trained).contains(&said),
        "{}",
        common::stderr(&trained)
    );
    // a wide file's `features` list fits in a command (6 000 columns: 100 KB, over the 64 KiB
    // a command could be, refused as too long without naming the list: an audit)
    let wide: Vec<String> = (0..6000).map(|i| format!("column_{i:04}")).collect();
    let csv = json!({"dataset": "csv", "features": wide});
    let (status, answer) = server.post("/api/command", &csv);
    assert_eq!(status, 200, "{answer}");
    let shown = answer["command"].as_str().unwrap_or_default();
    assert!(
        shown.contains("--features column_0000,column_0001,"),
        "{answer}"
    );
    settings["lr_schedule"] = json!("step:4:0.5");
    let (_, answer) = server.post("/api/command", &settings);
    assert_eq!(
        answer["warnings"],
        json!([]),
        "step:4 acts in the fifth epoch"
    );
}

/// An outside audit: the preview left out the warning `train` prints of a row BatchNorm leaves
/// out of each epoch (a built-in set's rows are known before the run), and read `1e-45` as
/// `1.0000000000000001e-45` (serde_json's float parsing is not exact by default).
#[test]
fn the_preview_warns_of_a_row_batch_norm_leaves_out_and_keeps_numbers_as_sent() {
    let server = Server::start("command-lone-row");
    let settings = json!({"dataset": "spiral", "train_share": 0.7, "hidden": [8, 6],
                          "batch_norm": true, "batch_size": 7, "epochs": 2,
                          "lr": 1e-45, "l2": 9.999999999999999e-5});
    let (status, answer) = server.post("/api/command", &settings);
    assert_eq!(status, 200, "{answer}");
    let command = answer["command"].as_str().expect("command");
    assert!(
        command.contains(" --lr 1e-45 ") && command.contains(" --l2 9.999999999999999e-5 "),
        "{command}"
    );
    let warnings = answer["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{answer}");
    let warning = warnings[0].as_str().unwrap_or_default();
    assert!(
        warning.starts_with("batch-norm: 358 training rows in batches of 7"),
        "{warning}"
    );
    let out = common::temp_dir("playground-command-lone-row");
    let out_arg = out.to_string_lossy().into_owned();
    let mut args: Vec<&str> = command.split(' ').skip(1).collect();
    args.extend(["--quiet", "--out", out_arg.as_str()]);
    let trained = common::plaindnn(&args);
    let said = common::stderr(&trained);
    assert!(said.contains(&format!("warning: {warning}")), "{said}");
}

fn metrics_rows(dir: &std::path::Path) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(dir.join("metrics.csv")).expect("metrics.csv");
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(|f| f.parse().unwrap()).collect())
        .collect()
}

/// The page's run streams every epoch over the page's WebSocket, learns the spiral, draws 30×30
/// regions, and is the run its CLI command gives: each streamed epoch equals `metrics.csv` of
/// `plaindnn train` (8 decimals).
#[test]
fn a_seeded_run_streams_every_epoch_and_its_command_reproduces_it() {
    let server = Server::start("stream");
    let id = server.session();
    let mut events = server.socket(&id);
    let (command, all) =
        server.run_to_end(&id, &mut events, &json!({"settings": spiral_settings(60)}));
    let data = &all[0];
    assert_eq!(data.0, "data");
    assert_eq!(
        data.1["train"].as_array().unwrap().len(),
        256,
        "the spiral's training points"
    );
    let epochs = epochs_of(&all);
    assert_eq!(epochs.len(), 60);
    let loss = |e: &Value| e["row"]["train_loss"].as_f64().unwrap();
    assert!(
        loss(epochs[59]) < loss(epochs[0]) / 2.0,
        "loss {} → {}",
        loss(epochs[0]),
        loss(epochs[59])
    );
    let grid = &epochs[59]["grid"];
    assert_eq!(grid["n"], 30);
    assert_eq!(grid["classes"].as_array().unwrap().len(), 900);
    assert_eq!(
        epochs[59]["layers"].as_array().unwrap().len(),
        3,
        "grad norms of 3 Linear layers"
    );
    let done = &all.last().unwrap().1;
    assert!(done["error"].is_null(), "{done}");
    let confusion: u64 = done["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()))
        .sum();
    assert_eq!(
        confusion, 256,
        "every validation row in the confusion matrix"
    );

    assert_command_reproduces("stream", &command, &epochs);
    let (status, html) =
        server.request("GET", &format!("/api/sessions/{id}/report.html"), &[], b"");
    assert_eq!(status, 200);
    assert!(html.contains("<html"), "report.html is served");
    let (status, weights) = server.request(
        "GET",
        &format!("/api/sessions/{id}/model.safetensors"),
        &[],
        b"",
    );
    assert_eq!(status, 200);
    assert!(
        weights.contains("0.weight"),
        "the safetensors header names the first Linear layer"
    );
}

/// A run that early stopping ends tells the page which epoch's weights it kept (the best, with
/// the lowest validation loss of the streamed epochs): the confusion matrix is that epoch's, its
/// accuracy the epoch's row's; without early stopping, the last epoch is kept.
#[test]
fn the_page_is_told_the_epoch_whose_weights_early_stopping_kept() {
    let server = Server::start("kept-epoch");
    let id = server.session();
    let mut events = server.socket(&id);
    let settings = json!({"dataset": "xor", "noise": 0.5, "seed": 42, "hidden": [32, 32],
        "activation": "relu", "lr": 0.05, "batch_size": 16, "epochs": 80, "patience": 3});
    let (_, all) = server.run_to_end(&id, &mut events, &json!({ "settings": settings }));
    let epochs = epochs_of(&all);
    let done = &all.last().unwrap().1;
    let val_loss = |e: &&Value| e["row"]["val_loss"].as_f64().unwrap();
    let best = epochs
        .iter()
        .min_by(|a, b| val_loss(a).total_cmp(&val_loss(b)));
    let best = best.unwrap()["row"].clone();
    assert!(
        epochs.len() < 80,
        "early stopping ended it: {}",
        epochs.len()
    );
    assert!(best["epoch"].as_u64() < Some(epochs.len() as u64), "{best}");
    assert_eq!(done["kept_epoch"], best["epoch"], "{done}");
    let matrix: Vec<Vec<u64>> = serde_json::from_value(done["confusion"].clone()).unwrap();
    let right: u64 = (0..matrix.len()).map(|i| matrix[i][i]).sum();
    let all_rows: u64 = matrix.iter().flatten().sum();
    let accuracy = right as f64 / all_rows as f64;
    let kept_accuracy = best["val_metric"].as_f64().unwrap();
    assert!(
        (accuracy - kept_accuracy).abs() < 1e-6,
        "{accuracy} {kept_accuracy}"
    );

    let settings = json!({"dataset": "xor", "seed": 42, "hidden": [8], "epochs": 3});
    let (_, all) = server.run_to_end(&id, &mut events, &json!({ "settings": settings }));
    assert_eq!(all.last().unwrap().1["kept_epoch"], 3);
}

/// `plaindnn train` with the page's command writes the `metrics.csv` the page streamed (into a
/// directory of the test's own: `name`).
fn assert_command_reproduces(name: &str, command: &str, epochs: &[&Value]) {
    let loss = |e: &Value| e["row"]["train_loss"].as_f64().unwrap();
    let out = common::temp_dir(&format!("playground-cli-{name}"));
    let mut args: Vec<&str> = command.split(' ').skip(1).collect();
    let out_arg = out.to_string_lossy().into_owned();
    args.extend(["--quiet", "--overwrite", "--out", out_arg.as_str()]);
    let trained = common::plaindnn(&args);
    assert!(
        trained.status.success(),
        "`{command}`: {}",
        common::stderr(&trained)
    );
    let csv = metrics_rows(&out);
    assert_eq!(csv.len(), epochs.len());
    for (row, e) in csv.iter().zip(epochs) {
        let r = &e["row"];
        let streamed = [
            r["epoch"].as_f64().unwrap(),
            loss(e),
            r["val_loss"].as_f64().unwrap(),
            r["val_metric"].as_f64().unwrap(),
        ];
        for (a, b) in row.iter().zip(streamed) {
            assert!(
                (a - b).abs() <= 1e-8,
                "epoch {}: metrics.csv {a} vs streamed {b}",
                row[0]
            );
        }
    }
}

/// The epochs of a run's events.
fn epochs_of(all: &[(String, Value)]) -> Vec<&Value> {
    (all.iter().filter(|e| e.0 == "epoch"))
        .map(|e| &e.1)
        .collect()
}

/// Trains page `id`'s upload, `file` (name and contents), with `settings`, then its command on a
/// copy of the file: both must give the same epochs. The command and the run's events, back.
/// `events` is the page's stream (dropping it ends the session).
fn csv_run_reproduces(
    (server, id, events): (&Server, &str, &mut Events),
    (name, csv): (&str, &str),
    settings: Value,
) -> (String, Vec<(String, Value)>) {
    let (command, all) = server.run_to_end(id, events, &settings);
    let stem = name.trim_end_matches(".csv");
    let file_parent = common::temp_dir(&format!("playground-{stem}"));
    let file = file_parent.join(name);
    std::fs::write(&file, csv).expect("write");
    let local = command.replace(name, &file.to_string_lossy());
    assert_command_reproduces(stem, &local, &epochs_of(&all));
    (command, all)
}

/// TensorFlow Playground's x², an activation per layer and the share of rows trained on: the
/// page's run uses them (the first layer reads 4 inputs, the rows split 70 / 30), streams the
/// weights it draws, and its command gives the same run.
#[test]
fn added_features_per_layer_activations_and_the_training_share_reach_the_run_and_its_command() {
    let server = Server::start("features");
    let id = server.session();
    let mut events = server.events(&id);
    let settings = json!({"dataset": "circles", "seed": 3, "hidden": [20, 3],
        "activation": "tanh,relu", "add_features": ["square"], "train_share": 0.7,
        "epochs": 8, "grid": 10});
    let (status, started) = server.post(
        &format!("/api/sessions/{id}/train"),
        &json!({ "settings": settings }),
    );
    assert_eq!(status, 202, "{started}");
    let all = events.until_done();
    assert_eq!(
        all[0].1["train"].as_array().unwrap().len(),
        358,
        "70 % of 512 rows"
    );
    assert_eq!(all[0].1["val"].as_array().unwrap().len(), 154);
    assert_eq!(
        all[0].1["inputs"],
        json!(["x", "y", "x²", "y²"]),
        "the picture's labels"
    );
    let epochs = epochs_of(&all);
    let weights = epochs[7]["weights"].as_array().unwrap();
    let shape = |w: &Value| {
        (
            w["inputs"].as_u64().unwrap(),
            w["outputs"].as_u64().unwrap(),
        )
    };
    let shapes: Vec<_> = weights.iter().map(shape).collect();
    // x, y, x², y² → 20 units (the picture draws the first 16) → 3 → 2 classes
    assert_eq!(shapes, [(4, 16), (16, 3), (3, 2)]);
    assert_eq!(weights[0]["values"].as_array().unwrap().len(), 4 * 16);
    assert_command_reproduces("features", started["command"].as_str().unwrap(), &epochs);
}

/// DNS rebinding: a page on another name that resolves here sends its own Host; other sites'
/// scripts send their Origin. Both get 403 with the reason.
#[test]
fn a_request_for_another_host_or_from_another_origin_is_refused() {
    let server = Server::start("host");
    let (status, page) = server.request("GET", "/", &[], b"");
    assert_eq!(status, 200);
    assert!(page.contains(r#"data-testid="decision-regions""#));
    let (status, body) = server.request("GET", "/", &[("Host", "evil.example:80")], b"");
    assert_eq!(status, 403);
    let error: Value = serde_json::from_str(&body).unwrap_or_default();
    let error = error["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("Host `evil.example:80` is not this server")
            && error.contains("DNS rebinding"),
        "as JSON, as every refusal: {body}"
    );
    let origin = [
        ("Origin", "http://evil.example"),
        ("Content-Type", "application/json"),
    ];
    let (status, body) = server.request("POST", "/api/sessions", &origin, b"{}");
    assert_eq!(status, 403);
    assert!(
        body.contains("Origin `http://evil.example` is another site"),
        "{body}"
    );
    let own = format!("http://{}", server.addr);
    let (status, _) = server.request("POST", "/api/sessions", &[("Origin", &own)], b"");
    assert_eq!(status, 201, "the page's own origin is let through");
}

/// An audit found a session's body accepted and ignored, and the model asked for before any
/// run answered with the server's own path and command-line advice.
#[test]
fn a_session_refuses_settings_it_would_ignore_and_says_when_its_model_is_ready() {
    let server = Server::start("session-body");
    let (status, body) = server.post("/api/sessions", &json!({ "epochs": 3 }));
    assert_eq!(status, 400, "{body}");
    let said = body["error"].as_str().unwrap_or_default();
    assert!(said.contains("a session takes no body"), "{said}");
    let id = server.session();
    let model = format!("/api/sessions/{id}/model.safetensors");
    let (status, said) = server.request("GET", &model, &[], b"");
    assert_eq!(status, 404);
    assert!(
        said.contains("no model yet: model.safetensors is ready once a run has saved its weights")
            && !said.contains("plaindnn train"),
        "{said}"
    );
}

#[test]
fn layers_units_epochs_and_uploads_over_the_caps_are_refused_with_the_cap_named() {
    let server = Server::start("caps");
    let id = server.session();
    let train = format!("/api/sessions/{id}/train");
    let cases = [
        (
            json!({"hidden": [4, 4, 4, 4, 4, 4, 4, 4, 4]}),
            "hidden: at most 8 layers in the playground, got 9",
        ),
        (
            json!({"hidden": [300]}),
            "hidden: each layer needs 1 to 256 units in the playground, got 300",
        ),
        (
            json!({"epochs": 5000}),
            "epochs: must be 1 to 1000 in the playground, got 5000",
        ),
        (
            json!({"dataset": "shapes"}),
            "dataset: the playground draws the 2-D sets quadrants, xor, circles, spiral, blobs",
        ),
        (
            json!({"lr": -1.0}),
            // the page's field, not the library's word or train's flag
            "lr: must be a positive number, got -1",
        ),
        (
            json!({"add_features": ["square", "square"]}),
            "add_features: `square` given twice",
        ),
        (json!({"dataset": "xor", "noise": -1.0}), "noise: must be"),
        // a flag's text the parser refuses, named by its field and value (it said
        // `step_gamma: …`, or `unknown activation ``` with no field: an audit)
        (
            json!({"lr_schedule": "step:10:2"}),
            "lr_schedule: `step:10:2`: invalid step gamma: must be in (0, 1), got 2",
        ),
        (
            json!({"activation": "relu,"}),
            "activation: ``: unknown activation",
        ),
        (
            json!({"init": "hee"}),
            "init: `hee`: unknown initialisation `hee`",
        ),
    ];
    for (settings, message) in cases {
        let (status, body) = server.post(&train, &json!({ "settings": settings }));
        assert_eq!(status, 400, "{settings}");
        assert!(
            body["error"].as_str().unwrap().starts_with(message),
            "{}",
            body["error"]
        );
    }
    let big = vec![b'1'; 10 * 1024 * 1024 + 10];
    let csv = [("Content-Type", "text/csv")];
    let (status, body) = server.request(
        "POST",
        &format!("/api/sessions/{id}/upload?name=big.csv"),
        &csv,
        &big,
    );
    assert_eq!(status, 413);
    assert!(body.contains("uploads are at most 10 MiB"), "{body}");
}

#[test]
fn malformed_json_gets_a_4xx_naming_line_and_column_and_the_wrong_field() {
    let server = Server::start("json");
    let id = server.session();
    let path = format!("/api/sessions/{id}/train");
    let json = [("Content-Type", "application/json")];
    let (status, body) = server.request("POST", &path, &json, br#"{"settings": {"epochs": 3,"#);
    assert_eq!(status, 400);
    assert!(
        body.contains("malformed JSON command") && body.contains("line 1 column"),
        "{body}"
    );
    let (status, body) = server.request("POST", &path, &json, br#"{"settings": {"epoch": 3}}"#);
    assert_eq!(status, 400);
    assert!(body.contains("unknown field `epoch`"), "{body}");
    // serde would read a struct from an array, by position: refused, as no command means it
    for (body, what) in [
        (&br#"["xor", 0.3, 7]"#[..], "a command is"),
        (br#"{"settings": ["xor", 0.3, 7]}"#, "settings is"),
    ] {
        for at in [path.as_str(), "/api/command"] {
            let (status, reply) = server.request("POST", at, &json, body);
            assert_eq!(status, 400, "{at}: {reply}");
            let said = format!("{what} a JSON object of named fields");
            assert!(reply.contains(&said), "{at}: {reply}");
        }
    }
    // nested past serde_json's depth of 128, a body parses as no value: it was told
    // `[0]: invalid type: sequence`, and `settings[0]: …` one level down
    let deep = |n| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let inner = format!(r#"{{"settings": {}, "mode": "step"}}"#, deep(5000));
    for (body, depth) in [(deep(5000), 5000), (inner, 5001)] {
        for at in [path.as_str(), "/api/command"] {
            let (status, reply) = server.request("POST", at, &json, body.as_bytes());
            assert_eq!(status, 400, "{at}: {reply}");
            let said = format!("it nests {depth} levels deep; a command nests at most 16");
            assert!(reply.contains(&said), "{at}: {reply}");
        }
    }
    // brackets in a string are text, not depth
    let text = format!(r#"{{"dataset": "{}"}}"#, deep(40));
    let (status, reply) = server.request("POST", "/api/command", &json, text.as_bytes());
    assert_eq!(status, 400, "{reply}");
    assert!(reply.contains("dataset: the playground draws"), "{reply}");
    // a value of the wrong type names its field
    let (status, body) = server.request(
        "POST",
        &path,
        &json,
        br#"{"settings": {"batch_size": 2.5}}"#,
    );
    assert_eq!(status, 400);
    assert!(
        body.contains("settings.batch_size: invalid type: floating point `2.5`, expected usize"),
        "{body}"
    );
    let (status, body) = server.request("POST", &path, &json, br#"{"settings": {}} x"#);
    assert_eq!(status, 400, "trailing characters: {body}");
    // the wrong method, and an upload's unknown parameter, are refusals with a reason too
    let (status, body) = server.request("GET", &path, &[], b"");
    assert_eq!(status, 405);
    assert!(body.contains(r#""error":"not with this method"#), "{body}");
    let upload = format!("/api/sessions/{id}/upload?nme=a.csv");
    let (status, body) =
        server.request("POST", &upload, &[("Content-Type", "text/csv")], b"x\n1\n");
    assert_eq!(status, 400);
    assert!(body.contains("unknown field `nme`"), "{body}");
    let (status, body) = server.request("POST", &path, &[("Content-Type", "text/plain")], b"{}");
    assert_eq!(
        status, 415,
        "a form from another site cannot send a command"
    );
    assert!(body.contains("Content-Type: application/json"), "{body}");
    let (status, body) = server.post("/api/sessions/nosuch/control", &json!({"action": "pause"}));
    assert_eq!(status, 404);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("no session `nosuch`"));
}

#[test]
fn a_page_runs_one_training_at_a_time_and_reset_makes_room_for_the_next() {
    let server = Server::start("one");
    let id = server.session();
    let _events = server.events(&id);
    let train = format!("/api/sessions/{id}/train");
    let slow = json!({"settings": {"epochs": 1000, "delay_ms": 50}});
    assert_eq!(server.post(&train, &slow).0, 202);
    let (status, body) = server.post(&train, &slow);
    assert_eq!(status, 409);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("already running on this page"));
    let (status, body) = server.post(
        &format!("/api/sessions/{id}/control"),
        &json!({"action": "stop"}),
    );
    assert_eq!((status, body["mode"].as_str()), (200, Some("stop")));
    assert_eq!(
        server.post(&train, &json!({"settings": {"epochs": 2}})).0,
        202,
        "after reset"
    );
}

/// A closed page's upload that no run trains on is removed (an outside audit found every closed
/// or evicted page's upload left, up to 10 MiB each, without bound); the one its run trained on
/// stays with the run, which `eval` and `--resume` read again.
#[test]
fn a_closed_page_leaves_only_the_upload_its_run_trained_on() {
    let server = Server::start("uploads-closed");
    let csv: String = (0..40)
        .map(|i| format!("{},{},{}\n", i % 5, i % 3, ["a", "b"][i % 2]))
        .collect();
    let csv = format!("x,y,c\n{csv}");
    let uploads = |id: &str| -> Vec<std::path::PathBuf> {
        let entries = std::fs::read_dir(server.runs.join(id))
            .into_iter()
            .flatten();
        let paths = entries.flatten().map(|e| e.path());
        let upload = |p: &std::path::PathBuf| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("upload-"))
        };
        paths.filter(upload).collect()
    };
    let closed_within = |what: &str, done: &dyn Fn() -> bool| {
        let start = Instant::now();
        while !done() && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(done(), "{what}");
    };

    let idle = server.session();
    let events = server.events(&idle);
    assert_eq!(server.upload(&idle, "a.csv", &csv).0, 200);
    assert_eq!(uploads(&idle).len(), 1, "kept while the page is open");
    drop(events);
    closed_within("the idle page's upload removed", &|| {
        uploads(&idle).is_empty()
    });

    let trained = server.session();
    let mut events = server.events(&trained);
    assert_eq!(server.upload(&trained, "b.csv", &csv).0, 200);
    assert_eq!(server.upload(&trained, "c.csv", &csv).0, 200);
    let settings = json!({"settings": {"dataset": "csv", "epochs": 2}});
    server.run_to_end(&trained, &mut events, &settings);
    assert_eq!(server.upload(&trained, "d.csv", &csv).0, 200);
    assert_eq!(uploads(&trained).len(), 2, "the run's and the latest");
    drop(events);
    closed_within("the untrained upload removed", &|| {
        uploads(&trained).len() == 1
    });
    let run = server.runs.join(&trained).join("run");
    let o = common::plaindnn(&["eval", "--run", run.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
}

/// A large upload's points: the page redraws every point each epoch, and a 10 MiB file holds
/// some 400 000 rows (an outside audit saw them all in one event). At most 2 000 of each split
/// are sent, every k-th row, with the split's row count.
#[test]
fn a_large_uploads_plane_gets_every_kth_point_and_the_row_counts() {
    let server = Server::start("points");
    let id = server.session();
    let mut events = server.events(&id);
    let rows: String = (0..10_000)
        .map(|i| format!("{i},{},{}\n", i % 7, i % 2))
        .collect();
    let (status, body) = server.upload(&id, "big.csv", &format!("x,y,c\n{rows}"));
    assert_eq!(status, 200, "{body}");
    let settings = json!({"dataset": "csv", "epochs": 1, "train_share": 0.8});
    let (status, body) = server.post(
        &format!("/api/sessions/{id}/train"),
        &json!({"settings": settings, "mode": "step"}),
    );
    assert_eq!(status, 202, "{body}");
    let (name, data) = events.next();
    assert_eq!(name, "data");
    assert_eq!(data["rows"], json!([8000, 2000]));
    let train = data["train"].as_array().unwrap();
    assert_eq!(train.len(), 2000, "every 4th of 8 000 training rows");
    assert_eq!(data["val"].as_array().unwrap().len(), 2000, "all 2 000");
}

/// The page paused, then stepped: exactly one more epoch arrives, then nothing while paused.
#[test]
fn step_trains_exactly_one_epoch_then_pauses() {
    let server = Server::start("step");
    let id = server.session();
    let mut events = server.events(&id);
    let (status, _) = server.post(
        &format!("/api/sessions/{id}/train"),
        &json!({"settings": {"epochs": 50}, "mode": "step"}),
    );
    assert_eq!(status, 202);
    assert_eq!(events.next().0, "data");
    let first = events.next();
    assert_eq!(
        (first.0.as_str(), first.1["row"]["epoch"].as_u64()),
        ("epoch", Some(1))
    );
    std::thread::sleep(Duration::from_millis(500));
    let control = format!("/api/sessions/{id}/control");
    assert_eq!(
        server.post(&control, &json!({"action": "step"})).1["mode"],
        "step"
    );
    let second = events.next();
    assert_eq!(
        second.1["row"]["epoch"].as_u64(),
        Some(2),
        "paused: no epoch ran in between"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        server.post(&control, &json!({})).1["mode"],
        "pause",
        "back to pause after one epoch"
    );
}

/// Closing the stream (the tab), WebSocket or Server-Sent Events, ends the session and its
/// training: report.html is written.
#[test]
fn a_closed_page_stops_its_training() {
    closing_stops_training("close-socket", Server::socket);
    closing_stops_training("close-events", Server::events);
}

/// A learner's review: report.html downloaded from the page did not say how to train the run
/// again. The page's command is kept in config.json and shown in the report.
#[test]
fn a_page_runs_report_and_config_hold_the_command_the_page_showed() {
    let server = Server::start("page-command");
    let id = server.session();
    let mut events = server.socket(&id);
    let settings = json!({"settings": {"epochs": 2, "dataset": "xor"}});
    let (command, _) = server.run_to_end(&id, &mut events, &settings);
    assert!(
        command.starts_with("plaindnn train --dataset xor"),
        "{command}"
    );
    let run = server.runs.join(&id).join("run");
    let config: Value = serde_json::from_str(
        &std::fs::read_to_string(run.join("config.json")).expect("config.json"),
    )
    .expect("json");
    assert_eq!(config["command"], json!(command));
    let report = std::fs::read_to_string(run.join("report.html")).expect("report.html");
    assert!(
        report.contains(&format!("<h2>Command</h2>\n<pre>{command}</pre>")),
        "{report}"
    );
}

fn closing_stops_training(name: &str, open: fn(&Server, &str) -> Events) {
    let server = Server::start(name);
    let id = server.session();
    let mut events = open(&server, &id);
    let body = json!({"settings": {"epochs": 1000, "delay_ms": 20}});
    assert_eq!(
        server.post(&format!("/api/sessions/{id}/train"), &body).0,
        202
    );
    events.next();
    events.next();
    drop(events);
    let report = server.runs.join(&id).join("run/report.html");
    let start = Instant::now();
    while !report.is_file() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        report.is_file(),
        "training ended and wrote its report within 20 s"
    );
    let rows = metrics_rows(&server.runs.join(&id).join("run"));
    assert!(rows.len() < 1000, "stopped early: {} epochs", rows.len());
    let (status, _) = server.post(
        &format!("/api/sessions/{id}/control"),
        &json!({"action": "play"}),
    );
    assert_eq!(status, 404, "the session is gone");
}

/// A session's events go to one reader, over either route; a plain GET of the WebSocket's
/// route is told how to open it, and where the same events are as Server-Sent Events; another
/// site's page cannot open the WebSocket (browsers let any page try: the Origin is the guard).
#[test]
fn a_session_s_events_open_once_over_either_route() {
    let server = Server::start("once");
    let id = server.session();
    let url = format!("ws://{}/api/sessions/{id}/socket", server.addr);
    let mut request = tungstenite::client::IntoClientRequest::into_client_request(url).unwrap();
    let evil = "http://evil.example".parse().unwrap();
    request.headers_mut().insert("Origin", evil);
    assert_eq!(
        handshake_status(&server, request),
        403,
        "another site's page"
    );
    let (status, body) = server.request("GET", &format!("/api/sessions/{id}/socket"), &[], b"");
    assert!((400..500).contains(&status), "{status} {body}");
    assert!(
        body.contains("WebSocket") && body.contains(&format!("/api/sessions/{id}/events")),
        "{body}"
    );
    let _socket = server.socket(&id);
    let (status, body) = server.request("GET", &format!("/api/sessions/{id}/events"), &[], b"");
    assert_eq!(status, 409, "{body}");
    let other = server.session();
    let _events = server.events(&other);
    let url = format!("ws://{}/api/sessions/{other}/socket", server.addr);
    assert_eq!(handshake_status(&server, url), 409, "a second reader");
}

/// The status of a WebSocket handshake the server refuses.
fn handshake_status(server: &Server, request: impl tungstenite::client::IntoClientRequest) -> u16 {
    match tungstenite::client(request, server.connect()) {
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(response))) => {
            response.status().as_u16()
        }
        other => panic!("the handshake was not refused: {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_page_evicted_for_a_new_one_stops_its_paused_training() {
    let server = Server::start("evict");
    let first = server.session();
    let body = json!({"settings": {"epochs": 1000}, "mode": "step"});
    assert_eq!(
        server
            .post(&format!("/api/sessions/{first}/train"), &body)
            .0,
        202
    );
    // its step's epoch whole first: a stop inside a run's first epoch leaves no run to report
    let run = server.runs.join(&first).join("run");
    let start = Instant::now();
    let stepped =
        || std::fs::read_to_string(run.join("metrics.csv")).is_ok_and(|t| t.lines().count() > 1);
    while !stepped() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    // 64 pages at most: each new one without a stream evicts the oldest such page
    for _ in 0..64 {
        server.session();
    }
    let report = server.runs.join(&first).join("run/report.html");
    let start = Instant::now();
    while !report.is_file() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        report.is_file(),
        "the evicted page's training ended (its report written)"
    );
    let rows = metrics_rows(&server.runs.join(&first).join("run"));
    assert!(
        rows.len() <= 2,
        "paused after one step: {} epochs",
        rows.len()
    );
}

#[test]
fn data_settings_the_chosen_data_cannot_take_are_refused_by_name() {
    let server = Server::start("data-settings");
    let id = server.session();
    let refused = |settings: Value, path: &str, name: &str| {
        let (status, body) = server.post(path, &settings);
        assert_eq!(status, 400, "{settings}: {body}");
        assert!(body.to_string().contains(name), "{body}");
    };
    let train = format!("/api/sessions/{id}/train");
    let target = json!({"dataset": "xor", "target": "no_such_column", "epochs": 2});
    refused(
        json!({"settings": target}),
        &train,
        "target: names a column of an uploaded csv",
    );
    refused(target, "/api/command", "target:");
    let negative = json!({"dataset": "quadrants", "noise": -5, "epochs": 2});
    refused(negative, "/api/command", "noise");
    let csv_noise = json!({"dataset": "csv", "noise": 0.9, "epochs": 2});
    refused(
        csv_noise,
        "/api/command",
        "noise: adds noise to a built-in set",
    );
}

/// Random byte flips, cuts, insertions and odd numbers in valid commands: every answer is a 2xx or
/// a 4xx with a message, and the server still serves the page afterwards.
#[test]
fn fuzzed_json_commands_are_all_answered_without_a_crash() {
    let server = Server::start("fuzz");
    let id = server.session();
    let valid = [
        (
            format!("/api/sessions/{id}/control"),
            r#"{"action": "pause", "delay_ms": 10}"#.to_string(),
        ),
        ("/api/command".to_string(), spiral_settings(5).to_string()),
        (
            "/api/command".to_string(),
            json!({"activation": "relu,tanh", "hidden": [3, 3], "add_features": ["square", "sin"],
                   "train_share": 0.3, "dataset": "circles"})
            .to_string(),
        ),
        (
            "/api/command".to_string(),
            json!({"dataset": "csv", "target": "z", "features": ["x", "colour, light"],
                   "one_hot": ["colour, light"], "impute": "median", "hidden": []})
            .to_string(),
        ),
        (
            format!("/api/sessions/{id}/train"),
            json!({"settings": {"epochs": 1, "hidden": [2]}, "mode": "step"}).to_string(),
        ),
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let junk = [
        "-1",
        "1e308",
        "null",
        "\"",
        "{",
        "]",
        "99999999999999999999",
        "[]",
        "\u{0}",
        "é",
        ",",
        "true",
    ];
    let json = [("Content-Type", "application/json")];
    for i in 0..300 {
        let (path, body) = &valid[i % valid.len()];
        let mut bytes = body.as_bytes().to_vec();
        for _ in 0..1 + next(3) {
            if bytes.is_empty() {
                bytes.push(b'{');
            }
            let at = next(bytes.len());
            match next(4) {
                0 => bytes[at] = next(256) as u8,
                1 => bytes.truncate(at),
                2 => drop(bytes.splice(at..at, junk[next(junk.len())].bytes())),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        let (status, answer) = server.request("POST", path, &json, &bytes);
        assert!(
            (200..500).contains(&status),
            "{path} {:?} → {status} {answer}",
            String::from_utf8_lossy(&bytes)
        );
        if status >= 400 {
            assert!(answer.contains("\"error\""), "a message: {answer}");
        }
    }
    let _ = server.post(
        &format!("/api/sessions/{id}/control"),
        &json!({"action": "stop"}),
    );
    assert_eq!(server.request("GET", "/", &[], b"").0, 200, "still serving");
}

#[test]
fn playground_help_ends_with_examples_of_the_verb() {
    let help = common::stdout(&common::plaindnn(&["playground", "--help"]));
    let examples = help.split("Examples:").nth(1).expect("an Examples section");
    assert!(
        examples.contains("plaindnn playground --no-open --port 0"),
        "{help}"
    );
    assert!(
        help.contains("--host") && help.contains("[default: 127.0.0.1]"),
        "{help}"
    );
}

/// An uploaded CSV is checked as `train --data` checks it (the message names the uploaded file),
/// trains, and its command names the file.
#[test]
fn an_uploaded_csv_is_checked_like_train_data_and_its_command_names_the_file() {
    let server = Server::start("csv");
    let id = server.session();
    let upload = |name: &str, body: &str| server.upload(&id, name, body);
    let (status, body) = upload("bad.csv", "x,y,label\n1,2,a\nfoo,3,b\n");
    assert_eq!(status, 400);
    assert!(body.contains("bad.csv") && body.contains("foo"), "{body}");
    // decimal commas are read as `--decimal ','` reads them (the page has no flags); a number
    // with a point among them is refused, and the ways on are the page's, not a flag's
    let commas: String = (0..20)
        .map(|i| format!("{i},5;{};{}\n", i % 3, i % 2))
        .collect();
    let (status, body) = upload("eu.csv", &format!("x;y;label\n{commas}"));
    assert_eq!(status, 200, "{body}");
    let summary: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(summary["decimal"], ",", "{body}");
    assert_eq!(summary["text_columns"], json!([]), "not categories: {body}");
    let (status, body) = upload("mixed.csv", &format!("x;y;label\n{commas}1.5;2;0\n"));
    assert_eq!(status, 400, "{body}");
    let said = "mixed.csv: line 22, column `x`: `1.5` holds a point; the playground reads `,` \
                as the decimal mark, as the file's numbers with decimal commas write it: write \
                1,5; or write every number of the file with points";
    assert!(body.contains(said), "{body}");
    // one stray decimal comma among points: that cell is named, as train names it
    let points = commas.replace(',', ".");
    let (status, body) = upload("typo.csv", &format!("x;y;label\n{points}0,5;2;0\n"));
    assert_eq!(status, 400, "{body}");
    let said = "typo.csv: line 22, column `x`: `0,5` is not a number (a decimal comma? write 0.5)";
    assert!(body.contains(said), "{body}");
    // a comma that may separate thousands alone is not read as a decimal comma
    let (status, body) = upload("area.csv", "area;label\n950;0\n2,241;1\n1,100;0\n700;1\n");
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains(
            "`2,241` is not a number (a thousands separator or a decimal comma? write \
                       2241 or 2.241)"
        ),
        "{body}"
    );
    let grouped: String = (0..20)
        .map(|i| format!("1.{:03},5;{i};{}\n", i, i % 2))
        .collect();
    let (status, body) = upload("grouped.csv", &format!("x;y;label\n{grouped}"));
    assert_eq!(status, 400, "{body}");
    let said = "grouped.csv: line 2, column `x`: `1.000,5` is not a number (thousands \
                separators and decimal commas are not read; write 1000.5)\"";
    assert!(body.contains(said), "{body}");
    // a header alone is told as train tells it (it was 'no feature column besides the target':
    // every column counted as empty in all of its no rows, and unticked)
    let (status, body) = upload("head.csv", "a,b,label\n");
    assert_eq!(status, 400);
    let said = "head.csv: the header is there but no data rows follow";
    assert!(body.contains(said), "{body}");
    // a target of decimal commas in a file of points: the page's way on, not flags
    let target: String = (0..20).map(|i| format!("{i}.5;{},5\n", i % 3)).collect();
    let (status, body) = upload("eu-target-points.csv", &format!("x;y\n{target}"));
    assert_eq!(status, 400, "{body}");
    let said = "eu-target-points.csv: line 2, column `y`: the target `0,5` is a number written \
                with a decimal comma: write it with a point, as the file's other numbers are, or \
                every number of the file with decimal commas (the playground reads either, one \
                per file)";
    assert!(body.contains(said) && !body.contains("--"), "{body}");
    // a target of decimal commas: numbers to fit, not classes of text
    let target: String = (0..20).map(|i| format!("{i};{},5\n", i % 3)).collect();
    let (status, body) = upload("eu-target.csv", &format!("x;y\n{target}"));
    assert_eq!(status, 200, "{body}");
    let summary: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(summary["task"], "regression", "{body}");
    // 101 classes of 2 rows each: more than the page draws (40 000 took the server down)
    let many: String = (0..202)
        .map(|i| format!("{i},{},c{}\n", i % 3, i / 2))
        .collect();
    let (status, body) = upload("many.csv", &format!("x,y,label\n{many}"));
    assert_eq!(status, 400);
    let said = "many.csv: column `label` holds 101 classes; the playground draws at most 100";
    assert!(body.contains(said), "{body}");
    // a warning names the file as the page gave it
    let constant: String = (0..20)
        .map(|i| format!("{},5,{}\n", i * 7 % 20, i % 2))
        .collect();
    let (status, body) = upload("flat.csv", &format!("x,k,label\n{constant}"));
    assert_eq!(status, 200, "{body}");
    let reply: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        reply["warnings"],
        json!(["flat.csv: column `k` is constant in the training rows; it carries no information"])
    );
    // a name the command could not give whole is refused, not cut short
    let (status, body) = upload(&format!("{}.csv", "x".repeat(300)), "x,y\n1,2\n");
    assert_eq!(status, 400);
    assert!(
        body.contains("name: at most 255 characters, got 304"),
        "{body}"
    );
    // nor is one with a character no shell command can hold as typed
    let (status, body) = upload("a%00b.csv", "x,y\n1,2\n");
    assert_eq!(status, 400);
    let error: Value = serde_json::from_str(&body).unwrap_or_default();
    let said = r#"name: no control or invisible characters, got '\0' in "a\0b.csv""#;
    assert_eq!(error["error"], said, "{body}");
    // nor one that shows otherwise than it reads: a right-to-left override
    let (status, _) = upload("a%E2%80%AEvsc.csv", "x,y\n1,2\n");
    assert_eq!(status, 400);
    // nor bytes that are not UTF-8, which decode to U+FFFD: a name of no file
    let (status, body) = upload("%C3%28.csv", "x,y\n1,2\n");
    assert_eq!(status, 400);
    assert!(body.contains("percent-encode it as UTF-8"), "{body}");
    let rows: String = (0..40)
        .map(|i| {
            format!(
                "{},{},{}\n",
                i % 7,
                i % 5,
                if i % 7 > 3 { "hi" } else { "lo" }
            )
        })
        .collect();
    let (status, body) = upload("points.csv", &format!("x,y,label\n{rows}"));
    assert_eq!(status, 200, "{body}");
    // a refused file after it leaves it in place
    let (status, _) = upload("ragged.csv", "x,y,label\n1,2\n");
    assert_eq!(status, 400);
    let summary: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            summary["rows"].as_u64(),
            summary["classes"].as_array().map(Vec::len)
        ),
        (Some(40), Some(2))
    );
    // a refusal at the start of training names the uploaded file, not the server's copy
    let settings = json!({"settings": {"dataset": "csv", "target": "nope", "epochs": 2}});
    let (status, refused) = server.post(&format!("/api/sessions/{id}/train"), &settings);
    assert_eq!(status, 400, "{refused}");
    let error = refused["error"].as_str().unwrap_or_default();
    assert!(
        error.starts_with("points.csv: ") && !error.contains("upload.csv"),
        "{error}"
    );
    let settings = json!({"settings": {"dataset": "csv", "epochs": 2}});
    let (status, started) = server.post(&format!("/api/sessions/{id}/train"), &settings);
    assert_eq!(status, 202, "{started}");
    assert!(started["command"]
        .as_str()
        .unwrap()
        .starts_with("plaindnn train --data points.csv --hidden"));
    // a name that is no file's (a review sent `..`) becomes upload.csv, not `--data ..`
    let (status, body) = upload("..", &format!("x,y,label\n{rows}"));
    assert_eq!(status, 200, "{body}");
    let summary: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(summary["name"], "upload.csv", "{body}");
}

/// A price in the tens of thousands: the page's "standardise the target" box trains it as
/// `train --standardize-target` does (its command says so and gives the same run), the RMSE in
/// the price's units; the box is refused for a built-in set and for classes.
#[test]
fn the_standardize_target_box_trains_a_price_as_its_command_does_and_is_refused_for_classes() {
    let server = Server::start("standardize-target");
    let id = server.session();
    let mut events = server.events(&id); // the page's stream: closing it ends the session
    let upload = |name: &str, body: &str| server.upload(&id, name, body);
    let prices: Vec<f64> = (0..200)
        .map(|i| 20000.0 + 15000.0 * (i % 20) as f64 / 19.0 + 6000.0 * (i / 20) as f64 / 9.0)
        .collect();
    let rows: String = (prices.iter().enumerate())
        .map(|(i, p)| format!("{},{},{p}\n", (i % 20) as f64 / 19.0, (i / 20) as f64 / 9.0))
        .collect();
    let csv = format!("a,b,price\n{rows}");
    let (status, body) = upload("prices.csv", &csv);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("pass --standardize-target"), "{body}");
    let settings = json!({"settings": {"dataset": "csv", "standardize_target": true,
                                       "seed": 3, "epochs": 30, "grid": 10}});
    let (command, all) =
        csv_run_reproduces((&server, &id, &mut events), ("prices.csv", &csv), settings);
    assert!(command.contains(" --standardize-target "), "{command}");
    let epochs = epochs_of(&all);
    let n = prices.len() as f64;
    let mean = prices.iter().sum::<f64>() / n;
    let spread = (prices.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / n).sqrt();
    let rmse = epochs.last().expect("epochs")["row"]["val_metric"]
        .as_f64()
        .unwrap();
    assert!(
        rmse < 0.2 * spread,
        "val RMSE {rmse} for a spread of {spread}"
    );
    // refused where there is no regression target to scale
    let refusal = |settings: Value| server.refusal(&id, &settings);
    let error = refusal(json!({"settings": {"dataset": "spiral", "standardize_target": true}}));
    assert!(error.starts_with("standardize_target: "), "{error}");
    let classes: String = (0..40).map(|i| format!("{i},{}\n", i % 2)).collect();
    assert_eq!(upload("classes.csv", &format!("a,label\n{classes}")).0, 200);
    let error = refusal(json!({"settings": {"dataset": "csv", "standardize_target": true}}));
    assert!(
        error.contains("classes.csv: the target `label` holds classes"),
        "{error}"
    );
    // in the page's words: it has a box, and no --task (an audit found train's advice here)
    let said = "untick the box, or if it is a number to predict, train on the file with \
                `plaindnn train --task regression`";
    assert!(
        error.contains(said) && !error.contains("pass --task"),
        "{error}"
    );
}

/// Train's advice that names a flag the page has no control for comes in the page's words, for
/// each piece of it (`data::advice`): a target of millionths warns of `--min-delta 0` (and the
/// standardize-target box's refusal, above, says to untick it). An `NA` category is refused at
/// the upload, as `train` refuses it, naming the page's file.
#[test]
fn train_advice_about_flags_the_page_lacks_is_put_in_the_page_words() {
    let server = Server::start("page-words");
    let id = server.session();
    let _events = server.events(&id); // the page's stream: closing it ends the session
    let upload = |name: &str, body: &str| server.upload(&id, name, body);
    let tiny: String = (0..60)
        .map(|i| format!("{},{:e}\n", i as f64 / 59.0, 1e-6 * (i % 7) as f64))
        .collect();
    let (status, body) = upload("tiny.csv", &format!("x,y\n{tiny}"));
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("or train with `plaindnn train --min-delta 0`")
            && !body.contains("pass --min-delta"),
        "{body}"
    );
    // a category pandas reads as missing starts unticked, and one-hot of it is refused as train
    // refuses it, naming the page's file
    let cities: String = (0..40)
        .map(|i| format!("{},{},{}\n", i as f64 / 39.0, ["Lima", "NA"][i % 2], i % 2))
        .collect();
    let (status, body) = upload("mine.csv", &format!("x,city,label\n{cities}"));
    assert_eq!(status, 200, "{body}");
    let settings = json!({"settings": {"dataset": "csv", "one_hot": ["city"]}});
    let error = server.refusal(&id, &settings);
    assert!(
        error.contains("mine.csv: column `city` holds `NA`"),
        "{error}"
    );
    // a column without a name: the page has no --target or --features to leave it out with
    // (an outside audit)
    let (status, body) = upload("unnamed.csv", "a,,c\n1,2,x\n3,4,y\n5,6,x\n");
    assert_eq!(status, 400, "{body}");
    let said = "unnamed.csv: column 2 has no name in the header (two separators in a row?): name \
                it in the file, or save the file without it";
    assert!(body.contains(said) && !body.contains("--target"), "{body}");
}

/// An upload's missing cells are counted; the "missing cells" menu fills them as `train --impute`
/// does (its command says so and gives the same run); without a fill, on a built-in set, or with
/// a strategy `train` does not know, it is refused by name.
#[test]
fn missing_cells_of_an_upload_are_counted_and_the_impute_menu_fills_them_as_its_command_does() {
    let server = Server::start("impute");
    let id = server.session();
    let mut events = server.events(&id); // the page's stream: closing it ends the session
    let rows: String = (0..120)
        .map(|i| {
            let (a, b) = ((i % 12) as f64 / 11.0, (i / 12) as f64 / 9.0);
            let cell = if i % 9 == 4 {
                String::new()
            } else {
                a.to_string()
            };
            format!("{cell},{b},{}\n", if a + b > 1.0 { "hi" } else { "lo" })
        })
        .collect();
    let csv = format!("a,b,label\n{rows}");
    let (status, body) = server.upload(&id, "gaps.csv", &csv);
    assert_eq!(status, 200, "{body}");
    let summary: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(summary["missing_cells"], 13, "{body}"); // rows 4, 13, …, 112
    let refusal = |settings: Value| server.refusal(&id, &settings);
    let error = refusal(json!({"settings": {"dataset": "csv"}}));
    assert!(
        error.contains("the cell is empty (--impute mean or --impute median"),
        "{error}"
    );
    let error = refusal(json!({"settings": {"dataset": "csv", "impute": "mode"}}));
    assert!(
        error.starts_with("impute: unknown --impute strategy `mode`"),
        "{error}"
    );
    let error = refusal(json!({"settings": {"dataset": "spiral", "impute": "mean"}}));
    assert!(
        error.starts_with("impute: fills an uploaded csv's missing cells"),
        "{error}"
    );
    let settings = json!({"settings": {"dataset": "csv", "impute": "median",
                                       "seed": 3, "epochs": 5, "grid": 10}});
    let (command, all) =
        csv_run_reproduces((&server, &id, &mut events), ("gaps.csv", &csv), settings);
    assert!(command.contains(" --impute median "), "{command}");
    assert_eq!(epochs_of(&all).len(), 5);
}

/// A file of decimal commas separated by `;` (Excel's in much of Europe): the page reads it as
/// `train --decimal ','` does, its command says so, and gives the same run; the run's own
/// `config.json` records the mark.
#[test]
fn an_upload_of_decimal_commas_trains_as_its_command_with_decimal_comma_does() {
    let server = Server::start("decimal");
    let id = server.session();
    let mut events = server.events(&id);
    let rows: String = (0..80)
        .map(|i| {
            let (a, b) = ((i % 10) as f64 / 9.0 - 0.5, (i / 10) as f64 / 7.0 - 0.5);
            let label = if a * b > 0.0 { "same" } else { "apart" };
            format!("{a:.3};{b:.3};{label}\n").replace('.', ",")
        })
        .collect();
    let csv = format!("a;b;label\n{rows}");
    assert!(csv.contains(";-0,500;") && !csv.contains('.'), "{csv}");
    let (status, body) = server.upload(&id, "eu.csv", &csv);
    assert_eq!(status, 200, "{body}");
    let settings = json!({"settings": {"dataset": "csv", "seed": 5, "epochs": 4, "grid": 10}});
    let (command, all) =
        csv_run_reproduces((&server, &id, &mut events), ("eu.csv", &csv), settings);
    assert!(
        command.starts_with("plaindnn train --data eu.csv --decimal , --hidden"),
        "{command}"
    );
    assert_eq!(epochs_of(&all).len(), 4);
    let run = server.runs.join(&id).join("run");
    assert_eq!(common::run_config(&run)["data"]["source"]["decimal"], ",");
    // eval reads the page's file again with the mark the run recorded
    let out = common::plaindnn(&["eval", "--run", &run.to_string_lossy()]);
    assert!(out.status.success(), "{}", common::stderr(&out));
}

/// An upload's text columns are listed and its features encoded as `train --one-hot` would;
/// the `one_hot` setting trains them as its command does (same run); without it the text is
/// refused with the way on, and a built-in set refuses the setting.
#[test]
fn text_columns_of_an_upload_are_listed_and_one_hot_trains_them_as_its_command_does() {
    let server = Server::start("one-hot");
    let id = server.session();
    let mut events = server.events(&id); // the page's stream: closing it ends the session
    let rows: String = (0..90)
        .map(|i| {
            let (x, colour) = ((i % 10) as f64 / 9.0, ["red", "green", "blue"][i % 3]);
            let shifted = x + if colour == "red" { 0.5 } else { 0.0 };
            format!("{x},{colour},{}\n", if shifted > 0.7 { "hi" } else { "lo" })
        })
        .collect();
    let csv = format!("x,colour,label\n{rows}");
    let (status, body) = server.upload(&id, "colours.csv", &csv);
    assert_eq!(status, 200, "{body}");
    let summary: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(summary["text_columns"], json!(["colour", "label"]));
    let inputs = json!(["x", "colour_blue", "colour_green", "colour_red"]);
    assert_eq!(summary["features"], inputs);
    let refusal = |settings: Value| server.refusal(&id, &settings);
    let error = refusal(json!({"settings": {"dataset": "csv"}}));
    assert!(
        error.contains("colours.csv: line 2, column `colour`: `red` is not a number")
            && error.contains("--one-hot colour"),
        "{error}"
    );
    let error = refusal(json!({"settings": {"dataset": "xor", "one_hot": ["colour"]}}));
    assert!(
        error.starts_with("one_hot: encodes an uploaded csv's"),
        "{error}"
    );
    let settings = json!({"settings": {"dataset": "csv", "one_hot": ["colour"],
                                       "seed": 3, "epochs": 5, "grid": 10}});
    let (command, all) =
        csv_run_reproduces((&server, &id, &mut events), ("colours.csv", &csv), settings);
    assert!(
        command.starts_with("plaindnn train --data colours.csv --one-hot colour --hidden "),
        "{command}"
    );
    assert_eq!(all[0].1["inputs"], inputs, "the picture's labels");
    assert_eq!(epochs_of(&all).len(), 5);
}

/// The page's input boxes, as TensorFlow Playground's: unticking a column leaves it out of the
/// network as `train --features` does (a text column then needs no one-hot), the command says so
/// and gives the same run; the upload lists every column for the boxes, and leaving out them all
/// is refused as `train` refuses it.
#[test]
fn a_column_left_out_on_the_page_trains_as_train_features_does() {
    let server = Server::start("features-left-out");
    let id = server.session();
    let mut events = server.events(&id); // the page's stream: closing it ends the session
    let rows: String = (0..60)
        .map(|i| {
            let (x, note) = ((i % 10) as f64 / 9.0, ["ok", "late", "?"][i % 3]);
            format!("{x},{note},{}\n", if x > 0.5 { "hi" } else { "lo" })
        })
        .collect();
    let csv = format!("x,note,label\n{rows}");
    let (status, body) = server.upload(&id, "notes.csv", &csv);
    assert_eq!(status, 200, "{body}");
    let summary: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(summary["columns"], json!(["x", "note", "label"]));
    let settings = json!({"settings": {"dataset": "csv", "features": ["x"],
                                       "seed": 3, "epochs": 5, "grid": 10}});
    let (command, all) =
        csv_run_reproduces((&server, &id, &mut events), ("notes.csv", &csv), settings);
    assert!(
        command.starts_with("plaindnn train --data notes.csv --features x --hidden "),
        "{command}"
    );
    assert_eq!(all[0].1["inputs"], json!(["x"]), "the picture's labels");
    let error = server.refusal(
        &id,
        &json!({"settings": {"dataset": "csv", "features": []}}),
    );
    // said as none ticked, not as a file without any (an outside audit)
    assert_eq!(
        error,
        "features: none is ticked; tick at least one column to learn from"
    );
}

/// TensorFlow Playground's pictures in the nodes: with the decision grid, each input's value and
/// each hidden unit's output over the plane (the first 16 of a wider layer). At the end of a run
/// they are (x, y, x², y²) and the kept model's tanh(W·h + b), layer after layer, at each cell's
/// centre, computed here from its weights and biases read back as safetensors, as PyTorch would
/// load them (to 1e-5); and the regions' shading is the largest softmax probability of its output.
#[test]
fn each_input_and_hidden_unit_pictures_its_value_over_the_plane_as_the_weights_compute_it() {
    let server = Server::start("unit-pictures");
    let id = server.session();
    let mut events = server.events(&id); // the page's stream: closing it ends the session
    let settings = json!({"settings": {"dataset": "xor", "hidden": [20, 3], "activation": "tanh",
                                       "add_features": ["square"],
                                       "seed": 3, "epochs": 4, "grid": 10}});
    let (_, all) = server.run_to_end(&id, &mut events, &settings);
    let grid = &all.last().unwrap().1["grid"]; // the `done` event's: the kept model's
    let units = &grid["units"];
    let drawn: Vec<usize> = (units["layers"].as_array().unwrap().iter())
        .map(|l| l.as_array().unwrap().len())
        .collect();
    assert_eq!(drawn, [16, 3], "the first 16 units of the 20");
    let epoch_grids: Vec<&Value> = (epochs_of(&all).into_iter())
        .map(|e| &e["grid"])
        .filter(|g| !g.is_null())
        .collect();
    assert!(
        !epoch_grids.is_empty() && epoch_grids.iter().all(|g| g["units"]["n"] == units["n"]),
        "each epoch's grid (the first's at least) pictures its units too"
    );
    let weights = kept_weights(&server, &id);
    // nn.Sequential(Linear, Tanh, Linear, Tanh, Linear): weights [outputs, inputs]
    let layers = ["0", "2", "4"].map(|i| {
        (
            weights(&format!("{i}.weight")),
            weights(&format!("{i}.bias")),
        )
    });
    let tanh = |h: Vec<f64>| h.into_iter().map(f64::tanh).collect::<Vec<f64>>();
    let mut worst = 0f64;
    let mut differs =
        |got: &Value, want: f64| worst = worst.max((got.as_f64().unwrap() - want).abs());
    for (c, (x, y)) in cell_centres(grid, units["n"].as_u64().unwrap() as usize).enumerate() {
        let inputs = vec![x, y, x * x, y * y];
        for (k, want) in inputs.iter().enumerate() {
            differs(&units["inputs"][k][c], *want);
        }
        let h1 = tanh(dense(&layers[0], &inputs));
        let h2 = tanh(dense(&layers[1], &h1));
        for (l, h) in [h1, h2].iter().enumerate() {
            for (u, want) in h.iter().enumerate().take(16) {
                differs(&units["layers"][l][u][c], *want);
            }
        }
    }
    assert_eq!(units["inputs"].as_array().unwrap().len(), 4);
    assert!(
        worst < 1e-5,
        "largest difference from (x, y, x², y²) and tanh(W·h + b): {worst}"
    );
    // the regions' shading: the largest softmax probability of each cell of the decision grid
    let mut worst = 0f64;
    for (c, (x, y)) in cell_centres(grid, grid["n"].as_u64().unwrap() as usize).enumerate() {
        let h2 = tanh(dense(
            &layers[1],
            &tanh(dense(&layers[0], &[x, y, x * x, y * y])),
        ));
        let logits = dense(&layers[2], &h2);
        let top = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = logits.iter().map(|l| (l - top).exp()).sum();
        let got = grid["confidence"][c]
            .as_f64()
            .expect("a probability per cell");
        worst = worst.max((got - 1.0 / sum).abs());
    }
    assert!(worst < 1e-5, "largest difference from max softmax: {worst}");
}

/// The kept model of page `id`'s run, read back as safetensors: a tensor's values by name.
fn kept_weights(server: &Server, id: &str) -> impl Fn(&str) -> Vec<f64> {
    let run = plaindnn::inference::Predictor::open(
        server.runs.join(id).join("run"),
        plaindnn::backend::Backend::Flex,
    )
    .expect("the kept model");
    let bytes = run.safetensors().expect("safetensors");
    move |name: &str| {
        let tensors = safetensors::SafeTensors::deserialize(&bytes).expect("parses");
        let data = tensors.tensor(name).expect(name).data().to_vec();
        (data.chunks(4))
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64)
            .collect()
    }
}

/// `W·h + b` of a Linear layer stored as PyTorch stores it: `W` as `[outputs, inputs]`.
fn dense((w, b): &(Vec<f64>, Vec<f64>), h: &[f64]) -> Vec<f64> {
    (0..b.len())
        .map(|u| b[u] + (0..h.len()).map(|k| w[u * h.len() + k] * h[k]).sum::<f64>())
        .collect()
}

/// The centres of a grid's `n × n` cells over its `x_range × y_range`, column by column.
fn cell_centres(grid: &Value, n: usize) -> impl Iterator<Item = (f64, f64)> + '_ {
    let range = |axis: &str| {
        let r = grid[axis].as_array().unwrap();
        (r[0].as_f64().unwrap(), r[1].as_f64().unwrap())
    };
    let (xs, ys) = (range("x_range"), range("y_range"));
    let centre = move |k: usize, (lo, hi): (f64, f64)| lo + (k as f64 + 0.5) / n as f64 * (hi - lo);
    (0..n * n).map(move |c| (centre(c / n, xs), centre(c % n, ys)))
}

/// TensorFlow Playground's regression: with two inputs and one value to predict, the plane is
/// coloured by the network's output. A linear model's (no hidden layer) is W·p + b of its
/// safetensors at every cell (to 1e-5), and the points carry their values.
#[test]
fn a_two_input_regression_pictures_its_output_over_the_plane_as_its_weights_compute_it() {
    let server = Server::start("regression-plane");
    let id = server.session();
    let mut events = server.events(&id); // the page's stream: closing it ends the session
    let rows: String = (0..100)
        .map(|i| {
            let (x, y) = ((i % 10) as f64 / 9.0, (i / 10) as f64 / 9.0);
            format!(
                "{x},{y},{:.4}\n",
                3.0 * x - 2.0 * y + 0.05 * ((i * 7) % 5) as f64
            )
        })
        .collect();
    let (status, body) = server.upload(&id, "plane.csv", &format!("x,y,z\n{rows}"));
    assert_eq!(status, 200, "{body}");
    let settings = json!({"settings": {"dataset": "csv", "hidden": [], "seed": 3,
                                       "epochs": 5, "grid": 12}});
    let (_, all) = server.run_to_end(&id, &mut events, &settings);
    let points = &all[0].1;
    assert_eq!(points["train"].as_array().unwrap().len(), 80, "{points}");
    assert_eq!(points["val"].as_array().unwrap().len(), 20);
    let grid = &all.last().unwrap().1["grid"];
    assert_eq!(grid["classes"], json!([]), "a regression has no classes");
    let weights = kept_weights(&server, &id);
    let linear = (weights("0.weight"), weights("0.bias"));
    let mut worst = 0f64;
    for (c, (x, y)) in cell_centres(grid, 12).enumerate() {
        let got = grid["values"][c].as_f64().expect("a value per cell");
        worst = worst.max((got - dense(&linear, &[x, y])[0]).abs());
    }
    assert!(worst < 1e-5, "largest difference from W·p + b: {worst}");
}

/// TensorFlow Playground's "0 hidden layers": the output layer alone is a linear model, which
/// XOR defeats (loss stays at chance, ln 2 ≈ 0.693, as no line splits the four corners) until
/// x·y is added. The command says `--hidden none` and no activation, and gives the same run.
#[test]
fn no_hidden_layer_trains_a_linear_model_that_xor_defeats_until_x_times_y_is_added() {
    let server = Server::start("no-hidden");
    let id = server.session();
    let mut events = server.events(&id); // the page's stream: closing it ends the session
    let mut last = Vec::new();
    for added in [json!([]), json!(["product"])] {
        let settings = json!({"settings": {"dataset": "xor", "hidden": [], "seed": 3,
                                           "epochs": 30, "grid": 10, "add_features": added}});
        let (command, all) = server.run_to_end(&id, &mut events, &settings);
        assert!(command.contains(" --hidden none --"), "{command}");
        assert!(!command.contains("--activation"), "{command}");
        let epochs = epochs_of(&all);
        let weights = epochs[29]["weights"].as_array().unwrap();
        assert_eq!(weights.len(), 1, "one matrix: inputs → classes");
        last.push(epochs[29]["row"].clone());
        assert_command_reproduces("no-hidden", &command, &epochs);
    }
    let (linear, product) = (&last[0], &last[1]);
    let loss = linear["val_loss"].as_f64().unwrap();
    assert!((loss - 2f64.ln()).abs() < 0.03, "linear val loss {loss}");
    let accuracy = |r: &Value| r["val_metric"].as_f64().unwrap();
    assert!(accuracy(linear) < 0.7, "linear: {linear}");
    assert!(accuracy(product) > 0.95, "with x·y: {product}");
    // an activation, which no layer would apply, is refused as `train --hidden none` refuses it
    let settings = json!({"settings": {"dataset": "xor", "hidden": [], "activation": "tanh"}});
    let (status, body) = server.post(&format!("/api/sessions/{id}/train"), &settings);
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("activation: follows"),
        "{body}"
    );
}

/// A client that sends half a request is closed after the 5 s header timeout, and the server
/// goes on answering others (it held the connection for ever, so 300 of them stopped it).
#[test]
fn a_client_that_sends_half_a_request_is_closed_after_five_seconds() {
    use std::io::{Read, Write};
    let server = Server::start("slow-client");
    let mut slow = TcpStream::connect(&server.addr).expect("connects");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .expect("writes");
    slow.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .expect("timeout");
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest); // ends when the server closes it
    let waited = started.elapsed().as_secs_f64();
    assert!((4.0..15.0).contains(&waited), "closed after {waited:.1} s");
    assert_eq!(
        server.request("GET", "/", &[], b"").0,
        200,
        "others are answered"
    );
}

/// An outside audit: with its file limit reached (`ulimit -n`, 256 on a Mac) the server stopped,
/// every page's run with it ("the web server stopped: Too many open files").
#[test]
fn connections_past_the_file_limit_wait_and_the_server_goes_on() {
    let server = Server::start_with("file-limit", Some(64), &[]);
    let held: Vec<TcpStream> = (0..80)
        .filter_map(|_| TcpStream::connect(&server.addr).ok())
        .collect();
    assert!(held.len() >= 64, "{} connections", held.len());
    std::thread::sleep(Duration::from_millis(500));
    drop(held); // the server closes its side once it accepts them, and takes new ones again
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(server.request("GET", "/", &[], b"").0, 200, "still serving");
}

/// An outside audit: a request whose headers came in whole but whose body stopped half-way was
/// held open for ever (hyper times out the headers only).
#[test]
fn a_request_whose_body_stops_half_way_is_answered_408_and_closed() {
    let server = Server::start("stalled-body");
    let mut slow = server.connect();
    let head = format!(
        "POST /api/sessions HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{",
        server.addr
    );
    slow.write_all(head.as_bytes()).expect("writes");
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = slow.read_to_end(&mut answer); // ends when the server closes it
    let waited = started.elapsed().as_secs_f64();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive within 20 s"), "{answer}");
    assert!((15.0..40.0).contains(&waited), "closed after {waited:.1} s");
}

/// An outside audit: a text column of IDs, one category per row, was one-hot encoded at upload:
/// 25 000 rows took 2.7 GB (rows × categories), and a file of 10 MiB would have taken the server
/// down. And a column name with a line break trained, but its command could not name it.
#[test]
fn an_upload_leaves_an_id_column_out_and_refuses_a_name_its_command_cannot_hold() {
    let server = Server::start("id-column");
    let id = server.session();
    let _events = server.events(&id); // the page's stream: closing it ends the session
    let rows: String = (0..150)
        .map(|i| format!("c{i},{},{}\n", i % 7, ["lo", "hi"][i % 2]))
        .collect();
    let (status, body) = server.upload(&id, "ids.csv", &format!("id,x,label\n{rows}"));
    assert_eq!(status, 200, "{body}");
    let summary: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(summary["left_out"], json!(["id"]));
    assert_eq!(
        summary["features"],
        json!(["x"]),
        "the preview leaves it out"
    );
    let warning = "column `id` holds more than 100 categories";
    assert!(
        summary["warnings"].to_string().contains(warning),
        "{summary}"
    );
    // as are a column empty in every row and a text column with missing cells: the upload was
    // refused, where `train --features` leaves them out (the page could not untick them first)
    let gaps: String = (0..40)
        .map(|i| {
            format!(
                "{},,{},{}\n",
                i % 7,
                ["a", "NA"][usize::from(i % 5 == 0)],
                ["lo", "hi"][i % 2]
            )
        })
        .collect();
    let (status, body) = server.upload(&id, "gaps.csv", &format!("x,blank,note,label\n{gaps}"));
    assert_eq!(status, 200, "{body}");
    let summary: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(summary["left_out"], json!(["blank", "note"]), "{summary}");
    assert_eq!(summary["features"], json!(["x"]));
    let warnings = summary["warnings"].to_string();
    assert!(
        warnings.contains("column `blank` is empty in every row: it is unticked"),
        "{warnings}"
    );
    assert!(
        warnings.contains("text column `note` has 8 missing cells"),
        "{warnings}"
    );
    let (status, body) = server.upload(&id, "ids.csv", &format!("id,x,label\n{rows}"));
    assert_eq!(status, 200, "{body}");
    let settings = json!({"settings": {"dataset": "csv", "one_hot": ["id"]}});
    let error = server.refusal(&id, &settings);
    let said = "one_hot: column `id` of ids.csv holds 150 categories; the playground makes an input of at most 100";
    assert!(error.contains(said), "{error}");
    let rows = "1,2,lo\n3,4,hi\n".repeat(10);
    let (status, body) = server.upload(&id, "lines.csv", &format!("\"a\nb\",c,y\n{rows}"));
    assert_eq!(status, 400, "{body}");
    let error: Value = serde_json::from_str(&body).unwrap_or_default();
    let said = "lines.csv: the column name \"a\\nb\" holds '\\n', which the page's `plaindnn train` command could not name: rename the column";
    assert_eq!(error["error"], said, "{body}");
}

/// Each epoch reaches the page as it ends, not in batches: with the speed control at 100 ms, the
/// gap between two arrivals is 100 ms plus the later epoch's own time, within 50 ms (median).
#[test]
fn each_epoch_reaches_the_page_within_50_ms_of_its_end() {
    let server = Server::start("latency");
    let id = server.session();
    let mut events = server.socket(&id);
    let body = json!({"settings": {"epochs": 8, "delay_ms": 100}});
    assert_eq!(
        server.post(&format!("/api/sessions/{id}/train"), &body).0,
        202
    );
    let mut arrivals = Vec::new();
    loop {
        let (name, data) = events.next();
        match name.as_str() {
            "epoch" => arrivals.push((Instant::now(), data["seconds"].as_f64().unwrap())),
            "done" => break,
            _ => {}
        }
    }
    assert_eq!(arrivals.len(), 8);
    let mut late: Vec<f64> = arrivals
        .windows(2)
        .map(|w| (w[1].0 - w[0].0).as_secs_f64() * 1000.0 - 100.0 - w[1].1 * 1000.0)
        .collect();
    late.sort_by(f64::total_cmp);
    let median = late[late.len() / 2];
    assert!(
        (-20.0..50.0).contains(&median),
        "arrival beyond the epoch's end: {late:?} ms"
    );
}

/// 中文 / English: every text of the page that carries a `data-i18n` key (labels, buttons,
/// titles, placeholders, captions) has its Chinese in the served `i18n.js`, and both tours are
/// served for the explanations to open.
#[test]
fn every_text_of_the_page_has_its_chinese_and_both_tours_are_served() {
    let server = Server::start("i18n");
    let (_, page) = server.request("GET", "/", &[], b"");
    let (status, script) = server.request("GET", "/i18n.js", &[], b"");
    assert_eq!(status, 200);
    let mut keys: Vec<&str> = Vec::new();
    for attr in [
        "data-i18n=\"",
        "data-i18n-title=\"",
        "data-i18n-placeholder=\"",
    ] {
        keys.extend(
            page.split(attr)
                .skip(1)
                .filter_map(|rest| rest.split('"').next()),
        );
    }
    assert!(keys.len() > 60, "{} keys", keys.len());
    let missing: Vec<&&str> = keys
        .iter()
        .filter(|k| !script.contains(&format!("\"{k}\": \"")))
        .collect();
    assert!(missing.is_empty(), "no Chinese for {missing:?}");
    for (path, heading) in [
        ("/tour/zh-CN", "id=\"梯度消失或爆炸的解决方案\""),
        ("/tour/en", "id=\"6-vanishing-gradients\""),
        ("/experiments", "id=\"vanishing-gradients\""),
    ] {
        let (status, html) = server.request("GET", path, &[], b"");
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(heading), "{path} lacks {heading}");
    }
}

/// Waits until nothing trains on page `id`: `/control` answers 409 then.
fn wait_until_idle(server: &Server, id: &str) {
    let control = format!("/api/sessions/{id}/control");
    let start = Instant::now();
    while server.post(&control, &json!({})).0 != 409 {
        assert!(start.elapsed() < Duration::from_secs(60), "the run ends");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn two_starts_at_once_on_one_page_start_one_run_and_refuse_the_other() {
    let server = Server::start("race");
    let id = server.session();
    let _events = server.events(&id);
    let train = format!("/api/sessions/{id}/train");
    let body = json!({"settings": {"epochs": 1000, "delay_ms": 50}});
    // the window was the data's loading between the check for a run and its record: it took
    // 1 to 6 tries to hit before the starts were serialised
    for _ in 0..8 {
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let both = [
                s.spawn(|| server.post(&train, &body).0),
                s.spawn(|| server.post(&train, &body).0),
            ];
            both.map(|t| t.join().unwrap_or(0)).to_vec()
        });
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            [202, 409],
            "one starts, one is refused: {statuses:?}"
        );
        let control = format!("/api/sessions/{id}/control");
        assert_eq!(server.post(&control, &json!({"action": "stop"})).0, 200);
        wait_until_idle(&server, &id);
    }
}

#[test]
fn a_page_that_reads_nothing_holds_a_bounded_queue_and_misses_the_rest() {
    let server = Server::start("unread");
    let id = server.session();
    let train = format!("/api/sessions/{id}/train");
    // two runs of 1000 epochs, 2 004 events, while nobody reads the stream (2 s each at least)
    for _ in 0..2 {
        let body = json!({"settings": {"epochs": 1000, "hidden": [4], "grid": 10, "delay_ms": 2}});
        assert_eq!(server.post(&train, &body).0, 202);
        wait_until_idle(&server, &id);
    }
    let mut events = server.events(&id);
    // queued: the first run whole (data, 1000 epochs, done), then the second's data and epochs
    // until 8 places are left, which its done takes one of: the page learns that it ended
    let mut grids = Vec::new();
    for i in 0..1017 {
        let (name, data) = events.next();
        let expected = match i {
            0 | 1002 => "data",
            1001 | 1016 => "done",
            _ => "epoch",
        };
        assert_eq!(name, expected, "event {i}");
        if name == "epoch" && !data["grid"].is_null() {
            grids.push(i);
        }
        if i == 1016 {
            assert_eq!(data["epochs_run"], json!(1000), "the second run's end");
        }
    }
    // the pictures stop once 8 events wait unread (a grid every 50 ms made 40 or more here, up
    // to 330 KB each), but the last epoch's: the page still shows how the run ended
    assert!(
        grids.len() <= 10 && grids.contains(&1000),
        "grids at events {grids:?}"
    );
    let body = json!({"settings": {"epochs": 3, "hidden": [4]}});
    assert_eq!(server.post(&train, &body).0, 202);
    let (name, data) = events.next();
    assert_eq!(
        (name.as_str(), &data["epochs"]),
        ("data", &json!(3)),
        "the next event is the new run's: the rest of the second run's were dropped"
    );
}

#[test]
fn a_runs_folder_that_is_a_file_is_refused_naming_the_flag() {
    let file_parent = common::temp_dir("playground-runs-file");
    let file = file_parent.join("taken");
    std::fs::write(&file, "mine").expect("a file");
    let out = Command::new(common::bin())
        .args(["playground", "--no-open", "--port", "0", "--runs"])
        .arg(&file)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("invalid --runs: ") && err.contains("give a folder"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).ok().as_deref(), Some("mine"));
}

/// An address this machine does not have is `--host`'s fault, not `--port`'s (an audit saw
/// "invalid port … choose another with --port" for `--host 8.8.8.8 --port 0`), and by the flag
/// as `--runs` is (an audit). 192.0.2.1 is TEST-NET-1 (RFC 5737), never a machine's own.
#[test]
fn an_address_this_machine_does_not_have_is_refused_naming_the_host() {
    let out = Command::new(common::bin())
        .args([
            "playground",
            "--no-open",
            "--port",
            "0",
            "--host",
            "192.0.2.1",
        ])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("invalid --host: cannot listen on 192.0.2.1:0")
            && err.contains("give an address of this machine with --host"),
        "{err}"
    );
    // a name is refused with the way on (clap's "invalid IP address syntax" said none), but
    // localhost, which is 127.0.0.1
    let args = ["playground", "--no-open", "--port", "0", "--host", "myhost"];
    let out = Command::new(common::bin())
        .args(args)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`myhost` is not an IP address: give one of this machine's"),
        "{err}"
    );
    // `start` reads the address from the line it prints: http://127.0.0.1:PORT/
    let server = Server::start_with("localhost", None, &["--host", "localhost"]);
    assert_eq!(server.request("GET", "/", &[], b"").0, 200);
}

/// An outside audit: a run that diverged ended with `train`'s words for a run folder, the
/// server's path and "there is nothing to resume", which a page never does.
#[test]
fn a_diverged_run_is_told_in_the_page_words_without_the_servers_folder() {
    let server = Server::start("diverged");
    let id = server.session();
    let mut events = server.events(&id);
    let settings = json!({"settings": {"lr": 1e30, "epochs": 3}});
    let (_, all) = server.run_to_end(&id, &mut events, &settings);
    let done = &all.last().expect("done").1;
    let error = done["error"].as_str().unwrap_or_default();
    let said = "training diverged in epoch 1: the training loss became NaN; no checkpoint was saved yet. Try a smaller learning rate or gradient clipping.";
    assert_eq!(error, said, "{done}");
}

/// An outside audit: reset (and a closed page) took effect at the end of an epoch, and one epoch
/// of a large file in batches of one runs for seconds or minutes: a new run was refused with
/// "the previous training has not stopped yet" after 10 s. It stops after the current step.
#[test]
fn reset_stops_a_long_epoch_at_once_and_the_next_run_starts() {
    let server = Server::start("long-epoch");
    let id = server.session();
    let _events = server.events(&id);
    let rows: String = (0..20_000)
        .map(|i| format!("{},{},{}\n", i % 97, i % 89, ["lo", "hi"][i % 2]))
        .collect();
    let (status, body) = server.upload(&id, "long.csv", &format!("a,b,label\n{rows}"));
    assert_eq!(status, 200, "{body}");
    let train = format!("/api/sessions/{id}/train");
    // 16 000 steps of 8 layers of 256 units: an epoch of 10 s or more on two cores
    let slow = json!({"settings": {"dataset": "csv", "batch_size": 1, "epochs": 2,
                                   "hidden": [256, 256, 256, 256, 256, 256, 256, 256]}});
    assert_eq!(server.post(&train, &slow).0, 202);
    std::thread::sleep(Duration::from_millis(500));
    let control = format!("/api/sessions/{id}/control");
    assert_eq!(server.post(&control, &json!({"action": "stop"})).0, 200);
    let started = Instant::now();
    let next = json!({"settings": {"epochs": 2}});
    let (status, body) = server.post(&train, &next);
    let waited = started.elapsed().as_secs_f64();
    assert_eq!(status, 202, "{body}");
    assert!(
        waited < 5.0,
        "the next run started {waited:.1} s after reset"
    );
}

/// A later upload leaves the file the page's run trained on as it was: `plaindnn eval` reads
/// that run after it (when the new upload took the file's place, eval refused the run as
/// changed); the file goes once a run on the new upload has replaced the run.
#[test]
fn a_later_upload_leaves_the_file_the_page_s_run_trained_on_until_a_new_run_replaces_it() {
    let server = Server::start("later-upload");
    let id = server.session();
    let mut events = server.events(&id);
    let csv = |cut: f64| -> String {
        let rows: String = (0..60)
            .map(|i| {
                let (x, y) = ((i % 6) as f64, (i / 6) as f64);
                format!("{x},{y},{}\n", if x + y > cut { "hi" } else { "lo" })
            })
            .collect();
        format!("x,y,label\n{rows}")
    };
    let session = server.runs.join(&id);
    let uploads = || -> Vec<String> {
        let mut names: Vec<String> = (std::fs::read_dir(&session).expect("the session's folder"))
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".csv"))
            .collect();
        names.sort();
        names
    };
    let settings = json!({"settings": {"dataset": "csv", "epochs": 2}});
    let (status, body) = server.upload(&id, "first.csv", &csv(6.0));
    assert_eq!(status, 200, "{body}");
    server.run_to_end(&id, &mut events, &settings);
    let (status, body) = server.upload(&id, "second.csv", &csv(9.0));
    assert_eq!(status, 200, "{body}");
    let run = session.join("run");
    let eval = |what: &str| {
        let out = common::plaindnn(&["eval", "--run", &run.to_string_lossy()]);
        assert!(out.status.success(), "{what}: {}", common::stderr(&out));
        common::stdout(&out)
    };
    assert!(eval("after a later upload").contains("accuracy"));
    assert_eq!(uploads().len(), 2, "{:?}", uploads());
    server.run_to_end(&id, &mut events, &settings);
    eval("after a run on the later upload");
    assert_eq!(uploads().len(), 1, "{:?}", uploads());
    let named = common::run_config(&run)["data"]["source"]["path"].clone();
    let kept = session.canonicalize().unwrap().join(&uploads()[0]);
    assert_eq!(named, json!(kept.to_string_lossy()));
}

/// An outside audit: `train` warns of a validation split of one row, or of more rows than it
/// trains on, and the page trained on such a split without a word; and two refusals named flags
/// the page has not (`--val-data`, `--lr`). The page says each in its words: the training share.
#[test]
fn a_lopsided_training_share_is_told_on_the_page_in_its_words_as_train_warns_of_it() {
    let server = Server::start("lopsided");
    let id = server.session();
    let mut events = server.events(&id);
    let rows: String = (0..7)
        .map(|i| format!("{i},{},{}\n", i % 3, i % 2))
        .collect();
    let (status, body) = server.upload(&id, "seven.csv", &format!("x,y,c\n{rows}"));
    assert_eq!(status, 200, "{body}");
    let mut told = |share: f64| {
        let settings = json!({"settings": {"dataset": "csv", "epochs": 1, "train_share": share}});
        let (_, all) = server.run_to_end(&id, &mut events, &settings);
        let messages: Vec<String> = (all.iter())
            .filter(|(name, _)| name == "message")
            .map(|(_, text)| text.as_str().unwrap_or_default().to_string())
            .collect();
        messages
    };
    let said = told(0.95);
    let few = "a training share of 95 % holds out 1 row for validation: the best epoch, early \
               stopping and the scores go by so few rows; choose a smaller training share";
    assert!(said.iter().any(|m| m.starts_with(few)), "{said:?}");
    let said = told(0.3);
    let more = "a training share of 30 % holds out more rows (5) for validation than it trains \
                on (2); 70 % to 90 % is usual";
    assert!(said.iter().any(|m| m == more), "{said:?}");
    // the same file through `train`: its warning, by the flag
    let out = common::temp_dir("playground-lopsided");
    let csv = out.join("seven.csv");
    std::fs::write(&csv, format!("x,y,c\n{rows}")).expect("write");
    let args = [
        "train",
        "--data",
        csv.to_str().unwrap_or(""),
        "--val-fraction",
        "0.7",
    ];
    let run = out.join("run");
    let trained = common::plaindnn(
        &[
            &args[..],
            &["--epochs", "1", "-q", "--out", run.to_str().unwrap_or("")],
        ]
        .concat(),
    );
    let warned = "warning: --val-fraction 0.7 holds out more rows (5) than it trains on (2)";
    assert!(
        common::stderr(&trained).contains(warned),
        "{}",
        common::stderr(&trained)
    );
    // refusals without the flags the page has not
    let (status, body) = server.upload(&id, "one.csv", "x,y,c\n1,2,0\n");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("give more rows\""), "{body}");
    let mut settings = spiral_settings(5);
    settings["lr_schedule"] = json!("cosine:0.5");
    let (status, answer) = server.post("/api/command", &settings);
    assert_eq!(status, 400, "{answer}");
    let error = answer["error"].as_str().unwrap_or_default();
    assert!(
        error.ends_with("give a min_lr below the learning rate"),
        "{error}"
    );
}
