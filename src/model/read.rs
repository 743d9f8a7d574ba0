//! Reading a tensor's values back from its device.

use burn::tensor::Tensor;

use crate::error::{Error, Result};

/// The values of `t` as f32 (converted if stored otherwise); `what` names it in the error.
pub(crate) fn read_f32<const D: usize>(t: Tensor<D>, what: &str) -> Result<Vec<f32>> {
    t.into_data()
        .convert::<f32>()
        .try_to_vec::<f32>()
        .map_err(|e| Error::Readback {
            what: what.to_string(),
            message: format!("{e:?}"),
        })
}
