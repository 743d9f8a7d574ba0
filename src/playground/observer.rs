//! The page's ear in the training loop: each epoch's report goes to the page's event stream, and
//! play / pause / step / stop come back through [`Control`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::Sender;

use crate::train::diagnostics::SEE_DEAD;
use crate::train::{DecisionGrid, EpochReport, LayerWeights, TrainObserver, UnitGrids, Wants};

/// Most events queued for a page that is not reading them; later ones are dropped until it
/// reads (unbounded, a page that never read grew the server by ~2 MB a run of 1 000 epochs).
pub const EVENTS: usize = 1024;
/// Of those, the places epochs and messages leave free for the events that start and end a run
/// (`data`, `done`), so that a page behind still learns that its run ended, and how.
pub const RESERVED: usize = 8;

/// Events unread past which a run's epochs go without their pictures (the grid and the
/// weights), the last one's aside: a page that is not reading holds 1 024 small events, not
/// 1 024 grids (of 330 KB each at 100 cells and 8 layers: 340 MB a page, an audit found).
pub const BEHIND: usize = 8;

/// The most decision grids per second: the page draws at most this often, so the loop computes
/// no more (a 50×50 grid is one forward pass of 2 500 rows).
pub const GRID_EVERY: Duration = Duration::from_millis(50);

/// What the page asked the running training to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Train epoch after epoch.
    Play,
    /// Wait at the end of the current epoch.
    Pause,
    /// Train one more epoch, then pause.
    Step,
    /// End training after the current step (reset, or the page closed).
    Stop,
}

/// Play / pause / step / stop, shared by the page's commands and the training thread.
#[derive(Debug)]
pub struct Control {
    mode: Mutex<Mode>,
    changed: Condvar,
    /// The page's event stream is gone: nobody is watching.
    closed: Arc<AtomicBool>,
    /// Milliseconds to wait after each epoch.
    delay_ms: Mutex<u64>,
}

impl Control {
    /// A control starting in `mode`, stopped for good once `closed` is set.
    pub fn new(mode: Mode, delay_ms: u64, closed: Arc<AtomicBool>) -> Self {
        Self {
            mode: Mutex::new(mode),
            changed: Condvar::new(),
            closed,
            delay_ms: Mutex::new(delay_ms),
        }
    }

    /// The page's command.
    pub fn set(&self, mode: Mode) {
        if let Ok(mut m) = self.mode.lock() {
            *m = mode;
        }
        self.changed.notify_all();
    }

    /// The speed control.
    pub fn set_delay(&self, ms: u64) {
        if let Ok(mut d) = self.delay_ms.lock() {
            *d = ms;
        }
        self.changed.notify_all();
    }

    /// The current command.
    pub fn mode(&self) -> Mode {
        self.mode.lock().map_or(Mode::Stop, |m| *m)
    }

    fn stopping(&self) -> bool {
        self.closed.load(Ordering::Relaxed) || self.mode() == Mode::Stop
    }

    /// Called at the end of each epoch: waits out the speed delay, then while paused; a step
    /// becomes a pause for the next epoch. Returns early on stop.
    fn end_of_epoch(&self) {
        let delay = self.delay_ms.lock().map_or(0, |d| *d);
        let until = Instant::now() + Duration::from_millis(delay);
        let Ok(mut mode) = self.mode.lock() else {
            return;
        };
        if *mode == Mode::Step {
            *mode = Mode::Pause;
        }
        loop {
            let closed = self.closed.load(Ordering::Relaxed);
            let now = Instant::now();
            let waiting = *mode == Mode::Pause || (*mode == Mode::Play && now < until);
            if closed || !waiting {
                return;
            }
            // wake at least every 100 ms to notice a closed page
            let wait = match *mode {
                Mode::Play => (until - now).min(Duration::from_millis(100)),
                _ => Duration::from_millis(100),
            };
            mode = match self.changed.wait_timeout(mode, wait) {
                Ok((m, _)) => m,
                Err(_) => return,
            };
        }
    }
}

/// One message on the page's event stream: an event name and JSON data (SSE's `event:` and
/// `data:`, the WebSocket's `{"event": …, "data": …}`).
#[derive(Debug)]
pub struct PageEvent {
    /// `data`, `epoch`, `message`, `done`.
    pub name: &'static str,
    /// The JSON payload.
    pub json: String,
}

impl PageEvent {
    /// `value` as JSON under `name` (a value that cannot be written becomes an error text).
    pub fn new(name: &'static str, value: &impl Serialize) -> Self {
        let json = serde_json::to_string(value)
            .unwrap_or_else(|e| format!("{{\"error\":\"{}\"}}", e.to_string().replace('"', "'")));
        Self { name, json }
    }
}

/// Most units per layer the network picture draws: a wider layer shows its first ones.
pub const MAX_DRAWN_UNITS: usize = 16;

