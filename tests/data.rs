//! The user's own data: CSV files (good and bad), MNIST-format IDX files, built-in sets,
//! standardisation and augmentation.

mod common;

use common::{json, plaindnn, refused, run_config, stderr, stdout, temp_dir};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or("")
}

/// Rows `range` of a deterministic table: three features in [−2, 2) from irrational strides
/// (the third is pure noise) and the label `inside` when a² + b² < 1.8, else `outside`.
fn circle_csv(range: std::ops::Range<usize>) -> String {
    let frac = |x: f64| x - x.floor();
    let mut text = String::from("a,b,c,label\n");
    for i in range {
        let i = i as f64;
        let a = frac(i * 0.618_033_988_749_895) * 4.0 - 2.0;
        let b = frac(i * 0.414_213_562_373_095) * 4.0 - 2.0;
        let c = frac(i * 0.732_050_807_568_877) * 4.0 - 2.0;
        let label = if a * a + b * b < 1.8 {
            "inside"
        } else {
            "outside"
        };
        text += &format!("{a:.4},{b:.4},{c:.4},{label}\n");
    }
    text
}

/// Reference computed once with scikit-learn 1.9.1 (numpy 2) on the two files this test writes
/// (rows 0..600 to train, 600..900 to test):
///
/// ```python
/// s = StandardScaler().fit(X)
/// m = MLPClassifier(hidden_layer_sizes=(50,), max_iter=1000, random_state=0).fit(s.transform(X), y)
/// m.score(s.transform(Xt), yt)   # 0.97
/// ```
///
/// plaindnn (same 50 hidden units, Adam, standardised inputs) must come within 0.03 of it.
const SKLEARN_MLP_ACCURACY: f64 = 0.97;

