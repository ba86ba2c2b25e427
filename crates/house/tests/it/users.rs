//! Who acts: users and roles, API tokens (issued once, kept as hashes, rotated and revoked),
//! passwords, four-eyes between users, and `verify` finding a user changed behind the house's
//! back. On SQLite and PostgreSQL.

use house::users::{self, Role, TOKEN_LEN, TOKEN_PREFIX, USERS_PAGE_MAX};
use house::{CaseStatus, HouseError, UserStatus, Verdict, kind};
use store::{AuditEvent, Change, RecordQuery};

use crate::support::*;

/// Every audit row of the house, as one text (actors, subjects and bodies).
fn audit_text(env: &Env) -> String {
    let rows = env
        .house
        .store()
        .audit(0, None, store::LIST_LIMIT_MAX)
        .unwrap();
    assert!(rows.len() < store::LIST_LIMIT_MAX);
    rows.iter()
        .map(|r| format!("{} {} {} {}\n", r.actor, r.action, r.subject, r.body))
        .collect()
}

/// The stored records of a kind.
fn records(env: &Env, kind: &str) -> Vec<store::Record> {
    env.house
        .store()
        .records(&RecordQuery {
            kind: kind.into(),
            limit: 1000,
            ..RecordQuery::default()
        })
        .unwrap()
}

#[track_caller]
fn not_allowed<T: std::fmt::Debug>(result: Result<T, HouseError>, says: &str) {
    match result {
        Err(HouseError::NotAllowed(why)) => assert!(why.contains(says), "{why}"),
        other => panic!("expected not allowed ({says}), got {other:?}"),
    }
}

#[test]
fn init_makes_the_configured_officers_and_the_operator_users() {
    each_backend(|db| {
        let env = Env::new(db);
        let all = env.house.users(None, USERS_PAGE_MAX).unwrap();
        let names: Vec<(&str, Role)> = all.iter().map(|u| (u.name.as_str(), u.role)).collect();
        assert_eq!(
            names,
            [
                ("a.novak", Role::Officer),
                ("b.laurent", Role::Officer),
                ("c.weber", Role::Supervisor),
                ("operator", Role::Operator),
            ]
        );
        // Made without a token: the command line acts as them, the API needs `user token`.
        assert!(all.iter().all(|u| u.token_id.is_none()
            && u.status == UserStatus::Active
            && u.created_by == "operator"));
        let report = env.house.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
        assert_eq!(report.users, 4);
    });
    // The operator who sets the house up is not one of its officers.
    let db = TestDb::sqlite();
    let clock = TestClock::at(T0);
    let err = house::House::init(
        db.open(&clock),
        clock.clock(),
        lists(),
        checker(),
        house::config::example(),
        "c.weber (local)",
    )
    .unwrap_err();
    assert_eq!(invalid_field::<()>(Err(err)), "actor");
}

