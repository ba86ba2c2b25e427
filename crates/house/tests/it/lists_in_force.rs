//! The lists in force for the whole house, with several houses on one database (as several
//! servers): a version put in force through one house is the one every other screens against,
//! loaded from the lists directory they share; a house that cannot load it refuses to screen;
//! and nothing commits screened against lists put out of force meanwhile.

use std::sync::{Arc, Mutex};

use house::list_store::{FileRecord, Installed, ListStore};
use house::{ClaimStatus, ErrorKind, House, HouseError};
use screening::lists::InputFile;
use store::Clock;

use crate::support::*;

/// An organisation no bundled list names, put on a list by the tests' update.
const LISTED: &str = "Caspian Sunrise Shipping Company";

/// A list file (FollowTheMoney JSON lines) naming `name` as a listed organisation.
fn list_naming(id: &str, name: &str) -> InputFile {
    InputFile {
        name: format!("{id}.ftm.json"),
        bytes: format!(
            r#"{{"id":"{id}","schema":"Organization","properties":{{"name":["{name}"]}},"datasets":["test_list"]}}"#
        )
        .into_bytes(),
    }
}

/// Makes a version in `store` from the version in force and `file` (nothing in force yet).
fn install(store: &ListStore, file: InputFile) -> Installed {
    let record = FileRecord::of(&file.name, &file.bytes, "test");
    store
        .install(vec![file], vec![record], false)
        .expect("the version is made")
}

/// `kg` kilograms of medicines invoiced to [`LISTED`].
fn claim_naming_the_listed(id: &str, kg: i64) -> house::ClaimSubmission {
    let mut c = medicines(id, kg);
    c.invoice_counterparty.name = LISTED.to_owned();
    c
}

/// The lists version a claim's submission was audited with.
fn screened_with(house: &House, id: &str) -> String {
    let trail = house
        .store()
        .audit(0, Some(&format!("claim:{id}")), 100)
        .expect("the audit trail");
    let submitted = trail
        .iter()
        .find(|row| row.action == "claim.submitted")
        .unwrap_or_else(|| panic!("claim {id} was not submitted"));
    let body: serde_json::Value = serde_json::from_str(&submitted.body).expect("JSON");
    body["lists_version"]
        .as_str()
        .expect("a lists version")
        .to_owned()
}

/// What a [`HookedClock`] runs once.
type Hook = Box<dyn FnOnce() + Send>;

/// A clock that runs a hook once, at its first reading after the hook is set, before it
/// answers: something another process does while this one is between its reads and its
/// commit.
#[derive(Clone)]
struct HookedClock {
    time: TestClock,
    hook: Arc<Mutex<Option<Hook>>>,
}

impl HookedClock {
    fn new(time: TestClock) -> HookedClock {
        HookedClock {
            time,
            hook: Arc::default(),
        }
    }

    fn set(&self, hook: impl FnOnce() + Send + 'static) {
        *self.hook.lock().expect("the hook") = Some(Box::new(hook));
    }

    fn has_run(&self) -> bool {
        self.hook.lock().expect("the hook").is_none()
    }

    fn clock(&self) -> Clock {
        let this = self.clone();
        Arc::new(move || {
            let hook = this.hook.lock().expect("the hook").take();
            if let Some(hook) = hook {
                hook();
            }
            this.time.now()
        })
    }
}

/// A house opened on `env`'s database as another process would (its own store), holding the
/// bundled lists, loading versions from `lists` when given.
fn another_house(env: &Env, clock: Clock, list_store: Option<&ListStore>) -> House {
    let house = House::open(env.db.open(&env.clock), clock, lists(), checker())
        .unwrap_or_else(|e| panic!("open on {}: {e}", env.db.name));
    match list_store {
        Some(store) => house.with_list_store(store.clone()),
        None => house,
    }
}

#[test]
fn a_version_put_in_force_through_one_house_is_the_one_another_screens_against() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let dir = tempfile::tempdir().expect("temporary directory");
        let shared = ListStore::new(dir.path());
        let other = another_house(&env, env.clock.clock(), Some(&shared));

        // No version was ever put in force: each house's lists are, as before the record.
        assert_eq!(env.house.lists_in_force_record().unwrap(), None);
        let before = other
            .submit_claim("eu-pharma", &claim_naming_the_listed("c-before", 2000))
            .unwrap()
            .claim;
        assert_eq!(before.status, ClaimStatus::AwaitingAcceptance);
        assert_eq!(screened_with(&other, "c-before"), "bundled");

        // Put in force through the first house.
        let installed = install(&shared, list_naming("caspian-1", LISTED));
        let version = installed.manifest.version.clone();
        env.house.rescreen("operator", installed.lists()).unwrap();
        let record = env
            .house
            .lists_in_force_record()
            .unwrap()
            .expect("a record");
        assert_eq!(record.version, version);
        assert_eq!(
            record.content_hash.as_deref(),
            Some(house::list_store::content_hash(&installed.manifest.files).as_str())
        );
        assert_eq!(other.lists().version, "bundled", "loaded only when needed");

        // The other house screens against it: the name is listed there too.
        env.tick();
        let after = other
            .submit_claim("eu-pharma", &claim_naming_the_listed("c-after", 1000))
            .unwrap()
            .claim;
        assert_eq!(after.status, ClaimStatus::Held, "{:?}", after.checks);
        assert_eq!(screened_with(&other, "c-after"), version);
        assert_eq!(other.lists().version, version);
        assert_eq!(other.lists_in_force().unwrap().version, version);
        assert!(other.verify().unwrap().is_ok());
    });
}

