//! Autoencoder pretraining: the reconstruction loss falls, and `train --init-from` starts from
//! the encoder.

mod common;

use common::{plaindnn, stderr, stdout, temp_dir};
use plaindnn::backend::Backend;
use plaindnn::data::DataSource;
use plaindnn::inference::Predictor;
use plaindnn::train::pretrain::{pretrain, PretrainConfig, PretrainMode};
use plaindnn::train::{transfer, Verbosity};

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap_or("")
}

fn val_losses(dir: &std::path::Path) -> Vec<f64> {
    std::fs::read_to_string(dir.join("metrics.csv"))
        .expect("metrics.csv")
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .nth(2)
                .and_then(|v| v.parse().ok())
                .expect("val_loss")
        })
        .collect()
}

#[test]
fn layerwise_autoencoders_reconstruct_better_each_epoch_and_train_starts_from_their_encoder() {
    let dir = temp_dir("pretrain-layerwise");
    let (ae, tuned) = (dir.join("ae"), dir.join("tuned"));
    let out = plaindnn(&[
        "pretrain",
        "--dataset",
        "shapes",
        "--hidden",
        "32,16",
        "--epochs",
        "6",
        "--quiet",
        "--out",
        s(&ae),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for stage in [ae.join("layer1"), ae.join("layer2"), ae.clone()] {
        let losses = val_losses(&stage);
        let best = losses.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(
            best < 0.9 * losses[0],
            "{}: reconstruction loss {losses:?}",
            stage.display()
        );
    }
    let svg = std::fs::read_to_string(ae.join("reconstructions.svg")).expect("a picture");
    assert!(
        svg.matches("<rect").count() > 2 * 8 * 256,
        "8 inputs over 8 reconstructions"
    );
    let stages = std::fs::read(ae.join("stages.safetensors")).expect("the stacked stages");
    assert!(
        plaindnn::model::safetensors::reconstructs(&stages),
        "the stages' file says its output layer is a decoder, so --init-from takes no head from it"
    );

    let out = plaindnn(&[
        "train",
        "--dataset",
        "shapes",
        "--init-from",
        s(&ae),
        "--freeze",
        "2",
        "--epochs",
        "2",
        "--quiet",
        "--out",
        s(&tuned),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (encoder, classifier) = (
        Predictor::open(&ae, Backend::Flex)
            .expect("autoencoder")
            .model,
        Predictor::open(&tuned, Backend::Flex)
            .expect("classifier")
            .model,
    );
    for (a, b) in encoder.blocks.iter().zip(&classifier.blocks) {
        let bits =
            |m: &burn::nn::Linear| m.weight.val().into_data().try_to_vec::<f32>().expect("f32");
        assert_eq!(
            bits(&a.linear),
            bits(&b.linear),
            "the encoder's layers, frozen"
        );
    }
    assert_eq!(
        classifier.output.weight.dims(),
        [16, 3],
        "a 3-class head on the 16-unit code"
    );
}

#[test]
fn end_to_end_pretraining_lowers_the_reconstruction_loss_without_stages() {
    let dir = temp_dir("pretrain-e2e");
    let mut config = PretrainConfig::new(vec![32]);
    config.mode = PretrainMode::EndToEnd;
    config.epochs = 5;
    let source = DataSource::builtin("shapes", 1).expect("built in");
    let data = source.load().expect("loads");
    let done = pretrain(source, data, &config, &dir, Verbosity::Quiet).expect("pretrains");
    assert!(done.stages.is_empty());
    let rows = &done.autoencoder.outcome.rows;
    let (first, last) = (rows[0].val_loss, rows[rows.len() - 1].val_loss);
    assert!(last < first, "reconstruction loss {first} → {last}");
    assert_eq!(
        done.autoencoder.config.train.model.outputs, 256,
        "outputs reconstruct the 16×16 inputs"
    );
}

/// The first encoder layer's weights.
fn first_layer(model: &plaindnn::model::Mlp) -> Vec<f32> {
    let weight = model.blocks[0].linear.weight.val();
    weight.into_data().try_to_vec::<f32>().expect("f32")
}

#[test]
fn both_modes_stack_the_layerwise_stages_and_then_fine_tune_the_encoder_that_layerwise_keeps() {
    let dir = temp_dir("pretrain-both");
    let source = DataSource::builtin("shapes", 1).expect("built in");
    let run = |mode: PretrainMode, name: &str| {
        let mut config = PretrainConfig::new(vec![32, 16]);
        config.mode = mode;
        config.epochs = 4;
        let data = source.load().expect("loads");
        pretrain(
            source.clone(),
            data,
            &config,
            &dir.join(name),
            Verbosity::Quiet,
        )
        .expect("pretrains")
    };
    let (layerwise, both) = (
        run(PretrainMode::Layerwise, "lw"),
        run(PretrainMode::Both, "both"),
    );
    assert_eq!(both.stages.len(), 2, "the layer-wise stages first");
    let stage = first_layer(&both.stages[0].model);
    assert_eq!(
        stage,
        first_layer(&layerwise.stages[0].model),
        "the same stages"
    );
    assert_eq!(
        first_layer(&layerwise.autoencoder.model),
        stage,
        "layerwise: encoder frozen"
    );
    assert_ne!(
        first_layer(&both.autoencoder.model),
        stage,
        "both: encoder fine-tuned"
    );
    let best = |p: &plaindnn::train::pretrain::Pretrained| {
        let rows = &p.autoencoder.outcome.rows;
        rows.iter()
            .map(|r| r.val_loss)
            .fold(f64::INFINITY, f64::min)
    };
    assert!(
        best(&both) < best(&layerwise),
        "more of the network learns: {} < {}",
        best(&both),
        best(&layerwise)
    );
}

/// 60 rows of three whole-number columns `a,b,c` in `dir`: `unlabelled.csv` as they are,
/// `labelled.csv` with a `label` column of `label(i)` after them.
fn unlabelled_and_labelled(
    dir: &std::path::Path,
    label: impl Fn(usize) -> String,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let (unlabelled, labelled) = (dir.join("unlabelled.csv"), dir.join("labelled.csv"));
    let row = |i: usize| format!("{},{},{}", i % 7, (i * 3) % 11, (i * 5) % 13);
    let rows: Vec<String> = (0..60).map(row).collect();
    std::fs::write(&unlabelled, format!("a,b,c\n{}\n", rows.join("\n"))).expect("write");
    let tagged: Vec<String> = (rows.iter().enumerate())
        .map(|(i, r)| format!("{r},{}", label(i)))
        .collect();
    std::fs::write(&labelled, format!("a,b,c,label\n{}\n", tagged.join("\n"))).expect("write");
    (unlabelled, labelled)
}

#[test]
fn a_csv_without_labels_is_pretrained_on_every_column_and_its_encoder_fits_the_labelled_file() {
    let dir = temp_dir("pretrain-csv");
    let (unlabelled, labelled) = unlabelled_and_labelled(&dir, |i| (i % 2).to_string());
    let pretrain = |out: &std::path::Path, extra: &[&str]| {
        let args = [
            "pretrain",
            "--data",
            s(&unlabelled),
            "--hidden",
            "4",
            "--epochs",
            "2",
        ];
        plaindnn(&[&args[..], &["--quiet", "--out", s(out)], extra].concat())
    };
    let ae = dir.join("ae");
    let out = pretrain(&ae, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // two epochs of a falling loss: said, with the way on (scikit-learn's ConvergenceWarning)
    let said = format!(
        "the reconstruction loss was still falling at the last epoch (2) of layer 1, the decoder \
         over the fixed encoder: \
         not converged; `plaindnn pretrain --data {} --hidden 4 --quiet --epochs 4 --overwrite \
         --out {}` trains longer",
        unlabelled.display(),
        ae.display()
    );
    assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    // the inputs alone have no target to call constant, and a label left out is not learnt
    assert!(
        !stderr(&out).contains("every training row"),
        "{}",
        stderr(&out)
    );
    let flat = dir.join("flat.csv");
    let rows: String = (0..30).map(|i| format!("{i},{},3.5\n", i % 4)).collect();
    std::fs::write(&flat, format!("a,b,y\n{rows}")).expect("write");
    let args = [
        "pretrain",
        "--data",
        s(&flat),
        "--target",
        "y",
        "--hidden",
        "2",
    ];
    let out = plaindnn(&[&args[..], &["--epochs", "1", "--out", s(&dir.join("flat"))]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("every training row"),
        "{}",
        stderr(&out)
    );
    let inputs = Predictor::open(&ae, Backend::Flex)
        .expect("opens")
        .config
        .data
        .feature_names;
    assert_eq!(inputs, ["a", "b", "c"], "every column an input");
    let out = pretrain(&dir.join("ae-ab"), &["--target", "c"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let inputs = Predictor::open(dir.join("ae-ab"), Backend::Flex)
        .expect("opens")
        .config
        .data
        .feature_names;
    assert_eq!(inputs, ["a", "b"], "--target's column left out");
    let out = pretrain(&dir.join("ae-task"), &["--task", "classification"]);
    assert!(
        stderr(&out).contains("invalid --task: without --target every column is an input"),
        "{}",
        stderr(&out)
    );
    let tuned = dir.join("tuned");
    let args = [
        "train",
        "--data",
        s(&labelled),
        "--target",
        "label",
        "--init-from",
        s(&ae),
    ];
    let out = plaindnn(&[&args[..], &["--epochs", "2", "--quiet", "--out", s(&tuned)]].concat());
    assert!(
        out.status.success(),
        "the encoder fits the labelled file: {}",
        stderr(&out)
    );
    // the next step names the flags that shape the inputs, so its network fits the encoder
    let shaped = dir.join("ae-shaped");
    let args = ["pretrain", "--data", s(&unlabelled), "--features", "a,b"];
    let rest = ["--delimiter", ",", "--no-standardize", "--epochs", "2"];
    let out = plaindnn(&[&args[..], &rest, &["--out", s(&shaped)]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let flags = "--target COLUMN --features a,b --delimiter , --no-standardize [--freeze N]";
    assert!(stdout(&out).contains(flags), "{}", stdout(&out));
    // every column an input: the next step is another file's, with a label beside them (an
    // outside audit followed `--data unlabelled.csv --target COLUMN`, which cannot fit)
    let every = dir.join("ae-every");
    let args = ["pretrain", "--data", s(&unlabelled), "--epochs", "1"];
    let out = plaindnn(&[&args[..], &["--hidden", "4", "--out", s(&every)]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let next = format!(
        "next: plaindnn train --init-from {} --data LABELLED.csv --target COLUMN [--freeze N]",
        every.display()
    );
    assert!(stdout(&out).contains(&next), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("where one is a label, pretrain again with --target COLUMN)"),
        "{}",
        stdout(&out)
    );
    // followed on the same file, the refusal says every column went in, not "labels unused"
    let args = ["train", "--data", s(&unlabelled), "--target", "c"];
    let out = plaindnn(&[&args[..], &["--init-from", s(&every), "--out", s(&tuned)]].concat());
    let said = format!("(it trained on every column of {})", unlabelled.display());
    assert!(stderr(&out).contains(&said), "{}", stderr(&out));
}

/// A review found that with as many classes as inputs, `--init-from` an autoencoder copied its
/// decoder (inputs wide, as the head is) as the classifier's output layer; Keras and PyTorch
/// users reuse the encoder only. So the output layer starts as a fresh head's, whether from the
/// run or its export (`--new-head` is refused there: it would change nothing).
#[test]
fn an_autoencoders_decoder_is_never_taken_as_the_head_even_when_its_shape_fits() {
    let dir = temp_dir("pretrain-no-decoder-head");
    // three classes for three inputs: the head and the decoder have the same shape
    let (unlabelled, labelled) = unlabelled_and_labelled(&dir, |i| format!("k{}", i % 3));
    let ae = dir.join("ae");
    let args = [
        "pretrain",
        "--data",
        s(&unlabelled),
        "--hidden",
        "4",
        "--epochs",
        "2",
    ];
    let out = plaindnn(&[&args[..], &["--quiet", "--out", s(&ae)]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let exported = dir.join("ae.safetensors");
    let out = plaindnn(&["export", "--run", s(&ae), "--out", s(&exported)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tune = |name: &str, from: &std::path::Path, extra: &[&str]| {
        let run = dir.join(name);
        let args = ["train", "--data", s(&labelled), "--init-from", s(from)];
        let rest = ["--epochs", "3", "--quiet", "--out", s(&run)];
        let out = plaindnn(&[&args[..], &rest, extra].concat());
        assert!(out.status.success(), "{}", stderr(&out));
        std::fs::read_to_string(run.join("metrics.csv")).expect("metrics.csv")
    };
    let copied = tune("copied", &ae, &[]);
    // its export says it is an autoencoder's, so the file is read the same way
    assert_eq!(tune("from-file", &exported, &[]), copied);
    let template = plaindnn::model::MlpConfig::new(3, vec![4], 3);
    let config = transfer::config_from(&ae, 3, 3, &template).expect("fits");
    let head = |from: &std::path::Path, new_head: bool| -> Vec<u32> {
        let device = burn::tensor::Device::flex();
        let fresh = config.init(&device, 42).expect("builds");
        let loaded = transfer::load_hidden(fresh, &config, (from, new_head, 0), &device);
        let weights = loaded.expect("loads").output.weight.val().into_data();
        let weights = weights.try_to_vec::<f32>().expect("f32");
        weights.iter().map(|v| v.to_bits()).collect()
    };
    assert_eq!(
        head(&ae, false),
        head(&ae, true),
        "a fresh head, not the decoder"
    );
    assert_eq!(head(&exported, false), head(&ae, true));
    // the labelled file itself: its text labels are not inputs, and the message says which flag
    let out = plaindnn(&[
        "pretrain",
        "--data",
        s(&labelled),
        "--out",
        s(&dir.join("text")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let said = "`k0` is not a number (a label? --target label leaves it out of the inputs; a \
                category? --one-hot label makes an input of each)";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    // a file of another separator gets the --delimiter hint instead, as in train
    let piped = dir.join("piped.csv");
    std::fs::write(&piped, "a|b|c\n1|2|3\n4|5|6\n").expect("write");
    let out = plaindnn(&[
        "pretrain",
        "--data",
        s(&piped),
        "--out",
        s(&dir.join("piped")),
    ]);
    assert!(
        stderr(&out).contains("try --delimiter '|'"),
        "{}",
        stderr(&out)
    );
}

/// `dir/wide.csv`: a in 100…160 and b in 0…0.6, 60 rows, columns far apart in scale.
fn two_scales(dir: &std::path::Path) -> std::path::PathBuf {
    let csv = dir.join("wide.csv");
    let rows: Vec<String> = (0..60)
        .map(|i| format!("{},{}", 100 + i, (i % 7) as f32 / 10.0))
        .collect();
    std::fs::write(&csv, format!("a,b\n{}\n", rows.join("\n"))).expect("write");
    csv
}

#[test]
fn a_csv_autoencoder_predicts_and_scores_its_reconstructions_in_the_columns_own_units() {
    // a in 100…160 and b in 0…0.6 are standardised for training; a reconstruction must come
    // back in their units, not as z-scores near 0
    let dir = temp_dir("pretrain-units");
    let csv = two_scales(&dir);
    let ae = dir.join("ae");
    let args = [
        "pretrain",
        "--data",
        s(&csv),
        "--hidden",
        "16",
        "--mode",
        "end-to-end",
    ];
    let rest = [
        "--epochs",
        "300",
        "--lr",
        "0.01",
        "--quiet",
        "--out",
        s(&ae),
    ];
    let out = plaindnn(&[&args[..], &rest[..]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let out = plaindnn(&["predict", "--run", s(&ae), "--input", "130,0.3", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let got: Vec<f64> = json["predictions"][0]["values"]
        .as_array()
        .map(|v| v.iter().filter_map(|x| x.as_f64()).collect())
        .unwrap_or_default();
    // within a tenth of each column's spread (a: std 17.3, b: 0.2)
    assert!(
        got.len() == 2 && (got[0] - 130.0).abs() < 1.7 && (got[1] - 0.3).abs() < 0.02,
        "{json}"
    );
    let out = plaindnn(&["eval", "--run", s(&ae), "--data", s(&csv), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    // the loss is in z-scores; an RMSE in a's units (std 17.3) is many times its root
    let (rmse, loss) = (json["rmse"].as_f64(), json["scores"]["loss"].as_f64());
    let (rmse, loss) = (rmse.unwrap_or(f64::NAN), loss.unwrap_or(f64::NAN));
    assert!(
        rmse < 1.7 && rmse > 5.0 * loss.sqrt(),
        "RMSE in the columns' units: {json}"
    );
    assert_eq!(json["loss_of"], "the standardised inputs", "{json}");
    // an export says so too: PyTorch gets the standardised outputs
    let out = plaindnn(&["export", "--run", s(&ae)]);
    let said = "outputs are standardised inputs too: x = output * scaler.std + scaler.mean";
    assert!(stdout(&out).contains(said), "{}", stdout(&out));
}

#[test]
fn an_input_whose_square_overflows_f32_is_named_by_its_column_in_every_mode() {
    let dir = temp_dir("pretrain-overflow");
    let rows: String = (0..30)
        .map(|i| format!("{i},{}\n", if i == 7 { 5e19 } else { 1.0 }))
        .collect();
    let csv = dir.join("ae.csv");
    std::fs::write(&csv, format!("a,b\n{rows}")).expect("write");
    for mode in ["layerwise", "end-to-end"] {
        let args = [
            "pretrain",
            "--data",
            s(&csv),
            "--no-standardize",
            "--mode",
            mode,
        ];
        let out = plaindnn(&[&args[..], &["--out", s(&dir.join(mode))]].concat());
        let said = "column `b` holds 5e19, whose square is beyond f32 (3.4e38)";
        assert!(stderr(&out).contains(said), "{mode}: {}", stderr(&out));
    }
}

#[test]
fn pretrain_prints_each_layers_loss_and_the_next_command() {
    let dir = temp_dir("pretrain-cli");
    let out = plaindnn(&[
        "pretrain",
        "--dataset",
        "shapes",
        "--hidden",
        "8",
        "--epochs",
        "2",
        "--out",
        s(&dir),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("layer 1: reconstruction loss"), "{text}");
    assert!(text.contains("next: plaindnn train --init-from"), "{text}");
    let resumed = plaindnn(&["train", "--resume", s(&dir)]);
    assert!(
        stderr(&resumed).contains("it is a pretraining, whose autoencoders train one after another, so it cannot be resumed; run `plaindnn pretrain` again with --overwrite"),
        "{}",
        stderr(&resumed)
    );
    // nor one of its layers, which nothing reruns alone (it was told to train again itself)
    let layer = plaindnn(&["train", "--resume", s(&dir.join("layer1"))]);
    let said = "it is one layer of a pretraining, whose autoencoder learns the codes of the \
                layers below, so it cannot be resumed alone; run `plaindnn pretrain` again";
    assert!(stderr(&layer).contains(said), "{}", stderr(&layer));
    // so a train into it is not told to resume it
    let into = plaindnn(&["train", "--out", s(&dir)]);
    let said = "already holds a pretraining: pass `--overwrite`";
    assert!(stderr(&into).contains(said), "{}", stderr(&into));
    // train's `none` is no encoder (an audit found "invalid digit found in string")
    let none = plaindnn(&["pretrain", "--hidden", "none"]);
    let said = "an autoencoder needs at least one hidden layer";
    assert!(stderr(&none).contains(said), "{}", stderr(&none));
    let bad = plaindnn(&["pretrain", "--mode", "sideways"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("layerwise, end-to-end, both"),
        "{}",
        stderr(&bad)
    );
}

/// `eval` of a pretraining without --data makes its validation rows again from its data (a
/// built-in set; a CSV split at random, a missing cell filled) and scores the reconstruction
/// there: the validation loss of the kept epoch in `metrics.csv` (written with 9 digits). A CSV
/// changed since is refused by name. (It said the rows were made in memory and asked for --data.)
#[test]
fn eval_of_a_pretraining_scores_the_validation_rows_it_makes_again_from_its_data() {
    let dir = temp_dir("pretrain-eval");
    let rows: String = (0..80)
        .map(|i| {
            let a = if i == 11 {
                String::new()
            } else {
                format!("{}", i % 9)
            };
            format!("{a},{},{}\n", (i * 7) % 13, (i * i) % 5)
        })
        .collect();
    let file = dir.join("rows.csv");
    std::fs::write(&file, format!("a,b,c\n{rows}")).expect("write");
    let builtin = ["--dataset", "blobs"];
    let csv = ["--data", s(&file), "--impute", "mean"];
    for (name, data) in [("blobs", &builtin[..]), ("csv", &csv[..])] {
        let run = dir.join(name);
        let args = [
            "pretrain",
            "--hidden",
            "2",
            "--epochs",
            "4",
            "-q",
            "--out",
            s(&run),
        ];
        let out = plaindnn(&[&args[..], data].concat());
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let eval = plaindnn(&["eval", "--run", s(&run), "--json"]);
        assert!(eval.status.success(), "{name}: {}", stderr(&eval));
        let loss = common::json(&eval)["scores"]["loss"]
            .as_f64()
            .expect("loss");
        let metrics = common::Metrics::read(&run);
        let kept = metrics.lowest_val_loss()[metrics.column("val_loss")];
        assert!(
            (loss - kept).abs() <= 1e-6 * kept,
            "{name}: eval {loss}, metrics.csv {kept}"
        );
    }
    std::fs::write(&file, format!("a,b,c\n{rows}1,2,3\n")).expect("write");
    let eval = plaindnn(&["eval", "--run", s(&dir.join("csv"))]);
    let said =
        "rows.csv has changed since the run trained, so its validation rows are no longer known";
    assert!(stderr(&eval).contains(said), "{}", stderr(&eval));
}

#[test]
fn a_quiet_pretrain_still_warns_of_a_constant_column_on_standard_error() {
    let dir = temp_dir("pretrain-constant");
    let rows: String = (0..60).map(|i| format!("{i},{},5\n", i % 7)).collect();
    let file = dir.join("flat.csv");
    std::fs::write(&file, format!("a,b,k\n{rows}")).expect("write");
    let args = [
        "pretrain",
        "--data",
        s(&file),
        "--hidden",
        "2",
        "--epochs",
        "1",
    ];
    let out = plaindnn(&[&args[..], &["--quiet", "--out", s(&dir.join("run"))]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let said = "column `k` is constant in the training rows; it carries no information";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "quiet");
}

#[test]
fn the_same_seed_pretrains_the_same_autoencoder_byte_for_byte() {
    let dir = temp_dir("pretrain-seeded");
    let run = |name: &str| {
        let out = dir.join(name);
        let o = plaindnn(&[
            "pretrain",
            "--dataset",
            "shapes",
            "--hidden",
            "16,8",
            "--epochs",
            "3",
            "--quiet",
            "--out",
            s(&out),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read(out.join("metrics.csv")).expect("metrics.csv")
    };
    assert_eq!(run("a"), run("b"));
}

#[test]
fn a_first_layerwise_stage_keeps_the_columns_scaler_so_it_predicts_in_their_units() {
    // the stage out/layer1 learnt standardised a and b: saved with their scaler, predict takes
    // and gives them in their own units, as the whole autoencoder does
    let dir = temp_dir("pretrain-stage-units");
    let csv = two_scales(&dir);
    let ae = dir.join("ae");
    let out = plaindnn(&[
        "pretrain",
        "--data",
        s(&csv),
        "--hidden",
        "4",
        "--epochs",
        "5",
        "--quiet",
        "--out",
        s(&ae),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stage = common::run_config(&ae.join("layer1"));
    let whole = common::run_config(&ae);
    assert_eq!(stage["data"]["scaler"], whole["data"]["scaler"]);
    let scaler = &stage["data"]["scaler"];
    assert!(
        scaler["mean"][0].as_f64().unwrap_or(0.0) > 100.0,
        "a's mean: {scaler}"
    );
    // read as z-scores, 130 would come back near 0; in a's units it comes back near a's range
    let stage = ae.join("layer1");
    let out = plaindnn(&[
        "predict",
        "--run",
        s(&stage),
        "--input",
        "130,0.3",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let a = json["predictions"][0]["values"][0]
        .as_f64()
        .unwrap_or(f64::NAN);
    assert!((90.0..170.0).contains(&a), "{json}");
}

/// An outside audit found `--overwrite` deleted a stage's folder `layer<k>/` whole, a user's
/// files inside included, where `checkpoint/` is emptied of checkpoints only.
#[test]
fn overwrite_removes_a_stages_run_files_and_keeps_the_users_files_beside_them() {
    let dir = temp_dir("pretrain-overwrite-stage");
    let args = [
        "pretrain",
        "--dataset",
        "shapes",
        "--hidden",
        "8",
        "--epochs",
        "2",
        "--quiet",
    ];
    let first = plaindnn(&[&args[..], &["--out", s(&dir)]].concat());
    assert!(first.status.success(), "{}", stderr(&first));
    let stage = dir.join("layer1");
    assert!(stage.join("model.bpk").is_file(), "a layer-wise stage");
    std::fs::write(stage.join("notes.txt"), "mine").expect("write");
    let again = [
        &args[..],
        &["--mode", "end-to-end", "--overwrite", "--out", s(&dir)],
    ]
    .concat();
    let out = plaindnn(&again);
    assert!(out.status.success(), "{}", stderr(&out));
    let left: Vec<String> = (std::fs::read_dir(&stage).expect("layer1 kept").flatten())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        ["notes.txt"],
        "the stage's run removed, the user's file kept"
    );
    // with nothing of the user's in it, a stage's folder goes with its run
    std::fs::remove_file(stage.join("notes.txt")).expect("rm");
    let first = plaindnn(&[&args[..], &["--out", s(&dir), "--overwrite"]].concat());
    assert!(first.status.success(), "{}", stderr(&first));
    let out = plaindnn(&again);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stage.exists(), "an empty stage folder is removed");
}

/// An outside audit: a user's `stages.safetensors` was replaced without `--overwrite`, and a
/// stage folder holding files a run writes was refused only after the stages before it trained.
#[test]
fn a_users_stages_file_and_a_stage_folder_in_the_way_are_refused_before_any_stage_trains() {
    let dir = temp_dir("pretrain-in-the-way");
    let args = ["pretrain", "--hidden", "4,3", "--epochs", "1", "--quiet"];
    let run = |extra: &[&str]| plaindnn(&[&args[..], &["--out", s(&dir)], extra].concat());
    let stages = dir.join("stages.safetensors");
    std::fs::write(&stages, "mine").expect("write");
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let said = "holds stages.safetensors (a name pretrain writes) but no pretraining: choose \
                another --out, or pass `--overwrite` to replace it";
    assert!(stderr(&o).contains(said), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&stages).expect("kept"), "mine");
    assert!(!dir.join("layer1").exists(), "no stage trained");
    // one stage ends, not in the middle: layer2 holds a file a run writes, and no run
    std::fs::remove_file(&stages).expect("rm");
    std::fs::create_dir(dir.join("layer2")).expect("mkdir");
    std::fs::write(dir.join("layer2").join("metrics.csv"), "mine").expect("write");
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("layer2: holds metrics.csv (names a plaindnn run writes) but no run"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("layer1").exists(), "no stage trained");
    // --overwrite replaces both, the stage's file as the pretraining's own
    let o = run(&["--overwrite"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("layer2").join("model.bpk").is_file());
    assert!(std::fs::read(&stages).expect("stages").len() > 100);
}

/// A pretraining that fails leaves no folders it made (it makes its folder first, to hold it
/// through its stages: a review found `a/` and `a/b/` left empty).
#[test]
fn a_failed_pretraining_leaves_no_folder_it_made() {
    let dir = temp_dir("pretrain-failed");
    let out = dir.join("a").join("b");
    let o = plaindnn(&[
        "pretrain",
        "--lr",
        "1e30",
        "--epochs",
        "2",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        !dir.join("a").exists(),
        "{:?}",
        std::fs::read_dir(&dir).unwrap().count()
    );
}

/// A file whose `--one-hot` column holds `NA` (a missing value to pandas) is refused before a
/// pretraining replaces anything: `--overwrite` emptied the old one first (a review's).
#[test]
fn a_pretraining_refuses_na_categories_before_replacing_the_old_one() {
    let dir = temp_dir("pretrain-na");
    let rows = |city: &str| -> String {
        let body: String = (0..40)
            .map(|i| format!("{},{}\n", i as f64 / 39.0, ["Lima", city][i % 2]))
            .collect();
        format!("x,city\n{body}")
    };
    let (clean, na) = (dir.join("clean.csv"), dir.join("na.csv"));
    std::fs::write(&clean, rows("Oslo")).unwrap();
    std::fs::write(&na, rows("NA")).unwrap();
    let out = dir.join("pre");
    let run = |data: &std::path::Path, extra: &[&str]| {
        let args = [
            "pretrain",
            "--data",
            s(data),
            "--one-hot",
            "city",
            "--hidden",
            "4",
        ];
        plaindnn(
            &[
                &args[..],
                &["--epochs", "1", "--quiet", "--out", s(&out)],
                extra,
            ]
            .concat(),
        )
    };
    assert!(run(&clean, &[]).status.success());
    let refused = run(&na, &["--overwrite"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let err = stderr(&refused);
    assert!(err.contains("na.csv: column `city` holds `NA`"), "{err}");
    assert!(
        out.join("model.bpk").is_file() && out.join("layer1").is_dir(),
        "the old one stays"
    );
}

/// An outside audit: a stage that diverged said "Try a smaller learning rate or gradient
/// clipping" (pretrain clips nothing) and "there is nothing to resume" (no pretraining resumes),
/// naming only the stage's folder; and a file of a stage's name was refused as "a file, not a
/// folder … give --out a folder", the folder given being another.
#[test]
fn a_diverged_stage_is_named_with_the_way_on_pretrain_has_and_a_stages_file_by_its_name() {
    let dir = temp_dir("pretrain-stage-diverged");
    let out = dir.join("pre");
    let args = [
        "pretrain",
        "--dataset",
        "xor",
        "--epochs",
        "2",
        "--hidden",
        "8,4",
        "--quiet",
    ];
    let diverged = [&args[..], &["--lr", "1e30", "--out", s(&out)]].concat();
    let o = plaindnn(&diverged);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let said = "error: layer 1's autoencoder: training diverged in epoch 1";
    assert!(
        err.contains(said) && err.trim_end().ends_with("Try a smaller --lr."),
        "{err}"
    );
    assert!(
        !err.contains("clipping") && !err.contains("resume"),
        "{err}"
    );
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("layer1"), "mine").expect("write");
    let o = plaindnn(&[&args[..], &["--out", s(&out)]].concat());
    let said = "invalid --out: {} holds a file layer1, where a stage of the pretraining goes";
    let said = said.replace("{}", s(&out));
    assert!(stderr(&o).contains(&said), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("layer1")).ok().as_deref(),
        Some("mine")
    );
}

/// `pretrain --overwrite` set the old pretraining aside, as `train --overwrite` does: a new one
/// that diverges before any stage saves puts it back whole, its stages included.
#[test]
fn a_replacing_pretraining_that_diverges_at_once_puts_the_old_one_back() {
    let dir = temp_dir("pretrain-replace-diverge");
    let args = [
        "pretrain",
        "--dataset",
        "spiral",
        "--hidden",
        "8,4",
        "--epochs",
        "3",
        "-q",
    ];
    let first = plaindnn(&[&args[..], &["--out", s(&dir)]].concat());
    assert!(first.status.success(), "{}", stderr(&first));
    let files = [
        "model.bpk",
        "config.json",
        "layer1/model.bpk",
        "layer2/model.bpk",
    ];
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap_or_default();
    let before: Vec<Vec<u8>> = files.iter().map(|f| read(f)).collect();
    let again = plaindnn(
        &[
            &args[..],
            &["--out", s(&dir), "--overwrite", "--lr", "1e30"],
        ]
        .concat(),
    );
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("the run it replaced is back"),
        "{}",
        stderr(&again)
    );
    for (file, bytes) in files.iter().zip(&before) {
        assert!(
            !bytes.is_empty() && read(file) == *bytes,
            "{file} is the old one's"
        );
    }
    assert!(!dir.join(".replaced").exists());
}

/// A column `--features` names that the file lacks is told with the flag (`train` says which of
/// `--target`, `--features` and `--one-hot` named it; `pretrain` reads inputs alone).
#[test]
fn a_missing_feature_column_is_told_with_the_flag_that_named_it() {
    let dir = temp_dir("pretrain-no-column");
    let csv = dir.join("t.csv");
    std::fs::write(&csv, "x,y,label\n1,2,a\n3,4,b\n5,6,a\n7,8,b\n").expect("write");
    let (csv, out) = (csv.to_string_lossy(), dir.join("run"));
    let out = out.to_string_lossy();
    let args = [
        "pretrain",
        "--data",
        &csv,
        "--features",
        "x,nope",
        "--out",
        &out,
    ];
    common::refused(
        &args,
        "t.csv: no column `nope` (--features); the columns are: x, y, label",
    );
}

/// An outside audit: `pretrain --task regression` over a text target said only "`yes` is not a
/// number", where `train` names the way on.
#[test]
fn pretrain_over_a_text_target_read_as_numbers_names_the_way_on_as_train_does() {
    let dir = temp_dir("pretrain-text-target");
    let csv = dir.join("c.csv");
    let rows: String = (0..30)
        .map(|i| format!("{i},{},{}\n", i % 7, ["yes", "no"][i % 2]))
        .collect();
    std::fs::write(&csv, format!("a,b,label\n{rows}")).expect("write");
    let flags = ["--target", "label", "--task", "regression", "--hidden", "4"];
    for verb in ["pretrain", "train"] {
        let out = plaindnn(
            &[
                &[verb, "--data", s(&csv)][..],
                &flags,
                &["--epochs", "1", "-q"],
            ]
            .concat(),
        );
        assert_eq!(out.status.code(), Some(1), "{verb}: {}", stderr(&out));
        let said = format!(
            "error: {}: line 2, column `label`: `yes` is not a number (regression fits numbers: \
             leave out --task regression to learn the column's values as classes)",
            csv.display()
        );
        assert!(stderr(&out).starts_with(&said), "{verb}: {}", stderr(&out));
    }
}
