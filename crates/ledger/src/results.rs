//! One result code per event, with a stable name (used in JSON) and a stable number (used in the
//! journal). Numbers are never reused.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! results {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal, $text:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant = $code,)*
        }

        impl $name {
            /// Every result, in code order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The stable name, as in JSON.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text,)* }
            }
            /// The stable number, as in the journal.
            pub const fn code(self) -> u8 {
                self as u8
            }
            /// The result with this number.
            pub const fn from_code(code: u8) -> Option<Self> {
                match code { $($code => Some(Self::$variant),)* _ => None }
            }
            /// Whether the event was applied.
            pub const fn is_ok(self) -> bool {
                matches!(self, Self::Ok)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Self::ALL
                    .iter()
                    .copied()
                    .find(|r| r.as_str() == text)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown result {text:?}")))
            }
        }
    };
}

results! {
    /// The result of creating one account. Checked in the order listed.
    CreateAccountResult {
        /// Created.
        Ok = 0, "ok";
        /// Another event of its linked chain failed, so this one was not applied.
        LinkedEventFailed = 1, "linked_event_failed";
        /// The batch ended inside a linked chain (its last event has `linked`).
        LinkedEventChainOpen = 2, "linked_event_chain_open";
        /// Id zero is reserved.
        IdMustNotBeZero = 3, "id_must_not_be_zero";
        /// Ids above `ID_MAX` are reserved.
        IdMustNotExceedMax = 4, "id_must_not_exceed_max";
        /// A flag bit that no flag names is set.
        ReservedFlag = 5, "reserved_flag";
        /// `debits_must_not_exceed_credits` and `credits_must_not_exceed_debits` together.
        FlagsAreMutuallyExclusive = 6, "flags_are_mutually_exclusive";
        /// An account with this id exists with exactly these fields: nothing was done.
        Exists = 7, "exists";
        /// An account with this id exists with other fields.
        ExistsWithDifferentFields = 8, "exists_with_different_fields";
        /// Ledger zero is reserved.
        LedgerMustNotBeZero = 9, "ledger_must_not_be_zero";
        /// Code zero is reserved.
        CodeMustNotBeZero = 10, "code_must_not_be_zero";
    }
}

