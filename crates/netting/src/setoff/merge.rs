//! Parallel obligations between the same two firms merged into one arc, in a compressed
//! adjacency layout (arcs sorted by debtor, then creditor).
//!
//! Sorting keeps the obligations of one pair in age (row) order, which is the order in which a
//! pair's cleared amount is split back.

use super::par::{self, Blocks, on_threads};
use crate::network::{Network, Obligation};

/// The merged network. A *pair* is all obligations from one debtor to one creditor; it becomes
/// one *arc*, or several when its sum exceeds `u64` (only with amounts near [`AMOUNT_MAX`]), so
/// that capacities stay `u64` and nothing can wrap.
///
/// [`AMOUNT_MAX`]: crate::AMOUNT_MAX
#[derive(Debug)]
pub(crate) struct Merged {
    /// Obligation indices sorted by (debtor, creditor, age).
    pub order: Vec<u32>,
    /// Pair `p` holds `order[pair_start[p] .. pair_start[p + 1]]`.
    pub pair_start: Vec<u32>,
    /// Pair `p` is arcs `pair_arcs[p] .. pair_arcs[p + 1]`.
    pub pair_arcs: Vec<u32>,
    /// Arc debtor.
    pub tail: Vec<u32>,
    /// Arc creditor.
    pub head: Vec<u32>,
    /// Arc capacity: the sum of its obligations.
    pub cap: Vec<u64>,
    /// The arcs owed by firm `f` are `out_start[f] .. out_start[f + 1]`.
    pub out_start: Vec<u32>,
}

impl Merged {
    /// Merges on `threads` cores: the result does not depend on their number.
    ///
    /// The obligations are grouped by debtor (a counting sort, so each group is in row order);
    /// then, one range of debtors per core, each debtor's group is sorted by (creditor, row),
    /// which is a stable sort by creditor, and its pairs and arcs are counted; last, each core
    /// writes its debtors' pairs and arcs into its own part of the result.
    pub fn new(network: &Network, threads: usize) -> Merged {
        let obligations = network.obligations();
        let firms = network.firms();
        let (debtor_start, mut order) =
            par::group_by(firms, obligations.len(), |i| obligations[i].debtor);
        // Debtors cut into ranges of about equal numbers of obligations (the blocks' `halves`
        // are then positions in `order`).
        let ranges = Blocks::new(&debtor_start, threads);
        let count = ranges.count();
        // Sort and count, per range of debtors: (pairs, arcs).
        let mut counts = vec![(0usize, 0usize); count];
        let mut jobs = Vec::with_capacity(count);
        let (mut order_rest, mut counts_rest) = (&mut order[..], &mut counts[..]);
        for k in 0..count {
            let len = (ranges.halves[k + 1] - ranges.halves[k]) as usize;
            let (part, rest) = order_rest.split_at_mut(len);
            order_rest = rest;
            let (counted, rest) = counts_rest.split_at_mut(1);
            counts_rest = rest;
            jobs.push((k, part, counted));
        }
        on_threads(jobs, |(k, part, counted)| {
            let base = ranges.halves[k] as usize;
            let mut keys = Vec::new();
            let (mut pairs, mut arcs) = (0, 0);
            for d in ranges.nodes[k]..ranges.nodes[k + 1] {
                let group =
                    &mut part[debtor_start[d] as usize - base..debtor_start[d + 1] as usize - base];
                if group.len() > 1 {
                    keys.clear();
                    keys.extend(group.iter().map(|&i| {
                        (u64::from(obligations[i as usize].creditor) << 32) | u64::from(i)
                    }));
                    keys.sort_unstable();
                    for (slot, &key) in group.iter_mut().zip(&keys) {
                        *slot = key as u32;
                    }
                }
                for_each_arc(obligations, group, |new_pair, _, _, _| {
                    pairs += usize::from(new_pair);
                    arcs += 1;
                });
            }
            counted[0] = (pairs, arcs);
        });
        let pairs: usize = counts.iter().map(|c| c.0).sum();
        let arcs: usize = counts.iter().map(|c| c.1).sum();
        let mut merged = Merged {
            order,
            pair_start: vec![0; pairs + 1],
            pair_arcs: vec![0; pairs + 1],
            tail: vec![0; arcs],
            head: vec![0; arcs],
            cap: vec![0; arcs],
            out_start: vec![0; firms + 1],
        };
        merged.write_arcs(network, &ranges, &counts, &debtor_start);
        merged.pair_start[pairs] = obligations.len() as u32;
        merged.pair_arcs[pairs] = arcs as u32;
        merged.out_start[firms] = arcs as u32;
        merged
    }

