//! Commands printed for the user to paste: each word quoted for a POSIX shell where it must be.

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
pub fn quote_path(path: &std::path::Path) -> String {
    let text = path.display().to_string();
    match text.starts_with('-') {
        true => quote(&format!("./{text}")),
        false => quote(&text),
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
}
