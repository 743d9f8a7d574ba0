//! Inference's products on the AMX tile unit where the processor has one ([`super::amx`]), and on
//! the `gemm` crate's kernel ([`product_then`]) everywhere else.

use rayon::prelude::*;

use super::{amx, large, product_then, serial, Band, MatRef, SendPtr, Then};

/// Products with fewer rows stay on the `gemm` crate's kernel: splitting B into its bf16 parts
/// costs as much as the tile unit saves on a few hundred rows (W2's first layer on two threads,
/// medians of 30: 128 rows 496 µs on the unit against 348 on the crate, 384 rows 842 against 819,
/// 512 rows 1 076 against 1 139, 1000 rows 1 683 against 2 148).
const TILE_ROWS: usize = 512;

/// Whether inference's large products run on the AMX tile unit in this process.
pub fn tile_unit() -> bool {
    amx::available()
}

/// [`product_then`], on the AMX tile unit where the processor has one and the product is large
/// enough to split, with at least [`TILE_ROWS`] rows ([`amx`]): values as accurate as f32 sums but
/// rounded otherwise than the `gemm` crate's, so for inference only; training keeps Burn's values
/// bit for bit. Tasks of [`amx::ROWS`] rows, taken by idle cores; a task whose rows hold a value
/// the tile unit cannot sum as f32 would runs the crate's kernel instead, as does the whole
/// product when B holds one.
pub fn fast_product_then(a: MatRef, b: MatRef, then: Option<Then>) -> Vec<f32> {
    assert_eq!(a.cols, b.rows, "inner dimensions differ");
    let tall = a.rows >= TILE_ROWS && a.cs == 1;
    let packed = (tall && large(a, b)).then(|| amx::Packed::of(b));
    let Some(Some(packed)) = packed else {
        return product_then(a, b, then);
    };
    let (m, n) = (a.rows, b.cols);
    let per_task = amx::ROWS;
    let mut c = Vec::with_capacity(m * n);
    let band = Band {
        c: SendPtr(c.as_mut_ptr()),
        ldc: n,
        first: 0,
        then,
    };
    (0..m.div_ceil(per_task)).into_par_iter().for_each(|task| {
        let (start, len) = (task * per_task, per_task.min(m - task * per_task));
        let (rows, band) = (a.rows_from(start, len), band.moved(start, 0));
        // SAFETY: each task writes its own rows of c, which holds m × n values
        unsafe {
            if amx::rows(rows, &packed, band.c.get(), n) {
                band.then(len, n)
            } else {
                serial(rows, b, band)
            }
        }
    });
    // SAFETY: the tasks wrote every row
    unsafe { c.set_len(m * n) };
    c
}

#[cfg(test)]
mod tests {
    use super::super::product;
    use super::super::tests::{marked_by, values};
    use super::*;

    /// Whether the tile unit runs here; where it does not, the fast product is the crate's and
    /// the tests of the tile unit check nothing more (they say so).
    fn tiles() -> bool {
        let on = amx::available();
        if !on {
            eprintln!("no AMX tile unit here (or PLAINDNN_AMX=0): its tests compare the crate with itself");
        }
        on
    }

    /// The largest `|c − Σ| / Σ|a·b|` over the values of c, sums in f64.
    fn relative_error(c: &[f32], a: MatRef, b: MatRef) -> f64 {
        let mut worst = 0.0f64;
        for i in 0..a.rows {
            for j in 0..b.cols {
                let terms = (0..a.cols).map(|p| a.at(i, p) as f64 * b.at(p, j) as f64);
                let (sum, size) = terms.fold((0.0, 0.0), |(s, z), t| (s + t, z + t.abs()));
                let error = (c[i * b.cols + j] as f64 - sum).abs();
                worst = worst.max(if size > 0.0 { error / size } else { error });
            }
        }
        worst
    }

    #[test]
    fn on_the_tile_unit_large_products_of_every_edge_shape_are_as_accurate_as_f32_sums() {
        // W2's first layer, and shapes with rows, depth and columns off the tiles' 32
        for (m, k, n) in [
            (1000, 784, 512),
            (520, 333, 97),
            (513, 1025, 65),
            (700, 100, 300),
        ] {
            let (a, b) = (values(m * k, 21), values(k * n, 22));
            let (a, b) = (MatRef::rows(&a, m, k), MatRef::rows(&b, k, n));
            assert!(large(a, b), "{m}×{k}×{n} is large enough for the tile unit");
            let fast = fast_product_then(a, b, None);
            let f32_kernel = product(a, b);
            // about the f32 kernel's own on the same product: measured 0.6–1.3e-7 against its
            // 0.8–2.4e-7 (0.5–1.08 times); five part products instead of six give 4.8e-7
            let (error, f32_error) = (
                relative_error(&fast, a, b),
                relative_error(&f32_kernel, a, b),
            );
            assert!(
                error <= 1.25 * f32_error,
                "{m}×{k}×{n}: {error:e} of Σ|a·b|, f32 {f32_error:e}"
            );
            if tiles() {
                assert!(fast != f32_kernel, "{m}×{k}×{n} ran on the tile unit");
            }
        }
    }

