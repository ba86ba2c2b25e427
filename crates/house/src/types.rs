//! What the house keeps: participants, claims, alerts, cases and cycles, each stored as one
//! versioned record (`store::Record`) whose body is the JSON of these types.

use model::{GoodsLine, Money, Participant};
use serde::{Deserialize, Serialize};

/// Record kinds.
pub mod kind {
    pub const CONFIG: &str = "config";
    pub const PARTICIPANT: &str = "participant";
    pub const CLAIM: &str = "claim";
    pub const ALERT: &str = "alert";
    pub const CASE: &str = "case";
    pub const CYCLE: &str = "cycle";
    pub const IDEMPOTENCY: &str = "idempotency";
    pub const ACTIVITY: &str = "activity";
    /// The first claim of an invoice (creditor, debtor, invoice number), to find a second.
    pub const INVOICE: &str = "invoice";
    /// The first claim of an amount and due date between two parties, to find the same invoice
    /// under another number.
    pub const INVOICE_AMOUNT: &str = "invoice_amount";
    /// The participant whose account an IBAN is.
    pub const IBAN: &str = "iban";
    /// The participant registered under a country's registration number.
    pub const REGISTRATION: &str = "registration";
    /// A part of a cycle's selection: up to `CYCLE_PART_CLAIMS_MAX` of its claims.
    pub const CYCLE_CLAIMS: &str = "cycle_claims";
    /// A caller's idempotency key of a cycle run, with the cycle it ran.
    pub const CYCLE_KEY: &str = "cycle_key";
    /// One entry of a bank file (a credit on a zone house account, or a debit): matched to a
    /// pay-in, held in suspense, refunded or kept.
    pub const BANK_ENTRY: &str = "bank_entry";
    /// A bank file imported once (by its SHA-256): importing it again changes nothing.
    pub const BANK_FILE: &str = "bank_file";
    /// What the liquidity providers lent and the zones hold (one record, `house`).
    pub const LIQUIDITY: &str = "liquidity";
    /// A user of the house (keyed by name): role, status, the hashes of its secrets.
    pub const USER: &str = "user";
    /// An API token in force or revoked, keyed by its lookup hash (never the token).
    pub const USER_TOKEN: &str = "user_token";
    /// How many users the house has and how many are active per role (one record, `house`).
    pub const USER_ROSTER: &str = "user_roster";
    /// The lists in force for the whole house (one record, `current`): the version every
    /// process screens against (`in_force`).
    pub const LISTS_IN_FORCE: &str = "lists_in_force";
}

/// Where a participant stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantStatus {
    /// May submit and receive claims.
    Active,
    /// Screening found hits at onboarding; waits for four-eyes review.
    PendingReview,
    /// A list update found new hits; waits for review. Its claims are not cleared meanwhile.
    Suspended,
    /// Refused by an officer (or a confirmed hit).
    Rejected,
}

impl ParticipantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ParticipantStatus::Active => "active",
            ParticipantStatus::PendingReview => "pending_review",
            ParticipantStatus::Suspended => "suspended",
            ParticipantStatus::Rejected => "rejected",
        }
    }
}

/// Which name of a participant (or claim) was screened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameRole {
    LegalName,
    BeneficialOwner,
    Director,
    InvoiceCounterparty,
    /// The bank that holds the account (its BIC, and its name when given).
    Bank,
}

impl NameRole {
    pub fn as_str(self) -> &'static str {
        match self {
            NameRole::LegalName => "legal name",
            NameRole::BeneficialOwner => "beneficial owner",
            NameRole::Director => "director",
            NameRole::InvoiceCounterparty => "invoice counterparty",
            NameRole::Bank => "bank",
        }
    }
}

/// One listed entity a name matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub entity_id: String,
    pub caption: String,
    pub list: String,
    pub score: f64,
    /// Which parts matched how, and what birth date and country added: the screener's words.
    pub explanation: serde_json::Value,
}

