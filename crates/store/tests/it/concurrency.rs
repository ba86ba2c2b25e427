//! Many clients at once: group commit shares transactions, and nothing is lost or doubled.

use ledger::CreateTransferResult as TR;

use crate::support::{T0, TestClock, TestDb, accounts, simple_transfers};

const CLIENTS: u64 = 8;
const BATCHES: u64 = 25;
const BATCH: u64 = 40;

#[test]
fn concurrent_clients_share_commits_and_lose_nothing() {
    for db in TestDb::each() {
        let store = db.open(&TestClock::at(T0));
        store.create_accounts(accounts(2)).unwrap();
        std::thread::scope(|s| {
            for client in 0..CLIENTS {
                let store = &store;
                s.spawn(move || {
                    for b in 0..BATCHES {
                        let first = 1 + (client * BATCHES + b) * BATCH;
                        let r = store
                            .create_transfers(simple_transfers(first, BATCH))
                            .unwrap();
                        assert!(r.iter().all(|&r| r == TR::Ok));
                    }
                });
            }
        });
        let stats = store.stats();
        let requests = CLIENTS * BATCHES + 1;
        assert_eq!(stats.batches, requests, "{}", db.name);
        assert!(stats.commits <= stats.batches);
        let report = store.verify().unwrap();
        assert!(report.is_ok(), "{}: {:?}", db.name, report.problems);
        assert_eq!(report.transfers, CLIENTS * BATCHES * BATCH, "{}", db.name);
        assert_eq!(report.entries, requests);
        let total = CLIENTS * BATCHES * BATCH;
        let a = store.lookup_accounts(&[1, 2]).unwrap();
        assert_eq!(
            a[0].debits_posted + a[1].debits_posted,
            total * (total + 1) / 2,
            "{}",
            db.name
        );
    }
}
