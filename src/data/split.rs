//! Training / validation split of row indices, seeded and stratified by class.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::dataset::{Dataset, Targets};

/// Splits the rows of `data` into (train, validation), `fraction` of them for validation.
///
/// Classification: each class contributes `round(fraction × its rows)` validation rows (at least
/// one when it has two or more), so both sides keep the class proportions. Rows keep file order
/// within each side; shuffling happens per epoch in the loader.
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
    let mut val = Vec::new();
    for mut group in groups {
        group.shuffle(&mut rng);
        let mut n = (group.len() as f64 * fraction).round() as usize;
        if fraction > 0.0 && n == 0 && group.len() >= 2 {
            n = 1;
        }
        val.extend_from_slice(&group[..n.min(group.len())]);
    }
    val.sort_unstable();
    let mut in_val = vec![false; data.len()];
    val.iter().for_each(|&r| in_val[r] = true);
    let train = (0..data.len()).filter(|&r| !in_val[r]).collect();
    (train, val)
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
    fn every_row_lands_on_exactly_one_side() {
        let data = labelled((0..37).map(|i| i % 3).collect(), 3);
        let (mut train, val) = split(&data, 0.25, 4);
        train.extend(val);
        train.sort_unstable();
        assert_eq!(train, (0..37).collect::<Vec<_>>());
    }
}
