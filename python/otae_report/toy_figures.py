"""Figures of the talks' toy studies (The Learnt Geometry of Collider Events): traversals of toy
vectors drawn in data space over the toy's density, the bananas at three β ranges (non-linear PCA),
and the 11-D Gaussian's D1/D2 against its correlation dimension at Q = 2β. The toys' densities and
scales are closed forms of the spec (include/otae/data/toy_datasets.hpp), not samples."""
import math

import numpy as np
import matplotlib.pyplot as plt
from scipy.stats import gaussian_kde

from .figures import grid_plane
from .style import QUANTITY_COLOURS, figure_style, save

TOY_DEFAULTS = {"bananas": [0.5, 0.1], "circle": [1.0, 0.05], "gaussian11": []}


def parse_toy_spec(source):
    """(name, parameters) of "toy:NAME[:p1,p2,…][?n=…&seed=…]", the toy's default parameters when
    none are written; None when `source` is not a toy spec. Raises ValueError on a malformed number."""
    if not source.startswith("toy:"):
        return None
    body = source[4:].split("?", 1)[0]
    name, _, parameters = body.partition(":")
    values = [float(p) for p in parameters.split(",")] if parameters else list(TOY_DEFAULTS.get(name, []))
    return name, values


def toy_scales(name, parameters):
    """The standard deviations σᵢ of a Gaussian toy's coordinates, or None for another toy."""
    if name == "gaussian11":
        return [1.0] * 10 + [0.1]
    if name == "gaussian":
        return list(parameters)
    return None


def _normal(x, mean, sigma):
    return np.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def toy_density(name, parameters):
    """The toy's density in its first two coordinates, p(x₀, x₁) on arrays, or None when the toy
    has fewer than two coordinates or no closed form here."""
    if name == "bananas":
        a, s = parameters
        return lambda x, y: _normal(x, 0.0, 1.0) * _normal(y, a * (x ** 2 - 1), s)
    if name == "circle":
        radius, s = parameters
        return lambda x, y: _normal(np.hypot(x, y), radius, s) / (2 * math.pi * np.maximum(np.hypot(x, y), 1e-12))
    scales = toy_scales(name, parameters)
    if scales is not None and len(scales) >= 2 and min(scales[:2]) > 0:
        return lambda x, y: _normal(x, 0.0, scales[0]) * _normal(y, 0.0, scales[1])
    return None


def banana_ridge(parameters):
    """The bananas' ridge x₁ = a (x₀² − 1) and its width s."""
    a, s = parameters
    return (lambda x: a * (x ** 2 - 1)), s


def _decoded_plane(traversal):
    """Decoded points of the grid's 2-D plane [G_a, G_b, d] (d ≥ 2), with its values and directions."""
    decoded, values_a, values_b, direction_a, direction_b = grid_plane(traversal)
    if decoded.ndim != 3 or decoded.shape[-1] < 2:
        raise ValueError(f"decoded vectors must end in [d ≥ 2], received shape {decoded.shape}")
    return decoded, values_a, values_b, direction_a, direction_b


def _draw_density(ax, density, x_range, y_range):
    gx, gy = np.meshgrid(np.linspace(*x_range, 200), np.linspace(*y_range, 200))
    values = density(gx, gy)
    levels = np.quantile(values[values > 0], [0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.995]) if (values > 0).any() else 6
    ax.contourf(gx, gy, values, levels=np.append(levels, values.max()) if not np.isscalar(levels) else levels,
                cmap="Greys", alpha=0.6, zorder=0)


def _draw_decoded_grid(ax, decoded, values_b, label_curve=True):
    """The image of the latent grid in data space: thin lines of constant z, and the decoded curve
    along the top direction (the other directions at 0) thick, with a marker per grid point."""
    middle = len(values_b) // 2
    for j in range(decoded.shape[1]):
        ax.plot(decoded[:, j, 0], decoded[:, j, 1], color="tab:blue", lw=0.6, alpha=0.6, zorder=2)
    for i in range(decoded.shape[0]):
        ax.plot(decoded[i, :, 0], decoded[i, :, 1], color="tab:blue", lw=0.6, alpha=0.6, zorder=2)
    curve = decoded[:, middle]
    ax.plot(curve[:, 0], curve[:, 1], color="darkred", lw=2.0, zorder=3,
            label="decoded along the top direction" if label_curve else None)
    ax.scatter(curve[:, 0], curve[:, 1], c=np.arange(len(curve)), cmap="autumn", s=18, zorder=4, edgecolors="k",
               linewidths=0.3)
    if decoded.shape[1] > 1:
        ax.plot([], [], color="tab:blue", lw=0.6, label="image of the latent grid")


def _data_ranges(decoded, density):
    """Axis ranges showing the decoded points and, when there is a density, the bulk of the toy."""
    low, high = decoded[..., :2].reshape(-1, 2).min(axis=0), decoded[..., :2].reshape(-1, 2).max(axis=0)
    if density is not None:
        low, high = np.minimum(low, [-2.5, -1.0]), np.maximum(high, [2.5, 2.0])
    pad = 0.05 * np.maximum(high - low, 1e-3)
    return (low[0] - pad[0], high[0] + pad[0]), (low[1] - pad[1], high[1] + pad[1])


