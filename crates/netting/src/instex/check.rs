//! The INSTEX checker: recomputes every invariant of a settlement from the claims alone.
//!
//! - every claim cleared within `0 ..= amount`, domestic claims in full, set-off only on
//!   domestic claims and within what was cleared;
//! - per currency, no zone's cleared cross-border inflow exceeds its outflow by more than its
//!   [`Allowance`] (`in − out ≤ allowance`); without an allowance in the currency, every zone's
//!   inflow equals its outflow;
//! - priority order: no claim could be cleared more by a cycle of zone pairs that only takes
//!   from claims ranked after it — the exact test of the lexicographic maximum (see
//!   [`super::settle`]). On one zone pair this says: once a claim is short, every later claim
//!   on that pair gets nothing. With allowances the cycle may pass through the providers'
//!   virtual node `V`: into `V` from a zone with allowance left, out of `V` to any zone;
//! - set-off leaves every participant's net position unchanged in each zone and currency;
//! - the payment instructions are exactly the sums of the cleared amounts not set off, no
//!   instruction crosses a zone (its participant is in its zone), and each house account takes
//!   in exactly its zone's cross-border outflow less its inflow (0 without allowances).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use model::{ClaimId, ParticipantId, ZoneCode};

use super::allowance::{Allowance, AllowanceTable};
use super::claims::{Claim, ClaimBook};
use super::settle::{Direction, Settlement};
use crate::check::VIOLATIONS_MAX;

/// A broken invariant of a settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstexViolation {
    /// Not one value per claim.
    Length,
    /// Cleared outside `0 ..= amount`, or set-off outside `0 ..= cleared`.
    Bounds {
        /// The claim.
        id: ClaimId,
    },
    /// A domestic claim not cleared in full, or a cross-border claim set off.
    Domestic {
        /// The claim.
        id: ClaimId,
    },
    /// A zone's cross-border inflow differs from its outflow, in a currency where no zone with
    /// claims has a positive allowance.
    ZoneBalance {
        /// The zone.
        zone: ZoneCode,
        /// The currency code.
        currency: &'static str,
        /// Cleared into the zone.
        inflow: u128,
        /// Cleared out of it.
        outflow: u128,
    },
    /// A zone's creditors were paid more beyond what its debtors paid in than its allowance
    /// (in a currency with allowances).
    BeyondAllowance {
        /// The zone.
        zone: ZoneCode,
        /// The currency code.
        currency: &'static str,
        /// Cleared into the zone less cleared out of it.
        beyond: u128,
        /// The zone's allowance in the currency (0 without one).
        allowance: u128,
    },
    /// The claim could be cleared more at the expense of lower-ranked claims only.
    Priority {
        /// The claim.
        id: ClaimId,
    },
    /// Set-off changed a participant's net position.
    SetOffNetPosition {
        /// The participant.
        participant: ParticipantId,
    },
    /// A payment instruction differs from the sum of its claims, or is missing or extra.
    Payment {
        /// The participant.
        participant: ParticipantId,
        /// The zone.
        zone: ZoneCode,
    },
    /// A payment instruction names a participant of another zone.
    CrossesZone {
        /// The participant.
        participant: ParticipantId,
        /// The instruction's zone.
        zone: ZoneCode,
    },
    /// A house account does not balance: what it takes in less what it pays out differs from
    /// the zone's cross-border outflow less its inflow.
    HouseUnbalanced {
        /// The zone.
        zone: ZoneCode,
        /// The currency code.
        currency: &'static str,
    },
    /// More violations than listed.
    More(usize),
}

