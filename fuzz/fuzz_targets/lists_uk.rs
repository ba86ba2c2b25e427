//! UK list CSV (FCDO and OFSI layouts): an error or a list, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use screening::lists::detect;

mod list_check;
use list_check::check;

fuzz_target!(|data: &[u8]| {
    let _ = detect("list", data);
    check(screening::lists::uk::parse("uk.csv", data), "uk.csv");
});
