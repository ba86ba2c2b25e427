//! Zone-balanced selection and the domestic payment plan.
//!
//! **What is maximised.** Per currency, the cleared cross-border amounts form a circulation on
//! the zone graph (into every zone as much as out of it), except that a zone with an
//! [`Allowance`] may take in up to its allowance more than it pays out (a liquidity provider pays
//! the difference to the zone's creditors). Claims are taken in rank order
//! (priority, then submission time, then id), and each is cleared as far as any circulation
//! allows *given the amounts already fixed for the claims ranked before it*, the claims ranked
//! after it being free in `0 ..= amount`. This is the lexicographic maximum in rank order: no
//! claim can be cleared more without clearing a better-ranked one less. With two zones it is
//! `min(A→B, B→A)`, the marginal claim on the longer side cleared in part. With more zones it
//! is maximal (no cycle of claims with room is left) but need not carry the largest possible
//! total: a humanitarian claim is never sacrificed for volume.
//!
//! **How.** Per currency the solver keeps a feasible circulation `F` on zone pairs, with lower
//! bounds (the amounts fixed so far) and upper bounds (those plus the amounts still free). For
//! each claim on `a → b`, it raises `F(a, b)` up to the claim's full amount with augmenting
//! paths from `b` back to `a` (a BFS on at most `zones²` residual pairs); the claim gets what
//! `F(a, b)` exceeds the fixed amount by; then its amount is fixed.
//!
//! **Allowances.** A pair `a → b` carries what debtors in zone `a` owe creditors in zone `b`, so
//! `b` takes in what `a` pays out. The graph has one virtual node `V` with a pair `z → V` of
//! capacity `allowance(z)` from every zone and a pair `V → y` without limit to every zone:
//! conservation at `z` then reads `in(z) − out(z) = F(z, V) − F(V, z) ≤ allowance(z)`, and every
//! cleared set within the allowances has such a flow. The virtual pairs are not ranked (their
//! lower bound stays 0), so augmenting paths pass through `V` freely; without allowances nothing
//! can enter `V` and the selection is the exact balance.

use std::collections::BTreeMap;

use model::{Currency, ParticipantId, ZoneCode};

use super::allowance::{Allowance, AllowanceTable};
use super::claims::{Claim, ClaimBook};
use crate::network::{Network, Obligation};
use crate::setoff::{SolveError, set_off};

/// Options of a settlement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Run set-off over the domestic claims of each zone and currency before paying them.
    pub set_off_domestic: bool,
}

/// Which way a payment goes through a zone's house account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// The participant pays the house (as debtor).
    PaysHouse,
    /// The house pays the participant (as creditor).
    PaidByHouse,
}

impl Direction {
    /// The text form: `pays_house` or `paid_by_house`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::PaysHouse => "pays_house",
            Direction::PaidByHouse => "paid_by_house",
        }
    }
}

/// One domestic payment instruction: between a participant and its zone's house account, in
/// the zone's own books, aggregated over all the participant's cleared claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// The zone of the house account and of the participant.
    pub zone: ZoneCode,
    /// The currency.
    pub currency: Currency,
    /// The participant.
    pub participant: ParticipantId,
    /// Which way.
    pub direction: Direction,
    /// Minor units (a sum over claims, so it may exceed `i64`).
    pub amount: u128,
}

/// Totals of one zone in one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneTotals {
    /// The zone.
    pub zone: Option<ZoneCode>,
    /// The currency code.
    pub currency: &'static str,
    /// Cleared cross-border claims owed by the zone's debtors (paid into its house).
    pub cross_border_out: u128,
    /// Cleared cross-border claims owed to the zone's creditors (paid out of its house).
    pub cross_border_in: u128,
    /// Domestic claims cleared.
    pub domestic: u128,
    /// Of those, cleared by set-off without payment.
    pub domestic_set_off: u128,
    /// Cross-border claims of the zone's debtors left queued.
    pub queued_out: u128,
    /// Cross-border claims to the zone's creditors left queued.
    pub queued_in: u128,
    /// `cross_border_in − cross_border_out`: positive, the zone pays out that much more than it
    /// collects (its liquidity provider covers it, within the allowance); negative, it collects
    /// that much more (the surplus that repays the providers of other zones).
    pub beyond_counter_flow: i128,
    /// Paid into the house.
    pub paid_in: u128,
    /// Paid out of the house.
    pub paid_out: u128,
}

