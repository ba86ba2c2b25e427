//! A zone's liquidity provider: a sponsor's or a bank's credit line that lets a cycle clear
//! beyond the counter-flow (INSTEX's real obstacle: more exports one way than the other).
//!
//! The selection may pay a zone's creditors up to an allowance more than its debtors pay in:
//! what the zone's house account holds from earlier cycles, then what the provider can still
//! lend (its limit less what it lent and what open cycles draw). The provider pays its draw in
//! like a payer (a payment request, matched from the bank's file), and a zone that later
//! collects more than it pays out repays its provider first (a pay-out to it), then holds the
//! rest for later exporters. Every payment is still between the zone's house account and a
//! party of the zone; the provider's exposure is its ledger account (code 4).

use netting::instex::Allowance;
use store::Change;

use crate::error::HouseError;
use crate::types::*;
use crate::{House, Versioned, expect, ids, record};

/// The record id of the liquidity state.
const STATE_ID: &str = "house";

/// What a zone may do beyond its counter-flow in a new cycle (clearing-currency minor units).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Budget {
    pub zone: String,
    /// Held on the zone house account and not promised to an open cycle.
    pub held: i64,
    /// The provider can still lend this.
    pub lend: i64,
    /// The provider is owed this and no open cycle repays it yet.
    pub repay: i64,
}

impl Budget {
    pub fn allowance(&self) -> i64 {
        self.held.saturating_add(self.lend).max(0)
    }
}

impl House {
    /// The liquidity state after the settled cycles, and its record's version.
    pub(crate) fn liquidity_state(&self) -> Result<(LiquidityState, Option<u64>), HouseError> {
        Ok(
            match self.load::<LiquidityState>(kind::LIQUIDITY, STATE_ID)? {
                Some(v) => (v.value, Some(v.version)),
                None => (LiquidityState::default(), None),
            },
        )
    }

    /// Each zone's budget for a new cycle, given the cycles still settling.
    pub(crate) fn budgets(&self, open: &[Versioned<Cycle>]) -> Result<Vec<Budget>, HouseError> {
        let (state, _) = self.liquidity_state()?;
        Ok(self
            .config
            .zones
            .iter()
            .map(|z| {
                let code = z.code.to_string();
                let now = state.zone(&code);
                let mut b = Budget {
                    held: now.held_minor,
                    lend: z
                        .provider
                        .as_ref()
                        .map_or(0, |p| p.limit_minor - now.exposure_minor),
                    repay: now.exposure_minor,
                    zone: code.clone(),
                };
                for m in open
                    .iter()
                    .flat_map(|c| &c.value.liquidity)
                    .filter(|m| m.zone == code)
                {
                    b.held -= m.held_used_minor;
                    b.lend -= m.drawn_minor;
                    b.repay -= m.repaid_minor;
                }
                b.held = b.held.max(0);
                b.lend = b.lend.max(0);
                b.repay = b.repay.max(0);
                b
            })
            .collect())
    }

    /// The allowances of the selection, for the zones that have any.
    pub(crate) fn allowances(&self, budgets: &[Budget]) -> Result<Vec<Allowance>, HouseError> {
        let mut out = Vec::new();
        for b in budgets.iter().filter(|b| b.allowance() > 0) {
            out.push(Allowance {
                zone: b
                    .zone
                    .parse()
                    .map_err(|_| HouseError::Clearing(format!("zone {}", b.zone)))?,
                currency: self.config.clearing_currency,
                amount: b.allowance() as u128,
            });
        }
        Ok(out)
    }

    /// The positions of the zones' providers in a cycle: a draw is a pay-in requested from the
    /// provider, a repayment a pay-out to it. `before`: what an earlier revision recorded.
    pub(crate) fn provider_positions(
        &self,
        cycle: &Cycle,
        before: Option<&[Position]>,
    ) -> Result<Vec<Position>, HouseError> {
        let mut out = Vec::new();
        for m in &cycle.liquidity {
            let net = m.repaid_minor - m.drawn_minor;
            let id = provider_position_id(&m.zone);
            let earlier = before.and_then(|b| b.iter().find(|p| p.participant == id));
            if net == 0 && earlier.is_none() {
                continue;
            }
            let zone = self.zone_by_code(&m.zone)?;
            out.push(crate::cycle::position(
                cycle.number,
                &id,
                zone,
                net,
                earlier,
            )?);
        }
        Ok(out)
    }

    /// The ledger account a position's payments go to: the participant's position, or the
    /// provider's account.
    pub(crate) fn position_account(&self, position: &str) -> Result<u64, HouseError> {
        match provider_zone(position) {
            Some(zone) => {
                Ok(ids::provider_account(&self.config, &self.zone_by_code(zone)?.code).id)
            }
            None => Ok(ids::participant_account(&self.config, position).id),
        }
    }

    /// The ledger accounts settlement books on besides the participants' and the zone house
    /// accounts: each zone's suspense and provider accounts (opening one that exists is a
    /// no-op, so every settlement change carries them).
    pub(crate) fn settlement_accounts(&self) -> Vec<ledger::NewAccount> {
        self.config
            .zones
            .iter()
            .flat_map(|z| {
                [
                    ids::suspense_account(&self.config, &z.code),
                    ids::provider_account(&self.config, &z.code),
                ]
            })
            .collect()
    }

    /// Writes a settled cycle's liquidity moves into the state, in `change`.
    pub(crate) fn settle_liquidity(
        &self,
        change: &mut Change,
        cycle: &Cycle,
    ) -> Result<(), HouseError> {
        if cycle.liquidity.iter().all(|m| m.beyond_minor == 0) {
            return Ok(());
        }
        let (mut state, version) = self.liquidity_state()?;
        for m in &cycle.liquidity {
            let mut z = state.zone(&m.zone);
            z.exposure_minor += m.drawn_minor - m.repaid_minor;
            z.held_minor += m.held_added_minor - m.held_used_minor;
            state.zones.retain(|x| x.zone != m.zone);
            state.zones.push(z);
        }
        state.zones.sort_by(|a, b| a.zone.cmp(&b.zone));
        change
            .expect
            .push(expect(kind::LIQUIDITY, STATE_ID, version));
        change.put.push(record(
            kind::LIQUIDITY,
            STATE_ID,
            version.unwrap_or(0) + 1,
            "",
            ("", ""),
            cycle.settled_at.unwrap_or(cycle.run_at),
            &state,
        )?);
        Ok(())
    }
}

/// The liquidity moves of a selection: per zone, what it pays out beyond what it collects,
/// covered by what it holds then by its provider; or what it collects beyond, repaying its
/// provider first.
pub(crate) fn moves(claims: &[CycleClaim], budgets: &[Budget]) -> Vec<LiquidityMove> {
    budgets
        .iter()
        .map(|b| {
            let mut beyond: i64 = 0;
            for c in claims
                .iter()
                .filter(|c| c.cleared_minor > 0 && c.creditor_zone != c.debtor_zone)
            {
                if c.creditor_zone == b.zone {
                    beyond += c.cleared_minor;
                }
                if c.debtor_zone == b.zone {
                    beyond -= c.cleared_minor;
                }
            }
            let mut m = LiquidityMove {
                zone: b.zone.clone(),
                allowance_minor: b.allowance(),
                beyond_minor: beyond,
                ..LiquidityMove::default()
            };
            if beyond > 0 {
                m.held_used_minor = beyond.min(b.held);
                m.drawn_minor = beyond - m.held_used_minor;
            } else {
                m.repaid_minor = (-beyond).min(b.repay);
                m.held_added_minor = -beyond - m.repaid_minor;
            }
            m
        })
        .collect()
}
