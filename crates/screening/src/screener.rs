//! Screening queries against an [`Index`]: candidates by shared tokens, full scoring of the best,
//! qualifiers, threshold, ranking.

use std::cell::RefCell;
use std::sync::Arc;

use serde::Serialize;

use crate::entity::{Entity, Name, NameStrength, PartialDate, Schema};
use crate::groups::NameGroups;
use crate::index::{CANDIDATES_MAX, Index, POSTINGS_SCAN_MAX, Weights, kind_factor};
use crate::keys::phonetic;
use crate::normalize::{NameError, Token, TokenKind, classify, tokenize};
use crate::score::{
    Explanation, PreparedQuery, QueryFacts, VOWELLESS_SIMILARITY, apply_qualifiers, display,
    join_vowelless_abd, round3, score_name, vowelless_forms,
};

/// The score at or above which a match is reported, chosen on the evaluation sets (see the
/// README's screening section: recall on the UN positives against false hits on 50,000 negatives).
pub const DEFAULT_THRESHOLD: f64 = 0.80;
/// Weight of a query part that matches no listed part closely.
const UNLISTED_PART_WEIGHT: f32 = 1.0;
/// The most the qualifiers can add (same birth date and same country).
const QUALIFIER_GAIN_MAX: f64 = crate::score::BIRTH_DATE_SAME + crate::score::COUNTRY_SAME;
/// Particles written joined to the next part or apart from it (Arabic `al`/`el`/`bin`/`abu`,
/// Irish `o`).
const JOINABLE_PARTICLES: &[&str] = &["al", "el", "bin", "ibn", "ben", "abu", "o"];
/// Shortest rest of a part, once a particle is split off, that is read as a part of its own.
const PARTICLE_REST_LEN_MIN: usize = 3;
/// Most other readings of one query (see [`Screener::variants`]).
const VARIANTS_MAX: usize = 3;
/// Default number of matches returned per query.
pub const DEFAULT_LIMIT: usize = 10;
/// Most matches returned per query.
pub const LIMIT_MAX: usize = 1_000;
/// Bits of a [`Scratch`] stamp that hold the query part; the rest hold the generation.
const PART_BITS: u32 = 5;
/// The query part's bits of a stamp.
const PART_MASK: u32 = (1 << PART_BITS) - 1;
/// The last generation a stamp can hold; the next screening clears the stamps and starts again.
const GENERATION_MAX: u32 = u32::MAX >> PART_BITS;

/// One name to screen, with what else is known about its bearer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub name: String,
    /// `None`: any schema.
    pub schema: Option<Schema>,
    pub facts: QueryFacts,
}

impl Query {
    /// A query with a name only.
    pub fn name(name: impl Into<String>) -> Query {
        Query {
            name: name.into(),
            schema: None,
            facts: QueryFacts::default(),
        }
    }
}

/// One listed entity that matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub entity_id: String,
    pub caption: String,
    pub schema: &'static str,
    /// The list it is on (`us_ofac_sdn`, `un_sc`, `eu_fsf`, …).
    pub list: String,
    pub score: f64,
    pub explanation: Explanation,
    /// The entity's position in [`Screener::entities`] of the screener that found it (see
    /// [`Screener::entity_of`]); not part of the output.
    #[serde(skip)]
    pub(crate) entity: u32,
}

thread_local! {
    /// The scratch space [`with_scratch`] lends, one per thread.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's [`Scratch`], kept between calls: a thread that screens name after
/// name (a server's blocking threads, the house's submissions) sizes its arrays once, where a
/// fresh scratch space costs more than a screening. It is working memory, not state: no answer
/// depends on what an earlier screening left in it. A call from inside `f` on the same thread
/// gets a fresh one.
pub fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut Scratch::default()),
    })
}

/// Per-thread scratch space, so that a query allocates little. It holds no answer: each
/// screening starts a new generation in it, so a screening gives the same matches with a fresh
/// one as with one used before (see [`with_scratch`] for one kept per thread).
#[derive(Debug, Default)]
pub struct Scratch {
    accumulated: Vec<f32>,
    stamp: Vec<u32>,
    touched: Vec<u32>,
    generation: u32,
}

