//! Scoring one listed name against a query, and the qualifiers (birth date, country,
//! identifiers) that move the score; everything that moved it is recorded in the explanation.
//!
//! Name score: query parts are paired one-to-one with listed parts (best pairs first). With
//! `s` the similarity of a pair and `w` the weights of its two parts,
//! `score = Σ s·(w_q + w_l) / (Σ (w_q + w_l) + Σ w_q(unpaired query parts) + ½ Σ w_l(unpaired listed parts))`.
//! A query part the listed name lacks counts fully against it; a listed part the query leaves
//! out (a middle name) counts half. Weights fall with how many listed names share a part, so
//! "Mohammad" alone matches nobody, and particles and legal forms weigh a quarter.

use serde::Serialize;

use crate::entity::{Entity, NameStrength, PartialDate, Schema};
use crate::index::{
    How, Index, IndexedName, PREFIX_LEN_MIN, PREFIX_MISSING_MIN, TokenMatch, fuzzy_similarity,
    kind_factor, similarity_of,
};
use crate::keys::{consonant_form, phonetic, written_without_vowels};
use crate::normalize::{Token, TokenKind};

/// Share of a listed part's weight that counts against a name when the query leaves it out.
pub const LISTED_MISSING_FACTOR: f64 = 0.65;
/// Factor on the name score when the names around a `bin` are swapped (see
/// [`kinship_swapped`]).
pub const KINSHIP_SWAP_FACTOR: f64 = 0.7;
/// Factor on the name score when the matched name is a weak alias.
pub const WEAK_ALIAS_FACTOR: f64 = 0.9;
/// Effects of the qualifiers on the score.
pub const BIRTH_DATE_SAME: f64 = 0.05;
pub const BIRTH_YEAR_SAME: f64 = 0.03;
pub const BIRTH_YEAR_DIFFERENT: f64 = -0.15;
pub const COUNTRY_SAME: f64 = 0.02;
pub const COUNTRY_DIFFERENT: f64 = -0.04;
/// Shortest joined phonetic key compared as a whole.
pub const JOINED_LEN_MIN: usize = 6;
/// Shortest joined phonetic key allowed to differ by an edit.
pub const JOINED_FUZZY_LEN_MIN: usize = 12;
/// Identifiers shorter than this are too likely to collide to be decisive.
pub const IDENTIFIER_LEN_MIN: usize = 5;

/// A query prepared for scoring: its parts, their vocabulary matches and weights.
#[derive(Debug)]
pub struct PreparedQuery {
    pub tokens: Vec<Token>,
    pub matches: Vec<Vec<TokenMatch>>,
    pub weights: Vec<f64>,
    /// Honorifics found in the query (shown, not matched).
    pub ignored: Vec<String>,
    /// Phonetic key of the query's parts written as one word.
    pub joined: String,
    /// When the whole name is written without vowels ([`vowelless_forms`]), each part's
    /// [`consonant_form`] (None: a part too short or not Latin); otherwise empty.
    pub consonant_forms: Vec<Option<String>>,
}

/// Fewest parts of two letters or more a name needs to be read as written without vowels.
pub const VOWELLESS_PARTS_MIN: usize = 2;
/// Similarity of a part written without vowels to a listed part with that [`consonant_form`]:
/// below a skeleton match, since the vowels it drops are what tell many names apart.
pub const VOWELLESS_SIMILARITY: f64 = 0.82;

/// A part written without vowels, or an `abd` compound the reading joined (`Abd Al-Krm` is read
/// `abdulkrm`) whose second half is.
fn typed_without_vowels(text: &str) -> bool {
    written_without_vowels(text)
        || text
            .strip_prefix("abdul")
            .is_some_and(|rest| rest.len() == 1 || written_without_vowels(rest))
}

/// `Abdl Rhmn` read as the one part `abdlrhmn` (`Abdulrahman`), as a name with vowels is read
/// (`Abdul Rahman` → `abdulrahman`): `abdl` and the part after it, both without vowels.
pub fn join_vowelless_abd(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for token in tokens {
        if let Some(prev) = out.last_mut()
            && prev.text == "abdl"
            && prev.native.is_none()
            && token.native.is_none()
            && written_without_vowels(&token.text)
        {
            prev.text.push_str(&token.text);
            prev.kind = TokenKind::Name;
            continue;
        }
        out.push(token);
    }
    out
}

