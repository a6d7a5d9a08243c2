"""The EMD-VAE figures (Collins 2021): the KL spectrum against β (Fig. 7), D1 and D2 against β
(Fig. 3), the correlation dimension against Q = 2β, latent traversals (Fig. 8) with their EMD
geometry check, the β schedule, and JetNet's metrics of decoded and generated jets against β. Inputs are the parsed files (see readers.py); each function
writes `<stem>.png` and `<stem>.pdf` and returns the two paths."""
import numpy as np
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from scipy.stats import gaussian_kde

from .style import QUANTITY_COLOURS, figure_style, phase_colour, save

BETA_GEV = r"$\beta$ [GeV]"


def _beta_axis(steps, beta_key):
    label = BETA_GEV if beta_key == "beta_GeV" else r"$\hat\beta$ [$H_T\,\Delta R$]"
    return np.array([s[beta_key] for s in steps], float), label


def _ranked_directions(steps, threshold):
    """Directions by decreasing peak KL over `steps`, and those whose peak exceeds `threshold`."""
    peak = np.array([s["kl_per_dim"] for s in steps], float).max(axis=0)
    order = np.argsort(-peak, kind="stable")
    return order, [k for k in order if peak[k] > threshold]


def _draw_kl_spectrum(ax, steps, beta_key, order, informative, labelled, error_key=None):
    """KLᵢ against β of `steps` (sorted by β): informative directions in a colour fixed by their
    rank in `informative`, with a one-σ band when `error_key` is given; the others in grey."""
    beta = np.array([s[beta_key] for s in steps], float)
    kl = np.array([s["kl_per_dim"] for s in steps], float)  # [steps, K]
    error = np.array([s[error_key] for s in steps], float) if error_key else None
    colours = plt.cm.viridis(np.linspace(0.0, 0.9, max(len(informative), 1)))
    collapsed = [k for k in order if k not in set(informative)]
    for k in collapsed:
        ax.plot(beta, kl[:, k], color="0.75", lw=0.6, zorder=1)
    for rank, k in enumerate(informative):
        if error is not None:
            ax.fill_between(beta, kl[:, k] - error[:, k], kl[:, k] + error[:, k], color=colours[rank], alpha=0.25,
                            lw=0, zorder=2)
        ax.plot(beta, kl[:, k], color=colours[rank], lw=1.4, marker="o", ms=2.5, zorder=3,
                label=rf"$z_{{{k}}}$" if rank < labelled else None)
    if collapsed:
        ax.plot([], [], color="0.75", lw=0.6, label=f"{len(collapsed)} collapsed")
    ax.set_xscale("log")
    return float(np.nanmax(kl + error if error is not None else kl))


def plot_kl_spectrum(steps, stem, phase="production", beta_key="beta_GeV", threshold=0.1, labelled=8,
                     beta_label=None):
    """KL per latent direction against β, log β axis (Fig. 7).

    steps: dicts of beta_steps.jsonl (needs beta_key and kl_per_dim); only those of `phase` (None:
    all). Directions whose largest KL exceeds `threshold` [nats] are drawn in colour, the `labelled`
    largest with a legend entry; the collapsed ones in grey. beta_label: the x label (default: from
    beta_key).
    """
    chosen = sorted((s for s in steps if phase is None or s.get("phase") == phase), key=lambda s: s[beta_key])
    if not chosen:
        raise ValueError(f"plot_kl_spectrum: no β step of phase {phase!r} to draw")
    order, informative = _ranked_directions(chosen, threshold)
    with figure_style():
        fig, ax = plt.subplots()
        top = _draw_kl_spectrum(ax, chosen, beta_key, order, informative, labelled)
        ax.set_ylim(0, 1.05 * max(top, 1e-3))
        ax.set_xlabel(beta_label or _beta_axis(chosen, beta_key)[1])
        ax.set_ylabel(r"$\langle \mathrm{KL}_i \rangle$ [nats]")
        run = f"{phase} run: " if phase else ""
        ax.legend(title=f"{run}{len(informative)} with KL > {threshold:g} nats", ncol=2, loc="upper right")
        return save(fig, stem)


