//! `A·B` on the AMX tile unit of Intel's Xeons (Sapphire Rapids and later), as accurate as an f32
//! product, for inference's large products.
//!
//! Each f32 is split into three bf16 parts, `x = x₁ + x₂ + x₃` exactly (8 significant bits each),
//! and the six part products of order ≥ 2⁻¹⁶ are summed in f32 tiles:
//! `a·b = a₃b₁ + a₂b₂ + a₂b₁ + a₁b₃ + a₁b₂ + a₁b₁ + δ` with `|δ|` at most about 2⁻²⁴·|a·b|, the
//! size of f32's own rounding of the product; the sums' error is about the f32 kernel's (within
//! 1.25 times it on the shapes tested against sums in f64). It is a different rounding from the
//! `gemm` crate's, so not Burn's values bit for bit. One tile instruction makes 16·16·32 bf16
//! products in 16–20 cycles, so the six run 2–2.7× the multiply-adds of AVX-512's f32 peak; with
//! the splitting and the loads, W2's inference ran 1.1–1.2× faster than on the crate's kernel
//! (PERFORMANCE.md, "What did it").
//!
//! Values of magnitude outside [2⁻⁵⁰, 2⁶⁰] (zero aside), infinities and NaN are refused and the
//! caller runs the f32 kernel instead: the unit flushes subnormal parts and part products to zero,
//! and the parts of an infinity are not an infinity's.

use std::arch::asm;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::MatRef;

/// Most rows of A packed at a time: 600 KB of bf16 parts for k = 784, in the L2 cache while every
/// panel of B passes them (64 and 256 rows were no faster on W2's inference).
pub const ROWS: usize = 128;
/// Depth of one tile step: a tile row holds 32 bf16.
const DEPTH: usize = 32;
/// Columns of B per panel: two tiles of 16.
const WIDTH: usize = 32;
/// bf16 values in one tile (16 rows of 64 bytes), and in one part of a step (two tiles).
const TILE: usize = 512;
const STEP: usize = 2 * TILE;
/// Magnitudes inside which every part is a normal number, and every part product but those
/// below 2⁻¹²⁶ (under 2⁻²⁶·|a·b|, so flushing them to zero costs nothing f32 keeps).
const LEAST: f32 = 1.0 / (1u64 << 50) as f32;
const MOST: f32 = (1u64 << 60) as f32;
/// `(part of a, part of b)`, grouped by a's part (its tiles are loaded once for each group), the
/// smaller products first in each: `a₃b₁; a₂b₂, a₂b₁; a₁b₃, a₁b₂, a₁b₁`.
const PAIRS: [(usize, usize); 6] = [(2, 0), (1, 1), (1, 0), (0, 2), (0, 1), (0, 0)];

