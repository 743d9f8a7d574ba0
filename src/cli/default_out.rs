//! A default `--out` lost to a run started at the same moment: the command again, with the next
//! free name.

use std::path::{Path, PathBuf};

use plaindnn::error::{Error, Result};

/// `start` again where its default `--out` was taken by a run started at the same moment (in use,
/// or holding it by the time this one claims it), which the next free name then skips (a named
/// `--out` is the user's choice: refused as it is). `default`: the name is plaindnn's. `start`
/// is given the name the try before lost (None the first time).
pub fn default_named<T>(
    mut start: impl FnMut(Option<&Path>) -> Result<T>,
    default: bool,
) -> Result<T> {
    let mut lost: Option<PathBuf> = None;
    for _ in 0..3 {
        match start(lost.as_deref()) {
            Err(Error::InUse { path, .. } | Error::Taken { path, .. }) if default => {
                lost = Some(path)
            }
            done => return done,
        }
    }
    start(lost.as_deref())
}