def plot_kl_spectra(checkpoints, stem, beta_label=BETA_GEV, threshold=0.1, phases=("priming", "production"),
                    beta_key="beta", error_key="kl_per_dim_error", labelled=8):
    """Fig. 7 for every run of `phases` present, one panel each, side by side with a shared KL
    axis; a direction keeps its colour in every panel (ranked by its peak KL over all of them).

    checkpoints: summary.json's checkpoints (beta_key, phase, kl_per_dim and, when error_key is
    not None, its one-σ errors). Raises ValueError when no checkpoint belongs to `phases`.
    """
    runs = [(p, sorted((c for c in checkpoints if c["phase"] == p), key=lambda c: c[beta_key])) for p in phases]
    runs = [(p, run) for p, run in runs if run]
    if not runs:
        raise ValueError(f"plot_kl_spectra: no checkpoint of the phases {', '.join(phases)}")
    order, informative = _ranked_directions([c for _, run in runs for c in run], threshold)
    with figure_style():
        fig, panels = plt.subplots(1, len(runs), figsize=(4.6 * len(runs), 3.8), sharey=True, squeeze=False)
        tops = []
        for ax, (phase, run) in zip(panels[0], runs):
            tops.append(_draw_kl_spectrum(ax, run, beta_key, order, informative, labelled,
                                          error_key if error_key and all(error_key in c for c in run) else None))
            ax.set_xlabel(beta_label)
            ax.set_title(f"{phase} run ({len(run)} checkpoints)")
        # one KL axis for every panel, set after all are drawn so that the largest KL of any run fits
        panels[0][0].set_ylim(0, 1.05 * max(max(tops), 1e-3))
        panels[0][0].set_ylabel(r"$\langle \mathrm{KL}_i \rangle$ [nats]")
        panels[0][-1].legend(title=f"{len(informative)} above {threshold:g} nats in some run", ncol=1,
                             loc="upper left", bbox_to_anchor=(1.02, 1.0))
        return save(fig, stem)


RUN_STYLES = {"priming": (":", "s"), "zigzag": ("-.", "^"), "production": ("-", "o")}


def _band(ax, x, y, error, colour, linestyle, label=None, marker="o", filled=True):
    ax.fill_between(x, y - error, y + error, color=colour, alpha=0.25, lw=0)
    ax.plot(x, y, color=colour, ls=linestyle, lw=1.3, marker=marker, ms=3, label=label,
            markerfacecolor=colour if filled else "white")


def _draw_correlation_at_beta(ax, correlation, beta_range=None):
    """D_corr(Q) at β = Q/2, within `beta_range` (low, high) when given: beyond the β of the scan
    the curve says nothing about the run, and its flat tail (every pair closer than Q) would
    stretch the axis."""
    beta = np.asarray(correlation["q"], float) / 2
    dimension, error = np.asarray(correlation["dimension"], float), np.asarray(correlation["error"], float)
    inside = np.ones_like(beta, bool) if beta_range is None else (beta >= beta_range[0]) & (beta <= beta_range[1])
    _band(ax, beta[inside], dimension[inside], error[inside], QUANTITY_COLOURS["dcorr"], "-",
          r"$D_\mathrm{corr}(Q = 2\beta)$")
    return bool(inside.any())


