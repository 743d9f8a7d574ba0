//! Field separators: comma, semicolon (the default of much of Europe) or tab, detected from the
//! header line or given by name.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// The separators detected, in order of preference on a tie.
pub const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];

/// Rows read to check that a candidate splits the data like the header.
const SAMPLE_ROWS: usize = 8;

/// A separator from its name: `,`, `;`, `|`, `tab`, `\t` (typed as two characters or one),
/// `comma`, `semicolon`; any other single ASCII punctuation character.
pub fn parse(name: &str) -> Result<u8> {
    let byte = match name {
        "tab" | "\\t" | "\t" => b'\t',
        "comma" => b',',
        "semicolon" => b';',
        _ => match name.as_bytes() {
            [b] if b.is_ascii_punctuation() && *b != b'"' => *b,
            _ => {
                return Err(Error::invalid(
                    "delimiter",
                    format!(
                    "`{name}` is not a separator; give one character such as `,` or `;`, or `tab`"
                ),
                ))
            }
        },
    };
    Ok(byte)
}

/// How a separator is typed on the command line: `tab` or the character itself, quoted where a
/// shell would read it (`';'`, but `,`).
pub fn flag(byte: u8) -> String {
    match byte {
        b'\t' => "--delimiter tab".into(),
        b => format!(
            "--delimiter {}",
            crate::shell::quote(&char::from(b).to_string())
        ),
    }
}

/// The separator that splits the header of the file at `path` into the most fields while the
/// next rows split into as many; comma when none splits it (a one-column file). With decimal
/// commas (`decimal`), `;` or a tab where either splits the header (`1,5;2,5` ties with the
/// comma), else the comma, which the reader then refuses as both.
pub fn detect(path: &Path, decimal: u8) -> Result<u8> {
    let head = head(path)?;
    let any = best(&head, b'.');
    if (decimal, any) != (b',', b',') {
        return Ok(any);
    }
    let other = best(&head, b',');
    Ok(if header_fields(&head, other) > 1 {
        other
    } else {
        b','
    })
}

/// [`detect`] on the file's first lines `head`.
fn best(head: &[u8], decimal: u8) -> u8 {
    let allowed = CANDIDATES.iter().filter(|&&d| d != decimal);
    let fallback = allowed.clone().next().copied().unwrap_or(b',');
    let best = allowed
        .map(|&d| (d, fields_if_consistent(head, d)))
        .filter(|(_, fields)| *fields > 1)
        .fold((fallback, 1), |best, (d, fields)| {
            if fields > best.1 {
                (d, fields)
            } else {
                best
            }
        });
    best.0
}

/// The first 64 KiB of the file, whole lines only (a cut row would look inconsistent).
fn head(path: &Path) -> Result<Vec<u8>> {
    let file = crate::files::open_data(path)?;
    let mut head = Vec::new();
    file.take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    if let Some(end) = head.iter().rposition(|&b| b == b'\n') {
        head.truncate(end + 1);
    }
    Ok(head)
}

/// Fields of the header alone when split by `delimiter`.
fn header_fields(head: &[u8], delimiter: u8) -> usize {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(head);
    reader
        .records()
        .next()
        .and_then(|r| r.ok())
        .map_or(0, |r| r.len())
}

/// Fields of the header when split by `delimiter`, or 0 when a sampled row disagrees with it.
fn fields_if_consistent(head: &[u8], delimiter: u8) -> usize {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(head);
    let mut lengths = reader
        .records()
        .take(SAMPLE_ROWS)
        .map_while(|r| r.ok())
        .map(|r| r.len());
    let Some(header) = lengths.next() else {
        return 0;
    };
    if lengths.all(|n| n == header) {
        header
    } else {
        0
    }
}

/// When a header read with `used` is one field that another candidate would split, the flag
/// that reads it: `; is the file separated by `;`? try --delimiter ';'`. Empty otherwise.
pub fn hint(headers: &[String], used: u8) -> String {
    let [only] = headers else {
        return String::new();
    };
    // pipes are not detected (a name may hold one) but are worth naming
    (CANDIDATES.iter().chain(b"|"))
        .find(|&&d| d != used && only.as_bytes().contains(&d))
        .map(|&d| {
            format!(
                "; the header is one field `{only}`: is the file separated by {}? try {}",
                name(d),
                flag(d)
            )
        })
        .unwrap_or_default()
}

/// Refuses a validation file whose header the training file's separator leaves one field while
/// another splits it: one `--delimiter` reads both, so the hint for either would break the other.
pub fn check_same(val_path: &Path, train: u8) -> Result<()> {
    let head = head(val_path)?; // read once
    let own = best(&head, b'.');
    if own == train || header_fields(&head, train) > 1 || fields_if_consistent(&head, own) <= 1 {
        return Ok(()); // a short row is the reader's to name, with its line
    }
    Err(Error::Data(format!(
        "{}: its fields are separated by {}, the training file's by {}: one --delimiter reads \
         both, so save the validation file with {} too",
        val_path.display(),
        name(own),
        name(train),
        name(train)
    )))
}

/// `commas`, `semicolons`, `tabs` or `` `|` ``.
fn name(byte: u8) -> String {
    match byte {
        b',' => "commas".into(),
        b';' => "semicolons".into(),
        b'\t' => "tabs".into(),
        b => format!("`{}`", b as char),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_separators_become_their_bytes() {
        assert_eq!(parse(";").ok(), Some(b';'));
        assert_eq!(parse("tab").ok(), Some(b'\t'));
        assert_eq!(parse("\\t").ok(), Some(b'\t'));
        assert_eq!(parse("|").ok(), Some(b'|'));
        let err = parse("ab").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("`ab` is not a separator"), "{err}");
    }

    #[test]
    fn the_separator_splitting_header_and_rows_alike_wins() {
        // decimal commas: a comma split gives 1 header field but 3 in the row
        assert_eq!(fields_if_consistent(b"a;b;label\n1,5;2;x\n", b';'), 3);
        assert_eq!(fields_if_consistent(b"a;b;label\n1,5;2,25;x\n", b','), 0);
    }

    #[test]
    fn a_one_field_header_holding_a_semicolon_gets_a_hint() {
        let h = hint(&["a;b;label".into()], b',');
        assert!(h.contains("try --delimiter ';'"), "{h}");
        let h = hint(&["x|y|label".into()], b',');
        assert!(h.contains("separated by `|`? try --delimiter '|'"), "{h}");
        assert_eq!(hint(&["a".into(), "b".into()], b','), "");
    }
}
