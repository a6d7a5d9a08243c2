#!/usr/bin/python3
"""`import otae` (the pybind11 module) against independent references: POT's exact EMD, SciPy's
1-D statistics, NumPy's sliced Wasserstein with the same directions, finite differences of the
Sinkhorn cost, the correlation dimension of a circle, and an EMD-VAE run trained by the CLI.

Run by CTest with OTAE_PYTHON_MODULE_DIR, OTAE_BINARY and OTAE_SOURCE_DIR set.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import ot
import scipy.stats

sys.path.insert(0, os.environ["OTAE_PYTHON_MODULE_DIR"])
import otae  # noqa: E402

BINARY = os.environ["OTAE_BINARY"]
SAMPLE = os.path.join(os.environ["OTAE_SOURCE_DIR"], "samples", "wjets_small.h5")


def pot_emd_normalised(a, b):
    """EMD between two jets, each normalised to unit pT, phi periodic: POT's network simplex."""
    a, b = a[a[:, 0] > 0].astype(np.float64), b[b[:, 0] > 0].astype(np.float64)
    deta = a[:, None, 1] - b[None, :, 1]
    dphi = a[:, None, 2] - b[None, :, 2]
    dphi -= 2 * np.pi * np.floor((dphi + np.pi) / (2 * np.pi))
    return ot.emd2(a[:, 0] / a[:, 0].sum(), b[:, 0] / b[:, 0].sum(), np.sqrt(deta**2 + dphi**2))


def check_close(name, got, expected, rtol, atol=0.0):
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        raise AssertionError(f"{name}: got {got}, expected {expected} (rtol {rtol}, atol {atol})")


def test_exact_emd(jets):
    expected = np.array([[pot_emd_normalised(a, b) for b in jets[:6]] for a in jets[:6]])
    check_close("emds(norm=True) vs POT", otae.emds(jets[:6], norm=True), expected, rtol=1e-12, atol=1e-14)
    check_close("emd vs emds", otae.emd(jets[0], jets[3], norm=True), expected[0, 3], rtol=1e-14)
    value, flow = otae.emd(jets[0], jets[1], norm=True, return_flow=True)
    pt = jets[0][:, 0].astype(np.float64)
    check_close("flow marginal", flow.sum(axis=1)[pt > 0], pt[pt > 0] / pt.sum(), rtol=1e-9)
    paired = otae.emds_paired(jets[:5], jets[5:10], norm=True)
    check_close("emds_paired", paired, [pot_emd_normalised(jets[i], jets[5 + i]) for i in range(5)], rtol=1e-12)


def test_sinkhorn(jets):
    a, b = jets[:4].astype(np.float64), jets[4:8].astype(np.float64)
    wa, wb = a[..., 0] / a[..., 0].sum(1, keepdims=True), b[..., 0] / b[..., 0].sum(1, keepdims=True)
    result = otae.sinkhorn_emd(wa, a[..., 1:], wb, b[..., 1:], return_gradient=True)
    exact = [pot_emd_normalised(a[i], b[i]) for i in range(4)]
    check_close("sinkhorn vs exact", result["cost"], exact, rtol=5e-3)
    if result["marginal_error"].max() > 1e-3:
        raise AssertionError(f"marginal error {result['marginal_error']}")
    # the explicit backward pass against central differences of the cost in one particle's eta
    h, pos = 1e-6, a[..., 1:].copy()
    pos_up, pos_down = pos.copy(), pos.copy()
    pos_up[0, 2, 0] += h
    pos_down[0, 2, 0] -= h
    up = otae.sinkhorn_emd(wa, pos_up, wb, b[..., 1:])["cost"].sum()
    down = otae.sinkhorn_emd(wa, pos_down, wb, b[..., 1:])["cost"].sum()
    check_close("d cost / d eta", result["gradient"]["positions_a"][0, 2, 0], (up - down) / (2 * h), rtol=1e-4, atol=1e-9)


def test_one_dimensional(rng):
    a, b = rng.normal(size=700), rng.normal(0.2, 1.3, size=450)
    check_close("w1 vs scipy", otae.wasserstein_1d(a, b)["w1"], scipy.stats.wasserstein_distance(a, b), rtol=1e-12)
    ks = otae.kolmogorov_smirnov(a, b, method="exact")
    reference = scipy.stats.ks_2samp(a, b, method="exact")
    check_close("ks statistic", ks["statistic"], reference.statistic, rtol=1e-14)
    check_close("ks p-value", ks["p_value"], reference.pvalue, rtol=1e-6)
    chi2 = otae.binned_chi_squared(a, b, bins=20)
    check_close("chi2 p-value", chi2["p_value"], scipy.stats.chi2.sf(chi2["chi2"], chi2["dof"]), rtol=1e-9)


