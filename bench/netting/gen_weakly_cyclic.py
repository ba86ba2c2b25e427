"""A weakly cyclic obligation network, like real invoice networks: mostly a supply chain.

Usage: python3 gen_weakly_cyclic.py FIRMS INVOICES [SEED] [BACKWARD] [OUT]
Degrees as in shared/data/netting/gen_obligations.py (Chung-Lu with Pareto(1.5) weights, so a
few firms have very many invoices); every firm gets a random rank along the chain, and an
invoice runs from the lower rank to the higher one, except a fraction BACKWARD (default 0.02)
that runs against the chain. Only those close cycles, so only a few percent of the debt can be
cleared (about 2-5 % with the defaults), against some 40 % on gen_obligations.py's networks.
Output CSV: id,debtor,creditor,amount (amounts lognormal, median 2000, sigma 1.4).
"""
import sys

import numpy as np

n, m = int(sys.argv[1]), int(sys.argv[2])
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
backward = float(sys.argv[4]) if len(sys.argv) > 4 else 0.02
out = sys.argv[5] if len(sys.argv) > 5 else f"wc_{n}_{m}.csv"
rng = np.random.default_rng(seed)
base = rng.pareto(1.5, n) + 1.0
w_out = base * np.exp(rng.normal(0, 0.5, n))
w_in = base * np.exp(rng.normal(0, 0.5, n))
p_out = w_out / w_out.sum()
p_in = w_in / w_in.sum()
d = rng.choice(n, size=m, p=p_out)
c = rng.choice(n, size=m, p=p_in)
loop = d == c
while loop.any():
    c[loop] = rng.choice(n, size=loop.sum(), p=p_in)
    loop = d == c
rank = rng.permutation(n)
against = rng.random(m) < backward
flip = (rank[d] > rank[c]) != against  # after the flip: lower rank owes, unless `against`
d, c = np.where(flip, c, d), np.where(flip, d, c)
amt = np.maximum(1, np.round(rng.lognormal(np.log(2000), 1.4, m))).astype(np.int64)
ids = np.arange(1, m + 1)
np.savetxt(out, np.column_stack([ids, d, c, amt]), fmt="%d", delimiter=",",
           header="id,debtor,creditor,amount", comments="")
print(f"n={n} m={m} backward={backward} against_chain={against.sum()} total={amt.sum()}")
