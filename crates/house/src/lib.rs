//! The clearing house: onboarding, claims, review, clearing cycles and settlement files.
//!
//! This crate ties the engines together. It reads the clock (the [`store::Clock`] it is given)
//! and talks to the store; `screening`, `goods`, `monitoring`, `netting` and `ledger` stay pure.
//!
//! Every state change is one [`store::Change`]: the record versions it read (so that a
//! concurrent change makes it retry instead of overwriting), the ledger transfers that go with
//! it, the records it writes and the audit events that explain it, in one transaction.
//!
//! - [`House::onboard`]: a participant, every name screened; active, pending review or rejected.
//! - [`House::submit_claim`]: the checks in order (parties, invoice counterparty, goods policy,
//!   price bands, monitoring); claims that pass are reserved on the ledger by a pending
//!   transfer and await their debtor's acceptance.
//! - [`House::accept_claim`], [`House::dispute_claim`], [`House::withdraw_claim`],
//!   [`House::deem_accepted`]: a claim enters clearing only once its debtor accepted it
//!   ([`lifecycle`]).
//! - [`House::decide`], [`House::reassign`]: cases and four-eyes review.
//! - [`House::rescreen`]: after a list update, new hits open alerts and suspend participants.
//! - [`House::run_cycle`]: the INSTEX selection fixed, each payer's pay-in requested (pain.013);
//!   [`House::preview_cycle`]: what a run would clear now, by the same code, nothing written.
//! - [`settlement`]: bank files matched (camt.054/053, pain.002), suspense, pay-outs once the
//!   pay-ins they depend on arrived (pain.001), unwinds at the deadline, liquidity providers,
//!   statements (camt.053, CSV).
//! - [`House::verify`]: postings, zone balance per cycle, audit chain, users.
//! - [`users`]: who acts (roles, API tokens, passwords); four-eyes compares users.
//! - [`demo`]: the demo's population (participants, claims, reference prices), compiled in.

mod admin;
pub mod config;
mod cycle;
pub mod demo;
pub use iso20022;
mod error;
mod history;
mod ids;
mod imbalance;
pub mod in_force;
mod kept;
pub mod lifecycle;
pub mod list_store;
pub use monitoring;
mod onboarding;
pub mod opening;
pub mod pages;
mod preview;
mod review;
pub mod screened;
pub mod settlement;
mod submit;
pub mod types;
pub mod users;
mod verify;

use std::sync::Arc;

use arc_swap::ArcSwap;

use goods::Checker;
use screening::Screener;
use serde::Serialize;
use serde::de::DeserializeOwned;
use store::{Applied, AuditEvent, Change, Clock, Expect, Record, RecordQuery, Store};

pub use config::{Checked as CheckedConfig, HouseConfig, Officer, Role};
pub use cycle::{CYCLE_CLAIMS_MAX, CYCLE_PART_CLAIMS_MAX, CycleOptions, CycleReport};
pub use error::{ErrorKind, HouseError};
pub use history::{HISTORY_CACHED_PARTIES_MAX, HISTORY_LOADED_MAX};
pub use imbalance::{
    Amount, CycleImbalance, CyclePair, IMBALANCE_CYCLES_DEFAULT, IMBALANCE_CYCLES_MAX, Imbalance,
    ImbalanceInput, OldestClaim, PARTICIPANTS_READ_MAX, PairImbalance, WAITING_CLAIMS_MAX,
    WaitingClaim, ZoneAmount, imbalance_of,
};
pub use in_force::{LISTS_IN_FORCE_ID, LISTS_LOAD_RETRY_NS, ListsInForce};
pub use onboarding::{OnboardingInput, PartyDetails};
pub use opening::{HouseSource, Purpose};
pub use pages::{PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Page, PageRequest};
pub use preview::{
    ClearedExtent, CyclePreview, PositionSide, PreviewClaim, PreviewOptions, PreviewPosition,
    StayReason, StayingClaim,
};
pub use review::{DecisionOutcome, RescreenReport};
pub use settlement::files::{Statement, StatementLine};
pub use settlement::{AdvanceReport, ImportReport, ImportedEntry, UnwindReport};
pub use submit::ClaimOutcome;
pub use types::*;
pub use users::{Token, User, UserStatus};
pub use verify::HouseReport;

