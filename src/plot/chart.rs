//! Line charts (loss and accuracy curves) and class maps (decision regions with the data on top).

use super::svg::{ticks, Svg};

/// One line of a chart.
pub struct Series<'a> {
    /// Legend text.
    pub label: &'a str,
    /// Stroke colour.
    pub color: &'a str,
    /// (x, y) points in data units.
    pub points: Vec<(f64, f64)>,
    /// Draw the points as dots instead of joining them.
    pub dots: bool,
}

pub(super) const W: f64 = 640.0;
pub(super) const H: f64 = 400.0;
pub(super) const LEFT: f64 = 64.0;
pub(super) const RIGHT: f64 = 16.0;
pub(super) const TOP: f64 = 36.0;
pub(super) const BOTTOM: f64 = 48.0;

/// Maps data ranges onto the plot area.
pub(super) struct Frame {
    pub(super) x: (f64, f64),
    pub(super) y: (f64, f64),
}

impl Frame {
    pub(super) fn px(&self, x: f64) -> f64 {
        LEFT + (x - self.x.0) / (self.x.1 - self.x.0).max(1e-12) * (W - LEFT - RIGHT)
    }
    pub(super) fn py(&self, y: f64) -> f64 {
        H - BOTTOM - (y - self.y.0) / (self.y.1 - self.y.0).max(1e-12) * (H - TOP - BOTTOM)
    }

    pub(super) fn axes(&self, svg: &mut Svg, title: &str, x_label: &str, y_label: &str) {
        svg.text(W / 2.0, 22.0, 15.0, "middle", title);
        for t in ticks(self.x.0, self.x.1) {
            let x = self.px(t);
            svg.line(x, H - BOTTOM, x, H - BOTTOM + 5.0, "#444444", 1.0);
            svg.text(x, H - BOTTOM + 18.0, 11.0, "middle", &format_tick(t));
        }
        for t in ticks(self.y.0, self.y.1) {
            let y = self.py(t);
            svg.line(LEFT, y, W - RIGHT, y, "#eeeeee", 1.0);
            svg.text(LEFT - 6.0, y + 4.0, 11.0, "end", &format_tick(t));
        }
        svg.line(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, "#444444", 1.0);
        svg.line(LEFT, TOP, LEFT, H - BOTTOM, "#444444", 1.0);
        svg.text(W / 2.0, H - 10.0, 12.0, "middle", x_label);
        svg.text(14.0, TOP - 10.0, 12.0, "start", y_label);
    }
}

/// A tick's label: plain below a million (1800, 2000, 0.25), else mantissa and exponent with the
/// digits that tell neighbouring ticks apart (1.2e7, 1.4e7; 5e-3).
fn format_tick(v: f64) -> String {
    if v == 0.0 || (0.01..1e6).contains(&v.abs()) {
        return format!("{}", (v * 1000.0).round() / 1000.0);
    }
    let text = format!("{v:.2e}"); // "1.20e7"
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("{mantissa}e{exponent}")
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        return (lo - 0.5, hi + 0.5);
    }
    (lo, hi)
}

/// A line chart of several series, with a legend; the y axis starts at 0 when all values are ≥ 0.
pub fn line_chart(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    let x = range(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
    let (lo, hi) = range(series.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
    let frame = Frame {
        x,
        y: (if lo >= 0.0 { 0.0 } else { lo }, hi),
    };
    let mut svg = Svg::new(W, H);
    frame.axes(&mut svg, title, x_label, y_label);
    for (i, s) in series.iter().enumerate() {
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|p| p.1.is_finite())
            .map(|&(x, y)| (frame.px(x), frame.py(y)))
            .collect();
        if s.dots {
            pts.iter()
                .for_each(|&(x, y)| svg.circle(x, y, 2.5, s.color));
        } else {
            svg.polyline(&pts, s.color);
        }
        let ly = TOP + 6.0 + 16.0 * i as f64;
        svg.line(W - RIGHT - 120.0, ly, W - RIGHT - 100.0, ly, s.color, 3.0);
        svg.text(W - RIGHT - 94.0, ly + 4.0, 11.0, "start", s.label);
    }
    svg.finish()
}

/// Each row's (actual, predicted) as a dot, with the diagonal a perfect fit would lie on; the x
/// axis named `actual`.
pub fn predicted_chart(title: &str, actual: &str, points: Vec<(f64, f64)>) -> String {
    let (lo, hi) = range(points.iter().map(|p| p.0));
    line_chart(
        title,
        actual,
        "predicted",
        &[
            Series {
                label: "rows",
                color: "#2171b5",
                points,
                dots: true,
            },
            Series {
                label: "perfect",
                color: "#999999",
                points: vec![(lo, lo), (hi, hi)],
                dots: false,
            },
        ],
    )
}

/// Data as dots (named `data.0`: "validation data", say) and a model's curve through them, for
/// one input and one output.
pub fn curve_chart(
    title: &str,
    axes: (&str, &str),
    data: (&str, Vec<(f64, f64)>),
    curve: Vec<(f64, f64)>,
) -> String {
    let (label, data) = data;
    line_chart(
        title,
        axes.0,
        axes.1,
        &[
            Series {
                label,
                color: "#2171b5",
                points: data,
                dots: true,
            },
            Series {
                label: "model",
                color: "#d94801",
                points: curve,
                dots: false,
            },
        ],
    )
}

/// Decision regions: `classes[i * n + j]` is the class at grid cell (column i, row j) over
/// `x_range × y_range`; `points` are (x, y, class) drawn on top.
pub struct ClassMap<'a> {
    /// Title.
    pub title: &'a str,
    /// Axis names.
    pub axes: (&'a str, &'a str),
    /// Class names, in class order.
    pub class_names: &'a [String],
    /// Range of the first input.
    pub x_range: (f64, f64),
    /// Range of the second input.
    pub y_range: (f64, f64),
    /// Cells per side.
    pub n: usize,
    /// Predicted class per cell.
    pub classes: &'a [usize],
    /// Data points with their true class.
    pub points: &'a [(f64, f64, usize)],
}

