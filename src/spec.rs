//! `name:p1:p2`: the one form of every option with parameters — `--activation leaky_relu:0.2`,
//! `--lr-schedule step:10:0.5`, `--init normal:0.5`.

use crate::error::{Error, Result};

/// A parsed `name:p1:p2`; the name lower-cased with `-` read as `_`.
pub struct Spec<'a> {
    /// What the option is (`activation`, `lr schedule`), for messages.
    what: &'static str,
    /// The name before the first `:`.
    pub name: String,
    params: Vec<&'a str>,
}

impl<'a> Spec<'a> {
    /// Splits `text` at `:`.
    pub fn parse(what: &'static str, text: &'a str) -> Self {
        let mut parts = text.split(':');
        let name = parts.next().unwrap_or_default().trim();
        Self {
            what,
            name: name.to_ascii_lowercase().replace('-', "_"),
            params: parts.map(str::trim).collect(),
        }
    }

    /// Refuses more than `max` parameters, naming the option.
    pub fn at_most(&self, max: usize) -> Result<()> {
        if self.params.len() <= max {
            return Ok(());
        }
        Err(Error::invalid(
            self.what,
            format!(
                "`{}` takes at most {}, got {}",
                self.name,
                crate::plural::count(max, "parameter"),
                self.params.len()
            ),
        ))
    }

    /// Parameter `i` as a whole number, `default` when it is not given.
    pub fn count(&self, i: usize, default: usize) -> Result<usize> {
        let Some(p) = self.params.get(i) else {
            return Ok(default);
        };
        // `10` or `10.0`; not `2.7`, and nothing past f64's exact integers
        let whole = p
            .parse::<f64>()
            .ok()
            .filter(|v| v.fract() == 0.0 && (0.0..=9e15).contains(v));
        whole.map(|v| v as usize).ok_or_else(|| {
            let name = format!("{} {} parameter", self.what, self.name);
            Error::invalid(&name, format!("`{p}` is not a whole number"))
        })
    }

    /// Parameter `i` as a number, `default` when it is not given.
    pub fn number(&self, i: usize, default: f64) -> Result<f64> {
        let Some(p) = self.params.get(i) else {
            return Ok(default);
        };
        p.parse().map_err(|_| {
            let name = format!("{} {} parameter", self.what, self.name);
            Error::invalid(&name, format!("`{p}` is not a number"))
        })
    }
}

/// A parameter as a spec writes it: `v` in Rust's shortest round-trip form, with an exponent
/// where plain digits would run long (`normal:1e308`, not 309 digits); either parses back to
/// the same bits.
pub fn number<T: std::fmt::Display + std::fmt::LowerExp>(v: T) -> String {
    let (plain, short) = (v.to_string(), format!("{v:e}"));
    match plain.len() > 12 && short.len() < plain.len() {
        true => short,
        false => plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_gives_its_name_and_numbers_with_defaults() {
        let spec = Spec::parse("activation", " Leaky-ReLU:0.2 ");
        assert_eq!(spec.name, "leaky_relu");
        assert_eq!(spec.number(0, 0.01).ok(), Some(0.2));
        assert_eq!(spec.number(1, 7.0).ok(), Some(7.0));
        assert!(spec.at_most(1).is_ok());
    }

    #[test]
    fn a_count_is_a_whole_number_or_refused_by_its_text() {
        let spec = Spec::parse("lr schedule", "step:2.7:0.5");
        let err = spec.count(0, 10).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("invalid lr schedule step parameter: `2.7` is not a whole number")
        );
        assert_eq!(Spec::parse("s", "step:3").count(0, 10).ok(), Some(3));
        assert_eq!(Spec::parse("s", "step:10.0").count(0, 1).ok(), Some(10));
        assert_eq!(Spec::parse("s", "step").count(0, 10).ok(), Some(10));
        assert!(Spec::parse("s", "step:99999999999999999999")
            .count(0, 10)
            .is_err());
    }

    #[test]
    fn too_many_or_unreadable_parameters_are_named() {
        let spec = Spec::parse("lr schedule", "step:x:1:2");
        let err = spec.number(0, 10.0).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("invalid lr schedule step parameter: `x` is not a number")
        );
        let err = spec.at_most(2).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("invalid lr schedule: `step` takes at most 2 parameters, got 3")
        );
    }
}
