//! What the server says, in the page's words: the command line's advice the page has no control
//! for, an upload named as the page named it, a failed run without the server's folders.

use std::path::Path;

use crate::data::advice::{
    DECIMAL_COMMA, DECIMAL_MARK, DECIMAL_TARGET, LEAVE_STANDARDIZE_OUT, MIN_DELTA_ZERO,
    MIN_LR_BELOW, POINTS_LEFT_OUT, UNNAMED_COLUMN, VAL_DATA_OF_THEIR_OWN,
};
use crate::data::split::Lopsided;
use crate::error::Kept;

/// Command-line advice the page has no control for, sent to `plaindnn train`, and its own in
/// page words (the page takes the task from the column; a box is unticked, not left out; it
/// reads decimal commas where a file writes `1,5`).
const PAGE_WORDS: [(&str, &str); 9] = [
    (
        LEAVE_STANDARDIZE_OUT,
        "untick the box, or if it is a number to predict, train on the file with `plaindnn train \
         --task regression` (the playground takes a column of few whole numbers as classes)",
    ),
    (
        MIN_DELTA_ZERO,
        "or train with `plaindnn train --min-delta 0`",
    ),
    // a stray decimal comma among points: the number's own way on is the page's
    (DECIMAL_COMMA, ""),
    // a target of decimal commas in a file of more points
    (
        DECIMAL_TARGET,
        "write it with a point, as the file's other numbers are, or every number of the file \
         with decimal commas (the playground reads either, one per file)",
    ),
    (
        DECIMAL_MARK,
        "the playground reads `,` as the decimal mark, as the file's numbers with decimal commas \
         write it",
    ),
    (
        POINTS_LEFT_OUT,
        "or write every number of the file with points",
    ),
    // the page reads every column it is given
    (
        UNNAMED_COLUMN,
        "name it in the file, or save the file without it",
    ),
    // the page has no validation file
    (VAL_DATA_OF_THEIR_OWN, ""),
    (MIN_LR_BELOW, "give a min_lr below the learning rate"),
];

/// A validation split by the training share (1 − its fraction) that `train` warns of, as the page
/// says it.
pub(super) fn shared(lopsided: Lopsided) -> String {
    let share = |fraction: f64| format!("{:.0} %", (1.0 - fraction) * 100.0);
    match lopsided {
        Lopsided::Few { fraction, val } => format!(
            "a training share of {} holds out {} for validation: the best epoch, early stopping \
             and the scores go by so few rows; choose a smaller training share, or give the file \
             more rows",
            share(fraction),
            crate::plural::count(val, "row")
        ),
        Lopsided::More {
            fraction,
            val,
            train,
        } => format!(
            "a training share of {} holds out more rows ({val}) for validation than it trains on \
             ({train}); 70 % to 90 % is usual",
            share(fraction)
        ),
    }
}

/// A message about the server's copy `path` of an upload, naming it as the page did (`name`),
/// in the page's words (an empty `path`: no upload, the words alone).
pub fn as_uploaded(text: &str, path: &Path, name: &str) -> String {
    let text = match path.as_os_str().is_empty() {
        true => text.to_string(),
        false => text.replace(&path.display().to_string(), name),
    };
    (PAGE_WORDS.iter()).fold(text, |text, (flag, page)| text.replace(flag, page))
}

/// A failed run's message as the page shows it: a divergence without the server's folders nor
/// the resuming a page never does (`…; no checkpoint was saved yet. Try …`, `… became NaN. Try
/// …`); any other error as it reads.
pub(super) fn page_error(e: &crate::Error) -> String {
    match e {
        crate::Error::Diverged(d) => {
            // what is kept, without where: the page's reader sees none of the server's folders
            let kept = match d.kept {
                Some(Kept::Nothing | Kept::Removed(_) | Kept::Restored(_)) => {
                    "; no checkpoint was saved yet"
                }
                _ => "",
            };
            let text = format!("{}{kept}. {}", d.what, d.advice);
            text.trim_end().to_string()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_with_no_upload_is_put_in_the_page_words_and_otherwise_kept() {
        let text = format!("the target: {MIN_DELTA_ZERO}");
        let told = as_uploaded(&text, Path::new(""), "the uploaded file");
        assert_eq!(told, format!("the target: {}", PAGE_WORDS[1].1));
        let told = as_uploaded(
            "/s/upload-3.csv: line 2",
            Path::new("/s/upload-3.csv"),
            "a.csv",
        );
        assert_eq!(told, "a.csv: line 2");
    }

    #[test]
    fn a_failed_runs_message_names_no_folder_of_the_server() {
        use crate::error::Divergence;
        let what = "training diverged in epoch 4: the training loss became NaN";
        let said = |kept| {
            let advice = "Try a smaller learning rate or gradient clipping.";
            let d = Divergence::new(what, Some(kept), advice);
            page_error(&crate::Error::Diverged(d))
        };
        let dir = "/tmp/runs/abc/run/checkpoint".into();
        assert_eq!(
            said(Kept::Checkpoint { epoch: 3, dir }),
            "training diverged in epoch 4: the training loss became NaN. Try a smaller learning \
             rate or gradient clipping."
        );
        assert_eq!(
            said(Kept::Removed("/tmp/runs/abc/run".into())),
            "training diverged in epoch 4: the training loss became NaN; no checkpoint was saved \
             yet. Try a smaller learning rate or gradient clipping."
        );
        let other = crate::Error::Data("x".into());
        assert_eq!(page_error(&other), "x");
    }
}
