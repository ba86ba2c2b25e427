#!/usr/bin/env python3
"""Accuracy and throughput of `clearhouse screen` on the labelled sets in /work/shared/data/eval.

Runs (each timed, wall clock):
  * `screen batch` at the evaluated threshold (default: the CLI's DEFAULT_THRESHOLD) with --limit 5
    on positives_un_untreated, positives_un_treated and negatives_global;
  * `screen compare --pairs` on the watchman cross-script pairs;
  * a sweep run per set at --threshold 0.5 --limit 20, from whose scores the metrics are recomputed
    for thresholds 0.600 .. 0.950 (step 0.025), keeping the 5 best matches at or above each.

Stdlib only. See README.md for the definitions of the metrics.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import common as c

SWEEP = [round(0.6 + 0.025 * k, 3) for k in range(15)]  # 0.600 .. 0.950


def read_pairs(path: Path) -> list[tuple[str, str, str, str]]:
    """watchman_cross_script_pairs.csv: '#' comments, columns Query,Expected Match,Min Score,Description."""
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.reader(line for line in f if line.strip() and not line.lstrip().startswith("#")):
            if len(row) >= 2:
                out.append((row[0].strip(), row[1].strip(), (row[2] if len(row) > 2 else "").strip(),
                            (row[3] if len(row) > 3 else "").strip()))
    return out


def run_pairs(binary: Path, pairs: list[tuple[str, str, str, str]], work: Path, threshold: float) -> tuple[list[dict], float]:
    path = work / "pairs.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name1", "name2"])
        for p in pairs:
            w.writerow(p[:2])
    cmd = [str(binary), "screen", "compare", "--pairs", str(path), "--threshold", str(threshold)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()], elapsed


def pct(x: float) -> str:
    return f"{100 * x:6.2f}%"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clearhouse", type=Path, default=c.DEFAULT_BIN, help="path of the clearhouse binary")
    ap.add_argument("--threshold", type=float, default=None, help="threshold evaluated (default: the CLI's DEFAULT_THRESHOLD)")
    ap.add_argument("--limit", type=int, default=5)
    ap.add_argument("--lists", type=Path, nargs="*", default=None, help="screen against these files instead of the bundled lists")
    ap.add_argument("--negatives", type=int, default=0, help="use only the first N negatives (0 = all)")
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--work", type=Path, default=c.HERE / "out", help="where inputs and outputs are written")
    ap.add_argument("--misses", type=int, default=20)
    ap.add_argument("--false-positives", type=int, default=30)
    args = ap.parse_args()

    binary = args.clearhouse
    if not binary.exists():
        print(f"no binary at {binary}: build it with `cargo build --release -p cli`", file=sys.stderr)
        return 2
    threshold = args.threshold if args.threshold is not None else c.default_threshold()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    stamp = c.binary_stamp(binary)
    binary = c.snapshot_binary(binary, work)

    records = c.parse_un()
    rows = {s: c.read_rows(c.EVAL / f"positives_un_{s}.csv") for s in c.POSITIVE_SETS}
    assert len(rows["untreated"]) == len(rows["treated"])
    truth = c.derive_truth(records, rows["untreated"])
    truth_treated, treated_notes = c.adjust_treated(records, rows["treated"], truth)
    truths = {"untreated": truth, "treated": truth_treated}
    negatives = c.read_rows(c.EVAL / "negatives_global.csv")
    if args.negatives:
        negatives = negatives[: args.negatives]
    pairs = read_pairs(c.EVAL / "watchman_cross_script_pairs.csv")

    print(f"clearhouse screening evaluation — {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"binary {args.clearhouse} ({stamp}, run from a copy); lists: {'bundled' if not args.lists else ' '.join(map(str, args.lists))}")
    print(f"threshold {threshold} (limit {args.limit}); UN list {c.UN_XML}: {len(records)} entries")
    mapped = sum(bool(e) for e in truth.expected)
    print(f"ground truth: {mapped} of {len(truth.expected)} positive rows mapped to a UN individual")
    for row, name, reason in truth.unmapped:
        print(f"  excluded row {row}: {name!r}: {reason}")
    for row, name, refs, how in truth.ties:
        print(f"  tie row {row}: {name!r} {refs}: {how}")
    for note in treated_notes:
        print(f"  fixture: {note}")
    print()

    inputs = {}
    for s in c.POSITIVE_SETS:
        inputs[s] = work / f"{s}.csv"
        c.write_batch_csv(rows[s], inputs[s])
    inputs["negatives"] = work / "negatives.csv"
    c.write_batch_csv(negatives, inputs["negatives"])
    sizes = {"untreated": len(rows["untreated"]), "treated": len(rows["treated"]), "negatives": len(negatives)}

    startup = c.startup_seconds(binary, work, args.lists)
    main_out, sweep_out, timing = {}, {}, {}
    for s in ("untreated", "treated", "negatives"):
        main_out[s], timing[s] = c.run_batch(binary, inputs[s], work / f"{s}.jsonl", threshold, args.limit, args.lists)
    pair_res, pair_time = run_pairs(binary, pairs, work, threshold)
    if not args.no_sweep:
        for s in ("untreated", "treated", "negatives"):
            sweep_out[s], _ = c.run_batch(binary, inputs[s], work / f"{s}_sweep.jsonl", 0.5, 20, args.lists)

    # ---------------------------------------------------------------- metrics at the threshold
    summary: dict = {"threshold": threshold, "limit": args.limit, "sizes": sizes, "startup_s": startup}
    print(f"== metrics at threshold {threshold} (limit {args.limit}) ==")
    print(f"{'set':<22}{'rows':>7}{'recall':>9}{'top1 strict':>13}{'top1 lenient':>14}{'any hit':>9}{'precision':>11}{'FP rate':>9}")
    for s in c.POSITIVE_SETS:
        m = c.pos_metrics(main_out[s], truths[s], threshold, args.limit)
        summary[s] = m
        print(f"{'positives_un_' + s:<22}{m['rows']:>7}{pct(m['recall']):>9}{pct(m['top1_strict']):>13}{pct(m['top1_lenient']):>14}"
              f"{pct(m['any_hit']):>9}{pct(m['precision']):>11}{'—':>9}" + (f"  ({m['errors']} rows errored)" if m["errors"] else ""))
    n = c.neg_metrics(main_out["negatives"], threshold, args.limit)
    summary["negatives"] = n
    print(f"{'negatives_global':<22}{n['rows']:>7}{'—':>9}{'—':>13}{'—':>14}{pct(n['fp_rate']):>9}{'—':>11}{pct(n['fp_rate']):>9}"
          f"  ({n['rows_hit']} rows hit)" + (f" ({n['errors']} rows errored)" if n["errors"] else ""))
    share = sum(p["match"] for p in pair_res) / len(pair_res)
    summary["pairs"] = {"pairs": len(pair_res), "match_share": share}
    print(f"{'cross-script pairs':<22}{len(pair_res):>7}{'match=true':>22} {pct(share)}")
    print()

    # ---------------------------------------------------------------- timing
    print(f"== timing (wall clock; process start + loading and indexing the lists = {startup:.2f} s, from a 1-row batch) ==")
    print(f"{'run':<22}{'rows':>7}{'wall s':>9}{'q/s':>10}{'q/s net of startup':>20}")
    summary["timing"] = {}
    for s in ("untreated", "treated", "negatives"):
        t = timing[s]
        net = sizes[s] / (t - startup) if t > startup else float("nan")
        summary["timing"][s] = {"wall_s": t, "qps": sizes[s] / t, "qps_net": net}
        print(f"{s:<22}{sizes[s]:>7}{t:>9.2f}{sizes[s] / t:>10.0f}{net:>20.0f}")
    print(f"{'compare --pairs':<22}{len(pair_res):>7}{pair_time:>9.2f}{len(pair_res) / pair_time:>10.0f}")
    print()

    # ---------------------------------------------------------------- cross-script pairs
    print("== cross-script pairs (compare --pairs) ==")
    for p, r in zip(pairs, pair_res):
        print(f"  {'MATCH' if r['match'] else 'miss '} {r['score']:.3f}  {p[0]} ~ {p[1]}   ({p[3]})")
    print()

    # ---------------------------------------------------------------- sweep
    if sweep_out:
        print("== threshold sweep (one run at --threshold 0.5 --limit 20; 5 best matches kept at each threshold) ==")
        print("  targets: recall with the right entity first >= 99% on both positive sets (lenient top-1), <= 0.1% negatives hit")
        hdr = (f"{'thr':>6} | {'untr rec':>8} {'top1 s':>7} {'top1 l':>7} {'prec':>7} | {'trt rec':>8} {'top1 s':>7} {'top1 l':>7} {'prec':>7}"
               f" | {'neg hit':>8} {'rows':>5} | {'pairs':>6} | ok")
        print(hdr)
        print("-" * len(hdr))
        summary["sweep"] = []
        for t in SWEEP:
            u = c.pos_metrics(sweep_out["untreated"], truths["untreated"], t, args.limit)
            tr = c.pos_metrics(sweep_out["treated"], truths["treated"], t, args.limit)
            ng = c.neg_metrics(sweep_out["negatives"], t, args.limit)
            ps = sum(p["score"] >= t for p in pair_res) / len(pair_res)
            ok = u["top1_lenient"] >= 0.99 and tr["top1_lenient"] >= 0.99 and ng["fp_rate"] <= 0.001
            mark = " <- evaluated" if abs(t - threshold) < 1e-9 else ""
            summary["sweep"].append({"threshold": t, "untreated": u, "treated": tr, "negatives": ng, "pairs": ps, "ok": ok})
            print(f"{t:>6.3f} | {pct(u['recall']):>8} {pct(u['top1_strict']):>7} {pct(u['top1_lenient']):>7} {pct(u['precision']):>7}"
                  f" | {pct(tr['recall']):>8} {pct(tr['top1_strict']):>7} {pct(tr['top1_lenient']):>7} {pct(tr['precision']):>7}"
                  f" | {pct(ng['fp_rate']):>8} {ng['rows_hit']:>5} | {pct(ps):>6} | {'yes' if ok else 'no '}{mark}")
        print()

    # ---------------------------------------------------------------- rows the CLI refused
    for s in ("untreated", "treated", "negatives"):
        errs = [o for o in main_out[s].values() if o.get("error")]
        if not errs:
            continue
        by_script: dict[str, int] = {}
        for o in errs:
            letters = [ch for ch in o.get("query", "") if ch.isalpha()]
            script = unicodedata.name(letters[0], "UNKNOWN").split()[0] if letters else "(no letters)"
            by_script[script] = by_script.get(script, 0) + 1
        kinds = {o["error"].split(":")[-1].strip() for o in errs}
        print(f"== {s}: {len(errs)} rows could not be screened (counted as no hit): {'; '.join(sorted(kinds))} ==")
        print("   by script of the first letter: " + ", ".join(f"{k} {v}" for k, v in sorted(by_script.items(), key=lambda kv: -kv[1])))
        print("   e.g. " + ", ".join(repr(o.get("query")) for o in errs[:5]))
        summary.setdefault("errors", {})[s] = {"rows": len(errs), "by_script": by_script}
    print()

    # ---------------------------------------------------------------- worst misses
    misses = []
    for s in c.POSITIVE_SETS:
        for i, recs in enumerate(truths[s].expected):
            if not recs:
                continue
            obj = main_out[s].get(str(i + 1), {})
            matches = [m for m in obj.get("matches", []) if m["score"] >= threshold][: args.limit]
            ids = {r.entity_id for r in recs}
            if any(m["entity_id"] in ids for m in matches):
                continue
            below = [m for m in sweep_out.get(s, {}).get(str(i + 1), {}).get("matches", []) if m["entity_id"] in ids]
            exp_score = below[0]["score"] if below else None
            best = matches[0] if matches else None
            if best is None:
                cand = sweep_out.get(s, {}).get(str(i + 1), {}).get("matches", [])
                best = cand[0] if cand else None
            misses.append((exp_score if exp_score is not None else -1.0, s, obj.get("query", rows[s][i]["full_name"]),
                           recs[0], best, obj.get("error")))
    misses.sort(key=lambda m: m[0])
    summary["misses"] = len(misses)
    print(f"== worst misses: expected UN entity not among the matches at {threshold} ({len(misses)} in all; {args.misses} shown) ==")
    for exp_score, s, query, rec, best, err in misses[: args.misses]:
        es = f"{exp_score:.3f}" if exp_score >= 0 else "<0.5"
        bs = f"{best['caption']} [{best['entity_id']}] {best['score']:.3f}" if best else "nothing >= 0.5"
        print(f"  {s:<9} {query!r}  expected {rec.entity_id} {rec.name!r} (its score {es}); best: {bs}" + (f" ERROR {err}" if err else ""))
    print()

    # ---------------------------------------------------------------- false positives
    fps = []
    for o in main_out["negatives"].values():
        ms = [m for m in o.get("matches", []) if m["score"] >= threshold]
        if ms:
            fps.append((ms[0]["score"], o["query"], ms[0]))
    fps.sort(key=lambda f: -f[0])
    print(f"== false positives on negatives_global at {threshold} ({len(fps)} rows; {min(len(fps), args.false_positives)} shown, best score first) ==")
    for score, query, m in fps[: args.false_positives]:
        matched = (m.get("explanation") or {}).get("matched_name", "")
        print(f"  {score:.3f}  {query!r} -> {m['caption']!r} [{m['entity_id']}]" + (f" via {matched!r}" if matched and matched != m["caption"] else ""))
    print()

    with open(work / "eval_summary.json", "w") as f:
        json.dump(summary, f, indent=1, default=str)
    print(f"summary written to {work / 'eval_summary.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
