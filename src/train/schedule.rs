//! Learning-rate schedules counted in epochs, including reduce-on-plateau (which Burn lacks).
//!
//! Burn steps a scheduler once per batch; this one turns batches into epochs and keeps its state
//! in the scheduler checkpoint, so `--resume` continues the schedule exactly.

use std::f64::consts::PI;
use std::sync::{Arc, Mutex};

use burn::lr_scheduler::{LrScheduler, LrSchedulerRecord};
use burn::optim::LearningRate;

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::check::{in_unit, non_negative};
use crate::data::advice::MIN_LR_BELOW;
use crate::error::{Error, Result};
use crate::spec::Spec;

/// How the learning rate changes over training.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", tag = "kind", rename_all = "snake_case")]
#[serde(deny_unknown_fields)]
pub enum ScheduleConfig {
    /// The same rate throughout.
    #[default]
    Constant,
    /// Multiply by `gamma` every `every` epochs (PyTorch's `StepLR`).
    Step {
        /// Epochs between two decays.
        every: usize,
        /// Factor applied at each decay.
        gamma: f64,
    },
    /// Cosine from the initial rate down to `min_lr` over all epochs (`CosineAnnealingLR`).
    Cosine {
        /// Rate reached at the last epoch.
        min_lr: f64,
    },
    /// Multiply by `factor` after `patience` epochs without val_loss improvement
    /// (`ReduceLROnPlateau`), never below `min_lr`.
    Plateau {
        /// Factor applied at each reduction.
        factor: f64,
        /// Epochs without improvement before a reduction.
        patience: usize,
        /// Floor of the rate.
        min_lr: f64,
    },
}
crate::strict::strict!(ScheduleConfig);

impl FromStr for ScheduleConfig {
    type Err = Error;

    /// `constant`, `step[:every[:gamma]]`, `cosine[:min_lr]`, `plateau[:factor[:patience[:min_lr]]]`.
    fn from_str(s: &str) -> Result<Self> {
        let spec = Spec::parse("lr schedule", s);
        let name = spec.name.clone();
        spec.at_most(match name.as_str() {
            "step" => 2,
            "cosine" => 1,
            "plateau" | "reduce_on_plateau" => 3,
            _ => 0,
        })?;
        let (num, count) = (
            |i, default| spec.number(i, default),
            |i, d| spec.count(i, d),
        );
        let config = match name.as_str() {
            "constant" | "none" => ScheduleConfig::Constant,
            "step" => ScheduleConfig::Step { every: count(0, 10)?, gamma: num(1, 0.1)? },
            "cosine" => ScheduleConfig::Cosine { min_lr: num(0, 0.0)? },
            "plateau" | "reduce_on_plateau" => ScheduleConfig::Plateau {
                factor: num(0, 0.1)?,
                patience: count(1, 5)?,
                min_lr: num(2, 0.0)?,
            },
            _ => {
                return Err(Error::Unknown {
                    what: "lr schedule",
                    got: s.to_string(),
                    valid: "constant, step[:every[:gamma]], cosine[:min_lr], plateau[:factor[:patience[:min_lr]]]"
                        .into(),
                })
            }
        };
        config.validate()?;
        Ok(config)
    }
}

impl ScheduleConfig {
    /// Rejects factors outside (0, 1) and zero periods.
    pub fn validate(&self) -> Result<()> {
        match *self {
            ScheduleConfig::Step { every, gamma } => {
                if every == 0 {
                    return Err(Error::invalid(
                        "lr schedule",
                        "step needs every >= 1 epoch, got 0",
                    ));
                }
                in_unit("step gamma", gamma, false)
            }
            ScheduleConfig::Plateau { factor, min_lr, .. } => {
                in_unit("plateau factor", factor, false)?;
                non_negative("plateau min_lr", min_lr)
            }
            ScheduleConfig::Cosine { min_lr } => non_negative("cosine min_lr", min_lr),
            ScheduleConfig::Constant => Ok(()),
        }
    }