/// Whether products may run here: the processor has AMX-TILE, AMX-BF16 and AVX-512BW, Linux lets
/// this process use the tile registers, and `PLAINDNN_AMX=0` is not set (read once per process).
pub fn available() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| crate::environment::switch("PLAINDNN_AMX") && enable())
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn enable() -> bool {
    use std::arch::x86_64::{__cpuid, __cpuid_count};
    if __cpuid(0).eax < 7 || !is_x86_feature_detected!("avx512bw") {
        return false;
    }
    let edx = __cpuid_count(7, 0).edx;
    const AMX_BF16: u32 = 1 << 22;
    const AMX_TILE: u32 = 1 << 24;
    if edx & AMX_BF16 == 0 || edx & AMX_TILE == 0 {
        return false;
    }
    // Linux saves the 8 KB of tile registers only for processes that ask:
    // arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA), 0 when granted
    let granted: i64;
    // SAFETY: the arch_prctl system call (158) changes only this process's permissions
    unsafe {
        asm!("syscall", inlateout("rax") 158i64 => granted, in("rdi") 0x1023i64, in("rsi") 18i64,
             lateout("rcx") _, lateout("r11") _, options(nostack));
    }
    granted == 0
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
fn enable() -> bool {
    false
}

/// B split into its three bf16 parts in the order the tile unit reads them: per panel of 32
/// columns, per step of 32 rows, per part, two tiles of 16 row pairs × 16 columns, each row of
/// a tile `b[2r][j], b[2r+1][j]` for its 16 columns j. Padded with zeros to whole panels and steps.
pub struct Packed {
    parts: Lines,
    steps: usize,
    cols: usize,
}

/// Buffers larger than this are freed after use rather than kept for the next product (a wide
/// input would otherwise hold its packed copy until the process ends).
const KEEP: usize = 16 << 20;

/// Buffers of earlier products' packed B, for the next: every value is written again, so a
/// reused buffer spares allocating, zeroing and faulting in 2.4 MB per call (W2's first layer).
static SPARE: std::sync::Mutex<Vec<Lines>> = std::sync::Mutex::new(Vec::new());

impl Drop for Packed {
    fn drop(&mut self) {
        if let Ok(mut spare) = SPARE.lock() {
            if spare.len() < 2 && self.parts.bytes() <= KEEP {
                spare.push(std::mem::take(&mut self.parts));
            }
        }
    }
}

impl Packed {
    /// B packed, or `None` when B is not row-major or holds a value out of range. Its panels are
    /// packed in parallel.
    pub fn of(b: MatRef) -> Option<Self> {
        if b.cs != 1 || !available() {
            return None;
        }
        let steps = b.rows.div_ceil(DEPTH);
        let panel = steps * 3 * STEP / 2; // in pairs
        let mut parts = SPARE
            .lock()
            .ok()
            .and_then(|mut s| s.pop())
            .unwrap_or_default();
        parts.resize(b.cols.div_ceil(WIDTH) * panel * 2);
        let in_range = AtomicBool::new(true);
        parts.pairs_mut()[..b.cols.div_ceil(WIDTH) * panel]
            .par_chunks_mut(panel)
            .enumerate()
            .for_each(|(p, out)| {
                // SAFETY: `available` checked AVX-512BW
                if !unsafe { pack_panel(b, p * WIDTH, out) } {
                    in_range.store(false, Ordering::Relaxed);
                }
            });
        let cols = b.cols;
        in_range.into_inner().then_some(Self { parts, steps, cols })
    }

    fn panel(&self, p: usize) -> &[u16] {
        let len = self.steps * 3 * STEP;
        &self.parts.values()[p * len..(p + 1) * len]
    }
}

/// bf16 values in whole cache lines, each starting one: a tile's 64-byte rows then never
/// straddle two lines (with `Vec<u16>`'s 2-byte alignment the kernel ran at half speed).
#[derive(Default)]
struct Lines(Vec<Line>);

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u16; 32]);

impl Lines {
    /// At least `len` values (whole lines), zeros where new.
    fn resize(&mut self, len: usize) {
        let lines = len.div_ceil(32);
        if self.0.len() < lines {
            self.0.resize(lines, Line([0; 32]));
        }
    }

    fn bytes(&self) -> usize {
        self.0.len() * std::mem::size_of::<Line>()
    }

    fn values(&self) -> &[u16] {
        // SAFETY: a Line is 32 u16 with no padding
        unsafe { std::slice::from_raw_parts(self.0.as_ptr().cast(), self.0.len() * 32) }
    }

    fn values_mut(&mut self) -> &mut [u16] {
        // SAFETY: as above
        unsafe { std::slice::from_raw_parts_mut(self.0.as_mut_ptr().cast(), self.0.len() * 32) }
    }

    /// The values two by two.
    fn pairs_mut(&mut self) -> &mut [u32] {
        // SAFETY: a Line is 16 u32 as well, 64-byte aligned
        unsafe { std::slice::from_raw_parts_mut(self.0.as_mut_ptr().cast(), self.0.len() * 16) }
    }
}

/// The bf16 parts `(x₁, x₂, x₃)` of x, each rounded to nearest even: exact, `x = x₁ + x₂ + x₃`.
#[inline(always)]
fn split(x: f32) -> [u16; 3] {
    let round = |v: f32| {
        let u = v.to_bits();
        (u.wrapping_add(0x7fff + ((u >> 16) & 1)) >> 16) as u16
    };
    let widen = |h: u16| f32::from_bits((h as u32) << 16);
    let x1 = round(x);
    let r1 = x - widen(x1);
    let x2 = round(r1);
    [x1, x2, round(r1 - widen(x2))]
}

/// Whether x is zero or of a magnitude the tile unit sums as f32 would.
#[inline(always)]
fn in_range(x: f32) -> bool {
    let m = x.abs();
    m == 0.0 || (LEAST..=MOST).contains(&m)
}