/// One name as screened, with what it matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreenedName {
    pub role: NameRole,
    /// The owner's or director's id; `None` for the legal name.
    pub party: Option<String>,
    pub name: String,
    pub birth_date: Option<String>,
    pub countries: Vec<String>,
    /// Organisation or person.
    pub person: bool,
    pub hits: Vec<Hit>,
}

/// A participant as kept by the house.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantRecord {
    pub participant: Participant,
    pub registration_number: String,
    /// The name of the bank holding its account, when the applicant gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    pub status: ParticipantStatus,
    /// Its position account on the ledger.
    pub account_id: u64,
    pub screening: Vec<ScreenedName>,
    /// The list version of the last screening.
    pub lists_version: String,
    pub onboarded_at: u64,
    pub onboarded_by: String,
    /// Open alerts about it.
    pub open_alerts: Vec<String>,
}

/// Where a claim stands (the lifecycle is described in `crate::lifecycle`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Passed every check, reserved on the ledger, waiting for its debtor to accept it.
    AwaitingAcceptance,
    /// Accepted by its debtor, reserved on the ledger, waiting for a cycle.
    #[default]
    Queued,
    /// Some of it cleared; the rest waits for the next cycle.
    PartiallyCleared,
    /// Cleared in full.
    Cleared,
    /// Waiting for review.
    Held,
    /// Refused.
    Rejected,
    /// Disputed by its debtor: out of clearing, its reservation released.
    Disputed,
    /// Withdrawn by its creditor before it cleared: out of clearing, its reservation released.
    Withdrawn,
}

/// The status of a claim that a cycle holds (until its cycle settles, the claim's own record
/// says `queued` or `partially_cleared`): shown as `settling`.
pub const CLAIM_SETTLING: &str = "settling";

impl ClaimStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Queued => "queued",
            ClaimStatus::PartiallyCleared => "partially_cleared",
            ClaimStatus::Cleared => "cleared",
            ClaimStatus::Held => "held",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::AwaitingAcceptance => "awaiting_acceptance",
            ClaimStatus::Disputed => "disputed",
            ClaimStatus::Withdrawn => "withdrawn",
        }
    }

    /// Whether cycles take it.
    pub fn is_clearable(self) -> bool {
        matches!(self, ClaimStatus::Queued | ClaimStatus::PartiallyCleared)
    }
}

/// What a check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    /// Nothing to check against (a price with no reference band): the claim goes on, and the
    /// record says it was not checked.
    NotChecked,
    Hold,
    Reject,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::NotChecked => "not_checked",
            Outcome::Hold => "hold",
            Outcome::Reject => "reject",
        }
    }
}

/// One check of a claim, in the order they ran, with what it saw and what it concluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// `parties`, `counterparty`, `goods`, `prices`, `monitoring`.
    pub step: String,
    /// What it looked at (`line 2`, `creditor eu-pharma`).
    pub subject: String,
    pub outcome: Outcome,
    /// Why, in words; empty when it passed.
    pub findings: Vec<String>,
    /// The inputs the check saw.
    pub inputs: serde_json::Value,
}

/// The party named as buyer on the invoice, which may differ from the registered importer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceParty {
    pub name: String,
    #[serde(default)]
    pub country: Option<String>,
    /// A person or an organisation; when not given, the name is screened against both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CounterpartyKind>,
}

/// What kind of party an invoice counterparty is, when the submitter says. Read with the
/// screening crate's one schema parser, so FollowTheMoney names (`Person`, `Company`,
/// `Organization`, `PublicBody`) are accepted as well as ours; written as ours (`person`,
/// `organization`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "String")]
pub enum CounterpartyKind {
    Person,
    Organization,
}

impl std::str::FromStr for CounterpartyKind {
    type Err = String;

    fn from_str(text: &str) -> Result<CounterpartyKind, String> {
        match screening::entity::parse_schema(text).map_err(|e| e.to_string())? {
            screening::Schema::Person => Ok(CounterpartyKind::Person),
            screening::Schema::Organization => Ok(CounterpartyKind::Organization),
            // A counterparty that may be either is one whose kind is not given.
            screening::Schema::LegalEntity => Err(format!(
                "kind {text:?}: a legal entity may be a person or an organisation; leave the \
                 kind out to screen the name against both"
            )),
            screening::Schema::Vessel | screening::Schema::Aircraft => Err(format!(
                "kind {text:?}: an invoice counterparty is a person or an organisation"
            )),
        }
    }
}

