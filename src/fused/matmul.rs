//! Single-precision matrix product `C = A·B` for the Linear layers on flex, split over the
//! cores into bands of C's rows or columns, whichever C has more of: each band is one call of the
//! `gemm` crate's single-threaded kernel, so every value of C is summed in the same order on any
//! number of threads. A layer's backward starts its two products at once when both are large
//! ([`pair`]). Outside the graph, large products run on the AMX tile unit where the processor has
//! one ([`fast`], [`amx`]).
//!
//! Why: flex calls the same crate with its own parallel mode, which on W2's shapes reached
//! 78–108 GFLOP/s on two threads where PyTorch reached 154–180 and this split 110–150
//! (`1000×784 · 784×512`, the same process; the machine is shared, so ranges). Bands of rows
//! for a tall C (inference's 1000 rows, `dW`'s 784 and 512) read each row of A on one core only:
//! W2 inference 3 % faster than bands of columns, training 2–5 % (the Xeon, alternating).

use super::parallel::spinning;

#[cfg(target_arch = "x86_64")]
mod amx;
mod fast;

pub use fast::{fast_product_then, tile_unit};

/// No tile unit off x86-64: [`fast_product_then`] is [`product_then`].
#[cfg(not(target_arch = "x86_64"))]
mod amx {
    use super::MatRef;

    pub const ROWS: usize = 128;

    pub fn available() -> bool {
        false
    }

    pub struct Packed;

    impl Packed {
        pub fn of(_: MatRef) -> Option<Self> {
            None
        }
    }

    /// # Safety
    /// None needed: nothing is written.
    pub unsafe fn rows(_: MatRef, _: &Packed, _: *mut f32, _: usize) -> bool {
        false
    }
}

/// Products with fewer multiply-adds run on the calling thread, as in flex, while the pool's
/// workers sleep between jobs: there, splitting W3's 256×100·100×100 products cost more than it
/// saved (sigmoid net 7.2–8.8 ms per step split, 6.1–6.3 not, the same session).
const PARALLEL: usize = 192 * 192 * 192;
/// Inside [`hot`](super::hot) a join costs far less, and products from this size split: W3's
/// 256×100·100×100 layers (2.6 M multiply-adds) per Adam step, sigmoid net 4.8–4.9 → 4.3 ms,
/// ELU 3.9–4.0 → 3.3–3.4, ELU + BatchNorm 5.4–5.5 → 4.9–5.2 (the Xeon, three pairs of runs).
const PARALLEL_HOT: usize = 128 * 128 * 128;
/// Rows or columns per band are a multiple of this (the crate's kernel is 16 columns wide on AVX2,
/// 64 on AVX-512; W2's bands of columns, 256 and 128, are whole tiles of both).
const PANEL: usize = 16;

/// A read-only matrix: element (i, j) at `data[i·rs + j·cs]`.
#[derive(Clone, Copy)]
pub struct MatRef<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl<'a> MatRef<'a> {
    /// A row-major `rows × cols` matrix; panics if `data` is shorter.
    pub fn rows(data: &'a [f32], rows: usize, cols: usize) -> Self {
        assert!(data.len() >= rows * cols, "matrix outside its data");
        Self {
            data,
            rows,
            cols,
            rs: cols.max(1),
            cs: 1,
        }
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// The transpose, without copying.
    pub fn t(self) -> Self {
        Self {
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
            ..self
        }
    }

    #[cfg(test)]
    fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.rs + j * self.cs]
    }

    fn rows_from(self, start: usize, len: usize) -> Self {
        Self {
            data: &self.data[(start * self.rs).min(self.data.len())..],
            rows: len,
            ..self
        }
    }

    fn columns(self, start: usize, len: usize) -> Self {
        Self {
            data: &self.data[(start * self.cs).min(self.data.len())..],
            cols: len,
            ..self
        }
    }
}

/// Work on a band of C right after its product, while the band is still in cache:
/// `f(rows, first, width)` with one or more whole rows of the band (`width` values each, the
/// band's columns `first..first + width`). The Linear layer adds its bias and its activation here.
pub type Then<'f> = &'f (dyn Fn(&mut [f32], usize, usize) + Sync);

