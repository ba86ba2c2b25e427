//! Bank accounts: International Bank Account Numbers (ISO 13616), Business Identifier Codes
//! (ISO 9362) and the pair of them a participant is paid on.

use std::fmt;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Entity, ValidationError, Violation};
use crate::text::echo;

/// The longest IBAN ISO 13616 allows, in characters (electronic form, without spaces).
pub const IBAN_LEN_MAX: usize = 34;

/// The length of a BIC without a branch code.
const BIC_LEN_SHORT: usize = 8;
/// The length of a BIC with a branch code.
const BIC_LEN_LONG: usize = 11;

/// IBAN lengths by country, as registered in the SWIFT IBAN registry (ISO 13616 registration
/// authority, release 100 of 2025), sorted by country code.
const IBAN_REGISTRY: &[([u8; 2], u8)] = &[
    (*b"AD", 24), // Andorra
    (*b"AE", 23), // United Arab Emirates
    (*b"AL", 28), // Albania
    (*b"AT", 20), // Austria
    (*b"AZ", 28), // Azerbaijan
    (*b"BA", 20), // Bosnia and Herzegovina
    (*b"BE", 16), // Belgium
    (*b"BG", 22), // Bulgaria
    (*b"BH", 22), // Bahrain
    (*b"BI", 27), // Burundi
    (*b"BR", 29), // Brazil
    (*b"BY", 28), // Belarus
    (*b"CH", 21), // Switzerland
    (*b"CR", 22), // Costa Rica
    (*b"CY", 28), // Cyprus
    (*b"CZ", 24), // Czechia
    (*b"DE", 22), // Germany
    (*b"DJ", 27), // Djibouti
    (*b"DK", 18), // Denmark
    (*b"DO", 28), // Dominican Republic
    (*b"EE", 20), // Estonia
    (*b"EG", 29), // Egypt
    (*b"ES", 24), // Spain
    (*b"FI", 18), // Finland
    (*b"FK", 18), // Falkland Islands
    (*b"FO", 18), // Faroe Islands
    (*b"FR", 27), // France
    (*b"GB", 22), // United Kingdom
    (*b"GE", 22), // Georgia
    (*b"GI", 23), // Gibraltar
    (*b"GL", 18), // Greenland
    (*b"GR", 27), // Greece
    (*b"GT", 28), // Guatemala
    (*b"HN", 28), // Honduras
    (*b"HR", 21), // Croatia
    (*b"HU", 28), // Hungary
    (*b"IE", 22), // Ireland
    (*b"IL", 23), // Israel
    (*b"IQ", 23), // Iraq
    (*b"IS", 26), // Iceland
    (*b"IT", 27), // Italy
    (*b"JO", 30), // Jordan
    (*b"KW", 30), // Kuwait
    (*b"KZ", 20), // Kazakhstan
    (*b"LB", 28), // Lebanon
    (*b"LC", 32), // Saint Lucia
    (*b"LI", 21), // Liechtenstein
    (*b"LT", 20), // Lithuania
    (*b"LU", 20), // Luxembourg
    (*b"LV", 21), // Latvia
    (*b"LY", 25), // Libya
    (*b"MC", 27), // Monaco
    (*b"MD", 24), // Moldova
    (*b"ME", 22), // Montenegro
    (*b"MK", 19), // North Macedonia
    (*b"MN", 20), // Mongolia
    (*b"MR", 27), // Mauritania
    (*b"MT", 31), // Malta
    (*b"MU", 30), // Mauritius
    (*b"NI", 28), // Nicaragua
    (*b"NL", 18), // Netherlands
    (*b"NO", 15), // Norway
    (*b"OM", 23), // Oman
    (*b"PK", 24), // Pakistan
    (*b"PL", 28), // Poland
    (*b"PS", 29), // Palestine
    (*b"PT", 25), // Portugal
    (*b"QA", 29), // Qatar
    (*b"RO", 24), // Romania
    (*b"RS", 22), // Serbia
    (*b"RU", 33), // Russia
    (*b"SA", 24), // Saudi Arabia
    (*b"SC", 31), // Seychelles
    (*b"SD", 18), // Sudan
    (*b"SE", 24), // Sweden
    (*b"SI", 19), // Slovenia
    (*b"SK", 24), // Slovakia
    (*b"SM", 27), // San Marino
    (*b"SO", 23), // Somalia
    (*b"ST", 25), // Sao Tome and Principe
    (*b"SV", 28), // El Salvador
    (*b"TL", 23), // Timor-Leste
    (*b"TN", 24), // Tunisia
    (*b"TR", 26), // Turkey
    (*b"UA", 29), // Ukraine
    (*b"VA", 22), // Vatican City State
    (*b"VG", 24), // British Virgin Islands
    (*b"XK", 20), // Kosovo
    (*b"YE", 30), // Yemen
];

/// IBAN lengths of countries whose banks issue IBANs in the ISO 13616 format without the format
/// being in the SWIFT registry, sorted by country code. Payments to them are routine for the
/// clearing house, so they are accepted like registry countries.
const IBAN_UNREGISTERED: &[([u8; 2], u8)] = &[
    (*b"IR", 26), // Iran
];

