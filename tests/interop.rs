//! Weights other tools read: safetensors named like a PyTorch nn.Sequential, and back.
//! (tests/safetensors_in_python.sh checks the same files in numpy and PyTorch.)

mod common;

use std::collections::HashMap;

use burn::tensor::{Device, Tensor, TensorData};
use common::{bits, plaindnn, stderr, stdout, temp_dir, train_quadrants};
use plaindnn::model::{safetensors as st, ActivationConfig, Mlp, MlpConfig};
use safetensors::tensor::{SafeTensors, TensorView};

fn outputs(model: &Mlp) -> Vec<f32> {
    let points = vec![2.0, 2.0, -1.0, 3.0, -2.5, -0.5, 1.0, -4.0];
    let x = Tensor::<2>::from_data(TensorData::new(points, [4, 2]), &Device::flex());
    model
        .forward(x)
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32")
}

fn trained(name: &str) -> (Mlp, MlpConfig) {
    let mut config = common::quadrant_config();
    config.model.hidden = vec![16, 8];
    config.model.batch_norm = true;
    config.model.activation = ActivationConfig::Prelu { init: 0.25 };
    config.epochs = 4;
    let run = train_quadrants(config, &temp_dir(name));
    (run.model, run.config.train.model)
}

#[test]
fn an_exported_network_reloads_from_safetensors_with_bit_identical_outputs() {
    let (model, config) = trained("interop-roundtrip");
    let bytes = st::export(&model, &config, HashMap::new()).expect("exports");
    let path = std::path::Path::new("model.safetensors");
    let read = st::architecture(&bytes, path, &MlpConfig::new(2, vec![1], 1)).expect("reads");
    assert_eq!(read, config, "the config travels in the metadata");
    let empty = read.init_for_loading(&Device::flex()).expect("builds");
    let loaded = st::import(empty, &read, &bytes, path).expect("imports");
    assert_eq!(bits(&outputs(&loaded)), bits(&outputs(&model)));
}

