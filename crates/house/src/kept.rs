//! The participant records submissions read lately, kept in memory between submissions.
//!
//! Every claim reads both parties' records. Read from the store each time, they cost two
//! searches of the `records` table (its key index, then the row) and the parsing of two JSON
//! bodies: about 40% of a submission's read.
//!
//! Why a kept record is as good as the store's: a submission commits only if each party's
//! record is still at the version it checked the claim against (`expect`). A record another
//! request or process changed since it was kept (a suspension, an alert) makes the commit fail;
//! the submission then forgets both parties and reads them again from the store, and checks the
//! claim against what it read. A record that does not exist is never kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::Versioned;

/// Most participant records kept; past it, all are forgotten and read again as needed.
pub const KEPT_PARTICIPANTS_MAX: usize = 65_536;

/// A record as read, with its version.
pub(crate) type Kept<T> = Arc<Versioned<T>>;

/// The records kept (participants' in the house), by id.
#[derive(Debug)]
pub(crate) struct KeptRecords<T> {
    records: Mutex<HashMap<String, Kept<T>>>,
}

impl<T> Default for KeptRecords<T> {
    fn default() -> Self {
        KeptRecords {
            records: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> KeptRecords<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Kept<T>>> {
        // A panic while the lock was held leaves at worst a record that fails its version
        // check when a claim commits: still usable.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The record of `id`, if it is kept.
    pub(crate) fn get(&self, id: &str) -> Option<Kept<T>> {
        self.lock().get(id).cloned()
    }

    /// Keeps `record` as the record of `id`, unless a newer version is kept already.
    pub(crate) fn keep(&self, id: &str, record: &Kept<T>) {
        let mut records = self.lock();
        if records.get(id).is_some_and(|k| k.version >= record.version) {
            return;
        }
        if records.len() >= KEPT_PARTICIPANTS_MAX {
            records.clear();
        }
        records.insert(id.to_owned(), Arc::clone(record));
    }

    /// Forgets the records of `ids`: the next submission about them reads them from the store.
    pub(crate) fn forget(&self, ids: &[&str]) {
        let mut records = self.lock();
        for id in ids {
            records.remove(*id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(version: u64) -> Kept<&'static str> {
        Arc::new(Versioned {
            value: "a participant",
            version,
        })
    }

    #[test]
    fn keeps_the_newest_version_and_forgets_on_demand() {
        let kept = KeptRecords::default();
        assert!(kept.get("eu-1").is_none());
        kept.keep("eu-1", &record(2));
        kept.keep("eu-1", &record(1));
        assert_eq!(kept.get("eu-1").map(|k| k.version), Some(2));
        kept.keep("eu-1", &record(3));
        assert_eq!(kept.get("eu-1").map(|k| k.version), Some(3));
        kept.forget(&["eu-1", "ir-9"]);
        assert!(kept.get("eu-1").is_none());
    }

    #[test]
    fn forgets_everything_past_the_bound() {
        let kept = KeptRecords::default();
        for i in 0..KEPT_PARTICIPANTS_MAX {
            kept.keep(&format!("p-{i}"), &record(1));
        }
        assert!(kept.get("p-0").is_some());
        kept.keep("one-more", &record(1));
        assert!(kept.get("p-0").is_none());
        assert!(kept.get("one-more").is_some());
    }
}