#[test]
fn a_house_that_cannot_load_the_version_in_force_screens_nothing() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let dir = tempfile::tempdir().expect("temporary directory");
        let installed = install(
            &ListStore::new(dir.path()),
            list_naming("caspian-1", LISTED),
        );
        let version = installed.manifest.version.clone();
        env.house.rescreen("operator", installed.lists()).unwrap();
        // One house with a lists directory of its own (another machine), one with none.
        let elsewhere = tempfile::tempdir().expect("temporary directory");
        let houses = [
            another_house(
                &env,
                env.clock.clock(),
                Some(&ListStore::new(elsewhere.path())),
            ),
            another_house(&env, env.clock.clock(), None),
        ];
        for house in &houses {
            let heads = house.store().heads().unwrap();
            let refused = [
                house
                    .submit_claim("eu-pharma", &claim_naming_the_listed("c-stale", 1000))
                    .map(|_| ()),
                house
                    .onboard(
                        "operator",
                        &house::demo::participants()
                            .unwrap()
                            .into_iter()
                            .find(|p| p.id == "eu-alpen")
                            .expect("eu-alpen"),
                    )
                    .map(|_| ()),
                house.lists_in_force().map(|_| ()),
            ];
            for result in refused {
                let e = result.expect_err("nothing screens against other lists");
                assert!(
                    matches!(&e, HouseError::ListsOutOfDate { version: v, .. } if *v == version),
                    "{e}"
                );
                assert_eq!(e.kind(), ErrorKind::Unavailable);
                assert_eq!(e.code(), "lists_out_of_date");
                assert!(e.to_string().contains(&version), "{e}");
                assert!(!e.to_string().contains('/'), "a path in {e}");
            }
            assert_eq!(
                house.store().heads().unwrap(),
                heads,
                "something was written"
            );
            assert_eq!(house.lists().version, "bundled");
        }
    });
}

#[test]
fn a_claim_screened_against_lists_put_out_of_force_meanwhile_does_not_commit() {
    each_backend(|db| {
        let env = Env::new(db);
        onboard_clean(&env);
        let dir = tempfile::tempdir().expect("temporary directory");
        let shared = ListStore::new(dir.path());
        let first = Arc::new(another_house(&env, env.clock.clock(), Some(&shared)));
        let hooked = HookedClock::new(env.clock.clone());
        let other = another_house(&env, hooked.clock(), Some(&shared));

        // A first version in force (another name listed), screened against by the other house.
        let v1 = install(&shared, list_naming("other-1", "Northern Lantern Holdings"));
        first.rescreen("operator", v1.lists()).unwrap();
        env.tick();
        let c1 = other
            .submit_claim("eu-pharma", &claim_naming_the_listed("c-1", 2000))
            .unwrap()
            .claim;
        assert_eq!(c1.status, ClaimStatus::AwaitingAcceptance);
        assert_eq!(screened_with(&other, "c-1"), v1.manifest.version);

        // The second version names the claim's counterparty. It is put in force through the
        // first house while the other is between its read of the lists in force (the first
        // version) and its commit: screened against the first version, the claim must not
        // commit; screened again against the second, it is held.
        let v2 = install(&shared, list_naming("caspian-1", LISTED));
        let v2_version = v2.manifest.version.clone();
        let lists = v2.lists();
        let putting = Arc::clone(&first);
        hooked.set(move || {
            putting
                .rescreen("operator", lists)
                .expect("the second version is put in force");
        });
        env.tick();
        let c2 = other
            .submit_claim("eu-pharma", &claim_naming_the_listed("c-2", 1000))
            .unwrap()
            .claim;
        assert!(
            hooked.has_run(),
            "the update did not run inside the submission"
        );
        assert_eq!(c2.status, ClaimStatus::Held, "{:?}", c2.checks);
        assert_eq!(screened_with(&other, "c-2"), v2_version);
        assert_eq!(other.lists().version, v2_version);
        let submitted = other
            .store()
            .audit(0, Some("claim:c-2"), 100)
            .unwrap()
            .iter()
            .filter(|row| row.action == "claim.submitted")
            .count();
        assert_eq!(submitted, 1);
        assert!(other.verify().unwrap().is_ok());
    });
}
