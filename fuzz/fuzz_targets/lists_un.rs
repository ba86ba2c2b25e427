//! UN Security Council consolidated XML: an error or a list, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use screening::lists::detect;

mod list_check;
use list_check::check;

fuzz_target!(|data: &[u8]| {
    let _ = detect("UN.xml", data);
    check(screening::lists::un::parse("UN.xml", data), "UN.xml");
});
