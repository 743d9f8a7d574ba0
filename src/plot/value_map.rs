//! A number over a plane (TensorFlow Playground's regression picture): bands from orange (low)
//! through white to blue (high), the data on top in the colours of their own values, and the
//! scale under it.

use super::chart::{Frame, BOTTOM, H, LEFT, RIGHT, TOP, W};
use super::svg::Svg;

/// `values[i * n + j]` is the number at grid cell (column i, row j) over `x_range × y_range`;
/// `points` are (x, y, value) drawn on top, on the same scale.
pub struct ValueMap<'a> {
    /// Title.
    pub title: &'a str,
    /// Axis names.
    pub axes: (&'a str, &'a str),
    /// What the numbers are, for the scale.
    pub name: &'a str,
    /// Range of the first input.
    pub x_range: (f64, f64),
    /// Range of the second input.
    pub y_range: (f64, f64),
    /// Cells per side.
    pub n: usize,
    /// The number per cell.
    pub values: &'a [f64],
    /// Data points with their own numbers.
    pub points: &'a [(f64, f64, f64)],
}

/// Bands of the scale: few enough that a band is one rectangle per column, as many as a reader
/// tells apart.
const BANDS: usize = 16;

/// The scale's ends: the lowest and highest number of the cells and the points.
struct Scale {
    lo: f64,
    hi: f64,
}

impl Scale {
    fn over(map: &ValueMap) -> Scale {
        let all = map.values.iter().chain(map.points.iter().map(|p| &p.2));
        let (lo, hi) = all
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        match lo.is_finite() {
            true => Scale { lo, hi },
            false => Scale { lo: 0.0, hi: 0.0 },
        }
    }

    /// The band `v` falls in, 0 (lowest) to `BANDS − 1`.
    fn band(&self, v: f64) -> usize {
        let t = (v - self.lo) / (self.hi - self.lo).max(1e-300);
        ((t * BANDS as f64).floor().max(0.0) as usize).min(BANDS - 1)
    }
}

/// Band `b`'s colour: orange below the middle, blue above, white at it; `strength` 1 for the
/// data's dots, paler for the cells under them.
fn colour(b: usize, strength: f64) -> String {
    let s = 2.0 * (b as f64 + 0.5) / BANDS as f64 - 1.0; // −1 … 1
    let end = if s < 0.0 {
        [239, 108, 0]
    } else {
        [21, 101, 192]
    }; // #ef6c00, #1565c0
    let a = s.abs() * strength;
    let mix = |c: u8| (255.0 + (c as f64 - 255.0) * a).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(end[0]), mix(end[1]), mix(end[2]))
}

/// A number on the scale's labels: four significant digits.
fn label(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

/// The picture: cells in bands, the data's dots, the axes, the scale under the plot.
pub fn value_map(map: &ValueMap) -> String {
    let frame = Frame {
        x: map.x_range,
        y: map.y_range,
    };
    let scale = Scale::over(map);
    let mut svg = Svg::new(W, H + 40.0);
    let (cw, ch) = (
        (W - LEFT - RIGHT) / map.n as f64,
        (H - TOP - BOTTOM) / map.n as f64,
    );
    let band_at =
        |i: usize, j: usize| scale.band(map.values.get(i * map.n + j).copied().unwrap_or(0.0));
    for i in 0..map.n {
        // one rectangle per run of cells in the same band up the column
        let mut start = 0;
        for j in 1..=map.n {
            if j == map.n || band_at(i, j) != band_at(i, start) {
                let (x, y) = (LEFT + i as f64 * cw, H - BOTTOM - j as f64 * ch);
                let fill = colour(band_at(i, start), 0.7);
                svg.rect(x, y, cw + 0.5, (j - start) as f64 * ch + 0.5, &fill);
                start = j;
            }
        }
    }
    frame.axes(&mut svg, map.title, map.axes.0, map.axes.1);
    for &(x, y, v) in map.points {
        let inside = (map.x_range.0..=map.x_range.1).contains(&x)
            && (map.y_range.0..=map.y_range.1).contains(&y);
        if inside && v.is_finite() {
            svg.circle(frame.px(x), frame.py(y), 3.0, &colour(scale.band(v), 1.0));
        }
    }
    draw_scale(&mut svg, &scale, map.name);
    svg.finish()
}

/// The bands in a row under the plot, the lowest and highest number at its ends.
fn draw_scale(svg: &mut Svg, scale: &Scale, name: &str) {
    let (y, width) = (H + 6.0, (W - LEFT - RIGHT) / BANDS as f64);
    for b in 0..BANDS {
        svg.rect(
            LEFT + b as f64 * width,
            y,
            width + 0.5,
            10.0,
            &colour(b, 0.7),
        );
    }
    svg.text(LEFT, y + 24.0, 11.0, "start", &label(scale.lo));
    svg.text(W / 2.0, y + 24.0, 11.0, "middle", name);
    svg.text(W - RIGHT, y + 24.0, 11.0, "end", &label(scale.hi));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ends_of_the_scale_fall_in_the_first_and_last_band_and_white_is_the_middle() {
        let scale = Scale { lo: -2.0, hi: 6.0 };
        assert_eq!((scale.band(-2.0), scale.band(6.0)), (0, BANDS - 1));
        assert_eq!(scale.band(1.99), BANDS / 2 - 1);
        assert_eq!(scale.band(2.01), BANDS / 2);
        assert_eq!(colour(0, 1.0), "#f07510"); // 15/16 of the way to #ef6c00
        assert_eq!(colour(BANDS - 1, 1.0), "#246fc4"); // and to #1565c0
        assert_eq!(label(-2.10349), "-2.103");
        assert_eq!(label(1234.567), "1235");
        assert_eq!(label(0.000123456), "0.0001235");
    }

    #[test]
    fn a_plane_of_one_number_draws_one_band_per_column() {
        let values = vec![1.5; 9];
        let svg = value_map(&ValueMap {
            title: "t",
            axes: ("x", "y"),
            name: "z",
            x_range: (0.0, 1.0),
            y_range: (0.0, 1.0),
            n: 3,
            values: &values,
            points: &[(0.5, 0.5, 1.5)],
        });
        // the background, 3 columns, 16 scale bands
        assert_eq!(svg.matches("<rect").count(), 1 + 3 + BANDS);
        assert_eq!(svg.matches("<circle").count(), 1);
    }
}