/// `c = a·b`, `c` row-major `a.rows × b.cols`: [`product`] into a buffer that already holds
/// values, so tests can show they are overwritten, not added to.
#[cfg(test)]
fn matmul(a: MatRef, b: MatRef, c: &mut [f32]) {
    assert_eq!(c.len(), a.rows * b.cols, "output has the wrong size");
    // SAFETY: c holds a.rows × b.cols values (checked above)
    unsafe { write(a, b, c.as_mut_ptr(), None) }
}

/// `a·b` in a new row-major buffer, not zeroed first: the product writes every value.
pub fn product(a: MatRef, b: MatRef) -> Vec<f32> {
    product_then(a, b, None)
}

/// [`product`], with `then` run on each band as soon as its product is done.
pub fn product_then(a: MatRef, b: MatRef, then: Option<Then>) -> Vec<f32> {
    let len = a.rows * b.cols;
    let mut c = Vec::with_capacity(len);
    // SAFETY: the buffer holds len values; `write` writes each one before anything reads it
    unsafe {
        write(a, b, c.as_mut_ptr(), then);
        c.set_len(len);
    }
    c
}

/// The instructions the `gemm` crate's f32 kernel runs on here (it picks them at run time).
pub fn f32_kernel() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return "AVX-512";
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return "AVX2 + FMA";
        }
    }
    "portable"
}

/// `a1·b1` and `a2·b2`: when both are large, started together (each still split into bands that
/// an idle core takes), so neither core waits for the other between them; otherwise one after
/// the other. A W2 layer's backward (`128×256·256×512` and `512×128·128×256`) took 470–676 µs
/// against 482–714, less in each of eight runs of a probe (medians of 30 interleaved rounds).
/// The values are [`product`]'s. Smaller pairs stay as they were: outside [`hot`](super::hot),
/// pairing W3's 256×100 layers made its BatchNorm net slower (11.7–12.1 ms per step against
/// 8.7–10.8); inside, they pair and split ([`PARALLEL_HOT`]).
pub fn pair(first: (MatRef, MatRef), second: (MatRef, MatRef)) -> (Vec<f32>, Vec<f32>) {
    if large(first.0, first.1) && large(second.0, second.1) {
        rayon::join(|| product(first.0, first.1), || product(second.0, second.1))
    } else {
        (product(first.0, first.1), product(second.0, second.1))
    }
}

/// Whether `a·b` has enough multiply-adds to split over the cores (at least [`PARALLEL`], or
/// [`PARALLEL_HOT`] where the pool's workers are spinning).
fn large(a: MatRef, b: MatRef) -> bool {
    let least = if spinning() { PARALLEL_HOT } else { PARALLEL };
    a.rows * b.cols * a.cols >= least
}

/// `c = a·b` without reading c, then `then` on each band.
///
/// # Safety
/// `c` must be valid for writing `a.rows × b.cols` values, written by no one else.
unsafe fn write(a: MatRef, b: MatRef, c: *mut f32, then: Option<Then>) {
    assert_eq!(a.cols, b.rows, "inner dimensions differ");
    let (m, n, k) = (a.rows, b.cols, a.cols);
    if m == 0 || n == 0 {
        return;
    }
    let band = Band {
        c: SendPtr(c),
        ldc: n,
        first: 0,
        then,
    };
    if k == 0 {
        // an empty sum; the crate would leave c as it was
        // SAFETY: as the caller promised
        unsafe { c.write_bytes(0, m * n) };
        // SAFETY: as the caller promised
        return unsafe { band.then(m, n) };
    }
    let parts = rayon::current_num_threads().min(m.max(n) / PANEL);
    if !large(a, b) || parts < 2 {
        // SAFETY: as the caller promised
        return unsafe { serial(a, b, band) };
    }
    // SAFETY: as above
    unsafe { bands(a, b, band, parts) }
}

/// Where a band of C starts (`c`, its first column `first`), C's row stride, and what runs on
/// the band after its product.
#[derive(Clone, Copy)]
struct Band<'f> {
    c: SendPtr,
    ldc: usize,
    first: usize,
    then: Option<Then<'f>>,
}