impl fmt::Display for InstexViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstexViolation::Length => write!(f, "not one value per claim"),
            InstexViolation::Bounds { id } => write!(f, "claim {id}: cleared out of bounds"),
            InstexViolation::Domestic { id } => {
                write!(
                    f,
                    "claim {id}: domestic not cleared in full, or cross-border set off"
                )
            }
            InstexViolation::ZoneBalance {
                zone,
                currency,
                inflow,
                outflow,
            } => write!(
                f,
                "zone {zone} {currency}: in {inflow} differs from out {outflow}"
            ),
            InstexViolation::BeyondAllowance {
                zone,
                currency,
                beyond,
                allowance,
            } => write!(
                f,
                "zone {zone} {currency}: pays out {beyond} more than it collects, beyond its allowance {allowance}"
            ),
            InstexViolation::Priority { id } => write!(
                f,
                "claim {id}: could be cleared more at the expense of lower-ranked claims only"
            ),
            InstexViolation::SetOffNetPosition { participant } => {
                write!(
                    f,
                    "participant {participant}: set-off changed its net position"
                )
            }
            InstexViolation::Payment { participant, zone } => write!(
                f,
                "participant {participant} in zone {zone}: payment instructions do not match its claims"
            ),
            InstexViolation::CrossesZone { participant, zone } => write!(
                f,
                "participant {participant}: payment instruction in zone {zone}, not its own"
            ),
            InstexViolation::HouseUnbalanced { zone, currency } => {
                write!(
                    f,
                    "zone {zone} {currency}: the house account does not balance"
                )
            }
            InstexViolation::More(n) => write!(f, "{n} more violations"),
        }
    }
}

/// Checks `settlement` against `book`; an empty list means every invariant holds.
///
/// The same as [`check_settlement_with_allowances`] without allowances.
pub fn check_settlement(book: &ClaimBook, settlement: &Settlement) -> Vec<InstexViolation> {
    check_settlement_with_allowances(book, settlement, &[])
}

/// Checks `settlement` against `book` and the `allowances` it was settled with (summed per
/// zone and currency, as [`super::settle_with_allowances`] does); an empty list means every
/// invariant holds.
pub fn check_settlement_with_allowances(
    book: &ClaimBook,
    settlement: &Settlement,
    allowances: &[Allowance],
) -> Vec<InstexViolation> {
    let claims = book.claims();
    let mut v = Vec::new();
    if settlement.cleared.len() != claims.len() || settlement.set_off.len() != claims.len() {
        return vec![InstexViolation::Length];
    }
    let allowances = AllowanceTable::new(allowances);
    let flows = counter_flows(claims, &settlement.cleared);
    check_bounds(claims, settlement, &mut v);
    check_allowances(&flows, &allowances, &mut v);
    check_priority(claims, &settlement.cleared, &flows, &allowances, &mut v);
    check_set_off(claims, &settlement.set_off, &mut v);
    check_payments(book, settlement, &flows, &mut v);
    if v.len() > VIOLATIONS_MAX {
        let more = v.len() - VIOLATIONS_MAX;
        v.truncate(VIOLATIONS_MAX);
        v.push(InstexViolation::More(more));
    }
    v
}

fn check_bounds(claims: &[Claim], s: &Settlement, v: &mut Vec<InstexViolation>) {
    for (i, c) in claims.iter().enumerate() {
        let (done, off) = (s.cleared[i], s.set_off[i]);
        if done < 0 || done > c.amount || off < 0 || off > done {
            v.push(InstexViolation::Bounds { id: c.id.clone() });
        }
        if (!c.is_cross_border() && done != c.amount) || (c.is_cross_border() && off != 0) {
            v.push(InstexViolation::Domestic { id: c.id.clone() });
        }
    }
}

/// Cleared cross-border amounts per zone and currency code: (into the zone, out of it).
type Flows<'a> = BTreeMap<(&'a ZoneCode, &'static str), (u128, u128)>;

fn counter_flows<'a>(claims: &'a [Claim], cleared: &[i64]) -> Flows<'a> {
    let mut flows = Flows::new();
    for (c, &done) in claims.iter().zip(cleared) {
        if !c.is_cross_border() {
            continue;
        }
        let amount = u128::from(done.unsigned_abs());
        let code = c.currency.code();
        flows.entry((&c.debtor_zone, code)).or_default().1 += amount;
        flows.entry((&c.creditor_zone, code)).or_default().0 += amount;
    }
    flows
}

