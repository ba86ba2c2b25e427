"""Set-off with OR-tools SimpleMinCostFlow: the peer in bench/netting/run.sh.

Usage: python3 ortools_setoff.py FILE.csv
Prints one JSON object: obligations, total, cleared, read_s, solve_s (solve only), peak_mb.
The formulation is the same min-cost flow the clearhouse solver uses: one arc per invoice
(debtor -> creditor, capacity = amount, unit cost 1), supplies = net positions; the least cost
is the least remaining debt, and cleared = total - cost.
"""
import json
import resource
import sys
import time

import numpy as np
from ortools.graph.python import min_cost_flow


def main(path):
    t = time.perf_counter()
    try:
        import pandas as pd

        frame = pd.read_csv(path, dtype={"debtor": np.int64, "creditor": np.int64, "amount": np.int64})
        debtor = frame["debtor"].to_numpy()
        creditor = frame["creditor"].to_numpy()
        amount = frame["amount"].to_numpy()
    except ImportError:
        data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64)
        debtor, creditor, amount = data[:, 1], data[:, 2], data[:, 3]
    read_s = time.perf_counter() - t
    firms = int(max(debtor.max(), creditor.max())) + 1
    net = np.bincount(debtor, weights=amount, minlength=firms) - np.bincount(
        creditor, weights=amount, minlength=firms
    )
    t = time.perf_counter()
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(debtor, creditor, amount, np.ones_like(amount))
    flow.set_nodes_supplies(np.arange(firms), net.astype(np.int64))
    status = flow.solve()
    solve_s = time.perf_counter() - t
    if status != flow.OPTIMAL:
        raise SystemExit(f"OR-tools status {status}")
    total = int(amount.sum())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "obligations": int(len(amount)),
        "total": total,
        "cleared": total - int(flow.optimal_cost()),
        "read_s": round(read_s, 3),
        "solve_s": round(solve_s, 3),
        "peak_mb": round(peak_mb),
    }))


if __name__ == "__main__":
    main(sys.argv[1])