/// How often a change that lost a race is read again and retried.
pub const ATTEMPTS_MAX: u32 = 64;
/// Most records any listing returns.
pub const LIST_MAX: usize = store::records::RECORDS_LIMIT_MAX;

/// The sanctions lists in force.
#[derive(Debug, Clone)]
pub struct Lists {
    pub screener: Arc<Screener>,
    /// Which version (`bundled`, a version id).
    pub version: String,
    /// The content hash of the files the lists were read from ([`list_store::content_hash`]);
    /// `None` for lists built from entities alone ([`Lists::index`], [`Lists::none`]).
    pub content_hash: Option<String>,
    /// The SWIFT/BIC codes the listed entities carry (OFAC's remarks, FtM `swiftBic`).
    pub banks: Arc<BankIndex>,
    /// The answers of these lists to the names screened so far.
    pub screened: Arc<screened::ScreenCache>,
}

/// Listed entities by the SWIFT/BIC codes they carry, keyed by the 8-character institution
/// and location part: a bank is one institution whatever branch code an account names.
#[derive(Debug, Clone, Default)]
pub struct BankIndex {
    by_bic8: std::collections::HashMap<String, Vec<ListedBank>>,
}

/// A listed entity that carries a BIC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedBank {
    pub entity_id: String,
    pub caption: String,
    pub list: String,
    /// The BIC as the list writes it.
    pub bic: String,
}

impl BankIndex {
    /// Collects every identifier whose kind names SWIFT or BIC.
    pub fn new(entities: &[screening::Entity]) -> BankIndex {
        let mut by_bic8: std::collections::HashMap<String, Vec<ListedBank>> = Default::default();
        for e in entities {
            for id in &e.identifiers {
                let kind = id.kind.to_ascii_uppercase();
                if !(kind.contains("SWIFT") || kind.contains("BIC")) {
                    continue;
                }
                let Some(bic8) = bic8(&id.value) else {
                    continue;
                };
                let entry = by_bic8.entry(bic8).or_default();
                if !entry.iter().any(|b| b.entity_id == e.id) {
                    entry.push(ListedBank {
                        entity_id: e.id.clone(),
                        caption: e.caption.clone(),
                        list: e.source.clone(),
                        bic: id.value.trim().to_owned(),
                    });
                }
            }
        }
        BankIndex { by_bic8 }
    }

    /// The listed entities whose BIC is this one's institution (its first 8 characters).
    pub fn find(&self, bic: &str) -> &[ListedBank] {
        bic8(bic)
            .and_then(|k| self.by_bic8.get(&k))
            .map_or(&[], Vec::as_slice)
    }

    /// How many institutions are listed by BIC.
    pub fn len(&self) -> usize {
        self.by_bic8.len()
    }

    /// Whether no BIC is listed.
    pub fn is_empty(&self) -> bool {
        self.by_bic8.is_empty()
    }
}

/// The first 8 characters of a BIC as written on a list ("SEPBIRTH", "SEPB IR TH XXX"), upper
/// case, or `None` when it is not a BIC's shape (ISO 9362: 4 letters, 2 letters, 2 letters or
/// digits, optionally 3 more).
fn bic8(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_end_matches(['.', ',', ';'])
        .to_ascii_uppercase();
    let b = compact.as_bytes();
    let shape = (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_alphabetic)
        && b[6..].iter().all(u8::is_ascii_alphanumeric);
    shape.then(|| compact[..8].to_owned())
}

impl Lists {
    /// Indexes listed entities with the bundled cross-script name groups.
    pub fn index(entities: Vec<screening::Entity>, version: &str) -> Lists {
        let groups = screening::groups::NameGroups::parse(screening::groups::BUNDLED);
        Lists::from_screener(
            Arc::new(Screener::with_own_weights(entities, Arc::new(groups))),
            version,
        )
    }

    /// No lists at all ("not loaded"), for commands that screen no name (`verify`, reads).
    pub fn none() -> Lists {
        Lists::from_screener(
            Arc::new(Screener::with_own_weights(
                Vec::new(),
                Arc::new(screening::groups::NameGroups::parse("")),
            )),
            "not loaded",
        )
    }

