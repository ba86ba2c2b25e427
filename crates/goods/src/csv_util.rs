//! What the CSV readers share: header checking, error messages that name the line, and a
//! bound on the bytes one record may take.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::CsvError;

/// Longest record accepted, in bytes: a longer one is an error, not an allocation of whatever
/// size the input has.
pub const RECORD_BYTES_MAX: u64 = 64 * 1024;

/// The columns of a CSV file, found by header name.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    /// Known column names with their position in the file, if present.
    positions: Vec<(&'static str, Option<usize>)>,
}

impl Columns {
    /// Checks the header: every `required` column present, nothing outside `required` and
    /// `optional`, no column twice.
    pub fn new(
        file: &'static str,
        header: &csv::StringRecord,
        required: &[&'static str],
        optional: &[&'static str],
    ) -> Result<Columns, CsvError> {
        let error = |message: String| CsvError {
            file,
            line: Some(1),
            field: None,
            message,
        };
        let expected = || {
            let mut all = required.to_vec();
            all.extend(optional.iter().copied());
            all.join(",")
        };
        let mut positions: Vec<(&'static str, Option<usize>)> = required
            .iter()
            .chain(optional)
            .map(|&name| (name, None))
            .collect();
        for (position, name) in header.iter().enumerate() {
            // A UTF-8 byte order mark before the first name is not part of it.
            let name = name.trim_start_matches('\u{feff}').trim();
            let Some(slot) = positions.iter_mut().find(|(known, _)| *known == name) else {
                return Err(error(format!(
                    "header: unknown column {:?} (the columns are {})",
                    crate::echo(name),
                    expected()
                )));
            };
            if slot.1.is_some() {
                return Err(error(format!("header: column {name} appears twice")));
            }
            slot.1 = Some(position);
        }
        if let Some((missing, _)) = positions
            .iter()
            .find(|(name, position)| position.is_none() && required.contains(name))
        {
            return Err(error(format!(
                "header: missing column {missing} (the columns are {})",
                expected()
            )));
        }
        Ok(Columns { positions })
    }

    /// The position of a column, if the file has it.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.positions
            .iter()
            .find(|(known, _)| *known == name)
            .and_then(|(_, position)| *position)
    }

    /// The field of `name` in `record`; empty if the file has no such column or the record is
    /// short.
    pub fn get<'r>(&self, record: &'r csv::StringRecord, name: &str) -> &'r str {
        self.position(name)
            .and_then(|position| record.get(position))
            .unwrap_or("")
    }
}

/// A message for a CSV error that names the line.
pub(crate) fn describe_csv_error(file: &'static str, error: &csv::Error) -> CsvError {
    let line = error.position().map(csv::Position::line);
    let message = match error.kind() {
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("field {} is not valid UTF-8", err.field() + 1)
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields, but the header has {expected_len}"),
        csv::ErrorKind::Io(io) => format!("cannot be read: {io}"),
        _ => error.to_string(),
    };
    CsvError {
        file,
        line,
        field: None,
        message,
    }
}

/// Where the record being read started, shared between a [`Bounded`] reader and the loop that
/// reads records from it.
#[derive(Debug, Clone, Default)]
pub(crate) struct RecordStart(Arc<AtomicU64>);

impl RecordStart {
    /// Marks the byte offset where the next record starts.
    pub fn set(&self, offset: u64) {
        self.0.store(offset, Ordering::Relaxed);
    }
}

/// A reader that fails once more than [`RECORD_BYTES_MAX`] (plus one buffer) bytes were read
/// since the start of the current record, so one endless record cannot take all memory.
#[derive(Debug)]
pub(crate) struct Bounded<R> {
    inner: R,
    read: u64,
    record_start: RecordStart,
}

/// Slack for the CSV reader's own buffer, which reads ahead of the record it parses.
const READ_AHEAD_BYTES: u64 = 64 * 1024;

impl<R: Read> Bounded<R> {
    pub fn new(inner: R) -> (Bounded<R>, RecordStart) {
        let record_start = RecordStart::default();
        let reader = Bounded {
            inner,
            read: 0,
            record_start: record_start.clone(),
        };
        (reader, record_start)
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let in_record = self
            .read
            .saturating_sub(self.record_start.0.load(Ordering::Relaxed));
        if in_record > RECORD_BYTES_MAX + READ_AHEAD_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a record is longer than {RECORD_BYTES_MAX} bytes"),
            ));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}
