//! Grey images side by side: inputs over their reconstructions (autoencoders).

use super::svg::Svg;

const PIXEL: f64 = 6.0;
const GAP: f64 = 8.0;

/// Two rows of `[height, width]` grey images: `top` (e.g. inputs) above `bottom` (their
/// reconstructions), column by column. Each column shares one grey scale, from its top image's
/// darkest to brightest value, so a reconstruction is drawn exactly as bright as it is.
pub fn image_pairs(
    title: &str,
    labels: [&str; 2],
    top: &[&[f32]],
    bottom: &[&[f32]],
    shape: [usize; 2],
) -> String {
    let [h, w] = shape;
    let (cell_w, cell_h) = (w as f64 * PIXEL, h as f64 * PIXEL);
    let left = 110.0;
    let width = left + top.len() as f64 * (cell_w + GAP) + GAP;
    let height = 40.0 + 2.0 * (cell_h + GAP) + GAP;
    let mut svg = Svg::new(width, height);
    svg.text(width / 2.0, 22.0, 14.0, "middle", title);
    for (row, (images, label)) in [top, bottom].iter().zip(labels).enumerate() {
        let y0 = 40.0 + row as f64 * (cell_h + GAP);
        svg.text(left - 10.0, y0 + cell_h / 2.0, 12.0, "end", label);
        for (col, image) in images.iter().enumerate() {
            let reference = top.get(col).copied().unwrap_or(image);
            let lo = reference.iter().copied().fold(f32::INFINITY, f32::min);
            let hi = reference.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let span = if hi > lo { hi - lo } else { 1.0 };
            let x0 = left + col as f64 * (cell_w + GAP);
            for (i, v) in image.iter().take(h * w).enumerate() {
                let level = (((v - lo) / span).clamp(0.0, 1.0) * 255.0).round() as u8;
                let fill = format!("#{level:02x}{level:02x}{level:02x}");
                let (py, px) = ((i / w) as f64, (i % w) as f64);
                svg.rect(x0 + px * PIXEL, y0 + py * PIXEL, PIXEL, PIXEL, &fill);
            }
        }
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pixel_of_both_rows_is_one_grey_square_scaled_by_the_input() {
        let input = [0.0f32, 0.5, 1.0, 1.0];
        let output = [0.0f32, 1.0, 2.0, -1.0]; // out of the input's range: clamped
        let svg = image_pairs("t", ["in", "out"], &[&input], &[&output], [2, 2]);
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 8,
            "background + 2 × 4 pixels"
        );
        assert_eq!(svg.matches("#808080").count(), 1, "0.5 → mid grey");
        assert_eq!(
            svg.matches(r##"fill="#ffffff""##).count(),
            1 + 2 + 2,
            "background, two 1.0, one 1.0 and one clamped 2.0"
        );
    }
}