    /// The lists a screener holds, with their BIC index.
    pub fn from_screener(screener: Arc<Screener>, version: &str) -> Lists {
        let banks = Arc::new(BankIndex::new(screener.entities()));
        Lists {
            screener,
            version: version.to_owned(),
            content_hash: None,
            banks,
            screened: Arc::default(),
        }
    }

    /// The lists bundled in the binary (the offline default).
    pub fn bundled() -> Result<Lists, HouseError> {
        let lists = screening::lists::bundled().map_err(|e| HouseError::Corrupt {
            kind: "lists".into(),
            id: "bundled".into(),
            message: e.to_string(),
        })?;
        let entities = lists.into_iter().flat_map(|l| l.entities).collect();
        let files: Vec<list_store::FileRecord> = screening::lists::bundled_files()
            .into_iter()
            .map(|(name, bytes)| list_store::FileRecord::of(name, bytes, "bundled"))
            .collect();
        let mut lists = Lists::index(entities, list_store::BUNDLED_VERSION);
        lists.content_hash = Some(list_store::content_hash(&files));
        Ok(lists)
    }

    /// Whether these are the lists a record of the lists in force names (version and content).
    pub fn are(&self, in_force: &ListsInForce) -> bool {
        self.version == in_force.version && self.content_hash == in_force.content_hash
    }
}

/// The clearing house over one store.
pub struct House {
    store: Store,
    clock: Clock,
    /// Swapped whole by a list update while requests read them: each operation takes one
    /// snapshot ([`House::lists`]) and screens every name of it against that one version,
    /// the version the database names in force (`in_force`).
    lists: ArcSwap<in_force::Held>,
    /// Where a version another process put in force is loaded from (`None`: nowhere).
    list_store: Option<list_store::ListStore>,
    /// Held while this house loads a version or puts one in force (one load per version,
    /// whatever the number of requests that find it missing), with the last load that failed.
    lists_loading: std::sync::Mutex<Option<in_force::LoadFailure>>,
    /// Swapped whole when the price bands are learned again.
    checker: ArcSwap<Checker>,
    config: config::Checked,
    /// The monitoring history of the participants seen lately (`history`).
    histories: history::Histories,
    /// Which user each token seen lately was issued to (`users::TokenOwners`).
    token_owners: users::TokenOwners,
    /// The participant records submissions read lately (`kept`).
    participants: kept::KeptRecords<ParticipantRecord>,
}

impl std::fmt::Debug for House {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("House")
            .field("store", &self.store)
            .field("lists", &self.lists.load().lists.version)
            .finish_non_exhaustive()
    }
}

/// A record read with its version, to write back with a compare-and-set.
#[derive(Debug, Clone)]
pub(crate) struct Versioned<T> {
    pub value: T,
    pub version: u64,
}

