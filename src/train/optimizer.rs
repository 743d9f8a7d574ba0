//! Builds Burn's optimizer from the config: the chosen rule, wrapped in plaindnn's penalties and
//! constraints, with Burn's per-tensor clipping on top.

use burn::grad_clipping::GradientClipping;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamWConfig, ModuleOptimizer, Optimizer, RmsPropConfig, SgdConfig};

use super::adam::FusedAdam;
use super::config::{ClippingConfig, OptimizerConfig, OptimizerKind, RegularizationConfig};
use super::regularizer::Regularized;

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
    let decoupled = config.kind == OptimizerKind::AdamW;
    ModuleOptimizer::from(Regularized {
        l1: reg.l1,
        l2: reg.l2,
        coupled_decay: if decoupled { 0.0 } else { config.weight_decay },
        decoupled_decay: if decoupled { config.weight_decay } else { 0.0 },
        decay_all: reg.decay_biases,
        max_norm: reg.max_norm,
        ..Regularized::new(inner)
    })
}
