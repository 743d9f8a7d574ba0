//! What a target column is: classes or numbers, decided like scikit-learn's `type_of_target`
//! and said in one sentence.

use super::dataset::Task;

/// Most distinct whole numbers a target may hold and still be read as class labels.
pub const MAX_INTEGER_CLASSES: usize = 20;

/// What the text of a target column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    /// Some value is not a number: class names.
    Text,
    /// Whole numbers only (`0`, `1`, `2.0`), with this many distinct values.
    Integers(usize),
    /// Numbers, some with a fractional part.
    Reals,
}

impl TargetKind {
    /// Reads the column's values.
    pub fn of(raw: &[String]) -> Self {
        let mut numbers = Vec::with_capacity(raw.len());
        for v in raw {
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() => numbers.push(x),
                _ => return TargetKind::Text,
            }
        }
        if numbers.iter().any(|x| integer(*x).is_none()) {
            return TargetKind::Reals;
        }
        numbers.sort_by(f64::total_cmp);
        numbers.dedup();
        TargetKind::Integers(numbers.len())
    }

    /// Without `--task`: text and few whole numbers are classes, other numbers are values.
    ///
    /// Whole numbers are classes when there are at most [`MAX_INTEGER_CLASSES`] distinct values
    /// and at most one per two rows (a class seen once cannot be learned); scikit-learn's
    /// `type_of_target` calls every integer column multiclass, which would make prices classes.
    pub fn task(self, rows: usize) -> Task {
        match self {
            TargetKind::Text => Task::Classification,
            TargetKind::Integers(d) if d <= MAX_INTEGER_CLASSES && 2 * d <= rows => {
                Task::Classification
            }
            _ => Task::Regression,
        }
    }
}

/// Why `task` was chosen for `column`, in one line with the way to the other choice:
/// `classification: 3 classes from integer column `target`; --task regression to fit numbers`.
pub fn reason(task: Task, kind: TargetKind, column: &str, classes: usize, forced: bool) -> String {
    let other = "--task classification to treat values as classes";
    match (task, kind, forced) {
        (Task::Classification, _, true) => {
            format!("classification: {classes} classes from column `{column}` (--task classification)")
        }
        (Task::Regression, _, true) => format!("regression: column `{column}` (--task regression)"),
        (Task::Classification, TargetKind::Text, _) => {
            format!("classification: {classes} classes from text column `{column}`")
        }
        (Task::Classification, _, _) => format!(
            "classification: {classes} classes from integer column `{column}`; --task regression to fit numbers"
        ),
        (Task::Regression, TargetKind::Integers(d), _) if d > MAX_INTEGER_CLASSES => format!(
            "regression: column `{column}` holds {d} distinct integers (classes: at most {MAX_INTEGER_CLASSES}); {other}"
        ),
        (Task::Regression, TargetKind::Integers(d), _) => format!(
            "regression: column `{column}` holds {}, more than half its rows (as classes, each would \
             need two rows at least); {other}",
            crate::plural::count(d, "distinct integer")
        ),
        (Task::Regression, _, _) => {
            format!("regression: column `{column}` holds non-integer numbers; {other}")
        }
    }
}

/// A class label as a name: numbers written plainly, so that one number is one class
/// (`2.0` → `2`, `0.50` → `0.5`), pandas' booleans as it prints them (`TRUE`, `true` → `True`),
/// other text as it is.
pub fn class_name(label: &str) -> String {
    match super::number::boolean(label) {
        Some(1.0) => return "True".into(),
        Some(_) => return "False".into(),
        None => {}
    }
    let number = label.parse::<f64>().ok().filter(|x| x.is_finite());
    match (number, number.and_then(integer)) {
        (_, Some(i)) => i.to_string(),
        (Some(x), None) => match x.to_string() {
            plain if plain.len() <= 20 => plain, // 0.5, 0.00005
            _ => format!("{x:?}"),               // 1.5e300, not 301 digits
        },
        _ => label.to_string(),
    }
}

/// `x` as an integer when it is one (and small enough for f64 to hold exactly).
fn integer(x: f64) -> Option<i64> {
    (x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn whole_numbers_with_few_values_are_classes_and_fractions_are_values() {
        let iris = column(&["0", "1", "2", "0", "1", "2"]);
        assert_eq!(TargetKind::of(&iris), TargetKind::Integers(3));
        assert_eq!(TargetKind::of(&iris).task(6), Task::Classification);
        assert_eq!(
            TargetKind::of(&column(&["1.0", "2.0"])),
            TargetKind::Integers(2)
        );
        assert_eq!(TargetKind::of(&column(&["1.5", "2"])), TargetKind::Reals);
        assert_eq!(TargetKind::of(&column(&["a", "2"])), TargetKind::Text);
    }

    #[test]
    fn many_distinct_integers_or_one_per_row_are_values() {
        assert_eq!(TargetKind::Integers(21).task(1000), Task::Regression);
        assert_eq!(TargetKind::Integers(20).task(40), Task::Classification);
        assert_eq!(TargetKind::Integers(4).task(7), Task::Regression);
    }

    #[test]
    fn integer_labels_are_named_plainly() {
        assert_eq!(class_name("2.0"), "2");
        assert_eq!(class_name("-1"), "-1");
        assert_eq!(class_name("setosa"), "setosa");
        assert_eq!(class_name("0.5"), "0.5");
    }

    #[test]
    fn a_fractional_label_written_two_ways_is_one_class() {
        assert_eq!(class_name("0.50"), "0.5");
        assert_eq!(class_name("+1.5e0"), "1.5");
        assert_eq!(class_name("inf"), "inf", "not a finite number: text");
        assert_eq!(class_name("1.5e300"), "1.5e300", "not 301 digits");
        assert_eq!(class_name("0.00005"), "0.00005", "plain while short");
    }

    #[test]
    fn a_boolean_label_in_any_of_pandas_spellings_is_one_class() {
        for (spelt, name) in [("TRUE", "True"), ("true", "True"), ("True", "True")] {
            assert_eq!(class_name(spelt), name);
        }
        for spelt in ["FALSE", "false", "False"] {
            assert_eq!(class_name(spelt), "False");
        }
        assert_eq!(class_name("yes"), "yes");
        assert_eq!(class_name("tRUE"), "tRUE", "not one of pandas' spellings");
    }
}
