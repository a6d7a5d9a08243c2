#!/usr/bin/python3
"""The OTUS report sections (python/otae_report/otus_figures.py): every figure is a valid, non-blank
PNG with a PDF beside it, the tables carry the numbers of metrics.json, and everything is drawn
again from the files alone into a fresh folder. Once on files written here (a run folder with its
evaluation and an ablation sweep), once end to end on a tiny two-run sweep that `otae otus sweep`
trains and evaluates (when OTAE_BINARY is built).

Run by CTest with /usr/bin/python3; OTAE_SOURCE_DIR is the repository, OTAE_BINARY the CLI.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np
from matplotlib.image import imread

SOURCE = os.environ.get("OTAE_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "python"))
from otae_report.otus_figures import otus_sections  # noqa: E402

BINARY = os.environ.get("OTAE_BINARY", os.path.join(SOURCE, "build", "otae"))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def write_run(folder, seed, latent_weight):
    """A run folder as `otae otus train` + `evaluate` leave it, with Gaussian events (Z -> ee-like)."""
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(folder, "evaluation"))
    with open(os.path.join(folder, "run.json"), "w") as f:
        json.dump({"data": "zee.h5", "z_objects": 2, "x_objects": 2}, f)
    with open(os.path.join(folder, "best.json"), "w") as f:
        json.dump({"phase": "free", "phase_index": 1, "epoch": 2, "global_epoch": 5, "validation_distance": 0.03}, f)
    columns = ["phase", "epoch", "global_epoch", "learning_rate", "total", "reconstruction", "latent", "data",
               "encoder_anchor", "decoder_anchor", "paired", "mass", "transport", "simulated_pairs",
               "simulation_transport", "acceptance", "seconds", "validation_total", "validation_reconstruction",
               "validation_latent", "validation_data", "validation_mass", "validation_distance"]
    with open(os.path.join(folder, "log.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for e in range(8):
            loss = 1.0 / (1 + e)
            writer.writerow([0 if e < 4 else 1, e % 4, e, 1e-3, loss, loss, loss / 2, loss / 3, 0.1 if e < 4 else "",
                             0.1 if e < 4 else "", "", "", "", "", "", 1.0, 2.0, loss, loss, loss / 2, loss / 3, "", loss])
    n = 4000
    z_obs = {"e-_E": rng.normal(45, 10, n), "M_ee": 91 + 2.5 * rng.standard_cauchy(n).clip(-8, 8)}
    x_obs = {k: v + rng.normal(0, 1.0, n) for k, v in z_obs.items()}
    learnt = {k: v + rng.normal(0, 0.8, n) for k, v in z_obs.items()}
    unfolded = {k: v + rng.normal(0, 0.5, n) for k, v in x_obs.items()}

    def table(side, names, reference, others, ks):
        out = []
        for name in names:
            edges = np.linspace(np.quantile(reference[name], 0.005), np.quantile(reference[name], 0.995), 31)
            histogram = {"edges": edges.tolist(), "reference": np.histogram(reference[name], edges)[0].tolist()}
            comparisons = {}
            for key, sample in others.items():
                histogram[key] = np.histogram(sample[name], edges)[0].tolist()
                comparisons[key] = {"w1": 0.5, "w2_squared": 0.3, "ks": ks[key], "ks_p_value": 0.2,
                                    "chi2_reduced": 1.1, "chi2_dof": 29, "chi2_p_value": 0.3}
            out.append({"name": name, "units": "GeV", "comparisons": comparisons, "histogram": histogram})
        return out

    ks = {"simulation": 0.02 * latent_weight, "reconstruction": 0.03, "floor": 0.006, "identity": 0.073,
          "unfolding": 0.025}
    detector = table("x", ["e-_E", "M_ee"], x_obs,
                     {"reconstruction": learnt, "simulation": learnt, "floor": x_obs, "identity": z_obs}, ks)
    parton = table("z", ["e-_E", "M_ee"], z_obs, {"unfolding": unfolded, "floor": z_obs, "identity": x_obs}, ks)
    sw = {w: {"model": 1.5 * latent_weight, "floor": 1.0, "identity": 3.0}
          for w in ("unfolding", "reconstruction", "simulation")}
    centres = np.linspace(20, 70, 10)

    def bins(width, mean):
        return [{"count": 400, "mean": mean, "mean_error": 0.001, "width": w, "width_error": 0.002 * w,
                 "q025": mean - 2 * w, "q16": mean - w, "q50": mean, "q84": mean + w, "q975": mean + 2.1 * w}
                for w in width]

    true_width = 0.1 / np.sqrt(centres)
    learnt_width = 0.07 / np.sqrt(centres)
    curves = []
    for obj in ("e-", "e+"):
        for variable in ("E", "pT", "eta", "phi"):
            agrees = [bool(abs(l / t - 1) <= 0.25) for l, t in zip(learnt_width, true_width)]
            curves.append({"object": obj, "variable": variable, "quantity": "x/z", "units": "",
                           "z_bin_edges": np.linspace(15, 75, 11).tolist(), "z_bin_centres": centres.tolist(),
                           "true": bins(true_width, 1.0), "learnt": bins(learnt_width, 0.999),
                           "width_agrees": agrees, "mean_agrees": [True] * 10, "agrees": agrees})
    summary = {"bins": 80, "width_agrees": 0, "mean_agrees": 80, "agrees": 0, "fraction_agrees": 0.0,
               "by_variable": {v: {"bins": 20, "width_agrees": 0, "mean_agrees": 20, "agrees": 0,
                                   "fraction_agrees": 0.0} for v in ("E", "pT", "eta", "phi")}}
    transfer = {"rule": "a bin agrees when ...", "curves": curves, "summary": summary}
    # the mass response: trained on 80-100 GeV, learnt widths 30 % too large above it
    edges = [50, 70, 80, 90, 100, 120, 150]
    windows = []
    for low, high in zip(edges[:-1], edges[1:]):
        w = 0.01 * (low + high) / 2
        stretch = 1.3 if low >= 100 else 1.0
        windows.append({"mass_low": low, "mass_high": high, "trained": 80 <= low and high <= 100,
                        "true": dict(bins([w], 0.0)[0], q50_error=0.01),
                        "learnt": dict(bins([w * stretch], 0.05)[0], q50_error=0.01),
                        "peak_agrees": True, "width_agrees": stretch == 1.0, "agrees": stretch == 1.0})
    response = {"rule": "a window agrees when ...", "quantity": "M(x) - M(z)", "units": "GeV",
                "training_window": [80, 100], "windows": windows,
                "summary": {"windows": 6, "agrees": 4, "untrained_windows": 4, "untrained_agrees": 2}}
    verdicts = {"rule": "lower is better; ...",
                "rows": [{"figure": "KS M_ee simulation", "model": ks["simulation"], "floor": 0.006,
                          "identity": 0.073,
                          "verdict": "worse than identity" if ks["simulation"] > 0.073 else "better than identity"}],
                "counts": {"worse than identity": int(ks["simulation"] > 0.073)},
                "worse_than_identity": ["KS M_ee simulation"] if ks["simulation"] > 0.073 else []}
    metrics = {"events": {"test": 2 * n, "half": n}, "options": {"slices": 1000}, "checkpoint": "best",
               "sliced_wasserstein": {"gev2": sw, "standardised": sw},
               "observables": {"detector": detector, "parton": parton}, "transfer_function": transfer,
               "mass_response": response, "verdicts": verdicts}
    with open(os.path.join(folder, "evaluation", "metrics.json"), "w") as f:
        json.dump(metrics, f)
    with h5py.File(os.path.join(folder, "evaluation", "samples.h5"), "w") as f:
        for name, values in (("z_a", z_obs), ("x_a", x_obs), ("x_tilde_prime", learnt), ("z_tilde", unfolded)):
            d = f.create_dataset(f"{name}_observables", data=np.stack([values["e-_E"], values["M_ee"]], 1))
            d.attrs["names"] = ["e-_E", "M_ee"]
        f.create_dataset("x_tilde_prime_accepted", data=np.ones(n, np.int32))
    return metrics


class OtusFigures(unittest.TestCase):
    def check_sections(self, sections, out_dir):
        names = []
        for section in sections:
            self.assertTrue(section["title"])
            self.assertIsInstance(section["text"], str)
            for table in section["tables"]:
                self.assertTrue(all(len(row) == len(table["header"]) for row in table["rows"]), table["caption"])
            for name in section["figures"]:
                png = os.path.join(out_dir, name)
                pdf = png[:-4] + ".pdf"
                with open(png, "rb") as f:
                    self.assertEqual(f.read(8), PNG_MAGIC, png)
                with open(pdf, "rb") as f:
                    self.assertEqual(f.read(5), b"%PDF-", pdf)
                self.assertGreater(os.path.getsize(pdf), 1000, pdf)
                image = imread(png)
                self.assertGreater(image.shape[0], 100)
                self.assertGreater(float(np.std(image[..., :3])), 0.01, f"{png} is blank")
                names.append(name)
        return names

    def test_sections_from_written_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            sweep = os.path.join(tmp, "sweep_lambda")
            runs = []
            for k, value in enumerate((0.1, 1.0, 10.0)):
                metrics = write_run(os.path.join(sweep, f"lambda_{value:g}"), k, value)
                runs.append({"value": value, "run": f"lambda_{value:g}"})
            with open(os.path.join(sweep, "sweep.json"), "w") as f:
                json.dump({"parameter": "phases.0.weights.latent", "label": "λ", "runs": runs}, f)
            run = os.path.join(sweep, "lambda_10")
            first = os.path.join(tmp, "report1")
            sections = otus_sections(run, first)
            names = self.check_sections(sections, first)
            titles = [s["title"] for s in sections]
            for expected in ("Training", "Metrics against floor and identity", "Transport", "Transfer function",
                             "Ablation over λ"):
                self.assertIn(expected, titles)
            # the report opens with the verdicts; λ = 10 makes the simulation worse than the identity
            self.assertEqual(titles[0], "Verdicts")
            self.assertTrue(sections[0]["text"].startswith("WARNING"))
            self.assertIn("KS M_ee simulation", sections[0]["text"])
            self.assertIn("Lower is better", sections[0]["text"])
            for expected in ("otus_training.png", "otus_x_components.png", "otus_x_M_ee.png", "otus_z_M_ee.png",
                             "otus_transport_M_ee.png", "otus_transfer_e_minus.png", "otus_transfer_e_plus.png",
                             "otus_mass_response.png", "otus_ablation_phases_0_weights_latent.png"):
                self.assertIn(expected, names)
            # the tables carry metrics.json's numbers: KS of M_ee, model / floor / identity
            metric_tables = sections[titles.index("Metrics against floor and identity")]["tables"]
            simulation = next(t for t in metric_tables if "simulation" in t["caption"])
            row = next(r for r in simulation["rows"] if r[0] == "M_ee")
            self.assertEqual(row[1:4], [metrics["observables"]["detector"][1]["comparisons"][k]["ks"]
                                        for k in ("simulation", "floor", "identity")])
            ablation = sections[titles.index("Ablation over λ")]["tables"][0]
            self.assertEqual([r[1] for r in ablation["rows"]], [0.1, 1.0, 10.0])
            self.assertAlmostEqual(ablation["rows"][2][2], 15.0)
            # the same figures again from the files alone, into a fresh folder
            second = os.path.join(tmp, "report2")
            again = otus_sections(run, second)
            self.assertEqual(self.check_sections(again, second), names)
            self.assertEqual(sorted(os.listdir(first)), sorted(os.listdir(second)))

    def test_texts_say_what_the_figures_hold(self):
        """The defects found in the report: validation named without validation rows, phases shaded
        but not named, a scatter count larger than the sample."""
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "run")
            write_run(run, 0, 1.0)
            with open(os.path.join(run, "phase_0_anchors.json"), "w") as f:
                json.dump({}, f)
            with open(os.path.join(run, "phase_1_free.json"), "w") as f:
                json.dump({}, f)
            sections = {s["title"]: s for s in otus_sections(run, os.path.join(tmp, "out"))}
            training = sections["Training"]["text"]
            self.assertIn("anchors, free", training)
            self.assertIn("Dashed: the validation rows", training)
            self.assertIn("4000 held-out events", sections["Transport"]["text"])  # not "first 6000"
            self.assertNotIn("6000", sections["Transport"]["text"])
            # no validation rows: no dashed lines to speak of
            with open(os.path.join(run, "log.csv")) as f:
                rows = list(csv.DictReader(f))
            for row in rows:
                for key in row:
                    if key.startswith("validation_"):
                        row[key] = ""
            with open(os.path.join(run, "log.csv"), "w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
            training = {s["title"]: s for s in otus_sections(run, os.path.join(tmp, "out2"))}["Training"]["text"]
            self.assertNotIn("Dashed", training)
            self.assertIn("No validation rows", training)

    def test_ratio_panel_names_its_reference_and_clips_nothing(self):
        from otae_report.otus_figures import _draw_distribution, ratio_limits, DETECTOR_LABELS
        from otae_report.style import plt
        low, high = ratio_limits([0.3, 1.0, 2.4], [0.1, 0.0, 0.1])
        self.assertLessEqual(low, 0.2)
        self.assertGreaterEqual(high, 2.5)
        edges = np.linspace(0, 10, 11)
        histogram = {"edges": edges.tolist(), "reference": [100] * 10,
                     "simulation": [30, 100, 100, 100, 100, 100, 100, 100, 100, 250]}
        fig = plt.figure()
        main, ratio = fig.add_subplot(211), fig.add_subplot(212)
        _draw_distribution(main, ratio, histogram, ["reference", "simulation"], DETECTOR_LABELS, "GeV", "E")
        self.assertIn("ground truth", ratio.get_ylabel())
        bottom, top = ratio.get_ylim()
        self.assertLessEqual(bottom, 0.3)
        self.assertGreaterEqual(top, 2.5)
        legend = [t.get_text() for t in main.get_legend().get_texts()]
        self.assertTrue(any("ground truth $\\pm" in t for t in legend), legend)  # the grey band
        plt.close(fig)

    def test_not_a_run_folder(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(FileNotFoundError):
                otus_sections(tmp, os.path.join(tmp, "out"))

    @unittest.skipUnless(os.access(BINARY, os.X_OK), f"{BINARY} is not built")
    def test_sections_of_a_trained_and_evaluated_sweep(self):
        sample = os.path.join(SOURCE, "samples", "zee_small.h5")
        with tempfile.TemporaryDirectory() as tmp:
            sweep = os.path.join(tmp, "lambda")
            command = [BINARY, "otus", "sweep", sweep, "--parameter", "phases.0.weights.latent", "--values", "0.5,2",
                       "--label", "lambda", "--slices", "50", "--config",
                       os.path.join(SOURCE, "configs", "otus", "zee_quick.yaml"), "--data", sample]
            for override in ("data.max_train_events=2000", "data.split.validation=0.1", "data.split.train=0.4",
                             "training.batch_size=500", "training.threads=1", "loss.slices=50", "phases.0.epochs=2",
                             "phases.1.epochs=2"):
                command += ["--set", override]
            subprocess.run(command, check=True, capture_output=True)
            with open(os.path.join(sweep, "sweep.json")) as f:
                listed = json.load(f)
            self.assertEqual([r["value"] for r in listed["runs"]], [0.5, 2.0])
            run = os.path.join(sweep, listed["runs"][1]["run"])
            with h5py.File(os.path.join(run, "evaluation", "samples.h5"), "r") as f:
                for name in ("z", "x", "z_tilde", "x_tilde", "x_tilde_prime", "z_a", "x_a"):
                    self.assertEqual(f[name].shape[1], 8, name)
                self.assertEqual(f["z_a"].shape, f["x_tilde_prime"].shape)
            with open(os.path.join(run, "log.csv")) as f:
                log = list(csv.DictReader(f))
            self.assertEqual(len(log), 4)
            self.assertTrue(all(float(r["validation_distance"]) > 0 for r in log))
            out = os.path.join(tmp, "report")
            sections = otus_sections(run, out)
            names = self.check_sections(sections, out)
            self.assertIn("otus_transport_M_ee.png", names)
            self.assertIn("otus_ablation_phases_0_weights_latent.png", names)
            shutil.rmtree(out)
            self.assertEqual(self.check_sections(otus_sections(run, out), out), names)

if __name__ == "__main__":
    unittest.main()
