//! Anchoring the journals outside the database.
//!
//! A hash chain shows that no entry was changed, but not that none was cut from the end: whoever
//! can write the database can delete the last entries and move the head back. [`Heads`] is the
//! last position and hash of both journals (the audit journal and the ledger's), written as a
//! one-line *receipt*, `audit:SEQ:HEX ledger:SEQ:HEX`. Kept where the operator cannot rewrite it
//! (sent to an auditor, a bank, with each cycle's files), it lets [`crate::Store::check_heads`]
//! prove later that the history still holds both entries with those hashes.

use std::fmt;
use std::str::FromStr;

use ledger::journal::{GENESIS, Hash};

/// Longest part of a receipt quoted in an error message, in characters.
const RECEIPT_QUOTED_CHARS_MAX: usize = 100;

/// The heads of both journals: last position (0: none yet) and its hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Heads {
    /// The audit journal's last entry and hash.
    pub audit: (u64, Hash),
    /// The ledger journal's last entry and hash.
    pub ledger: (u64, Hash),
}

impl fmt::Display for Heads {
    /// The receipt: `audit:SEQ:HEX ledger:SEQ:HEX`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "audit:{}:{} ledger:{}:{}",
            self.audit.0,
            hex::encode(self.audit.1),
            self.ledger.0,
            hex::encode(self.ledger.1)
        )
    }
}

/// A receipt that cannot be read; the message names the part and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("receipt {part:?}: {what} (a receipt reads `audit:SEQ:HASH ledger:SEQ:HASH`)")]
pub struct ReceiptError {
    /// The part that is wrong (or the whole receipt), cut to a readable length.
    pub part: String,
    /// What is wrong with it.
    pub what: String,
}

impl ReceiptError {
    fn new(part: &str, what: impl Into<String>) -> Self {
        ReceiptError {
            part: part.chars().take(RECEIPT_QUOTED_CHARS_MAX).collect(),
            what: what.into(),
        }
    }
}

impl FromStr for Heads {
    type Err = ReceiptError;

    /// Reads a receipt: both parts, each once, in either order, separated by white space.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (mut audit, mut ledger) = (None, None);
        for part in text.split_whitespace() {
            let (name, rest) = part
                .split_once(':')
                .ok_or_else(|| ReceiptError::new(part, "expected NAME:SEQ:HASH"))?;
            let slot = match name {
                "audit" => &mut audit,
                "ledger" => &mut ledger,
                _ => {
                    return Err(ReceiptError::new(
                        part,
                        format!("unknown journal {name:?}, expected audit or ledger"),
                    ));
                }
            };
            if slot.is_some() {
                return Err(ReceiptError::new(part, format!("{name} given twice")));
            }
            *slot = Some(position(part, rest)?);
        }
        match (audit, ledger) {
            (Some(audit), Some(ledger)) => Ok(Heads { audit, ledger }),
            (None, _) => Err(ReceiptError::new(text.trim(), "no audit part")),
            (_, None) => Err(ReceiptError::new(text.trim(), "no ledger part")),
        }
    }
}

/// `SEQ:HASH` of one part.
fn position(part: &str, rest: &str) -> Result<(u64, Hash), ReceiptError> {
    let (seq, hash) = rest
        .split_once(':')
        .ok_or_else(|| ReceiptError::new(part, "expected NAME:SEQ:HASH"))?;
    let seq: u64 = seq
        .parse()
        .map_err(|_| ReceiptError::new(part, format!("position {seq:?} is not a number")))?;
    let hash: Hash = hex::decode(hash)
        .ok()
        .and_then(|h| h.try_into().ok())
        .ok_or_else(|| ReceiptError::new(part, "the hash is not 64 hex digits"))?;
    if seq == 0 && hash != GENESIS {
        return Err(ReceiptError::new(
            part,
            "position 0 (no entry yet) has the zero hash",
        ));
    }
    Ok((seq, hash))
}

/// What the database holds for a receipt, read in one snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Anchors {
    /// The heads now.
    pub heads: Heads,
    /// The hash stored at the receipt's audit position, if that entry exists.
    pub audit_at: Option<Hash>,
    /// The hash stored at the receipt's ledger position, if that entry exists.
    pub ledger_at: Option<Hash>,
}

