//! Verdicts that can fail: a claim holds only when the measured difference exceeds the spread
//! over seeds, and an experiment says "did not hold" when the opposite shows beyond it.

use std::fmt;

use serde::Serialize;

use super::runner::{RunSummary, VariantResult};

/// Seeds a verdict needs; with fewer (as in `--quick`) every verdict is inconclusive.
pub const MIN_SEEDS: usize = 3;

/// The rule every verdict follows, stated once (printed with every report).
pub const RULE: &str = "variants are compared seed by seed (they share data and initial \
    weights): a comparison held when the mean of the per-seed differences, in the direction \
    claimed, exceeds twice its standard error (standard deviation / √seeds) and did not hold when it is that far the other \
    way (a claim of no gain held unless the gain exceeds that margin); an event (a run \
    diverges, a gradient vanishes) held when it came in a majority of the seeds where claimed \
    and in none where not, and did not hold when it came in none where claimed or in a majority \
    where not; a claim of several parts held when every part held and did not hold when any \
    part did not; anything else, and anything measured on fewer than 3 seeds, is inconclusive";

/// Whether a claim held on this run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The data show the claimed effect beyond the spread over seeds.
    Held,
    /// The data show the opposite beyond the spread over seeds.
    DidNotHold,
    /// Neither: the difference is within the spread, or there are too few seeds.
    Inconclusive,
}

impl fmt::Display for Verdict {
    /// `held`, `did not hold`, `inconclusive`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Held => "held",
            Verdict::DidNotHold => "did not hold",
            Verdict::Inconclusive => "inconclusive",
        })
    }
}

/// Held only when every part held; did not hold when any part did not; else inconclusive.
pub fn all_of(parts: &[Verdict]) -> Verdict {
    if parts.contains(&Verdict::DidNotHold) {
        Verdict::DidNotHold
    } else if !parts.is_empty() && parts.iter().all(|&v| v == Verdict::Held) {
        Verdict::Held
    } else {
        Verdict::Inconclusive
    }
}

/// One part of a claim and its verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The part, e.g. `dropout 0.5 beats none`.
    pub claim: String,
    /// Its verdict.
    pub verdict: Verdict,
    /// The numbers behind it, e.g. `+2.2 points, 2 × SE 1.4`.
    pub evidence: String,
}

/// An experiment's verdict: one sentence with the numbers, and the parts it was judged on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Judgement {
    /// The verdict on the whole claim.
    pub verdict: Verdict,
    /// What was measured, in one sentence.
    pub summary: String,
    /// The parts, each with its own verdict.
    pub parts: Vec<Finding>,
}

impl Judgement {
    /// A claim judged on `parts` (by [`all_of`]), summarised in one sentence.
    pub fn of(parts: Vec<Finding>, summary: String) -> Self {
        let verdicts: Vec<Verdict> = parts.iter().map(|p| p.verdict).collect();
        Self {
            verdict: all_of(&verdicts),
            summary,
            parts,
        }
    }
}

impl fmt::Display for Judgement {
    /// `Held on this run: …`, then one line per part.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head = match self.verdict {
            Verdict::Held => "Held",
            Verdict::DidNotHold => "Did not hold",
            Verdict::Inconclusive => "Inconclusive",
        };
        write!(f, "{head} on this run: {}", self.summary)?;
        for p in &self.parts {
            write!(f, "\n- {}: {} ({})", p.claim, p.verdict, p.evidence)?;
        }
        Ok(())
    }
}

/// One column's values keyed by seed: variants of one experiment share data and initial
/// weights seed by seed, so they are compared seed by seed.
pub type BySeed = [(u64, f64)];

/// The mean over seeds of `a − b` in one column, and what the rule makes of it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference {
    /// Mean of the per-seed differences.
    pub mean: f64,
    /// Twice its standard error: 2 × sd / √seeds.
    pub margin: f64,
    /// Seeds with a finite value on both sides.
    pub seeds: usize,
    /// Held when `mean > margin`, did not hold when `mean < −margin`.
    pub verdict: Verdict,
}

impl Difference {
    /// Judges "a is larger than b" on the seeds both sides have a finite value for.
    pub fn of(a: &BySeed, b: &BySeed) -> Self {
        let d: Vec<f64> = a
            .iter()
            .filter_map(|&(seed, x)| b.iter().find(|p| p.0 == seed).map(|&(_, y)| x - y))
            .filter(|d| d.is_finite())
            .collect();
        let seeds = d.len();
        let mean = d.iter().sum::<f64>() / seeds as f64; // NaN when there are none
        let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (seeds.max(2) - 1) as f64;
        let margin = 2.0 * (var / seeds.max(1) as f64).sqrt();
        let verdict = if seeds < MIN_SEEDS {
            Verdict::Inconclusive
        } else if mean > margin {
            Verdict::Held
        } else if mean < -margin {
            Verdict::DidNotHold
        } else {
            Verdict::Inconclusive
        };
        Self {
            mean,
            margin,
            seeds,
            verdict,
        }
    }

