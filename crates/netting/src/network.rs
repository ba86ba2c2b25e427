//! The obligation network that set-off clears: firms are dense indices, obligations are arcs from
//! debtor to creditor carrying an amount in minor units.

/// Largest amount of one obligation, in minor units: amounts are `i64` everywhere else.
pub const AMOUNT_MAX: u64 = i64::MAX as u64;
/// Most obligations in one network. Indices are `u32`, and this keeps a run within tens of GB.
pub const OBLIGATIONS_MAX: usize = 100_000_000;
/// Most firms in one network.
pub const FIRMS_MAX: usize = 100_000_000;

/// One obligation: `debtor` owes `creditor` `amount` minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Obligation {
    /// Index of the firm that owes.
    pub debtor: u32,
    /// Index of the firm that is owed.
    pub creditor: u32,
    /// The amount owed, 1 to [`AMOUNT_MAX`].
    pub amount: u64,
}

/// Why a [`Network`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// More firms than [`FIRMS_MAX`].
    #[error("{firms} firms, more than the {FIRMS_MAX} supported")]
    TooManyFirms {
        /// The number of firms given.
        firms: usize,
    },
    /// More obligations than [`OBLIGATIONS_MAX`].
    #[error("{obligations} obligations, more than the {OBLIGATIONS_MAX} supported")]
    TooManyObligations {
        /// The number of obligations given.
        obligations: usize,
    },
    /// An obligation names a firm index that is not below the number of firms.
    #[error("obligation {index}: firm {firm} does not exist (there are {firms} firms)")]
    UnknownFirm {
        /// Position of the obligation.
        index: usize,
        /// The firm index.
        firm: u32,
        /// The number of firms.
        firms: usize,
    },
    /// Debtor and creditor are the same firm.
    #[error("obligation {index}: debtor and creditor are the same firm {firm}")]
    SelfObligation {
        /// Position of the obligation.
        index: usize,
        /// The firm.
        firm: u32,
    },
    /// The amount is 0 or above [`AMOUNT_MAX`].
    #[error("obligation {index}: amount {amount} is outside 1 ..= {AMOUNT_MAX}")]
    AmountOutOfRange {
        /// Position of the obligation.
        index: usize,
        /// The amount given.
        amount: u64,
    },
}

/// A validated obligation network. The order of the obligations is their age, oldest first: when
/// several obligations between the same two firms are cleared in part, the older ones are cleared
/// first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    firms: u32,
    obligations: Vec<Obligation>,
}

impl Network {
    /// Validates the obligations against `firms` firms (indices `0 .. firms`).
    pub fn new(firms: usize, obligations: Vec<Obligation>) -> Result<Network, NetworkError> {
        let firms_u32 = u32::try_from(firms)
            .ok()
            .filter(|_| firms <= FIRMS_MAX)
            .ok_or(NetworkError::TooManyFirms { firms })?;
        if obligations.len() > OBLIGATIONS_MAX {
            let obligations = obligations.len();
            return Err(NetworkError::TooManyObligations { obligations });
        }
        for (index, o) in obligations.iter().enumerate() {
            for firm in [o.debtor, o.creditor] {
                if firm >= firms_u32 {
                    return Err(NetworkError::UnknownFirm { index, firm, firms });
                }
            }
            if o.debtor == o.creditor {
                let firm = o.debtor;
                return Err(NetworkError::SelfObligation { index, firm });
            }
            if o.amount == 0 || o.amount > AMOUNT_MAX {
                let amount = o.amount;
                return Err(NetworkError::AmountOutOfRange { index, amount });
            }
        }
        Ok(Network {
            firms: firms_u32,
            obligations,
        })
    }

    /// The number of firms.
    pub fn firms(&self) -> usize {
        self.firms as usize
    }

    /// The obligations, oldest first.
    pub fn obligations(&self) -> &[Obligation] {
        &self.obligations
    }

    /// Each firm's net position: what it owes minus what it is owed (positive: a net debtor).
    ///
    /// `i128` cannot overflow: at most [`OBLIGATIONS_MAX`] amounts of at most [`AMOUNT_MAX`].
    pub fn net_positions(&self) -> Vec<i128> {
        let mut net = vec![0i128; self.firms()];
        for o in &self.obligations {
            net[o.debtor as usize] += i128::from(o.amount);
            net[o.creditor as usize] -= i128::from(o.amount);
        }
        net
    }

    /// The sum of all amounts.
    pub fn total(&self) -> u128 {
        self.obligations.iter().map(|o| u128::from(o.amount)).sum()
    }

    /// The net internal debt: the sum of the positive net positions. No set-off can bring the
    /// remaining debt below it, since every firm keeps its net position.
    pub fn net_internal_debt(&self) -> u128 {
        self.net_positions()
            .iter()
            .filter(|&&n| n > 0)
            .map(|&n| n.unsigned_abs())
            .sum()
    }
}
