//! Mis-declaration: words in a goods description that contradict a benign code ("missile",
//! "warhead", "UAV" in a line declared as flour).
//!
//! A word matches as a whole word, ASCII case-insensitively, with the simple English
//! inflections: `missile` matches "Missiles", "missile's" and "anti-missile" but not
//! "missilery"; `battery` matches "batteries"; `detonate` matches "detonated", "detonates"
//! and "detonating". Bytes outside ASCII count as letters, so a word inside a non-English
//! word does not match. Phrases ("nerve agent") match the same way.
//!
//! One Aho-Corasick automaton finds every candidate in one pass over the description; the
//! boundary and suffix checks run only where a candidate was found, so a clean description
//! costs one scan and no allocation.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Most words a policy may list.
pub const WORDS_MAX: usize = 1_000;
/// Longest word or phrase, in bytes.
pub const WORD_BYTES_MAX: usize = 64;

/// Endings accepted after a whole word: plural, past tense, gerund.
const SUFFIXES: [&str; 5] = ["s", "es", "ed", "d", "ing"];

/// A candidate pattern: which word it stands for and which endings it needs.
#[derive(Debug, Clone, Copy)]
struct Pattern {
    word: u16,
    /// The endings that complete the pattern into a word form.
    endings: Endings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endings {
    /// The word itself: nothing, or one of [`SUFFIXES`].
    Whole,
    /// A stem whose `y` became `ie` (`batter-ie`): needs `s` or `d`.
    IeStem,
    /// A stem without its final `e` (`detonat`): needs `ing`.
    EStem,
}

/// Where a word was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WordMatch {
    /// Index of the word in the policy's list.
    pub word: u16,
    /// Byte offsets of the matched form in the description.
    pub start: u16,
    /// End of the matched form, suffix included.
    pub end: u16,
}

/// The word list compiled for matching.
#[derive(Debug, Clone)]
pub struct WordMatcher {
    words: Vec<Box<str>>,
    automaton: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
}

/// Why a word list was rejected: the index of the bad word and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WordError {
    pub index: usize,
    pub message: String,
}

impl WordMatcher {
    /// Compiles `words`: each 1 to [`WORD_BYTES_MAX`] bytes of ASCII letters, digits, spaces
    /// and hyphens, starting and ending with a letter or digit; at most [`WORDS_MAX`].
    pub(crate) fn new(words: &[String]) -> Result<WordMatcher, WordError> {
        if words.len() > WORDS_MAX {
            return Err(WordError {
                index: WORDS_MAX,
                message: format!("more than {WORDS_MAX} words"),
            });
        }
        let mut kept: Vec<Box<str>> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        let mut patterns = Vec::new();
        for (index, word) in words.iter().enumerate() {
            let lower = check_word(word).map_err(|message| WordError { index, message })?;
            if kept.iter().any(|k| k.eq_ignore_ascii_case(&lower)) {
                return Err(WordError {
                    index,
                    message: format!("{word:?} is listed twice"),
                });
            }
            let id = u16::try_from(kept.len()).unwrap_or(u16::MAX);
            for (text, endings) in forms(&lower) {
                texts.push(text);
                patterns.push(Pattern { word: id, endings });
            }
            kept.push(word.trim().into());
        }
        let automaton = if texts.is_empty() {
            None
        } else {
            let built = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&texts)
                .or_else(|_| {
                    AhoCorasick::builder()
                        .ascii_case_insensitive(true)
                        .build(&texts)
                });
            Some(built.map_err(|e| WordError {
                index: 0,
                message: format!("the word list cannot be compiled: {e}"),
            })?)
        };
        Ok(WordMatcher {
            words: kept,
            automaton,
            patterns,
        })
    }

    /// The word with this index, as the policy spells it.
    pub fn word(&self, index: u16) -> &str {
        self.words.get(usize::from(index)).map_or("", |w| w)
    }

    /// The listed words.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(|w| &**w)
    }

    /// Calls `found` for each listed word in `text` (each word once, at its first place).
    /// Stops after `limit` words.
    #[inline]
    pub fn find(&self, text: &str, limit: usize, mut found: impl FnMut(WordMatch)) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        let bytes = text.as_bytes();
        let mut reported: [u16; 8] = [u16::MAX; 8];
        let mut count = 0;
        for candidate in automaton.find_overlapping_iter(text) {
            let Some(pattern) = self.patterns.get(candidate.pattern().as_usize()) else {
                continue;
            };
            let (start, end) = (candidate.start(), candidate.end());
            if start > 0 && is_word_byte(bytes[start - 1]) {
                continue;
            }
            let Some(end) = word_end(bytes, end, pattern.endings) else {
                continue;
            };
            if reported[..count].contains(&pattern.word) {
                continue;
            }
            let (Ok(start), Ok(end)) = (u16::try_from(start), u16::try_from(end)) else {
                return;
            };
            found(WordMatch {
                word: pattern.word,
                start,
                end,
            });
            reported[count] = pattern.word;
            count += 1;
            if count >= limit.min(reported.len()) {
                return;
            }
        }
    }
}

