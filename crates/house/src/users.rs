//! Who acts: the house's users, their roles, their API tokens and passwords.
//!
//! A user is a record (`user`, keyed by its name) with a role, a status (active or revoked, and
//! a revoked name is never given to anyone else: the audit trail names one person by it), and
//! the hashes of its secrets. Users are the one truth about who may act: the `officers` of the
//! house configuration only seed users at [`House::init`] (with the operator who set it up);
//! after that, users are added and revoked here, and [`House::decide`] and [`House::reassign`]
//! check the acting user's record, never the configuration.
//!
//! Secrets:
//! - An API token is [`TOKEN_PREFIX`] and 64 hex digits: 32 bytes from the operating system.
//!   It is shown once and kept only as two SHA-256 hashes with different domain prefixes: the
//!   lookup key (the id of its `user_token` record, so a token is found by one point read) and
//!   the verifier (kept in the user's record only, compared in constant time). A plain hash is
//!   enough for 256 random bits: there is nothing to guess, so no work factor is needed.
//! - A password, which a person chooses, is kept as an argon2id PHC string (default parameters).
//!
//! No token, password or hash of either goes into an audit body or a log line; an audit event
//! names a token by its public id (`tok-…`), random and unrelated to the secret.
//!
//! The command line acts as a local user: its actor in the audit trail is the user's name with
//! [`LOCAL_SUFFIX`] (`operator (local)`), so the trail tells the API's users from local use;
//! [`user_name`] gives the identity back, and four-eyes compares identities.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::{AuditEvent, Change, Record, RecordQuery};
use subtle::ConstantTimeEq;

use crate::config::{HouseConfig, OFFICERS_MIN};
use crate::error::HouseError;
use crate::types::kind;
use crate::verify::HouseReport;
use crate::{Commit, House, Versioned, audit, check_actor, expect, record};

/// What every API token starts with, so that one found in a log or a repository is recognised.
pub const TOKEN_PREFIX: &str = "chk_";
/// Random bytes in a token.
pub const TOKEN_SECRET_BYTES: usize = 32;
/// Length of a token, in bytes: anything else is not a token (checked before any work).
pub const TOKEN_LEN: usize = TOKEN_PREFIX.len() + 2 * TOKEN_SECRET_BYTES;
/// Random bytes in a token's public id.
const TOKEN_ID_BYTES: usize = 8;
/// Fewest characters a password may have.
pub const PASSWORD_CHARS_MIN: usize = 12;
/// Longest password, in bytes (bounds the hashing work an attacker can ask for).
pub const PASSWORD_BYTES_MAX: usize = 1024;
/// Most users a house keeps (active and revoked): what `verify` reads at most.
pub const USERS_MAX: u64 = 10_000;
/// Most users one page of [`House::users`] returns.
pub const USERS_PAGE_MAX: usize = 1_000;
/// What the command line adds to its user's name in the audit trail.
pub const LOCAL_SUFFIX: &str = " (local)";
/// Most pages of audit entries `verify` reads about one user (each of up to
/// [`store::LIST_LIMIT_MAX`] entries).
const USER_AUDIT_PAGES_MAX: usize = 100;
/// Random bytes in a password's salt.
const SALT_BYTES: usize = 16;

/// Domain prefix of a token's lookup key.
const LOOKUP_DOMAIN: &[u8] = b"clearhouse api token lookup v1\0";
/// Domain prefix of a token's verifier.
const VERIFIER_DOMAIN: &[u8] = b"clearhouse api token verifier v1\0";
/// The id of the one roster record.
const ROSTER_ID: &str = "house";

/// What a user may do. The API decides each route in its own table; the house itself checks
/// the roles of case decisions, reassignments and user management.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A participating firm's user, bound to that participant.
    Participant,
    /// A compliance officer: alerts, cases, proposes decisions.
    Officer,
    /// An officer who also reassigns cases.
    Supervisor,
    /// Runs the house: configuration, onboarding, cycles, lists, users.
    Operator,
    /// Reads everything and runs verify; writes nothing.
    Auditor,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Participant,
        Role::Officer,
        Role::Supervisor,
        Role::Operator,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Participant => "participant",
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::Operator => "operator",
            Role::Auditor => "auditor",
        }
    }

    /// A role by its name; the error names the field `role` and the roles there are.
    pub fn parse(text: &str) -> Result<Role, HouseError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                HouseError::invalid(
                    "role",
                    format!(
                        "{:?} is not a role: one of {}",
                        model::echo_input(text),
                        names.join(", ")
                    ),
                )
            })
    }

    /// Whether it decides cases (proposes, confirms or rejects).
    pub fn decides_cases(self) -> bool {
        matches!(self, Role::Officer | Role::Supervisor)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<crate::config::Role> for Role {
    fn from(role: crate::config::Role) -> Role {
        match role {
            crate::config::Role::Officer => Role::Officer,
            crate::config::Role::Supervisor => Role::Supervisor,
        }
    }
}

/// Whether a user may act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    /// For good: its token and password are gone, its name is never given again.
    Revoked,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Revoked => "revoked",
        }
    }
}

/// A user as anyone may see it: no secret and no hash of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// The participant a user of role `participant` acts for (and only such a user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
    pub status: UserStatus,
    pub created_at: u64,
    /// The actor who added it, as in the audit trail.
    pub created_by: String,
    /// The public id of its API token in force (`tok-…`), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_issued_at: Option<u64>,
    /// When its password was last set, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_set_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
}

