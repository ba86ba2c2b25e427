//! The set-off checker: recomputes, independently of the solver, that a result is feasible and,
//! given potentials, that it is optimal.
//!
//! Optimality certificate. Let `Δ = p(creditor) − p(debtor)` for an obligation. If every
//! obligation that is cleared at all has `Δ ≤ 1` and every obligation not cleared in full has
//! `Δ ≥ 1`, no set-off can clear more: for any circulation `x` with `0 ≤ x ≤ amount`,
//! `Σ x = Σ x·(1 − Δ)` (the `Δ` terms cancel around every firm), and `x·(1 − Δ)` is largest with
//! `x = amount` where `Δ < 1` and `x = 0` where `Δ > 1` — which is what the result does. These
//! are the complementary-slackness conditions of the min-cost-flow formulation.

use std::fmt;

use crate::network::Network;

/// At most this many violations are listed; the rest are counted.
pub const VIOLATIONS_MAX: usize = 100;

/// Totals of a set-off, all exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetOffTotals {
    /// Number of obligations.
    pub obligations: usize,
    /// Sum of all amounts.
    pub total: u128,
    /// Sum of the positive net positions: the least debt any set-off can leave.
    pub net_internal_debt: u128,
    /// Sum cleared.
    pub cleared: u128,
    /// Sum left owed: `total − cleared`.
    pub remaining: u128,
}

/// A broken invariant of a set-off result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetOffViolation {
    /// The result does not have one value per obligation (or potential per firm).
    Length {
        /// What: `cleared` or `potentials`.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        actual: usize,
    },
    /// An obligation is cleared by more than its amount.
    ClearedAboveAmount {
        /// Obligation index.
        index: usize,
        /// Cleared.
        cleared: u64,
        /// Amount.
        amount: u64,
    },
    /// A firm's net position changed by `change`.
    NetPositionChanged {
        /// Firm index.
        firm: usize,
        /// Cleared owed by it minus cleared owed to it (must be 0).
        change: i128,
    },
    /// An obligation breaks the optimality certificate.
    NotOptimal {
        /// Obligation index.
        index: usize,
        /// `p(creditor) − p(debtor)`.
        difference: i128,
        /// Cleared.
        cleared: u64,
        /// Amount.
        amount: u64,
    },
    /// More violations than [`VIOLATIONS_MAX`]; this many were not listed.
    More(usize),
}

impl fmt::Display for SetOffViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetOffViolation::Length {
                what,
                expected,
                actual,
            } => write!(f, "{actual} {what} values, expected {expected}"),
            SetOffViolation::ClearedAboveAmount {
                index,
                cleared,
                amount,
            } => write!(
                f,
                "obligation {index}: cleared {cleared} exceeds its amount {amount}"
            ),
            SetOffViolation::NetPositionChanged { firm, change } => {
                write!(f, "firm {firm}: net position changed by {change}")
            }
            SetOffViolation::NotOptimal {
                index,
                difference,
                cleared,
                amount,
            } => write!(
                f,
                "obligation {index}: cleared {cleared} of {amount} with potential difference \
                 {difference} breaks the optimality certificate"
            ),
            SetOffViolation::More(n) => write!(f, "{n} more violations"),
        }
    }
}

/// What the checker found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetOffCheck {
    /// Totals (of the values given, even if they break an invariant).
    pub totals: SetOffTotals,
    /// Violations, at most [`VIOLATIONS_MAX`] and a [`SetOffViolation::More`].
    pub violations: Vec<SetOffViolation>,
    /// Whether potentials were given and prove optimality.
    pub optimal: bool,
}

impl SetOffCheck {
    /// No violation.
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }
}

struct Violations {
    list: Vec<SetOffViolation>,
    more: usize,
}

impl Violations {
    fn push(&mut self, v: SetOffViolation) {
        if self.list.len() < VIOLATIONS_MAX {
            self.list.push(v);
        } else {
            self.more += 1;
        }
    }

    fn into_vec(mut self) -> Vec<SetOffViolation> {
        if self.more > 0 {
            self.list.push(SetOffViolation::More(self.more));
        }
        self.list
    }
}

/// Checks `cleared` (one value per obligation) against `network`: every obligation cleared by at
/// most its amount, every net position unchanged; with `potentials` (one per firm), also the
/// optimality certificate of the module documentation.
pub fn check_set_off(
    network: &Network,
    cleared: &[u64],
    potentials: Option<&[i128]>,
) -> SetOffCheck {
    let obligations = network.obligations();
    let mut v = Violations {
        list: Vec::new(),
        more: 0,
    };
    let mut totals = SetOffTotals {
        obligations: obligations.len(),
        total: network.total(),
        net_internal_debt: network.net_internal_debt(),
        ..SetOffTotals::default()
    };
    if cleared.len() != obligations.len() {
        v.push(SetOffViolation::Length {
            what: "cleared",
            expected: obligations.len(),
            actual: cleared.len(),
        });
        return SetOffCheck {
            totals,
            violations: v.into_vec(),
            optimal: false,
        };
    }
    let mut change = vec![0i128; network.firms()];
    for (index, (o, &c)) in obligations.iter().zip(cleared).enumerate() {
        if c > o.amount {
            let amount = o.amount;
            v.push(SetOffViolation::ClearedAboveAmount {
                index,
                cleared: c,
                amount,
            });
        }
        change[o.debtor as usize] += i128::from(c);
        change[o.creditor as usize] -= i128::from(c);
        totals.cleared += u128::from(c);
    }
    totals.remaining = totals.total.saturating_sub(totals.cleared);
    for (firm, &change) in change.iter().enumerate() {
        if change != 0 {
            v.push(SetOffViolation::NetPositionChanged { firm, change });
        }
    }
    let optimal = match potentials {
        Some(p) => check_certificate(network, cleared, p, &mut v),
        None => false,
    };
    let violations = v.into_vec();
    let optimal = optimal && violations.is_empty();
    SetOffCheck {
        totals,
        violations,
        optimal,
    }
}

fn check_certificate(
    network: &Network,
    cleared: &[u64],
    potentials: &[i128],
    v: &mut Violations,
) -> bool {
    if potentials.len() != network.firms() {
        v.push(SetOffViolation::Length {
            what: "potentials",
            expected: network.firms(),
            actual: potentials.len(),
        });
        return false;
    }
    let mut ok = true;
    for (index, (o, &c)) in network.obligations().iter().zip(cleared).enumerate() {
        let difference = potentials[o.creditor as usize].checked_sub(potentials[o.debtor as usize]);
        let holds = difference.is_some_and(|d| (c == 0 || d <= 1) && (c >= o.amount || d >= 1));
        if !holds {
            ok = false;
            v.push(SetOffViolation::NotOptimal {
                index,
                difference: difference.unwrap_or(i128::MAX),
                cleared: c,
                amount: o.amount,
            });
        }
    }
    ok
}
