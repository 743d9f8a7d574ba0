//! Adam with its update fused into one pass on flex; Burn's `Adam` elsewhere. Same state type as
//! Burn's (checkpoints move between the two) and the same arithmetic: results agree bit for bit.

use burn::optim::{Adam, AdamConfig, AdamState, AdaptiveMomentumState, LearningRate, Optimizer};
use burn::tensor::{Device, Tensor};

use crate::fused::{self, AdamStep};

/// Adam (Kingma & Ba 2015) without weight decay (plaindnn adds its penalties around it).
#[derive(Clone)]
pub struct FusedAdam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    plain: Adam,
}

impl FusedAdam {
    /// Adam with the given moment decays and ε.
    pub fn new(beta_1: f32, beta_2: f32, epsilon: f32) -> Self {
        let plain = AdamConfig::new()
            .with_beta_1(beta_1)
            .with_beta_2(beta_2)
            .with_epsilon(epsilon)
            .build();
        Self {
            beta_1,
            beta_2,
            epsilon,
            plain,
        }
    }
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<AdamState<D>>,
    ) -> (Tensor<D>, Option<AdamState<D>>) {
        if !fused::applies_outside_graph(&tensor) {
            return self.plain.step(lr, tensor, grad, state);
        }
        let time = state.as_ref().map_or(0, |s| s.momentum.time) + 1;
        let step = AdamStep {
            beta_1: self.beta_1,
            beta_2: self.beta_2,
            epsilon: self.epsilon,
            lr: lr as f32,
            time,
        };
        let moments = state.map(|s| (s.momentum.moment_1, s.momentum.moment_2));
        let (tensor, (moment_1, moment_2)) = fused::adam(tensor, grad, moments, step);
        let momentum = AdaptiveMomentumState::new(time, moment_1, moment_2);
        (tensor, Some(AdamState { momentum }))
    }

    fn to_device<const D: usize>(state: AdamState<D>, device: &Device) -> AdamState<D> {
        Adam::to_device(state, device)
    }
}
