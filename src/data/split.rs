//! Training / validation split of row indices, seeded and stratified by class.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::dataset::{Dataset, Targets};

/// A validation split taken by a fraction (`--val-fraction`, the playground's training share)
/// that the best epoch, early stopping and the scores cannot go by well.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lopsided {
    /// Fewer than [`FEW_VAL_ROWS`] validation rows.
    Few {
        /// The validation fraction.
        fraction: f64,
        /// Its rows.
        val: usize,
    },
    /// More validation rows than training rows.
    More {
        /// The validation fraction.
        fraction: f64,
        /// Its rows.
        val: usize,
        /// The training rows.
        train: usize,
    },
}

/// Fewer validation rows than this choose the best epoch by chance.
pub const FEW_VAL_ROWS: usize = 5;

/// How `prepared`'s split of a CSV `source` by its validation fraction is lopsided, if it is
/// (none for a validation file of its own, or a built-in set).
pub fn lopsided(source: &super::DataSource, prepared: &super::Prepared) -> Option<Lopsided> {
    let super::DataSource::Csv {
        val_fraction,
        val_path: None,
        ..
    } = source
    else {
        return None;
    };
    let (fraction, train, val) = (
        *val_fraction,
        prepared.train.rows.len(),
        prepared.val.rows.len(),
    );
    match val {
        _ if val < FEW_VAL_ROWS => Some(Lopsided::Few { fraction, val }),
        _ if val > train => Some(Lopsided::More {
            fraction,
            val,
            train,
        }),
        _ => None,
    }
}

/// Splits the rows of `data` into (train, validation), `fraction` of them for validation.
///
/// Classification: each class contributes about `fraction × its rows` validation rows (largest
/// remainders, below), so both sides keep the class proportions and together hold `fraction` of
/// the rows, however many classes there are (as scikit-learn's stratified split). Rows keep file
/// order within each side; shuffling happens per epoch in the loader.
pub fn split(data: &Dataset, fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let groups: Vec<Vec<usize>> = match &data.targets {
        Targets::Classes(classes) => {
            let mut groups = vec![Vec::new(); data.class_names.len()];
            for (row, &c) in classes.iter().enumerate() {
                groups[c as usize].push(row);
            }
            groups
        }
        Targets::Values { .. } => vec![(0..data.len()).collect()],
    };
    let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
    let quotas = quotas(&sizes, fraction, seed);
    let mut val = Vec::new();
    for (mut group, n) in groups.into_iter().zip(quotas) {
        group.shuffle(&mut rng);
        val.extend_from_slice(&group[..n]);
    }
    val.sort_unstable();
    let mut in_val = vec![false; data.len()];
    val.iter().for_each(|&r| in_val[r] = true);
    let train = (0..data.len()).filter(|&r| !in_val[r]).collect();
    (train, val)
}

