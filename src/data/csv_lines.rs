//! The file's own line of each CSV record, whatever ends its lines (`\n`, `\r\n` or `\r`) and
//! however many blank lines come before it: the CSV reader skips blank lines, counts only `\n`,
//! and with `\r\n` starts a record's position at the `\n`. The same pass looks for misplaced
//! quotes ([`csv_quotes`](super::csv_quotes)).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::rc::Rc;

use super::csv_quotes::{QuoteFault, QuoteScan};

/// Runs of line-end bytes seen so far and not yet passed by a lookup: `(start, end, line)`, where
/// `line` is the line the byte at `end` is on.
#[derive(Debug, Default)]
pub struct LineEnds {
    runs: VecDeque<(u64, u64, u64)>,
    passed: u64,
    /// The first misplaced quote read so far; a quote left open is known at the file's end.
    pub quote: Option<QuoteFault>,
}

impl LineEnds {
    /// The line of the first byte at or after `byte` that does not end a line, for `byte`s that
    /// never go back (records in order).
    pub fn line_at(&mut self, byte: u64) -> usize {
        while let Some(&(_, end, line)) = self.runs.front() {
            if end > byte {
                break;
            }
            self.passed = line;
            self.runs.pop_front();
        }
        let line = match self.runs.front() {
            Some(&(start, _, line)) if start <= byte => line,
            _ => self.passed.max(1),
        };
        line as usize
    }
}

/// A reader that notes each run of line-end bytes in a shared [`LineEnds`] as it passes.
pub struct Noting<R> {
    inner: R,
    offset: u64,
    ends: u64,
    run: Option<u64>,
    after_cr: bool,
    quotes: QuoteScan,
    seen: Rc<RefCell<LineEnds>>,
}

/// UTF-8's byte order mark, which the CSV reader skips at the start of a file.
const BOM: [u8; 3] = [0xef, 0xbb, 0xbf];

impl<R> Noting<R> {
    /// `inner`, whose fields `delimiter` separates, noting into `seen`.
    pub fn new(inner: R, delimiter: u8, seen: Rc<RefCell<LineEnds>>) -> Self {
        Self {
            inner,
            offset: 0,
            ends: 0,
            run: None,
            after_cr: false,
            quotes: QuoteScan::new(delimiter),
            seen,
        }
    }

    fn note(&mut self, b: u8) {
        let bom = self.offset < 3 && b == BOM[self.offset as usize];
        if !bom {
            self.quotes.note(b, self.ends + 1);
        }
        let ends_line = match b {
            b'\r' => true,
            b'\n' => !self.after_cr, // `\r\n` ends one line
            _ => false,
        };
        self.ends += u64::from(ends_line);
        match (b, self.run) {
            (b'\r' | b'\n', None) => self.run = Some(self.offset),
            (b'\r' | b'\n', Some(_)) => {}
            (_, Some(start)) => {
                let run = (start, self.offset, self.ends + 1);
                self.seen.borrow_mut().runs.push_back(run);
                self.run = None;
            }
            (_, None) => {}
        }
        self.after_cr = b == b'\r';
        self.offset += 1;
    }
}

impl<R: Read> Read for Noting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        buf[..n].iter().for_each(|&b| self.note(b));
        if n == 0 && !buf.is_empty() {
            self.quotes.end();
        }
        let mut seen = self.seen.borrow_mut();
        seen.quote = seen.quote.or(self.quotes.fault);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of each record start (given as the byte the CSV reader would report) in `text`.
    fn lines(text: &str, starts: &[u64]) -> Vec<usize> {
        let seen = Rc::new(RefCell::new(LineEnds::default()));
        let mut reader = Noting::new(text.as_bytes(), b',', seen.clone());
        std::io::copy(&mut reader, &mut std::io::sink()).expect("reads");
        let mut seen = seen.borrow_mut();
        starts.iter().map(|&b| seen.line_at(b)).collect()
    }

    #[test]
    fn every_line_ending_and_blank_lines_give_the_files_own_line() {
        // records "a" (line 1), "b" (line 2), "c" (line 5 after two blank lines)
        assert_eq!(lines("a\nb\n\n\nc\n", &[0, 2, 4]), [1, 2, 5]);
        // with \r\n the reader reports the byte of the \n: the line after it
        assert_eq!(lines("a\r\nb\r\n\r\nc\r\n", &[0, 2, 5]), [1, 2, 4]);
        assert_eq!(lines("a\rb\r\rc", &[0, 1, 3]), [1, 2, 4]);
        // a blank line first, and a record in the middle of a line (a field after a quote)
        assert_eq!(lines("\na,\"x\ny\"\nz\n", &[0, 1, 10]), [2, 2, 4]);
    }
}
