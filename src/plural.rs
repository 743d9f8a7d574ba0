//! "1 hidden layer", "2 hidden layers": counts in messages, in English, not "layer(s)"; lists
//! as "a, b and c".

/// `n` and `noun`, with an `s` unless `n` is 1.
pub fn count<N: std::fmt::Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    match n == N::from(1) {
        true => format!("1 {noun}"),
        false => format!("{n} {noun}s"),
    }
}

/// `items` as an English list: `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1u32, "hidden layer"), "1 hidden layer");
        assert_eq!(count(0u32, "seed"), "0 seeds");
        assert_eq!(count(3u64, "epoch"), "3 epochs");
        assert_eq!(count(1usize, "input"), "1 input");
    }

    #[test]
    fn a_list_joins_its_last_item_with_and() {
        assert_eq!(and_list(&[]), "");
        assert_eq!(and_list(&["xor"]), "xor");
        assert_eq!(and_list(&["xor", "line"]), "xor and line");
        assert_eq!(and_list(&["xor", "line", "shapes"]), "xor, line and shapes");
    }
}
