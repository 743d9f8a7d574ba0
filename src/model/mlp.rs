//! The multilayer perceptron: `H = act(X·W1 + b1)`, …, `Y = H·Wn + bn`.

use burn::module::{Module, Param};
use burn::nn::{BatchNorm, BatchNormConfig, Initializer, Linear, LinearConfig};
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::activation::{Activation, ActivationConfig};
use super::batch_norm;
use super::dropout::Dropout;
use super::features::{AddedFeature, FeatureMap};
use super::init::InitConfig;
use super::linear;
use crate::error::{Error, Result};
use crate::random::{mix, Generator};

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
                format!("dropout must be in [0, 1), got {}", self.dropout),
            ));
        }
        self.validate_activations()?;
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
                "--activation",
                format!(
                    "{given} activations for {layers} hidden layer(s); give one for all or one per layer"
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

/// One hidden block: Linear → (BatchNorm) → activation → (Dropout).
#[derive(Module, Debug)]
pub struct Block {
    /// `Z = X·W + b`, W of shape [inputs, units].
    pub linear: Linear,
    /// Zero-centred, unit-variance inputs to the activation, then a learned scale and shift.
    pub norm: Option<BatchNorm>,
    /// The non-linearity.
    pub activation: Activation,
    /// Randomly silences units while training; off at inference.
    pub dropout: Option<Dropout>,
}

impl Block {
    /// Restarts the block's random streams (dropout's masks, RReLU's slopes) from `seed`.
    pub fn reseed(&self, seed: u64) {
        if let Some(dropout) = &self.dropout {
            dropout.reseed(mix(seed, 0));
        }
        self.activation.reseed(mix(seed, 1));
    }

    /// The block as a fixed feature extractor: BatchNorm on its running statistics
    /// `(Z − μ) / √(σ² + ε) · γ + β`, no dropout — Keras' `trainable = False`.
    pub fn forward_frozen(&self, x: Tensor<2>) -> Tensor<2> {
        let z = linear::forward(&self.linear, x); // [batch, units]
        let z = match &self.norm {
            Some(norm) => {
                let row = |t: Tensor<1>| t.unsqueeze::<2>(); // [1, units], broadcast over rows
                let scale = row(norm.running_var.value().add_scalar(norm.epsilon).sqrt());
                (z - row(norm.running_mean.value())) / scale * row(norm.gamma.val())
                    + row(norm.beta.val())
            }
            None => z,
        };
        self.activation.forward(z)
    }

    /// `act(norm(X·W + b))`, then dropout (with the activation in one pass on flex).
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let device = x.device();
        let mask = self.dropout.as_ref().and_then(|d| d.mask(&device));
        if self.norm.is_none() && mask.is_none() {
            // nothing between product and activation (inference with BatchNorm folded, or a
            // plain net): on flex at inference the activation runs on each band of the product
            // as soon as it is done; under autodiff these are the same two nodes as below
            return linear::forward_activated(&self.linear, x, &self.activation);
        }
        let x = linear::forward(&self.linear, x); // [batch, units]
        let x = match &self.norm {
            Some(norm) => batch_norm::forward(norm, x),
            None => x,
        };
        self.activation.forward_masked(x, mask)
    }
}

/// A multilayer perceptron as a Burn module: runs on any backend the device names.
///
/// ```
/// use burn::tensor::{Tensor, TensorData};
/// use plaindnn::{backend::Backend, model::{ActivationConfig, MlpConfig}};
/// # fn main() -> plaindnn::Result<()> {
/// // 2 inputs → 50 ELU units with BatchNorm → 4 logits (the quadrant net, "best configuration")
/// let mut config = MlpConfig::new(2, vec![50], 4);
/// config.activation = ActivationConfig::Elu { alpha: 1.0 };
/// config.batch_norm = true;
/// assert_eq!(config.num_params(), (2 * 50 + 50) + 4 * 50 + (50 * 4 + 4)); // W1 b1, γ β μ σ², W2 b2
///
/// let device = Backend::Flex.device()?;
/// let mlp = config.init(&device, 7)?; // seed 7: the same weights on every backend
/// let x = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 1.0, -1.0, -1.0], [2, 2]), &device);
/// let p = mlp.probabilities(x); // softmax of the logits
/// assert_eq!(p.dims(), [2, 4]);
/// let sums = p.sum_dim(1).into_data().try_to_vec::<f32>().unwrap();
/// assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-5));
/// # Ok(()) }
/// ```
#[derive(Module, Debug)]
pub struct Mlp {
    /// Hidden blocks, input side first.
    pub blocks: Vec<Block>,
    /// The output layer.
    pub output: Linear,
    /// The output activation (identity unless configured).
    pub output_activation: Activation,
    /// How many blocks, input side first, are frozen (shared by every clone of this network).
    #[module(skip)]
    pub frozen: FrozenPrefix,
    /// Inputs added before the first layer (x², x·y, sin x); no parameters.
    #[module(skip)]
    pub features: FeatureMap,
}