impl Band<'_> {
    /// The band `rows` rows down or `columns` columns right of this one (its bounds are the
    /// business of whoever writes it).
    fn moved(self, rows: usize, columns: usize) -> Self {
        let c = SendPtr(self.c.get().wrapping_add(rows * self.ldc + columns));
        let first = self.first + columns;
        Self { c, first, ..self }
    }

    /// Runs `then` over the band's `rows × width` values: all at once when they are whole rows
    /// of C, row by row otherwise.
    ///
    /// # Safety
    /// The band must be valid for `rows` rows of `width` values at stride `ldc`, written by no
    /// one else.
    unsafe fn then(self, rows: usize, width: usize) {
        let Some(then) = self.then else { return };
        let (c, ldc, first) = (self.c.get(), self.ldc, self.first);
        if width == ldc {
            // SAFETY: the band's rows are contiguous, as the caller promised
            return then(
                unsafe { std::slice::from_raw_parts_mut(c, rows * width) },
                first,
                width,
            );
        }
        for i in 0..rows {
            // SAFETY: row i of the band, as the caller promised
            let row = unsafe { std::slice::from_raw_parts_mut(c.add(i * ldc), width) };
            then(row, first, width);
        }
    }
}

/// `c = a·b` in `parts` bands, halved recursively on panel boundaries across C's longer side
/// (two parts: a top and a bottom half, or a left and a right one).
///
/// # Safety
/// `band` must be valid for `a.rows` rows of `b.cols` values at its stride, written by no one
/// else.
unsafe fn bands(a: MatRef, b: MatRef, band: Band, parts: usize) {
    let (m, n) = (a.rows, b.cols);
    let by_rows = m >= n;
    let len = if by_rows { m } else { n };
    let split = (len * (parts / 2) / parts).div_ceil(PANEL) * PANEL;
    if parts < 2 || split == 0 || split >= len {
        // SAFETY: as the caller promised
        return unsafe { serial(a, b, band) };
    }
    let ((a1, b1), (a2, b2), second) = if by_rows {
        let (top, bottom) = (a.rows_from(0, split), a.rows_from(split, m - split));
        ((top, b), (bottom, b), band.moved(split, 0))
    } else {
        let (left, right) = (b.columns(0, split), b.columns(split, n - split));
        ((a, left), (a, right), band.moved(0, split))
    };
    // SAFETY: the two halves are disjoint parts of c
    rayon::join(
        || unsafe { bands(a1, b1, band, parts / 2) },
        || unsafe { bands(a2, b2, second, parts - parts / 2) },
    );
}