/// A new API token, to be shown to its user once: the house keeps only hashes of it.
/// Its `Debug` shows the public id, never the secret.
pub struct Token {
    secret: String,
    id: String,
}

impl Token {
    /// The token itself (`chk_…`): hand it to the user once, never log it.
    pub fn reveal(&self) -> &str {
        &self.secret
    }

    /// Its public id (`tok-…`), as the audit trail and [`User::token_id`] name it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A new token from the operating system's random numbers.
    fn generate() -> Result<Token, HouseError> {
        let secret: [u8; TOKEN_SECRET_BYTES] = random("a new API token")?;
        let id: [u8; TOKEN_ID_BYTES] = random("a new API token's id")?;
        Ok(Token {
            secret: format!("{TOKEN_PREFIX}{}", hex::encode(secret)),
            id: format!("tok-{}", hex::encode(id)),
        })
    }

    fn hashes(&self) -> TokenHashes {
        TokenHashes {
            lookup: hex::encode(token_hash(LOOKUP_DOMAIN, &self.secret)),
            verifier: hex::encode(token_hash(VERIFIER_DOMAIN, &self.secret)),
        }
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("id", &self.id)
            .field("secret", &"(not shown)")
            .finish()
    }
}

/// The hashes a token is kept as.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TokenHashes {
    /// Hex SHA-256 with [`LOOKUP_DOMAIN`]: the id of its `user_token` record.
    lookup: String,
    /// Hex SHA-256 with [`VERIFIER_DOMAIN`]: compared in constant time.
    verifier: String,
}

/// A user as stored: the user and the hashes of its secrets.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct UserRecord {
    user: User,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<TokenHashes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    password_phc: Option<String>,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("user", &self.user)
            .field("token", &self.token.as_ref().map(|_| "(hashed)"))
            .field("password", &self.password_phc.as_ref().map(|_| "(hashed)"))
            .finish()
    }
}

/// A token in force (status `active`) or rotated away or revoked (status `revoked`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TokenRecord {
    user: String,
    token_id: String,
    issued_at: u64,
}

/// Most tokens whose user [`House::authenticate`] remembers; past it, it starts again.
pub const TOKEN_OWNERS_KEPT_MAX: usize = 16_384;

/// The user each token seen lately was issued to, by the token's lookup hash: fixed when the
/// token is issued, so remembering it lets [`House::authenticate`] read the token's record and
/// its user's record in one read. Only the binding is kept; whether the token and the user are
/// in force is read from the store at every request (a revocation takes effect at once, on
/// every server).
#[derive(Debug, Default)]
pub(crate) struct TokenOwners {
    owners: std::sync::Mutex<HashMap<String, String>>,
}

impl TokenOwners {
    fn get(&self, lookup: &str) -> Option<String> {
        self.owners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(lookup)
            .cloned()
    }

    fn remember(&self, lookup: &str, user: &str) {
        let mut owners = self
            .owners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if owners.get(lookup).is_some_and(|u| u == user) {
            return;
        }
        if owners.len() >= TOKEN_OWNERS_KEPT_MAX {
            owners.clear();
        }
        owners.insert(lookup.to_owned(), user.to_owned());
    }
}

/// How many users there are, and how many are active per role: what keeps the house able to
/// work (two deciders, a supervisor, an operator) when users are revoked, and the bound on
/// users. Every addition and revocation writes it, so two of them at once are serialised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Roster {
    users: u64,
    active: BTreeMap<Role, u64>,
}

impl Roster {
    fn active(&self, role: Role) -> u64 {
        self.active.get(&role).copied().unwrap_or(0)
    }

    fn count(&mut self, user: &User) {
        self.users += 1;
        if user.status == UserStatus::Active {
            *self.active.entry(user.role).or_default() += 1;
        }
    }
}

/// The actor text of a user acting from the local command line: `NAME (local)`.
pub fn local_actor(name: &str) -> String {
    format!("{name}{LOCAL_SUFFIX}")
}

/// The user an actor text names: `b.laurent` for `b.laurent` and `b.laurent (local)`.
pub fn user_name(actor: &str) -> &str {
    actor.strip_suffix(LOCAL_SUFFIX).unwrap_or(actor)
}

/// A user's name: an actor's name (see [`check_actor`]) that does not end in [`LOCAL_SUFFIX`].
pub fn check_user_name(field: &str, name: &str) -> Result<(), HouseError> {
    check_actor(field, name)?;
    if name.ends_with(LOCAL_SUFFIX) {
        return Err(HouseError::invalid(
            field,
            format!("{name:?}: a name may not end in {LOCAL_SUFFIX:?}, which marks local use"),
        ));
    }
    Ok(())
}

/// `N` bytes from the operating system.
fn random<const N: usize>(what: &str) -> Result<[u8; N], HouseError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| HouseError::Unavailable {
        what: format!("randomness for {what}"),
        message: e.to_string(),
    })?;
    Ok(bytes)
}

fn token_hash(domain: &[u8], token: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(domain);
    h.update(token.as_bytes());
    h.finalize().into()
}

