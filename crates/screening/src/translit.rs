//! Transliteration of non-Latin scripts to lower-case ASCII Latin.
//!
//! Generic transliterators drop the short vowels that Arabic and Persian do not write
//! (`اسدالله اسدی` → "sdllh sdy"), which no Latin list spelling resembles. So Arabic-script letters
//! are mapped to the consonants and long vowels a list editor would write, and matching does not
//! rely on this form alone: the cross-script name groups and the consonant skeleton
//! ([`crate::keys::skeleton`]) carry Arabic and Persian names across.
//!
//! Cyrillic follows BGN/PCGN-like conventions (the most common in sanctions lists), Greek ELOT 743,
//! Hangul the Revised Romanization (computed from the syllable's jamo), kana Hepburn.

/// The writing system a token is in, as far as matching cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    Hangul,
    Kana,
    Han,
    Thai,
    Devanagari,
    Other,
}

/// The script of one character (digits and marks count as Latin/Other respectively).
pub fn script_of(c: char) -> Script {
    match c as u32 {
        0x0041..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x052F => Script::Cyrillic,
        0x0590..=0x05FF => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
        0x0900..=0x097F => Script::Devanagari,
        0x0E00..=0x0E7F => Script::Thai,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
        0x3040..=0x30FF => Script::Kana,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF => Script::Han,
        _ => Script::Other,
    }
}

/// The dominant script of a token: the first letter that is not Latin decides, else Latin.
pub fn token_script(token: &str) -> Script {
    token
        .chars()
        .map(script_of)
        .find(|s| !matches!(s, Script::Latin | Script::Other))
        .unwrap_or(Script::Latin)
}

/// Transliterates a lower-case token to ASCII Latin; characters with no mapping are dropped.
/// Latin input with diacritics removed is returned unchanged apart from `ß`, `æ`, `ø`, … folding.
pub fn to_latin(token: &str) -> String {
    // The Arabic word for God is written with a doubled lam and a final ha that no spelling rule
    // gives back: "allah".
    if token == "الله" || token == "اللّه" {
        return "allah".to_string();
    }
    let mut out = String::with_capacity(token.len());
    let chars: Vec<char> = token.chars().collect();
    if let Some(first) = chars.first()
        && let Some(surname) = korean_surname(*first)
    {
        out.push_str(surname);
        for &c in &chars[1..] {
            hangul(c, &mut out);
        }
        return out;
    }
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        // Armenian writes the vowel u with two letters (ու), which the generic fallback reads
        // one by one ("ow").
        match (c, prev, next) {
            ('ո', _, Some('ւ')) => {
                out.push('u');
                continue;
            }
            ('ւ', Some('ո'), _) => continue,
            _ => {}
        }
        let before = out.len();
        let script = script_of(c);
        match script {
            Script::Cyrillic => out.push_str(cyrillic(c, prev)),
            Script::Greek => out.push_str(greek(c, next)),
            Script::Arabic => arabic(c, prev, next, &mut out),
            Script::Hebrew => out.push_str(hebrew(c, i == 0)),
            Script::Hangul => hangul(c, &mut out),
            Script::Kana => kana(c, &mut out),
            Script::Devanagari => devanagari(c, next, &mut out),
            Script::Latin | Script::Other | Script::Han | Script::Thai => latin_fold(c, &mut out),
        }
        // Arabic and Hebrew leave letters out on purpose (unwritten vowels, ayin); in every
        // other script a letter our rules do not know is read by the generic fallback rather
        // than dropped.
        if out.len() == before && !matches!(script, Script::Arabic | Script::Hebrew) {
            fallback(c, &mut out);
        }
    }
    out
}

/// The generic reading of a character our own rules do not cover (Thai, Khmer, Armenian,
/// Georgian, Bengali, Ethiopic, Han as pinyin, rare Latin letters, …), lower-case ASCII letters
/// and digits only.
fn fallback(c: char, out: &mut String) {
    if !(c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)) {
        return;
    }
    let mut buf = [0u8; 4];
    for b in any_ascii::any_ascii(c.encode_utf8(&mut buf)).bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b.to_ascii_lowercase() as char);
        }
    }
}

