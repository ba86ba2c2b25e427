//! Claims: what an exporter is owed by an importer for goods, itemised in goods lines.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::{Entity, ValidationError, Violation, check_count};
use crate::hs::HsCode;
use crate::id::{ClaimId, ParticipantId, ZoneCode};
use crate::money::Money;
use crate::quantity::Quantity;
use crate::text;

/// The most goods lines a claim may have.
pub const GOODS_LINES_MAX: usize = 1000;
/// The longest goods description, in characters.
pub const GOODS_DESCRIPTION_LEN_MAX: usize = 512;

/// One line of goods in a claim: what, how much, for how much.
///
/// Build it with [`GoodsLine::new`]; the serde form is [`GoodsLineInput`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "GoodsLineInput", into = "GoodsLineInput")]
pub struct GoodsLine {
    hs_code: HsCode,
    description: String,
    quantity: Quantity,
    value: Money,
}

/// The parts of a [`GoodsLine`], unchecked; also its serde form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoodsLineInput {
    /// The HS subheading of the goods.
    pub hs_code: HsCode,
    /// What the goods are: trimmed, 1 to [`GOODS_DESCRIPTION_LEN_MAX`] characters.
    pub description: String,
    /// How much of them.
    pub quantity: Quantity,
    /// Their invoiced value; positive.
    pub value: Money,
}

impl GoodsLine {
    /// Validates `input`: the description is trimmed free text and the value is positive.
    pub fn new(input: GoodsLineInput) -> Result<GoodsLine, ValidationError> {
        let error =
            |field, violation: Violation| ValidationError::new(Entity::GoodsLine, field, violation);
        let description = text::clean(&input.description, GOODS_DESCRIPTION_LEN_MAX)
            .map_err(|e| error("description", e.into()))?;
        if !input.value.is_positive() {
            let value = input.value;
            return Err(error("value", Violation::NotPositive { value }));
        }
        Ok(GoodsLine {
            hs_code: input.hs_code,
            description,
            quantity: input.quantity,
            value: input.value,
        })
    }

    /// The HS subheading.
    pub fn hs_code(&self) -> HsCode {
        self.hs_code
    }

    /// The description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The quantity.
    pub fn quantity(&self) -> Quantity {
        self.quantity
    }

    /// The invoiced value, positive.
    pub fn value(&self) -> Money {
        self.value
    }
}

impl TryFrom<GoodsLineInput> for GoodsLine {
    type Error = ValidationError;

    fn try_from(input: GoodsLineInput) -> Result<GoodsLine, ValidationError> {
        GoodsLine::new(input)
    }
}

impl From<GoodsLine> for GoodsLineInput {
    fn from(line: GoodsLine) -> GoodsLineInput {
        GoodsLineInput {
            hs_code: line.hs_code,
            description: line.description,
            quantity: line.quantity,
            value: line.value,
        }
    }
}

/// A claim an exporter (the creditor) holds on an importer (the debtor) for goods delivered.
///
/// Invariants, checked by [`Claim::new`]: creditor and debtor differ; the amount is positive;
/// there are 1 to [`GOODS_LINES_MAX`] goods lines, each in the claim's currency, and their
/// values sum exactly to the amount.
///
/// Not checked here, because it needs data this crate does not have: that the participants
/// exist and belong to the zones given, and that the currency is the creditor zone's settlement
/// currency. The serde form is [`ClaimInput`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ClaimInput", into = "ClaimInput")]
pub struct Claim {
    id: ClaimId,
    creditor: ParticipantId,
    debtor: ParticipantId,
    creditor_zone: ZoneCode,
    debtor_zone: ZoneCode,
    amount: Money,
    due_date: Date,
    goods_lines: Vec<GoodsLine>,
}

/// The parts of a [`Claim`], unchecked; also its serde form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimInput {
    /// The claim's id, chosen by the creditor.
    pub id: ClaimId,
    /// The exporter, who is owed the amount.
    pub creditor: ParticipantId,
    /// The importer, who owes it; not the creditor.
    pub debtor: ParticipantId,
    /// The creditor's zone.
    pub creditor_zone: ZoneCode,
    /// The debtor's zone.
    pub debtor_zone: ZoneCode,
    /// The amount owed; positive, and the sum of the goods lines' values.
    pub amount: Money,
    /// The day the amount falls due.
    pub due_date: Date,
    /// The goods, 1 to [`GOODS_LINES_MAX`] lines.
    pub goods_lines: Vec<GoodsLine>,
}