def test_sliced_wasserstein(rng):
    x, y = rng.normal(size=(300, 4)), rng.normal(0.5, 1.0, size=(300, 4))
    result = otae.sliced_wasserstein(x, y, slices=50, seed=3)
    theta = result["directions"]
    expected = np.mean((np.sort(x @ theta.T, axis=0) - np.sort(y @ theta.T, axis=0)) ** 2)
    check_close("SW2^2 vs numpy", result["sw2_squared"], expected, rtol=1e-12)
    again = otae.sliced_wasserstein(x, y, directions=theta)
    check_close("given directions", again["sw2_squared"], expected, rtol=1e-12)


def test_correlation_dimension(rng):
    angle = rng.uniform(0, 2 * np.pi, 3000)
    circle = np.stack([np.cos(angle), np.sin(angle), np.zeros_like(angle)], axis=1)
    curve = otae.point_correlation_dimension(circle, q_min=1e-3, q_max=3.0, bins=35)
    scaling = (curve["q"] > 0.01) & (curve["q"] < 0.3)
    check_close("D_corr of a circle", np.median(curve["dimension"][scaling]), 1.0, rtol=0.15)


def test_dimensionalities():
    # linear-VAE picture: KL = sum_i max(0, ln(sigma_i / beta)) with sigma = (2, 1); D1 counts active directions
    beta = np.geomspace(0.1, 4.0, 12)
    sigma = np.array([2.0, 1.0])
    kl = np.maximum(0.0, np.log(sigma[None, :] / beta[:, None])).sum(1)
    distortion = np.minimum(beta[:, None] ** 2, sigma[None, :] ** 2).sum(1)
    points = otae.dimensionalities(list(beta), list(kl), list(distortion))["points"]
    d1 = np.array([p["d1"] for p in points])
    low, high = np.array([beta[p["from"]] for p in points]), np.array([beta[p["to"]] for p in points])
    check_close("D1 below both scales", d1[high < 1.0], 2.0, rtol=1e-9)
    check_close("D1 between the scales", d1[(low > 1.0) & (high < 2.0)], 1.0, rtol=1e-9)
    check_close("D1 above both scales", d1[low > 2.0], 0.0, rtol=0, atol=1e-9)


def test_errors(jets):
    for call, exception, words in [
        (lambda: otae.read_jets("/nonexistent/jets.h5"), OSError, "/nonexistent/jets.h5"),
        (lambda: otae.emd(jets[0], jets[1][:, :2]), ValueError, "[50, 2]"),
        (lambda: otae.emds(jets[0]), ValueError, "jets_a"),
        (lambda: otae.kolmogorov_smirnov([1.0, np.nan], [1.0, 2.0]), ValueError, "nan"),
        (lambda: otae.emd(["a"], ["b"]), ValueError, "jet_a"),
        (lambda: otae.VaeRun("/nonexistent/run"), OSError, "/nonexistent/run"),
        # the device is read by the one function every command uses, before the run is
        (lambda: otae.VaeRun("/nonexistent/run", device="gpu"), ValueError, "device gpu: a device is cpu, cuda"),
        (lambda: otae.OtusRun("/nonexistent/run", device="gpu"), ValueError, "device gpu: a device is cpu, cuda"),
    ]:
        try:
            call()
        except exception as error:
            if words.lower() not in str(error).lower() or not isinstance(error, otae.Error):
                raise AssertionError(f"{type(error).__name__}: '{error}' does not mention '{words}'")
        else:
            raise AssertionError(f"no {exception.__name__} for a call that should mention '{words}'")