/// The result of a settlement cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Cleared amount of every claim, in the book's order.
    pub cleared: Vec<i64>,
    /// The part of it cleared by set-off (domestic claims, with the option), in the book's order.
    pub set_off: Vec<i64>,
    /// Payment instructions, sorted by zone, currency, participant, direction.
    pub payments: Vec<Payment>,
    /// Totals per zone and currency, sorted.
    pub zones: Vec<ZoneTotals>,
}

/// Settles a cycle: selects the cross-border claims zone-balanced per currency, settles the
/// domestic ones (optionally after set-off), and plans the domestic payments.
///
/// The same as [`settle_with_allowances`] without allowances.
pub fn settle(book: &ClaimBook, options: Options) -> Result<Settlement, SolveError> {
    settle_with_allowances(book, options, &[])
}

/// Settles a cycle as [`settle`] does, but lets each zone take in up to its allowance more than
/// it pays out, per currency. Allowances for the same zone and currency add up; those for a
/// zone or currency without cross-border claims change nothing.
pub fn settle_with_allowances(
    book: &ClaimBook,
    options: Options,
    allowances: &[Allowance],
) -> Result<Settlement, SolveError> {
    let claims = book.claims();
    let allowances = AllowanceTable::new(allowances);
    let mut cleared = vec![0i64; claims.len()];
    let mut set_off_part = vec![0i64; claims.len()];
    for ((currency, _), indices) in group_by(claims, |c| (c.currency.code(), None)) {
        let cross: Vec<usize> = indices
            .into_iter()
            .filter(|&i| claims[i].is_cross_border())
            .collect();
        let allowance = |zone: &ZoneCode| allowances.get(zone, currency);
        select_cross_border(claims, &cross, &allowance, &mut cleared);
    }
    for (i, c) in claims.iter().enumerate() {
        if !c.is_cross_border() {
            cleared[i] = c.amount;
        }
    }
    if options.set_off_domestic {
        let domestic = |c: &Claim| (c.currency.code(), Some(c.debtor_zone.clone()));
        for (key, indices) in group_by(claims, domestic) {
            if key.1.is_some() {
                set_off_domestic(claims, &indices, &mut set_off_part)?;
            }
        }
    }
    let payments = plan_payments(claims, &cleared, &set_off_part);
    let zones = zone_totals(claims, &cleared, &set_off_part, &payments);
    Ok(Settlement {
        cleared,
        set_off: set_off_part,
        payments,
        zones,
    })
}

/// Claim indices grouped by `key`; cross-border claims get `None` as zone in the domestic
/// grouping, so callers can skip them.
fn group_by(
    claims: &[Claim],
    key: impl Fn(&Claim) -> (&'static str, Option<ZoneCode>),
) -> BTreeMap<(&'static str, Option<ZoneCode>), Vec<usize>> {
    let mut groups: BTreeMap<_, Vec<usize>> = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        let (currency, zone) = key(c);
        let zone = zone.filter(|_| !c.is_cross_border());
        groups.entry((currency, zone)).or_default().push(i);
    }
    groups
}

/// The capacity of the virtual pairs `V → y`: no limit in effect. Every flow stays within the
/// sum of the currency's claims (each augmentation raises a claim's pair by what it moves, and
/// no claim is raised beyond its amount), at most `CLAIMS_MAX · i64::MAX < 2^87`, so no room or
/// flow computed from it wraps.
const UNBOUNDED: i128 = i128::MAX / 4;

/// The zone graph of one currency: flows on pairs of nodes with bounds. Nodes `0 .. zones` are
/// the zones, node `zones` is the virtual node `V` of the allowances; pair `a → b` is what
/// debtors in `a` owe creditors in `b`.
pub(crate) struct ZoneGraph {
    /// Zones plus the virtual node.
    pub nodes: usize,
    /// Amounts fixed so far, per pair `a * nodes + b`.
    pub low: Vec<i128>,
    /// Fixed amounts plus the amounts still free.
    pub high: Vec<i128>,
    /// A circulation within the bounds.
    pub flow: Vec<i128>,
}

impl ZoneGraph {
    /// The graph of `allowance.len()` zones, with pairs `z → V` of capacity `allowance[z]` and
    /// pairs `V → y` without limit.
    fn new(allowance: &[i128]) -> ZoneGraph {
        let zones = allowance.len();
        let nodes = zones + 1;
        let mut graph = ZoneGraph {
            nodes,
            low: vec![0; nodes * nodes],
            high: vec![0; nodes * nodes],
            flow: vec![0; nodes * nodes],
        };
        for (z, &a) in allowance.iter().enumerate() {
            debug_assert!((0..=UNBOUNDED).contains(&a));
            graph.high[z * nodes + zones] = a;
            graph.high[zones * nodes + z] = UNBOUNDED;
        }
        graph
    }

