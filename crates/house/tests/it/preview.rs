//! A cycle's preview: it says what a run made right after clears (the same claims, amounts,
//! positions, zone totals and liquidity moves), and why the others stay; it writes nothing (no
//! record, no audit event, no ledger transfer, no file), including on the paths where a run
//! writes before it selects (claims deemed accepted, claims set aside).

use std::path::PathBuf;

use house::demo::DemoClaim;
use house::{
    AlertStatus, ClaimStatus, ClearedExtent, CyclePreview, CycleReport, CycleStatus, PositionSide,
    PreviewOptions, StayReason, kind,
};
use store::{AuditEvent, Change, Record};

use crate::support::*;

const DAY: u64 = 86_400 * SECOND;

/// Everything a preview must leave as it was: every record, the journals, their heads, and the
/// settlement directory.
#[derive(Debug, PartialEq)]
struct Untouched {
    snapshot: Snapshot,
    heads: String,
    files: Vec<PathBuf>,
}

fn untouched(env: &Env) -> Untouched {
    let mut files: Vec<PathBuf> = std::fs::read_dir(env.out.path())
        .expect("the settlement directory")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    Untouched {
        snapshot: snapshot(&env.house),
        heads: env.house.store().heads().expect("heads").to_string(),
        files,
    }
}

/// The preview of the run `env.cycle_options()` describes, checked to write nothing and to
/// say the same when asked again.
#[track_caller]
fn preview(env: &Env) -> CyclePreview {
    let before = untouched(env);
    let options = PreviewOptions::from(&env.cycle_options());
    let preview = env
        .house
        .preview_cycle(&options)
        .unwrap_or_else(|e| panic!("preview on {}: {e}", env.db.name));
    assert_eq!(untouched(env), before, "{}: the preview wrote", env.db.name);
    let again = env.house.preview_cycle(&options).unwrap();
    assert_eq!(again, preview, "{}: a second preview differs", env.db.name);
    preview
}

/// The ids of the claims that stay for `reason`.
fn staying(preview: &CyclePreview, reason: StayReason) -> Vec<&str> {
    preview
        .staying
        .iter()
        .filter(|s| s.reason == reason)
        .map(|s| s.claim.as_str())
        .collect()
}

/// Runs the cycle the preview was made for and checks it did what the preview said.
#[track_caller]
fn run_as_previewed(env: &Env, preview: &CyclePreview) -> CycleReport {
    let report = env
        .house
        .run_cycle("operator", &env.cycle_options())
        .unwrap_or_else(|e| panic!("cycle on {}: {e}", env.db.name));
    let name = env.db.name;
    let cycle = &report.cycle;
    assert_eq!(
        (cycle.number, cycle.cutoff, cycle.set_off_domestic),
        (preview.number, preview.cutoff, preview.set_off_domestic),
        "{name}"
    );
    assert_eq!(cycle.clearing_currency, preview.clearing_currency);
    let cleared: Vec<(&str, i64, i64, i64, ClearedExtent)> = cycle
        .claims
        .iter()
        .filter(|c| c.cleared_minor > 0)
        .map(|c| {
            let extent = if c.status_after == ClaimStatus::Cleared {
                ClearedExtent::Whole
            } else {
                ClearedExtent::Partial
            };
            let cleared = (c.cleared_minor, c.set_off_minor);
            (c.claim.as_str(), c.owed_minor, cleared.0, cleared.1, extent)
        })
        .collect();
    let previewed: Vec<(&str, i64, i64, i64, ClearedExtent)> = preview
        .clearing
        .iter()
        .map(|c| {
            let cleared = (c.cleared_minor, c.set_off_minor);
            (
                c.claim.as_str(),
                c.owed_minor,
                cleared.0,
                cleared.1,
                c.extent,
            )
        })
        .collect();
    assert_eq!(cleared, previewed, "{name}: the claims cleared");
    let not_selected: Vec<&str> = cycle
        .claims
        .iter()
        .filter(|c| c.cleared_minor == 0)
        .map(|c| c.claim.as_str())
        .collect();
    assert_eq!(
        not_selected,
        staying(preview, StayReason::NotSelected),
        "{name}"
    );
    let mut skipped: Vec<&str> = report.skipped.iter().map(String::as_str).collect();
    let mut left: Vec<&str> = preview
        .staying
        .iter()
        .filter(|s| !matches!(s.reason, StayReason::NotSelected | StayReason::SetAside))
        .map(|s| s.claim.as_str())
        .collect();
    skipped.sort_unstable();
    left.sort_unstable();
    assert_eq!(skipped, left, "{name}: the claims skipped");
    for id in staying(preview, StayReason::SetAside) {
        assert_eq!(
            env.house.claim(id).unwrap().status,
            ClaimStatus::Held,
            "{name}: {id} set aside"
        );
    }
    let positions: Vec<(&str, &str, &str, i64, i64)> = cycle
        .positions
        .iter()
        .map(|p| {
            let amounts = (p.net_minor, p.due_minor);
            let place = (p.zone.as_str(), p.currency.as_str());
            (
                p.participant.as_str(),
                place.0,
                place.1,
                amounts.0,
                amounts.1,
            )
        })
        .collect();
    let previewed: Vec<(&str, &str, &str, i64, i64)> = preview
        .positions
        .iter()
        .map(|p| {
            let amounts = (p.net_minor, p.due_minor);
            let place = (p.zone.as_str(), p.currency.as_str());
            (
                p.participant.as_str(),
                place.0,
                place.1,
                amounts.0,
                amounts.1,
            )
        })
        .collect();
    assert_eq!(positions, previewed, "{name}: the positions");
    for p in &preview.positions {
        let side = match p.net_minor {
            n if n < 0 => PositionSide::PayIn,
            0 => PositionSide::Flat,
            _ => PositionSide::PayOut,
        };
        assert_eq!(p.side, side, "{name}: {p:?}");
    }
    assert_eq!(cycle.zones, preview.zones, "{name}: the zone totals");
    assert_eq!(cycle.liquidity, preview.liquidity, "{name}: the liquidity");
    let total: i64 = cycle.claims.iter().map(|c| c.cleared_minor).sum();
    assert_eq!(total, preview.cleared_minor, "{name}");
    report
}

