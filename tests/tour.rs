//! Every command of TOUR.md still runs, in order, in a scratch directory.

mod common;

use std::process::Command;

use common::temp_dir;

#[test]
fn every_command_in_the_tour_still_runs() {
    let tour =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/TOUR.md")).expect("TOUR.md");
    let commands: Vec<&str> = tour
        .lines()
        .filter_map(|l| l.strip_prefix("$ plaindnn "))
        .collect();
    assert!(commands.len() >= 15, "the tour has its commands");
    let dir = temp_dir("tour");
    for command in commands {
        let out = Command::new(env!("CARGO_BIN_EXE_plaindnn"))
            .args(command.split_whitespace())
            .current_dir(&dir)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "`plaindnn {command}` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