#[test]
fn pytorch_names_and_shapes_follow_the_sequential_layout() {
    let (model, config) = trained("interop-names");
    let bytes = st::export(&model, &config, HashMap::new()).expect("exports");
    let file = SafeTensors::deserialize(&bytes).expect("valid safetensors");
    let shape = |name: &str| file.tensor(name).expect(name).shape().to_vec();
    // Linear(2,16), BatchNorm1d(16), PReLU, Linear(16,8), BatchNorm1d(8), PReLU, Linear(8,4)
    assert_eq!(shape("0.weight"), [16, 2], "nn.Linear stores [out, in]");
    assert_eq!(shape("1.running_var"), [16]);
    assert_eq!(shape("2.weight"), [1], "nn.PReLU's single slope");
    assert_eq!(shape("3.weight"), [8, 16]);
    assert_eq!(shape("6.weight"), [4, 8]);
    assert_eq!(file.len(), 2 + 5 + 1 + 2 + 5 + 1 + 2);
    // W is stored transposed: PyTorch's 0.weight[j][i] is Burn's W1[i][j]
    let w = model.blocks[0]
        .linear
        .weight
        .val()
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32");
    let t = file.tensor("0.weight").expect("0.weight");
    let stored: Vec<f32> = t
        .data()
        .chunks(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(stored[3 * 2 + 1].to_bits(), w[16 + 3].to_bits());
}

#[test]
fn a_file_saved_without_plaindnn_metadata_gets_its_architecture_from_the_tensor_shapes() {
    let (model, config) = trained("interop-bare");
    let bytes = st::export(&model, &config, HashMap::new()).expect("exports");
    let file = SafeTensors::deserialize(&bytes).expect("valid");
    // as torch's save_file would write it: same tensors, no metadata
    let views: Vec<(String, TensorView)> = file.tensors();
    let bare = safetensors::serialize(views, None).expect("serialises");
    let mut template = MlpConfig::new(2, vec![99], 99);
    template.activation = ActivationConfig::Prelu { init: 0.25 };
    let path = std::path::Path::new("bare.safetensors");
    let read = st::architecture(&bare, path, &template).expect("inferred");
    assert_eq!(
        (read.hidden.clone(), read.outputs, read.batch_norm),
        (vec![16, 8], 4, true)
    );
    let loaded = st::import(
        read.init_for_loading(&Device::flex()).expect("builds"),
        &read,
        &bare,
        path,
    )
    .expect("imports");
    assert_eq!(bits(&outputs(&loaded)), bits(&outputs(&model)));
}

/// The exported tensors renamed by `rename`, saved without metadata as torch's `save_file` would.
fn renamed(bytes: &[u8], rename: impl Fn(&str) -> String) -> Vec<u8> {
    renamed_with(bytes, rename, None)
}

/// [`renamed`], with `metadata` in the file.
fn renamed_with(
    bytes: &[u8],
    rename: impl Fn(&str) -> String,
    metadata: Option<HashMap<String, String>>,
) -> Vec<u8> {
    let file = SafeTensors::deserialize(bytes).expect("valid");
    let views: Vec<(String, TensorView)> = file
        .tensors()
        .into_iter()
        .map(|(name, view)| (rename(&name), view))
        .collect();
    safetensors::serialize(views, metadata).expect("serialises")
}

/// An outside audit: a PyTorch Sequential with an nn.Dropout after each activation (no tensors,
/// an index each) was refused unless the new network had Dropout too, and one without refused
/// when it had: the indices were taken from the network's flags, not from the file.
#[test]
fn a_pytorch_files_dropout_slots_are_read_off_its_indices_whatever_the_networks_dropout() {
    let (model, config) = trained("interop-dropout");
    let bytes = st::export(&model, &config, HashMap::new()).expect("exports");
    // Linear, BatchNorm1d, PReLU, then Dropout at every fourth index: 0 1 2 (3) 4 5 6 (7) 8
    let with_dropout = renamed(&bytes, |name| {
        let (i, rest) = name.split_once('.').unwrap_or_default();
        let i: usize = i.parse().unwrap_or_default();
        format!("{}.{rest}", i / 3 * 4 + i % 3)
    });
    let without = renamed(&bytes, str::to_string);
    let path = std::path::Path::new("torch.safetensors");
    for (file, rate) in [(&with_dropout, 0.0), (&with_dropout, 0.3), (&without, 0.3)] {
        let mut template = MlpConfig::new(2, vec![99], 99);
        template.activation = ActivationConfig::Prelu { init: 0.25 };
        template.dropout = rate;
        let read = st::architecture(file, path, &template).expect("inferred");
        assert_eq!(
            read.dropout, rate,
            "the network's own rate, which no state_dict holds"
        );
        let empty = read.init_for_loading(&Device::flex()).expect("builds");
        let loaded = st::import(empty, &read, file, path).expect("imports");
        assert_eq!(
            bits(&outputs(&loaded)),
            bits(&outputs(&model)),
            "dropout {rate}"
        );
    }
}

#[test]
fn a_pytorch_module_keeping_its_sequential_as_an_attribute_loads_by_the_prefixed_names() {
    let (model, config) = trained("interop-prefix");
    let bytes = st::export(&model, &config, HashMap::new()).expect("exports");
    // `self.net = nn.Sequential(...)` saves `net.0.weight`, `net.1.running_mean`, …
    let prefixed = renamed(&bytes, |name| format!("net.{name}"));
    let mut template = MlpConfig::new(2, vec![99], 99);
    template.activation = ActivationConfig::Prelu { init: 0.25 };
    let path = std::path::Path::new("module.safetensors");
    let read = st::architecture(&prefixed, path, &template).expect("inferred");
    assert_eq!(
        (read.hidden.clone(), read.outputs, read.batch_norm),
        (vec![16, 8], 4, true)
    );
    let empty = read.init_for_loading(&Device::flex()).expect("builds");
    let loaded = st::import(empty, &read, &prefixed, path).expect("imports");
    assert_eq!(bits(&outputs(&loaded)), bits(&outputs(&model)));
    // a head kept beside the Sequential (`self.head`) is no layer of it: refused by name, not
    // dropped while a shorter network trains
    let with_head = renamed(&bytes, |name| match name.starts_with("6.") {
        true => format!("head.{}", &name[2..]),
        false => format!("net.{name}"),
    });
    let read = st::architecture(&with_head, path, &template).expect("the Sequential's layers");
    let empty = read.init_for_loading(&Device::flex()).expect("builds");
    let err = st::import(empty, &read, &with_head, path)
        .expect_err("the head is not dropped")
        .to_string();
    assert!(
        err.contains("has tensors that no layer of")
            && err.contains("reads: head.bias, head.weight, ")
            && err.contains("plaindnn reads one nn.Sequential (`net.0.weight`, …)"),
        "{err}"
    );
}

#[test]
fn a_state_dict_of_named_layers_is_refused_with_its_names_and_how_to_rename_them() {
    let (model, config) = trained("interop-named");
    let bytes = st::export(&model, &config, HashMap::new()).expect("exports");
    // a module with `self.fc1 = nn.Linear(...)`: no Sequential index to place the layers by
    let named = renamed(&bytes, |name| format!("fc{name}"));
    let path = std::path::Path::new("fc.safetensors");
    let err = st::architecture(&named, path, &config)
        .expect_err("no Sequential")
        .to_string();
    assert!(
        err.contains("fc.safetensors")
            && err.contains(
                "its tensors: fc0.bias, fc0.weight, fc1.bias, fc1.num_batches_tracked, …"
            )
            && err.contains("fc1.weight → 0.weight"),
        "{err}"
    );
    // renamed after export, plaindnn's metadata kept: its config reads, and import says the same
    let (_, kept) = SafeTensors::read_metadata(&bytes).expect("valid");
    let named = renamed_with(&bytes, |name| format!("fc{name}"), kept.metadata().clone());
    let read = st::architecture(&named, path, &config).expect("the metadata's config");
    let empty = read.init_for_loading(&Device::flex()).expect("builds");
    let err = st::import(empty, &read, &named, path)
        .expect_err("no Sequential")
        .to_string();
    assert!(
        err.contains("has no `{i}.weight` matrices") && err.contains("fc1.weight → 0.weight"),
        "{err}"
    );
}

#[test]
fn a_tensor_missing_or_of_the_wrong_shape_is_named_in_the_error() {
    let (model, config) = trained("interop-missing");
    let bytes = st::export(&model, &config, HashMap::new()).expect("exports");
    let mut wider = config.clone();
    wider.hidden = vec![16, 9];
    let path = std::path::Path::new("m.safetensors");
    let err = st::import(
        wider.init_for_loading(&Device::flex()).expect("builds"),
        &wider,
        &bytes,
        path,
    )
    .expect_err("shapes differ")
    .to_string();
    assert!(
        err.contains("m.safetensors") && err.contains("`3.weight` has shape [8, 16]"),
        "{err}"
    );
    let err = st::architecture(b"not a safetensors file", path, &config)
        .expect_err("garbage")
        .to_string();
    assert!(err.contains("not safetensors"), "{err}");
    // a weight that is not a number is refused where it is read, not found as a divergence later
    let file = SafeTensors::deserialize(&bytes).expect("valid");
    let first = file.tensor("0.weight").expect("0.weight");
    let (mut weight, shape) = (first.data().to_vec(), first.shape().to_vec());
    weight[4 * 5..4 * 6].copy_from_slice(&f32::NAN.to_le_bytes());
    let mut views: Vec<(String, TensorView)> = file.tensors();
    let nan = TensorView::new(safetensors::Dtype::F32, shape, &weight).expect("view");
    views.retain(|(name, _)| name != "0.weight");
    views.push(("0.weight".into(), nan));
    let damaged = safetensors::serialize(views, None).expect("serialises");
    let err = st::import(
        config.init_for_loading(&Device::flex()).expect("builds"),
        &config,
        &damaged,
        path,
    )
    .expect_err("NaN refused")
    .to_string();
    assert!(
        err.contains("`0.weight` holds NaN at index 5: weights must be finite"),
        "{err}"
    );
}

#[test]
fn export_writes_next_to_the_run_and_init_from_accepts_the_file() {
    let dir = temp_dir("interop-cli");
    let (run, tuned) = (dir.join("run"), dir.join("tuned"));
    let s = |p: &std::path::Path| p.to_str().unwrap_or("").to_string();
    let o = plaindnn(&[
        "train",
        "--hidden",
        "12",
        "--epochs",
        "3",
        "--quiet",
        "--out",
        &s(&run),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = plaindnn(&["export", "--run", &s(&run), "--format", "safetensors"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("nn.Sequential(nn.Linear(2, 12), nn.ReLU(), nn.Linear(12, 4))"),
        "{}",
        stdout(&o)
    );
    // a new nn.Sequential is in training mode: without eval() it would not predict as plaindnn
    assert!(stdout(&o).contains("model.eval()"), "{}", stdout(&o));
    let file = run.join("model.safetensors");
    let o = plaindnn(&[
        "train",
        "--init-from",
        &s(&file),
        "--epochs",
        "2",
        "--quiet",
        "--out",
        &s(&tuned),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        common::run_config(&tuned)["train"]["model"]["hidden"],
        serde_json::json!([12])
    );
    let o = plaindnn(&["export", "--run", &s(&run), "--format", "onnx"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("safetensors"), "{}", stderr(&o));
    // saved without plaindnn's metadata (as torch's save_file): the activation is not in the
    // file, and the default taken for it is said (an audit: relu was assumed without a word)
    let bare = dir.join("bare.safetensors");
    let bytes = std::fs::read(&file).expect("exported");
    std::fs::write(&bare, renamed(&bytes, str::to_string)).expect("written");
    let warning = format!(
        "warning: {} does not record the activation its hidden layers learnt with (no plaindnn \
         metadata): they are read as relu's, the default; if they learnt with another, give \
         --activation",
        s(&bare)
    );
    for (flags, warned) in [(&[][..], true), (&["--activation", "tanh"][..], false)] {
        let args = [
            "train",
            "--init-from",
            &s(&bare),
            "--epochs",
            "1",
            "-q",
            "--overwrite",
        ];
        let out = ["--out".to_string(), s(&dir.join("from-bare"))];
        let o = plaindnn(&[&args[..], flags, &[&out[0], &out[1]]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(
            stderr(&o).contains(&warning),
            warned,
            "{flags:?}: {}",
            stderr(&o)
        );
    }
}

/// An outside review read an export's `inputs` as `x0, x1, x0², …` for columns named x1, x2, x3:
/// `x1²` there was the square of column x2. Layer 0's inputs carry the columns' own names.
#[test]
fn an_export_names_layer_0s_added_inputs_after_the_data_columns() {
    let dir = temp_dir("interop-added-names");
    let csv = dir.join("data.csv");
    let rows: String = (0..40)
        .map(|i| format!("{},{},{}\n", i % 7, i % 5, i % 2))
        .collect();
    std::fs::write(&csv, format!("x2,x1,label\n{rows}")).expect("write");
    let run = dir.join("run");
    let at = |p: &std::path::Path| p.to_str().unwrap_or("").to_string();
    let train = [
        "train",
        "--data",
        &at(&csv),
        "--out",
        &at(&run),
        "--epochs",
        "1",
        "--quiet",
        "--add-features",
        "square,product",
    ];
    let out = plaindnn(&train);
    assert!(out.status.success(), "{}", stderr(&out));
    let file = dir.join("model.safetensors");
    let out = plaindnn(&["export", "--run", &at(&run), "--out", &at(&file)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed =
        "layer 0 takes the inputs and the added features, in this order: x2, x1, x2², x1², x2·x1";
    assert!(stdout(&out).contains(printed), "{}", stdout(&out));
    let bytes = std::fs::read(&file).expect("export");
    let inputs = st::metadata_value(&bytes, st::INPUTS_KEY);
    assert_eq!(inputs.as_deref(), Some("x2, x1, x2², x1², x2·x1"));
}