impl Claim {
    /// Validates `input` against the invariants listed on [`Claim`].
    pub fn new(input: ClaimInput) -> Result<Claim, ValidationError> {
        let error = |field: String, violation: Violation| {
            ValidationError::new(Entity::Claim, field, violation)
        };
        if input.creditor == input.debtor {
            let id = input.debtor.clone();
            return Err(error("debtor".into(), Violation::SameParticipant { id }));
        }
        let amount = input.amount;
        if !amount.is_positive() {
            return Err(error(
                "amount".into(),
                Violation::NotPositive { value: amount },
            ));
        }
        let lines = &input.goods_lines;
        check_count(lines.len(), 1, GOODS_LINES_MAX).map_err(|v| error("goods_lines".into(), v))?;
        for (index, line) in lines.iter().enumerate() {
            let found = line.value().currency();
            if found != amount.currency() {
                let expected = amount.currency();
                let of = Entity::Claim;
                let violation = Violation::CurrencyMismatch {
                    found,
                    expected,
                    of,
                };
                return Err(error(format!("goods_lines[{index}].value"), violation));
            }
        }
        let sum = Money::checked_sum(amount.currency(), lines.iter().map(GoodsLine::value))
            .map_err(|e| error("goods_lines".into(), e.into()))?;
        if sum != amount {
            let of = Entity::Claim;
            let violation = Violation::SumMismatch {
                sum,
                expected: amount,
                of,
            };
            return Err(error("goods_lines".into(), violation));
        }
        Ok(Claim {
            id: input.id,
            creditor: input.creditor,
            debtor: input.debtor,
            creditor_zone: input.creditor_zone,
            debtor_zone: input.debtor_zone,
            amount: input.amount,
            due_date: input.due_date,
            goods_lines: input.goods_lines,
        })
    }

    /// The claim's id.
    pub fn id(&self) -> &ClaimId {
        &self.id
    }

    /// The exporter, who is owed the amount.
    pub fn creditor(&self) -> &ParticipantId {
        &self.creditor
    }

    /// The importer, who owes it.
    pub fn debtor(&self) -> &ParticipantId {
        &self.debtor
    }

    /// The creditor's zone.
    pub fn creditor_zone(&self) -> &ZoneCode {
        &self.creditor_zone
    }

    /// The debtor's zone.
    pub fn debtor_zone(&self) -> &ZoneCode {
        &self.debtor_zone
    }

    /// Whether creditor and debtor are in different zones.
    pub fn is_cross_border(&self) -> bool {
        self.creditor_zone != self.debtor_zone
    }

    /// The amount owed, positive.
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// The day the amount falls due.
    pub fn due_date(&self) -> Date {
        self.due_date
    }

    /// The goods lines, at least one.
    pub fn goods_lines(&self) -> &[GoodsLine] {
        &self.goods_lines
    }
}

impl TryFrom<ClaimInput> for Claim {
    type Error = ValidationError;

    fn try_from(input: ClaimInput) -> Result<Claim, ValidationError> {
        Claim::new(input)
    }
}