/// What differs between a receipt and the history stored now.
pub(crate) fn problems(receipt: &Heads, found: &Anchors) -> Vec<String> {
    let mut problems = Vec::new();
    for (journal, (seq, hash), at, head) in [
        ("audit", receipt.audit, found.audit_at, found.heads.audit.0),
        (
            "ledger journal",
            receipt.ledger,
            found.ledger_at,
            found.heads.ledger.0,
        ),
    ] {
        let hex = hex::encode(hash);
        match at {
            None => problems.push(format!(
                "{journal} entry {seq} of the receipt is gone: the {journal} now ends at entry \
                 {head} (its tail was cut or rolled back)"
            )),
            Some(stored) if stored != hash => problems.push(format!(
                "{journal} entry {seq} is not the one of the receipt (stored hash {}, receipt \
                 {hex}): the {journal} was rewritten",
                hex::encode(stored)
            )),
            Some(_) if head < seq => problems.push(format!(
                "the {journal} head is at entry {head}, before entry {seq} of the receipt: it \
                 was rolled back"
            )),
            Some(_) => {}
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    fn heads() -> Heads {
        let hash: Hash = hex::decode(H).unwrap().try_into().unwrap();
        Heads {
            audit: (12, hash),
            ledger: (7, hash),
        }
    }

    #[test]
    fn a_receipt_reads_back_as_written() {
        let text = heads().to_string();
        assert_eq!(text, format!("audit:12:{H} ledger:7:{H}"));
        assert_eq!(text.parse::<Heads>(), Ok(heads()));
        let swapped = format!("  ledger:7:{} \taudit:12:{H}\n", H.to_uppercase());
        assert_eq!(swapped.parse::<Heads>(), Ok(heads()));
        let empty = format!("audit:0:{} ledger:0:{}", "0".repeat(64), "0".repeat(64));
        assert_eq!(
            empty.parse::<Heads>().unwrap(),
            Heads {
                audit: (0, GENESIS),
                ledger: (0, GENESIS)
            }
        );
    }

    #[test]
    fn a_bad_receipt_names_the_part_and_the_fault() {
        for (text, message) in [
            ("", r#"receipt "": no audit part"#),
            (&format!("audit:1:{H}"), "no ledger part"),
            (
                &format!("audit:1:{H} ledger:x:{H}"),
                r#"receipt "ledger:x:0011"#,
            ),
            (
                &format!("audit:1:{H} ledger:x:{H}"),
                r#"position "x" is not a number"#,
            ),
            (
                "audit:1:abc ledger:2:abc",
                r#"receipt "audit:1:abc": the hash is not 64 hex digits"#,
            ),
            (&format!("audit:1:{H} audit:2:{H}"), "audit given twice"),
            (&format!("journal:1:{H}"), r#"unknown journal "journal""#),
            ("audit", r#"receipt "audit": expected NAME:SEQ:HASH"#),
            (&format!("audit:0:{H} ledger:0:{H}"), "position 0"),
            (&format!("audit:-1:{H} ledger:1:{H}"), r#"position "-1""#),
        ] {
            let e = text.parse::<Heads>().unwrap_err().to_string();
            assert!(e.contains(message), "{text:?}: {e}");
        }
        let long = "x".repeat(10_000);
        let e = long.parse::<Heads>().unwrap_err().to_string();
        assert!(e.len() < 300, "{e}");
    }

    #[test]
    fn problems_name_a_cut_a_rewrite_and_a_rollback() {
        let receipt = heads();
        let other = [9; 32];
        let found = |audit_at, ledger_at, heads_at| Anchors {
            heads: Heads {
                audit: (heads_at, other),
                ledger: (heads_at, other),
            },
            audit_at,
            ledger_at,
        };
        let hash = receipt.audit.1;
        assert!(problems(&receipt, &found(Some(hash), Some(hash), 12)).is_empty());
        let p = problems(&receipt, &found(None, Some(other), 10));
        assert!(
            p[0].starts_with(
                "audit entry 12 of the receipt is gone: the audit now ends at entry 10"
            ),
            "{p:?}"
        );
        assert!(
            p[1].starts_with("ledger journal entry 7 is not the one of the receipt"),
            "{p:?}"
        );
        let p = problems(&receipt, &found(Some(hash), Some(hash), 8));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].contains("the audit head is at entry 8, before entry 12"),
            "{p:?}"
        );
    }
}