/// Row `i` of m, columns `first..first + 32`, zeros outside m.
#[inline(always)]
fn segment(m: MatRef, i: usize, first: usize) -> [f32; WIDTH] {
    let start = i * m.rs + first;
    if i < m.rows && first + WIDTH <= m.cols {
        // a whole segment: a copy of fixed size, which the compiler inlines (not a memcpy call)
        return m.data[start..start + WIDTH].try_into().expect("32 values");
    }
    let mut s = [0.0; WIDTH];
    if i < m.rows && first < m.cols {
        let n = m.cols - first;
        s[..n].copy_from_slice(&m.data[start..start + n]);
    }
    s
}

/// The three bf16 parts of 32 values, and whether all are in range.
#[inline(always)]
fn split_all(x: &[f32; WIDTH]) -> ([[u16; WIDTH]; 3], bool) {
    let mut parts = [[0; WIDTH]; 3];
    let mut ok = true;
    for (j, &v) in x.iter().enumerate() {
        ok &= in_range(v);
        let [p1, p2, p3] = split(v);
        (parts[0][j], parts[1][j], parts[2][j]) = (p1, p2, p3);
    }
    (parts, ok)
}

/// Packs columns `first..first + 32` of row-major B into `out` (pairs of bf16 as one u32, the
/// lower half from the even row); false when a value is out of range.
#[target_feature(enable = "avx512f,avx512bw")]
fn pack_panel(b: MatRef, first: usize, out: &mut [u32]) -> bool {
    let mut ok = true;
    for (step, out) in out.chunks_exact_mut(3 * TILE).enumerate() {
        for r in 0..TILE / WIDTH {
            let k = step * DEPTH + 2 * r;
            let (even, ok_even) = split_all(&segment(b, k, first));
            let (odd, ok_odd) = split_all(&segment(b, k + 1, first));
            ok &= ok_even & ok_odd;
            for ((even, odd), out) in even.iter().zip(&odd).zip(out.chunks_exact_mut(TILE)) {
                let pair: [u32; WIDTH] =
                    std::array::from_fn(|j| even[j] as u32 | (odd[j] as u32) << 16);
                // columns 0–15 in the first tile, 16–31 in the second
                out[r * 16..][..16].copy_from_slice(&pair[..16]);
                out[TILE / 2 + r * 16..][..16].copy_from_slice(&pair[16..]);
            }
        }
    }
    ok
}

/// Packs the rows of row-major A into `out` (zeros past A's end): per block of 32 rows, per step,
/// per part, 32 rows of 32 bf16. False when a value is out of range.
#[target_feature(enable = "avx512f,avx512bw")]
fn pack_rows(a: MatRef, steps: usize, out: &mut [u16]) -> bool {
    let mut ok = true;
    for (block, out) in out.chunks_exact_mut(steps * 3 * STEP).enumerate() {
        // row by row, so that each row of A is read in order
        for r in 0..WIDTH {
            for (step, out) in out.chunks_exact_mut(3 * STEP).enumerate() {
                let (parts, in_range) = split_all(&segment(a, block * WIDTH + r, step * DEPTH));
                ok &= in_range;
                for (part, out) in parts.iter().zip(out.chunks_exact_mut(STEP)) {
                    out[r * WIDTH..][..WIDTH].copy_from_slice(part);
                }
            }
        }
    }
    ok
}

/// The tile registers' shape: all eight 16 rows × 64 bytes (palette 1).
#[repr(C, align(64))]
struct Config([u8; 64]);

const CONFIG: Config = {
    let mut c = [0u8; 64];
    c[0] = 1;
    let mut t = 0;
    while t < 8 {
        c[16 + 2 * t] = 64; // bytes per row
        c[48 + t] = 16; // rows
        t += 1;
    }
    Config(c)
};

thread_local! {
    /// Each thread's packed rows of A, reused from call to call.
    static PACKED_ROWS: std::cell::RefCell<Lines> = const { std::cell::RefCell::new(Lines(Vec::new())) };
}

