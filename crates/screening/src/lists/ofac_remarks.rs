//! OFAC's legacy CSV keeps everything but the primary name, type and programmes in one free-text
//! Remarks field: "DOB 06 Aug 1962; POB Tehran, Iran; nationality Iran; Passport D9016657 (Iran);
//! a.k.a. 'MOIS'; Linked To: …". Parts are separated by "; ", an "alt. " prefix marks a second
//! value of the same kind.
//!
//! Aliases written in the remarks are OFAC's *weak* aliases (the strong ones are in alt.csv), so
//! they are kept as [`NameStrength::Weak`]. "Linked To:" names another entity, not this one, and
//! is ignored.

use crate::entity::NameStrength;

use super::common::{self, Draft};
use super::countries;

/// Identifier kinds as OFAC writes them (prefix of the part) and the kind kept. Vessel and
/// company IMO numbers are told apart because they are different registers.
const IDENTIFIERS: &[(&str, &str)] = &[
    ("Passport", "Passport"),
    ("Diplomatic Passport", "Passport"),
    ("Passport Booklet:", "Passport"),
    ("National ID No.", "National ID No."),
    ("National Foreign ID Number", "National ID No."),
    ("Personal ID Card", "National ID No."),
    ("Identification Number", "Identification Number"),
    ("Cedula No.", "Cedula No."),
    ("D.N.I.", "D.N.I."),
    ("C.U.R.P.", "C.U.R.P."),
    ("C.U.R.P. #", "C.U.R.P."),
    ("R.F.C.", "R.F.C."),
    ("R.F.C. #", "R.F.C."),
    ("RFC", "R.F.C."),
    ("SSN", "SSN"),
    ("Tax ID No.", "Tax ID No."),
    ("NIT #", "NIT #"),
    ("RUC #", "RUC #"),
    ("RIF #", "RIF #"),
    ("C.U.I.T.", "C.U.I.T."),
    ("C.U.I.", "C.U.I."),
    ("RTN", "RTN"),
    ("Numero de Identidad", "National ID No."),
    ("Turkish Identification Number", "National ID No."),
    ("Citizen's Card Number", "National ID No."),
    ("Kenyan ID No.", "National ID No."),
    ("Italian Fiscal Code", "Tax ID No."),
    ("Electoral Registry No.", "Electoral Registry No."),
    ("Credencial electoral", "Electoral Registry No."),
    ("I.F.E.", "Electoral Registry No."),
    ("Residency Number", "Residency Number"),
    ("Travel Document Number", "Travel Document Number"),
    ("Driver's License No.", "Driver's License No."),
    ("Birth Certificate Number", "Birth Certificate Number"),
    ("Registration Number", "Registration Number"),
    ("Registration ID", "Registration Number"),
    ("Business Registration Number", "Registration Number"),
    ("Business Registration Document #", "Registration Number"),
    ("Public Registration Number", "Registration Number"),
    ("Commercial Registry Number", "Registration Number"),
    ("Central Registration System Number", "Registration Number"),
    ("Company Number", "Registration Number"),
    ("UK Company Number", "Registration Number"),
    ("Business Number", "Registration Number"),
    ("Enterprise Number", "Registration Number"),
    ("Certificate of Incorporation Number", "Registration Number"),
    ("Chamber of Commerce Number", "Registration Number"),
    ("Trade License No.", "Registration Number"),
    ("Folio Mercantil No.", "Registration Number"),
    ("Matricula Mercantil No", "Registration Number"),
    ("C.R. No.", "Registration Number"),
    ("Government Gazette Number", "Government Gazette Number"),
    ("Legal Entity Number", "LEI"),
    ("Unified Social Credit Code (USCC)", "USCC"),
    ("United Social Credit Code Certificate (USCCC)", "USCC"),
    ("V.A.T. Number", "V.A.T. Number"),
    ("D-U-N-S Number", "D-U-N-S Number"),
    ("US FEIN", "US FEIN"),
    ("SWIFT/BIC", "SWIFT/BIC"),
    (
        "Economic Register Number (CBLS)",
        "Economic Register Number (CBLS)",
    ),
    ("Vessel Registration Identification IMO", "IMO"),
    ("Identification Number IMO", "IMO Company Number"),
    ("Company Number IMO", "IMO Company Number"),
    ("MMSI", "MMSI"),
    (
        "Aircraft Manufacturer's Serial Number (MSN)",
        "Aircraft MSN",
    ),
    ("Aircraft Tail Number", "Aircraft Tail Number"),
];