impl Scratch {
    /// Adds `gain` to each name of `postings`, once per query part (`stamp`: the generation and
    /// the part), starting a name afresh the first time this generation touches it.
    #[inline]
    fn accumulate(&mut self, postings: &[u32], stamp: u32, gain: f32) {
        for &name in postings {
            let n = name as usize;
            if self.stamp[n] >> PART_BITS != self.generation {
                self.accumulated[n] = 0.0;
                self.touched.push(name);
            } else if self.stamp[n] == stamp {
                continue;
            }
            self.stamp[n] = stamp;
            self.accumulated[n] += gain;
        }
    }
}

/// Lists indexed for screening.
#[derive(Debug)]
pub struct Screener {
    index: Index,
}

impl Screener {
    /// Indexes entities with the given name groups and token weights.
    pub fn new(entities: Vec<Entity>, groups: Arc<NameGroups>, weights: &Weights) -> Screener {
        Screener {
            index: Index::build(entities, groups, weights),
        }
    }

    /// Indexes entities, weighting tokens by their frequency in these same entities.
    pub fn with_own_weights(entities: Vec<Entity>, groups: Arc<NameGroups>) -> Screener {
        let mut index = Index::build(entities, groups, &Weights::uniform());
        let weights = index.own_weights();
        index.reweight(&weights);
        Screener { index }
    }

    /// The index behind this screener.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The listed entities.
    pub fn entities(&self) -> &[Entity] {
        &self.index.entities
    }

    /// The listed entity a match of this screener found, without a search by id.
    pub fn entity_of(&self, found: &Match) -> &Entity {
        &self.index.entities[found.entity as usize]
    }