results! {
    /// The result of creating one transfer. Checked in the order listed, except that `exists`
    /// and `exists_with_different_fields` come right after the flags are checked.
    CreateTransferResult {
        /// Applied.
        Ok = 0, "ok";
        /// Another event of its linked chain failed, so this one was not applied.
        LinkedEventFailed = 1, "linked_event_failed";
        /// The batch ended inside a linked chain (its last event has `linked`).
        LinkedEventChainOpen = 2, "linked_event_chain_open";
        /// Id zero is reserved.
        IdMustNotBeZero = 3, "id_must_not_be_zero";
        /// Ids above `ID_MAX` are reserved.
        IdMustNotExceedMax = 4, "id_must_not_exceed_max";
        /// A flag bit that no flag names is set.
        ReservedFlag = 5, "reserved_flag";
        /// More than one of `pending`, `post_pending`, `void_pending`.
        FlagsAreMutuallyExclusive = 6, "flags_are_mutually_exclusive";
        /// A transfer with this id exists with exactly these fields: nothing was done.
        Exists = 7, "exists";
        /// A transfer with this id exists with other fields.
        ExistsWithDifferentFields = 8, "exists_with_different_fields";
        /// `post_pending` / `void_pending` need the pending transfer's id.
        PendingIdMustNotBeZero = 9, "pending_id_must_not_be_zero";
        /// `pending_id` above `ID_MAX`.
        PendingIdMustNotExceedMax = 10, "pending_id_must_not_exceed_max";
        /// A transfer cannot post or void itself.
        PendingIdMustBeDifferent = 11, "pending_id_must_be_different";
        /// Only `post_pending` / `void_pending` take a `pending_id`.
        PendingIdMustBeZero = 12, "pending_id_must_be_zero";
        /// Only `pending` transfers take a timeout.
        TimeoutReservedForPendingTransfer = 13, "timeout_reserved_for_pending_transfer";
        /// Debit account id zero.
        DebitAccountIdMustNotBeZero = 14, "debit_account_id_must_not_be_zero";
        /// Debit account id above `ID_MAX`.
        DebitAccountIdMustNotExceedMax = 15, "debit_account_id_must_not_exceed_max";
        /// Credit account id zero.
        CreditAccountIdMustNotBeZero = 16, "credit_account_id_must_not_be_zero";
        /// Credit account id above `ID_MAX`.
        CreditAccountIdMustNotExceedMax = 17, "credit_account_id_must_not_exceed_max";
        /// Debit and credit account are the same.
        AccountsMustDiffer = 18, "accounts_must_differ";
        /// Amount zero (allowed only for `post_pending`, where it means the full amount).
        AmountMustNotBeZero = 19, "amount_must_not_be_zero";
        /// Amount above `AMOUNT_MAX`.
        AmountMustNotExceedMax = 20, "amount_must_not_exceed_max";
        /// Ledger zero.
        LedgerMustNotBeZero = 21, "ledger_must_not_be_zero";
        /// Code zero.
        CodeMustNotBeZero = 22, "code_must_not_be_zero";
        /// No account with the debit account id.
        DebitAccountNotFound = 23, "debit_account_not_found";
        /// No account with the credit account id.
        CreditAccountNotFound = 24, "credit_account_not_found";
        /// The two accounts are on different ledgers.
        AccountsMustHaveTheSameLedger = 25, "accounts_must_have_the_same_ledger";
        /// The transfer's ledger is not the accounts' ledger.
        TransferMustHaveTheSameLedgerAsAccounts = 26, "transfer_must_have_the_same_ledger_as_accounts";
        /// No transfer with `pending_id`.
        PendingTransferNotFound = 27, "pending_transfer_not_found";
        /// The transfer `pending_id` names is not a pending transfer.
        PendingTransferNotPending = 28, "pending_transfer_not_pending";
        /// The debit account given differs from the pending transfer's.
        PendingTransferHasDifferentDebitAccountId = 29, "pending_transfer_has_different_debit_account_id";
        /// The credit account given differs from the pending transfer's.
        PendingTransferHasDifferentCreditAccountId = 30, "pending_transfer_has_different_credit_account_id";
        /// The ledger given differs from the pending transfer's.
        PendingTransferHasDifferentLedger = 31, "pending_transfer_has_different_ledger";
        /// The code given differs from the pending transfer's.
        PendingTransferHasDifferentCode = 32, "pending_transfer_has_different_code";
        /// A post of more than was reserved.
        ExceedsPendingTransferAmount = 33, "exceeds_pending_transfer_amount";
        /// A void with an amount other than zero or the pending amount.
        PendingTransferHasDifferentAmount = 34, "pending_transfer_has_different_amount";
        /// The pending transfer was already posted.
        PendingTransferAlreadyPosted = 35, "pending_transfer_already_posted";
        /// The pending transfer was already voided.
        PendingTransferAlreadyVoided = 36, "pending_transfer_already_voided";
        /// The pending transfer expired.
        PendingTransferExpired = 37, "pending_transfer_expired";
        /// `debits_pending` would exceed `AMOUNT_MAX`.
        OverflowsDebitsPending = 38, "overflows_debits_pending";
        /// `credits_pending` would exceed `AMOUNT_MAX`.
        OverflowsCreditsPending = 39, "overflows_credits_pending";
        /// `debits_posted` would exceed `AMOUNT_MAX`.
        OverflowsDebitsPosted = 40, "overflows_debits_posted";
        /// `credits_posted` would exceed `AMOUNT_MAX`.
        OverflowsCreditsPosted = 41, "overflows_credits_posted";
        /// `debits_pending + debits_posted` would exceed `AMOUNT_MAX`.
        OverflowsDebits = 42, "overflows_debits";
        /// `credits_pending + credits_posted` would exceed `AMOUNT_MAX`.
        OverflowsCredits = 43, "overflows_credits";
        /// The expiry time would not fit.
        OverflowsTimeout = 44, "overflows_timeout";
        /// The debit account has `debits_must_not_exceed_credits` and this would break it.
        ExceedsCredits = 45, "exceeds_credits";
        /// The credit account has `credits_must_not_exceed_debits` and this would break it.
        ExceedsDebits = 46, "exceeds_debits";
    }
}
