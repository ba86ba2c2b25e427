//! Cross-script person-name groups: spellings of one given or family name in many scripts and
//! transliterations ("asadollah, асадолла, اسدالله"), from rigour/Wikidata (see
//! `data/names/SOURCES.md`). Two tokens whose spellings share a group are the same name part.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::normalize::{TokenKind, canonical_spelling, tokenize};

/// The bundled groups file.
pub const BUNDLED: &str = include_str!("../data/names/rigour_person_names.txt");

/// Most groups one spelling may belong to; a spelling in more is too ambiguous to bridge anything.
const GROUPS_PER_SPELLING_MAX: usize = 32;

/// Spelling → the groups it belongs to.
#[derive(Debug, Default)]
pub struct NameGroups {
    by_spelling: HashMap<Box<str>, Vec<u32>>,
    count: u32,
}

impl NameGroups {
    /// Parses "form, form, … => Qid" lines; lines without "=>" are skipped (the file is bundled),
    /// multi-word spellings are left out (tokens are matched one by one).
    pub fn parse(text: &str) -> NameGroups {
        let lines: Vec<&str> = text.lines().filter(|l| l.contains("=>")).collect();
        // Normalising 680,000 spellings is the slow part: spread it over the cores, then file
        // the keys in one pass.
        let keyed: Vec<Vec<String>> = lines
            .par_iter()
            .map(|line| {
                let forms = line.rsplit_once("=>").map_or("", |(forms, _)| forms);
                let mut keys: Vec<String> = forms
                    .split(',')
                    .filter_map(|f| spelling_key(f.trim()))
                    .collect();
                keys.sort_unstable();
                keys.dedup();
                keys
            })
            .collect();
        let mut groups = NameGroups {
            by_spelling: HashMap::with_capacity(keyed.len() * 4),
            count: 0,
        };
        for (group, keys) in keyed.into_iter().enumerate() {
            let group = group as u32;
            for key in keys {
                let entry = groups.by_spelling.entry(key.into_boxed_str()).or_default();
                if entry.len() <= GROUPS_PER_SPELLING_MAX {
                    entry.push(group);
                }
            }
        }
        groups.count = lines.len() as u32;
        groups
            .by_spelling
            .retain(|_, g| g.len() <= GROUPS_PER_SPELLING_MAX);
        groups
    }

    /// The groups of a token key (its Latin text, or its native spelling).
    pub fn of(&self, key: &str) -> &[u32] {
        self.by_spelling.get(key).map_or(&[], Vec::as_slice)
    }

    /// How many groups were read.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// Whether no group was read.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// The key a spelling is filed under: the same key a one-token name normalises to.
fn spelling_key(form: &str) -> Option<String> {
    if form.is_empty() {
        return None;
    }
    if form.bytes().all(|b| b.is_ascii_lowercase()) {
        let mut text = form.to_string();
        canonical_spelling(&mut text);
        return Some(text);
    }
    let mut tokens = tokenize(form).ok()?;
    if tokens.len() != 1 || tokens[0].kind == TokenKind::Honorific {
        return None;
    }
    let token = tokens.remove(0);
    Some(token.native.unwrap_or(token.text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bridges_scripts() {
        let groups =
            NameGroups::parse("asadollah, асадолла, اسدالله => Q1\nmohammad ali, x => Q2\n");
        assert_eq!(groups.of("asadollah"), &[0]);
        assert_eq!(groups.of("اسدالله"), &[0]);
        assert_eq!(groups.of("асадолла"), &[0]);
        assert!(groups.of("mohammadali").is_empty());
    }
}
