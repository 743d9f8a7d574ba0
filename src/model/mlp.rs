//! The multilayer perceptron: `H = act(X·W1 + b1)`, …, `Y = H·Wn + bn`.

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::activation::softmax;
use burn::tensor::Tensor;

use super::activation::Activation;
use super::block::Block;
use super::features::FeatureMap;
use super::linear;
use crate::random::mix;

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
    use burn::module::Param;
    use burn::tensor::{Device, TensorData};

    use super::*;
    use crate::model::Summary;
    use crate::model::{ActivationConfig, MlpConfig};

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

    /// An outside audit: the summary showed PReLU's starting slope (`prelu:0.25`) beside a
    /// trained network whose exported slope was 0.3185.
    #[test]
    fn the_summary_shows_prelus_learnt_slope_not_its_starting_one() {
        let mut config = MlpConfig::new(2, vec![8], 4);
        config.activation = ActivationConfig::Prelu { init: 0.25 };
        let mut mlp = config.init(&Device::flex(), 0).expect("valid");
        let prelu = mlp.blocks[0].activation.prelu.as_mut().expect("a PReLU");
        let learnt = Tensor::<1>::from_data(TensorData::from([0.3185f32]), &Device::flex());
        prelu.alpha = burn::module::Param::from_tensor(learnt);
        let summary = Summary::of(&mlp);
        assert_eq!(summary.layers[1].kind, "prelu (slope 0.3185)");
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
