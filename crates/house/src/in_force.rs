//! The lists in force for the whole house.
//!
//! Several processes may run one house on one database (`clearhouse serve` scaled out), each
//! holding its lists in memory. The database says which lists are in force: one record
//! ([`kind::LISTS_IN_FORCE`], id [`LISTS_IN_FORCE_ID`]) names the version and the content hash
//! of its files, written when a version is put in force ([`House::rescreen`]) in the change that
//! audits it. Every operation that screens (a submission, an onboarding, a rescreen) reads the
//! record with what it reads anyway, screens against the lists it names, and expects the record
//! unchanged when it commits: nothing commits screened against lists no longer in force.
//!
//! A house that holds other lists loads the version named from its lists directory first, once
//! per version whatever the number of requests that find it missing; one that cannot fails with
//! [`HouseError::ListsOutOfDate`], and tries again after [`LISTS_LOAD_RETRY_NS`]. With no record
//! yet (no version was ever put in force in this database), the lists a house holds are in
//! force, as they were before the record existed.

use std::sync::{Arc, PoisonError};

use serde::{Deserialize, Serialize};
use store::{Change, Expect, Record};

use crate::error::HouseError;
use crate::list_store;
use crate::types::kind;
use crate::{Commit, House, Lists, audit, expect, parse, record};

/// The id of the one record of kind [`kind::LISTS_IN_FORCE`].
pub const LISTS_IN_FORCE_ID: &str = "current";
/// How long, in nanoseconds of the house's clock, a version that could not be loaded is not
/// tried again: the requests meanwhile fail at once instead of each reading the lists directory
/// (or parsing a damaged version) again.
pub const LISTS_LOAD_RETRY_NS: u64 = 10 * 1_000_000_000;

/// The record of the lists in force for the whole house.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListsInForce {
    /// The version (`bundled`, or a version id of the lists directory).
    pub version: String,
    /// The content hash of its files ([`list_store::content_hash`]); `None` for lists built
    /// from entities alone, which no lists directory holds.
    pub content_hash: Option<String>,
    /// Who put it in force.
    pub put_by: String,
    /// When (the house's clock, nanoseconds since 1970).
    pub put_at: u64,
}

/// The lists a house holds, and the version of the record they were matched with.
#[derive(Debug)]
pub(crate) struct Held {
    pub lists: Arc<Lists>,
    /// The version of the record of the lists in force these lists are (`None`: not matched
    /// with one yet).
    pub record: Option<u64>,
}

impl Held {
    /// Lists not matched with a record (the lists a house opens with).
    pub(crate) fn unmatched(lists: Lists) -> Held {
        Held {
            lists: Arc::new(lists),
            record: None,
        }
    }
}

/// A version of the lists this house could not load, not tried again before `retry_at`.
#[derive(Debug)]
pub(crate) struct LoadFailure {
    in_force: ListsInForce,
    reason: String,
    retry_at: u64,
}

/// The lists an operation screens against, and what its change expects of the record of the
/// lists in force (at the version read, or absent).
#[derive(Debug, Clone)]
pub(crate) struct Screening {
    pub lists: Arc<Lists>,
    pub expect: Expect,
}

impl Screening {
    fn of(lists: &Arc<Lists>, record: Option<u64>) -> Screening {
        Screening {
            lists: Arc::clone(lists),
            expect: expect(kind::LISTS_IN_FORCE, LISTS_IN_FORCE_ID, record),
        }
    }
}

impl House {
    /// The lists in force for the whole house, as this house holds them: a version another
    /// process put in force is loaded first. For what screens without committing anything (a
    /// name screened on request, readiness); [`HouseError::ListsOutOfDate`] when the version
    /// cannot be loaded here.
    pub fn lists_in_force(&self) -> Result<Arc<Lists>, HouseError> {
        Ok(self.screening_lists()?.lists)
    }

