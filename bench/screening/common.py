"""Shared helpers for the screening evaluation harness (stdlib only).

- parse the UN Security Council consolidated XML into plain records;
- derive the ground truth for the UN positives (the eval rows carry no UN reference);
- write the CSV inputs our CLI reads and run it, timing each run;
- the "same person" approximation used for precision.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import time
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DATA = Path(os.environ.get("CLEARHOUSE_EVAL_DATA", "/work/shared/data"))
EVAL = DATA / "eval"
UN_XML = DATA / "lists" / "UN_consolidated.xml"
BUNDLED_UN_XML = REPO / "crates" / "screening" / "data" / "lists" / "UN_consolidated.xml"
DEFAULT_BIN = REPO / "target" / "release" / "clearhouse"
SCREENER_RS = REPO / "crates" / "screening" / "src" / "screener.rs"

POSITIVE_SETS = ("untreated", "treated")


# ---------------------------------------------------------------- UN list


@dataclass
class UNRecord:
    ref: str  # REFERENCE_NUMBER, e.g. "QDi.325"
    schema: str  # "Person" or "Organization"
    name: str  # FIRST_NAME..FOURTH_NAME joined by spaces
    aliases: list[str] = field(default_factory=list)
    weak_aliases: list[str] = field(default_factory=list)  # QUALITY "Low"
    original_script: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)  # YYYY or YYYY-MM-DD
    birth_years: set[int] = field(default_factory=set)
    nationalities: list[str] = field(default_factory=list)

    @property
    def entity_id(self) -> str:
        return f"un_sc:{self.ref}"

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases, *self.weak_aliases, *self.original_script]


def _text(elem: ET.Element | None, tag: str) -> str:
    if elem is None:
        return ""
    found = elem.find(tag)
    if found is None or found.text is None:
        return ""
    return " ".join(found.text.split())


def parse_un(path: Path = UN_XML) -> list[UNRecord]:
    root = ET.parse(path).getroot()
    records: list[UNRecord] = []
    for kind, schema, alias_tag in (
        ("INDIVIDUALS", "Person", "INDIVIDUAL_ALIAS"),
        ("ENTITIES", "Organization", "ENTITY_ALIAS"),
    ):
        section = root.find(kind)
        if section is None:
            continue
        for elem in section:
            name = " ".join(
                part
                for part in (_text(elem, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"))
                if part
            )
            rec = UNRecord(ref=_text(elem, "REFERENCE_NUMBER"), schema=schema, name=name)
            for alias in elem.findall(alias_tag):
                alias_name = _text(alias, "ALIAS_NAME")
                if not alias_name:
                    continue
                if _text(alias, "QUALITY").lower() == "low":
                    rec.weak_aliases.append(alias_name)
                else:
                    rec.aliases.append(alias_name)
            script = _text(elem, "NAME_ORIGINAL_SCRIPT")
            if script:
                rec.original_script.append(script)
            for dob in elem.findall("INDIVIDUAL_DATE_OF_BIRTH"):
                date, year = _text(dob, "DATE"), _text(dob, "YEAR")
                y_from, y_to = _text(dob, "FROM_YEAR"), _text(dob, "TO_YEAR")
                if date:
                    rec.birth_dates.append(date[:10])
                    if date[:4].isdigit():
                        rec.birth_years.add(int(date[:4]))
                elif year.isdigit():
                    rec.birth_dates.append(year)
                    rec.birth_years.add(int(year))
                elif y_from.isdigit() and y_to.isdigit() and int(y_to) - int(y_from) <= 20:
                    for y in range(int(y_from), int(y_to) + 1):
                        rec.birth_dates.append(str(y))
                        rec.birth_years.add(y)
            nat = elem.find("NATIONALITY")
            if nat is not None:
                rec.nationalities = [" ".join(v.text.split()) for v in nat.findall("VALUE") if v.text and v.text.strip()]
            records.append(rec)
    return records


# ---------------------------------------------------------------- names


def fold(text: str) -> str:
    """Case-insensitive, whitespace-collapsed form used for exact ground-truth mapping."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)


