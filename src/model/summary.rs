//! A table of layers, output shapes and parameter counts, like Keras' `model.summary()`.

use std::fmt;

use burn::module::Module;
use serde::Serialize;

use super::activation::{Activation, ActivationConfig};
use super::{Block, Mlp};

/// One row of the summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerRow {
    /// Layer name, e.g. `dense_1`.
    pub name: String,
    /// Layer type, e.g. `Linear`.
    pub kind: String,
    /// Features per sample coming out of the layer.
    pub output_width: usize,
    /// Parameters of the layer as Burn counts them: BatchNorm's running mean and variance and a
    /// frozen layer's weights included.
    pub params: usize,
}

/// The whole table plus the total.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Layers, input side first.
    pub layers: Vec<LayerRow>,
    /// Sum of `params` over all layers (equals Burn's `num_params`).
    pub total_params: usize,
    /// Parameters the optimizer updates: the total less BatchNorm's running statistics and the
    /// frozen layers' parameters (Keras' count with `layer.trainable = False`).
    pub trainable_params: usize,
}

/// How the summary names `activation`: its flag (`elu:1`), or PReLU's learnt slope (the flag's
/// `prelu:0.25` is where it started).
fn shown(activation: &Activation) -> String {
    let Some(prelu) = &activation.prelu else {
        return activation.config().to_string();
    };
    let slopes = super::read_f32(prelu.alpha.val(), "slopes").unwrap_or_default();
    match slopes[..] {
        [slope] => format!("prelu (slope {})", crate::decimals::Decimals(slope as f64)),
        _ => format!("prelu ({} slopes)", slopes.len()),
    }
}

/// The rows of hidden block `n`: Linear, BatchNorm, activation, Dropout.
fn block_rows(n: usize, block: &Block, row: &mut impl FnMut(String, &str, usize, usize)) {
    let width = block.linear.weight.dims()[1];
    row(
        format!("dense_{n}"),
        "Linear",
        width,
        block.linear.num_params(),
    );
    if let Some(norm) = &block.norm {
        row(
            format!("batch_norm_{n}"),
            "BatchNorm",
            width,
            norm.num_params(),
        );
    }
    let act = block.activation.config();
    let params = block.activation.num_params();
    row(
        format!("{}_{n}", act.name()),
        &shown(&block.activation),
        width,
        params,
    );
    if let Some(dropout) = &block.dropout {
        row(
            format!("dropout_{n}"),
            &format!("Dropout({})", dropout.prob),
            width,
            0,
        );
    }
}

impl Summary {
    /// Reads the layers of `mlp`, frozen as its [`Mlp::frozen`] says; counts come from the
    /// modules themselves.
    pub fn of(mlp: &Mlp) -> Self {
        let mut layers: Vec<LayerRow> = Vec::new();
        let mut row = |name: String, kind: &str, output_width: usize, params: usize| {
            layers.push(LayerRow {
                name,
                kind: kind.to_string(),
                output_width,
                params,
            })
        };
        if !mlp.features.added.is_empty() {
            let width = mlp.linears()[0].weight.dims()[0];
            row(
                "input_features".to_string(),
                &format!("+{}", mlp.features),
                width,
                0,
            );
        }
        for (i, block) in mlp.blocks.iter().enumerate() {
            block_rows(i + 1, block, &mut row);
        }
        let width = mlp.output.weight.dims()[1];
        row(
            "dense_out".to_string(),
            "Linear",
            width,
            mlp.output.num_params(),
        );
        let act = mlp.output_activation.config();
        if *act != ActivationConfig::Identity {
            row(
                format!("{}_out", act.name()),
                &shown(&mlp.output_activation),
                width,
                mlp.output_activation.num_params(),
            );
        }
        let total_params: usize = layers.iter().map(|l| l.params).sum();
        // running mean and variance: one value each per unit of every BatchNorm layer
        let running = |b: &Block| b.norm.as_ref().map_or(0, |n| n.num_params() / 2);
        let frozen = mlp.frozen.get();
        let fixed: usize = (mlp.blocks.iter().enumerate())
            .map(|(i, b)| {
                if i < frozen {
                    b.num_params()
                } else {
                    running(b)
                }
            })
            .sum();
        Summary {
            layers,
            total_params,
            trainable_params: total_params - fixed,
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shapes: Vec<String> = (self.layers.iter())
            .map(|l| format!("[batch, {}]", l.output_width))
            .collect();
        // Keras' widths, wider where a name is longer (`rrelu:0.125:0.3333333333333333`)
        let widest = |least: usize, texts: Vec<&str>| {
            texts
                .into_iter()
                .map(|t| t.chars().count())
                .fold(least, usize::max)
        };
        let w0 = widest(18, self.layers.iter().map(|l| l.name.as_str()).collect());
        let w1 = widest(20, self.layers.iter().map(|l| l.kind.as_str()).collect());
        let w2 = widest(12, shapes.iter().map(String::as_str).collect());
        let rule = "─".repeat(w0 + w1 + w2 + 12);
        writeln!(
            f,
            "{:<w0$} {:<w1$} {:<w2$} {:>9}",
            "Layer", "Type", "Output", "Params"
        )?;
        writeln!(f, "{rule}")?;
        for (l, shape) in self.layers.iter().zip(&shapes) {
            writeln!(
                f,
                "{:<w0$} {:<w1$} {:<w2$} {:>9}",
                l.name, l.kind, shape, l.params
            )?;
        }
        writeln!(f, "{rule}")?;
        writeln!(f, "Total params: {}", self.total_params)?;
        writeln!(f, "Trainable params: {}", self.trainable_params)?;
        write!(
            f,
            "Non-trainable params: {}",
            self.total_params - self.trainable_params
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_longer_than_its_column_widens_it_and_the_params_stay_aligned() {
        let row = |kind: &str| LayerRow {
            name: "act_1".into(),
            kind: kind.into(),
            output_width: 8,
            params: 0,
        };
        let summary = Summary {
            layers: vec![row("relu"), row("rrelu:0.125:0.3333333333333333")],
            total_params: 0,
            trainable_params: 0,
        };
        let text = summary.to_string();
        let lines: Vec<&str> = text.lines().collect();
        let width = |l: &str| l.chars().count();
        // header, rule and both rows end in the same column
        assert!(
            lines[..4].iter().all(|l| width(l) == width(lines[0])),
            "{text}"
        );
        assert!(width(lines[0]) > 62, "{text}");
    }
}
