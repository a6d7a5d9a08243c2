"""Figures of an OTUS run (Howard et al. 2022), drawn only from the files otae writes:

    RUN/run.json, RUN/log.csv, RUN/best.json   by `otae otus train`
    RUN/evaluation/metrics.json                by `otae otus evaluate RUN --data D.h5` (default --out):
                                               every number of the tables, the histograms of every
                                               observable and the binned transfer function
    RUN/evaluation/samples.h5                  the held-out and generated events (z, x, z_tilde,
                                               x_tilde, x_tilde_prime, z_a with its truth-paired x_a)
                                               and their per-event observables
    SWEEP/sweep.json                           an ablation: {"parameter": key, "label": text,
                                               "runs": [{"value": v, "run": folder relative to SWEEP}]};
                                               written by `otae otus sweep`. A run inside SWEEP/ gets the
                                               ablation section.

The entry point is `otus_sections(run_dir, out_dir)`. No statistic is computed here except the
binning and normalisation of the drawn histograms; every metric in a table was computed by otae.
"""
import csv
import json
import os

import h5py
import numpy as np
from matplotlib.gridspec import GridSpecFromSubplotSpec

from .style import figure_style, plt, save

EVALUATION_FOLDER = "evaluation"
SOURCE_BINS = 6
SCATTER_POINTS = 6000

# one colour and line per sample, the same in every figure
SAMPLES = {
    "reference": {"colour": "black", "style": "-", "width": 1.6},
    "simulation": {"colour": "#c0392b", "style": "-", "width": 1.3},
    "reconstruction": {"colour": "#1f4e9c", "style": "--", "width": 1.3},
    "unfolding": {"colour": "#2d7d46", "style": "-", "width": 1.3},
    "identity": {"colour": "0.55", "style": ":", "width": 1.3},
}
DETECTOR_LABELS = {"reference": r"ground truth $x$", "reconstruction": r"$x \to \tilde z \to \tilde x$",
                   "simulation": r"$z \to \tilde x'$", "identity": r"identity $\tilde x' = z$"}
PARTON_LABELS = {"reference": r"ground truth $z$", "unfolding": r"$x \to \tilde z$",
                 "identity": r"identity $\tilde z = x$"}
PHASE_SHADES = ["#f4f4f4", "#e4e4e4"]


def _read_json(path):
    with open(path) as handle:
        return json.load(handle)