/// The kind kept for an identifier label written exactly as OFAC writes it ("Passport",
/// "Tax ID No.", as in the CSL `ids` column).
pub(crate) fn identifier_kind(label: &str) -> Option<&'static str> {
    let label = label.trim().trim_end_matches(':');
    IDENTIFIERS
        .iter()
        .find(|(prefix, _)| *prefix == label)
        .map(|(_, kind)| *kind)
}

/// Applies every part of a Remarks text to the entity.
pub(crate) fn apply(draft: &mut Draft, remarks: &str, individual: bool) -> Result<(), String> {
    let remarks = remarks.trim();
    for part in remarks.split("; ") {
        let part = part.trim();
        let part = part.strip_prefix("alt. ").unwrap_or(part);
        apply_part(draft, part, individual)?;
    }
    Ok(())
}

fn apply_part(draft: &mut Draft, part: &str, individual: bool) -> Result<(), String> {
    for alias_mark in ["a.k.a. ", "f.k.a. ", "n.k.a. "] {
        if let Some(alias) = part.strip_prefix(alias_mark) {
            return weak_alias(draft, alias, individual);
        }
    }
    if let Some(dates) = part.strip_prefix("DOB ") {
        birth_dates(draft, strip_final_dot(dates));
    } else if let Some(place) = part.strip_prefix("POB ") {
        draft.add_country_name(place_country(strip_final_dot(place)));
    } else if let Some(country) = part
        .strip_prefix("nationality ")
        .or_else(|| part.strip_prefix("citizen "))
    {
        draft.add_country_name(strip_final_dot(country));
    } else {
        identifier(draft, strip_final_dot(part));
    }
    Ok(())
}

/// The country at the end of a place: the shortest comma-separated tail that is a country
/// ("Kinshasa, Congo, Democratic Republic of the" → "Congo, Democratic Republic of the").
pub(crate) fn place_country(place: &str) -> &str {
    let tails = place.rmatch_indices(", ").map(|(at, _)| &place[at + 2..]);
    tails
        .chain(std::iter::once(place))
        .find(|tail| countries::to_iso2(tail).is_some())
        .unwrap_or("")
}

/// The last part of the Remarks ends the sentence with a dot.
fn strip_final_dot(text: &str) -> &str {
    text.strip_suffix('.').unwrap_or(text).trim()
}

/// `'ABU-'UMAR'.` → `ABU-'UMAR`: the name is between the first and the last quote.
fn weak_alias(draft: &mut Draft, quoted: &str, individual: bool) -> Result<(), String> {
    let quoted = strip_final_dot(quoted);
    let name = quoted.strip_prefix('\'').unwrap_or(quoted);
    let name = name.strip_suffix('\'').unwrap_or(name);
    let (given, family) = if individual {
        split_last_first(name)
    } else {
        (None, None)
    };
    draft.add_name(name, given, family, NameStrength::Weak, false)
}

/// OFAC writes persons as "LAST, First Middle": (given, family).
pub(crate) fn split_last_first(name: &str) -> (Option<&str>, Option<&str>) {
    match name.split_once(", ") {
        Some((family, given)) if !family.trim().is_empty() && !given.trim().is_empty() => {
            (Some(given), Some(family))
        }
        _ => (None, None),
    }
}

/// "06 Aug 1962", "circa 1955", "1955 to 1958", "01 Jan 1960 to 31 Dec 1962".
fn birth_dates(draft: &mut Draft, text: &str) {
    let text = text.strip_prefix("circa ").unwrap_or(text);
    match text.split_once(" to ") {
        Some((from, to)) => {
            if let (Some(from), Some(to)) =
                (common::day_month_year(from), common::day_month_year(to))
            {
                common::year_range(from, to)
                    .into_iter()
                    .for_each(|d| draft.add_birth_date(d));
            }
        }
        None => {
            if let Some(date) = common::day_month_year(text) {
                draft.add_birth_date(date);
            }
        }
    }
}