def plot_vector_traversal(traversal, stem, density=None, unit="data units"):
    """A traversal of a toy VAE: left, the decoded points in data space (x₀, x₁) over the toy's
    density, the curve along the top direction in red; right, the grid in latent space over the
    density of the encoded means (a Gaussian KDE).

    traversal: a traversal_step*.json of kind "vectors" (decoded [G][G][d], [G][d] for one
    direction). density: p(x₀, x₁) (toy_density) or None.
    """
    decoded, values_a, values_b, direction_a, direction_b = _decoded_plane(traversal)
    means = np.asarray(traversal.get("encoded_means", []), float)
    x_range, y_range = _data_ranges(decoded, density)
    with figure_style():
        fig, (data_ax, latent_ax) = plt.subplots(1, 2, figsize=(9.2, 4.0))
        if density is not None:
            _draw_density(data_ax, density, x_range, y_range)
        _draw_decoded_grid(data_ax, decoded, values_b)
        data_ax.set_xlim(*x_range)
        data_ax.set_ylim(*y_range)
        data_ax.set_xlabel(f"$x_0$ [{unit}]")
        data_ax.set_ylabel(f"$x_1$ [{unit}]")
        data_ax.legend(loc="upper center")
        data_ax.set_title("data space" + (" (grey: toy density)" if density is not None else ""))
        span = (values_a[0] - 0.5, values_a[-1] + 0.5)
        if direction_b is not None:
            spread = means.ndim == 2 and means.shape[0] > 2 and means.shape[1] >= 2
            if spread and np.linalg.matrix_rank(np.cov(means[:, :2].T)) == 2:
                gx, gy = np.meshgrid(np.linspace(*span, 100), np.linspace(*span, 100))
                kde = gaussian_kde(means[:, :2].T)(np.vstack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
                latent_ax.contourf(gx, gy, kde, levels=8, cmap="Blues", alpha=0.7, zorder=0)
            za, zb = np.meshgrid(values_a, values_b, indexing="ij")
            latent_ax.scatter(za, zb, s=8, color="tab:blue", zorder=2)
            latent_ax.plot(values_a, np.zeros_like(values_a), color="darkred", lw=2, zorder=3)
            latent_ax.set_ylabel(rf"$z_{{{direction_b}}}$")
            latent_ax.set_ylim(*span)
            latent_ax.set_aspect("equal")
        else:
            if means.size:
                latent_ax.hist(means[:, 0], bins=40, range=span, density=True, histtype="stepfilled", color="tab:blue",
                               alpha=0.5, label="encoded means")
            latent_ax.plot(values_a, np.zeros_like(values_a), "o", color="darkred", label="grid")
            latent_ax.set_ylabel("density")
            latent_ax.legend()
        latent_ax.set_xlim(*span)
        latent_ax.set_xlabel(rf"$z_{{{direction_a}}}$")
        latent_ax.set_title("latent space (blue: encoded data)")
        return save(fig, stem)


def plot_bananas_by_beta(panels, stem, parameters, unit="data units"):
    """The bananas toy at three β ranges, one column each: the decoded grid in data space over the
    banana density, and beneath it the residual of the decoded curve from the ridge,
    x₁ − a(x₀² − 1), with the data's ±s band. Non-linear PCA shows as a curve that follows the
    ridge (residual inside the band) at intermediate β, the width resolved at small β, a single
    point (the mean) at large β.

    panels: [(title, traversal or None)]; a None traversal leaves its column saying so.
    parameters: the toy's (a, s).
    """
    density = toy_density("bananas", parameters)
    ridge, width = banana_ridge(parameters)
    x_range, y_range = (-3.0, 3.0), (-1.2, 3.5)
    with figure_style():
        fig, axes = plt.subplots(2, len(panels), figsize=(4.0 * len(panels), 5.2), sharex=True,
                                 gridspec_kw={"height_ratios": (3, 1), "hspace": 0.05}, squeeze=False)
        for column, (title, traversal) in enumerate(panels):
            top, bottom = axes[0][column], axes[1][column]
            _draw_density(top, density, x_range, y_range)
            bottom.axhspan(-width, width, color="0.85", label=r"data $\pm s$")
            bottom.axhline(0, color="0.4", lw=0.6)
            if traversal is None:
                top.text(0.5, 0.5, "no checkpoint\nin this range", transform=top.transAxes, ha="center", va="center")
            else:
                decoded, _, values_b, _, _ = _decoded_plane(traversal)
                _draw_decoded_grid(top, decoded, values_b, label_curve=column == 0)
                curve = decoded[:, len(values_b) // 2]
                bottom.plot(curve[:, 0], curve[:, 1] - ridge(curve[:, 0]), color="darkred", marker="o", ms=3, lw=1.2)
            top.set_title(title)
            top.set_xlim(*x_range)
            top.set_ylim(*y_range)
            bottom.set_ylim(-0.6, 0.6)
            bottom.set_xlabel(f"$x_0$ [{unit}]")
        axes[0][0].set_ylabel(f"$x_1$ [{unit}]")
        axes[1][0].set_ylabel(r"$x_1 - a(x_0^2 - 1)$")
        axes[0][0].legend(loc="upper center", fontsize=8)
        axes[1][0].legend(loc="upper center", fontsize=8)
        return save(fig, stem)


def linear_vae_counts(scales, beta_from, beta_to):
    """The linear VAE's D1 and D2 between two checkpoints, exact finite differences of the closed
    forms KL = Σ max(0, ln σᵢ/β) and D = Σ min(σᵢ², β²) (Collins 2021, App. A.3)."""
    log_step = math.log(beta_to / beta_from)
    d1 = sum(max(0.0, math.log(s / beta_from)) - max(0.0, math.log(s / beta_to)) for s in scales) / -log_step
    d2 = sum(min(s * s, beta_to ** 2) - min(s * s, beta_from ** 2) for s in scales) / (beta_to ** 2 - beta_from ** 2)
    return abs(d1), d2


def plot_dimensions_against_correlation(dimensionalities, correlation, stem, betas, scales=None,
                                        beta_label=r"$\beta$ [data units]"):
    """One figure for the curse-of-dimensionality toy: D1 and D2 of the VAE against β, and the
    correlation dimension D_corr(Q) of the data at Q = 2β; with the toy's scales, the linear VAE's
    expectation and a lower panel of pulls (D − expected)/σ for D1 and D2.

    dimensionalities: dimensionalities.json; correlation: correlation_dimension.json or None;
    betas: β of every checkpoint (the points' "from"/"to" index it); scales: the toy's σᵢ or None.
    """
    points = sorted(dimensionalities["points"], key=lambda p: p["beta"])
    if not points:
        raise ValueError("no D1/D2 point to draw")
    beta = np.array([p["beta"] for p in points])
    rows = 2 if scales else 1
    with figure_style():
        fig, axes = plt.subplots(rows, 1, figsize=(6.0, 5.4 if rows == 2 else 3.8), sharex=True, squeeze=False,
                                 gridspec_kw={"height_ratios": (3, 1)[:rows], "hspace": 0.05})
        ax = axes[0][0]
        for key, label, marker in (("d1", r"$D_1 = -\mathrm{d\,KL}/\mathrm{d}\ln\beta$", "o"),
                                   ("d2", r"$D_2 = \mathrm{d}D/\mathrm{d}\beta^2$", "s")):
            ax.errorbar(beta, [p[key] for p in points], yerr=[p[key + "_error"] for p in points], fmt=marker, ms=3.5,
                        lw=1, color=QUANTITY_COLOURS[key], label=label)
        if correlation is not None and len(correlation["q"]):
            q = np.asarray(correlation["q"], float)
            dimension, error = np.asarray(correlation["dimension"], float), np.asarray(correlation["error"], float)
            ax.fill_between(q / 2, dimension - error, dimension + error, color=QUANTITY_COLOURS["dcorr"], alpha=0.25,
                            lw=0)
            ax.plot(q / 2, dimension, color=QUANTITY_COLOURS["dcorr"], lw=1.5,
                    label=rf"$D_\mathrm{{corr}}(Q = 2\beta)$, {correlation.get('points', '?')} points")
            ax.axvline(q[0] / 2, color=QUANTITY_COLOURS["dcorr"], ls=":", lw=1)
            ax.text(q[0] / 2, 0.97, " sparsity limit:\n no pairs closer", transform=ax.get_xaxis_transform(),
                    color=QUANTITY_COLOURS["dcorr"], fontsize=8, ha="left", va="top")
        if scales:
            grid = np.geomspace(beta.min() / 2, beta.max() * 2, 400)
            ax.plot(grid, [sum(s > b for s in scales) for b in grid], color="k", ls="--", lw=0.8,
                    label=r"linear VAE: $\#\{\sigma_i > \beta\}$")
            expected = np.array([linear_vae_counts(scales, betas[p["from"]], betas[p["to"]]) for p in points])
            pulls = axes[1][0]
            pulls.axhspan(-1, 1, color="0.9")
            pulls.axhline(0, color="0.4", lw=0.6)
            for column, (key, marker) in enumerate((("d1", "o"), ("d2", "s"))):
                error = np.array([max(p[key + "_error"], 1e-12) for p in points])
                pull = (np.array([p[key] for p in points]) - expected[:, column]) / error
                pulls.plot(beta, np.clip(pull, -5, 5), marker, ms=3.5, color=QUANTITY_COLOURS[key])
            pulls.set_ylim(-5.5, 5.5)
            pulls.set_ylabel(r"$(D - D_\mathrm{lin})/\sigma$")
        axes[-1][0].set_xlabel(beta_label)
        ax.set_xscale("log")
        ax.set_ylabel("dimensionality")
        ax.set_ylim(bottom=-0.5)
        ax.legend(loc="center left", fontsize=8)
        return save(fig, stem)
