//! Builds Burn's optimizer from the config: the chosen rule, wrapped in plaindnn's penalties and
//! constraints, with Burn's per-tensor clipping on top.

use burn::grad_clipping::GradientClipping;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamWConfig, ModuleOptimizer, Optimizer, RmsPropConfig, SgdConfig};

use super::adam::FusedAdam;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::clipping::ClippingConfig;
use super::regularizer::RegularizationConfig;
use super::regularizer::Regularized;
use crate::check::{in_unit, non_negative, positive};
use crate::error::{Error, Result};

/// Which optimizer updates the weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// Adaptive moments (Kingma & Ba): "greatly speeds up convergence" per the tutorial.
    Adam,
    /// Adam with decoupled weight decay (Loshchilov & Hutter).
    AdamW,
    /// Plain gradient descent, with optional momentum: the tutorial's rolling ball.
    Sgd,
    /// Divides each step by a running RMS of recent gradients (Hinton).
    RmsProp,
}

impl OptimizerKind {
    /// The weight decay a run of this optimizer takes where none is given: PyTorch's AdamW
    /// decays by 0.01 (without decay it is Adam), the others by nothing.
    pub fn default_weight_decay(self) -> f64 {
        match self {
            OptimizerKind::AdamW => 0.01,
            _ => 0.0,
        }
    }
}

impl FromStr for OptimizerKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "adam" => Ok(OptimizerKind::Adam),
            "adamw" => Ok(OptimizerKind::AdamW),
            "sgd" => Ok(OptimizerKind::Sgd),
            "rmsprop" => Ok(OptimizerKind::RmsProp),
            _ => Err(Error::Unknown {
                what: "optimizer",
                got: s.to_string(),
                valid: "adam, adamw, sgd, rmsprop".into(),
            }),
        }
    }
}

impl fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OptimizerKind::Adam => "adam",
            OptimizerKind::AdamW => "adamw",
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::RmsProp => "rmsprop",
        })
    }
}

/// Optimizer and its hyper-parameters (PyTorch's names and defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimizerConfig {
    /// Which optimizer.
    pub kind: OptimizerKind,
    /// Step size.
    pub learning_rate: f64,
    /// SGD momentum (0 = plain gradient descent).
    #[serde(default)]
    pub momentum: f64,
    /// Nesterov momentum for SGD.
    #[serde(default)]
    pub nesterov: bool,
    /// L2 penalty (Adam, SGD, RMSprop) or decoupled decay (AdamW); `None`: the kind's default,
    /// [`OptimizerKind::default_weight_decay`] (AdamW 0.01, as PyTorch's; the others 0), so that
    /// changing `kind` to AdamW alone gives PyTorch's AdamW. A run's `config.json` records the
    /// value it trained with.
    #[serde(default)]
    pub weight_decay: Option<f64>,
    /// Adam's first-moment decay.
    #[serde(default = "beta1")]
    pub beta1: f64,
    /// Adam's second-moment decay.
    #[serde(default = "beta2")]
    pub beta2: f64,
    /// Adam's denominator guard.
    #[serde(default = "epsilon")]
    pub epsilon: f64,
}

fn beta1() -> f64 {
    0.9
}
fn beta2() -> f64 {
    0.999
}
fn epsilon() -> f64 {
    1e-8
}

impl OptimizerConfig {
    /// Adam with PyTorch's defaults and the given learning rate.
    pub fn adam(learning_rate: f64) -> Self {
        Self {
            kind: OptimizerKind::Adam,
            learning_rate,
            momentum: 0.0,
            nesterov: false,
            weight_decay: None,
            beta1: beta1(),
            beta2: beta2(),
            epsilon: epsilon(),
        }
    }

    /// AdamW with PyTorch's defaults (weight decay 0.01) and the given learning rate.
    pub fn adamw(learning_rate: f64) -> Self {
        Self {
            kind: OptimizerKind::AdamW,
            ..Self::adam(learning_rate)
        }
    }

    /// The weight decay this optimizer applies: the one given, else the kind's default.
    pub fn weight_decay(&self) -> f64 {
        (self.weight_decay).unwrap_or_else(|| self.kind.default_weight_decay())
    }

