//! The workplace's shared data: test data too large or too foreign to keep in the repository
//! (the official ISO 20022 schemas, netting instances, list files), in `../shared/data` beside
//! the repository.

use std::path::{Path, PathBuf};

/// The environment variable that points at the shared data folder elsewhere.
pub const SHARED_DATA_ENV: &str = "CLEARHOUSE_SHARED_DATA";

/// The shared data folder: `$CLEARHOUSE_SHARED_DATA`, else `shared/data` beside the repository
/// (this crate is `crates/test-support` in it, whichever worktree the tests run from).
fn root() -> PathBuf {
    std::env::var_os(SHARED_DATA_ENV).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    )
}

/// `path` (a file or a folder, relative to the shared data folder: `iso20022/pain.001.001.09.xsd`,
/// `netting/EXPECTED.csv`; empty for the folder itself).
///
/// # Panics
///
/// When it is not there, naming the missing path and where the shared data is looked for: a
/// test without its data must fail, never pass on nothing.
#[track_caller]
pub fn shared_data(path: impl AsRef<Path>) -> PathBuf {
    let root = root();
    let full = root.join(path);
    assert!(
        full.exists(),
        "test data {} is missing: these tests read the workplace's shared data folder {} \
         (`shared/data` beside the repository, or ${SHARED_DATA_ENV})",
        full.display(),
        root.display()
    );
    full
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_path_fails_naming_it() {
        let panic = std::panic::catch_unwind(|| shared_data("no-such-folder/no-such-file.csv"))
            .expect_err("a missing file must fail the test");
        let message = panic.downcast_ref::<String>().expect("a formatted message");
        assert!(
            message.contains("no-such-folder/no-such-file.csv is missing")
                && message.contains(SHARED_DATA_ENV),
            "{message}"
        );
    }
}
