//! What a network is: its widths, activations, BatchNorm, dropout, initialisation and added
//! features, checked before anything is allocated, and built into an [`Mlp`].

use burn::module::Param;
use burn::nn::{BatchNormConfig, Initializer, Linear, LinearConfig};
use burn::tensor::{Device, TensorData};
use serde::{Deserialize, Serialize};

use super::activation::ActivationConfig;
use super::block::Block;
use super::dropout::Dropout;
use super::features::{AddedFeature, FeatureMap};
use super::init::InitConfig;
use super::mlp::{FrozenPrefix, Mlp};
use crate::error::{Error, Result};
use crate::random::Generator;

/// Everything needed to build an [`Mlp`]; saved as JSON in every run directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlpConfig {
    /// Number of input features (2 for a point (x, y); 784 for a 28×28 image).
    pub inputs: usize,
    /// Width of each hidden layer, first to last (the tutorial uses one of 50).
    pub hidden: Vec<usize>,
    /// Number of outputs: classes for classification, values for regression.
    pub outputs: usize,
    /// Activation after every hidden layer (unless `activations` names one per layer).
    #[serde(default = "relu")]
    pub activation: ActivationConfig,
    /// One activation per hidden layer, input side first, like Keras' `Dense(…, activation=…)`;
    /// empty: `activation` for all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activations: Vec<ActivationConfig>,
    /// Inputs computed from the given ones before the first layer (x², x·y, sin x).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_features: Vec<AddedFeature>,
    /// Activation after the output layer (identity: the outputs are logits or values).
    #[serde(default = "identity")]
    pub output_activation: ActivationConfig,
    /// Weight initialisation scheme.
    #[serde(default)]
    pub init: InitConfig,
    /// Batch Normalization between each hidden Linear layer and its activation.
    #[serde(default)]
    pub batch_norm: bool,
    /// Dropout probability after each hidden activation (0 = off).
    #[serde(default)]
    pub dropout: f64,
}

fn relu() -> ActivationConfig {
    ActivationConfig::Relu
}

fn identity() -> ActivationConfig {
    ActivationConfig::Identity
}

/// The most parameters plaindnn builds (2 GiB of f32 weights); larger sizes are refused up front.
pub const MAX_PARAMS: usize = 500_000_000;

impl MlpConfig {
    /// A plain ReLU network with default initialisation and no normalisation or dropout.
    pub fn new(inputs: usize, hidden: Vec<usize>, outputs: usize) -> Self {
        Self {
            inputs,
            hidden,
            outputs,
            activation: ActivationConfig::Relu,
            activations: Vec::new(),
            add_features: Vec::new(),
            output_activation: ActivationConfig::Identity,
            init: InitConfig::Default,
            batch_norm: false,
            dropout: 0.0,
        }
    }

    /// Rejects sizes and probabilities that make no sense, naming the value.
    pub fn validate(&self) -> Result<()> {
        if self.inputs == 0 {
            return Err(Error::invalid(
                "inputs",
                "a network needs at least one input, got 0",
            ));
        }
        if self.outputs == 0 {
            return Err(Error::invalid(
                "outputs",
                "a network needs at least one output, got 0",
            ));
        }
        if let Some(i) = self.hidden.iter().position(|&w| w == 0) {
            return Err(Error::invalid(
                "hidden",
                format!(
                    "hidden layer {} has width 0; every layer needs at least one unit",
                    i + 1
                ),
            ));
        }
        if !self.dropout.is_finite() || !(0.0..1.0).contains(&self.dropout) {
            return Err(Error::invalid(
                "dropout",
                format!("must be in [0, 1), got {}", self.dropout),
            ));
        }
        self.validate_activations()?;
        // the map adds each kind once: a kind given twice would be recorded, not used, twice
        let added = &self.add_features;
        if let Some(twice) = (added.iter().enumerate()).find(|(i, a)| added[..*i].contains(a)) {
            let why = format!(
                "`{}` given twice; each kind adds its features once",
                twice.1
            );
            return Err(Error::invalid("--add-features", why));
        }
        self.feature_map().validate(self.inputs)?;
        let params = self.num_params();
        if params > MAX_PARAMS {
            let gib = params as f64 * 4.0 / (1u64 << 30) as f64;
            let message = match params {
                usize::MAX => format!("more than 2^64 parameters (limit {MAX_PARAMS})"),
                n => format!(
                    "{n} parameters would need {gib:.1} GiB for weights alone (limit {MAX_PARAMS})"
                ),
            };
            return Err(Error::invalid("network size", message));
        }
        Ok(())
    }

    /// Dropout and BatchNorm follow hidden layers: without any they would do nothing, so training
    /// refuses them rather than ignore them (a saved network that has them still loads).
    pub fn without_hidden_layers(&self) -> Result<()> {
        if !self.hidden.is_empty() {
            return Ok(());
        }
        let why = "follows each hidden layer, and this network has none (only its output layer)";
        if self.dropout > 0.0 {
            return Err(Error::invalid("dropout", format!("dropout {why}")));
        }
        if self.batch_norm {
            return Err(Error::invalid("batch-norm", format!("BatchNorm {why}")));
        }
        Ok(())
    }

    /// One activation per hidden layer or none; each valid.
    fn validate_activations(&self) -> Result<()> {
        let (given, layers) = (self.activations.len(), self.hidden.len());
        if given > 0 && given != layers {
            return Err(Error::invalid(
                "activations",
                format!(
                    "{} for {}; give one for all or one per layer",
                    crate::plural::count(given, "activation"),
                    crate::plural::count(layers, "hidden layer")
                ),
            ));
        }
        for a in self
            .activations
            .iter()
            .chain([&self.activation, &self.output_activation])
        {
            a.validate()?;
        }
        Ok(())
    }

