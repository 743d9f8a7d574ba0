//! A record file's checksum: FNV-1a (64 bits) of its bytes, appended behind a marker and checked
//! when it is read, so a flipped bit in a weight is an error, not a quietly different network
//! (Burn's format checks its structure, not its values). The file stays one Burn reads (it
//! ignores bytes after its record). Files without a marker (written before) are read as they
//! are; so is one whose marker itself was damaged, the one blind spot.

use crate::data::fingerprint::fnv1a;

/// What precedes the checksum at the end of a file.
const MARKER: &[u8; 8] = b"pdnnsum1";

/// `bytes` with their checksum behind them.
pub fn seal(record: &[u8]) -> Vec<u8> {
    let sum = fnv1a(record);
    let mut bytes = Vec::with_capacity(record.len() + 16);
    bytes.extend_from_slice(record);
    bytes.extend_from_slice(MARKER);
    bytes.extend_from_slice(&sum.to_le_bytes());
    bytes
}

/// The record's bytes without their checksum, or why they are not the bytes that were sealed.
pub fn unseal(mut bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let n = bytes.len();
    if n < 16 || &bytes[n - 16..n - 8] != MARKER {
        // a marker a little before or after its place: a sealed file cut short or grown
        let tail = &bytes[n.saturating_sub(64)..];
        if tail.windows(MARKER.len()).any(|w| w == MARKER) {
            return Err(
                "it ends a few bytes before or after its checksum: it was cut short \
                        or added to after it was written"
                    .to_string(),
            );
        }
        return Ok(bytes); // unsealed: a file from before checksums
    }
    let sum = u64::from_le_bytes(bytes[n - 8..].try_into().expect("8 bytes"));
    bytes.truncate(n - 16);
    match fnv1a(&bytes) == sum {
        true => Ok(bytes),
        false => Err(
            "its checksum does not match its contents: bytes of it changed after it \
                      was written"
                .to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bytes_come_back_whole_and_any_flipped_bit_is_caught() {
        let record: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let sealed = seal(&record);
        assert_eq!(unseal(sealed.clone()), Ok(record.clone()));
        for at in [0, 500, 999, 1003, 1015] {
            let mut flipped = sealed.clone();
            flipped[at] ^= 0x10;
            let read = unseal(flipped);
            // a flip in the marker leaves a file read as unsealed: the blind spot
            assert!(
                read.is_err() || (1000..1008).contains(&at),
                "byte {at}: {read:?}"
            );
        }
        // cut short or added to (an audit's)
        for n in [sealed.len() - 1, sealed.len() - 8] {
            assert!(unseal(sealed[..n].to_vec()).is_err(), "{n} bytes");
        }
        let mut grown = sealed.clone();
        grown.push(0);
        assert!(unseal(grown).is_err());
        assert_eq!(
            unseal(record.clone()),
            Ok(record),
            "a file from before checksums"
        );
    }
}