def plot_dimensionalities(result, stem, beta_label=BETA_GEV, correlation=None):
    """D1 = −dKL/d ln β and D2 = dŜ²/dβ² against β with one-σ bands, log β axis (Fig. 3). Colour
    says the quantity, line and marker the run's phase (priming dotted squares, production solid
    circles); open markers a run with descending β. Differences beyond the y axis are drawn as
    triangles on its edge.

    result: the JSON of otae::analysis::to_json(Dimensionalities). correlation: optionally the
    correlation-dimension JSON, drawn at β = Q/2 over the β range of the differences.
    """
    points = result["points"]
    if not points:
        raise ValueError("plot_dimensionalities: no finite difference to draw (every run has one checkpoint)")
    quantities = (("d1", r"$D_1 = -\mathrm{d}\,\mathrm{KL}/\mathrm{d}\ln\beta$"),
                  ("d2", r"$D_2 = \mathrm{d}\hat S^2/\mathrm{d}\beta^2$"))
    with figure_style():
        fig, ax = plt.subplots()
        phases, descending = [], False
        for r, run in enumerate(result["runs"]):
            mine = sorted((p for p in points if p["run"] == r), key=lambda p: p["beta"])
            if not mine:
                continue
            phase = run.get("phase", "production")
            linestyle, marker = RUN_STYLES.get(phase, ("--", "D"))
            phases += [phase] if phase not in phases else []
            descending |= run["direction"] < 0
            beta = np.array([p["beta"] for p in mine])
            for key, _ in quantities:
                _band(ax, beta, np.array([p[key] for p in mine]), np.array([p[key + "_error"] for p in mine]),
                      QUANTITY_COLOURS[key], linestyle, marker=marker, filled=run["direction"] > 0)
        betas = np.array([p["beta"] for p in points], float)
        with_correlation = correlation is not None and _draw_correlation_at_beta(
            ax, correlation, (betas.min() / 1.5, betas.max() * 1.5))
        ax.set_xscale("log")
        ax.set_xlabel(beta_label)
        ax.set_ylabel("dimensionality")
        ax.axhline(0, color="0.6", lw=0.5)  # not a limit: noisy differences may dip below it
        outside = _mark_off_scale(ax, betas, points, [key for key, _ in quantities])
        handles = [Line2D([], [], color=QUANTITY_COLOURS[key], lw=1.3, label=label) for key, label in quantities]
        if with_correlation:
            handles.append(Line2D([], [], color=QUANTITY_COLOURS["dcorr"], lw=1.3, label=r"$D_\mathrm{corr}(Q = 2\beta)$"))
        for phase in phases:
            linestyle, marker = RUN_STYLES.get(phase, ("--", "D"))
            handles.append(Line2D([], [], color="0.35", ls=linestyle, marker=marker, ms=3, label=f"{phase} run"))
        if descending:
            handles.append(Line2D([], [], color="0.35", ls="none", marker="o", ms=3, markerfacecolor="white",
                                  label=r"descending $\beta$"))
        if outside:
            handles.append(Line2D([], [], color="0.35", ls="none", marker="v", ms=5,
                                  label=f"{outside} beyond the axis, drawn at its edge"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0))
        return save(fig, stem)


def _mark_off_scale(ax, betas, points, keys, top_at_least=None):
    """Limits the y axis to the bulk of the differences, so that one wild difference (an
    under-trained first step can give D2 of −2000) does not flatten the rest; draws each one
    outside as a triangle on the edge it lies beyond, in its quantity's colour. The top stays at
    or above `top_at_least` (another curve on the axes). Returns how many lie outside."""
    values = np.array([[p[key] for key in keys] for p in points], float)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0
    median = np.median(np.abs(finite))
    low, high = min(-1.0, -median), max(np.percentile(finite, 90) * 1.3, 2.0 * median, 1.0)
    bottom, top = ax.get_ylim()
    bottom, top = max(bottom, low), min(top, high)
    if top_at_least is not None:
        top = max(top, top_at_least)
    ax.set_ylim(bottom, top)
    outside = 0
    for column, key in enumerate(keys):
        for beta, value in zip(betas, values[:, column]):
            if np.isfinite(value) and not bottom <= value <= top:
                edge, marker = (top, "^") if value > top else (bottom, "v")
                ax.plot([beta], [edge], ls="none", marker=marker, ms=6, color=QUANTITY_COLOURS[key], clip_on=False,
                        zorder=4)
                outside += 1
    return outside


