"""The VAE figures checked as drawn, on inputs shaped like the runs where they were seen to fail:
every KL line inside its panel (a production run with more KL than the priming run), D1/D2 with a
legend that names the runs and what lies beyond the axis, D_corr kept to the β of the scan, and
a latent-physics table whose colour scales contain the data (mutual information estimated below
0 included) with text that can be read, and JetNet's metrics against β with the floor and every
point on the axes (log scale while everything is positive, linear when KPD dips below 0).

Run by CTest with /usr/bin/python3; OTAE_SOURCE_DIR is the repository.
"""
import os
import sys
import unittest
from unittest import mock

import numpy as np

SOURCE = os.environ.get("OTAE_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "python"))

import matplotlib.pyplot as plt  # noqa: E402
from otae_report import figures  # noqa: E402

LATENT_DIM = 32


def checkpoints():
    """A priming run whose KL peaks at 3 nats and a production run whose KL peaks at 9."""
    rows = []
    for phase, peak in (("priming", 3.0), ("production", 9.0)):
        for beta in np.geomspace(2, 200, 8):
            kl = np.array([max(0.0, peak * (1 - k / 6) - 0.5 * np.log(beta)) for k in range(LATENT_DIM)])
            rows.append({"step": len(rows), "phase": phase, "beta": float(beta), "kl_per_dim": kl.tolist(),
                         "kl_per_dim_error": (0.05 * kl + 0.01).tolist()})
    return rows


def dimensionalities(rows):
    runs, points = [], []
    for r, (phase, first) in enumerate((("priming", 0), ("production", 8))):
        runs.append({"first": first, "last": first + 7, "direction": 1, "phase": phase})
        for i in range(7):
            beta = float(np.sqrt(rows[first + i]["beta"] * rows[first + i + 1]["beta"]))
            points.append({"run": r, "from": first + i, "to": first + i + 1, "beta": beta, "d1": 4 - 0.4 * i + r,
                           "d1_error": 0.2, "d2": 3 - 0.3 * i + r, "d2_error": 0.3})
    points[0]["d2"] = -2000.0  # an under-trained first step
    return {"runs": runs, "points": points, "beta_unit": "GeV"}


def drawn(function, *args, **kwargs):
    """The figure `function` draws, kept open instead of saved."""
    kept = []
    with mock.patch.object(figures, "save", side_effect=lambda fig, stem: kept.append(fig) or []):
        function(*args, stem="unused", **kwargs)
    return kept[0]


def legend_texts(fig):
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


class VaeFigures(unittest.TestCase):
    def tearDown(self):
        plt.close("all")

    def test_every_kl_line_stays_inside_its_panel(self):
        rows = checkpoints()
        fig = drawn(figures.plot_kl_spectra, rows)
        for ax, phase in zip(fig.axes, ("priming", "production")):
            mine = [r for r in rows if r["phase"] == phase]
            highest = max(np.max(np.add(r["kl_per_dim"], r["kl_per_dim_error"])) for r in mine)
            bottom, top = ax.get_ylim()
            self.assertLessEqual(bottom, 0.0)
            self.assertGreaterEqual(top, highest, f"{phase} panel: KL up to {highest:.3g} nats, axis up to {top:.3g}")

    def test_dimensionalities_legend_names_runs_and_what_is_off_scale(self):
        rows = checkpoints()
        q = np.geomspace(2, 8000, 40)
        correlation = {"q": q.tolist(), "dimension": np.where(q < 120, 5 * np.exp(-q / 60), 0).tolist(),
                       "error": np.full_like(q, 0.1).tolist(), "pairs": 1000}
        fig = drawn(figures.plot_dimensionalities, dimensionalities(rows), correlation=correlation)
        texts = legend_texts(fig)
        self.assertIn("priming run", texts)
        self.assertIn("production run", texts)
        self.assertIn("1 beyond the axis, drawn at its edge", texts)
        self.assertFalse(any("differences off scale" in t for t in texts), texts)
        ax = fig.axes[0]
        # priming and production are drawn differently
        styles = {(line.get_linestyle(), line.get_marker()) for line in ax.get_lines() if len(line.get_xdata()) > 2}
        self.assertGreaterEqual(len(styles), 2, styles)
        # D_corr only over the β of the differences (2.8 ... 140 GeV), not out to Q/2 = 4,000 GeV
        left, right = ax.get_xlim()
        self.assertLess(right, 400.0)
        self.assertGreater(left, 1.0)

    def test_latent_physics_scales_contain_the_data_and_text_is_readable(self):
        rng = np.random.default_rng(1)
        information = rng.uniform(-0.05, 0.8, (32, 16))
        table = {"directions": list(range(32)), "quantities": [f"quantity_{i}_GeV" for i in range(16)],
                 "spearman": rng.uniform(-1, 1, (32, 16)).tolist(), "mutual_information": information.tolist(),
                 "best": []}
        fig = drawn(figures.plot_latent_physics, table)
        images = [image for ax in fig.axes for image in ax.get_images()]
        self.assertEqual(len(images), 2)
        low, high = images[1].get_clim()
        self.assertLessEqual(low, information.min())
        self.assertGreaterEqual(high, information.max())
        sizes = [t.get_fontsize() for ax in fig.axes for t in ax.texts + ax.get_xticklabels() + ax.get_yticklabels()]
        self.assertGreaterEqual(min(sizes), 8)
        width, height = fig.get_size_inches()
        self.assertGreaterEqual(width / (2 * 16), 0.55, "inches per cell column")
        self.assertGreaterEqual(height / 32, 0.3, "inches per cell row")

    def test_generative_metrics_show_the_floor_and_every_point(self):
        def metrics(scale, kpd):
            out = {key: {"value": scale, "error": 0.1 * scale} for key, _ in figures.GENERATIVE_METRICS}
            out["kpd"] = {"value": kpd, "error": abs(kpd) * 0.5}
            return out

        rows = [{"step": k, "phase": phase, "beta": beta,
                 "generative_metrics": {"decoded": metrics(beta / 100, 1e-3 * beta),
                                        "generated": metrics(beta / 10, 1e-2 * beta) if phase == "production" else None}}
                for k, (phase, beta) in enumerate([("priming", 2.0), ("priming", 20.0), ("production", 2.0),
                                                   ("production", 200.0)])]
        floor = metrics(1e-4, -2e-5)
        fig = drawn(figures.plot_generative_metrics, rows, floor)
        axes = fig.axes
        self.assertEqual(len(axes), len(figures.GENERATIVE_METRICS))
        for ax, (key, _) in zip(axes, figures.GENERATIVE_METRICS):
            low, high = ax.get_ylim()
            self.assertLessEqual(low, floor[key]["value"], key)
            self.assertGreaterEqual(high, 200 / 10 if key != "kpd" else 1e-2 * 200, key)
            self.assertEqual(ax.get_yscale(), "linear" if key == "kpd" else "log", key)
        self.assertIn("decoded from the prior (production)", legend_texts(fig))
        self.assertNotIn("decoded from the prior (priming)", legend_texts(fig))


if __name__ == "__main__":
    unittest.main()
