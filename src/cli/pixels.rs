//! A run trained on MNIST-format images takes pixels, 0–255 as the IDX files hold them: a value
//! outside is refused by its row and column, and rows that all lie within 0–1 (pixels divided
//! by 255?) are warned of; either would be scored on another scale than the run learnt.

use plaindnn::data::DataSource;
use plaindnn::error::{Error, Result};
use plaindnn::train::DataInfo;

/// Refuses a value of `rows` (`names.len()` per row, NaN: missing) that is no pixel where the
/// run trained on IDX images; `at(r)` names row `r` (`--input`, `FILE: line 4`).
pub fn check(
    info: &DataInfo,
    rows: &[f32],
    names: &[String],
    at: &dyn Fn(usize) -> String,
) -> Result<()> {
    if !trained_on_images(&info.source) || names.is_empty() {
        return Ok(());
    }
    let outside = |v: &f32| !v.is_nan() && !(0.0..=255.0).contains(v);
    if let Some(i) = rows.iter().position(outside) {
        let (r, j) = (i / names.len(), i % names.len());
        return Err(Error::Data(format!(
            "{}, column `{}`: {} is no pixel: the run trained on MNIST-format images, whose \
             pixels are 0–255 as the IDX files hold them",
            at(r),
            names[j],
            rows[i]
        )));
    }
    let within_one = rows.iter().all(|v| v.is_nan() || *v <= 1.0);
    if within_one && rows.iter().any(|v| *v > 0.0 && *v < 1.0) {
        eprintln!(
            "warning: every input is within 0–1, where the run's pixels are 0–255 as the IDX \
             files hold them (pixels divided by 255? multiply them back)"
        );
    }
    Ok(())
}

/// Whether `source` is MNIST-format images, or a pretraining's inputs of them.
fn trained_on_images(source: &DataSource) -> bool {
    match source {
        DataSource::Idx { .. } => true,
        DataSource::Inputs { of } => trained_on_images(of),
        _ => false,
    }
}
