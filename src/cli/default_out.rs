//! A default `--out` lost to a run started at the same moment: the command again, with the next
//! free name.

use plaindnn::error::{Error, Result};

/// `start` again where its default `--out` was taken by a run started at the same moment (in use,
/// or holding it by the time this one claims it), which the next free name then skips (a named
/// `--out` is the user's choice: refused as it is). `default`: the name is plaindnn's.
pub fn default_named<T>(mut start: impl FnMut() -> Result<T>, default: bool) -> Result<T> {
    let mut tries = 0;
    loop {
        match start() {
            Err(Error::InUse { .. } | Error::Taken { .. }) if default && tries < 3 => tries += 1,
            done => return done,
        }
    }
}
