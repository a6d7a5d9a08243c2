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


RATIO_CAP = 3.0


def ratio_limits(ratios, errors):
    """y-limits of a ratio panel that show every finite point with its error bar (at least 0.8–1.2,
    at most 0–RATIO_CAP; points beyond the cap are drawn as arrows on the edge)."""
    ratios, errors = np.asarray(ratios, float), np.nan_to_num(np.asarray(errors, float))
    finite = np.isfinite(ratios)
    if not finite.any():
        return 0.8, 1.2
    low = min(0.8, float(np.min(ratios[finite] - errors[finite])))
    high = max(1.2, float(np.max(ratios[finite] + errors[finite])))
    pad = 0.05 * (high - low)
    return max(0.0, low - pad), min(RATIO_CAP, high + pad)


def _draw_distribution(main, ratio, histogram, names, labels, units, xlabel, legend=True):
    """Unit-area histograms of `names` over the shared edges, and their ratio to the reference."""
    edges = np.asarray(histogram["edges"], float)
    reference, reference_error = _density(histogram["reference"], edges)
    # the identity can be far narrower than the data (tt̄ masses): scale to the others, clip it
    peak = max(_density(histogram[n], edges)[0].max() for n in names if n != "identity" and histogram.get(n))
    centres = 0.5 * (edges[1:] + edges[:-1])
    drawn = []
    for name in names:
        counts = histogram.get(name)
        if counts is None:
            continue
        look = SAMPLES[name]
        values, errors = _density(counts, edges)
        main.stairs(values, edges, color=look["colour"], ls=look["style"], lw=look["width"], label=labels[name])
        if name == "reference":
            main.fill_between(edges, np.append(values - errors, 0)[:len(edges)],
                              np.append(values + errors, 0)[:len(edges)], step="post", color="0.8", lw=0,
                              label=r"ground truth $\pm 1\sigma$ (Poisson)")
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(reference > 0, values / reference, np.nan)
            r_error = r * np.sqrt(np.where(values > 0, (errors / values) ** 2, 0) +
                                  np.where(reference > 0, (reference_error / reference) ** 2, 0))
        drawn.append((look, r, r_error))
    low, high = ratio_limits(np.concatenate([d[1] for d in drawn]) if drawn else [],
                             np.concatenate([d[2] for d in drawn]) if drawn else [])
    for look, r, r_error in drawn:
        inside = np.isfinite(r) & (r <= high)
        ratio.errorbar(centres[inside], r[inside], yerr=r_error[inside], color=look["colour"], ls="none", marker="o",
                       ms=2, lw=0.8)
        beyond = np.isfinite(r) & (r > high)
        ratio.plot(centres[beyond], np.full(beyond.sum(), high), color=look["colour"], ls="none", marker="^", ms=4,
                   clip_on=False)
    ratio.axhline(1.0, color="black", lw=0.8)
    ratio.set_ylim(low, high)
    ratio.set_ylabel("ratio to\nground truth", fontsize=9)
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
        outer = fig.add_gridspec(rows, columns, hspace=0.35, wspace=0.55, top=1.0 - 0.25 / rows)
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


def _phase_names(run_dir, count):
    """The phases' names from the run's phase_<i>_<name>.json files, else "phase i"."""
    names = [f"phase {i}" for i in range(count)]
    for entry in os.listdir(run_dir):
        if entry.startswith("phase_") and entry.endswith(".json"):
            index, _, name = entry[len("phase_"):-len(".json")].partition("_")
            if index.isdigit() and int(index) < count:
                names[int(index)] = name
    return names


