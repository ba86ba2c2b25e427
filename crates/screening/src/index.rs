//! The candidate index: every distinct listed token once (the vocabulary), with its keys, and the
//! names each token occurs in.
//!
//! A query token is compared with the vocabulary, not with entities: exact, transliterated,
//! name-group, phonetic, skeleton and fuzzy (edit distance on phonetic keys, found through a
//! one-deletion neighbourhood) matches are looked up by key, so the expensive comparisons run once
//! per distinct listed spelling. Names sharing matched tokens are then ranked by the weight of
//! what they share, and only the best are scored in full ([`crate::score`]).

use std::collections::HashMap;
use std::sync::Arc;

use crate::entity::{Entity, NameStrength, Schema};
use crate::groups::NameGroups;
use crate::keys::{consonant_form, phonetic, skeleton};
use crate::normalize::{Token, TokenKind, tokenize};
use crate::translit::{Script, token_script};

/// Tokens listed in more names than this are not used to find candidates (other tokens of the
/// query do that), only to score them: a query for "Mohammad X" must not walk every Mohammad.
pub const POSTINGS_SCAN_MAX: usize = 4_000;
/// Names scored in full per query.
pub const CANDIDATES_MAX: usize = 96;
/// Vocabulary matches kept per query token, best first.
pub const TOKEN_MATCHES_MAX: usize = 48;

/// Index of one token in the vocabulary.
pub type VocabId = u32;

/// How a query token came to match a listed token; the order is from strongest to weakest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// Same spelling after normalisation.
    Exact,
    /// Same spelling once transliterated from the other script.
    Transliteration,
    /// Spellings of one name in the cross-script name groups.
    NameGroup,
    /// Same phonetic key (q/gh, kh/h, ou/u, ei/ee/i, doubled letters, …).
    Phonetic,
    /// Same consonant skeleton (how an Arabic-script spelling meets a Latin one).
    Skeleton,
    /// Within a small edit distance of each other's phonetic keys.
    Fuzzy,
    /// The whole name written as one word on one side, in parts on the other.
    Joined,
    /// An initial on one side (`R.`), a name with that first letter on the other (`Rashid`).
    Initial,
    /// A part cut short on the query side (`Abd` for `Abdelkader`, `Serg` for `Sergeyevich`).
    Prefix,
}

/// Similarity given to each kind of match (fuzzy and joined matches compute their own).
pub fn similarity_of(how: How) -> f64 {
    match how {
        How::Exact => 1.0,
        How::Transliteration => 0.96,
        How::NameGroup => 0.94,
        How::Phonetic => 0.92,
        How::Skeleton => 0.84,
        How::Initial => INITIAL_SIMILARITY,
        How::Prefix => PREFIX_SIMILARITY,
        How::Fuzzy | How::Joined => 0.0,
    }
}

/// One distinct listed token.
#[derive(Debug)]
pub struct VocabEntry {
    pub text: Box<str>,
    pub native: Option<Box<str>>,
    pub phonetic: Box<str>,
    pub weight: f32,
    /// Names (indexes into [`Index::names`]) the token occurs in, ascending, without repeats.
    pub postings: Vec<u32>,
}

/// One listed name, tokenised.
#[derive(Debug)]
pub struct IndexedName {
    pub entity: u32,
    /// Index of the name within the entity's `names`.
    pub name: u32,
    pub tokens: Vec<(VocabId, TokenKind)>,
    pub strength: NameStrength,
}

/// Frequency-based token weights: a token listed in few names identifies more than a common one.
/// Kept apart from the index so that two list versions can be scored with the same weights
/// (delta rescreening then gives exactly what a full rescreen would).
#[derive(Debug, Clone, Default)]
pub struct Weights {
    df: HashMap<Box<str>, u32>,
    names: u32,
}

impl Weights {
    /// Counts in how many names each token occurs.
    pub fn from_entities(entities: &[Entity]) -> Weights {
        let mut weights = Weights::default();
        for entity in entities {
            for name in &entity.names {
                let Ok(tokens) = tokenize(&name.full) else {
                    continue;
                };
                weights.names += 1;
                let mut seen: Vec<&str> = Vec::with_capacity(tokens.len());
                for token in &tokens {
                    let key = token_key(token);
                    if !seen.contains(&key) {
                        seen.push(key);
                        *weights.df.entry(key.into()).or_default() += 1;
                    }
                }
            }
        }
        weights
    }

