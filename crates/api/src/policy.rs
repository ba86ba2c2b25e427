//! Who may do what: one table of action × role, and whether a participant user reaches only its
//! own data. Every route names its action; nothing else decides access.

use house::users::Role;

/// What a role may do with an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Refused (403).
    No,
    /// Allowed on anything.
    All,
    /// Allowed on what concerns the user's own participant only (another's is 404, so that
    /// ids of other firms' claims cannot be probed).
    Own,
}

use Access::{All, No, Own};

/// Every action a route performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    WhoAmI,
    UsersAdd,
    UsersList,
    UsersRevoke,
    UsersToken,
    ParticipantsAdd,
    ParticipantsList,
    ParticipantsShow,
    ParticipantsSuspend,
    ClaimsSubmit,
    ClaimsList,
    ClaimsShow,
    ClaimsAccept,
    ClaimsDispute,
    ClaimsWithdraw,
    AlertsList,
    AlertsShow,
    CasesList,
    CasesShow,
    CasesDecide,
    CasesReassign,
    CyclesPreview,
    CyclesRun,
    CyclesList,
    CyclesShow,
    CycleFiles,
    Statements,
    SettlementImport,
    SettlementAdvance,
    SettlementSuspense,
    SettlementResolve,
    SettlementUnwind,
    SettlementDeadline,
    SettlementRetry,
    Imbalance,
    ListsStatus,
    ListsImport,
    ListsUpdate,
    GoodsCheck,
    Screen,
    Verify,
    Audit,
    Match,
}

/// The roles in table order.
pub const ROLES: [Role; 5] = [
    Role::Participant,
    Role::Officer,
    Role::Supervisor,
    Role::Operator,
    Role::Auditor,
];

/// Access per action, in [`ROLES`] order: participant, officer, supervisor, operator, auditor.
pub const TABLE: &[(Action, [Access; 5])] = &[
    (Action::WhoAmI, [All, All, All, All, All]),
    (Action::UsersAdd, [No, No, No, All, No]),
    (Action::UsersList, [No, No, No, All, All]),
    (Action::UsersRevoke, [No, No, No, All, No]),
    (Action::UsersToken, [No, No, No, All, No]),
    (Action::ParticipantsAdd, [No, No, No, All, No]),
    (Action::ParticipantsList, [Own, All, All, All, All]),
    (Action::ParticipantsShow, [Own, All, All, All, All]),
    (Action::ParticipantsSuspend, [No, No, No, All, No]),
    (Action::ClaimsSubmit, [Own, No, No, No, No]),
    (Action::ClaimsList, [Own, All, All, All, All]),
    (Action::ClaimsShow, [Own, All, All, All, All]),
    (Action::ClaimsAccept, [Own, No, No, No, No]),
    (Action::ClaimsDispute, [Own, No, No, No, No]),
    (Action::ClaimsWithdraw, [Own, No, No, No, No]),
    (Action::AlertsList, [No, All, All, All, All]),
    (Action::AlertsShow, [No, All, All, All, All]),
    (Action::CasesList, [No, All, All, All, All]),
    (Action::CasesShow, [No, All, All, All, All]),
    (Action::CasesDecide, [No, All, All, No, No]),
    (Action::CasesReassign, [No, No, All, No, No]),
    (Action::CyclesPreview, [No, No, No, All, All]),
    (Action::CyclesRun, [No, No, No, All, No]),
    (Action::CyclesList, [Own, All, All, All, All]),
    (Action::CyclesShow, [Own, All, All, All, All]),
    (Action::CycleFiles, [No, No, No, All, All]),
    (Action::Statements, [Own, No, No, All, All]),
    (Action::SettlementImport, [No, No, No, All, No]),
    (Action::SettlementAdvance, [No, No, No, All, No]),
    (Action::SettlementSuspense, [No, No, No, All, All]),
    (Action::SettlementResolve, [No, No, No, All, No]),
    (Action::SettlementUnwind, [No, No, No, All, No]),
    (Action::SettlementDeadline, [No, No, No, All, No]),
    (Action::SettlementRetry, [No, No, No, All, No]),
    (Action::Imbalance, [No, All, All, All, All]),
    (Action::ListsStatus, [No, All, All, All, All]),
    (Action::ListsImport, [No, No, No, All, No]),
    (Action::ListsUpdate, [No, No, No, All, No]),
    (Action::GoodsCheck, [All, All, All, All, All]),
    (Action::Screen, [No, All, All, All, All]),
    (Action::Verify, [No, No, No, All, All]),
    (Action::Audit, [No, All, All, All, All]),
    (Action::Match, [No, All, All, All, All]),
];

