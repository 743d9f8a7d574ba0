//! `--one-hot`: text columns as one 0/1 input per category, held to the same columns encoded by
//! hand (as pandas' `get_dummies` writes them: categories sorted, numbers by value).

mod common;

use std::path::Path;

use common::{plaindnn, stderr, stdout, temp_dir, Metrics};
use plaindnn::data::fingerprint;

const CITIES: [&str; 3] = ["Oslo", "Lima", "Pune"];
const GRADES: [u32; 3] = [2, 10, 1];

/// Row `i`: a number, a city, a grade and a class that depends on all three.
fn row(i: usize) -> (f64, &'static str, u32, &'static str) {
    let (age, city, grade) = ((i * 7 % 23) as f64, CITIES[i % 3], GRADES[i / 3 % 3]);
    let score = age / 23.0 + if city == "Lima" { 0.8 } else { 0.0 } + f64::from(grade) / 10.0;
    (age, city, grade, if score > 1.0 { "yes" } else { "no" })
}

/// The rows as the file holds them, and with city and grade encoded by hand, in sorted order:
/// city_Lima, city_Oslo, city_Pune; grade_1, grade_2, grade_10.
fn write(dir: &Path, name: &str, rows: impl Iterator<Item = usize>) -> (String, String) {
    let mut raw = String::from("age,city,grade,label\n");
    let mut hand =
        String::from("age,city_Lima,city_Oslo,city_Pune,grade_1,grade_2,grade_10,label\n");
    for i in rows {
        let (age, city, grade, label) = row(i);
        raw += &format!("{age},{city},{grade},{label}\n");
        let cities = ["Lima", "Oslo", "Pune"].map(|c| u8::from(c == city).to_string());
        let grades = [1, 2, 10].map(|g| u8::from(g == grade).to_string());
        hand += &format!("{age},{},{},{label}\n", cities.join(","), grades.join(","));
    }
    let (raw_path, hand_path) = (
        dir.join(format!("{name}.csv")),
        dir.join(format!("{name}-hand.csv")),
    );
    std::fs::write(&raw_path, raw).unwrap();
    std::fs::write(&hand_path, hand).unwrap();
    let text = |p: &Path| p.to_str().unwrap().to_string();
    (text(&raw_path), text(&hand_path))
}

