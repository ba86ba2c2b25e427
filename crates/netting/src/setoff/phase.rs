//! One phase's maximum flow, on the admissible subgraph only.
//!
//! After the potentials are raised, only halves of reduced cost 0 can carry flow in the phase,
//! and pushing flow never changes a reduced cost. Copying those halves (about a fifth of all on
//! the 1M-invoice instance) into a compact adjacency once per phase makes every later scan
//! shorter, and drops the reduced-cost test from the inner loops.
//!
//! In reverse (see [`super::flow`]) the copy holds every half's opposite residual and the caller
//! negates the excesses, so that the same code pushes deficits backwards.
//!
//! The maximum (pre)flow is push-relabel: exact hop labels to the nearest deficit from a
//! backward BFS, highest label first, current-arc pointers, the gap rule (firms kept in one list
//! per label), and a fresh BFS once relabelling has cost as much as one. Tried before it on the
//! 1M-invoice instance: Dinic's algorithm (9 s: a full BFS per round, and paths in the
//! admissible graph zigzag, so many rounds per phase) and shortest augmenting paths (3 s).

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::Relaxed;

use super::flow::{Cap, Half};
use super::par::{Blocks, on_threads};

const UNSEEN: u32 = u32::MAX;
const NIL: u32 = u32::MAX;

/// A half in the admissible subgraph.
#[derive(Debug, Clone, Copy)]
struct Sub<C> {
    to: u32,
    /// Index of the opposite half in the subgraph.
    partner: u32,
    res: C,
    /// The arc's capacity: the partner's residual is `cap − res`.
    cap: C,
}

/// One block's copy of its admissible halves, and their indices in the full adjacency.
#[derive(Debug)]
struct Part<C> {
    halves: Vec<Sub<C>>,
    origin: Vec<u32>,
}

impl<C> Default for Part<C> {
    fn default() -> Part<C> {
        Part {
            halves: Vec::new(),
            origin: Vec::new(),
        }
    }
}

/// One block's share of a copy: its firms, the buffers it fills, and its parts of the
/// per-firm starts and of the map from full to copied halves.
struct CopyJob<'a, C> {
    firms: std::ops::Range<usize>,
    halves: &'a mut Vec<Sub<C>>,
    origin: &'a mut Vec<u32>,
    start: &'a mut [u32],
    sub_of: &'a mut [u32],
}

/// Below this many firms per thread a level of a global relabel is scanned on fewer threads.
const FRONTIER_PER_THREAD_MIN: usize = 1 << 12;

/// The admissible subgraph and the state of the maximum flow on it.
#[derive(Debug)]
pub(crate) struct Admissible<C> {
    start: Vec<u32>,
    halves: Vec<Sub<C>>,
    /// Index in the full adjacency of every half.
    origin: Vec<u32>,
    /// Index in the subgraph of every half of the full adjacency that was copied.
    sub_of: Vec<u32>,
    /// Hop labels: a lower bound on the hops to the nearest deficit; `UNSEEN` when none.
    label: Vec<u32>,
    /// The firms of each label as doubly linked lists, for the gap rule.
    label_first: Vec<u32>,
    label_next: Vec<u32>,
    label_prev: Vec<u32>,
    label_max: u32,
    cur: Vec<u32>,
    queue: Vec<u32>,
    /// Firms with excess, one stack per label (highest label first).
    active_first: Vec<u32>,
    active_next: Vec<u32>,
    active_max: u32,
    /// Halves scanned by relabels since the last global relabel.
    relabel_work: usize,
    /// The cores to use, asked once (the standard library reads the cgroup limits for it).
    threads: usize,
    /// Global relabels mark the firms they reach with `seen_epoch`, atomically.
    seen: Vec<AtomicU32>,
    seen_epoch: u32,
    found: Vec<u32>,
    /// How the firms are cut for copying on several threads.
    blocks: Blocks,
    /// The copy of every block but the first before they are joined.
    parts: Vec<Part<C>>,
    /// Where each block's halves start in the joined copy, and its length last.
    offsets: Vec<u32>,
    pub global_relabels: u64,
    pub pushes: u64,
}

impl<C: Cap> Admissible<C> {
    /// `blocks`: how the firms are cut for copying, one block per thread.
    pub fn new(nodes: usize, full_halves: usize, blocks: Blocks, threads: usize) -> Admissible<C> {
        Admissible {
            start: vec![0; nodes + 1],
            halves: Vec::new(),
            origin: Vec::new(),
            sub_of: vec![0; full_halves],
            label: vec![UNSEEN; nodes],
            label_first: vec![NIL; nodes + 2],
            label_next: vec![NIL; nodes],
            label_prev: vec![NIL; nodes],
            label_max: 0,
            cur: vec![0; nodes],
            queue: Vec::new(),
            active_first: vec![NIL; nodes + 2],
            active_next: vec![NIL; nodes],
            active_max: 0,
            relabel_work: 0,
            threads,
            seen: Vec::new(),
            seen_epoch: 0,
            found: Vec::new(),
            blocks,
            parts: Vec::new(),
            offsets: Vec::new(),
            global_relabels: 0,
            pushes: 0,
        }
    }

