//! An uploaded CSV file: the name the page gave it, its checks (as `train --data` makes them,
//! naming the page's file, flag advice in the page's words), the decimal mark it is read with
//! (the page has no `--decimal`: a file of decimal commas is read as that flag reads it), and
//! what the page is told of it.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use serde_json::json;

use super::page_words::as_uploaded;
use super::session::{Refusal, Session};
use super::settings::{check_classes, MAX_CATEGORIES};
use super::uploads::{self, Upload};
use crate::data::imputer::Strategy;
use crate::data::{csv_file, one_hot, DataSource, Prepared};

/// Longest uploaded file name, in characters.
const MAX_NAME: usize = 255;

/// Keeps `body` as the session's latest upload, `name` on the page, once it passes the checks,
/// and returns what the page is told of it; a refused file replaces nothing.
pub fn keep(session: &Session, name: String, body: &[u8]) -> Result<serde_json::Value, Refusal> {
    let failed = |e: std::io::Error| (500, e.to_string());
    fs::create_dir_all(&session.dir).map_err(failed)?;
    // each upload in a file of its own: two at once cannot mix, and an accepted one leaves the
    // file a run trained on as it was; checked under another name, which no other upload's
    // acceptance removes
    let kept = uploads::fresh_path(&session.dir);
    let path = kept.with_extension("csv.new");
    let written = fs::write(&path, body).map_err(failed);
    let accepted = written
        .and_then(|()| check(&path, &name))
        .and_then(|(summary, decimal)| {
            let unreadable = |_| (500, "session unreadable".to_string());
            let mut uploads = session.uploads.lock().map_err(unreadable)?;
            fs::rename(&path, &kept).map_err(failed)?;
            let upload = Upload {
                name,
                path: kept,
                decimal,
            };
            uploads.accept(upload, &session.run_dir());
            Ok(summary)
        });
    if accepted.is_err() {
        let _ = fs::remove_file(&path);
    }
    // the page closed while its file was checked: its close swept before the file came, and
    // nothing would remove it (checked after the lock is let go, which a close waits for)
    if session.is_closed() {
        if let Ok(mut uploads) = session.uploads.lock() {
            uploads.close(&session.run_dir());
        }
    }
    accepted
}

/// The checks of the file at `path` (`name` on the page) and, where it passes them, what the
/// page is told of it and the decimal mark its runs read it with.
fn check(path: &Path, name: &str) -> Result<(serde_json::Value, Option<char>), Refusal> {
    let refused = |why: String| (400, why);
    let (prepared, columns) =
        read(path).map_err(|e| refused(as_uploaded(&e.to_string(), path, name)))?;
    let data = &prepared.train.data;
    check_classes(name, data).map_err(refused)?;
    check_column_names(name, &columns.all).map_err(refused)?;
    one_hot::refuse_missing(&data.one_hot, name).map_err(|e| refused(e.to_string()))?;
    Ok((summary(name, path, &prepared, &columns), columns.decimal))
}

/// What the page is told of an accepted upload (`name` on the page, `path` on the server): its
/// rows, columns and classes, and its warnings, which name the page's file.
fn summary(
    name: &str,
    path: &Path,
    prepared: &Prepared,
    columns: &UploadColumns,
) -> serde_json::Value {
    let data = &prepared.train.data;
    let warnings: Vec<_> = (prepared.warnings.iter())
        .chain(&prepared.target_warnings)
        .map(|w| as_uploaded(w, path, name))
        .chain(columns.left_out.iter().map(|(_, why)| why.clone()))
        .collect();
    let left_out: Vec<_> = columns.left_out.iter().map(|(column, _)| column).collect();
    json!({
        "name": name,
        "rows": prepared.train.len() + prepared.val.len(),
        "features": data.feature_names,
        "target": data.target_name,
        "classes": data.class_names,
        "task": data.task(),
        "missing_cells": prepared.imputed.iter().sum::<usize>(),
        "columns": columns.all,
        "text_columns": columns.text,
        "decimal": columns.decimal.map(String::from),
        "left_out": left_out,
        "warnings": warnings,
    })
}

/// An uploaded file's column names, for the page to offer as inputs.
struct UploadColumns {
    /// Columns the page cannot take as they are, unticked to begin with (empty in every row,
    /// text with missing cells, text of more than [`MAX_CATEGORIES`] categories), each with
    /// why, for the upload's warnings.
    left_out: Vec<(String, String)>,
    /// Every column, in the file's order.
    all: Vec<String>,
    /// The columns of text (no cell a number), which the page one-hot encodes.
    text: Vec<String>,
    /// `Some(',')` where the file writes decimal commas, read as `--decimal ','` reads them.
    decimal: Option<char>,
}