impl TryFrom<String> for CounterpartyKind {
    type Error = String;

    fn try_from(text: String) -> Result<CounterpartyKind, String> {
        text.parse()
    }
}

/// A claim as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimSubmission {
    /// The client's key for this request: the same key and body again get the first answer;
    /// the same key with another body is refused.
    pub idempotency_key: String,
    /// The claim's id, chosen by the exporter.
    pub id: String,
    /// The exporter, owed the amount.
    pub creditor: String,
    /// The importer, who owes it.
    pub debtor: String,
    /// The invoice's number.
    pub invoice_number: String,
    /// The invoiced amount (`EUR 1200.00`), the sum of the lines.
    pub amount: Money,
    /// When it falls due.
    pub due_date: model::Date,
    /// Incoterms 2020 rule (`CIF`, `FOB`, …).
    pub incoterms: String,
    /// The buyer as named on the invoice.
    pub invoice_counterparty: InvoiceParty,
    /// The goods.
    pub goods_lines: Vec<GoodsLine>,
}

/// One settlement of a claim in a cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settled {
    pub cycle: u64,
    /// Cleared in this cycle, clearing-currency minor units.
    pub amount_minor: i64,
    /// Of which by domestic set-off.
    pub set_off_minor: i64,
    /// The ledger transfer that posted it.
    pub transfer_id: u64,
}

/// A claim as kept by the house.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimRecord {
    pub submission: ClaimSubmission,
    /// SHA-256 of the canonical request.
    pub request_hash: String,
    pub submitted_by: String,
    pub submitted_at: u64,
    pub creditor_zone: String,
    pub debtor_zone: String,
    /// The amount in the clearing currency, minor units (converted at the agreed rate).
    pub clearing_amount_minor: i64,
    /// 0 humanitarian (cleared first), 1 other goods.
    pub priority: u32,
    pub status: ClaimStatus,
    pub checks: Vec<Check>,
    pub alerts: Vec<String>,
    pub case: Option<String>,
    /// The live pending transfer reserving what is still owed, if any.
    pub reserve_transfer: Option<u64>,
    pub cleared_minor: i64,
    pub settlements: Vec<Settled>,
    /// Why it was rejected, if it was.
    pub rejection: Option<String>,
    /// Submitted under the rule that a claim enters clearing only once its debtor accepted it
    /// (`false` on claims submitted before the rule, which entered clearing without).
    #[serde(default)]
    pub acceptance_required: bool,
    /// Its debtor's acceptance (given, or deemed after the house's `acceptance` setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acceptance: Option<Acceptance>,
    /// Its debtor's dispute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispute: Option<PartyStep>,
    /// Its creditor's withdrawal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawal: Option<PartyStep>,
}

/// A debtor's acceptance of a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    /// The user who accepted it for the debtor, or who ran the deemed acceptance.
    pub by: String,
    /// The debtor.
    pub participant: String,
    pub at: u64,
    /// Deemed accepted: no dispute within the house's `acceptance.deemed_after_days`.
    #[serde(default)]
    pub deemed: bool,
}

/// A party's dispute or withdrawal of a claim: who, for which participant, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyStep {
    pub by: String,
    pub participant: String,
    pub at: u64,
    pub reason: String,
}

impl ClaimRecord {
    /// What is still owed, clearing-currency minor units.
    pub fn remaining_minor(&self) -> i64 {
        self.clearing_amount_minor - self.cleared_minor
    }
}

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Open,
    /// Reviewed: a false positive or acceptable.
    Cleared,
    /// Reviewed: confirmed; the subject was refused.
    Confirmed,
}

impl AlertStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Open => "open",
            AlertStatus::Cleared => "cleared",
            AlertStatus::Confirmed => "confirmed",
        }
    }
}

