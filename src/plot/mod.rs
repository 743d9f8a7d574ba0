//! Pictures as plain SVG: line charts and 2-D class maps. Knows nothing of networks or training.

pub mod chart;
pub mod svg;

pub use chart::{class_map, curve_chart, line_chart, ClassMap, Series};