    #[test]
    fn on_the_tile_unit_the_product_is_the_same_bit_for_bit_on_one_two_and_four_threads() {
        let (m, k, n) = (1000, 200, 100); // 8 tasks of 128 rows
        let (a, b) = (values(m * k, 23), values(k * n, 24));
        let (a, b) = (MatRef::rows(&a, m, k), MatRef::rows(&b, k, n));
        let on = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
            pool.expect("a thread pool")
                .install(|| fast_product_then(a, b, None))
        };
        let one = on(1);
        assert_eq!(one, on(2));
        assert_eq!(one, on(4));
    }

    #[test]
    fn on_the_tile_unit_then_runs_once_on_every_value_with_its_columns() {
        let (m, k, n) = (600, 200, 150);
        let (a, b) = (values(m * k, 25), values(k * n, 26));
        let (a, b) = (MatRef::rows(&a, m, k), MatRef::rows(&b, k, n));
        let mut want = fast_product_then(a, b, None);
        for (i, v) in want.iter_mut().enumerate() {
            *v += 1000.0 * (i % n + 1) as f32;
        }
        let (got, bands) = marked_by(fast_product_then, a, b);
        assert_eq!(got, want);
        if tiles() {
            assert_eq!(
                bands,
                vec![0; 5],
                "one call per task of 128 rows, whole rows"
            );
        }
    }

    #[test]
    fn a_value_the_tile_unit_cannot_sum_like_f32_leaves_its_rows_to_the_crates_kernel() {
        let (m, k, n) = (600, 100, 200);
        let rows = amx::ROWS; // tasks of rows 0–127, 128–255, …, 512–599
        let (mut a, b) = (values(m * k, 27), values(k * n, 28));
        a[5 * k + 3] = f32::INFINITY; // the first task
        a[200 * k + 7] = 1e-30; // the second: its parts would be flushed to zero
        let bits = |c: &[f32]| c.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let (am, bm) = (MatRef::rows(&a, m, k), MatRef::rows(&b, k, n));
        let (fast, f32_kernel) = (fast_product_then(am, bm, None), product(am, bm));
        for task in 0..m.div_ceil(rows) {
            let values = task * rows * n..((task + 1) * rows).min(m) * n;
            let (fast, f32_kernel) = (&fast[values.clone()], &f32_kernel[values]);
            if task == 5 / rows || task == 200 / rows {
                assert_eq!(
                    bits(fast),
                    bits(f32_kernel),
                    "task {task}: the crate's, ∞ and NaN included"
                );
            } else if tiles() {
                assert!(fast != f32_kernel, "task {task} on the tile unit");
            }
        }
        assert!(fast[5 * n..6 * n]
            .iter()
            .all(|v| v.is_infinite() || v.is_nan()));
        // one such value in B: the whole product is the crate's
        let mut b = b;
        b[17] = f32::NAN;
        let bm = MatRef::rows(&b, k, n);
        assert_eq!(
            bits(&fast_product_then(am, bm, None)),
            bits(&product(am, bm))
        );
    }

    #[test]
    fn products_of_fewer_than_512_rows_stay_on_the_crates_kernel() {
        let (k, n) = (784, 512);
        let (a, b) = (values(TILE_ROWS * k, 29), values(k * n, 30));
        let b = MatRef::rows(&b, k, n);
        let short = MatRef::rows(&a, TILE_ROWS - 1, k);
        assert!(large(short, b));
        assert_eq!(fast_product_then(short, b, None), product(short, b));
        if tiles() {
            let tall = MatRef::rows(&a, TILE_ROWS, k);
            assert!(fast_product_then(tall, b, None) != product(tall, b));
        }
    }

    #[test]
    #[ignore = "run by plaindnn_amx_0_switches_the_tile_unit_off_for_the_whole_process"]
    fn tile_unit_in_this_process() {
        println!("tile unit: {}", amx::available());
    }

    #[test]
    fn plaindnn_amx_0_switches_the_tile_unit_off_for_the_whole_process() {
        if !tiles() {
            return;
        }
        let name = "fused::matmul::fast::tests::tile_unit_in_this_process";
        let run = |value: &str| {
            let test = std::env::current_exe().expect("the test binary");
            let out = std::process::Command::new(test)
                .args([name, "--exact", "--ignored", "--nocapture"])
                .env("PLAINDNN_AMX", value)
                .output()
                .expect("the test binary runs");
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        assert!(run("0").contains("tile unit: false"));
        assert!(run("1").contains("tile unit: true"));
    }
}
