#!/usr/bin/env python3
"""Perturbation benchmark: listed names as real data mangles them (issue 14, "Measure").

A seeded generator takes entries of the bundled OFAC SDN list
(crates/screening/data/lists/ofac_sdn_2024-05-03.csv), rewrites each in one perturbation class
and screens them with `clearhouse screen batch` against the bundled lists. A perturbed name is
found when its OFAC entry (`us_ofac_sdn:<ent_num>`) is among the matches at the threshold.

Near-miss negatives are built from listed names too (one token replaced by an unrelated listed
token, given names of one listed person with the family name of another, the two halves of a
`X BIN Y` name swapped, a distinguishing token of a company changed); a negative is hit when it
gets any match at the threshold. Negatives whose tokens equal those of a listed name are dropped.

Usage:
  python3 bench/screening/perturb.py [--clearhouse BIN] [--baseline BIN] [--per-class 200]
                                     [--seed 20261206] [--threshold T]

Stdlib only. Inputs and outputs go to bench/screening/out/perturb_*.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import subprocess
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import common as c

SDN = c.REPO / "crates" / "screening" / "data" / "lists" / "ofac_sdn_2024-05-03.csv"
OUT = c.HERE / "out"
SEED = 20261206

TITLES = ["Dr.", "Mr.", "Sheikh", "Haji", "General", "Mrs."]
PARTICLES = {"al", "el", "bin", "ben", "ibn", "abu", "abd", "abdul", "ul", "de", "la", "van", "von", "da", "o"}
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "y": "у", "i": "і",
              "A": "А", "E": "Е", "O": "О", "C": "С", "P": "Р", "X": "Х", "H": "Н", "K": "К", "M": "М", "T": "Т", "B": "В"}
INVISIBLE = ["\u200b", "\u00ad", "\u200d", "\u2060"]
OCR = [("o", "0"), ("O", "0"), ("l", "1"), ("I", "1"), ("i", "1"), ("m", "rn"), ("M", "RN"), ("s", "5"), ("S", "5"),
       ("B", "8"), ("E", "3"), ("e", "3")]
RESPELL = [("ou", "u"), ("u", "ou"), ("q", "gh"), ("gh", "q"), ("kh", "h"), ("ee", "i"), ("i", "ee"), ("y", "i"),
           ("ph", "f"), ("dj", "j"), ("j", "dj"), ("w", "v"), ("v", "w"), ("sh", "sch"), ("ch", "tch"), ("mm", "m"),
           ("dd", "d"), ("ss", "s"), ("a", "e"), ("e", "a"), ("o", "u")]
# Latin to Cyrillic (reading a Latin list spelling the way a Russian clerk would write it).
CYRILLIC = [("shch", "щ"), ("kh", "х"), ("zh", "ж"), ("ch", "ч"), ("sh", "ш"), ("ts", "ц"), ("yu", "ю"), ("ya", "я"),
            ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("y", "й"),
            ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"),
            ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "к"), ("q", "к"), ("w", "в"), ("x", "кс"), ("j", "дж")]
GEORGIAN = [("kh", "ხ"), ("gh", "ღ"), ("sh", "შ"), ("ch", "ჩ"), ("ts", "ც"), ("dz", "ძ"), ("zh", "ჟ"),
            ("a", "ა"), ("b", "ბ"), ("g", "გ"), ("d", "დ"), ("e", "ე"), ("v", "ვ"), ("z", "ზ"), ("t", "თ"), ("i", "ი"),
            ("k", "კ"), ("l", "ლ"), ("m", "მ"), ("n", "ნ"), ("o", "ო"), ("p", "პ"), ("r", "რ"), ("s", "ს"), ("u", "უ"),
            ("f", "ფ"), ("q", "ყ"), ("j", "ჯ"), ("h", "ჰ"), ("y", "ი"), ("w", "ვ"), ("c", "კ"), ("x", "ქს")]
ARMENIAN = [("kh", "խ"), ("gh", "ղ"), ("sh", "շ"), ("ch", "չ"), ("ts", "ց"), ("zh", "ժ"), ("ou", "ու"),
            ("a", "ա"), ("b", "բ"), ("g", "գ"), ("d", "դ"), ("e", "ե"), ("z", "զ"), ("i", "ի"), ("l", "լ"), ("k", "կ"),
            ("h", "հ"), ("m", "մ"), ("y", "յ"), ("n", "ն"), ("o", "ո"), ("p", "պ"), ("j", "ջ"), ("r", "ր"), ("s", "ս"),
            ("v", "վ"), ("t", "տ"), ("u", "ու"), ("f", "ֆ"), ("q", "ք"), ("w", "վ"), ("c", "կ"), ("x", "քս")]
LEGAL = [("CORPORATION", "CORP."), ("COMPANY", "CO."), ("LIMITED", "LTD."), ("INCORPORATED", "INC."),
         ("LIMITED LIABILITY COMPANY", "LLC"), ("JOINT STOCK COMPANY", "JSC"), ("OPEN JOINT STOCK COMPANY", "OAO"),
         ("CLOSED JOINT STOCK COMPANY", "ZAO"), ("PUBLIC JOINT STOCK COMPANY", "PJSC"),
         ("GESELLSCHAFT MIT BESCHRAENKTER HAFTUNG", "GMBH"), ("SOCIEDAD ANONIMA", "S.A."),
         ("PRIVATE LIMITED", "PVT. LTD."), ("AKTIENGESELLSCHAFT", "AG")]
NUMBERS = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE", 6: "SIX", 7: "SEVEN", 8: "EIGHT", 9: "NINE",
           10: "TEN", 11: "ELEVEN", 12: "TWELVE", 13: "THIRTEEN", 14: "FOURTEEN", 15: "FIFTEEN", 16: "SIXTEEN",
           17: "SEVENTEEN", 18: "EIGHTEEN", 19: "NINETEEN", 20: "TWENTY", 30: "THIRTY", 40: "FORTY", 50: "FIFTY",
           60: "SIXTY", 70: "SEVENTY", 80: "EIGHTY", 90: "NINETY"}
VOWELS = set("aeiouAEIOU")

POSITIVE_CLASSES = [
    "as_listed", "name_order", "title", "homoglyph", "invisible", "ocr", "transliteration", "script_cyrillic",
    "script_georgian", "script_armenian", "initials", "truncated", "particles", "typo_short", "unvowelled",
    "legal_form", "numbers",
]
NEGATIVE_CLASSES = ["neg_token_changed", "neg_other_family", "neg_bin_swap", "neg_company_token"]


def number_words(n: int) -> str:
    if n in NUMBERS:
        return NUMBERS[n]
    return f"{NUMBERS[n // 10 * 10]}-{NUMBERS[n % 10]}"


def read_sdn(path: Path = SDN) -> list[dict]:
    entries = []
    with path.open(encoding="latin-1", newline="") as f:
        for row in csv.reader(f):
            if len(row) < 3 or not row[0].strip().isdigit():
                continue
            kind = row[2].strip().lower()
            schema = "person" if kind == "individual" else "organization" if kind == "-0-" else None
            if schema is None:
                continue
            entries.append({"id": f"us_ofac_sdn:{row[0].strip()}", "name": row[1].strip(), "schema": schema})
    return entries


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def token_seq(name: str) -> tuple[str, ...]:
    return tuple(t for t in re.split(r"[^0-9a-z]+", fold(name)) if t)


def written_orders(name: str) -> set[tuple[str, ...]]:
    """The name's tokens as written and with the given names first."""
    family, given = split_person(name) if ", " in name else (name.split(), [])
    return {token_seq(name), token_seq(" ".join(given + family))}


