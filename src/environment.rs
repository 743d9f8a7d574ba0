//! The environment variables plaindnn reads, read one way: a value that means nothing is named
//! by [`check`], which every command calls first, never taken as the default without a word.

use crate::error::{Error, Result};

/// The on/off switches, each on unless set off: fused flex kernels, Intel's AMX tile unit for
/// inference, spinning worker threads.
pub const SWITCHES: [&str; 3] = ["PLAINDNN_FUSED", "PLAINDNN_AMX", "PLAINDNN_SPIN"];

/// Whether switch `name` is on: unset, empty, `1`, `on`, `true` or `yes` turn it on; `0`, `off`,
/// `false` or `no` off (case ignored); any other value is on here, and refused by [`check`].
pub fn switch(name: &str) -> bool {
    parse_switch(&std::env::var(name).unwrap_or_default()).unwrap_or(true)
}

fn parse_switch(value: &str) -> std::result::Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "1" | "on" | "true" | "yes" => Ok(true),
        "0" | "off" | "false" | "no" => Ok(false),
        _ => Err(format!(
            "`{value}` is neither on nor off: set 0 (or off) to turn it off, 1 (or on) or \
             nothing for on"
        )),
    }
}

/// `PLAINDNN_MEMORY_LIMIT`: the bytes of memory data may take, when set to a number.
pub fn memory_limit() -> Option<u64> {
    parse_count(&std::env::var("PLAINDNN_MEMORY_LIMIT").unwrap_or_default())
        .ok()
        .flatten()
}

/// A whole number, `None` when empty (or unset).
fn parse_count(value: &str) -> std::result::Result<Option<u64>, String> {
    match value.trim() {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| {
            format!("`{value}` is not a whole number (of bytes for the memory limit, of threads for rayon)")
        }),
    }
}

/// Refuses a variable set to a value that means nothing: `PLAINDNN_FUSED=of` would otherwise
/// leave the kernels on, `RAYON_NUM_THREADS=two` all cores busy, without a word.
pub fn check() -> Result<()> {
    let value = |name| std::env::var(name).unwrap_or_default();
    for name in SWITCHES {
        parse_switch(&value(name)).map_err(|why| Error::invalid(name, why))?;
    }
    for name in ["PLAINDNN_MEMORY_LIMIT", "RAYON_NUM_THREADS"] {
        parse_count(&value(name)).map_err(|why| Error::invalid(name, why))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_switch_is_off_by_0_off_false_or_no_and_on_by_nothing_1_on_true_or_yes() {
        for off in ["0", "off", "FALSE", "no", " 0 "] {
            assert_eq!(parse_switch(off), Ok(false), "{off}");
        }
        for on in ["", "1", "On", "true", "yes"] {
            assert_eq!(parse_switch(on), Ok(true), "{on}");
        }
        let why = parse_switch("of").expect_err("a typo");
        assert!(why.starts_with("`of` is neither on nor off"), "{why}");
    }

    #[test]
    fn a_count_is_a_whole_number_or_nothing() {
        assert_eq!(parse_count(""), Ok(None));
        assert_eq!(parse_count("10"), Ok(Some(10)));
        assert!(parse_count("two").is_err());
        assert!(parse_count("-1").is_err());
    }
}
