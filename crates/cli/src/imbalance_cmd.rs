//! `clearhouse imbalance`: what waits for a counter-flow per zone pair, and what each of the
//! last cycles left waiting. Reads only; exits 0.
//!
//! Text: one block per zone pair and per cycle, amounts as `EUR 45875.00` with the zones'
//! currencies beside. `--json`: an `imbalance` line (clearing currency, time, counts), then an
//! `imbalance_pair` line per pair and an `imbalance_cycle` line per cycle, oldest first; every
//! amount carries `amount_minor`, `amount` (decimal text) and `currency`.

use std::process::ExitCode;

use clap::Args;
use house::{Amount, IMBALANCE_CYCLES_DEFAULT, IMBALANCE_CYCLES_MAX, Imbalance};
use model::Money;
use model::calendar::utc_timestamp;

use crate::{Ctx, house_cmd, output};

#[derive(Debug, Args)]
pub struct ImbalanceArgs {
    /// How many past cycles to show, the newest last (0 to 100).
    #[arg(long, value_name = "N", default_value_t = IMBALANCE_CYCLES_DEFAULT, value_parser = cycles_arg)]
    cycles: usize,
}

/// `--cycles`: a whole number up to [`IMBALANCE_CYCLES_MAX`].
fn cycles_arg(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n <= IMBALANCE_CYCLES_MAX => Ok(n),
        _ => Err(format!(
            "expected a whole number from 0 to {IMBALANCE_CYCLES_MAX}"
        )),
    }
}

pub fn run(ctx: &Ctx, args: &ImbalanceArgs) -> anyhow::Result<ExitCode> {
    let house = house_cmd::open(ctx, false)?;
    let imbalance = house.imbalance(args.cycles)?;
    if ctx.json {
        output::json_line(&serde_json::json!({"type": "imbalance", "data": {
            "clearing_currency": imbalance.clearing_currency,
            "at": imbalance.at,
            "pairs": imbalance.pairs.len(),
            "cycles": imbalance.history.len(),
        }}))?;
        for pair in &imbalance.pairs {
            output::json_line(&serde_json::json!({"type": "imbalance_pair", "data": pair}))?;
        }
        for cycle in &imbalance.history {
            output::json_line(&serde_json::json!({"type": "imbalance_cycle", "data": cycle}))?;
        }
    } else {
        for line in text(&imbalance, args.cycles) {
            output::line(&line)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The report in words, line by line.
fn text(imbalance: &Imbalance, cycles_asked: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let at = utc_timestamp(imbalance.at);
    if imbalance.pairs.is_empty() {
        lines.push(format!(
            "Nothing waits for a counter-flow (cleared in {}, at {at}).",
            imbalance.clearing_currency
        ));
    } else {
        lines.push(format!(
            "What waits for a counter-flow, importers' zone → exporters' zone (cleared in {}, at {at}):",
            imbalance.clearing_currency
        ));
    }
    for p in &imbalance.pairs {
        let (debtor, creditor) = (&p.debtor_zone, &p.creditor_zone);
        lines.push(format!(
            "  {debtor} → {creditor}: {} waiting in {} claim{}",
            amount(&p.waiting),
            p.claims,
            if p.claims == 1 { "" } else { "s" }
        ));
        lines.push(format!(
            "    counter-flow {creditor} → {debtor}: {}",
            amount(&p.counter_flow)
        ));
        lines.push(format!(
            "    net imbalance: {} would still wait",
            amount(&p.net)
        ));
        lines.push(format!(
            "    oldest: {}, submitted {}, {} day{} ago",
            p.oldest.claim,
            utc_timestamp(p.oldest.submitted_at),
            p.oldest.age_days,
            if p.oldest.age_days == 1 { "" } else { "s" }
        ));
    }
    if cycles_asked == 0 {
        return lines;
    }
    if imbalance.history.is_empty() {
        lines.push("No cycle has run yet.".into());
        return lines;
    }
    lines.push(format!(
        "Left waiting cycle by cycle (the last {}):",
        imbalance.history.len()
    ));
    for c in &imbalance.history {
        lines.push(format!(
            "  cycle {} at {}",
            c.cycle,
            utc_timestamp(c.run_at)
        ));
        if c.pairs.is_empty() {
            lines.push("    no cross-border claim".into());
        }
        for p in &c.pairs {
            lines.push(format!(
                "    {} → {}: left waiting {}, cleared {}, change {}",
                p.debtor_zone,
                p.creditor_zone,
                amount(&p.left_waiting),
                p.cleared.money,
                signed(&p.change.money)
            ));
        }
    }
    lines
}

/// `EUR 45875.00 (IR: IRR 22020000000.00)`: the clearing currency, then the zones' (not for
/// nothing: `EUR 0.00`).
fn amount(a: &Amount) -> String {
    if a.in_zones.is_empty() || a.money.is_zero() {
        return a.money.to_string();
    }
    let zones: Vec<String> = a
        .in_zones
        .iter()
        .map(|z| format!("{}: {}", z.zone, z.money))
        .collect();
    format!("{} ({})", a.money, zones.join(", "))
}

/// `EUR +250.00`, `EUR -250.00`, `EUR 0.00`.
fn signed(m: &Money) -> String {
    if m.is_positive() {
        format!("{} +{}", m.currency().code(), m.display_amount())
    } else {
        m.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_bounded() {
        assert_eq!(cycles_arg("0"), Ok(0));
        assert_eq!(cycles_arg("100"), Ok(IMBALANCE_CYCLES_MAX));
        assert!(cycles_arg("101").unwrap_err().contains("0 to 100"));
        assert!(cycles_arg("-1").is_err() && cycles_arg("x").is_err());
    }

    #[test]
    fn changes_carry_their_sign() {
        let eur = |minor| Money::new(minor, model::Currency::EUR).unwrap();
        assert_eq!(signed(&eur(25_000)), "EUR +250.00");
        assert_eq!(signed(&eur(-25_000)), "EUR -250.00");
        assert_eq!(signed(&eur(0)), "EUR 0.00");
    }
}
