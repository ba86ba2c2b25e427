//! camt.054.001.08 against the official schema, and its size.

use std::time::Instant;

use iso20022::{Notification, NotifiedEntry, Party, Remittance, write_camt054};
use model::Currency;

use crate::support::*;

fn notification<'a>(entries: &'a [NotifiedEntry<'a>]) -> Notification<'a> {
    Notification {
        message_id: ID_35,
        notification_id: ID_35,
        created_at_ns: NOV_24_2026_NS + 12 * HOUR_NS,
        currency: Currency::EUR,
        account: HOUSE,
        entries,
    }
}

#[test]
fn realistic_notification_is_valid() {
    let long = long_name();
    let many = invoice_numbers(105);
    let many = invoices(&many);
    let entries = [
        NotifiedEntry {
            account_servicer_reference: ID_35,
            booked_at_ns: NOV_24_2026_NS + HOUR_NS,
            amount_minor: 123_450,
            credit: true,
            end_to_end_id: Some(ID_35),
            counterparty: Some(Party {
                name: &long,
                ..party(MUELLER)
            }),
            remittance: Remittance {
                creditor_reference: Some("RF18539007547034"),
                documents: &many,
                text: Some("Rechnungen & <Gutschriften>"),
            },
        },
        NotifiedEntry {
            account_servicer_reference: "BK-2",
            booked_at_ns: NOV_24_2026_NS + 2 * HOUR_NS,
            // The sum of all three entries has 18 digits, the most allowed.
            amount_minor: 999_999_999_999_876_548,
            credit: false,
            end_to_end_id: None,
            counterparty: Some(party(tehran())),
            remittance: Remittance {
                creditor_reference: None,
                documents: &[],
                text: Some("پرداخت"),
            },
        },
        NotifiedEntry {
            account_servicer_reference: "BK-3",
            booked_at_ns: NOV_24_2026_NS + 3 * HOUR_NS,
            amount_minor: 1,
            credit: true,
            end_to_end_id: None,
            counterparty: None,
            remittance: Remittance::default(),
        },
    ];
    let mut xml = Vec::new();
    write_camt054(&notification(&entries), &mut xml).expect("camt.054 written");
    assert_valid(&xml, "camt.054.001.08");
}

#[test]
fn ten_thousand_entries_are_valid_and_a_hundred_thousand_are_quick() {
    let references: Vec<String> = (0..100_000).map(|i| format!("BK-{i:09}")).collect();
    let ends: Vec<String> = (0..100_000).map(|i| format!("rtp-{i}")).collect();
    let rf = iso20022::creditor_reference("CYCLE3").expect("reference");
    let entries: Vec<NotifiedEntry<'_>> = references
        .iter()
        .zip(&ends)
        .enumerate()
        .map(|(i, (reference, end))| NotifiedEntry {
            account_servicer_reference: reference,
            booked_at_ns: NOV_24_2026_NS + i as u64 * 1_000_000_000,
            amount_minor: 1 + i as i64,
            credit: i % 7 != 0,
            end_to_end_id: Some(end),
            counterparty: Some(party(LYON)),
            remittance: Remittance {
                creditor_reference: Some(&rf),
                documents: &[],
                text: None,
            },
        })
        .collect();
    let mut xml = Vec::new();
    write_camt054(&notification(&entries[..10_000]), &mut xml).expect("written");
    assert_valid(&xml, "camt.054.001.08");

    let started = Instant::now();
    let mut xml = Vec::with_capacity(200 * 1024 * 1024);
    write_camt054(&notification(&entries), &mut xml).expect("written");
    let elapsed = started.elapsed();
    eprintln!(
        "camt.054 of 100000 entries: {} MB in {elapsed:?}",
        xml.len() / 1_000_000
    );
    // Generous, for unoptimized builds on a busy machine; an optimized build takes a fraction.
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
}