def split_person(name: str) -> tuple[list[str], list[str]]:
    """`LAST, First Middle` → (family tokens, given tokens)."""
    if ", " in name:
        family, given = name.split(", ", 1)
        return family.split(), given.split()
    parts = name.split()
    return parts[-1:], parts[:-1]


def join_person(family: list[str], given: list[str]) -> str:
    return f"{' '.join(family)}, {' '.join(given)}" if given else " ".join(family)


def name_tokens(name: str) -> list[str]:
    return name.replace(",", " ").split()


def core(token: str) -> str:
    return re.sub(r"[^A-Za-z]", "", token)


def is_particle(token: str) -> bool:
    return core(token).lower() in PARTICLES


# ------------------------------------------------------------------ positive classes
# Each takes (rng, entry) and returns the perturbed name, or None when the class does not apply.


def p_as_listed(rng, e):
    return e["name"]


def p_name_order(rng, e):
    if e["schema"] != "person" or ", " not in e["name"]:
        return None
    family, given = split_person(e["name"])
    return " ".join(given + family)


def p_title(rng, e):
    if e["schema"] != "person":
        return None
    return f"{rng.choice(TITLES)} {e['name']}"


def p_homoglyph(rng, e):
    positions = [i for i, ch in enumerate(e["name"]) if ch in HOMOGLYPHS]
    if len(positions) < 2:
        return None
    chars = list(e["name"])
    for i in rng.sample(positions, min(2, len(positions))):
        chars[i] = HOMOGLYPHS[chars[i]]
    return "".join(chars)