/// `in − out ≤ allowance` for every zone and currency. In a currency without allowances this
/// is `in = out` for every zone (the sums of `in − out` over the zones cancel), reported as
/// [`InstexViolation::ZoneBalance`] for every zone out of balance.
fn check_allowances(flows: &Flows<'_>, table: &AllowanceTable<'_>, v: &mut Vec<InstexViolation>) {
    let with_allowance: BTreeSet<&'static str> = flows
        .keys()
        .filter(|&&(zone, currency)| table.get(zone, currency) > 0)
        .map(|&(_, currency)| currency)
        .collect();
    for (&(zone, currency), &(inflow, outflow)) in flows {
        if !with_allowance.contains(currency) {
            if inflow != outflow {
                v.push(InstexViolation::ZoneBalance {
                    zone: zone.clone(),
                    currency,
                    inflow,
                    outflow,
                });
            }
            continue;
        }
        let allowance = table.get(zone, currency);
        let beyond = inflow.saturating_sub(outflow);
        if beyond > allowance {
            v.push(InstexViolation::BeyondAllowance {
                zone: zone.clone(),
                currency,
                beyond,
                allowance,
            });
        }
    }
}

/// For each currency and zone pair, the best-ranked claim not cleared in full must have no
/// residual path back from its creditor zone to its debtor zone, where a pair can be raised if
/// some claim on it has room, and lowered if some claim on it ranked after this one was cleared;
/// and where the path may step from a zone into the virtual node `V` while the zone takes in
/// less than its allowance beyond what it pays out, and from `V` to any zone.
fn check_priority(
    claims: &[Claim],
    cleared: &[i64],
    flows: &Flows<'_>,
    table: &AllowanceTable<'_>,
    v: &mut Vec<InstexViolation>,
) {
    let mut by_currency: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        if c.is_cross_border() {
            by_currency.entry(c.currency.code()).or_default().push(i);
        }
    }
    for (currency, indices) in by_currency {
        let mut zones: HashMap<&ZoneCode, usize> = HashMap::new();
        for &i in &indices {
            for z in [&claims[i].debtor_zone, &claims[i].creditor_zone] {
                let next = zones.len();
                zones.entry(z).or_insert(next);
            }
        }
        let z = zones.len();
        // Whether zone x could take in one more unit beyond what it pays out.
        let mut spare = vec![false; z];
        for (&zone, &x) in &zones {
            let (inflow, outflow) = flows.get(&(zone, currency)).copied().unwrap_or_default();
            spare[x] = inflow < outflow.saturating_add(table.get(zone, currency));
        }
        let pair = |c: &Claim| zones[&c.debtor_zone] * z + zones[&c.creditor_zone];
        let mut order = indices;
        order.sort_by(|&x, &y| claims[x].rank_cmp(&claims[y]));
        // Per pair: whether some claim has room; the worst-ranked cleared claim (by rank
        // position); the best-ranked short claim.
        let mut room = vec![false; z * z];
        let mut last_cleared: Vec<Option<usize>> = vec![None; z * z];
        let mut first_short: Vec<Option<(usize, usize)>> = vec![None; z * z];
        for (rank, &i) in order.iter().enumerate() {
            let p = pair(&claims[i]);
            if cleared[i] < claims[i].amount {
                room[p] = true;
                first_short[p].get_or_insert((rank, i));
            }
            if cleared[i] > 0 {
                last_cleared[p] = Some(rank);
            }
        }
        for (p, short) in first_short.iter().enumerate() {
            let Some((rank, i)) = *short else {
                continue;
            };
            let lowerable = |q: usize| last_cleared[q].is_some_and(|r| r > rank);
            // Node z is V.
            let step = |x: usize, y: usize| {
                if x == z {
                    true
                } else if y == z {
                    spare[x]
                } else {
                    room[x * z + y] || lowerable(y * z + x)
                }
            };
            if reachable(z + 1, p % z, p / z, &step) {
                v.push(InstexViolation::Priority {
                    id: claims[i].id.clone(),
                });
            }
        }
    }
}

