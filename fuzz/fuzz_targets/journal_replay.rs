//! A journal body from anywhere (an altered database, a re-hashed entry) must decode or be
//! refused, and replay or be refused, never panic.
#![no_main]

use ledger::journal::{Entry, GENESIS, Replay, chain_hash};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let _ = Entry::decode(body);
    // With a correct hash the body gets past the chain checks into decoding and replay.
    let mut replay = Replay::new();
    let hash = chain_hash(&GENESIS, body);
    let _ = replay.apply(1, &GENESIS, &hash, body);
});