/// `verify` finds nothing, or only what a test did behind the house's back (`expected`).
#[track_caller]
fn assert_verified(env: &Env, expected: &str) {
    let report = env.house.verify().unwrap();
    assert!(
        report
            .problems
            .iter()
            .all(|p| !expected.is_empty() && p.contains(expected)),
        "{}: {:?}",
        env.db.name,
        report.problems
    );
}

/// The demo's population onboarded (three firms held for review) and its claims submitted,
/// each accepted by its debtor where it can be (a held one in advance).
fn demo(db: TestDb) -> Env {
    let env = Env::with_config(db, house::demo::config());
    for input in house::demo::participants().expect("the demo's participants") {
        env.house
            .onboard("operator", &input)
            .unwrap_or_else(|e| panic!("onboard {}: {e}", input.id));
        env.tick();
    }
    for DemoClaim { label, submission } in house::demo::claims(env.clock.now()).unwrap() {
        env.house
            .submit_accepted(&submission.creditor, &submission)
            .unwrap_or_else(|e| panic!("submit {label}: {e}"));
        env.tick();
    }
    env
}

#[test]
fn the_preview_of_the_demo_is_what_the_run_then_clears_and_writes_nothing() {
    each_backend(|db| {
        let env = demo(db);
        let name = env.db.name;
        let first = preview(&env);
        assert_eq!(first.number, 1);
        assert!(first.deemed_accepted.is_empty());
        // Iran exports EUR 174,600.00 (both pistachio invoices and the gum), the EU EUR
        // 201,300.00: Iran's claims clear whole, the EU's as far as that, in rank order.
        let clearing: Vec<(&str, i64, ClearedExtent)> = first
            .clearing
            .iter()
            .map(|c| (c.claim.as_str(), c.cleared_minor, c.extent))
            .collect();
        assert_eq!(
            clearing,
            [
                ("c-medicines", 8_450_000, ClearedExtent::Whole),
                ("c-wheat", 7_500_000, ClearedExtent::Whole),
                ("c-devices", 1_510_000, ClearedExtent::Partial),
                ("c-pistachios", 7_000_000, ClearedExtent::Whole),
                ("c-pistachios-2", 9_500_000, ClearedExtent::Whole),
                ("c-gum", 960_000, ClearedExtent::Whole),
            ],
            "{name}: {first:#?}"
        );
        assert!(first.staying.is_empty(), "{name}: {:?}", first.staying);
        assert_eq!(first.cleared_minor, 2 * 17_460_000);
        for z in &first.zones {
            assert_eq!(z.paid_in_minor, z.paid_out_minor, "{name}: {z:?}");
        }
        assert!(first.liquidity.iter().all(|m| m.beyond_minor == 0));
        let darou = first
            .positions
            .iter()
            .find(|p| p.participant == "ir-darou")
            .expect("ir-darou's position");
        // It owes the medicines and is owed the gum, in rials at 480,000 per euro.
        assert_eq!(
            (darou.side, darou.net_minor, darou.currency.as_str()),
            (PositionSide::PayIn, -(8_450_000 - 960_000), "IRR")
        );
        assert_eq!(darou.due_minor, (8_450_000 - 960_000) * 480_000);
        let report = run_as_previewed(&env, &first);
        assert_eq!(report.cycle.status, CycleStatus::AwaitingPayIns);
        assert_verified(&env, "");

        // While cycle 1 settles, its claims wait for it: nothing would clear.
        env.tick();
        let waiting = preview(&env);
        assert_eq!(waiting.number, 2);
        assert!(waiting.clearing.is_empty() && waiting.positions.is_empty());
        let mut held = staying(&waiting, StayReason::HeldByOpenCycle);
        held.sort_unstable();
        let mut taken: Vec<&str> = report
            .cycle
            .claims
            .iter()
            .map(|c| c.claim.as_str())
            .collect();
        taken.sort_unstable();
        assert_eq!(held, taken, "{name}");
        assert!(waiting.staying.iter().all(|s| s.why.contains("cycle 1")));

        // Once it settled, what is left of the devices waits for a counter-flow.
        env.pay_all(1);
        assert_eq!(env.house.cycle(1).unwrap().status, CycleStatus::Settled);
        env.tick();
        let after = preview(&env);
        assert!(after.clearing.is_empty(), "{name}: {:?}", after.clearing);
        let left: Vec<(&str, i64, StayReason)> = after
            .staying
            .iter()
            .map(|s| (s.claim.as_str(), s.owed_minor, s.reason))
            .collect();
        assert_eq!(
            left,
            [("c-devices", 4_180_000 - 1_510_000, StayReason::NotSelected)],
            "{name}"
        );
        run_as_previewed(&env, &after);
        assert_verified(&env, "");
    });
}