impl From<Claim> for ClaimInput {
    fn from(claim: Claim) -> ClaimInput {
        ClaimInput {
            id: claim.id,
            creditor: claim.creditor,
            debtor: claim.debtor,
            creditor_zone: claim.creditor_zone,
            debtor_zone: claim.debtor_zone,
            amount: claim.amount,
            due_date: claim.due_date,
            goods_lines: claim.goods_lines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::currency::Currency;

    fn money(text: &str) -> Money {
        text.parse().unwrap()
    }

    fn line(value: &str) -> GoodsLine {
        GoodsLine::new(GoodsLineInput {
            hs_code: "3004.90".parse().unwrap(),
            description: "Medicaments, packaged for retail sale".to_owned(),
            quantity: "150 KGM".parse().unwrap(),
            value: money(value),
        })
        .unwrap()
    }

    fn input() -> ClaimInput {
        ClaimInput {
            id: "claim-1".parse().unwrap(),
            creditor: "exporter-de-1".parse().unwrap(),
            debtor: "importer-ir-7".parse().unwrap(),
            creditor_zone: "EU".parse().unwrap(),
            debtor_zone: "IR".parse().unwrap(),
            amount: money("EUR 1200.00"),
            due_date: "2026-03-31".parse().unwrap(),
            goods_lines: vec![line("EUR 1000.00"), line("EUR 200.00")],
        }
    }

    fn message(input: ClaimInput) -> String {
        Claim::new(input).unwrap_err().to_string()
    }

    #[test]
    fn valid_claim() {
        let claim = Claim::new(input()).unwrap();
        assert_eq!(claim.amount(), money("EUR 1200"));
        assert_eq!(claim.goods_lines().len(), 2);
        assert!(claim.is_cross_border());
        assert_eq!(claim.goods_lines()[0].hs_code().heading(), 3004);
    }

    #[test]
    fn goods_line_rejections() {
        let base = GoodsLineInput::from(line("EUR 1"));
        let zero = GoodsLineInput {
            value: money("EUR 0"),
            ..base.clone()
        };
        assert_eq!(
            GoodsLine::new(zero).unwrap_err().to_string(),
            r#"invalid goods line: field "value": must be positive, not EUR 0.00"#
        );
        let long = GoodsLineInput {
            description: "x".repeat(GOODS_DESCRIPTION_LEN_MAX + 1),
            ..base
        };
        assert_eq!(
            GoodsLine::new(long).unwrap_err().to_string(),
            r#"invalid goods line: field "description": has 513 characters, more than the 512 allowed"#
        );
    }

    #[test]
    fn claim_rejections_name_the_field() {
        let same = ClaimInput {
            debtor: "exporter-de-1".parse().unwrap(),
            ..input()
        };
        assert_eq!(
            message(same),
            r#"invalid claim: field "debtor": creditor and debtor are the same participant "exporter-de-1""#
        );

        let negative = ClaimInput {
            amount: money("EUR -1200.00"),
            ..input()
        };
        assert_eq!(
            message(negative),
            r#"invalid claim: field "amount": must be positive, not EUR -1200.00"#
        );

        let empty = ClaimInput {
            goods_lines: vec![],
            ..input()
        };
        assert_eq!(
            message(empty),
            r#"invalid claim: field "goods_lines": has 0 entries; 1 to 1000 allowed"#
        );

        let too_many = ClaimInput {
            amount: money("EUR 10.01"),
            goods_lines: vec![line("EUR 0.01"); GOODS_LINES_MAX + 1],
            ..input()
        };
        assert_eq!(
            message(too_many),
            r#"invalid claim: field "goods_lines": has 1001 entries; 1 to 1000 allowed"#
        );

        let mixed = ClaimInput {
            goods_lines: vec![line("EUR 600"), line("EUR 300"), line("USD 300")],
            ..input()
        };
        assert_eq!(
            message(mixed),
            r#"invalid claim: field "goods_lines[2].value": currency USD differs from claim currency EUR"#
        );

        let short = ClaimInput {
            goods_lines: vec![line("EUR 1000.00")],
            ..input()
        };
        assert_eq!(
            message(short),
            r#"invalid claim: field "goods_lines": values sum to EUR 1000.00, not the claim amount EUR 1200.00"#
        );

        let huge = Money::new(i64::MAX, Currency::EUR).unwrap();
        let overflow = ClaimInput {
            amount: huge,
            goods_lines: vec![line(&huge.to_string()), line("EUR 0.01")],
            ..input()
        };
        assert_eq!(
            message(overflow),
            r#"invalid claim: field "goods_lines": amount overflows the range of 64-bit minor units"#
        );
    }

    #[test]
    fn goods_lines_max_is_accepted() {
        let full = ClaimInput {
            amount: money("EUR 10.00"),
            goods_lines: vec![line("EUR 0.01"); GOODS_LINES_MAX],
            ..input()
        };
        assert!(Claim::new(full).is_ok());
    }

    #[test]
    fn serde_goes_through_validation() {
        let claim = Claim::new(input()).unwrap();
        let json = serde_json::to_string(&claim).unwrap();
        assert_eq!(serde_json::from_str::<Claim>(&json).unwrap(), claim);
        let tampered = json.replacen(r#""amount":"1200.00""#, r#""amount":"1300.00""#, 1);
        assert_ne!(tampered, json);
        let err = serde_json::from_str::<Claim>(&tampered)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(r#"invalid claim: field "goods_lines": values sum to EUR 1200.00, not the claim amount EUR 1300.00"#),
            "{err}"
        );
    }
}
