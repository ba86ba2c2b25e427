//! Test helpers shared by the writers' unit tests: parsing written XML back, field errors.

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

use crate::{Account, FieldProblem, Iso20022Error};

/// One element of a parsed document: its path from the root, its attributes and its text
/// (entities resolved).
#[derive(Debug)]
pub(crate) struct Element {
    pub(crate) path: String,
    pub(crate) attributes: Vec<(String, String)>,
    pub(crate) text: String,
}

/// Parses XML back with quick-xml's reader, in document order.
pub(crate) fn parse(xml: &str) -> Vec<Element> {
    let mut reader = Reader::from_str(xml);
    let mut elements: Vec<Element> = Vec::new();
    let mut stack: Vec<(String, usize)> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(start) | Event::Empty(start) => {
                let name = start.name().as_ref().to_owned();
                let path = match stack.last() {
                    Some((parent, _)) => format!("{parent}/{name}"),
                    None => name,
                };
                let attributes = start
                    .attributes()
                    .map(|a| {
                        let a = a.expect("attribute");
                        let value = a.normalized_value(XmlVersion::Explicit1_0).expect("value");
                        (a.key.as_ref().to_owned(), value.into_owned())
                    })
                    .collect();
                stack.push((path.clone(), elements.len()));
                elements.push(Element {
                    path,
                    attributes,
                    text: String::new(),
                });
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(text) => {
                if let Some((_, index)) = stack.last() {
                    elements[*index].text.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let name = reference.xml10_content();
                let resolved = match reference.resolve_char_ref().expect("char ref") {
                    Some(c) => c.to_string(),
                    None => resolve_predefined_entity(&name)
                        .expect("predefined entity")
                        .to_owned(),
                };
                if let Some((_, index)) = stack.last() {
                    elements[*index].text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed elements");
    // Only leaves keep their text; the rest is indentation.
    for e in &mut elements {
        if e.text.trim().is_empty() {
            e.text.clear();
        }
    }
    elements
}

/// The texts of the elements at `path`, in document order.
pub(crate) fn texts(elements: &[Element], path: &str) -> Vec<String> {
    elements
        .iter()
        .filter(|e| e.path == path)
        .map(|e| e.text.clone())
        .collect()
}

pub(crate) fn text(elements: &[Element], path: &str) -> String {
    let all = texts(elements, path);
    assert_eq!(all.len(), 1, "{path}: {all:?}");
    all.into_iter().next().unwrap_or_default()
}

pub(crate) fn attribute(elements: &[Element], path: &str, name: &str) -> Vec<String> {
    elements
        .iter()
        .filter(|e| e.path == path)
        .map(|e| {
            let found = e.attributes.iter().find(|(key, _)| key == name);
            found.map(|(_, value)| value.clone()).unwrap_or_default()
        })
        .collect()
}

pub(crate) fn ns(seconds: u64) -> u64 {
    seconds * model::calendar::SECOND_NS
}

/// 2026-11-24T00:00:00Z.
pub(crate) const NOV_24_2026_S: u64 = 1_795_478_400;

/// The house's zone account at its bank.
pub(crate) const HOUSE: Account<'static> = Account {
    name: "INSTEX Zone EU House",
    iban: "DE89370400440532013000",
    bic: "HOUSDEFFXXX",
};

/// The field and problem of a field error; panics on any other error.
pub(crate) fn field_of(error: Iso20022Error) -> (String, FieldProblem) {
    match error {
        Iso20022Error::Field { field, problem } => (field, problem),
        other => panic!("expected a field error, got {other:?}"),
    }
}

/// The paths of the elements under `prefix` (the prefix itself as `""`), in document order.
pub(crate) fn paths_under<'e>(elements: &'e [Element], prefix: &str) -> Vec<&'e str> {
    elements
        .iter()
        .filter(|e| e.path.starts_with(prefix))
        .map(|e| &e.path[prefix.len()..])
        .collect()
}
