//! Commands printed for the user to paste: each word quoted for a POSIX shell where it must be;
//! and paths as the user typed them.

use std::path::{Path, PathBuf};

/// `word` as one shell word: as it is when every character is plain, else in single quotes
/// (a `'` inside written `'\''`; a leading `=` too, which zsh expands).
pub fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./,:=+@%".contains(c);
    if !word.is_empty() && !word.starts_with('=') && word.chars().all(plain) {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// `path` as one shell word that no command reads as a flag: a relative path starting with `-`
/// gets `./` in front (`-run` → `./-run`).
pub fn quote_path(path: &Path) -> String {
    let text = path.display().to_string();
    match text.starts_with('-') {
        true => quote(&format!("./{text}")),
        false => quote(&text),
    }
}

/// `resolved` (a path found by resolving `typed`: a run above a file, a folder's real path) as
/// a message names it: relative to the working directory when `typed` was relative and it lies
/// there (`q`, not `/home/…/q`), else as it is.
pub fn as_typed(resolved: &Path, typed: &Path) -> PathBuf {
    let Some(here) = std::env::current_dir().ok().filter(|_| typed.is_relative()) else {
        return resolved.to_path_buf();
    };
    let real = std::fs::canonicalize(&here).ok();
    let inside = [Some(here), real]
        .into_iter()
        .flatten()
        .find_map(|h| resolved.strip_prefix(h).ok().map(Path::to_path_buf));
    match inside {
        Some(rest) if rest.as_os_str().is_empty() => PathBuf::from("."),
        Some(rest) => rest,
        None => resolved.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::{quote, quote_path};

    #[test]
    fn a_path_starting_with_a_dash_is_not_read_as_a_flag() {
        assert_eq!(quote_path("-run".as_ref()), "./-run");
        assert_eq!(quote_path("runs/-a b".as_ref()), "'runs/-a b'");
        assert_eq!(quote_path("/tmp/-x".as_ref()), "/tmp/-x");
    }

    #[test]
    fn plain_words_stay_and_others_are_single_quoted() {
        assert_eq!(quote("artifacts/runs/iris-2"), "artifacts/runs/iris-2");
        assert_eq!(quote("x,y"), "x,y");
        assert_eq!(quote("sepal length (cm)"), "'sepal length (cm)'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$HOME"), "'$HOME'");
        assert_eq!(quote("=ls"), "'=ls'");
    }

    /// A review: with the working directory `/`, `/tmp/q` typed was named `tmp/q`.
    #[test]
    fn a_resolved_path_is_named_relative_only_when_typed_so_and_inside_the_working_directory() {
        use super::as_typed;
        use std::path::Path;
        let here = std::env::current_dir().expect("cwd");
        let run = here.join("runs/q");
        assert_eq!(
            as_typed(&run, Path::new("runs/q/model.bpk")),
            Path::new("runs/q")
        );
        assert_eq!(as_typed(&run, &here.join("runs/q/model.bpk")), run);
        let elsewhere = Path::new("/elsewhere/q");
        assert_eq!(as_typed(elsewhere, Path::new("q")), elsewhere);
        assert_eq!(as_typed(&here, Path::new(".")), Path::new("."));
    }
}