def p_invisible(rng, e):
    chars = list(e["name"])
    inner = [i for i in range(1, len(chars)) if chars[i - 1].isalpha() and chars[i].isalpha()]
    if not inner:
        return None
    for i in sorted(rng.sample(inner, min(2, len(inner))), reverse=True):
        chars.insert(i, rng.choice(INVISIBLE))
    return "".join(chars)


def p_ocr(rng, e):
    name = e["name"]
    options = [(m.start(), a, b) for a, b in OCR for m in re.finditer(re.escape(a), name)]
    options = [o for o in options if 0 < o[0] < len(name) - 1 and name[o[0] - 1].isalpha()]
    if not options:
        return None
    i, a, b = rng.choice(options)
    return name[:i] + b + name[i + len(a):]


def p_transliteration(rng, e):
    if e["schema"] != "person":
        return None
    name = e["name"]
    lower = name.lower()
    options = [(m.start(), a, b) for a, b in RESPELL for m in re.finditer(a, lower)]
    options = [o for o in options if o[0] > 0 and lower[o[0] - 1].isalpha()]
    if not options:
        return None
    out = name
    for i, a, b in sorted(rng.sample(options, min(2, len(options))), key=lambda o: -o[0]):
        if out.lower()[i:i + len(a)] != a:
            continue
        repl = b.upper() if out[i:i + len(a)].isupper() else b
        out = out[:i] + repl + out[i + len(a):]
    return out if out != name else None


def to_script(name: str, table) -> str:
    out = []
    lower = name.lower()
    i = 0
    while i < len(lower):
        for a, b in table:
            if lower.startswith(a, i):
                out.append(b)
                i += len(a)
                break
        else:
            out.append(lower[i])
            i += 1
    return "".join(out)


def script_class(table):
    def perturb(rng, e):
        if e["schema"] != "person" or not re.fullmatch(r"[A-Za-z ,'-]+", e["name"]):
            return None
        family, given = split_person(e["name"])
        return to_script(" ".join(given + family), table)
    return perturb