/// `c = a·b` for at most [`ROWS`] rows of row-major `a`, `c` at row stride `ldc`; false, with c
/// not yet written, when a value of `a` is out of range.
///
/// # Safety
/// `c` must be valid for writing `a.rows` rows of `b.cols` values at stride `ldc`, written by no
/// one else; `b` must have been packed from a matrix of `a.cols` rows.
pub unsafe fn rows(a: MatRef, b: &Packed, c: *mut f32, ldc: usize) -> bool {
    assert!(a.rows <= ROWS && a.cs == 1 && b.steps == a.cols.div_ceil(DEPTH));
    PACKED_ROWS.with_borrow_mut(|buffer| {
        let blocks = a.rows.div_ceil(WIDTH);
        let len = blocks * b.steps * 3 * STEP;
        buffer.resize(len);
        let packed = &mut buffer.values_mut()[..len];
        // SAFETY: `b` exists, so `available` checked AVX-512BW and AMX
        let in_range = unsafe { pack_rows(a, b.steps, packed) };
        if in_range {
            // SAFETY: as above, and as the caller promised for c
            unsafe { multiply(packed, a.rows, b, c, ldc) };
        }
        if buffer.bytes() > KEEP {
            *buffer = Lines::default();
        }
        in_range
    })
}

/// The tiles of C for packed rows of A against every panel of B.
#[target_feature(enable = "avx512f")]
unsafe fn multiply(a: &[u16], rows: usize, b: &Packed, c: *mut f32, ldc: usize) {
    let block_len = b.steps * 3 * STEP;
    // SAFETY: the processor has AMX (checked by the caller); CONFIG is a valid palette-1 shape
    unsafe { asm!("ldtilecfg [{}]", in(reg) CONFIG.0.as_ptr(), options(nostack, readonly)) };
    for p in 0..b.cols.div_ceil(WIDTH) {
        let panel = b.panel(p);
        for (block, a) in a.chunks_exact(block_len).enumerate() {
            // SAFETY: a and panel hold b.steps steps of three parts, each two whole tiles
            unsafe { accumulate(a, panel, b.steps) };
            let (i, j) = (block * WIDTH, p * WIDTH);
            let (height, width) = (WIDTH.min(rows - i), WIDTH.min(b.cols - j));
            // SAFETY: the block lies inside c's rows × cols, as the caller promised
            unsafe { store(c.add(i * ldc + j), ldc, height, width) };
        }
    }
    // SAFETY: back to the initial tile state, so a context switch need not save it
    unsafe { asm!("tilerelease", options(nostack, nomem)) };
}

/// Tiles 0–3 = the 32×32 block of `a·b` for a block of packed rows and a panel.
///
/// # Safety
/// The tile registers are configured; `a` and `b` hold `steps` steps of three parts of two tiles.
#[inline(always)]
unsafe fn accumulate(a: &[u16], b: &[u16], steps: usize) {
    debug_assert!(a.len() >= steps * 3 * STEP && b.len() >= steps * 3 * STEP);
    // SAFETY: as the caller promised
    unsafe {
        asm!(
            "tilezero tmm0",
            "tilezero tmm1",
            "tilezero tmm2",
            "tilezero tmm3",
            options(nostack, nomem)
        );
    }
    for step in 0..steps {
        for (i, (pa, pb)) in PAIRS.into_iter().enumerate() {
            // SAFETY: each pointer starts two whole tiles (1 KB each, rows of 64 bytes) inside
            let (a, b) = unsafe {
                (
                    a.as_ptr().add((step * 3 + pa) * STEP),
                    b.as_ptr().add((step * 3 + pb) * STEP),
                )
            };
            if i == 0 || PAIRS[i - 1].0 != pa {
                // rows 0–15 and 16–31 of a's part
                unsafe {
                    asm!(
                        "tileloadd tmm4, [{a} + {s}*1]",
                        "tileloadd tmm5, [{a} + {s}*1 + 1024]",
                        a = in(reg) a, s = in(reg) 64usize, options(nostack, readonly),
                    );
                }
            }
            // tmm0..3 += rows 0–15 / 16–31 of a (tmm4, tmm5) · columns 0–15 / 16–31 of b (tmm6, tmm7)
            unsafe {
                asm!(
                    "tileloadd tmm6, [{b} + {s}*1]",
                    "tileloadd tmm7, [{b} + {s}*1 + 1024]",
                    "tdpbf16ps tmm0, tmm4, tmm6",
                    "tdpbf16ps tmm1, tmm4, tmm7",
                    "tdpbf16ps tmm2, tmm5, tmm6",
                    "tdpbf16ps tmm3, tmm5, tmm7",
                    b = in(reg) b, s = in(reg) 64usize,
                    options(nostack, readonly),
                );
            }
        }
    }
}