fn train(data: &str, extra: &[&str], out: &Path) {
    let args = [
        &[
            "train", "--data", data, "--target", "label", "--epochs", "8",
        ][..],
        extra,
    ];
    let o = plaindnn(&[&args.concat()[..], &["--out", out.to_str().unwrap()]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Every epoch's losses and accuracy (not its time).
fn scores(run: &Path) -> Vec<Vec<f64>> {
    let m = Metrics::read(run);
    let columns = ["train_loss", "val_loss", "val_accuracy"].map(|c| m.column(c));
    (m.rows.iter())
        .map(|r| columns.iter().map(|&c| r[c]).collect())
        .collect()
}

#[test]
fn one_hot_columns_train_exactly_as_the_same_columns_encoded_by_hand() {
    let dir = temp_dir("one-hot-hand");
    let (raw, hand) = write(&dir, "train", 0..90);
    let (encoded, by_hand) = (dir.join("encoded"), dir.join("by-hand"));
    train(&raw, &["--one-hot", "city,grade"], &encoded);
    train(&hand, &[], &by_hand);
    let config = common::run_config(&encoded);
    let hand_config = common::run_config(&by_hand);
    assert_eq!(
        config["data"]["feature_names"],
        hand_config["data"]["feature_names"]
    );
    assert_eq!(scores(&encoded), scores(&by_hand));
    assert_eq!(
        config["data"]["one_hot"][1]["categories"],
        serde_json::json!(["1", "2", "10"])
    );
}

#[test]
fn predict_and_eval_encode_new_rows_with_the_training_categories() {
    let dir = temp_dir("one-hot-new-rows");
    let (raw, hand) = write(&dir, "train", 0..90);
    let (encoded, by_hand) = (dir.join("encoded"), dir.join("by-hand"));
    train(&raw, &["--one-hot", "city,grade"], &encoded);
    train(&hand, &[], &by_hand);
    // new rows, their categories in another order of first appearance
    let (new, new_hand) = write(&dir, "new", (200..230).rev());
    let run = |args: &[&str]| {
        let o = plaindnn(args);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let predicted = |r: &Path, data: &str| {
        let r = r.to_str().unwrap();
        run(&["predict", "--run", r, "--data", data, "--output", "-"])
    };
    let (ours, theirs) = (predicted(&encoded, &new), predicted(&by_hand, &new_hand));
    // the last three cells: the class and each class's probability
    let tail = |line: &str| line.rsplitn(4, ',').take(3).collect::<Vec<_>>().join(",");
    let probabilities = |text: &str| -> Vec<String> { text.lines().skip(1).map(tail).collect() };
    assert_eq!(probabilities(&ours), probabilities(&theirs));
    let scored =
        |r: &Path, data: &str| run(&["eval", "--run", r.to_str().unwrap(), "--data", data]);
    assert_eq!(scored(&encoded, &new), scored(&by_hand, &new_hand));
    // one row as --input: its column's category, not the inputs
    let (age, city, grade, _) = row(200);
    let one = run(&[
        "predict",
        "--run",
        encoded.to_str().unwrap(),
        "--input",
        &format!("{age},{city},{grade}"),
        "--output",
        "-",
    ]);
    let last = ours.lines().nth(30).unwrap(); // row 200 is the last written
    assert_eq!(probabilities(&one), [tail(last)]);
}

#[test]
fn a_category_holding_a_comma_is_given_to_input_in_quotes_as_the_file_holds_it() {
    let dir = temp_dir("one-hot-comma");
    let mut text = String::from("age,city,label\n");
    for i in 0..40 {
        let (city, label) = (["Oslo", "Rio, RJ"][i % 2], ["no", "yes"][i / 2 % 2]);
        text += &format!("{},\"{city}\",{label}\n", i % 7);
    }
    let (data, one) = (dir.join("train.csv"), dir.join("one.csv"));
    std::fs::write(&data, text).unwrap();
    std::fs::write(&one, "age,city\n3,\"Rio, RJ\"\n").unwrap();
    let run = dir.join("run");
    train(data.to_str().unwrap(), &["--one-hot", "city"], &run);
    let r = run.to_str().unwrap();
    let predicted = |rows: &[&str]| {
        let o = plaindnn(&[&["predict", "--run", r, "--output", "-"][..], rows].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
            .lines()
            .nth(1)
            .unwrap()
            .rsplitn(4, ',')
            .take(3)
            .collect::<Vec<_>>()
            .join(",")
    };
    let from_file = predicted(&["--data", one.to_str().unwrap()]);
    assert_eq!(predicted(&["--input", "3, \"Rio, RJ\""]), from_file);
    // unquoted, the comma splits the category: three cells for two columns
    let o = plaindnn(&["predict", "--run", r, "--input", "3,Rio, RJ"]);
    assert!(stderr(&o).contains("takes 2 cells"), "{}", stderr(&o));
}

#[test]
fn a_category_never_seen_in_training_is_refused_naming_its_line_and_the_known_ones() {
    let dir = temp_dir("one-hot-unknown");
    let (raw, _) = write(&dir, "train", 0..60);
    let run = dir.join("run");
    train(&raw, &["--one-hot", "city"], &run);
    let new = dir.join("new.csv");
    std::fs::write(&new, "age,city,grade,label\n3,Lima,1,yes\n4,Rome,1,no\n").unwrap();
    let r = run.to_str().unwrap();
    let o = plaindnn(&["eval", "--run", r, "--data", new.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let expected = "new.csv: line 3, column `city`: category `Rome` was never seen in training \
                    (known: Lima, Oslo, Pune)";
    assert!(stderr(&o).contains(expected), "{}", stderr(&o));
    let o = plaindnn(&["predict", "--run", r, "--input", "3,Rome,1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("invalid --input: column `city`: category `Rome`"));
}

#[test]
fn a_text_column_is_refused_with_the_flag_that_encodes_it() {
    let dir = temp_dir("one-hot-hint");
    let (raw, _) = write(&dir, "train", 0..30);
    let out = dir.join("x");
    let o = plaindnn(&[
        "train",
        "--data",
        &raw,
        "--target",
        "label",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let expected = "line 2, column `city`: `Oslo` is not a number (a text column? --one-hot city \
                    makes an input of each of its categories";
    assert!(stderr(&o).contains(expected), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn one_hot_of_the_target_of_a_left_out_column_or_of_an_empty_cell_is_refused() {
    let dir = temp_dir("one-hot-refused");
    let (raw, _) = write(&dir, "train", 0..30);
    let out = dir.join("run");
    let o = |extra: &[&str]| {
        let args = [&["train", "--data", &raw, "--target", "label"][..], extra];
        let o = plaindnn(&[&args.concat()[..], &["--out", out.to_str().unwrap()]].concat());
        assert_eq!(o.status.code(), Some(1));
        assert!(!out.exists());
        stderr(&o)
    };
    assert!(o(&["--one-hot", "city,label"]).contains("invalid --one-hot: `label` is the target"));
    let left_out = o(&["--features", "age,grade", "--one-hot", "city"]);
    assert!(left_out.contains("invalid --one-hot: `city` is not one of the inputs (--features)"));
    assert!(o(&["--one-hot", "town"]).contains("no column `town` (--one-hot)"));
    let gap = dir.join("gap.csv");
    std::fs::write(&gap, "age,city,label\n1,Oslo,yes\n2,,no\n3,Lima,no\n").unwrap();
    let g = gap.to_str().unwrap();
    let args = [
        "train",
        "--data",
        g,
        "--one-hot",
        "city",
        "--out",
        out.to_str().unwrap(),
    ];
    let message = stderr(&plaindnn(&args));
    let expected = "gap.csv: line 3, column `city`: the cell is empty; --one-hot reads a category";
    assert!(message.contains(expected), "{message}");
    // what pandas reads as missing is no category either (an audit: `NA`, `NaN` and `null`
    // became three inputs, where an empty cell was refused)
    std::fs::write(&gap, "age,city,label\n1,Oslo,yes\n2,NA,no\n3,Lima,no\n").unwrap();
    let message = stderr(&plaindnn(&args));
    let expected = "gap.csv: column `city` holds `NA`, which pandas reads as a missing value: \
                    --one-hot would make it a category of its own; write a category in those \
                    cells (`unknown`, say), or drop their rows (or, if it is a category, give it \
                    another name)";
    assert!(message.contains(expected), "{message}");
}

/// A run that learnt `NA` as a category, before new runs refused to, still reads it: predict
/// and eval on new rows, eval on its own validation rows, and --resume (which read its file
/// again as training does, an audit found).
#[test]
fn a_runs_own_category_that_pandas_reads_as_missing_is_still_read() {
    let dir = temp_dir("one-hot-na-known");
    let (raw, _) = write(&dir, "train", 0..60);
    let run = dir.join("run");
    train(&raw, &["--one-hot", "city"], &run);
    // as such a run was left: Lima called NA in its file, its config and its fingerprint
    let fingerprint = |p: &str| fingerprint::of_files(&[std::path::Path::new(p)]).unwrap();
    let before = fingerprint(&raw);
    let rows = std::fs::read_to_string(&raw)
        .unwrap()
        .replace(",Lima,", ",NA,");
    std::fs::write(&raw, rows).unwrap();
    let config = run.join("config.json");
    let text = std::fs::read_to_string(&config).unwrap();
    let renamed = (text
        .replace("\"Lima\"", "\"NA\"")
        .replace("city_Lima", "city_NA"))
    .replace(&before, &fingerprint(&raw));
    std::fs::write(&config, renamed).unwrap();
    let rows = dir.join("rows.csv");
    std::fs::write(&rows, "age,city,grade\n30,NA,2\n40,Oslo,3\n").unwrap();
    let r = run.to_str().unwrap();
    let o = plaindnn(&["predict", "--run", r, "--data", rows.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = plaindnn(&["eval", "--run", r]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = plaindnn(&["train", "--resume", r, "--epochs", "30", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn the_export_carries_the_categories_of_each_one_hot_column() {
    let dir = temp_dir("one-hot-export");
    let (raw, _) = write(&dir, "train", 0..60);
    let run = dir.join("run");
    train(&raw, &["--one-hot", "city"], &run);
    let file = dir.join("model.safetensors");
    let r = run.to_str().unwrap();
    let o = plaindnn(&["export", "--run", r, "--out", file.to_str().unwrap()]);
    assert!(stdout(&o).contains("text column `city` is one-hot encoded first"));
    // safetensors: an 8-byte little-endian length, then the JSON header with __metadata__
    let bytes = std::fs::read(&file).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let one_hot: serde_json::Value =
        serde_json::from_str(header["__metadata__"]["one_hot"].as_str().unwrap()).unwrap();
    let expected = serde_json::json!([{"column": "city", "categories": ["Lima", "Oslo", "Pune"]}]);
    assert_eq!(one_hot, expected);
}

#[test]
fn a_pretrained_encoder_reads_the_categories_it_learnt_and_train_init_from_takes_them() {
    let dir = temp_dir("one-hot-pretrain");
    let (raw, _) = write(&dir, "train", 0..60);
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let (encoder, tuned) = (s(&dir.join("encoder")), s(&dir.join("tuned")));
    let flags = [
        "--data",
        &raw,
        "--target",
        "label",
        "--one-hot",
        "city,grade",
    ];
    let o = plaindnn(
        &[
            &["pretrain"][..],
            &flags,
            &["--epochs", "2", "--out", &encoder],
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("--one-hot city,grade"),
        "{}",
        stdout(&o)
    );
    // the file's own rows, its text read with the categories saved
    let o = plaindnn(&["eval", "--run", &encoder, "--data", &raw, "--json"]);
    assert_eq!(common::json(&o)["scores"]["rows"], 60);
    let o = plaindnn(&["predict", "--run", &encoder, "--input", "3,Lima,10"]);
    assert!(
        stdout(&o).contains("city_Lima=1, city_Oslo=0"),
        "{}",
        stdout(&o)
    );
    let init = ["--init-from", &encoder, "--epochs", "2", "--out", &tuned];
    let o = plaindnn(&[&["train"][..], &flags, &init].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    // without the flag the file has 3 features, not the encoder's 7 inputs
    let o = plaindnn(&[&["train"][..], &flags[..4], &["--features", "age"], &init].concat());
    assert!(stderr(&o).contains("take 7 inputs"), "{}", stderr(&o));
}

/// A review: a run that learnt the categories `2` and `2.0` apart (before a column of numbers
/// alone was read as numbers) is neither resumed nor scored on its unchanged file as if it had
/// changed, nor as rows of the wrong width: both say the file reads otherwise today, and `eval`
/// takes `--data`, which reads it with the run's own categories.
#[test]
fn a_run_whose_unchanged_file_reads_as_other_inputs_today_says_so() {
    let dir = temp_dir("one-hot-read-otherwise");
    let rows: String = (0..40)
        .map(|i| {
            format!(
                "{},{},{},{}\n",
                i % 7,
                i % 3,
                ["1", "2", "2.0", "3"][i % 4],
                i % 2
            )
        })
        .collect();
    let csv = dir.join("grades.csv");
    std::fs::write(&csv, format!("x,y,g,label\n{rows}")).expect("write");
    let run = dir.join("run");
    train(csv.to_str().unwrap_or(""), &["--one-hot", "g"], &run);
    // as an older plaindnn recorded it: `2` and `2.0` apart (x left out to keep the width)
    let path = run.join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("config")).expect("json");
    config["data"]["feature_names"] = serde_json::json!(["y", "g_1", "g_2", "g_2.0", "g_3"]);
    config["data"]["one_hot"][0]["categories"] = serde_json::json!(["1", "2", "2.0", "3"]);
    std::fs::write(&path, config.to_string()).expect("edit");
    let said = "but this version of plaindnn reads its inputs as x, y, g_1, g_2, g_3 where the \
                run read y, g_1, g_2, g_2.0, g_3";
    let run = run.to_str().unwrap_or("");
    let resumed = plaindnn(&["train", "--resume", run, "--epochs", "20"]);
    assert_eq!(resumed.status.code(), Some(1), "{}", stderr(&resumed));
    assert!(stderr(&resumed).contains(said), "{}", stderr(&resumed));
    let scored = plaindnn(&["eval", "--run", run]);
    assert_eq!(scored.status.code(), Some(1), "{}", stderr(&scored));
    assert!(stderr(&scored).contains(said), "{}", stderr(&scored));
    assert!(
        stderr(&scored).contains("score its rows with --data"),
        "{}",
        stderr(&scored)
    );
}

/// Under `--decimal ','`, a one-hot column of numbers written `2,0` in some rows and `2` in others
/// is one category, `2`, as pandas' `decimal=','` reads the column (they were two inputs,
/// `grade_2` and `grade_2,0`); the run trains exactly as on the file written with points.
#[test]
fn under_a_decimal_comma_a_one_hot_column_of_numbers_reads_2_comma_0_as_2() {
    let dir = temp_dir("one-hot-decimal-comma");
    let (raw, _) = write(&dir, "train", 0..90);
    let points = std::fs::read_to_string(&raw).expect("read");
    // every other row's grade with a decimal comma, fields by `;`
    let commas: String = (points.lines().enumerate())
        .map(|(i, line)| {
            let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
            if i > 0 && i % 2 == 0 {
                cells[2] += ",0";
            }
            cells.join(";") + "\n"
        })
        .collect();
    let comma_file = dir.join("commas.csv");
    std::fs::write(&comma_file, commas).expect("write");
    let (pointed, comma) = (dir.join("points"), dir.join("commas"));
    train(&raw, &["--one-hot", "city,grade"], &pointed);
    let flags = ["--one-hot", "city,grade", "--decimal", ","];
    train(comma_file.to_str().unwrap(), &flags, &comma);
    let config = common::run_config(&comma);
    assert_eq!(
        config["data"]["one_hot"][1]["categories"],
        serde_json::json!(["1", "2", "10"])
    );
    assert_eq!(scores(&comma), scores(&pointed));
    // a new row's `10,0` is category 10, as its `10` is
    let one = dir.join("one.csv");
    std::fs::write(&one, "age;city;grade\n3;Lima;10,0\n3;Lima;10\n").expect("write");
    let o = plaindnn(&[
        "predict",
        "--run",
        comma.to_str().unwrap(),
        "--data",
        one.to_str().unwrap(),
        "--output",
        "-",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<String> = (stdout(&o).lines().skip(1))
        .map(|l| l.split(';').skip(3).collect::<Vec<_>>().join(";"))
        .collect();
    assert_eq!(rows.len(), 2, "{}", stdout(&o));
    assert_eq!(rows[0], rows[1], "{}", stdout(&o));
    // `--input` too, a cell in quotes (it was "category `10,0` was never seen")
    let input = |grade: &str| {
        let row = format!("3,Lima,{grade}");
        let o = plaindnn(&["predict", "--run", comma.to_str().unwrap(), "--input", &row]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o).split('→').nth(1).unwrap_or_default().to_string()
    };
    assert_eq!(input("\"10,0\""), input("10"));
}

/// A review of the test above: a one-hot column with text (`A`, `2,5`) keeps `2,5` as written
/// under `--decimal ','`, and new rows without text in that column are read with the run's own
/// categories (they were read as `2.5`, which no category was: "category `2.5` was never seen");
/// a column with a point beside decimal commas (`1.000`: a thousand?) keeps its cells as written
/// (`1.000` was merged into `1`).
#[test]
fn under_a_decimal_comma_categories_with_text_or_points_stay_as_written_and_new_rows_find_them() {
    let dir = temp_dir("one-hot-comma-text");
    let grades = ["A", "2,5", "3,5", "1", "1.000"];
    let rows: String = (0..60)
        .map(|i| format!("{};{};{}\n", i % 7, grades[i % 5], ["no", "yes"][i / 3 % 2]))
        .collect();
    let train_file = dir.join("train.csv");
    std::fs::write(&train_file, format!("age;grade;label\n{rows}")).expect("write");
    let run = dir.join("run");
    train(
        train_file.to_str().unwrap(),
        &["--one-hot", "grade", "--decimal", ","],
        &run,
    );
    let config = common::run_config(&run);
    assert_eq!(
        config["data"]["one_hot"][0]["categories"],
        serde_json::json!(["1", "1.000", "2,5", "3,5", "A"])
    );
    // rows 1 and 2 of the training file, alone: the same probabilities as among the others
    let new = dir.join("new.csv");
    std::fs::write(&new, "age;grade\n1;2,5\n2;3,5\n").expect("write");
    let predicted = |data: &Path| {
        let (r, d) = (run.to_str().unwrap(), data.to_str().unwrap());
        let o = plaindnn(&["predict", "--run", r, "--data", d, "--output", "-"]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o).lines().map(str::to_string).collect::<Vec<_>>()
    };
    let (alone, among) = (predicted(&new), predicted(&train_file));
    // the predicted cells, after the row's own (two here, three with the label there)
    let tail = |line: &String, own| line.split(';').skip(own).collect::<Vec<_>>().join(";");
    assert_eq!(
        tail(&alone[1], 2),
        tail(&among[2], 3),
        "{alone:?} {among:?}"
    );
    assert_eq!(
        tail(&alone[2], 2),
        tail(&among[3], 3),
        "{alone:?} {among:?}"
    );
    // `1,000` is none of them: not `1.000`, which may be a thousand (a review saw it read so)
    std::fs::write(&new, "age;grade\n1;1,000\n").expect("write");
    let (r, d) = (run.to_str().unwrap(), new.to_str().unwrap());
    let o = plaindnn(&["predict", "--run", r, "--data", d, "--output", "-"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let said = "category `1,000` was never seen in training";
    assert!(stderr(&o).contains(said), "{}", stderr(&o));
}
