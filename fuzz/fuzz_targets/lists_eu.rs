//! EU Financial Sanctions Files XML: an error or a list, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use screening::lists::detect;

mod list_check;
use list_check::check;

fuzz_target!(|data: &[u8]| {
    let _ = detect("list", data);
    check(screening::lists::eu::parse("eu.xml", data), "eu.xml");
});
