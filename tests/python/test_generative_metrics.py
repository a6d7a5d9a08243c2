#!/usr/bin/python3
"""JetNet's generative metrics from Python and the command line against independent references:
the energy-flow polynomials against NumPy's einsum over every particle tuple, the Frechet distance
against scipy.linalg.sqrtm, FPD and KPD against NumPy/SciPy versions of their definitions, W1M against SciPy's W1 of masses from NumPy four-vectors, and `otae metrics`
on the small W and QCD samples (W against QCD far above the W floor, a NaN refused by name).

Run by CTest with OTAE_PYTHON_MODULE_DIR, OTAE_BINARY and OTAE_SOURCE_DIR set.
"""
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.stats

sys.path.insert(0, os.environ["OTAE_PYTHON_MODULE_DIR"])
import otae  # noqa: E402

BINARY = os.environ["OTAE_BINARY"]
SAMPLES = os.path.join(os.environ["OTAE_SOURCE_DIR"], "samples")
QUICK = ["--max-jets", "1000", "--samples", "1000", "--batches", "3", "--fpd-min-samples", "300",
         "--fpd-max-samples", "600", "--kpd-samples", "300"]


def brute_force_efps(jet):
    """Every EFP of one jet as the plain sum over particle tuples (np.einsum without optimisation)."""
    jet = jet[jet[:, 0] > 0].astype(np.float64)
    z = jet[:, 0] / jet[:, 0].sum()
    dphi = jet[:, None, 2] - jet[None, :, 2]
    dphi -= 2 * np.pi * np.floor((dphi + np.pi) / (2 * np.pi))
    theta = np.sqrt((jet[:, None, 1] - jet[None, :, 1]) ** 2 + dphi**2)
    values = []
    for graph in otae.efp_graphs():
        letters = "abcdefghij"[: graph["vertices"]]
        operands = [z] * graph["vertices"] + [theta] * len(graph["edges"])
        spec = ",".join(list(letters) + [letters[a] + letters[b] for a, b in graph["edges"]]) + "->"
        values.append(np.einsum(spec, *operands, optimize=False))
    return np.array(values)


def test_energy_flow_polynomials():
    with h5py.File(os.path.join(SAMPLES, "wjets_small.h5")) as f:
        jets = f["particles"][:3, :7]  # the 7 hardest particles keep the tuple sums small
    efps = otae.energy_flow_polynomials(jets)
    if efps.shape != (3, 36):
        raise AssertionError(f"shape {efps.shape}")
    for jet, fast in zip(jets, efps):
        expected = brute_force_efps(jet)
        if not np.allclose(fast, expected, rtol=1e-5, atol=1e-12):  # float32 inputs
            raise AssertionError(f"EFPs {fast} differ from the tuple sums {expected}")


def test_frechet_distance():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    cov_a, cov_b = a @ a.T, b @ b.T
    mu_a, mu_b = rng.normal(size=5), rng.normal(size=5)
    cross = scipy.linalg.sqrtm(cov_a @ cov_b).real
    expected = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * cross)
    got = otae.frechet_distance(mu_a, cov_a, mu_b, cov_b)
    if not np.isclose(got, expected, rtol=1e-9):
        raise AssertionError(f"frechet_distance {got}, scipy {expected}")


def normalised_by(x, y):
    scale = np.abs(x).max(0)
    scale[scale == 0] = 1
    return x / scale, y / scale


def numpy_fpd(x, y, smallest, largest, points=10, batches=20, seed=0):
    """FPD written out with NumPy and SciPy: Frechet distances at sizes evenly spaced in 1/N, their
    means fitted by scipy.optimize.curve_fit (intercept, slope >= 0)."""
    x, y = normalised_by(x, y)
    sizes = (1 / np.linspace(1 / smallest, 1 / largest, points)).astype(int)
    rng = np.random.default_rng(seed)
    means = []
    for n in sizes:
        values = []
        for _ in range(batches):
            a, b = x[rng.integers(len(x), size=n)], y[rng.integers(len(y), size=n)]
            cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
            # Tr (C_a C_b)^1/2 from the eigenvalues of the product (scipy's sqrtm is checked above and
            # is slow 400 times over)
            cross = np.sqrt(np.clip(np.linalg.eigvals(cov_a @ cov_b).real, 0, None)).sum()
            values.append(np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(cov_a + cov_b) - 2 * cross)
        means.append(np.mean(values))
    (intercept, _), covariance = scipy.optimize.curve_fit(lambda t, c, m: c + m * t, 1 / sizes, means,
                                                          bounds=([0, 0], [np.inf, np.inf]))
    return intercept, np.sqrt(covariance[0, 0])