#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
// SAFETY: used only to hand disjoint parts of one output to two threads
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}
impl SendPtr {
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// `c = a·b` on this thread, then the band's `then`.
///
/// # Safety
/// `band` must be valid for `a.rows` rows of `b.cols` values at its stride, written by no one
/// else.
unsafe fn serial(a: MatRef, b: MatRef, band: Band) {
    let (c, ldc) = (band.c.get(), band.ldc);
    // SAFETY: the strides and sizes describe a and b inside their data (MatRef::rows, t) and c
    // as the caller promised; dst is not read (alpha unused), dst = 1·a·b
    unsafe {
        gemm::gemm(
            a.rows,
            b.cols,
            a.cols,
            c,
            1,
            ldc as isize,
            false,
            a.data.as_ptr(),
            a.cs as isize,
            a.rs as isize,
            b.data.as_ptr(),
            b.cs as isize,
            b.rs as isize,
            1.0f32,
            1.0f32,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
        band.then(a.rows, b.cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| (((i as u32).wrapping_mul(2654435761) ^ seed) % 2001) as f32 / 1000.0 - 1.0)
            .collect()
    }

    /// Σ in f64, the reference.
    fn naive(a: MatRef, b: MatRef) -> Vec<f64> {
        let mut c = vec![0.0; a.rows * b.cols];
        for i in 0..a.rows {
            for j in 0..b.cols {
                c[i * b.cols + j] = (0..a.cols)
                    .map(|p| a.at(i, p) as f64 * b.at(p, j) as f64)
                    .sum();
            }
        }
        c
    }

    fn agrees(got: &[f32], want: &[f64], k: usize) {
        // each value is a sum of k products of numbers in [-1, 1]: f32 rounding grows like k·ε
        let tolerance = 4.0 * k.max(1) as f64 * f32::EPSILON as f64;
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!((*g as f64 - w).abs() <= tolerance, "value {i}: {g} vs {w}");
        }
    }

    #[test]
    fn products_of_every_edge_shape_match_a_sum_in_f64() {
        for &(m, k, n) in &[
            (0, 4, 3),
            (3, 4, 0),
            (1, 1, 1),
            (5, 3, 17),
            (6, 256, 16),
            (7, 257, 33),
            (73, 300, 50),
            (128, 784, 100),
        ] {
            let (a, b) = (values(m * k, 1), values(k * n, 2));
            let (a, b) = (MatRef::rows(&a, m, k), MatRef::rows(&b, k, n));
            agrees(&product(a, b), &naive(a, b), k);
        }
    }

    #[test]
    fn transposed_operands_match_a_sum_in_f64() {
        let (m, k, n) = (200, 150, 300); // 9 M multiply-adds: split over two threads
        let (at, bt) = (values(k * m, 3), values(n * k, 4));
        let a = MatRef::rows(&at, k, m).t();
        let b = MatRef::rows(&bt, n, k).t();
        let mut c = values(m * n, 5); // overwritten, not added to
        matmul(a, b, &mut c);
        agrees(&c, &naive(a, b), k);
    }

    #[test]
    fn the_product_is_the_same_bit_for_bit_on_one_two_and_four_threads() {
        let (m, k, n) = (200, 150, 300); // 9 M multiply-adds: 1, 2 and 4 bands
        let (a, b) = (values(m * k, 6), values(k * n, 7));
        let (a, b) = (MatRef::rows(&a, m, k), MatRef::rows(&b, k, n));
        let one = product_on(1, a, b);
        assert_eq!(one, product_on(2, a, b));
        assert_eq!(one, product_on(4, a, b));
        agrees(&one, &naive(a, b), k);
    }

    #[test]
    fn a_tall_product_split_by_rows_is_the_same_bit_for_bit_on_one_two_and_four_threads() {
        // more rows than columns: bands of rows; k = 600 is two of the crate's depth blocks (it
        // takes at least 512 and evens them out), so each band carries its sums across blocks
        let (m, k, n) = (640, 600, 64);
        let (a, at, b) = (values(m * k, 11), values(k * m, 13), values(k * n, 12));
        let b = MatRef::rows(&b, k, n);
        // A plain, and transposed as in dW = xᵀ·dy (its rows strided)
        for a in [MatRef::rows(&a, m, k), MatRef::rows(&at, k, m).t()] {
            let one = product_on(1, a, b);
            assert_eq!(one, product_on(2, a, b));
            assert_eq!(one, product_on(4, a, b));
            agrees(&one, &naive(a, b), k);
        }
    }

    fn product_on(threads: usize, a: MatRef, b: MatRef) -> Vec<f32> {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
        pool.expect("a thread pool").install(|| product(a, b))
    }

    #[test]
    fn a_pair_of_products_equals_each_product_bit_for_bit_on_one_and_two_threads() {
        // a Linear layer's backward: dx = dy·Wᵀ and dW = xᵀ·dy, both 9.6 M multiply-adds, above
        // 192³: started together
        let (rows, inputs, outputs) = (250, 200, 192);
        assert!(
            rows * inputs * outputs >= PARALLEL,
            "the pair must be large enough to join"
        );
        let (dy, w, x) = (
            values(rows * outputs, 8),
            values(inputs * outputs, 9),
            values(rows * inputs, 10),
        );
        let dy = MatRef::rows(&dy, rows, outputs);
        let w_t = MatRef::rows(&w, inputs, outputs).t();
        let x_t = MatRef::rows(&x, rows, inputs).t();
        let small = MatRef::rows(&w[..6], 2, 3); // below the split: one after the other
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool");
            let (dx, dw) = pool.install(|| pair((dy, w_t), (x_t, dy)));
            assert_eq!(dx, product(dy, w_t), "dx on {threads} threads");
            assert_eq!(dw, product(x_t, dy), "dW on {threads} threads");
            let (big, tiny) = pool.install(|| pair((dy, w_t), (small, small.t())));
            assert_eq!((big, tiny), (product(dy, w_t), product(small, small.t())));
        }
        agrees(&product(x_t, dy), &naive(x_t, dy), rows);
    }

