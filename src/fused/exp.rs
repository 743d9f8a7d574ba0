//! `e^x` and `tanh x` in plain f32 arithmetic that vectorises (Cephes' `expf` and `tanhf`, as
//! in Eigen and SLEEF): the standard library's call one value at a time. Horner steps are fused
//! multiply-adds (`mul_add`, one instruction where [`wide`](super::parallel) enables FMA, and the
//! same value everywhere: it rounds once).

/// Cephes' `expf`: `e^r ≈ 1 + r + r²·p(r)` for |r| ≤ ln 2 / 2, p's coefficients from the highest.
const EXP_POLYNOMIAL: [f32; 6] = [
    1.987_569_1e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    0.166_666_65,
    0.5,
];

/// Cephes' `tanhf`: `tanh x ≈ x + x³·p(x²)` for |x| < 0.625, from the highest.
const TANH_POLYNOMIAL: [f32; 5] = [
    -5.704_988_7e-3,
    2.063_909e-2,
    -5.373_971_6e-2,
    0.133_314_42,
    -0.333_332_8,
];

/// `e^x` within 2 units in the last place; 0 below −87.3 (where f32 stops being normal) and
/// `e^88` above 88 (the callers need x ≤ 19).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 in two parts, so that n·C1 is exact
    const C1: f32 = 0.693_359_4;
    const C2: f32 = -2.121_944_4e-4;
    // adding and subtracting 1.5·2²³ rounds to the nearest integer without a call
    const ROUND: f32 = 12_582_912.0;
    let clamped = x.clamp(-87.3, 88.0);
    let shifted = clamped.mul_add(LOG2E, ROUND);
    let n = shifted - ROUND;
    let r = (-n).mul_add(C2, (-n).mul_add(C1, clamped)); // |r| ≤ ln2 / 2
    let p = horner(r, EXP_POLYNOMIAL);
    let e = (p * r).mul_add(r, r) + 1.0;
    // n is in the low bits of `shifted` (same binade as ROUND): integer lanes, not a
    // saturating float-to-int conversion per value
    let n_bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    let two_to_n = f32::from_bits(n_bits.wrapping_add(127) << 23);
    if x < -87.3 {
        0.0
    } else {
        e * two_to_n
    }
}

/// `tanh x`: an odd polynomial below |x| = 0.625, `1 − 2/(e^2|x| + 1)` above; ±1 beyond 9.5
/// (tanh 9 rounds to 1 in f32).
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    let a = x.abs().min(9.5);
    let far = x.abs() >= 0.625;
    let z = x * x;
    let p = horner(z, TANH_POLYNOMIAL);
    let small = (p * z).mul_add(x, x);
    let large = 1.0 - 2.0 / (exp(2.0 * a) + 1.0);
    // NaN takes the polynomial, which keeps it NaN
    if far {
        large.copysign(x)
    } else {
        small
    }
}

/// `c₀·xⁿ + c₁·xⁿ⁻¹ + … + cₙ` by Horner's rule, one rounding per step.
#[inline(always)]
fn horner<const N: usize>(x: f32, c: [f32; N]) -> f32 {
    c[1..].iter().fold(c[0], |p, &k| p.mul_add(x, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_agrees_with_f64_to_two_units_in_the_last_place_over_its_range() {
        let mut worst = 0.0f64;
        for i in 0..=1_750_000 {
            let x = -87.0 + i as f32 * 1e-4;
            let want = (x as f64).exp();
            let ulp = (want as f32).abs() * f32::EPSILON;
            worst = worst.max((exp(x) as f64 - want).abs() / ulp as f64);
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
        assert_eq!(exp(-1000.0), 0.0);
        assert_eq!(exp(0.0), 1.0);
    }

    #[test]
    fn tanh_agrees_with_f64_to_three_units_in_the_last_place() {
        let mut worst = 0.0f64;
        for i in -200_000..=200_000 {
            let x = i as f32 * 5e-5;
            let want = (x as f64).tanh();
            let ulp = (want as f32).abs().max(f32::MIN_POSITIVE) * f32::EPSILON;
            worst = worst.max((tanh(x) as f64 - want).abs() / ulp as f64);
        }
        assert!(worst <= 3.0, "worst error {worst} ulp");
        assert_eq!(tanh(1e30), 1.0);
        assert_eq!(tanh(-1e30), -1.0);
    }
}
