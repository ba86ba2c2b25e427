//! Delta rescreening: after a list update, find the screened names whose result changes, without
//! rescreening every name against every list from scratch.
//!
//! A name's result can only change if (a) one of its previous matches was removed or changed, or
//! (b) an added or changed entity now matches it. (a) is a set lookup; (b) screens the names
//! against a small index of the added and changed entities only. The names flagged either way are
//! rescreened against the full new index; every other name keeps its result. This is exact when
//! both versions are scored with the same [`Weights`] (token weights are then a function of the
//! token alone) — the one approximation left is the candidate cut ([`crate::index::CANDIDATES_MAX`]):
//! an unchanged entity that was a candidate before could, in theory, be crowded out of the
//! candidates by new entities sharing only common tokens with the name.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::entity::Entity;
use crate::groups::NameGroups;
use crate::index::Weights;
use crate::normalize::NameError;
use crate::screener::{Match, Query, Scratch, Screener};

/// What changed between two versions of the lists, by entity id.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ListDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

impl ListDiff {
    /// Compares two versions entity by entity.
    pub fn between(old: &[Entity], new: &[Entity]) -> ListDiff {
        let old_by_id: HashMap<&str, &Entity> = old.iter().map(|e| (e.id.as_str(), e)).collect();
        let new_ids: HashSet<&str> = new.iter().map(|e| e.id.as_str()).collect();
        let mut diff = ListDiff::default();
        for entity in new {
            match old_by_id.get(entity.id.as_str()) {
                None => diff.added.push(entity.id.clone()),
                Some(previous) if *previous != entity => diff.changed.push(entity.id.clone()),
                Some(_) => {}
            }
        }
        diff.removed = old
            .iter()
            .filter(|e| !new_ids.contains(e.id.as_str()))
            .map(|e| e.id.clone())
            .collect();
        diff
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// One name as screened before, with the entity ids it matched then.
#[derive(Debug, Clone, PartialEq)]
pub struct Screened {
    pub query: Query,
    pub matched: Vec<String>,
}

/// A name whose result changes under the new lists.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    /// Index of the name in the input.
    pub position: usize,
    pub matches: Vec<Match>,
    /// Entity ids matched now and not before.
    pub new_hits: Vec<String>,
    /// Entity ids matched before and not now.
    pub gone: Vec<String>,
}

/// The outcome of a delta rescreen, with how much work it saved.
#[derive(Debug, Clone, PartialEq)]
pub struct DeltaOutcome {
    pub diff: ListDiff,
    pub changed: Vec<Changed>,
    /// Names rescreened against the full new index (the rest were settled by the delta index).
    pub rescreened: usize,
}

/// Finds the names whose matches (ids at or above `threshold`) change from `old` to `new`.
/// `new` must have been built with `weights`, the weights the previous results were scored with.
#[allow(clippy::too_many_arguments)]
pub fn rescreen(
    old: &[Entity],
    new: &Screener,
    groups: Arc<NameGroups>,
    weights: &Weights,
    screened: &[Screened],
    threshold: f64,
    limit: usize,
) -> Result<DeltaOutcome, NameError> {
    let diff = ListDiff::between(old, new.entities());
    let touched: HashSet<&str> = diff
        .removed
        .iter()
        .chain(&diff.changed)
        .map(String::as_str)
        .collect();
    let fresh: HashSet<&str> = diff
        .added
        .iter()
        .chain(&diff.changed)
        .map(String::as_str)
        .collect();
    let delta_entities: Vec<Entity> = new
        .entities()
        .iter()
        .filter(|e| fresh.contains(e.id.as_str()))
        .cloned()
        .collect();
    let delta = Screener::new(delta_entities, groups, weights);
    let (mut scratch, mut delta_scratch) = (Scratch::default(), Scratch::default());
    let mut changed = Vec::new();
    let mut rescreened = 0;
    for (position, item) in screened.iter().enumerate() {
        let lost_one = item.matched.iter().any(|id| touched.contains(id.as_str()));
        let gains_one = !fresh.is_empty()
            && !delta
                .screen(&item.query, threshold, 1, &mut delta_scratch)?
                .is_empty();
        if !lost_one && !gains_one {
            continue;
        }
        rescreened += 1;
        let matches = new.screen(&item.query, threshold, limit, &mut scratch)?;
        let now: Vec<String> = matches.iter().map(|m| m.entity_id.clone()).collect();
        let new_hits: Vec<String> = now
            .iter()
            .filter(|id| !item.matched.contains(id))
            .cloned()
            .collect();
        let gone: Vec<String> = item
            .matched
            .iter()
            .filter(|id| !now.contains(id))
            .cloned()
            .collect();
        let rescored = matches.iter().any(|m| fresh.contains(m.entity_id.as_str()));
        if !new_hits.is_empty() || !gone.is_empty() || rescored {
            changed.push(Changed {
                position,
                matches,
                new_hits,
                gone,
            });
        }
    }
    Ok(DeltaOutcome {
        diff,
        changed,
        rescreened,
    })
}
