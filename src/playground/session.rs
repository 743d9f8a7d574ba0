//! One page, one session: its event stream, its uploaded file, and at most one training at a time
//! (on its own thread, through `train::train_on` like `plaindnn train`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::mpsc::{channel, Receiver, Sender};

use super::command::command;
use super::observer::{drawn_grid, Control, Mode, PageEvent, PageObserver, EVENTS, UNIT_GRID};
use super::page_words::{as_uploaded, page_error, shared};
use super::settings::{check_categories, check_classes, Settings};
use super::uploads::Uploads;
use crate::data::csv_file::read_cells;
use crate::data::{Prepared, Subset, Targets};
use crate::inference::Predictor;
use crate::model::features::FeatureMap;
use crate::train::pictures::decision_grid;
use crate::train::{self, DecisionGrid, EpochRow, RunOptions, TrainConfig, Verbosity};

/// Most pages open at once; the oldest page that never opened its stream makes room.
const MAX_SESSIONS: usize = 64;
/// How long a new run waits for the previous one to finish its epoch after a reset.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// A refused request: HTTP status and the message the page shows.
pub type Refusal = (u16, String);

/// The running training of a page.
struct Running {
    control: Arc<Control>,
    thread: JoinHandle<()>,
}

/// One open page.
pub struct Session {
    /// Its folder: the uploaded CSV and the run directory.
    pub dir: PathBuf,
    created: Instant,
    closed: Arc<AtomicBool>,
    events: Sender<PageEvent>,
    stream: Mutex<Option<Receiver<PageEvent>>>,
    /// Held while a run starts, so that two starts at once cannot both see no run.
    starting: Mutex<()>,
    running: Mutex<Option<Running>>,
    /// The page's uploaded files: the latest, and the one its latest run trains on.
    pub uploads: Arc<Mutex<Uploads>>,
}

/// The points the page draws, in the network's input space (after standardisation).
#[derive(Serialize)]
pub struct Points {
    /// `[x, y, class]` of each training row, or `[x, y, value]` of a one-target regression
    /// (empty unless 2 inputs).
    train: Vec<[f64; 3]>,
    /// The same for validation rows.
    val: Vec<[f64; 3]>,
    /// How many training and validation rows `train` and `val` are drawn from: every k-th
    /// row is sent, at most [`MAX_POINTS`] of each.
    rows: [usize; 2],
    classes: Vec<String>,
    features: Vec<String>,
    /// The inputs as the first layer sees them: `features`, then the added ones (x², sin x, …).
    inputs: Vec<String>,
    /// Classification or regression: what the validation metric is (accuracy or RMSE).
    task: crate::data::Task,
    /// A standardised regression target's mean and std: the points' and the grid's values map
    /// back to the target's units with them.
    target_scaler: Option<crate::data::Scaler>,
    command: String,
    epochs: usize,
}

/// How a run ended, for the page.
#[derive(Serialize)]
struct Done {
    error: Option<String>,
    epochs_run: usize,
    best_epoch: Option<usize>,
    /// The epoch whose weights the run kept (the best where early stopping restored them, else
    /// the last): the confusion matrix's, the regions', `model.bpk`'s.
    kept_epoch: Option<usize>,
    last: Option<EpochRow>,
    confusion: Vec<Vec<usize>>,
    grid: Option<DecisionGrid>,
}

impl Session {
    fn new(dir: PathBuf) -> Self {
        let (events, stream) = channel(EVENTS);
        Self {
            dir,
            created: Instant::now(),
            closed: Arc::new(AtomicBool::new(false)),
            events,
            stream: Mutex::new(Some(stream)),
            starting: Mutex::new(()),
            running: Mutex::new(None),
            uploads: Arc::default(),
        }
    }

    /// The run directory of the page's latest run.
    pub fn run_dir(&self) -> PathBuf {
        self.dir.join("run")
    }

    /// The event stream, once: a second tab on the same session is refused.
    pub fn take_stream(&self) -> Option<Receiver<PageEvent>> {
        self.stream.lock().ok()?.take()
    }

