//! What the tests share: the bundled lists indexed once.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use screening::Screener;
use screening::groups::NameGroups;

/// The bundled cross-script name groups, parsed once.
pub fn groups() -> Arc<NameGroups> {
    static GROUPS: OnceLock<Arc<NameGroups>> = OnceLock::new();
    GROUPS
        .get_or_init(|| Arc::new(NameGroups::parse(screening::groups::BUNDLED)))
        .clone()
}

/// Every bundled list, indexed once for all tests.
pub fn bundled() -> &'static Screener {
    static SCREENER: OnceLock<Screener> = OnceLock::new();
    SCREENER.get_or_init(|| {
        let lists = screening::lists::bundled().expect("the bundled lists parse");
        let entities = lists.into_iter().flat_map(|l| l.entities).collect();
        Screener::with_own_weights(entities, groups())
    })
}

/// A file of the workplace's shared data (`../shared/data` beside the repository, or
/// `$CLEARHOUSE_SHARED_DATA`), for data that is not bundled; fails clearly when it is missing.
pub fn shared(path: &str) -> PathBuf {
    let root = std::env::var_os("CLEARHOUSE_SHARED_DATA").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")),
        PathBuf::from,
    );
    let full = root.join(path);
    assert!(
        full.exists(),
        "test data {} is missing: these tests need the workplace's shared data next to the repository",
        full.display()
    );
    full
}