impl House {
    /// Sets up the house in an empty store: checks the configuration, opens the zone house
    /// accounts on the ledger, and records who did it. Refuses if it is set up already.
    pub fn init(
        store: Store,
        clock: Clock,
        lists: Lists,
        checker: Arc<Checker>,
        config: HouseConfig,
        actor: &str,
    ) -> Result<House, HouseError> {
        check_actor("actor", actor)?;
        let checked = config.clone().check()?;
        let house = House {
            store,
            clock,
            lists: ArcSwap::from_pointee(in_force::Held::unmatched(lists)),
            list_store: None,
            lists_loading: std::sync::Mutex::default(),
            checker: ArcSwap::new(checker),
            config: checked,
            histories: history::Histories::default(),
            token_owners: users::TokenOwners::default(),
            participants: kept::KeptRecords::default(),
        };
        // A house account at a listed bank would route every payment of its zone through it.
        for (i, screened) in house.screen_house_accounts(&house.lists())? {
            if let Some(hit) = screened.hits.first() {
                return Err(HouseError::invalid(
                    format!("zones[{i}].house_account.bic"),
                    format!(
                        "{} is at a listed bank: {} {:?} on {} ({})",
                        screened.name,
                        hit.entity_id,
                        hit.caption,
                        hit.list,
                        hit.explanation
                            .get("matched")
                            .and_then(|m| m.as_str())
                            .unwrap_or("name")
                    ),
                ));
            }
        }
        let now = house.now();
        let accounts = house
            .config
            .zones
            .iter()
            .map(|z| ids::zone_account(&house.config, &z.code))
            .collect();
        let body = json(&config)?;
        let mut change = Change {
            expect: vec![Expect {
                kind: kind::CONFIG.into(),
                id: "house".into(),
                version: None,
            }],
            accounts,
            transfers: Vec::new(),
            put: vec![Record {
                kind: kind::CONFIG.into(),
                id: "house".into(),
                version: 1,
                status: "active".into(),
                party: String::new(),
                counterparty: String::new(),
                at: now,
                body: body.clone(),
            }],
            audit: vec![AuditEvent {
                actor: actor.into(),
                action: "house.initialised".into(),
                subject: "config:house".into(),
                body,
            }],
        };
        users::initial_users(&config, actor, now, &mut change)?;
        match house.store.apply_change(change)? {
            Applied::Committed { .. } => {}
            Applied::Conflict { .. } => {
                return Err(HouseError::NotAllowed(
                    "the house is set up in this database already".into(),
                ));
            }
            Applied::Refused { accounts, .. } => {
                return Err(HouseError::LedgerRefused {
                    what: "the zone house accounts".into(),
                    results: result_names(&accounts),
                });
            }
        }
        Ok(house)
    }

    /// Opens a house set up before.
    pub fn open(
        store: Store,
        clock: Clock,
        lists: Lists,
        checker: Arc<Checker>,
    ) -> Result<House, HouseError> {
        let record = store
            .record(kind::CONFIG, "house")?
            .ok_or(HouseError::NotInitialised)?;
        let config: HouseConfig = parse(&record)?;
        let config = config.check()?;
        Ok(House {
            store,
            clock,
            lists: ArcSwap::from_pointee(in_force::Held::unmatched(lists)),
            list_store: None,
            lists_loading: std::sync::Mutex::default(),
            checker: ArcSwap::new(checker),
            config,
            histories: history::Histories::default(),
            token_owners: users::TokenOwners::default(),
            participants: kept::KeptRecords::default(),
        })
    }

    /// Whether the store holds a house.
    pub fn is_initialised(store: &Store) -> Result<bool, HouseError> {
        Ok(store.record(kind::CONFIG, "house")?.is_some())
    }

    /// The configuration in force.
    pub fn config(&self) -> &config::Checked {
        &self.config
    }

    /// The store underneath.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The goods checker in force (policy, nomenclature, price bands): a snapshot, kept by
    /// the caller for the whole of one operation.
    pub fn checker(&self) -> Arc<Checker> {
        self.checker.load_full()
    }

    /// Replaces the goods checker (new price bands) for the operations that start after.
    pub fn set_checker(&self, checker: Arc<Checker>) {
        self.checker.store(checker);
    }

    /// Where this house loads a version of the lists another process put in force (the lists
    /// directory; processes on one machine share it). Without one, such a version makes every
    /// operation that screens fail with [`HouseError::ListsOutOfDate`].
    pub fn with_list_store(mut self, store: list_store::ListStore) -> House {
        self.list_store = Some(store);
        self
    }

    /// The lists this house holds: a snapshot, kept by the caller for the whole of one
    /// operation so that every name it screens is screened against one version. Whether they
    /// are the lists in force for the whole house is the database's to say
    /// ([`House::lists_in_force`]).
    pub fn lists(&self) -> Arc<Lists> {
        Arc::clone(&self.lists.load().lists)
    }

    /// Replaces the lists this house holds for the operations that start after (requests
    /// under way finish on the snapshot they took). The database's record of the lists in
    /// force still decides: an operation that screens loads the version it names when the
    /// house holds another. [`House::rescreen`] puts a version in force for the whole house.
    pub fn set_lists(&self, lists: Lists) {
        self.lists.store(Arc::new(in_force::Held::unmatched(lists)));
    }

    pub(crate) fn now(&self) -> u64 {
        (self.clock)()
    }

