//! The monitoring rules' history of each participant, kept in memory between submissions.
//!
//! The rules look at every claim of a new claim's two parties within the longest window (up to
//! [`HISTORY_LOADED_MAX`] a party). Reading and parsing those claim records at every
//! submission cost more than every other check together, and grew with the party's trade; so
//! the house keeps each party's history, labelled with the version of the party's `activity`
//! record it was read at.
//!
//! Why a history served from memory is the store's: every change that alters a party's
//! history writes its `activity` record (a claim submitted about it, a claim of it rejected by
//! review), and a submission commits only if both parties' records are still at the versions it
//! read. A history at the version read is therefore the one the store holds when the claim
//! commits, also when other processes write to the same database; a history at any other
//! version is read again from the store.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use monitoring::Past;
use store::{Change, RecordQuery};

use crate::error::HouseError;
use crate::types::{Activity, ClaimRecord, ClaimStatus, kind};
use crate::{House, Versioned, expect, record};

/// Most past claims of one party the monitoring rules look at (the most recent).
pub const HISTORY_LOADED_MAX: usize = 10_000;
/// Most participants whose history is kept in memory; past it, the one used least recently
/// makes room (it is read from the store again when it is needed).
pub const HISTORY_CACHED_PARTIES_MAX: usize = 4_096;

/// One party's history, shared with the submissions reading it, oldest first (a claim that
/// commits goes at the end): read newest first, it is one run in the order the monitoring
/// rules sort by.
pub(crate) type History = Arc<Vec<Past>>;

/// How long a submission waits for a claim about the same party that committed here to bring
/// the party's kept history to the version it read, before it reads the history from the store.
pub const HISTORY_ADVANCE_WAIT: Duration = Duration::from_millis(20);

/// The histories kept, by participant.
#[derive(Debug, Default)]
pub(crate) struct Histories {
    parties: Mutex<Cache>,
    /// Told when a commit in flight has advanced its parties' histories, or failed.
    advanced: Condvar,
}

#[derive(Debug, Default)]
struct Cache {
    entries: HashMap<String, Entry>,
    /// Counts uses, to find the entry used least recently.
    clock: u64,
    /// Submissions committing here a claim about a party, by the party and the version of its
    /// `activity` record they read: once committed, each advances the kept history from that
    /// version. A submission that read the next version meanwhile (the commit is visible before
    /// the committing thread got to advance) waits for it instead of reading the whole history
    /// from the store: measured, those reads were 7% of the CPU of a claim at 16 clients.
    in_flight: HashMap<(String, u64), u32>,
}

impl Cache {
    /// Whether the history kept of `party` is at a later version than `version`.
    fn holds_later(&self, party: &str, version: u64) -> bool {
        self.entries
            .get(party)
            .is_some_and(|entry| entry.version > version)
    }
}

#[derive(Debug)]
struct Entry {
    /// The version of the party's `activity` record the history is at (0: no record).
    version: u64,
    claims: History,
    used: u64,
}

impl Histories {
    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        // A panic while the lock was held leaves at worst a history that fails its version
        // check: the cache stays usable.
        self.parties.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The history of `party` at `version`, if it is kept.
    fn get(&self, party: &str, version: u64) -> Option<History> {
        let mut cache = self.lock();
        cache.clock += 1;
        let now = cache.clock;
        let entry = cache.entries.get_mut(party)?;
        if entry.version != version {
            return None;
        }
        entry.used = now;
        Some(Arc::clone(&entry.claims))
    }

