//! Weight initialisation: choose the starting standard deviation so signals neither vanish nor explode.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::activation::ActivationConfig;
use crate::check::positive;
use crate::error::{Error, Result};
use crate::random::Generator;
use crate::spec::{number, Spec};

/// How the weights of each Linear layer start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)] // {"normal": {"sdt": 0.1}} names `sdt`
pub enum InitConfig {
    /// PyTorch's `nn.Linear` default (and Burn's): U(−1/√fan_in, 1/√fan_in) for weights and biases.
    #[default]
    Default,
    /// He / Kaiming normal: N(0, gain²/fan_in), gain from the activation (√2 for ReLU); zero biases.
    HeNormal,
    /// He / Kaiming uniform: U(−gain·√(3/fan_in), +gain·√(3/fan_in)); zero biases.
    HeUniform,
    /// Xavier / Glorot normal: N(0, 2/(fan_in+fan_out)); zero biases.
    XavierNormal,
    /// Xavier / Glorot uniform: U(−√(6/(fan_in+fan_out)), +√(6/(fan_in+fan_out))); zero biases.
    XavierUniform,
    /// N(0, std²) whatever the layer size; zero biases. Too large a `std` makes signals and
    /// gradients explode in deep nets — the problem the other schemes solve.
    Normal {
        /// Standard deviation of every weight.
        std: f64,
    },
}

const INIT_NAMES: &str =
    "default, he_normal, he_uniform, xavier_normal, xavier_uniform, normal:STD";

impl InitConfig {
    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            InitConfig::Default => "default",
            InitConfig::HeNormal => "he_normal",
            InitConfig::HeUniform => "he_uniform",
            InitConfig::XavierNormal => "xavier_normal",
            InitConfig::XavierUniform => "xavier_uniform",
            InitConfig::Normal { .. } => "normal",
        }
    }

    /// Refuses a `normal` deviation that is not a positive f32, however it was given (a config
    /// file's `{"normal": {"std": -1}}` as the flag's `normal:-1`); a new run's check, since a
    /// trained run's weights no longer depend on it.
    pub fn validate(self) -> Result<()> {
        match self {
            InitConfig::Normal { std } => positive("normal:STD", std),
            _ => Ok(()),
        }
    }

    /// The distribution of the weights of a `fan_in → fan_out` layer followed by `activation`.
    pub fn weights(self, activation: &ActivationConfig, fan_in: usize, fan_out: usize) -> Draw {
        let (fan_in, fan_out) = (fan_in as f64, fan_out as f64);
        let gain = he_gain(activation);
        match self {
            InitConfig::Default => Draw::Uniform(1.0 / fan_in.sqrt()),
            InitConfig::HeNormal => Draw::Normal(gain / fan_in.sqrt()),
            InitConfig::HeUniform => Draw::Uniform(gain * (3.0 / fan_in).sqrt()),
            InitConfig::XavierNormal => Draw::Normal((2.0 / (fan_in + fan_out)).sqrt()),
            InitConfig::XavierUniform => Draw::Uniform((6.0 / (fan_in + fan_out)).sqrt()),
            InitConfig::Normal { std } => Draw::Normal(std),
        }
    }

    /// The distribution of the biases: PyTorch's U(−1/√fan_in, 1/√fan_in) for the default, zeros
    /// for every other scheme.
    pub fn biases(self, fan_in: usize) -> Draw {
        match self {
            InitConfig::Default => Draw::Uniform(1.0 / (fan_in as f64).sqrt()),
            _ => Draw::Zeros,
        }
    }
}

/// How a tensor's starting values are drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Draw {
    /// U(−a, a).
    Uniform(f64),
    /// N(0, std²).
    Normal(f64),
    /// All zeros.
    Zeros,
}

impl Draw {
    /// `n` values from `generator` (none drawn for zeros).
    pub fn values(self, n: usize, generator: &mut Generator) -> Vec<f32> {
        match self {
            Draw::Uniform(a) => generator.uniform(n, -a, a),
            Draw::Normal(std) => generator.normal(n, 0.0, std),
            Draw::Zeros => vec![0.0; n],
        }
    }
}

/// PyTorch's `calculate_gain`: √2 for ReLU-like units, √(2/(1+s²)) for leaky slope s, 5/3 for tanh.
pub fn he_gain(activation: &ActivationConfig) -> f64 {
    match activation {
        ActivationConfig::Identity | ActivationConfig::Sigmoid | ActivationConfig::Step => 1.0,
        ActivationConfig::Tanh => 5.0 / 3.0,
        ActivationConfig::Selu => 0.75,
        ActivationConfig::LeakyRelu { slope } => (2.0 / (1.0 + slope * slope)).sqrt(),
        ActivationConfig::Prelu { init } => (2.0 / (1.0 + init * init)).sqrt(),
        ActivationConfig::Rrelu { lower, upper } => {
            let slope = (lower + upper) / 2.0;
            (2.0 / (1.0 + slope * slope)).sqrt()
        }
        ActivationConfig::Relu | ActivationConfig::Elu { .. } | ActivationConfig::Gelu => {
            2.0f64.sqrt()
        }
    }
}

impl fmt::Display for InitConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitConfig::Normal { std } => write!(f, "normal:{}", number(std)),
            other => f.write_str(other.name()),
        }
    }
}

