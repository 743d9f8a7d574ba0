//! Dropout whose masks come from the network's own seeded stream, not Burn's process-wide one.

use burn::module::{Flag, Module, Param};
use burn::tensor::{Device, Tensor, TensorData};

use crate::fused::Mask;
use crate::random::Stream;

/// Inverted dropout: `y = x·m / (1 − p)`, `m ~ Bernoulli(1 − p)` per value while training;
/// `y = x` at inference. The same as Burn's and PyTorch's `Dropout(p)`, except that each batch's
/// mask comes from one draw of this layer's stream (a [`Mask`] seed, expanded per value by a
/// counter-based hash): reproducible per run, the same on every backend, untouched by other
/// trainings in the process, and computable inside the fused activation pass.
#[derive(Module, Debug)]
pub struct Dropout {
    /// Probability of silencing a value, in [0, 1).
    pub prob: f64,
    /// Whether to drop while on an autodiff device (cleared by `valid()`, as Burn's flag).
    pub training: Param<Flag>,
    /// Where the masks come from.
    #[module(skip)]
    stream: Stream,
}

impl Dropout {
    /// A dropout layer with probability `prob` (checked by `MlpConfig::validate`), its stream
    /// seeded with 0 until [`Self::reseed`].
    pub fn new(prob: f64) -> Self {
        Self {
            prob,
            training: Param::from_bool(true),
            stream: Stream::new(0),
        }
    }

    /// Restarts the mask stream at `seed`.
    pub fn reseed(&self, seed: u64) {
        self.stream.reseed(seed);
    }

    /// This batch's mask while training (autodiff device, flag on), one draw from the layer's
    /// stream; `None` at inference.
    pub fn mask(&self, device: &Device) -> Option<Mask> {
        if !self.training.is_enabled() || !device.is_autodiff() || self.prob == 0.0 {
            return None;
        }
        Some(Mask {
            seed: self.stream.draw(|g| g.next_u64()),
            keep: 1.0 - self.prob,
        })
    }

    /// Drops values while training; the identity otherwise.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match self.mask(&x.device()) {
            Some(mask) => apply(x, mask),
            None => x,
        }
    }
}

/// `x·m` with the mask's values (0 or 1/(1 − p)): the mask and the rescaling in one product.
pub(crate) fn apply<const D: usize>(x: Tensor<D>, mask: Mask) -> Tensor<D> {
    let shape = x.shape();
    let values = mask.values(shape.num_elements());
    let device = x.device();
    x * Tensor::from_data(TensorData::new(values, shape), &device)
}

#[cfg(test)]
mod tests {
    use super::*;
    fn run(dropout: &Dropout, x: Tensor<2>) -> Vec<f32> {
        dropout
            .forward(x)
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32")
    }

    #[test]
    fn training_drops_a_share_p_and_scales_the_rest_by_one_over_one_minus_p() {
        let device = Device::flex().autodiff();
        let dropout = Dropout::new(0.3);
        let y = run(&dropout, Tensor::ones([400, 500], &device));
        let dropped = y.iter().filter(|&&v| v == 0.0).count() as f64 / y.len() as f64;
        // 2·10⁵ values: standard error √(0.3·0.7/2·10⁵) ≈ 0.001
        assert!((dropped - 0.3).abs() < 0.005, "dropped {dropped}");
        let kept = 1.0 / 0.7f32;
        assert!(
            y.iter().all(|&v| v == 0.0 || v == kept),
            "kept values are 1/(1 − p)"
        );
    }

    #[test]
    fn inference_and_a_plain_device_leave_the_input_unchanged() {
        let x = [[1.0f32, -2.0, 3.0], [4.0, 5.0, -6.0]];
        let dropout = Dropout::new(0.5);
        let plain = Device::flex();
        assert_eq!(run(&dropout, Tensor::from_data(x, &plain)), x.concat());
        let autodiff = plain.autodiff();
        let eval = dropout.valid();
        assert_eq!(run(&eval, Tensor::from_data(x, &autodiff)), x.concat());
    }

    #[test]
    fn the_same_seed_gives_the_same_mask_and_the_next_draw_another() {
        let device = Device::flex().autodiff();
        let dropout = Dropout::new(0.5);
        let x = || Tensor::<2>::ones([8, 64], &device);
        dropout.reseed(42);
        let first = run(&dropout, x());
        let second = run(&dropout, x());
        assert_ne!(first, second, "successive batches get fresh masks");
        dropout.reseed(42);
        assert_eq!(run(&dropout, x()), first);
    }
}