    /// Uniform weights (every token 1): for comparing two names with no list around them.
    pub fn uniform() -> Weights {
        Weights::default()
    }

    /// The weight of a token key, in (0, 1].
    pub fn weight(&self, key: &str) -> f32 {
        let df = self.df.get(key).copied().unwrap_or(0);
        if df == 0 || self.names < 100 {
            return 1.0;
        }
        let idf = ((self.names as f32 + 1.0) / (df as f32 + 1.0)).ln();
        let max = (self.names as f32 + 1.0).ln();
        (0.2 + 0.8 * idf / max).clamp(0.2, 1.0)
    }
}

/// The key a token is filed under: its own spelling when not in Latin script, else its text.
pub fn token_key(token: &Token) -> &str {
    token.native.as_deref().unwrap_or(&token.text)
}

/// Weight factor of particles and legal forms relative to name parts.
pub fn kind_factor(kind: TokenKind) -> f32 {
    match kind {
        TokenKind::Name => 1.0,
        TokenKind::Particle | TokenKind::LegalForm => 0.25,
        TokenKind::Honorific => 0.0,
    }
}

/// The searchable form of a set of lists.
#[derive(Debug)]
pub struct Index {
    pub entities: Vec<Entity>,
    pub names: Vec<IndexedName>,
    pub vocab: Vec<VocabEntry>,
    pub groups: Arc<NameGroups>,
    /// [`token_key`] → vocabulary id.
    by_key: HashMap<Box<str>, VocabId>,
    by_phonetic: HashMap<Box<str>, Vec<VocabId>>,
    by_skeleton: HashMap<Box<str>, Vec<VocabId>>,
    by_deletion: HashMap<Box<str>, Vec<VocabId>>,
    /// One-deletion neighbourhood of short parts as written (see [`Index::short_typo_matches`]).
    by_letters_deletion: HashMap<Box<str>, Vec<VocabId>>,
    by_group: HashMap<u32, Vec<VocabId>>,
    /// [`consonant_form`] of Latin name parts → vocabulary ids, for names written without vowels.
    by_consonant: HashMap<Box<str>, Vec<VocabId>>,
    /// Phonetic key of a whole multi-part name written as one word → names.
    by_joined: HashMap<Box<str>, Vec<u32>>,
    /// Latin vocabulary ids in the order of their text, to find the parts a cut-short part
    /// begins.
    by_text: Vec<VocabId>,
    /// Names that normalised, titles-only ones included (what [`Weights`] counts).
    names_read: u32,
}

impl Index {
    /// Indexes entities; names that do not normalise (empty, no letters) are left out.
    pub fn build(entities: Vec<Entity>, groups: Arc<NameGroups>, weights: &Weights) -> Index {
        let mut index = Index {
            entities: Vec::new(),
            names: Vec::new(),
            vocab: Vec::new(),
            groups,
            by_key: HashMap::new(),
            by_phonetic: HashMap::new(),
            by_skeleton: HashMap::new(),
            by_deletion: HashMap::new(),
            by_letters_deletion: HashMap::new(),
            by_group: HashMap::new(),
            by_consonant: HashMap::new(),
            by_joined: HashMap::new(),
            by_text: Vec::new(),
            names_read: 0,
        };
        for (e, entity) in entities.iter().enumerate() {
            for (n, name) in entity.names.iter().enumerate() {
                index.add_name(e as u32, n as u32, &name.full, name.strength, weights);
            }
        }
        index.entities = entities;
        index.build_keys();
        index
    }

