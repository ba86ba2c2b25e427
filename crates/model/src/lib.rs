//! Domain types of Clearhouse: money, typed ids, zones, participants, parties, bank accounts,
//! claims and goods.
//!
//! This crate is the bottom of the workspace: it does no I/O, reads no clock and holds no global
//! state. Every type validates at construction, so an invalid value cannot exist:
//!
//! - fields are private and read through getters;
//! - constructors return `Result`, and errors name the field and the offending value;
//! - serde deserialization goes through the same constructors (`try_from`), so JSON cannot
//!   smuggle in what the API refuses;
//! - no function panics on any input, and arithmetic on money is checked (overflow is an error,
//!   never a wrap).
//!
//! Composite types (`Zone`, `Party`, `BankAccount`, `Participant`, `GoodsLine`, `Claim`) are built
//! from a plain `…Input` struct with public fields, which is also their serde form:
//!
//! ```
//! use model::{Claim, ClaimInput, Date, GoodsLine, GoodsLineInput, HsCode, Money, Quantity};
//!
//! let value: Money = "EUR 1200.00".parse()?;
//! let line = GoodsLine::new(GoodsLineInput {
//!     hs_code: "3004.90".parse()?,
//!     description: "Medicaments, packaged for retail sale".into(),
//!     quantity: Quantity::parse("150", "KGM")?,
//!     value,
//! })?;
//! let claim = Claim::new(ClaimInput {
//!     id: "claim-1".parse()?,
//!     creditor: "exporter-de-1".parse()?,
//!     debtor: "importer-ir-7".parse()?,
//!     creditor_zone: "EU".parse()?,
//!     debtor_zone: "IR".parse()?,
//!     amount: value,
//!     due_date: "2026-03-31".parse()?,
//!     goods_lines: vec![line],
//! })?;
//! assert_eq!(claim.amount().to_string(), "EUR 1200.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Text forms are canonical: `Display` of every value type prints what `FromStr` parses, and the
//! serde form of a value type is that string.

mod bank;
pub mod calendar;
mod claim;
mod country;
pub mod currency;
mod date;
mod decimal;
mod error;
mod hs;
mod id;
mod lei;
mod money;
mod participant;
mod party;
mod quantity;
mod text;
mod zone;

pub use bank::{BankAccount, BankAccountInput, Bic, BicError, IBAN_LEN_MAX, Iban, IbanError};
pub use claim::{
    Claim, ClaimInput, GOODS_DESCRIPTION_LEN_MAX, GOODS_LINES_MAX, GoodsLine, GoodsLineInput,
};
pub use country::{CountryCode, CountryCodeError};
pub use currency::{Currency, CurrencyError};
pub use date::{DATE_YEAR_MAX, DATE_YEAR_MIN, Date, DateError};
pub use decimal::{DECIMAL_TEXT_LEN_MAX, DecimalSyntaxError};
pub use error::{Entity, ValidationError, Violation};
pub use hs::{HsCode, HsCodeError};
pub use id::{ClaimId, ID_LEN_MAX, IdError, ParticipantId, PartyId, ZoneCode};
pub use lei::{Lei, LeiError};
pub use money::{DisplayAmount, Money, MoneyError, Rounding};
pub use participant::{
    BENEFICIAL_OWNERS_MAX, DIRECTORS_MAX, LEGAL_NAME_LEN_MAX, Participant, ParticipantInput,
};
pub use party::{
    IDENTIFIER_SCHEME_LEN_MAX, IDENTIFIER_VALUE_LEN_MAX, IDENTIFIERS_MAX, Identifier,
    PARTY_NAME_LEN_MAX, Party, PartyInput, PartyKind,
};
pub use quantity::{QUANTITY_SCALE_MAX, Quantity, QuantityError, Unit};
pub use text::{
    ERROR_INPUT_ECHO_MAX, TextError, clean as clean_text, echo as echo_input, is_formatting_trap,
};
pub use zone::{ZONE_NAME_LEN_MAX, Zone, ZoneInput};
