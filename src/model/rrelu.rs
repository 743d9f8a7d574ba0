//! Randomized leaky ReLU, its slopes drawn from the network's own seeded stream.

use burn::module::{Flag, Module, Param};
use burn::tensor::{Tensor, TensorData};

use super::activation::{leaky, leaky_by};
use crate::random::Stream;

/// RReLU: `y = max(x, 0) + a·min(x, 0)` with `a ~ U(lower, upper)` per value while training and
/// `a = (lower + upper)/2` at inference — PyTorch's `nn.RReLU`. Slopes are drawn on the host from
/// this layer's stream (Burn's `RRelu` draws from its process-wide generator).
#[derive(Module, Debug)]
pub struct RandomSlope {
    /// Smallest slope drawn.
    pub lower: f64,
    /// Largest slope drawn.
    pub upper: f64,
    /// Whether to draw slopes while on an autodiff device (cleared by `valid()`).
    pub training: Param<Flag>,
    /// Where the slopes come from.
    #[module(skip)]
    stream: Stream,
}

impl RandomSlope {
    /// Slopes from U(lower, upper) (bounds checked by `ActivationConfig::validate`), the stream
    /// seeded with 0 until [`Self::reseed`].
    pub fn new(lower: f64, upper: f64) -> Self {
        Self {
            lower,
            upper,
            training: Param::from_bool(true),
            stream: Stream::new(0),
        }
    }

    /// Restarts the slope stream at `seed`.
    pub fn reseed(&self, seed: u64) {
        self.stream.reseed(seed);
    }

    /// `relu(x) + a·min(x, 0)`, a drawn per value while training: no select, and PyTorch's
    /// gradient a at x = 0.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        let device = x.device();
        if !self.training.is_enabled() || !device.is_autodiff() {
            return leaky(x, (self.lower + self.upper) / 2.0);
        }
        let shape = x.shape();
        let n = shape.num_elements();
        let slopes = self.stream.draw(|g| g.uniform(n, self.lower, self.upper));
        leaky_by(
            x,
            Tensor::from_data(TensorData::new(slopes, shape), &device),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    #[test]
    fn training_slopes_lie_between_the_bounds_and_differ_per_value() {
        let device = Device::flex().autodiff();
        let rrelu = RandomSlope::new(0.1, 0.3);
        rrelu.reseed(5);
        let y = rrelu
            .forward(Tensor::<1>::full([1000], -1.0, &device))
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32");
        assert!(y.iter().all(|&v| (-0.3..=-0.1).contains(&v)), "{y:?}");
        let mean = y.iter().sum::<f32>() / 1000.0;
        // U(0.1, 0.3) has std 0.058; the mean of 1000 is within 0.006 of −0.2 at 3σ
        assert!((mean + 0.2).abs() < 0.006, "mean {mean}");
        rrelu.reseed(5);
        let again = rrelu.forward(Tensor::<1>::full([1000], -1.0, &device));
        assert_eq!(again.into_data().try_to_vec::<f32>().expect("f32"), y);
    }
}