    /// Raises the flow on `a → b` by up to `want`, through augmenting paths from `b` to `a`
    /// that do not use the pair `a → b` itself. Returns the raise.
    fn raise(&mut self, a: usize, b: usize, want: i128) -> i128 {
        let mut raised = 0;
        while raised < want {
            let Some(path) = self.path(b, a, (a, b)) else {
                break;
            };
            let room = path
                .iter()
                .map(|&(p, forward)| self.room(p, forward))
                .min()
                .unwrap_or(0)
                .min(want - raised);
            if room <= 0 {
                break;
            }
            for &(p, forward) in &path {
                self.flow[p] += if forward { room } else { -room };
            }
            raised += room;
        }
        self.flow[a * self.nodes + b] += raised;
        raised
    }

    fn room(&self, pair: usize, forward: bool) -> i128 {
        if forward {
            self.high[pair] - self.flow[pair]
        } else {
            self.flow[pair] - self.low[pair]
        }
    }

    /// A shortest residual path from `from` to `to` as (pair, forward) steps, avoiding `skip`.
    fn path(&self, from: usize, to: usize, skip: (usize, usize)) -> Option<Vec<(usize, bool)>> {
        let n = self.nodes;
        let mut came: Vec<Option<(usize, usize, bool)>> = vec![None; n];
        let mut queue = vec![from];
        let mut seen = vec![false; n];
        seen[from] = true;
        let mut head = 0;
        while head < queue.len() {
            let x = queue[head];
            head += 1;
            if x == to {
                break;
            }
            for y in 0..n {
                if seen[y] || x == y {
                    continue;
                }
                // Forward on pair x → y, or backward on pair y → x.
                let step = if (x, y) != skip && self.room(x * n + y, true) > 0 {
                    Some((x * n + y, true))
                } else if (y, x) != skip && self.room(y * n + x, false) > 0 {
                    Some((y * n + x, false))
                } else {
                    None
                };
                if let Some((pair, forward)) = step {
                    seen[y] = true;
                    came[y] = Some((x, pair, forward));
                    queue.push(y);
                }
            }
        }
        if !seen[to] {
            return None;
        }
        let mut steps = Vec::new();
        let mut v = to;
        while let Some((prev, pair, forward)) = came[v] {
            steps.push((pair, forward));
            v = prev;
        }
        Some(steps)
    }
}

/// Selects the cross-border claims `indices` (one currency) in rank order, each zone taking in
/// at most `allowance(zone)` more than it pays out.
fn select_cross_border(
    claims: &[Claim],
    indices: &[usize],
    allowance: &dyn Fn(&ZoneCode) -> u128,
    cleared: &mut [i64],
) {
    let mut zone_index: BTreeMap<&ZoneCode, usize> = BTreeMap::new();
    for &i in indices {
        for z in [&claims[i].debtor_zone, &claims[i].creditor_zone] {
            let next = zone_index.len();
            zone_index.entry(z).or_insert(next);
        }
    }
    let mut capacity = vec![0i128; zone_index.len()];
    for (&zone, &z) in &zone_index {
        capacity[z] = i128::try_from(allowance(zone)).map_or(UNBOUNDED, |a| a.min(UNBOUNDED));
    }
    let mut graph = ZoneGraph::new(&capacity);
    let n = graph.nodes;
    let pair_of = |c: &Claim| (zone_index[&c.debtor_zone], zone_index[&c.creditor_zone]);
    for &i in indices {
        let (a, b) = pair_of(&claims[i]);
        graph.high[a * n + b] += i128::from(claims[i].amount);
    }
    let mut order = indices.to_vec();
    order.sort_by(|&x, &y| claims[x].rank_cmp(&claims[y]));
    for i in order {
        let (a, b) = pair_of(&claims[i]);
        let pair = a * n + b;
        let amount = i128::from(claims[i].amount);
        let short = graph.low[pair] + amount - graph.flow[pair];
        if short > 0 {
            graph.raise(a, b, short);
        }
        let got = (graph.flow[pair] - graph.low[pair]).clamp(0, amount);
        graph.low[pair] += got;
        graph.high[pair] -= amount - got;
        // `got` is within 0 ..= amount, which is an i64.
        cleared[i] = i64::try_from(got).unwrap_or(0);
    }
}