def p_initials(rng, e):
    if e["schema"] != "person":
        return None
    family, given = split_person(e["name"])
    options = [("g", i) for i, t in enumerate(given) if len(core(t)) >= 3 and not is_particle(t)]
    if len(family) >= 2 and len(core(family[0])) >= 3 and not is_particle(family[0]):
        options.append(("f", 0))
    full = [t for t in family + given if len(core(t)) >= 3 and not is_particle(t)]
    if not options or len(full) < 3:
        return None
    side, i = rng.choice(options)
    tokens = given if side == "g" else family
    tokens = list(tokens)
    tokens[i] = core(tokens[i])[0] + rng.choice([".", ""])
    return join_person(family, tokens) if side == "g" else join_person(tokens, given)


def p_truncated(rng, e):
    tokens = name_tokens(e["name"]) if e["schema"] == "organization" else None
    if e["schema"] == "person":
        family, given = split_person(e["name"])
        if len(family) + len(given) < 3 or not given or len(core(given[-1])) < 6:
            return None
        last = core(given[-1])
        cut = rng.randint(3, len(last) - 2)
        return join_person(family, given[:-1] + [last[:cut]])
    idx = [i for i, t in enumerate(tokens) if len(core(t)) >= 6 and not any(core(t).upper() == l[0] for l in LEGAL)]
    if len(tokens) < 3 or not idx:
        return None
    i = idx[-1]
    last = core(tokens[i])
    tokens[i] = last[:rng.randint(3, len(last) - 2)]
    return " ".join(tokens[: i + 1])


def p_particles(rng, e):
    name = e["name"]
    options = []
    for m in re.finditer(r"\b(AL|EL|ABD|ABU|BIN|BEN|IBN|O)[-' ]([A-Z]{3,})", name, re.I):
        options.append((m.start(), m.end(), [m.group(1) + m.group(2), m.group(1) + " " + m.group(2)]))
    for m in re.finditer(r"\b([A-Z]{3,})-([A-Z]{3,})\b", name, re.I):
        options.append((m.start(), m.end(), [m.group(1) + m.group(2), m.group(1) + " " + m.group(2)]))
    for m in re.finditer(r"\b(AL|EL|ABDEL|ABDUL|ABU)([A-Z]{4,})\b", name):
        options.append((m.start(), m.end(), [m.group(1) + "-" + m.group(2), m.group(1) + " " + m.group(2)]))
    options = [(s, t, [v for v in vs if v != name[s:t]]) for s, t, vs in options]
    if not options:
        return None
    s, t, variants = rng.choice(options)
    return name[:s] + rng.choice(variants) + name[t:]


def typo(rng, word: str) -> str:
    i = rng.randrange(1, len(word))
    kind = rng.choice(["sub", "swap", "del", "ins"])
    letters = "abcdefghijklmnopqrstuvwxyz"
    upper = word.isupper()
    pick = rng.choice(letters.upper() if upper else letters)
    if kind == "swap" and i < len(word) - 1 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "del":
        return word[:i] + word[i + 1:]
    if kind == "ins":
        return word[:i] + pick + word[i:]
    while pick.lower() == word[i].lower():
        pick = rng.choice(letters.upper() if upper else letters)
    return word[:i] + pick + word[i + 1:]


def p_typo_short(rng, e):
    tokens = e["name"].split(" ")
    legal = {w for long, short in LEGAL for w in (long.split() + [short.strip(".")])} | {"SARL", "SRL", "GMBH"}
    idx = [i for i, t in enumerate(tokens)
           if re.fullmatch(r"[A-Za-z]{4,6},?", t) and not is_particle(t) and t.rstrip(",").upper() not in legal]
    if not idx or len(name_tokens(e["name"])) < 2:
        return None
    i = rng.choice(idx)
    comma = tokens[i].endswith(",")
    word = tokens[i].rstrip(",")
    tokens[i] = typo(rng, word) + ("," if comma else "")
    return " ".join(tokens)


