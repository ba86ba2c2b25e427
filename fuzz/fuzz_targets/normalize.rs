//! The name normaliser, transliterators and keys never panic, whatever the bytes, and
//! normalising twice changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use screening::keys::{phonetic, skeleton};
use screening::normalize::{normalize, tokenize};

fuzz_target!(|data: &[u8]| {
    let name = String::from_utf8_lossy(data);
    let Ok(tokens) = tokenize(&name) else {
        return;
    };
    for token in &tokens {
        let _ = phonetic(&token.text);
        let _ = skeleton(&token.text);
    }
    let once = normalize(&name).expect("it tokenised");
    let twice = normalize(&once).expect("a normalised name normalises");
    assert_eq!(once, twice);
});