    fn add_name(
        &mut self,
        entity: u32,
        name: u32,
        full: &str,
        strength: NameStrength,
        weights: &Weights,
    ) {
        let Ok(tokens) = tokenize(full) else {
            return;
        };
        self.names_read += 1;
        let name_id = self.names.len() as u32;
        let mut ids = Vec::with_capacity(tokens.len());
        for token in &tokens {
            if token.kind == TokenKind::Honorific {
                continue;
            }
            let id = self.intern(token, weights);
            let postings = &mut self.vocab[id as usize].postings;
            if postings.last() != Some(&name_id) {
                postings.push(name_id);
            }
            ids.push((id, token.kind));
        }
        if ids.is_empty() {
            return;
        }
        if (2..=4).contains(&ids.len()) {
            let joined: String = ids
                .iter()
                .map(|(id, _)| &*self.vocab[*id as usize].text)
                .collect();
            let key = phonetic(&joined);
            if key.len() >= 5 {
                self.by_joined.entry(key.into()).or_default().push(name_id);
            }
        }
        self.names.push(IndexedName {
            entity,
            name,
            tokens: ids,
            strength,
        });
    }

    fn intern(&mut self, token: &Token, weights: &Weights) -> VocabId {
        let key = token_key(token);
        if let Some(&id) = self.by_key.get(key) {
            return id;
        }
        let id = self.vocab.len() as VocabId;
        self.vocab.push(VocabEntry {
            text: token.text.as_str().into(),
            native: token.native.as_deref().map(Into::into),
            phonetic: phonetic(&token.text).into(),
            weight: weights.weight(key),
            postings: Vec::new(),
        });
        self.by_key.insert(key.into(), id);
        id
    }

    fn build_keys(&mut self) {
        let mut by_text: Vec<VocabId> = (0..self.vocab.len() as VocabId)
            .filter(|&id| {
                let entry = &self.vocab[id as usize];
                entry.native.is_none() && entry.text.len() > PREFIX_LEN_MIN
            })
            .collect();
        by_text.sort_unstable_by(|a, b| {
            self.vocab[*a as usize]
                .text
                .cmp(&self.vocab[*b as usize].text)
        });
        self.by_text = by_text;
        for (id, entry) in self.vocab.iter().enumerate() {
            let id = id as VocabId;
            if let Some(native) = &entry.native {
                for &g in self.groups.of(native) {
                    self.by_group.entry(g).or_default().push(id);
                }
            }
            if entry.text.is_empty() {
                continue;
            }
            for &g in self.groups.of(&entry.text) {
                self.by_group.entry(g).or_default().push(id);
            }
            let phon = &entry.phonetic;
            if phon.len() >= 2 {
                self.by_phonetic.entry(phon.clone()).or_default().push(id);
            }
            if entry.native.is_none() && entry.text.len() >= 2 {
                let form = consonant_form(&entry.text);
                let ids = self.by_consonant.entry(form.into()).or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            }
            let skel = skeleton(&entry.text);
            if skel.len() >= 2 {
                self.by_skeleton.entry(skel.into()).or_default().push(id);
            }
            if (SHORT_TYPO_LEN_MIN..=SHORT_TYPO_LEN_MAX + 1).contains(&entry.text.len()) {
                let text: &str = &entry.text;
                for variant in std::iter::once(text.to_owned()).chain(deletions(text)) {
                    let ids = self.by_letters_deletion.entry(variant.into()).or_default();
                    if ids.last() != Some(&id) {
                        ids.push(id);
                    }
                }
            }
            if phon.len() >= TRANSPOSITION_LEN_MIN {
                self.by_deletion.entry(phon.clone()).or_default().push(id);
                for variant in deletions(phon) {
                    self.by_deletion.entry(variant.into()).or_default().push(id);
                }
            }
        }
    }

    /// The weights of these entities' own tokens, read off the index: a token's postings are the
    /// names it occurs in, so this equals [`Weights::from_entities`] without tokenising every name
    /// a second time.
    pub fn own_weights(&self) -> Weights {
        let df = self
            .vocab
            .iter()
            .map(|entry| {
                let key = entry.native.as_deref().unwrap_or(&entry.text);
                (Box::from(key), entry.postings.len() as u32)
            })
            .collect();
        Weights {
            df,
            names: self.names_read,
        }
    }

    /// Gives every token its weight under `weights`.
    pub fn reweight(&mut self, weights: &Weights) {
        for entry in &mut self.vocab {
            let key = entry.native.as_deref().unwrap_or(&entry.text);
            entry.weight = weights.weight(key);
        }
    }