/// Something a check found that an officer must look at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    /// `participant:<id>` or `claim:<id>`.
    pub subject: String,
    /// The participant it concerns.
    pub participant: String,
    /// `sanctions`, `goods`, `prices`, `monitoring`.
    pub category: String,
    /// A code for machines (`sanctions_hit`, `dual_use`, `over_invoicing`, `velocity`, …).
    pub code: String,
    pub explanation: String,
    pub inputs: serde_json::Value,
    pub status: AlertStatus,
    pub case: String,
    pub created_at: u64,
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    /// One officer proposed a release; a second, different officer must agree.
    AwaitingSecond,
    Released,
    Rejected,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::AwaitingSecond => "awaiting_second",
            CaseStatus::Released => "released",
            CaseStatus::Rejected => "rejected",
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(self, CaseStatus::Released | CaseStatus::Rejected)
    }
}

/// What an officer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Release the claim, or clear the participant (needs two officers).
    Release,
    /// Refuse (one officer suffices).
    Reject,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Release => "release",
            Verdict::Reject => "reject",
        }
    }
}

/// One decision on a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub officer: String,
    pub verdict: Verdict,
    pub reason: String,
    pub at: u64,
}

/// Alerts about one subject, reviewed together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: String,
    pub subject: String,
    pub participant: String,
    pub alerts: Vec<String>,
    pub status: CaseStatus,
    pub assignee: Option<String>,
    pub decisions: Vec<Decision>,
    pub opened_at: u64,
}

/// A claim's part in a cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleClaim {
    pub claim: String,
    pub creditor: String,
    pub debtor: String,
    pub priority: u32,
    /// Still owed when the cycle started.
    pub owed_minor: i64,
    pub cleared_minor: i64,
    pub set_off_minor: i64,
    pub status_after: ClaimStatus,
    /// The invoice it is for, as the remittance of payments names it.
    #[serde(default)]
    pub invoice_number: String,
    #[serde(default)]
    pub due_date: String,
    #[serde(default)]
    pub creditor_zone: String,
    #[serde(default)]
    pub debtor_zone: String,
    /// When it was submitted: with the priority and the id, its rank in the selection.
    #[serde(default)]
    pub submitted_at: u64,
    /// Its cleared part is posted on the ledger (every pay-in it depends on arrived).
    #[serde(default)]
    pub posted: bool,
    /// An earlier cycle cleared part of it already.
    #[serde(default)]
    pub partly_cleared_before: bool,
}

/// One payment of a cycle, between a participant and its zone's house account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CyclePayment {
    pub zone: String,
    pub participant: String,
    /// `pay_in` (the participant pays the zone house) or `pay_out` (the house pays it).
    pub direction: String,
    /// Clearing-currency minor units.
    pub amount_minor: i64,
    /// In the zone's currency, minor units (exact at the agreed rate).
    pub zone_amount_minor: i64,
    pub zone_currency: String,
    pub transfer_id: u64,
}

/// A zone's totals in a cycle, in the zone's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleZone {
    /// The zone's code.
    pub zone: String,
    /// The zone's currency (ISO 4217): the currency of the two totals of payments below.
    pub currency: String,
    /// What the zone's payers pay in, zone currency.
    pub paid_in_minor: i64,
    /// What the zone's payees are paid out, zone currency.
    pub paid_out_minor: i64,
    /// Cleared claims with both parties in this zone, clearing currency.
    pub domestic_minor: i64,
    /// Cleared cross-border claims whose creditor is in this zone, clearing currency.
    pub cross_border_in_minor: i64,
    /// Cleared cross-border claims whose debtor is in this zone, clearing currency.
    pub cross_border_out_minor: i64,
}

/// A file a cycle wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleFile {
    pub path: String,
    pub sha256: String,
}