    /// Judges "a is smaller than b" (a lower loss, fewer epochs).
    pub fn smaller(a: &BySeed, b: &BySeed) -> Self {
        let d = Self::of(b, a);
        Self { mean: -d.mean, ..d }
    }

    /// Judges "a is no larger than b": held unless a is ahead by more than the margin.
    pub fn at_most(a: &BySeed, b: &BySeed) -> Self {
        let d = Self::of(a, b);
        let verdict = match d.verdict {
            _ if d.seeds < MIN_SEEDS => Verdict::Inconclusive,
            Verdict::Held => Verdict::DidNotHold,
            _ => Verdict::Held,
        };
        Self { verdict, ..d }
    }

    /// Judges "the values are above `threshold`".
    pub fn above(values: &BySeed, threshold: f64) -> Self {
        let constant: Vec<(u64, f64)> = values.iter().map(|&(s, _)| (s, threshold)).collect();
        Self::of(values, &constant)
    }

    /// The part `claim` judged by this difference, shown with `digits` after the point of
    /// `scale × value` and `unit` (`100.0, 1, " points"` for accuracies).
    pub fn finding(&self, claim: &str, scale: f64, digits: usize, unit: &str) -> Finding {
        let evidence = if self.seeds < MIN_SEEDS {
            let seeds = crate::plural::count(self.seeds, "seed");
            format!("{seeds}; a verdict needs {MIN_SEEDS} seeds")
        } else {
            format!(
                "{:+.d$}{unit}, 2 × SE {:.d$}",
                self.mean * scale,
                self.margin * scale,
                d = digits
            )
        };
        Finding {
            claim: claim.into(),
            verdict: self.verdict,
            evidence,
        }
    }

    /// The part `claim` on accuracies, in percentage points.
    pub fn points(&self, claim: &str) -> Finding {
        self.finding(claim, 100.0, 1, " points")
    }
}

/// How often an event came, out of how many runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    /// Runs in which it came.
    pub events: usize,
    /// Runs in all.
    pub runs: usize,
}

impl Count {
    /// `events` of `runs`.
    pub fn new(events: usize, runs: usize) -> Self {
        Self { events, runs }
    }

    fn majority(self) -> bool {
        self.events * 2 > self.runs
    }
}

impl fmt::Display for Count {
    /// `3 of 5 runs`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {}",
            self.events,
            crate::plural::count(self.runs, "run")
        )
    }
}

/// The claim "the event comes in `claimed` and not in `contrast`", judged on counts.
pub fn event(claimed: Count, contrast: Count) -> Verdict {
    if claimed.runs.min(contrast.runs) < MIN_SEEDS {
        Verdict::Inconclusive
    } else if claimed.majority() && contrast.events == 0 {
        Verdict::Held
    } else if claimed.events == 0 || contrast.majority() {
        Verdict::DidNotHold
    } else {
        Verdict::Inconclusive
    }
}

impl Finding {
    /// The part `claim`, "the event comes in the `claimed` variant and not in the `contrast`",
    /// judged on counts; each side is (name, count).
    pub fn event(claim: &str, claimed: (&str, Count), contrast: (&str, Count)) -> Self {
        let mut evidence = format!("{} {}, {} {}", claimed.0, claimed.1, contrast.0, contrast.1);
        if claimed.1.runs.min(contrast.1.runs) < MIN_SEEDS {
            evidence += &format!("; a verdict needs {MIN_SEEDS} seeds");
        }
        Finding {
            claim: claim.into(),
            verdict: event(claimed.1, contrast.1),
            evidence,
        }
    }
}

/// An experiment's results, looked up by variant label.
pub struct Results<'a>(pub &'a [VariantResult]);

/// What a label that is not among the results finds: no runs, so every verdict is inconclusive.
static MISSING: VariantResult = VariantResult {
    label: String::new(),
    runs: Vec::new(),
    diverged: 0,
};