    /// Whether this spelling (a Latin text or a native-script token) is listed.
    pub fn has_token(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    /// How many distinct tokens are indexed.
    pub fn vocabulary_len(&self) -> usize {
        self.vocab.len()
    }

    /// The vocabulary matches of one query token, best first, at most [`TOKEN_MATCHES_MAX`].
    pub fn token_matches(&self, token: &Token) -> Vec<TokenMatch> {
        // A number is a number: `44` is not `45`, nor any name.
        if !token.text.is_empty() && token.text.bytes().all(|b| b.is_ascii_digit()) {
            return self
                .by_key
                .get(token_key(token))
                .map(|&vocab| TokenMatch {
                    vocab,
                    how: How::Exact,
                    similarity: 1.0,
                    distance: 0,
                })
                .into_iter()
                .collect();
        }
        let mut found: HashMap<VocabId, TokenMatch> = HashMap::new();
        // Whether any key matched closely (a Cell: the closure below holds `found`).
        let strong = std::cell::Cell::new(false);
        let mut offer = |vocab: VocabId, how: How, similarity: f64, distance: u8| {
            strong.set(strong.get() || similarity >= 0.9);
            let entry = found.entry(vocab).or_insert(TokenMatch {
                vocab,
                how,
                similarity,
                distance,
            });
            if similarity > entry.similarity {
                *entry = TokenMatch {
                    vocab,
                    how,
                    similarity,
                    distance,
                };
            }
        };
        self.exact_matches(token, &mut offer);
        self.key_matches(token, &mut offer);
        self.fuzzy_matches(token, &mut offer);
        // A part no listed spelling has may be one cut short, or mistyped where the keys are
        // too short to allow an edit; a part that is listed is a name of its own.
        if !token.text.is_empty() && !self.by_key.contains_key(token.text.as_str()) {
            if token.native.is_none() && !strong.get() {
                self.prefix_matches(token, &mut offer);
            }
            // A part the name groups know is a name of its own too (Erkan is not Serkan).
            if self.groups.of(&token.text).is_empty() {
                self.short_typo_matches(token, &mut offer);
            }
        }
        let mut matches: Vec<TokenMatch> = found.into_values().collect();
        // A Chinese character is read as its Mandarin syllable, one reading of several, and one
        // syllable stands for many characters: whatever a Han part matches counts no more than
        // a name-group match of it.
        if is_han_script(token) {
            for m in &mut matches {
                m.similarity = m.similarity.min(HAN_GROUP_SIMILARITY);
            }
        }
        matches.sort_by(|a, b| {
            b.similarity
                .total_cmp(&a.similarity)
                .then(a.vocab.cmp(&b.vocab))
        });
        matches.truncate(TOKEN_MATCHES_MAX);
        matches
    }

    fn exact_matches(&self, token: &Token, offer: &mut impl FnMut(VocabId, How, f64, u8)) {
        if let Some(&id) = self.by_key.get(token_key(token)) {
            offer(id, How::Exact, 1.0, 0);
        }
        if token.native.is_some()
            && let Some(&id) = self.by_key.get(token.text.as_str())
        {
            offer(
                id,
                How::Transliteration,
                similarity_of(How::Transliteration),
                0,
            );
        }
        let mut groups: Vec<u32> = self.groups.of(&token.text).to_vec();
        if let Some(native) = &token.native {
            groups.extend_from_slice(self.groups.of(native));
        }
        // Groups bridge scripts well; between two Latin spellings they are looser (Wikidata files
        // James and Jacob together), so such a match counts less.
        for g in groups {
            for &id in self.by_group.get(&g).into_iter().flatten() {
                let entry = &self.vocab[id as usize];
                let cross_script = token.native.is_some() != entry.native.is_some();
                let similarity =
                    if is_han(token) || entry.native.as_deref().is_some_and(is_han_text) {
                        HAN_GROUP_SIMILARITY
                    } else if cross_script {
                        similarity_of(How::NameGroup)
                    } else {
                        LATIN_GROUP_SIMILARITY
                    };
                offer(id, How::NameGroup, similarity, 0);
            }
        }
    }

    fn key_matches(&self, token: &Token, offer: &mut impl FnMut(VocabId, How, f64, u8)) {
        if token.text.is_empty() {
            return;
        }
        let phon = phonetic(&token.text);
        if phon.len() >= 2 {
            // A short key is shared by unrelated names (Kelly and Gali are both "kali").
            let similarity = if phon.len() <= SHORT_KEY_LEN {
                SHORT_PHONETIC_SIMILARITY
            } else {
                similarity_of(How::Phonetic)
            };
            for &id in self.by_phonetic.get(phon.as_str()).into_iter().flatten() {
                offer(id, How::Phonetic, similarity, 0);
            }
        }
        // Skeletons say most where one side has no written short vowels (Arabic script), and are
        // too loose between two Latin spellings unless the phonetic keys are close too.
        let skel = skeleton(&token.text);
        if skel.len() < 2 {
            return;
        }
        // When the name groups know the token, its readings are known and a bare skeleton match
        // (محمد: Mohammad, not Mahmud) says little.
        let known = !self.groups.of(token_key(token)).is_empty();
        for &id in self.by_skeleton.get(skel.as_str()).into_iter().flatten() {
            let entry = &self.vocab[id as usize];
            // A Latin part written without vowels needs three consonants to say anything
            // (`mmc`, a registration mark, is not `Moc`).
            if !(unvowelled(token.native.as_deref())
                || unvowelled(entry.native.as_deref())
                || vowelless(token) && skel.len() >= VOWELLESS_SKELETON_LEN_MIN)
            {
                continue;
            }
            let similarity = match (known, skel.len() >= 3) {
                (true, _) => KNOWN_SKELETON_SIMILARITY,
                (false, true) => similarity_of(How::Skeleton),
                (false, false) => similarity_of(How::Skeleton) - 0.06,
            };
            offer(id, How::Skeleton, similarity, 0);
        }
    }

    fn fuzzy_matches(&self, token: &Token, offer: &mut impl FnMut(VocabId, How, f64, u8)) {
        let phon = phonetic(&token.text);
        if phon.len() < TRANSPOSITION_LEN_MIN {
            return;
        }
        let mut seen: Vec<VocabId> = Vec::new();
        let mut variants = deletions(&phon);
        variants.push(phon.clone());
        for variant in &variants {
            for &id in self.by_deletion.get(variant.as_str()).into_iter().flatten() {
                if seen.contains(&id) {
                    continue;
                }
                seen.push(id);
                let other = &self.vocab[id as usize].phonetic;
                if let Some((distance, similarity)) = fuzzy_similarity(&phon, other) {
                    offer(id, How::Fuzzy, similarity, distance);
                }
            }
        }
    }

    /// Listed parts that begin with this one (`Abd` → `Abdelkader`), when few do.
    fn prefix_matches(&self, token: &Token, offer: &mut impl FnMut(VocabId, How, f64, u8)) {
        let prefix = token.text.as_str();
        if prefix.len() < PREFIX_LEN_MIN {
            return;
        }
        let start = self
            .by_text
            .partition_point(|&id| &*self.vocab[id as usize].text < prefix);
        let found: Vec<VocabId> = self.by_text[start..]
            .iter()
            .take_while(|&&id| self.vocab[id as usize].text.starts_with(prefix))
            .take(PREFIX_MATCHES_MAX + 1)
            .copied()
            .collect();
        if found.len() > PREFIX_MATCHES_MAX {
            return;
        }
        for id in found {
            if self.vocab[id as usize].text.len() >= prefix.len() + PREFIX_MISSING_MIN {
                offer(id, How::Prefix, PREFIX_SIMILARITY, 0);
            }
        }
    }

    /// One letter wrong, missing, added or swapped in a part of four to eight letters, which
    /// the phonetic keys miss (a short key allows no edit; a letter changed can change two
    /// sounds): compared on the letters as written.
    fn short_typo_matches(&self, token: &Token, offer: &mut impl FnMut(VocabId, How, f64, u8)) {
        let text = token.text.as_bytes();
        // Three letters may be four with one dropped (`Ivn`, `Olg`); the listed part has four.
        if !(SHORT_TYPO_LEN_MIN - 1..=SHORT_TYPO_LEN_MAX).contains(&text.len()) {
            return;
        }
        let mut variants = deletions(&token.text);
        variants.push(token.text.clone());
        for variant in &variants {
            for &id in self
                .by_letters_deletion
                .get(variant.as_str())
                .into_iter()
                .flatten()
            {
                let other = self.vocab[id as usize].text.as_bytes();
                if other.len() >= SHORT_TYPO_LEN_MIN
                    && other.len().abs_diff(text.len()) <= 1
                    && osa_distance(text, other) == 1
                {
                    let similarity = if text.len().min(other.len()) <= 6 {
                        SHORT_TYPO_SIMILARITY
                    } else {
                        LETTER_TYPO_SIMILARITY
                    };
                    offer(id, How::Fuzzy, similarity, 1);
                }
            }
        }
    }

    /// Latin parts that read as this [`consonant_form`] written without their vowels.
    pub fn consonant_matches(&self, form: &str) -> &[VocabId] {
        self.by_consonant.get(form).map_or(&[], Vec::as_slice)
    }

    /// Names whose joined phonetic key equals that of the query's tokens written as one word.
    pub fn joined_names(&self, joined_phonetic: &str) -> &[u32] {
        self.by_joined
            .get(joined_phonetic)
            .map_or(&[], Vec::as_slice)
    }

    /// Whether an entity of this schema is in scope for a query of that one.
    pub fn schema_in_scope(query: Option<Schema>, listed: Schema) -> bool {
        match query {
            None => true,
            Some(Schema::Person) => matches!(listed, Schema::Person | Schema::LegalEntity),
            Some(Schema::Organization) => {
                matches!(listed, Schema::Organization | Schema::LegalEntity)
            }
            // FollowTheMoney's LegalEntity is the parent of Person and Organization.
            Some(Schema::LegalEntity) => matches!(
                listed,
                Schema::Person | Schema::Organization | Schema::LegalEntity
            ),
            Some(q) => q == listed,
        }
    }
}

/// One vocabulary token a query token matched, and how.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenMatch {
    pub vocab: VocabId,
    pub how: How,
    pub similarity: f64,
    /// Edit distance, for fuzzy matches.
    pub distance: u8,
}