def _production_points(dimensionalities):
    """The D1/D2 points of the production runs (the read-out scan), or of every run where none is
    called so: priming and zig-zag legs start from random or rewound weights and their first
    differences measure training, not the data."""
    runs = dimensionalities.get("runs", [])
    production = {r for r, run in enumerate(runs) if run.get("phase", "production") == "production"}
    points = [p for p in dimensionalities["points"] if not production or p["run"] in production]
    return sorted(points, key=lambda p: p["beta"])


def plot_correlation_dimension(result, stem, q_label=r"$Q$ [GeV]", beta_label=r"$\beta = Q/2$ [GeV]",
                               dimensionalities=None):
    """D_corr(Q) = d ln N(Q)/d ln Q with its one-σ Poisson band, log Q axis and β = Q/2 on top
    (Fig. 3 of the EMD-VAE paper).

    result: the JSON of otae::analysis::to_json(PairDistanceHistogram, CorrelationDimensionCurve).
    dimensionalities: optionally the D1/D2 JSON, whose production-run D1 and D2 are drawn at
    Q = 2β; the y axis then spans D_corr and the bulk of those, the rest drawn on its edge.
    """
    q = np.asarray(result["q"], float)
    if q.size == 0:
        raise ValueError("plot_correlation_dimension: the curve is empty (no pair below any bin edge)")
    dimension = np.asarray(result["dimension"], float)
    with figure_style():
        fig, ax = plt.subplots()
        _band(ax, q, dimension, np.asarray(result["error"], float), QUANTITY_COLOURS["dcorr"], "-",
              r"$D_\mathrm{corr}$")
        points = _production_points(dimensionalities) if dimensionalities is not None else []
        for key, label, marker in (("d1", r"$D_1$ at $Q = 2\beta$", "o"), ("d2", r"$D_2$ at $Q = 2\beta$", "s")):
            if points:
                ax.errorbar([2 * p["beta"] for p in points], [p[key] for p in points],
                            yerr=[p[key + "_error"] for p in points], color=QUANTITY_COLOURS[key], fmt=marker,
                            ms=3, lw=1, label=label)
        ax.set_xscale("log")
        ax.set_xlabel(q_label)
        ax.set_ylabel(r"$D_\mathrm{corr}(Q) = \mathrm{d}\ln N(Q)/\mathrm{d}\ln Q$")
        curve_top = max(np.nanmax(dimension) * 1.15, 1.0)
        bottom = -0.04 * curve_top  # a collapsed model's differences scatter around zero
        ax.set_ylim(bottom=bottom)
        outside = _mark_off_scale(ax, [2 * p["beta"] for p in points], points, ["d1", "d2"],
                                  top_at_least=curve_top) if points else 0
        ax.set_ylim(bottom, ax.get_ylim()[1] if points else curve_top)
        ax.axhline(0, color="0.6", lw=0.5)
        top = ax.secondary_xaxis("top", functions=(lambda x: x / 2, lambda b: 2 * b))
        top.set_xlabel(beta_label)
        ax.tick_params(axis="x", which="both", top=False)
        title = f"{result['pairs']:,} pairs" + (f"\n{outside} beyond the axis, on its edge" if outside else "")
        ax.legend(loc="upper right", title=title)
        return save(fig, stem)


