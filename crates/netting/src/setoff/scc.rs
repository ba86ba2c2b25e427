//! Strongly connected components (Tarjan's algorithm with an explicit stack: no recursion, so a
//! long chain of firms cannot overflow the call stack).
//!
//! Why: every circulation is a sum of cycles, and a cycle never leaves a strongly connected
//! component, so only arcs inside a component can be cleared at all. Solving on those arcs alone
//! removes the long acyclic supply chains that would otherwise make the shortest paths long.

use super::merge::Merged;

const UNVISITED: u32 = u32::MAX;

/// The component of every firm. Components are numbered in the order Tarjan completes them,
/// which is a reverse topological order: an arc between two components goes from a higher
/// number to a lower one.
#[derive(Debug)]
pub(crate) struct Components {
    pub of: Vec<u32>,
    pub count: u32,
}

impl Components {
    pub fn new(graph: &Merged, firms: usize) -> Components {
        let mut t = Tarjan {
            index: vec![UNVISITED; firms],
            low: vec![0; firms],
            of: vec![UNVISITED; firms],
            stack: Vec::new(),
            calls: Vec::new(),
            next_index: 0,
            count: 0,
        };
        for root in 0..firms as u32 {
            if t.index[root as usize] == UNVISITED {
                t.visit(graph, root);
            }
        }
        Components {
            of: t.of,
            count: t.count,
        }
    }
}

struct Tarjan {
    index: Vec<u32>,
    low: Vec<u32>,
    of: Vec<u32>,
    /// Tarjan's stack of firms whose component is still open.
    stack: Vec<u32>,
    /// The simulated call stack: (firm, next arc to look at).
    calls: Vec<(u32, u32)>,
    next_index: u32,
    count: u32,
}

impl Tarjan {
    fn open(&mut self, graph: &Merged, v: u32) {
        self.index[v as usize] = self.next_index;
        self.low[v as usize] = self.next_index;
        self.next_index += 1;
        self.stack.push(v);
        self.calls.push((v, graph.out_start[v as usize]));
    }

    fn visit(&mut self, graph: &Merged, root: u32) {
        self.open(graph, root);
        while let Some(&(v, arc)) = self.calls.last() {
            let vu = v as usize;
            if arc < graph.out_start[vu + 1] {
                if let Some(top) = self.calls.last_mut() {
                    top.1 += 1;
                }
                let w = graph.head[arc as usize];
                if self.index[w as usize] == UNVISITED {
                    self.open(graph, w);
                } else if self.of[w as usize] == UNVISITED {
                    // On the stack: part of the component being built.
                    self.low[vu] = self.low[vu].min(self.index[w as usize]);
                }
                continue;
            }
            self.calls.pop();
            if let Some(&(parent, _)) = self.calls.last() {
                let p = parent as usize;
                self.low[p] = self.low[p].min(self.low[vu]);
            }
            if self.low[vu] == self.index[vu] {
                self.close(v);
            }
        }
    }

    fn close(&mut self, v: u32) {
        while let Some(w) = self.stack.pop() {
            self.of[w as usize] = self.count;
            if w == v {
                break;
            }
        }
        self.count += 1;
    }
}
