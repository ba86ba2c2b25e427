//! What waits for a counter-flow.
//!
//! A cross-border claim clears only as far as claims the other way balance it: the debtor
//! zone's house account collects from the zone's importers what the creditor zone's house
//! account pays out to its exporters, and no payment crosses the border. When one zone exports
//! more to another than it imports from it, its exporters' claims wait for a counter-flow.
//!
//! [`House::imbalance`] shows, for each ordered pair of zones (debtor zone → creditor zone,
//! cross-border only), what waits, since when, and what waits the other way; and, for the last
//! cycles, what each of them left waiting. [`imbalance_of`] computes the same from what the
//! house read, without a database.
//!
//! Only claims in clearing wait for a counter-flow: queued and partially cleared ones. A claim
//! awaiting its debtor's acceptance waits for its debtor, not for the other zone, and a
//! disputed or withdrawn one waits for nothing (`crate::lifecycle`).
//!
//! The net imbalance of a pair is pairwise: with three zones or more, a ring of zones
//! (A → B → C → A) also balances claims, so the net of a pair is the most that must wait.

use std::collections::{BTreeMap, HashMap};

use model::Money;
use serde::{Serialize, Serializer};
use store::{Record, RecordQuery};

use crate::config::Checked;
use crate::error::HouseError;
use crate::types::*;
use crate::{House, LIST_MAX, parse};

/// How many past cycles the history shows unless asked otherwise.
pub const IMBALANCE_CYCLES_DEFAULT: usize = 12;
/// The most past cycles the history shows: each is read whole, with every claim it took.
pub const IMBALANCE_CYCLES_MAX: usize = 100;
/// The most waiting claims [`House::imbalance`] reads; beyond, it refuses rather than report
/// part of them.
pub const WAITING_CLAIMS_MAX: usize = 10_000_000;
/// The most participants [`House::imbalance`] reads (for the zones of the cycles' claims).
pub const PARTICIPANTS_READ_MAX: usize = 10_000_000;

const DAY_NS: u64 = 86_400 * 1_000_000_000;

/// What waits for a counter-flow, and how it came to wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imbalance {
    /// The currency claims are cleared in (ISO 4217).
    pub clearing_currency: String,
    /// When it was computed (UTC nanoseconds); ages count up to here.
    pub at: u64,
    /// Every ordered zone pair with cross-border claims waiting, by the zones' order in the
    /// configuration (debtor zone first).
    pub pairs: Vec<PairImbalance>,
    /// The last cycles, oldest first.
    pub history: Vec<CycleImbalance>,
}

/// What waits from one zone to another: claims whose debtor (importer) is in `debtor_zone`
/// and whose creditor (exporter) is in `creditor_zone`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairImbalance {
    /// The importers' zone, which owes.
    pub debtor_zone: String,
    /// The exporters' zone, which is owed.
    pub creditor_zone: String,
    /// How many claims wait (queued or partially cleared).
    pub claims: u64,
    /// What they still owe.
    pub waiting: Amount,
    /// What waits the other way (creditor zone → debtor zone): the counter-flow that would
    /// clear this pair's claims.
    pub counter_flow: Amount,
    /// What would still wait if the whole counter-flow cleared: `waiting − counter_flow`,
    /// never below zero.
    pub net: Amount,
    /// The claim that has waited longest.
    pub oldest: OldestClaim,
}

/// The claim of a pair that has waited longest (earliest submitted, then lowest id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OldestClaim {
    /// Its id.
    pub claim: String,
    /// When it was submitted (UTC nanoseconds).
    pub submitted_at: u64,
    /// Whole days from its submission to [`Imbalance::at`].
    pub age_days: u64,
}

/// What one cycle left waiting, per zone pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleImbalance {
    /// The cycle's number.
    pub cycle: u64,
    /// When it ran (UTC nanoseconds).
    pub run_at: u64,
    /// The pairs whose claims the cycle took, or which the cycle before left something
    /// waiting, by the zones' order in the configuration.
    pub pairs: Vec<CyclePair>,
}