    /// The database's record of the lists in force; `None` while no version was ever put in
    /// force.
    pub fn lists_in_force_record(&self) -> Result<Option<ListsInForce>, HouseError> {
        Ok(self
            .load(kind::LISTS_IN_FORCE, LISTS_IN_FORCE_ID)?
            .map(|v| v.value))
    }

    /// The lists to screen against, the record read on its own: for an operation that reads
    /// nothing else in one batch.
    pub(crate) fn screening_lists(&self) -> Result<Screening, HouseError> {
        for _ in 0..crate::ATTEMPTS_MAX {
            let record = self.store.record(kind::LISTS_IN_FORCE, LISTS_IN_FORCE_ID)?;
            if let Some(screening) = self.lists_for(record.as_ref())? {
                return Ok(screening);
            }
        }
        Err(HouseError::Contention {
            what: "the lists in force".into(),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// The lists to screen against given the record of the lists in force as read (`None`: no
    /// record), and what the change expects of it. Costs a comparison when this house holds
    /// the version named. `Ok(None)`: the record read is older than the one the lists held
    /// here were matched with (read before another version was put in force): read again.
    pub(crate) fn lists_for(
        &self,
        record: Option<&Record>,
    ) -> Result<Option<Screening>, HouseError> {
        let Some(record) = record else {
            return Ok(Some(Screening::of(&self.lists(), None)));
        };
        let held = self.lists.load();
        // Matched with this very record before: nothing to parse.
        if held.record == Some(record.version) {
            return Ok(Some(Screening::of(&held.lists, Some(record.version))));
        }
        let in_force: ListsInForce = parse(record)?;
        if held.lists.are(&in_force) {
            let lists = Arc::clone(&held.lists);
            if held.record.is_none_or(|seen| seen < record.version) {
                // Matched from now on (the lists a house opened with, a version put in force
                // again): the next request need not parse. Lost to another swap: no matter.
                self.lists.compare_and_swap(
                    &held,
                    Arc::new(Held {
                        lists: Arc::clone(&lists),
                        record: Some(record.version),
                    }),
                );
            }
            return Ok(Some(Screening::of(&lists, Some(record.version))));
        }
        drop(held);
        self.catch_up(&in_force, record.version)
    }

    /// Loads the version in force and holds it, one request at a time: the others wait and
    /// find it loaded, or find the failure (until [`LISTS_LOAD_RETRY_NS`] passed).
    fn catch_up(
        &self,
        in_force: &ListsInForce,
        record: u64,
    ) -> Result<Option<Screening>, HouseError> {
        let mut failed = self
            .lists_loading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let held = self.lists.load_full();
        if held.lists.are(in_force) {
            return Ok(Some(Screening::of(&held.lists, Some(record))));
        }
        if held.record.is_some_and(|seen| seen > record) {
            return Ok(None);
        }
        let now = self.now();
        if let Some(f) = failed.as_ref()
            && f.in_force == *in_force
            && now < f.retry_at
        {
            return Err(out_of_date(in_force, &f.reason));
        }
        match self.load_in_force(in_force) {
            Ok(lists) => {
                let lists = Arc::new(lists);
                self.lists.store(Arc::new(Held {
                    lists: Arc::clone(&lists),
                    record: Some(record),
                }));
                *failed = None;
                tracing::info!(version = %in_force.version, "holds the lists put in force by another process");
                Ok(Some(Screening::of(&lists, Some(record))))
            }
            Err(reason) => {
                *failed = Some(LoadFailure {
                    in_force: in_force.clone(),
                    reason: reason.clone(),
                    retry_at: now.saturating_add(LISTS_LOAD_RETRY_NS),
                });
                Err(out_of_date(in_force, &reason))
            }
        }
    }

    /// The version a record names, from this house's lists directory; else why not, in words
    /// without a path (the details are logged).
    fn load_in_force(&self, in_force: &ListsInForce) -> Result<Lists, String> {
        let Some(store) = &self.list_store else {
            return Err("this process keeps no lists directory".into());
        };
        let unreadable = |e: &dyn std::fmt::Display| {
            tracing::warn!(version = %in_force.version, error = %e, "the lists in force cannot be loaded");
            "the version in this server's lists directory cannot be read (the server's log says why)"
                .to_owned()
        };
        let loaded = store.load_version(&in_force.version).map_err(|e| {
            if e.is_not_found() {
                "the version is not in this server's lists directory".to_owned()
            } else {
                unreadable(&e)
            }
        })?;
        match &in_force.content_hash {
            Some(hash) if *hash == list_store::content_hash(&loaded.files) => {}
            Some(_) => {
                return Err("the files this server has under that version are other files".into());
            }
            None => {
                return Err(
                    "the lists in force were not read from list files: no lists directory holds them"
                        .into(),
                );
            }
        }
        loaded.into_lists().map_err(|e| unreadable(&e))
    }

    /// Puts `lists` in force for the whole house: the record of the lists in force written
    /// (over the one read) with its audit event `lists.put_in_force`, and the lists held here,
    /// both while no request of this house loads a version. The rescreen that follows expects
    /// the record as written. Lists in force already (the record names them, or without a
    /// record this house holds them) are held again and nothing is written: rescreening with
    /// the same lists writes nothing.
    pub(crate) fn put_in_force(&self, actor: &str, lists: Lists) -> Result<Screening, HouseError> {
        let lists = Arc::new(lists);
        let mut failed = self
            .lists_loading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let subject = format!("{}:{LISTS_IN_FORCE_ID}", kind::LISTS_IN_FORCE);
        for _ in 0..crate::ATTEMPTS_MAX {
            let previous = self.load::<ListsInForce>(kind::LISTS_IN_FORCE, LISTS_IN_FORCE_ID)?;
            let in_force_already = match &previous {
                Some(p) => lists.are(&p.value),
                None => {
                    let held = self.lists();
                    held.version == lists.version && held.content_hash == lists.content_hash
                }
            };
            if in_force_already {
                let record = previous.map(|p| p.version);
                self.lists.store(Arc::new(Held {
                    lists: Arc::clone(&lists),
                    record,
                }));
                return Ok(Screening::of(&lists, record));
            }
            let now = self.now();
            let in_force = ListsInForce {
                version: lists.version.clone(),
                content_hash: lists.content_hash.clone(),
                put_by: actor.to_owned(),
                put_at: now,
            };
            let version = previous.as_ref().map_or(1, |p| p.version + 1);
            let change = Change {
                expect: vec![expect(
                    kind::LISTS_IN_FORCE,
                    LISTS_IN_FORCE_ID,
                    previous.as_ref().map(|p| p.version),
                )],
                put: vec![record(
                    kind::LISTS_IN_FORCE,
                    LISTS_IN_FORCE_ID,
                    version,
                    "in_force",
                    ("", ""),
                    now,
                    &in_force,
                )?],
                audit: vec![audit(
                    actor,
                    "lists.put_in_force",
                    subject.clone(),
                    &serde_json::json!({
                        "version": in_force.version,
                        "content_hash": in_force.content_hash,
                        "previous": previous.as_ref().map(|p| &p.value),
                        "held_before": self.lists().version,
                    }),
                )?],
                ..Change::default()
            };
            if let Commit::Done = self.commit(change, "nothing")? {
                self.lists.store(Arc::new(Held {
                    lists: Arc::clone(&lists),
                    record: Some(version),
                }));
                *failed = None;
                return Ok(Screening::of(&lists, Some(version)));
            }
        }
        Err(HouseError::Contention {
            what: subject,
            attempts: crate::ATTEMPTS_MAX,
        })
    }
}

/// The error of a house that cannot screen against the lists in force.
fn out_of_date(in_force: &ListsInForce, reason: &str) -> HouseError {
    HouseError::ListsOutOfDate {
        version: in_force.version.clone(),
        reason: reason.to_owned(),
    }
}