/// A clearing cycle.
///
/// Its selection (`claims`) is stored in parts of kind `cycle_claims`; the record of kind
/// `cycle` holds the rest, with `claims` empty, and [`crate::House::cycle`] puts them together.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cycle {
    pub number: u64,
    pub cutoff: u64,
    pub run_at: u64,
    pub run_by: String,
    pub set_off_domestic: bool,
    pub clearing_currency: String,
    #[serde(default)]
    pub claims: Vec<CycleClaim>,
    /// The payments of cycles run before pay-in came before pay-out (each posted at once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payments: Vec<CyclePayment>,
    pub zones: Vec<CycleZone>,
    pub files: Vec<CycleFile>,
    /// The audit and ledger journal heads when the cycle started (`audit:SEQ:HASH
    /// ledger:SEQ:HASH`), carried in every file it wrote: a receipt of the history so far,
    /// which `clearhouse verify --expect-head` checks is still there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
    /// Where the cycle stands.
    #[serde(default)]
    pub status: CycleStatus,
    /// Pay-ins are due by then (UTC nanoseconds); a payer who has not paid is unwound.
    #[serde(default)]
    pub deadline: u64,
    /// Bumped each time the selection is computed again (an unwind).
    #[serde(default)]
    pub revision: u32,
    /// One net position per participant of the cycle: what it pays in or is paid out.
    #[serde(default)]
    pub positions: Vec<Position>,
    /// The participants unwound, and why.
    #[serde(default)]
    pub unwinds: Vec<Unwind>,
    /// How many parts of kind `cycle_claims` hold the selection.
    #[serde(default)]
    pub claim_parts: u32,
    /// How many pay-out files were written.
    #[serde(default)]
    pub payout_batches: u32,
    /// The directory of its files (links resolved).
    #[serde(default)]
    pub directory: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<u64>,
    /// The house's liquidity providers in this cycle: what each paid beyond the counter-flow
    /// (a draw) or was repaid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub liquidity: Vec<LiquidityMove>,
}

/// Where a cycle stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleStatus {
    /// Payment requests sent; pay-ins arriving.
    AwaitingPayIns,
    /// Every pay-in is in (or unwound); pay-outs being made.
    PayingOut,
    /// Every claim posted and every pay-out instructed.
    #[default]
    Settled,
}

impl CycleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CycleStatus::AwaitingPayIns => "awaiting_pay_ins",
            CycleStatus::PayingOut => "paying_out",
            CycleStatus::Settled => "settled",
        }
    }
}

/// Where a participant's position in a cycle stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionStatus {
    /// A payer asked to pay (pain.013 sent), not paid in full yet.
    Requested,
    /// A payer who paid in full.
    Paid,
    /// A payer who missed the deadline: its claims left the cycle.
    Unwound,
    /// Its claims left the cycle (recomputed without them); nothing to pay or be paid.
    Left,
    /// A payee waiting for its pay-out.
    Waiting,
    /// A payee whose pay-out was instructed (pain.001 written).
    PaidOut,
    /// A payee whose pay-out the bank rejected (pain.002): retried or raised.
    Rejected,
    /// Nets to zero: its claims cleared without any payment.
    Flat,
}

impl PositionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PositionStatus::Requested => "requested",
            PositionStatus::Paid => "paid",
            PositionStatus::Unwound => "unwound",
            PositionStatus::Left => "left",
            PositionStatus::Waiting => "waiting",
            PositionStatus::PaidOut => "paid_out",
            PositionStatus::Rejected => "rejected",
            PositionStatus::Flat => "flat",
        }
    }
}

/// A ledger transfer booked for a position or a bank entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booked {
    pub transfer_id: u64,
    /// `pay_in`, `pay_out`, `pay_out_returned`, `excess`, `suspense_in`, `applied`, `refund`.
    pub what: String,
    /// Clearing-currency minor units.
    pub amount_minor: i64,
    pub at: u64,
}

/// A participant's net position in a cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub participant: String,
    pub zone: String,
    /// The zone's currency.
    pub currency: String,
    /// Clearing-currency minor units: positive, the house pays it; negative, it pays the house.
    pub net_minor: i64,
    /// What it pays or is paid, in the zone's currency (exact at the agreed rate).
    pub due_minor: i64,
    /// Paid in so far, zone currency (a payer).
    pub received_minor: i64,
    pub status: PositionStatus,
    /// The ISO 11649 creditor reference its pay-in carries (a payer).
    pub reference: String,
    pub end_to_end_id: String,
    /// Bank entries applied to it.
    #[serde(default)]
    pub credits: Vec<String>,
    /// The current pay-out (a payee).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payout: Option<Payout>,
    #[serde(default)]
    pub booked: Vec<Booked>,
}