    /// Screens one query: matches at or above `threshold`, best first, at most `limit`.
    pub fn screen(
        &self,
        query: &Query,
        threshold: f64,
        limit: usize,
        scratch: &mut Scratch,
    ) -> Result<Vec<Match>, NameError> {
        let prepared = self.prepare(&query.name)?;
        let variants = self.variants(&prepared);
        let readings: Vec<&PreparedQuery> = std::iter::once(&prepared).chain(&variants).collect();
        let mut candidates = self.candidates(&prepared, query.schema, scratch);
        for variant in &variants {
            for name in self.candidates(variant, query.schema, scratch) {
                if !candidates.contains(&name) {
                    candidates.push(name);
                }
            }
        }
        // Best name per entity, by score alone, and the reading of the query that gave it.
        let mut best: Vec<(u32, u32, f64, usize)> = Vec::new();
        for name_id in candidates {
            let name = &self.index.names[name_id as usize];
            let (reading, score) = readings
                .iter()
                .enumerate()
                .map(|(r, q)| (r, score_name(&self.index, q, name, false).score))
                .fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
            match best.iter_mut().find(|(e, _, _, _)| *e == name.entity) {
                Some(existing) if score > existing.2 => {
                    *existing = (name.entity, name_id, score, reading);
                }
                Some(_) => {}
                None => best.push((name.entity, name_id, score, reading)),
            }
        }
        // Only entities that could reach the threshold are explained and qualified.
        let reachable = threshold - QUALIFIER_GAIN_MAX;
        let decisive = !query.facts.identifiers.is_empty();
        let best: Vec<(u32, f64, Explanation)> = best
            .into_iter()
            .filter(|(_, _, score, _)| decisive || *score >= reachable)
            .map(|(entity, name_id, _, reading)| {
                let name = &self.index.names[name_id as usize];
                let scored = score_name(&self.index, readings[reading], name, true);
                (
                    entity,
                    scored.score,
                    self.explain(name, scored, readings[reading]),
                )
            })
            .collect();
        let mut matches: Vec<Match> = best
            .into_iter()
            .filter_map(|(entity, name_score, mut explanation)| {
                let listed = &self.index.entities[entity as usize];
                let strength = strength_of(&explanation);
                let score = apply_qualifiers(
                    name_score,
                    strength,
                    listed,
                    &query.facts,
                    &mut explanation.qualifiers,
                );
                (score >= threshold).then(|| Match {
                    entity_id: listed.id.clone(),
                    caption: listed.caption.clone(),
                    schema: listed.schema.as_str(),
                    list: listed.source.clone(),
                    score: round3(score),
                    explanation,
                    entity,
                })
            })
            .collect();
        matches.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(
                    b.explanation
                        .name_score
                        .total_cmp(&a.explanation.name_score),
                )
                .then(a.entity_id.cmp(&b.entity_id))
        });
        matches.truncate(limit.min(LIMIT_MAX));
        Ok(matches)
    }

    fn explain(
        &self,
        name: &crate::index::IndexedName,
        scored: crate::score::NameScore,
        prepared: &PreparedQuery,
    ) -> Explanation {
        let listed: &Name = &self.index.entities[name.entity as usize].names[name.name as usize];
        Explanation {
            matched_name: listed.full.clone(),
            name_strength: match name.strength {
                NameStrength::Strong => "strong",
                NameStrength::Weak => "weak",
            },
            name_score: round3(scored.score),
            parts: scored.parts,
            ignored: prepared.ignored.clone(),
            qualifiers: Vec::new(),
        }
    }

    /// Normalises the query name and looks up every part in the vocabulary.
    pub fn prepare(&self, name: &str) -> Result<PreparedQuery, NameError> {
        let all = tokenize(name)?;
        let (ignored, tokens): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|t| t.kind == TokenKind::Honorific);
        if tokens.is_empty() {
            return Err(NameError::NoLetters);
        }
        let tokens = if vowelless_forms(&tokens).is_empty() {
            tokens
        } else {
            join_vowelless_abd(tokens)
        };
        Ok(self.prepare_tokens(tokens, ignored.iter().map(display).collect()))
    }

    fn prepare_tokens(&self, tokens: Vec<Token>, ignored: Vec<String>) -> PreparedQuery {
        let mut matches = Vec::with_capacity(tokens.len());
        let mut weights = Vec::with_capacity(tokens.len());
        for token in &tokens {
            let found = self.index.token_matches(token);
            // A part the lists do not have (nor anything close to it) is as rare as can be.
            let weight = found
                .iter()
                .find(|m| m.similarity >= 0.9)
                .map_or(UNLISTED_PART_WEIGHT, |m| {
                    self.index.vocab[m.vocab as usize].weight
                });
            weights.push(f64::from(weight * kind_factor(token.kind)));
            matches.push(found);
        }
        let joined = phonetic(
            &tokens
                .iter()
                .filter(|t| t.kind == TokenKind::Name)
                .map(|t| t.text.as_str())
                .collect::<String>(),
        );
        PreparedQuery {
            ignored,
            consonant_forms: vowelless_forms(&tokens),
            tokens,
            matches,
            weights,
            joined,
        }
    }

    /// Other readings of the query where a particle is written joined to the next part or apart
    /// from it (`ALHASHIMI` / `AL-HASHIMI`, `O NEILL` / `O'NEILL`, `BINLADIN` / `BIN LADIN`): a
    /// part the lists do not have that splits into a particle and a listed part, or a particle
    /// and the next part that joined are a listed part. At most [`VARIANTS_MAX`].
    fn variants(&self, query: &PreparedQuery) -> Vec<PreparedQuery> {
        let tokens = &query.tokens;
        let latin = |t: &Token| t.native.is_none() && !t.text.is_empty();
        let mut variants = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            if variants.len() >= VARIANTS_MAX {
                break;
            }
            if !latin(token) || self.index.has_token(&token.text) {
                continue;
            }
            if let Some((head, tail)) = self.split(&token.text) {
                let mut split_tokens = tokens.clone();
                split_tokens.splice(i..=i, [head, tail].map(plain_token));
                variants.push(self.prepare_tokens(split_tokens, query.ignored.clone()));
            }
        }
        for i in 0..tokens.len().saturating_sub(1) {
            if variants.len() >= VARIANTS_MAX {
                break;
            }
            let (a, b) = (&tokens[i], &tokens[i + 1]);
            if !(latin(a) && latin(b)) {
                continue;
            }
            let joined = format!("{}{}", a.text, b.text);
            if !self.index.has_token(&joined) {
                continue;
            }
            let mut joined_tokens = tokens.clone();
            joined_tokens.splice(i..=i + 1, [plain_token(&joined)]);
            variants.push(self.prepare_tokens(joined_tokens, query.ignored.clone()));
        }
        variants
    }

    /// A part the lists do not have read as two they do (`alhashimi` → `al` `hashimi`,
    /// `smtilogic` → `smt` `ilogic`): a particle or a listed part of at least
    /// [`PARTICLE_REST_LEN_MIN`] letters, then a listed part of as many. Particles first.
    fn split<'t>(&self, text: &'t str) -> Option<(&'t str, &'t str)> {
        let listed = |s: &str| s.len() >= PARTICLE_REST_LEN_MIN && self.index.has_token(s);
        JOINABLE_PARTICLES
            .iter()
            .find_map(|p| {
                text.strip_prefix(p)
                    .filter(|rest| listed(rest))
                    .map(|rest| (&text[..p.len()], rest))
            })
            .or_else(|| {
                (PARTICLE_REST_LEN_MIN..text.len().saturating_sub(PARTICLE_REST_LEN_MIN - 1))
                    .filter(|&at| text.is_char_boundary(at))
                    .map(|at| text.split_at(at))
                    .find(|(head, tail)| listed(head) && listed(tail))
            })
    }

    /// Names worth scoring: those sharing the most weight of matched parts with the query.
    fn candidates(
        &self,
        query: &PreparedQuery,
        schema: Option<Schema>,
        scratch: &mut Scratch,
    ) -> Vec<u32> {
        let names = self.index.names.len();
        if scratch.accumulated.len() != names {
            *scratch = Scratch {
                accumulated: vec![0.0; names],
                stamp: vec![0; names],
                touched: Vec::new(),
                generation: 0,
            };
        }
        if scratch.generation == GENERATION_MAX {
            // Every generation a stamp can hold was used: clear the stamps, or a stamp of long
            // ago would pass for this screening's.
            scratch.stamp.fill(0);
            scratch.generation = 0;
        }
        scratch.generation += 1;
        let rarest = self.rarest_token(query);
        for (qi, matches) in query.matches.iter().enumerate() {
            let stamp = (scratch.generation << PART_BITS) | (qi as u32 & PART_MASK);
            for m in matches {
                let postings = &self.index.vocab[m.vocab as usize].postings;
                if postings.len() > POSTINGS_SCAN_MAX && Some(qi) != rarest {
                    continue;
                }
                let gain = (m.similarity * query.weights[qi]) as f32;
                scratch.accumulate(postings, stamp, gain);
            }
        }
        // A name written without vowels: its parts find the listed parts with their consonant
        // form, weighed by how rare each listed part is (the query's own parts are not listed).
        for (qi, form) in query.consonant_forms.iter().enumerate() {
            let Some(form) = form else {
                continue;
            };
            let stamp = (scratch.generation << PART_BITS) | (qi as u32 & PART_MASK);
            for &vocab in self.index.consonant_matches(form) {
                let entry = &self.index.vocab[vocab as usize];
                if entry.postings.len() > POSTINGS_SCAN_MAX {
                    continue;
                }
                let gain = VOWELLESS_SIMILARITY as f32 * entry.weight;
                scratch.accumulate(&entry.postings, stamp, gain);
            }
        }
        let mut touched = std::mem::take(&mut scratch.touched);
        touched.retain(|&n| {
            let entity = self.index.names[n as usize].entity;
            Index::schema_in_scope(schema, self.index.entities[entity as usize].schema)
        });
        if touched.len() > CANDIDATES_MAX {
            let acc = &scratch.accumulated;
            touched.select_nth_unstable_by(CANDIDATES_MAX, |a, b| {
                acc[*b as usize].total_cmp(&acc[*a as usize]).then(a.cmp(b))
            });
            touched.truncate(CANDIDATES_MAX);
        }
        for &n in self.index.joined_names(&query.joined) {
            let entity = self.index.names[n as usize].entity;
            if !touched.contains(&n)
                && Index::schema_in_scope(schema, self.index.entities[entity as usize].schema)
            {
                touched.push(n);
            }
        }
        let result = touched.clone();
        touched.clear();
        scratch.touched = touched;
        result
    }

    /// The query part whose best match is listed in the fewest names: it finds candidates even
    /// when every part is common.
    fn rarest_token(&self, query: &PreparedQuery) -> Option<usize> {
        query
            .matches
            .iter()
            .enumerate()
            .filter_map(|(qi, matches)| {
                let first = matches.first()?;
                Some((qi, self.index.vocab[first.vocab as usize].postings.len()))
            })
            .min_by_key(|(_, len)| *len)
            .map(|(qi, _)| qi)
    }
}

