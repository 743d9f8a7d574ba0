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
    parse_count(
        &std::env::var("PLAINDNN_MEMORY_LIMIT").unwrap_or_default(),
        "bytes",
    )
    .ok()
    .flatten()
}

/// A whole number of `unit`s (bytes, threads), `None` when empty (or unset).
fn parse_count(value: &str, unit: &str) -> std::result::Result<Option<u64>, String> {
    use std::num::IntErrorKind::PosOverflow;
    match value.trim() {
        "" => Ok(None),
        v => v.parse::<u64>().map(Some).map_err(|e| match e.kind() {
            PosOverflow => format!("`{value}` is too large (at most {})", u64::MAX),
            _ => format!("`{value}` is not a whole number of {unit}"),
        }),
    }
}

/// Most threads `RAYON_NUM_THREADS` may ask for: rayon starts each as a thread of the system,
/// and a million of them took minutes before any work.
pub const MAX_THREADS: u64 = 1024;

/// `RAYON_NUM_THREADS`: a whole number up to [`MAX_THREADS`] (0: one per core, as rayon reads it).
fn parse_threads(value: &str) -> std::result::Result<Option<u64>, String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let too_many = |n: &str| {
        format!(
            "{n} threads, and rayon starts each before any work: give at most {MAX_THREADS} \
             (this machine has {})",
            crate::plural::count(cores, "core")
        )
    };
    let digits = value.trim();
    match parse_count(value, "threads") {
        Ok(Some(n)) if n > MAX_THREADS => Err(too_many(digits)),
        // past u64, but a number of threads all the same
        Err(_) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            Err(too_many(digits))
        }
        n => n,
    }
}

/// Refuses a variable set to a value that means nothing: `PLAINDNN_FUSED=of` would otherwise
/// leave the kernels on, `RAYON_NUM_THREADS=two` all cores busy, without a word.
pub fn check() -> Result<()> {
    let value = |name| std::env::var(name).unwrap_or_default();
    for name in SWITCHES {
        parse_switch(&value(name)).map_err(|why| Error::invalid(name, why))?;
    }
    let name = "PLAINDNN_MEMORY_LIMIT";
    parse_count(&value(name), "bytes").map_err(|why| Error::invalid(name, why))?;
    let name = "RAYON_NUM_THREADS";
    parse_threads(&value(name)).map_err(|why| Error::invalid(name, why))?;
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
        assert_eq!(parse_count("", "bytes"), Ok(None));
        assert_eq!(parse_count("10", "bytes"), Ok(Some(10)));
        assert!(parse_count("two", "bytes").is_err());
        assert!(parse_count("-1", "bytes").is_err());
        let why = parse_count("99999999999999999999", "bytes").expect_err("over u64");
        assert!(why.contains("is too large"), "{why}");
    }

    #[test]
    fn rayon_is_refused_more_threads_than_max_threads() {
        assert_eq!(parse_threads("1024"), Ok(Some(1024)));
        assert_eq!(parse_threads("0"), Ok(Some(0)));
        let why = parse_threads("5000").expect_err("5000 threads");
        assert!(
            why.starts_with("5000 threads, and rayon starts each"),
            "{why}"
        );
        let why = parse_threads("99999999999999999999").expect_err("past u64");
        assert!(why.contains("give at most 1024"), "{why}");
        let why = parse_threads("abc").expect_err("no number");
        assert_eq!(why, "`abc` is not a whole number of threads");
    }
}
