//! Polynomial features: from inputs x₁…x_k, the terms of a polynomial of degree d.

/// The expanded terms and their names.
#[derive(Clone, Debug, PartialEq)]
pub struct Terms {
    /// For each term, the power of each input (`[2, 0]` = x₁²).
    pub powers: Vec<Vec<u32>>,
    /// Readable names (`x`, `x^2`, `a·b`).
    pub names: Vec<String>,
}

/// Terms of degree 1..=`degree`: each input's powers, plus every mixed monomial if `interactions`.
pub fn terms(inputs: &[String], degree: u32, interactions: bool) -> Terms {
    let k = inputs.len();
    let mut powers: Vec<Vec<u32>> = Vec::new();
    for d in 1..=degree.max(1) {
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

fn name(inputs: &[String], powers: &[u32]) -> String {
    let parts: Vec<String> = inputs
        .iter()
        .zip(powers)
        .filter(|(_, &e)| e > 0)
        .map(|(n, &e)| {
            if e == 1 {
                n.clone()
            } else {
                format!("{n}^{e}")
            }
        })
        .collect();
    parts.join("·")
}

/// Row-major values of `terms` for row-major `x` with `k` inputs per row.
pub fn expand(x: &[f64], k: usize, terms: &Terms) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len() / k.max(1) * terms.powers.len());
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
    fn degree_two_of_two_inputs_with_interactions_has_five_terms() {
        let t = terms(&["a".into(), "b".into()], 2, true);
        assert_eq!(t.names, ["a", "b", "a^2", "a·b", "b^2"]);
        assert_eq!(expand(&[2.0, 3.0], 2, &t), vec![2.0, 3.0, 4.0, 6.0, 9.0]);
    }

    #[test]
    fn without_interactions_only_powers_of_each_input() {
        let t = terms(&["x".into()], 3, false);
        assert_eq!(t.names, ["x", "x^2", "x^3"]);
    }
}
