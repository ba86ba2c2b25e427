//! A strict reader of comma- or tab-separated records with RFC 4180 quoting, for the CSV and
//! TSV lists. Strict because a lenient reader turns a cut-off file into a shorter list: an
//! unterminated quote, text after a closing quote, or a last row without its line end (unless
//! its last field was quoted, which proves the field ended) are errors with the line number.

use std::io::{BufRead, BufReader, Read};

use super::{Capped, FIELD_BYTES_MAX, ParseError, Position};

/// OFAC's files end with the DOS end-of-file byte.
const EOF_MARKER: u8 = 0x1A;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    /// ISO-8859-1: each byte is the code point of the same value (OFAC legacy files).
    Latin1,
}

/// Whether the file must end with OFAC's 0x1A marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EofMarker {
    /// Every published copy has it: without it the file is cut short.
    Required,
    /// Allowed (and then nothing but whitespace may follow), not required.
    Optional,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    pub delimiter: u8,
    pub encoding: Encoding,
    pub eof_marker: EofMarker,
}

/// One record: the line it starts on and its fields, decoded.
#[derive(Debug)]
pub(crate) struct Record {
    pub line: u64,
    pub fields: Vec<String>,
}

impl Record {
    pub(crate) fn field(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", String::as_str)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    AfterQuote,
}

/// Reads records one at a time (streaming: one record in memory).
pub(crate) struct Records<R: Read> {
    reader: BufReader<Capped<R>>,
    file: String,
    options: Options,
    /// Physical lines consumed so far.
    line: u64,
    line_buf: Vec<u8>,
    done: bool,
}

/// The record being assembled across physical lines.
struct Partial {
    fields: Vec<Vec<u8>>,
    field: Vec<u8>,
    state: State,
    last_quoted: bool,
}

impl<R: Read> Records<R> {
    pub(crate) fn new(file: &str, reader: R, options: Options) -> Self {
        Records {
            reader: BufReader::with_capacity(64 * 1024, Capped::new(reader)),
            file: file.to_owned(),
            options,
            line: 0,
            line_buf: Vec::new(),
            done: false,
        }
    }

    pub(crate) fn file(&self) -> &str {
        &self.file
    }

    /// The number of the last line read (for errors found after the last record).
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    pub(crate) fn error(&self, line: u64, message: impl Into<String>) -> ParseError {
        ParseError::new(&self.file, Position::Line(line), message)
    }

    /// The header row: the first record, which a file without any is an error for.
    pub(crate) fn header(&mut self) -> Result<Record, ParseError> {
        self.next_record()?
            .ok_or_else(|| ParseError::new(&self.file, Position::Unknown, "the file is empty"))
    }

    /// The next record, `None` at a proper end of file.
    pub(crate) fn next_record(&mut self) -> Result<Option<Record>, ParseError> {
        if self.done {
            return Ok(None);
        }
        let mut start = self.line + 1;
        let mut partial = Partial {
            fields: Vec::new(),
            field: Vec::new(),
            state: State::FieldStart,
            last_quoted: false,
        };
        loop {
            let has_newline = self.read_line()?;
            if self.line_buf.is_empty() {
                if partial.state == State::Quoted {
                    return Err(self.error(
                        start,
                        "a quoted field is never closed: the file is cut short",
                    ));
                }
                return self.end_of_file().map(|()| None);
            }
            let fresh = partial.fields.is_empty() && partial.state == State::FieldStart;
            if fresh && self.line_buf.first() == Some(&EOF_MARKER) {
                return self.after_marker().map(|()| None);
            }
            if fresh && self.line_buf.iter().all(|b| matches!(b, b'\r' | b'\n')) {
                start = self.line + 1;
                continue;
            }
            let content = trim_line_end(&self.line_buf);
            scan(&mut partial, content, self.options.delimiter)
                .map_err(|message| self.error(self.line, message))?;
            if partial.field.len() > FIELD_BYTES_MAX {
                return Err(self.error(
                    start,
                    format!("a field longer than {FIELD_BYTES_MAX} bytes"),
                ));
            }
            if partial.state == State::Quoted {
                if !has_newline {
                    return Err(self.error(
                        start,
                        "a quoted field is never closed: the file is cut short",
                    ));
                }
                partial
                    .field
                    .extend_from_slice(&self.line_buf[content.len()..]);
                continue;
            }
            if !has_newline && !partial.last_quoted {
                return Err(self.error(
                    self.line,
                    "the last row has no line end: the file is cut short",
                ));
            }
            partial.fields.push(std::mem::take(&mut partial.field));
            let fields = self.decode(partial.fields, start)?;
            return Ok(Some(Record {
                line: start,
                fields,
            }));
        }
    }