/// One zone pair in one cycle, counting the cross-border claims the cycle took (claims it
/// skipped or set aside are not in its record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CyclePair {
    /// The importers' zone, which owes.
    pub debtor_zone: String,
    /// The exporters' zone, which is owed.
    pub creditor_zone: String,
    /// What the cycle left waiting: owed minus cleared.
    pub left_waiting: Amount,
    /// What the cycle cleared.
    pub cleared: Amount,
    /// `left_waiting` minus what the cycle before left waiting (zero before the first cycle):
    /// positive when the imbalance grew.
    pub change: Amount,
}

/// An amount in the clearing currency, and the same in the currencies of a pair's zones.
///
/// JSON: `{"amount_minor": 660000, "amount": "6600.00", "currency": "EUR", "in_zones": […]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    /// In the clearing currency.
    pub money: Money,
    /// At the agreed rates, in the debtor zone's then the creditor zone's currency; a zone
    /// that pays in the clearing currency at a rate of 1 is left out, and so is an amount
    /// that does not fit 64-bit minor units of the zone's currency.
    pub in_zones: Vec<ZoneAmount>,
}

/// An amount in one zone's currency.
///
/// JSON: `{"zone": "IR", "amount_minor": …, "amount": "…", "currency": "IRR"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneAmount {
    /// The zone's code.
    pub zone: String,
    /// In the zone's currency.
    pub money: Money,
}

/// The fields every amount has in JSON.
#[derive(Serialize)]
struct MoneyFields<'a> {
    amount_minor: i64,
    amount: String,
    currency: &'a str,
}

impl<'a> From<&'a Money> for MoneyFields<'a> {
    fn from(money: &'a Money) -> MoneyFields<'a> {
        MoneyFields {
            amount_minor: money.amount_minor(),
            amount: money.display_amount().to_string(),
            currency: money.currency().code(),
        }
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Repr<'a> {
            #[serde(flatten)]
            money: MoneyFields<'a>,
            in_zones: &'a [ZoneAmount],
        }
        Repr {
            money: (&self.money).into(),
            in_zones: &self.in_zones,
        }
        .serialize(serializer)
    }
}

impl Serialize for ZoneAmount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Repr<'a> {
            zone: &'a str,
            #[serde(flatten)]
            money: MoneyFields<'a>,
        }
        Repr {
            zone: &self.zone,
            money: (&self.money).into(),
        }
        .serialize(serializer)
    }
}

/// A waiting claim, as much of it as the imbalance needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingClaim {
    /// The claim's id.
    pub id: String,
    /// The importer's zone.
    pub debtor_zone: String,
    /// The exporter's zone.
    pub creditor_zone: String,
    /// What it still owes, clearing-currency minor units.
    pub remaining_minor: i64,
    /// When it was submitted (UTC nanoseconds).
    pub submitted_at: u64,
}

impl From<&ClaimRecord> for WaitingClaim {
    fn from(claim: &ClaimRecord) -> WaitingClaim {
        WaitingClaim {
            id: claim.submission.id.clone(),
            debtor_zone: claim.debtor_zone.clone(),
            creditor_zone: claim.creditor_zone.clone(),
            remaining_minor: claim.remaining_minor(),
            submitted_at: claim.submitted_at,
        }
    }
}

/// What [`imbalance_of`] computes from.
#[derive(Debug, Clone, Copy)]
pub struct ImbalanceInput<'a> {
    /// The zones, their currencies and rates, and the clearing currency.
    pub config: &'a Checked,
    /// Now (UTC nanoseconds).
    pub at: u64,
    /// Each participant's zone, by participant id: at least every party of `cycles` and
    /// `before`.
    pub participant_zones: &'a HashMap<String, String>,
    /// The claims waiting (queued or partially cleared), domestic ones included or not.
    pub waiting: &'a [WaitingClaim],
    /// The cycles to show, oldest first.
    pub cycles: &'a [Cycle],
    /// The cycle before the first of `cycles`, if any: what the first one's change counts from.
    pub before: Option<&'a Cycle>,
}

