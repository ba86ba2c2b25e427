//! Parallel obligations between the same two firms merged into one arc, in a compressed
//! adjacency layout (arcs sorted by debtor, then creditor).
//!
//! Sorting is two stable counting sorts (by creditor, then by debtor), so the obligations of one
//! pair stay in age order, which is the order in which a pair's cleared amount is split back.

use crate::network::Network;

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
    pub fn new(network: &Network) -> Merged {
        let obligations = network.obligations();
        let firms = network.firms();
        let by_creditor = counting_sort(firms, (0..obligations.len()).map(|i| i as u32), |i| {
            obligations[i as usize].creditor
        });
        let order = counting_sort(firms, by_creditor.iter().copied(), |i| {
            obligations[i as usize].debtor
        });
        let mut merged = Merged {
            order,
            pair_start: Vec::new(),
            pair_arcs: Vec::new(),
            tail: Vec::new(),
            head: Vec::new(),
            cap: Vec::new(),
            out_start: Vec::new(),
        };
        merged.build_arcs(network);
        merged.build_out_start(firms);
        merged
    }

    pub fn arcs(&self) -> usize {
        self.cap.len()
    }

    pub fn pairs(&self) -> usize {
        self.pair_arcs.len().saturating_sub(1)
    }

    fn build_arcs(&mut self, network: &Network) {
        let obligations = network.obligations();
        let mut previous: Option<(u32, u32)> = None;
        for position in 0..self.order.len() {
            let o = obligations[self.order[position] as usize];
            let key = (o.debtor, o.creditor);
            if previous != Some(key) {
                previous = Some(key);
                self.pair_start.push(position as u32);
                self.pair_arcs.push(self.cap.len() as u32);
                self.push_arc(o.debtor, o.creditor, o.amount);
                continue;
            }
            // Same pair: add to its last arc, or open another arc when the sum would not fit.
            match self.cap.last_mut().and_then(|c| c.checked_add(o.amount)) {
                Some(sum) => {
                    if let Some(last) = self.cap.last_mut() {
                        *last = sum;
                    }
                }
                None => self.push_arc(o.debtor, o.creditor, o.amount),
            }
        }
        self.pair_start.push(self.order.len() as u32);
        self.pair_arcs.push(self.cap.len() as u32);
    }

    fn push_arc(&mut self, tail: u32, head: u32, cap: u64) {
        self.tail.push(tail);
        self.head.push(head);
        self.cap.push(cap);
    }

    fn build_out_start(&mut self, firms: usize) {
        let mut start = vec![0u32; firms + 1];
        for &t in &self.tail {
            start[t as usize + 1] += 1;
        }
        for f in 0..firms {
            start[f + 1] += start[f];
        }
        self.out_start = start;
    }
}

/// A stable counting sort of `items` by `key` (below `keys`).
fn counting_sort(
    keys: usize,
    items: impl ExactSizeIterator<Item = u32> + Clone,
    key: impl Fn(u32) -> u32,
) -> Vec<u32> {
    let mut next = vec![0u32; keys + 1];
    for item in items.clone() {
        next[key(item) as usize + 1] += 1;
    }
    for k in 0..keys {
        next[k + 1] += next[k];
    }
    let mut sorted = vec![0u32; items.len()];
    for item in items {
        let slot = &mut next[key(item) as usize];
        sorted[*slot as usize] = item;
        *slot += 1;
    }
    sorted
}