/// Cells per side of the picture in each drawn input and unit (its value over the plane).
pub const UNIT_GRID: usize = 16;

/// The decision grid as the page draws it: the pictures of the first [`MAX_DRAWN_UNITS`] inputs
/// and units of each layer, as the network picture shows them.
pub fn drawn_grid(grid: &DecisionGrid) -> DecisionGrid {
    let first = |l: &Vec<Vec<f32>>| l.iter().take(MAX_DRAWN_UNITS).cloned().collect();
    let units = grid.units.as_ref().map(|u| UnitGrids {
        n: u.n,
        inputs: first(&u.inputs),
        layers: u.layers.iter().map(first).collect(),
    });
    DecisionGrid {
        x_range: grid.x_range,
        y_range: grid.y_range,
        n: grid.n,
        classes: grid.classes.clone(),
        confidence: grid.confidence.clone(),
        values: grid.values.clone(),
        units,
    }
}

/// The part of a layer's weights the page draws: the first [`MAX_DRAWN_UNITS`] inputs and units.
fn drawn(w: &LayerWeights) -> LayerWeights {
    let (inputs, outputs) = (
        w.inputs.min(MAX_DRAWN_UNITS),
        w.outputs.min(MAX_DRAWN_UNITS),
    );
    let values = (0..inputs)
        .flat_map(|i| {
            w.values[i * w.outputs..i * w.outputs + outputs]
                .iter()
                .copied()
        })
        .collect();
    LayerWeights {
        inputs,
        outputs,
        values,
    }
}

/// Sends every epoch to the page, asks for layer figures always and for a decision grid at most
/// every [`GRID_EVERY`] while the page keeps up ([`BEHIND`]), and for the last epoch; holds the
/// loop while the page pauses.
pub struct PageObserver {
    control: Arc<Control>,
    events: Sender<PageEvent>,
    grid: usize,
    epochs: usize,
    next_epoch: usize,
    last_grid: Option<Instant>,
}

impl PageObserver {
    /// Reports to `events`; `grid` cells per side; `epochs` of the run.
    pub fn new(
        control: Arc<Control>,
        events: Sender<PageEvent>,
        grid: usize,
        epochs: usize,
    ) -> Self {
        Self {
            control,
            events,
            grid,
            epochs,
            next_epoch: 1,
            last_grid: None,
        }
    }
}

impl PageObserver {
    /// Queues `event` unless the page has fallen so far behind that only the places kept for
    /// the end of the run are left ([`RESERVED`]): then it misses this one.
    fn send(&self, event: PageEvent) {
        if self.events.capacity() > RESERVED {
            let _ = self.events.try_send(event);
        }
    }
}

impl TrainObserver for PageObserver {
    fn wants(&self) -> Wants {
        let behind = self.events.capacity() + BEHIND < EVENTS;
        let due = !behind && self.last_grid.is_none_or(|t| t.elapsed() >= GRID_EVERY);
        let due = due || self.next_epoch >= self.epochs;
        Wants {
            layers: true,
            grid: due.then_some(self.grid),
            units: due.then_some(UNIT_GRID),
            weights: due,
            stops: true, // a reset or a closed page, at any step
        }
    }

    fn on_message(&mut self, text: &str) {
        let text = in_page_words(text);
        // a closed stream is noticed by should_stop
        self.send(PageEvent::new("message", &text));
    }

    fn on_epoch(&mut self, report: &EpochReport) -> crate::Result<()> {
        self.next_epoch = report.row.epoch + 1;
        if report.grid.is_some() {
            self.last_grid = Some(Instant::now());
        }
        // the parts drawn, each copied once (not the whole report, then its weights and grid again)
        let page = EpochReport {
            row: report.row.clone(),
            epochs: report.epochs,
            improved: report.improved,
            seconds: report.seconds,
            layers: report.layers.clone(),
            grid: report.grid.as_ref().map(drawn_grid),
            weights: report.weights.iter().map(drawn).collect(),
        };
        self.send(PageEvent::new("epoch", &page));
        self.control.end_of_epoch();
        Ok(())
    }

    fn should_stop(&self) -> bool {
        self.events.is_closed() || self.control.stopping()
    }
}

/// A training message as the page says it: the page shows the dead units under its gradient
/// chart, and none of a run's files.
fn in_page_words(text: &str) -> String {
    text.replace(SEE_DEAD, "see the dead units under the gradient chart")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_no_gradient_warning_points_the_page_at_its_dead_units_not_a_file() {
        let warning = crate::train::diagnostics::warning(3, &[0.0, 0.0]).unwrap();
        assert!(warning.contains("diagnostics.csv"), "{warning}");
        let told = in_page_words(&warning);
        assert!(!told.contains("diagnostics.csv"), "{told}");
        assert!(
            told.contains("see the dead units under the gradient chart)"),
            "{told}"
        );
    }
}