/// The imbalance of what the house read. Pure: no I/O, no clock.
///
/// Errors: a zone or participant the configuration or `participant_zones` does not know, an
/// amount out of range in a claim or a cycle (`Corrupt`), or a sum beyond 64-bit minor units.
pub fn imbalance_of(input: &ImbalanceInput<'_>) -> Result<Imbalance, HouseError> {
    let zones = Zones {
        config: input.config,
    };
    let pairs = waiting_pairs(&zones, input.at, input.waiting)?;
    let mut history = Vec::with_capacity(input.cycles.len());
    let mut previous = match input.before {
        Some(cycle) => cycle_pairs(&zones, input.participant_zones, cycle)?,
        None => BTreeMap::new(),
    };
    for cycle in input.cycles {
        let current = cycle_pairs(&zones, input.participant_zones, cycle)?;
        history.push(cycle_imbalance(&zones, cycle, &previous, &current)?);
        previous = current;
    }
    Ok(Imbalance {
        clearing_currency: input.config.clearing_currency.code().to_owned(),
        at: input.at,
        pairs,
        history,
    })
}

/// A zone pair by the zones' positions in the configuration: (debtor zone, creditor zone).
type Pair = (usize, usize);

/// What waits in one direction.
#[derive(Debug)]
struct Waiting {
    claims: u64,
    /// Clearing-currency minor units; 128 bits, so that no number of claims overflows it.
    total_minor: i128,
    /// `(submitted_at, id)` of the oldest.
    oldest: (u64, String),
}

fn waiting_pairs(
    zones: &Zones<'_>,
    at: u64,
    waiting: &[WaitingClaim],
) -> Result<Vec<PairImbalance>, HouseError> {
    let mut by_pair: BTreeMap<Pair, Waiting> = BTreeMap::new();
    for c in waiting {
        let corrupt = |message: String| HouseError::Corrupt {
            kind: kind::CLAIM.into(),
            id: c.id.clone(),
            message,
        };
        let debtor = zones
            .position(&c.debtor_zone)
            .ok_or_else(|| corrupt(format!("debtor zone {:?} is not configured", c.debtor_zone)))?;
        let creditor = zones.position(&c.creditor_zone).ok_or_else(|| {
            corrupt(format!(
                "creditor zone {:?} is not configured",
                c.creditor_zone
            ))
        })?;
        if c.remaining_minor < 0 {
            return Err(corrupt(format!(
                "still owes {} minor units, less than nothing",
                c.remaining_minor
            )));
        }
        // Domestic claims clear inside their zone; a claim owing nothing waits for nothing.
        if debtor == creditor || c.remaining_minor == 0 {
            continue;
        }
        let w = by_pair
            .entry((debtor, creditor))
            .or_insert_with(|| Waiting {
                claims: 0,
                total_minor: 0,
                oldest: (c.submitted_at, c.id.clone()),
            });
        w.claims += 1;
        w.total_minor += i128::from(c.remaining_minor);
        if (c.submitted_at, c.id.as_str()) < (w.oldest.0, w.oldest.1.as_str()) {
            w.oldest = (c.submitted_at, c.id.clone());
        }
    }
    let mut pairs = Vec::with_capacity(by_pair.len());
    for (&(debtor, creditor), w) in &by_pair {
        let counter_minor = by_pair
            .get(&(creditor, debtor))
            .map_or(0, |other| other.total_minor);
        let net_minor = (w.total_minor - counter_minor).max(0);
        let (submitted_at, claim) = w.oldest.clone();
        let pair = (debtor, creditor);
        pairs.push(PairImbalance {
            debtor_zone: zones.code(debtor),
            creditor_zone: zones.code(creditor),
            claims: w.claims,
            waiting: zones.amount(w.total_minor, pair, "what waits")?,
            counter_flow: zones.amount(counter_minor, pair, "the counter-flow")?,
            net: zones.amount(net_minor, pair, "the net imbalance")?,
            oldest: OldestClaim {
                claim,
                submitted_at,
                age_days: at.saturating_sub(submitted_at) / DAY_NS,
            },
        });
    }
    Ok(pairs)
}