/// "Passport D9016657 (Iran) issued 01 Jan 2010 expires …" → kind, value, country.
fn identifier(draft: &mut Draft, part: &str) {
    // Every identifier but a BIC has a digit; most other parts ("Linked To: …", "Gender
    // Male") do not. A BIC may be all letters (SEPBIRTH): its label alone tells it.
    if !part.bytes().any(|b| b.is_ascii_digit()) && !part.starts_with("SWIFT/BIC ") {
        return;
    }
    let Some((prefix, kind)) = IDENTIFIERS
        .iter()
        .filter(|(prefix, _)| {
            part.strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with(' '))
        })
        .max_by_key(|(prefix, _)| prefix.len())
    else {
        return;
    };
    let rest = part[prefix.len()..].trim();
    let end = [" (", " issued ", " expires "]
        .iter()
        .filter_map(|stop| rest.find(stop))
        .min()
        .unwrap_or(rest.len());
    let value = rest[..end].trim();
    let country = parenthesised(&rest[end..]).find_map(countries::to_iso2);
    draft.add_identifier(kind, value, country);
}

/// The texts inside "(…)" groups, in order.
fn parenthesised(text: &str) -> impl Iterator<Item = &str> {
    text.split('(')
        .skip(1)
        .filter_map(|group| group.split_once(')').map(|(inside, _)| inside))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::{PartialDate, Schema};

    fn entity(remarks: &str) -> crate::entity::Entity {
        let mut draft = Draft::new("t", "1", Schema::Person);
        draft
            .add_name("X, Y", None, None, NameStrength::Strong, true)
            .unwrap();
        apply(&mut draft, remarks, true).unwrap();
        draft.finish().unwrap()
    }

    #[test]
    fn remarks_parts() {
        let e = entity(
            "DOB 06 Aug 1962; alt. DOB circa 1955; POB Tehran, Iran; nationality Iran; citizen Syria; \
             Passport D9016657 (Iran) expires 01 Oct 2026; National ID No. 123 (Iran); \
             Vessel Registration Identification IMO 9187629; a.k.a. 'ABU-'UMAR'; \
             Linked To: SOMEONE ELSE; a.k.a. 'MOIS'; POB Kinshasa, Congo, Democratic Republic of the.",
        );
        let years: Vec<u16> = e.birth_dates.iter().map(|d| d.year).collect();
        assert_eq!(years, vec![1962, 1955]);
        assert_eq!(e.countries, vec!["IR", "SY", "CD"]);
        assert_eq!(e.identifiers[0].kind, "Passport");
        assert_eq!(e.identifiers[0].value, "D9016657");
        assert_eq!(e.identifiers[0].country.as_deref(), Some("IR"));
        assert_eq!(e.identifiers[2].kind, "IMO");
        let aliases: Vec<&str> = e.names[1..].iter().map(|n| n.full.as_str()).collect();
        assert_eq!(aliases, vec!["ABU-'UMAR", "MOIS"]);
        assert!(
            e.names[1..]
                .iter()
                .all(|n| n.strength == NameStrength::Weak)
        );
    }

    #[test]
    fn a_bic_of_letters_only_is_kept() {
        let e = entity("SWIFT/BIC SEPBIRTH; alt. SWIFT/BIC SEPBGB2L; Website www.banksepah.ir.");
        let bics: Vec<&str> = e.identifiers.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(bics, ["SEPBIRTH", "SEPBGB2L"]);
        assert!(e.identifiers.iter().all(|i| i.kind == "SWIFT/BIC"));
    }

    #[test]
    fn date_ranges() {
        let e = entity("DOB 1955 to 1958");
        assert_eq!(e.birth_dates.len(), 4);
        let e = entity("DOB 01 Jan 1960 to 31 Dec 1962");
        assert_eq!(
            e.birth_dates,
            (1960..=1962)
                .map(|year| PartialDate {
                    year,
                    month: None,
                    day: None
                })
                .collect::<Vec<_>>()
        );
    }
}
