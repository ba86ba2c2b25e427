//! Ledger ids of the house: derived from what they are for, so that a retried request asks for
//! the same account or transfer again (and the ledger answers `exists`) instead of a second one.
//!
//! Chart of accounts, all on one ledger, the clearing currency's (ISO 4217 numeric code):
//!
//! | code | account | debit means | credit means |
//! |---|---|---|---|
//! | 1 | a participant's position | it owes (claims as debtor, pay-outs) | it is owed (claims as creditor, pay-ins) |
//! | 2 | a zone house account | money collected in the zone | money paid out in the zone |
//! | 3 | a zone's suspense account | money leaves suspense (applied, refunded) | money arrived that matches no request exactly |
//! | 4 | a zone's liquidity provider | repaid to it | drawn from it (the house owes it) |
//!
//! Transfers: 10 a claim reserved (pending, debtor → creditor) and its cleared part posted (the
//! post inherits the code) once every pay-in its cycle needs arrived, 12 the rest reserved again
//! after a partial clearing, 20 a pay-in confirmed (zone house ← participant), 21 a pay-out
//! instructed (participant ← zone house), 23 a pay-out the bank returned, 22 money booked to
//! suspense (zone house → suspense), 24 suspense applied to a pay-in (suspense → participant),
//! 25 suspense refunded (zone house ← suspense), 26 a payer's excess after an unwind
//! (participant → suspense). `user_data_64` of a cycle's transfers is the cycle.

use ledger::{ID_MAX, NewAccount};
use model::ZoneCode;
use sha2::{Digest, Sha256};

use crate::config::Checked;

pub const ACCOUNT_POSITION: u16 = 1;
pub const ACCOUNT_ZONE_HOUSE: u16 = 2;
pub const TRANSFER_RESERVE: u16 = 10;
pub const TRANSFER_RESERVE_REST: u16 = 12;
pub const TRANSFER_PAY_IN: u16 = 20;
pub const TRANSFER_PAY_OUT: u16 = 21;
pub const TRANSFER_SUSPENSE_IN: u16 = 22;
pub const TRANSFER_PAY_OUT_RETURNED: u16 = 23;
pub const TRANSFER_SUSPENSE_APPLIED: u16 = 24;
pub const TRANSFER_REFUND: u16 = 25;
pub const TRANSFER_EXCESS: u16 = 26;
pub const ACCOUNT_SUSPENSE: u16 = 3;
pub const ACCOUNT_PROVIDER: u16 = 4;

/// A 63-bit id from a purpose and its parts; never zero.
pub fn derive(parts: &[&str]) -> u64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let id = u64::from_le_bytes(first) & ID_MAX;
    id.max(1)
}

/// Another 64 bits of the same parts, kept in `user_data_64` so that two different owners of
/// one id (a collision) make the ledger refuse instead of sharing an account.
fn check_bits(parts: &[&str]) -> u64 {
    let mut longer: Vec<&str> = parts.to_vec();
    longer.push("check");
    derive(&longer)
}

/// The ledger the instrument books on: the clearing currency's numeric code.
pub fn ledger_of(config: &Checked) -> u32 {
    u32::from(model::currency::numeric_code(config.clearing_currency))
}

/// A participant's position account.
pub fn participant_account(config: &Checked, participant: &str) -> NewAccount {
    let parts = ["participant", participant];
    NewAccount {
        id: derive(&parts),
        ledger: ledger_of(config),
        code: ACCOUNT_POSITION,
        user_data_64: check_bits(&parts),
        ..NewAccount::default()
    }
}

/// A zone's house account.
pub fn zone_account(config: &Checked, zone: &ZoneCode) -> NewAccount {
    let parts = ["zone", zone.as_str()];
    NewAccount {
        id: derive(&parts),
        ledger: ledger_of(config),
        code: ACCOUNT_ZONE_HOUSE,
        user_data_64: check_bits(&parts),
        ..NewAccount::default()
    }
}

/// A zone's suspense account.
pub fn suspense_account(config: &Checked, zone: &ZoneCode) -> NewAccount {
    let parts = ["suspense", zone.as_str()];
    NewAccount {
        id: derive(&parts),
        ledger: ledger_of(config),
        code: ACCOUNT_SUSPENSE,
        user_data_64: check_bits(&parts),
        ..NewAccount::default()
    }
}

/// A zone's liquidity provider's account: what the house owes it.
pub fn provider_account(config: &Checked, zone: &ZoneCode) -> NewAccount {
    let parts = ["liquidity", zone.as_str()];
    NewAccount {
        id: derive(&parts),
        ledger: ledger_of(config),
        code: ACCOUNT_PROVIDER,
        user_data_64: check_bits(&parts),
        ..NewAccount::default()
    }
}

/// A transfer of the settlement of cycle `cycle`: what it is for and what it is about.
pub fn settlement_transfer(what: &str, cycle: u64, parts: &[&str]) -> u64 {
    let cycle = cycle.to_string();
    let mut all = vec!["settlement", what, cycle.as_str()];
    all.extend_from_slice(parts);
    derive(&all)
}

/// The transfer that first reserves a claim.
pub fn reserve(claim: &str) -> u64 {
    derive(&["reserve", claim])
}

/// The transfer that posts a claim's part cleared in a cycle.
pub fn settle(claim: &str, cycle: u64) -> u64 {
    derive(&["settle", claim, &cycle.to_string()])
}

/// The transfer that reserves again what a cycle left of a claim.
pub fn reserve_rest(claim: &str, cycle: u64) -> u64 {
    derive(&["reserve-rest", claim, &cycle.to_string()])
}

/// The transfer that voids a claim's reservation when it is refused.
pub fn void(claim: &str) -> u64 {
    derive(&["void", claim])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(reserve("c-1"), reserve("c-1"));
        assert_ne!(reserve("c-1"), reserve("c-2"));
        assert_ne!(settle("c-1", 1), settle("c-1", 2));
        // Length prefixes: ("ab", "c") and ("a", "bc") differ.
        assert_ne!(derive(&["ab", "c"]), derive(&["a", "bc"]));
        assert!(derive(&["x"]) <= ID_MAX && derive(&["x"]) > 0);
    }
}
