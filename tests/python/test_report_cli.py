"""`otae report RUN` end to end on a synthetic run folder in the layout of otae vae analyze
(python/otae_report/selftest.py writes it): index.html links every figure, each PNG is a valid
image of a sensible size with its PDF; a missing summary.json ends with one line naming it and
exit status 1; a missing report package is named with the variable that fixes it.

Run by CTest with OTAE_BINARY (build/otae) and OTAE_SOURCE_DIR set.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE = os.environ.get("OTAE_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BINARY = os.environ.get("OTAE_BINARY", "")
sys.path.insert(0, os.path.join(SOURCE, "python"))

from otae_report import selftest  # noqa: E402


@unittest.skipUnless(BINARY, "OTAE_BINARY is not set (CTest sets it to build/otae)")
class ReportCommand(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="otae-report-cli-")
        self.addCleanup(shutil.rmtree, self.folder)
        self.run_dir = selftest.write_run(os.path.join(self.folder, "gaussian11"), "gaussian11")

    def otae(self, *args, **environment):
        return subprocess.run([BINARY, "report", *args], capture_output=True, text=True, timeout=600,
                              env={**os.environ, **environment})

    def test_draws_every_figure_into_the_index(self):
        out = os.path.join(self.folder, "figures")
        result = self.otae(self.run_dir, "--out", out)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(os.path.join(out, "index.html"), result.stdout)
        pngs = selftest.check_report(out)  # links, PNG validity and size, PDFs
        self.assertEqual(set(pngs), {"beta_schedule.png", "kl_spectrum.png", "toy_dimensions.png",
                                     "dimensionalities.png", "correlation_dimension.png", "traversal_step013.png",
                                     "traversal_emds_step013.png", "traversal_step017.png",
                                     "traversal_emds_step017.png"})
        with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
            page = f.read()
        self.assertNotIn("http", page)  # self-contained: no external asset

    def test_missing_summary_is_named(self):
        summary = os.path.join(self.run_dir, "analysis", "summary.json")
        os.remove(summary)
        result = self.otae(self.run_dir)
        self.assertEqual(result.returncode, 1)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn(summary, lines[0])
        self.assertFalse(os.path.exists(os.path.join(self.run_dir, "report", "index.html")))

    def test_missing_package_names_the_variable(self):
        result = self.otae(self.run_dir, OTAE_PYTHON_DIR=self.folder)
        self.assertEqual(result.returncode, 1)
        self.assertIn("OTAE_PYTHON_DIR", result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)

    def test_folder_that_is_not_a_run_is_refused_and_left_as_it_was(self):
        folder = os.path.join(self.folder, "not_a_run")
        os.makedirs(folder)
        result = self.otae(folder)
        self.assertEqual(result.returncode, 1)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertTrue(lines[0].startswith("otae: error: "), lines[0])
        self.assertIn("otae vae train", lines[0])
        self.assertIn("otae otus train", lines[0])
        self.assertEqual(os.listdir(folder), [])  # no empty report/ folder left behind

    def test_missing_run_folder_is_refused(self):
        result = self.otae(os.path.join(self.folder, "nowhere"))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("nowhere", result.stderr)


if __name__ == "__main__":
    unittest.main()