/// What one cycle left waiting and cleared, per cross-border pair, clearing-currency minor units.
fn cycle_pairs(
    zones: &Zones<'_>,
    participant_zones: &HashMap<String, String>,
    cycle: &Cycle,
) -> Result<BTreeMap<Pair, (i128, i128)>, HouseError> {
    let corrupt = |message: String| HouseError::Corrupt {
        kind: kind::CYCLE.into(),
        id: cycle.number.to_string(),
        message,
    };
    let zone_of = |participant: &str| {
        let code = participant_zones
            .get(participant)
            .ok_or_else(|| corrupt(format!("participant {participant:?} is unknown")))?;
        zones.position(code).ok_or_else(|| {
            corrupt(format!(
                "participant {participant:?} is in zone {code:?}, which is not configured"
            ))
        })
    };
    let mut by_pair: BTreeMap<Pair, (i128, i128)> = BTreeMap::new();
    for c in &cycle.claims {
        if !(0..=c.owed_minor).contains(&c.cleared_minor) {
            return Err(corrupt(format!(
                "claim {} cleared {} of {} minor units",
                c.claim, c.cleared_minor, c.owed_minor
            )));
        }
        let pair = (zone_of(&c.debtor)?, zone_of(&c.creditor)?);
        if pair.0 == pair.1 {
            continue;
        }
        let (left, cleared) = by_pair.entry(pair).or_default();
        *left += i128::from(c.owed_minor - c.cleared_minor);
        *cleared += i128::from(c.cleared_minor);
    }
    Ok(by_pair)
}

fn cycle_imbalance(
    zones: &Zones<'_>,
    cycle: &Cycle,
    previous: &BTreeMap<Pair, (i128, i128)>,
    current: &BTreeMap<Pair, (i128, i128)>,
) -> Result<CycleImbalance, HouseError> {
    let mut shown: Vec<Pair> = current.keys().copied().collect();
    shown.extend(
        previous
            .iter()
            .filter(|(pair, (left, _))| *left > 0 && !current.contains_key(pair))
            .map(|(pair, _)| *pair),
    );
    shown.sort_unstable();
    let mut pairs = Vec::with_capacity(shown.len());
    for pair in shown {
        let (left, cleared) = current.get(&pair).copied().unwrap_or_default();
        let (left_before, _) = previous.get(&pair).copied().unwrap_or_default();
        pairs.push(CyclePair {
            debtor_zone: zones.code(pair.0),
            creditor_zone: zones.code(pair.1),
            left_waiting: zones.amount(left, pair, "what the cycle left waiting")?,
            cleared: zones.amount(cleared, pair, "what the cycle cleared")?,
            change: zones.amount(left - left_before, pair, "the change")?,
        });
    }
    Ok(CycleImbalance {
        cycle: cycle.number,
        run_at: cycle.run_at,
        pairs,
    })
}

/// The configured zones, for positions, codes and conversions.
struct Zones<'a> {
    config: &'a Checked,
}

impl Zones<'_> {
    fn position(&self, code: &str) -> Option<usize> {
        self.config
            .zones
            .iter()
            .position(|z| z.code.as_str() == code)
    }

    fn code(&self, position: usize) -> String {
        self.config.zones[position].code.to_string()
    }

    /// `minor` units of the clearing currency, and the same in the pair's zone currencies.
    fn amount(&self, minor: i128, pair: Pair, what: &str) -> Result<Amount, HouseError> {
        let beyond = || {
            HouseError::Clearing(format!(
                "{what} from {} to {} comes to {minor} minor units of {}, beyond 64 bits",
                self.code(pair.0),
                self.code(pair.1),
                self.config.clearing_currency.code()
            ))
        };
        let minor = i64::try_from(minor).map_err(|_| beyond())?;
        let clearing = self.config.clearing_currency;
        let money = Money::new(minor, clearing).map_err(|_| beyond())?;
        let mut in_zones = Vec::with_capacity(2);
        for position in [pair.0, pair.1] {
            let zone = &self.config.zones[position];
            if zone.currency == clearing && zone.minor_rate == 1 {
                continue;
            }
            let converted = minor
                .checked_mul(zone.minor_rate)
                .and_then(|m| Money::new(m, zone.currency).ok());
            if let Some(money) = converted {
                in_zones.push(ZoneAmount {
                    zone: zone.code.to_string(),
                    money,
                });
            }
        }
        Ok(Amount { money, in_zones })
    }
}