impl Position {
    /// Still to pay in, zone currency.
    pub fn outstanding_minor(&self) -> i64 {
        if self.net_minor < 0 {
            (self.due_minor - self.received_minor).max(0)
        } else {
            0
        }
    }
}

/// A pay-out instructed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    /// 1 for the first instruction, then one more per retry.
    pub attempt: u32,
    pub end_to_end_id: String,
    /// The pain.001 message that carries it.
    pub message_id: String,
    pub instructed_at: u64,
    pub transfer_id: u64,
    /// The bank confirmed it (pain.002 accepted, or a debit on the house account).
    #[serde(default)]
    pub confirmed: bool,
    /// The bank's reason for a rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<String>,
}

/// A participant unwound from a cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unwind {
    pub participant: String,
    pub at: u64,
    pub by: String,
    pub reason: String,
    /// Claims that left the cycle with it (and by the recomputation).
    pub claims_left: Vec<String>,
    /// Participants whose claims left because the recomputed cycle would have asked them for
    /// more than they paid.
    pub also_left: Vec<String>,
    /// The revision of the selection after it.
    pub revision: u32,
}

/// What a zone's liquidity provider and the zone's held money did in a cycle, clearing-currency
/// minor units. `beyond = held_used + drawn` when the zone pays out more than it collects
/// (`beyond > 0`), `-beyond = repaid + held_added` when it collects more.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiquidityMove {
    pub zone: String,
    /// How much more the selection was allowed to pay out than the zone collects.
    pub allowance_minor: i64,
    /// Cleared cross-border claims to the zone's creditors minus those of its debtors.
    pub beyond_minor: i64,
    /// Paid out of what earlier cycles left on the zone house account.
    pub held_used_minor: i64,
    /// Drawn from the zone's liquidity provider (it pays in like a payer).
    pub drawn_minor: i64,
    /// Repaid to the provider (it is paid out like a payee).
    pub repaid_minor: i64,
    /// Left on the zone house account for later cycles' exporters.
    pub held_added_minor: i64,
}

/// What the liquidity providers have lent and what the zones hold, after every settled cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiquidityState {
    pub zones: Vec<ZoneLiquidity>,
}

/// One zone's liquidity, clearing-currency minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneLiquidity {
    pub zone: String,
    /// Owed to the zone's provider.
    pub exposure_minor: i64,
    /// Collected beyond the counter-flow and not paid out yet: it pays later cycles' exporters.
    pub held_minor: i64,
}

impl LiquidityState {
    pub fn zone(&self, zone: &str) -> ZoneLiquidity {
        self.zones
            .iter()
            .find(|z| z.zone == zone)
            .cloned()
            .unwrap_or_else(|| ZoneLiquidity {
                zone: zone.to_owned(),
                ..ZoneLiquidity::default()
            })
    }
}

/// The position id of a zone's liquidity provider in a cycle (no participant id has a colon).
pub fn provider_position_id(zone: &str) -> String {
    format!("liquidity:{zone}")
}

/// The zone whose provider a position id names, if it names one.
pub fn provider_zone(position: &str) -> Option<&str> {
    position.strip_prefix("liquidity:")
}

/// A part of a cycle's selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CycleClaims {
    pub cycle: u64,
    pub part: u32,
    pub claims: Vec<CycleClaim>,
}

/// Where a bank entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankEntryStatus {
    /// Confirmed a pay-in exactly.
    Matched,
    /// Booked to the zone's suspense account, waiting for the operator.
    Suspense,
    /// Applied by hand to pay-ins (in full).
    Applied,
    /// Kept for the participant's next pay-in.
    Kept,
    /// Paid back to whoever sent it.
    Refunded,
    /// A debit of the house account: a pay-out or refund the bank carried out.
    Debit,
    /// Reported but not booked by the bank (pending, information) or not in the zone's
    /// currency: kept for the record, nothing booked.
    Noted,
}