/// The [`consonant_form`] of each part when every Latin name part of two letters or more is
/// written without vowels (`RSHD AL-HSHM, Krm`): a name typed without vowels, not a name with a
/// short part. Particles may keep theirs; a name with a part in another script is not read so.
pub fn vowelless_forms(tokens: &[Token]) -> Vec<Option<String>> {
    let long = |t: &&Token| t.native.is_none() && t.text.len() >= 2;
    let names: Vec<&Token> = tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Name)
        .filter(long)
        .collect();
    // `AL-AL, Nsr`: particles written so count too, once a name part is.
    let particles = tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Particle)
        .filter(long)
        .filter(|t| typed_without_vowels(&t.text))
        .count();
    let all_vowelless = !names.is_empty()
        && names.len() + particles >= VOWELLESS_PARTS_MIN
        && tokens.iter().all(|t| t.native.is_none())
        && names.iter().all(|t| typed_without_vowels(&t.text));
    if !all_vowelless {
        return Vec::new();
    }
    tokens
        .iter()
        .map(|t| {
            (matches!(t.kind, TokenKind::Name | TokenKind::Particle)
                && t.native.is_none()
                && typed_without_vowels(&t.text))
            .then(|| consonant_form(&t.text))
        })
        .collect()
}

/// How one query part and one listed part were paired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// The query part (None: a listed part the query does not have).
    pub query: Option<String>,
    /// The listed part (None: a query part the listed name does not have).
    pub listed: Option<String>,
    /// How they matched (None when one side is missing).
    pub how: Option<How>,
    /// Edit distance of the phonetic keys, for fuzzy matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance: Option<u8>,
    pub similarity: f64,
    /// The part's weight in the score.
    pub weight: f64,
}

/// What a qualifier did to the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Qualifier {
    /// `birth_date`, `country` or `identifier`.
    pub field: &'static str,
    pub query: String,
    pub listed: String,
    /// Added to the score (negative: taken away).
    pub effect: f64,
    pub note: &'static str,
}

/// Why an entity scored what it scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The listed name that matched best, as listed.
    pub matched_name: String,
    /// `strong` or `weak` (a weak alias).
    pub name_strength: &'static str,
    pub name_score: f64,
    pub parts: Vec<Part>,
    /// Query words not matched because they are titles or honorifics.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<String>,
    pub qualifiers: Vec<Qualifier>,
}

/// The score of one listed name and how its parts paired.
#[derive(Debug, Clone)]
pub struct NameScore {
    pub score: f64,
    pub parts: Vec<Part>,
}

/// Scores one indexed name against the query.
/// With `explain` false only the score is computed (the parts stay empty): most candidates are
/// scored to be dropped, and building their explanations would cost more than scoring them.
pub fn score_name(
    index: &Index,
    query: &PreparedQuery,
    name: &IndexedName,
    explain: bool,
) -> NameScore {
    let paired = pair_tokens(index, query, name, explain);
    let joined = joined_score(index, query, name);
    match joined {
        Some(joined) if joined.score > paired.score => joined,
        _ => paired,
    }
}