#[test]
fn the_preview_of_an_empty_queue_clears_nothing_and_writes_nothing() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let p = preview(&env);
        assert_eq!(p.number, 1);
        assert!(p.clearing.is_empty() && p.staying.is_empty() && p.positions.is_empty());
        assert!(p.deemed_accepted.is_empty());
        assert_eq!(p.cleared_minor, 0);
        assert_eq!(p.clearing_currency, "EUR");
        let zones: Vec<&str> = p.zones.iter().map(|z| z.zone.as_str()).collect();
        assert_eq!(zones, ["EU", "IR"]);
        assert!(
            p.zones
                .iter()
                .all(|z| z.paid_in_minor == 0 && z.paid_out_minor == 0 && z.domestic_minor == 0)
        );
        let json = serde_json::to_value(&p).unwrap();
        for field in ["clearing", "staying", "positions", "zones", "liquidity"] {
            assert!(json[field].is_array(), "{field}: {json}");
        }
        let report = env.house.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
    });
}

/// Makes `id`'s record say it owes more than any cycle can clear, as a build older than the
/// limit could have written it.
fn make_legacy(env: &Env, id: &str) {
    let store = env.house.store();
    let rec = store.record(kind::CLAIM, id).unwrap().unwrap();
    let mut legacy: house::ClaimRecord = serde_json::from_str(&rec.body).unwrap();
    legacy.clearing_amount_minor = i64::MAX / 100;
    let body = serde_json::to_string(&legacy).unwrap();
    store
        .apply_change(Change {
            put: vec![Record {
                version: rec.version + 1,
                body: body.clone(),
                ..rec.clone()
            }],
            audit: vec![AuditEvent {
                actor: "older build".into(),
                action: "claim.submitted".into(),
                subject: format!("claim:{id}"),
                body,
            }],
            ..Change::default()
        })
        .unwrap();
}

