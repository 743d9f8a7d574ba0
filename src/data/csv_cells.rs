//! Column names as a CSV line: quoting one, splitting a line of them, listing a few.

/// `name` as a CSV cell: in quotes, its quotes doubled, where it holds a comma or a quote
/// (`"x""y,z"`), else as it is; so a list of column names reads as the columns it names.
pub fn quoted_cell(name: &str) -> String {
    match name.contains([',', '"']) {
        true => format!("\"{}\"", name.replace('"', "\"\"")),
        false => name.to_string(),
    }
}

/// The first few names, then how many more (`px0, px1, px2, px3, … (256 in all)`), each quoted
/// as a CSV cell where it holds a comma or a quote.
pub fn abbreviate(names: &[String]) -> String {
    first_few(names, |n| quoted_cell(n))
}

/// The first few of `items` as `show` writes each, then how many in all: all of six or fewer,
/// else four and `… (n in all)`.
pub fn first_few<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    let shown = |items: &[T]| items.iter().map(&show).collect::<Vec<_>>().join(", ");
    match items.len() {
        0..=6 => shown(items),
        n => format!("{}, … ({n} in all)", shown(&items[..4])),
    }
}

/// The cells of one CSV line, the inverse of [`quoted_cell`]: a cell in quotes may hold commas,
/// `""` in it is one quote, and spaces around a cell are dropped (before its quote too), as the
/// header's are.
pub fn split_cells(text: &str) -> std::result::Result<Vec<String>, String> {
    if text.contains(['\n', '\r']) {
        // `"$(tail -1 rows.csv)"` of a file with Windows line ends keeps its \r
        let why = match text.contains('\n') {
            true => "a line break: give it on one line",
            false => "a carriage return (\\r, of a Windows line end?): take it out",
        };
        return Err(format!("the value holds {why}"));
    }
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            // a quote opens a cell only at its start; "" inside is one quote
            ('"', false) if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
            }
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', true) => quoted = false,
            (',', false) => cells.push(std::mem::take(&mut cell).trim().to_string()),
            (c, _) => cell.push(c),
        }
    }
    if quoted {
        return Err(format!("a quote is not closed in {text}"));
    }
    cells.push(cell.trim().to_string());
    Ok(cells)
}
