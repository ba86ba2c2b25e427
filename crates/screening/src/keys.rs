//! Phonetic and consonant-skeleton keys of a Latin token.
//!
//! Both keys fold the spelling variants transliteration produces, so that two spellings of one
//! name get the same key:
//! - the **phonetic key** keeps vowels as three classes (a/e, i/y, o/u) and folds the consonant
//!   spellings of Persian, Arabic and Slavic names (q/gh/k, kh/h, ph/f, w/v, dj/j, doubled letters,
//!   OCR confusions rn/m, 0/o, 1/l, 5/s): Moqaddam, Moghadam and Moghaddam; Mohammad, Muhammad and
//!   Mohammed; Saeid, Saeed and Said share one;
//! - the **skeleton** keeps only consonant classes, which is what an Arabic-script spelling
//!   (no short vowels) and any Latin spelling of it have in common: هاشمی and Hashemi → `hsm`.

/// The phonetic key of a lower-case ASCII token (other characters are ignored).
pub fn phonetic(token: &str) -> String {
    let folded = ocr_fold(token);
    let b = folded.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let (class, used) = phonetic_unit(b, i);
        i += used;
        if let Some(class) = class
            && out.as_bytes().last() != Some(&class)
        {
            out.push(class as char);
        }
    }
    // A final "h" after a vowel is silent (Abdullah / Abdulla, Fatemeh / Fateme).
    if out.len() > 2 && out.ends_with('h') {
        let before = out.as_bytes()[out.len() - 2];
        if matches!(before, b'a' | b'i' | b'u') {
            out.pop();
        }
    }
    out
}

/// One sound unit at `b[i..]`: its class byte (None: silent) and how many bytes it used.
fn phonetic_unit(b: &[u8], i: usize) -> (Option<u8>, usize) {
    let c = b[i];
    let n = b.get(i + 1).copied();
    let n2 = b.get(i + 2).copied();
    match (c, n, n2) {
        (b'o', Some(b'u'), _) | (b'o', Some(b'o'), _) => (Some(b'u'), 2),
        // Korean romanisations: eo / o (Jeong, Jong), eu / u (Eun, Un).
        (b'e', Some(b'o'), _) | (b'e', Some(b'u'), _) => (Some(b'u'), 2),
        (b'e', Some(b'e'), _) | (b'e', Some(b'i'), _) | (b'i', Some(b'e'), _) => (Some(b'i'), 2),
        (b'e', Some(b'y'), _) | (b'a', Some(b'y'), _) if n2.is_none_or(|x| !is_vowel(x)) => {
            (Some(b'i'), 2)
        }
        (b's', Some(b'h'), _) | (b's', Some(b'c'), Some(b'h')) => {
            (Some(b'S'), if n2 == Some(b'h') { 3 } else { 2 })
        }
        (b'c', Some(b'h'), _) | (b't', Some(b's'), Some(b'h')) => (Some(b'C'), 2),
        (b'z', Some(b'h'), _) => (Some(b'Z'), 2),
        (b'k', Some(b'h'), _) | (b'c', Some(b'k'), _) => (Some(b'k'), 2),
        (b'g', Some(b'h'), _) => (Some(b'k'), 2),
        (b'p', Some(b'h'), _) => (Some(b'f'), 2),
        (b't', Some(b'h'), _) => (Some(b't'), 2),
        (b'd', Some(b'h'), _) => (Some(b'z'), 2),
        (b'd', Some(b'j'), _) | (b'd', Some(b'z'), Some(b'h')) => {
            (Some(b'j'), if n == Some(b'z') { 3 } else { 2 })
        }
        (b't', Some(b's'), _) | (b't', Some(b'z'), _) => (Some(b'c'), 2),
        _ => (single_class(c), 1),
    }
}

