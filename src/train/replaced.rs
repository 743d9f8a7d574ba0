//! The run that `--overwrite` replaces, set aside until the new run saves: its files wait in
//! `<run>/.replaced/` (its checkpoints in `checkpoint/.replaced/`, on that folder's disk, which
//! a link may put elsewhere), come back if the new run fails before it saves anything, and are
//! deleted at its first save. So a replacing run that diverges in its first epoch costs nothing,
//! as `regress --overwrite` keeps its fit until the new one is made; and `--resume` still only
//! ever continues the run `config.json` describes.

use std::fs;
use std::path::{Path, PathBuf};

use super::checkpoint;
use super::run_dir::{checkpoint_files, Part, RunDir};
use crate::error::{Divergence, Error, Kept, Result};

/// The folder a replaced run's files wait in.
pub const ASIDE: &str = ".replaced";

/// An empty file in [`ASIDE`] once every file of the run is there: a kill part-way through
/// leaves the old run's own files beside it, which are no replacement's to remove.
const WHOLE: &str = ".whole";

/// The folders a replaced run's files wait in, each with the folder they came from: the run's
/// own, and its `checkpoint/`.
fn places(run: &RunDir) -> [(PathBuf, PathBuf); 2] {
    let (root, checkpoints) = (run.root().to_path_buf(), run.checkpoint_dir());
    [
        (root.join(ASIDE), root),
        (checkpoints.join(ASIDE), checkpoints),
    ]
}

/// Whether the run waiting here was set aside whole ([`WHOLE`]).
fn whole(run: &RunDir) -> bool {
    run.root().join(ASIDE).join(WHOLE).is_file()
}

/// Whether a replaced run waits here (in either place): its replacement is training, or
/// stopped (killed) before its first save, or while the run was being set aside.
pub fn waits(run: &RunDir) -> bool {
    places(run).iter().any(|(aside, _)| aside.is_dir())
}

/// Refuses a folder whose `.replaced` is not a run set aside — a user's file of that name, or a
/// folder holding what no run writes: a run here would fail at its first save, where that
/// name is deleted, or move what it holds in among the run's files.
pub fn refuse_foreign(run: &RunDir) -> Result<()> {
    for (aside, _) in places(run) {
        let Ok(meta) = fs::symlink_metadata(&aside) else {
            continue;
        };
        let what = match meta.is_dir() {
            false => "is a file or a link, not a folder".to_string(),
            true => match stranger(&aside) {
                Some(name) => format!("holds {name}, which no run writes"),
                None => continue,
            },
        };
        let why = format!(
            "{} {what}: plaindnn keeps that name for a run `--overwrite` sets aside while its \
             replacement trains, and deletes it then; rename it, or choose another --out",
            aside.display()
        );
        return Err(Error::run(run.root(), why));
    }
    Ok(())
}

/// The first name in `dir` (a `.replaced`), or in a folder in it, that a run set aside does not
/// hold: a run's files and stage folders, or the checkpointer's files.
fn stranger(dir: &Path) -> Option<String> {
    let entries = fs::read_dir(dir).into_iter().flatten().flatten();
    entries.into_iter().find_map(|entry| {
        let name = entry.file_name().to_string_lossy().into_owned();
        let known = super::run_dir::is_run_file(&name)
            || checkpoint::is_checkpoint_file(&name)
            || name == WHOLE;
        match (known, entry.file_type().is_ok_and(|t| t.is_dir())) {
            (false, _) => Some(name),
            (true, true) => stranger(&entry.path()).map(|inner| format!("{name}/{inner}")),
            (true, false) => None,
        }
    })
}

/// Whether the run here saved weights: a complete checkpoint or `model.bpk`, its own or a
/// pretraining stage's (`layer<k>/`).
pub fn saved(run: &RunDir) -> bool {
    let own = |r: &RunDir| {
        r.model_path().is_file() || checkpoint::latest_complete(&r.checkpoint_dir()).is_some()
    };
    let stage = |part: &Part| matches!(part, Part::Stage(dir) if own(&RunDir::new(dir)));
    own(run) || run.run_parts().iter().any(stage)
}

