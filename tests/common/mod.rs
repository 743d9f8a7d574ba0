//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use plaindnn::data::DataSource;
use plaindnn::train::{self, TrainConfig, TrainedRun, Verbosity};

/// A fresh, empty directory for one test (removed first if a previous run left it), removed
/// again when the value is dropped, unless the test is failing: its files stay to look at.
pub fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("plaindnn-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    TempDir(dir)
}

/// A test's scratch directory: a [`Path`] by deref; see [`temp_dir`].
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// The directory's path.
    pub fn as_path(&self) -> &Path {
        &self.0
    }
}

impl Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        match std::thread::panicking() {
            true => eprintln!("kept for a look: {}", self.0.display()),
            false => {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}

/// The quadrant task's default training config.
pub fn quadrant_config() -> TrainConfig {
    TrainConfig::default_for(2, 4)
}

/// Trains the quadrant task quietly into `dir`.
pub fn train_quadrants(config: TrainConfig, dir: &std::path::Path) -> TrainedRun {
    let source = DataSource::quadrants(config.seed);
    train::train(source, config, dir, Verbosity::Quiet).expect("training succeeds")
}

/// The bits of every f32, for exact comparisons.
pub fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// The `plaindnn` command, which cargo builds with the feature `cli` (a default one): tests of
/// the library alone (`--no-default-features --features flex`) compile, and those that run the
/// command say what it needs.
pub fn bin() -> &'static str {
    let built = option_env!("CARGO_BIN_EXE_plaindnn");
    built.expect("this test runs the plaindnn command: test with the cargo feature `cli`")
}

/// Runs the `plaindnn` binary with `args`.
pub fn plaindnn(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs the `plaindnn` binary with `args` in the working directory `dir`, so relative paths
/// are typed as a user in that folder types them.
pub fn plaindnn_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

/// Runs `plaindnn args`, which must fail with exit status 1 and say `says` on stderr; what it
/// said there.
pub fn refused(args: &[&str], says: &str) -> String {
    let out = plaindnn(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert!(err.contains(says), "{args:?}: {err}");
    err
}

/// What a run printed on stdout.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What a run printed on stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The one JSON document a successful `--json` run printed.
pub fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("one JSON document")
}

/// The `config.json` of a run directory.
pub fn run_config(dir: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("config.json")).expect("config.json");
    serde_json::from_str(&text).expect("JSON")
}

/// A run's `metrics.csv`: its column names and every epoch's numbers.
pub struct Metrics {
    /// The header's names (`epoch`, `train_loss`, `val_loss`, …).
    pub header: Vec<String>,
    /// One row of numbers per epoch.
    pub rows: Vec<Vec<f64>>,
}

impl Metrics {
    /// Reads `dir/metrics.csv`.
    pub fn read(dir: &std::path::Path) -> Self {
        let text = std::fs::read_to_string(dir.join("metrics.csv")).expect("metrics.csv");
        let header = text
            .lines()
            .next()
            .unwrap_or("")
            .split(',')
            .map(String::from)
            .collect();
        let number = |c: &str| c.parse().unwrap_or(f64::NAN);
        let rows = (text.lines().skip(1))
            .map(|l| l.split(',').map(number).collect())
            .collect();
        Metrics { header, rows }
    }

    /// The position of column `name`.
    pub fn column(&self, name: &str) -> usize {
        let at = self.header.iter().position(|h| h == name);
        at.unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }

    /// The row of the lowest val_loss: the epoch early stopping keeps.
    pub fn lowest_val_loss(&self) -> &[f64] {
        let at = self.column("val_loss");
        let best = self.rows.iter().min_by(|a, b| a[at].total_cmp(&b[at]));
        best.expect("epochs")
    }
}

/// Waits until `done()`, failing the test past `deadline` with `what` it waited for.
pub fn wait_for(what: &str, deadline: std::time::Duration, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < deadline, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
