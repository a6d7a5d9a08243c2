"""The analysis folder `otae vae analyze RUN` writes (RUN/analysis/): summary.json and the files
it names, in the layout agreed between the C++ analysis and this report (summary.json's fields:
kind, latent_dim, beta_unit, distance_unit, threshold, checkpoints, dimensionalities,
correlation_dimension, traversals, latent_physics). Every reader names the file it failed on."""
import os

from .readers import ReportInputError, read_json, reading

ANALYZE_HINT = "run `otae vae analyze RUN` first"
KINDS = ("jets", "vectors")
SUMMARY_FIELDS = ("kind", "latent_dim", "beta_unit", "checkpoints", "dimensionalities")
CHECKPOINT_FIELDS = ("step", "phase", "beta_hat", "beta", "kl", "distortion", "kl_per_dim", "informative")


class AnalysisFolder:
    """summary.json of an analysis folder, checked on opening, and the files it names, read on demand."""

    def __init__(self, folder):
        self.folder = folder
        self.summary_path = os.path.join(folder, "summary.json")
        self.summary = read_json(self.summary_path, ANALYZE_HINT)
        with reading(self.summary_path):
            self._check_summary()

    def _check_summary(self):
        s = self.summary
        missing = [f for f in SUMMARY_FIELDS if f not in s]
        if missing:
            raise ValueError(f"it has no field {', '.join(missing)}")
        if s["kind"] not in KINDS:
            raise ValueError(f"kind is {s['kind']!r}, expected one of {KINDS}")
        if not s["checkpoints"]:
            raise ValueError("checkpoints is empty: nothing was evaluated")
        for k, checkpoint in enumerate(s["checkpoints"]):
            missing = [f for f in CHECKPOINT_FIELDS if f not in checkpoint]
            if missing:
                raise ValueError(f"checkpoints[{k}] has no field {', '.join(missing)}")
            if len(checkpoint["kl_per_dim"]) != s["latent_dim"]:
                raise ValueError(f"checkpoints[{k}].kl_per_dim has {len(checkpoint['kl_per_dim'])} values, "
                                 f"latent_dim is {s['latent_dim']}")

    @property
    def kind(self):
        return self.summary["kind"]

    @property
    def checkpoints(self):
        return self.summary["checkpoints"]

    @property
    def data_source(self):
        return str(self.summary.get("data", ""))

    @property
    def beta_unit(self):
        return self.summary["beta_unit"]

    @property
    def distance_unit(self):
        return self.summary.get("distance_unit", self.beta_unit)

    @property
    def threshold(self):
        return float(self.summary.get("threshold", 0.1))

    def path(self, name):
        return os.path.join(self.folder, name)

    def _named(self, name, field):
        """A file named by summary.json's `field`; missing files are named with the field that lists them."""
        return read_json(self.path(name), f"summary.json lists it under {field!r}")

    def dimensionalities(self):
        """(path, the D1/D2 JSON with its runs and points)."""
        name = self.summary["dimensionalities"]
        document = self._named(name, "dimensionalities")
        with reading(self.path(name)):
            for field in ("runs", "points"):
                if not isinstance(document.get(field), list):
                    raise KeyError(field)
        return self.path(name), document

    def correlation_dimension(self):
        """(path, the D_corr JSON), or None when the analysis did not compute it."""
        name = self.summary.get("correlation_dimension")
        if not name:
            return None
        document = self._named(name, "correlation_dimension")
        with reading(self.path(name)):
            if not len(document["q"]) == len(document["dimension"]) == len(document["error"]):
                raise ValueError("q, dimension and error differ in length")
        return self.path(name), document

    def traversals(self):
        """[(path, traversal JSON)] in summary.json's order."""
        return [(self.path(n), self._named(n, "traversals")) for n in self.summary.get("traversals", [])]

    def latent_physics(self):
        """[(path, latent ↔ physics JSON)] in summary.json's order (jets only)."""
        return [(self.path(n), self._named(n, "latent_physics")) for n in self.summary.get("latent_physics", [])]


def open_analysis(folder):
    """The AnalysisFolder at `folder`; ReportInputError naming summary.json when it is missing or malformed."""
    if not os.path.isdir(folder):
        raise ReportInputError(f"{folder} is missing: {ANALYZE_HINT}")
    return AnalysisFolder(folder)