/// Claims the folder for a new run (its caller holds the folder's lock): refused if it holds
/// another run ([`RunDir::check_claim`]), unless `overwrite`, which sets that run aside; whether
/// it did. A replaced run whose replacement left no run (stopped before it wrote its
/// `config.json`) is put back first, so only `--overwrite` ever replaces it.
pub fn claim(run: &RunDir, overwrite: bool) -> Result<bool> {
    refuse_foreign(run)?;
    match overwrite {
        false => recover(run)?,
        // a run half set aside comes back whole first; where a new run's files are in its
        // way, [`set_aside`] settles which run waits
        true => drop(recover(run)),
    }
    run.check_claim(overwrite)?;
    if !(overwrite && run.holds_run()) {
        return Ok(false);
    }
    set_aside(run)?;
    Ok(true)
}

/// Puts back a replaced run whose replacement left no run here (no `config.json`, no fit): one
/// stopped before it wrote its own, or while the old run was being set aside (its
/// `config.json` goes first). What such a replacement left without saving weights (a
/// pretraining's first stage, killed part-way) goes first, as [`set_aside`] removes it. A claim
/// calls it first, so only `--overwrite` replaces that run.
pub fn recover(run: &RunDir) -> Result<()> {
    let no_run = !run.config_path().exists() && !run.holds_fit();
    if !(waits(run) && no_run) {
        return Ok(());
    }
    refuse_foreign(run)?; // a user's own `.replaced` is not moved out, nor what is beside it
                          // set aside whole: what is here is the replacement's, and saved no weights
    if whole(run) && !saved(run) {
        run.remove_run()?;
    }
    put_back(run).map(drop)
}

/// Sets the run here aside for a new one (its caller holds the folder's lock). Where a replaced
/// run waits already, the run here is a replacement that saved nothing (one that saved would
/// have deleted it): that one is removed, and the older run waits on.
pub fn set_aside(run: &RunDir) -> Result<()> {
    if waits(run) && !saved(run) {
        return run.remove_run();
    }
    delete(run)?;
    let moved = move_parts(run);
    if moved.is_err() {
        let _ = put_back(run); // as it was, as far as it goes
    }
    moved
}

/// Moves the run's files into [`places`]: files as they are, the checkpoint files out of
/// `checkpoint/` (which stays, for the new run's: a link to another disk stays a link), and a
/// stage's run files into `.replaced/layer<k>/` (what else its folder holds stays).
fn move_parts(run: &RunDir) -> Result<()> {
    let [(aside, _), (checkpoints_aside, _)] = places(run);
    fs::create_dir_all(&aside).map_err(|e| Error::io(&aside, e))?; // waits, from here on
                                                                   // config.json first: a kill part-way leaves no run, only one waiting ([`recover`])
    let mut parts = run.run_parts();
    parts.sort_by_key(|part| match part {
        Part::File(path) => !path.ends_with("config.json") as u8,
        Part::Stage(_) => 2,
        Part::Checkpoints(_) => 3,
    });
    for part in parts {
        match part {
            Part::File(path) => move_into(&path, &aside)?,
            Part::Checkpoints(dir) => move_checkpoints(&dir, &checkpoints_aside)?,
            Part::Stage(dir) => {
                let into = aside.join(dir.file_name().unwrap_or_default());
                move_stage(&dir, &into)?;
            }
        }
    }
    let whole = aside.join(WHOLE);
    fs::write(&whole, b"").map_err(|e| Error::io(&whole, e))
}

/// Moves a pretraining stage's run files from `dir` into `into`, then removes `dir` if nothing
/// else is in it (as `--overwrite` removed a stage).
fn move_stage(dir: &Path, into: &Path) -> Result<()> {
    for part in RunDir::new(dir).run_parts() {
        match part {
            Part::File(path) => move_into(&path, into)?,
            Part::Checkpoints(folder) => {
                move_checkpoints(&folder, &into.join("checkpoint"))?;
                let _ = fs::remove_dir(&folder); // if empty and no link
            }
            Part::Stage(_) => {} // a stage holds no stages
        }
    }
    if fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none()) {
        fs::remove_dir(dir).map_err(|e| Error::io(dir, e))?;
    }
    Ok(())
}

/// Moves the checkpointer's files in `dir` (a link among them is one to the checkpointer) into
/// `into`.
fn move_checkpoints(dir: &Path, into: &Path) -> Result<()> {
    checkpoint_files(dir)
        .iter()
        .try_for_each(|file| move_into(file, into))
}

