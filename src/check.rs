//! The range checks every config uses, each naming the value and its range:
//! `invalid l2: must be >= 0, got -1`.

use crate::error::{Error, Result};

/// `v` is finite and > 0.
pub fn positive(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        return Ok(());
    }
    Err(Error::invalid(
        name,
        format!("must be a positive number, got {v}"),
    ))
}

/// `v` is finite and >= 0.
pub fn non_negative(name: &str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        return Ok(());
    }
    let what = if v.is_finite() {
        ""
    } else {
        "a finite number "
    };
    Err(Error::invalid(name, format!("must be {what}>= 0, got {v}")))
}

/// `v` is in [0, 1) when `zero_ok`, else in (0, 1).
pub fn in_unit(name: &str, v: f64, zero_ok: bool) -> Result<()> {
    if v.is_finite() && v < 1.0 && (v > 0.0 || (zero_ok && v == 0.0)) {
        return Ok(());
    }
    let range = if zero_ok { "[0, 1)" } else { "(0, 1)" };
    Err(Error::invalid(name, format!("must be in {range}, got {v}")))
}

/// `v` is a finite number.
pub fn finite(name: &str, v: f64) -> Result<()> {
    if v.is_finite() {
        return Ok(());
    }
    Err(Error::invalid(
        name,
        format!("must be a finite number, got {v}"),
    ))
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
        assert!(positive("lr", 0.1).is_ok() && non_negative("l2", 0.0).is_ok());
        assert!(in_unit("momentum", 0.0, true).is_ok() && finite("slope", -3.0).is_ok());
    }
}
