//! Whether a data file can fit in the memory that is free, before it is read.

use std::path::Path;

use crate::error::{Error, Result};

/// Memory free for data, and what says so: `PLAINDNN_MEMORY_LIMIT` (bytes) if set, else
/// Linux's MemAvailable.
fn available_memory() -> Option<(u64, bool)> {
    if let Some(limit) = crate::environment::memory_limit() {
        return Some((limit, true));
    }
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kib * 1024, false))
}

/// `bytes` in the largest unit that keeps a number of at least 1: `10 bytes`, `3.4 KiB`, `2.0 GiB`.
fn size(bytes: u64) -> String {
    let units = ["KiB", "MiB", "GiB", "TiB"];
    let (mut value, mut unit) = (bytes as f64, None);
    for u in units {
        if value < 1024.0 {
            break;
        }
        (value, unit) = (value / 1024.0, Some(u));
    }
    match unit {
        None => crate::plural::count(bytes, "byte"),
        Some(u) => format!("{value:.1} {u}"),
    }
}

/// Refuses a file that cannot fit in memory: its values become f32s, about one byte of matrix
/// per byte of text at best, so a file larger than the free memory is refused before reading.
pub(super) fn check_fits_in_memory(path: &Path) -> Result<()> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    }; // open() reports it
    match available_memory() {
        Some((free, set)) if meta.len() > free => {
            let free = match set {
                true => format!("PLAINDNN_MEMORY_LIMIT allows {}", size(free)),
                false => format!("only {} of memory is free", size(free)),
            };
            Err(Error::Data(format!(
                "{}: the file is {} but {free}; plaindnn holds training data in memory",
                path.display(),
                size(meta.len())
            )))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn a_size_is_told_in_the_largest_unit_that_keeps_it_at_least_1() {
        assert_eq!(size(1), "1 byte");
        assert_eq!(size(1023), "1023 bytes");
        assert_eq!(size(3482), "3.4 KiB");
        assert_eq!(size(3 << 30), "3.0 GiB");
    }
}
