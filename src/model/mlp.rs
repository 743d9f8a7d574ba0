//! The multilayer perceptron: `H = act(X·W1 + b1)`, …, `Y = H·Wn + bn`.

use burn::module::{Module, Param};
use burn::nn::{BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig};
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use super::activation::{Activation, ActivationConfig};
use super::init::InitConfig;
use crate::error::{Error, Result};

/// Everything needed to build an [`Mlp`]; saved as JSON in every run directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpConfig {
    /// Number of input features (2 for a point (x, y); 784 for a 28×28 image).
    pub inputs: usize,
    /// Width of each hidden layer, first to last (the tutorial uses one of 50).
    pub hidden: Vec<usize>,
    /// Number of outputs: classes for classification, values for regression.
    pub outputs: usize,
    /// Activation after every hidden layer.
    #[serde(default = "relu")]
    pub activation: ActivationConfig,
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
        self.activation.validate()?;
        self.output_activation.validate()?;
        let params = self.num_params();
        if params > MAX_PARAMS {
            return Err(Error::invalid(
                "network size",
                format!(
                    "{params} parameters would need {:.1} GiB for weights alone (limit {MAX_PARAMS})",
                    params as f64 * 4.0 / (1u64 << 30) as f64
                ),
            ));
        }
        Ok(())
    }

    /// Layer widths from input to output: `[inputs, hidden.., outputs]`.
    pub fn widths(&self) -> Vec<usize> {
        let mut widths = vec![self.inputs];
        widths.extend(&self.hidden);
        widths.push(self.outputs);
        widths
    }

    /// Trainable parameters, computed from the sizes alone (no allocation).
    pub fn num_params(&self) -> usize {
        let widths = self.widths();
        let linear: usize = widths
            .windows(2)
            .map(|w| w[0].saturating_mul(w[1]) + w[1])
            .sum();
        let norm: usize = if self.batch_norm {
            self.hidden.iter().map(|h| 2 * h).sum()
        } else {
            0
        };
        let prelu = |a: &ActivationConfig| usize::from(matches!(a, ActivationConfig::Prelu { .. }));
        let act = self.hidden.len() * prelu(&self.activation) + prelu(&self.output_activation);
        linear + norm + act
    }

    /// Builds the network on `device` after checking the config.
    pub fn init(&self, device: &Device) -> Result<Mlp> {
        self.validate()?;
        let widths = self.widths();
        let blocks = widths[..widths.len() - 1]
            .windows(2)
            .map(|w| Block {
                linear: self.linear(w[0], w[1], &self.activation, device),
                norm: self
                    .batch_norm
                    .then(|| BatchNormConfig::new(w[1]).init(device)),
                activation: self.activation.init(device),
                dropout: (self.dropout > 0.0).then(|| DropoutConfig::new(self.dropout).init()),
            })
            .collect();
        let last = widths[widths.len() - 2];
        Ok(Mlp {
            blocks,
            output: self.linear(last, self.outputs, &self.output_activation, device),
            output_activation: self.output_activation.init(device),
        })
    }

    fn linear(
        &self,
        d_in: usize,
        d_out: usize,
        next: &ActivationConfig,
        device: &Device,
    ) -> Linear {
        let mut linear = LinearConfig::new(d_in, d_out)
            .with_initializer(self.init.initializer(next))
            .init(device);
        if self.init.zero_bias() {
            linear.bias = Some(Param::from_tensor(Tensor::zeros([d_out], device)));
        }
        linear
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
    /// `act(norm(X·W + b))`, then dropout.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let x = self.linear.forward(x); // [batch, units]
        let x = match &self.norm {
            Some(norm) => norm.forward(x),
            None => x,
        };
        let x = self.activation.forward(x);
        match &self.dropout {
            Some(dropout) => dropout.forward(x),
            None => x,
        }
    }
}

/// A multilayer perceptron as a Burn module: runs on any backend the device names.
#[derive(Module, Debug)]
pub struct Mlp {
    /// Hidden blocks, input side first.
    pub blocks: Vec<Block>,
    /// The output layer.
    pub output: Linear,
    /// The output activation (identity unless configured).
    pub output_activation: Activation,
}

impl Mlp {
    /// Logits (classification) or values (regression): `[batch, inputs] → [batch, outputs]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let x = self.blocks.iter().fold(x, |x, block| block.forward(x)); // [batch, last hidden]
        let x = self.output.forward(x); // [batch, outputs]
        self.output_activation.forward(x)
    }

    /// Class probabilities: `softmax(forward(x))`, each row sums to 1.
    pub fn probabilities(&self, x: Tensor<2>) -> Tensor<2> {
        softmax(self.forward(x), 1)
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