/// Set-off over the domestic claims `indices` of one zone and currency, oldest first.
fn set_off_domestic(
    claims: &[Claim],
    indices: &[usize],
    set_off_part: &mut [i64],
) -> Result<(), SolveError> {
    let mut order = indices.to_vec();
    order.sort_by(|&x, &y| {
        (claims[x].submitted_at, &claims[x].id).cmp(&(claims[y].submitted_at, &claims[y].id))
    });
    let mut firm: BTreeMap<&ParticipantId, u32> = BTreeMap::new();
    let mut obligations = Vec::with_capacity(order.len());
    for &i in &order {
        let c = &claims[i];
        let mut number = |p| {
            let next = firm.len() as u32;
            *firm.entry(p).or_insert(next)
        };
        let (debtor, creditor) = (number(&c.debtor), number(&c.creditor));
        obligations.push(Obligation {
            debtor,
            creditor,
            amount: c.amount.unsigned_abs(),
        });
    }
    let network = Network::new(firm.len(), obligations)
        .map_err(|_| SolveError::Internal("a validated claim book made an invalid network"))?;
    let result = set_off(&network)?;
    for (k, &i) in order.iter().enumerate() {
        set_off_part[i] = i64::try_from(result.cleared[k]).unwrap_or(0);
    }
    Ok(())
}

/// Payment instructions: per zone, currency and participant, what it pays the house as debtor
/// and what the house pays it as creditor, for the cleared amounts not set off.
fn plan_payments(claims: &[Claim], cleared: &[i64], set_off_part: &[i64]) -> Vec<Payment> {
    type Key<'a> = (&'a ZoneCode, &'static str, &'a ParticipantId, Direction);
    let mut sums: BTreeMap<Key<'_>, (Currency, u128)> = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        let paid = u128::from((cleared[i] - set_off_part[i]).unsigned_abs());
        if paid == 0 {
            continue;
        }
        let code = c.currency.code();
        for key in [
            (&c.debtor_zone, code, &c.debtor, Direction::PaysHouse),
            (&c.creditor_zone, code, &c.creditor, Direction::PaidByHouse),
        ] {
            sums.entry(key).or_insert((c.currency, 0)).1 += paid;
        }
    }
    sums.into_iter()
        .map(
            |((zone, _, participant, direction), (currency, amount))| Payment {
                zone: zone.clone(),
                currency,
                participant: participant.clone(),
                direction,
                amount,
            },
        )
        .collect()
}

fn zone_totals(
    claims: &[Claim],
    cleared: &[i64],
    set_off_part: &[i64],
    payments: &[Payment],
) -> Vec<ZoneTotals> {
    let mut totals: BTreeMap<(&ZoneCode, &'static str), ZoneTotals> = BTreeMap::new();
    for (i, c) in claims.iter().enumerate() {
        let code = c.currency.code();
        let done = u128::from(cleared[i].unsigned_abs());
        let left = u128::from((c.amount - cleared[i]).unsigned_abs());
        let new = |zone: &ZoneCode| ZoneTotals {
            zone: Some(zone.clone()),
            currency: code,
            ..ZoneTotals::default()
        };
        if c.is_cross_border() {
            let out = totals
                .entry((&c.debtor_zone, code))
                .or_insert_with(|| new(&c.debtor_zone));
            out.cross_border_out += done;
            out.queued_out += left;
            let inn = totals
                .entry((&c.creditor_zone, code))
                .or_insert_with(|| new(&c.creditor_zone));
            inn.cross_border_in += done;
            inn.queued_in += left;
        } else {
            let t = totals
                .entry((&c.debtor_zone, code))
                .or_insert_with(|| new(&c.debtor_zone));
            t.domestic += done;
            t.domestic_set_off += u128::from(set_off_part[i].unsigned_abs());
        }
    }
    for p in payments {
        if let Some(t) = totals.get_mut(&(&p.zone, p.currency.code())) {
            match p.direction {
                Direction::PaysHouse => t.paid_in += p.amount,
                Direction::PaidByHouse => t.paid_out += p.amount,
            }
        }
    }
    for t in totals.values_mut() {
        // Each side sums at most `CLAIMS_MAX` amounts of an `i64`: far below `i128::MAX`.
        let signed = |x: u128| i128::try_from(x).unwrap_or(i128::MAX);
        t.beyond_counter_flow = signed(t.cross_border_in) - signed(t.cross_border_out);
    }
    totals.into_values().collect()
}