def _read_log(path):
    """log.csv as {column: float array}; empty cells (terms not computed) become NaN."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise ValueError(f"{path}: no epoch logged yet")
    return {key: np.array([float(r[key]) if r[key] not in ("", None) else np.nan for r in rows])
            for key in rows[0]}


def _pretty(name):
    """Observable names as axis text: 'e-_pz' -> '$p_z(e^-)$', 'M_t_had' -> '$M_{t,\\mathrm{had}}$'."""
    objects = {"e-": "e^-", "e+": "e^+", "nu_e_bar": r"\bar\nu_e", "b_bar": r"\bar b", "d_bar": r"\bar d",
               "MET": r"E_T^{\mathrm{miss}}"}
    components = {"px": "p_x", "py": "p_y", "pz": "p_z", "E": "E"}
    if name.startswith("M_"):
        parts = name[2:].split("_")
        sub = parts[0] if parts[0] != "tt" else r"t\bar t"
        if len(parts) > 1:
            sub += r",\mathrm{" + parts[1] + "}"
        return rf"$M_{{{sub}}}$"
    obj, _, component = name.rpartition("_")
    if component in components:
        label = objects.get(obj, r"\mathrm{" + obj + "}")
        return rf"${components[component]}({label})$"
    return name


def _density(counts, edges):
    counts = np.asarray(counts, float)
    total = counts.sum()
    widths = np.diff(edges)
    if total <= 0:
        return np.zeros_like(counts), np.zeros_like(counts)
    return counts / (total * widths), np.sqrt(counts) / (total * widths)


def _draw_distribution(main, ratio, histogram, names, labels, units, xlabel, legend=True):
    """Unit-area histograms of `names` over the shared edges, and their ratio to the reference."""
    edges = np.asarray(histogram["edges"], float)
    reference, reference_error = _density(histogram["reference"], edges)
    # the identity can be far narrower than the data (tt̄ masses): scale to the others, clip it
    peak = max(_density(histogram[n], edges)[0].max() for n in names if n != "identity" and histogram.get(n))
    for name in names:
        counts = histogram.get(name)
        if counts is None:
            continue
        look = SAMPLES[name]
        values, errors = _density(counts, edges)
        main.stairs(values, edges, color=look["colour"], ls=look["style"], lw=look["width"], label=labels[name])
        if name == "reference":
            main.fill_between(edges, np.append(values - errors, 0)[:len(edges)],
                              np.append(values + errors, 0)[:len(edges)], step="post", color="0.8", lw=0)
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(reference > 0, values / reference, np.nan)
            r_error = r * np.sqrt(np.where(values > 0, (errors / values) ** 2, 0) +
                                  np.where(reference > 0, (reference_error / reference) ** 2, 0))
        centres = 0.5 * (edges[1:] + edges[:-1])
        ratio.errorbar(centres, r, yerr=r_error, color=look["colour"], ls="none", marker="o", ms=2, lw=0.8)
    ratio.axhline(1.0, color="black", lw=0.8)
    ratio.set_ylim(0.5, 1.5)
    ratio.set_yticks([0.75, 1.0, 1.25])  # clear of the main panel's lowest label
    ratio.set_ylabel("ratio")
    ratio.set_xlabel(f"{xlabel} [{units}]" if units else xlabel)
    main.set_ylabel(f"density [1/{units}]" if units else "density")
    main.tick_params(labelbottom=False)
    if peak > 0:
        main.set_ylim(0, 1.3 * peak)
    main.set_xlim(edges[0], edges[-1])
    ratio.set_xlim(edges[0], edges[-1])
    if legend:
        main.legend(loc="best")


def _distribution_figure(observable, names, labels, stem):
    with figure_style():
        fig = plt.figure(figsize=(5.0, 4.4))
        grid = fig.add_gridspec(2, 1, height_ratios=[3, 1], hspace=0.05)
        main, ratio = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
        _draw_distribution(main, ratio, observable["histogram"], names, labels, observable["units"],
                           _pretty(observable["name"]))
        return save(fig, stem)


def _components_figure(observables, names, labels, stem):
    """The px, py, pz, E of every object in one grid (a row per object), each with a ratio panel."""
    components = [o for o in observables if not o["name"].startswith("M_")]
    columns = 4
    rows = (len(components) + columns - 1) // columns
    with figure_style():
        fig = plt.figure(figsize=(3.2 * columns, 3.0 * rows))
        outer = fig.add_gridspec(rows, columns, hspace=0.35, wspace=0.35, top=1.0 - 0.25 / rows)
        for k, observable in enumerate(components):
            inner = GridSpecFromSubplotSpec(2, 1, subplot_spec=outer[k // columns, k % columns],
                                            height_ratios=[3, 1], hspace=0.05)
            main, ratio = fig.add_subplot(inner[0]), fig.add_subplot(inner[1])
            _draw_distribution(main, ratio, observable["histogram"], names, labels, observable["units"],
                               _pretty(observable["name"]), legend=False)
            if k == 0:
                handles, texts = main.get_legend_handles_labels()
        fig.legend(handles, texts, loc="upper center", bbox_to_anchor=(0.5, 1.0), ncol=len(texts))
        return save(fig, stem)


def _stem(out_dir, name):
    return os.path.join(out_dir, name)


def _figure_names(paths):
    return [os.path.basename(p) for p in paths if p.endswith(".png")]


def _training_section(run_dir, out_dir):
    log = _read_log(os.path.join(run_dir, "log.csv"))
    epoch = log["global_epoch"] + 1
    terms = [("latent", r"SW$(z, E(x))$", "#2d7d46"), ("data", r"SW$(x, D(z))$", "#c0392b"),
             ("reconstruction", r"MSE$(x, D(E(x)))$", "#1f4e9c"), ("mass", r"$W_2^2(M)$", "#8e44ad")]
    with figure_style():
        fig, (ax, rate) = plt.subplots(2, 1, figsize=(5.5, 5.0), sharex=True, height_ratios=[3, 1])
        phases = log["phase"]
        for k, phase in enumerate(np.unique(phases)):
            inside = epoch[phases == phase]
            for a in (ax, rate):
                a.axvspan(inside.min() - 0.5, inside.max() + 0.5, color=PHASE_SHADES[k % 2], lw=0, zorder=0)
        for key, label, colour in terms:
            if key in log and np.isfinite(log[key]).any():
                ax.plot(epoch, log[key], color=colour, lw=1.2, label=f"{label} train")
            validation = log.get("validation_" + key)
            if validation is not None and np.isfinite(validation).any():
                ax.plot(epoch, validation, color=colour, lw=1.0, ls="--", label="validation")
        ax.set_yscale("log")
        ax.set_ylabel("loss term [standardised units$^2$]")
        ax.legend(ncol=2, fontsize=8)
        rate.plot(epoch, log["learning_rate"], color="black", lw=1.0)
        rate.set_yscale("log")
        rate.set_ylabel("learning rate")
        rate.set_xlabel("epoch")
        paths = save(fig, _stem(out_dir, "otus_training"))
    text = f"{len(epoch)} epochs in {int(np.unique(phases).size)} phases (shaded); dashed: the validation rows."
    best_path = os.path.join(run_dir, "best.json")
    if os.path.exists(best_path):
        best = _read_json(best_path)
        text += (f" Lowest validation distance {best['validation_distance']:.4g} at epoch "
                 f"{best['global_epoch'] + 1} (phase {best['phase']}), kept as best.pt.")
    return {"title": "Training", "text": text, "figures": _figure_names(paths), "tables": []}


def _number(value):
    return float("nan") if value is None else float(value)


def _metrics_section(metrics):
    sw_rows = []
    for unit, name in (("gev2", "GeV²"), ("standardised", "σ²")):
        for what in ("unfolding", "reconstruction", "simulation"):
            s = metrics["sliced_wasserstein"][unit][what]
            sw_rows.append([f"{what} [{name}]", _number(s["model"]), _number(s["floor"]), _number(s["identity"])])
    tables = [{"caption": "Sliced Wasserstein SW₂² (L = {}) on held-out events: model, statistical floor "
                          "(two halves of the data), identity".format(metrics["options"]["slices"]),
               "header": ["comparison", "model", "floor", "identity"], "rows": sw_rows}]
    for side, model_key, what in (("detector", "simulation", "x vs x̃′ (simulation)"),
                                  ("detector", "reconstruction", "x vs x̃ (reconstruction)"),
                                  ("parton", "unfolding", "z vs z̃ (unfolding)")):
        rows = []
        for observable in metrics["observables"][side]:
            c = observable["comparisons"]
            def ks(key):
                return _number(c[key]["ks"]) if c.get(key) else float("nan")
            def w1(key):
                return _number(c[key]["w1"]) if c.get(key) else float("nan")
            chi2 = c[model_key].get("chi2_reduced") if c.get(model_key) else None
            rows.append([observable["name"], ks(model_key), ks("floor"), ks("identity"), w1(model_key), w1("floor"),
                         w1("identity"), _number(chi2)])
        tables.append({"caption": f"{what}: KS and W₁ [GeV] per observable, model / floor / identity; "
                                  "reduced χ² of the model",
                       "header": ["observable", "KS model", "KS floor", "KS identity", "W₁ model", "W₁ floor",
                                  "W₁ identity", "χ²/dof model"],
                       "rows": rows})
    text = ("Every number beside the statistical floor (two disjoint halves of the held-out data) and the "
            f"identity, on {metrics['events']['test']} held-out events; checkpoint: {metrics.get('checkpoint', 'final')}.")
    if metrics.get("notes"):
        text += " " + metrics["notes"] + "."
    return {"title": "Metrics against floor and identity", "text": text, "figures": [], "tables": tables}


def _distribution_sections(metrics, out_dir):
    sections = []
    for side, names, labels, prefix, title in (
            ("detector", ["reference", "reconstruction", "simulation", "identity"], DETECTOR_LABELS, "x",
             "Detector level: ground truth x, x → z̃ → x̃ and z → x̃′"),
            ("parton", ["reference", "unfolding", "identity"], PARTON_LABELS, "z",
             "Parton level: ground truth z and the unfolding x → z̃")):
        observables = metrics["observables"][side]
        paths = _components_figure(observables, names, labels, _stem(out_dir, f"otus_{prefix}_components"))
        for observable in observables:
            if observable["name"].startswith("M_"):
                paths += _distribution_figure(observable, names, labels,
                                              _stem(out_dir, f"otus_{prefix}_{observable['name']}"))
        sections.append({"title": title, "text": "Unit-area histograms; ratio panels to the ground truth, "
                                                 "with Poisson errors of both.",
                         "figures": _figure_names(paths), "tables": []})
    return sections


def _observable_columns(samples, name):
    dataset = samples[f"{name}_observables"]
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in dataset.attrs["names"]]
    return dict(zip(names, np.asarray(dataset[...], float).T))


def _transport_panel(ax, source, target, title, xlabel, ylabel, edges):
    colours = plt.cm.viridis(np.linspace(0.0, 0.95, len(edges) - 1))
    which = np.clip(np.searchsorted(edges, source, side="right") - 1, 0, len(edges) - 2)
    for b in range(len(edges) - 1):
        chosen = which == b
        ax.scatter(source[chosen], target[chosen], s=1.5, color=colours[b], alpha=0.5, lw=0, rasterized=True)
    low, high = np.quantile(np.concatenate([source, target]), [0.005, 0.995])
    ax.plot([low, high], [low, high], color="black", lw=0.6, ls=":")
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def _transport_section(samples, out_dir, paired):
    """z against its detector image for the observables both sides have, coloured by the source bin of
    z: the true pairs (z_a, x_a) beside the learnt ones (z_a, D(z_a)); and the unfolding alike. Without
    truth pairs (unpaired samples) the true panel is left empty with a note."""
    z_a, x_a = _observable_columns(samples, "z_a"), _observable_columns(samples, "x_a")
    simulated, unfolded = _observable_columns(samples, "x_tilde_prime"), _observable_columns(samples, "z_tilde")
    accepted = np.asarray(samples["x_tilde_prime_accepted"][...], bool)
    common = [n for n in z_a if n in x_a]
    chosen = [n for n in common if n.startswith("M_")][:3] + [n for n in common if n.endswith("_E")][:1]
    rows = np.arange(len(accepted))[:SCATTER_POINTS]
    paths = []
    for name in chosen:
        edges = np.quantile(z_a[name], np.linspace(0, 1, SOURCE_BINS + 1))
        label = _pretty(name)
        with figure_style():
            fig, axes = plt.subplots(1, 3, figsize=(13.0, 4.2), sharey=True)
            if paired:
                _transport_panel(axes[0], z_a[name][rows], x_a[name][rows], r"true $p(x|z)$",
                                 f"parton {label} [GeV]", f"detector {label} [GeV]", edges)
            else:
                axes[0].text(0.5, 0.5, "no truth pairs\n(unpaired samples)", ha="center", va="center",
                             transform=axes[0].transAxes)
                axes[0].set_ylabel(f"detector {label} [GeV]")
            kept = rows[accepted[rows]]
            _transport_panel(axes[1], z_a[name][kept], simulated[name][kept], r"learnt $p_D(x|z)$",
                             f"parton {label} [GeV]", f"detector {label} [GeV]", edges)
            x_edges = np.quantile(x_a[name], np.linspace(0, 1, SOURCE_BINS + 1))
            _transport_panel(axes[2], x_a[name][rows], unfolded[name][rows], r"learnt $p_E(z|x)$",
                             f"detector {label} [GeV]", f"unfolded {label} [GeV]", x_edges)
            axes[1].set_ylabel("")
            axes[2].set_ylabel(f"unfolded {label} [GeV]")
            axes[2].yaxis.set_label_position("right")
            paths += save(fig, _stem(out_dir, f"otus_transport_{name}"))
    return {"title": "Transport", "text": f"Held-out events (first {SCATTER_POINTS}), coloured by the quantile bin "
                                          f"({SOURCE_BINS} bins) of their source; dotted: the identity.",
            "figures": _figure_names(paths), "tables": []}


def _transfer_section(metrics, out_dir):
    curves = [t for t in (metrics.get("transfer_function") or []) if t["component"] == "E"]
    if not curves:
        return None
    with figure_style():
        fig, axes = plt.subplots(2, len(curves), figsize=(4.2 * len(curves), 5.2), sharex="col", squeeze=False)
        for k, curve in enumerate(curves):
            centre = np.asarray(curve["z_bin_centres"], float)
            label = _pretty(f"{curve['object']}_{curve['component']}")
            for row, key, ylabel in ((0, "mean", r"mean of $x - z$ [GeV]"), (1, "width", r"width of $x - z$ [GeV]")):
                ax = axes[row][k]
                ax.plot(centre, [_number(v) for v in curve[f"true_{key}"]], color="black", marker="o", ms=3,
                        label="true pairs")
                ax.plot(centre, [_number(v) for v in curve[f"learnt_{key}"]], color="#c0392b", marker="s", ms=3,
                        ls="--", label=r"learnt $D(z)$")
                ax.set_ylabel(ylabel)
                if centre.min() > 0 and centre.max() / centre.min() > 10:
                    ax.set_xscale("log")  # quantile bins crowd at low energy
                if row == 1:
                    ax.set_xlabel(f"parton {label} [GeV]")
                    ax.set_ylim(bottom=0)
            axes[0][k].legend()
        paths = save(fig, _stem(out_dir, "otus_transfer_function"))
    return {"title": "Transfer function", "text": "Mean and width of x − z in quantile bins of z: the truth pairs "
                                                  "against the learnt decoder on the same z.",
            "figures": _figure_names(paths), "tables": []}


def _sweep_section(sweep_dir, out_dir):
    sweep = _read_json(os.path.join(sweep_dir, "sweep.json"))
    label = sweep.get("label", sweep["parameter"])
    values, sw_sim, sw_unf, ks = [], [], [], []
    floor_sim = identity_sim = floor_ks = identity_ks = mass_name = None
    rows = []
    for entry in sweep["runs"]:
        path = os.path.join(sweep_dir, entry["run"], EVALUATION_FOLDER, "metrics.json")
        if not os.path.exists(path):
            continue
        metrics = _read_json(path)
        sw = metrics["sliced_wasserstein"]["standardised"]
        masses = [o for o in metrics["observables"]["detector"] if o["name"].startswith("M_")]
        mass = masses[0] if masses else metrics["observables"]["detector"][0]
        mass_name = mass["name"]
        values.append(float(entry["value"]))
        sw_sim.append(_number(sw["simulation"]["model"]))
        sw_unf.append(_number(sw["unfolding"]["model"]))
        ks.append(_number(mass["comparisons"]["simulation"]["ks"]))
        floor_sim, identity_sim = _number(sw["simulation"]["floor"]), _number(sw["simulation"]["identity"])
        floor_ks = _number(mass["comparisons"]["floor"]["ks"])
        identity_ks = _number(mass["comparisons"]["identity"]["ks"]) if mass["comparisons"].get("identity") else None
        rows.append([entry["run"], float(entry["value"]), sw_sim[-1], sw_unf[-1], ks[-1]])
    if not values:
        return None
    order = np.argsort(values)
    v = np.asarray(values)[order]
    with figure_style():
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(5.0, 5.4), sharex=True)
        top.plot(v, np.asarray(sw_sim)[order], marker="o", color="#c0392b", label=r"simulation $x$ vs $\tilde x'$")
        top.plot(v, np.asarray(sw_unf)[order], marker="s", color="#2d7d46", label=r"unfolding $z$ vs $\tilde z$")
        top.axhline(floor_sim, color="black", ls="--", lw=0.8, label="floor (simulation)")
        if identity_sim is not None and np.isfinite(identity_sim):
            top.axhline(identity_sim, color="0.55", ls=":", lw=1.0, label="identity (simulation)")
        top.set_ylabel(r"SW$_2^2$ [$\sigma^2$]")
        top.set_yscale("log")
        top.legend(fontsize=8)
        bottom.plot(v, np.asarray(ks)[order], marker="o", color="#c0392b", label="model")
        bottom.axhline(floor_ks, color="black", ls="--", lw=0.8, label="floor")
        if identity_ks is not None:
            bottom.axhline(identity_ks, color="0.55", ls=":", lw=1.0, label="identity")
        bottom.set_ylabel(f"KS of {_pretty(mass_name)}")
        bottom.set_xlabel(label)
        bottom.legend(fontsize=8)
        if v.min() > 0 and v.max() / v.min() >= 10:
            bottom.set_xscale("log")
        paths = save(fig, _stem(out_dir, f"otus_ablation_{_safe(sweep['parameter'])}"))
    return {"title": f"Ablation over {label}", "text": f"{len(values)} runs of the sweep in {sweep_dir}.",
            "figures": _figure_names(paths),
            "tables": [{"caption": f"Ablation over {label} (SW in σ², KS of {mass_name} for the simulation)",
                        "header": ["run", label, "SW simulation", "SW unfolding", f"KS {mass_name}"],
                        "rows": [rows[i] for i in order]}]}


def _safe(text):
    return "".join(c if c.isalnum() else "_" for c in text)


def otus_sections(run_dir, out_dir):
    """The report of one OTUS run folder (recognised by log.csv + run.json) as a list of sections,
    each {"title", "text", "figures": [PNG names in out_dir, a PDF beside each], "tables":
    [{"caption", "header", "rows"}]}. Needs RUN/log.csv; the evaluation sections need
    RUN/evaluation/{metrics.json, samples.h5} (`otae otus evaluate RUN --data D.h5`), and are
    replaced by a note when absent. Raises FileNotFoundError when run_dir is no OTUS run folder."""
    for required in ("log.csv", "run.json"):
        if not os.path.exists(os.path.join(run_dir, required)):
            raise FileNotFoundError(f"{run_dir} is no OTUS run folder: {required} is missing")
    os.makedirs(out_dir, exist_ok=True)
    sections = [_training_section(run_dir, out_dir)]
    evaluation = os.path.join(run_dir, EVALUATION_FOLDER)
    metrics_path, samples_path = os.path.join(evaluation, "metrics.json"), os.path.join(evaluation, "samples.h5")
    if os.path.exists(metrics_path):
        metrics = _read_json(metrics_path)
        sections.append(_metrics_section(metrics))
        sections += _distribution_sections(metrics, out_dir)
        transfer = _transfer_section(metrics, out_dir)
        if transfer:
            sections.append(transfer)
        if os.path.exists(samples_path):
            with h5py.File(samples_path, "r") as samples:
                sections.append(_transport_section(samples, out_dir, metrics.get("paired", True)))
    else:
        sections.append({"title": "Evaluation", "text": f"No {metrics_path}: run `otae otus evaluate {run_dir} "
                                                        "--data FILE` to add the metrics and figures.",
                         "figures": [], "tables": []})
    parent = os.path.dirname(os.path.abspath(run_dir))
    if os.path.exists(os.path.join(parent, "sweep.json")):
        ablation = _sweep_section(parent, out_dir)
        if ablation:
            sections.append(ablation)
    return sections