/// Whether `to` can be reached from `from` on a graph of `nodes` nodes, stepping x → y when
/// `step(x, y)`.
fn reachable(nodes: usize, from: usize, to: usize, step: &dyn Fn(usize, usize) -> bool) -> bool {
    let mut seen = vec![false; nodes];
    let mut stack = vec![from];
    seen[from] = true;
    while let Some(x) = stack.pop() {
        if x == to {
            return true;
        }
        for (y, seen_y) in seen.iter_mut().enumerate() {
            if !*seen_y && x != y && step(x, y) {
                *seen_y = true;
                stack.push(y);
            }
        }
    }
    false
}

fn check_set_off(claims: &[Claim], set_off: &[i64], v: &mut Vec<InstexViolation>) {
    let mut net: BTreeMap<(&ParticipantId, &'static str), i128> = BTreeMap::new();
    for (c, &off) in claims.iter().zip(set_off) {
        if off == 0 {
            continue;
        }
        *net.entry((&c.debtor, c.currency.code())).or_default() += i128::from(off);
        *net.entry((&c.creditor, c.currency.code())).or_default() -= i128::from(off);
    }
    for ((participant, _), change) in net {
        if change != 0 {
            let participant = participant.clone();
            v.push(InstexViolation::SetOffNetPosition { participant });
        }
    }
}

fn check_payments(
    book: &ClaimBook,
    s: &Settlement,
    flows: &Flows<'_>,
    v: &mut Vec<InstexViolation>,
) {
    type Key<'a> = (&'a ZoneCode, &'static str, &'a ParticipantId, Direction);
    let mut expected: BTreeMap<Key<'_>, u128> = BTreeMap::new();
    for (i, c) in book.claims().iter().enumerate() {
        let paid = u128::from((s.cleared[i] - s.set_off[i]).unsigned_abs());
        if paid == 0 {
            continue;
        }
        let code = c.currency.code();
        *expected
            .entry((&c.debtor_zone, code, &c.debtor, Direction::PaysHouse))
            .or_default() += paid;
        *expected
            .entry((&c.creditor_zone, code, &c.creditor, Direction::PaidByHouse))
            .or_default() += paid;
    }
    // Each house account must take in its zone's cross-border outflow less its inflow: start
    // every account at minus that, and expect 0 after the payments.
    let mut house: BTreeMap<(&ZoneCode, &'static str), i128> = BTreeMap::new();
    for (&key, &(inflow, outflow)) in flows {
        let signed = |x: u128| i128::try_from(x).unwrap_or(i128::MAX);
        house.insert(key, signed(inflow) - signed(outflow));
    }
    for p in &s.payments {
        if book.zone_of(&p.participant) != Some(&p.zone) {
            v.push(InstexViolation::CrossesZone {
                participant: p.participant.clone(),
                zone: p.zone.clone(),
            });
        }
        let key = (&p.zone, p.currency.code(), &p.participant, p.direction);
        if expected.remove(&key) != Some(p.amount) {
            v.push(InstexViolation::Payment {
                participant: p.participant.clone(),
                zone: p.zone.clone(),
            });
        }
        let signed = i128::try_from(p.amount).unwrap_or(i128::MAX);
        let balance = house.entry((&p.zone, p.currency.code())).or_default();
        match p.direction {
            Direction::PaysHouse => *balance += signed,
            Direction::PaidByHouse => *balance -= signed,
        }
    }
    for (zone, _, participant, _) in expected.into_keys() {
        v.push(InstexViolation::Payment {
            participant: participant.clone(),
            zone: zone.clone(),
        });
    }
    for ((zone, currency), balance) in house {
        if balance != 0 {
            let zone = zone.clone();
            v.push(InstexViolation::HouseUnbalanced { zone, currency });
        }
    }
}