/// Territories with their own ISO 3166 code that the registry's IBAN format of another country
/// covers (their IBANs start with that country's code, their banks' BICs may carry their own),
/// sorted by territory code: (territory, IBAN country).
const IBAN_TERRITORIES: &[([u8; 2], [u8; 2])] = &[
    (*b"AX", *b"FI"), // Åland Islands
    (*b"BL", *b"FR"), // Saint Barthélemy
    (*b"GF", *b"FR"), // French Guiana
    (*b"GG", *b"GB"), // Guernsey
    (*b"GP", *b"FR"), // Guadeloupe
    (*b"IM", *b"GB"), // Isle of Man
    (*b"JE", *b"GB"), // Jersey
    (*b"MF", *b"FR"), // Saint Martin
    (*b"MQ", *b"FR"), // Martinique
    (*b"NC", *b"FR"), // New Caledonia
    (*b"PF", *b"FR"), // French Polynesia
    (*b"PM", *b"FR"), // Saint Pierre and Miquelon
    (*b"RE", *b"FR"), // Réunion
    (*b"TF", *b"FR"), // French Southern Territories
    (*b"WF", *b"FR"), // Wallis and Futuna
    (*b"YT", *b"FR"), // Mayotte
];

/// The IBAN length of `country`, if it is a known IBAN country.
fn iban_len(country: [u8; 2]) -> Option<usize> {
    [IBAN_REGISTRY, IBAN_UNREGISTERED]
        .into_iter()
        .find_map(|table| {
            let position = table
                .binary_search_by_key(&country, |&(code, _)| code)
                .ok()?;
            table.get(position).map(|&(_, len)| usize::from(len))
        })
}

/// Whether a bank in country `bic_country` can hold an account with an IBAN of `iban_country`:
/// the same country, or a territory that country's IBAN format covers.
fn same_banking_country(bic_country: [u8; 2], iban_country: [u8; 2]) -> bool {
    bic_country == iban_country
        || IBAN_TERRITORIES
            .binary_search_by_key(&bic_country, |&(territory, _)| territory)
            .ok()
            .and_then(|position| IBAN_TERRITORIES.get(position))
            .is_some_and(|&(_, parent)| parent == iban_country)
}

/// The ISO 7064 MOD 97-10 remainder of a sequence of ASCII digits and capital letters, letters
/// counting as the two digits 10 to 35. Computed digit group by digit group, so it never needs
/// more than a `u32`.
fn mod97(bytes: impl IntoIterator<Item = u8>) -> u32 {
    bytes.into_iter().fold(0, |remainder, byte| {
        let (value, shift) = match byte {
            b'0'..=b'9' => (u32::from(byte - b'0'), 10),
            _ => (u32::from(byte.wrapping_sub(b'A')) + 10, 100),
        };
        (remainder * shift + value) % 97
    })
}

/// An International Bank Account Number (ISO 13616), such as `"DE89370400440532013000"`.
///
/// Accepted in print form (`"DE89 3704 0044 0532 0130 00"`) or electronic form, in either case;
/// stored and displayed in electronic form: capital letters and digits, no spaces. Validated:
///
/// - only ASCII letters, digits and spaces (U+0020, anywhere; other white space is refused);
/// - a country code of two letters that is a known IBAN country: every country of the SWIFT
///   IBAN registry, and Iran (`IR`, 26 characters), which issues IBANs but is not registered;
/// - exactly the length registered for that country;
/// - two check digits, 02 to 98, that satisfy ISO 7064 MOD 97-10.
///
/// The national part (the BBAN) is checked for its characters and length only, not for the
/// country's pattern of bank code and account number. `Display`, `FromStr` and serde use the
/// electronic form; [`Iban::pretty`] gives the print form.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iban {
    /// The electronic form, padded with zero bytes after `len`.
    bytes: [u8; IBAN_LEN_MAX],
    /// The number of characters used, 15 to [`IBAN_LEN_MAX`].
    len: u8,
}

/// Why a text is not a valid IBAN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IbanError {
    /// Nothing but spaces.
    #[error("invalid IBAN {input:?}: empty")]
    Empty {
        /// The rejected text.
        input: String,
    },
    /// A character that is not allowed at its position.
    #[error(
        "invalid IBAN {input:?}: character {ch:?} at position {index} is not allowed (expected {expected})"
    )]
    Character {
        /// The rejected text (shortened if long).
        input: String,
        /// The offending character.
        ch: char,
        /// Its position in the text as given, spaces included, counted in characters from 0.
        index: usize,
        /// What the position allows.
        expected: &'static str,
    },
    /// The country code is not that of a country that issues IBANs.
    #[error("invalid IBAN {input:?}: unknown IBAN country {country:?}")]
    UnknownCountry {
        /// The rejected text (shortened if long).
        input: String,
        /// The country code, upper-cased (a single letter if the text has only one).
        country: String,
    },
    /// The length is not the one registered for the country.
    #[error("invalid IBAN {input:?}: {found} characters, but an IBAN of {country} has {expected}")]
    Length {
        /// The rejected text (shortened if long).
        input: String,
        /// The country code.
        country: String,
        /// The length registered for the country.
        expected: usize,
        /// The length found, spaces not counted.
        found: usize,
    },
    /// The check digits do not match the rest.
    #[error("invalid IBAN {input:?}: check digits do not match (ISO 7064 MOD 97-10)")]
    CheckDigits {
        /// The rejected text.
        input: String,
    },
}

