"""Files written by `otae data to-npz` and `otae data to-jetnet`, opened as their users open them:
numpy.load for EnergyFlow's .npz, h5py for JetNet's HDF5 layout (Debian's numpy and h5py).

Run by CTest with /usr/bin/python3; OTAE_BINARY is the built `otae`, OTAE_SOURCE_DIR the repository.
"""
import os
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

OTAE = os.environ.get("OTAE_BINARY", "")
SAMPLES = os.path.join(os.environ.get("OTAE_SOURCE_DIR", ""), "samples")
WJETS = os.path.join(SAMPLES, "wjets_small.h5")


def otae(*args, check=True):
    result = subprocess.run([OTAE, *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"otae {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


def wrapped(phi):
    return (phi + np.pi) % (2 * np.pi) - np.pi


class ExternalWriters(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.isfile(OTAE):
            raise AssertionError(f"OTAE_BINARY={OTAE!r} is not the built otae")
        cls.folder = tempfile.TemporaryDirectory(prefix="otae-writers-")
        with h5py.File(WJETS, "r") as f:
            cls.particles = f["particles"][()]
            cls.jet = f["jet"][()]
        cls.real = cls.particles[:, :, 0] > 0

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()

    def path(self, name):
        return os.path.join(self.folder.name, name)

    def test_npz_is_energyflows_layout(self):
        out = self.path("wjets.npz")
        otae("data", "to-npz", WJETS, "--out", out)
        with np.load(out) as f:
            self.assertEqual(sorted(f.files), ["X"])  # no 'label' dataset, no y
            x = f["X"]
        self.assertEqual(x.shape, (4000, 50, 3))
        self.assertEqual(x.dtype, np.float64)
        np.testing.assert_array_equal(x[:, :, 0], self.particles[:, :, 0])
        np.testing.assert_array_equal(x[:, :, 1], self.particles[:, :, 1])
        self.assertTrue(np.all(x[~self.real] == 0))
        # each φ within π of its jet's, and the same angle as otae's
        from_jet = x[:, :, 2] - self.jet[:, 2:3]
        self.assertLessEqual(np.abs(from_jet[self.real]).max(), np.pi)
        self.assertLess(np.abs(wrapped(x[:, :, 2] - self.particles[:, :, 2]))[self.real].max(), 1e-6)
        # and otae reads it back
        back = self.path("back.h5")
        otae("data", "from-npz", out, "--particle-features", "pt,eta,phi", "--out", back)
        with h5py.File(back, "r") as f:
            np.testing.assert_allclose(f["particles"][()], self.particles, atol=1e-6)

    def test_npz_of_a_mixed_sample_carries_the_labels_as_y(self):
        mixed, out = self.path("mixed.h5"), self.path("mixed.npz")
        otae("data", "mix", os.path.join(SAMPLES, "qcdjets_small.h5"), os.path.join(SAMPLES, "topjets_small.h5"),
             "--rows-per-file", "100", "--out", mixed)
        otae("data", "to-npz", mixed, "--out", out)
        with h5py.File(mixed, "r") as f:
            label = f["label"][()]
        with np.load(out) as f:
            self.assertEqual(sorted(f.files), ["X", "y"])
            np.testing.assert_array_equal(f["y"], label)
            self.assertEqual(f["X"].shape[0], 200)

    def test_jetnet_layout(self):
        out = self.path("w.hdf5")
        otae("data", "to-jetnet", WJETS, "--out", out)
        with h5py.File(out, "r") as f:
            self.assertEqual(sorted(f.keys()), ["jet_features", "particle_features"])
            pf, jf = f["particle_features"][()], f["jet_features"][()]
            self.assertEqual(list(f["particle_features"].attrs["columns"]), ["etarel", "phirel", "ptrel", "mask"])
            self.assertEqual(list(f["jet_features"].attrs["columns"]), ["pt", "eta", "mass", "num_particles"])
            self.assertIn("to-jetnet", f.attrs["command_line"])
        self.assertEqual(pf.shape, (4000, 50, 4))
        self.assertEqual(pf.dtype, np.float32)
        self.assertEqual(jf.shape, (4000, 4))
        np.testing.assert_array_equal(jf, self.jet[:, [0, 1, 3, 4]])
        np.testing.assert_array_equal(pf[:, :, 3], self.real.astype(np.float32))
        self.assertTrue(np.all(pf[~self.real] == 0))
        np.testing.assert_allclose(pf[:, :, 2] * jf[:, :1], self.particles[:, :, 0], rtol=1e-6)
        np.testing.assert_allclose(pf[:, :, 0][self.real], (self.particles[:, :, 1] - self.jet[:, 1:2])[self.real],
                                   atol=1e-6)
        np.testing.assert_allclose(pf[:, :, 1][self.real],
                                   wrapped(self.particles[:, :, 2] - self.jet[:, 2:3])[self.real], atol=1e-6)

    def test_missing_and_malformed_input_is_named(self):
        missing = self.path("missing.h5")
        for command in ("to-npz", "to-jetnet"):
            result = otae("data", command, missing, "--out", self.path("out"), check=False)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("missing.h5", result.stderr)
        events = os.path.join(SAMPLES, "zee_small.h5")  # events, not jets
        result = otae("data", "to-jetnet", events, "--out", self.path("out.h5"), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("zee_small.h5", result.stderr)
        self.assertIn("particles", result.stderr)
        self.assertFalse(os.path.exists(self.path("out.h5")))


if __name__ == "__main__":
    unittest.main()
