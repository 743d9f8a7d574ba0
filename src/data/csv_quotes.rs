//! Quotes that CSV readers take silently but that swallow rows: a quoted field never closed
//! (the rest of the file becomes one cell; pandas refuses it, "EOF inside string") and a stray
//! `"` that a later one closed, lines further on, with text after it (refused as Python's `csv`
//! refuses text after a closing quote in strict mode). Text after a quote on the line it opened
//! (`"27" TV`) swallows nothing, and is read as pandas and Python's `csv` read it (`27 TV`).

/// A misplaced quote, with the file's own lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuoteFault {
    /// The field (from 0) opened with a quote on `line` and the file ended inside it.
    NeverClosed { line: u64, field: usize },
    /// Text after the closing quote of a field (from 0) that opened on an earlier line,
    /// `opened`.
    TextAfter {
        line: u64,
        field: usize,
        opened: u64,
    },
}

/// Where the scan is within a record, as the CSV reader reads it: a quote opens a quoted field
/// only as the field's first byte, and `""` inside one is a quote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: it closed the field, or it is the first of `""`.
    QuoteInQuoted,
    /// Spaces after a closing quote (the reader trims them).
    Closed,
}

/// Follows a file byte by byte and keeps the first [`QuoteFault`].
#[derive(Debug)]
pub struct QuoteScan {
    delimiter: u8,
    state: State,
    field: usize,
    opened: u64,
    pub fault: Option<QuoteFault>,
}

impl QuoteScan {
    /// A scan of a file whose fields `delimiter` separates.
    pub fn new(delimiter: u8) -> Self {
        Self {
            delimiter,
            state: State::FieldStart,
            field: 0,
            opened: 0,
            fault: None,
        }
    }

    /// Byte `b`, on the file's `line`.
    pub fn note(&mut self, b: u8, line: u64) {
        use State::*;
        let ends_field = b == self.delimiter || b == b'\n' || b == b'\r';
        self.state = match (self.state, b) {
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (QuoteInQuoted, b'"') => Quoted,
            (FieldStart, b'"') => {
                self.opened = line;
                Quoted
            }
            (_, _) if ends_field => {
                self.field = if b == self.delimiter {
                    self.field + 1
                } else {
                    0
                };
                FieldStart
            }
            (QuoteInQuoted | Closed, b' ' | b'\t') => Closed,
            (QuoteInQuoted | Closed, _) => {
                let (field, opened) = (self.field, self.opened);
                if opened != line {
                    let fault = QuoteFault::TextAfter {
                        line,
                        field,
                        opened,
                    };
                    self.fault.get_or_insert(fault);
                }
                Unquoted
            }
            (FieldStart | Unquoted, _) => Unquoted,
        };
    }

    /// The end of the file.
    pub fn end(&mut self) {
        if self.state == State::Quoted {
            let (line, field) = (self.opened, self.field);
            self.fault
                .get_or_insert(QuoteFault::NeverClosed { line, field });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fault in `text`, its lines counted at `\n`.
    fn scan(text: &str) -> Option<QuoteFault> {
        let mut scan = QuoteScan::new(b',');
        let mut line = 1;
        for b in text.bytes() {
            scan.note(b, line);
            line += u64::from(b == b'\n');
        }
        scan.end();
        scan.fault
    }

    #[test]
    fn well_quoted_fields_and_quotes_inside_plain_fields_are_no_fault() {
        assert_eq!(scan("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n27\" TV,2\n"), None);
        assert_eq!(scan("a,b\n\"two\nlines\" ,2\n\"\",3"), None);
    }

    #[test]
    fn a_quote_left_open_to_the_end_of_the_file_names_its_line_and_field() {
        let fault = scan("a,b,note\n1,2,ok\n3,4,\"27 inch\n5,6,ok\n");
        assert_eq!(fault, Some(QuoteFault::NeverClosed { line: 3, field: 2 }));
    }

    #[test]
    fn text_after_a_closing_quote_names_where_it_is_and_where_the_field_opened() {
        let fault = scan("a,note\n1,\"27 inch\n2,ok\n3,\"32 inch\n");
        let at = QuoteFault::TextAfter {
            line: 4,
            field: 1,
            opened: 2,
        };
        assert_eq!(fault, Some(at));
        // on the line it opened, it swallows nothing: read as pandas reads it
        assert_eq!(scan("a,b\n1,\"x\"y\n"), None);
    }
}