#[test]
fn a_csv_classifier_reaches_the_accuracy_of_scikit_learns_mlp() {
    let dir = temp_dir("csv-sklearn");
    let train = write(&dir, "train.csv", &circle_csv(0..600));
    let test = write(&dir, "test.csv", &circle_csv(600..900));
    let run = dir.join("run");
    let out = plaindnn(&[
        "train",
        "--data",
        s(&train),
        "--target",
        "label",
        "--epochs",
        "200",
        "--out",
        s(&run),
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let eval = json(&plaindnn(&[
        "eval",
        "--run",
        s(&run),
        "--data",
        s(&test),
        "--json",
    ]));
    let accuracy = eval["scores"]["accuracy"].as_f64().unwrap_or(0.0);
    assert!(
        accuracy >= SKLEARN_MLP_ACCURACY - 0.03,
        "plaindnn {accuracy} vs scikit-learn {SKLEARN_MLP_ACCURACY}"
    );
    assert_eq!(eval["confusion"].as_array().map(|m| m.len()), Some(2));

    // the class names and the scaler come back from the run directory
    let p = json(&plaindnn(&[
        "predict",
        "--run",
        s(&run),
        "--input",
        "0,0,1.5",
        "--json",
    ]));
    assert_eq!(p["predictions"][0]["class"], "inside");
    let p = json(&plaindnn(&[
        "predict",
        "--run",
        s(&run),
        "--input",
        "1.9,1.9,0",
        "--json",
    ]));
    assert_eq!(p["predictions"][0]["class"], "outside");
}

#[test]
fn standardisation_is_learned_on_training_rows_saved_and_applied_to_new_rows() {
    let dir = temp_dir("csv-scaler");
    // y = 1000·x: unscaled, the inputs are in the thousands
    let mut text = String::from("x,y\n");
    for i in 0..200 {
        let x = 1000.0 + i as f64 * 10.0;
        text += &format!("{x},{}\n", x / 1000.0);
    }
    let data = write(&dir, "big.csv", &text);
    let run = dir.join("run");
    assert!(plaindnn(&[
        "train",
        "--data",
        s(&data),
        "--epochs",
        "150",
        "--out",
        s(&run),
        "--quiet"
    ])
    .status
    .success());
    let config = run_config(&run);
    let mean = config["data"]["scaler"]["mean"][0].as_f64().unwrap_or(0.0);
    assert!(
        (1900.0..2100.0).contains(&mean),
        "mean of the training rows of x: {mean}"
    );
    assert_eq!(config["data"]["task"], "regression");
    let p = json(&plaindnn(&[
        "predict",
        "--run",
        s(&run),
        "--input",
        "2000",
        "--json",
    ]));
    let y = p["predictions"][0]["values"][0].as_f64().unwrap_or(0.0);
    assert!((y - 2.0).abs() < 0.2, "y(2000) = {y}, expected about 2");
    let e = json(&plaindnn(&["eval", "--run", s(&run), "--json"]));
    assert!(e["r2"].as_f64().unwrap_or(0.0) > 0.95, "{e}");
    assert!(
        e["rmse"].as_f64().is_some() && e["mae"].as_f64().is_some(),
        "{e}"
    );
    assert_eq!(
        e["scores"]["rmse"], e["rmse"],
        "one RMSE, from the same predictions"
    );
    // R² of one row is not defined (scikit-learn's r2_score is NaN too), and the line says why
    let one = write(&dir, "one.csv", "x,y\n2000,2\n");
    let out = plaindnn(&["eval", "--run", s(&run), "--data", s(&one)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("r2        NaN  (one row: R² compares"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_input_the_network_overflows_on_is_an_error_and_long_class_names_keep_their_columns() {
    let dir = temp_dir("csv-overflow");
    let mut csv = String::from("x,y,kind\n");
    for i in 0..60 {
        let (x, y) = ((i % 10) as f32 / 10.0, (i / 10) as f32 / 6.0);
        let kind = if x > y {
            "versicolor"
        } else {
            "virginica_long"
        };
        csv += &format!("{x},{y},{kind}\n");
    }
    let data = write(&dir, "kinds.csv", &csv);
    let run = dir.join("run");
    let args = [
        "--add-features",
        "square",
        "--hidden",
        "4",
        "--epochs",
        "3",
        "-q",
    ];
    let train = [&["train", "--data", s(&data), "--out", s(&run)][..], &args].concat();
    assert!(plaindnn(&train).status.success());
    // x² of 1e20 is past f32's largest value: the network's output is NaN, not a class
    let out = plaindnn(&["predict", "--run", s(&run), "--input", "1e20,1"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    assert!(
        stderr(&out).contains("invalid --input: the prediction is not a finite number"),
        "{}",
        stderr(&out)
    );
    let bad = write(
        &dir,
        "bad.csv",
        "x,y,kind\n0.5,0.5,versicolor\n1e20,1,versicolor\n",
    );
    let out = plaindnn(&["eval", "--run", s(&run), "--data", s(&bad)]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stdout(&out));
    assert!(
        stderr(&out).contains("bad.csv: line 3: the prediction is not a finite number"),
        "{}",
        stderr(&out)
    );
    // the file's own line, a blank one counted (it said "row 2", the row's number)
    let blank = write(&dir, "blank.csv", "x,y\n0.5,0.5\n\n1e20,1\n");
    let out = plaindnn(&["predict", "--run", s(&run), "--data", s(&blank)]);
    let said = "blank.csv: line 4: the prediction is not a finite number";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    // the confusion matrix's columns are as wide as the longest name, one space apart
    let out = plaindnn(&["eval", "--run", s(&run), "--data", s(&data)]);
    let text = common::stdout(&out);
    let header = text
        .lines()
        .find(|l| l.contains("versicolor"))
        .unwrap_or("");
    assert_eq!(
        header,
        format!("{:15}{:>15}{:>15}", "", "versicolor", "virginica_long")
    );
}

/// Trains on `csv` and returns the error line.
fn train_error(dir: &Path, name: &str, csv: Option<&str>, extra: &[&str]) -> String {
    let path = match csv {
        Some(text) => write(dir, name, text),
        None => dir.join(name),
    };
    let mut args = vec!["train", "--data", s(&path), "--out"];
    let run = dir.join(format!("run-{name}"));
    args.push(s(&run));
    args.extend(extra);
    let out = plaindnn(&args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{name} must fail cleanly: {}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    stderr(&out)
}

#[test]
fn bad_csv_files_get_messages_naming_file_line_and_column() {
    let dir = temp_dir("csv-bad");
    let long = format!("a,b,label\n1,2,x\n3,{}x,y\n", "9".repeat(500));
    let cases: [(&str, Option<&str>, &[&str], &str); 26] = [
        (
            "missing.csv",
            None,
            &[],
            "missing.csv: No such file or directory",
        ),
        (
            "empty.csv",
            Some(""),
            &[],
            "empty.csv: the file is empty (expected a header row)",
        ),
        (
            "header.csv",
            Some("a,b,label\n"),
            &[],
            "header.csv: the header is there but no data rows follow",
        ),
        (
            "ragged.csv",
            Some("a,b,label\n1,2,x\n3,y\n"),
            &[],
            "ragged.csv: line 3 has 2 fields, the header has 3",
        ),
        (
            "one.csv",
            Some("a,b,label\n1,2,x\n3\n"),
            &[],
            "one.csv: line 3 has 1 field, the header has 3",
        ),
        (
            // an audit's quote left open: the rest of the file read as one field, said so in
            // any column (a column before the last was told only "line 3 has 2 fields")
            "quote.csv",
            Some("a,b,label\n1,2,x\n3,\"4,y\n5,6,x\n"),
            &[],
            "quote.csv: line 3, column `b`: a field opens with a quote that is never closed",
        ),
        (
            // a quoted field over two lines, closed: the fields do not add up
            "quoted.csv",
            Some("a,b,label\n1,2,x\n\"3,4\n5\",x\n"),
            &[],
            "quoted.csv: line 3 has 2 fields, the header has 3 (a field of it runs over several \
             lines: is a `\"` left open on line 3?)",
        ),
        (
            "text.csv",
            Some("a,b,label\n1,2,x\n3,abc,y\n"),
            &[],
            "text.csv: line 3, column `b`: `abc` is not a number (a text column? --one-hot b \
             makes an input of each of its categories, --features without b leaves it out, \
             --target b predicts it)",
        ),
        (
            // Excel's separator line: it sent an outside review from --delimiter ';' to "column
            // 2 has no name" and back
            "sep.csv",
            Some("sep=;\na;b;label\n0.1;0.2;x\n0.5;0.3;y\n"),
            &[],
            "sep.csv: line 1, `sep=;`, is Excel's line naming the separator, not a header: \
             delete it (plaindnn reads the header on line 1 and finds the separator itself, or \
             take --delimiter ';')",
        ),
        (
            "sep2.csv",
            Some("sep=;\na;b;label\n0.1;0.2;x\n0.5;0.3;y\n"),
            &["--delimiter", ";"],
            "sep2.csv: line 1, `sep=;`, is Excel's line naming the separator",
        ),
        (
            // a missing-value marker of the UCI sets, and a date: not told to --one-hot them
            "marker.csv",
            Some("a,b,label\n0.1,0.2,x\n?,0.3,y\n"),
            &[],
            "marker.csv: line 3, column `a`: `?` is not a number (a missing value? write it as \
             an empty cell or NA, as pandas reads one)",
        ),
        (
            "date.csv",
            Some("day,b,label\n2024-02-08,0.2,x\n2024-02-09,0.3,y\n"),
            &[],
            "date.csv: line 2, column `day`: `2024-02-08` is not a number (a date? plaindnn \
             reads numbers: write it as one, such as the days since a start or the month, or \
             leave the column out)",
        ),
        (
            "nan.csv",
            Some("a,b,label\n1,NaN,x\n3,4,y\n"),
            &[],
            "nan.csv: line 2, column `b`: `NaN` marks a missing value (--impute mean or --impute median",
        ),
        (
            "inf.csv",
            Some("a,b,label\n1,2,x\ninf,4,y\n"),
            &[],
            "inf.csv: line 3, column `a`: `inf` is not a finite number",
        ),
        (
            "huge.csv",
            Some("a,b,label\n1,2,x\n1e39,4,y\n"),
            &[],
            "huge.csv: line 3, column `a`: `1e39` is beyond the range of f32 (±3.4e38): scale the column",
        ),
        (
            // finite as written, past f64 too: not "not a finite number" (an audit)
            "huger.csv",
            Some("a,b,label\n1,2,x\n1e400,4,y\n"),
            &[],
            "huger.csv: line 3, column `a`: `1e400` is beyond the range of f32 (±3.4e38)",
        ),
        (
            "thousands.csv",
            Some("a,b,label\n1,2,x\n\"1,000.5\",4,y\n"),
            &[],
            "thousands.csv: line 3, column `a`: `1,000.5` is not a number (thousands separators \
             are not read; write 1000.5)",
        ),
        (
            // a cell of 5 million digits gave a 5 MB message
            "long.csv",
            Some(&long),
            &[],
            "long.csv: line 3, column `b`: `9999999999999999999999999999999999999999… (501 \
             characters)` is not a number",
        ),
        (
            "bigy.csv",
            Some("a,y\n1,2.5\n2,3e25\n3,1.5\n"),
            &["--task", "regression"],
            "invalid target: column `y` holds the target 3e25, whose square is beyond f32",
        ),
        (
            "trailing.csv",
            Some("a,b,label,\n1,2,x,\n3,4,y,\n"),
            &[],
            "trailing.csv: column 4 has no name in the header (a separator at the end of the line?)",
        ),
        (
            "comma.csv",
            Some("a,b,label\n1,2,x\n3,0,5,y\n"),
            &[],
            "comma.csv: line 3 has 4 fields, the header has 3 (a decimal comma? `3,0` reads as \
             two fields: write 3.0, or quote the cell)",
        ),
        (
            // a separator at the end of a row, not a decimal comma (a review's)
            "rowend.csv",
            Some("a,b,label\n1,2,x\n3,4,y,\n"),
            &[],
            "rowend.csv: line 3 has 4 fields, the header has 3\n",
        ),
        (
            "middle.csv",
            Some("a,,b,label\n1,9,2,x\n3,9,4,y\n"),
            &[],
            "middle.csv: column 2 has no name in the header (two separators in a row?)",
        ),
        (
            "target.csv",
            Some("a,b,label\n1,2,x\n"),
            &["--target", "price"],
            "no column `price` (--target); the columns are: a, b, label",
        ),
        (
            "one.csv",
            Some("a,b,label\n1,2,x\n3,4,x\n5,6,x\n"),
            &[],
            "column `label` holds a single class `x`",
        ),
        (
            "feature.csv",
            Some("a,b,label\n1,2,x\n"),
            &["--features", "a,z"],
            "no column `z` (--features); the columns are: a, b, label",
        ),
    ];
    for (name, csv, extra, expected) in cases {
        let err = train_error(&dir, name, csv, extra);
        assert!(
            err.contains(expected),
            "{name}: expected `{expected}` in: {err}"
        );
    }
}

#[test]
fn column_flags_are_read_as_the_header_is_and_one_number_is_one_class_however_written() {
    let dir = temp_dir("data-spaces");
    let rows = "a,b,label\n1,2,0.5\n2,3,0.50\n3,1,1.5\n4,4,1.50\n5,2,0.5\n6,1,1.5\n";
    let csv = write(&dir, "fractions.csv", rows);
    let run = dir.join("run");
    let args = [
        "train",
        "--data",
        s(&csv),
        "--features",
        "a, b",
        "--target",
        " label",
    ];
    let rest = [
        "--task",
        "classification",
        "--epochs",
        "1",
        "-q",
        "--out",
        s(&run),
    ];
    let out = plaindnn(&[&args[..], &rest[..]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let config = run_config(&run);
    assert_eq!(
        config["data"]["feature_names"],
        serde_json::json!(["a", "b"])
    );
    assert_eq!(
        config["data"]["class_names"],
        serde_json::json!(["0.5", "1.5"])
    );
}

#[test]
fn a_pipe_a_device_or_a_folder_as_data_is_refused_by_name_without_reading_it() {
    // a pipe was read twice (its header lost to the separator's sniffing), /dev/zero filled the
    // memory, and a named pipe with no writer hung
    let dir = temp_dir("data-not-a-file");
    let fifo = dir.join("rows.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let folder = "is a folder, not a CSV file: give a file's path (a folder of MNIST-format IDX \
                  files is train's --data-dir)";
    let pipe = "is a pipe or a device, not a file";
    for (path, why) in [
        (fifo.as_path(), pipe),
        (Path::new("/dev/zero"), pipe),
        (&dir, folder),
    ] {
        for verb in [
            &["train", "--data", s(path)][..],
            &["regress", "--data", s(path)][..],
        ] {
            let out = plaindnn(&[verb, &["--out", s(&dir.join("run"))]].concat());
            assert_eq!(out.status.code(), Some(1), "{verb:?}");
            let said = format!("{}: {why}", path.display());
            assert!(stderr(&out).contains(&said), "{}", stderr(&out));
        }
    }
}

#[test]
fn a_constant_column_warns_and_never_divides_by_zero() {
    let dir = temp_dir("csv-constant");
    let mut text = String::from("a,k,label\n");
    for i in 0..60 {
        text += &format!(
            "{},{},{}\n",
            i as f64 / 10.0,
            7,
            if i < 30 { "lo" } else { "hi" }
        );
    }
    let data = write(&dir, "constant.csv", &text);
    let run = dir.join("run");
    let out = plaindnn(&[
        "train",
        "--data",
        s(&data),
        "--epochs",
        "5",
        "--out",
        s(&run),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: ") && stderr(&out).contains("column `k` is constant"),
        "{}",
        stderr(&out)
    );
    let metrics = std::fs::read_to_string(run.join("metrics.csv")).expect("metrics");
    assert!(
        !metrics.contains("NaN") && !metrics.contains("inf"),
        "{metrics}"
    );
}

#[test]
fn a_class_never_seen_in_training_is_named_at_eval_time() {
    let dir = temp_dir("csv-unseen");
    let train = write(&dir, "train.csv", &circle_csv(0..100));
    let run = dir.join("run");
    assert!(plaindnn(&[
        "train",
        "--data",
        s(&train),
        "--epochs",
        "2",
        "--out",
        s(&run),
        "--quiet"
    ])
    .status
    .success());
    let test = write(
        &dir,
        "test.csv",
        "a,b,c,label\n0,0,0,inside\n1,1,1,elsewhere\n",
    );
    refused(&["eval", "--run", s(&run), "--data", s(&test)], "test.csv: line 3, column `label`: class `elsewhere` was never seen in training (known: inside, outside)");
    // rows without their label are predict's (an outside review: eval named no way on)
    let rows = write(&dir, "rows.csv", "a,b,c\n0,0,0\n");
    let said = format!(
        "rows.csv: no column `label`; the columns are: a, b, c; eval scores rows against their \
         `label` (rename the column if it is there under another name): `plaindnn predict --run \
         {} --data {}` predicts rows without it",
        s(&run),
        s(&rows)
    );
    refused(&["eval", "--run", s(&run), "--data", s(&rows)], &said);
}

#[test]
fn a_validation_file_is_not_refused_for_a_separator_it_does_not_need() {
    // one column: no separator splits it, whichever is given
    let dir = temp_dir("csv-val-one-column");
    let col = |n: usize| {
        format!(
            "x\n{}",
            (0..n).map(|i| format!("{i}\n")).collect::<String>()
        )
    };
    let (train, val) = (
        write(&dir, "one.csv", &col(40)),
        write(&dir, "oneval.csv", &col(10)),
    );
    let args = [
        "pretrain",
        "--data",
        s(&train),
        "--val-data",
        s(&val),
        "--delimiter",
        ";",
    ];
    let out = plaindnn(
        &[
            &args[..],
            &["--epochs", "1", "-q", "--out", s(&dir.join("ae"))],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // a short row in a `;` file is named by its line, not as a file of commas
    let rows = "a;b;label\n1;2;x\n3;4;y\n5;6;x\n7;8;9;y\n";
    let (t, v) = (write(&dir, "t.csv", rows), write(&dir, "v.csv", rows));
    let out = plaindnn(&[
        "train",
        "--data",
        s(&t),
        "--val-data",
        s(&v),
        "--delimiter",
        ";",
    ]);
    assert!(
        stderr(&out).contains("line 5 has 4 fields, the header has 3"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_target_whose_square_overflows_f32_is_refused_in_a_validation_file_too() {
    let dir = temp_dir("csv-val-overflow");
    let rows = |big: &str| format!("a,y\n1,2.5\n2,{big}\n3,1.5\n4,0.5\n");
    let (train, val) = (
        write(&dir, "t.csv", &rows("3.5")),
        write(&dir, "v.csv", &rows("3e25")),
    );
    let args = [
        "train",
        "--data",
        s(&train),
        "--val-data",
        s(&val),
        "--task",
        "regression",
    ];
    let out = plaindnn(&[&args[..], &["--out", s(&dir.join("run"))]].concat());
    let said = "invalid target: column `y` holds the target 3e25, whose square is beyond f32";
    assert!(
        stderr(&out).contains(said),
        "it said the run diverged: {}",
        stderr(&out)
    );
}

/// Validation on the training rows themselves (the same file, or a copy) measures nothing new:
/// accepted, as Keras accepts it, with a warning (an audit saw it pass without a word).
#[test]
fn a_validation_file_holding_the_training_rows_is_warned_about() {
    let dir = temp_dir("csv-val-same");
    let rows: String = (0..40).map(|i| format!("{i},{}\n", i % 2)).collect();
    let train = write(&dir, "t.csv", &format!("x,label\n{rows}"));
    let copy = write(&dir, "copy.csv", &format!("x,label\n{rows}"));
    let other = write(&dir, "other.csv", &format!("x,label\n{rows}1,1\n"));
    for (val, warned) in [(&train, true), (&copy, true), (&other, false)] {
        let args = [
            "train",
            "--data",
            s(&train),
            "--val-data",
            s(val),
            "--epochs",
            "1",
            "-q",
        ];
        let out = plaindnn(&[&args[..], &["--out", s(&dir.join("run")), "--overwrite"]].concat());
        assert!(out.status.success(), "{}", stderr(&out));
        let said = format!(
            "warning: --val-data {} holds the same rows as --data",
            s(val)
        );
        assert_eq!(stderr(&out).contains(&said), warned, "{}", stderr(&out));
    }
}

#[test]
fn a_separate_validation_file_replaces_the_fraction() {
    let dir = temp_dir("csv-valdata");
    let train = write(&dir, "train.csv", &circle_csv(0..200));
    let val = write(&dir, "val.csv", &circle_csv(200..260));
    let run = dir.join("run");
    let out = plaindnn(&[
        "train",
        "--data",
        s(&train),
        "--val-data",
        s(&val),
        "--epochs",
        "3",
        "--out",
        s(&run),
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let e = json(&plaindnn(&["eval", "--run", s(&run), "--json"]));
    assert_eq!(
        e["scores"]["rows"], 60,
        "eval without --data scores the validation file"
    );
    // a validation file with semicolons beside a training file with commas: no flag reads both
    let semi = write(&dir, "semi.csv", &circle_csv(200..260).replace(',', ";"));
    let r2 = dir.join("r2");
    let args = [
        "train",
        "--data",
        s(&train),
        "--val-data",
        s(&semi),
        "--out",
        s(&r2),
    ];
    let out = plaindnn(&args);
    assert_eq!(out.status.code(), Some(1));
    let said = "semi.csv: its fields are separated by semicolons, the training file's by commas";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    let out = plaindnn(&[&args[..], &["--delimiter", ","]].concat());
    assert!(
        stderr(&out).contains(said),
        "given or detected: {}",
        stderr(&out)
    );
    // a separator given reads both files as it says (one detection cannot tell `|`)
    let pipes = |range| circle_csv(range).replace(',', "|");
    let (tp, vp) = (
        write(&dir, "t.psv", &pipes(0..200)),
        write(&dir, "v.psv", &pipes(200..260)),
    );
    let r3 = dir.join("r3");
    let args = [
        "train",
        "--data",
        s(&tp),
        "--val-data",
        s(&vp),
        "--delimiter",
        "|",
    ];
    let out = plaindnn(&[&args[..], &["--epochs", "1", "-q", "--out", s(&r3)]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
}

fn idx_bytes(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0x08, dims.len() as u8];
    dims.iter().for_each(|d| bytes.extend(d.to_be_bytes()));
    bytes.extend(data);
    bytes
}

/// `n` 4×4 images: class 0 lights the left half, class 1 the right half.
fn halves(n: usize) -> (Vec<u8>, Vec<u8>) {
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n {
        let class = (i % 2) as u8;
        for _row in 0..4 {
            for col in 0..4 {
                let lit = (col < 2) == (class == 0);
                pixels.push(if lit {
                    200 + (i % 50) as u8
                } else {
                    (i % 30) as u8
                });
            }
        }
        labels.push(class);
    }
    (pixels, labels)
}

#[test]
fn mnist_format_files_gzipped_or_not_train_a_classifier() {
    use std::io::Write;
    let dir = temp_dir("idx");
    let (train_px, train_lab) = halves(200);
    let (test_px, test_lab) = halves(50);
    std::fs::write(
        dir.join("train-images-idx3-ubyte"),
        idx_bytes(&[200, 4, 4], &train_px),
    )
    .expect("write");
    std::fs::write(
        dir.join("train-labels-idx1-ubyte"),
        idx_bytes(&[200], &train_lab),
    )
    .expect("write");
    let gz = |name: &str, bytes: Vec<u8>| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(&bytes).expect("gzip");
        std::fs::write(dir.join(name), e.finish().expect("gzip")).expect("write");
    };
    gz(
        "t10k-images-idx3-ubyte.gz",
        idx_bytes(&[50, 4, 4], &test_px),
    );
    gz("t10k-labels-idx1-ubyte.gz", idx_bytes(&[50], &test_lab));
    let run = dir.join("run");
    let out = plaindnn(&[
        "train",
        "--data-dir",
        s(&dir),
        "--epochs",
        "40",
        "--augment-noise",
        "0.05",
        "--out",
        s(&run),
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let e = json(&plaindnn(&["eval", "--run", s(&run), "--json"]));
    assert_eq!(e["scores"]["rows"], 50);
    assert!(
        e["scores"]["accuracy"].as_f64().unwrap_or(0.0) > 0.95,
        "{e}"
    );
    // the same test images as a CSV of the files' own 0–255 pixels score the same
    let header: Vec<String> = (0..16).map(|i| format!("px{i}")).collect();
    let mut csv = format!("{},label\n", header.join(","));
    for (image, label) in test_px.chunks(16).zip(&test_lab) {
        let cells: Vec<String> = image.iter().map(u8::to_string).collect();
        csv += &format!("{},{label}\n", cells.join(","));
    }
    std::fs::write(dir.join("test.csv"), csv).expect("write");
    let test = s(&dir.join("test.csv")).to_string();
    let from_csv = json(&plaindnn(&[
        "eval",
        "--run",
        s(&run),
        "--data",
        &test,
        "--json",
    ]));
    let loss = |e: &serde_json::Value| e["scores"]["loss"].as_f64().unwrap_or(f64::NAN);
    assert!(
        (loss(&from_csv) - loss(&e)).abs() < 1e-6,
        "{from_csv} vs {e}"
    );
    assert_eq!(from_csv["scores"]["accuracy"], e["scores"]["accuracy"]);
    let scaler = &run_config(&run)["data"]["scaler"];
    assert_eq!(scaler["std"][0], 255.0, "{scaler}");
    // a run saved before the scaler held the / 255 (`"scaler": null`) learnt / 255 all the same
    let mut old = run_config(&run);
    old["data"]["scaler"] = serde_json::Value::Null;
    std::fs::write(run.join("config.json"), old.to_string()).expect("write");
    let from_old = json(&plaindnn(&[
        "eval",
        "--run",
        s(&run),
        "--data",
        &test,
        "--json",
    ]));
    assert!(
        (loss(&from_old) - loss(&e)).abs() < 1e-6,
        "{from_old} vs {e}"
    );
    // no pixel (an outside audit: 300 and -5 were predicted on), and pixels / 255, are told
    let mut row = vec!["0"; 16];
    row[1] = "300";
    let o = plaindnn(&["predict", "--run", s(&run), "--input", &row.join(",")]);
    assert_eq!(o.status.code(), Some(1));
    let said = "--input, column `px1`: 300 is no pixel: the run trained on MNIST-format images, \
                whose pixels are 0–255 as the IDX files hold them";
    assert!(stderr(&o).contains(said), "{}", stderr(&o));
    let bad = test.replace(".csv", "-bad.csv");
    let text = std::fs::read_to_string(&test).expect("read");
    let first = text.lines().nth(1).expect("a row");
    let no_pixel = format!("-5{}", &first[first.find(',').expect("cells")..]);
    std::fs::write(&bad, text.replacen(first, &no_pixel, 1)).expect("write");
    let o = plaindnn(&["eval", "--run", s(&run), "--data", &bad]);
    assert!(
        stderr(&o).contains("column `px0`: -5 is no pixel"),
        "{}",
        stderr(&o)
    );
    // a pretraining's too (a review: eval scored its no-pixels)
    let pretrained = dir.join("pretrained");
    let args = [
        "pretrain",
        "--data-dir",
        s(&dir),
        "--hidden",
        "4",
        "--epochs",
        "1",
        "-q",
    ];
    let o = plaindnn(&[&args[..], &["--out", s(&pretrained)]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = plaindnn(&["eval", "--run", s(&pretrained), "--data", &bad]);
    assert!(
        stderr(&o).contains("column `px0`: -5 is no pixel"),
        "{}",
        stderr(&o)
    );
    let o = plaindnn(&[
        "predict",
        "--run",
        s(&run),
        "--input",
        &["0.5"; 16].join(","),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: every input is within 0–1"),
        "{}",
        stderr(&o)
    );
    // the four files are fingerprinted as a CSV is: other labels since are a change
    let flipped: Vec<u8> = train_lab.iter().map(|l| 1 - l).collect();
    std::fs::write(
        dir.join("train-labels-idx1-ubyte"),
        idx_bytes(&[200], &flipped),
    )
    .expect("w");
    for args in [
        vec!["eval", "--run", s(&run)],
        vec![
            "train",
            "--resume",
            s(&run),
            "--epochs",
            "41",
            "--patience",
            "99",
        ],
    ] {
        let out = plaindnn(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("has changed since the run trained"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_directory_without_the_mnist_files_lists_what_is_missing() {
    let dir = temp_dir("idx-missing");
    std::fs::write(
        dir.join("train-images-idx3-ubyte"),
        idx_bytes(&[1, 1, 1], &[0]),
    )
    .expect("write");
    let out = plaindnn(&["train", "--data-dir", s(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "missing train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_builtin_data_set_is_listed_and_trains() {
    let list = json(&plaindnn(&["datasets", "--json"]));
    // a set that --noise is refused for has none to list
    assert_eq!(list["datasets"][0]["noise"], serde_json::Value::Null);
    assert_eq!(list["datasets"][1]["noise"], 0.05);
    let names: Vec<String> = list["datasets"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["name"].as_str().map(String::from))
        .collect();
    assert_eq!(
        names,
        [
            "quadrants",
            "xor",
            "circles",
            "spiral",
            "blobs",
            "line",
            "cubic",
            "shapes"
        ]
    );
    let dir = temp_dir("builtins");
    for name in &names {
        let run = dir.join(name);
        let out = plaindnn(&[
            "train",
            "--dataset",
            name,
            "--epochs",
            "2",
            "--out",
            s(&run),
            "--quiet",
        ]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(run.join("model.bpk").is_file(), "{name}");
    }
}

#[test]
fn image_augmentation_on_data_that_are_not_images_is_refused() {
    refused(
        &[
            "train",
            "--dataset",
            "xor",
            "--augment-shift",
            "2",
            "--quiet",
        ],
        "--augment-shift needs image data (--dataset shapes or --data-dir)",
    );
}

/// `datasets --export` is how another tool (PyTorch, scikit-learn) gets plaindnn's exact rows:
/// trained on the two exported files, a network must follow the very same loss curve as on the
/// built-in set itself — any row, digit or order lost on the way changes the losses.
#[test]
fn an_exported_built_in_set_trains_exactly_like_the_set_itself() {
    let dir = temp_dir("export");
    let (train, val) = (dir.join("train.csv"), dir.join("val.csv"));
    for (split, file) in [("train", &train), ("validation", &val)] {
        let out = plaindnn(&[
            "datasets",
            "--export",
            "spiral",
            "--seed",
            "3",
            "--split",
            split,
            "--out",
            s(file),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let common = ["--seed", "3", "--epochs", "3", "--quiet"];
    let from_csv = dir.join("csv");
    let csv = [
        "train",
        "--data",
        s(&train),
        "--val-data",
        s(&val),
        "--no-standardize",
        "--out",
        s(&from_csv),
    ];
    let built_in = dir.join("builtin");
    let set = ["train", "--dataset", "spiral", "--out", s(&built_in)];
    for args in [&csv[..], &set[..]] {
        let out = plaindnn(&[args, &common[..]].concat());
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let metrics = |run: &Path| std::fs::read_to_string(run.join("metrics.csv")).expect("metrics");
    assert_eq!(metrics(&from_csv), metrics(&built_in));
}

#[test]
fn the_test_split_is_drawn_apart_from_the_validation_rows() {
    let dir = temp_dir("export-test");
    let rows = |split: &str| {
        let file = dir.join(format!("{split}.csv"));
        let out = plaindnn(&[
            "datasets",
            "--export",
            "xor",
            "--split",
            split,
            "--rows",
            "50",
            "--out",
            s(&file),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = std::fs::read_to_string(file).expect("csv");
        text.lines().skip(1).map(String::from).collect::<Vec<_>>()
    };
    let (val, test) = (rows("validation"), rows("test"));
    assert_eq!((val.len(), test.len()), (50, 50));
    assert!(val.iter().all(|row| !test.contains(row)), "a row in both");
}

#[test]
fn the_quadrants_test_split_shares_no_row_with_its_training_rows() {
    // training starts from the tutorial's 4 points; the test rows are drawn fresh
    let dir = temp_dir("export-quadrants-test");
    let rows = |split: &str| {
        let file = dir.join(format!("{split}.csv"));
        let args = [
            "datasets",
            "--export",
            "quadrants",
            "--split",
            split,
            "--out",
            s(&file),
        ];
        assert!(plaindnn(&args).status.success());
        let text = std::fs::read_to_string(file).expect("csv");
        text.lines().skip(1).map(String::from).collect::<Vec<_>>()
    };
    let (train, test) = (rows("train"), rows("test"));
    assert!(
        train.iter().all(|row| !test.contains(row)),
        "a training row in the test split"
    );
    // its first 4 training rows are fixed: a seed for them alone is refused (an audit: ignored)
    let args = [
        "datasets",
        "--export",
        "quadrants",
        "--rows",
        "4",
        "--seed",
        "7",
    ];
    let o = plaindnn(&[&args[..], &["--out", "-"]].concat());
    assert_eq!(o.status.code(), Some(1));
    let said = "invalid --seed: the first 4 training rows of `quadrants` are the tutorial's fixed";
    assert!(stderr(&o).contains(said), "{}", stderr(&o));
    let o = plaindnn(&[
        "datasets",
        "--export",
        "quadrants",
        "--rows",
        "5",
        "--seed",
        "7",
        "--out",
        "-",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn export_sizes_and_noise_out_of_range_are_refused_by_name_and_the_default_seed_is_trains() {
    let dir = temp_dir("export-ranges");
    let out = dir.join("out.csv");
    let export = |extra: &[&str]| {
        let mut args = vec!["datasets", "--export"];
        args.extend(extra);
        args.extend(["--out", s(&out), "--overwrite"]);
        plaindnn(&args)
    };
    for (args, message) in [
        (
            vec!["xor", "--rows", "18446744073709551615"],
            "invalid --rows: must be 1 to 10000000",
        ),
        (
            vec!["quadrants", "--rows", "3"],
            "invalid --rows: `quadrants` starts from the tutorial's 4 points",
        ),
        (
            vec!["shapes", "--rows", "200000"],
            "invalid --rows: must be 1 to 100000 rows of `shapes`",
        ),
        (
            vec!["shapes", "--noise", "3e38"],
            "invalid --noise: must be at most 1e6",
        ),
    ] {
        let err = stderr(&export(&args));
        assert!(err.contains(message), "{args:?}: {err}");
    }
    let err = stderr(&plaindnn(&[
        "train",
        "--dataset",
        "xor",
        "--noise",
        "3e38",
        "-q",
    ]));
    // the value as given, not 39 digits
    let said = "invalid --noise: must be at most 1e6 (the rows are f32), got 3e38";
    assert!(err.contains(said), "{err}");
    let args = ["train", "--dataset", "xor", "--noise", "1e7", "-q"];
    let err = stderr(&plaindnn(&args));
    assert!(err.contains("got 1e7"), "not 10000000.0: {err}");
    // without --seed, the rows `train --dataset` draws with its default seed
    let default = plaindnn::train::TrainConfig::default_for(2, 2)
        .seed
        .to_string();
    assert!(export(&["spiral"]).status.success());
    let unseeded = std::fs::read(&out).expect("csv");
    assert!(export(&["spiral", "--seed", &default]).status.success());
    assert_eq!(std::fs::read(&out).expect("csv"), unseeded);
}

#[test]
fn exporting_an_unknown_set_names_the_valid_ones() {
    let dir = temp_dir("export-bad");
    let out = plaindnn(&[
        "datasets",
        "--export",
        "rings",
        "--out",
        s(&dir.join("x.csv")),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // named by its flag, as clap names any value outside a flag's choices (an outside audit)
    let said = "invalid value 'rings' for '--export <NAME>'\n  [possible values: quadrants, xor,";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert!(!dir.join("x.csv").exists());
    // and so are train's --dataset and bench's --variants, which held any text until later
    let out = plaindnn(&["train", "--dataset", "rings"]);
    let said = "invalid value 'rings' for '--dataset <DATASET>'";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    let out = plaindnn(&["bench", "w2", "--variants", "plain,deep"]);
    let said =
        "invalid value 'deep' for '--variants <NAMES>'\n  [possible values: plain, seed_default]";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
}

/// An outside audit: `--optimizer SGD` was taken and `--dataset XOR` refused. A set's name in
/// any letter case is that set: the same rows, and its own name in `config.json`.
#[test]
fn a_data_set_is_named_in_any_letter_case_as_an_optimizer_is() {
    let dir = temp_dir("dataset-case");
    let export = |name: &str, file: &str| {
        let out = dir.join(file);
        let o = plaindnn(&[
            "datasets",
            "--export",
            name,
            "--rows",
            "9",
            "--out",
            s(&out),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read(out).expect("csv")
    };
    assert_eq!(export("XOR", "upper.csv"), export("xor", "lower.csv"));
    let run = dir.join("run");
    let o = plaindnn(&[
        "train",
        "--dataset",
        "Xor",
        "--epochs",
        "1",
        "--quiet",
        "--out",
        s(&run),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let config = run_config(&run);
    assert_eq!(config["data"]["source"]["name"], "xor", "{config}");
}

/// `datasets --export` writes a built-in set's classes as indices: a run of that set scores the
/// exported validation rows as it scores its own (the same rows), and a CSV run still reads
/// names only.
#[test]
fn a_run_of_a_built_in_set_scores_its_exported_rows_by_class_index() {
    let dir = temp_dir("export-eval");
    for set in ["quadrants", "circles"] {
        let (run, file) = (dir.join(set), dir.join(format!("{set}.csv")));
        let train = [
            "train",
            "--dataset",
            set,
            "--epochs",
            "2",
            "-q",
            "--out",
            s(&run),
        ];
        assert!(plaindnn(&train).status.success());
        let export = [
            "datasets",
            "--export",
            set,
            "--split",
            "validation",
            "--out",
            s(&file),
        ];
        assert!(plaindnn(&export).status.success());
        let own = json(&plaindnn(&["eval", "--run", s(&run), "--json"]));
        let exported = json(&plaindnn(&[
            "eval",
            "--run",
            s(&run),
            "--data",
            s(&file),
            "--json",
        ]));
        assert_eq!(own["confusion"], exported["confusion"], "{set}");
        assert_eq!(own["scores"]["rows"], exported["scores"]["rows"], "{set}");
        let loss = |e: &serde_json::Value| e["scores"]["loss"].as_f64().unwrap_or(f64::NAN);
        assert!((loss(&own) - loss(&exported)).abs() < 1e-6, "{set}");
    }
    // an index past the classes is named with the choices
    let bad = write(&dir, "bad.csv", "x,y,quadrant\n0.5,0.5,4\n");
    let out = plaindnn(&[
        "eval",
        "--run",
        s(&dir.join("quadrants")),
        "--data",
        s(&bad),
    ]);
    assert!(
        stderr(&out).contains(
            "class `4` was never seen in training (known: I, II, III, IV, or their indices 0 to 3)"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_number_to_predict_forced_into_classes_is_pointed_to_regression() {
    let dir = temp_dir("csv-forced-classes");
    let rows: String = (0..200)
        .map(|i| format!("{},{},{}\n", i % 13, i % 7, 1000 + 37 * i))
        .collect();
    let err = train_error(
        &dir,
        "houses.csv",
        Some(&format!("a,b,price\n{rows}")),
        &["--task", "classification"],
    );
    assert!(
        err.contains("houses.csv: 200 classes in 200 rows, most with a single row, leave nothing to split off for validation: is `price` a number to predict? (--task regression)"),
        "{err}"
    );
    // a text column of one name per row is no number: an id column, likelier
    let rows: String = (0..200)
        .map(|i| format!("{},{},row{i}\n", i % 13, i % 7))
        .collect();
    let err = train_error(&dir, "ids.csv", Some(&format!("a,b,id\n{rows}")), &[]);
    assert!(
        err.contains("is `id` an identifier, not a class? (--target names the column to predict)"),
        "not pointed to regression: {err}"
    );
}

#[test]
fn an_autoencoder_of_mnist_format_files_reports_val_rmse_in_pixels_as_eval_does() {
    let dir = temp_dir("idx-autoencoder");
    for (part, n) in [("train", 120), ("t10k", 40)] {
        let (px, lab) = halves(n);
        let images = idx_bytes(&[n as u32, 4, 4], &px);
        std::fs::write(dir.join(format!("{part}-images-idx3-ubyte")), images).expect("w");
        let labels = idx_bytes(&[n as u32], &lab);
        std::fs::write(dir.join(format!("{part}-labels-idx1-ubyte")), labels).expect("w");
    }
    let (test_px, _) = halves(40);
    let header: Vec<String> = (0..16).map(|i| format!("px{i}")).collect();
    let mut csv = format!("{}\n", header.join(","));
    for image in test_px.chunks(16) {
        let cells: Vec<String> = image.iter().map(u8::to_string).collect();
        csv += &format!("{}\n", cells.join(","));
    }
    std::fs::write(dir.join("t10k.csv"), csv).expect("write");
    let ae = dir.join("ae");
    let out = plaindnn(&[
        "pretrain",
        "--data-dir",
        s(&dir),
        "--hidden",
        "4",
        "--epochs",
        "5",
        "-q",
        "--out",
        s(&ae),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // the kept epoch's val_rmse (metrics.csv) is eval's rmse of the same t10k rows, in 0–255
    let metrics = common::Metrics::read(&ae);
    let kept = metrics.lowest_val_loss()[metrics.column("val_rmse")];
    let t10k = dir.join("t10k.csv");
    let e = json(&plaindnn(&[
        "eval",
        "--run",
        s(&ae),
        "--data",
        s(&t10k),
        "--json",
    ]));
    let rmse = e["rmse"].as_f64().unwrap_or(f64::NAN);
    assert!(
        (rmse / kept - 1.0).abs() < 1e-4,
        "eval {rmse}, metrics.csv {kept}"
    );
    assert!(rmse > 1.0, "in pixels, not pixels / 255: {rmse}");
    assert_eq!(e["loss_of"], "the pixels / 255", "{e}");
}

/// An outside audit's MNIST-format folder with one stray label 255 among 0–9 trained a
/// 256-output network without a word; and `--data-dir` naming a file said four files were
/// missing from it.
#[test]
fn mnist_labels_that_skip_values_are_warned_of_and_a_file_is_not_a_folder() {
    let dir = temp_dir("idx-gaps");
    let (train_px, mut train_lab) = halves(200);
    train_lab[7] = 5; // classes 0, 1 and 5: 2, 3 and 4 have no rows
    let (test_px, test_lab) = halves(20);
    let files = [
        (
            "train-images-idx3-ubyte",
            idx_bytes(&[200, 4, 4], &train_px),
        ),
        ("train-labels-idx1-ubyte", idx_bytes(&[200], &train_lab)),
        ("t10k-images-idx3-ubyte", idx_bytes(&[20, 4, 4], &test_px)),
        ("t10k-labels-idx1-ubyte", idx_bytes(&[20], &test_lab)),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("write");
    }
    let out = plaindnn(&[
        "train",
        "--data-dir",
        s(&dir),
        "--epochs",
        "1",
        "-q",
        "--out",
        s(&dir.join("run")),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = "the largest label is 5, so the network has 6 outputs (a label is its class's index, \
                as in MNIST), and 3 of those classes have no training rows: relabel the classes 0 to 2";
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    let file = dir.join("train-images-idx3-ubyte");
    let out = plaindnn(&["train", "--data-dir", s(&file), "--epochs", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("a file, not a folder: --data-dir takes the folder"),
        "{}",
        stderr(&out)
    );
}

/// An outside audit's CSV began with `# a comment`, read as the header: the refusal named
/// that as the target and said nothing of why.
#[test]
fn a_comment_line_read_as_the_header_is_said_so() {
    let dir = temp_dir("comment-header");
    let csv = dir.join("comment.csv");
    std::fs::write(&csv, "# a comment\nx,label\n1,a\n2,b\n").expect("written");
    refused(
        &["train", "--data", s(&csv), "--epochs", "1"],
        "there is no feature column besides the target `# a comment` (the first line is the \
         header, and a `#` comment line is not skipped: remove it)",
    );
}

/// An outside review trained on pandas' `Unnamed: 0` (an index to_csv wrote) and on a sorted ID
/// without a word: each is warned about by name; a column that only happens to rise on a few
/// rows, or that rises and falls, is not.
#[test]
fn a_pandas_index_or_a_column_rising_row_after_row_is_warned_about_by_name() {
    let dir = temp_dir("data-row-numbers");
    let rows = |n: usize| -> String {
        (0..n)
            .map(|i| format!("{},{},{}\n", 100 + 3 * i, (i * 7 % 11) as f64 / 10.0, i % 2))
            .collect()
    };
    let warned = |name: &str, text: String| {
        let csv = dir.join(name);
        std::fs::write(&csv, text).expect("write");
        let run = dir.join(format!("{name}.run"));
        let args = [
            "--data",
            s(&csv),
            "--out",
            s(&run),
            "--epochs",
            "1",
            "--quiet",
        ];
        let out = plaindnn(&[&["train"][..], &args].concat());
        assert!(out.status.success(), "{}", stderr(&out));
        stderr(&out)
    };
    let tail = "if so, it tells where a row sits in the file, not what it is; --features without \
                it leaves it out";
    let said = warned("ids.csv", format!("id,a,label\n{}", rows(40)));
    let why = "column `id` rises by whole numbers row after row (a row number or an ID, not a \
               time the file is sorted by?)";
    assert!(said.contains(&format!("ids.csv: {why}: {tail}")), "{said}");
    assert!(!said.contains("column `a`"), "{said}");
    let said = warned("index.csv", format!("Unnamed: 0,a,label\n{}", rows(40)));
    let why = "is pandas' name for a nameless column (an index to_csv wrote?)";
    assert!(
        said.contains(&format!("column `Unnamed: 0` {why}")),
        "{said}"
    );
    // nine rising rows say little; the same numbers out of order say nothing of the file's order
    assert!(!warned("few.csv", format!("id,a,label\n{}", rows(9))).contains("rises"));
    let shuffled: String = (0..40)
        .map(|i| format!("{},0.5,{}\n", i * 7 % 40, i % 2))
        .collect();
    assert!(!warned("shuffled.csv", format!("id,a,label\n{shuffled}")).contains("rises"));
}