/// The uploaded file read as `train --data` reads it, with its text columns but the last (the
/// default target) one-hot encoded, as the page will ask, and its decimal commas as
/// `--decimal ','` reads them where it writes any (the page has no flags); and its columns, for
/// the page.
fn read(path: &Path) -> crate::Result<(Prepared, UploadColumns)> {
    let cells = csv_file::read_cells(path, None)?;
    let commas = cells.decimal_commas().then_some(',');
    let text_columns = cells.text_columns();
    let last = cells.headers.last();
    // columns the page cannot take as they are start unticked, as `train --features` leaves
    // them out (the upload was refused, and the page could not untick them); looked up by
    // index and in sets, a file of 150 000 columns took a minute
    let text: HashSet<&str> = text_columns.iter().map(String::as_str).collect();
    let left_out: Vec<(String, String)> = (cells.headers.iter().enumerate())
        .filter(|&(_, c)| Some(c) != last)
        .filter_map(|(j, c)| {
            let why = why_unticked(&cells, text.contains(c.as_str()), (j, c))?;
            Some((c.clone(), format!("{why}: it is unticked")))
        })
        .collect();
    let unticked: HashSet<&str> = left_out.iter().map(|(c, _)| c.as_str()).collect();
    let taken = |c: &&String| Some(*c) != last && !unticked.contains(c.as_str());
    let mut source = DataSource::csv(path, 42);
    if let DataSource::Csv {
        impute,
        one_hot,
        features,
        decimal,
        ..
    } = &mut source
    {
        *decimal = commas;
        // missing cells are counted here, and filled or refused as the page's settings say
        *impute = Some(Strategy::Mean);
        *one_hot = text_columns.iter().filter(taken).cloned().collect();
        if !left_out.is_empty() {
            *features = Some(cells.headers.iter().filter(taken).cloned().collect());
        }
    }
    let columns = UploadColumns {
        all: cells.headers.clone(),
        text: text_columns,
        decimal: commas,
        left_out,
    };
    Ok((source.load()?, columns))
}

/// The file name the page gave, reduced to its last path component (`.` and `..` name no file:
/// the page's command would read `--data ..`).
pub fn name(name: Option<&str>) -> Result<String, String> {
    let base = name
        .and_then(|n| n.rsplit(['/', '\\']).next())
        .filter(|n| !["", ".", ".."].contains(n))
        .unwrap_or("upload.csv");
    // the page's command names the file: cut short, it would name another
    if base.chars().count() > MAX_NAME {
        let why = format!(
            "name: at most {MAX_NAME} characters, got {}",
            base.chars().count()
        );
        return Err(why);
    }
    // a control character (a NUL, a line break) would break the command a user pastes, and an
    // invisible one (a direction override, a zero width) would make it read otherwise
    if let Some(c) = base.chars().find(|&c| c.is_control() || invisible(c)) {
        return Err(format!(
            "name: no control or invisible characters, got {c:?} in {base:?}"
        ));
    }
    // what the query's decoding put in place of bytes that are not UTF-8: a name of no file
    if base.contains(char::REPLACEMENT_CHARACTER) {
        return Err(format!(
            "name: percent-encode it as UTF-8 text; its bytes decode as {base:?}"
        ));
    }
    Ok(base.to_string())
}

/// Why the page cannot take `column` (the `j`th) of `cells` as it is, if it cannot: empty in
/// every row, or text (`is_text`) with missing cells or more than [`MAX_CATEGORIES`] categories.
fn why_unticked(
    cells: &csv_file::Cells,
    is_text: bool,
    (j, column): (usize, &str),
) -> Option<String> {
    let missing = cells.missing_at(j);
    // no rows: the file is refused as `train` refuses it, not for its columns
    if missing == cells.rows.len() && missing > 0 {
        return Some(format!("column `{column}` is empty in every row"));
    }
    if !is_text {
        return None;
    }
    if missing > 0 {
        let count = crate::plural::count(missing, "missing cell");
        return Some(format!(
            "text column `{column}` has {count}, which one-hot would make a category of their own"
        ));
    }
    (cells.categories_at(j) > MAX_CATEGORIES).then(|| {
        format!("column `{column}` holds more than {MAX_CATEGORIES} categories, more than the page makes inputs of (an ID?)")
    })
}

/// Refuses a column name the page's command could not pass to `train` as typed: a line break
/// (`--features` takes one line), another control character, or an invisible one that would
/// make the command read otherwise, as in a file's name.
fn check_column_names(file: &str, columns: &[String]) -> Result<(), String> {
    let odd = |c: &String| c.chars().find(|&ch| ch.is_control() || invisible(ch));
    let Some((column, c)) = columns.iter().find_map(|n| Some((n, odd(n)?))) else {
        return Ok(());
    };
    Err(format!(
        "{file}: the column name {column:?} holds {c:?}, which the page's `plaindnn train` \
         command could not name: rename the column"
    ))
}

/// Unicode's format characters that change how text reads without showing: zero widths,
/// direction marks, embeddings, overrides and isolates, line and paragraph separators, the BOM.
fn invisible(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}
