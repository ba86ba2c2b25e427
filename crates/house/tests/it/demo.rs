//! The demo's population (`house::demo`), the one the CLI demo tells its story over and these
//! tests onboard: its firms are screened and its claims checked as the story says.

use house::demo::{DemoClaim, HELD_FOR_REVIEW};
use house::{ClaimStatus, Outcome, ParticipantStatus};

use crate::support::*;

/// What each demo claim comes to when submitted in the fixture's order.
/// What each demo claim becomes at submission: those that pass every check await their
/// debtor's acceptance.
const CLAIM_STATUSES: [(&str, ClaimStatus); 10] = [
    ("c-medicines", ClaimStatus::AwaitingAcceptance),
    ("c-wheat", ClaimStatus::AwaitingAcceptance),
    ("c-devices", ClaimStatus::AwaitingAcceptance),
    ("c-pistachios", ClaimStatus::AwaitingAcceptance),
    ("c-pistachios-2", ClaimStatus::AwaitingAcceptance),
    ("c-bearings", ClaimStatus::Held),
    ("c-sprayer-parts", ClaimStatus::Held),
    ("c-wheat-2", ClaimStatus::Held),
    ("c-machinery", ClaimStatus::Rejected),
    ("c-gum", ClaimStatus::AwaitingAcceptance),
];

#[test]
fn the_demo_population_is_screened_and_checked_as_the_story_says() {
    each_backend(|db| {
        let env = Env::with_config(db, house::demo::config());
        for input in house::demo::participants().expect("the demo's participants read") {
            let rec = env
                .house
                .onboard("operator", &input)
                .unwrap_or_else(|e| panic!("onboard {}: {e}", input.id));
            let expected = if HELD_FOR_REVIEW.contains(&input.id.as_str()) {
                ParticipantStatus::PendingReview
            } else {
                ParticipantStatus::Active
            };
            assert_eq!(rec.status, expected, "{}: {:?}", input.id, rec.screening);
            env.tick();
        }
        let claims = house::demo::claims(env.clock.now()).expect("the demo's claims read");
        let mut statuses = Vec::new();
        for DemoClaim { label, submission } in &claims {
            let outcome = env
                .house
                .submit_claim(&submission.creditor, submission)
                .unwrap_or_else(|e| panic!("submit {label}: {e}"));
            if submission.id == "c-wheat-2" {
                // Held by the band the demo's reference prices give milling wheat.
                assert!(
                    outcome
                        .claim
                        .checks
                        .iter()
                        .any(|c| c.step == "prices" && c.outcome == Outcome::Hold),
                    "{:?}",
                    outcome.claim.checks
                );
            }
            statuses.push((submission.id.as_str(), outcome.claim.status));
            env.tick();
        }
        assert_eq!(statuses, CLAIM_STATUSES);
        assert!(env.house.verify().unwrap().is_ok());
    });
}

#[test]
fn demo_claims_fall_due_as_the_fixture_says_from_the_time_given() {
    // T0 is 2026-01-01T00:00:00Z; every demo claim is due 60 days later.
    let claims = house::demo::claims(T0).expect("the demo's claims read");
    assert_eq!(claims.len(), CLAIM_STATUSES.len());
    for c in &claims {
        assert_eq!(
            c.submission.due_date.to_string(),
            "2026-03-02",
            "{}",
            c.label
        );
    }
    let mut labels: Vec<&str> = claims.iter().map(|c| c.label.as_str()).collect();
    labels.sort_unstable();
    labels.dedup();
    assert_eq!(labels.len(), claims.len(), "a label used twice");
}