def numpy_kpd(x, y, n, batches=10, seed=0):
    """KPD written out with NumPy: the unbiased MMD^2 with the kernel (u.v/D + 1)^4 per batch; the
    median and half the 16.275-83.725 percentile range."""
    x, y = normalised_by(x, y)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(batches):
        a, b = x[rng.integers(len(x), size=n)], y[rng.integers(len(y), size=n)]
        kxx, kyy = (a @ a.T / x.shape[1] + 1) ** 4, (b @ b.T / x.shape[1] + 1) ** 4
        kxy = (a @ b.T / x.shape[1] + 1) ** 4
        values.append((kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (n * (n - 1)) - 2 * kxy.mean())
    return np.median(values), (np.percentile(values, 83.725) - np.percentile(values, 16.275)) / 2


def test_fpd_and_kpd_against_numpy():
    with h5py.File(os.path.join(SAMPLES, "wjets_small.h5")) as f:
        w = otae.energy_flow_polynomials(f["particles"][:2000])
    with h5py.File(os.path.join(SAMPLES, "topjets_small.h5")) as f:
        top = otae.energy_flow_polynomials(f["particles"][:2000])
    for real, generated in ((w[:1000], w[1000:]), (w, top)):
        value, error = otae.fpd(real, generated, min_samples=400, max_samples=1000)
        expected, expected_error = numpy_fpd(real, generated, 400, 1000)
        if not abs(value - expected) < 3 * (error + expected_error) + 1e-3 * expected:
            raise AssertionError(f"FPD {value} ± {error}, NumPy {expected} ± {expected_error}")
        value, error = otae.kpd(real, generated, samples=500)
        expected, expected_error = numpy_kpd(real, generated, 500)
        if not abs(value - expected) < 3 * (error + expected_error):
            raise AssertionError(f"KPD {value} ± {error}, NumPy {expected} ± {expected_error}")


def test_python_metrics():
    with h5py.File(os.path.join(SAMPLES, "wjets_small.h5")) as f:
        w = f["particles"][:1000]
    with h5py.File(os.path.join(SAMPLES, "qcdjets_small.h5")) as f:
        qcd = f["particles"][:1000]
    options = dict(samples=1000, batches=3, fpd_min_samples=300, fpd_max_samples=1000, kpd_samples=300)
    first = otae.generative_metrics(w, qcd, **options)
    again = otae.generative_metrics(w, qcd, **options)
    if first["generated_vs_real"]["fpd"] != again["generated_vs_real"]["fpd"]:
        raise AssertionError("the same seed gave two FPDs")
    far, floor = first["generated_vs_real"], first["floor"]
    for metric in ("w1m", "w1p_mean", "w1efp_mean", "fpd", "kpd"):
        if not far[metric]["value"] > floor[metric]["value"] + 3 * floor[metric]["error"]:
            raise AssertionError(f"{metric}: W vs QCD {far[metric]} not above the W floor {floor[metric]}")
    # W1M compares m / pT of the massless particles' four-vector sum: the mean over draws of 1,000
    # jets lies near SciPy's W1 between the whole samples (the draws add noise of the floor's size)
    def mass_over_pt(jets):
        pt, eta, phi = (jets[..., i].astype(np.float64) for i in range(3))
        p4 = np.stack([pt * np.cosh(eta), pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)], -1).sum(1)
        return np.sqrt(np.maximum(p4[:, 0] ** 2 - (p4[:, 1:] ** 2).sum(1), 0)) / np.hypot(p4[:, 1], p4[:, 2])

    expected = scipy.stats.wasserstein_distance(mass_over_pt(w), mass_over_pt(qcd))
    if not abs(far["w1m"]["value"] - expected) < 0.05 * expected:
        raise AssertionError(f"W1M {far['w1m']}, SciPy's W1 of the whole samples {expected}")
    try:
        bad = w[:10].copy()
        bad[4, 2, 1] = np.nan
        otae.generative_metrics(bad, qcd[:10], floor=False, **options)
    except ValueError as e:
        if "real: jet 4 particle 2" not in str(e):
            raise AssertionError(f"unhelpful message: {e}")
    else:
        raise AssertionError("NaN accepted")


def run_cli(*args):
    result = subprocess.run([BINARY, "metrics", *args], capture_output=True, text=True)
    return result.returncode, result.stdout, result.stderr


def test_cli():
    w, qcd = os.path.join(SAMPLES, "wjets_small.h5"), os.path.join(SAMPLES, "qcdjets_small.h5")
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "m.json")
        code, stdout, stderr = run_cli(w, qcd, "--out", out, *QUICK)
        if code != 0:
            raise AssertionError(f"otae metrics failed: {stderr}")
        for row in ("W1M (m/pT)", "W1P pT_rel", "W1EFP mean", "FPD (36 EFPs)", "KPD (36 EFPs)"):
            if row not in stdout:
                raise AssertionError(f"row {row} missing from\n{stdout}")
        with open(out) as f:
            metrics = json.load(f)
        far, floor = metrics["generated_vs_real"], metrics["floor"]
        if not far["w1m"]["value"] > 5 * floor["w1m"]["value"]:
            raise AssertionError(f"W1M of W vs QCD {far['w1m']} not far above the floor {floor['w1m']}")
        bad = os.path.join(folder, "bad.h5")
        with h5py.File(w) as f:
            jets = f["particles"][:20]
        jets[3, 0, 0] = np.nan
        with h5py.File(bad, "w") as f:
            f["particles"] = jets
        code, _, stderr = run_cli(w, bad, *QUICK)
        if code != 1 or "bad.h5" not in stderr:
            raise AssertionError(f"a NaN in the file: exit {code}, {stderr}")


if __name__ == "__main__":
    test_energy_flow_polynomials()
    test_frechet_distance()
    test_fpd_and_kpd_against_numpy()
    test_python_metrics()
    test_cli()
    print("ok")