    /// The history of `party` at `version` once a commit in flight here advances the kept one to
    /// it (waiting at most [`HISTORY_ADVANCE_WAIT`]); `None` if no such commit is in flight.
    fn advanced_to(&self, party: &str, version: u64) -> Option<History> {
        let deadline = Instant::now() + HISTORY_ADVANCE_WAIT;
        let mut cache = self.lock();
        loop {
            let entry = cache.entries.get(party)?;
            if entry.version == version {
                return Some(Arc::clone(&entry.claims));
            }
            let coming = entry.version + 1 == version
                && cache
                    .in_flight
                    .contains_key(&(party.to_owned(), entry.version));
            let left = deadline.saturating_duration_since(Instant::now());
            if !coming || left.is_zero() {
                return None;
            }
            cache = self
                .advanced
                .wait_timeout(cache, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Marks a claim about `parties` (each with the version of its `activity` record read) as
    /// committing here, until the guard answered is finished (committed: the histories
    /// advance) or dropped (not committed).
    pub(crate) fn committing(&self, parties: [(&str, u64); 2]) -> Committing<'_> {
        let mut cache = self.lock();
        for (party, version) in parties {
            *cache
                .in_flight
                .entry((party.to_owned(), version))
                .or_default() += 1;
        }
        Committing {
            histories: self,
            parties: parties.map(|(p, v)| (p.to_owned(), v)),
        }
    }

    /// Whether this house committed a later version of `party`'s history than `version`: a
    /// submission that read `version` then read before that commit, and cannot commit (it
    /// expects `version`); it reads again at once rather than load a history for nothing.
    pub(crate) fn is_stale(&self, party: &str, version: u64) -> bool {
        self.lock().holds_later(party, version)
    }

    /// Keeps `claims` as the history of `party` at `version`, unless a later one is kept (read
    /// by a submission that started before the later one committed: the later one stays).
    fn put(&self, party: &str, version: u64, claims: History) {
        let mut cache = self.lock();
        if cache.holds_later(party, version) {
            return;
        }
        cache.clock += 1;
        let used = cache.clock;
        if !cache.entries.contains_key(party) && cache.entries.len() >= HISTORY_CACHED_PARTIES_MAX {
            let oldest = cache
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(p, _)| p.clone());
            if let Some(oldest) = oldest {
                cache.entries.remove(&oldest);
            }
        }
        cache.entries.insert(
            party.to_owned(),
            Entry {
                version,
                claims,
                used,
            },
        );
    }

    /// After a claim about `party` committed: its history at `version` (if kept) becomes the
    /// history at `version + 1`, with `claim` (none for a rejected claim) and without the claims
    /// submitted before `from_ns`. In place when no submission reads it at the moment.
    pub(crate) fn advance(&self, party: &str, version: u64, claim: Option<&Past>, from_ns: u64) {
        let mut cache = self.lock();
        let Some(entry) = cache.entries.get_mut(party) else {
            return;
        };
        if entry.version != version {
            return;
        }
        entry.version = version + 1;
        let claims = Arc::make_mut(&mut entry.claims);
        claims.retain(|c| c.submitted_at_ns >= from_ns);
        claims.extend(claim.cloned());
        if claims.len() > HISTORY_LOADED_MAX {
            claims.sort_by_key(|c| c.submitted_at_ns);
            let excess = claims.len() - HISTORY_LOADED_MAX;
            claims.drain(..excess);
        }
    }
}

/// A claim about two parties being committed here (see [`Histories::committing`]).
pub(crate) struct Committing<'h> {
    histories: &'h Histories,
    parties: [(String, u64); 2],
}

impl Committing<'_> {
    /// The claim committed: each party's kept history advances with `claim` (none for a
    /// rejected claim), without the claims submitted before `from_ns`.
    pub(crate) fn committed(self, claim: Option<&Past>, from_ns: u64) {
        for (party, version) in &self.parties {
            self.histories.advance(party, *version, claim, from_ns);
        }
    }
}

impl Drop for Committing<'_> {
    fn drop(&mut self) {
        let mut cache = self.histories.lock();
        for key in &self.parties {
            if let Some(n) = cache.in_flight.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    cache.in_flight.remove(key);
                }
            }
        }
        drop(cache);
        self.histories.advanced.notify_all();
    }
}

/// A claim as the monitoring rules see it.
pub(crate) fn past(c: &ClaimRecord) -> Past {
    Past {
        claim_id: c.submission.id.as_str().into(),
        submitted_at_ns: c.submitted_at,
        creditor: c.submission.creditor.as_str().into(),
        debtor: c.submission.debtor.as_str().into(),
        amount_minor: c.clearing_amount_minor,
    }
}

