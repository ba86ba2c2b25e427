//! Work cut across the cores: scoped threads started per task (no pool), each on a contiguous
//! range of its own, so that results never depend on the number of cores.
//!
//! Fresh memory is dear as well as time: on the machines measured, the first touch of a page
//! costs about as much as reading it a thousand times, so the large arrays are written by the
//! threads that fill them, in parallel, rather than zeroed first on one core.

use std::ops::Range;

/// Below this many items per thread a task runs on fewer threads: starting them would cost more.
/// (The shipped 100,000-invoice instance, which the tests solve, is cut in two.)
pub(super) const ITEMS_PER_THREAD_MIN: usize = 1 << 16;

/// The cores to use (at most 8). The standard library reads the cgroup limits for it, so
/// callers ask once per solve.
pub(super) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// How many of `threads` to use on `items` items.
pub(super) fn parts_for(items: usize, threads: usize) -> usize {
    threads.min(items / ITEMS_PER_THREAD_MIN).max(1)
}

/// Runs `work` on every job, the last on this thread and the others on threads of their own.
pub(super) fn on_threads<J: Send>(jobs: Vec<J>, work: impl Fn(J) + Sync) {
    let work = &work;
    std::thread::scope(|scope| {
        let mut jobs = jobs;
        let last = jobs.pop();
        for job in jobs {
            scope.spawn(move || work(job));
        }
        if let Some(job) = last {
            work(job);
        }
    });
}

/// `0 .. len` cut into `parts` consecutive ranges of about equal length.
pub(super) fn even_ranges(len: usize, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.max(1);
    (0..parts)
        .map(|k| len * k / parts..len * (k + 1) / parts)
        .collect()
}

/// `out[i] = f(i)` for every `i`, one range of `out` per thread. With `out` from `vec![0; n]`
/// (which the allocator hands out as untouched zero pages), the threads also share the cost of
/// the first touch.
pub(super) fn fill<T: Send>(out: &mut [T], threads: usize, f: impl Fn(usize) -> T + Sync) {
    let mut jobs = Vec::new();
    let mut rest = out;
    for range in even_ranges(rest.len(), parts_for(rest.len(), threads)) {
        let (part, tail) = rest.split_at_mut(range.len());
        rest = tail;
        jobs.push((range.start, part));
    }
    on_threads(jobs, |(first, part): (usize, &mut [T])| {
        for (i, slot) in part.iter_mut().enumerate() {
            *slot = f(first + i);
        }
    });
}

/// `(0 .. len).map(f)` collected, computed one range per thread (for types that `vec![x; n]`
/// cannot make; see [`fill`] for those it can).
pub(super) fn map<T: Send>(len: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let ranges = even_ranges(len, parts_for(len, threads));
    let mut pieces: Vec<Vec<T>> = ranges.iter().map(|_| Vec::new()).collect();
    let jobs: Vec<_> = ranges.into_iter().zip(pieces.iter_mut()).collect();
    on_threads(jobs, |(range, piece): (Range<usize>, &mut Vec<T>)| {
        piece.extend(range.map(&f));
    });
    let mut pieces = pieces.into_iter();
    let mut all = pieces.next().unwrap_or_default();
    for piece in pieces {
        all.extend(piece);
    }
    all
}

/// The items `0 .. items` grouped by `key(a)` (below `keys`), each group in increasing order (a
/// counting sort): `(start, items)`, group `g` being `items[start[g] .. start[g + 1]]`.
pub(super) fn group_by(
    keys: usize,
    items: usize,
    key: impl Fn(usize) -> u32,
) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; keys + 1];
    for a in 0..items {
        start[key(a) as usize + 1] += 1;
    }
    for g in 0..keys {
        start[g + 1] += start[g];
    }
    let mut next = start.clone();
    let mut sorted = vec![0u32; items];
    for a in 0..items {
        let slot = &mut next[key(a) as usize];
        sorted[*slot as usize] = a as u32;
        *slot += 1;
    }
    (start, sorted)
}

/// The firms cut into consecutive blocks of about equal numbers of halves (adjacency entries):
/// block `k` is firms `nodes[k] .. nodes[k + 1]`, whose halves start at `halves[k]`.
#[derive(Debug, Default, Clone)]
pub(super) struct Blocks {
    pub nodes: Vec<usize>,
    pub halves: Vec<u32>,
}

impl Blocks {
    /// `adj_start[x]`: where firm `x`'s halves start; its last entry is the number of halves.
    pub fn new(adj_start: &[u32], threads: usize) -> Blocks {
        let nodes = adj_start.len() - 1;
        let total = adj_start[nodes] as usize;
        let count = parts_for(total, threads);
        let mut cut = vec![0];
        for k in 1..count {
            let target = (total * k / count) as u32;
            let x = adj_start.partition_point(|&a| a < target).min(nodes);
            cut.push(x.max(*cut.last().unwrap_or(&0)));
        }
        cut.push(nodes);
        let halves = cut.iter().map(|&x| adj_start[x]).collect();
        Blocks { nodes: cut, halves }
    }

    pub fn count(&self) -> usize {
        self.nodes.len() - 1
    }

    /// The block holding firm `x`.
    #[inline]
    pub fn of_node(&self, x: u32) -> usize {
        self.nodes.partition_point(|&lo| lo <= x as usize) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_everything_once() {
        for len in [0, 1, 7, 100] {
            for parts in 1..5 {
                let ranges = even_ranges(len, parts);
                assert_eq!(ranges.len(), parts);
                let joined: Vec<usize> = ranges.into_iter().flatten().collect();
                assert_eq!(joined, (0..len).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn map_and_fill_keep_the_order_on_any_number_of_threads() {
        let len = 3 * ITEMS_PER_THREAD_MIN + 5;
        for threads in [1, 2, 3, 8] {
            let mapped = map(len, threads, |i| i * 3);
            assert_eq!(mapped, (0..len).map(|i| i * 3).collect::<Vec<_>>());
            let mut filled = vec![0usize; len];
            fill(&mut filled, threads, |i| i + 1);
            assert_eq!(filled, (1..=len).collect::<Vec<_>>());
        }
    }

    #[test]
    fn blocks_cut_by_halves_and_find_their_firms() {
        // Firm 0 holds most halves: it gets a block of its own.
        let mut adj_start = vec![0u32, 4 * ITEMS_PER_THREAD_MIN as u32];
        for _ in 0..10 {
            let last = *adj_start.last().unwrap();
            adj_start.push(last + ITEMS_PER_THREAD_MIN as u32 / 4);
        }
        let blocks = Blocks::new(&adj_start, 2);
        assert_eq!(blocks.count(), 2);
        assert_eq!(blocks.nodes, vec![0, 1, 11]);
        assert_eq!(blocks.of_node(0), 0);
        assert_eq!(blocks.of_node(1), 1);
        assert_eq!(blocks.of_node(10), 1);
        let one = Blocks::new(&adj_start, 1);
        assert_eq!(one.nodes, vec![0, 11]);
    }
}
