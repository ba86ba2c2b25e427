//! What the tests share: the bundled lists indexed once.

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
