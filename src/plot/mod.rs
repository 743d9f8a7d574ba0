//! Pictures as plain SVG: line charts, 2-D class and value maps and grey images. Knows nothing
//! of networks or training.

pub mod chart;
pub mod images;
pub mod sample;
pub mod svg;
pub mod value_map;

pub use chart::{class_map, curve_chart, line_chart, predicted_chart, ClassMap, Series};
pub use images::image_pairs;
pub use sample::{drawn, drawn_note, MAX_DOTS};
pub use value_map::{value_map, ValueMap};
