//! OFAC legacy CSV sets: any bytes as the main file and as an alt.csv companion; an error or a list, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use screening::lists::detect;

mod list_check;
use list_check::check;

fuzz_target!(|data: &[u8]| {
    let _ = detect("sdn.csv", data);
    let (main, alt) = data.split_at(data.len() / 2);
    let input = |name, bytes| screening::lists::Input::new(name, bytes);
    let kind = screening::lists::ofac::OfacKind::Sdn;
    check(
        screening::lists::ofac::parse(kind, input("sdn.csv", data), None, None, None),
        "sdn.csv",
    );
    let result = screening::lists::ofac::parse(
        kind,
        input("sdn.csv", main),
        Some(input("sdn.csv", alt)),
        None,
        None,
    );
    check(result, "sdn.csv");
});
