//! Bounded line reading and field splitting for the plain CSV the clearing files use.
//!
//! The files hold ids, codes and integers only, so there is no quoting: a field is everything
//! between two commas, and a quote character makes the row malformed (the id rules forbid it).

use std::io::{self, BufRead};

/// Longest line accepted, in bytes, so that a file without line breaks cannot exhaust memory.
pub const LINE_BYTES_MAX: usize = 4096;

/// What went wrong reading a line.
#[derive(Debug)]
pub(crate) enum LineError {
    Io(io::Error),
    /// The line with this number is too long.
    TooLong(u64),
}

/// Reads lines from a `BufRead`, without the line break (`\n` or `\r\n`), at most
/// [`LINE_BYTES_MAX`] bytes each, numbering them from 1.
pub(crate) struct Lines<R> {
    input: R,
    buf: Vec<u8>,
    number: u64,
}

impl<R: BufRead> Lines<R> {
    pub fn new(input: R) -> Lines<R> {
        Lines {
            input,
            buf: Vec::with_capacity(256),
            number: 0,
        }
    }

    /// The next line, or `None` at the end of the input.
    pub fn next_line(&mut self) -> Result<Option<(u64, &[u8])>, LineError> {
        self.buf.clear();
        let mut any = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(LineError::Io(e)),
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if self.buf.len() + take > LINE_BYTES_MAX + 2 {
                return Err(LineError::TooLong(self.number + 1));
            }
            self.buf.extend_from_slice(&chunk[..take]);
            self.input.consume(take);
            if done {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.number += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        if self.buf.len() > LINE_BYTES_MAX {
            return Err(LineError::TooLong(self.number));
        }
        Ok(Some((self.number, &self.buf)))
    }
}

/// Splits `line` at commas into exactly `N` fields; `None` if the count differs.
pub(crate) fn fields<const N: usize>(line: &[u8]) -> Option<[&[u8]; N]> {
    let mut out: [&[u8]; N] = [&[]; N];
    let mut parts = line.split(|&b| b == b',');
    for slot in &mut out {
        *slot = parts.next()?;
    }
    match parts.next() {
        Some(_) => None,
        None => Some(out),
    }
}

/// Whether `line` is empty or only spaces and tabs: such lines are skipped.
pub(crate) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&b| b == b' ' || b == b'\t')
}

/// A printable rendering of a field for error messages, shortened.
pub(crate) fn echo(field: &[u8]) -> String {
    const ECHO_BYTES_MAX: usize = 40;
    let text = String::from_utf8_lossy(&field[..field.len().min(ECHO_BYTES_MAX)]);
    if field.len() > ECHO_BYTES_MAX {
        format!("{text}…")
    } else {
        text.into_owned()
    }
}