fn plain_token(text: &str) -> Token {
    Token {
        text: text.to_owned(),
        native: None,
        kind: classify(text),
    }
}

fn strength_of(explanation: &Explanation) -> NameStrength {
    if explanation.name_strength == "weak" {
        NameStrength::Weak
    } else {
        NameStrength::Strong
    }
}

/// Compares two names directly (no lists): the score of `b` as a listed name against query `a`.
pub fn compare(
    a: &str,
    b: &str,
    schema: Option<Schema>,
    groups: Arc<NameGroups>,
) -> Result<(f64, Explanation), NameError> {
    tokenize(b)?;
    let entity = Entity {
        id: "compare:b".to_string(),
        schema: schema.unwrap_or(Schema::LegalEntity),
        caption: b.to_string(),
        names: vec![Name {
            full: b.to_string(),
            given: None,
            family: None,
            strength: NameStrength::Strong,
            primary: true,
        }],
        birth_dates: Vec::new(),
        countries: Vec::new(),
        identifiers: Vec::new(),
        programs: Vec::new(),
        source: "compare".to_string(),
    };
    let screener = Screener::new(vec![entity], groups, &Weights::uniform());
    let mut query = Query::name(a);
    query.schema = None;
    let mut scratch = Scratch::default();
    let found = screener.screen(&query, 0.0, 1, &mut scratch)?;
    Ok(match found.into_iter().next() {
        Some(m) => (m.score, m.explanation),
        None => (
            0.0,
            Explanation {
                matched_name: b.to_string(),
                name_strength: "strong",
                name_score: 0.0,
                parts: Vec::new(),
                ignored: Vec::new(),
                qualifiers: Vec::new(),
            },
        ),
    })
}

/// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; a day the month does not have (`1939-02-30`,
/// `1962-02-29`) is not a date.
pub fn parse_partial_date(text: &str) -> Option<PartialDate> {
    let mut parts = text.trim().splitn(3, '-');
    let year: u16 = parts.next()?.parse().ok()?;
    if !(1800..=2200).contains(&year) {
        return None;
    }
    let month = match parts.next() {
        Some(m) => Some(m.parse::<u8>().ok().filter(|m| (1..=12).contains(m))?),
        None => None,
    };
    let day = match (parts.next(), month) {
        (Some(d), Some(m)) => Some(
            d.parse::<u8>()
                .ok()
                .filter(|d| (1..=days_in_month(year, m)).contains(d))?,
        ),
        _ => None,
    };
    Some(PartialDate { year, month, day })
}

/// Days in a month of the Gregorian calendar.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scratch_space_used_for_ever_gives_the_answers_of_a_fresh_one() {
        let lists = crate::lists::bundled().expect("the bundled lists parse");
        let entities = lists.into_iter().flat_map(|l| l.entities).collect();
        let groups = Arc::new(NameGroups::parse(crate::groups::BUNDLED));
        let screener = Screener::with_own_weights(entities, groups);
        // Common parts: many names share several, and the candidates are ranked by what they
        // share.
        let query = Query::name("Mohammad Hassan Ali");
        let prepared = screener.prepare(&query.name).expect("a name");
        let sorted = |mut names: Vec<u32>| {
            names.sort_unstable();
            names
        };
        let fresh = || Scratch::default();
        let candidates = sorted(screener.candidates(&prepared, None, &mut fresh()));
        let matches = screener
            .screen(&query, 0.5, LIMIT_MAX, &mut fresh())
            .expect("screened");
        assert!(candidates.len() > 1 && !matches.is_empty());
        // Sized, then aged to the last generations a stamp holds, and past them.
        let mut old = fresh();
        screener.candidates(&prepared, None, &mut old);
        old.generation = GENERATION_MAX - 1;
        let ids = |m: &[Match]| -> Vec<String> {
            m.iter()
                .map(|m| format!("{} {}", m.entity_id, m.score))
                .collect()
        };
        for _ in 0..3 {
            let again = sorted(screener.candidates(&prepared, None, &mut old));
            assert_eq!(again, candidates, "generation {}", old.generation);
            let again = screener
                .screen(&query, 0.5, LIMIT_MAX, &mut old)
                .expect("screened");
            assert!(
                again == matches,
                "generation {}: {:?}, with a fresh scratch space {:?}",
                old.generation,
                ids(&again),
                ids(&matches)
            );
        }
    }

    #[test]
    fn dates_the_calendar_has() {
        let date = |y, m, d| {
            Some(PartialDate {
                year: y,
                month: Some(m),
                day: Some(d),
            })
        };
        assert_eq!(parse_partial_date("1962-08-06"), date(1962, 8, 6));
        assert_eq!(parse_partial_date("2000-02-29"), date(2000, 2, 29));
        assert_eq!(parse_partial_date("1939-02-30"), None);
        assert_eq!(parse_partial_date("1962-02-29"), None);
        assert_eq!(parse_partial_date("1900-02-29"), None);
        assert_eq!(parse_partial_date("1962-04-31"), None);
        assert_eq!(parse_partial_date("1962-13-01"), None);
        assert_eq!(
            parse_partial_date("1962"),
            Some(PartialDate {
                year: 1962,
                month: None,
                day: None
            })
        );
    }
}
