//! The set-off files: obligations in (`id,debtor,creditor,amount`), cleared amounts out
//! (`id,cleared`).
//!
//! The row order is the obligations' age: earlier rows are older. A pair's cleared amount is split
//! over its obligations in that order; ids would only break ties between rows of the same age,
//! which row order never has.

use std::io::{self, BufRead, BufReader, Read, Write};

use super::intern::Strings;
use super::{
    Interner, LineProblem, Lines, ReadError, check_id, echo, fields, is_blank, parse_amount,
    push_decimal,
};
use crate::network::{FIRMS_MAX, Network, OBLIGATIONS_MAX, Obligation};

/// The header of an obligations file.
pub const OBLIGATIONS_HEADER: &str = "id,debtor,creditor,amount";

/// Read buffer: large, because set-off files run to hundreds of megabytes.
const READ_BUFFER_BYTES: usize = 1 << 20;

/// An obligations file: the network and the ids of its obligations and firms.
#[derive(Debug, Clone)]
pub struct ObligationFile {
    /// The network, in row order.
    pub network: Network,
    /// Obligation ids, in row order.
    pub ids: Strings,
    /// Firm ids, by firm index.
    pub firms: Strings,
    /// Where blank lines shifted the numbering: `(obligation index, its line)` whenever the
    /// line is not `index + 2`. Kept sparse so that naming a line costs nothing per row.
    line_marks: Vec<(u32, u64)>,
}

impl ObligationFile {
    /// The line number of obligation `index`.
    pub fn line_of(&self, index: usize) -> u64 {
        let mark = self
            .line_marks
            .partition_point(|&(i, _)| i as usize <= index);
        match mark.checked_sub(1).map(|m| self.line_marks[m]) {
            Some((i, line)) => line + (index - i as usize) as u64,
            None => index as u64 + 2,
        }
    }
}

/// Reads an obligations file.
///
/// Errors name the line: a malformed row, an id breaking the id rule, an amount that is not a
/// positive integer up to `i64::MAX`, a debtor equal to its creditor, a duplicate id.
pub fn read_obligations(input: impl Read) -> Result<ObligationFile, ReadError> {
    let mut lines = Lines::new(BufReader::with_capacity(READ_BUFFER_BYTES, input));
    read_header(&mut lines, OBLIGATIONS_HEADER)?;
    let mut reader = Reader {
        ids: Interner::new(),
        firms: Interner::new(),
        obligations: Vec::new(),
        line_marks: Vec::new(),
    };
    loop {
        let (number, line) = match lines.next_line() {
            Ok(Some(next)) => next,
            Ok(None) => break,
            Err(e) => return Err(ReadError::from_line_error(e)),
        };
        if is_blank(line) {
            continue;
        }
        reader
            .row(number, line)
            .map_err(|problem| ReadError::line(number, problem))?;
    }
    let firms = reader.firms.len();
    let network = Network::new(firms, reader.obligations).map_err(|e| {
        ReadError::line(
            0,
            LineProblem::Field {
                field: "network",
                reason: e.to_string(),
            },
        )
    })?;
    Ok(ObligationFile {
        network,
        ids: reader.ids.into_strings(),
        firms: reader.firms.into_strings(),
        line_marks: reader.line_marks,
    })
}

/// Reads the first line and checks it is `expected`.
pub(crate) fn read_header<R: BufRead>(
    lines: &mut Lines<R>,
    expected: &'static str,
) -> Result<(), ReadError> {
    match lines.next_line() {
        Ok(Some((_, line))) if line == expected.as_bytes() => Ok(()),
        Ok(Some((_, line))) => Err(ReadError::line(
            1,
            LineProblem::Header {
                expected,
                found: echo(line),
            },
        )),
        Ok(None) => Err(ReadError::line(1, LineProblem::Empty { expected })),
        Err(e) => Err(ReadError::from_line_error(e)),
    }
}

struct Reader {
    ids: Interner,
    firms: Interner,
    obligations: Vec<Obligation>,
    line_marks: Vec<(u32, u64)>,
}

impl Reader {
    fn row(&mut self, number: u64, line: &[u8]) -> Result<(), LineProblem> {
        let index = self.obligations.len();
        if index >= OBLIGATIONS_MAX {
            return Err(LineProblem::TooManyRows {
                max: OBLIGATIONS_MAX,
            });
        }
        let [id, debtor, creditor, amount] = fields::<4>(line).ok_or(LineProblem::FieldCount {
            expected: 4,
            header: OBLIGATIONS_HEADER,
        })?;
        check_id("id", id)?;
        check_id("debtor", debtor)?;
        check_id("creditor", creditor)?;
        let amount = parse_amount(amount)?;
        if debtor == creditor {
            return Err(LineProblem::SameParty {
                party: echo(debtor),
            });
        }
        let expected_line = self.line_of(index);
        let (_, new) = self.ids.intern(id).map_err(|_| LineProblem::IdsTooLarge)?;
        if !new {
            let first = self.first_line_of(id);
            return Err(LineProblem::DuplicateId {
                id: echo(id),
                first_line: first,
            });
        }
        if expected_line != number {
            self.line_marks.push((index as u32, number));
        }
        let debtor = self.firm(debtor)?;
        let creditor = self.firm(creditor)?;
        self.obligations.push(Obligation {
            debtor,
            creditor,
            amount,
        });
        Ok(())
    }

    fn firm(&mut self, name: &[u8]) -> Result<u32, LineProblem> {
        let (firm, _) = self
            .firms
            .intern(name)
            .map_err(|_| LineProblem::IdsTooLarge)?;
        if firm as usize >= FIRMS_MAX {
            return Err(LineProblem::TooManyRows { max: FIRMS_MAX });
        }
        Ok(firm)
    }

    fn line_of(&self, index: usize) -> u64 {
        match self.line_marks.last() {
            Some(&(i, line)) => line + (index - i as usize) as u64,
            None => index as u64 + 2,
        }
    }

    /// The line of the obligation with `id` (already interned, so it exists).
    fn first_line_of(&mut self, id: &[u8]) -> u64 {
        let found = (0..self.ids.len() as u32).find(|&i| self.ids.get(i) == id);
        found.map_or(0, |i| {
            let mark = self.line_marks.partition_point(|&(m, _)| m <= i);
            match mark.checked_sub(1).map(|m| self.line_marks[m]) {
                Some((m, line)) => line + u64::from(i - m),
                None => u64::from(i) + 2,
            }
        })
    }
}

/// Writes `id,cleared` for every obligation, in row order.
pub fn write_cleared(
    mut out: impl Write,
    file: &ObligationFile,
    cleared: &[u64],
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(1 << 16);
    buf.extend_from_slice(b"id,cleared\n");
    for (i, &c) in cleared.iter().enumerate() {
        buf.extend_from_slice(file.ids.get(i));
        buf.push(b',');
        push_decimal(&mut buf, u128::from(c));
        buf.push(b'\n');
        if buf.len() >= 1 << 16 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    out.flush()
}
