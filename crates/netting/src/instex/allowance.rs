//! Liquidity providers' allowances: how far a zone may pay out more than it collects.

use std::collections::BTreeMap;

use model::{Currency, ZoneCode};

/// How much more a zone may pay out than it collects, in one currency, in this cycle.
///
/// A liquidity provider (a bank's credit line in the zone) pays the difference: the zone's
/// creditors may be paid up to `amount` more than its debtors pay in, and other zones collect
/// that much more than they pay out (the surplus that later repays the provider). An allowance
/// for a zone or currency without cross-border claims changes nothing. Several allowances for
/// the same zone and currency add up (several providers' lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    /// The zone whose house may pay out more than it collects.
    pub zone: ZoneCode,
    /// The currency.
    pub currency: Currency,
    /// Minor units.
    pub amount: u128,
}

/// The allowances summed per zone and currency code, for look-up.
pub(crate) struct AllowanceTable<'a> {
    sums: BTreeMap<(&'a ZoneCode, &'static str), u128>,
}

impl<'a> AllowanceTable<'a> {
    /// Sums `allowances` per zone and currency (saturating: no allowance can exceed what the
    /// claims of a cycle sum to, which is far below `u128::MAX`).
    pub(crate) fn new(allowances: &'a [Allowance]) -> AllowanceTable<'a> {
        let mut sums: BTreeMap<(&ZoneCode, &'static str), u128> = BTreeMap::new();
        for a in allowances {
            let sum = sums.entry((&a.zone, a.currency.code())).or_default();
            *sum = sum.saturating_add(a.amount);
        }
        AllowanceTable { sums }
    }

    /// The allowance of `zone` in `currency` (a currency code); 0 without one.
    pub(crate) fn get(&self, zone: &ZoneCode, currency: &'static str) -> u128 {
        self.sums.get(&(zone, currency)).copied().unwrap_or(0)
    }
}
