//! Result codes and statuses: stable numbers for the journal, stable names for JSON.

use std::collections::HashSet;

use ledger::{CreateAccountResult, CreateTransferResult, PendingStatus};

/// Every result's number and name are unique, round-trip, and the numbers are dense from 0.
macro_rules! check_codes {
    ($results:ty) => {{
        let all = <$results>::ALL;
        let mut names = HashSet::new();
        for (i, r) in all.iter().enumerate() {
            assert_eq!(usize::from(r.code()), i, "{r} is not in code order");
            assert_eq!(<$results>::from_code(r.code()), Some(*r));
            assert!(names.insert(r.as_str()), "name {r} used twice");
            assert_eq!(r.to_string(), r.as_str());
            assert_eq!(r.is_ok(), r.code() == 0);
            let json = serde_json::to_string(r).expect("serializes");
            assert_eq!(json, format!("\"{}\"", r.as_str()));
            let back: $results = serde_json::from_str(&json).expect("deserializes");
            assert_eq!(back, *r);
        }
        for code in all.len()..=usize::from(u8::MAX) {
            let code = u8::try_from(code).expect("u8");
            assert_eq!(<$results>::from_code(code), None, "code {code}");
        }
        let err = serde_json::from_str::<$results>("\"no_such_result\"").unwrap_err();
        assert!(err.to_string().contains("no_such_result"), "{err}");
        assert!(serde_json::from_str::<$results>("7").is_err());
        assert_eq!(all[0].as_str(), "ok");
        assert_eq!(all[1].as_str(), "linked_event_failed");
        assert_eq!(all[2].as_str(), "linked_event_chain_open");
    }};
}

#[test]
fn account_results_round_trip() {
    check_codes!(CreateAccountResult);
    assert_eq!(CreateAccountResult::ALL.len(), 11);
}

#[test]
fn transfer_results_round_trip() {
    check_codes!(CreateTransferResult);
    assert_eq!(CreateTransferResult::ALL.len(), 47);
}

/// A few numbers pinned: they are written into journals and must never change.
#[test]
fn journal_numbers_are_stable() {
    assert_eq!(CreateAccountResult::Exists.code(), 7);
    assert_eq!(CreateAccountResult::CodeMustNotBeZero.code(), 10);
    assert_eq!(CreateTransferResult::Exists.code(), 7);
    assert_eq!(CreateTransferResult::PendingTransferExpired.code(), 37);
    assert_eq!(CreateTransferResult::ExceedsDebits.code(), 46);
}

#[test]
fn pending_statuses_round_trip() {
    let all = [
        PendingStatus::Pending,
        PendingStatus::Posted,
        PendingStatus::Voided,
        PendingStatus::Expired,
    ];
    for (i, s) in all.iter().enumerate() {
        assert_eq!(usize::from(s.code()), i + 1);
        assert_eq!(PendingStatus::from_code(s.code()), Some(*s));
        let json = serde_json::to_string(s).expect("serializes");
        assert_eq!(json, format!("\"{}\"", s.as_str()));
        assert_eq!(serde_json::from_str::<PendingStatus>(&json).ok(), Some(*s));
    }
    assert_eq!(PendingStatus::from_code(0), None);
    assert_eq!(PendingStatus::from_code(5), None);
}

#[test]
fn flags_serialize_by_name() {
    use ledger::{AccountFlags, NewAccount, NewTransfer, TransferFlags};

    let flags = TransferFlags::PENDING.with(TransferFlags::LINKED);
    let json = serde_json::to_string(&flags).expect("serializes");
    assert_eq!(json, r#"["linked","pending"]"#);
    assert_eq!(
        serde_json::from_str::<TransferFlags>(&json).ok(),
        Some(flags)
    );
    assert_eq!(format!("{flags:?}"), r#"["linked", "pending"]"#);
    let err = serde_json::from_str::<AccountFlags>(r#"["linked","overdraft"]"#).unwrap_err();
    assert!(err.to_string().contains("overdraft"), "{err}");
    assert!(
        err.to_string().contains("debits_must_not_exceed_credits"),
        "{err}"
    );

    // Events: optional fields default, unknown fields are refused.
    let a: NewAccount =
        serde_json::from_str(r#"{"id": 1, "ledger": 978, "code": 1}"#).expect("parses");
    assert_eq!(a.flags, AccountFlags::NONE);
    let err = serde_json::from_str::<NewAccount>(r#"{"id": 1, "ledger": 978, "code": 1, "x": 1}"#)
        .unwrap_err();
    assert!(err.to_string().contains('x'), "{err}");
    let t: NewTransfer =
        serde_json::from_str(r#"{"id": 2, "pending_id": 1, "flags": ["post_pending"]}"#)
            .expect("parses");
    assert_eq!(t.flags, TransferFlags::POST_PENDING);
    assert_eq!(t.amount, 0);
}