def grid_plane(traversal, slice_index=None):
    """The decoded grid as a 2-D plane [G_a, G_b, …] with its axis values and directions.

    A grid of one direction is a single row (G_b = 1, value 0, direction None); of three, the
    slice at `slice_index` of the third (default: its middle). `trailing` is the number of
    per-point axes of "decoded" (2 for jets [M, 3], 1 for vectors [d]).
    """
    decoded = np.asarray(traversal["decoded"], float)
    values = np.asarray(traversal["values"], float)
    directions = list(traversal["directions"])
    axes = len(directions)
    if axes not in (1, 2, 3):
        raise ValueError(f"a traversal grid needs 1 to 3 directions, received {axes}")
    if axes == 1:
        return decoded[:, None], values, np.zeros(1), directions[0], None
    if axes == 3:
        decoded = decoded[:, :, decoded.shape[2] // 2 if slice_index is None else slice_index]
    return decoded, values, values, directions[0], directions[1]


def _encoded_density(ax, means, x_range, y_range, colours="Blues"):
    """Filled contours of a Gaussian KDE of the encoder means [N, 2] (the encoded data's density);
    nothing when the means are degenerate (collapsed directions all at one point)."""
    if np.linalg.matrix_rank(np.cov(means.T)) < 2:
        return
    gx, gy = np.meshgrid(np.linspace(*x_range, 120), np.linspace(*y_range, 120))
    density = gaussian_kde(means.T)(np.vstack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    ax.contourf(gx, gy, density, levels=8, cmap=colours, alpha=0.6, zorder=0)
    ax.contour(gx, gy, density, levels=8, colors="steelblue", linewidths=0.4, zorder=1)


def _draw_jet(ax, jet, centre, scale, disc_area, colour="darkred"):
    """One jet's particles [M, 3] (pT, η, φ) as discs at centre + scale·(η, φ), area ∝ pT share."""
    keep = jet[:, 0] > 0
    weight = jet[keep, 0] / jet[keep, 0].sum()
    ax.scatter(centre[0] + scale * jet[keep, 1], centre[1] + scale * jet[keep, 2], s=disc_area * weight,
               color=colour, alpha=0.8, linewidths=0, zorder=3)


def _zoom_panel(ax, jet, title, jet_radius, disc_area):
    """A decoded jet drawn large, in (η, φ) [rad] with the jet's own axes."""
    _draw_jet(ax, jet, (0.0, 0.0), 1.0, 8 * disc_area)
    ax.set_xlim(-jet_radius, jet_radius)
    ax.set_ylim(-jet_radius, jet_radius)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$\eta$")
    ax.set_ylabel(r"$\phi$ [rad]")
    ax.set_title(title, fontsize=9)


def plot_traversal(traversal, stem, jet_radius=None, disc_area=60.0, slice_index=None, zoom=True):
    """Decoded jets on the traversal grid of the top directions (Figs. 1, 2, 8): at each grid point
    the jet's particles as discs at (η, φ) around it, area ∝ pT, over density contours of the
    encoder means (a Gaussian KDE); beside it, zoomed views of the jets at the grid's centre and
    at its corner (cells A and B).

    traversal: the JSON of otae::analysis::traversal_to_json (decoded [G][G][M][3] pT/HT, η, φ;
    [G][M][3] for one direction, [G][G][G][M][3] for three, drawn at `slice_index` of the third,
    default its middle). jet_radius: the (η, φ) half-width drawn inside a cell (default: the 99th
    percentile of |η|, |φ| of the decoded particles). disc_area: marker area [pt²] of a particle
    carrying all of the jet's pT.
    """
    decoded, values_a, values_b, direction_a, direction_b = grid_plane(traversal, slice_index)
    if decoded.ndim != 4 or decoded.shape[-1] != 3:
        raise ValueError(f"plot_traversal: decoded jets must end in [M, 3], received shape {decoded.shape}")
    means = np.asarray(traversal.get("encoded_means", []), float)
    step = values_a[1] - values_a[0]
    real = decoded[..., 0] > 0
    if jet_radius is None:
        spread = np.abs(np.concatenate([decoded[..., 1][real], decoded[..., 2][real]]))
        jet_radius = float(np.quantile(spread, 0.99)) if spread.size else 1.0
        jet_radius = jet_radius or 1.0
    scale = 0.45 * step / jet_radius
    low, high = values_a[0] - step / 2, values_a[-1] + step / 2
    low_b, high_b = values_b[0] - step / 2, values_b[-1] + step / 2
    corner = (len(values_a) - 1, len(values_b) - 1)
    centre = (len(values_a) // 2, len(values_b) // 2)
    with figure_style():
        fig = plt.figure(figsize=(9.0 if zoom else 6.4, 6.4 if direction_b is not None else 2.8))
        grid = fig.add_gridspec(2, 2, width_ratios=(3, 1) if zoom else (1, 0.001), wspace=0.25, hspace=0.45)
        ax = fig.add_subplot(grid[:, 0])
        if means.ndim == 2 and means.shape[0] > 2 and means.shape[1] >= 2 and direction_b is not None:
            _encoded_density(ax, means[:, :2], (low, high), (low_b, high_b))
        for i, za in enumerate(values_a):
            for j, zb in enumerate(values_b):
                _draw_jet(ax, decoded[i, j], (za, zb), scale, disc_area)
        for edge in np.append(values_a - step / 2, high):
            ax.axvline(edge, color="0.85", lw=0.4, zorder=2)
        for edge in np.append(values_b - step / 2, high_b):
            ax.axhline(edge, color="0.85", lw=0.4, zorder=2)
        ax.set_xlim(low, high)
        ax.set_ylim(low_b, high_b)
        ax.set_aspect("equal")
        ax.set_xticks(values_a)
        ax.set_xticklabels([f"{v:.2g}" for v in values_a])
        ax.set_yticks(values_b)
        ax.set_yticklabels([f"{v:.2g}" for v in values_b])
        ax.minorticks_off()
        ax.set_xlabel(rf"$z_{{{direction_a}}}$ (cell: $\eta$ across)")
        ax.set_ylabel(rf"$z_{{{direction_b}}}$ (cell: $\phi$ up)" if direction_b is not None else "")
        ax.set_title(rf"jets at $\pm${jet_radius:.2g} in $(\eta, \phi)$ per cell; disc area $\propto p_T$")
        if zoom:
            for row, (label, (i, j)) in enumerate((("A", centre), ("B", corner))):
                ax.add_patch(plt.Rectangle((values_a[i] - step / 2, values_b[j] - step / 2), step, step, fill=False,
                                           edgecolor="darkorange", lw=1.5, zorder=4))
                ax.text(values_a[i] - step / 2, values_b[j] + step / 2, label, color="darkorange", fontsize=9,
                        ha="left", va="bottom", zorder=5)
                position = f"{values_a[i]:.2g}" + ("" if direction_b is None else f", {values_b[j]:.2g}")
                _zoom_panel(fig.add_subplot(grid[row, 1]), decoded[i, j], f"{label}: z = ({position})", jet_radius,
                            disc_area)
        return save(fig, stem)


def emd_lines(traversal):
    """The distances between neighbouring decoded points along each direction of the grid, as
    [(direction, other direction or None, [lines along it, one per position of the other])].
    A grid of three directions gives the two first ones at the middle of the third."""
    emds = [np.asarray(e, float) for e in traversal["emds"]]
    directions = list(traversal["directions"])
    if len(emds) != len(directions):
        raise ValueError(f"{len(directions)} directions but EMDs along {len(emds)} axes")
    if len(directions) == 1:
        return [(directions[0], None, emds[0][None, :])]
    if len(directions) == 3:
        emds = [e[:, :, e.shape[2] // 2] for e in emds[:2]]
    return [(directions[0], directions[1], emds[0].T), (directions[1], directions[0], emds[1])]


def plot_traversal_emds(traversal, stem, emd_label="EMD [GeV]"):
    """The EMD geometry check: EMD between neighbouring decoded jets against the latent midpoint, one
    line per grid line, a panel per direction. Equal steps in latent space give flat lines.
    For toy vectors the same figure shows Euclidean distances (emd_label names them)."""
    values = np.asarray(traversal["values"], float)
    midpoints = 0.5 * (values[1:] + values[:-1])
    axes = emd_lines(traversal)
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(values)))
    with figure_style():
        fig, panels = plt.subplots(1, len(axes), figsize=(4.0 * len(axes), 3.4), sharey=True, squeeze=False)
        for ax, (direction, other, lines) in zip(panels[0], axes):
            for k, line in enumerate(lines):
                label = None
                if other is not None and k in (0, len(values) // 2, len(values) - 1):
                    label = rf"$z_{{{other}}} = {values[k]:.2g}$"
                ax.plot(midpoints, line, color=colours[k] if other is not None else "k", lw=1, marker="o", ms=2,
                        label=label)
            ax.set_xlabel(rf"$z_{{{direction}}}$ (midpoint of the step)")
            if other is not None:
                ax.legend()
        panels[0][0].set_ylabel(f"{emd_label} between neighbours")
        panels[0][0].set_ylim(bottom=0)
        return save(fig, stem)


def plot_latent_physics(table, stem):
    """Latent ↔ physics: Spearman correlation and mutual information [nats] of every informative
    direction (rows) with every quantity (columns), two heat maps with the values written in and
    each row's most informative quantity framed.

    table: the JSON of otae::analysis::to_json(LatentPhysicsTable); null entries (a constant
    column) are drawn grey. The mutual-information estimator can return small negative values
    (noise about 0): the colour scale then extends below 0 rather than hiding them.
    """
    directions, quantities = table["directions"], table["quantities"]
    if not directions or not quantities:
        raise ValueError("plot_latent_physics: the table has no row or no column")
    measures = [(np.array([[np.nan if v is None else v for v in row] for row in table[key]], float), title, cmap, lim)
                for key, title, cmap, lim in (("spearman", "Spearman correlation", "RdBu_r", (-1, 1)),
                                              ("mutual_information", "mutual information [nats]", "viridis", None))]
    information = measures[1][0]
    best = [int(np.nanargmax(row)) if np.isfinite(row).any() else None for row in information]
    width, height = 1.6 + 0.62 * len(quantities), 1.8 + 0.32 * len(directions)
    with figure_style():
        fig, panels = plt.subplots(1, 2, figsize=(2 * width + 1.2, height))
        for ax, (values, title, cmap, lim) in zip(panels, measures):
            if values.shape != (len(directions), len(quantities)):
                raise ValueError(f"plot_latent_physics: {title} has shape {values.shape}, expected "
                                 f"{(len(directions), len(quantities))}")
            finite = values[np.isfinite(values)]
            low, high = lim or (min(0.0, float(finite.min())) if finite.size else 0.0,
                                max(float(finite.max()) if finite.size else 1.0, 1e-3))
            colours = plt.get_cmap(cmap).copy()
            colours.set_bad("0.85")
            image = ax.imshow(np.ma.masked_invalid(values), cmap=colours, vmin=low, vmax=high, aspect="auto")
            for (r, c), v in np.ndenumerate(values):
                if np.isfinite(v):
                    ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=8,
                            color="white" if abs(v - (low + high) / 2) > 0.35 * (high - low) else "black")
            for r, c in enumerate(best):
                if c is not None:
                    ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="black", lw=1.5))
            # white lines between the cells, so that a row or column can be followed across the table
            ax.set_xticks(np.arange(len(quantities) + 1) - 0.5, minor=True)
            ax.set_yticks(np.arange(len(directions) + 1) - 0.5, minor=True)
            ax.grid(which="minor", color="white", lw=1.0)
            ax.tick_params(which="minor", length=0)
            ax.set_xticks(range(len(quantities)))
            names = [q.replace("_GeV", " [GeV]").replace("_", " ") for q in quantities]
            ax.set_xticklabels(names, rotation=45, ha="right", fontsize=10)
            ax.set_yticks(range(len(directions)))
            ax.set_yticklabels([rf"$z_{{{d}}}$" for d in directions], fontsize=10)
            ax.tick_params(top=False, right=False)
            ax.set_title(title + (" (framed: each row's largest)" if lim is None else ""), fontsize=12)
            fig.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
        return save(fig, stem)


def plot_beta_schedule(schedule, stem, beta_hat_label=r"$\hat\beta$ [$H_T\,\Delta R$]", beta_label=BETA_GEV):
    """β̂ against training step, points coloured by phase, β = ⟨HT⟩β̂ on the right axis (none when
    beta_label is None: toys, where β = β̂).

    schedule: the rows of beta_schedule.csv (readers.read_beta_schedule)."""
    if not schedule:
        raise ValueError("plot_beta_schedule: the schedule is empty")
    step = np.array([r["step"] for r in schedule])
    beta_hat = np.array([r["beta_hat"] for r in schedule])
    energy_scale = schedule[0]["beta_GeV"] / schedule[0]["beta_hat"]
    with figure_style():
        fig, ax = plt.subplots(figsize=(6.0, 3.6))
        ax.plot(step, beta_hat, color="0.7", lw=0.8, zorder=1)
        for phase in dict.fromkeys(r["phase"] for r in schedule):
            mine = np.array([r["phase"] == phase for r in schedule])
            ax.scatter(step[mine], beta_hat[mine], s=12, color=phase_colour(phase), label=phase, zorder=2)
        ax.set_yscale("log")
        ax.set_xlabel(r"$\beta$ step (from 0, as in beta_schedule.csv)")
        ax.set_ylabel(beta_hat_label)
        if beta_label is not None:
            right = ax.secondary_yaxis("right", functions=(lambda b: b * energy_scale, lambda b: b / energy_scale))
            right.set_ylabel(beta_label)
            ax.tick_params(axis="y", which="both", right=False)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3)
        return save(fig, stem)


