//! The tutorial's worked forward pass ("one question shows the essence"), with its exact weights.
//!
//! Inputs x = (3, 4); every activation is ReLU.
//! Layer 1: n1 = max(3·1 + 4·(−1) + 9, 0) = 8, n2 = max(3·2 + 4·0 − 3, 0) = 3.
//! Layer 2: y1 = max(8·4 + 3·3 + 5, 0) = 46, y2 = max(8·(−2) + 3·1 + 0, 0) = 0.

use burn::module::Param;
use burn::tensor::{Device, Tensor, TensorData};
use serde::Serialize;

use super::activation::ActivationConfig;
use super::read_f32;
use super::{Mlp, MlpConfig};
use crate::error::Result;

/// The tutorial's inputs.
pub const INPUTS: [f32; 2] = [3.0, 4.0];

/// What the worked example computes at each layer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkedExample {
    /// The inputs (3, 4).
    pub inputs: [f32; 2],
    /// Hidden neurons after ReLU: (8, 3).
    pub hidden: Vec<f32>,
    /// Outputs after ReLU: (46, 0).
    pub outputs: Vec<f32>,
}

/// The 2-2-2 ReLU network with the tutorial's weights and biases loaded.
///
/// Burn stores a Linear weight as [inputs, units]: column j holds neuron j's incoming weights.
pub fn network(device: &Device) -> Result<Mlp> {
    let mut config = MlpConfig::new(2, vec![2], 2);
    config.output_activation = ActivationConfig::Relu;
    let mut mlp = config.init_for_loading(device)?; // every weight is set below
    let matrix = |rows: [[f32; 2]; 2]| {
        let values: Vec<f32> = rows.iter().flatten().copied().collect();
        Param::from_tensor(Tensor::from_data(TensorData::new(values, [2, 2]), device))
    };
    let vector = |v: [f32; 2]| {
        Some(Param::from_tensor(Tensor::from_data(
            TensorData::new(v.to_vec(), [2]),
            device,
        )))
    };
    // neuron 1: weights (1, −1), bias 9; neuron 2: weights (2, 0), bias −3
    mlp.blocks[0].linear.weight = matrix([[1.0, 2.0], [-1.0, 0.0]]);
    mlp.blocks[0].linear.bias = vector([9.0, -3.0]);
    // neuron 3: weights (4, 3), bias 5; neuron 4: weights (−2, 1), bias 0
    mlp.output.weight = matrix([[4.0, -2.0], [3.0, 1.0]]);
    mlp.output.bias = vector([5.0, 0.0]);
    Ok(mlp)
}

/// Runs the forward pass of the worked example and reports every layer's values.
pub fn run(device: &Device) -> Result<WorkedExample> {
    let mlp = network(device)?;
    let x = Tensor::<2>::from_data(TensorData::new(INPUTS.to_vec(), [1, 2]), device);
    let hidden = mlp.blocks[0].forward(x.clone()); // [1, 2]
    let outputs = mlp.forward(x); // [1, 2]
    Ok(WorkedExample {
        inputs: INPUTS,
        hidden: read_f32(hidden, "the hidden layer")?,
        outputs: read_f32(outputs, "the outputs")?,
    })
}