/// Tiles 0–3 into the `height × width` top-left corner of the 32×32 block at `c` (row stride
/// `ldc`): directly when whole, through a scratch block at the edges.
///
/// # Safety
/// The tiles hold a block; c is valid for `height` rows of `width` values at stride `ldc`.
#[inline(always)]
unsafe fn store(c: *mut f32, ldc: usize, height: usize, width: usize) {
    let whole = height == WIDTH && width == WIDTH;
    let mut scratch = [0.0f32; WIDTH * WIDTH];
    let (to, stride) = if whole {
        (c, ldc)
    } else {
        (scratch.as_mut_ptr(), WIDTH)
    };
    // SAFETY: `to` holds 32 rows of 32 values at `stride`, as the caller promised or the scratch
    unsafe {
        asm!(
            "tilestored [{c} + {s}*1], tmm0",
            "tilestored [{c} + {s}*1 + 64], tmm1",
            "tilestored [{l} + {s}*1], tmm2",
            "tilestored [{l} + {s}*1 + 64], tmm3",
            c = in(reg) to, l = in(reg) to.add(16 * stride), s = in(reg) stride * 4,
            options(nostack),
        );
    }
    if !whole {
        for i in 0..height {
            // SAFETY: row i of the block's corner, as the caller promised
            unsafe {
                std::ptr::copy_nonoverlapping(
                    scratch.as_ptr().add(i * WIDTH),
                    c.add(i * ldc),
                    width,
                )
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_of_a_wide_product_are_freed_after_it_and_those_of_a_usual_one_kept() {
        if !available() {
            return eprintln!("no AMX tile unit here: nothing is packed");
        }
        let packed_rows = |m: usize, k: usize| {
            let n = 32;
            let (a, b) = (vec![0.5f32; m * k], vec![0.25f32; k * n]);
            let (a, b) = (MatRef::rows(&a, m, k), MatRef::rows(&b, k, n));
            // one thread: the task runs where PACKED_ROWS is read
            let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build();
            pool.expect("a thread pool").install(|| {
                let c = super::super::fast_product_then(a, b, None);
                assert_eq!(c[0], 0.125 * k as f32);
                PACKED_ROWS.with_borrow(|p| p.bytes())
            })
        };
        // a task of 128 rows × 22 016 columns in three bf16 parts: 17 MB, over KEEP
        assert_eq!(packed_rows(512, 22_000), 0);
        assert!(packed_rows(512, 2_000) > 0);
        let spare = SPARE.lock().expect("the spare buffers");
        assert!(spare.iter().all(|b| b.bytes() <= KEEP));
    }

    /// Values across f32's range: every exponent from 2⁻⁶⁰ to 2⁷⁰ with varied significands.
    fn spread() -> impl Iterator<Item = f32> {
        (0..200_000u32).map(|i| {
            let bits = i.wrapping_mul(2_654_435_761) & 0x807f_ffff; // sign and significand
            let exponent = 127 - 60 + (i % 131); // 2⁻⁶⁰ … 2⁷⁰
            f32::from_bits(bits | exponent << 23)
        })
    }

    #[test]
    fn three_bf16_parts_sum_to_each_f32_in_range_exactly() {
        let widen = |h: u16| f32::from_bits((h as u32) << 16) as f64;
        let mut checked = 0;
        for x in spread().filter(|&x| in_range(x)) {
            let [p1, p2, p3] = split(x);
            assert_eq!(widen(p1) + widen(p2) + widen(p3), x as f64, "{x:e}");
            checked += 1;
        }
        assert!(checked > 100_000);
    }

    #[test]
    fn only_zero_and_magnitudes_from_2_to_the_minus_50_to_2_to_the_60_are_in_range() {
        let two = |e: i32| 2f32.powi(e);
        for x in [0.0, -0.0, two(-50), -two(-50), 1.0, -3.5, two(60), -two(60)] {
            assert!(in_range(x), "{x:e}");
        }
        for x in [two(-51), 1e-30, f32::MIN_POSITIVE, 1e-45, two(61), f32::MAX] {
            assert!(!in_range(x) && !in_range(-x), "{x:e}");
        }
        for x in [f32::INFINITY, f32::NEG_INFINITY, f32::NAN] {
            assert!(!in_range(x));
        }
    }
}