impl Iban {
    /// Validates `text` as an IBAN, check digits included. Spaces are ignored and lower case
    /// is folded to upper case.
    pub fn new(text: &str) -> Result<Iban, IbanError> {
        let mut bytes = [0_u8; IBAN_LEN_MAX];
        let mut len = 0_usize;
        for (index, ch) in text.chars().enumerate() {
            if ch == ' ' {
                continue;
            }
            let (allowed, expected) = match len {
                0 | 1 => (ch.is_ascii_alphabetic(), "a letter A-Z of the country code"),
                2 | 3 => (ch.is_ascii_digit(), "a check digit 0-9"),
                _ => (ch.is_ascii_alphanumeric(), "A-Z, 0-9 or a space"),
            };
            if !allowed {
                let input = echo(text);
                return Err(IbanError::Character {
                    input,
                    ch,
                    index,
                    expected,
                });
            }
            if let Some(byte) = bytes.get_mut(len) {
                // ASCII by the check above.
                *byte = (ch as u8).to_ascii_uppercase();
            }
            len += 1;
        }
        let input = || echo(text);
        let country = match (len, bytes) {
            (0, _) => return Err(IbanError::Empty { input: input() }),
            (1, [a, ..]) => {
                let country = char::from(a).to_string();
                return Err(IbanError::UnknownCountry {
                    input: input(),
                    country,
                });
            }
            (_, [a, b, ..]) => [a, b],
        };
        let country_text = || String::from_utf8_lossy(&country).into_owned();
        let Some(expected) = iban_len(country) else {
            let country = country_text();
            return Err(IbanError::UnknownCountry {
                input: input(),
                country,
            });
        };
        if len != expected {
            let country = country_text();
            return Err(IbanError::Length {
                input: input(),
                country,
                expected,
                found: len,
            });
        }
        let electronic = bytes.get(..len).unwrap_or_default();
        let (head, bban) = electronic.split_at(electronic.len().min(4));
        let check = head.get(2..).unwrap_or_default();
        let rearranged = bban.iter().chain(head).copied();
        if mod97(rearranged) != 1 || matches!(check, b"00" | b"01" | b"99") {
            return Err(IbanError::CheckDigits { input: input() });
        }
        // Registered lengths are at most IBAN_LEN_MAX, which fits a u8.
        let len = u8::try_from(len).unwrap_or(u8::MAX);
        Ok(Iban { bytes, len })
    }

    /// The IBAN in electronic form, such as `"DE89370400440532013000"`.
    pub fn as_str(&self) -> &str {
        let used = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        // Always valid UTF-8: every byte is an ASCII digit or capital letter.
        std::str::from_utf8(used).unwrap_or_default()
    }

    /// The country code, such as `"DE"`.
    pub fn country(&self) -> &str {
        self.as_str().get(..2).unwrap_or_default()
    }

    /// The country code as bytes.
    fn country_bytes(&self) -> [u8; 2] {
        let [a, b, ..] = self.bytes;
        [a, b]
    }

    /// The two check digits, such as `"89"`.
    pub fn check_digits(&self) -> &str {
        self.as_str().get(2..4).unwrap_or_default()
    }

    /// The national part after the country code and check digits (the BBAN), such as
    /// `"370400440532013000"`.
    pub fn bban(&self) -> &str {
        self.as_str().get(4..).unwrap_or_default()
    }

    /// The print form: groups of four characters separated by single spaces, such as
    /// `"DE89 3704 0044 0532 0130 00"`.
    pub fn pretty(&self) -> String {
        let text = self.as_str();
        let mut pretty = String::with_capacity(text.len() + text.len() / 4);
        for (index, ch) in text.chars().enumerate() {
            if index > 0 && index % 4 == 0 {
                pretty.push(' ');
            }
            pretty.push(ch);
        }
        pretty
    }
}

impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iban({:?})", self.as_str())
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Iban {
    type Err = IbanError;

    fn from_str(s: &str) -> Result<Iban, IbanError> {
        Iban::new(s)
    }
}

impl TryFrom<String> for Iban {
    type Error = IbanError;

    fn try_from(value: String) -> Result<Iban, IbanError> {
        Iban::new(&value)
    }
}

impl From<Iban> for String {
    fn from(iban: Iban) -> String {
        iban.as_str().to_owned()
    }
}

