//! The range checks every config uses, each naming the value and its range:
//! `invalid l2: must be >= 0, got -1`. A network computes in f32, so its numbers are held to
//! f32's range as well; `regress`, in f64, checks with [`positive_f64`] and [`non_negative_f64`].

use crate::error::{Error, Result};
use crate::spec::number;

/// `v` is finite and > 0, and within f32's range.
pub fn positive(name: &str, v: f64) -> Result<()> {
    positive_f64(name, v).and_then(|()| within_f32(name, v))
}

/// `v` is finite and > 0.
pub fn positive_f64(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        return Ok(());
    }
    Err(Error::invalid(
        name,
        format!("must be a positive number, got {}", number(v)),
    ))
}

/// `v` is finite and >= 0, and within f32's range.
pub fn non_negative(name: &str, v: f64) -> Result<()> {
    non_negative_f64(name, v).and_then(|()| within_f32(name, v))
}

/// `v` is finite and >= 0.
pub fn non_negative_f64(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        return Ok(());
    }
    let what = if v.is_finite() {
        ""
    } else {
        "a finite number "
    };
    Err(Error::invalid(
        name,
        format!("must be {what}>= 0, got {}", number(v)),
    ))
}

/// `|v|` is at most f32's largest value (3.4e38): beyond it the network's f32 holds infinity,
/// and the run would diverge at once with advice about the learning rate; and a value that is
/// not 0 is not 0 in f32 either (`--clip-value 1e-320` clipped every gradient to 0 silently).
pub fn within_f32(name: &str, v: f64) -> Result<()> {
    if v != 0.0 && v.abs() <= f32::MAX as f64 && v as f32 == 0.0 {
        let why = format!(
            "is 0 in f32, which the network computes in (its smallest value above 0 is \
             1.4e-45), got {}",
            number(v)
        );
        return Err(Error::invalid(name, why));
    }
    if v.abs() <= f32::MAX as f64 {
        return Ok(());
    }
    let why = format!(
        "must be at most f32's largest value (3.4e38) in size, which the network computes in, \
         got {}",
        number(v)
    );
    Err(Error::invalid(name, why))
}

/// `v` is in [0, 1) when `zero_ok`, else in (0, 1).
pub fn in_unit(name: &str, v: f64, zero_ok: bool) -> Result<()> {
    if v.is_finite() && v < 1.0 && (v > 0.0 || (zero_ok && v == 0.0)) {
        return Ok(());
    }
    let range = if zero_ok { "[0, 1)" } else { "(0, 1)" };
    Err(Error::invalid(
        name,
        format!("must be in {range}, got {}", number(v)),
    ))
}

/// `v` is a finite number within f32's range.
pub fn finite(name: &str, v: f64) -> Result<()> {
    if !v.is_finite() {
        let why = format!("must be a finite number, got {v}");
        return Err(Error::invalid(name, why));
    }
    within_f32(name, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_check_names_the_value_and_the_range_it_missed() {
        let msg = |r: Result<()>| r.map_err(|e| e.to_string()).err();
        assert_eq!(
            msg(positive("lr", 0.0)).as_deref(),
            Some("invalid lr: must be a positive number, got 0")
        );
        assert_eq!(
            msg(non_negative("l2", -1.0)).as_deref(),
            Some("invalid l2: must be >= 0, got -1")
        );
        assert_eq!(
            msg(in_unit("momentum", 1.0, true)).as_deref(),
            Some("invalid momentum: must be in [0, 1), got 1")
        );
        assert_eq!(
            msg(in_unit("beta1", 0.0, false)).as_deref(),
            Some("invalid beta1: must be in (0, 1), got 0")
        );
        assert_eq!(
            msg(finite("slope", f64::NAN)).as_deref(),
            Some("invalid slope: must be a finite number, got NaN")
        );
        // the network's f32 holds nothing larger: refused by name, short, not as a divergence
        assert_eq!(
            msg(positive("lr", 1e39)).as_deref(),
            Some(
                "invalid lr: must be at most f32's largest value (3.4e38) in size, which the \
                 network computes in, got 1e39"
            )
        );
        assert_eq!(
            msg(in_unit("momentum", 1e308, true)).as_deref(),
            Some("invalid momentum: must be in [0, 1), got 1e308")
        );
        assert!(msg(finite("slope", -1e39)).is_some() && msg(non_negative("l2", 1e39)).is_some());
        assert!(positive_f64("--lr", 1e39).is_ok() && non_negative_f64("ridge", 1e300).is_ok());
        assert!(positive("lr", 0.1).is_ok() && non_negative("l2", 0.0).is_ok());
        // nor anything that is not 0 but rounds to 0 in f32 (a clip of 1e-320 stopped learning)
        assert_eq!(
            msg(positive("clip value", 1e-320)).as_deref(),
            Some(
                "invalid clip value: is 0 in f32, which the network computes in (its smallest \
                 value above 0 is 1.4e-45), got 1e-320"
            )
        );
        assert!(msg(non_negative("l2", -1e-50)).is_some() && msg(finite("slope", 1e-46)).is_some());
        assert!(positive("lr", 1e-40).is_ok() && positive_f64("ridge", 1e-320).is_ok());
        assert!(in_unit("momentum", 0.0, true).is_ok() && finite("slope", -3.0).is_ok());
    }
}