    /// Copies the halves for which `admissible(from, half)` holds (reduced cost 0; the set is
    /// closed under partners).
    ///
    /// The firms are cut into [`Blocks`] of about equal numbers of halves, one per core, each
    /// copied on its own thread into its own buffer; the buffers are then joined and every
    /// half's partner, known by its index in the full adjacency, is mapped to its index in the
    /// copy.
    pub fn build(
        &mut self,
        adj_start: &[u32],
        adj: &[Half<C>],
        reverse: bool,
        admissible: impl Fn(u32, Half<C>) -> bool + Sync,
    ) {
        let nodes = adj_start.len() - 1;
        let blocks = &self.blocks;
        let count = blocks.nodes.len() - 1;
        // Block 0 is copied straight into the joined copy, the others into their own parts.
        self.parts.resize_with(count - 1, Default::default);
        let mut start_rest = &mut self.start[..nodes];
        let mut sub_rest = &mut self.sub_of[..];
        let mut jobs = Vec::with_capacity(count);
        let buffers = std::iter::once((&mut self.halves, &mut self.origin)).chain(
            self.parts
                .iter_mut()
                .map(|part| (&mut part.halves, &mut part.origin)),
        );
        for (k, (halves, origin)) in buffers.enumerate() {
            let (lo, hi) = (blocks.nodes[k], blocks.nodes[k + 1]);
            let (start, rest) = start_rest.split_at_mut(hi - lo);
            start_rest = rest;
            let len = (blocks.halves[k + 1] - blocks.halves[k]) as usize;
            let (sub_of, rest) = sub_rest.split_at_mut(len);
            sub_rest = rest;
            jobs.push(CopyJob {
                firms: lo..hi,
                halves,
                origin,
                start,
                sub_of,
            });
        }
        let admissible = &admissible;
        let copy = |job: CopyJob<'_, C>| {
            let CopyJob {
                firms,
                halves,
                origin,
                start,
                sub_of,
            } = job;
            let (lo, hi) = (firms.start, firms.end);
            halves.clear();
            origin.clear();
            let base = adj_start[lo] as usize;
            for x in lo..hi {
                start[x - lo] = halves.len() as u32;
                let range = adj_start[x] as usize..adj_start[x + 1] as usize;
                for (i, &h) in adj[range.clone()].iter().enumerate() {
                    let i = range.start + i;
                    if admissible(x as u32, h) {
                        sub_of[i - base] = halves.len() as u32;
                        origin.push(i as u32);
                        halves.push(Sub {
                            to: h.to,
                            partner: h.partner() as u32,
                            res: if reverse { h.cap - h.res } else { h.res },
                            cap: h.cap,
                        });
                    }
                }
            }
        };
        on_threads(jobs, copy);
        // Join the parts after block 0's; `offsets[k]`: where block k starts in the copy.
        self.offsets.clear();
        self.offsets.push(0);
        for part in &self.parts {
            self.offsets.push(self.halves.len() as u32);
            self.halves.extend_from_slice(&part.halves);
            self.origin.extend_from_slice(&part.origin);
        }
        self.offsets.push(self.halves.len() as u32);
        self.start[nodes] = self.halves.len() as u32;
        for k in 1..count {
            for x in blocks.nodes[k]..blocks.nodes[k + 1] {
                self.start[x] += self.offsets[k];
            }
        }
        let (sub_of, offsets) = (&self.sub_of, &self.offsets);
        let mut jobs = Vec::with_capacity(count);
        let mut rest = &mut self.halves[..];
        for k in 0..count {
            let (part, tail) = rest.split_at_mut((offsets[k + 1] - offsets[k]) as usize);
            rest = tail;
            jobs.push(part);
        }
        on_threads(jobs, |part: &mut [Sub<C>]| {
            for h in part {
                let p = h.partner;
                // The block holding the partner: the last whose first half is at most `p`.
                let k = blocks.halves.partition_point(|&b| b <= p) - 1;
                h.partner = sub_of[p as usize] + offsets[k];
            }
        });
    }

    /// Copies the residuals back into the full adjacency, one block per thread.
    pub fn write_back(&self, adj: &mut [Half<C>], reverse: bool) {
        let count = self.blocks.nodes.len() - 1;
        let mut jobs = Vec::with_capacity(count);
        let mut rest = adj;
        for k in 0..count {
            let base = self.blocks.halves[k];
            let (full, tail) = rest.split_at_mut((self.blocks.halves[k + 1] - base) as usize);
            rest = tail;
            let sub = self.offsets[k] as usize..self.offsets[k + 1] as usize;
            jobs.push((full, base, &self.halves[sub.clone()], &self.origin[sub]));
        }
        on_threads(jobs, |(full, base, halves, origin)| {
            for (h, &i) in halves.iter().zip(origin) {
                full[(i - base) as usize].res = if reverse { h.cap - h.res } else { h.res };
            }
        });
    }

    /// Pushes a maximum preflow to the firms with a deficit: every unit of excess that can
    /// reach a deficit over admissible halves does; what cannot stays where it is, for the next
    /// phase (excess may sit at any firm; the flow pushed is of least cost either way).
    pub fn max_flow(&mut self, excess: &mut [i128]) {
        self.global_relabel(excess);
        while let Some(x) = self.pop_active() {
            self.discharge(excess, x);
            if self.relabel_work > self.halves.len() {
                self.global_relabel(excess);
            }
        }
    }

    #[inline]
    fn range(&self, x: u32) -> std::ops::Range<usize> {
        self.start[x as usize] as usize..self.start[x as usize + 1] as usize
    }

    /// Exact hop labels to the nearest deficit: a BFS backwards from every deficit.
    fn global_relabel(&mut self, excess: &[i128]) {
        self.global_relabels += 1;
        self.relabel_work = 0;
        self.label.fill(UNSEEN);
        self.label_first.fill(NIL);
        self.label_max = 0;
        if self.seen_epoch == u32::MAX || self.seen.len() != self.label.len() {
            self.seen = (0..self.label.len()).map(|_| AtomicU32::new(0)).collect();
            self.seen_epoch = 0;
        }
        self.seen_epoch += 1;
        let epoch = self.seen_epoch;
        self.queue.clear();
        for (v, &e) in excess.iter().enumerate() {
            if e < 0 {
                self.seen[v].store(epoch, Relaxed);
                self.queue.push(v as u32);
            }
        }
        // Breadth first, one level at a time; a level with many firms is cut among the cores,
        // which claim the firms they reach with an atomic swap (the labels do not depend on
        // which core claims a firm).
        let threads = self.threads;
        let mut level_start = 0;
        let mut label = 0u32;
        while level_start < self.queue.len() {
            let level_end = self.queue.len();
            let frontier = &self.queue[level_start..level_end];
            let (start, halves, seen) = (&self.start, &self.halves, &self.seen);
            let reach = |firms: &[u32], found: &mut Vec<u32>| {
                for &y in firms {
                    let range = start[y as usize] as usize..start[y as usize + 1] as usize;
                    for h in &halves[range] {
                        // The opposite half h.to → y has residual `cap − res`.
                        let x = h.to as usize;
                        if h.cap != h.res
                            && seen[x].load(Relaxed) != epoch
                            && seen[x].swap(epoch, Relaxed) != epoch
                        {
                            found.push(h.to);
                        }
                    }
                }
            };
            let parts = if threads > 1 && frontier.len() >= FRONTIER_PER_THREAD_MIN {
                threads.min(frontier.len() / FRONTIER_PER_THREAD_MIN).max(1)
            } else {
                1
            };
            if parts == 1 {
                let mut found = std::mem::take(&mut self.found);
                found.clear();
                reach(frontier, &mut found);
                self.queue.extend_from_slice(&found);
                self.found = found;
            } else {
                let chunk = frontier.len().div_ceil(parts);
                let mut found: Vec<Vec<u32>> = frontier.chunks(chunk).map(|_| Vec::new()).collect();
                let jobs: Vec<_> = frontier.chunks(chunk).zip(found.iter_mut()).collect();
                on_threads(jobs, |(firms, found)| reach(firms, found));
                for f in &found {
                    self.queue.extend_from_slice(f);
                }
            }
            for k in level_start..level_end {
                let y = self.queue[k];
                self.label[y as usize] = label;
                self.list_insert(y, label);
                self.cur[y as usize] = self.start[y as usize];
            }
            level_start = level_end;
            label += 1;
        }
        // The active firms in index order, so that the pushes (and so the result) do not
        // depend on the order in which cores claimed firms.
        self.active_first.fill(NIL);
        self.active_max = 0;
        for (v, &e) in excess.iter().enumerate() {
            if e > 0 && self.label[v] != UNSEEN {
                self.push_active(v as u32);
            }
        }
    }

    fn list_insert(&mut self, v: u32, label: u32) {
        let first = self.label_first[label as usize];
        self.label_next[v as usize] = first;
        self.label_prev[v as usize] = NIL;
        if first != NIL {
            self.label_prev[first as usize] = v;
        }
        self.label_first[label as usize] = v;
        self.label_max = self.label_max.max(label);
    }

    fn list_remove(&mut self, v: u32, label: u32) {
        let (next, prev) = (self.label_next[v as usize], self.label_prev[v as usize]);
        if prev == NIL {
            self.label_first[label as usize] = next;
        } else {
            self.label_next[prev as usize] = next;
        }
        if next != NIL {
            self.label_prev[next as usize] = prev;
        }
    }

    /// The gap rule: no firm is left at `label`, so no firm above it can reach a deficit (a
    /// path loses at most one label per hop). They leave the lists, unlabelled.
    fn gap(&mut self, label: u32) {
        for l in label + 1..=self.label_max {
            let mut v = std::mem::replace(&mut self.label_first[l as usize], NIL);
            while v != NIL {
                self.label[v as usize] = UNSEEN;
                v = self.label_next[v as usize];
            }
        }
        self.label_max = label.saturating_sub(1);
    }

    /// Pushes the excess of `x` one label down, relabelling when no half is left, until the
    /// excess is gone or `x` cannot reach a deficit.
    fn discharge(&mut self, excess: &mut [i128], x: u32) {
        let xu = x as usize;
        while excess[xu] > 0 && self.label[xu] != UNSEEN {
            match self.next_admissible(x) {
                Some(i) => {
                    let h = self.halves[i as usize];
                    let y = h.to as usize;
                    let delta = C::saturating_from(excess[xu]).min(h.res);
                    self.halves[i as usize].res -= delta;
                    self.halves[h.partner as usize].res += delta;
                    let before = excess[y];
                    let moved: i128 = delta.into();
                    excess[xu] -= moved;
                    excess[y] += moved;
                    self.pushes += 1;
                    if before <= 0 && excess[y] > 0 {
                        self.push_active(h.to);
                    }
                }
                None => self.relabel(x),
            }
        }
    }

    fn push_active(&mut self, v: u32) {
        let l = self.label[v as usize];
        if l == UNSEEN {
            return;
        }
        self.active_next[v as usize] = self.active_first[l as usize];
        self.active_first[l as usize] = v;
        self.active_max = self.active_max.max(l);
    }

    /// The active firm with the highest label (entries whose label changed are dropped: a
    /// firm is relabelled only while it is being discharged, or by a global relabel, which
    /// rebuilds the lists).
    fn pop_active(&mut self) -> Option<u32> {
        loop {
            let l = self.active_max as usize;
            let v = self.active_first[l];
            if v != NIL {
                self.active_first[l] = self.active_next[v as usize];
                if self.label[v as usize] == l as u32 {
                    return Some(v);
                }
                continue;
            }
            if l == 0 {
                return None;
            }
            self.active_max -= 1;
        }
    }

    /// Moves the current arc of `x` to the next half with residual capacity one label down.
    #[inline]
    fn next_admissible(&mut self, x: u32) -> Option<u32> {
        let xu = x as usize;
        let end = self.start[xu + 1];
        // Label 0 is a deficit: nothing is below it.
        let want = self.label[xu].checked_sub(1)?;
        let mut i = self.cur[xu];
        while i < end {
            let h = self.halves[i as usize];
            if self.label[h.to as usize] == want && h.res > C::ZERO {
                self.cur[xu] = i;
                return Some(i);
            }
            i += 1;
        }
        self.cur[xu] = end;
        None
    }

    /// Raises the label of `x` to one more than its lowest neighbour over a half with residual
    /// capacity, applying the gap rule when its old label empties.
    fn relabel(&mut self, x: u32) {
        let xu = x as usize;
        let old = self.label[xu];
        if old == UNSEEN {
            return;
        }
        let mut lowest = UNSEEN;
        let range = self.range(x);
        self.relabel_work += range.len();
        for i in range {
            let h = self.halves[i];
            let l = self.label[h.to as usize];
            if l < lowest && h.res > C::ZERO {
                lowest = l;
            }
        }
        self.list_remove(x, old);
        self.cur[xu] = self.start[xu];
        if self.label_first[old as usize] == NIL {
            self.label[xu] = UNSEEN;
            self.gap(old);
            return;
        }
        let new = lowest.saturating_add(1);
        self.label[xu] = new;
        if new != UNSEEN {
            self.list_insert(x, new);
        }
    }
}