    /// Reads one physical line into `line_buf`; tells whether it ended with a newline.
    fn read_line(&mut self) -> Result<bool, ParseError> {
        self.line_buf.clear();
        let limit = (FIELD_BYTES_MAX * 4) as u64;
        let read = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.line_buf)
            .map_err(|e| self.error(self.line + 1, format!("cannot read: {e}")))?;
        if read == 0 {
            return Ok(false);
        }
        self.line += 1;
        if self.line == 1 && self.line_buf.starts_with(b"\xEF\xBB\xBF") {
            self.line_buf.drain(..3);
        }
        let has_newline = self.line_buf.last() == Some(&b'\n');
        if !has_newline && read as u64 == limit {
            return Err(self.error(self.line, format!("a line longer than {limit} bytes")));
        }
        Ok(has_newline)
    }

    fn end_of_file(&mut self) -> Result<(), ParseError> {
        self.done = true;
        if self.options.eof_marker == EofMarker::Required {
            return Err(self.error(
                self.line,
                "no end-of-file marker (0x1A) after the last row: the file is cut short",
            ));
        }
        Ok(())
    }

    /// After OFAC's 0x1A only whitespace may follow.
    fn after_marker(&mut self) -> Result<(), ParseError> {
        self.done = true;
        let marker_line = self.line;
        let mut rest = self.line_buf[1..].to_vec();
        (&mut self.reader)
            .take(FIELD_BYTES_MAX as u64)
            .read_to_end(&mut rest)
            .map_err(|e| self.error(marker_line, format!("cannot read: {e}")))?;
        if rest.iter().all(u8::is_ascii_whitespace) {
            Ok(())
        } else {
            Err(self.error(marker_line, "data after the end-of-file marker (0x1A)"))
        }
    }

    fn decode(&self, fields: Vec<Vec<u8>>, line: u64) -> Result<Vec<String>, ParseError> {
        fields
            .into_iter()
            .enumerate()
            .map(|(index, bytes)| match self.options.encoding {
                // ASCII is the same in both encodings, and the common case.
                Encoding::Latin1 if bytes.is_ascii() => {
                    Ok(String::from_utf8(bytes).unwrap_or_default())
                }
                Encoding::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
                Encoding::Utf8 => String::from_utf8(bytes).map_err(|_| {
                    self.error(line, format!("field {} is not valid UTF-8", index + 1))
                }),
            })
            .collect()
    }
}

/// The line without its `\n` or `\r\n`.
fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Runs the quoting state machine over one line's content.
fn scan(partial: &mut Partial, content: &[u8], delimiter: u8) -> Result<(), String> {
    for &byte in content {
        match partial.state {
            State::FieldStart | State::Unquoted if byte == delimiter => {
                partial.fields.push(std::mem::take(&mut partial.field));
                partial.state = State::FieldStart;
                partial.last_quoted = false;
            }
            State::FieldStart if byte == b'"' => {
                partial.state = State::Quoted;
                partial.last_quoted = true;
            }
            State::FieldStart | State::Unquoted => {
                partial.field.push(byte);
                partial.state = State::Unquoted;
            }
            State::Quoted if byte == b'"' => partial.state = State::AfterQuote,
            State::Quoted => partial.field.push(byte),
            State::AfterQuote if byte == b'"' => {
                partial.field.push(b'"');
                partial.state = State::Quoted;
            }
            State::AfterQuote if byte == delimiter => {
                partial.fields.push(std::mem::take(&mut partial.field));
                partial.state = State::FieldStart;
                partial.last_quoted = false;
            }
            State::AfterQuote => {
                return Err(format!(
                    "unexpected {:?} after a closing quote",
                    char::from(byte)
                ));
            }
        }
        if partial.fields.len() > FIELDS_MAX {
            return Err(format!("more than {FIELDS_MAX} fields in one row"));
        }
    }
    Ok(())
}

/// Most fields in one row (the widest layout, the UK list, has ~60).
const FIELDS_MAX: usize = 1_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &[u8], eof_marker: EofMarker) -> Result<Vec<Vec<String>>, ParseError> {
        let options = Options {
            delimiter: b',',
            encoding: Encoding::Latin1,
            eof_marker,
        };
        let mut records = Records::new("t.csv", text, options);
        let mut out = Vec::new();
        while let Some(record) = records.next_record()? {
            out.push(record.fields);
        }
        Ok(out)
    }

    #[test]
    fn quotes_newlines_and_marker() {
        let rows = read_all(
            b"1,\"a, \"\"b\"\"\",-0- \r\n2,\"x\r\ny\",\r\n\x1a",
            EofMarker::Required,
        )
        .unwrap();
        assert_eq!(rows[0], vec!["1", "a, \"b\"", "-0- "]);
        assert_eq!(rows[1], vec!["2", "x\r\ny", ""]);
    }

    #[test]
    fn cut_files_are_errors() {
        let err = read_all(b"1,\"abc", EofMarker::Optional).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv line 1: a quoted field is never closed: the file is cut short"
        );
        assert!(read_all(b"1,ab", EofMarker::Optional).is_err());
        assert!(read_all(b"1,\"ab\"", EofMarker::Optional).is_ok());
        assert!(read_all(b"1,ab\r\n", EofMarker::Required).is_err());
        assert!(read_all(b"1,\"ab\"x\n", EofMarker::Optional).is_err());
        assert!(read_all(b"1,ab\n\x1ajunk", EofMarker::Optional).is_err());
    }
}