impl House {
    /// What waits for a counter-flow per zone pair now, and what each of the last
    /// `cycles_max` cycles (at most [`IMBALANCE_CYCLES_MAX`]) left waiting.
    ///
    /// Reads the queued and partially cleared claims by state, page by page (at most
    /// [`WAITING_CLAIMS_MAX`]), the last cycles newest first, and, when there is a cycle to
    /// show, the participants' zones. Writes nothing.
    pub fn imbalance(&self, cycles_max: usize) -> Result<Imbalance, HouseError> {
        if cycles_max > IMBALANCE_CYCLES_MAX {
            return Err(HouseError::invalid(
                "cycles",
                format!("{cycles_max}: at most {IMBALANCE_CYCLES_MAX} cycles"),
            ));
        }
        let at = self.now();
        let waiting = self.waiting_claims()?;
        let (before, cycles) = self.last_cycles(cycles_max)?;
        let participant_zones = if cycles.is_empty() {
            HashMap::new()
        } else {
            self.participant_zones()?
        };
        imbalance_of(&ImbalanceInput {
            config: &self.config,
            at,
            participant_zones: &participant_zones,
            waiting: &waiting,
            cycles: &cycles,
            before: before.as_ref(),
        })
    }

    /// The queued and partially cleared claims, each once: a claim read in both states (a
    /// cycle committed between the reads) counts at its newer version.
    fn waiting_claims(&self) -> Result<Vec<WaitingClaim>, HouseError> {
        let mut seen: HashMap<String, (u64, WaitingClaim)> = HashMap::new();
        for status in [ClaimStatus::Queued, ClaimStatus::PartiallyCleared] {
            let query = RecordQuery {
                kind: kind::CLAIM.into(),
                status: Some(status.as_str().into()),
                ..RecordQuery::default()
            };
            self.each_record(query, WAITING_CLAIMS_MAX, "waiting claims", |record| {
                let claim: ClaimRecord = parse(record)?;
                let newer = seen
                    .get(&claim.submission.id)
                    .is_none_or(|(version, _)| record.version > *version);
                if newer {
                    let waiting = WaitingClaim::from(&claim);
                    seen.insert(waiting.id.clone(), (record.version, waiting));
                }
                Ok(())
            })?;
        }
        Ok(seen.into_values().map(|(_, claim)| claim).collect())
    }

    /// The last `count` cycles, oldest first, and the one before them, if any.
    fn last_cycles(&self, count: usize) -> Result<(Option<Cycle>, Vec<Cycle>), HouseError> {
        if count == 0 {
            return Ok((None, Vec::new()));
        }
        let query = RecordQuery {
            kind: kind::CYCLE.into(),
            newest_first: true,
            ..RecordQuery::default()
        };
        let mut cycles: Vec<Cycle> = self
            .list::<Cycle>(query, count + 1)?
            .into_iter()
            .map(|v| Ok(self.with_claims(v)?.value))
            .collect::<Result<_, HouseError>>()?;
        cycles.sort_by_key(|c| c.number);
        let before = (cycles.len() > count).then(|| cycles.remove(0));
        Ok((before, cycles))
    }

    /// Every participant's zone, by participant id.
    fn participant_zones(&self) -> Result<HashMap<String, String>, HouseError> {
        let mut zones = HashMap::new();
        let query = RecordQuery {
            kind: kind::PARTICIPANT.into(),
            ..RecordQuery::default()
        };
        self.each_record(query, PARTICIPANTS_READ_MAX, "participants", |record| {
            let p: ParticipantRecord = parse(record)?;
            zones.insert(
                p.participant.id().to_string(),
                p.participant.zone().to_string(),
            );
            Ok(())
        })?;
        Ok(zones)
    }

