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

#[cfg(test)]
mod tests {
    use super::quote;

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
