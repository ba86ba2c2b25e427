#!/usr/bin/env python3
"""Side by side, on the same queries: OpenSanctions nomenklatura's logic-v2 matcher and
`clearhouse screen batch`.

nomenklatura has no candidate index (yente asks Elasticsearch for candidates), so each query is
scored by `LogicV2.compare(query, candidate, config)` against the SAME candidate set: every entry
of the UN Security Council consolidated list (1,003 FtM Person/Organization entities with names,
aliases, weak aliases, original-script names, birth dates, nationalities; id = un_sc:<REF>).
Time per query = total scoring time / queries (one Python thread).

Our CLI is run on exactly the same sample twice: against the UN list only (`--lists` the bundled
UN_consolidated.xml: same candidate set) and against all bundled lists (the production setting).

Needs the venv with nomenklatura (bench/screening/.venv); re-executes itself under it if started
with another interpreter.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV_PY = HERE / ".venv" / "bin" / "python"

try:
    import nomenklatura  # noqa: F401
except ImportError:
    if VENV_PY.exists() and Path(sys.prefix).resolve() != (HERE / ".venv").resolve():
        os.execv(str(VENV_PY), [str(VENV_PY), __file__, *sys.argv[1:]])
    sys.exit("nomenklatura is not installed: python3 -m venv bench/screening/.venv && "
             "bench/screening/.venv/bin/pip install nomenklatura")

from importlib.metadata import version  # noqa: E402

from followthemoney import model  # noqa: E402
from nomenklatura.matching import LogicV2  # noqa: E402

import common as c  # noqa: E402

GRID = [round(0.5 + 0.025 * k, 3) for k in range(19)]  # 0.500 .. 0.950
NK_USUAL = 0.7  # yente's default match threshold for logic-v2


def widen_caches(maxsize: int = 1 << 20) -> int:
    """nomenklatura memoises name analysis per entity (hash = entity id) in lru_caches of
    MEMO_BATCH = 1,000 entries. Scoring every query against 1,003 candidates in a fixed order
    would evict every entry before its reuse, so each candidate's names would be re-analysed for
    every query. Give those caches room for all candidates, as an index would: the fairest, fastest
    setting for nomenklatura. Returns how many caches were widened."""
    replaced: dict[int, object] = {}
    for name, mod in list(sys.modules.items()):
        if not name.startswith(("nomenklatura", "rigour", "followthemoney")) or mod is None:
            continue
        for attr, obj in list(vars(mod).items()):
            params = getattr(obj, "cache_parameters", None)
            if params is None or not hasattr(obj, "__wrapped__"):
                continue
            p = params()
            if p.get("maxsize") is None or p["maxsize"] >= maxsize:
                continue
            if id(obj) not in replaced:
                replaced[id(obj)] = functools.lru_cache(maxsize=maxsize, typed=p.get("typed", False))(obj.__wrapped__)
            setattr(mod, attr, replaced[id(obj)])
    return len(replaced)


def candidate_entities(records: list[c.UNRecord]):
    out = []
    for rec in records:
        e = model.make_entity(rec.schema)
        e.id = rec.entity_id
        e.add("name", rec.name)
        for a in rec.aliases + rec.original_script:
            e.add("alias", a)
        for a in rec.weak_aliases:
            e.add("weakAlias", a)
        if rec.schema == "Person":
            for d in rec.birth_dates:
                e.add("birthDate", d)
            for n in rec.nationalities:
                e.add("nationality", n)
        else:
            for n in rec.nationalities:
                e.add("country", n)
        out.append(e)
    return out


def query_entity(qid: str, row: dict[str, str]):
    e = model.make_entity("Person")
    e.id = qid  # unique per query: name analysis is cached by id
    e.add("name", row["full_name"])
    if row.get("date_of_birth"):
        e.add("birthDate", row["date_of_birth"])
    if row.get("nationality"):
        e.add("nationality", row["nationality"])
    return e


def nk_score_all(queries, candidates, config) -> tuple[list[list[tuple[str, float]]], float]:
    """For each query, (entity_id, score) of the 20 best candidates; total seconds."""
    results = []
    start = time.perf_counter()
    for q in queries:
        scored = [(cand.id, LogicV2.compare(q, cand, config).score) for cand in candidates]
        scored.sort(key=lambda x: -x[1])
        results.append(scored[:20])
    return results, time.perf_counter() - start


def as_outputs(ids: list[str], scored: list[list[tuple[str, float]]]) -> dict[str, dict]:
    """nomenklatura results in our batch output shape, for the shared metric code."""
    return {i: {"id": i, "matches": [{"entity_id": e, "caption": e, "score": s} for e, s in r]} for i, r in zip(ids, scored)}


def pick_best_threshold(rows: dict[float, dict]) -> float:
    """Highest min(top-1 untreated, top-1 treated) with <= 0.1 % negatives hit; if no threshold
    keeps negatives that low, the one with the fewest negatives hit (then the best top-1)."""
    ok = [t for t, r in rows.items() if r["neg"]["fp_rate"] <= 0.001]
    if ok:
        return max(ok, key=lambda t: (min(rows[t]["untreated"]["top1_strict"], rows[t]["treated"]["top1_strict"]), -rows[t]["neg"]["fp_rate"], t))
    return min(rows, key=lambda t: (rows[t]["neg"]["fp_rate"], -min(rows[t]["untreated"]["top1_strict"], rows[t]["treated"]["top1_strict"])))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clearhouse", type=Path, default=c.DEFAULT_BIN)
    ap.add_argument("--positives", type=int, default=200, help="sampled rows of EACH positive set (the same persons in both)")
    ap.add_argument("--negatives", type=int, default=2000, help="sampled negative rows")
    ap.add_argument("--seed", type=int, default=20260227)
    ap.add_argument("--threshold", type=float, default=None, help="our threshold (default: the CLI's DEFAULT_THRESHOLD)")
    ap.add_argument("--limit", type=int, default=5)
    ap.add_argument("--default-caches", action="store_true", help="leave nomenklatura's 1,000-entry caches as they are")
    ap.add_argument("--timing-rows", type=int, default=20000, help="our timing batches repeat each set's sample to this many rows")
    ap.add_argument("--skip-ours", action="store_true", help="only run nomenklatura (e.g. while the CLI does not build)")
    ap.add_argument("--work", type=Path, default=c.HERE / "out")
    args = ap.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    ours_t = args.threshold if args.threshold is not None else c.default_threshold()

    records = c.parse_un()
    rows = {s: c.read_rows(c.EVAL / f"positives_un_{s}.csv") for s in c.POSITIVE_SETS}
    truth = c.derive_truth(records, rows["untreated"])
    truth_treated, _ = c.adjust_treated(records, rows["treated"], truth)
    negatives = c.read_rows(c.EVAL / "negatives_global.csv")
    rng = random.Random(args.seed)
    mapped = [i for i, e in enumerate(truth.expected) if e]
    pos_idx = sorted(rng.sample(mapped, min(args.positives, len(mapped))))
    neg_idx = sorted(rng.sample(range(len(negatives)), min(args.negatives, len(negatives))))
    sample = {
        "untreated": (pos_idx, [rows["untreated"][i] for i in pos_idx]),
        "treated": (pos_idx, [rows["treated"][i] for i in pos_idx]),
        "negatives": (neg_idx, [negatives[i] for i in neg_idx]),
    }

    widened = 0 if args.default_caches else widen_caches()
    print(f"nomenklatura side by side — {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores")
    print(f"nomenklatura {version('nomenklatura')}, followthemoney {version('followthemoney')}, rigour {version('rigour')};"
          f" algorithm {LogicV2.NAME}, default config; {'caches left at 1,000 entries' if args.default_caches else f'{widened} name-analysis caches widened to hold every candidate'}")
    if not args.skip_ours:
        if not args.clearhouse.exists():
            print(f"no binary at {args.clearhouse}; run with --skip-ours or build it", file=sys.stderr)
            return 2
        print(f"clearhouse: {args.clearhouse} ({c.binary_stamp(args.clearhouse)}, run from a copy), threshold {ours_t}, limit {args.limit}")
        args.clearhouse = c.snapshot_binary(args.clearhouse, work)
    print(f"sample (seed {args.seed}): {len(pos_idx)} untreated + {len(pos_idx)} treated positives (same persons), {len(neg_idx)} negatives;"
          f" candidates: all {len(records)} UN entries")
    print()

    # ------------------------------------------------------------ nomenklatura
    candidates = candidate_entities(records)
    config = LogicV2.default_config()
    # Warm up: analyse every candidate's names once (as an index build would), not timed.
    warm = query_entity("warmup", {"full_name": "John Smith"})
    t0 = time.perf_counter()
    for cand in candidates:
        LogicV2.compare(warm, cand, config)
    warm_s = time.perf_counter() - t0
    nk_out, nk_time = {}, {}
    for s, (idx, srows) in sample.items():
        ids = [str(i + 1) for i in idx]
        queries = [query_entity(f"q:{s}:{i}", r) for i, r in zip(ids, srows)]
        scored, secs = nk_score_all(queries, candidates, config)
        nk_out[s], nk_time[s] = as_outputs(ids, scored), secs
        print(f"  nomenklatura {s}: {len(queries)} queries in {secs:.1f} s ({1000 * secs / len(queries):.1f} ms/query)", flush=True)
    print(f"  (first pass over the candidates, analysing their names: {warm_s:.2f} s, not counted)")

    def metrics(outputs: dict[str, dict], t: float) -> dict:
        return {
            "untreated": c.pos_metrics(outputs["untreated"], truth, t, args.limit, pos_idx),
            "treated": c.pos_metrics(outputs["treated"], truth_treated, t, args.limit, pos_idx),
            "neg": c.neg_metrics(outputs["negatives"], t, args.limit),
        }

    nk_grid = {t: metrics(nk_out, t) for t in GRID}
    nk_best = pick_best_threshold(nk_grid)

    # ------------------------------------------------------------ ours
    ours: dict[str, dict] = {}
    if not args.skip_ours:
        for label, lists in (("UN only", [c.BUNDLED_UN_XML]), ("all lists", None)):
            startup = c.startup_seconds(args.clearhouse, work, lists)
            outs, secs = {}, {}
            for s, (idx, srows) in sample.items():
                path = work / f"sbs_{s}.csv"
                c.write_batch_csv(srows, path, ids=[str(i + 1) for i in idx])
                outs[s], _ = c.run_batch(args.clearhouse, path, work / f"sbs_{s}_{label.replace(' ', '_')}.jsonl",
                                         ours_t, args.limit, lists, quiet=True)
            # Timing: a few hundred queries take less than the start-up noise, so each set's sample is
            # repeated to >= --timing-rows rows in one batch; (wall - start-up) / rows. Then the same
            # on one core (RAYON_NUM_THREADS=1), for a per-core comparison with one Python thread.
            secs, secs1 = {}, {}
            for cores, store in ((None, secs), ("1", secs1)):
                if cores:
                    os.environ["RAYON_NUM_THREADS"] = cores
                try:
                    startup = c.startup_seconds(args.clearhouse, work, lists)
                    for s, (idx, srows) in sample.items():
                        reps = max(1, -(-args.timing_rows // len(srows)))
                        path = work / f"sbs_{s}_timing.csv"
                        c.write_batch_csv(srows * reps, path)
                        _, wall = c.run_batch(args.clearhouse, path, work / "sbs_timing.jsonl", ours_t, args.limit, lists, quiet=True)
                        store[s] = max(wall - startup, 1e-9) / (len(srows) * reps) * len(srows)  # seconds for the sample once
                finally:
                    os.environ.pop("RAYON_NUM_THREADS", None)
            ours[label] = {"m": metrics(outs, ours_t), "secs": secs, "secs1": secs1, "startup": startup}

    # ------------------------------------------------------------ the table
    sizes = {s: len(v[0]) for s, v in sample.items()}
    print()
    print("== side by side (recall / top-1 / any-hit rate; for negatives any-hit = false-positive rate) ==")
    print("   top-1: the first match is the expected UN entity (strict); for 'all lists' also lenient: the first match is")
    print("   another list's entry for the same person and the UN entity is matched too. Times: mean ms per query,")
    print("   nomenklatura = scoring all 1,003 UN entries in one Python thread; ours = batch wall clock minus the one-row")
    print(f"   startup run (loading + indexing the lists), each set's sample repeated to >= {args.timing_rows:,} rows, on 2 cores and on 1 core (RAYON_NUM_THREADS=1).")
    hdr = f"{'engine':<38}{'set':<11}{'rows':>6}{'recall':>9}{'top-1':>9}{'top-1 len':>10}{'any hit':>9}{'ms/query':>10}{'ms/q 1 core':>12}"
    print(hdr)
    print("-" * len(hdr))
    lines = []
    for label, t in ((f"nomenklatura logic-v2 @ {NK_USUAL} (usual)", NK_USUAL), (f"nomenklatura logic-v2 @ {nk_best} (best)", nk_best)):
        m = nk_grid[t] if t in nk_grid else metrics(nk_out, t)
        for s, key in (("untreated", "untreated"), ("treated", "treated"), ("negatives", "neg")):
            ms = 1000 * nk_time[s] / sizes[s]
            lines.append((label, s, m[key], ms, ms))
    for label, o in ours.items():
        for s, key in (("untreated", "untreated"), ("treated", "treated"), ("negatives", "neg")):
            lines.append((f"clearhouse {label} @ {ours_t}", s, o["m"][key], 1000 * o["secs"][s] / sizes[s], 1000 * o["secs1"][s] / sizes[s]))
    for label, s, m, ms, ms1 in lines:
        if s == "negatives":
            print(f"{label:<38}{s:<11}{m['rows']:>6}{'—':>9}{'—':>9}{'—':>10}{c_pct(m['fp_rate']):>9}{ms:>10.3f}{ms1:>12.3f}")
        else:
            print(f"{label:<38}{s:<11}{m['rows']:>6}{c_pct(m['recall']):>9}{c_pct(m['top1_strict']):>9}{c_pct(m['top1_lenient']):>10}"
                  f"{c_pct(m['any_hit']):>9}{ms:>10.3f}{ms1:>12.3f}")
    if ours:
        nk_all = sum(nk_time.values()) / sum(sizes.values())
        print()
        for label, o in ours.items():
            our = sum(o["secs"].values()) / sum(sizes.values())
            our1 = sum(o["secs1"].values()) / sum(sizes.values())
            print(f"speed, all {sum(sizes.values())} queries: nomenklatura {1000 * nk_all:.2f} ms/query; clearhouse {label}"
                  f" {1000 * our:.3f} ms/query on 2 cores ({nk_all / our:,.0f}x faster), {1000 * our1:.3f} ms/query on 1 core"
                  f" ({nk_all / our1:,.0f}x faster); startup {o['startup']:.2f} s not included")
        for label, o in ours.items():
            errs = {k: o["m"][k]["errors"] for k in ("untreated", "treated", "neg") if o["m"][k]["errors"]}
            if errs:
                print(f"clearhouse {label}: rows refused with an error (counted as no hit): {errs}")

    print()
    print("== nomenklatura logic-v2 threshold sweep (same sample; top-1 strict) ==")
    print(f"{'thr':>6}{'untr rec':>10}{'top-1':>9}{'trt rec':>10}{'top-1':>9}{'neg hit':>9}{'rows':>6}")
    for t in GRID:
        m = nk_grid[t]
        mark = "  <- best" if t == nk_best else ("  <- usual" if t == NK_USUAL else "")
        print(f"{t:>6.3f}{c_pct(m['untreated']['recall']):>10}{c_pct(m['untreated']['top1_strict']):>9}{c_pct(m['treated']['recall']):>10}"
              f"{c_pct(m['treated']['top1_strict']):>9}{c_pct(m['neg']['fp_rate']):>9}{m['neg']['rows_hit']:>6}{mark}")
    return 0


def c_pct(x: float) -> str:
    return f"{100 * x:.2f}%"


if __name__ == "__main__":
    sys.exit(main())