    /// Hands every record of `query` to `each`, a page of [`LIST_MAX`] at a time, so that no
    /// more than a page is held; refuses when there are more than `limit`.
    fn each_record(
        &self,
        mut query: RecordQuery,
        limit: usize,
        what: &str,
        mut each: impl FnMut(&Record) -> Result<(), HouseError>,
    ) -> Result<(), HouseError> {
        let mut read: usize = 0;
        loop {
            query.limit = LIST_MAX;
            let page = self.store.records(&query)?;
            read += page.len();
            if read > limit {
                return Err(HouseError::NotAllowed(format!(
                    "more than {limit} {what} to read"
                )));
            }
            for record in &page {
                each(record)?;
            }
            match page.last() {
                Some(last) if page.len() == query.limit => {
                    query.after = Some((last.at, last.id.clone()));
                }
                _ => return Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, HouseAccount, ZoneConfig};

    const EUR: i64 = 100;

    /// The example EU/Iran set-up with a third zone: Switzerland, in francs at 2 CHF per EUR.
    fn three_zones() -> Checked {
        let mut c = config::example();
        c.zones.push(ZoneConfig {
            code: "CH".into(),
            name: "Switzerland".into(),
            currency: "CHF".into(),
            rate: 2.into(),
            house_account: HouseAccount {
                name: "Clearhouse CH zone account".into(),
                iban: "CH9300762011623852957".into(),
                bic: "UBSWCHZH80A".into(),
                bank_name: None,
            },
            countries: vec!["CH".into()],
            liquidity_provider: None,
        });
        c.check().expect("the three-zone set-up checks")
    }

    fn waiting(id: &str, debtor_zone: &str, creditor_zone: &str, euros: i64) -> WaitingClaim {
        WaitingClaim {
            id: id.into(),
            debtor_zone: debtor_zone.into(),
            creditor_zone: creditor_zone.into(),
            remaining_minor: euros * EUR,
            submitted_at: 1_000 * DAY_NS,
        }
    }

    fn cycle_claim(
        claim: &str,
        debtor: &str,
        creditor: &str,
        owed: i64,
        cleared: i64,
    ) -> CycleClaim {
        CycleClaim {
            claim: claim.into(),
            creditor: creditor.into(),
            debtor: debtor.into(),
            priority: 1,
            owed_minor: owed * EUR,
            cleared_minor: cleared * EUR,
            set_off_minor: 0,
            status_after: if owed == cleared {
                ClaimStatus::Cleared
            } else {
                ClaimStatus::PartiallyCleared
            },
            ..CycleClaim::default()
        }
    }

    fn cycle(number: u64, claims: Vec<CycleClaim>) -> Cycle {
        Cycle {
            number,
            cutoff: number * DAY_NS,
            run_at: number * DAY_NS,
            run_by: "operator".into(),
            set_off_domestic: false,
            clearing_currency: "EUR".into(),
            claims,
            payments: Vec::new(),
            zones: Vec::new(),
            files: Vec::new(),
            receipt: None,
            ..Cycle::default()
        }
    }

    /// One firm per zone: `eu`, `ir`, `ch`, and a second European one, `eu2`.
    fn firms() -> HashMap<String, String> {
        [("eu", "EU"), ("eu2", "EU"), ("ir", "IR"), ("ch", "CH")]
            .map(|(p, z)| (p.to_owned(), z.to_owned()))
            .into()
    }

    fn run(
        config: &Checked,
        at: u64,
        claims: &[WaitingClaim],
        cycles: &[Cycle],
        before: Option<&Cycle>,
    ) -> Imbalance {
        imbalance_of(&ImbalanceInput {
            config,
            at,
            participant_zones: &firms(),
            waiting: claims,
            cycles,
            before,
        })
        .expect("the imbalance")
    }

    /// `(debtor zone, creditor zone, claims, waiting, counter-flow, net)` in euros.
    fn summary(imbalance: &Imbalance) -> Vec<(&str, &str, u64, i64, i64, i64)> {
        imbalance
            .pairs
            .iter()
            .map(|p| {
                (
                    p.debtor_zone.as_str(),
                    p.creditor_zone.as_str(),
                    p.claims,
                    p.waiting.money.amount_minor() / EUR,
                    p.counter_flow.money.amount_minor() / EUR,
                    p.net.money.amount_minor() / EUR,
                )
            })
            .collect()
    }

    #[test]
    fn no_claims_and_no_cycles_show_nothing() {
        let config = three_zones();
        let imbalance = run(&config, 0, &[], &[], None);
        assert_eq!(imbalance.clearing_currency, "EUR");
        assert!(imbalance.pairs.is_empty() && imbalance.history.is_empty());
    }

    #[test]
    fn domestic_claims_wait_for_no_counter_flow() {
        let config = three_zones();
        let claims = [
            waiting("d-eu", "EU", "EU", 500),
            waiting("d-ir", "IR", "IR", 70),
            waiting("d-ch", "CH", "CH", 9),
        ];
        let history = [cycle(1, vec![cycle_claim("d-eu", "eu", "eu2", 800, 300)])];
        let imbalance = run(&config, 0, &claims, &history, None);
        assert!(imbalance.pairs.is_empty(), "{:?}", imbalance.pairs);
        assert_eq!(imbalance.history.len(), 1);
        assert!(imbalance.history[0].pairs.is_empty());
    }

    #[test]
    fn three_zones_pair_by_pair_with_counter_flows_nets_and_the_oldest() {
        let config = three_zones();
        let mut claims = vec![
            // Iran imports from the EU: 1000 + 500; the EU imports 300 from Iran.
            waiting("c-ir-1", "IR", "EU", 1_000),
            waiting("c-ir-2", "IR", "EU", 500),
            waiting("c-eu-1", "EU", "IR", 300),
            // Switzerland imports 200 from Iran, nothing the other way.
            waiting("c-ch-1", "CH", "IR", 200),
            waiting("c-dom", "EU", "EU", 4_000),
        ];
        // c-ir-2 is the oldest of its pair, by time; c-ch-1 ties with nothing.
        claims[1].submitted_at -= 3 * DAY_NS;
        let at = 1_010 * DAY_NS + 5;
        let imbalance = run(&config, at, &claims, &[], None);
        assert_eq!(
            summary(&imbalance),
            [
                ("EU", "IR", 1, 300, 1_500, 0),
                ("IR", "EU", 2, 1_500, 300, 1_200),
                ("CH", "IR", 1, 200, 0, 200),
            ]
        );
        let ir_eu = &imbalance.pairs[1];
        assert_eq!(ir_eu.oldest.claim, "c-ir-2");
        assert_eq!(ir_eu.oldest.age_days, 13);
        assert_eq!(imbalance.pairs[2].oldest.age_days, 10);
        // In rials (480,000 per euro) for Iran; the EU pays in euros at 1 and is left out.
        assert_eq!(ir_eu.net.money.to_string(), "EUR 1200.00");
        assert_eq!(ir_eu.net.in_zones.len(), 1);
        assert_eq!(ir_eu.net.in_zones[0].zone, "IR");
        assert_eq!(ir_eu.net.in_zones[0].money.to_string(), "IRR 576000000.00");
        // Switzerland to Iran: both zones' currencies, debtor zone first.
        let ch_ir: Vec<String> = imbalance.pairs[2]
            .waiting
            .in_zones
            .iter()
            .map(|z| format!("{}: {}", z.zone, z.money))
            .collect();
        assert_eq!(ch_ir, ["CH: CHF 400.00", "IR: IRR 96000000.00"]);
        let json = serde_json::to_value(&imbalance.pairs[2].waiting).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "amount_minor": 20_000, "amount": "200.00", "currency": "EUR",
                "in_zones": [
                    {"zone": "CH", "amount_minor": 40_000, "amount": "400.00", "currency": "CHF"},
                    {"zone": "IR", "amount_minor": 9_600_000_000_i64, "amount": "96000000.00", "currency": "IRR"},
                ],
            })
        );
    }

    #[test]
    fn the_history_counts_what_each_cycle_left_waiting_and_the_change() {
        let config = three_zones();
        let before = cycle(1, vec![cycle_claim("a", "ir", "eu", 1_000, 400)]);
        let cycles = [
            // Grows: 600 left before, 600 + 250 now.
            cycle(
                2,
                vec![
                    cycle_claim("a", "ir", "eu", 600, 0),
                    cycle_claim("b", "ir", "eu", 250, 0),
                    cycle_claim("x", "ch", "eu", 70, 70),
                ],
            ),
            // Iran's claims clear against a European import: shrinks to 350; the Swiss pair
            // took no claim and left nothing before, so it is not shown.
            cycle(
                3,
                vec![
                    cycle_claim("a", "ir", "eu", 600, 500),
                    cycle_claim("b", "ir", "eu", 250, 0),
                    cycle_claim("c", "eu", "ir", 500, 500),
                    cycle_claim("d", "eu", "eu2", 10, 10),
                ],
            ),
            // Nothing of the pair taken any more: 350 down to nothing.
            cycle(4, Vec::new()),
        ];
        let imbalance = run(&config, 5 * DAY_NS, &[], &cycles, Some(&before));
        let rows: Vec<(u64, String, i64, i64, i64)> = imbalance
            .history
            .iter()
            .flat_map(|c| {
                c.pairs.iter().map(move |p| {
                    (
                        c.cycle,
                        format!("{}>{}", p.debtor_zone, p.creditor_zone),
                        p.left_waiting.money.amount_minor() / EUR,
                        p.cleared.money.amount_minor() / EUR,
                        p.change.money.amount_minor() / EUR,
                    )
                })
            })
            .collect();
        let expected = [
            (2, "IR>EU", 850, 0, 250),
            (2, "CH>EU", 0, 70, 0),
            (3, "EU>IR", 0, 500, 0),
            (3, "IR>EU", 350, 500, -500),
            (4, "IR>EU", 0, 0, -350),
        ]
        .map(|(n, p, l, c, d)| (n, p.to_owned(), l, c, d));
        assert_eq!(rows, expected);
        assert_eq!(imbalance.history[0].run_at, 2 * DAY_NS);
        // Without the cycle before, the first change counts from nothing.
        let imbalance = run(&config, 5 * DAY_NS, &[], &cycles[..1], None);
        assert_eq!(
            imbalance.history[0].pairs[0].change.money.amount_minor(),
            850 * EUR
        );
    }

    #[test]
    fn unknown_zones_and_impossible_amounts_are_named() {
        let config = three_zones();
        let err = imbalance_of(&ImbalanceInput {
            config: &config,
            at: 0,
            participant_zones: &firms(),
            waiting: &[waiting("c-x", "XX", "EU", 1)],
            cycles: &[],
            before: None,
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("c-x") && err.contains("\"XX\""), "{err}");
        let bad = [cycle(7, vec![cycle_claim("c-y", "ir", "nobody", 1, 0)])];
        let err = imbalance_of(&ImbalanceInput {
            config: &config,
            at: 0,
            participant_zones: &firms(),
            waiting: &[],
            cycles: &bad,
            before: None,
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("cycle") && err.contains("nobody"), "{err}");
        let over = [cycle(8, vec![cycle_claim("c-z", "ir", "eu", 1, 2)])];
        let err = imbalance_of(&ImbalanceInput {
            config: &config,
            at: 0,
            participant_zones: &firms(),
            waiting: &[],
            cycles: &over,
            before: None,
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("c-z cleared 200 of 100"), "{err}");
        // A sum beyond 64 bits is an error, not a wrapped amount.
        let mut huge = vec![waiting("h-1", "IR", "EU", 0), waiting("h-2", "IR", "EU", 0)];
        for h in &mut huge {
            h.remaining_minor = i64::MAX;
        }
        let err = imbalance_of(&ImbalanceInput {
            config: &config,
            at: 0,
            participant_zones: &firms(),
            waiting: &huge,
            cycles: &[],
            before: None,
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("beyond 64 bits"), "{err}");
    }

    #[test]
    fn an_amount_too_large_for_a_zone_currency_is_left_out_there() {
        let config = three_zones();
        let mut big = waiting("b", "IR", "EU", 0);
        big.remaining_minor = i64::MAX / 1_000;
        let imbalance = run(&config, 0, &[big], &[], None);
        assert!(imbalance.pairs[0].waiting.in_zones.is_empty());
        assert_eq!(
            imbalance.pairs[0].waiting.money.amount_minor(),
            i64::MAX / 1_000
        );
    }
}
