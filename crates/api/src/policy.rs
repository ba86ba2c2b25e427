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