    /// `product_then` with a `then` that adds 1000·(column + 1) to each value it is given, and
    /// the first column of each band it ran on.
    fn marked(a: MatRef, b: MatRef) -> (Vec<f32>, Vec<usize>) {
        marked_by(product_then, a, b)
    }

    /// [`marked`] through `product`.
    pub(super) fn marked_by(
        product: fn(MatRef, MatRef, Option<Then>) -> Vec<f32>,
        a: MatRef,
        b: MatRef,
    ) -> (Vec<f32>, Vec<usize>) {
        let bands = std::sync::Mutex::new(vec![]);
        let then = |rows: &mut [f32], first: usize, width: usize| {
            for row in rows.chunks_exact_mut(width) {
                for (j, v) in row.iter_mut().enumerate() {
                    *v += 1000.0 * (first + j + 1) as f32;
                }
            }
            bands.lock().unwrap().push(first);
        };
        let c = product(a, b, Some(&then));
        (c, bands.into_inner().unwrap())
    }

    #[test]
    fn then_runs_once_on_every_value_of_each_band_with_its_columns_on_one_two_and_four_threads() {
        // bands of columns (200 × 300), of rows (600 × 64), and a product too small to split
        for (m, k, n) in [(200, 150, 300), (600, 200, 64), (5, 3, 17)] {
            let (a, b) = (values(m * k, 14), values(k * n, 15));
            let (a, b) = (MatRef::rows(&a, m, k), MatRef::rows(&b, k, n));
            let mut want = product(a, b);
            for (i, v) in want.iter_mut().enumerate() {
                *v += 1000.0 * (i % n + 1) as f32;
            }
            for threads in [1, 2, 4] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
                let (got, _) = pool.expect("a thread pool").install(|| marked(a, b));
                assert_eq!(got, want, "{m}×{k}×{n} on {threads} threads");
            }
        }
        // no depth: then still runs, on zeros
        let (c, _) = marked(MatRef::rows(&[], 2, 0), MatRef::rows(&[], 0, 3));
        assert_eq!(c, vec![1000.0, 2000.0, 3000.0, 1000.0, 2000.0, 3000.0]);
    }

    #[test]
    fn inside_hot_a_w3_layer_product_is_split_in_two_bands_and_outside_it_is_one() {
        // 256×100·100×100: 2.6 M multiply-adds, between PARALLEL_HOT and PARALLEL
        let (m, k, n) = (256, 100, 100);
        assert!(PARALLEL_HOT <= m * k * n && m * k * n < PARALLEL);
        let (a, b) = (values(m * k, 16), values(k * n, 17));
        let (a, b) = (MatRef::rows(&a, m, k), MatRef::rows(&b, k, n));
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build();
        let pool = pool.expect("a thread pool");
        let (cold, cold_bands) = pool.install(|| marked(a, b));
        let (hot, hot_bands) = pool.install(|| super::super::hot(|| marked(a, b)));
        assert_eq!((cold_bands.len(), hot_bands.len()), (1, 2));
        assert_eq!(hot, cold, "the same values bit for bit");
    }

    #[test]
    fn a_product_with_no_depth_is_zero() {
        let (a, b) = (MatRef::rows(&[], 2, 0), MatRef::rows(&[], 0, 3));
        assert_eq!(product(a, b), vec![0.0; 6]);
        let mut c = vec![1.0f32; 6];
        matmul(a, b, &mut c);
        assert_eq!(c, vec![0.0; 6]);
    }
}
