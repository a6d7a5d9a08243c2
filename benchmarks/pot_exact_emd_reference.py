#!/usr/bin/python3
"""POT's exact EMD on the jets bench_exact_emd hands over, timed in the same run.

    /usr/bin/python3 pot_exact_emd_reference.py JETS.bin N_A N_B M ROWS

JETS.bin holds float64 [N_A + N_B, M, 3] (pT, η, φ): jets a first, then jets b. Solves the
pairs (a[i], b[j]) for i < ROWS and every j, as a POT user would: weights pT/HT, cost ΔR with
Δφ wrapped into [−π, π), ot.emd2. Prints "<pairs> <wall seconds> <CPU seconds>" and then one
EMD per line.
"""
import sys
import time

import numpy as np
import ot


def main():
    path, n_a, n_b, m, rows = sys.argv[1], *map(int, sys.argv[2:6])
    jets = np.fromfile(path, dtype=np.float64).reshape(n_a + n_b, m, 3)
    clouds = [j[j[:, 0] > 0] for j in jets]
    weights = [c[:, 0] / c[:, 0].sum() for c in clouds]
    a, b = range(rows), range(n_a, n_a + n_b)
    values = []
    start, start_cpu = time.perf_counter(), time.process_time()
    for i in a:
        for j in b:
            deta = clouds[i][:, 1][:, None] - clouds[j][:, 1][None, :]
            dphi = clouds[i][:, 2][:, None] - clouds[j][:, 2][None, :]
            dphi -= 2 * np.pi * np.floor((dphi + np.pi) / (2 * np.pi))
            values.append(ot.emd2(weights[i], weights[j], np.sqrt(deta * deta + dphi * dphi)))
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu
    print(len(values), seconds, cpu_seconds)
    print("\n".join(repr(float(v)) for v in values))


if __name__ == "__main__":
    main()