/// A Business Identifier Code (ISO 9362, also called SWIFT code), such as `"COBADEFFXXX"`.
///
/// Eight or eleven ASCII letters or digits: a four-character institution code (letters or
/// digits, as ISO 9362:2014 allows), a two-letter country code, a two-character location code
/// and an optional three-character branch code. Lower case is folded to upper case; nothing
/// else is rewritten (an 8-character BIC and the same BIC with branch `"XXX"` stay distinct
/// values). `Display`, `FromStr` and serde use the upper-case string.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bic {
    /// The code, padded with zero bytes after `len`.
    bytes: [u8; BIC_LEN_LONG],
    /// The number of characters used, 8 or 11.
    len: u8,
}

/// Why a text is not a valid BIC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BicError {
    /// Neither 8 nor 11 characters long.
    #[error("invalid BIC {input:?}: {len} characters, expected 8 or 11")]
    Length {
        /// The rejected text (shortened if long).
        input: String,
        /// Its length in characters.
        len: usize,
    },
    /// A character that is not allowed at its position.
    #[error(
        "invalid BIC {input:?}: character {ch:?} at position {index} is not allowed (expected {expected})"
    )]
    Character {
        /// The rejected text.
        input: String,
        /// The offending character.
        ch: char,
        /// Its position, counted in characters from 0.
        index: usize,
        /// What the position allows.
        expected: &'static str,
    },
}

impl Bic {
    /// Validates `code` as a BIC; lower case is folded to upper case.
    pub fn new(code: &str) -> Result<Bic, BicError> {
        let len = code.chars().count();
        if len != BIC_LEN_SHORT && len != BIC_LEN_LONG {
            let input = echo(code);
            return Err(BicError::Length { input, len });
        }
        let mut bytes = [0_u8; BIC_LEN_LONG];
        for (index, ch) in code.chars().enumerate() {
            let (allowed, expected) = match index {
                0..=3 => (
                    ch.is_ascii_alphanumeric(),
                    "A-Z or 0-9 of the institution code",
                ),
                4 | 5 => (ch.is_ascii_alphabetic(), "a letter A-Z of the country code"),
                6 | 7 => (
                    ch.is_ascii_alphanumeric(),
                    "A-Z or 0-9 of the location code",
                ),
                _ => (ch.is_ascii_alphanumeric(), "A-Z or 0-9 of the branch code"),
            };
            if !allowed {
                let input = code.to_owned();
                return Err(BicError::Character {
                    input,
                    ch,
                    index,
                    expected,
                });
            }
            if let Some(byte) = bytes.get_mut(index) {
                // ASCII by the check above.
                *byte = (ch as u8).to_ascii_uppercase();
            }
        }
        // 8 or 11 by the check above.
        let len = u8::try_from(len).unwrap_or(u8::MAX);
        Ok(Bic { bytes, len })
    }

    /// The BIC as a string slice, such as `"COBADEFFXXX"`.
    pub fn as_str(&self) -> &str {
        let used = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        // Always valid UTF-8: every byte is an ASCII digit or capital letter.
        std::str::from_utf8(used).unwrap_or_default()
    }

    /// The country code (characters 5 and 6), such as `"DE"`.
    pub fn country(&self) -> &str {
        self.as_str().get(4..6).unwrap_or_default()
    }

    /// The country code as bytes.
    fn country_bytes(&self) -> [u8; 2] {
        let [.., a, b, _, _, _, _, _] = self.bytes;
        [a, b]
    }
}

impl fmt::Debug for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bic({:?})", self.as_str())
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Bic {
    type Err = BicError;

    fn from_str(s: &str) -> Result<Bic, BicError> {
        Bic::new(s)
    }
}

impl TryFrom<String> for Bic {
    type Error = BicError;

    fn try_from(value: String) -> Result<Bic, BicError> {
        Bic::new(&value)
    }
}

impl From<Bic> for String {
    fn from(bic: Bic) -> String {
        bic.as_str().to_owned()
    }
}

/// A bank account: the IBAN and the BIC of the bank that keeps it.
///
/// Invariant, checked by [`BankAccount::new`]: the BIC's country is the IBAN's country, or a
/// territory whose accounts have IBANs of that country (a bank in Réunion, BIC country `RE`,
/// keeps accounts with `FR` IBANs; Jersey, Guernsey and the Isle of Man use `GB`, the Åland
/// Islands `FI`). Build it with [`BankAccount::new`]; the serde form is [`BankAccountInput`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "BankAccountInput", into = "BankAccountInput")]
pub struct BankAccount {
    iban: Iban,
    bic: Bic,
}

/// The parts of a [`BankAccount`]; also its serde form, `{"iban": "…", "bic": "…"}`.
///
/// In serde, the IBAN is read in print or electronic form and either case (see [`Iban::new`]),
/// the BIC in either case, and a bad one is reported as a [`ValidationError`] naming the field:
/// `invalid bank account: field "iban": invalid IBAN …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankAccountInput {
    /// The account's IBAN.
    #[serde(deserialize_with = "iban_field")]
    pub iban: Iban,
    /// The BIC of the bank keeping the account; its country must fit the IBAN's.
    #[serde(deserialize_with = "bic_field")]
    pub bic: Bic,
}