def p_unvowelled(rng, e):
    if e["schema"] != "person":
        return None

    def strip(token: str) -> str:
        parts = token.split("-")
        return "-".join(p if len(p) <= 3 and p.lower() in PARTICLES else p[:1] + "".join(ch for ch in p[1:] if ch not in VOWELS)
                        for p in parts)

    family, given = split_person(e["name"])
    if len(family) + len(given) < 2:
        return None
    out = join_person([strip(t) for t in family], [strip(t) for t in given])
    return out if out != e["name"] else None


def p_legal_form(rng, e):
    if e["schema"] != "organization":
        return None
    name = e["name"]
    upper = name.upper()
    options = []
    for long, short in LEGAL:
        for m in re.finditer(r"(?<![A-Z])" + re.escape(long) + r"(?![A-Z])", upper):
            options.append((m.start(), m.end(), short))
        for m in re.finditer(r"(?<![A-Z])" + re.escape(short).replace(r"\.", r"\.?") + r"(?![A-Z])", upper):
            options.append((m.start(), m.end(), long))
    if not options:
        return None
    s, t, repl = rng.choice(options)
    return name[:s] + repl + name[t:]


def p_numbers(rng, e):
    name = e["name"]
    digits = [m for m in re.finditer(r"\b([1-9][0-9]?)\b", name)]
    words = [m for m in re.finditer(r"\b(" + "|".join(sorted(NUMBERS.values(), key=len, reverse=True)) + r")\b", name.upper())]
    options = [(m.start(), m.end(), number_words(int(m.group(1)))) for m in digits]
    inverse = {v: k for k, v in NUMBERS.items()}
    options += [(m.start(), m.end(), str(inverse[m.group(1)])) for m in words]
    if not options:
        return None
    s, t, repl = rng.choice(options)
    return name[:s] + repl + name[t:]


POSITIVE = {
    "as_listed": p_as_listed, "name_order": p_name_order, "title": p_title, "homoglyph": p_homoglyph,
    "invisible": p_invisible, "ocr": p_ocr, "transliteration": p_transliteration,
    "script_cyrillic": script_class(CYRILLIC), "script_georgian": script_class(GEORGIAN),
    "script_armenian": script_class(ARMENIAN), "initials": p_initials, "truncated": p_truncated,
    "particles": p_particles, "typo_short": p_typo_short, "unvowelled": p_unvowelled,
    "legal_form": p_legal_form, "numbers": p_numbers,
}

# ------------------------------------------------------------------ near-miss negatives


def far(a: str, b: str) -> bool:
    """Beyond a typo: different first two letters and lengths that differ or a distance > 2."""
    a, b = a.lower(), b.lower()
    return a[:2] != b[:2] and a[-2:] != b[-2:]


LEGAL_WORDS = {w for long, short in LEGAL for w in (long.split() + [short.strip(".")])} | {
    "SARL", "SRL", "GMBH", "LLC", "SAL", "FZE", "FZCO", "JSC", "PJSC", "OOO", "TOO", "SA", "AD", "AB", "OBSHCHESTVO",
    "OGRANICHENNOI", "OTVETSTVENNOSTYU", "AKTSIONERNOE", "FIRMA", "TRADING", "GROUP", "INTERNATIONAL", "HOLDING"}


def significant(name: str) -> list[str]:
    return [t for t in name_tokens(name) if core(t).upper() not in LEGAL_WORDS and not is_particle(t) and len(core(t)) >= 2]


def n_token_changed(rng, e, pool):
    if e["schema"] == "organization" and len(significant(e["name"])) > 4:
        return None
    tokens = e["name"].split(" ")
    idx = [i for i, t in enumerate(tokens) if len(core(t)) >= 4 and not is_particle(t)]
    if len(name_tokens(e["name"])) < 2 or not idx:
        return None
    i = rng.choice(idx)
    old = core(tokens[i])
    for _ in range(20):
        other = core(rng.choice(name_tokens(rng.choice(pool[e["schema"]])["name"])))
        if len(other) >= 4 and far(old, other) and other.lower() not in PARTICLES and other.upper() not in LEGAL_WORDS:
            tokens[i] = tokens[i].replace(old, other.upper() if old.isupper() else other.capitalize())
            return " ".join(tokens)
    return None


