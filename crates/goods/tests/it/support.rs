//! Shared helpers: the bundled checker and goods lines built from text.

use std::sync::OnceLock;

use goods::{Checker, Line, LineFields, Nomenclature, Policy, PriceBands, Verdict};

/// The bundled nomenclature, parsed once for the whole test binary.
pub fn nomenclature() -> &'static Nomenclature {
    static NOMENCLATURE: OnceLock<Nomenclature> = OnceLock::new();
    NOMENCLATURE.get_or_init(|| Nomenclature::bundled().expect("bundled nomenclature"))
}

/// The bundled policy over the bundled nomenclature.
pub fn default_policy() -> Policy {
    Policy::bundled(nomenclature()).expect("bundled policy")
}

/// A checker with the bundled nomenclature and policy, and these bands.
pub fn checker_with(policy: Policy, bands: Option<PriceBands>) -> Checker {
    Checker::new(nomenclature().clone(), policy, bands).expect("same nomenclature")
}

/// The bundled checker without prices.
pub fn default_checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| checker_with(default_policy(), None))
}

/// A line of `quantity` `unit` of `code` for `value` EUR on no corridor.
pub fn line(code: &str, description: &str, quantity: &str, unit: &str, value: &str) -> Line {
    corridor_line(code, description, quantity, unit, value, "", "")
}

/// A line with a corridor.
pub fn corridor_line(
    code: &str,
    description: &str,
    quantity: &str,
    unit: &str,
    value: &str,
    origin: &str,
    destination: &str,
) -> Line {
    let fields = LineFields {
        id: "t",
        hs_code: code,
        description,
        quantity,
        unit,
        value,
        currency: "EUR",
        origin,
        destination,
    };
    Line::parse(&fields, nomenclature()).unwrap_or_else(|(field, message)| {
        panic!("line {code} {description:?}: field {field}: {message}")
    })
}

/// The verdict and reason codes of a line under a checker.
pub fn outcome(checker: &Checker, line: &Line) -> (Verdict, Vec<String>) {
    let decision = checker.check(line);
    let codes = checker
        .reasons(line, &decision)
        .iter()
        .map(|r| r.code.to_owned())
        .collect();
    (decision.verdict, codes)
}