impl BankAccount {
    /// Validates `input`: the BIC's country is the IBAN's, or a territory the IBAN country's
    /// format covers (see [`BankAccount`]).
    pub fn new(input: BankAccountInput) -> Result<BankAccount, ValidationError> {
        let BankAccountInput { iban, bic } = input;
        if !same_banking_country(bic.country_bytes(), iban.country_bytes()) {
            let violation = Violation::BankCountryMismatch {
                bic_country: bic.country().to_owned(),
                iban_country: iban.country().to_owned(),
            };
            return Err(ValidationError::new(Entity::BankAccount, "bic", violation));
        }
        Ok(BankAccount { iban, bic })
    }

    /// Parses and validates a bank account from the text of its IBAN and BIC; errors name the
    /// field, `"iban"` or `"bic"`.
    pub fn parse(iban: &str, bic: &str) -> Result<BankAccount, ValidationError> {
        let error = |field, violation: Violation| {
            ValidationError::new(Entity::BankAccount, field, violation)
        };
        let iban = Iban::new(iban).map_err(|e| error("iban", e.into()))?;
        let bic = Bic::new(bic).map_err(|e| error("bic", e.into()))?;
        BankAccount::new(BankAccountInput { iban, bic })
    }

    /// The account's IBAN.
    pub fn iban(&self) -> Iban {
        self.iban
    }

    /// The BIC of the bank keeping the account.
    pub fn bic(&self) -> Bic {
        self.bic
    }
}

/// Deserializes the `iban` field of a [`BankAccountInput`], naming the field in errors.
fn iban_field<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Iban, D::Error> {
    let text = String::deserialize(deserializer)?;
    Iban::new(&text).map_err(|e| {
        let error = ValidationError::new(Entity::BankAccount, "iban", e.into());
        D::Error::custom(error)
    })
}

/// Deserializes the `bic` field of a [`BankAccountInput`], naming the field in errors.
fn bic_field<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Bic, D::Error> {
    let text = String::deserialize(deserializer)?;
    Bic::new(&text).map_err(|e| {
        let error = ValidationError::new(Entity::BankAccount, "bic", e.into());
        D::Error::custom(error)
    })
}

/// The serde form of a bank account nested in another entity, read as text so that errors can
/// carry the full field path.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BankAccountText {
    iban: String,
    bic: String,
}

/// Deserializes an optional bank account that is field `field` of an `entity`'s serde form
/// (`null` or absent is `None`). A bad IBAN or BIC is reported as an error of `entity` with the
/// field path `"{field}.iban"` or `"{field}.bic"`, such as `invalid participant: field
/// "bank_account.iban": invalid IBAN …`.
pub(crate) fn deserialize_nested<'de, D: Deserializer<'de>>(
    deserializer: D,
    entity: Entity,
    field: &str,
) -> Result<Option<BankAccount>, D::Error> {
    let Some(text) = Option::<BankAccountText>::deserialize(deserializer)? else {
        return Ok(None);
    };
    BankAccount::parse(&text.iban, &text.bic)
        .map(Some)
        .map_err(|e| {
            let path = format!("{field}.{}", e.field());
            D::Error::custom(ValidationError::new(entity, path, e.violation().clone()))
        })
}

impl TryFrom<BankAccountInput> for BankAccount {
    type Error = ValidationError;

    fn try_from(input: BankAccountInput) -> Result<BankAccount, ValidationError> {
        BankAccount::new(input)
    }
}