    /// The ledger account of a zone's liquidity provider (what the house owes it).
    pub fn provider_account_id(&self, zone: &str) -> Result<u64, HouseError> {
        Ok(ids::provider_account(&self.config, &self.zone_by_code(zone)?.code).id)
    }

    /// The house's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// A record of a kind, parsed, with its version.
    pub(crate) fn load<T: DeserializeOwned>(
        &self,
        kind: &'static str,
        id: &str,
    ) -> Result<Option<Versioned<T>>, HouseError> {
        let Some(record) = self.store.record(kind, id)? else {
            return Ok(None);
        };
        Ok(Some(Versioned {
            value: parse(&record)?,
            version: record.version,
        }))
    }

    /// A record that must exist.
    pub(crate) fn get<T: DeserializeOwned>(
        &self,
        kind: &'static str,
        id: &str,
    ) -> Result<Versioned<T>, HouseError> {
        self.load(kind, id)?.ok_or_else(|| HouseError::NotFound {
            kind,
            id: id.to_owned(),
        })
    }

    /// Records of a kind, parsed, following every page up to `limit`.
    pub(crate) fn list<T: DeserializeOwned>(
        &self,
        mut query: RecordQuery,
        limit: usize,
    ) -> Result<Vec<Versioned<T>>, HouseError> {
        let mut out = Vec::new();
        while out.len() < limit {
            query.limit = (limit - out.len()).min(LIST_MAX);
            let page = self.store.records(&query)?;
            let full = page.len() == query.limit;
            if let Some(last) = page.last() {
                query.after = Some((last.at, last.id.clone()));
            }
            for record in &page {
                out.push(Versioned {
                    value: parse(record)?,
                    version: record.version,
                });
            }
            if !full {
                break;
            }
        }
        Ok(out)
    }

    /// The values of the records of a kind, oldest first, optionally in one state and of one
    /// party (either side).
    fn values<T: DeserializeOwned>(
        &self,
        kind: &str,
        status: Option<&str>,
        party: Option<&str>,
        limit: usize,
    ) -> Result<Vec<T>, HouseError> {
        let query = RecordQuery {
            kind: kind.into(),
            status: status.map(str::to_owned),
            party: party.map(str::to_owned),
            ..RecordQuery::default()
        };
        Ok(self
            .list(query, limit)?
            .into_iter()
            .map(|v| v.value)
            .collect())
    }

    /// Claims in any of `statuses` that match `filter`'s other fields, each once: a claim that
    /// moved from one of the states to another between the reads (a cycle or a decision
    /// committed meanwhile) is kept at its newest version, and the change that uses it then
    /// finds out whether it is still current.
    pub(crate) fn claims_in(
        &self,
        statuses: &[ClaimStatus],
        filter: RecordQuery,
    ) -> Result<Vec<Versioned<ClaimRecord>>, HouseError> {
        let mut claims: Vec<Versioned<ClaimRecord>> = Vec::new();
        let mut position = std::collections::HashMap::new();
        for status in statuses {
            let query = RecordQuery {
                kind: kind::CLAIM.into(),
                status: Some(status.as_str().into()),
                ..filter.clone()
            };
            for claim in self.list::<ClaimRecord>(query, usize::MAX)? {
                match position.get(&claim.value.submission.id) {
                    Some(&i) => {
                        let seen: &mut Versioned<ClaimRecord> = &mut claims[i];
                        if claim.version > seen.version {
                            *seen = claim;
                        }
                    }
                    None => {
                        position.insert(claim.value.submission.id.clone(), claims.len());
                        claims.push(claim);
                    }
                }
            }
        }
        Ok(claims)
    }

    /// Every participant, oldest first.
    pub fn participants(
        &self,
        status: Option<ParticipantStatus>,
    ) -> Result<Vec<ParticipantRecord>, HouseError> {
        self.values(
            kind::PARTICIPANT,
            status.map(ParticipantStatus::as_str),
            None,
            usize::MAX,
        )
    }

    /// One participant.
    pub fn participant(&self, id: &str) -> Result<ParticipantRecord, HouseError> {
        Ok(self.get(kind::PARTICIPANT, id)?.value)
    }