/// The action of every authenticated route, by method and path as the router matches them.
/// The caller's role is checked against it as soon as the caller is known, before the request's
/// parameters or body are read: a refused caller gets 403, never an answer about what the route
/// takes. Each handler checks its action again, with the scope of a participant's own data.
pub const ROUTES: &[(&str, &str, Action)] = &[
    ("GET", "/api/v1/me", Action::WhoAmI),
    ("POST", "/api/v1/users", Action::UsersAdd),
    ("GET", "/api/v1/users", Action::UsersList),
    ("POST", "/api/v1/users/{name}/revoke", Action::UsersRevoke),
    ("POST", "/api/v1/users/{name}/token", Action::UsersToken),
    ("POST", "/api/v1/participants", Action::ParticipantsAdd),
    ("GET", "/api/v1/participants", Action::ParticipantsList),
    ("GET", "/api/v1/participants/{id}", Action::ParticipantsShow),
    (
        "POST",
        "/api/v1/participants/{id}/suspend",
        Action::ParticipantsSuspend,
    ),
    (
        "POST",
        "/api/v1/participants/{id}/reinstate",
        Action::ParticipantsSuspend,
    ),
    ("POST", "/api/v1/claims", Action::ClaimsSubmit),
    ("GET", "/api/v1/claims", Action::ClaimsList),
    ("POST", "/api/v1/claims/batch", Action::ClaimsSubmit),
    ("GET", "/api/v1/claims/{id}", Action::ClaimsShow),
    ("POST", "/api/v1/claims/{id}/accept", Action::ClaimsAccept),
    ("POST", "/api/v1/claims/{id}/dispute", Action::ClaimsDispute),
    (
        "POST",
        "/api/v1/claims/{id}/withdraw",
        Action::ClaimsWithdraw,
    ),
    ("GET", "/api/v1/alerts", Action::AlertsList),
    ("GET", "/api/v1/alerts/{id}", Action::AlertsShow),
    ("GET", "/api/v1/cases", Action::CasesList),
    ("GET", "/api/v1/cases/{id}", Action::CasesShow),
    ("POST", "/api/v1/cases/{id}/decision", Action::CasesDecide),
    ("POST", "/api/v1/cases/{id}/reassign", Action::CasesReassign),
    ("POST", "/api/v1/cycles", Action::CyclesRun),
    ("POST", "/api/v1/cycles/preview", Action::CyclesPreview),
    ("GET", "/api/v1/cycles", Action::CyclesList),
    ("GET", "/api/v1/cycles/{number}", Action::CyclesShow),
    ("GET", "/api/v1/cycles/{number}/files", Action::CycleFiles),
    (
        "GET",
        "/api/v1/cycles/{number}/files/{name}",
        Action::CycleFiles,
    ),
    (
        "GET",
        "/api/v1/cycles/{number}/statements/{participant}",
        Action::Statements,
    ),
    (
        "POST",
        "/api/v1/cycles/{number}/advance",
        Action::SettlementAdvance,
    ),
    (
        "POST",
        "/api/v1/cycles/{number}/unwind",
        Action::SettlementUnwind,
    ),
    (
        "POST",
        "/api/v1/cycles/{number}/payouts/{participant}/retry",
        Action::SettlementRetry,
    ),
    (
        "POST",
        "/api/v1/settlement/bank-files",
        Action::SettlementImport,
    ),
    (
        "GET",
        "/api/v1/settlement/entries",
        Action::SettlementSuspense,
    ),
    (
        "POST",
        "/api/v1/settlement/entries/{id}/resolve",
        Action::SettlementResolve,
    ),
    (
        "POST",
        "/api/v1/settlement/deadline",
        Action::SettlementDeadline,
    ),
    ("GET", "/api/v1/imbalance", Action::Imbalance),
    ("GET", "/api/v1/lists", Action::ListsStatus),
    ("POST", "/api/v1/lists", Action::ListsImport),
    ("POST", "/api/v1/lists/update", Action::ListsUpdate),
    ("POST", "/api/v1/goods/check", Action::GoodsCheck),
    ("POST", "/api/v1/screening", Action::Screen),
    ("GET", "/api/v1/audit", Action::Audit),
    ("POST", "/api/v1/verify", Action::Verify),
    ("POST", "/match/{dataset}", Action::Match),
    ("GET", "/search/{dataset}", Action::Match),
    ("GET", "/entities/{id}", Action::Match),
    ("GET", "/catalog", Action::Match),
];

/// The action of a route (`None`: a route without a caller, or no route).
pub fn route_action(method: &str, path: &str) -> Option<Action> {
    ROUTES
        .iter()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, a)| *a)
}

/// What `role` may do with `action`.
pub fn access(action: Action, role: Role) -> Access {
    let column = ROLES
        .iter()
        .position(|r| *r == role)
        .expect("every role has a column");
    TABLE
        .iter()
        .find(|(a, _)| *a == action)
        .map_or(No, |(_, row)| row[column])
}

/// Whether an action writes (an auditor never may).
pub fn writes(action: Action) -> bool {
    !matches!(
        action,
        Action::WhoAmI
            | Action::UsersList
            | Action::ParticipantsList
            | Action::ParticipantsShow
            | Action::ClaimsList
            | Action::ClaimsShow
            | Action::AlertsList
            | Action::AlertsShow
            | Action::CasesList
            | Action::CasesShow
            | Action::CyclesPreview
            | Action::CyclesList
            | Action::CyclesShow
            | Action::CycleFiles
            | Action::Statements
            | Action::SettlementSuspense
            | Action::Imbalance
            | Action::ListsStatus
            | Action::GoodsCheck
            | Action::Screen
            | Action::Verify
            | Action::Audit
            | Action::Match
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_one_row_and_the_auditor_writes_nothing() {
        for (i, (action, row)) in TABLE.iter().enumerate() {
            assert!(
                !TABLE[..i].iter().any(|(a, _)| a == action),
                "{action:?} twice"
            );
            if writes(*action) {
                assert_eq!(row[4], No, "the auditor may {action:?}");
            }
        }
    }
}