/// The end of the word form that starts with a pattern ending at `end`, if the bytes after
/// it are one of the allowed endings followed by a word boundary.
fn word_end(bytes: &[u8], end: usize, endings: Endings) -> Option<usize> {
    let rest = bytes.get(end..)?;
    let complete = |suffix: &str| {
        let n = suffix.len();
        let matches = rest.len() >= n && rest[..n].eq_ignore_ascii_case(suffix.as_bytes());
        (matches && rest.get(n).is_none_or(|&b| !is_word_byte(b))).then_some(end + n)
    };
    match endings {
        Endings::Whole => complete("").or_else(|| SUFFIXES.iter().find_map(|s| complete(s))),
        Endings::IeStem => complete("s").or_else(|| complete("d")),
        Endings::EStem => complete("ing"),
    }
}

/// Letters, digits and every non-ASCII byte belong to words.
#[inline]
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Checks a word of the policy and returns it in lower case.
fn check_word(word: &str) -> Result<String, String> {
    let word = word.trim();
    if word.is_empty() || word.len() > WORD_BYTES_MAX {
        return Err(format!("a word must have 1 to {WORD_BYTES_MAX} bytes"));
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b' ' || b == b'-';
    let bytes = word.as_bytes();
    let edges_ok = bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric);
    if !bytes.iter().all(|&b| allowed(b)) || !edges_ok {
        return Err(format!(
            "{:?}: a word may hold only ASCII letters, digits, spaces and hyphens, and starts and ends with a letter or digit",
            crate::echo(word)
        ));
    }
    Ok(word.to_ascii_lowercase())
}

/// The patterns that find a word in its inflected forms.
fn forms(word: &str) -> Vec<(String, Endings)> {
    let mut forms = vec![(word.to_owned(), Endings::Whole)];
    if word.len() > 2 {
        if let Some(stem) = word.strip_suffix('y') {
            forms.push((format!("{stem}ie"), Endings::IeStem));
        }
        if let Some(stem) = word.strip_suffix('e') {
            forms.push((stem.to_owned(), Endings::EStem));
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(words: &[&str], text: &str) -> Vec<String> {
        let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        let matcher = WordMatcher::new(&words).unwrap();
        let mut out = Vec::new();
        matcher.find(text, 8, |m| {
            out.push(text[usize::from(m.start)..usize::from(m.end)].to_owned());
        });
        out
    }

    #[test]
    fn whole_words_and_inflections() {
        let words = [
            "missile",
            "uav",
            "battery",
            "detonate",
            "guidance",
            "nerve agent",
        ];
        assert_eq!(found(&words, "Missiles and UAVs"), ["Missiles", "UAVs"]);
        assert_eq!(found(&words, "anti-missile shield"), ["missile"]);
        assert_eq!(found(&words, "missile's fins"), ["missile"]);
        assert_eq!(found(&words, "missilery"), Vec::<String>::new());
        assert_eq!(found(&words, "batteries, battery"), ["batteries"]);
        assert_eq!(found(&words, "detonating cord"), ["detonating"]);
        assert_eq!(found(&words, "detonated"), ["detonated"]);
        assert_eq!(found(&words, "wheat flour with guidance kit"), ["guidance"]);
        assert_eq!(found(&words, "NERVE AGENTS"), ["NERVE AGENTS"]);
        assert_eq!(found(&words, "nerve  agent"), Vec::<String>::new());
        assert_eq!(found(&words, "guavas"), Vec::<String>::new());
        assert_eq!(found(&words, "missileé"), Vec::<String>::new());
        assert_eq!(found(&words, "émissile"), Vec::<String>::new());
        assert_eq!(found(&words, ""), Vec::<String>::new());
    }

    #[test]
    fn rejects_bad_words() {
        for bad in ["", " ", "-uav", "uav!", "ü", &"x".repeat(65)] {
            assert!(WordMatcher::new(&[bad.to_owned()]).is_err(), "{bad:?}");
        }
        assert!(WordMatcher::new(&["uav".to_owned(), "UAV".to_owned()]).is_err());
        assert!(WordMatcher::new(&[]).is_ok());
    }
}
