"""Side by side: `clearhouse clear setoff` and OR-tools SimpleMinCostFlow on the same instances.

Usage: python3 compare.py CLEARHOUSE_BINARY WORK_DIR [SIZE ...]   (SIZE: 1m, 10m, wc1m, wc10m)
Generates each instance once with shared/data/netting/gen_obligations.py (1m, 10m) or, for the
weakly cyclic networks (wc1m, wc10m: a supply chain with 2 % of the invoices against it, so only
a few percent can be cleared), with gen_weakly_cyclic.py beside this file; runs both solvers in
their own processes (peak memory from getrusage of each child), checks that both clear the same
total, and prints times, peak memory and the ratio.
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "..", "..", "shared", "data", "netting", "gen_obligations.py")
WEAK = os.path.join(HERE, "gen_weakly_cyclic.py")
SIZES = {
    "1m": (GEN, 100_000, 1_000_000),
    "10m": (GEN, 1_000_000, 10_000_000),
    "wc1m": (WEAK, 100_000, 1_000_000),
    "wc10m": (WEAK, 1_000_000, 10_000_000),
}


def timed(cmd):
    """Runs cmd under /usr/bin/time -v for its own peak memory."""
    t = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed: {proc.stderr}")
    peak_kb = next(
        int(line.split(":")[1]) for line in proc.stderr.splitlines() if "Maximum resident" in line
    )
    return proc.stdout, wall, peak_kb / 1024


def instance(work, size):
    gen, firms, invoices = SIZES[size]
    path = os.path.join(work, f"obl_{size}.csv")
    if not os.path.exists(path):
        args = [str(firms), str(invoices), "1"] + (["0.02"] if gen == WEAK else [])
        subprocess.run([sys.executable, gen] + args + [path], check=True, capture_output=True)
    return path


def main():
    binary, work = sys.argv[1], sys.argv[2]
    sizes = sys.argv[3:] or ["1m", "10m"]
    os.makedirs(work, exist_ok=True)
    print(f"{'instance':10} {'solver':10} {'cleared':>14} {'read s':>8} {'solve s':>8} {'wall s':>8} {'peak MB':>8}")
    for size in sizes:
        path = instance(work, size)
        out, wall, peak = timed([binary, "--json", "clear", "setoff", "--input", path])
        ours = json.loads(out)
        print(f"{size:10} {'clearhouse':10} {ours['cleared']:>14} {ours['parse_ms']/1000:>8.2f} "
              f"{ours['solve_ms']/1000:>8.2f} {wall:>8.2f} {peak:>8.0f}")
        out, wall_o, peak_o = timed([sys.executable, os.path.join(HERE, "ortools_setoff.py"), path])
        peer = json.loads(out)
        print(f"{size:10} {'OR-tools':10} {peer['cleared']:>14} {peer['read_s']:>8.2f} "
              f"{peer['solve_s']:>8.2f} {wall_o:>8.2f} {peak_o:>8.0f}")
        same = "same optimum" if ours["cleared"] == peer["cleared"] else "DIFFERENT OPTIMA"
        ratio = peer["solve_s"] / max(ours["solve_ms"] / 1000, 1e-3)
        print(f"{size:10} {same}; solve time ratio OR-tools / clearhouse = {ratio:.1f}x; "
              f"wall ratio {wall_o / wall:.1f}x")
        if ours["cleared"] != peer["cleared"]:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