#[test]
fn what_a_run_writes_before_it_selects_the_preview_only_shows() {
    each_backend(|db| {
        let mut config = house::config::example();
        config.monitoring.velocity_count_max = 1000;
        config.monitoring.concentration_claims_min = 1000;
        config.acceptance.deemed_after_days = Some(2);
        let env = Env::with_config(db, config);
        let name = env.db.name;
        onboard_clean(&env);
        // Queued: medicines (EUR 422.50); a claim no cycle can sum (set aside by a run); one
        // whose debtor is suspended. Awaiting acceptance past the house's period: pistachios
        // (EUR 875.00), deemed accepted by a run before it selects.
        // (Another quantity each: the same amount and due date would be held as a double claim.)
        for (id, kg) in [("c-ok", 10), ("c-legacy", 11)] {
            env.house
                .submit_accepted("eu-pharma", &medicines(id, kg))
                .unwrap();
            env.tick();
        }
        make_legacy(&env, "c-legacy");
        let idle = medicines_to("c-idle", "ir-medequip", "Tehran Medical Equipment Co.", 20);
        env.house.submit_accepted("eu-pharma", &idle).unwrap();
        env.tick();
        env.house
            .suspend_participant("operator", "ir-medequip", "bank details being checked")
            .unwrap();
        let deemed = env
            .house
            .submit_claim("ir-kerman", &pistachios("c-deemed", 100))
            .unwrap();
        assert_eq!(deemed.claim.status, ClaimStatus::AwaitingAcceptance);
        env.clock.advance(3 * DAY);

        let p = preview(&env);
        assert_eq!(p.deemed_accepted, ["c-deemed"], "{name}");
        let clearing: Vec<(&str, i64, ClearedExtent)> = p
            .clearing
            .iter()
            .map(|c| (c.claim.as_str(), c.cleared_minor, c.extent))
            .collect();
        assert_eq!(
            clearing,
            [
                ("c-ok", 42_250, ClearedExtent::Whole),
                ("c-deemed", 42_250, ClearedExtent::Partial),
            ],
            "{name}: {p:#?}"
        );
        let staying: Vec<(&str, StayReason)> = p
            .staying
            .iter()
            .map(|s| (s.claim.as_str(), s.reason))
            .collect();
        assert_eq!(
            staying,
            [
                ("c-legacy", StayReason::SetAside),
                ("c-idle", StayReason::PartyNotActive),
            ],
            "{name}"
        );
        let idle_why = &p.staying[1].why;
        assert!(
            idle_why.contains("debtor ir-medequip is suspended"),
            "{idle_why}"
        );
        // Nothing of it happened: the claims are as they were, no alert was raised.
        assert_eq!(
            env.house.claim("c-deemed").unwrap().status,
            ClaimStatus::AwaitingAcceptance
        );
        assert_eq!(
            env.house.claim("c-legacy").unwrap().status,
            ClaimStatus::Queued
        );
        let alerts = env.house.alerts(Some(AlertStatus::Open), None).unwrap();
        assert!(
            !alerts.iter().any(|a| a.code == "set_aside"),
            "{name}: {alerts:?}"
        );

        let report = run_as_previewed(&env, &p);
        assert_eq!(report.skipped, ["c-idle"]);
        let c = env.house.claim("c-deemed").unwrap();
        assert!(c.acceptance.is_some_and(|a| a.deemed), "{name}");
        // The amount written behind the house's back no longer matches its reservation.
        assert_verified(&env, "claim c-legacy:");
    });
}

#[test]
fn the_preview_shows_a_liquidity_providers_draw_as_the_run_makes_it() {
    each_backend(|db| {
        let mut config = house::config::example();
        config.zones[0].liquidity_provider = Some(house::config::LiquidityProvider {
            name: "Sponsor Bank AG".into(),
            iban: "DE02120300000000202051".into(),
            bic: "BYLADEM1001".into(),
            limit: "1000.00".parse().unwrap(),
        });
        let env = Env::with_config(db, config);
        onboard_clean(&env);
        // EU exports EUR 1,267.50, Iran EUR 875.00: the provider lends the EU EUR 392.50.
        env.house
            .submit_accepted("eu-pharma", &medicines("c-1", 10))
            .unwrap();
        env.tick();
        env.house
            .submit_accepted(
                "eu-pharma",
                &medicines_to("c-3", "ir-medequip", "Tehran Medical Equipment Co.", 20),
            )
            .unwrap();
        env.tick();
        env.house
            .submit_accepted("ir-kerman", &pistachios("c-2", 100))
            .unwrap();
        env.tick();
        let p = preview(&env);
        assert!(p.clearing.iter().all(|c| c.extent == ClearedExtent::Whole));
        let eu = p.liquidity.iter().find(|m| m.zone == "EU").unwrap();
        assert_eq!((eu.beyond_minor, eu.drawn_minor), (39_250, 39_250));
        let provider = p
            .positions
            .iter()
            .find(|x| x.participant == "liquidity:EU")
            .expect("the provider's position");
        assert_eq!(
            (provider.side, provider.due_minor),
            (PositionSide::PayIn, 39_250)
        );
        run_as_previewed(&env, &p);
        assert_verified(&env, "");
    });
}