impl BankEntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BankEntryStatus::Matched => "matched",
            BankEntryStatus::Suspense => "suspense",
            BankEntryStatus::Applied => "applied",
            BankEntryStatus::Kept => "kept",
            BankEntryStatus::Refunded => "refunded",
            BankEntryStatus::Debit => "debit",
            BankEntryStatus::Noted => "noted",
        }
    }
}

/// Who sent a credit (or received a debit), as the bank reported.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BankParty {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bic: Option<String>,
}

/// One entry of a bank file on a zone house account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankEntry {
    pub id: String,
    pub zone: String,
    /// The file it came from (SHA-256) and where in it.
    pub file_sha256: String,
    pub line: u64,
    /// The bank's own reference of the entry (what makes a second report of it a duplicate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_date: Option<String>,
    pub credit: bool,
    /// In `currency`, minor units.
    pub amount_minor: i64,
    pub currency: String,
    /// The ISO 11649 reference it carried, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_to_end_id: Option<String>,
    #[serde(default)]
    pub counterparty: BankParty,
    pub status: BankEntryStatus,
    /// Why it is in suspense: `unknown_reference`, `short`, `excess`, `late`, `already_paid`,
    /// `wrong_currency`, `excess_after_unwind`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The cycle and participant it paid (or was kept for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
    /// Still in suspense, in `currency`.
    pub remaining_minor: i64,
    /// Still in suspense on the ledger, clearing-currency minor units (at the agreed rate,
    /// rounded down: a part of a minor unit cannot be booked and is refunded with the rest).
    pub ledger_remaining_minor: i64,
    #[serde(default)]
    pub booked: Vec<Booked>,
    pub imported_at: u64,
}

/// The idempotency record of a write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Idempotency {
    pub request_hash: String,
    /// The claim the first request recorded. The first answer is that claim as its
    /// `claim.submitted` audit event holds it: kept once, in the tamper-evident trail, not
    /// copied into this record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// The first answer as JSON, as houses kept it before the audit event held it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
}

/// How many claims a participant has been party to: bumped by every submission, so that two
/// submissions about the same participant cannot both pass the monitoring rules on the same
/// history (the second is read again and rechecked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub claims: u64,
}

/// The cycle a caller's idempotency key ran, and the request it came with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleKey {
    /// SHA-256 of the request, as the caller computed it.
    pub request_hash: String,
    /// The cycle's number.
    pub cycle: u64,
}

/// Which record a uniqueness key (an IBAN, a registration number, an invoice) points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyOwner {
    /// The participant or claim that took the key first.
    pub owner: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counterparty_kinds_read_ours_and_followthemoney_names() {
        let kind = |json: &str| serde_json::from_str::<CounterpartyKind>(json);
        assert_eq!(kind(r#""person""#).unwrap(), CounterpartyKind::Person);
        assert_eq!(kind(r#""Person""#).unwrap(), CounterpartyKind::Person);
        assert_eq!(
            kind(r#""organization""#).unwrap(),
            CounterpartyKind::Organization
        );
        assert_eq!(
            kind(r#""Company""#).unwrap(),
            CounterpartyKind::Organization
        );
        assert_eq!(
            kind(r#""PublicBody""#).unwrap(),
            CounterpartyKind::Organization
        );
        let error = kind(r#""Vessel""#).unwrap_err().to_string();
        assert!(error.contains("person or an organisation"), "{error}");
        let error = kind(r#""LegalEntity""#).unwrap_err().to_string();
        assert!(error.contains("leave the kind out"), "{error}");
        let error = kind(r#""Address""#).unwrap_err().to_string();
        assert!(error.contains("schema \"Address\": expected"), "{error}");
        // Written as before, so stored claims read back the same.
        assert_eq!(
            serde_json::to_string(&CounterpartyKind::Organization).unwrap(),
            r#""organization""#
        );
    }
}