GENERATIVE_METRICS = (("w1m", r"W1M ($m/p_T$)"), ("w1p_mean", "W1P (mean of 3)"), ("w1efp_mean", "W1EFP (mean of 5)"),
                      ("fpd", "FPD (36 EFPs)"), ("kpd", "KPD (36 EFPs)"))
GENERATIVE_SAMPLES = (("decoded", "reconstructed", "#1f4e9c"), ("generated", "decoded from the prior", "#c0392b"))


def plot_generative_metrics(checkpoints, floor, stem, beta_label=BETA_GEV):
    """JetNet's metrics of the reconstructed and of the prior-decoded jets against β, one panel per
    metric, one-σ bands, log β; the grey band is the floor (two halves of the held-out jets).
    Checkpoints of each phase are joined in training order, the phase in the line style.

    checkpoints: summary.json's checkpoints, each with "beta", "phase" and "generative_metrics"
    {"decoded", "generated" (or None)}; floor: summary.json's generative_metrics.floor."""
    with figure_style():
        fig, axes = plt.subplots(1, len(GENERATIVE_METRICS), figsize=(3.0 * len(GENERATIVE_METRICS), 3.2))
        for ax, (key, title) in zip(axes, GENERATIVE_METRICS):
            low, high = floor[key]["value"] - floor[key]["error"], floor[key]["value"] + floor[key]["error"]
            ax.axhspan(low, high, color="0.8", lw=0, label="floor (truth vs truth)")
            ax.axhline(floor[key]["value"], color="0.5", lw=0.8)
            lowest = low
            for sample, label, colour in GENERATIVE_SAMPLES:
                for phase in dict.fromkeys(c["phase"] for c in checkpoints):
                    mine = [c for c in checkpoints if c["phase"] == phase and c["generative_metrics"][sample]]
                    if not mine:
                        continue
                    beta = np.array([c["beta"] for c in mine])
                    value = np.array([c["generative_metrics"][sample][key]["value"] for c in mine])
                    error = np.array([c["generative_metrics"][sample][key]["error"] for c in mine])
                    linestyle, marker = RUN_STYLES.get(phase, ("-", "o"))
                    _band(ax, beta, value, error, colour, linestyle, f"{label} ({phase})", marker)
                    lowest = min(lowest, float((value - error).min()))
            ax.set_xscale("log")
            # the scores span decades between the floor and a poor model; KPD can dip below 0
            if lowest > 0:
                ax.set_yscale("log")
            ax.set_xlabel(beta_label)
            ax.set_title(title, fontsize=11)
        axes[0].legend(loc="lower left", bbox_to_anchor=(0.0, 1.12), ncol=3, fontsize=8)
        fig.subplots_adjust(wspace=0.4, top=0.72, bottom=0.18)
        return save(fig, stem)