def _training_section(run_dir, out_dir):
    log = _read_log(os.path.join(run_dir, "log.csv"))
    epoch = log["global_epoch"] + 1
    terms = [("latent", r"SW$(z, E(x))$", "#2d7d46"), ("data", r"SW$(x, D(z))$", "#c0392b"),
             ("reconstruction", r"MSE$(x, D(E(x)))$", "#1f4e9c"), ("mass", r"$W_2^2(M)$", "#8e44ad")]
    phases = log["phase"]
    indices = [int(p) for p in np.unique(phases)]
    names = _phase_names(run_dir, max(indices) + 1)
    has_validation = any(np.isfinite(log.get("validation_" + key, [np.nan])).any() for key, _, _ in terms)
    with figure_style():
        fig, (ax, rate) = plt.subplots(2, 1, figsize=(5.5, 5.0), sharex=True, height_ratios=[3, 1])
        for k, phase in enumerate(indices):
            inside = epoch[phases == phase]
            for a in (ax, rate):
                a.axvspan(inside.min() - 0.5, inside.max() + 0.5, color=PHASE_SHADES[k % 2], lw=0, zorder=0)
            ax.text(0.5 * (inside.min() + inside.max()), 1.01, names[phase], transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=8)
        for key, label, colour in terms:
            if key in log and np.isfinite(log[key]).any():
                ax.plot(epoch, log[key], color=colour, lw=1.2, label=f"{label} train")
            validation = log.get("validation_" + key)
            if validation is not None and np.isfinite(validation).any():
                ax.plot(epoch, validation, color=colour, lw=1.0, ls="--", label=f"{label} validation")
        ax.set_yscale("log")
        ax.set_ylabel("loss term [standardised units$^2$]")
        ax.legend(ncol=2, fontsize=8)
        rate.plot(epoch, log["learning_rate"], color="black", lw=1.0)
        rate.set_yscale("log")
        rate.set_ylabel("learning rate")
        rate.set_xlabel("epoch")
        paths = save(fig, _stem(out_dir, "otus_training"))
    text = (f"{len(epoch)} epochs in {len(indices)} phases, shaded and named above the plot: "
            + ", ".join(names[p] for p in indices) + ".")
    text += " Dashed: the validation rows." if has_validation else " No validation rows (data.split.validation = 0)."
    best_path = os.path.join(run_dir, "best.json")
    if os.path.exists(best_path):
        best = _read_json(best_path)
        text += (f" Lowest validation distance {best['validation_distance']:.4g} at epoch "
                 f"{best['global_epoch'] + 1} (phase {best['phase']}), kept as best.pt.")
    return {"title": "Training", "text": text, "figures": _figure_names(paths), "tables": []}


def _verdict_section(metrics):
    """The verdicts otae computed (metrics.json "verdicts"), first in the report; a model worse than
    the identity is named in the text."""
    verdicts = metrics.get("verdicts")
    if not verdicts:
        return None
    rows = [[r["figure"], _number(r["model"]), _number(r["floor"]), _number(r["identity"]), r["verdict"]]
            for r in verdicts["rows"]]
    counts = ", ".join(f"{n} {v}" for v, n in sorted(verdicts["counts"].items()))
    text = f"Lower is better for every figure. {counts}."
    worse = verdicts["worse_than_identity"]
    if worse:
        text = (f"WARNING: the model is worse than the identity (doing nothing) on {len(worse)} figure(s): "
                + ", ".join(worse) + ". " + text)
    tables = [{"caption": "Verdicts (lower is better): " + verdicts["rule"],
               "header": ["figure", "model", "floor", "identity", "verdict"], "rows": rows}]
    transfer = metrics.get("transfer_function")
    if isinstance(transfer, dict):
        summary = transfer["summary"]
        table_rows = [[name, t["agrees"], t["bins"], t["width_agrees"], t["mean_agrees"], t["fraction_agrees"]]
                      for name, t in sorted(summary.get("by_variable", {}).items())]
        table_rows.append(["all", summary["agrees"], summary["bins"], summary["width_agrees"], summary["mean_agrees"],
                           summary["fraction_agrees"]])
        tables.append({"caption": "Transfer function, bins where the learnt p(x|z) agrees with the truth: "
                                  + transfer["rule"],
                       "header": ["variable", "bins agreeing", "bins", "width agrees", "mean agrees", "fraction"],
                       "rows": table_rows})
    return {"title": "Verdicts", "text": text, "figures": [], "tables": tables}


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


