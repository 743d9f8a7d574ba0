//! "1 hidden layer", "2 hidden layers": counts in messages, in English, not "layer(s)".

/// `n` and `noun`, with an `s` unless `n` is 1.
pub fn count<N: std::fmt::Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    match n == N::from(1) {
        true => format!("1 {noun}"),
        false => format!("{n} {noun}s"),
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
}
