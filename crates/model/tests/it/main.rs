//! Integration tests of the `model` crate: properties over the public API.

use model::{ClaimId, Currency, Date, HsCode, Lei, Money, MoneyError, Quantity, Rounding};
use proptest::prelude::*;

/// Currencies covering every minor-unit exponent in use: 0, 2, 3 and 4.
fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec![
        Currency::JPY,
        Currency::KRW,
        Currency::EUR,
        Currency::IRR,
        Currency::USD,
        Currency::BHD,
        Currency::KWD,
        Currency::CLF,
    ])
}

/// Amounts biased toward the edges of the range, where the bugs live.
fn amount_minor() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        -1000_i64..1000,
        (i64::MAX - 1000)..=i64::MAX,
        i64::MIN..(i64::MIN + 1000),
    ]
}

proptest! {
    #[test]
    fn money_display_parse_round_trip(amount in amount_minor(), currency in currency()) {
        let money = Money::new(amount, currency).unwrap();
        let amount_text = money.display_amount().to_string();
        prop_assert_eq!(Money::parse_in(&amount_text, currency), Ok(money));
        prop_assert_eq!(Money::parse(&amount_text, currency.code()), Ok(money));
        prop_assert_eq!(money.to_string().parse::<Money>(), Ok(money));
        // Exactly `exponent` decimals.
        let decimals = amount_text.split_once('.').map_or(0, |(_, fraction)| fraction.len());
        prop_assert_eq!(decimals, usize::from(money.exponent()));
    }

    #[test]
    fn money_serde_round_trip(amount in amount_minor(), currency in currency()) {
        let money = Money::new(amount, currency).unwrap();
        let json = serde_json::to_string(&money).unwrap();
        prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), money);
    }

    #[test]
    fn money_decimal_round_trip(amount in amount_minor(), currency in currency()) {
        let money = Money::new(amount, currency).unwrap();
        for rounding in [Rounding::HalfEven, Rounding::HalfUp, Rounding::Down] {
            prop_assert_eq!(Money::from_decimal(money.to_decimal(), currency, rounding), Ok(money));
        }
    }

    #[test]
    fn checked_arithmetic_agrees_with_i128(
        a in amount_minor(),
        b in amount_minor(),
        factor in prop_oneof![any::<i64>(), -10_i64..10],
        currency in currency(),
    ) {
        let (x, y) = (Money::new(a, currency).unwrap(), Money::new(b, currency).unwrap());
        let expect = |wide: i128| {
            i64::try_from(wide)
                .map(|minor| Money::new(minor, currency).unwrap())
                .map_err(|_| MoneyError::Overflow)
        };
        prop_assert_eq!(x.checked_add(y), expect(i128::from(a) + i128::from(b)));
        prop_assert_eq!(x.checked_sub(y), expect(i128::from(a) - i128::from(b)));
        prop_assert_eq!(x.checked_neg(), expect(-i128::from(a)));
        prop_assert_eq!(x.checked_mul_int(factor), expect(i128::from(a) * i128::from(factor)));
        prop_assert_eq!(
            Money::checked_sum(currency, [x, y, x]),
            expect(2 * i128::from(a) + i128::from(b))
        );
    }

    #[test]
    fn mixing_currencies_is_an_error(a in amount_minor(), b in amount_minor()) {
        let eur = Money::new(a, Currency::EUR).unwrap();
        let jpy = Money::new(b, Currency::JPY).unwrap();
        let mismatch = Err(MoneyError::CurrencyMismatch { left: Currency::EUR, right: Currency::JPY });
        prop_assert_eq!(eur.checked_add(jpy), mismatch.clone());
        prop_assert_eq!(eur.checked_sub(jpy), mismatch);
    }

    /// No parser panics on any input, and whatever parses prints back to something that
    /// parses to the same value.
    #[test]
    fn parsers_are_total(input in any::<String>(), near in "[-0-9. ,eE+A-Z]{0,24}") {
        for text in [input.as_str(), near.as_str()] {
            if let Ok(money) = Money::parse_in(text, Currency::EUR) {
                prop_assert_eq!(money.to_string().parse::<Money>(), Ok(money));
            }
            if let Ok(money) = text.parse::<Money>() {
                prop_assert_eq!(money.to_string().parse::<Money>(), Ok(money));
            }
            if let Ok(quantity) = text.parse::<Quantity>() {
                prop_assert_eq!(quantity.to_string().parse::<Quantity>(), Ok(quantity));
            }
            if let Ok(date) = text.parse::<Date>() {
                prop_assert_eq!(date.to_string().parse::<Date>(), Ok(date));
            }
            if let Ok(code) = text.parse::<HsCode>() {
                prop_assert_eq!(code.to_string().parse::<HsCode>(), Ok(code));
            }
            if let Ok(id) = text.parse::<ClaimId>() {
                prop_assert_eq!(id.as_str(), text);
            }
            if let Ok(lei) = text.parse::<Lei>() {
                prop_assert_eq!(lei.as_str(), text);
            }
        }
    }

    #[test]
    fn dates_round_trip(year in 1_u16..=9999, month in 1_u8..=12, day in 1_u8..=31) {
        if let Ok(date) = Date::new(year, month, day) {
            prop_assert_eq!(date.to_string().parse::<Date>(), Ok(date));
        } else {
            prop_assert!(day > 28);
        }
    }
}