impl Results<'_> {
    /// The variant labelled `label`.
    pub fn get(&self, label: &str) -> &VariantResult {
        self.0.iter().find(|r| r.label == label).unwrap_or(&MISSING)
    }

    /// Mean test accuracy of `label` (NaN without runs).
    pub fn accuracy(&self, label: &str) -> f64 {
        self.get(label).stat(|s| Some(s.test_accuracy)).mean
    }

    /// Test accuracies of `label`, one per seed that trained to the end.
    pub fn test_accuracies(&self, label: &str) -> Vec<(u64, f64)> {
        self.get(label)
            .values(|s: &RunSummary| Some(s.test_accuracy))
    }

    /// Judges "`a` reaches a higher test accuracy than `b`".
    pub fn beats(&self, a: &str, b: &str) -> Difference {
        Difference::of(&self.test_accuracies(a), &self.test_accuracies(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values for seeds 0, 1, 2, …
    fn seeds(values: &[f64]) -> Vec<(u64, f64)> {
        (0..).zip(values.iter().copied()).collect()
    }

    #[test]
    fn a_mean_difference_beyond_twice_its_standard_error_holds() {
        // a − b per seed: 0.10, 0.14, 0.12, 0.16: mean 0.13, sd 0.0258, 2 × SE 0.0258
        let b = seeds(&[0.5, 0.7, 0.5, 0.6]);
        let a = seeds(&[0.6, 0.84, 0.62, 0.76]);
        let d = Difference::of(&a, &b);
        assert!((d.mean - 0.13).abs() < 1e-12, "{}", d.mean);
        assert!(
            (d.margin - (0.002f64 / 3.0).sqrt()).abs() < 1e-12,
            "{}",
            d.margin
        );
        assert_eq!(d.verdict, Verdict::Held);
        assert_eq!(Difference::of(&b, &a).verdict, Verdict::DidNotHold);
        // a mean gain of 0.05 that varies seed by seed (0.1, −0.1, 0.3, −0.1): within the spread
        let noisy = seeds(&[0.6, 0.6, 0.8, 0.5]);
        assert_eq!(Difference::of(&noisy, &b).verdict, Verdict::Inconclusive);
    }

    #[test]
    fn seeds_are_paired_and_a_seed_missing_on_one_side_is_left_out() {
        let a = vec![(0, 0.9), (2, 0.8), (3, 0.85), (4, 0.9)];
        let b = vec![(0, 0.5), (1, 0.5), (2, 0.5), (3, f64::NAN)];
        let d = Difference::of(&a, &b);
        assert_eq!(d.seeds, 2, "seeds 0 and 2 only");
        assert_eq!(d.verdict, Verdict::Inconclusive);
    }

    #[test]
    fn fewer_than_three_seeds_are_inconclusive_and_say_so() {
        let d = Difference::of(&seeds(&[0.9, 0.9]), &seeds(&[0.1, 0.1]));
        assert_eq!(d.verdict, Verdict::Inconclusive);
        assert_eq!(d.points("x").evidence, "2 seeds; a verdict needs 3 seeds");
        assert_eq!(
            Difference::of(&[], &seeds(&[0.1; 5])).verdict,
            Verdict::Inconclusive
        );
    }

    #[test]
    fn no_gain_holds_unless_the_gain_exceeds_the_margin() {
        let base = seeds(&[0.5, 0.52, 0.48]);
        let at_most = |a: &[f64]| Difference::at_most(&seeds(a), &base).verdict;
        assert_eq!(at_most(&[0.49, 0.53, 0.5]), Verdict::Held);
        assert_eq!(at_most(&[0.2, 0.21, 0.19]), Verdict::Held);
        assert_eq!(at_most(&[0.9, 0.91, 0.89]), Verdict::DidNotHold);
        assert_eq!(at_most(&[0.9]), Verdict::Inconclusive);
    }

    #[test]
    fn above_compares_with_a_constant() {
        // mean 2, sd 1, 2 × SE 1.15; mean 0.17, sd 1.04, 2 × SE 1.2
        assert_eq!(
            Difference::above(&seeds(&[1.0, 2.0, 3.0]), 0.0).verdict,
            Verdict::Held
        );
        let within = seeds(&[-1.0, 1.0, 0.5]);
        assert_eq!(
            Difference::above(&within, 0.0).verdict,
            Verdict::Inconclusive
        );
    }

    #[test]
    fn smaller_turns_the_comparison_round() {
        let d = Difference::smaller(&seeds(&[10.0, 11.0, 12.0]), &seeds(&[200.0; 3]));
        assert_eq!(d.verdict, Verdict::Held);
        assert!((d.mean + 189.0).abs() < 1e-12, "{}", d.mean);
        assert_eq!(
            d.finding("x", 1.0, 0, " epochs").evidence,
            "-189 epochs, 2 × SE 1"
        );
    }

    #[test]
    fn an_event_holds_in_a_majority_where_claimed_and_in_none_where_not() {
        let c = Count::new;
        assert_eq!(event(c(3, 5), c(0, 5)), Verdict::Held);
        assert_eq!(event(c(5, 5), c(1, 5)), Verdict::Inconclusive);
        assert_eq!(event(c(2, 5), c(0, 5)), Verdict::Inconclusive);
        assert_eq!(event(c(0, 5), c(0, 5)), Verdict::DidNotHold);
        assert_eq!(event(c(5, 5), c(3, 5)), Verdict::DidNotHold);
        assert_eq!(event(c(1, 1), c(0, 1)), Verdict::Inconclusive);
    }

    #[test]
    fn a_claim_of_parts_needs_every_part() {
        use Verdict::*;
        assert_eq!(all_of(&[Held, Held]), Held);
        assert_eq!(all_of(&[Held, Inconclusive]), Inconclusive);
        assert_eq!(all_of(&[Held, Inconclusive, DidNotHold]), DidNotHold);
        assert_eq!(all_of(&[]), Inconclusive);
    }

    #[test]
    fn a_judgement_prints_its_verdict_then_one_line_per_part() {
        let part = Difference::of(&seeds(&[0.9; 3]), &seeds(&[0.5; 3])).points("a beats b");
        let j = Judgement::of(vec![part], "a reached 90.0%, b 50.0%.".into());
        let want = "Held on this run: a reached 90.0%, b 50.0%.\n\
                    - a beats b: held (+40.0 points, 2 × SE 0.0)";
        assert_eq!(j.to_string(), want);
    }
}