const LIGHT: [&str; 8] = [
    "#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb", "#fcbba1", "#d9d9d9", "#fde0ef", "#e5f5e0",
];
const DARK: [&str; 8] = [
    "#2171b5", "#d94801", "#238b45", "#6a51a3", "#cb181d", "#525252", "#c51b7d", "#41ab5d",
];

/// Where each class's entry of a legend under the picture goes: in rows from the left, a new row
/// when a name would run past the right edge. Widths are estimated at 7 px a character.
fn legend_places(names: &[String]) -> Vec<(f64, f64)> {
    let (mut x, mut y) = (LEFT, H + 8.0);
    names
        .iter()
        .map(|name| {
            let width = 24.0 + 7.0 * name.chars().count() as f64;
            if x > LEFT && x + width > W - RIGHT {
                (x, y) = (LEFT, y + 18.0);
            }
            let place = (x, y);
            x += width;
            place
        })
        .collect()
}

/// The TensorFlow Playground picture: coloured regions, the data on top, a legend under it (in
/// the plot it hid points).
pub fn class_map(map: &ClassMap) -> String {
    let frame = Frame {
        x: map.x_range,
        y: map.y_range,
    };
    let places = legend_places(map.class_names);
    let height = places.last().map_or(H, |&(_, y)| y + 14.0);
    let mut svg = Svg::new(W, height);
    let (cw, ch) = (
        (W - LEFT - RIGHT) / map.n as f64,
        (H - TOP - BOTTOM) / map.n as f64,
    );
    let class_at = |i: usize, j: usize| map.classes.get(i * map.n + j).copied().unwrap_or(0);
    for i in 0..map.n {
        // one rectangle per run of equal cells up the column keeps the file small
        let mut start = 0;
        for j in 1..=map.n {
            if j == map.n || class_at(i, j) != class_at(i, start) {
                let (x, y) = (LEFT + i as f64 * cw, H - BOTTOM - j as f64 * ch);
                let fill = LIGHT[class_at(i, start) % LIGHT.len()];
                svg.rect(x, y, cw + 0.5, (j - start) as f64 * ch + 0.5, fill);
                start = j;
            }
        }
    }
    frame.axes(&mut svg, map.title, map.axes.0, map.axes.1);
    for &(x, y, class) in map.points {
        let inside = (map.x_range.0..=map.x_range.1).contains(&x)
            && (map.y_range.0..=map.y_range.1).contains(&y);
        if inside {
            svg.circle(frame.px(x), frame.py(y), 3.0, DARK[class % DARK.len()]);
        }
    }
    for (i, (name, &(x, y))) in map.class_names.iter().zip(&places).enumerate() {
        svg.circle(x + 4.0, y, 4.0, DARK[i % DARK.len()]);
        svg.text(x + 12.0, y + 4.0, 11.0, "start", name);
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_class_maps_legend_lies_under_the_plot_in_rows_that_fit_its_width() {
        let names: Vec<String> = (0..10).map(|i| format!("class number {i}")).collect();
        let places = legend_places(&names);
        assert!(places.iter().all(|&(_, y)| y > H), "{places:?}");
        for (name, &(x, _)) in names.iter().zip(&places) {
            assert!(
                x + 24.0 + 7.0 * name.len() as f64 <= W - RIGHT,
                "{name} at {x}"
            );
        }
        let rows = places.iter().filter(|&&(x, _)| x == LEFT).count();
        assert_eq!(rows, 3, "{places:?}"); // 122 px each: four a row fit in 560 px
        assert_eq!(
            legend_places(&["a".into(), "b".into()]),
            [(LEFT, H + 8.0), (LEFT + 31.0, H + 8.0)]
        );
    }

    #[test]
    fn neighbouring_ticks_of_years_prices_and_tiny_values_read_differently() {
        let labels =
            |lo, hi| -> Vec<String> { ticks(lo, hi).into_iter().map(format_tick).collect() };
        assert_eq!(labels(1990.0, 2020.0), ["1990", "2000", "2010", "2020"]);
        assert_eq!(
            labels(1.2e7, 1.6e7),
            ["1.2e7", "1.3e7", "1.4e7", "1.5e7", "1.6e7"]
        );
        assert_eq!(labels(0.0, 0.004), ["0", "1e-3", "2e-3", "3e-3", "4e-3"]);
        assert_eq!(labels(-1.0, 1.0), ["-1", "-0.5", "0", "0.5", "1"]);
    }
}
