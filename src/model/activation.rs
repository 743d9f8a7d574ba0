//! The non-linearities of the tutorial, one enum usable per layer.
//!
//! Without one, any stack of linear layers is still one linear map ("even 100 layers stay linear").

use std::fmt;
use std::str::FromStr;

use burn::module::Module;
use burn::nn::activation::{PRelu, PReluConfig};
use burn::tensor::activation as act;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use super::dropout;
use super::rrelu::RandomSlope;
use crate::check::finite;
use crate::error::{Error, Result};
use crate::fused::{self, Kind, Mask};
use crate::spec::{number, Spec};

/// Which activation follows a layer, with its hyper-parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", tag = "name", rename_all = "snake_case")]
pub enum ActivationConfig {
    /// `f(x) = x`: no non-linearity.
    Identity,
    /// `f(x) = 1 if x > 0 else 0`. Its gradient is zero everywhere, so backpropagation cannot
    /// train the layers below it: it is here to show why smooth activations replaced it.
    Step,
    /// `f(x) = 1 / (1 + e^-x)`: saturates at both ends, hence vanishing gradients.
    Sigmoid,
    /// `f(x) = tanh(x)`: zero-centred sigmoid.
    Tanh,
    /// `f(x) = max(0, x)`.
    Relu,
    /// `f(x) = x if x > 0 else slope·x`: never quite dead.
    LeakyRelu {
        /// Slope for negative inputs (0.01 by default).
        slope: f64,
    },
    /// Leaky ReLU whose slope is drawn from U(lower, upper) while training, (lower+upper)/2 after.
    Rrelu {
        /// Smallest slope drawn.
        lower: f64,
        /// Largest slope drawn.
        upper: f64,
    },
    /// Leaky ReLU whose slope `a` is learned (starts at `init`).
    Prelu {
        /// Initial slope.
        init: f64,
    },
    /// `f(x) = x if x > 0 else alpha·(e^x − 1)`: smooth, negative outputs push means to zero.
    Elu {
        /// Value approached for very negative inputs is −alpha.
        alpha: f64,
    },
    /// `f(x) = x·Φ(x)`, Φ the standard normal CDF.
    Gelu,
    /// `f(x) = λ·(x if x > 0 else α·(e^x − 1))`, λ ≈ 1.0507, α ≈ 1.6733: self-normalising.
    Selu,
}
crate::strict::strict!(ActivationConfig);

/// Names accepted on the command line, in the tutorial's order.
pub const ACTIVATION_NAMES: &str =
    "identity, step, sigmoid, tanh, relu, leaky_relu[:slope], rrelu[:lower:upper], prelu[:init], elu[:alpha], gelu, selu";