fn latin_fold(c: char, out: &mut String) {
    match c {
        'a'..='z' | '0'..='9' => out.push(c),
        'ß' => out.push_str("ss"),
        'æ' => out.push_str("ae"),
        'œ' => out.push_str("oe"),
        'ø' => out.push('o'),
        'đ' | 'ð' => out.push('d'),
        'ł' => out.push('l'),
        'þ' => out.push_str("th"),
        'ı' => out.push('i'),
        'ə' => out.push('a'),
        'ħ' => out.push('h'),
        _ => {}
    }
}

fn cyrillic(c: char, prev: Option<char>) -> &'static str {
    let after_vowel_or_start = prev.is_none_or(|p| "аеёиоуыэюяйъьієї".contains(p));
    match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'е' if after_vowel_or_start => "ye",
        'е' => "e",
        'ё' => "yo",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ы' => "y",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        'ә' => "a",
        'ғ' => "gh",
        'қ' => "q",
        'ң' => "ng",
        'ө' => "o",
        'ұ' | 'ү' => "u",
        'һ' => "h",
        _ => "",
    }
}

fn greek(c: char, next: Option<char>) -> &'static str {
    match c {
        'α' | 'ά' => "a",
        'β' => "v",
        'γ' if matches!(next, Some('γ' | 'κ' | 'ξ' | 'χ')) => "n",
        'γ' => "g",
        'δ' => "d",
        'ε' | 'έ' => "e",
        'ζ' => "z",
        'η' | 'ή' => "i",
        'θ' => "th",
        'ι' | 'ί' | 'ϊ' | 'ΐ' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' | 'ό' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' | 'ύ' | 'ϋ' | 'ΰ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' | 'ώ' => "o",
        _ => "",
    }
}

/// Arabic and Persian letters. Long vowels are written where the script writes them
/// (`ا` a, `و` u or v, `ی` i or y); short vowels are not in the script and not guessed here.
fn arabic(c: char, prev: Option<char>, next: Option<char>, out: &mut String) {
    let at_start = prev.is_none();
    let before_vowel = matches!(next, Some('ا' | 'و' | 'ي' | 'ی' | 'ى'));
    let s = match c {
        'ا' | 'آ' | 'أ' | 'ٱ' => "a",
        'إ' => "e",
        'ب' => "b",
        'پ' => "p",
        'ت' | 'ط' => "t",
        'ث' => "s",
        'ج' => "j",
        'چ' => "ch",
        'ح' | 'ه' | 'ھ' | 'ۀ' => "h",
        'ة' => "a",
        'خ' => "kh",
        'د' => "d",
        'ذ' | 'ز' | 'ض' | 'ظ' => "z",
        'ر' => "r",
        'ژ' => "zh",
        'س' | 'ص' => "s",
        'ش' => "sh",
        'ع' | 'ء' | 'ئ' | 'ؤ' => "",
        'غ' => "gh",
        'ف' => "f",
        'ق' => "q",
        'ک' | 'ك' => "k",
        'گ' => "g",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        'و' if at_start || before_vowel => "v",
        'و' => "u",
        'ي' | 'ی' | 'ى' | 'ې' if at_start || before_vowel => "y",
        'ي' | 'ی' | 'ى' | 'ې' => "i",
        '۰'..='۹' | '٠'..='٩' => "",
        _ => "",
    };
    out.push_str(s);
}

fn hebrew(c: char, at_start: bool) -> &'static str {
    match c {
        'א' if at_start => "a",
        'א' => "",
        'ב' => "v",
        'ג' => "g",
        'ד' => "d",
        'ה' => "h",
        'ו' => "o",
        'ז' => "z",
        'ח' => "kh",
        'ט' | 'ת' => "t",
        'י' => "i",
        'כ' | 'ך' | 'ק' => "k",
        'ל' => "l",
        'מ' | 'ם' => "m",
        'נ' | 'ן' => "n",
        'ס' => "s",
        'ע' => "",
        'פ' | 'ף' => "f",
        'צ' | 'ץ' => "ts",
        'ר' => "r",
        'ש' => "sh",
        _ => "",
    }
}