#[test]
fn a_token_works_once_issued_until_rotated_or_revoked() {
    each_backend(|db| {
        let env = Env::new(db);
        let h = &env.house;
        let (alice, t1) = h
            .add_user("operator (local)", "alice", Role::Auditor, None)
            .unwrap();
        assert!(t1.reveal().starts_with(TOKEN_PREFIX));
        assert_eq!(t1.reveal().len(), TOKEN_LEN);
        assert!(!format!("{t1:?}").contains(&t1.reveal()[TOKEN_PREFIX.len()..]));
        assert_eq!(alice.token_id.as_deref(), Some(t1.id()));
        assert_eq!(alice.created_by, "operator (local)");
        assert_eq!(h.authenticate(t1.reveal()).unwrap(), Some(alice.clone()));
        assert_eq!(h.user("alice").unwrap(), alice);

        // Rotated by the operator: the old token stops, the new one works.
        env.tick();
        let t2 = h.new_token("operator", "alice").unwrap();
        assert_ne!(t1.reveal(), t2.reveal());
        assert_eq!(h.authenticate(t1.reveal()).unwrap(), None);
        let found = h.authenticate(t2.reveal()).unwrap().expect("the new token");
        assert_eq!(found.token_id.as_deref(), Some(t2.id()));
        // By the user itself; but nobody else but an operator rotates another's token.
        let t3 = h.new_token("alice", "alice").unwrap();
        assert_eq!(h.authenticate(t2.reveal()).unwrap(), None);
        not_allowed(h.new_token("alice", "operator"), "needs the role operator");
        not_allowed(
            h.new_token("a.novak (local)", "alice"),
            "needs the role operator",
        );

        // Revoked: its token stops, it cannot be rotated, its name is never given again.
        env.tick();
        let revoked = h.revoke_user("operator", "alice").unwrap();
        assert_eq!(revoked.status, UserStatus::Revoked);
        assert_eq!(revoked.token_id, None);
        assert_eq!(h.authenticate(t3.reveal()).unwrap(), None);
        not_allowed(h.revoke_user("operator", "alice"), "revoked");
        not_allowed(h.new_token("operator", "alice"), "revoked");
        not_allowed(
            h.add_user("operator", "alice", Role::Auditor, None),
            "exists already",
        );
        not_allowed(h.active_user("alice"), "revoked");

        // No token, and no hash of one, is in the audit trail.
        let trail = audit_text(&env);
        for t in [&t1, &t2, &t3] {
            assert!(!trail.contains(&t.reveal()[TOKEN_PREFIX.len()..]));
            assert!(trail.contains(t.id()), "the trail names tokens by id");
        }
        for r in records(&env, kind::USER_TOKEN) {
            assert!(!trail.contains(&r.id), "a token's lookup hash in the trail");
            assert_eq!(r.status, "revoked");
        }
        for action in ["user.added", "user.token_rotated", "user.revoked"] {
            assert!(trail.contains(action), "{action}");
        }
        let report = h.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
    });
}

#[test]
fn malformed_unknown_and_huge_tokens_are_refused_quietly() {
    each_backend(|db| {
        let env = Env::new(db);
        let h = &env.house;
        let (_, token) = h.add_user("operator", "bot", Role::Operator, None).unwrap();
        let good = token.reveal();
        let hex = &good[TOKEN_PREFIX.len()..];
        let huge = format!("{good}{}", "a".repeat(10 * 1024 * 1024));
        let wide = format!("{TOKEN_PREFIX}{}", "é".repeat(32));
        let mut flipped = good.to_owned();
        let last = if flipped.ends_with('0') { "1" } else { "0" };
        flipped.replace_range(TOKEN_LEN - 1.., last);
        for bad in [
            "",
            TOKEN_PREFIX,
            hex,
            &format!("Bearer {good}"),
            &format!("{good}\n"),
            &format!(" {good}"),
            &good.to_uppercase(),
            &format!("chk-{hex}"),
            &format!("{TOKEN_PREFIX}{}", "g".repeat(64)),
            &wide,
            &flipped,
            &format!("{TOKEN_PREFIX}{}", "0".repeat(64)),
            &format!("{good}\0"),
            &huge,
        ] {
            assert_eq!(
                h.authenticate(bad).unwrap(),
                None,
                "{:?}",
                &bad[..bad.len().min(80)]
            );
        }
        assert!(h.authenticate(good).unwrap().is_some());
    });
}