impl From<BankAccount> for BankAccountInput {
    fn from(account: BankAccount) -> BankAccountInput {
        BankAccountInput {
            iban: account.iban,
            bic: account.bic,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The check digits ISO 13616 issues for a country and BBAN: 98 minus the MOD 97-10
    /// remainder of the BBAN, the country code and "00".
    fn check_digits(country: &str, bban: &str) -> String {
        let bytes = bban.bytes().chain(country.bytes()).chain(*b"00");
        format!("{:02}", 98 - mod97(bytes))
    }

    /// Real-format IBANs (the registry's and banks' published examples).
    const VALID: [&str; 8] = [
        "DE89 3704 0044 0532 0130 00",
        "GB29 NWBK 6016 1331 9268 19",
        "FR14 2004 1010 0505 0001 3M02 606",
        "IR06 2960 0000 0010 0324 2000 01",
        "NL91 ABNA 0417 1643 00",
        "NO93 8601 1117 947",
        "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
        "BE68 5390 0754 7034",
    ];

    #[test]
    fn check_digits_of_the_examples_are_right() {
        for text in VALID {
            let electronic = text.replace(' ', "");
            let (country, rest) = electronic.split_at(2);
            let (check, bban) = rest.split_at(2);
            assert_eq!(check_digits(country, bban), check, "{text}");
        }
    }

    #[test]
    fn accepts_valid_ibans_in_any_form() {
        for text in VALID {
            let iban = Iban::new(text).unwrap();
            let electronic = text.replace(' ', "");
            assert_eq!(iban.as_str(), electronic);
            assert_eq!(iban.to_string(), electronic);
            assert_eq!(iban.pretty(), text);
            assert_eq!(Iban::new(&electronic), Ok(iban));
            assert_eq!(Iban::new(&text.to_lowercase()), Ok(iban));
            assert_eq!(electronic.parse::<Iban>(), Ok(iban));
        }
        let iban = Iban::new(" de89 3704 0044 0532 0130 00 ").unwrap();
        assert_eq!(iban.country(), "DE");
        assert_eq!(iban.check_digits(), "89");
        assert_eq!(iban.bban(), "370400440532013000");
        assert_eq!(format!("{iban:?}"), r#"Iban("DE89370400440532013000")"#);
        assert_eq!(format!("[{iban:>24}]"), "[  DE89370400440532013000]");
    }

    #[test]
    fn iban_errors_say_what_is_wrong() {
        let message = |input: &str| Iban::new(input).unwrap_err().to_string();
        assert_eq!(message(""), r#"invalid IBAN "": empty"#);
        assert_eq!(message("   "), r#"invalid IBAN "   ": empty"#);
        assert_eq!(
            message("DE89 3704-0044 0532 0130 00"),
            r#"invalid IBAN "DE89 3704-0044 0532 0130 00": character '-' at position 9 is not allowed (expected A-Z, 0-9 or a space)"#
        );
        assert_eq!(
            message("D189370400440532013000"),
            r#"invalid IBAN "D189370400440532013000": character '1' at position 1 is not allowed (expected a letter A-Z of the country code)"#
        );
        assert_eq!(
            message("DEX9370400440532013000"),
            r#"invalid IBAN "DEX9370400440532013000": character 'X' at position 2 is not allowed (expected a check digit 0-9)"#
        );
        assert_eq!(
            message("DE89\t370400440532013000"),
            r#"invalid IBAN "DE89\t370400440532013000": character '\t' at position 4 is not allowed (expected A-Z, 0-9 or a space)"#
        );
        assert_eq!(
            message("DE89 3704 0044 0532 0130 0É"),
            r#"invalid IBAN "DE89 3704 0044 0532 0130 0É": character 'É' at position 26 is not allowed (expected A-Z, 0-9 or a space)"#
        );
        assert_eq!(
            message("US64 SVBK US6S 3300 9673 8637"),
            r#"invalid IBAN "US64 SVBK US6S 3300 9673 8637": unknown IBAN country "US""#
        );
        assert_eq!(
            message("d"),
            r#"invalid IBAN "d": unknown IBAN country "D""#
        );
        assert_eq!(
            message("DE89 3704 0044 0532 0130 0"),
            r#"invalid IBAN "DE89 3704 0044 0532 0130 0": 21 characters, but an IBAN of DE has 22"#
        );
        assert_eq!(
            message("de"),
            r#"invalid IBAN "de": 2 characters, but an IBAN of DE has 22"#
        );
        assert_eq!(
            message("DE88 3704 0044 0532 0130 00"),
            r#"invalid IBAN "DE88 3704 0044 0532 0130 00": check digits do not match (ISO 7064 MOD 97-10)"#
        );
        // A long input is echoed shortened, and its length still counted in full.
        let long = format!("DE89{}", "0".repeat(1000));
        assert_eq!(
            Iban::new(&long),
            Err(IbanError::Length {
                input: format!("DE89{}…", "0".repeat(60)),
                country: "DE".to_owned(),
                expected: 22,
                found: 1004,
            })
        );
    }

    /// Check digits 00, 01 and 99 pass MOD 97-10 whenever 97, 98 and 02 do (they are the
    /// same remainders), but ISO 13616 never issues them.
    #[test]
    fn rejects_check_digits_outside_02_to_98() {
        // GB + 98 is valid for this BBAN; so is GB + 01 by the remainder alone.
        let bban = (0..100_000)
            .map(|n| format!("NWBK{n:014}"))
            .find(|bban| check_digits("GB", bban) == "98")
            .unwrap();
        assert!(Iban::new(&format!("GB98{bban}")).is_ok());
        assert_eq!(
            Iban::new(&format!("GB01{bban}")),
            Err(IbanError::CheckDigits {
                input: format!("GB01{bban}")
            })
        );
    }

    #[test]
    fn detects_every_single_digit_substitution() {
        let valid = "DE89370400440532013000";
        for index in 2..valid.len() {
            for digit in b'0'..=b'9' {
                let mut bytes = valid.as_bytes().to_vec();
                if bytes[index] == digit {
                    continue;
                }
                bytes[index] = digit;
                let text = String::from_utf8(bytes).unwrap();
                assert!(Iban::new(&text).is_err(), "{text}");
            }
        }
    }

    #[test]
    fn country_tables_are_sorted_and_plausible() {
        for table in [IBAN_REGISTRY, IBAN_UNREGISTERED] {
            assert!(table.windows(2).all(|pair| pair[0].0 < pair[1].0));
            for &(code, len) in table {
                assert!(code.iter().all(u8::is_ascii_uppercase));
                assert!((15..=IBAN_LEN_MAX).contains(&usize::from(len)));
            }
        }
        assert_eq!(IBAN_REGISTRY.len(), 89);
        assert!(
            IBAN_TERRITORIES
                .windows(2)
                .all(|pair| pair[0].0 < pair[1].0)
        );
        for &(territory, parent) in IBAN_TERRITORIES {
            assert_eq!(iban_len(territory), None);
            assert!(iban_len(parent).is_some());
        }
        let expected = [
            ("DE", 22),
            ("FR", 27),
            ("GB", 22),
            ("IR", 26),
            ("NL", 18),
            ("IT", 27),
            ("ES", 24),
            ("AT", 20),
            ("BE", 16),
            ("CH", 21),
            ("NO", 15),
            ("RU", 33),
        ];
        for (country, len) in expected {
            let code = [country.as_bytes()[0], country.as_bytes()[1]];
            assert_eq!(iban_len(code), Some(len), "{country}");
        }
        assert_eq!(iban_len(*b"US"), None);
    }

    #[test]
    fn iban_serde_as_electronic_string() {
        let iban = Iban::new(VALID[0]).unwrap();
        let json = serde_json::to_string(&iban).unwrap();
        assert_eq!(json, r#""DE89370400440532013000""#);
        assert_eq!(serde_json::from_str::<Iban>(&json).unwrap(), iban);
        let printed = serde_json::from_str::<Iban>(r#""de89 3704 0044 0532 0130 00""#).unwrap();
        assert_eq!(printed, iban);
        let err = serde_json::from_str::<Iban>(r#""DE88370400440532013000""#).unwrap_err();
        assert!(
            err.to_string().contains("check digits do not match"),
            "{err}"
        );
    }

    #[test]
    fn accepts_valid_bics() {
        for (text, country) in [
            ("COBADEFF", "DE"),
            ("COBADEFFXXX", "DE"),
            ("cobadeff370", "DE"),
            ("NWBKGB2L", "GB"),
            ("BMJIIRTH", "IR"),
            ("1234DEFF", "DE"),
        ] {
            let bic = Bic::new(text).unwrap();
            assert_eq!(bic.as_str(), text.to_uppercase());
            assert_eq!(bic.to_string(), text.to_uppercase());
            assert_eq!(bic.country(), country);
            assert_eq!(text.parse::<Bic>(), Ok(bic));
        }
        let bic = Bic::new("BNPAFRPP").unwrap();
        assert_eq!(format!("{bic:?}"), r#"Bic("BNPAFRPP")"#);
        assert_ne!(Bic::new("BNPAFRPPXXX").unwrap(), bic);
    }

    #[test]
    fn bic_errors_say_what_is_wrong() {
        let message = |input: &str| Bic::new(input).unwrap_err().to_string();
        assert_eq!(
            message("COBADEF"),
            r#"invalid BIC "COBADEF": 7 characters, expected 8 or 11"#
        );
        assert_eq!(
            message("COBADEFFXX"),
            r#"invalid BIC "COBADEFFXX": 10 characters, expected 8 or 11"#
        );
        assert_eq!(
            message(""),
            r#"invalid BIC "": 0 characters, expected 8 or 11"#
        );
        assert_eq!(
            message("CO-ADEFF"),
            r#"invalid BIC "CO-ADEFF": character '-' at position 2 is not allowed (expected A-Z or 0-9 of the institution code)"#
        );
        assert_eq!(
            message("COBAD1FF"),
            r#"invalid BIC "COBAD1FF": character '1' at position 5 is not allowed (expected a letter A-Z of the country code)"#
        );
        assert_eq!(
            message("COBADEF "),
            r#"invalid BIC "COBADEF ": character ' ' at position 7 is not allowed (expected A-Z or 0-9 of the location code)"#
        );
        assert_eq!(
            message("COBADEFFXÉX"),
            r#"invalid BIC "COBADEFFXÉX": character 'É' at position 9 is not allowed (expected A-Z or 0-9 of the branch code)"#
        );
    }

    #[test]
    fn bic_serde_as_string() {
        let bic = Bic::new("COBADEFFXXX").unwrap();
        let json = serde_json::to_string(&bic).unwrap();
        assert_eq!(json, r#""COBADEFFXXX""#);
        assert_eq!(serde_json::from_str::<Bic>(&json).unwrap(), bic);
        assert!(serde_json::from_str::<Bic>(r#""COBADE""#).is_err());
    }

    fn account(iban: &str, bic: &str) -> Result<BankAccount, ValidationError> {
        BankAccount::parse(iban, bic)
    }

    #[test]
    fn valid_bank_accounts() {
        let de = account("DE89 3704 0044 0532 0130 00", "cobadeffxxx").unwrap();
        assert_eq!(de.iban().as_str(), "DE89370400440532013000");
        assert_eq!(de.bic().as_str(), "COBADEFFXXX");
        assert!(account("IR06 2960 0000 0010 0324 2000 01", "BMJIIRTH").is_ok());
        // Territories covered by another country's IBAN format.
        assert!(account("FR14 2004 1010 0505 0001 3M02 606", "BNPARERX").is_ok());
        assert!(account("GB29 NWBK 6016 1331 9268 19", "ABCDJESH").is_ok());
    }

    #[test]
    fn bank_account_errors_name_the_field() {
        let message = |iban, bic| account(iban, bic).unwrap_err().to_string();
        assert_eq!(
            message("DE88 3704 0044 0532 0130 00", "COBADEFF"),
            r#"invalid bank account: field "iban": invalid IBAN "DE88 3704 0044 0532 0130 00": check digits do not match (ISO 7064 MOD 97-10)"#
        );
        assert_eq!(
            message("DE89 3704 0044 0532 0130 00", "COBADE"),
            r#"invalid bank account: field "bic": invalid BIC "COBADE": 6 characters, expected 8 or 11"#
        );
        assert_eq!(
            message("DE89 3704 0044 0532 0130 00", "BNPAFRPP"),
            r#"invalid bank account: field "bic": BIC country "FR" does not match IBAN country "DE""#
        );
        // A territory only goes with its own parent country.
        assert_eq!(
            message("DE89 3704 0044 0532 0130 00", "ABCDJESH"),
            r#"invalid bank account: field "bic": BIC country "JE" does not match IBAN country "DE""#
        );
        let err = account("DE89 3704 0044 0532 0130 00", "BNPAFRPP").unwrap_err();
        assert_eq!(err.entity(), Entity::BankAccount);
        assert_eq!(err.field(), "bic");
        // The same check when built from typed parts.
        let typed = BankAccountInput {
            iban: "DE89370400440532013000".parse().unwrap(),
            bic: "BNPAFRPP".parse().unwrap(),
        };
        assert_eq!(BankAccount::new(typed), Err(err));
    }

    #[test]
    fn bank_account_serde_round_trip() {
        let account = account("de89 3704 0044 0532 0130 00", "COBADEFF").unwrap();
        let json = serde_json::to_string(&account).unwrap();
        assert_eq!(
            json,
            r#"{"iban":"DE89370400440532013000","bic":"COBADEFF"}"#
        );
        assert_eq!(serde_json::from_str::<BankAccount>(&json).unwrap(), account);
        let unknown = r#"{"iban":"DE89370400440532013000","bic":"COBADEFF","name":"x"}"#;
        let err = serde_json::from_str::<BankAccount>(unknown).unwrap_err();
        assert!(err.to_string().contains("unknown field `name`"), "{err}");
        let bad = r#"{"iban":"DE89370400440532013001","bic":"COBADEFF"}"#;
        let err = serde_json::from_str::<BankAccount>(bad).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(r#"invalid bank account: field "iban": invalid IBAN"#),
            "{err}"
        );
        let bad = r#"{"iban":"DE89370400440532013000","bic":"COBADEF"}"#;
        let err = serde_json::from_str::<BankAccountInput>(bad).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(r#"invalid bank account: field "bic": invalid BIC "COBADEF""#),
            "{err}"
        );
        let mismatch = r#"{"iban":"DE89370400440532013000","bic":"BNPAFRPP"}"#;
        let err = serde_json::from_str::<BankAccount>(mismatch).unwrap_err();
        assert!(
            err.to_string().starts_with(
                r#"invalid bank account: field "bic": BIC country "FR" does not match IBAN country "DE""#
            ),
            "{err}"
        );
        let wrong_type = r#"{"iban":22,"bic":"COBADEFF"}"#;
        assert!(serde_json::from_str::<BankAccount>(wrong_type).is_err());
    }

    /// A valid IBAN in electronic form: a known country, a BBAN of its length, the check
    /// digits computed.
    fn valid_iban() -> impl Strategy<Value = String> {
        let countries: Vec<([u8; 2], u8)> = IBAN_REGISTRY
            .iter()
            .chain(IBAN_UNREGISTERED)
            .copied()
            .collect();
        prop::sample::select(countries).prop_flat_map(|(code, len)| {
            let country = String::from_utf8_lossy(&code).into_owned();
            let pattern = format!("[A-Z0-9]{{{}}}", usize::from(len) - 4);
            let bban = proptest::string::string_regex(&pattern).unwrap();
            (Just(country), bban).prop_map(|(country, bban)| {
                format!("{country}{}{bban}", check_digits(&country, &bban))
            })
        })
    }

    proptest! {
        #[test]
        fn iban_parse_display_parse_is_identity(text in valid_iban()) {
            let iban = Iban::new(&text).unwrap();
            prop_assert_eq!(iban.as_str(), text.as_str());
            prop_assert_eq!(iban.to_string().parse::<Iban>(), Ok(iban));
            prop_assert_eq!(Iban::new(&iban.pretty()), Ok(iban));
            prop_assert_eq!(Iban::new(&text.to_lowercase()), Ok(iban));
        }

        #[test]
        fn iban_never_panics(text in any::<String>(), near in "[A-Za-z0-9 ]{0,40}") {
            for text in [text, near] {
                if let Ok(iban) = Iban::new(&text) {
                    prop_assert_eq!(iban.to_string().parse::<Iban>(), Ok(iban));
                    prop_assert_eq!(iban.pretty().replace(' ', ""), iban.as_str());
                }
                if let Ok(bic) = Bic::new(&text) {
                    prop_assert_eq!(bic.to_string().parse::<Bic>(), Ok(bic));
                }
            }
        }
    }
}