    /// The activation after hidden layer `i` (0 = input side).
    pub fn activation_of(&self, i: usize) -> &ActivationConfig {
        self.activations.get(i).unwrap_or(&self.activation)
    }

    /// The hidden activations as `--activation` takes them: `relu`, or `relu,tanh` per layer.
    pub fn activation_flag(&self) -> String {
        if self.activations.is_empty() {
            return self.activation.to_string();
        }
        let names: Vec<String> = self.activations.iter().map(|a| a.to_string()).collect();
        names.join(",")
    }

    /// The inputs the first layer sees: the given ones and the added features.
    pub fn feature_map(&self) -> FeatureMap {
        FeatureMap::new(&self.add_features)
    }

    /// Layer widths from input to output: `[inputs (with added features), hidden.., outputs]`.
    pub fn widths(&self) -> Vec<usize> {
        let mut widths = vec![self.feature_map().width(self.inputs)];
        widths.extend(&self.hidden);
        widths.push(self.outputs);
        widths
    }

    /// Parameters as Burn counts them (BatchNorm's running mean and variance included), from the
    /// sizes alone: no allocation.
    pub fn num_params(&self) -> usize {
        // saturating: a width near 2⁶⁴ must count as too many, not wrap round to a few
        let sum = |counts: &mut dyn Iterator<Item = usize>| counts.fold(0, usize::saturating_add);
        let widths = self.widths();
        let linear = sum(&mut widths
            .windows(2)
            .map(|w| w[0].saturating_mul(w[1]).saturating_add(w[1])));
        // BatchNorm: learned γ and β plus running mean and variance per unit
        let norm = match self.batch_norm {
            true => sum(&mut self.hidden.iter().map(|h| h.saturating_mul(4))),
            false => 0,
        };
        let prelu = |a: &ActivationConfig| usize::from(matches!(a, ActivationConfig::Prelu { .. }));
        let hidden: usize = (0..self.hidden.len())
            .map(|i| prelu(self.activation_of(i)))
            .sum();
        let act = hidden + prelu(&self.output_activation);
        sum(&mut [linear, norm, act].into_iter())
    }

    /// Builds the network on `device` after checking the config. The weights are drawn on the
    /// host from plaindnn's generator seeded with `seed`, layer by layer, W before b: the same
    /// seed gives bit-identical weights on every backend. Dropout and RReLU streams start from
    /// `seed` too.
    pub fn init(&self, device: &Device, seed: u64) -> Result<Mlp> {
        let mut generator = Generator::new(seed);
        self.build(device, seed, |d_in, d_out, next| {
            let weights = self.init.weights(next, d_in, d_out);
            let weight = weights.values(d_in * d_out, &mut generator);
            let bias = self.init.biases(d_in).values(d_out, &mut generator);
            Linear {
                weight: Param::from_data(TensorData::new(weight, [d_in, d_out]), device),
                bias: Some(Param::from_data(TensorData::new(bias, [d_out]), device)),
            }
        })
    }

    /// Builds the network with zero weights, for a record to overwrite: draws nothing, and
    /// allocates the weights only when the record arrives.
    pub fn init_for_loading(&self, device: &Device) -> Result<Mlp> {
        self.build(device, 0, |d_in, d_out, _| {
            LinearConfig::new(d_in, d_out)
                .with_initializer(Initializer::Zeros)
                .init(device)
        })
    }

    /// The blocks and the output layer, each Linear made by `linear(d_in, d_out, activation)`.
    fn build(
        &self,
        device: &Device,
        seed: u64,
        mut linear: impl FnMut(usize, usize, &ActivationConfig) -> Linear,
    ) -> Result<Mlp> {
        self.validate()?;
        let widths = self.widths();
        let blocks = widths[..widths.len() - 1]
            .windows(2)
            .enumerate()
            .map(|(i, w)| Block {
                linear: linear(w[0], w[1], self.activation_of(i)),
                norm: self
                    .batch_norm
                    .then(|| BatchNormConfig::new(w[1]).init(device)),
                activation: self.activation_of(i).init(device),
                dropout: (self.dropout > 0.0).then(|| Dropout::new(self.dropout)),
            })
            .collect();
        let last = widths[widths.len() - 2];
        let mlp = Mlp {
            frozen: FrozenPrefix::default(),
            features: self.feature_map(),
            blocks,
            output: linear(last, self.outputs, &self.output_activation),
            output_activation: self.output_activation.init(device),
        };
        mlp.reseed(seed);
        Ok(mlp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropout_outside_zero_to_one_is_refused_with_the_value() {
        let mut config = MlpConfig::new(2, vec![50], 4);
        config.dropout = 1.5;
        let err = config.init(&Device::flex(), 0).unwrap_err().to_string();
        assert_eq!(err, "invalid dropout: must be in [0, 1), got 1.5");
    }

    #[test]
    fn an_absurd_width_is_refused_before_allocation() {
        let config = MlpConfig::new(784, vec![100_000_000], 10);
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("GiB"), "{err}");
        // widths whose count passes 2⁶⁴ saturate instead of wrapping round to a small number
        // (2·(2⁶³−1) + 2⁶³−1 + (2⁶³−1)·4 + 4 wraps to 9 223 372 036 854 775 808 in u64)
        for hidden in [
            vec![usize::MAX],
            vec![usize::MAX / 3],
            vec![4, usize::MAX],
            vec![i64::MAX as usize],
        ] {
            let err = MlpConfig::new(2, hidden.clone(), 4)
                .validate()
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("more than 2^64 parameters"),
                "{hidden:?}: {err}"
            );
        }
    }
}
