"""The report figures drawn from synthetic analysis files: python/otae_report/selftest.py checks
that every PNG and PDF is written and is a non-blank image.

Run by CTest with /usr/bin/python3 (Debian's matplotlib, SciPy, NumPy); OTAE_SOURCE_DIR is the
repository.
"""
import os
import subprocess
import sys
import unittest

SOURCE = os.environ.get("OTAE_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SELFTEST = os.path.join(SOURCE, "python", "otae_report", "selftest.py")


class ReportFigures(unittest.TestCase):
    def test_selftest_draws_every_figure(self):
        result = subprocess.run([sys.executable, SELFTEST], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, f"{SELFTEST} failed:\n{result.stdout}\n{result.stderr}")
        self.assertIn("all 12 figure files drawn and checked", result.stdout)


if __name__ == "__main__":
    unittest.main()
