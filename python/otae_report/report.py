"""The report of one run folder: the figures (PNG + PDF) and index.html. A VAE run is drawn from
its analysis folder (otae vae analyze), falling back to the training log's validation KL when
there is none; a toy run adds the talks' toy figure; an OTUS run is drawn by otus_figures."""
import importlib
import math
import os

from . import figures, toy_figures
from .analysis_folder import open_analysis
from .index_page import write_index
from .readers import ReportError, ReportInputError, read_beta_schedule, read_beta_steps, read_json, reading

PHASES = ("priming", "production")


def is_otus_run(run_dir):
    """An OTUS run folder holds log.csv and run.json, and no beta_steps.jsonl."""
    def has(name):
        return os.path.isfile(os.path.join(run_dir, name))
    return has("log.csv") and has("run.json") and not has("beta_steps.jsonl")


def is_vae_run(run_dir):
    """A VAE run folder holds run.json and beta_schedule.csv (otae/train/vae_run_folder.hpp)."""
    return all(os.path.isfile(os.path.join(run_dir, name)) for name in ("run.json", "beta_schedule.csv"))


def build_report(run_dir, out_dir=None, analysis_dir=None):
    """Draws every figure of `run_dir` into `out_dir` (default run_dir/report) and writes index.html;
    returns its path. Raises ReportError (ReportInputError naming the file) when a file it needs
    is missing or malformed."""
    if not is_vae_run(run_dir) and not is_otus_run(run_dir):
        # checked before any folder is made, so that a mistyped path leaves nothing behind
        raise ReportInputError(f"{run_dir} is not a run folder: it holds neither a VAE run (run.json and "
                               "beta_schedule.csv, written by `otae vae train`) nor an OTUS run (run.json and "
                               "log.csv, written by `otae otus train`)")
    out_dir = out_dir or os.path.join(run_dir, "report")
    os.makedirs(out_dir, exist_ok=True)
    name = os.path.basename(os.path.normpath(os.path.abspath(run_dir)))
    if is_otus_run(run_dir):
        return write_index(out_dir, f"OTUS run {name}", otus_report_sections(run_dir, out_dir))
    if analysis_dir is not None and not os.path.isdir(analysis_dir):
        raise ReportInputError(f"the analysis folder {analysis_dir} is missing: run `otae vae analyze RUN --out "
                               f"{analysis_dir}` first, or leave --analysis out")
    report = VaeReport(run_dir, out_dir, analysis_dir or os.path.join(run_dir, "analysis"))
    return write_index(out_dir, f"EMD-VAE run {name}", report.sections(), report.notes)


def otus_report_sections(run_dir, out_dir):
    """The sections otae_report.otus_figures draws for an OTUS run."""
    module = f"{__package__}.otus_figures"
    try:
        otus_figures = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name != module:
            raise
        here = os.path.dirname(os.path.abspath(__file__))
        raise ReportError(f"{run_dir} is an OTUS run (log.csv, run.json) but {module} is not installed "
                          f"beside {here}: this otae cannot draw OTUS runs") from e
    return otus_figures.otus_sections(run_dir, out_dir)


def _units(unit):
    return "GeV" if unit == "GeV" else "data units"