/// Whether `text` has a token's shape: the prefix and 64 lower-case hex digits.
fn token_shaped(text: &str) -> bool {
    text.len() == TOKEN_LEN
        && text.strip_prefix(TOKEN_PREFIX).is_some_and(|rest| {
            rest.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// A user's record at `version`.
fn user_record(rec: &UserRecord, version: u64) -> Result<Record, HouseError> {
    let u = &rec.user;
    record(
        kind::USER,
        &u.name,
        version,
        u.status.as_str(),
        (u.participant.as_deref().unwrap_or(""), ""),
        u.created_at,
        rec,
    )
}

/// Writes a user at `version` (read at `version - 1`, or new at 1) into `change`.
fn put_user(change: &mut Change, rec: &UserRecord, version: u64) -> Result<(), HouseError> {
    let read = (version > 1).then(|| version - 1);
    change.expect.push(expect(kind::USER, &rec.user.name, read));
    change.put.push(user_record(rec, version)?);
    Ok(())
}

/// Writes a token record (new, or revoked after `version`).
fn put_token(
    change: &mut Change,
    lookup: &str,
    token: &TokenRecord,
    read: Option<u64>,
    status: UserStatus,
) -> Result<(), HouseError> {
    change.expect.push(expect(kind::USER_TOKEN, lookup, read));
    change.put.push(record(
        kind::USER_TOKEN,
        lookup,
        read.map_or(1, |v| v + 1),
        status.as_str(),
        (&token.user, ""),
        token.issued_at,
        token,
    )?);
    Ok(())
}

/// Writes the roster (read at `read`, absent before if `None`).
fn put_roster(change: &mut Change, roster: &Roster, read: Option<u64>) -> Result<(), HouseError> {
    change
        .expect
        .push(expect(kind::USER_ROSTER, ROSTER_ID, read));
    change.put.push(record(
        kind::USER_ROSTER,
        ROSTER_ID,
        read.map_or(1, |v| v + 1),
        "active",
        ("", ""),
        0,
        roster,
    )?);
    Ok(())
}

/// A new active user.
fn new_user(name: &str, role: Role, participant: Option<&str>, actor: &str, now: u64) -> User {
    User {
        name: name.to_owned(),
        role,
        participant: participant.map(str::to_owned),
        status: UserStatus::Active,
        created_at: now,
        created_by: actor.to_owned(),
        token_id: None,
        token_issued_at: None,
        password_set_at: None,
        revoked_at: None,
        revoked_by: None,
    }
}

/// The `user.added` event of a user.
fn added_event(actor: &str, user: &User) -> Result<AuditEvent, HouseError> {
    audit(
        actor,
        "user.added",
        format!("user:{}", user.name),
        &serde_json::json!({
            "name": user.name, "role": user.role, "participant": user.participant,
            "token_id": user.token_id,
        }),
    )
}

/// What [`House::init`] writes for its users: one per configured officer, with its role and no
/// token, and the operator who sets the house up (`actor`, without [`LOCAL_SUFFIX`]), who adds
/// the others. The operator may not be one of the officers: the one who runs the house is not
/// one of the two pairs of eyes.
pub(crate) fn initial_users(
    config: &HouseConfig,
    actor: &str,
    now: u64,
    change: &mut Change,
) -> Result<(), HouseError> {
    let operator = user_name(actor);
    check_user_name("actor", operator)?;
    if config.officers.iter().any(|o| o.name == operator) {
        return Err(HouseError::invalid(
            "actor",
            format!(
                "{operator:?} is one of the officers; the operator who sets the house up must be someone else"
            ),
        ));
    }
    let mut roster = Roster::default();
    let officers = config
        .officers
        .iter()
        .map(|o| (o.name.as_str(), o.role.into()));
    for (i, (name, role)) in officers.chain([(operator, Role::Operator)]).enumerate() {
        if i < config.officers.len() {
            check_user_name(&format!("officers[{i}].name"), name)?;
        }
        let user = new_user(name, role, None, actor, now);
        roster.count(&user);
        let rec = UserRecord {
            user,
            token: None,
            password_phc: None,
        };
        put_user(change, &rec, 1)?;
        change.audit.push(added_event(actor, &rec.user)?);
    }
    put_roster(change, &roster, None)
}

impl House {
    /// One user (a name no user can have is not found either).
    pub fn user(&self, name: &str) -> Result<User, HouseError> {
        if check_user_name("name", name).is_err() {
            return Err(HouseError::NotFound {
                kind: kind::USER,
                id: model::echo_input(name),
            });
        }
        Ok(self.get::<UserRecord>(kind::USER, name)?.value.user)
    }

    /// A user who may act: it exists and is not revoked.
    pub fn active_user(&self, name: &str) -> Result<User, HouseError> {
        let user = self.user(name)?;
        if user.status != UserStatus::Active {
            return Err(HouseError::NotAllowed(format!("user {name:?} is revoked")));
        }
        Ok(user)
    }

    /// Users, oldest first, after the user named `after`, at most `limit` (1 to
    /// [`USERS_PAGE_MAX`]): the next page starts after the last one of this one.
    pub fn users(&self, after: Option<&str>, limit: usize) -> Result<Vec<User>, HouseError> {
        if !(1..=USERS_PAGE_MAX).contains(&limit) {
            return Err(HouseError::invalid(
                "limit",
                format!("{limit} is not in 1 to {USERS_PAGE_MAX}"),
            ));
        }
        let after = match after {
            None => None,
            Some(name) => {
                let user = self.load::<UserRecord>(kind::USER, name)?.ok_or_else(|| {
                    HouseError::invalid("after", format!("no user {:?}", model::echo_input(name)))
                })?;
                Some((user.value.user.created_at, name.to_owned()))
            }
        };
        let query = RecordQuery {
            kind: kind::USER.into(),
            after,
            ..RecordQuery::default()
        };
        Ok(self
            .list::<UserRecord>(query, limit)?
            .into_iter()
            .map(|v| v.value.user)
            .collect())
    }

    /// The user an API token belongs to, if the token is one in force and its user is active;
    /// `None` for anything else (unknown, rotated, revoked, malformed, any length), never an
    /// error for what a caller sends. One read of the token's record and its user's record
    /// together (the user a token was issued to never changes, so it is remembered), then the
    /// verifier compared in constant time.
    pub fn authenticate(&self, token: &str) -> Result<Option<User>, HouseError> {
        if !token_shaped(token) {
            return Ok(None);
        }
        let lookup = hex::encode(token_hash(LOOKUP_DOMAIN, token));
        let (found, rec) = match self.token_owners.get(&lookup) {
            Some(name) => {
                let mut read = self
                    .store
                    .records_by_key(&[(kind::USER_TOKEN, &lookup), (kind::USER, &name)])?
                    .into_iter();
                (read.next().flatten(), read.next().flatten())
            }
            None => (self.store.record(kind::USER_TOKEN, &lookup)?, None),
        };
        let Some(found) = found else {
            return Ok(None);
        };
        if found.status != UserStatus::Active.as_str() {
            return Ok(None);
        }
        let issued: TokenRecord = crate::parse(&found)?;
        let rec = match rec {
            Some(rec) if rec.id == issued.user => crate::parse::<UserRecord>(&rec)?,
            _ => match self.load::<UserRecord>(kind::USER, &issued.user)? {
                Some(rec) => rec.value,
                None => return Ok(None),
            },
        };
        self.token_owners.remember(&lookup, &issued.user);
        let Some(hashes) = &rec.token else {
            return Ok(None);
        };
        let verifier = token_hash(VERIFIER_DOMAIN, token);
        let stored = hex::decode(&hashes.verifier).unwrap_or_default();
        let same: bool = stored.ct_eq(&verifier).into();
        let in_force = same
            && hashes.lookup == lookup
            && rec.user.status == UserStatus::Active
            && rec.user.token_id.as_deref() == Some(issued.token_id.as_str());
        Ok(in_force.then_some(rec.user))
    }

    /// The acting user behind an actor text, active and of one of `roles`. An unknown name is
    /// an invalid `field`; a revoked user or another role is not allowed.
    pub(crate) fn acting_user(
        &self,
        field: &str,
        actor: &str,
        roles: &[Role],
    ) -> Result<User, HouseError> {
        check_actor(field, actor)?;
        let name = user_name(actor);
        let user = self
            .load::<UserRecord>(kind::USER, name)?
            .ok_or_else(|| {
                HouseError::invalid(field, format!("{name:?} is not a user of this house"))
            })?
            .value
            .user;
        if user.status != UserStatus::Active {
            return Err(HouseError::NotAllowed(format!("user {name:?} is revoked")));
        }
        if !roles.contains(&user.role) {
            let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            return Err(HouseError::NotAllowed(format!(
                "{name:?} has the role {}: this needs the role {}",
                user.role,
                roles.join(" or ")
            )));
        }
        Ok(user)
    }

    /// The roster, and its version (`None` in a house set up before users: counted from the
    /// user records then, and written by the next change that needs it).
    fn roster(&self) -> Result<(Roster, Option<u64>), HouseError> {
        if let Some(v) = self.load::<Roster>(kind::USER_ROSTER, ROSTER_ID)? {
            return Ok((v.value, Some(v.version)));
        }
        let mut roster = Roster::default();
        for rec in self.all_users()? {
            roster.count(&rec.value.user);
        }
        Ok((roster, None))
    }

    /// Every user record, up to [`USERS_MAX`].
    fn all_users(&self) -> Result<Vec<Versioned<UserRecord>>, HouseError> {
        let query = RecordQuery {
            kind: kind::USER.into(),
            ..RecordQuery::default()
        };
        self.list::<UserRecord>(query, USERS_MAX as usize)
    }

    /// Refuses a user of role participant without an existing participant, and any other
    /// role with one.
    fn check_binding(&self, role: Role, participant: Option<&str>) -> Result<(), HouseError> {
        match (role, participant) {
            (Role::Participant, None) => Err(HouseError::invalid(
                "participant",
                "a user of role participant acts for one participant: name it",
            )),
            (Role::Participant, Some(id)) => {
                match self.load::<serde_json::Value>(kind::PARTICIPANT, id)? {
                    Some(_) => Ok(()),
                    None => Err(HouseError::invalid(
                        "participant",
                        format!("no participant {:?}", model::echo_input(id)),
                    )),
                }
            }
            (_, Some(_)) => Err(HouseError::invalid(
                "participant",
                format!(
                    "only a user of role participant acts for a participant, not one of role {role}"
                ),
            )),
            (_, None) => Ok(()),
        }
    }

    /// Adds a user with a new API token (shown once: keep it from the answer). `actor` must be
    /// an active operator. A name is taken once, even after its user is revoked.
    pub fn add_user(
        &self,
        actor: &str,
        name: &str,
        role: Role,
        participant: Option<&str>,
    ) -> Result<(User, Token), HouseError> {
        self.acting_user("actor", actor, &[Role::Operator])?;
        check_user_name("name", name)?;
        self.check_binding(role, participant)?;
        let token = Token::generate()?;
        for _ in 0..crate::ATTEMPTS_MAX {
            if self.store.record(kind::USER, name)?.is_some() {
                return Err(HouseError::NotAllowed(format!(
                    "user {name:?} exists already (a name is never given twice)"
                )));
            }
            let (mut roster, roster_version) = self.roster()?;
            if roster.users >= USERS_MAX {
                return Err(HouseError::NotAllowed(format!(
                    "the house has {USERS_MAX} users, the most it keeps"
                )));
            }
            let now = self.now();
            let mut user = new_user(name, role, participant, actor, now);
            user.token_id = Some(token.id.clone());
            user.token_issued_at = Some(now);
            roster.count(&user);
            let rec = UserRecord {
                user,
                token: Some(token.hashes()),
                password_phc: None,
            };
            let mut change = Change::default();
            put_user(&mut change, &rec, 1)?;
            let issued = TokenRecord {
                user: name.to_owned(),
                token_id: token.id.clone(),
                issued_at: now,
            };
            put_token(
                &mut change,
                &token.hashes().lookup,
                &issued,
                None,
                UserStatus::Active,
            )?;
            put_roster(&mut change, &roster, roster_version)?;
            change.audit.push(added_event(actor, &rec.user)?);
            if let Commit::Done = self.commit(change, "nothing")? {
                return Ok((rec.user, token));
            }
        }
        Err(HouseError::Contention {
            what: format!("user {name}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }
}

/// Refuses to revoke an active user of role `leaving` when the house could no longer work
/// without it: four-eyes needs [`OFFICERS_MIN`] deciders and a supervisor to reassign, and
/// users need an operator.
fn check_floor(roster: &Roster, name: &str, leaving: Role) -> Result<(), HouseError> {
    let left = |r: Role| roster.active(r).saturating_sub(u64::from(r == leaving));
    let deciders = left(Role::Officer) + left(Role::Supervisor);
    let why = if leaving.decides_cases() && deciders < OFFICERS_MIN as u64 {
        format!(
            "four-eyes review needs at least {OFFICERS_MIN} active officers or supervisors, and {deciders} would be left"
        )
    } else if leaving == Role::Supervisor && left(Role::Supervisor) == 0 {
        "no active supervisor would be left to reassign cases".to_owned()
    } else if leaving == Role::Operator && left(Role::Operator) == 0 {
        "no active operator would be left to manage users".to_owned()
    } else {
        return Ok(());
    };
    Err(HouseError::NotAllowed(format!(
        "user {name:?} cannot be revoked: {why}; add another first"
    )))
}

/// A password's length: [`PASSWORD_CHARS_MIN`] characters to [`PASSWORD_BYTES_MAX`] bytes. The
/// error never repeats the password.
fn check_password_text(password: &str) -> Result<(), HouseError> {
    let chars = password.chars().count();
    if chars < PASSWORD_CHARS_MIN || password.len() > PASSWORD_BYTES_MAX {
        return Err(HouseError::invalid(
            "password",
            format!(
                "has {chars} characters ({} bytes): {PASSWORD_CHARS_MIN} characters to {PASSWORD_BYTES_MAX} bytes are allowed",
                password.len()
            ),
        ));
    }
    Ok(())
}

/// The argon2id PHC string of a password, with a new random salt and the default parameters.
fn hash_password(password: &str) -> Result<String, HouseError> {
    let salt: [u8; SALT_BYTES] = random("a password's salt")?;
    let unavailable = |e: argon2::password_hash::Error| HouseError::Unavailable {
        what: "argon2id hashing".into(),
        message: e.to_string(),
    };
    let salt = SaltString::encode_b64(&salt).map_err(unavailable)?;
    let hash = argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(unavailable)?;
    Ok(hash.to_string())
}

/// The hash of a password nobody knows, made once: checked when a name has no password to
/// check, so that the answer takes as long whether the name exists or not.
fn decoy_phc() -> Result<&'static str, HouseError> {
    static DECOY: OnceLock<String> = OnceLock::new();
    if let Some(phc) = DECOY.get() {
        return Ok(phc);
    }
    let secret: [u8; 32] = random("a decoy password")?;
    let phc = hash_password(&hex::encode(secret))?;
    Ok(DECOY.get_or_init(|| phc))
}

impl House {
    /// Whether `actor` may manage `name`'s own secrets: an active operator, or the user itself.
    fn operator_or_self(&self, actor: &str, name: &str) -> Result<(), HouseError> {
        let roles: &[Role] = if user_name(actor) == name {
            &Role::ALL
        } else {
            &[Role::Operator]
        };
        self.acting_user("actor", actor, roles).map(drop)
    }

    /// An active user's record, for a change of it.
    fn active_record(&self, name: &str) -> Result<Versioned<UserRecord>, HouseError> {
        let found = self.get::<UserRecord>(kind::USER, name)?;
        if found.value.user.status != UserStatus::Active {
            return Err(HouseError::NotAllowed(format!("user {name:?} is revoked")));
        }
        Ok(found)
    }

    /// Writes the user's token record revoked into `change`, if it has a token.
    fn retire_token(&self, change: &mut Change, rec: &UserRecord) -> Result<(), HouseError> {
        let Some(hashes) = &rec.token else {
            return Ok(());
        };
        let found = self
            .load::<TokenRecord>(kind::USER_TOKEN, &hashes.lookup)?
            .ok_or_else(|| HouseError::Corrupt {
                kind: kind::USER.into(),
                id: rec.user.name.clone(),
                message: "the record of its API token is missing".into(),
            })?;
        put_token(
            change,
            &hashes.lookup,
            &found.value,
            Some(found.version),
            UserStatus::Revoked,
        )
    }

    /// A new API token for a user (shown once); the one it had stops working at once. `actor`
    /// is an active operator or the user itself.
    pub fn new_token(&self, actor: &str, name: &str) -> Result<Token, HouseError> {
        self.operator_or_self(actor, name)?;
        let token = Token::generate()?;
        for _ in 0..crate::ATTEMPTS_MAX {
            let Versioned {
                value: mut rec,
                version,
            } = self.active_record(name)?;
            let mut change = Change::default();
            self.retire_token(&mut change, &rec)?;
            let now = self.now();
            let previous = rec.user.token_id.replace(token.id.clone());
            rec.user.token_issued_at = Some(now);
            rec.token = Some(token.hashes());
            put_user(&mut change, &rec, version + 1)?;
            let issued = TokenRecord {
                user: name.to_owned(),
                token_id: token.id.clone(),
                issued_at: now,
            };
            put_token(
                &mut change,
                &token.hashes().lookup,
                &issued,
                None,
                UserStatus::Active,
            )?;
            change.audit.push(audit(
                actor,
                "user.token_rotated",
                format!("user:{name}"),
                &serde_json::json!({
                    "name": name, "token_id": token.id, "previous_token_id": previous,
                }),
            )?);
            if let Commit::Done = self.commit(change, "nothing")? {
                return Ok(token);
            }
        }
        Err(HouseError::Contention {
            what: format!("user {name}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// Revokes a user for good: its token and password stop working, it can no longer act, and
    /// its name stays taken. `actor` must be an active operator; the house keeps enough
    /// deciders, a supervisor and an operator (see `check_floor`).
    pub fn revoke_user(&self, actor: &str, name: &str) -> Result<User, HouseError> {
        self.acting_user("actor", actor, &[Role::Operator])?;
        for _ in 0..crate::ATTEMPTS_MAX {
            let Versioned {
                value: mut rec,
                version,
            } = self.active_record(name)?;
            let role = rec.user.role;
            let (mut roster, roster_version) = self.roster()?;
            check_floor(&roster, name, role)?;
            let active = roster.active.entry(role).or_default();
            *active = active.saturating_sub(1);
            let mut change = Change::default();
            self.retire_token(&mut change, &rec)?;
            let revoked_token = rec.user.token_id.take();
            rec.token = None;
            rec.password_phc = None;
            rec.user.token_issued_at = None;
            rec.user.password_set_at = None;
            rec.user.status = UserStatus::Revoked;
            rec.user.revoked_at = Some(self.now());
            rec.user.revoked_by = Some(actor.to_owned());
            put_user(&mut change, &rec, version + 1)?;
            put_roster(&mut change, &roster, roster_version)?;
            change.audit.push(audit(
                actor,
                "user.revoked",
                format!("user:{name}"),
                &serde_json::json!({ "name": name, "role": role, "revoked_token_id": revoked_token }),
            )?);
            if let Commit::Done = self.commit(change, "nothing")? {
                return Ok(rec.user);
            }
        }
        Err(HouseError::Contention {
            what: format!("user {name}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// Sets a user's password (for the web pages), kept as an argon2id hash. `actor` is an
    /// active operator or the user itself.
    pub fn set_password(
        &self,
        actor: &str,
        name: &str,
        password: &str,
    ) -> Result<User, HouseError> {
        self.operator_or_self(actor, name)?;
        check_password_text(password)?;
        let phc = hash_password(password)?;
        for _ in 0..crate::ATTEMPTS_MAX {
            let Versioned {
                value: mut rec,
                version,
            } = self.active_record(name)?;
            rec.password_phc = Some(phc.clone());
            rec.user.password_set_at = Some(self.now());
            let mut change = Change::default();
            put_user(&mut change, &rec, version + 1)?;
            change.audit.push(audit(
                actor,
                "user.password_set",
                format!("user:{name}"),
                &serde_json::json!({ "name": name }),
            )?);
            if let Commit::Done = self.commit(change, "nothing")? {
                return Ok(rec.user);
            }
        }
        Err(HouseError::Contention {
            what: format!("user {name}"),
            attempts: crate::ATTEMPTS_MAX,
        })
    }

    /// The active user with this name and password, or `None`. The password is checked by
    /// argon2 (constant time); a name that does not exist, is revoked or has no password has a
    /// decoy hash checked instead, so the time taken does not tell which names exist.
    pub fn check_password(&self, name: &str, password: &str) -> Result<Option<User>, HouseError> {
        let decoy = decoy_phc()?;
        if password.len() > PASSWORD_BYTES_MAX || check_user_name("name", name).is_err() {
            return Ok(None);
        }
        let found = self.load::<UserRecord>(kind::USER, name)?.map(|v| v.value);
        let (phc, user) = match found {
            Some(UserRecord {
                user,
                password_phc: Some(phc),
                ..
            }) if user.status == UserStatus::Active => (phc, Some(user)),
            _ => (decoy.to_owned(), None),
        };
        let parsed = PasswordHash::new(&phc).map_err(|e| HouseError::Corrupt {
            kind: kind::USER.into(),
            id: name.to_owned(),
            message: format!("its password hash cannot be read: {e}"),
        })?;
        let matches = argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(user.filter(|_| matches))
    }
}

/// A user as the audit trail of it says it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expected {
    role: Role,
    participant: Option<String>,
    status: UserStatus,
    token_id: Option<String>,
    password: bool,
}

/// What the audit events about one user add up to.
#[derive(Debug, Default)]
struct Trail {
    /// House changes of the user: one per version of its record.
    changes: u64,
    user: Option<Expected>,
    problems: Vec<String>,
}

impl Trail {
    /// Applies one audit event about the user.
    fn apply(&mut self, name: &str, row: &store::AuditRow) {
        let body: serde_json::Value = serde_json::from_str(&row.body).unwrap_or_default();
        let text = |field: &str| body[field].as_str().map(str::to_owned);
        let seq = row.seq;
        if row.action == "user.added" {
            match (
                &self.user,
                serde_json::from_value::<Role>(body["role"].clone()),
            ) {
                (None, Ok(role)) => {
                    self.user = Some(Expected {
                        role,
                        participant: text("participant"),
                        status: UserStatus::Active,
                        token_id: text("token_id"),
                        password: false,
                    });
                }
                (Some(_), _) => self.problems.push(format!(
                    "user {name}: audit entry {seq} adds it a second time"
                )),
                (None, Err(e)) => self.problems.push(format!(
                    "user {name}: audit entry {seq} adds it with no role: {e}"
                )),
            }
            self.changes += 1;
            return;
        }
        let known = ["user.token_rotated", "user.password_set", "user.revoked"];
        let Some(user) = self
            .user
            .as_mut()
            .filter(|_| known.contains(&row.action.as_str()))
        else {
            self.problems.push(format!(
                "user {name}: audit entry {seq} ({} by {}) is not a change the house makes to a user it added",
                row.action, row.actor
            ));
            return;
        };
        self.changes += 1;
        match row.action.as_str() {
            "user.token_rotated" => user.token_id = text("token_id"),
            "user.password_set" => user.password = true,
            _ => {
                user.status = UserStatus::Revoked;
                user.token_id = None;
                user.password = false;
            }
        }
    }
}

/// The differences between a stored user and what its audit trail says, as problems.
fn compare(name: &str, rec: &UserRecord, want: &Expected) -> Vec<String> {
    let u = &rec.user;
    let have = Expected {
        role: u.role,
        participant: u.participant.clone(),
        status: u.status,
        token_id: u.token_id.clone(),
        password: rec.password_phc.is_some(),
    };
    let mut problems = Vec::new();
    let mut differs = |field: &str, stored: String, trail: String| {
        if stored != trail {
            problems.push(format!(
                "user {name}: the record says {field} {stored}, the audit trail {trail}: changed outside the house"
            ));
        }
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
    differs("role", have.role.to_string(), want.role.to_string());
    differs(
        "participant",
        text(&have.participant),
        text(&want.participant),
    );
    differs(
        "status",
        have.status.as_str().into(),
        want.status.as_str().into(),
    );
    differs("token", text(&have.token_id), text(&want.token_id));
    let set = |b: bool| if b { "set" } else { "none" }.to_owned();
    differs("password", set(have.password), set(want.password));
    if rec.token.is_some() != u.token_id.is_some()
        || rec.password_phc.is_some() != u.password_set_at.is_some()
    {
        problems.push(format!(
            "user {name}: the hashes it keeps do not agree with its token and password dates"
        ));
    }
    problems
}

impl House {
    /// Every record of a kind (in one state), up to `max`, as stored.
    fn rows(
        &self,
        kind: &str,
        status: Option<&str>,
        max: usize,
    ) -> Result<Vec<Record>, HouseError> {
        let mut query = RecordQuery {
            kind: kind.into(),
            status: status.map(str::to_owned),
            limit: crate::LIST_MAX,
            ..RecordQuery::default()
        };
        let mut rows = Vec::new();
        for _ in 0..=max.div_ceil(crate::LIST_MAX) {
            let page = self.store.records(&query)?;
            let full = page.len() == query.limit;
            if let Some(last) = page.last() {
                query.after = Some((last.at, last.id.clone()));
            }
            rows.extend(page);
            if !full || rows.len() >= max {
                break;
            }
        }
        rows.truncate(max);
        Ok(rows)
    }

    /// The audit events about one user, added up.
    fn trail(&self, name: &str) -> Result<Trail, HouseError> {
        let subject = format!("user:{name}");
        let mut trail = Trail::default();
        let mut after = 0;
        for _ in 0..USER_AUDIT_PAGES_MAX {
            let page = self
                .store
                .audit(after, Some(&subject), store::LIST_LIMIT_MAX)?;
            for row in &page {
                trail.apply(name, row);
            }
            match page.last() {
                Some(last) if page.len() == store::LIST_LIMIT_MAX => after = last.seq,
                _ => return Ok(trail),
            }
        }
        trail.problems.push(format!(
            "user {name}: more audit entries than verify reads ({USER_AUDIT_PAGES_MAX} pages)"
        ));
        Ok(trail)
    }

    /// Every user against the audit trail: its role, participant, status, token and password
    /// are what the house's `user.*` events made them, its record has one version per event,
    /// its lookup columns agree; the roster counts them; every token in force is its user's.
    pub(crate) fn verify_users(&self, report: &mut HouseReport) -> Result<(), HouseError> {
        let rows = self.rows(kind::USER, None, USERS_MAX as usize)?;
        report.users = rows.len();
        let mut tally = Roster::default();
        let mut users = HashMap::new();
        for row in rows {
            let rec: UserRecord = match crate::parse(&row) {
                Ok(rec) => rec,
                Err(e) => {
                    report.problem(e.to_string());
                    continue;
                }
            };
            for p in self.verify_user(&row, &rec)? {
                report.problem(p);
            }
            tally.count(&rec.user);
            users.insert(row.id, rec);
        }
        self.verify_roster(&tally, report)?;
        self.verify_tokens(&users, report)
    }

    /// One user against its audit trail and its lookup columns.
    fn verify_user(&self, row: &Record, rec: &UserRecord) -> Result<Vec<String>, HouseError> {
        let name = row.id.as_str();
        let u = &rec.user;
        let trail = self.trail(name)?;
        let mut problems = trail.problems;
        match &trail.user {
            None => problems.push(format!(
                "user {name} was never added by the house (no user.added in the audit trail)"
            )),
            Some(want) => problems.extend(compare(name, rec, want)),
        }
        if row.version != trail.changes {
            problems.push(format!(
                "user {name} is at version {}, but the audit trail holds {} changes of it: written outside the house",
                row.version, trail.changes
            ));
        }
        let participant = u.participant.as_deref().unwrap_or("");
        if u.name != name || row.status != u.status.as_str() || row.party != participant {
            problems.push(format!(
                "user {name}: its name, status or participant columns do not agree with its record"
            ));
        }
        let bound = match u.participant.as_deref() {
            Some(p) => self.store.record(kind::PARTICIPANT, p)?.is_some(),
            None => false,
        };
        if (u.role == Role::Participant) != bound {
            problems.push(format!(
                "user {name}: role {} with participant {participant:?}, which is not a participant of the house or not allowed for the role",
                u.role
            ));
        }
        Ok(problems)
    }

    /// The roster against the users counted.
    fn verify_roster(&self, tally: &Roster, report: &mut HouseReport) -> Result<(), HouseError> {
        let stored = self.load::<Roster>(kind::USER_ROSTER, ROSTER_ID)?;
        let mut stored = match stored {
            Some(v) => v.value,
            None if tally.users == 0 => return Ok(()),
            None => {
                report.problem(format!(
                    "the house has {} users but no roster of them",
                    tally.users
                ));
                return Ok(());
            }
        };
        stored.active.retain(|_, n| *n > 0);
        if stored != *tally {
            report.problem(format!(
                "the user roster says {} users ({:?} active), the user records {} ({:?}): changed outside the house",
                stored.users, stored.active, tally.users, tally.active
            ));
        }
        Ok(())
    }

    /// Every token in force is the token of an active user, and every active user's token is
    /// in force. Problems name tokens by their public ids, never by a hash.
    fn verify_tokens(
        &self,
        users: &HashMap<String, UserRecord>,
        report: &mut HouseReport,
    ) -> Result<(), HouseError> {
        let active = UserStatus::Active.as_str();
        let rows = self.rows(kind::USER_TOKEN, Some(active), USERS_MAX as usize + 1)?;
        let mut in_force = std::collections::HashSet::new();
        for row in rows {
            let token: TokenRecord = match crate::parse(&row) {
                Ok(t) => t,
                Err(e) => {
                    report.problem(e.to_string());
                    continue;
                }
            };
            let owner = users.get(&token.user).filter(|u| {
                u.user.status == UserStatus::Active
                    && u.user.token_id.as_deref() == Some(token.token_id.as_str())
                    && u.token.as_ref().is_some_and(|h| h.lookup == row.id)
            });
            if owner.is_none() || row.party != token.user {
                report.problem(format!(
                    "API token {} of user {} is in force but is not that user's token: written outside the house",
                    token.token_id, token.user
                ));
            }
            in_force.insert(row.id);
        }
        for (name, rec) in users {
            if let (Some(hashes), Some(id)) = (&rec.token, &rec.user.token_id)
                && !in_force.contains(&hashes.lookup)
            {
                report.problem(format!(
                    "user {name}: its API token {id} has no token record in force"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_back_by_name_and_in_json() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert!(Role::parse("Officer").is_err());
        assert_eq!(
            Role::from(crate::config::Role::Supervisor),
            Role::Supervisor
        );
    }

    #[test]
    fn a_token_has_its_shape_and_two_unrelated_hashes() {
        let token = Token::generate().unwrap();
        assert!(token_shaped(token.reveal()));
        assert!(!token_shaped(&token.reveal().to_uppercase()));
        assert!(!token_shaped(&token.reveal()[1..]));
        let hashes = token.hashes();
        assert_ne!(hashes.lookup, hashes.verifier);
        assert_ne!(Token::generate().unwrap().reveal(), token.reveal());
        assert!(!format!("{token:?}").contains(token.reveal()));
    }
}