/// Similarity of an initial to a name with that first letter: the letter is all it says.
pub const INITIAL_SIMILARITY: f64 = 0.75;
/// Similarity of a part cut short to the whole part.
pub const PREFIX_SIMILARITY: f64 = 0.8;
/// Shortest query part read as a cut-short listed part.
pub const PREFIX_LEN_MIN: usize = 3;
/// Letters a cut-short part must lack, at least, to be read as one (one letter less is a typo).
pub const PREFIX_MISSING_MIN: usize = 2;
/// Most listed parts a cut-short part may begin: beyond, it says too little to look them up.
pub const PREFIX_MATCHES_MAX: usize = 24;
/// Lengths of a listed part, as written, within which one edit is read as a typo though its
/// phonetic key is too short for [`edits_allowed`] (the query part may be a letter shorter).
pub const SHORT_TYPO_LEN_MIN: usize = 4;
pub const SHORT_TYPO_LEN_MAX: usize = 8;
/// Similarity of such a part with one letter off (up to six letters; longer: [`LETTER_TYPO_SIMILARITY`]).
pub const SHORT_TYPO_SIMILARITY: f64 = 0.76;
pub const LETTER_TYPO_SIMILARITY: f64 = 0.82;
/// Shortest Latin part without vowels read as a consonant skeleton (`Krm` for `Karim`).
pub const VOWELLESS_LEN_MIN: usize = 3;
/// Shortest skeleton a part without vowels is matched by.
pub const VOWELLESS_SKELETON_LEN_MIN: usize = 3;

