#!/usr/bin/python3
"""`otae emd` end to end: its HDF5 output against POT's exact EMD (ot.emd2) computed here.

Run by CTest with OTAE_BINARY and OTAE_SOURCE_DIR set; needs Debian's python3-pot and -h5py.
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import ot

BINARY = os.environ["OTAE_BINARY"]
SAMPLE = os.path.join(os.environ["OTAE_SOURCE_DIR"], "samples", "wjets_small.h5")
JETS = 40


def ground_cost(a, b, R=1.0, beta=1.0):
    deta = a[:, None, 1] - b[None, :, 1]
    dphi = a[:, None, 2] - b[None, :, 2]
    dphi = dphi - 2 * np.pi * np.floor((dphi + np.pi) / (2 * np.pi))
    return (np.sqrt(deta**2 + dphi**2) / R) ** beta


def pot_emd(a, b, R=1.0, beta=1.0, norm=False):
    a, b = a[a[:, 0] > 0].astype(np.float64), b[b[:, 0] > 0].astype(np.float64)
    wa, wb = a[:, 0].copy(), b[:, 0].copy()
    if norm:
        wa, wb = wa / wa.sum(), wb / wb.sum()
    extra = abs(wa.sum() - wb.sum())
    cost = ground_cost(a, b, R, beta)
    # EnergyFlow semantics for unequal totals: the surplus goes to a dummy particle at cost 1
    # from everything, which adds |ΣpT − ΣpT′| to the optimal cost.
    if wa.sum() > wb.sum():
        wb = np.append(wb, extra)
        cost = np.hstack([cost, np.ones((len(wa), 1))])
    elif wb.sum() > wa.sum():
        wa = np.append(wa, extra)
        cost = np.vstack([cost, np.ones((1, len(wb)))])
    return ot.emd2(wa, wb, cost, numItermax=1_000_000)


def run_otae(*args):
    return subprocess.run([BINARY, "emd", *args], capture_output=True, text=True)


def main():
    jets = h5py.File(SAMPLE, "r")["particles"][: 2 * JETS]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "d.h5")
        for flags, R, beta, norm in [([], 1.0, 1.0, False), (["--R", "0.8", "--beta", "2", "--norm"], 0.8, 2.0, True)]:
            result = run_otae(SAMPLE, SAMPLE, "--max-jets", str(JETS), "--out", out, *flags)
            if result.returncode != 0:
                failures.append(f"otae emd {flags} failed: {result.stderr}")
                continue
            with h5py.File(out, "r") as f:
                d = f["distances"][:]
                method = f.attrs["method"]
            expected = np.array([[pot_emd(jets[i], jets[j], R, beta, norm) for j in range(JETS)] for i in range(JETS)])
            err = np.max(np.abs(d - expected) / np.maximum(expected, 1e-12))
            print(f"exact matrix {flags}: max relative difference to POT {err:.2e} (method attr {method})")
            if d.shape != (JETS, JETS) or err > 1e-9:
                failures.append(f"exact matrix {flags}: shape {d.shape}, max relative error {err:.3e}")

        result = run_otae(SAMPLE, SAMPLE, "--max-jets", str(2 * JETS), "--paired", "--method", "sinkhorn", "--out", out)
        if result.returncode != 0:
            failures.append(f"sinkhorn paired failed: {result.stderr}")
        else:
            d = h5py.File(out, "r")["distances"][:]
            # --paired on one file compares each jet with itself: the sharp cost is ~0
            if d.shape != (2 * JETS,) or np.max(d) > 1e-2:
                failures.append(f"sinkhorn paired self-distances {d.max():.3e}, shape {d.shape}")

        bad = os.path.join(tmp, "bad.h5")
        with h5py.File(bad, "w") as f:
            p = jets[:5].copy()
            p[2, 0, 1] = np.nan
            f["particles"] = p
        result = run_otae(bad, SAMPLE, "--out", out)
        line = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
        print("bad input:", line)
        if result.returncode == 0 or "bad.h5" not in line or "particles" not in line:
            failures.append(f"NaN input: exit {result.returncode}, message {line!r}")

    for f in failures:
        print("FAIL:", f)
    print(f"{4 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
