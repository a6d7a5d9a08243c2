"""The report drawn from synthetic run folders (python/otae_report/selftest.py writes them in the
layouts of otae vae train and otae vae analyze): every figure drawn, shown in index.html and a
valid image; a missing or malformed file named in the error; the figures regenerated from the
JSON alone, pixel for pixel; the toy references against closed forms.

Run by CTest with /usr/bin/python3 (Debian's matplotlib, SciPy, NumPy); OTAE_SOURCE_DIR is the
repository.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
from scipy import integrate

SOURCE = os.environ.get("OTAE_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SELFTEST = os.path.join(SOURCE, "python", "otae_report", "selftest.py")
sys.path.insert(0, os.path.join(SOURCE, "python"))

from matplotlib import image  # noqa: E402
from otae_report import selftest, toy_figures  # noqa: E402
from otae_report.readers import ReportInputError  # noqa: E402
from otae_report.report import build_report  # noqa: E402


class ReportFigures(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="otae-report-test-")
        self.addCleanup(shutil.rmtree, self.folder)

    def test_selftest_draws_every_report_and_it_regenerates_from_json_alone(self):
        result = subprocess.run([sys.executable, SELFTEST, "--keep", self.folder], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, f"{SELFTEST} failed:\n{result.stdout}\n{result.stderr}")
        self.assertIn("all 62 figure files drawn and checked", result.stdout)
        self.assertIn("bananas_by_beta.png", result.stdout)
        self.assertIn("toy_dimensions.png", result.stdout)
        # the run folder holds JSON and CSV only: no checkpoint is needed to draw it again
        run = os.path.join(self.folder, "bananas")
        self.assertFalse(os.path.exists(os.path.join(run, "checkpoints")))
        first = os.path.join(run, "report")
        pngs = selftest.check_report(first)
        again = os.path.join(self.folder, "again")
        build_report(run, again)
        self.assertEqual(selftest.check_report(again), pngs)
        for png in pngs:
            np.testing.assert_array_equal(image.imread(os.path.join(first, png)),
                                          image.imread(os.path.join(again, png)), err_msg=png)

    def test_missing_summary_is_named(self):
        run = selftest.write_run(os.path.join(self.folder, "jets"), "jets")
        summary = os.path.join(run, "analysis", "summary.json")
        os.remove(summary)
        with self.assertRaises(ReportInputError) as caught:
            build_report(run)
        self.assertIn(summary, str(caught.exception))
        self.assertIn("otae vae analyze", str(caught.exception))

    def test_malformed_summary_is_named(self):
        run = selftest.write_run(os.path.join(self.folder, "jets"), "jets")
        summary = os.path.join(run, "analysis", "summary.json")
        with open(summary) as f:
            document = json.load(f)
        del document["checkpoints"][3]["kl_per_dim"]
        with open(summary, "w") as f:
            json.dump(document, f)
        with self.assertRaises(ReportInputError) as caught:
            build_report(run)
        self.assertIn(summary, str(caught.exception))
        self.assertIn("checkpoints[3] has no field kl_per_dim", str(caught.exception))
        with open(summary, "w") as f:
            f.write('{"kind": "jets", ')
        with self.assertRaisesRegex(ReportInputError, f"{summary} is not valid JSON"):
            build_report(run)

    def test_malformed_named_file_is_named(self):
        run = selftest.write_run(os.path.join(self.folder, "gaussian11"), "gaussian11")
        dims = os.path.join(run, "analysis", "dimensionalities.json")
        with open(dims, "w") as f:
            json.dump({"runs": []}, f)
        with self.assertRaisesRegex(ReportInputError, f"{dims} is malformed: it has no field 'points'"):
            build_report(run)

    def test_toy_specs_and_densities(self):
        self.assertEqual(toy_figures.parse_toy_spec("toy:bananas"), ("bananas", [0.5, 0.1]))
        self.assertEqual(toy_figures.parse_toy_spec("toy:bananas:0.3,0.2?n=5&seed=2"), ("bananas", [0.3, 0.2]))
        self.assertEqual(toy_figures.parse_toy_spec("toy:gaussian:2,1"), ("gaussian", [2.0, 1.0]))
        self.assertIsNone(toy_figures.parse_toy_spec("jets.h5"))
        self.assertEqual(toy_figures.toy_scales("gaussian11", []), [1.0] * 10 + [0.1])
        for name, parameters in (("bananas", [0.5, 0.1]), ("circle", [1.0, 0.05]), ("gaussian", [2.0, 0.5, 1.0])):
            density = toy_figures.toy_density(name, parameters)
            # a fine grid resolves the banana's width s = 0.1 and the ring's 0.05
            x, y = np.linspace(-10, 10, 2001), np.linspace(-8, 50, 5801)
            mass = integrate.trapezoid(integrate.trapezoid(density(*np.meshgrid(x, y)), x, axis=1), y)
            self.assertAlmostEqual(mass, 1.0, delta=2e-3, msg=name)

    def test_linear_vae_counts_are_the_closed_form_differences(self):
        scales = [1.0] * 10 + [0.1]
        for low, high, expected in ((0.01, 0.02, (11, 11)), (0.2, 0.4, (10, 10)), (2.0, 4.0, (0, 0)),
                                    (0.05, 0.2, (10 + math.log(2) / math.log(4), 10 + 0.0075 / 0.0375))):
            d1, d2 = toy_figures.linear_vae_counts(scales, low, high)
            self.assertAlmostEqual(d1, expected[0], places=12)
            self.assertAlmostEqual(d2, expected[1], places=12)


if __name__ == "__main__":
    unittest.main()