#[test]
fn users_are_named_bound_and_added_by_an_operator() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let h = &env.house;
        assert_eq!(invalid_field(Role::parse("root")), "role");
        assert_eq!(Role::parse("supervisor").unwrap(), Role::Supervisor);
        let before = snapshot(h);
        let users_before = records(&env, kind::USER);
        for (name, role, participant, field) in [
            ("", Role::Officer, None, "name"),
            (" d.roth", Role::Officer, None, "name"),
            ("d\u{202E}roth", Role::Officer, None, "name"),
            ("d.roth (local)", Role::Officer, None, "name"),
            ("firm-user", Role::Participant, None, "participant"),
            (
                "firm-user",
                Role::Participant,
                Some("no-such-firm"),
                "participant",
            ),
            ("d.roth", Role::Officer, Some("eu-pharma"), "participant"),
        ] {
            let got = invalid_field(h.add_user("operator", name, role, participant));
            assert_eq!(got, field, "{name:?} {role}");
        }
        assert_eq!(
            invalid_field(h.add_user("nobody", "d.roth", Role::Officer, None)),
            "actor"
        );
        not_allowed(
            h.add_user("a.novak", "d.roth", Role::Officer, None),
            "needs the role operator",
        );
        not_allowed(
            h.add_user("operator", "a.novak", Role::Officer, None),
            "exists already",
        );
        assert_eq!(snapshot(h), before, "a refused user was written");
        assert_eq!(records(&env, kind::USER), users_before);

        let (firm_user, token) = h
            .add_user("operator", "pharma-1", Role::Participant, Some("eu-pharma"))
            .unwrap();
        assert_eq!(firm_user.participant.as_deref(), Some("eu-pharma"));
        let found = h.authenticate(token.reveal()).unwrap().unwrap();
        assert_eq!(
            (found.role, found.participant.as_deref()),
            (Role::Participant, Some("eu-pharma"))
        );
        let report = h.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
    });
}

#[test]
fn users_are_listed_a_page_at_a_time() {
    each_backend(|db| {
        let env = Env::new(db);
        let h = &env.house;
        for i in 0..5 {
            env.tick();
            h.add_user("operator", &format!("u{i}"), Role::Auditor, None)
                .unwrap();
        }
        assert_eq!(invalid_field(h.users(None, 0)), "limit");
        assert_eq!(invalid_field(h.users(None, USERS_PAGE_MAX + 1)), "limit");
        assert_eq!(invalid_field(h.users(Some("nobody"), 2)), "after");
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..10 {
            let page = h.users(after.as_deref(), 2).unwrap();
            assert!(page.len() <= 2);
            seen.extend(page.iter().map(|u| u.name.clone()));
            match page.last() {
                Some(last) if page.len() == 2 => after = Some(last.name.clone()),
                _ => break,
            }
        }
        assert_eq!(
            seen,
            [
                "a.novak",
                "b.laurent",
                "c.weber",
                "operator",
                "u0",
                "u1",
                "u2",
                "u3",
                "u4"
            ]
        );
        assert!(matches!(
            h.user("nobody"),
            Err(HouseError::NotFound { kind: "user", .. })
        ));
        assert!(matches!(
            h.user("bad\0name"),
            Err(HouseError::NotFound { kind: "user", .. })
        ));
    });
}

#[test]
fn four_eyes_takes_two_different_users_whatever_they_type() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let h = &env.house;
        let case = h
            .submit_claim("eu-medtech", &bearings("c-held", 20))
            .unwrap()
            .claim
            .case
            .expect("a held claim has a case");
        h.add_user("operator", "audit-1", Role::Auditor, None)
            .unwrap();
        h.add_user(
            "operator",
            "medtech-1",
            Role::Participant,
            Some("eu-medtech"),
        )
        .unwrap();
        let before = snapshot(h);
        for who in ["audit-1", "medtech-1 (local)", "operator"] {
            not_allowed(
                h.decide(who, &case, Verdict::Release, "looks fine"),
                "needs the role officer or supervisor",
            );
        }
        assert_eq!(
            invalid_field(h.decide("z.nobody", &case, Verdict::Reject, "x")),
            "officer"
        );
        not_allowed(
            h.reassign("a.novak", &case, "b.laurent", "why"),
            "needs the role supervisor",
        );
        assert_eq!(
            invalid_field(h.reassign("c.weber", &case, "audit-1", "why")),
            "to"
        );
        assert_eq!(snapshot(h), before, "a refused decision wrote something");

        // a.novak proposes from the command line, and cannot confirm under her plain name.
        let first = h
            .decide(
                "a.novak (local)",
                &case,
                Verdict::Release,
                "certificate checked",
            )
            .unwrap();
        assert!(first.awaiting_second);
        not_allowed(
            h.decide("a.novak", &case, Verdict::Release, "me again"),
            "four eyes",
        );
        // A revoked officer cannot act.
        h.revoke_user("operator", "b.laurent").unwrap();
        not_allowed(
            h.decide("b.laurent", &case, Verdict::Release, "agreed"),
            "revoked",
        );
        // A second, different officer added since can.
        h.add_user("operator", "d.roth", Role::Officer, None)
            .unwrap();
        let second = h
            .decide("d.roth", &case, Verdict::Release, "agreed with the manual")
            .unwrap();
        assert_eq!(second.case.status, CaseStatus::Released);
        let officers: Vec<&str> = second
            .case
            .decisions
            .iter()
            .map(|d| d.officer.as_str())
            .collect();
        assert_eq!(officers, ["a.novak", "d.roth"]);
        let (_, _, trail) = h.case(&case).unwrap();
        let actors: Vec<&str> = trail
            .iter()
            .filter(|r| r.action == "case.decided")
            .map(|r| r.actor.as_str())
            .collect();
        assert_eq!(
            actors,
            ["a.novak (local)", "d.roth"],
            "local use is recorded"
        );
        let report = h.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
    });
}

