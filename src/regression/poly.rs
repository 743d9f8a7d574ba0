//! Polynomial features: from inputs x₁…x_k, the terms of a polynomial of degree d.

/// The expanded terms and their names.
#[derive(Clone, Debug, PartialEq)]
pub struct Terms {
    /// For each term, the power of each input (`[2, 0]` = x₁²).
    pub powers: Vec<Vec<u32>>,
    /// Readable names (`x`, `x^2`, `a·b`).
    pub names: Vec<String>,
}

/// How many terms [`terms`] makes, without making them; `usize::MAX` for more than 2⁶⁴.
pub fn count(inputs: usize, degree: u32, interactions: bool) -> usize {
    if !interactions {
        return inputs.saturating_mul(degree as usize);
    }
    // every monomial of degree 1..=d in k inputs: C(k + d, d) − 1, built as C(k + i, i)
    let k = inputs as u128;
    let mut c: u128 = 1;
    for i in 1..=degree as u128 {
        // exact at each step (C(k+i−1, i−1)·(k+i) is divisible by i); past 2⁶⁴, too many
        match c.checked_mul(k + i) {
            Some(next) if next / i <= u64::MAX as u128 => c = next / i,
            _ => return usize::MAX,
        }
    }
    usize::try_from(c - 1).unwrap_or(usize::MAX)
}

/// Terms of degree 1..=`degree`: each input's powers, plus every mixed monomial if `interactions`
/// (none for degree 0, as [`count`] says).
pub fn terms(inputs: &[String], degree: u32, interactions: bool) -> Terms {
    let k = inputs.len();
    let mut powers: Vec<Vec<u32>> = Vec::new();
    for d in 1..=degree {
        if interactions {
            monomials(k, d, &mut vec![0; k], 0, &mut powers);
        } else {
            for j in 0..k {
                let mut p = vec![0; k];
                p[j] = d;
                powers.push(p);
            }
        }
    }
    let names = powers.iter().map(|p| name(inputs, p)).collect();
    Terms { powers, names }
}

/// All exponent vectors of total degree `left` over inputs `from..k`, in lexicographic order.
fn monomials(k: usize, left: u32, current: &mut Vec<u32>, from: usize, out: &mut Vec<Vec<u32>>) {
    if left == 0 {
        out.push(current.clone());
        return;
    }
    for j in from..k {
        current[j] += 1;
        monomials(k, left - 1, current, j, out);
        current[j] -= 1;
    }
}

/// A term's name, as `coefficients.json` keys it (`a·b`, `x^2`).
fn name(inputs: &[String], powers: &[u32]) -> String {
    product(inputs.iter().map(|n| n.as_str().into()), powers)
}

/// A term as the equation writes it: each input by its [`symbol`] (`` `a, b`^2 ``).
pub fn written(inputs: &[String], powers: &[u32]) -> String {
    product(inputs.iter().map(|n| symbol(n)), powers)
}

/// An input or target as an equation writes it: a name of other characters than letters,
/// digits and `_`, or starting with a digit, in backticks, a backtick in it as `` \` ``, as R
/// writes such names (`` `a, b` ``, which `a, b` would not say is one name; `` `2x`^2 ``, not
/// `2x^2`).
pub fn symbol(name: &str) -> std::borrow::Cow<'_, str> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let first = name.chars().next();
    match first.is_some_and(|c| !c.is_numeric()) && name.chars().all(word) {
        true => name.into(),
        false => format!("`{}`", name.replace('`', "\\`")).into(),
    }
}

fn product<'a>(names: impl Iterator<Item = std::borrow::Cow<'a, str>>, powers: &[u32]) -> String {
    let parts: Vec<String> = names
        .zip(powers)
        .filter(|(_, &e)| e > 0)
        .map(|(n, &e)| match e {
            1 => n.into_owned(),
            _ => format!("{n}^{e}"),
        })
        .collect();
    parts.join("·")
}

/// Row-major values of `terms` for row-major `x` with `k` inputs per row (none for `k` = 0: rows
/// of no input cannot be counted).
pub fn expand(x: &[f64], k: usize, terms: &Terms) -> Vec<f64> {
    if k == 0 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(x.len() / k * terms.powers.len());
    for row in x.chunks(k) {
        for p in &terms.powers {
            out.push(row.iter().zip(p).map(|(v, &e)| v.powi(e as i32)).product());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_of_terms_is_the_number_terms_makes_and_saturates_past_two_to_the_64() {
        let names: Vec<String> = (0..5).map(|i| format!("x{i}")).collect();
        for k in 1..=5 {
            for d in 0..=6 {
                for interactions in [false, true] {
                    let made = terms(&names[..k], d, interactions).names.len();
                    assert_eq!(count(k, d, interactions), made, "{k} inputs, degree {d}");
                }
            }
        }
        // 20 inputs of degree 50: C(70, 50) − 1 = 161 884 603 662 657 875
        assert_eq!(count(20, 50, true), 161_884_603_662_657_875);
        assert_eq!(count(1000, 1000, true), usize::MAX);
        assert_eq!(count(usize::MAX, 2, false), usize::MAX);
    }

    #[test]
    fn degree_two_of_two_inputs_with_interactions_has_five_terms() {
        let t = terms(&["a".into(), "b".into()], 2, true);
        assert_eq!(t.names, ["a", "b", "a^2", "a·b", "b^2"]);
        assert_eq!(expand(&[2.0, 3.0], 2, &t), vec![2.0, 3.0, 4.0, 6.0, 9.0]);
        assert!(
            expand(&[], 0, &terms(&[], 2, true)).is_empty(),
            "no input, no panic"
        );
    }

    #[test]
    fn without_interactions_only_powers_of_each_input() {
        let t = terms(&["x".into()], 3, false);
        assert_eq!(t.names, ["x", "x^2", "x^3"]);
    }
}