/// Shortest phonetic key in which a swap of two letters still counts as a typo.
pub const TRANSPOSITION_LEN_MIN: usize = 3;
pub const TRANSPOSITION_SIMILARITY: f64 = 0.8;
/// Phonetic keys this short match with [`SHORT_PHONETIC_SIMILARITY`] only.
pub const SHORT_KEY_LEN: usize = 4;
pub const SHORT_PHONETIC_SIMILARITY: f64 = 0.86;
/// Similarity of two Latin spellings in one cross-script name group.
pub const LATIN_GROUP_SIMILARITY: f64 = 0.80;
/// Similarity of a Chinese-character spelling to another in its group: one character is read
/// many ways and stands for many names.
pub const HAN_GROUP_SIMILARITY: f64 = 0.78;
/// Similarity of a skeleton match for a token the name groups know (its readings are known).
pub const KNOWN_SKELETON_SIMILARITY: f64 = 0.72;

/// Scripts that do not write short vowels: a consonant skeleton is all their spelling fixes.
fn unvowelled(native: Option<&str>) -> bool {
    native.is_some_and(|n| matches!(token_script(n), Script::Arabic | Script::Hebrew))
}

/// A Latin part written without vowels (`Rshd`, `Hshm`), as hurried data entry and unvowelled
/// romanisations of Arabic and Persian write names: only its consonant skeleton can be matched.
/// A first vowel is kept (`Amn` for `Amin`, `Olg` for `Oleg`), and `y` counts as a consonant.
fn vowelless(token: &Token) -> bool {
    let text = token.text.as_bytes();
    token.native.is_none()
        && text.len() >= VOWELLESS_LEN_MIN
        && text.iter().all(u8::is_ascii_lowercase)
        && text[1..].iter().all(|b| !b"aeiou".contains(b))
}