#[test]
fn revoking_keeps_two_deciders_a_supervisor_and_an_operator() {
    each_backend(|db| {
        let env = Env::new(db);
        let h = &env.house;
        // a.novak, b.laurent (officers), c.weber (supervisor): one may go.
        h.revoke_user("operator", "a.novak").unwrap();
        not_allowed(h.revoke_user("operator", "b.laurent"), "four-eyes");
        not_allowed(h.revoke_user("operator", "c.weber"), "four-eyes");
        h.add_user("operator", "d.roth", Role::Officer, None)
            .unwrap();
        not_allowed(h.revoke_user("operator", "c.weber"), "supervisor");
        h.revoke_user("operator", "b.laurent").unwrap();
        not_allowed(h.revoke_user("operator", "operator"), "no active operator");
        h.add_user("operator", "ops-2", Role::Operator, None)
            .unwrap();
        h.revoke_user("ops-2", "operator").unwrap();
        not_allowed(h.add_user("operator", "x", Role::Auditor, None), "revoked");
        let report = h.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
    });
}

#[test]
fn passwords_are_kept_as_argon2id_and_checked() {
    each_backend(|db| {
        let env = Env::new(db);
        let h = &env.house;
        h.add_user("operator", "alice", Role::Officer, None)
            .unwrap();
        let secret = "correct horse battery staple";
        let short = "eleven char";
        match h.set_password("operator", "alice", short) {
            Err(HouseError::Invalid { field, message }) => {
                assert_eq!(field, "password");
                assert!(!message.contains(short), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            invalid_field(h.set_password("operator", "alice", &"x".repeat(1025))),
            "password"
        );
        not_allowed(
            h.set_password("a.novak", "alice", secret),
            "needs the role operator",
        );
        let alice = h.set_password("alice (local)", "alice", secret).unwrap();
        assert!(alice.password_set_at.is_some());
        assert_eq!(
            h.check_password("alice", secret).unwrap(),
            Some(alice.clone())
        );
        for (name, password) in [
            ("alice", "correct horse battery stapl"),
            ("alice", ""),
            ("nobody", secret),
            ("a.novak", secret),
            ("bad\0name", secret),
        ] {
            assert_eq!(h.check_password(name, password).unwrap(), None, "{name}");
        }
        assert_eq!(
            h.check_password("alice", &"y".repeat(1 << 20)).unwrap(),
            None
        );
        let stored = h.store().record(kind::USER, "alice").unwrap().unwrap();
        assert!(stored.body.contains("$argon2id$"));
        assert!(!stored.body.contains(secret));
        let trail = audit_text(&env);
        assert!(trail.contains("user.password_set"));
        assert!(!trail.contains("$argon2") && !trail.contains(secret));

        // Revoked: the password no longer opens anything.
        h.revoke_user("operator", "alice").unwrap();
        assert_eq!(h.check_password("alice", secret).unwrap(), None);
        assert!(
            !h.store()
                .record(kind::USER, "alice")
                .unwrap()
                .unwrap()
                .body
                .contains("$argon2")
        );
        let report = h.verify().unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
    });
}

/// Writes `edit` of the stored `user:name` through the store, as an intruder with database
/// access would, with an audit event of its own about `subject`.
fn tamper(env: &Env, name: &str, subject: &str, edit: impl Fn(&mut serde_json::Value)) {
    let record = env.house.store().record(kind::USER, name).unwrap().unwrap();
    let mut body: serde_json::Value = serde_json::from_str(&record.body).unwrap();
    edit(&mut body);
    let mut edited = record.clone();
    edited.version += 1;
    edited.body = body.to_string();
    let change = Change {
        put: vec![edited],
        audit: vec![AuditEvent {
            actor: "intruder".into(),
            action: "edit".into(),
            subject: subject.into(),
            body: "{}".into(),
        }],
        ..Change::default()
    };
    assert!(matches!(
        env.house.store().apply_change(change).unwrap(),
        store::Applied::Committed { .. }
    ));
}

#[test]
fn verify_names_a_user_changed_behind_the_houses_back() {
    each_backend(|db| {
        let env = Env::new(db);
        let h = &env.house;
        let (_, token) = h
            .add_user("operator", "alice", Role::Officer, None)
            .unwrap();
        assert!(h.verify().unwrap().is_ok());
        // Promoted to supervisor, with an audit event about something else.
        tamper(&env, "alice", "config:house", |u| {
            u["user"]["role"] = "supervisor".into()
        });
        let report = h.verify().unwrap();
        let problems = report.problems.join("\n");
        assert!(
            problems
                .contains("user alice: the record says role supervisor, the audit trail officer"),
            "{problems}"
        );
        assert!(
            problems.contains("user alice is at version 2"),
            "{problems}"
        );
        assert!(!problems.contains(&token.reveal()[TOKEN_PREFIX.len()..]));

        // An event about the user that the house does not write is named too.
        tamper(&env, "b.laurent", "user:b.laurent", |u| {
            u["user"]["status"] = "revoked".into();
        });
        let problems = h.verify().unwrap().problems.join("\n");
        assert!(
            problems.contains("user b.laurent: audit entry")
                && problems.contains("(edit by intruder)"),
            "{problems}"
        );
        assert!(
            problems.contains("user b.laurent: its name, status or participant columns"),
            "{problems}"
        );
    });
}

#[test]
fn verify_names_a_token_record_planted_beside_the_users() {
    each_backend(|db| {
        let env = Env::new(db);
        let planted = store::Record {
            kind: kind::USER_TOKEN.into(),
            id: "0".repeat(64),
            version: 1,
            status: "active".into(),
            party: "c.weber".into(),
            counterparty: String::new(),
            at: T0,
            body: r#"{"user":"c.weber","token_id":"tok-planted","issued_at":0}"#.into(),
        };
        let change = Change {
            put: vec![planted],
            audit: vec![AuditEvent {
                actor: "intruder".into(),
                action: "edit".into(),
                subject: "tokens".into(),
                body: "{}".into(),
            }],
            ..Change::default()
        };
        env.house.store().apply_change(change).unwrap();
        let problems = env.house.verify().unwrap().problems.join("\n");
        assert!(
            problems.contains(
                "API token tok-planted of user c.weber is in force but is not that user's token"
            ),
            "{problems}"
        );
    });
}

#[test]
fn the_local_suffix_names_the_same_user() {
    assert_eq!(users::user_name("b.laurent (local)"), "b.laurent");
    assert_eq!(users::user_name("b.laurent"), "b.laurent");
    assert_eq!(users::local_actor("b.laurent"), "b.laurent (local)");
}
