//! Accounts, transfers and their flags.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! flags {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $flag:ident = $bit:expr, $text:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct $name(u16);

        impl $name {
            $($(#[$fdoc])* pub const $flag: Self = Self($bit);)*
            const NAMES: &'static [(Self, &'static str)] = &[$((Self::$flag, $text)),*];
            /// No flag set.
            pub const NONE: Self = Self(0);
            const KNOWN: u16 = 0 $(| $bit)*;

            /// Flags from their raw bits (unknown bits are kept, and rejected by validation).
            pub const fn from_bits(bits: u16) -> Self {
                Self(bits)
            }
            /// The raw bits.
            pub const fn bits(self) -> u16 {
                self.0
            }
            /// Whether every flag of `other` is set.
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }
            /// The names of the flags set, in bit order (unknown bits have none).
            pub fn names(self) -> impl Iterator<Item = &'static str> {
                Self::NAMES.iter().filter(move |(flag, _)| self.contains(*flag)).map(|(_, name)| *name)
            }
            /// Whether bits are set that no flag names.
            pub const fn has_unknown_bits(self) -> bool {
                self.0 & !Self::KNOWN != 0
            }
            /// These flags and `other`.
            #[must_use]
            pub const fn with(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }
            /// These flags without `other`.
            #[must_use]
            pub const fn without(self, other: Self) -> Self {
                Self(self.0 & !other.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.names()).finish()
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.names())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let names = Vec::<String>::deserialize(d)?;
                let mut flags = Self::NONE;
                for name in &names {
                    let Some((flag, _)) = Self::NAMES.iter().find(|(_, n)| n == name) else {
                        let known: Vec<&str> = Self::NAMES.iter().map(|(_, n)| *n).collect();
                        return Err(serde::de::Error::custom(format!(
                            "unknown flag {name:?}, expected one of {}", known.join(", ")
                        )));
                    };
                    flags = flags.with(*flag);
                }
                Ok(flags)
            }
        }
    };
}

flags! {
    /// Flags of an account.
    AccountFlags {
        /// This event and the next one succeed or fail together.
        LINKED = 1, "linked";
        /// `debits_pending + debits_posted` may never exceed `credits_posted` (an asset the
        /// holder cannot overdraw).
        DEBITS_MUST_NOT_EXCEED_CREDITS = 2, "debits_must_not_exceed_credits";
        /// `credits_pending + credits_posted` may never exceed `debits_posted`.
        CREDITS_MUST_NOT_EXCEED_DEBITS = 4, "credits_must_not_exceed_debits";
    }
}

flags! {
    /// Flags of a transfer.
    TransferFlags {
        /// This event and the next one succeed or fail together.
        LINKED = 1, "linked";
        /// Reserve the amount (first phase of a two-phase transfer).
        PENDING = 2, "pending";
        /// Post a pending transfer, in full or in part (the rest is released).
        POST_PENDING = 4, "post_pending";
        /// Release a pending transfer.
        VOID_PENDING = 8, "void_pending";
    }
}

/// An account as a client asks for it: balances start at zero, the ledger sets the timestamp.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Client-chosen id, `1..=ID_MAX`; the idempotency key.
    pub id: u64,
    /// The ledger (currency) the account belongs to; by convention the ISO 4217 numeric code.
    pub ledger: u32,
    /// Chart-of-accounts code chosen by the client (what kind of account this is); not zero.
    pub code: u16,
    /// Flags.
    #[serde(default)]
    pub flags: AccountFlags,
    /// Opaque client data, for example a participant's internal number.
    #[serde(default)]
    pub user_data_64: u64,
    /// Opaque client data.
    #[serde(default)]
    pub user_data_32: u32,
}

/// An account with its balances, as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Id, `1..=ID_MAX`.
    pub id: u64,
    /// Ledger (currency).
    pub ledger: u32,
    /// Chart-of-accounts code.
    pub code: u16,
    /// Flags, as created.
    pub flags: AccountFlags,
    /// Opaque client data.
    pub user_data_64: u64,
    /// Opaque client data.
    pub user_data_32: u32,
    /// Sum of the amounts of pending debits not yet posted, voided or expired.
    pub debits_pending: u64,
    /// Sum of posted debits.
    pub debits_posted: u64,
    /// Sum of the amounts of pending credits not yet posted, voided or expired.
    pub credits_pending: u64,
    /// Sum of posted credits.
    pub credits_posted: u64,
    /// When the account was created, in nanoseconds since the Unix epoch; unique per event.
    pub timestamp: u64,
}

impl Account {
    /// The account a [`NewAccount`] becomes at `timestamp`.
    pub fn open(new: &NewAccount, timestamp: u64) -> Self {
        Account {
            id: new.id,
            ledger: new.ledger,
            code: new.code,
            flags: new.flags,
            user_data_64: new.user_data_64,
            user_data_32: new.user_data_32,
            debits_pending: 0,
            debits_posted: 0,
            credits_pending: 0,
            credits_posted: 0,
            timestamp,
        }
    }

    /// Whether `new` asks for exactly this account (the fields a client chooses are equal).
    pub fn same_as(&self, new: &NewAccount) -> bool {
        Account::open(new, self.timestamp).fields() == self.fields()
    }

