//! The house's reference data as the tests of the house and of the API use it, built once per
//! test binary: the bundled sanctions lists, and the goods checker with price bands from the
//! demo's reference prices.

use std::sync::{Arc, OnceLock};

use house::Lists;

/// The bundled sanctions lists, built once per test binary (about a second).
pub fn lists() -> Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS
        .get_or_init(|| Lists::bundled().expect("the bundled lists parse"))
        .clone()
}

/// The bundled nomenclature and policy with price bands from the demo's reference prices,
/// built once.
pub fn checker() -> Arc<goods::Checker> {
    static CHECKER: OnceLock<Arc<goods::Checker>> = OnceLock::new();
    CHECKER
        .get_or_init(|| {
            let nomenclature = goods::Nomenclature::bundled().expect("bundled nomenclature");
            let policy = goods::Policy::bundled(&nomenclature).expect("bundled policy");
            let history = house::demo::price_history(&nomenclature).expect("reference prices");
            let bands = history.bands(policy.band_settings());
            Arc::new(goods::Checker::new(nomenclature, policy, Some(bands)).expect("checker"))
        })
        .clone()
}
