"""Draws every otae_report figure from synthetic files in the layouts the C++ side writes, and checks
that each PNG and PDF exists and is a non-blank image.

    /usr/bin/python3 python/otae_report/selftest.py [--keep FOLDER]

Without --keep the figures go to a temporary folder that is removed afterwards. Exits non-zero,
naming the figure, when one is missing or blank.
"""
import argparse
import json
import math
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import otae_report  # noqa: E402
from matplotlib import image  # noqa: E402

# A linear VAE with four data scales (GeV) and twelve collapsed directions: KLᵢ = max(0, ln(σᵢ/β)).
SIGMA_GEV = [200.0, 50.0, 10.0, 2.0]
LATENT_DIM = 16
HT_GEV = 500.0


def grid_beta_hat():
    return [10 ** (-5 + 0.25 * k) for k in range(22)]


def paper_schedule():
    """The reference's phases: priming up the grid, eight sawtooth legs of seven, production."""
    grid = grid_beta_hat()
    rows = [("priming", b, 3e-5) for b in grid]
    for start in range(14, -1, -2):
        rows += [("zigzag", grid[start + i], 3e-5) for i in range(7)]
    rows += [("production", b, 1e-5) for b in grid]
    return [{"step": k, "phase": p, "beta_hat": b, "beta_GeV": HT_GEV * b, "learning_rate": lr}
            for k, (p, b, lr) in enumerate(rows)]


def beta_steps(rng):
    steps, place = [], rng.permutation(LATENT_DIM)  # where each scale sits in the latent vector
    for row in paper_schedule():
        beta = row["beta_GeV"]
        kl = np.abs(rng.normal(0, 2e-3, LATENT_DIM))
        kl[place[:len(SIGMA_GEV)]] = [max(0.0, math.log(s / beta)) for s in SIGMA_GEV]
        steps.append({"step": row["step"], "phase": row["phase"], "beta_hat": row["beta_hat"], "beta_GeV": beta,
                      "kl_per_dim": [float(v) for v in kl]})
    return steps


def dimensionalities(rng):
    """Two runs (ascending, then descending) of noisy D1, D2 ≈ number of σᵢ > β."""
    beta = np.array(grid_beta_hat()) * HT_GEV
    mid = np.sqrt(beta[1:] * beta[:-1])
    count = np.array([sum(s > b for s in SIGMA_GEV) for b in mid], float)
    points, runs = [], [{"first": 0, "last": len(beta) - 1, "direction": 1, "phase": "production"},
                        {"first": len(beta) - 1, "last": 2 * len(beta) - 2, "direction": -1, "phase": "zigzag"}]
    for run in range(2):
        for k, b in enumerate(mid):
            e1, e2 = 0.1 + 0.05 * run, 0.15
            points.append({"run": run, "from": k, "to": k + 1, "beta": float(b),
                           "d1": float(count[k] + rng.normal(0, e1)), "d1_error": e1,
                           "d2": float(count[k] + rng.normal(0, e2)), "d2_error": e2})
    return {"runs": runs, "points": points}


def correlation_dimension():
    q = np.logspace(-0.5, 3, 36)
    dimension = 4.0 / (1.0 + (q / 150.0) ** 1.5) + 0.3 * np.exp(-q / 2)
    error = 0.02 + 0.3 / np.sqrt(q)
    return {"edges": list(np.logspace(-0.55, 3.05, 37)), "counts": [1] * 36, "underflow": 0, "overflow": 0,
            "pairs": 49995000, "q": list(q), "dimension": list(dimension), "error": list(error),
            "pairs_below": [1] * 36}