/// Moves `path` into the folder `into` (made if missing), under its own name.
fn move_into(path: &Path, into: &Path) -> Result<()> {
    fs::create_dir_all(into).map_err(|e| Error::io(into, e))?;
    let to = into.join(path.file_name().unwrap_or_default());
    fs::rename(path, &to).map_err(|e| Error::io(path, e))
}

/// Puts the replaced run's files back where they were (the new run's files already removed),
/// and removes the folders they waited in; whether a run waited. Where a file of the same name
/// is in the way, nothing moves: the run waits on whole, and the error names the file.
pub fn put_back(run: &RunDir) -> Result<bool> {
    let waited = waits(run);
    let places: Vec<_> = places(run)
        .into_iter()
        .filter(|(a, _)| a.is_dir())
        .collect();
    // nothing moves unless everything can: a half put-back run would mix with what is here
    if let Some(to) = places
        .iter()
        .find_map(|(aside, home)| in_the_way(aside, home))
    {
        let why = format!(
            "the run it replaced waits in {}, and {} is in the way of putting it back: move \
             that away, or pass `--overwrite`",
            run.root().join(ASIDE).display(),
            to.display()
        );
        return Err(Error::run(run.root(), why));
    }
    for (aside, home) in places {
        move_back(&aside, &home)?;
    }
    Ok(waited)
}

/// The first thing at home that a file waiting in `aside` would replace, if any.
fn in_the_way(aside: &Path, home: &Path) -> Option<PathBuf> {
    let entries = fs::read_dir(aside).into_iter().flatten().flatten();
    let entries = entries.filter(|entry| entry.file_name() != WHOLE);
    entries.into_iter().find_map(|entry| {
        let to = home.join(entry.file_name());
        match entry.file_type().is_ok_and(|t| t.is_dir()) {
            true => in_the_way(&entry.path(), &to),
            false => fs::symlink_metadata(&to).is_ok().then_some(to),
        }
    })
}

/// Moves what `aside` holds into `home` ([`in_the_way`] found nothing there), a folder in it (a
/// stage's) into its own folder there, then removes `aside`.
fn move_back(aside: &Path, home: &Path) -> Result<()> {
    // first: a kill part-way leaves the run's files on both sides, none of them a replacement's
    let _ = fs::remove_file(aside.join(WHOLE));
    fs::create_dir_all(home).map_err(|e| Error::io(home, e))?;
    for entry in fs::read_dir(aside)
        .map_err(|e| Error::io(aside, e))?
        .flatten()
    {
        let (from, to) = (entry.path(), home.join(entry.file_name()));
        // only the folders set aside are folders here: a link is moved, never followed
        match entry.file_type().is_ok_and(|t| t.is_dir()) {
            true => move_back(&from, &to)?,
            false => fs::rename(&from, &to).map_err(|e| Error::io(&from, e))?,
        }
    }
    fs::remove_dir(aside).map_err(|e| Error::io(aside, e))
}

/// `error`, as a run that failed with it tells it once the run it replaced was settled
/// (`settled`: put back, or not): a divergence that put that run back says so
/// ([`Kept::Restored`] in `dir`), and a settling that failed is told after the error.
pub fn told(error: Error, settled: Result<bool>, dir: &Path) -> Error {
    match (error, settled) {
        (error, Err(e)) => Error::Training(format!("{error}; then {e}")),
        (Error::Diverged(d), Ok(true)) => Error::Diverged(Divergence {
            kept: Some(Kept::Restored(dir.to_path_buf())),
            ..d
        }),
        (error, Ok(_)) => error,
    }
}

/// Deletes the replaced run, if one waits: the new run has saved (or ended).
pub fn delete(run: &RunDir) -> Result<()> {
    for (aside, _) in places(run) {
        // a link inside is removed, never followed
        if fs::symlink_metadata(&aside).is_ok() {
            fs::remove_dir_all(&aside).map_err(|e| Error::io(&aside, e))?;
        }
    }
    Ok(())
}

/// Deletes the replaced run once the run here has saved weights; called after each save (a
/// look for a folder, where none waits).
pub fn delete_once_saved(run: &RunDir) -> Result<()> {
    match waits(run) && saved(run) {
        true => delete(run),
        false => Ok(()),
    }
}