    pub fn arcs(&self) -> usize {
        self.cap.len()
    }

    pub fn pairs(&self) -> usize {
        self.pair_arcs.len().saturating_sub(1)
    }

    /// Writes every range's pairs and arcs into its own part of the arrays.
    fn write_arcs(
        &mut self,
        network: &Network,
        ranges: &Blocks,
        counts: &[(usize, usize)],
        debtor_start: &[u32],
    ) {
        let obligations = network.obligations();
        let mut jobs = Vec::with_capacity(counts.len());
        let mut pair_start = &mut self.pair_start[..];
        let mut pair_arcs = &mut self.pair_arcs[..];
        let mut tail = &mut self.tail[..];
        let mut head = &mut self.head[..];
        let mut cap = &mut self.cap[..];
        let mut out_start = &mut self.out_start[..];
        let mut first_arc = 0;
        for (k, &(pairs, arcs)) in counts.iter().enumerate() {
            let debtors = ranges.nodes[k + 1] - ranges.nodes[k];
            let (ps, rest) = pair_start.split_at_mut(pairs);
            pair_start = rest;
            let (pa, rest) = pair_arcs.split_at_mut(pairs);
            pair_arcs = rest;
            let (t, rest) = tail.split_at_mut(arcs);
            tail = rest;
            let (h, rest) = head.split_at_mut(arcs);
            head = rest;
            let (c, rest) = cap.split_at_mut(arcs);
            cap = rest;
            let (os, rest) = out_start.split_at_mut(debtors);
            out_start = rest;
            jobs.push((k, first_arc, ps, pa, t, h, c, os));
            first_arc += arcs;
        }
        let order = &self.order;
        on_threads(jobs, |(k, first_arc, ps, pa, t, h, c, os)| {
            let (mut pair, mut arc) = (0, 0);
            for d in ranges.nodes[k]..ranges.nodes[k + 1] {
                os[d - ranges.nodes[k]] = (first_arc + arc) as u32;
                let start = debtor_start[d] as usize;
                let group = &order[start..debtor_start[d + 1] as usize];
                for_each_arc(obligations, group, |new_pair, at, creditor, amount| {
                    if new_pair {
                        ps[pair] = (start + at) as u32;
                        pa[pair] = (first_arc + arc) as u32;
                        pair += 1;
                    }
                    t[arc] = d as u32;
                    h[arc] = creditor;
                    c[arc] = amount;
                    arc += 1;
                });
            }
        });
    }
}

/// Calls `arc(new_pair, at, creditor, capacity)` for every arc of one debtor's group, sorted
/// by creditor: a pair's obligations are summed into one arc, and another arc is opened
/// whenever the sum would not fit a `u64` (`at`: where the pair starts in the group).
fn for_each_arc(
    obligations: &[Obligation],
    group: &[u32],
    mut arc: impl FnMut(bool, usize, u32, u64),
) {
    let mut open: Option<(bool, usize, u32, u64)> = None;
    for (at, &i) in group.iter().enumerate() {
        let o = obligations[i as usize];
        open = match open {
            Some((new_pair, first, creditor, sum)) if creditor == o.creditor => {
                match sum.checked_add(o.amount) {
                    Some(sum) => Some((new_pair, first, creditor, sum)),
                    None => {
                        arc(new_pair, first, creditor, sum);
                        Some((false, first, creditor, o.amount))
                    }
                }
            }
            previous => {
                if let Some((new_pair, first, creditor, sum)) = previous {
                    arc(new_pair, first, creditor, sum);
                }
                Some((true, at, o.creditor, o.amount))
            }
        };
    }
    if let Some((new_pair, first, creditor, sum)) = open {
        arc(new_pair, first, creditor, sum);
    }
}