/// The number of leading hidden blocks kept fixed, shared between clones so a training loop can
/// unfreeze them mid-run. A frozen block runs [`Block::forward_frozen`] and its output is
/// detached, so its parameters get no gradient and its BatchNorm statistics do not move.
#[derive(Clone, Debug, Default)]
pub struct FrozenPrefix(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl FrozenPrefix {
    /// Blocks frozen now.
    pub fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Freezes the first `n` blocks (0 unfreezes all).
    pub fn set(&self, n: usize) {
        self.0.store(n, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Mlp {
    /// Restarts every random stream of the network (dropout masks, RReLU slopes) from `seed`,
    /// one stream per layer; the training loop calls it with (seed, epoch) at every epoch.
    /// Streams live in the layers and are shared by clones, so this reaches a network's copies
    /// inside the training loop; nothing is drawn from Burn's process-wide generator.
    pub fn reseed(&self, seed: u64) {
        for (i, block) in self.blocks.iter().enumerate() {
            block.reseed(mix(seed, i as u64));
        }
        self.output_activation
            .reseed(mix(seed, self.blocks.len() as u64));
    }

    /// Logits (classification) or values (regression): `[batch, inputs] → [batch, outputs]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let x = self.through_blocks(x, |_| ()); // [batch, last hidden]
        let x = linear::forward(&self.output, x); // [batch, outputs]
        self.output_activation.forward(x)
    }

    /// Class probabilities: `softmax(forward(x))`, each row sums to 1.
    pub fn probabilities(&self, x: Tensor<2>) -> Tensor<2> {
        softmax(self.forward(x), 1)
    }

    /// The output of every hidden block, input side first: `[batch, units]` each.
    pub fn hidden_outputs(&self, x: Tensor<2>) -> Vec<Tensor<2>> {
        let mut outputs = Vec::with_capacity(self.blocks.len());
        self.through_blocks(x, |h| outputs.push(h.clone()));
        outputs
    }

    /// Runs the hidden blocks (the frozen prefix as fixed feature extractors), showing `each`
    /// block's output.
    fn through_blocks(&self, x: Tensor<2>, mut each: impl FnMut(&Tensor<2>)) -> Tensor<2> {
        let frozen = self.frozen.get().min(self.blocks.len());
        let training = x.is_autodiff();
        // The frozen prefix runs off autodiff: its layers get no gradient, and a graph recorded
        // for them would never be walked back — Burn keeps such graphs, and every later
        // backward pass sweeps them all, so each step grew slower than the last.
        let mut x = self.features.expand(x);
        if training && frozen > 0 {
            x = x.inner();
        }
        for (i, block) in self.blocks.iter().enumerate() {
            x = match (i < frozen, training) {
                (true, true) => block.valid().forward_frozen(x),
                (true, false) => block.forward_frozen(x),
                (false, _) => block.forward(x),
            };
            if i + 1 == frozen && training {
                x = x.autodiff(); // a constant for the layers that learn
            }
            each(&x);
        }
        x
    }

    /// Every Linear layer, input side first (the output layer last).
    pub fn linears(&self) -> Vec<&Linear> {
        self.blocks
            .iter()
            .map(|b| &b.linear)
            .chain(std::iter::once(&self.output))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Summary;

    #[test]
    fn the_tutorial_network_2_50_4_has_354_parameters() {
        // (2·50 + 50) + (50·4 + 4) = 150 + 204
        let config = MlpConfig::new(2, vec![50], 4);
        let mlp = config.init(&Device::flex(), 0).expect("valid");
        assert_eq!(config.num_params(), 354);
        assert_eq!(mlp.num_params(), 354);
        assert_eq!(Summary::of(&mlp).total_params, 354);
    }

    #[test]
    fn batch_norm_adds_a_learned_scale_and_shift_and_two_running_statistics_per_unit() {
        let mut config = MlpConfig::new(2, vec![50], 4);
        config.batch_norm = true;
        let mlp = config.init(&Device::flex(), 0).expect("valid");
        assert_eq!(config.num_params(), 354 + 200);
        assert_eq!(mlp.num_params(), 354 + 200);
        assert_eq!(Summary::of(&mlp).trainable_params, 354 + 100);
        let summary = Summary::of(&mlp);
        let rows: Vec<&str> = summary.layers.iter().map(|l| l.kind.as_str()).collect();
        assert_eq!(rows, ["Linear", "BatchNorm", "relu", "Linear"]);
    }

    #[test]
    fn a_frozen_layer_counts_as_non_trainable_as_in_keras() {
        // 2 → 50 (BatchNorm) → 8 → 4, the first layer frozen: its Linear (150) and its BatchNorm
        // (100 learned + 100 running) are fixed, and the running statistics of none train
        let mut config = MlpConfig::new(2, vec![50, 8], 4);
        config.batch_norm = true;
        let mlp = config.init(&Device::flex(), 0).expect("valid");
        let total = (150 + 200) + (408 + 32) + 36;
        assert_eq!(Summary::of(&mlp).total_params, total);
        mlp.frozen.set(1);
        assert_eq!(Summary::of(&mlp).trainable_params, (408 + 16) + 36);
    }

    #[test]
    fn a_frozen_layer_drops_no_units_while_the_layers_that_learn_do() {
        // training mode (autodiff) against inference mode, dropout 0.5 on both hidden layers
        let device = Device::flex().autodiff();
        let mut config = MlpConfig::new(2, vec![64, 64], 4);
        config.dropout = 0.5;
        let mlp = config.init(&device, 0).expect("valid");
        mlp.reseed(3);
        let rows: Vec<f32> = (0..64).map(|i| i as f32 / 16.0 - 2.0).collect();
        let x = Tensor::<2>::from_data(TensorData::new(rows, [32, 2]), &device);
        let values = |t: &Tensor<2>| t.clone().into_data().try_to_vec::<f32>().expect("f32");
        let inference: Vec<_> = mlp.valid().hidden_outputs(x.clone().inner());
        mlp.frozen.set(1);
        let training = mlp.hidden_outputs(x);
        assert_eq!(
            values(&training[0]),
            values(&inference[0]),
            "frozen: every unit, unscaled"
        );
        assert_ne!(
            values(&training[1]),
            values(&inference[1]),
            "learning: dropout on"
        );
    }

    #[test]
    fn each_hidden_layer_gets_the_activation_listed_for_it() {
        let mut config = MlpConfig::new(2, vec![8, 8, 8], 4);
        config.activations = vec![
            ActivationConfig::Relu,
            ActivationConfig::Tanh,
            ActivationConfig::Prelu { init: 0.25 },
        ];
        let mlp = config.init(&Device::flex(), 0).expect("valid");
        let kinds: Vec<&str> = mlp
            .blocks
            .iter()
            .map(|b| b.activation.config().name())
            .collect();
        assert_eq!(kinds, ["relu", "tanh", "prelu"]);
        // one PReLU slope, in the third layer only
        assert_eq!(mlp.num_params(), config.num_params());
        assert_eq!(
            config.num_params(),
            (2 * 8 + 8) + 2 * (8 * 8 + 8) + (8 * 4 + 4) + 1
        );
        assert_eq!(config.activation_flag(), "relu,tanh,prelu:0.25");
    }

    #[test]
    fn added_features_widen_the_first_layer_and_feed_it() {
        use crate::model::AddedFeature;
        let mut config = MlpConfig::new(2, vec![3], 1);
        config.add_features = vec![AddedFeature::Square];
        let mut mlp = config.init(&Device::flex(), 0).expect("valid");
        assert_eq!(mlp.blocks[0].linear.weight.dims(), [4, 3]);
        // weights reading only x²: the hidden pre-activation of (3, −2) must be 9
        let w = [
            0.0f32, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ];
        mlp.blocks[0].linear.weight =
            Param::from_data(TensorData::new(w.to_vec(), [4, 3]), &Device::flex());
        mlp.blocks[0].linear.bias = None;
        let x =
            Tensor::<2>::from_data(TensorData::new(vec![3.0f32, -2.0], [1, 2]), &Device::flex());
        let h = mlp
            .hidden_outputs(x)
            .remove(0)
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32");
        assert_eq!(h, [9.0, 0.0, 0.0]); // relu(9), relu(0), relu(0)
    }

    #[test]
    fn dropout_outside_zero_to_one_is_refused_with_the_value() {
        let mut config = MlpConfig::new(2, vec![50], 4);
        config.dropout = 1.5;
        let err = config.init(&Device::flex(), 0).unwrap_err().to_string();
        assert_eq!(err, "invalid dropout: dropout must be in [0, 1), got 1.5");
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

    #[test]
    fn probabilities_sum_to_one_per_row() {
        let device = Device::flex();
        let mlp = MlpConfig::new(3, vec![8], 5)
            .init(&device, 0)
            .expect("valid");
        let x = Tensor::<2>::ones([4, 3], &device);
        let sums = mlp
            .probabilities(x)
            .sum_dim(1)
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32");
        for s in sums {
            assert!((s - 1.0).abs() < 1e-5, "{s}");
        }
    }
}