    /// Claims, oldest first: of one participant (as either side), in one state.
    pub fn claims(
        &self,
        participant: Option<&str>,
        status: Option<ClaimStatus>,
        limit: usize,
    ) -> Result<Vec<ClaimRecord>, HouseError> {
        self.values(
            kind::CLAIM,
            status.map(ClaimStatus::as_str),
            participant,
            limit,
        )
    }

    /// One claim.
    pub fn claim(&self, id: &str) -> Result<ClaimRecord, HouseError> {
        Ok(self.get(kind::CLAIM, id)?.value)
    }

    /// Alerts, oldest first.
    pub fn alerts(
        &self,
        status: Option<AlertStatus>,
        participant: Option<&str>,
    ) -> Result<Vec<Alert>, HouseError> {
        self.values(
            kind::ALERT,
            status.map(AlertStatus::as_str),
            participant,
            usize::MAX,
        )
    }

    /// Cases, oldest first.
    pub fn cases(&self, status: Option<CaseStatus>) -> Result<Vec<Case>, HouseError> {
        self.values(kind::CASE, status.map(CaseStatus::as_str), None, usize::MAX)
    }

    /// One case with its alerts and the audit entries about it.
    pub fn case(&self, id: &str) -> Result<(Case, Vec<Alert>, Vec<store::AuditRow>), HouseError> {
        let case: Case = self.get(kind::CASE, id)?.value;
        let alerts = case
            .alerts
            .iter()
            .map(|a| Ok(self.get::<Alert>(kind::ALERT, a)?.value))
            .collect::<Result<Vec<_>, HouseError>>()?;
        let audit = self
            .store
            .audit(0, Some(&format!("case:{id}")), store::LIST_LIMIT_MAX)?;
        Ok((case, alerts, audit))
    }

    /// Cycles, oldest first, each with its selection.
    pub fn cycles(&self) -> Result<Vec<Cycle>, HouseError> {
        let query = RecordQuery {
            kind: kind::CYCLE.into(),
            ..RecordQuery::default()
        };
        self.list::<Cycle>(query, usize::MAX)?
            .into_iter()
            .map(|c| Ok(self.with_claims(c)?.value))
            .collect()
    }

    /// One cycle, with its selection.
    pub fn cycle(&self, number: u64) -> Result<Cycle, HouseError> {
        Ok(self.cycle_versioned(number)?.value)
    }

    /// A participant's statement of its account at the house for one cycle: its claims
    /// posted and its payments booked so far, in its zone's currency.
    pub fn statement(&self, participant: &str, number: u64) -> Result<Statement, HouseError> {
        let cycle = self.cycle(number)?;
        let participants = self.participants_by_id()?;
        let claims = settlement::files::ClaimsOf::new(&cycle);
        settlement::files::statement_of(self, &cycle, participant, &participants, &claims)
    }

    /// A participant's statement for a cycle as files: camt.053 XML and CSV.
    pub fn statement_files(
        &self,
        participant: &str,
        number: u64,
    ) -> Result<(Vec<u8>, Vec<u8>), HouseError> {
        let cycle = self.cycle(number)?;
        let participants = self.participants_by_id()?;
        let claims = settlement::files::ClaimsOf::new(&cycle);
        let statement =
            settlement::files::statement_of(self, &cycle, participant, &participants, &claims)?;
        let record = self.participant(participant)?;
        settlement::files::participant_statement_files(self, &cycle, &record, &statement)
    }

    /// Applies a change; a conflict or a refusal becomes an error the caller may retry on.
    pub(crate) fn commit(&self, change: Change, what: &str) -> Result<Commit, HouseError> {
        match self.store.apply_change(change)? {
            Applied::Committed { .. } => Ok(Commit::Done),
            Applied::Conflict { kind, id, .. } => Ok(Commit::Raced(format!("{kind} {id}"))),
            Applied::Refused {
                accounts,
                transfers,
            } => Err(HouseError::LedgerRefused {
                what: what.to_owned(),
                results: format!(
                    "accounts {}, transfers {}",
                    result_names(&accounts),
                    result_names(&transfers)
                ),
            }),
        }
    }
}

/// What became of a commit.
pub(crate) enum Commit {
    Done,
    /// Another writer changed a record read: read again and retry.
    Raced(String),
}