impl House {
    /// The claims of `party` submitted at or after `from_ns`, not rejected, the most recent
    /// [`HISTORY_LOADED_MAX`], as they stand when its `activity` record is at `version`.
    pub(crate) fn history(
        &self,
        party: &str,
        version: u64,
        from_ns: u64,
    ) -> Result<History, HouseError> {
        if let Some(kept) = self.histories.get(party, version) {
            return Ok(kept);
        }
        if let Some(kept) = self.histories.advanced_to(party, version) {
            return Ok(kept);
        }
        let query = RecordQuery {
            kind: kind::CLAIM.into(),
            party: Some(party.to_owned()),
            at_from: Some(from_ns),
            newest_first: true,
            ..RecordQuery::default()
        };
        // Read newest first (the most recent are the ones kept), kept oldest first.
        let claims: Vec<Past> = self
            .list::<ClaimRecord>(query, HISTORY_LOADED_MAX)?
            .iter()
            .rev()
            .filter(|c| c.value.status != ClaimStatus::Rejected)
            .map(|c| past(&c.value))
            .collect();
        let claims = Arc::new(claims);
        self.histories.put(party, version, Arc::clone(&claims));
        Ok(claims)
    }

    /// Writes the `activity` record of each of `parties` (once each) without counting a claim:
    /// for a change that alters their monitoring history otherwise (a claim rejected), so that
    /// a submission that read the history before the change is checked again.
    pub(crate) fn touch_activity<'p>(
        &self,
        change: &mut Change,
        parties: impl IntoIterator<Item = &'p str>,
        now: u64,
    ) -> Result<(), HouseError> {
        let mut parties: Vec<&str> = parties.into_iter().collect();
        parties.sort_unstable();
        parties.dedup();
        for party in parties {
            let seen = self.load::<Activity>(kind::ACTIVITY, party)?;
            put_activity(change, party, seen.as_ref(), 0, now)?;
        }
        Ok(())
    }
}

/// Writes `party`'s `activity` record over the version `seen` (none: the first), counting
/// `added` more claims, and expects that version when the change commits.
pub(crate) fn put_activity(
    change: &mut Change,
    party: &str,
    seen: Option<&Versioned<Activity>>,
    added: u64,
    now: u64,
) -> Result<(), HouseError> {
    let (version, claims) = seen.map_or((None, 0), |v| (Some(v.version), v.value.claims));
    change.expect.push(expect(kind::ACTIVITY, party, version));
    change.put.push(record(
        kind::ACTIVITY,
        party,
        version.map_or(1, |v| v + 1),
        "active",
        (party, ""),
        now,
        &Activity {
            claims: claims + added,
        },
    )?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(id: &str, at: u64) -> Past {
        Past {
            claim_id: id.into(),
            submitted_at_ns: at,
            creditor: "eu-a".into(),
            debtor: "ir-b".into(),
            amount_minor: 100,
        }
    }

    #[test]
    fn a_submission_that_read_a_version_being_committed_here_waits_for_it() {
        let histories = Histories::default();
        histories.put("eu-a", 4, Arc::new(vec![claim("c-1", 1)]));
        // Nothing in flight: the next version is not coming, the store has to be read.
        assert!(histories.advanced_to("eu-a", 5).is_none());
        let committing = histories.committing([("eu-a", 4), ("ir-b", 0)]);
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| histories.advanced_to("eu-a", 5));
            std::thread::sleep(Duration::from_millis(2));
            committing.committed(Some(&claim("c-2", 2)), 0);
            let seen = waiter.join().unwrap().expect("the advanced history");
            let ids: Vec<&str> = seen.iter().map(|p| &*p.claim_id).collect();
            assert_eq!(ids, ["c-1", "c-2"]);
        });
        assert!(histories.lock().in_flight.is_empty());
    }

    #[test]
    fn a_commit_that_fails_stops_the_wait_and_leaves_the_history_as_it_was() {
        let histories = Histories::default();
        histories.put("eu-a", 4, Arc::new(vec![claim("c-1", 1)]));
        let committing = histories.committing([("eu-a", 4), ("ir-b", 0)]);
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| histories.advanced_to("eu-a", 5));
            std::thread::sleep(Duration::from_millis(2));
            drop(committing);
            assert!(waiter.join().unwrap().is_none());
        });
        assert_eq!(histories.get("eu-a", 4).map(|h| h.len()), Some(1));
        assert!(histories.lock().in_flight.is_empty());
    }
}