def test_vae_run():
    with tempfile.TemporaryDirectory() as folder:
        run = os.path.join(folder, "run")
        subprocess.run([BINARY, "vae", "train", "--data", "toy:gaussian:2,1,0.5,0.25", "--out", run,
                        "model.latent_dim=4", "train.steps_per_epoch=20", "train.max_epochs=2",
                        "train.batch_size=100", "data.max_rows=2000",
                        "schedule.grid={log10_first: -1, log10_step: 0.5, points: 2}",
                        "schedule.zigzag.legs=0"], check=True, capture_output=True)
        vae = otae.VaeRun(run)
        posterior = vae.encode("toy:gaussian:2,1,0.5,0.25", max_rows=500)
        if posterior["mu"].shape != (500, 4) or posterior["log_variance"].shape != (500, 4):
            raise AssertionError(f"encode shapes {posterior['mu'].shape}, {posterior['log_variance'].shape}")
        decoded = vae.decode(posterior["mu"][:10])["x"]
        if decoded.shape != (10, 4) or not np.isfinite(decoded).all():
            raise AssertionError(f"decode gave {decoded.shape}")
        # the binding and the CLI read the same checkpoint: same decoded numbers
        latents = os.path.join(folder, "z.h5")
        import h5py
        with h5py.File(latents, "w") as f:
            f["z"] = posterior["mu"][:10]
        out = os.path.join(folder, "x.h5")
        subprocess.run([BINARY, "vae", "decode", run, "--latents", latents, "--out", out], check=True, capture_output=True)
        with h5py.File(out) as f:
            check_close("decode vs CLI", decoded, f["x"][...], rtol=1e-6, atol=1e-7)
        spectrum = otae.kl_spectrum(posterior["mu"], posterior["log_variance"])
        if spectrum["kl"].shape != (4,):
            raise AssertionError("kl_spectrum shape")


def test_otus_run():
    """A tiny OTUS run trained by the CLI: simulation reproducible by seed, and OtusRun.evaluate
    writing what `otae otus evaluate` writes."""
    import json
    import h5py
    sample = os.path.join(os.environ["OTAE_SOURCE_DIR"], "samples", "zee_small.h5")
    config = os.path.join(os.environ["OTAE_SOURCE_DIR"], "configs", "otus", "zee_quick.yaml")
    with tempfile.TemporaryDirectory() as folder:
        run = os.path.join(folder, "run")
        subprocess.run([BINARY, "otus", "train", "--config", config, "--data", sample, "--out", run,
                        "phases.0.epochs=1", "phases.1.epochs=1", "data.max_train_events=1000", "training.threads=1"],
                       check=True, capture_output=True)
        model = otae.OtusRun(run, threads=1)
        with h5py.File(sample, "r") as f:
            z = f["z"][:500]
        x = model.simulate(z, seed=4)
        if x.shape != (500, 8) or not np.array_equal(x, model.simulate(z, seed=4)):
            raise AssertionError(f"OtusRun.simulate: shape {x.shape} or not reproducible by seed")
        metrics = json.loads(model.evaluate(sample, folder=os.path.join(folder, "python"), slices=100))
        subprocess.run([BINARY, "otus", "evaluate", run, "--data", sample, "--out", os.path.join(folder, "cli"),
                        "--slices", "100", "--threads", "1"], check=True, capture_output=True)
        with open(os.path.join(folder, "cli", "metrics.json")) as f:
            cli = json.load(f)
        if metrics["sliced_wasserstein"] != cli["sliced_wasserstein"] or metrics["verdicts"] != cli["verdicts"]:
            raise AssertionError("OtusRun.evaluate and otae otus evaluate disagree")
        if not os.path.exists(os.path.join(folder, "python", "samples.h5")):
            raise AssertionError("OtusRun.evaluate wrote no samples.h5")


def test_events_from_lhe():
    ttbar = os.path.join(os.environ["OTAE_SHARED_DATA"], "external", "pylhe-testfile-pythia-6.413-ttbar.lhe")
    if not os.path.exists(ttbar):
        return
    outgoing = otae.events_from_lhe(ttbar, [6, -6])
    if outgoing["events"].shape != (0, 8) or outgoing["weights"].shape != (0,):
        raise AssertionError(f"tops are intermediate in this file: got {outgoing['events'].shape} outgoing")
    tops = otae.events_from_lhe(ttbar, [6, -6], intermediate=True)
    if tops["events"].shape != (100, 8) or tops["weights"].shape != (100,) or tops["weights"].dtype != np.float64:
        raise AssertionError(f"intermediate tops: {tops['events'].shape}, weights {tops['weights'].shape}")


def main():
    rng = np.random.default_rng(7)
    jets = otae.read_jets(SAMPLE)[:20]
    test_exact_emd(jets)
    test_sinkhorn(jets)
    test_one_dimensional(rng)
    test_sliced_wasserstein(rng)
    test_correlation_dimension(rng)
    test_dimensionalities()
    test_errors(jets)
    test_vae_run()
    test_otus_run()
    test_events_from_lhe()
    print("python module: all checks passed")


if __name__ == "__main__":
    main()