fn single_class(c: u8) -> Option<u8> {
    Some(match c {
        b'a' | b'e' => b'a',
        b'i' | b'y' => b'i',
        b'o' | b'u' => b'u',
        b'q' | b'k' | b'c' | b'g' => b'k',
        b'w' | b'v' => b'v',
        b'x' => b'k',
        b'b' | b'd' | b'f' | b'h' | b'j' | b'l' | b'm' | b'n' | b'p' | b'r' | b's' | b't'
        | b'z' => c,
        _ => return None,
    })
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// OCR confusions folded before keys are taken: digits read for letters, `rn` for `m`, `vv` for `w`.
fn ocr_fold(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let b = token.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let n = b.get(i + 1).copied();
        match (c, n) {
            (b'r', Some(b'n')) => {
                out.push('m');
                i += 2;
                continue;
            }
            (b'v', Some(b'v')) => {
                out.push('w');
                i += 2;
                continue;
            }
            _ => {}
        }
        if c == b'x' {
            out.push_str("ks");
            i += 1;
            continue;
        }
        out.push(match c {
            b'0' => 'o',
            b'1' => 'l',
            b'5' => 's',
            b'8' => 'b',
            b'3' => 'e',
            c => c as char,
        });
        i += 1;
    }
    out
}

/// The consonant skeleton: consonant classes only, doubled classes collapsed, `h` kept only where
/// it is a consonant of its own (not in sh, kh, gh, ch, …).
pub fn skeleton(token: &str) -> String {
    let phon = phonetic(token);
    let mut out = String::with_capacity(phon.len());
    for c in phon.bytes() {
        let class = match c {
            b'a' | b'i' | b'u' | b'v' => continue,
            b'S' | b'C' | b'Z' | b'c' => b's',
            b'z' => b's',
            b'j' => b'j',
            c => c,
        };
        if out.as_bytes().last() != Some(&class) {
            out.push(class as char);
        }
    }
    // A final "h" is not written consistently (Fatemeh / فاطمه / Fatima, Allah / اللّه / Alla).
    if out.len() > 1 && out.ends_with('h') {
        out.pop();
    }
    out
}

/// Whether a Latin part is written without vowels but perhaps its first letter (`Rshd`, `Krm`,
/// `Amn`, `Al` for `Ali`), as hurried data entry writes names; `y` counts as a consonant.
pub fn written_without_vowels(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 2
        && b.iter().all(u8::is_ascii_lowercase)
        && !b[1..].iter().any(|c| is_plain_vowel(*c))
}

fn is_plain_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// A part as it is written without its vowels: the first letter, then the other letters but
/// `a e i o u`, doubled letters once (`Karim` → `krm`, `Mohammed` → `mhmd`, `Ali` → `al`,
/// `Yuriy` → `yry`). Unlike the [`skeleton`], a first vowel and `v`/`w`/`y` stay, and spellings
/// are not folded: it says which vowel-less spelling the part has, not which sounds.
pub fn consonant_form(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.bytes().enumerate() {
        if (i > 0 && is_plain_vowel(c)) || out.as_bytes().last() == Some(&c) {
            continue;
        }
        out.push(c as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_share_keys() {
        for group in [
            &["moqaddam", "moghadam", "moghaddam", "mogadam"][..],
            &["mohammad", "muhammad", "mohammed", "mohamad", "muhamad"],
            &["saeid", "saeed"],
            &["hussein", "husein"],
            &["abdullah", "abdulla"],
            &["bernard", "bemard"],
        ] {
            let keys: Vec<String> = group.iter().map(|t| phonetic(t)).collect();
            assert!(
                keys.windows(2).all(|w| w[0] == w[1]),
                "{group:?} → {keys:?}"
            );
        }
    }

    #[test]
    fn skeletons_cross_scripts() {
        use crate::translit::to_latin;
        assert_eq!(skeleton("hashemi"), skeleton(&to_latin("هاشمی")));
        assert_eq!(skeleton("moqaddam"), skeleton(&to_latin("مقدم")));
        assert_eq!(skeleton("saeid"), skeleton(&to_latin("سعید")));
        assert_eq!(skeleton("asadollah"), skeleton(&to_latin("اسدالله")));
    }

    #[test]
    fn consonant_forms() {
        for (listed, written) in [
            ("karim", "krm"),
            ("mohammed", "mhmd"),
            ("ali", "al"),
            ("yuriy", "yry"),
            ("amin", "amn"),
            ("ivanovich", "ivnvch"),
        ] {
            assert_eq!(consonant_form(listed), consonant_form(written), "{listed}");
            assert!(written_without_vowels(written), "{written}");
        }
        assert!(!written_without_vowels("karim"));
        assert!(!written_without_vowels("k"));
    }
}