/// A part written in Chinese characters (not Hangul or kana, which spell sounds).
fn is_han_script(token: &Token) -> bool {
    token
        .native
        .as_deref()
        .is_some_and(|n| token_script(n) == Script::Han)
}

fn is_han(token: &Token) -> bool {
    token.native.as_deref().is_some_and(is_han_text)
}

/// East Asian scripts: a name group links one syllable or character to many unrelated readings.
fn is_han_text(text: &str) -> bool {
    matches!(
        token_script(text),
        Script::Han | Script::Hangul | Script::Kana
    )
}

/// Edits allowed between two phonetic keys of this length: none up to four letters, where one
/// edit makes another name (Mary and Madi).
pub fn edits_allowed(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        9..=12 => 2,
        _ => 3,
    }
}

/// Distance and similarity of two phonetic keys, if close enough to count as a typo.
pub fn fuzzy_similarity(a: &str, b: &str) -> Option<(u8, f64)> {
    let len = a.len().max(b.len());
    let allowed = edits_allowed(a.len().min(b.len()));
    if allowed == 0 {
        // Short keys: only two letters swapped (Sko / Sok, Baid / Abid) is a typo, not a name.
        return (a.len() >= TRANSPOSITION_LEN_MIN && is_transposition(a.as_bytes(), b.as_bytes()))
            .then_some((1, TRANSPOSITION_SIMILARITY));
    }
    if a.len().abs_diff(b.len()) > allowed {
        return None;
    }
    let distance = osa_distance(a.as_bytes(), b.as_bytes());
    if distance == 0 {
        return Some((0, similarity_of(How::Phonetic)));
    }
    if distance > allowed {
        return None;
    }
    // One edit in a long key costs less than in a short one; a fuzzy match never outranks a
    // phonetic one.
    let similarity = (1.0 - distance as f64 / len as f64).min(0.91) - 0.02;
    Some((distance as u8, similarity))
}

/// Whether `b` is `a` with two adjacent letters swapped.
fn is_transposition(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    diffs.len() == 2
        && diffs[1] == diffs[0] + 1
        && a[diffs[0]] == b[diffs[1]]
        && a[diffs[1]] == b[diffs[0]]
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
pub fn osa_distance(a: &[u8], b: &[u8]) -> usize {
    let width = b.len() + 1;
    let mut prev2 = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(prev2[j - 2] + 1);
            }
            cur[j] = best;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Every string with one byte deleted (the one-deletion neighbourhood).
fn deletions(key: &str) -> Vec<String> {
    let bytes = key.as_bytes();
    let mut out: Vec<String> = Vec::with_capacity(bytes.len());
    for skip in 0..bytes.len() {
        let variant: String = bytes
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, b)| *b as char)
            .collect();
        if out.last() != Some(&variant) {
            out.push(variant);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(osa_distance(b"kitten", b"sitting"), 3);
        assert_eq!(osa_distance(b"abcd", b"acbd"), 1);
        assert_eq!(osa_distance(b"", b"abc"), 3);
        assert!(fuzzy_similarity("hasimi", "hasami").is_some());
        assert!(fuzzy_similarity("ali", "ala").is_none());
    }
}
