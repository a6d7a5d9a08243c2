"""The EMD-VAE figures (Collins 2021): the KL spectrum against β (Fig. 7), D1 and D2 against β
(Fig. 3), the correlation dimension against Q = 2β, latent traversals (Fig. 8) with their EMD
geometry check, and the β schedule. Inputs are the parsed files (see readers.py); each function
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


def plot_kl_spectrum(steps, stem, phase="production", beta_key="beta_GeV", threshold=0.1, labelled=8):
    """KL per latent direction against β, log β axis (Fig. 7).

    steps: dicts of beta_steps.jsonl (needs beta_key and kl_per_dim); only those of `phase` (None:
    all). Directions whose largest KL exceeds `threshold` [nats] are drawn in colour, the `labelled`
    largest with a legend entry; the collapsed ones in grey.
    """
    chosen = sorted((s for s in steps if phase is None or s.get("phase") == phase), key=lambda s: s[beta_key])
    if not chosen:
        raise ValueError(f"plot_kl_spectrum: no β step of phase {phase!r} to draw")
    beta, beta_label = _beta_axis(chosen, beta_key)
    kl = np.array([s["kl_per_dim"] for s in chosen], float)  # [steps, K]
    peak = kl.max(axis=0)
    order = np.argsort(-peak, kind="stable")
    informative = [k for k in order if peak[k] > threshold]
    colours = plt.cm.viridis(np.linspace(0.0, 0.9, max(len(informative), 1)))
    with figure_style():
        fig, ax = plt.subplots()
        collapsed = [k for k in order if peak[k] <= threshold]
        for k in collapsed:
            ax.plot(beta, kl[:, k], color="0.75", lw=0.6, zorder=1)
        for rank, k in enumerate(informative):
            ax.plot(beta, kl[:, k], color=colours[rank], lw=1.4, marker="o", ms=2.5, zorder=2,
                    label=rf"$z_{{{k}}}$" if rank < labelled else None)
        if collapsed:
            ax.plot([], [], color="0.75", lw=0.6, label=f"{len(collapsed)} collapsed")
        ax.set_xscale("log")
        ax.set_xlabel(beta_label)
        ax.set_ylabel(r"$\langle \mathrm{KL}_i \rangle$ [nats]")
        ax.set_ylim(bottom=0)
        run = f"{phase} run: " if phase else ""
        ax.legend(title=f"{run}{len(informative)} with KL > {threshold:g} nats", ncol=2, loc="upper right")
        return save(fig, stem)


def _band(ax, x, y, error, colour, linestyle, label=None):
    ax.fill_between(x, y - error, y + error, color=colour, alpha=0.25, lw=0)
    ax.plot(x, y, color=colour, ls=linestyle, lw=1.3, marker="o", ms=2.5, label=label)


def _draw_correlation_at_beta(ax, correlation):
    q = np.asarray(correlation["q"], float)
    _band(ax, q / 2, np.asarray(correlation["dimension"], float), np.asarray(correlation["error"], float),
          QUANTITY_COLOURS["dcorr"], "-", r"$D_\mathrm{corr}(Q = 2\beta)$")


def plot_dimensionalities(result, stem, beta_label=BETA_GEV, correlation=None):
    """D1 = −dKL/d ln β and D2 = dŜ²/dβ² against β with one-σ bands, one curve per monotone run
    (dashed when β descends), log β axis (Fig. 3).

    result: the JSON of otae::analysis::to_json(Dimensionalities). correlation: optionally the
    correlation-dimension JSON, drawn at β = Q/2 for comparison.
    """
    points = result["points"]
    if not points:
        raise ValueError("plot_dimensionalities: no finite difference to draw (every run has one checkpoint)")
    with figure_style():
        fig, ax = plt.subplots()
        labelled = set()
        for r, run in enumerate(result["runs"]):
            mine = sorted((p for p in points if p["run"] == r), key=lambda p: p["beta"])
            if not mine:
                continue
            beta = np.array([p["beta"] for p in mine])
            style = "-" if run["direction"] > 0 else "--"
            for key, label in (("d1", r"$D_1 = -\mathrm{d}\,\mathrm{KL}/\mathrm{d}\ln\beta$"),
                               ("d2", r"$D_2 = \mathrm{d}\hat S^2/\mathrm{d}\beta^2$")):
                _band(ax, beta, np.array([p[key] for p in mine]), np.array([p[key + "_error"] for p in mine]),
                      QUANTITY_COLOURS[key], style, None if key in labelled else label)
                labelled.add(key)
        if correlation is not None:
            _draw_correlation_at_beta(ax, correlation)
        handles, _ = ax.get_legend_handles_labels()
        if any(run["direction"] < 0 for run in result["runs"]):
            handles.append(Line2D([], [], color="0.4", ls="--", label=r"descending $\beta$"))
        ax.set_xscale("log")
        ax.set_xlabel(beta_label)
        ax.set_ylabel("dimensionality")
        ax.axhline(0, color="0.6", lw=0.5)  # not a limit: noisy differences may dip below it
        ax.legend(handles=handles)
        return save(fig, stem)


def plot_correlation_dimension(result, stem, q_label=r"$Q$ [GeV]", beta_label=r"$\beta = Q/2$ [GeV]",
                               dimensionalities=None):
    """D_corr(Q) = d ln N(Q)/d ln Q with its one-σ Poisson band, log Q axis and β = Q/2 on top.

    result: the JSON of otae::analysis::to_json(PairDistanceHistogram, CorrelationDimensionCurve).
    dimensionalities: optionally the D1/D2 JSON, whose D1 is drawn at Q = 2β.
    """
    q = np.asarray(result["q"], float)
    if q.size == 0:
        raise ValueError("plot_correlation_dimension: the curve is empty (no pair below any bin edge)")
    with figure_style():
        fig, ax = plt.subplots()
        _band(ax, q, np.asarray(result["dimension"], float), np.asarray(result["error"], float),
              QUANTITY_COLOURS["dcorr"], "-", r"$D_\mathrm{corr}$")
        if dimensionalities is not None and dimensionalities["points"]:
            pts = sorted(dimensionalities["points"], key=lambda p: p["beta"])
            ax.errorbar([2 * p["beta"] for p in pts], [p["d1"] for p in pts], yerr=[p["d1_error"] for p in pts],
                        color=QUANTITY_COLOURS["d1"], fmt="o", ms=3, lw=1, label=r"$D_1$ at $Q = 2\beta$")
        ax.set_xscale("log")
        ax.set_xlabel(q_label)
        ax.set_ylabel(r"$D_\mathrm{corr}(Q) = \mathrm{d}\ln N(Q)/\mathrm{d}\ln Q$")
        ax.set_ylim(bottom=0)
        top = ax.secondary_xaxis("top", functions=(lambda x: x / 2, lambda b: 2 * b))
        top.set_xlabel(beta_label)
        ax.tick_params(axis="x", which="both", top=False)
        ax.text(0.03, 0.97, f"{result['pairs']:,} pairs", transform=ax.transAxes, ha="left", va="top")
        ax.legend(loc="upper right")
        return save(fig, stem)


def _traversal_plane(traversal, slice_index):
    """The decoded jets of a 2-D slice, [G, G, M, 3], and the encoded means of its two directions."""
    decoded = np.asarray(traversal["decoded"], float)
    axes = decoded.ndim - 2
    if axes not in (2, 3):
        raise ValueError(f"plot_traversal: needs a grid of 2 or 3 directions, received {axes}")
    if axes == 3:
        decoded = decoded[:, :, decoded.shape[2] // 2 if slice_index is None else slice_index]
    means = np.asarray(traversal.get("encoded_means", []), float)
    return decoded, (means[:, :2] if means.size else means)


def plot_traversal(traversal, stem, jet_radius=None, disc_area=60.0, slice_index=None):
    """Decoded jets on the traversal grid of the top two directions (Fig. 8): at each grid point the
    jet's particles as discs at (η, φ) around it, area ∝ pT, over density contours of the encoder
    means (a Gaussian KDE).

    traversal: the JSON of otae::analysis::traversal_to_json. jet_radius: the (η, φ) half-width
    drawn inside a cell (default: the 99th percentile of |η|, |φ| of the decoded particles).
    disc_area: marker area [pt²] of a particle carrying all of the jet's pT. A grid of three
    directions is drawn at `slice_index` of the third (default: its middle).
    """
    decoded, means = _traversal_plane(traversal, slice_index)
    values = np.asarray(traversal["values"], float)
    directions = traversal["directions"]
    step = values[1] - values[0]
    pt, eta, phi = decoded[..., 0], decoded[..., 1], decoded[..., 2]
    real = pt > 0
    if jet_radius is None:
        jet_radius = float(np.quantile(np.abs(np.concatenate([eta[real], phi[real]])), 0.99)) or 1.0
    scale = 0.45 * step / jet_radius
    low, high = values[0] - step / 2, values[-1] + step / 2
    with figure_style():
        fig, ax = plt.subplots(figsize=(6.4, 6.4))
        if means.ndim == 2 and means.shape[0] > 2:
            grid = np.linspace(low, high, 120)
            gx, gy = np.meshgrid(grid, grid)
            density = gaussian_kde(means.T)(np.vstack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
            ax.contourf(gx, gy, density, levels=8, cmap="Blues", alpha=0.6, zorder=0)
            ax.contour(gx, gy, density, levels=8, colors="steelblue", linewidths=0.4, zorder=1)
        for i, za in enumerate(values):
            for j, zb in enumerate(values):
                keep = real[i, j]
                weight = pt[i, j][keep] / pt[i, j][keep].sum()
                ax.scatter(za + scale * eta[i, j][keep], zb + scale * phi[i, j][keep], s=disc_area * weight,
                           color="darkred", alpha=0.8, linewidths=0, zorder=3)
        for edge in np.append(values - step / 2, high):
            ax.axvline(edge, color="0.85", lw=0.4, zorder=2)
            ax.axhline(edge, color="0.85", lw=0.4, zorder=2)
        ax.set_xlim(low, high)
        ax.set_ylim(low, high)
        ax.set_aspect("equal")
        ax.set_xticks(values)
        ax.set_yticks(values)
        ax.set_xticklabels([f"{v:.2g}" for v in values])
        ax.set_yticklabels([f"{v:.2g}" for v in values])
        ax.minorticks_off()
        ax.set_xlabel(rf"$z_{{{directions[0]}}}$ (cell: $\eta$ across)")
        ax.set_ylabel(rf"$z_{{{directions[1]}}}$ (cell: $\phi$ up)")
        ax.set_title(rf"jets at $\pm${jet_radius:.2g} in $(\eta, \phi)$ per cell; disc area $\propto p_T$")
        return save(fig, stem)


def plot_traversal_emds(traversal, stem, emd_label="EMD [GeV]"):
    """The EMD geometry check: EMD between neighbouring decoded jets against the latent midpoint, one
    line per grid line, a panel per direction. Equal steps in latent space give flat lines."""
    values = np.asarray(traversal["values"], float)
    midpoints = 0.5 * (values[1:] + values[:-1])
    emds = [np.asarray(e, float) for e in traversal["emds"]]
    directions = traversal["directions"]
    if len(emds) != 2:
        raise ValueError(f"plot_traversal_emds: needs the EMDs of a 2-D grid, received {len(emds)} axes")
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(values)))
    with figure_style():
        fig, panels = plt.subplots(1, 2, figsize=(8.0, 3.4), sharey=True)
        for axis, (ax, emd) in enumerate(zip(panels, emds)):
            other = directions[1 - axis]
            lines = emd.T if axis == 0 else emd  # one row per position along the other direction
            for k, line in enumerate(lines):
                ax.plot(midpoints, line, color=colours[k], lw=1, marker="o", ms=2,
                        label=rf"$z_{{{other}}} = {values[k]:.2g}$" if k in (0, len(values) // 2, len(values) - 1)
                        else None)
            ax.set_xlabel(rf"$z_{{{directions[axis]}}}$ (midpoint of the step)")
            ax.legend()
        panels[0].set_ylabel(f"{emd_label} between neighbours")
        panels[0].set_ylim(bottom=0)
        return save(fig, stem)


def plot_beta_schedule(schedule, stem):
    """β̂ against training step, points coloured by phase, β [GeV] on the right axis.

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
        ax.set_xlabel(r"$\beta$ step")
        ax.set_ylabel(r"$\hat\beta$ [$H_T\,\Delta R$]")
        right = ax.secondary_yaxis("right", functions=(lambda b: b * energy_scale, lambda b: b / energy_scale))
        right.set_ylabel(BETA_GEV)
        ax.tick_params(axis="y", which="both", right=False)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3)
        return save(fig, stem)
