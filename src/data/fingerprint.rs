//! A file's fingerprint: FNV-1a (64 bits) of its bytes, so a run can tell that the data file it
//! names has changed since it trained.

use std::fs::File;
use std::io::Read;
use std::path::Path;

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a (64 bits) of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fold(OFFSET, bytes)
}

fn fold(hash: u64, bytes: &[u8]) -> u64 {
    (bytes.iter()).fold(hash, |h, &b| (h ^ b as u64).wrapping_mul(PRIME))
}

/// `fnv1a64:<hex>` of the bytes of `paths`, one after the other; `None` if one cannot be read.
pub fn of_files(paths: &[&Path]) -> Option<String> {
    let mut hash = OFFSET;
    let mut buffer = vec![0u8; 1 << 16];
    for path in paths {
        let mut file = File::open(path).ok()?;
        loop {
            let n = file.read(&mut buffer).ok()?;
            if n == 0 {
                break;
            }
            hash = fold(hash, &buffer[..n]);
        }
    }
    Some(format!("fnv1a64:{hash:016x}"))
}

/// Whether two files hold the same bytes (one file named twice, or a copy): sizes first, then
/// their fingerprints.
pub fn same_bytes(a: &Path, b: &Path) -> bool {
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).ok();
    let hash = |p: &Path| of_files(&[p]);
    size(a).is_some() && size(a) == size(b) && hash(a).is_some_and(|h| Some(h) == hash(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_its_published_test_vectors() {
        // Fowler–Noll–Vo reference values: "" → cbf29ce484222325, "a" → af63dc4c8601ec8c,
        // "foobar" → 85944171f73967e8
        let dir = std::env::temp_dir().join("plaindnn-fnv");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let cases = [
            ("", "cbf29ce484222325"),
            ("a", "af63dc4c8601ec8c"),
            ("foobar", "85944171f73967e8"),
        ];
        for (text, want) in cases {
            let path = dir.join(format!("v{}.txt", text.len()));
            std::fs::write(&path, text).expect("write");
            assert_eq!(
                of_files(&[&path]),
                Some(format!("fnv1a64:{want}")),
                "{text:?}"
            );
        }
        assert_eq!(of_files(&[&dir.join("missing")]), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
