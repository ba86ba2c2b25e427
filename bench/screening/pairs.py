#!/usr/bin/env python3
"""Labelled name pairs: pairwise F1 of `clearhouse screen compare --pairs` and of
OpenSanctions nomenklatura's logic-v2, in one run (issue 14, "Measure").

The pair set is assembled from public facts of the OFAC SDN list of July 2021
(/work/shared/data/lists/ofac_sdn_2021.csv and ofac_alt_2021.csv, US government data):

* true pairs: an entry's primary name and one of its `aka` names (OFAC's own statement that both
  name the same person or company);
* false pairs: the primary names of two different entries of the same kind that share a name part
  of four letters or more (so not trivially different: `AL-TIKRITI` vs another `AL-TIKRITI`).

Persons and companies, half true and half false, drawn with a fixed seed; written to
`bench/screening/pairs_ofac_2021.csv` (name1,name2,schema,label,source) when `--build` is given.
F1 counts a pair as predicted same when the score is at or above the threshold: ours at the
CLI's default, nomenklatura at 0.7 (yente's usual threshold); the best threshold of each on this
set is shown too. Runs under bench/screening/.venv (with nomenklatura) if it exists; without it
only our side is measured.

Usage: python3 bench/screening/pairs.py [--build] [--clearhouse BIN] [--pairs N]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV_PY = HERE / ".venv" / "bin" / "python"
try:
    import nomenklatura  # noqa: F401
    HAVE_NK = True
except ImportError:
    if VENV_PY.exists() and Path(sys.prefix).resolve() != (HERE / ".venv").resolve():
        os.execv(str(VENV_PY), [str(VENV_PY), __file__, *sys.argv[1:]])
    HAVE_NK = False

import common as c  # noqa: E402

LISTS = c.DATA / "lists"
PAIRS = HERE / "pairs_ofac_2021.csv"
SEED = 20261206
NK_USUAL = 0.7
COMMON = {"al", "el", "bin", "ibn", "abu", "abd", "the", "and", "for", "company", "limited", "ltd", "co", "llc",
          "corporation", "corp", "inc", "sa", "de", "trading", "group", "international", "bank", "general",
          "industries", "industrial", "holding", "services", "joint", "stock", "mohammad", "muhammad", "mohammed",
          "ahmad", "ahmed", "ali", "abdul", "abdullah"}


def read_ofac() -> tuple[dict[str, dict], dict[str, list[str]]]:
    entries = {}
    with (LISTS / "ofac_sdn_2021.csv").open(encoding="latin-1", newline="") as f:
        for row in csv.reader(f):
            if len(row) < 3 or not row[0].strip().isdigit():
                continue
            kind = row[2].strip().lower()
            schema = "Person" if kind == "individual" else "Company" if kind == "-0-" else None
            if schema:
                entries[row[0].strip()] = {"name": row[1].strip(), "schema": schema}
    akas = defaultdict(list)
    with (LISTS / "ofac_alt_2021.csv").open(encoding="latin-1", newline="") as f:
        for row in csv.reader(f):
            if len(row) >= 4 and row[0].strip() in entries and row[2].strip().lower() == "aka":
                akas[row[0].strip()].append(row[3].strip())
    return entries, akas


def parts(name: str) -> set[str]:
    return {t for t in re.split(r"[^a-z]+", c.fold(name)) if len(t) >= 4 and t not in COMMON}


def build(n: int) -> list[dict]:
    entries, akas = read_ofac()
    rng = random.Random(SEED)
    rows = []
    for schema in ("Person", "Company"):
        ids = sorted(e for e in entries if entries[e]["schema"] == schema)
        with_aka = [e for e in ids if akas.get(e)]
        rng.shuffle(with_aka)
        for e in with_aka[: n // 4]:
            rows.append({"name1": entries[e]["name"], "name2": rng.choice(akas[e]), "schema": schema, "label": 1,
                         "source": f"OFAC SDN 2021 ent_num {e}: primary name and a.k.a."})
        by_part = defaultdict(list)
        for e in ids:
            for p in parts(entries[e]["name"]):
                by_part[p].append(e)
        shared = [p for p, es in sorted(by_part.items()) if len(es) >= 2]
        made, seen = 0, set()
        while made < n // 4:
            p = rng.choice(shared)
            a, b = rng.sample(by_part[p], 2)
            key = tuple(sorted((a, b)))
            if key in seen or entries[a]["name"].lower() == entries[b]["name"].lower():
                continue
            seen.add(key)
            made += 1
            rows.append({"name1": entries[a]["name"], "name2": entries[b]["name"], "schema": schema, "label": 0,
                         "source": f"OFAC SDN 2021 ent_num {a} and {b}: different entries sharing '{p}'"})
    return rows


def f1_at(scores: list[float], labels: list[int], t: float) -> tuple[float, float, float]:
    tp = sum(1 for s, y in zip(scores, labels) if s >= t and y)
    fp = sum(1 for s, y in zip(scores, labels) if s >= t and not y)
    fn = sum(1 for s, y in zip(scores, labels) if s < t and y)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def ours(binary: Path, rows: list[dict]) -> tuple[list[float], float]:
    c.HERE.joinpath("out").mkdir(exist_ok=True)
    path = HERE / "out" / "pairs_input.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name1", "name2", "schema"])
        for r in rows:
            w.writerow([r["name1"], r["name2"], r["schema"]])
    start = time.perf_counter()
    proc = subprocess.run([str(binary.resolve()), "screen", "compare", "--pairs", str(path)], capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 2):
        sys.exit(f"screen compare failed: {proc.stderr}")
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    return [d.get("score", 0.0) for d in out], elapsed


def nomenklatura_scores(rows: list[dict]) -> tuple[list[float], float]:
    from followthemoney import model
    from nomenklatura.matching import LogicV2

    config = LogicV2.default_config()
    scores = []
    start = time.perf_counter()
    for i, r in enumerate(rows):
        a = model.make_entity(r["schema"])
        a.id = f"q{i}"
        a.add("name", r["name1"])
        b = model.make_entity(r["schema"])
        b.id = f"c{i}"
        b.add("name", r["name2"])
        scores.append(LogicV2.compare(a, b, config).score)
    return scores, time.perf_counter() - start


def report(label: str, scores: list[float], labels: list[int], threshold: float) -> None:
    f1, p, r = f1_at(scores, labels, threshold)
    best = max((f1_at(scores, labels, t / 100)[0], t / 100) for t in range(50, 100))
    print(f"{label:<34} {threshold:>5.2f} {f1:7.3f} {p:9.3f} {r:7.3f}   best F1 {best[0]:.3f} at {best[1]:.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", action="store_true", help=f"rebuild {PAIRS.name} from the OFAC files")
    ap.add_argument("--pairs", type=int, default=600, help="pairs to build (a quarter per kind and label)")
    ap.add_argument("--clearhouse", type=Path, default=c.DEFAULT_BIN)
    args = ap.parse_args()
    if args.build or not PAIRS.exists():
        rows = build(args.pairs)
        with PAIRS.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=["name1", "name2", "schema", "label", "source"])
            w.writeheader()
            w.writerows(rows)
    with PAIRS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    labels = [int(r["label"]) for r in rows]
    kinds = defaultdict(int)
    for r in rows:
        kinds[(r["schema"], r["label"])] += 1
    print(f"{len(rows)} labelled pairs from {PAIRS.name}: " + ", ".join(f"{k[0]} {'same' if k[1] == '1' else 'different'} {v}"
                                                                        for k, v in sorted(kinds.items())))
    print(f"{'engine':<34} {'thr':>5} {'F1':>7} {'precision':>9} {'recall':>7}")
    threshold = c.default_threshold()
    mine, mine_s = ours(args.clearhouse, rows)
    report("clearhouse screen compare", mine, labels, threshold)
    for schema in ("Person", "Company"):
        idx = [i for i, r in enumerate(rows) if r["schema"] == schema]
        report("  persons" if schema == "Person" else "  companies", [mine[i] for i in idx], [labels[i] for i in idx], threshold)
    if HAVE_NK:
        from importlib.metadata import version
        nk, nk_s = nomenklatura_scores(rows)
        report(f"nomenklatura {version('nomenklatura')} logic-v2", nk, labels, NK_USUAL)
        for schema in ("Person", "Company"):
            idx = [i for i, r in enumerate(rows) if r["schema"] == schema]
            report("  persons" if schema == "Person" else "  companies", [nk[i] for i in idx], [labels[i] for i in idx], NK_USUAL)
        print(f"time: clearhouse {mine_s:.2f} s for the file (process start and name groups included), "
              f"nomenklatura {nk_s:.2f} s")
    else:
        print("nomenklatura is not installed (bench/screening/.venv): only our side was measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