impl FromStr for InitConfig {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let spec = Spec::parse("initialisation", s);
        let name = spec.name.clone();
        spec.at_most(usize::from(name == "normal"))?;
        if name == "normal" {
            let std = spec.number(0, f64::NAN)?;
            positive("normal:STD", std)?;
            return Ok(InitConfig::Normal { std });
        }
        Ok(match name.as_str() {
            "default" => InitConfig::Default,
            "he" | "he_normal" | "kaiming" | "kaiming_normal" => InitConfig::HeNormal,
            "he_uniform" | "kaiming_uniform" => InitConfig::HeUniform,
            "xavier" | "glorot" | "xavier_normal" | "glorot_normal" => InitConfig::XavierNormal,
            "xavier_uniform" | "glorot_uniform" => InitConfig::XavierUniform,
            _ => {
                return Err(Error::Unknown {
                    what: "initialisation",
                    got: s.to_string(),
                    valid: INIT_NAMES.to_string(),
                })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MlpConfig;
    use burn::tensor::Device;

    /// Fan-in and fan-out of the layer drawn: unequal, so fan_in, fan_out and their sum give
    /// different figures, and a swapped fan shows.
    const FAN_IN: f64 = 1000.0;
    const FAN_OUT: f64 = 250.0;

    /// Sample standard deviation, largest |weight| and largest |bias| of the first layer of a
    /// 1000 → 250 network.
    fn drawn(init: InitConfig, activation: ActivationConfig) -> (f64, f64, f32) {
        let device = Device::flex();
        let mut config = MlpConfig::new(FAN_IN as usize, vec![FAN_OUT as usize], 1);
        config.init = init;
        config.activation = activation;
        let mlp = config.init(&device, 7).expect("valid config");
        let w = mlp.blocks[0]
            .linear
            .weight
            .val()
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32");
        let mean = w.iter().map(|&v| v as f64).sum::<f64>() / w.len() as f64;
        let var = w.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / w.len() as f64;
        let bias = mlp.blocks[0].linear.bias.as_ref().expect("bias").val();
        let max_bias = bias.abs().max().into_scalar::<f32>();
        let max = w.iter().map(|v| v.abs() as f64).fold(0.0, f64::max);
        (var.sqrt(), max, max_bias)
    }

    /// The largest of 250 000 draws of U(−b, b) lies within 1 % of b (the chance it does not is
    /// 0.99^250000); a normal draw of the same std passes b in 8 % of its draws.
    fn assert_bound(max: f64, bound: f64) {
        assert!(
            max <= bound && max > 0.99 * bound,
            "max |w| {max}, bound {bound}"
        );
    }

    // With 250 000 samples the sample std is within ~0.3 % of the true one; 2 % leaves a margin.
    fn assert_std(got: f64, want: f64) {
        assert!(
            (got / want - 1.0).abs() < 0.02,
            "std {got}, expected {want}"
        );
    }

    #[test]
    fn he_normal_has_std_sqrt_two_over_fan_in_for_relu_and_zero_biases() {
        let (std, max, bias) = drawn(InitConfig::HeNormal, ActivationConfig::Relu);
        assert_std(std, (2.0 / FAN_IN).sqrt());
        // a normal's tails: 0.27 % of 250 000 draws pass 3σ; a uniform's stop at √3·σ
        assert!(max > 3.0 * std, "{max}");
        assert_eq!(bias, 0.0);
    }

    #[test]
    fn he_uniform_has_the_same_std_as_he_normal_within_sqrt_six_over_fan_in() {
        let (std, max, _) = drawn(InitConfig::HeUniform, ActivationConfig::Relu);
        assert_std(std, (2.0 / FAN_IN).sqrt());
        assert_bound(max, (6.0 / FAN_IN).sqrt());
    }

    #[test]
    fn xavier_normal_has_std_sqrt_two_over_fan_in_plus_fan_out() {
        let (std, _, bias) = drawn(InitConfig::XavierNormal, ActivationConfig::Tanh);
        assert_std(std, (2.0 / (FAN_IN + FAN_OUT)).sqrt());
        assert_eq!(bias, 0.0);
    }

    #[test]
    fn xavier_uniform_has_the_same_std_as_xavier_normal_within_sqrt_six_over_the_fans() {
        let (std, max, _) = drawn(InitConfig::XavierUniform, ActivationConfig::Tanh);
        assert_std(std, (2.0 / (FAN_IN + FAN_OUT)).sqrt());
        assert_bound(max, (6.0 / (FAN_IN + FAN_OUT)).sqrt());
    }

    #[test]
    fn the_default_is_pytorchs_uniform_over_one_over_sqrt_fan_in_with_nonzero_biases() {
        // U(−a, a) with a = 1/√fan_in has std a/√3
        let (std, max, bias) = drawn(InitConfig::Default, ActivationConfig::Relu);
        assert_std(std, 1.0 / (FAN_IN.sqrt() * 3.0f64.sqrt()));
        assert_bound(max, 1.0 / FAN_IN.sqrt());
        assert!(bias > 0.0);
    }

    #[test]
    fn a_fixed_normal_ignores_the_layer_size() {
        let (std, _, bias) = drawn("normal:0.5".parse().expect("valid"), ActivationConfig::Relu);
        assert_std(std, 0.5);
        assert_eq!(bias, 0.0);
        assert!("normal:-1".parse::<InitConfig>().is_err());
    }

    #[test]
    fn he_gain_follows_pytorch_calculate_gain() {
        assert!((he_gain(&ActivationConfig::Relu) - 2f64.sqrt()).abs() < 1e-12);
        assert!((he_gain(&ActivationConfig::Tanh) - 5.0 / 3.0).abs() < 1e-12);
        let leaky = he_gain(&ActivationConfig::LeakyRelu { slope: 0.01 });
        assert!((leaky - (2.0f64 / 1.0001).sqrt()).abs() < 1e-12);
    }
}