def n_other_family(rng, e, pool):
    if e["schema"] != "person" or ", " not in e["name"]:
        return None
    family, given = split_person(e["name"])
    for _ in range(20):
        other = rng.choice(pool["person"])
        if ", " not in other["name"]:
            continue
        ofam, _ = split_person(other["name"])
        if all(far(core(a), core(b)) for a in family for b in ofam if core(a) and core(b)):
            return join_person(ofam, given)
    return None


def n_bin_swap(rng, e, pool):
    if e["schema"] != "person":
        return None
    family, given = split_person(e["name"])
    order = " ".join(given + family)
    m = re.search(r"^(.*?)\b(BIN|IBN|BEN)\b(.*)$", order, re.I)
    if not m or not m.group(1).strip() or not m.group(3).strip():
        return None
    left, right = m.group(1).split(), m.group(3).split()
    # The kinship word between two given names (`OMAR BIN ABDULLAH`), not part of a surname.
    kin = len(left) - 1 + 1
    if kin > len(given) - 2 or is_particle(left[-1]) or is_particle(right[0]):
        return None
    if core(left[-1]).lower() == core(right[0]).lower():
        return None
    # X BIN Y → Y BIN X: the father and the son change places.
    return " ".join(left[:-1] + right[:1] + [m.group(2)] + left[-1:] + right[1:])


def n_company_token(rng, e, pool):
    if e["schema"] != "organization":
        return None
    tokens = e["name"].split(" ")
    # A distinguishing token among a few: in a long name one changed token is still a match.
    if len(name_tokens(e["name"])) < 3 or not 2 <= len(significant(e["name"])) <= 4:
        return None
    legal = LEGAL_WORDS
    idx = [i for i, t in enumerate(tokens) if len(core(t)) >= 4 and core(t).upper() not in legal and not is_particle(t)]
    if not idx:
        return None
    i = rng.choice(idx)
    old = core(tokens[i])
    for _ in range(20):
        other = core(rng.choice(name_tokens(rng.choice(pool["organization"])["name"])))
        if len(other) >= 4 and far(old, other) and other.upper() not in legal:
            tokens[i] = tokens[i].replace(old, other.upper() if old.isupper() else other.capitalize())
            return " ".join(tokens)
    return None


NEGATIVE = {"neg_token_changed": n_token_changed, "neg_other_family": n_other_family, "neg_bin_swap": n_bin_swap,
            "neg_company_token": n_company_token}


def generate(entries: list[dict], per_class: int, seed: int) -> list[dict]:
    listed = set().union(*(written_orders(e["name"]) for e in entries))
    pool = {"person": [e for e in entries if e["schema"] == "person"],
            "organization": [e for e in entries if e["schema"] == "organization"]}
    rows = []
    for cls, fn in list(POSITIVE.items()) + list(NEGATIVE.items()):
        rng = random.Random(f"{seed}:{cls}")
        order = entries[:]
        rng.shuffle(order)
        made = 0
        seen = set()
        for e in order:
            if made >= per_class:
                break
            name = fn(rng, e) if cls in POSITIVE else fn(rng, e, pool)
            if not name or name in seen:
                continue
            negative = cls in NEGATIVE
            if negative and written_orders(name) & listed:
                continue
            seen.add(name)
            made += 1
            rows.append({"id": f"{cls}:{made}", "class": cls, "name": name, "expected": "" if negative else e["id"],
                         "source": e["name"], "schema": e["schema"]})
    return rows


