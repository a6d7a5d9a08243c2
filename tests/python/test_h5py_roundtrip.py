"""Files written by `otae data …` read back with h5py and numpy, the tools a user reaches for.

Run by CTest with /usr/bin/python3 (Debian's h5py and numpy); OTAE_BINARY is the built `otae`,
OTAE_SHARED_DATA the folder of shared samples.
"""
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

OTAE = os.environ.get("OTAE_BINARY", "")
SHARED = os.environ.get("OTAE_SHARED_DATA", "")
HEPMC = os.path.join(SHARED, "hepmc", "wjets_truth_20ev.hepmc3")
EXPECTED = os.path.join(SHARED, "hepmc", "wjets_truth_20ev_expected.h5")


def otae(*args, check=True):
    result = subprocess.run([OTAE, *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"otae {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


class DataCommands(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.isfile(OTAE):
            raise AssertionError(f"OTAE_BINARY={OTAE!r} is not the built otae")
        cls.folder = tempfile.TemporaryDirectory(prefix="otae-h5py-")
        cls.jets = os.path.join(cls.folder.name, "jets.h5")
        otae("data", "from-hepmc", HEPMC, "--out", cls.jets)

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()

    def path(self, name):
        return os.path.join(self.folder.name, name)

    def test_from_hepmc_layout_and_attributes(self):
        with h5py.File(self.jets, "r") as f:
            self.assertEqual(sorted(f.keys()), ["jet", "particles"])
            particles, jet = f["particles"], f["jet"]
            self.assertEqual(particles.shape, (20, 50, 3))
            self.assertEqual(particles.dtype, np.float32)
            self.assertEqual(jet.shape, (20, 5))
            self.assertEqual(particles.compression, "gzip")
            self.assertIsNotNone(particles.chunks)
            self.assertEqual(list(particles.attrs["columns"]), ["pt_GeV", "eta", "phi"])
            self.assertEqual(list(jet.attrs["columns"]), ["pt_GeV", "eta", "phi", "mass_GeV", "n_subjets"])
            for key in ("otae_version", "command_line", "generator", "cuts", "source"):
                self.assertIsInstance(f.attrs[key], str, key)
            self.assertIn("from-hepmc", f.attrs["command_line"])
            self.assertEqual(f.attrs["rows"], "20")
            with h5py.File(EXPECTED, "r") as expected:
                for name in ("particles", "jet"):
                    np.testing.assert_allclose(f[name][()], expected[name][()], rtol=1e-4, atol=1e-4)
            phi = particles[:, :, 2]
            self.assertTrue(np.all((phi >= -np.pi) & (phi < np.pi)))

    def test_collins_w_preset_applies_the_cuts(self):
        out = self.path("collins.h5")
        otae("data", "from-hepmc", HEPMC, "--out", out, "--preset", "collins-w")
        with h5py.File(out, "r") as f:
            jet = f["jet"][()]
        self.assertGreater(len(jet), 0)
        self.assertLess(len(jet), 20)
        self.assertTrue(np.all((jet[:, 0] >= 500) & (jet[:, 0] <= 600)))
        self.assertTrue(np.all((jet[:, 3] >= 75) & (jet[:, 3] <= 110)))
        self.assertTrue(np.all(np.abs(jet[:, 1]) <= 2))

    def test_split_is_row_aligned_and_deterministic(self):
        prefix = self.path("jets_a")
        otae("data", "split", self.jets, "--fractions", "0.5,0.25,0.25", "--seed", "3", "--out-prefix", prefix)
        otae("data", "split", self.jets, "--fractions", "0.5,0.25,0.25", "--seed", "3", "--out-prefix", self.path("jets_b"))
        with h5py.File(self.jets, "r") as source:
            all_jets, all_particles = source["jet"][()], source["particles"][()]
        rows = 0
        for part in ("train", "validation", "test"):
            with h5py.File(f"{prefix}.{part}.h5", "r") as f, h5py.File(self.path(f"jets_b.{part}.h5"), "r") as g:
                jet, particles = f["jet"][()], f["particles"][()]
                np.testing.assert_array_equal(jet, g["jet"][()])
                self.assertEqual(f.attrs["split_part"], part)
                self.assertEqual(f.attrs["rows"], str(len(jet)))
                self.assertEqual(list(f["particles"].attrs["columns"]), ["pt_GeV", "eta", "phi"])
                self.assertEqual(f["particles"].dtype, np.float32)
                for row in range(len(jet)):
                    index = np.flatnonzero(np.all(all_jets == jet[row], axis=1))[0]
                    np.testing.assert_array_equal(particles[row], all_particles[index])
                rows += len(jet)
        self.assertEqual(rows, 20)

    def test_from_npz_written_by_numpy(self):
        x = np.zeros((3, 4, 4))
        x[0, :2] = [[100.0, 0.5, 1.0, 211], [50.0, -0.5, 4.0, 22]]
        x[1, :1] = [[70.0, 2.0, -1.0, 2112]]
        x[2, :3] = [[10.0, 0.0, 0.0, 11], [20.0, 0.1, 0.2, -13], [30.0, 0.2, 0.1, 321]]
        npz, out = self.path("ef.npz"), self.path("ef.h5")
        np.savez_compressed(npz, X=x, y=np.ones(3))
        otae("data", "from-npz", npz, "--out", out, "--particle-features", "pt,y,phi,pid")
        with h5py.File(out, "r") as f:
            particles = f["particles"][()]
        self.assertEqual(particles.shape, (3, 4, 3))
        mass = {211: 0.13957, 22: 0.0, 2112: 0.939565, 11: 0.000511, 13: 0.105658, 321: 0.493677}
        for jet in range(3):
            real = x[jet][x[jet][:, 0] > 0]
            real = real[np.argsort(-real[:, 0])]
            m = np.array([mass[abs(int(p))] for p in real[:, 3]])
            eta = np.arcsinh(np.sqrt(real[:, 0] ** 2 + m ** 2) * np.sinh(real[:, 1]) / real[:, 0])
            phi = np.mod(real[:, 2] + np.pi, 2 * np.pi) - np.pi
            np.testing.assert_allclose(particles[jet, : len(real)], np.stack([real[:, 0], eta, phi], 1), rtol=1e-5, atol=1e-6)
            self.assertTrue(np.all(particles[jet, len(real):] == 0))

    def test_from_jetnet_written_by_h5py(self):
        source, out = self.path("jetnet.h5"), self.path("jetnet_otae.h5")
        particle_features = np.zeros((2, 3, 4), dtype=np.float32)
        particle_features[0, :2] = [[0.1, -0.1, 0.6, 1], [-0.1, 0.2, 0.3, 1]]
        particle_features[1, :1] = [[0.0, 0.0, 1.0, 1]]
        jet_features = np.array([[0, 800.0, 0.3, 90.0, 2], [1, 600.0, -1.2, 10.0, 1]], dtype=np.float32)
        with h5py.File(source, "w") as f:
            f["particle_features"], f["jet_features"] = particle_features, jet_features
        otae("data", "from-jetnet", source, "--out", out, "--particle-features", "etarel,phirel,ptrel,mask",
             "--jet-features", "type,pt,eta,mass,num_particles")
        with h5py.File(out, "r") as f:
            np.testing.assert_allclose(f["particles"][0, 0], [480.0, 0.4, -0.1], rtol=1e-6)
            np.testing.assert_allclose(f["jet"][1], [600.0, -1.2, 0.0, 10.0, 1.0], rtol=1e-6)

    def test_bad_input_fails_with_one_line(self):
        missing = self.path("missing.h5")
        result = otae("data", "inspect", missing, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
        self.assertIn(missing, result.stderr)
        self.assertIn("no such file", result.stderr)
        truncated = self.path("truncated.h5")
        with open(self.jets, "rb") as f, open(truncated, "wb") as g:
            g.write(f.read()[: os.path.getsize(self.jets) // 2])
        result = otae("data", "split", truncated, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("truncated or corrupt", result.stderr)


if __name__ == "__main__":
    sys.exit(unittest.main())
