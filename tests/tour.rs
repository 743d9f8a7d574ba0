//! The two tours, TOUR.md and TOUR.zh-CN.md, show the same commands, and every line either pastes
//! under a command is what that command prints today.
//!
//! The commands run once, in the Chinese tour's order, in a scratch directory; both tours' pasted
//! outputs are checked against those runs (the command sets are equal, and one command prints the
//! same whichever tour it comes from), and TOUR.md's own order is checked to be runnable from an
//! empty directory: every run a command reads was written by a command before it. Running each
//! tour separately would double the test's time for no extra check. Runs are bit-reproducible on
//! one backend, so pasted lines must equal printed ones exactly; only timings (`0.01s`, `(2.2 s)`)
//! are masked, and a line `…` in a tour stands for printed lines left out.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use common::temp_dir;
use plaindnn::backend::Backend;

const CUT: &str = "…";

/// One `$ plaindnn …` block of a tour: the command and the lines pasted under it.
#[derive(Debug)]
struct Block {
    command: String,
    pasted: Vec<String>,
}

/// What one command printed (stdout and stderr as interleaved on a terminal) and which run
/// directories it created.
struct Ran {
    printed: Vec<String>,
    created: BTreeSet<String>,
}

fn read_tour(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fenced blocks that start with `$ plaindnn `, in page order.
fn blocks(tour: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut lines = tour.lines();
    while let Some(line) = lines.next() {
        if !line.starts_with("```") {
            continue;
        }
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        if let Some(command) = body.first().and_then(|l| l.strip_prefix("$ plaindnn ")) {
            found.push(Block {
                command: command.to_string(),
                pasted: body[1..].iter().map(|l| l.to_string()).collect(),
            });
        }
    }
    found
}

/// `0.01s` or `2.2` before `s)`: a timing, which differs from run to run.
fn is_timing(token: &str, next: Option<&str>) -> bool {
    let t = token.trim_start_matches('(');
    let t = t.trim_end_matches([')', ',']);
    let number = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.');
    match t.strip_suffix('s') {
        Some(n) if number(n) => true,
        _ => number(t) && next.is_some_and(|n| n == "s" || n.starts_with("s)")),
    }
}

/// A line with runs of spaces collapsed and timings replaced by `<time>`; in a build with the
/// wgpu feature, train's backend note (`[flex: CPU, …]`) names that build and is masked too.
fn normalize(line: &str) -> String {
    let line = match line.find(" [flex: ") {
        Some(at) if cfg!(feature = "wgpu") && line.starts_with("training ") => &line[..at],
        _ => line,
    };
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let mut out = Vec::new();
    let mut skip_unit = false;
    for (i, token) in tokens.iter().enumerate() {
        if skip_unit {
            skip_unit = false;
            out.push("<time>");
        } else if is_timing(token, tokens.get(i + 1).copied()) {
            skip_unit = !token.ends_with('s') && !token.ends_with("s)");
            out.push(if skip_unit { "(" } else { "<time>" });
        } else {
            out.push(token);
        }
    }
    out.join(" ")
}

/// Checks that `pasted` is `printed` with cuts: the pieces between `…` lines appear in order,
/// each as consecutive printed lines; without a leading (trailing) `…` the first (last) piece
/// starts (ends) the output.
fn check_pasted(pasted: &[String], printed: &[String]) -> Result<(), String> {
    let printed: Vec<String> = printed.iter().map(|l| normalize(l)).collect();
    if let (true, Some(first)) = (pasted.is_empty(), printed.first()) {
        return Err(format!(
            "the page shows no output, but it prints `{first}` (paste it, or `…` to cut it)"
        ));
    }
    let pieces: Vec<Vec<String>> = pasted
        .split(|l| l.trim() == CUT)
        .map(|p| p.iter().map(|l| normalize(l)).collect())
        .collect();
    let mut at = 0;
    for (i, piece) in pieces.iter().enumerate() {
        let anchored = i == 0;
        let found = (at..=printed.len().saturating_sub(piece.len()))
            .take(if anchored { 1 } else { usize::MAX })
            .find(|&s| printed.get(s..s + piece.len()) == Some(piece.as_slice()));
        match found {
            Some(s) => at = s + piece.len(),
            None => return Err(first_difference(piece, &printed[at.min(printed.len())..])),
        }
    }
    match pieces.last() {
        Some(last) if !last.is_empty() && at != printed.len() => Err(format!(
            "the page ends its output before `{}` (add a line `…` if the rest is cut)",
            printed[at]
        )),
        _ => Ok(()),
    }
}

/// The first pasted line that the output does not have, for the failure message.
fn first_difference(piece: &[String], printed: &[String]) -> String {
    let line = piece.iter().find(|l| !printed.contains(l));
    match line {
        Some(l) => format!(
            "pasted `{l}` is not printed; the output is:\n{}",
            printed.join("\n")
        ),
        None => format!(
            "pasted lines are printed, but not in this order or not together:\n{}",
            piece.join("\n")
        ),
    }
}

/// Run directories under `artifacts/` in `dir` (`artifacts/runs/quadrants`, …).
fn run_dirs(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for kind in ["runs", "experiments"] {
        let Ok(entries) = std::fs::read_dir(dir.join("artifacts").join(kind)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            found.insert(format!("artifacts/{kind}/{name}"));
        }
    }
    found
}

/// Runs `plaindnn COMMAND` in `dir`, stdout and stderr into one file as a terminal shows them.
fn run(command: &str, dir: &Path) -> Ran {
    let before = run_dirs(dir);
    let log = dir.join("printed.txt");
    let file = File::create(&log).expect("log file");
    let status = Command::new(common::bin())
        .args(command.split_whitespace())
        .current_dir(dir)
        .stdout(Stdio::from(file.try_clone().expect("log file")))
        .stderr(Stdio::from(file))
        .status()
        .expect("the binary runs");
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(status.success(), "`plaindnn {command}` failed:\n{text}");
    Ran {
        printed: text.lines().map(str::to_string).collect(),
        created: run_dirs(dir).difference(&before).cloned().collect(),
    }
}

/// Every command of the Chinese tour, run once in its order, by command.
fn runs() -> &'static HashMap<String, Ran> {
    static RUNS: OnceLock<HashMap<String, Ran>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let dir = temp_dir("tour");
        let tour = read_tour("TOUR.zh-CN.md");
        blocks(&tour)
            .into_iter()
            .map(|b| (b.command.clone(), run(&b.command, &dir)))
            .collect()
    })
}