    /// Why the schedule never changes the rate `lr` in a run of `epochs` epochs whose early
    /// stopping (if any) has patience `stop_after`; `None` when it can. A step acts from epoch
    /// `every` + 1; cosine from epoch 2; a plateau's cut after the first epoch and `patience` more
    /// without improvement, from the epoch after, which early stopping of no more patience never
    /// runs; neither lowers a rate already at its floor `min_lr`.
    pub fn idle(&self, lr: f64, epochs: usize, stop_after: Option<usize>) -> Option<String> {
        match *self {
            ScheduleConfig::Cosine { min_lr } | ScheduleConfig::Plateau { min_lr, .. }
                if min_lr >= lr =>
            {
                Some(format!(
                    "the lr schedule's floor min_lr {min_lr} is the learning rate {lr} itself: the \
                     rate stays as it starts; {MIN_LR_BELOW}"
                ))
            }
            ScheduleConfig::Cosine { .. } if epochs < 2 => Some(
                "the lr schedule cosine starts lowering the rate in epoch 2, and the run has 1: \
                 the rate stays as it starts (give --epochs 2 or more for it to anneal)"
                    .to_string(),
            ),
            ScheduleConfig::Step { every, .. } if every >= epochs => Some(format!(
                "the lr schedule step:{every} first lowers the rate after epoch {every}, and the \
                 run has {epochs}: the rate stays as it starts (a later `--resume --epochs N` past \
                 {every} lowers it)"
            )),
            // the first epoch sets the best; the cut after 1 + patience epochs acts in the next
            ScheduleConfig::Plateau { patience, .. } if patience + 2 > epochs => Some(format!(
                "the lr schedule plateau lowers the rate after {} without \
                 improvement, and the run has {epochs}: the rate stays as it starts",
                crate::plural::count(patience, "epoch")
            )),
            ScheduleConfig::Plateau { patience, .. } => match stop_after {
                Some(stop) if stop <= patience => Some(format!(
                    "the lr schedule plateau lowers the rate after {patience} epochs without \
                     improvement, and early stopping ends the run after {stop}: the rate never \
                     changes; give the plateau a patience below {stop} (its second number), or \
                     early stopping a larger --patience"
                )),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The learning rate as a function of the epoch (and, for plateau, of validation loss).
#[derive(Clone)]
pub struct EpochSchedule {
    config: ScheduleConfig,
    base_lr: f64,
    steps_per_epoch: usize,
    epochs: usize,
    step: usize,
    plateau: PlateauHandle,
}

/// Shared with the training loop, which reports each epoch's validation loss.
#[derive(Clone, Debug, Default)]
pub struct PlateauHandle(Arc<Mutex<Plateau>>);

#[derive(Clone, Copy, Debug, Default)]
struct Plateau {
    scale: f64,
    best: Option<f64>,
    waited: usize,
}

impl PlateauHandle {
    /// Feeds one epoch's validation loss; after `patience` epochs without improvement the rate is
    /// multiplied by `factor` (not below `min_lr`). Returns true when it just reduced the rate.
    pub fn update(&self, config: &ScheduleConfig, base_lr: f64, val_loss: f64) -> bool {
        let ScheduleConfig::Plateau {
            factor,
            patience,
            min_lr,
        } = *config
        else {
            return false;
        };
        let Ok(mut p) = self.0.lock() else {
            return false;
        };
        if p.scale == 0.0 {
            p.scale = 1.0;
        }
        if p.best.is_none_or(|best| val_loss < best) {
            p.best = Some(val_loss);
            p.waited = 0;
            return false;
        }
        p.waited += 1;
        if p.waited < patience.max(1) {
            return false;
        }
        p.waited = 0;
        let floor = if base_lr > 0.0 { min_lr / base_lr } else { 0.0 };
        let reduced = (p.scale * factor).max(floor);
        let changed = reduced < p.scale;
        p.scale = reduced;
        changed
    }

    fn scale(&self) -> f64 {
        self.0
            .lock()
            .map(|p| if p.scale == 0.0 { 1.0 } else { p.scale })
            .unwrap_or(1.0)
    }
}

impl EpochSchedule {
    /// A schedule for `epochs` epochs of `steps_per_epoch` batches, starting at `base_lr`.
    pub fn new(
        config: ScheduleConfig,
        base_lr: f64,
        steps_per_epoch: usize,
        epochs: usize,
    ) -> Self {
        Self {
            config,
            base_lr,
            steps_per_epoch: steps_per_epoch.max(1),
            epochs,
            step: 0,
            plateau: PlateauHandle::default(),
        }
    }

    /// The handle through which the loop reports validation losses.
    pub fn plateau(&self) -> PlateauHandle {
        self.plateau.clone()
    }

    /// The rate during zero-based `epoch` (with the plateau scale applied).
    pub fn lr_at(&self, epoch: usize) -> f64 {
        match self.config {
            ScheduleConfig::Constant => self.base_lr,
            ScheduleConfig::Step { every, gamma } => {
                self.base_lr * gamma.powi((epoch / every.max(1)) as i32)
            }
            ScheduleConfig::Cosine { min_lr } => {
                let t = epoch as f64 / self.epochs.max(1) as f64;
                min_lr + (self.base_lr - min_lr) * (1.0 + (PI * t).cos()) / 2.0
            }
            ScheduleConfig::Plateau { .. } => self.base_lr * self.plateau.scale(),
        }
    }
}

impl LrScheduler for EpochSchedule {
    fn step(&mut self) -> LearningRate {
        let epoch = self.step / self.steps_per_epoch;
        self.step += 1;
        self.lr_at(epoch)
    }

    fn to_record(&self) -> LrSchedulerRecord {
        let p = self.plateau.0.lock().map(|p| *p).unwrap_or_default();
        LrSchedulerRecord::new()
            .with_scalar("step", self.step as u64)
            .with_scalar("plateau_scale", p.scale)
            .with_scalar("plateau_best", p.best.unwrap_or(f64::NAN))
            .with_scalar("plateau_waited", p.waited as u64)
    }

    fn load_record(&mut self, record: LrSchedulerRecord) {
        if let Some(step) = record.scalar::<u64>("step") {
            self.step = step as usize;
        }
        if let Ok(mut p) = self.plateau.0.lock() {
            p.scale = record.scalar::<f64>("plateau_scale").unwrap_or(1.0);
            p.best = record.scalar::<f64>("plateau_best").filter(|b| !b.is_nan());
            p.waited = record.scalar::<u64>("plateau_waited").unwrap_or(0) as usize;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_that_cannot_change_the_rate_in_the_run_says_why() {
        let step = |every| ScheduleConfig::Step { every, gamma: 0.1 };
        let plateau = |patience| ScheduleConfig::Plateau {
            factor: 0.5,
            patience,
            min_lr: 0.0,
        };
        // whether any epoch's rate differs from the first, the validation loss never improving
        let changes = |config: ScheduleConfig, epochs: usize| {
            let s = EpochSchedule::new(config.clone(), 1.0, 1, epochs);
            (0..epochs).any(|e| {
                let lower = s.lr_at(e) < 1.0;
                s.plateau().update(&config, 1.0, 1.0);
                lower
            })
        };
        for epochs in 1..9 {
            for n in 1..9 {
                let floored = ScheduleConfig::Plateau {
                    factor: 0.5,
                    patience: n,
                    min_lr: 1.0,
                };
                let cosine = |min_lr| ScheduleConfig::Cosine { min_lr };
                for config in [step(n), plateau(n), floored, cosine(0.0), cosine(1.0)] {
                    let idle = config.idle(1.0, epochs, None).is_some();
                    assert_eq!(
                        idle,
                        !changes(config.clone(), epochs),
                        "{config:?}, {epochs}"
                    );
                }
            }
        }
        let said = step(5).idle(1.0, 5, None).expect("idle");
        assert!(said.contains("step:5 first lowers the rate after epoch 5, and the run has 5"));
        // early stopping of patience 10 stops before a plateau of 10 cuts; of 11, after it
        let said = plateau(10).idle(1.0, 100, Some(10)).expect("idle");
        assert!(
            said.contains("early stopping ends the run after 10"),
            "{said}"
        );
        assert_eq!(plateau(10).idle(1.0, 100, Some(11)), None);
        let said = (ScheduleConfig::Cosine { min_lr: 0.01 }.idle(0.01, 100, None)).expect("idle");
        assert!(
            said.contains("min_lr 0.01 is the learning rate 0.01"),
            "{said}"
        );
    }

    #[test]
    fn step_schedule_multiplies_by_gamma_every_n_epochs() {
        let s = EpochSchedule::new(
            ScheduleConfig::Step {
                every: 2,
                gamma: 0.5,
            },
            1.0,
            3,
            10,
        );
        let rates: Vec<f64> = (0..5).map(|e| s.lr_at(e)).collect();
        assert_eq!(rates, [1.0, 1.0, 0.5, 0.5, 0.25]);
    }

    #[test]
    fn cosine_schedule_starts_at_the_base_rate_and_is_half_way_at_mid_training() {
        let s = EpochSchedule::new(ScheduleConfig::Cosine { min_lr: 0.0 }, 1.0, 1, 10);
        assert_eq!(s.lr_at(0), 1.0);
        assert!((s.lr_at(5) - 0.5).abs() < 1e-12); // (1 + cos(π/2)) / 2
    }

    #[test]
    fn plateau_schedule_cuts_the_rate_after_patience_bad_epochs() {
        let config = ScheduleConfig::Plateau {
            factor: 0.1,
            patience: 2,
            min_lr: 0.0,
        };
        let s = EpochSchedule::new(config.clone(), 1.0, 1, 10);
        let h = s.plateau();
        assert!(!h.update(&config, 1.0, 1.0));
        assert!(!h.update(&config, 1.0, 1.0));
        assert!(h.update(&config, 1.0, 1.0));
        assert!((s.lr_at(3) - 0.1).abs() < 1e-12);
    }

    #[test]
    fn steps_count_in_batches_per_epoch() {
        let mut s = EpochSchedule::new(
            ScheduleConfig::Step {
                every: 1,
                gamma: 0.5,
            },
            1.0,
            2,
            10,
        );
        let rates: Vec<f64> = (0..4).map(|_| s.step()).collect();
        assert_eq!(rates, [1.0, 1.0, 0.5, 0.5]);
    }
}