/// Hangul syllables decompose arithmetically into initial, medial and final jamo (Unicode §3.12).
fn hangul(c: char, out: &mut String) {
    const INITIAL: [&str; 19] = [
        "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t",
        "p", "h",
    ];
    const MEDIAL: [&str; 21] = [
        "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo",
        "we", "wi", "yu", "eu", "ui", "i",
    ];
    const FINAL: [&str; 28] = [
        "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p",
        "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t",
    ];
    let code = c as u32;
    if !(0xAC00..=0xD7A3).contains(&code) {
        return;
    }
    let index = (code - 0xAC00) as usize;
    out.push_str(INITIAL[index / (21 * 28)]);
    out.push_str(MEDIAL[(index % (21 * 28)) / 28]);
    out.push_str(FINAL[index % 28]);
}

/// The usual Latin spelling of the commonest Korean family names, which the Revised Romanization
/// does not give (박 is written Park, not Bak; 이 Lee, not I).
fn korean_surname(c: char) -> Option<&'static str> {
    Some(match c {
        '김' => "kim",
        '이' => "lee",
        '박' => "park",
        '최' => "choi",
        '정' => "jung",
        '강' => "kang",
        '조' => "cho",
        '윤' => "yoon",
        '장' => "jang",
        '임' => "lim",
        '한' => "han",
        '오' => "oh",
        '서' => "seo",
        '신' => "shin",
        '권' => "kwon",
        '황' => "hwang",
        '안' => "ahn",
        '송' => "song",
        '류' | '유' => "yoo",
        '홍' => "hong",
        '전' => "jeon",
        '고' => "ko",
        '문' => "moon",
        '양' => "yang",
        '손' => "son",
        '배' => "bae",
        '백' => "baek",
        '노' => "roh",
        _ => return None,
    })
}

/// Devanagari: consonants carry an inherent "a" unless a vowel sign or the virama follows.
fn devanagari(c: char, next: Option<char>, out: &mut String) {
    let consonant = match c {
        'क' => "k",
        'ख' => "kh",
        'ग' => "g",
        'घ' => "gh",
        'ङ' => "n",
        'च' => "ch",
        'छ' => "chh",
        'ज' => "j",
        'झ' => "jh",
        'ञ' => "n",
        'ट' => "t",
        'ठ' => "th",
        'ड' => "d",
        'ढ' => "dh",
        'ण' => "n",
        'त' => "t",
        'थ' => "th",
        'द' => "d",
        'ध' => "dh",
        'न' => "n",
        'प' => "p",
        'फ' => "ph",
        'ब' => "b",
        'भ' => "bh",
        'म' => "m",
        'य' => "y",
        'र' => "r",
        'ल' => "l",
        'व' => "v",
        'श' | 'ष' => "sh",
        'स' => "s",
        'ह' => "h",
        _ => "",
    };
    if !consonant.is_empty() {
        out.push_str(consonant);
        let sign_follows = next.is_some_and(|n| matches!(n as u32, 0x093E..=0x094D));
        let word_ends = next.is_none();
        if !sign_follows && !word_ends {
            out.push('a');
        }
        return;
    }
    out.push_str(match c {
        'अ' => "a",
        'आ' | 'ा' => "a",
        'इ' | 'ि' => "i",
        'ई' | 'ी' => "i",
        'उ' | 'ु' => "u",
        'ऊ' | 'ू' => "u",
        'ऋ' | 'ृ' => "ri",
        'ए' | 'े' => "e",
        'ऐ' | 'ै' => "ai",
        'ओ' | 'ो' => "o",
        'औ' | 'ौ' => "au",
        'ं' | 'ँ' => "n",
        'ः' => "h",
        _ => "",
    });
}