    fn fields(&self) -> (u64, u32, u16, AccountFlags, u64, u32) {
        (
            self.id,
            self.ledger,
            self.code,
            self.flags,
            self.user_data_64,
            self.user_data_32,
        )
    }
}

/// A transfer as a client submits it.
///
/// For `post_pending` and `void_pending`, `debit_account_id`, `credit_account_id`, `ledger` and
/// `code` may be zero (taken from the pending transfer) or must equal the pending transfer's; an
/// `amount` of zero posts or voids the full pending amount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTransfer {
    /// Client-chosen id, `1..=ID_MAX`; the idempotency key.
    pub id: u64,
    /// Account debited.
    #[serde(default)]
    pub debit_account_id: u64,
    /// Account credited.
    #[serde(default)]
    pub credit_account_id: u64,
    /// Amount in minor units of the ledger's currency.
    #[serde(default)]
    pub amount: u64,
    /// For `post_pending` / `void_pending`: the pending transfer's id; otherwise zero.
    #[serde(default)]
    pub pending_id: u64,
    /// Opaque client data, for example the clearing cycle or the claim.
    #[serde(default)]
    pub user_data_64: u64,
    /// Opaque client data.
    #[serde(default)]
    pub user_data_32: u32,
    /// For `pending`: seconds after which the reservation expires (zero: never).
    #[serde(default)]
    pub timeout: u32,
    /// Ledger (currency); both accounts must be on it.
    #[serde(default)]
    pub ledger: u32,
    /// Client-chosen reason code; not zero.
    #[serde(default)]
    pub code: u16,
    /// Flags.
    #[serde(default)]
    pub flags: TransferFlags,
}

/// A transfer as stored: for `post_pending` / `void_pending` the accounts, ledger, code and amount
/// are filled in from the pending transfer (the amount is what was posted or released).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Id.
    pub id: u64,
    /// Account debited.
    pub debit_account_id: u64,
    /// Account credited.
    pub credit_account_id: u64,
    /// Amount in minor units: moved, reserved, posted or released.
    pub amount: u64,
    /// The pending transfer this one posts or voids, or zero.
    pub pending_id: u64,
    /// Opaque client data.
    pub user_data_64: u64,
    /// Opaque client data.
    pub user_data_32: u32,
    /// Seconds until a pending transfer expires (zero: never).
    pub timeout: u32,
    /// Ledger (currency).
    pub ledger: u32,
    /// Reason code.
    pub code: u16,
    /// Flags.
    pub flags: TransferFlags,
    /// When it was applied, in nanoseconds since the Unix epoch; unique per event.
    pub timestamp: u64,
}

impl Transfer {
    /// The stored form of `new`, filled in from `pending` for a post or void, at `timestamp`.
    pub fn resolve(new: &NewTransfer, pending: Option<&Transfer>, timestamp: u64) -> Self {
        fn inherit<T: Copy + Default + PartialEq>(own: T, theirs: T) -> T {
            if own == T::default() { theirs } else { own }
        }
        let mut t = Transfer {
            id: new.id,
            debit_account_id: new.debit_account_id,
            credit_account_id: new.credit_account_id,
            amount: new.amount,
            pending_id: new.pending_id,
            user_data_64: new.user_data_64,
            user_data_32: new.user_data_32,
            timeout: new.timeout,
            ledger: new.ledger,
            code: new.code,
            flags: new.flags,
            timestamp,
        };
        if let Some(p) = pending {
            t.debit_account_id = inherit(new.debit_account_id, p.debit_account_id);
            t.credit_account_id = inherit(new.credit_account_id, p.credit_account_id);
            t.ledger = inherit(new.ledger, p.ledger);
            t.code = inherit(new.code, p.code);
            // Zero posts or voids the full amount (a void takes no other amount but the full one).
            if new.amount == 0 {
                t.amount = p.amount;
            }
        }
        t
    }

    /// When a pending transfer with a timeout expires, in nanoseconds; `None` if it never does.
    pub fn expires_at(&self) -> Option<u64> {
        if self.flags.contains(TransferFlags::PENDING) && self.timeout > 0 {
            Some(
                self.timestamp
                    .saturating_add(u64::from(self.timeout) * crate::NANOS_PER_SECOND),
            )
        } else {
            None
        }
    }
}

/// Where a pending transfer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingStatus {
    /// Still reserved.
    Pending = 1,
    /// Posted (in full or in part) by a `post_pending` transfer.
    Posted = 2,
    /// Released by a `void_pending` transfer.
    Voided = 3,
    /// Released because its timeout passed.
    Expired = 4,
}

impl PendingStatus {
    /// The stored code.
    pub const fn code(self) -> u8 {
        self as u8
    }
    /// The status of a stored code.
    pub const fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            1 => Self::Pending,
            2 => Self::Posted,
            3 => Self::Voided,
            4 => Self::Expired,
            _ => return None,
        })
    }
    /// Its name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Posted => "posted",
            Self::Voided => "voided",
            Self::Expired => "expired",
        }
    }
}

/// The state of one pending transfer: its status and when it expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingState {
    /// Status.
    pub status: PendingStatus,
    /// Expiry in nanoseconds since the Unix epoch, if it has a timeout.
    pub expires_at: Option<u64>,
}