/// Validation rows per group: `round(fraction × size)` each, then one more (or fewer) for the
/// groups whose rounding lost (or gained) the most, until they add up to
/// `round(fraction × all rows)`, at least one row of two or more (largest remainders, as
/// scikit-learn allots a stratified split; ties in an order drawn from `seed`). Every group
/// keeps a row for training, so a group of one row gives none. Where the roundings already add
/// up, as with a few large classes, they are the quotas.
fn quotas(sizes: &[usize], fraction: f64, seed: u64) -> Vec<usize> {
    let rows: usize = sizes.iter().sum();
    let mut quotas: Vec<usize> = sizes
        .iter()
        .map(|&n| ((n as f64 * fraction).round() as usize).min(n.saturating_sub(1)))
        .collect();
    let mut total = (rows as f64 * fraction).round() as usize;
    if fraction > 0.0 && total == 0 && rows >= 2 {
        total = 1;
    }
    let given: usize = quotas.iter().sum();
    // what rounding took from each group (negative: gave it), ties in a seeded order
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed ^ 0x5157_4a7e));
    let lost: Vec<f64> = (sizes.iter().zip(&quotas))
        .map(|(&n, &q)| n as f64 * fraction - q as f64)
        .collect();
    order.sort_by(|&a, &b| lost[b].total_cmp(&lost[a]));
    if given < total {
        let open: Vec<usize> = (order.into_iter())
            .filter(|&g| quotas[g] + 1 < sizes[g])
            .take(total - given)
            .collect();
        open.into_iter().for_each(|g| quotas[g] += 1);
    } else if given > total {
        let open: Vec<usize> = (order.into_iter().rev())
            .filter(|&g| quotas[g] > 0)
            .take(given - total)
            .collect();
        open.into_iter().for_each(|g| quotas[g] -= 1);
    }
    quotas
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labelled(classes: Vec<i64>, names: usize) -> Dataset {
        let n = classes.len();
        Dataset::new(
            (0..n).map(|i| i as f32).collect(),
            vec!["x".into()],
            Targets::Classes(classes),
            (0..names).map(|i| i.to_string()).collect(),
        )
        .expect("consistent")
    }

    #[test]
    fn a_stratified_split_keeps_the_class_proportions() {
        // 80 rows of class 0, 20 of class 1 → 16 + 4 validation rows at 20 %
        let data = labelled((0..100).map(|i| i64::from(i >= 80)).collect(), 2);
        let (train, val) = split(&data, 0.2, 1);
        assert_eq!((train.len(), val.len()), (80, 20));
        let ones = val.iter().filter(|&&r| r >= 80).count();
        assert_eq!(ones, 4);
    }

    #[test]
    fn the_same_seed_gives_the_same_split_and_another_seed_another() {
        let data = labelled((0..50).map(|i| i % 2).collect(), 2);
        assert_eq!(split(&data, 0.3, 9), split(&data, 0.3, 9));
        assert_ne!(split(&data, 0.3, 9).1, split(&data, 0.3, 10).1);
    }

    #[test]
    fn many_small_classes_still_give_the_fraction_asked_for() {
        // 50 classes of 2 rows at 20 %: 20 validation rows, not one per class (50 %)
        let data = labelled((0..100).map(|i| i / 2).collect(), 50);
        let (train, val) = split(&data, 0.2, 3);
        assert_eq!((train.len(), val.len()), (80, 20));
        // 60 classes of 5 rows at 10 %: 30 rows (0.5 each rounds to 1: 60 rows before)
        let data = labelled((0..300).map(|i| i / 5).collect(), 60);
        assert_eq!(split(&data, 0.1, 3).1.len(), 30);
    }

    #[test]
    fn a_class_of_one_row_stays_in_training() {
        // one row of class 2 among 2 × 50: 20 % is 20 rows, none of them class 2's
        let data = labelled((0..101).map(|i| (i / 50).min(2)).collect(), 3);
        let (train, val) = split(&data, 0.2, 5);
        assert_eq!(val.len(), 20);
        assert!(train.contains(&100) && !val.contains(&100));
        // even where its rounding alone would send it to validation
        assert_eq!(quotas(&[1, 9], 0.6, 1), vec![0, 6]);
    }

    #[test]
    fn where_each_class_rounds_to_the_total_the_quotas_are_those_roundings() {
        // 45 + 30 + 25 rows at 20 %: 9 + 6 + 5 = 20, as before the quotas were balanced
        assert_eq!(quotas(&[45, 30, 25], 0.2, 1), vec![9, 6, 5]);
        // 3 × 5 rows at 30 %: 1.5 each rounds to 2, 6 rows, one more than round(4.5) = 5
        assert_eq!(quotas(&[5, 5, 5], 0.3, 1).iter().sum::<usize>(), 5);
    }

    #[test]
    fn every_row_lands_on_exactly_one_side() {
        let data = labelled((0..37).map(|i| i % 3).collect(), 3);
        let (mut train, val) = split(&data, 0.25, 4);
        train.extend(val);
        train.sort_unstable();
        assert_eq!(train, (0..37).collect::<Vec<_>>());
    }
}