def run(binary: Path, rows: list[dict], threshold: float, tag: str) -> dict[str, dict]:
    OUT.mkdir(exist_ok=True)
    batch = OUT / "perturb_batch.csv"
    with batch.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name"])
        for r in rows:
            w.writerow([r["id"], r["name"]])
    out = OUT / f"perturb_{tag}.jsonl"
    cmd = [str(binary.resolve()), "screen", "batch", "--input", str(batch), "--output", str(out),
           "--threshold", str(threshold), "--limit", "20"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=OUT)
    if proc.returncode not in (0, 1, 2):
        sys.exit(f"{' '.join(cmd)} failed: {proc.stderr}")
    results = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        results[d["id"]] = d
    return results


def score(rows: list[dict], results: dict[str, dict]) -> dict:
    per = defaultdict(lambda: [0, 0, 0])  # found/hit, total, errors
    misses = defaultdict(list)
    for r in rows:
        d = results.get(r["id"], {})
        ids = [m["entity_id"] for m in d.get("matches", [])]
        stat = per[r["class"]]
        stat[1] += 1
        stat[2] += 1 if "error" in d else 0
        if r["expected"]:
            ok = r["expected"] in ids
        else:
            ok = bool(ids)
        stat[0] += ok
        if (r["expected"] and not ok) or (not r["expected"] and ok):
            misses[r["class"]].append((r["name"], r["source"], ids[:2]))
    pos = [cl for cl in POSITIVE_CLASSES if cl in per]
    neg = [cl for cl in NEGATIVE_CLASSES if cl in per]
    found = sum(per[cl][0] for cl in pos)
    total = sum(per[cl][1] for cl in pos)
    hit = sum(per[cl][0] for cl in neg)
    ntotal = sum(per[cl][1] for cl in neg)
    return {"classes": {cl: {"n": per[cl][1], "rate": per[cl][0] / per[cl][1], "errors": per[cl][2]} for cl in pos + neg},
            "recall": found / total, "negatives_hit": hit / ntotal, "positives": total, "negatives": ntotal,
            "misses": {k: v[:8] for k, v in misses.items()}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clearhouse", type=Path, default=c.DEFAULT_BIN)
    ap.add_argument("--baseline", type=Path, help="a second binary (the version before), run on the same rows")
    ap.add_argument("--per-class", type=int, default=200)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    threshold = args.threshold if args.threshold is not None else c.default_threshold()
    rows = generate(read_sdn(), args.per_class, args.seed)
    OUT.mkdir(exist_ok=True)
    with (OUT / "perturb_rows.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["id", "class", "name", "expected", "source", "schema"])
        w.writeheader()
        w.writerows(rows)
    runs = {}
    if args.baseline:
        runs["before"] = score(rows, run(args.baseline, rows, threshold, "before"))
    runs["after" if args.baseline else "result"] = score(rows, run(args.clearhouse, rows, threshold, "after"))
    names = list(runs)
    print(f"perturbation benchmark: seed {args.seed}, {args.per_class} per class, threshold {threshold}")
    print(f"{'class':<20} {'rows':>5} " + " ".join(f"{n:>8}" for n in names))
    first = runs[names[-1]]
    for cl, stat in first["classes"].items():
        label = "hit" if cl.startswith("neg_") else "found"
        cells = " ".join(f"{runs[n]['classes'][cl]['rate'] * 100:7.1f}%" for n in names)
        print(f"{cl:<20} {stat['n']:>5} {cells}  ({label})")
    print(f"{'recall, all classes':<20} {first['positives']:>5} " + " ".join(f"{runs[n]['recall'] * 100:7.1f}%" for n in names))
    print(f"{'near-miss negatives hit':<20} {first['negatives']:>5} " + " ".join(f"{runs[n]['negatives_hit'] * 100:7.1f}%" for n in names))
    if args.show_misses:
        for cl, items in first["misses"].items():
            print(f"\n{cl}:")
            for name, source, ids in items:
                print(f"  {name!r}  (from {source!r})  → {ids}")
    (OUT / "perturb_summary.json").write_text(json.dumps({"threshold": threshold, "seed": args.seed, **runs}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