class VaeReport:
    """The sections of a VAE run's report; figures are written as they are made."""

    def __init__(self, run_dir, out_dir, analysis_dir):
        self.run_dir, self.out_dir = run_dir, out_dir
        self.notes = []
        if os.path.isdir(analysis_dir):
            self.analysis = open_analysis(analysis_dir)
            self.data_source = self.analysis.data_source or self._run_data_source()
            self.unit = _units(self.analysis.beta_unit)
        else:
            self.analysis = None
            self.data_source = self._run_data_source()
            self.unit = "data units" if self.data_source.startswith("toy:") else "GeV"
            self.notes.append(f"No analysis folder ({analysis_dir}): the KL spectra are the training log's, on the "
                              "validation set (beta_steps.jsonl). Run `otae vae analyze RUN` for the held-out KL "
                              "spectra, D1/D2, the correlation dimension, the traversals and the latent-physics table.")
        self.beta_label = rf"$\beta$ [{self.unit}]"
        self.toy = toy_figures.parse_toy_spec(self.data_source)

    def _run_data_source(self):
        path = os.path.join(self.run_dir, "run.json")
        run = read_json(path, "written by otae vae train")
        with reading(path):
            return str(run["data_source"])

    def _stem(self, name):
        return os.path.join(self.out_dir, name)

    @staticmethod
    def _entry(paths, caption):
        return {"file": os.path.basename(paths[0]), "caption": caption}

    def sections(self):
        sections = [self.schedule_section(), self.kl_section()]
        if self.analysis is None:
            return sections
        if self.toy is not None:
            toy = self.toy_section()
            if toy is not None:
                sections.insert(1, toy)
        sections.append(self.dimensionality_section())
        generative = self.generative_metrics_section()
        if generative is not None:
            sections.append(generative)
        sections += self.traversal_sections()
        sections += self.latent_physics_sections()
        return sections

    def schedule_section(self):
        path = os.path.join(self.run_dir, "beta_schedule.csv")
        schedule = read_beta_schedule(path)
        with reading(path):
            if self.unit == "GeV":
                paths = figures.plot_beta_schedule(schedule, self._stem("beta_schedule"))
            else:
                paths = figures.plot_beta_schedule(schedule, self._stem("beta_schedule"),
                                                   beta_hat_label=r"$\hat\beta = \beta$ [data units]", beta_label=None)
        phases = ", ".join(f"{p} ({sum(r['phase'] == p for r in schedule)} steps)"
                           for p in dict.fromkeys(r["phase"] for r in schedule))
        return {"title": "β schedule", "text": f"{len(schedule)} β steps: {phases}.",
                "figures": [self._entry(paths, "β̂ against training step, coloured by phase (log scale).")]}

    def kl_section(self):
        if self.analysis is None:
            path = os.path.join(self.run_dir, "beta_steps.jsonl")
            steps = read_beta_steps(path)
            with reading(path):
                if not steps:
                    raise ValueError("no finished β step")
                paths = figures.plot_kl_spectra(steps, self._stem("kl_spectrum"), beta_label=self.beta_label,
                                                beta_key="beta_GeV", error_key=None)
            return {"title": "KL spectrum (training log, validation set)",
                    "text": "KL per latent direction against β from beta_steps.jsonl: validation rows, not held out.",
                    "figures": [self._entry(paths, "⟨KLᵢ⟩ against β for the priming and production runs (Fig. 7); "
                                                   "grey: directions that never exceed 0.1 nats.")]}
        a = self.analysis
        with reading(a.summary_path):
            paths = figures.plot_kl_spectra(a.checkpoints, self._stem("kl_spectrum"), beta_label=self.beta_label,
                                            threshold=a.threshold)
            rows = [[c["step"], c["phase"], c["beta_hat"], c["beta"], f"{c['kl']:.4g} ± {c.get('kl_error', 0):.2g}",
                     f"{c['distortion']:.4g} ± {c.get('distortion_error', 0):.2g}", len(c["informative"]),
                     " ".join(f"z{d}" for d in c["informative"][:8])] for c in a.checkpoints]
        rows_text = f"{a.summary.get('rows', '?')} held-out rows" if "rows" in a.summary else "held-out rows"
        return {"title": "KL spectrum (held out)",
                "text": f"Per-direction KL on {rows_text} at every checkpoint; informative: KL > {a.threshold:g} nats.",
                "figures": [self._entry(paths, "⟨KLᵢ⟩ against β, priming and production runs side by side, one-σ "
                                               "bands (Fig. 7); a direction keeps its colour in both.")],
                "tables": [{"caption": "Checkpoints: KL [nats], distortion [" + self.unit + "²] and the informative "
                                       "directions by decreasing KL",
                            "header": ["step", "phase", "β̂", f"β [{self.unit}]", "Σ KLᵢ", "distortion",
                                       "informative", "directions"], "rows": rows}]}

    def dimensionality_section(self):
        a = self.analysis
        dims_path, dims = a.dimensionalities()
        correlation = a.correlation_dimension()
        corr_path, corr = correlation if correlation else (None, None)
        entries = []
        with reading(dims_path):
            paths = figures.plot_dimensionalities(dims, self._stem("dimensionalities"), beta_label=self.beta_label,
                                                  correlation=corr)
            entries.append(self._entry(paths, "D1 = −dKL/d ln β and D2 = dD/dβ² with one-σ bands (Fig. 3): "
                                              "dotted squares the priming run, solid circles the production run, "
                                              "open markers where β descends; triangles on the edge: differences "
                                              "beyond the axis" + ("; D_corr at Q = 2β overlaid." if corr else ".")))
            phase_of = {k: r.get("phase", "") for k, r in enumerate(dims["runs"])}
            rows = [[phase_of.get(p["run"], ""), p["beta"], f"{p['d1']:.3g} ± {p['d1_error']:.2g}",
                     f"{p['d2']:.3g} ± {p['d2_error']:.2g}"] for p in sorted(dims["points"], key=lambda p: p["beta"])]
        if corr is not None:
            with reading(corr_path):
                method = corr.get("method", "")
                paths = figures.plot_correlation_dimension(corr, self._stem("correlation_dimension"),
                                                           q_label=f"$Q$ [{_units(a.distance_unit)}]",
                                                           beta_label=rf"$\beta = Q/2$ [{_units(a.distance_unit)}]",
                                                           dimensionalities=dims)
            entries.append(self._entry(paths, f"Correlation dimension D_corr(Q) = d ln N(Q)/d ln Q of "
                                              f"{corr.get('points', '?')} data points ({method or 'distances'}), "
                                              "one-σ band; D1 at Q = 2β."))
        return {"title": "Dimensionalities", "text": "Effective dimension of the data at each scale β, from the "
                "KL and distortion of neighbouring checkpoints" + (" and from pair counts" if corr else "") + ".",
                "figures": entries,
                "tables": [{"caption": "D1 and D2 between neighbouring checkpoints (β at the midpoint in ln β)",
                            "header": ["run", f"β [{self.unit}]", "D1", "D2"], "rows": rows}]}

    def generative_metrics_section(self):
        """JetNet's metrics per checkpoint, when `otae vae analyze` computed them (jet runs)."""
        a = self.analysis
        metrics = a.summary.get("generative_metrics")
        if not metrics:
            return None
        with reading(a.summary_path):
            paths = figures.plot_generative_metrics(a.checkpoints, metrics["floor"], self._stem("generative_metrics"),
                                                    beta_label=self.beta_label)

            def cell(m, key):
                return f"{m[key]['value']:.3g} ± {m[key]['error']:.2g}" if m else "—"

            keys = [key for key, _ in figures.GENERATIVE_METRICS]
            rows = [["floor", "", "truth vs truth"] + [cell(metrics["floor"], k) for k in keys]]
            for c in a.checkpoints:
                for sample, label, _ in figures.GENERATIVE_SAMPLES:
                    m = c["generative_metrics"][sample]
                    rows.append([c["step"], f"{c['beta']:.3g}", label] + [cell(m, k) for k in keys])
        return {"title": "JetNet's metrics",
                "text": f"W1M, W1P, W1EFP, FPD and KPD (docs/user-guide.md, `otae metrics`) of {metrics['jets']} "
                        "held-out jets against their reconstructions and against as many jets decoded from the "
                        "prior, at every checkpoint; the floor compares two halves of the held-out jets.",
                "figures": [self._entry(paths, "Each metric against β with one-σ bands; grey: the floor.")],
                "tables": [{"caption": "JetNet's metrics per checkpoint (value ± error)",
                            "header": ["step", f"β [{self.unit}]", "jets"] + [t for _, t in figures.GENERATIVE_METRICS],
                            "rows": rows}]}

    def traversal_sections(self):
        sections = []
        for path, traversal in self.analysis.traversals():
            with reading(path):
                sections.append(self._traversal_section(path, traversal))
        return sections

    def _traversal_section(self, path, traversal):
        kind = traversal.get("kind", self.analysis.kind)
        stem = os.path.splitext(os.path.basename(path))[0]
        where = (f"step {traversal.get('step', '?')} ({traversal.get('phase', '?')}), "
                 f"β = {traversal.get('beta', float('nan')):.3g} {self.unit}")
        directions = ", ".join(f"z{d}" for d in traversal["directions"])
        if kind == "jets":
            paths = figures.plot_traversal(traversal, self._stem(stem))
            caption = (f"Decoded jets along {directions} over the density of the encoded data (Figs. 1, 2, 8); "
                       "A, B zoomed on the right.")
            emd_label = "EMD [GeV]"
        else:
            density = toy_figures.toy_density(*self.toy) if self.toy else None
            paths = toy_figures.plot_vector_traversal(traversal, self._stem(stem), density=density, unit=self.unit)
            caption = f"Decoded points along {directions}: data space (left), latent space (right)."
            emd_label = f"distance [{self.unit}]"
        emd_paths = figures.plot_traversal_emds(traversal, self._stem(stem.replace("traversal", "traversal_emds")),
                                                emd_label=emd_label)
        return {"title": f"Latent traversal, {where}", "text": "",
                "figures": [self._entry(paths, caption),
                            self._entry(emd_paths, f"{emd_label.split(' [')[0]} between neighbouring decoded "
                                                   "points along each direction: equal latent steps, equal steps "
                                                   "in data space give flat lines.")]}

    def latent_physics_sections(self):
        sections = []
        for path, table in self.analysis.latent_physics():
            stem = os.path.splitext(os.path.basename(path))[0]
            with reading(path):
                paths = figures.plot_latent_physics(table, self._stem(stem))
                best = [[f"z{b['direction']}", b["quantity"], b.get("spearman"), b.get("mutual_information")]
                        for b in table.get("best", [])]
                full = [[f"z{d}"] + [f"{s:.2f} / {m:.2f}" if s is not None and m is not None else "–"
                                     for s, m in zip(table["spearman"][r], table["mutual_information"][r])]
                        for r, d in enumerate(table["directions"])]
            where = f"step {table.get('step', '?')}, β = {table.get('beta', float('nan')):.3g} {self.unit}"
            tables = [{"caption": "Spearman / mutual information [nats] per direction and quantity",
                       "header": ["direction"] + list(table["quantities"]), "rows": full}]
            if best:
                tables.insert(0, {"caption": "What each informative direction encodes (largest mutual information)",
                                  "header": ["direction", "quantity", "Spearman", "MI [nats]"], "rows": best})
            sections.append({"title": f"Latent ↔ physics, {where}", "text": "Correlation of each informative "
                             "direction's encoded μ with the jets' physics quantities (φ through sin and cos).",
                             "figures": [self._entry(paths, "Spearman correlation (left) and mutual information "
                                                            "(right) of directions against quantities; framed: "
                                                            "each direction's most informative quantity.")],
                             "tables": tables})
        return sections

    def toy_section(self):
        """The talks' figure for this toy: bananas at three β ranges, or a Gaussian's D1/D2 against D_corr."""
        name, parameters = self.toy
        a = self.analysis
        if name == "bananas" and a.kind == "vectors":
            return self._bananas_section(parameters)
        scales = toy_figures.toy_scales(name, parameters)
        if scales is None:
            return None
        dims_path, dims = a.dimensionalities()
        correlation = a.correlation_dimension()
        with reading(dims_path):
            paths = toy_figures.plot_dimensions_against_correlation(
                dims, correlation[1] if correlation else None, self._stem("toy_dimensions"),
                [c["beta"] for c in a.checkpoints], scales, beta_label=self.beta_label)
        return {"title": f"Toy {name}: D1/D2 against the correlation dimension",
                "text": f"σᵢ = {', '.join(f'{s:g}' for s in scales)}. The correlation dimension of a finite sample "
                        "runs out of close pairs (the sparsity limit) before it resolves the small scales; the "
                        "VAE's D1 and D2 count the directions with σᵢ > β at every β.",
                "figures": [self._entry(paths, "D1, D2 (points) and D_corr(Q = 2β) (band) in one figure; dashed: the "
                                               "linear VAE's #{σᵢ > β}; lower panel: pulls of D1, D2 from its exact "
                                               "finite differences.")]}

    def _bananas_section(self, parameters):
        traversals = self.analysis.traversals()
        ranges = (("β < 0.1", 0.0, 0.1), ("0.1 < β < 1", 0.1, 1.0), ("β ≫ 1", 1.0, float("inf")))
        panels = []
        for label, low, high in ranges:
            inside = [(p, t) for p, t in traversals if low <= t.get("beta", -1) < high]
            inside.sort(key=lambda pt: (pt[1].get("phase") != "production",
                                        _distance_to_middle(pt[1]["beta"], low, high)))
            if inside:
                path, traversal = inside[0]
                panels.append((f"{label}: β = {traversal['beta']:.2g}", traversal))
            else:
                panels.append((label, None))
        with reading(self.analysis.summary_path):
            paths = toy_figures.plot_bananas_by_beta(panels, self._stem("bananas_by_beta"), parameters,
                                                     unit=self.unit)
        a, s = parameters
        return {"title": "Toy bananas: traversals at three β ranges",
                "text": f"x = (t, {a:g}(t² − 1) + {s:g}ε). Small β resolves the band's width, intermediate β only "
                        "its curve (a non-linear principal component), large β nothing.",
                "figures": [self._entry(paths, "Decoded latent grid in data space over the banana density, the "
                                               "curve along the top direction in red; below, its residual from the "
                                               "ridge against the band's ±s.")]}


def _distance_to_middle(beta, low, high):
    """How far β is (in ln β) from the middle of [low, high); for an open range, the larger β the better."""
    if high == float("inf"):
        return -beta
    middle = math.sqrt(low * high) if low > 0 else high / 3
    return abs(math.log(beta / middle))
