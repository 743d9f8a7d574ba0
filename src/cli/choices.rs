//! What a flag offers to shell completion and `--help` while its own type still parses (and
//! refuses) the value: `train --dataset <TAB>` lists the sets, `--optimizer <TAB>` the optimizers.

use std::ffi::OsStr;
use std::marker::PhantomData;
use std::str::FromStr;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Arg, Command};
use plaindnn::backend::Backend;
use plaindnn::data::generators::BUILTINS;
use plaindnn::experiment::EXPERIMENTS;

/// Parses with `T::from_str`, as clap does by default, and offers `names()` as the values.
pub struct Choices<T> {
    names: fn() -> Vec<&'static str>,
    /// Another value is refused here, naming the flag, rather than by `T::from_str`'s caller
    /// (a `String` parses whatever it is given).
    only: bool,
    parsed: PhantomData<fn() -> T>,
}

impl<T> Clone for Choices<T> {
    fn clone(&self) -> Self {
        Choices {
            only: self.only,
            ..choices(self.names)
        }
    }
}

/// The parser for a flag whose values are `names()`.
pub fn choices<T>(names: fn() -> Vec<&'static str>) -> Choices<T> {
    Choices {
        names,
        only: false,
        parsed: PhantomData,
    }
}

/// The parser for a flag of text that takes `names()` alone (`-` for `_` too), another refused
/// as clap refuses a value of its own choices: `invalid value 'rings' for '--dataset <NAME>'`.
pub fn only<T>(names: fn() -> Vec<&'static str>) -> Choices<T> {
    Choices {
        only: true,
        ..choices(names)
    }
}

impl<T> TypedValueParser for Choices<T>
where
    T: FromStr + Clone + Send + Sync + 'static,
    T::Err: Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
{
    type Value = T;

    /// A name of `names()` in any letter case is that name (`--dataset XOR`, as `--optimizer SGD`).
    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<T, clap::Error> {
        let names = (self.names)();
        let same = |n: &str, v: &str| n.eq_ignore_ascii_case(v) || *n == v.replace('-', "_");
        let known = (value.to_str()).and_then(|v| names.iter().copied().find(|n| same(n, v)));
        if known.is_none() && self.only {
            let listed = clap::builder::PossibleValuesParser::new(names);
            let refused = listed.parse_ref(cmd, arg, value).err();
            let kind = clap::error::ErrorKind::InvalidValue;
            return Err(refused.unwrap_or_else(|| clap::Error::new(kind).with_cmd(cmd)));
        }
        let value = known.map_or(value, OsStr::new);
        let parse: fn(&str) -> Result<T, T::Err> = T::from_str; // clap's own message on failure
        parse.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new((self.names)().into_iter().map(PossibleValue::new)))
    }
}

/// Every built-in data set.
pub fn datasets() -> Vec<&'static str> {
    BUILTINS.iter().map(|b| b.name).collect()
}

/// The sets `regress` fits: numbers to predict.
pub fn regression_sets() -> Vec<&'static str> {
    vec!["line", "cubic"]
}

/// Every experiment.
pub fn experiments() -> Vec<&'static str> {
    EXPERIMENTS.iter().map(|e| e.name).collect()
}

/// W2's networks in `bench --variants`.
pub fn w2_variants() -> Vec<&'static str> {
    plaindnn::bench::w2_variants()
}

/// The performance workloads.
pub fn workloads() -> Vec<&'static str> {
    vec!["w1", "w2", "w3", "w4"]
}

/// Every backend name (those not compiled in are refused by name when chosen).
pub fn backends() -> Vec<&'static str> {
    Backend::ALL.iter().map(|b| b.name()).collect()
}