/// Whether the tours' numbers apply: they were printed by flex, which `auto` picks unless the
/// build has wgpu and a GPU.
fn numbers_apply() -> bool {
    Backend::default().resolve() == Backend::Flex
}

/// Checks every block of `name` against the runs; all failures in one message.
fn check_tour(name: &str) {
    let tour = read_tour(name);
    let runs = runs();
    let mut failures = Vec::new();
    let checked: usize = blocks(&tour)
        .iter()
        .map(|b| b.pasted.iter().filter(|l| l.trim() != CUT).count())
        .sum();
    assert!(
        checked >= 150,
        "{name}: only {checked} pasted lines found to check"
    );
    for block in blocks(&tour) {
        let Some(ran) = runs.get(&block.command) else {
            failures.push(format!(
                "`plaindnn {}` is not in TOUR.zh-CN.md",
                block.command
            ));
            continue;
        };
        if let Err(why) = check_pasted(&block.pasted, &ran.printed) {
            failures.push(format!("{name}, `plaindnn {}`: {why}", block.command));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn commands(name: &str) -> Vec<String> {
    blocks(&read_tour(name))
        .into_iter()
        .map(|b| b.command)
        .collect()
}

#[test]
fn both_tours_show_the_same_commands() {
    let english: BTreeSet<String> = commands("TOUR.md").into_iter().collect();
    let chinese: BTreeSet<String> = commands("TOUR.zh-CN.md").into_iter().collect();
    assert!(english.len() >= 20, "TOUR.md has its commands");
    let only_en: Vec<_> = english.difference(&chinese).collect();
    let only_zh: Vec<_> = chinese.difference(&english).collect();
    assert!(
        only_en.is_empty() && only_zh.is_empty(),
        "only in TOUR.md: {only_en:?}\nonly in TOUR.zh-CN.md: {only_zh:?}"
    );
    for name in ["TOUR.md", "TOUR.zh-CN.md"] {
        let list = commands(name);
        let unique: BTreeSet<&String> = list.iter().collect();
        assert_eq!(unique.len(), list.len(), "{name} shows a command twice");
    }
}

#[test]
fn the_chinese_tour_prints_what_it_shows() {
    if numbers_apply() {
        check_tour("TOUR.zh-CN.md");
    } else {
        runs();
        eprintln!("the tours were printed by flex; this build trains on a GPU: exit codes only");
    }
}

#[test]
fn the_english_tour_prints_what_it_shows() {
    if numbers_apply() {
        check_tour("TOUR.md");
    } else {
        runs();
        eprintln!("the tours were printed by flex; this build trains on a GPU: exit codes only");
    }
}

/// The runs a command reads: the values of `--run` and `--init-from`.
fn reads(command: &str) -> Vec<&str> {
    let tokens: Vec<&str> = command.split_whitespace().collect();
    tokens
        .windows(2)
        .filter(|w| w[0] == "--run" || w[0] == "--init-from")
        .map(|w| w[1])
        .collect()
}

#[test]
fn the_english_tour_runs_in_its_order_from_an_empty_directory() {
    let runs = runs();
    let mut written = BTreeSet::new();
    for command in commands("TOUR.md") {
        for read in reads(&command) {
            assert!(
                written.contains(read),
                "TOUR.md: `plaindnn {command}` reads {read} before a command writes it"
            );
        }
        let ran = runs
            .get(&command)
            .expect("the same commands (checked above)");
        written.extend(ran.created.iter().cloned());
    }
    assert!(
        written.contains("artifacts/runs/quadrants"),
        "the runs were seen"
    );
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

#[test]
fn a_pasted_number_that_drifted_fails_the_check() {
    let printed = lines("epoch 1/3  train_loss 0.7053  0.01s  *\nbest epoch 1");
    assert!(check_pasted(&printed, &printed).is_ok());
    assert!(
        check_pasted(&[], &printed).is_err(),
        "a block without output prints nothing"
    );
    assert!(check_pasted(&[], &[]).is_ok());
    let drifted = lines("epoch 1/3  train_loss 0.7054  0.01s  *\nbest epoch 1");
    let why = check_pasted(&drifted, &printed).unwrap_err();
    assert!(why.contains("0.7054"), "{why}");
}

#[test]
fn timings_may_differ_and_cut_lines_may_be_left_out() {
    let printed = lines("a 1\nepoch 2  0.01s  *\nb 3 (2.2 s)\nc 4");
    assert!(check_pasted(&lines("a 1\n…\nb 3 (9.9 s)\nc 4"), &printed).is_ok());
    assert!(check_pasted(&lines("a 1\nepoch 2  0.50s  *\n…"), &printed).is_ok());
    assert!(check_pasted(&lines("a 1\nb 3 (2.2 s)\nc 4"), &printed).is_err());
    assert!(check_pasted(&lines("a 1\nepoch 2 0.01s *"), &printed).is_err());
    assert!(check_pasted(&lines("c 4\n…"), &printed).is_err());
}