fn pair_tokens(
    index: &Index,
    query: &PreparedQuery,
    name: &IndexedName,
    explain: bool,
) -> NameScore {
    let mut candidates: Vec<(f64, usize, usize, TokenMatch)> = Vec::new();
    for (qi, matches) in query.matches.iter().enumerate() {
        for (lj, (vocab, _)) in name.tokens.iter().enumerate() {
            if let Some(m) = matches.iter().find(|m| m.vocab == *vocab) {
                candidates.push((m.similarity, qi, lj, *m));
            }
        }
    }
    // A name written without vowels: a part pairs with a listed part that reads so without them.
    for (qi, form) in query.consonant_forms.iter().enumerate() {
        let Some(form) = form else {
            continue;
        };
        for (lj, &(vocab, kind)) in name.tokens.iter().enumerate() {
            let entry = &index.vocab[vocab as usize];
            if kind == TokenKind::Name
                && entry.native.is_none()
                && consonant_form(&entry.text) == *form
            {
                let m = TokenMatch {
                    vocab,
                    how: How::Skeleton,
                    similarity: VOWELLESS_SIMILARITY,
                    distance: 0,
                };
                candidates.push((VOWELLESS_SIMILARITY, qi, lj, m));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut query_used = vec![false; query.tokens.len()];
    let mut listed_used = vec![false; name.tokens.len()];
    // The listed part each query part was paired with.
    let mut paired: Vec<Option<usize>> = vec![None; query.tokens.len()];
    let (mut matched, mut denominator) = (0.0, 0.0);
    let mut parts = Vec::new();
    for (similarity, qi, lj, m) in candidates {
        if query_used[qi] || listed_used[lj] {
            continue;
        }
        query_used[qi] = true;
        listed_used[lj] = true;
        paired[qi] = Some(lj);
        let wl = listed_weight(index, name, lj);
        let w = query.weights[qi] + wl;
        matched += similarity * w;
        denominator += w;
        if !explain {
            continue;
        }
        parts.push(Part {
            query: Some(display(&query.tokens[qi])),
            listed: Some(listed_display(index, name, lj)),
            how: Some(m.how),
            distance: (m.how == How::Fuzzy).then_some(m.distance),
            similarity: round3(similarity),
            weight: round3(w / 2.0),
        });
    }
    // Parts no key matched: an initial against a name with its letter, a part cut short
    // against the whole part.
    for qi in 0..query.tokens.len() {
        let token = &query.tokens[qi];
        if query_used[qi] || token.kind != TokenKind::Name || token.native.is_some() {
            continue;
        }
        let found = (0..name.tokens.len())
            .filter(|&lj| !listed_used[lj] && name.tokens[lj].1 == TokenKind::Name)
            .find_map(|lj| {
                let listed = &index.vocab[name.tokens[lj].0 as usize].text;
                partial_match(&query.tokens[qi].text, listed).map(|how| (lj, how))
            });
        let Some((lj, how)) = found else {
            continue;
        };
        query_used[qi] = true;
        listed_used[lj] = true;
        paired[qi] = Some(lj);
        let similarity = similarity_of(how);
        let w = query.weights[qi] + listed_weight(index, name, lj);
        matched += similarity * w;
        denominator += w;
        if explain {
            parts.push(Part {
                query: Some(display(&query.tokens[qi])),
                listed: Some(listed_display(index, name, lj)),
                how: Some(how),
                distance: None,
                similarity: round3(similarity),
                weight: round3(w / 2.0),
            });
        }
    }
    let mut substituted = 0;
    let last_name = query.tokens.iter().rposition(|t| t.kind == TokenKind::Name);
    // A listed person with a given name of their own: a family name alone (`BANDO, Haji`, the
    // title set aside) says nothing of the given names it lacks.
    let person = index.entities[name.entity as usize].schema == Schema::Person
        && name
            .tokens
            .iter()
            .filter(|(_, kind)| *kind == TokenKind::Name)
            .count()
            >= 2;
    // Whether a listed name part is left unpaired, which a query part may stand in for.
    let listed_open = listed_used
        .iter()
        .zip(&name.tokens)
        .any(|(used, (_, kind))| !used && *kind == TokenKind::Name);
    for (qi, used) in query_used.iter().enumerate() {
        if !used {
            // With no listed name part left for it to stand in for, a patronymic the listed
            // name leaves out counts little (lists give or omit it at will), and a given name a
            // listed person's name does not have counts as a listed middle name left out; the
            // family name (last) still counts fully.
            let patronymic = is_patronymic(&query.tokens[qi].text);
            if (patronymic || person)
                && !listed_open
                && Some(qi) != last_name
                && query.tokens[qi].kind == TokenKind::Name
            {
                let factor = if patronymic {
                    PATRONYMIC_MISSING_FACTOR
                } else {
                    LISTED_MISSING_FACTOR
                };
                denominator += factor * query.weights[qi];
                if explain {
                    parts.push(missing(
                        Some(display(&query.tokens[qi])),
                        None,
                        query.weights[qi],
                    ));
                }
                continue;
            }
            denominator += query.weights[qi];
            substituted += usize::from(query.tokens[qi].kind == TokenKind::Name);
            if explain {
                parts.push(missing(
                    Some(display(&query.tokens[qi])),
                    None,
                    query.weights[qi],
                ));
            }
        }
    }
    // A listed part left out counts less than a query part the listed name lacks (a middle
    // name not given), unless a query part stands in its place: then one name part was
    // replaced by another (`… AL-RAWI` for `… AL-TIKRITI`), and the listed part counts fully.
    let mut unpaired: Vec<(f64, usize)> = listed_used
        .iter()
        .enumerate()
        .filter(|(_, used)| !**used)
        .map(|(lj, _)| (listed_weight(index, name, lj), lj))
        .collect();
    unpaired.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let listed_last = name
        .tokens
        .iter()
        .rposition(|(_, kind)| *kind == TokenKind::Name);
    for (wl, lj) in unpaired {
        let replaced = substituted > 0 && name.tokens[lj].1 == TokenKind::Name;
        substituted -= usize::from(replaced);
        let patronymic =
            Some(lj) != listed_last && is_patronymic(&index.vocab[name.tokens[lj].0 as usize].text);
        denominator += if replaced {
            wl
        } else if patronymic {
            PATRONYMIC_MISSING_FACTOR * wl
        } else {
            LISTED_MISSING_FACTOR * wl
        };
        if explain {
            parts.push(missing(None, Some(listed_display(index, name, lj)), wl));
        }
    }
    let mut score = if denominator > 0.0 {
        matched / denominator
    } else {
        0.0
    };
    if kinship_swapped(index, query, name, &paired) {
        score *= KINSHIP_SWAP_FACTOR;
    }
    NameScore { score, parts }
}

/// Share of a patronymic's weight that counts against a name when the other side leaves it out:
/// lists and documents give or omit it at will.
pub const PATRONYMIC_MISSING_FACTOR: f64 = 0.4;
/// Shortest patronymic read as one (`Ilyich` is a given name of its own).
pub const PATRONYMIC_LEN_MIN: usize = 7;

/// An East Slavic patronymic (`Yevgenyevich`, `Viktorovna`, `Ivanivna`, `Uladzimiravich`), in a
/// given-name position: the family name itself may end so (`Abramovich`).
fn is_patronymic(text: &str) -> bool {
    text.len() >= PATRONYMIC_LEN_MIN
        && ["vich", "vych", "vna", "ichna"]
            .iter()
            .any(|suffix| text.ends_with(suffix))
}

/// "Son/daughter of" in Arabic names.
fn is_kin(text: &str) -> bool {
    matches!(text, "bin" | "ibn" | "ben" | "bint")
}

/// Whether the names on either side of a `bin`/`ibn`/`ben`/`bint` ("son/daughter of") are
/// paired crosswise: `OMAR BIN ABDULLAH` is the son of `ABDULLAH BIN OMAR`, not the same man.
fn kinship_swapped(
    index: &Index,
    query: &PreparedQuery,
    name: &IndexedName,
    paired: &[Option<usize>],
) -> bool {
    let listed_kin: Vec<usize> = (1..name.tokens.len().saturating_sub(1))
        .filter(|&lj| is_kin(&index.vocab[name.tokens[lj].0 as usize].text))
        .collect();
    (1..query.tokens.len().saturating_sub(1))
        .filter(|&qi| is_kin(&query.tokens[qi].text))
        .any(|qi| {
            let (before, after) = (paired[qi - 1], paired[qi + 1]);
            listed_kin
                .iter()
                .any(|&lj| before == Some(lj + 1) && after == Some(lj - 1))
        })
}

/// An initial and a name it may stand for (either side), or a query part cut short of a listed
/// one: [`How::Initial`], [`How::Prefix`].
pub fn partial_match(query: &str, listed: &str) -> Option<How> {
    let (q, l) = (query.as_bytes(), listed.as_bytes());
    if q.is_empty() || l.is_empty() || !q[0].is_ascii_lowercase() || q[0] != l[0] {
        return None;
    }
    if (q.len() == 1) != (l.len() == 1) {
        return Some(How::Initial);
    }
    (q.len() >= PREFIX_LEN_MIN && l.len() >= q.len() + PREFIX_MISSING_MIN && l.starts_with(q))
        .then_some(How::Prefix)
}

/// The query's parts written as one word against the listed name's (in order, or family name
/// first), for names written without spaces on one side ("Kimjongun", 김정은).
fn joined_score(index: &Index, query: &PreparedQuery, name: &IndexedName) -> Option<NameScore> {
    let listed: Vec<&str> = name
        .tokens
        .iter()
        .filter(|(_, kind)| *kind == TokenKind::Name)
        .map(|(v, _)| &*index.vocab[*v as usize].text)
        .collect();
    let query_count = query
        .tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Name)
        .count();
    // Read as one word, `OMAR BIN ABDULLAH` and `ABDULLAH BIN OMAR` differ only in order.
    let kin_listed = name
        .tokens
        .iter()
        .any(|(v, _)| is_kin(&index.vocab[*v as usize].text));
    if kin_listed && query.tokens.iter().any(|t| is_kin(&t.text)) {
        return None;
    }
    if listed.is_empty()
        || query.joined.len() < JOINED_LEN_MIN
        || listed.len() == 1 && query_count == 1
    {
        return None;
    }
    // With as many parts on both sides, the parts were compared one by one already: the joined
    // form only adds a space moved across a boundary ("Arefullaha Ref"), i.e. an exact match.
    let same_count = listed.len() == query_count;
    let in_order = phonetic(&listed.concat());
    let mut rotated = listed.clone();
    rotated.rotate_right(1);
    let family_first = phonetic(&rotated.concat());
    let best = [in_order, family_first]
        .iter()
        .filter_map(|key| fuzzy_similarity(&query.joined, key).map(|(d, s)| (d, s, key.clone())))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let (distance, similarity, _) = best;
    // Short joined names differing by an edit are different names (Sunghun Kim, Jongun Kim).
    if distance > 0 && (same_count || query.joined.len() < JOINED_FUZZY_LEN_MIN) {
        return None;
    }
    let similarity = if distance == 0 {
        0.9
    } else {
        similarity - 0.08
    };
    let query_text: Vec<String> = query.tokens.iter().map(display).collect();
    Some(NameScore {
        score: similarity,
        parts: vec![Part {
            query: Some(query_text.join(" ")),
            listed: Some(listed.join(" ")),
            how: Some(How::Joined),
            distance: Some(distance),
            similarity: round3(similarity),
            weight: 1.0,
        }],
    })
}

fn missing(query: Option<String>, listed: Option<String>, weight: f64) -> Part {
    Part {
        query,
        listed,
        how: None,
        distance: None,
        similarity: 0.0,
        weight: round3(weight),
    }
}

fn listed_weight(index: &Index, name: &IndexedName, lj: usize) -> f64 {
    let (vocab, kind) = name.tokens[lj];
    f64::from(index.vocab[vocab as usize].weight * kind_factor(kind))
}

fn listed_display(index: &Index, name: &IndexedName, lj: usize) -> String {
    let entry = &index.vocab[name.tokens[lj].0 as usize];
    entry.native.as_deref().unwrap_or(&entry.text).to_string()
}

/// A query token as shown: in its own script when it has one.
pub fn display(token: &Token) -> String {
    token.native.clone().unwrap_or_else(|| token.text.clone())
}

/// Rounds for output: three decimals are what a reader compares.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// What the query says besides the name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryFacts {
    pub birth_date: Option<PartialDate>,
    /// ISO alpha-2, upper case.
    pub countries: Vec<String>,
    pub identifiers: Vec<String>,
}

/// Applies birth date, country and identifiers to a name score; returns the final score.
pub fn apply_qualifiers(
    name_score: f64,
    strength: NameStrength,
    entity: &Entity,
    facts: &QueryFacts,
    qualifiers: &mut Vec<Qualifier>,
) -> f64 {
    let mut score = name_score;
    if strength == NameStrength::Weak {
        score *= WEAK_ALIAS_FACTOR;
    }
    if let Some(q) = identifier_hit(entity, facts) {
        qualifiers.push(q);
        return 1.0;
    }
    if let Some(q) = birth_date_effect(entity, facts) {
        score += q.effect;
        qualifiers.push(q);
    }
    if let Some(q) = country_effect(entity, facts) {
        score += q.effect;
        qualifiers.push(q);
    }
    score.clamp(0.0, 1.0)
}

fn identifier_hit(entity: &Entity, facts: &QueryFacts) -> Option<Qualifier> {
    for query in &facts.identifiers {
        let q = canonical_identifier(query);
        if q.len() < IDENTIFIER_LEN_MIN {
            continue;
        }
        if let Some(listed) = entity
            .identifiers
            .iter()
            .find(|id| canonical_identifier(&id.value) == q)
        {
            return Some(Qualifier {
                field: "identifier",
                query: query.clone(),
                listed: format!("{} {}", listed.kind, listed.value),
                effect: 1.0,
                note: "same identifier: decisive",
            });
        }
    }
    None
}

fn canonical_identifier(value: &str) -> String {
    value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn birth_date_effect(entity: &Entity, facts: &QueryFacts) -> Option<Qualifier> {
    let query = facts.birth_date?;
    if entity.birth_dates.is_empty()
        || !matches!(entity.schema, Schema::Person | Schema::LegalEntity)
    {
        return None;
    }
    let listed = entity
        .birth_dates
        .iter()
        .map(format_date)
        .collect::<Vec<_>>()
        .join(", ");
    let full = |d: &PartialDate| d.month.is_some() && d.day.is_some();
    let (effect, note) = if entity
        .birth_dates
        .iter()
        .any(|d| full(d) && full(&query) && *d == query)
    {
        (BIRTH_DATE_SAME, "same birth date")
    } else if entity.birth_dates.iter().any(|d| d.year == query.year) {
        (BIRTH_YEAR_SAME, "same birth year")
    } else if entity
        .birth_dates
        .iter()
        .any(|d| d.year.abs_diff(query.year) <= 1)
    {
        (0.0, "birth year within one year")
    } else {
        (BIRTH_YEAR_DIFFERENT, "different birth year")
    };
    Some(Qualifier {
        field: "birth_date",
        query: format_date(&query),
        listed,
        effect,
        note,
    })
}

fn country_effect(entity: &Entity, facts: &QueryFacts) -> Option<Qualifier> {
    if facts.countries.is_empty() || entity.countries.is_empty() {
        return None;
    }
    let same = facts.countries.iter().any(|c| entity.countries.contains(c));
    let (effect, note) = if same {
        (COUNTRY_SAME, "same country")
    } else {
        (COUNTRY_DIFFERENT, "different country")
    };
    Some(Qualifier {
        field: "country",
        query: facts.countries.join(", "),
        listed: entity.countries.join(", "),
        effect,
        note,
    })
}

/// `1962`, `1962-08` or `1962-08-06`.
pub fn format_date(d: &PartialDate) -> String {
    match (d.month, d.day) {
        (Some(m), Some(day)) => format!("{:04}-{m:02}-{day:02}", d.year),
        (Some(m), None) => format!("{:04}-{m:02}", d.year),
        _ => format!("{:04}", d.year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_and_parts_cut_short() {
        assert_eq!(partial_match("r", "rashid"), Some(How::Initial));
        assert_eq!(partial_match("rashid", "r"), Some(How::Initial));
        assert_eq!(partial_match("k", "rashid"), None);
        assert_eq!(partial_match("r", "r"), None);
        assert_eq!(partial_match("abd", "abdelkader"), Some(How::Prefix));
        assert_eq!(partial_match("serg", "sergeyevich"), Some(How::Prefix));
        // One letter short is a typo, not a cut; two letters are too short to say anything.
        assert_eq!(partial_match("petro", "petrov"), None);
        assert_eq!(partial_match("ab", "abdelkader"), None);
        // Only the query side is read as cut short.
        assert_eq!(partial_match("abdelkader", "abd"), None);
    }

    #[test]
    fn only_names_typed_without_vowels_are_read_so() {
        let forms = |name: &str| vowelless_forms(&crate::normalize::tokenize(name).unwrap());
        assert_eq!(
            forms("RSHD AL-HSHM, Krm"),
            ["krm", "rshd", "al", "hshm"].map(|f| Some(f.to_string()))
        );
        assert!(!forms("YSN, Abd Al-Rhmn").is_empty());
        // One part with its vowels: a name with a short part, not a name typed without vowels.
        assert!(forms("Karim Hsn").is_empty());
        assert!(forms("Krm").is_empty());
        assert!(forms("AL-HASHIMI, Krm").is_empty());
    }
}
