//! The tutorial's worked forward pass, with its exact weights: the answer is 46 and 0.

use burn::tensor::Device;
use plaindnn::model::worked_example;

#[test]
fn the_worked_example_gives_46_and_0() {
    let example = worked_example::run(&Device::flex()).expect("runs");
    assert_eq!(example.outputs, vec![46.0, 0.0]);
}

#[test]
fn the_worked_example_hidden_layer_gives_8_and_3() {
    // n1 = max(3·1 + 4·(−1) + 9, 0) = 8, n2 = max(3·2 + 4·0 − 3, 0) = 3
    let example = worked_example::run(&Device::flex()).expect("runs");
    assert_eq!(example.hidden, vec![8.0, 3.0]);
}