/// Longest actor (officer, operator, participant user) name, in characters.
pub const ACTOR_NAME_LEN_MAX: usize = 128;

/// Checks the name of whoever acts: not empty, no control characters, nothing that reorders or
/// hides text (U+202E …), so that the audit trail names people as they read.
pub(crate) fn check_actor(field: &str, actor: &str) -> Result<(), HouseError> {
    let cleaned = model::clean_text(actor, ACTOR_NAME_LEN_MAX)
        .map_err(|e| HouseError::invalid(field, format!("{:?}: {e}", model::echo_input(actor))))?;
    if cleaned != actor {
        return Err(HouseError::invalid(
            field,
            format!("{:?}: surrounding spaces", model::echo_input(actor)),
        ));
    }
    Ok(())
}

/// The JSON of a value.
pub(crate) fn json<T: Serialize>(value: &T) -> Result<String, HouseError> {
    serde_json::to_string(value).map_err(|e| HouseError::Corrupt {
        kind: "json".into(),
        id: String::new(),
        message: e.to_string(),
    })
}

/// A stored record's body.
/// A record read by [`Store::records_by_key`], parsed with its version.
pub(crate) fn versioned<T: DeserializeOwned>(
    record: Option<&Record>,
) -> Result<Option<Versioned<T>>, HouseError> {
    record
        .map(|r| {
            Ok(Versioned {
                value: parse(r)?,
                version: r.version,
            })
        })
        .transpose()
}

pub(crate) fn parse<T: DeserializeOwned>(record: &Record) -> Result<T, HouseError> {
    serde_json::from_str(&record.body).map_err(|e| HouseError::Corrupt {
        kind: record.kind.clone(),
        id: record.id.clone(),
        message: e.to_string(),
    })
}

/// Ledger results by their names (`[ok, exceeds_credits]`), one per event.
fn result_names<T: std::fmt::Display>(results: &[T]) -> String {
    let names: Vec<String> = results.iter().map(ToString::to_string).collect();
    format!("[{}]", names.join(", "))
}

/// An amount in minor units of a currency given by its ISO 4217 code, as people read it
/// (`EUR 1250.00`): what the house and its command line print wherever money is shown. An
/// unknown code, or an amount the currency cannot hold, is printed as minor units with the code.
pub fn money_text(minor: i64, currency: &str) -> String {
    model::currency::from_code(currency)
        .ok()
        .and_then(|c| model::Money::new(minor, c).ok())
        .map_or_else(
            || format!("{currency} {minor} (minor units)"),
            |m| m.to_string(),
        )
}

/// A record to write.
pub(crate) fn record<T: Serialize>(
    kind: &str,
    id: &str,
    version: u64,
    status: &str,
    (party, counterparty): (&str, &str),
    at: u64,
    value: &T,
) -> Result<Record, HouseError> {
    Ok(Record {
        kind: kind.into(),
        id: id.into(),
        version,
        status: status.into(),
        party: party.into(),
        counterparty: counterparty.into(),
        at,
        body: json(value)?,
    })
}

/// Expect a record at a version (`None`: absent).
pub(crate) fn expect(kind: &str, id: &str, version: Option<u64>) -> Expect {
    Expect {
        kind: kind.into(),
        id: id.into(),
        version,
    }
}

/// An audit event.
pub(crate) fn audit<T: Serialize>(
    actor: &str,
    action: &str,
    subject: String,
    body: &T,
) -> Result<AuditEvent, HouseError> {
    Ok(AuditEvent {
        actor: actor.into(),
        action: action.into(),
        subject,
        body: json(body)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bic8_takes_the_institution_of_any_written_form() {
        assert_eq!(bic8("SEPBIRTH").as_deref(), Some("SEPBIRTH"));
        assert_eq!(bic8("sepbirthxxx").as_deref(), Some("SEPBIRTH"));
        assert_eq!(bic8("FTBD KP PY.").as_deref(), Some("FTBDKPPY"));
        assert_eq!(bic8("SEPBIRT"), None);
        assert_eq!(bic8("12PBIRTH"), None);
        assert_eq!(bic8("SEPBIRTHXX"), None);
    }
}