    /// The same config with its weight decay written out, as `config.json` records it.
    pub fn resolved(self) -> Self {
        Self {
            weight_decay: Some(self.weight_decay()),
            ..self
        }
    }

    /// The first of Adam's betas and epsilon set away from its default where this optimizer has
    /// no such parameter (a `--config` file's `"beta1"` under SGD was kept without effect), with
    /// the optimizers that use it.
    pub fn unused_moments(&self) -> Option<(&'static str, &'static str)> {
        let adams = matches!(self.kind, OptimizerKind::Adam | OptimizerKind::AdamW);
        let rmsprop = self.kind == OptimizerKind::RmsProp;
        [
            ("beta1", self.beta1 != beta1(), adams, "Adam's and AdamW's"),
            ("beta2", self.beta2 != beta2(), adams, "Adam's and AdamW's"),
            (
                "epsilon",
                self.epsilon != epsilon(),
                adams || rmsprop,
                "Adam's, AdamW's and RMSprop's",
            ),
        ]
        .into_iter()
        .find(|(_, set, used, _)| *set && !used)
        .map(|(name, _, _, by)| (name, by))
    }

    /// Rejects values that would make training meaningless, naming the value.
    pub fn validate(&self) -> Result<()> {
        positive("learning rate", self.learning_rate)?;
        in_unit("momentum", self.momentum, true)?;
        in_unit("beta1", self.beta1, false)?;
        in_unit("beta2", self.beta2, false)?;
        positive("epsilon", self.epsilon)?;
        non_negative("weight decay", self.weight_decay())
    }
}

/// The optimizer, with PyTorch's conventions (SGD dampening 0; `weight_decay` coupled except for
/// AdamW) and weight decay on weights only unless `decay_biases`.
pub fn build(
    config: &OptimizerConfig,
    reg: &RegularizationConfig,
    clip: &ClippingConfig,
) -> ModuleOptimizer {
    let (b1, b2, eps) = (
        config.beta1 as f32,
        config.beta2 as f32,
        config.epsilon as f32,
    );
    let optim = match config.kind {
        OptimizerKind::Adam => wrap(FusedAdam::new(b1, b2, eps), config, reg),
        OptimizerKind::AdamW => wrap(
            AdamWConfig::new()
                .with_beta_1(b1)
                .with_beta_2(b2)
                .with_epsilon(eps)
                .with_weight_decay(0.0)
                .build(),
            config,
            reg,
        ),
        OptimizerKind::Sgd => {
            let momentum = (config.momentum > 0.0).then(|| {
                MomentumConfig::new()
                    .with_momentum(config.momentum)
                    .with_dampening(0.0)
                    .with_nesterov(config.nesterov)
            });
            wrap(
                SgdConfig::new().with_momentum(momentum).build(),
                config,
                reg,
            )
        }
        OptimizerKind::RmsProp => wrap(
            RmsPropConfig::new()
                .with_alpha(0.99)
                .with_momentum(config.momentum as f32)
                .with_epsilon(eps)
                .build(),
            config,
            reg,
        ),
    };
    match (clip.value, clip.norm) {
        (Some(v), _) => optim.with_grad_clipping(GradientClipping::Value(v as f32)),
        (None, Some(n)) => optim.with_grad_clipping(GradientClipping::Norm(n as f32)),
        (None, None) => optim,
    }
}

/// `inner` with the penalties and constraints of `reg`; weight decay coupled unless AdamW.
fn wrap<O: Optimizer>(
    inner: O,
    config: &OptimizerConfig,
    reg: &RegularizationConfig,
) -> ModuleOptimizer {
    let decay = config.weight_decay();
    let (coupled_decay, decoupled_decay) = match config.kind {
        OptimizerKind::AdamW => (0.0, decay),
        _ => (decay, 0.0),
    };
    ModuleOptimizer::from(Regularized {
        l1: reg.l1,
        l2: reg.l2,
        coupled_decay,
        decoupled_decay,
        decay_all: reg.decay_biases,
        max_norm: reg.max_norm,
        ..Regularized::new(inner)
    })
}
