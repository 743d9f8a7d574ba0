//! Which rows a scatter draws: a picture of a million dots is a 90 MB file that browsers open
//! slowly, and it shows no more than a few thousand spread evenly through the rows would.

/// Most dots one scatter draws.
pub const MAX_DOTS: usize = 2000;

/// The places (0-based) of the rows drawn out of `n`: every row up to [`MAX_DOTS`], else
/// [`MAX_DOTS`] evenly spaced, the first and the last included (a sorted file keeps both ends).
pub fn drawn(n: usize) -> Vec<usize> {
    if n <= MAX_DOTS {
        return (0..n).collect();
    }
    // i·(n−1)/(MAX_DOTS−1) in integers: exact, strictly increasing since n > MAX_DOTS
    (0..MAX_DOTS)
        .map(|i| i * (n - 1) / (MAX_DOTS - 1))
        .collect()
}

/// ` (2000 of 20000 rows)` for a title when not every row is drawn, else nothing.
pub fn drawn_note(n: usize) -> String {
    if n <= MAX_DOTS {
        String::new()
    } else {
        format!(" ({MAX_DOTS} of {n} rows)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_column_is_drawn_evenly_with_both_ends_and_no_repeats() {
        let rows = drawn(1_000_003);
        assert_eq!(rows.len(), MAX_DOTS);
        assert_eq!((rows[0], rows[MAX_DOTS - 1]), (0, 1_000_002));
        let gaps: Vec<usize> = rows.windows(2).map(|w| w[1] - w[0]).collect();
        // 1 000 002 / 1 999 = 500.25…: every gap is 500 or 501
        assert!(
            gaps.iter().all(|&g| g == 500 || g == 501),
            "{:?}",
            &gaps[..5]
        );
        assert_eq!(drawn_note(1_000_003), " (2000 of 1000003 rows)");
    }

    #[test]
    fn a_short_column_is_drawn_whole_without_a_note() {
        assert_eq!(drawn(3), vec![0, 1, 2]);
        assert_eq!(drawn(MAX_DOTS).len(), MAX_DOTS);
        assert_eq!(drawn_note(MAX_DOTS), "");
    }
}
