"""Every shell command in the fenced ```sh blocks of README.md and docs/*.md, run as a new user
would type it, in a scratch folder beside which ../shared/data holds the shared data's small files
(HepMC3, external) and, for its large samples, the embedded samples cut from them (same layout, so
the same commands; minutes instead of an hour). Commands that would train for
long get small overrides (fewer epochs, rows and β steps) in the override form the README
documents; nothing else is changed, so an example that rots fails here. Also checks that every
path of the README's "Where things are" table exists.

Run by CTest with OTAE_BINARY, OTAE_SOURCE_DIR and OTAE_SHARED_DATA set; a few minutes on 2 cores.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest
import urllib.request

SOURCE = os.environ.get("OTAE_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BINARY = os.environ.get("OTAE_BINARY", "")
SHARED_DATA = os.environ.get("OTAE_SHARED_DATA", os.path.join(SOURCE, "..", "shared", "data"))

# Commands that are not otae's, with why they are not run here.
NOT_RUN = {
    "bash scripts/quickstart.sh": "installs Debian packages and builds: the set-up this test runs inside",
    "bash scripts/test.sh": "builds and runs every test, this one included",
    "python3 -m venv --system-site-packages .venv": "test_python_package.py installs the package so",
    ".venv/bin/pip install --no-build-isolation .": "test_python_package.py installs the package so",
}

# Embedded samples standing in for the large shared files.
STAND_INS = {"wjets.h5": "wjets_small.h5", "qcdjets.h5": "qcdjets_small.h5", "topjets.h5": "topjets_small.h5",
             "zee.h5": "zee_small.h5", "zee7.h5": "zee_small.h5", "ttbar.h5": "ttbar_small.h5"}

VAE_SHORT = ["train.threads=1", "train.steps_per_epoch=2", "train.max_epochs=1", "train.batch_size=20",
             "train.validation_batch_size=50", "schedule.grid.points=2", "schedule.zigzag.legs=0", "data.max_rows=400"]
ANALYSIS_SHORT = {"--dcorr-points": "40", "--max-rows": "200"}
OTUS_SHORT = ["data.max_train_events=1000", "training.batch_size=500", "loss.slices=20"]
METRICS_SHORT = {"--samples": "2000", "--fpd-min-samples": "500", "--fpd-max-samples": "1000", "--kpd-samples": "500"}


def shell_commands(markdown):
    """The commands of the ```sh blocks: continuation lines joined, comments dropped."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, re.S):
        for command in block.replace("\\\n", " ").splitlines():
            words = shlex.split(command, comments=True)
            if words:
                commands.append(words)
    return commands


def set_option(words, option, value):
    """words with `option value`, replacing a value already given."""
    if option in words:
        words = list(words)
        words[words.index(option) + 1] = value
        return words
    return words + [option, value]


def phase_count(config):
    """Phases of an OTUS config named as the README names it, relative to the repository."""
    with open(os.path.join(SOURCE, config), encoding="utf-8") as f:
        return sum(1 for line in f if re.match(r"\s*- name:", line))


def shortened(words):
    """The command with the overrides that keep it to seconds."""
    verb = " ".join(words[1:3])
    if verb in ("vae train", "vae study") and "--resume" not in words:
        words = words + VAE_SHORT
    if verb in ("vae study", "vae analyze"):
        for option, value in ANALYSIS_SHORT.items():
            words = set_option(words, option, value)
    if verb == "vae baseline":
        words = set_option(words, "--epochs", "1")
    if verb in ("otus train", "otus sweep") and "--resume" not in words:
        config = words[words.index("--config") + 1]
        phases = [f"phases.{i}.epochs=1" for i in range(phase_count(config))]
        for override in OTUS_SHORT + phases:
            words = words + ["--set", override]
    if verb in ("otus evaluate", "otus sweep"):
        words = set_option(words, "--slices", "20")
    if words[1] == "metrics":
        for option, value in METRICS_SHORT.items():
            words = set_option(words, option, value)
    return words


@unittest.skipUnless(BINARY, "OTAE_BINARY is not set (CTest sets it to build/otae)")
class ReadmeExamples(unittest.TestCase):
    def setUp(self):
        root = tempfile.mkdtemp(prefix="otae-readme-")
        self.addCleanup(shutil.rmtree, root)
        self.work = os.path.join(root, "otae")
        os.makedirs(os.path.join(self.work, "build"))
        for name in ("samples", "configs", "python"):
            os.symlink(os.path.join(SOURCE, name), os.path.join(self.work, name))
        os.symlink(BINARY, os.path.join(self.work, "build", "otae"))
        self.shared = os.path.join(root, "shared", "data")
        os.makedirs(self.shared)
        for name in ("hepmc", "external"):
            if os.path.isdir(os.path.join(SHARED_DATA, name)):
                os.symlink(os.path.join(SHARED_DATA, name), os.path.join(self.shared, name))
        for name, stand_in in STAND_INS.items():
            os.symlink(os.path.join(SOURCE, "samples", stand_in), os.path.join(self.shared, name))

    def run_documented(self, path):
        with open(path, encoding="utf-8") as f:
            commands = shell_commands(f.read())
        ran = 0
        for words in commands:
            typed = shlex.join(words)
            if typed in NOT_RUN:
                continue
            self.assertEqual(words[0], "build/otae", f"{path}: a command this test does not know: {typed}")
            missing = [w for w in words if w.startswith("../shared/") and not os.path.exists(os.path.join(self.work, w))]
            if missing:
                print(f"not run (no {missing[0]}): {typed}")
                continue
            run = shortened(words)
            if words[1] == "explore":
                self.check_explore_starts(run)
                ran += 1
                continue
            result = subprocess.run(run, cwd=self.work, capture_output=True, text=True, timeout=900)
            self.assertEqual(result.returncode, 0,
                             f"{os.path.basename(path)}: {typed}\nran as: {shlex.join(run)}\n{result.stdout}{result.stderr}")
            ran += 1
        return ran

    def check_explore_starts(self, words):
        """`otae explore` serves until stopped: it must print its address (on a free port here),
        answer /api/run, and stop on SIGTERM."""
        words = set_option(words, "--port", "0")
        server = subprocess.Popen(words, cwd=self.work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline()
            address = re.search(r"http://127\.0\.0\.1:\d+/", line)
            self.assertIsNotNone(address, f"{shlex.join(words)} printed {line!r} {server.stderr.read() if server.poll() is not None else ''}")
            direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 never through a proxy
            with direct.open(address.group(0) + "api/run", timeout=120) as answer:
                self.assertIn(json.load(answer)["kind"], ("vae", "otus"))
        finally:
            server.terminate()
            server.wait(timeout=60)

    def test_readme_commands_run_and_write_what_the_guide_says(self):
        self.assertGreater(self.run_documented(os.path.join(SOURCE, "README.md")), 20)
        self.check_file_reference()

    def check_file_reference(self):
        """Each row of the user guide's "Files otae writes": the dataset with its dtype, rank and
        attributes (or the root's attributes) in the file the README's commands wrote; each
        run-folder path present."""
        import h5py
        with open(os.path.join(SOURCE, "docs", "user-guide.md"), encoding="utf-8") as f:
            reference = f.read().split("## Files otae writes", 1)[1].split("\n## ", 1)[0]
        checked = 0
        for line in reference.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not line.startswith("| `") or not cells[0].startswith("`"):
                continue
            path = os.path.join(self.work, cells[0].strip("`"))
            self.assertTrue(os.path.exists(path), f"{cells[0]}: not written by the README's commands")
            checked += 1
            if len(cells) != 5:
                continue
            dataset, layout, attributes = cells[1].strip("`"), cells[2], re.findall(r"`([^`]+)`", cells[4])
            with h5py.File(path, "r") as h5:
                node = h5["/"] if dataset == "/" else h5.get(dataset)
                self.assertIsNotNone(node, f"{cells[0]} has no dataset {dataset}")
                for name in attributes:
                    self.assertIn(name, node.attrs, f"{cells[0]}:{dataset} lacks the attribute {name}")
                if dataset != "/":
                    dtype, shape = re.match(r"(\w+) \[([^\]]*)\]", layout).groups()
                    self.assertEqual(node.dtype.name, dtype, f"{cells[0]}:{dataset}")
                    self.assertEqual(node.ndim, len(shape.split(",")), f"{cells[0]}:{dataset} [{shape}]")
        self.assertGreater(checked, 40)

    def test_docs_commands_run(self):
        docs = os.path.join(SOURCE, "docs")
        for name in sorted(os.listdir(docs)):
            if name.endswith(".md"):
                self.run_documented(os.path.join(docs, name))


class WhereThingsAre(unittest.TestCase):
    def test_every_header_and_source_of_the_table_exists(self):
        with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        table = readme.split("## Where things are", 1)[1].split("\n## ", 1)[0]
        rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
        self.assertGreater(len(rows), 15)
        for row in rows:
            for cell in row.split("|")[2:4]:
                paths = re.findall(r"`([^`]+)`", cell)
                folder = os.path.dirname(paths[0]) if paths else ""
                for path in paths:
                    # a bare name shares the folder of the cell's first path; <noun> stands for several files
                    full = path if "/" in path else os.path.join(folder, path)
                    if "<" in full:
                        continue
                    self.assertTrue(os.path.exists(os.path.join(SOURCE, full)), f"{full} (row: {row})")


if __name__ == "__main__":
    unittest.main()