    /// Whether the page went away ([`Self::close`]).
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// The page went away: its training stops after the current step, and its uploads but the
    /// one its run trains on are removed (each page's upload stayed, up to 10 MiB each).
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        if let Some(r) = self.running.lock().ok().as_deref().and_then(Option::as_ref) {
            r.control.set(Mode::Stop);
        }
        // busy: a run is starting on the latest upload, which then stays for it
        if let Ok(mut uploads) = self.uploads.try_lock() {
            uploads.close(&self.run_dir());
        }
    }

    /// Play, pause, step, stop, or a new speed, for the running training; answers the mode set.
    pub fn control(&self, mode: Option<Mode>, delay_ms: Option<u64>) -> Result<Mode, Refusal> {
        let running = self.running.lock().map_err(|_| busy())?;
        let Some(r) = running.as_ref().filter(|r| !r.thread.is_finished()) else {
            return Err((
                409,
                "no training is running on this page: press play to start one".into(),
            ));
        };
        if let Some(ms) = delay_ms {
            r.control.set_delay(ms);
        }
        match mode {
            // the mode asked for, not read back: a fast step may already have become a pause
            Some(mode) => {
                r.control.set(mode);
                Ok(mode)
            }
            None => Ok(r.control.mode()),
        }
    }

    /// Starts a run of `settings` in `mode` (play or step); blocking (loads the data).
    pub fn start(&self, settings: &Settings, mode: Mode) -> Result<String, Refusal> {
        settings.check().map_err(|m| (400, m))?;
        let _one_at_a_time = self.starting.lock().map_err(|_| busy())?;
        self.wait_for_stopped_run()?;
        // an upload landing now waits until the run has started on the file before it
        let mut uploads = self.uploads.lock().map_err(|_| busy())?;
        let upload = uploads.latest.clone();
        let path = upload.as_ref().map(|u| u.path.clone()).unwrap_or_default();
        let source = settings.source(upload.as_ref()).map_err(|m| (400, m))?;
        // the message names the file the page uploaded, not where the server keeps it
        let shown = upload
            .as_ref()
            .map_or("the uploaded file", |u| u.name.as_str());
        if upload.is_some() && !settings.one_hot.is_empty() {
            let cells = read_cells(&path, None)
                .map_err(|e| (400, as_uploaded(&e.to_string(), &path, shown)))?;
            check_categories(shown, &cells, &settings.one_hot).map_err(|m| (400, m))?;
        }
        let prepared = source
            .load()
            .map_err(|e| (400, as_uploaded(&e.to_string(), &path, shown)))?;
        let data = &prepared.train.data;
        check_classes(shown, data).map_err(|m| (400, m))?;
        // refused here, not after the start in the run's thread: the page is told at once
        crate::data::one_hot::refuse_missing(&data.one_hot, shown)
            .map_err(|e| (400, as_uploaded(&e.to_string(), &path, shown)))?;
        let config = settings
            .config(data.width(), data.outputs())
            .map_err(|m| (400, m))?;
        config
            .validate_for(&prepared)
            .map_err(|e| (400, e.to_string()))?;
        let line = command(settings, &config, upload.as_ref());
        let points = points(&prepared, &config, line.clone());
        let _ = self.events.try_send(PageEvent::new("data", &points));
        // what `train` warns of at its start, in the page's words
        if let Some(lopsided) = crate::data::split::lopsided(&source, &prepared) {
            let _ = (self.events).try_send(PageEvent::new("message", &shared(lopsided)));
        }
        let control = Arc::new(Control::new(mode, settings.delay_ms, self.closed.clone()));
        let observer = PageObserver::new(
            control.clone(),
            self.events.clone(),
            settings.grid,
            config.epochs,
        );
        let job = Job {
            source: source.absolute(),
            prepared,
            config,
            command: line.clone(),
            out: self.run_dir(),
            events: self.events.clone(),
            grid: settings.grid,
            uploads: self.uploads.clone(),
        };
        uploads.started(&job.source, &job.out);
        let thread = std::thread::spawn(move || job.run(observer));
        *self.running.lock().map_err(|_| busy())? = Some(Running { control, thread });
        Ok(line)
    }

    /// One training per page: a run still going is refused, one told to stop is waited for.
    fn wait_for_stopped_run(&self) -> Result<(), Refusal> {
        let deadline = Instant::now() + STOP_WAIT;
        loop {
            let running = self.running.lock().map_err(|_| busy())?;
            let Some(r) = running.as_ref().filter(|r| !r.thread.is_finished()) else {
                return Ok(());
            };
            if r.control.mode() != Mode::Stop {
                return Err((
                    409,
                    "a training is already running on this page: press reset (control `stop`) first".into(),
                ));
            }
            if Instant::now() > deadline {
                return Err((
                    503,
                    "the previous training has not stopped yet; try again".into(),
                ));
            }
            drop(running);
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn busy() -> Refusal {
    (
        500,
        "the session's state is unreadable after a crash; reload the page".into(),
    )
}

/// Most points of each split the page draws (TensorFlow Playground draws at most 500): a
/// 10 MiB upload holds some 400 000 rows, sent in one event and redrawn every epoch.
pub const MAX_POINTS: usize = 2_000;

/// The training rows and validation rows as `[x, y, class]`, or `[x, y, value]` for one
/// regression target (in the network's units), when there are 2 inputs: every k-th row, at
/// most [`MAX_POINTS`] of each.
pub fn points(prepared: &Prepared, config: &TrainConfig, command: String) -> Points {
    let data = &prepared.train.data;
    let rows = |subset: &Subset| -> Vec<[f64; 3]> {
        let d = &subset.data;
        let target = |r: usize| match &d.targets {
            Targets::Classes(labels) => Some(labels[r] as f64),
            Targets::Values { values, width: 1 } => Some(values[r] as f64),
            Targets::Values { .. } => None,
        };
        if d.width() != 2 || subset.rows.first().and_then(|&r| target(r)).is_none() {
            return Vec::new();
        }
        // every k-th row of the split: the page redraws them every epoch
        let every = subset.rows.len().div_ceil(MAX_POINTS).max(1);
        (subset.rows.iter().step_by(every))
            .filter_map(|&r| Some([d.row(r)[0] as f64, d.row(r)[1] as f64, target(r)?]))
            .collect()
    };
    Points {
        train: rows(&prepared.train),
        val: rows(&prepared.val),
        rows: [prepared.train.rows.len(), prepared.val.rows.len()],
        classes: data.class_names.clone(),
        features: data.feature_names.clone(),
        inputs: FeatureMap::new(&config.model.add_features).names(&data.feature_names),
        task: data.task(),
        target_scaler: prepared.target_scaler.clone(),
        command,
        epochs: config.epochs,
    }
}

/// One run, on its own thread.
struct Job {
    source: crate::data::DataSource,
    prepared: Prepared,
    config: TrainConfig,
    /// The page's command for it, kept in config.json and report.html.
    command: String,
    out: PathBuf,
    events: Sender<PageEvent>,
    grid: usize,
    uploads: Arc<Mutex<Uploads>>,
}

impl Job {
    /// `train_on` with the page's observer; then the confusion matrix and the final model's
    /// regions (with the weights the run ended with), and `done`.
    fn run(self, observer: PageObserver) {
        let val = self.prepared.val.clone();
        let backend = self.config.backend;
        let restores_best = self.config.restores_best();
        // the page's pause holds the loop: off rayon's workers, so a paused page holds none
        // the page shows its newest run only: the one before goes at once
        let options = RunOptions::from(Verbosity::Quiet)
            .started_by(self.command)
            .replace_at_once()
            .on_this_thread()
            .observe(observer);
        let done =
            match train::train_on(self.source, self.prepared, self.config, &self.out, options) {
                Ok(run) => {
                    let (confusion, grid) = final_views(&self.out, backend, &val, self.grid);
                    let last = run.outcome.rows.last().cloned();
                    let best = run.outcome.best_epoch.filter(|_| restores_best);
                    Done {
                        error: None,
                        epochs_run: run.outcome.rows.len(),
                        best_epoch: run.outcome.best_epoch,
                        kept_epoch: best.or(last.as_ref().map(|row| row.epoch)),
                        last,
                        confusion,
                        grid,
                    }
                }
                Err(e) => Done {
                    error: Some(page_error(&e)),
                    epochs_run: 0,
                    best_epoch: None,
                    kept_epoch: None,
                    last: None,
                    confusion: Vec::new(),
                    grid: None,
                },
            };
        // the run that was the page's latest before this one has gone, and with it its file
        if let Ok(uploads) = self.uploads.lock() {
            uploads.sweep(&self.out);
        }
        let _ = self.events.try_send(PageEvent::new("done", &done));
    }
}

/// The confusion matrix on the validation rows and the decision grid of the model the run kept.
fn final_views(
    dir: &Path,
    backend: crate::backend::Backend,
    val: &Subset,
    n: usize,
) -> (Vec<Vec<usize>>, Option<DecisionGrid>) {
    let Ok(predictor) = Predictor::open(dir, backend) else {
        return (Vec::new(), None);
    };
    let confusion = predictor
        .evaluate_prepared(val.clone())
        .map(|e| e.confusion)
        .unwrap_or_default();
    let grid = decision_grid(&predictor.model, val, (n, Some(UNIT_GRID)));
    (confusion, grid.ok().flatten().as_ref().map(drawn_grid))
}

/// Every open page's session, by id.
pub struct Sessions {
    root: PathBuf,
    next: AtomicU64,
    key: u64,
    open: Mutex<HashMap<String, Arc<Session>>>,
}

impl Sessions {
    /// Sessions whose folders live under `root`.
    pub fn new(root: PathBuf) -> Self {
        use std::hash::{BuildHasher, RandomState};
        Self {
            root,
            next: AtomicU64::new(1),
            key: RandomState::new().hash_one(std::process::id()),
            open: Mutex::new(HashMap::new()),
        }
    }

    /// A new session with an id no other page can guess.
    pub fn create(&self) -> Result<(String, Arc<Session>), Refusal> {
        use std::hash::{BuildHasher, RandomState};
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:016x}", RandomState::new().hash_one((self.key, n)));
        let session = Arc::new(Session::new(self.root.join(&id)));
        let mut open = self.open.lock().map_err(|_| busy())?;
        if open.len() >= MAX_SESSIONS {
            evict_one(&mut open)?;
        }
        open.insert(id.clone(), session.clone());
        Ok((id, session))
    }

    /// The session `id`, or a 404 saying how to get a new one.
    pub fn get(&self, id: &str) -> Result<Arc<Session>, Refusal> {
        let open = self.open.lock().map_err(|_| busy())?;
        open.get(id).cloned().ok_or_else(|| {
            (
                404,
                format!("no session `{id}` (a session ends when its page closes): reload the page"),
            )
        })
    }

    /// Forgets the session `id` (its page closed).
    pub fn remove(&self, id: &str) {
        if let Ok(mut open) = self.open.lock() {
            if let Some(s) = open.remove(id) {
                s.close();
            }
        }
    }
}

/// Drops the oldest session whose page never opened its stream, or refuses.
fn evict_one(open: &mut HashMap<String, Arc<Session>>) -> Result<(), Refusal> {
    let idle = open
        .iter()
        .filter(|(_, s)| s.stream.lock().is_ok_and(|r| r.is_some()))
        .min_by_key(|(_, s)| s.created)
        .map(|(id, _)| id.clone());
    match idle {
        Some(id) => {
            // its training, paused or not, stops with it: nothing is left running unreachable
            if let Some(s) = open.remove(&id) {
                s.close();
            }
            Ok(())
        }
        None => Err((
            503,
            format!("{MAX_SESSIONS} playground pages are open already: close one and reload"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An outside audit: a page closed while its upload was checked kept the file for good (its
    /// close had swept before the file came), up to 10 MiB a page.
    #[test]
    fn an_upload_that_lands_after_its_page_closed_is_removed() {
        let dir =
            std::env::temp_dir().join(format!("plaindnn-closed-upload-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let session = Session::new(dir.clone());
        session.close();
        let rows: String = (0..40)
            .map(|i| format!("{i},{},{}\n", i % 3, i % 2))
            .collect();
        let csv = format!("x,y,c\n{rows}");
        let told = super::super::csv_upload::keep(&session, "late.csv".into(), csv.as_bytes());
        assert!(told.is_ok(), "{told:?}");
        let left: Vec<_> = std::fs::read_dir(&dir)
            .expect("the session's folder")
            .flatten()
            .collect();
        assert!(left.is_empty(), "{left:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