def traversal(rng, g=9):
    """Two-prong jets: z_a opens the prongs, z_b moves pT from one prong to the other."""
    values = [(i - (g - 1) / 2) * math.pi / 4 for i in range(g)]
    decoded = []
    for za in values:
        row = []
        for zb in values:
            opening = 0.15 + 0.05 * za
            share = 1 / (1 + math.exp(-zb))
            jet = [[0.7 * share, -opening / 2, 0.0], [0.7 * (1 - share), opening / 2, 0.02],
                   [0.2, 0.05, 0.25], [0.1, -0.2, -0.15], [0.0, 0.0, 0.0]]
            row.append(jet)
        decoded.append(row)
    emds = [[[0.05 * (1 + 0.1 * abs(zb)) for zb in values] for _ in values[1:]],
            [[0.04 * (1 + 0.2 * abs(za)) for _ in values[1:]] for za in values]]
    means = rng.normal(size=(2000, 2)) * [1.0, 0.7]
    return {"directions": [7, 2], "values": values, "decoded": decoded, "encoded_means": means.tolist(), "emds": emds}


def check_image(path):
    """Raises AssertionError unless `path` is a non-empty PNG with more than one colour, or a PDF."""
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        raise AssertionError(f"{path} is missing or empty")
    with open(path, "rb") as f:
        head = f.read(8)
    if path.endswith(".pdf"):
        if not head.startswith(b"%PDF"):
            raise AssertionError(f"{path} is not a PDF")
        return
    if head != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path} is not a PNG")
    pixels = image.imread(path)
    if pixels.ndim != 3 or min(pixels.shape[:2]) < 200 or np.ptp(pixels[..., :3]) == 0:
        raise AssertionError(f"{path} is blank or too small: shape {pixels.shape}")


def write_inputs(folder, rng):
    """The files a run folder and its analysis would hold, in otae's layouts."""
    with open(os.path.join(folder, "beta_steps.jsonl"), "w") as f:
        for step in beta_steps(rng):
            f.write(json.dumps(step) + "\n")
    with open(os.path.join(folder, "beta_schedule.csv"), "w") as f:
        f.write("step,phase,beta_hat,beta_GeV,learning_rate\n")
        for r in paper_schedule():
            f.write(f"{r['step']},{r['phase']},{r['beta_hat']!r},{r['beta_GeV']!r},{r['learning_rate']!r}\n")
    for name, data in (("dimensionalities.json", dimensionalities(rng)),
                       ("correlation_dimension.json", correlation_dimension()), ("traversal.json", traversal(rng))):
        with open(os.path.join(folder, name), "w") as f:
            json.dump(data, f)


def draw_all(folder):
    """Draws every figure into FOLDER/figures; returns {figure: [png, pdf]}."""
    write_inputs(folder, np.random.default_rng(0))

    def read(name):
        return otae_report.read_json(os.path.join(folder, name))

    def stem(name):
        return os.path.join(folder, "figures", name)

    dims, corr, trav = read("dimensionalities.json"), read("correlation_dimension.json"), read("traversal.json")
    steps = otae_report.read_beta_steps(os.path.join(folder, "beta_steps.jsonl"))
    schedule = otae_report.read_beta_schedule(os.path.join(folder, "beta_schedule.csv"))
    return {
        "kl_spectrum": otae_report.plot_kl_spectrum(steps, stem("kl_spectrum")),
        "dimensionalities": otae_report.plot_dimensionalities(dims, stem("dimensionalities"), correlation=corr),
        "correlation_dimension": otae_report.plot_correlation_dimension(corr, stem("correlation_dimension"),
                                                                        dimensionalities=dims),
        "traversal": otae_report.plot_traversal(trav, stem("traversal")),
        "traversal_emds": otae_report.plot_traversal_emds(trav, stem("traversal_emds"), emd_label=r"EMD [$H_T$]"),
        "beta_schedule": otae_report.plot_beta_schedule(schedule, stem("beta_schedule")),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", metavar="FOLDER", help="write into FOLDER and keep the files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="otae-report-") as temporary:
        folder = args.keep or temporary
        os.makedirs(folder, exist_ok=True)
        files = draw_all(folder)
        for name, paths in files.items():
            for path in paths:
                check_image(path)
            print(f"{name}: {', '.join(os.path.relpath(p, folder) for p in paths)}")
    print(f"all {sum(len(p) for p in files.values())} figure files drawn and checked")


if __name__ == "__main__":
    main()
