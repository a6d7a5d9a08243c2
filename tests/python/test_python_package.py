"""The Python package as a user installs it, with Debian's packages alone: `pip install
--no-build-isolation .` into a `python3 -m venv --system-site-packages` environment (no PyPI:
--no-index), reusing this build's CMake folder. Then the README's Python example runs from a
scratch folder with that environment's interpreter (no build tree on the path), and the type
stub python/otae.pyi and the reference page docs/python.md are checked against what
scripts/write_python_stub.py writes for the built module.

Run by CTest with OTAE_BINARY, OTAE_PYTHON_MODULE_DIR and OTAE_SOURCE_DIR set; about a minute."""
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import unittest

SOURCE = os.environ.get("OTAE_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MODULE_DIR = os.environ.get("OTAE_PYTHON_MODULE_DIR", os.path.join(SOURCE, "build", "python"))
BINARY = os.environ.get("OTAE_BINARY", os.path.join(SOURCE, "build", "otae"))
VAE_SHORT = ["train.threads=1", "train.steps_per_epoch=2", "train.max_epochs=1", "train.batch_size=20",
             "train.validation_batch_size=50", "schedule.grid.points=2", "schedule.zigzag.legs=0", "data.max_rows=400"]


def readme_python_example():
    with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
        section = f.read().split("### From Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


class WrittenFromTheModule(unittest.TestCase):
    def test_stub_and_reference_page_are_what_the_writer_gives(self):
        sys.path.insert(0, MODULE_DIR)
        spec = importlib.util.spec_from_file_location("write_python_stub",
                                                      os.path.join(SOURCE, "scripts", "write_python_stub.py"))
        writer = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(writer)
        import otae
        for path, written in (("python/otae.pyi", writer.stub(otae)), ("docs/python.md", writer.reference_page(otae))):
            with open(os.path.join(SOURCE, path), encoding="utf-8") as f:
                self.assertEqual(f.read(), written, f"{path} is stale: run PYTHONPATH=build/python scripts/write_python_stub.py")


class PipInstall(unittest.TestCase):
    def run_checked(self, command, **kwargs):
        result = subprocess.run(command, capture_output=True, text=True, **kwargs)
        self.assertEqual(result.returncode, 0, f"{' '.join(command)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result.stdout

    def test_readme_example_runs_from_the_installed_package(self):
        example = readme_python_example()
        self.assertNotIn("sys.path", example, "the README's example must use the installed package")
        with tempfile.TemporaryDirectory() as scratch:
            venv = os.path.join(scratch, "venv")
            self.run_checked(["/usr/bin/python3", "-m", "venv", "--system-site-packages", venv])
            python = os.path.join(venv, "bin", "python")
            env = dict(os.environ, OTAE_CMAKE_BUILD_DIR=os.path.dirname(MODULE_DIR))
            env.pop("PYTHONPATH", None)
            self.run_checked([python, "-m", "pip", "install", "--no-build-isolation", "--no-index", "--quiet", SOURCE],
                             env=env)

            work = os.path.join(scratch, "work")
            os.makedirs(work)
            os.symlink(os.path.join(SOURCE, "samples"), os.path.join(work, "samples"))
            self.run_checked([BINARY, "vae", "train", "--config", os.path.join(SOURCE, "configs", "vae", "quick.yaml"),
                              "--data", "samples/wjets_small.h5", "--out", "runs/quick", *VAE_SHORT], cwd=work)
            check = ("import os, otae, otae_report\n"
                     "site = os.path.dirname(otae.__file__)\n"
                     "assert site.startswith(os.environ['VIRTUAL_ENV']), site\n"
                     "assert os.path.exists(os.path.join(site, 'otae.pyi'))\n"
                     "assert os.path.dirname(otae_report.__file__).startswith(site)\n")
            env = dict(env, VIRTUAL_ENV=venv)
            self.run_checked([python, "-c", check + example + "\nprint(d.shape, decoded.shape)"], cwd=work, env=env)


if __name__ == "__main__":
    unittest.main()
