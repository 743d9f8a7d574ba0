//! A loss or a score as the terminal and report.html print it: `0.0312`, or `2.000e30`.

use std::fmt;

/// `v` to four decimals, or to four significant digits with an exponent where four decimals
/// would print 31 digits (an RMSE of 2e30) or none (a loss of 3e-7): beyond 1e9 or under 1e-4.
#[derive(Clone, Copy, Debug)]
pub struct Decimals(pub f64);

impl fmt::Display for Decimals {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let v = self.0;
        match v.abs() {
            a if a != 0.0 && a.is_finite() && !(1e-4..1e9).contains(&a) => write!(f, "{v:.3e}"),
            _ => write!(f, "{v:.4}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Decimals;

    #[test]
    fn ordinary_values_have_four_decimals_and_the_far_ones_an_exponent() {
        let shown = |v: f64| Decimals(v).to_string();
        assert_eq!(shown(0.03125), "0.0312");
        assert_eq!(shown(123456.0), "123456.0000");
        assert_eq!(shown(0.0), "0.0000");
        assert_eq!(shown(1e-4), "0.0001");
        assert_eq!(shown(2e30), "2.000e30");
        assert_eq!(shown(-3.2e-7), "-3.200e-7");
        assert_eq!(shown(f64::NAN), "NaN");
        assert_eq!(shown(f64::INFINITY), "inf");
    }
}
