//! Interning byte strings into dense `u32` numbers, with all strings in one arena: millions of
//! ids cost a few bytes each instead of a heap allocation each.

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// Canonical decimal strings below this are interned through a direct table instead of the hash
/// table: invoice files usually number their invoices and firms, and a table lookup costs one
/// memory access where hashing costs several. It bounds that table to 64 MiB.
const NUMERIC_TABLE_MAX: u64 = 1 << 24;
/// Unused slot of the direct table.
const NONE: u32 = u32::MAX;

/// Interned strings, numbered in order of first appearance.
pub(crate) struct Interner {
    bytes: Vec<u8>,
    /// String `i` is `bytes[ends[i - 1] .. ends[i]]` (from 0 for the first).
    ends: Vec<u32>,
    table: HashTable<u32>,
    /// Number of every canonical decimal string below [`NUMERIC_TABLE_MAX`], by value.
    numeric: Vec<u32>,
    /// Seeded per process, so that crafted ids cannot make every lookup collide.
    hasher: foldhash::fast::RandomState,
}

/// The arena would pass 4 GiB.
#[derive(Debug)]
pub(crate) struct ArenaFull;

impl Interner {
    pub fn new() -> Interner {
        Interner {
            bytes: Vec::new(),
            ends: Vec::new(),
            table: HashTable::new(),
            numeric: Vec::new(),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn get(&self, i: u32) -> &[u8] {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// The number of `s`, and whether it is new.
    pub fn intern(&mut self, s: &[u8]) -> Result<(u32, bool), ArenaFull> {
        match canonical_number(s) {
            Some(value) => self.intern_number(s, value as usize),
            None => self.intern_hashed(s),
        }
    }

    fn intern_number(&mut self, s: &[u8], value: usize) -> Result<(u32, bool), ArenaFull> {
        if self.numeric.len() <= value {
            let grown = (value + 1).max(2 * self.numeric.len());
            self.numeric
                .resize(grown.min(NUMERIC_TABLE_MAX as usize), NONE);
        }
        if self.numeric[value] != NONE {
            return Ok((self.numeric[value], false));
        }
        let index = self.push(s)?;
        self.numeric[value] = index;
        Ok((index, true))
    }

    fn push(&mut self, s: &[u8]) -> Result<u32, ArenaFull> {
        let end = u32::try_from(self.bytes.len() + s.len()).map_err(|_| ArenaFull)?;
        let index = u32::try_from(self.ends.len()).map_err(|_| ArenaFull)?;
        self.bytes.extend_from_slice(s);
        self.ends.push(end);
        Ok(index)
    }

    fn intern_hashed(&mut self, s: &[u8]) -> Result<(u32, bool), ArenaFull> {
        let hash = self.hasher.hash_one(s);
        let Interner {
            bytes, ends, table, ..
        } = self;
        let slice = |i: u32| {
            let i = i as usize;
            let start = if i == 0 { 0 } else { ends[i - 1] as usize };
            &bytes[start..ends[i] as usize]
        };
        if let Some(&found) = table.find(hash, |&i| slice(i) == s) {
            return Ok((found, false));
        }
        let index = self.push(s)?;
        let hasher = &self.hasher;
        let (bytes, ends) = (&self.bytes, &self.ends);
        self.table.insert_unique(hash, index, |&i| {
            let i = i as usize;
            let start = if i == 0 { 0 } else { ends[i - 1] as usize };
            hasher.hash_one(&bytes[start..ends[i] as usize])
        });
        Ok((index, true))
    }

    /// Drops the lookup table, keeping the strings.
    pub fn into_strings(self) -> Strings {
        Strings {
            bytes: self.bytes,
            ends: self.ends,
        }
    }
}

/// The value of `s` if it is a canonical decimal (digits, no leading zero) below
/// [`NUMERIC_TABLE_MAX`]: such strings are equal exactly when their values are.
fn canonical_number(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 8 || (s.len() > 1 && s[0] == b'0') {
        return None;
    }
    let mut value = 0u64;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u64::from(b - b'0');
    }
    (value < NUMERIC_TABLE_MAX).then_some(value)
}

/// Strings in one arena, numbered densely.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Strings {
    bytes: Vec<u8>,
    ends: Vec<u32>,
}

impl Strings {
    /// The number of strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// String `i` (panics if `i` is out of range, like slice indexing).
    pub fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }
}