def _transport_panel(ax, source, target, title, xlabel, ylabel, edges, limits):
    colours = plt.cm.viridis(np.linspace(0.0, 0.95, len(edges) - 1))
    which = np.clip(np.searchsorted(edges, source, side="right") - 1, 0, len(edges) - 2)
    for b in range(len(edges) - 1):
        chosen = which == b
        ax.scatter(source[chosen], target[chosen], s=1.5, color=colours[b], alpha=0.5, lw=0, rasterized=True)
    ax.plot(limits, limits, color="black", lw=0.6, ls=":")
    ax.set_xlim(*limits)
    ax.set_ylim(*limits)
    ax.set_aspect("equal")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def _colour_key(fig, axes, edges, label):
    """A colour bar naming the source bins' ranges, for the scatter colours of _transport_panel."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    colours = plt.cm.viridis(np.linspace(0.0, 0.95, len(edges) - 1))
    mappable = plt.cm.ScalarMappable(norm=BoundaryNorm(edges, len(edges) - 1), cmap=ListedColormap(colours))
    bar = fig.colorbar(mappable, ax=axes, fraction=0.025, pad=0.02)
    bar.set_ticks(edges)
    bar.set_ticklabels([f"{e:.4g}" for e in edges])
    bar.set_label(f"source bin: {label} [GeV]")


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
        edges = np.quantile(z_a[name][rows], np.linspace(0, 1, SOURCE_BINS + 1))
        limits = tuple(np.quantile(np.concatenate([z_a[name][rows], x_a[name][rows]]), [0.005, 0.995]))
        label = _pretty(name)
        with figure_style():
            fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.4), layout="constrained")
            if paired:
                _transport_panel(axes[0], z_a[name][rows], x_a[name][rows], r"true $p(x|z)$",
                                 f"parton {label} [GeV]", f"detector {label} [GeV]", edges, limits)
            else:
                axes[0].text(0.5, 0.5, "no truth pairs\n(unpaired samples)", ha="center", va="center",
                             transform=axes[0].transAxes)
                axes[0].set_ylabel(f"detector {label} [GeV]")
            kept = rows[accepted[rows]]
            _transport_panel(axes[1], z_a[name][kept], simulated[name][kept], r"learnt $p_D(x|z)$",
                             f"parton {label} [GeV]", f"simulated {label} [GeV]", edges, limits)
            # the unfolding is coloured by the bins of its own source, x: the colour key is z's
            x_edges = np.quantile(x_a[name][rows], np.linspace(0, 1, SOURCE_BINS + 1))
            _transport_panel(axes[2], x_a[name][rows], unfolded[name][rows], r"learnt $p_E(z|x)$ (colour: bin of $x$)",
                             f"detector {label} [GeV]", f"unfolded {label} [GeV]", x_edges, limits)
            _colour_key(fig, axes, edges, f"parton {label}")
            paths += save(fig, _stem(out_dir, f"otus_transport_{name}"))
    return {"title": "Transport", "text": f"{len(rows)} held-out events (half A), coloured by the quantile bin "
                                          f"({SOURCE_BINS} bins) of their source (the key gives the parton bins; "
                                          "the unfolding's bins are those of x); dotted: the identity; "
                                          "every panel on the same axes.",
            "figures": _figure_names(paths), "tables": []}


VARIABLE_LABELS = {"E": ("E", "response $E_x/E_z$"), "pT": ("p_T", "response $p_{T,x}/p_{T,z}$"),
                   "eta": (r"\eta", r"$\eta_x - \eta_z$"), "phi": (r"\phi", r"$\phi_x - \phi_z$ [rad]"),
                   "E_by_abs_eta": ("E", "response $E_x/E_z$")}
BINNED_BY_LABELS = {"E": "parton $E$ [GeV]", "pT": "parton $p_T$ [GeV]", "eta": r"parton $\eta$",
                    "phi": r"parton $\phi$", "abs_eta": r"parton $|\eta|$"}


def _values(bins, key):
    return np.array([_number(b[key]) for b in bins])


def _width_ratio_panel(axis, centre, ratio, error, tolerance, xerr=None):
    """Learnt over true width with errors, the band in which it agrees, and y-limits that show
    every point: those beyond RATIO_CAP become arrows on the top edge."""
    axis.axhspan(1 - tolerance, 1 + tolerance, color="#d5e8d4", lw=0, label=f"agrees (±{100 * tolerance:.0f} %)")
    axis.axhline(1.0, color="black", lw=0.8)
    finite = np.isfinite(ratio)
    low, high = ratio_limits(ratio[finite], error[finite]) if finite.any() else (0.5, 1.5)
    inside = finite & (ratio <= high)
    axis.errorbar(centre[inside], ratio[inside], yerr=error[inside], xerr=None if xerr is None else xerr[inside],
                  color="#c0392b", marker="o", ms=3, ls="none")
    beyond = finite & (ratio > high)
    axis.plot(centre[beyond], np.full(beyond.sum(), high), color="#c0392b", ls="none", marker="^", ms=5,
              clip_on=False, label=f"beyond {high:.1f}" if beyond.any() else None)
    axis.set_ylim(low, high)
    axis.set_ylabel("learnt width / true width", fontsize=9)


def _transfer_figure(curves, object_name, stem):
    """One column per variable: the median with the 16–84 % and 2.5–97.5 % quantiles (the tails) of
    the truth as bands and of the learnt detector as lines; below, learnt width over true width with
    bootstrap errors and the ±25 % band in which a bin agrees."""
    with figure_style():
        fig, axes = plt.subplots(2, len(curves), figsize=(3.6 * len(curves), 5.6), squeeze=False,
                                 height_ratios=[3, 2], layout="constrained")
        for k, curve in enumerate(curves):
            top, bottom = axes[0][k], axes[1][k]
            symbol, ylabel = VARIABLE_LABELS.get(curve["variable"], (curve["variable"], curve["quantity"]))
            binned_by = curve.get("binned_by", curve["variable"])
            centre = np.asarray(curve["z_bin_centres"], float)
            truth, learnt = curve["true"], curve["learnt"]
            top.fill_between(centre, _values(truth, "q025"), _values(truth, "q975"), color="0.88", lw=0,
                             label="true 2.5–97.5 %")
            top.fill_between(centre, _values(truth, "q16"), _values(truth, "q84"), color="0.7", lw=0,
                             label="true 16–84 %")
            top.plot(centre, _values(truth, "q50"), color="black", lw=1.2, label="true median")
            top.plot(centre, _values(learnt, "q50"), color="#c0392b", lw=1.2, ls="--", label="learnt median")
            for key in ("q16", "q84"):
                top.plot(centre, _values(learnt, key), color="#c0392b", lw=0.9, ls="-")
            for key in ("q025", "q975"):
                top.plot(centre, _values(learnt, key), color="#c0392b", lw=0.8, ls=":")
            top.set_ylabel(ylabel)
            agreeing = sum(curve["agrees"])
            by = " by $|\\eta|$" if binned_by == "abs_eta" else ""
            top.set_title(f"${symbol}${by}: {agreeing}/{len(curve['agrees'])} bins agree")
            with np.errstate(divide="ignore", invalid="ignore"):
                w_true, w_learnt = _values(truth, "width"), _values(learnt, "width")
                ratio = w_learnt / w_true
                error = ratio * np.hypot(_values(learnt, "width_error") / w_learnt, _values(truth, "width_error") / w_true)
            _width_ratio_panel(bottom, centre, ratio, error, 0.25)
            bottom.set_xlabel(BINNED_BY_LABELS.get(binned_by, binned_by))
            if binned_by in ("E", "pT") and centre.min() > 0 and centre.max() / centre.min() > 10:
                top.set_xscale("log")  # quantile bins crowd at low energy
                bottom.set_xscale("log")
        axes[0][0].legend(fontsize=7, loc="best")
        axes[1][0].legend(fontsize=7, loc="best")
        fig.suptitle(f"transfer function of the {object_name}: learnt detector against the truth pairs")
        return save(fig, stem)


def _transfer_section(metrics, out_dir):
    transfer = metrics.get("transfer_function")
    if not isinstance(transfer, dict) or not transfer["curves"]:
        return None
    objects = list(dict.fromkeys(c["object"] for c in transfer["curves"]))
    paths = []
    for name in objects:
        curves = [c for c in transfer["curves"] if c["object"] == name]
        paths += _transfer_figure(curves, name, _stem(out_dir, f"otus_transfer_{_object_file_name(name)}"))
    summary = transfer["summary"]
    return {"title": "Transfer function",
            "text": (f"{summary['agrees']} of {summary['bins']} bins agree ({100 * summary['fraction_agrees']:.0f} %). "
                     + transfer["rule"] + ". Truth pairs against the learnt decoder on the same z."),
            "figures": _figure_names(paths), "tables": []}


def _mass_response_figure(response, stem):
    """The detector's response to a resonance at the parton mass M(z): above, the peak (median) of
    M(x) − M(z) with the 16–84 % band of the truth and the learnt one as points; below, learnt width
    over true width with the ±20 % band; windows outside the training masses are marked."""
    windows = response["windows"]
    low = np.array([w["mass_low"] for w in windows], float)
    high = np.array([w["mass_high"] for w in windows], float)
    centre = 0.5 * (low + high)
    truth, learnt = [w["true"] for w in windows], [w["learnt"] for w in windows]
    with figure_style():
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 5.6), sharex=True, height_ratios=[3, 2],
                                          layout="constrained")
        top.fill_between(centre, _values(truth, "q16"), _values(truth, "q84"), color="0.75", lw=0, step=None,
                         label="true 16–84 %")
        top.plot(centre, _values(truth, "q50"), color="black", lw=1.2, label="true peak (median)")
        top.errorbar(centre, _values(learnt, "q50"), yerr=_values(learnt, "q50_error"), color="#c0392b", marker="o",
                     ms=3, ls="none", label="learnt peak")
        for key in ("q16", "q84"):
            top.plot(centre, _values(learnt, key), color="#c0392b", lw=0.9, ls="--",
                     label="learnt 16–84 %" if key == "q16" else None)
        top.set_ylabel(r"$M(x) - M(z)$ [GeV]")
        with np.errstate(divide="ignore", invalid="ignore"):
            w_true, w_learnt = _values(truth, "width"), _values(learnt, "width")
            ratio = w_learnt / w_true
            error = ratio * np.hypot(_values(learnt, "width_error") / w_learnt, _values(truth, "width_error") / w_true)
        _width_ratio_panel(bottom, centre, ratio, error, 0.2, xerr=0.5 * (high - low))
        bottom.set_xlabel("parton mass $M(z)$ [GeV]")
        window = response.get("training_window")
        if window:
            for axis in (top, bottom):
                axis.axvspan(window[0], window[1], color="#dae8fc", lw=0, zorder=0,
                             label="training masses" if axis is top else None)
        top.legend(fontsize=7, loc="best")
        bottom.legend(fontsize=7, loc="best")
        summary = response["summary"]
        title = f"mass response: {summary['agrees']}/{summary['windows']} windows agree"
        if summary["untrained_windows"]:
            title += f", {summary['untrained_agrees']}/{summary['untrained_windows']} outside the training masses"
        fig.suptitle(title)
        return save(fig, stem)


def _mass_response_section(metrics, out_dir):
    response = metrics.get("mass_response")
    if not isinstance(response, dict) or not response["windows"]:
        return None
    paths = _mass_response_figure(response, _stem(out_dir, "otus_mass_response"))
    return {"title": "Mass response",
            "text": ("How the detector reconstructs a resonance of mass M(z): a narrow one lands at M(z) + peak with "
                     "the width shown. " + response["rule"] + ". Truth pairs against the learnt decoder on the same z."),
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


def _object_file_name(name):
    """An object's name for a file: 'e-' -> 'e_minus', 'e+' -> 'e_plus' (distinct, unlike _safe)."""
    return _safe(name.replace("-", "_minus").replace("+", "_plus"))


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
    evaluation = os.path.join(run_dir, EVALUATION_FOLDER)
    metrics_path, samples_path = os.path.join(evaluation, "metrics.json"), os.path.join(evaluation, "samples.h5")
    metrics = _read_json(metrics_path) if os.path.exists(metrics_path) else None
    verdicts = _verdict_section(metrics) if metrics else None
    sections = ([verdicts] if verdicts else []) + [_training_section(run_dir, out_dir)]
    if metrics:
        sections.append(_metrics_section(metrics))
        sections += _distribution_sections(metrics, out_dir)
        transfer = _transfer_section(metrics, out_dir)
        if transfer:
            sections.append(transfer)
        response = _mass_response_section(metrics, out_dir)
        if response:
            sections.append(response)
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
