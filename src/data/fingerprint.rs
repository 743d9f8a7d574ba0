//! A file's fingerprint: FNV-1a (64 bits) of its bytes, so a run can tell that the data file it
//! names has changed since it trained; and whether two files hold the same bytes.

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
/// the bytes a block at a time, up to the first block that differs.
pub fn same_bytes(a: &Path, b: &Path) -> bool {
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).ok();
    if size(a).is_none() || size(a) != size(b) {
        return false;
    }
    let (Ok(mut a), Ok(mut b)) = (File::open(a), File::open(b)) else {
        return false;
    };
    let (mut x, mut y) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        match (fill(&mut a, &mut x), fill(&mut b, &mut y)) {
            (Some(0), Some(0)) => return true,
            (Some(n), Some(m)) if x[..n] == y[..m] => {}
            _ => return false,
        }
    }
}

/// Reads into `buffer` until it is full or the file ends: how many bytes it holds.
fn fill(file: &mut File, buffer: &mut [u8]) -> Option<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]).ok()? {
            0 => break,
            n => filled += n,
        }
    }
    Some(filled)
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

    #[test]
    fn same_bytes_tells_a_copy_from_a_file_of_the_same_size() {
        let dir = std::env::temp_dir().join(format!("plaindnn-same-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        // past one 64 KiB block, so the second block decides
        let text: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let mut changed = text.clone();
        *changed.last_mut().expect("bytes") = b'!';
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).expect("write");
            path
        };
        let (a, copy, other) = (
            write("a", &text),
            write("copy", &text),
            write("other", &changed),
        );
        let shorter = write("shorter", &text[1..]);
        assert!(same_bytes(&a, &a), "one file named twice");
        assert!(same_bytes(&a, &copy), "a copy");
        assert!(!same_bytes(&a, &other), "the last byte differs");
        assert!(!same_bytes(&a, &shorter), "another size");
        let missing = dir.join("missing");
        assert!(
            !same_bytes(&missing, &missing),
            "two unreadable files are not the same"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