impl ActivationConfig {
    /// The command-line name (`leaky_relu`, `elu`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            ActivationConfig::Identity => "identity",
            ActivationConfig::Step => "step",
            ActivationConfig::Sigmoid => "sigmoid",
            ActivationConfig::Tanh => "tanh",
            ActivationConfig::Relu => "relu",
            ActivationConfig::LeakyRelu { .. } => "leaky_relu",
            ActivationConfig::Rrelu { .. } => "rrelu",
            ActivationConfig::Prelu { .. } => "prelu",
            ActivationConfig::Elu { .. } => "elu",
            ActivationConfig::Gelu => "gelu",
            ActivationConfig::Selu => "selu",
        }
    }

    /// Checks the hyper-parameters, naming the one out of range.
    pub fn validate(&self) -> Result<()> {
        match *self {
            ActivationConfig::LeakyRelu { slope } => finite("leaky_relu slope", slope),
            ActivationConfig::Prelu { init } => finite("prelu init", init),
            ActivationConfig::Elu { alpha } => finite("elu alpha", alpha),
            ActivationConfig::Rrelu { lower, upper } => {
                finite("rrelu lower", lower)?;
                finite("rrelu upper", upper)?;
                if lower > upper {
                    return Err(Error::invalid(
                        "rrelu bounds",
                        format!("lower must be <= upper, got lower={lower}, upper={upper}"),
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The fused kernel computing this activation, if there is one (not for step, GELU, PReLU
    /// and RReLU).
    fn fused_kind(&self) -> Option<Kind> {
        Some(match *self {
            ActivationConfig::Identity => Kind::Identity,
            ActivationConfig::Sigmoid => Kind::Sigmoid,
            ActivationConfig::Tanh => Kind::Tanh,
            ActivationConfig::Relu => Kind::Relu,
            ActivationConfig::LeakyRelu { slope } => Kind::Leaky {
                slope: slope as f32,
            },
            ActivationConfig::Elu { alpha } => Kind::Elu {
                alpha: alpha as f32,
                scale: 1.0,
            },
            ActivationConfig::Selu => Kind::Elu {
                alpha: SELU_ALPHA as f32,
                scale: SELU_SCALE as f32,
            },
            _ => return None,
        })
    }

    /// Builds the activation module.
    pub fn init(&self, device: &Device) -> Activation {
        let prelu = match self {
            ActivationConfig::Prelu { init } => {
                Some(PReluConfig::new().with_alpha(*init).init(device))
            }
            _ => None,
        };
        let rrelu = match self {
            ActivationConfig::Rrelu { lower, upper } => Some(RandomSlope::new(*lower, *upper)),
            _ => None,
        };
        Activation {
            config: self.clone(),
            prelu,
            rrelu,
        }
    }
}

impl fmt::Display for ActivationConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActivationConfig::LeakyRelu { slope } => write!(f, "leaky_relu:{}", number(slope)),
            ActivationConfig::Rrelu { lower, upper } => {
                write!(f, "rrelu:{}:{}", number(lower), number(upper))
            }
            ActivationConfig::Prelu { init } => write!(f, "prelu:{}", number(init)),
            ActivationConfig::Elu { alpha } => write!(f, "elu:{}", number(alpha)),
            other => f.write_str(other.name()),
        }
    }
}

impl FromStr for ActivationConfig {
    type Err = Error;

    /// Parses `name` or `name:param[:param]`, e.g. `relu`, `leaky_relu:0.2`, `rrelu:0.1:0.3`.
    fn from_str(s: &str) -> Result<Self> {
        let spec = Spec::parse("activation", s);
        let name = spec.name.as_str();
        spec.at_most(match name {
            "rrelu" => 2,
            "leaky_relu" | "lrelu" | "prelu" | "elu" => 1,
            _ => 0,
        })?;
        let number = |i, default| spec.number(i, default);
        let config = match name {
            "identity" | "linear" | "none" => ActivationConfig::Identity,
            "step" => ActivationConfig::Step,
            "sigmoid" => ActivationConfig::Sigmoid,
            "tanh" => ActivationConfig::Tanh,
            "relu" => ActivationConfig::Relu,
            "leaky_relu" | "lrelu" => ActivationConfig::LeakyRelu {
                slope: number(0, 0.01)?,
            },
            "rrelu" => ActivationConfig::Rrelu {
                lower: number(0, 1.0 / 8.0)?,
                upper: number(1, 1.0 / 3.0)?,
            },
            "prelu" => ActivationConfig::Prelu {
                init: number(0, 0.25)?,
            },
            "elu" => ActivationConfig::Elu {
                alpha: number(0, 1.0)?,
            },
            "gelu" => ActivationConfig::Gelu,
            "selu" => ActivationConfig::Selu,
            _ => {
                return Err(Error::Unknown {
                    what: "activation",
                    got: s.to_string(),
                    valid: ACTIVATION_NAMES.to_string(),
                })
            }
        };
        config.validate()?;
        Ok(config)
    }
}

/// An activation as a Burn module (PReLU holds a learnable slope, RReLU a training flag and its
/// slope stream).
///
/// Every activation is finite, with a finite gradient, for every finite input whose value fits in
/// f32: nothing computes `e^x` for x > 0 (`e^x` overflows above x ≈ 88.7 and the unused branch of a
/// select would then give the gradient 0·∞ = NaN, as Burn's `elu`, `selu` and `celu` do).
#[derive(Module, Debug)]
pub struct Activation {
    #[module(skip)]
    config: ActivationConfig,
    pub(crate) prelu: Option<PRelu>,
    rrelu: Option<RandomSlope>,
}

/// SELU's constants, as PyTorch's `nn.SELU` (Klambauer et al. 2017).
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

impl Activation {
    /// What this activation is.
    pub fn config(&self) -> &ActivationConfig {
        &self.config
    }

    /// Restarts RReLU's slope stream at `seed` (nothing else here is random).
    pub fn reseed(&self, seed: u64) {
        if let Some(rrelu) = &self.rrelu {
            rrelu.reseed(seed);
        }
    }

    /// The activation as a fused pass on `x`, where [`fused`] applies and it has one.
    pub(crate) fn fused_kind<const D: usize>(&self, x: &Tensor<D>) -> Option<Kind> {
        self.config.fused_kind().filter(|_| fused::applies(x))
    }

    /// Applies the activation element-wise.
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        self.forward_masked(x, None)
    }

    /// `act(x)·mask`: one fused pass where [`fused`] applies (flex), the activation's tensor ops
    /// and then the mask's product elsewhere.
    pub fn forward_masked<const D: usize>(&self, x: Tensor<D>, mask: Option<Mask>) -> Tensor<D> {
        if let Some(kind) = self.fused_kind(&x) {
            return fused::activation(x, kind, mask);
        }
        let y = self.forward_plain(x);
        match mask {
            Some(mask) => dropout::apply(y, mask),
            None => y,
        }
    }

    /// The activation from Burn's tensor ops (every backend, every activation).
    fn forward_plain<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match &self.config {
            ActivationConfig::Identity => x,
            ActivationConfig::Step => x.greater_elem(0.0).float(),
            // Burn's sigmoid and tanh never overflow: σ(−1000) = 0 with gradient σ(1 − σ) = 0
            ActivationConfig::Sigmoid => act::sigmoid(x),
            ActivationConfig::Tanh => act::tanh(x),
            ActivationConfig::Relu => act::relu(x),
            ActivationConfig::LeakyRelu { slope } => leaky(x, *slope),
            ActivationConfig::Elu { alpha } => elu(x, *alpha),
            ActivationConfig::Gelu => gelu(x),
            ActivationConfig::Selu => elu(x, SELU_ALPHA).mul_scalar(SELU_SCALE),
            ActivationConfig::Prelu { .. } => match &self.prelu {
                // the learned [1] slope, broadcast over x
                Some(prelu) => leaky_by(x, prelu.alpha.val().reshape([1; D])),
                None => unreachable!("a prelu activation is always built with its slope"),
            },
            ActivationConfig::Rrelu { .. } => match &self.rrelu {
                Some(rrelu) => rrelu.forward(x),
                None => unreachable!("an rrelu activation is always built with its flag"),
            },
        }
    }

    /// Learnable parameters (PReLU's slope; zero for the others).
    pub fn num_params(&self) -> usize {
        Module::num_params(self)
    }
}

/// Leaky ReLU `relu(x) + slope·min(x, 0)`: no select, and PyTorch's gradient at 0 (the slope:
/// `min(x, 0)` passes the gradient at x = 0, `relu` does not).
pub(crate) fn leaky<const D: usize>(x: Tensor<D>, slope: f64) -> Tensor<D> {
    act::relu(x.clone()) + x.clamp_max(0.0).mul_scalar(slope)
}

/// [`leaky`] with a slope tensor: one per value (RReLU while training) or one broadcast (PReLU).
pub(crate) fn leaky_by<const D: usize>(x: Tensor<D>, slope: Tensor<D>) -> Tensor<D> {
    act::relu(x.clone()) + x.clamp_max(0.0) * slope
}

/// ELU `relu(x) + α(e^min(x,0) − 1)`: the exponential only ever sees x ≤ 0, so it cannot
/// overflow (Burn's `elu` and `selu` take e^x of every x and select: NaN gradients above
/// x ≈ 88.7); no compare-and-select either (flex's mask_where is slow: W3 ELU steps −19 %).
fn elu<const D: usize>(x: Tensor<D>, alpha: f64) -> Tensor<D> {
    let negative = x.clone().clamp_max(0.0).exp().sub_scalar(1.0);
    act::relu(x) + negative.mul_scalar(alpha)
}

/// GELU `x/2 · (1 + erf(x/√2))`, composed from `erf` so that autodiff gives the exact gradient
/// `Φ(x) + x·φ(x)` on every backend: Burn's `gelu` backward on ndarray and wgpu is the derivative
/// of the tanh approximation instead (up to 9·10⁻⁴ off, near x = −2) and NaN once x³ overflows
/// (|x| > 7·10¹²). `x/2` first, so that `x·2` cannot overflow.
fn gelu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let cdf = x
        .clone()
        .div_scalar(std::f64::consts::SQRT_2)
        .erf()
        .add_scalar(1.0);
    x.mul_scalar(0.5) * cdf
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    /// The tutorial's hidden vector H = (1, −2, 3, −4, 7).
    const H: [f32; 5] = [1.0, -2.0, 3.0, -4.0, 7.0];

    fn apply(name: &str, input: &[f32]) -> Vec<f32> {
        let device = Device::flex();
        let config: ActivationConfig = name.parse().expect("a known activation");
        let x = Tensor::<1>::from_data(TensorData::new(input.to_vec(), [input.len()]), &device);
        config
            .init(&device)
            .forward(x)
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32 data")
    }

    fn assert_close(got: &[f32], want: &[f32]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-4, "got {got:?}, want {want:?}");
        }
    }

    #[test]
    fn step_turns_the_tutorial_vector_into_ones_and_zeros() {
        assert_eq!(apply("step", &H), vec![1.0, 0.0, 1.0, 0.0, 1.0]);
    }

    #[test]
    fn relu_zeroes_the_negative_entries_of_the_tutorial_vector() {
        assert_eq!(apply("relu", &H), vec![1.0, 0.0, 3.0, 0.0, 7.0]);
    }

    #[test]
    fn sigmoid_is_one_half_at_zero_and_symmetric() {
        // σ(0) = 1/2, σ(ln 3) = 3/4, σ(−ln 3) = 1/4
        assert_close(
            &apply("sigmoid", &[0.0, 3f32.ln(), -(3f32.ln())]),
            &[0.5, 0.75, 0.25],
        );
    }

    #[test]
    fn tanh_matches_its_exponential_definition() {
        // tanh(ln 2) = (2 − 1/2) / (2 + 1/2) = 0.6
        assert_close(
            &apply("tanh", &[0.0, 2f32.ln(), -(2f32.ln())]),
            &[0.0, 0.6, -0.6],
        );
    }

    #[test]
    fn leaky_relu_scales_negatives_by_its_slope() {
        assert_close(
            &apply("leaky_relu:0.1", &[-2.0, 0.0, 3.0]),
            &[-0.2, 0.0, 3.0],
        );
        assert_close(&apply("leaky_relu", &[-100.0]), &[-1.0]);
    }

    #[test]
    fn rrelu_uses_the_mean_slope_outside_training() {
        // (0.1 + 0.3) / 2 = 0.2 on a device without autodiff
        assert_close(&apply("rrelu:0.1:0.3", &[-2.0, 5.0]), &[-0.4, 5.0]);
    }

    #[test]
    fn prelu_starts_with_its_initial_slope_and_learns_it() {
        assert_close(&apply("prelu:0.25", &[-4.0, 4.0]), &[-1.0, 4.0]);
        let device = Device::flex().autodiff();
        let prelu = "prelu:0.25"
            .parse::<ActivationConfig>()
            .expect("prelu")
            .init(&device);
        assert_eq!(prelu.num_params(), 1);
        // ∂/∂a Σ wᵢ·prelu(xᵢ) = Σ wᵢ·min(xᵢ, 0) = 1·(−4) + 2·(−1) = −6
        let x =
            Tensor::<1>::from_data(TensorData::new(vec![-4.0f32, -1.0, 2.0, 3.0], [4]), &device);
        let w = Tensor::<1>::from_data(TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0], [4]), &device);
        let grads = (prelu.forward(x) * w).sum().backward();
        let slope = prelu.prelu.as_ref().expect("a slope").alpha.val();
        let grad = slope.grad(&grads).expect("the slope has a gradient");
        assert_close(&grad.into_data().try_to_vec::<f32>().expect("f32"), &[-6.0]);
    }

    #[test]
    fn elu_bends_negatives_towards_minus_alpha() {
        // α(e^−ln2 − 1) = α(1/2 − 1) = −α/2
        assert_close(&apply("elu:2", &[-(2f32.ln()), 1.5]), &[-1.0, 1.5]);
    }

    #[test]
    fn elu_matches_burns_elu_and_its_derivative_alpha_e_to_the_x() {
        let xs = [-5.0f32, -1.0, -0.1, 0.1, 1.0, 5.0, 100.0];
        let burn_elu = {
            let device = Device::flex();
            let x = Tensor::<1>::from_data(TensorData::new(xs.to_vec(), [xs.len()]), &device);
            act::elu(x, 1.5)
                .into_data()
                .try_to_vec::<f32>()
                .expect("f32")
        };
        assert_close(&apply("elu:1.5", &xs), &burn_elu);
        let device = Device::flex().autodiff();
        let x = Tensor::<1>::from_data(TensorData::new(xs.to_vec(), [xs.len()]), &device)
            .require_grad();
        let y = ActivationConfig::Elu { alpha: 1.5 }
            .init(&device)
            .forward(x.clone());
        let grads = y.sum().backward();
        let dx = x
            .grad(&grads)
            .expect("a gradient")
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32");
        let want: Vec<f32> = xs
            .iter()
            .map(|&v| if v > 0.0 { 1.0 } else { 1.5 * v.exp() })
            .collect();
        assert_close(&dx, &want);
    }

    #[test]
    fn gelu_is_x_times_the_normal_cdf() {
        // Φ(1) = 0.841345, Φ(−1) = 0.158655
        assert_close(
            &apply("gelu", &[0.0, 1.0, -1.0]),
            &[0.0, 0.841345, -0.158655],
        );
    }

    #[test]
    fn selu_scales_positives_by_lambda() {
        // λ = 1.050701, λα = 1.758099: selu(1) = λ, selu(−∞) → −λα
        assert_close(&apply("selu", &[1.0, -30.0]), &[1.050701, -1.758099]);
    }

    #[test]
    fn identity_changes_nothing() {
        assert_eq!(apply("identity", &H), H.to_vec());
    }

    #[test]
    fn an_unknown_name_lists_the_valid_ones() {
        let err = "swish".parse::<ActivationConfig>().unwrap_err().to_string();
        assert!(err.contains("unknown activation `swish`"), "{err}");
        assert!(err.contains("leaky_relu"), "{err}");
    }

    #[test]
    fn rrelu_bounds_in_the_wrong_order_are_refused() {
        let err = "rrelu:0.5:0.1"
            .parse::<ActivationConfig>()
            .unwrap_err()
            .to_string();
        assert!(err.contains("lower must be <= upper"), "{err}");
    }

    #[test]
    fn names_round_trip_through_display() {
        for name in [
            "relu",
            "leaky_relu:0.2",
            "rrelu:0.1:0.3",
            "prelu:0.5",
            "elu:1.5",
            "selu",
        ] {
            let config: ActivationConfig = name.parse().expect("known");
            assert_eq!(config.to_string(), name);
        }
    }
}