/// Hiragana and katakana (Hepburn); the long-vowel mark and small tsu are handled simply.
fn kana(c: char, out: &mut String) {
    let code = c as u32;
    // Katakana sits 0x60 above hiragana.
    let hira = if (0x30A1..=0x30F6).contains(&code) {
        char::from_u32(code - 0x60).unwrap_or(c)
    } else {
        c
    };
    let s = match hira {
        'あ' | 'ぁ' => "a",
        'い' | 'ぃ' => "i",
        'う' | 'ぅ' => "u",
        'え' | 'ぇ' => "e",
        'お' | 'ぉ' => "o",
        'か' => "ka",
        'き' => "ki",
        'く' => "ku",
        'け' => "ke",
        'こ' => "ko",
        'が' => "ga",
        'ぎ' => "gi",
        'ぐ' => "gu",
        'げ' => "ge",
        'ご' => "go",
        'さ' => "sa",
        'し' => "shi",
        'す' => "su",
        'せ' => "se",
        'そ' => "so",
        'ざ' => "za",
        'じ' => "ji",
        'ず' => "zu",
        'ぜ' => "ze",
        'ぞ' => "zo",
        'た' => "ta",
        'ち' => "chi",
        'つ' => "tsu",
        'て' => "te",
        'と' => "to",
        'だ' => "da",
        'ぢ' => "ji",
        'づ' => "zu",
        'で' => "de",
        'ど' => "do",
        'な' => "na",
        'に' => "ni",
        'ぬ' => "nu",
        'ね' => "ne",
        'の' => "no",
        'は' => "ha",
        'ひ' => "hi",
        'ふ' => "fu",
        'へ' => "he",
        'ほ' => "ho",
        'ば' => "ba",
        'び' => "bi",
        'ぶ' => "bu",
        'べ' => "be",
        'ぼ' => "bo",
        'ぱ' => "pa",
        'ぴ' => "pi",
        'ぷ' => "pu",
        'ぺ' => "pe",
        'ぽ' => "po",
        'ま' => "ma",
        'み' => "mi",
        'む' => "mu",
        'め' => "me",
        'も' => "mo",
        'や' | 'ゃ' => "ya",
        'ゆ' | 'ゅ' => "yu",
        'よ' | 'ょ' => "yo",
        'ら' => "ra",
        'り' => "ri",
        'る' => "ru",
        'れ' => "re",
        'ろ' => "ro",
        'わ' => "wa",
        'を' => "o",
        'ん' => "n",
        _ => "",
    };
    out.push_str(s);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts() {
        assert_eq!(to_latin("владимир"), "vladimir");
        assert_eq!(to_latin("путин"), "putin");
        assert_eq!(to_latin("медведев"), "medvedev");
        assert_eq!(to_latin("νικόλαος"), "nikolaos");
        assert_eq!(to_latin("김정은"), "kimjeongeun");
        assert_eq!(to_latin("박지성"), "parkjiseong");
        assert_eq!(to_latin("الله"), "allah");
        assert_eq!(to_latin("はなこ"), "hanako");
        assert_eq!(to_latin("هاشمی"), "hashmi");
        assert_eq!(to_latin("straße"), "strasse");
        assert_eq!(token_script("مقدم"), Script::Arabic);
        assert_eq!(token_script("abc"), Script::Latin);
    }

    #[test]
    fn every_letter_has_a_reading() {
        // Scripts without rules of our own go through the generic fallback: never empty.
        for word in [
            "ვლადიმერ", // Georgian
            "վլադիմիր", // Armenian
            "สมชาย",    // Thai
            "សុខា",      // Khmer
            "রহমান",     // Bengali
            "ኃይለ",      // Ethiopic
            "习近平",   // Han, read as pinyin
            "ŋ",
        ] {
            let latin = to_latin(word);
            assert!(!latin.is_empty(), "{word}");
            assert!(
                latin
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{word} → {latin}"
            );
        }
        assert_eq!(to_latin("习近平"), "xijinping");
        assert_eq!(to_latin("ვლადიმერ"), "vladimer");
        assert_eq!(to_latin("յուրի"), "yuri");
    }
}