def tokens(text: str) -> set[str]:
    """Name tokens for the same-person approximation: NFKD, marks stripped, case folded,
    split on anything that is not a letter or digit; tokens of one character dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return {t for t in _TOKEN_RE.findall(stripped.casefold()) if len(t) > 1}


def year_of(text: str) -> int | None:
    m = re.match(r"\s*(\d{4})", text or "")
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- ground truth


@dataclass
class Truth:
    """Per positive row (0-based index, same for untreated and treated): the UN records any of
    which is the right answer (usually one; empty = not mapped, excluded)."""

    expected: list[list[UNRecord]]
    unmapped: list[tuple[int, str, str]]  # (data row number, 1-based, name, reason)
    ties: list[tuple[int, str, list[str], str]]  # (row, name, candidate refs, resolution)


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def derive_truth(records: list[UNRecord], untreated: list[dict[str, str]]) -> Truth:
    """Maps each untreated row to the UN individual whose full name or an alias equals it
    (case-insensitive); ties broken by birth year. When the tied entries share the birth year
    (the same person listed under two regimes, e.g. QDi.042 / SOi.002), either counts."""
    index: dict[str, list[UNRecord]] = {}
    for rec in records:
        if rec.schema != "Person":
            continue
        for n in {fold(x) for x in rec.all_names() if x}:
            index.setdefault(n, []).append(rec)
    expected: list[list[UNRecord]] = []
    unmapped: list[tuple[int, str, str]] = []
    ties: list[tuple[int, str, list[str], str]] = []
    for i, row in enumerate(untreated):
        name = row["full_name"]
        cands = list({r.ref: r for r in index.get(fold(name), [])}.values())
        if not cands:
            expected.append([])
            unmapped.append((i + 1, name, "no UN individual has this name or alias (delisted since the fixture was made?)"))
            continue
        if len(cands) == 1:
            expected.append(cands)
            continue
        year = year_of(row.get("date_of_birth", ""))
        by_year = [r for r in cands if year is not None and year in r.birth_years]
        refs = [r.ref for r in cands]
        if len(by_year) == 1:
            ties.append((i + 1, name, refs, f"{by_year[0].ref} by birth year"))
            expected.append(by_year)
        else:
            accept = by_year or cands
            ties.append((i + 1, name, refs, f"same name and birth year: any of {', '.join(r.ref for r in accept)} counts"))
            expected.append(accept)
    return Truth(expected, unmapped, ties)


def adjust_treated(records: list[UNRecord], treated: list[dict[str, str]], truth: Truth) -> tuple[Truth, list[str]]:
    """The treated file is row-for-row the untreated one with typos, except where the "treatment"
    turned a row into another listed person: its name is exactly another UN individual's name or
    alias AND its birth year is that individual's (e.g. row 392: MOHAMMAD BARZAN … 1972 became
    NOOR BARZAN … 1983, who is IQi.065). Such rows expect that other individual. Returns the
    adjusted truth and notes."""
    index: dict[str, list[UNRecord]] = {}
    for rec in records:
        if rec.schema == "Person":
            for n in {fold(x) for x in rec.all_names() if x}:
                index.setdefault(n, []).append(rec)
    expected = list(truth.expected)
    notes = []
    for i, row in enumerate(treated):
        if not expected[i]:
            continue
        exp = {r.ref for r in expected[i]}
        year = year_of(row.get("date_of_birth", ""))
        others = [r for r in index.get(fold(row["full_name"]), []) if r.ref not in exp and year in r.birth_years]
        if others and not any(year in r.birth_years for r in expected[i]):
            notes.append(f"treated row {i + 1} {row['full_name']!r} ({row.get('date_of_birth')}) is {others[0].ref}, "
                         f"not the untreated row's {', '.join(sorted(exp))}: expected {others[0].ref}")
            expected[i] = others[:1]
    return Truth(expected, truth.unmapped, truth.ties), notes


def same_person(match: dict, recs: list[UNRecord]) -> bool:
    """Approximation of "this match is the expected person, possibly on another list":
    the match's caption (or the listed name it matched) shares >= 2 name tokens with the
    UN name or one of its aliases, or the match's listed birth year equals the UN birth year
    (read from the birth_date qualifier of the match's explanation)."""
    if any(match.get("entity_id") == rec.entity_id for rec in recs):
        return True
    listed = {match.get("caption", "")}
    expl = match.get("explanation") or {}
    if isinstance(expl, dict) and expl.get("matched_name"):
        listed.add(expl["matched_name"])
    listed_tokens = set().union(*(tokens(x) for x in listed))
    names = [n for rec in recs for n in rec.all_names()]
    years = set().union(*(rec.birth_years for rec in recs))
    for n in names:
        if len(tokens(n) & listed_tokens) >= 2:
            return True
    if years and isinstance(expl, dict):
        for q in expl.get("qualifiers") or []:
            if q.get("field") == "birth_date":
                listed_years = {int(y) for y in re.findall(r"\b(1[89]\d\d|20\d\d)\b", q.get("listed", ""))}
                if listed_years & years:
                    return True
    return False


# ---------------------------------------------------------------- metrics


def pos_metrics(outputs: dict[str, dict], truth: Truth, threshold: float, limit: int,
                indices: list[int] | None = None) -> dict:
    """Positives: output objects keyed by id = 1-based row number; `indices` (0-based) restricts
    the rows counted (a sample), unmapped rows are always skipped."""
    n = found = strict = lenient = anyhit = errors = 0
    n_matches = good_matches = 0
    for i in (range(len(truth.expected)) if indices is None else indices):
        recs = truth.expected[i]
        if not recs:
            continue
        n += 1
        obj = outputs.get(str(i + 1), {})
        errors += bool(obj.get("error"))
        matches = [m for m in obj.get("matches", []) if m["score"] >= threshold][:limit]
        ids = {r.entity_id for r in recs}
        hit = any(m["entity_id"] in ids for m in matches)
        found += hit
        anyhit += bool(matches)
        first_ok = bool(matches) and matches[0]["entity_id"] in ids
        strict += first_ok
        lenient += first_ok or (hit and same_person(matches[0], recs))
        n_matches += len(matches)
        good_matches += sum(same_person(m, recs) for m in matches)
    return {
        "rows": n,
        "recall": found / n,
        "top1_strict": strict / n,
        "top1_lenient": lenient / n,
        "any_hit": anyhit / n,
        "precision": good_matches / n_matches if n_matches else float("nan"),
        "matches": n_matches,
        "errors": errors,
    }


def neg_metrics(outputs: dict[str, dict], threshold: float, limit: int) -> dict:
    n = len(outputs)
    hits = [o for o in outputs.values() if any(m["score"] >= threshold for m in o.get("matches", []))]
    return {
        "rows": n,
        "rows_hit": len(hits),
        "fp_rate": len(hits) / n if n else float("nan"),
        "errors": sum(bool(o.get("error")) for o in outputs.values()),
    }


# ---------------------------------------------------------------- CLI


def binary_stamp(binary: Path) -> str:
    """Modification time of the binary under test (the lead rebuilds it while we measure)."""
    try:
        st = binary.stat()
    except OSError:
        return "missing"
    return time.strftime("built %Y-%m-%d %H:%M:%S", time.localtime(st.st_mtime))


def snapshot_binary(binary: Path, work: Path) -> Path:
    """Copies the binary under test into the work directory, so that a rebuild of
    target/release during the run (other engineers build too) cannot mix two versions."""
    import shutil

    work.mkdir(parents=True, exist_ok=True)
    dest = work / "clearhouse-under-test"
    shutil.copy2(binary, dest)
    return dest


def default_threshold() -> float:
    """The CLI's default threshold, read from the screening crate (fallback 0.80)."""
    try:
        m = re.search(r"DEFAULT_THRESHOLD\s*:\s*f64\s*=\s*([0-9.]+)", SCREENER_RS.read_text())
        if m:
            return float(m.group(1))
    except OSError:
        pass
    return 0.80


def write_batch_csv(rows: list[dict[str, str]], path: Path, ids: list[str] | None = None) -> None:
    """Our batch input: id (row number unless given), full_name, date_of_birth, nationality, schema=person."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "full_name", "date_of_birth", "nationality", "schema"])
        for i, row in enumerate(rows):
            w.writerow([ids[i] if ids else str(i + 1), row["full_name"], row.get("date_of_birth", ""), row.get("nationality", ""), "person"])


def run_batch(
    binary: Path,
    input_csv: Path,
    output_jsonl: Path,
    threshold: float,
    limit: int,
    lists: list[Path] | None = None,
    quiet: bool = False,
) -> tuple[dict[str, dict], float]:
    """Runs `clearhouse screen batch`; returns ({id: output object}, wall-clock seconds)."""
    cmd = [str(binary), "screen", "batch", "--input", str(input_csv), "--output", str(output_jsonl),
           "--threshold", str(threshold), "--limit", str(limit)]
    if lists:
        cmd += ["--lists", *map(str, lists)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    # Exit 0 = no hit, 1 = some hit; 2 = error (rows that failed still produce an object with "error").
    if proc.returncode not in (0, 1, 2) or not output_jsonl.exists():
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    out: dict[str, dict] = {}
    with open(output_jsonl, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                out[str(obj["id"])] = obj
    if proc.returncode == 2 and not quiet:
        errors = [o for o in out.values() if o.get("error")]
        print(f"  note: {output_jsonl.name}: exit 2, {len(errors)} row(s) with an error, e.g. {errors[0].get('query')!r}: {errors[0].get('error')}")
    return out, elapsed


def startup_seconds(binary: Path, workdir: Path, lists: list[Path] | None = None) -> float:
    """Wall clock of a one-row batch: loading and indexing the lists, process start."""
    one = workdir / "startup.csv"
    write_batch_csv([{"full_name": "John Smith"}], one)
    best = float("inf")
    for _ in range(2):
        _, t = run_batch(binary, one, workdir / "startup.jsonl", 0.9, 1, lists, quiet=True)
        best = min(best, t)
    return best
