"""Synthetic run folders in the layouts otae writes (a W-jet EMD-VAE run with its analysis folder,
the bananas and 11-D Gaussian toys, a run without analysis), their reports drawn, and every figure
and link checked:

    /usr/bin/python3 python/otae_report/selftest.py [--keep FOLDER]

The numbers follow known closed forms (the linear VAE's KLᵢ = max(0, ln σᵢ/β) and distortion
Σ min(σᵢ², β²)) plus noise, so the figures look like the real ones; write_run is also what the
tests and anyone developing a figure without a trained run use. Without --keep everything goes to
a temporary folder. Exits non-zero, naming the file, when a figure is missing or blank or the
index links a missing file.
"""
import argparse
import html.parser
import json
import math
import os
import sys
import tempfile

import numpy as np
from scipy.spatial.distance import pdist

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from otae_report.report import build_report  # noqa: E402
from matplotlib import image  # noqa: E402

HT_GEV = 500.0
KINDS = ("jets", "bananas", "gaussian11")


# ---- the schedule and the checkpoints of a linear VAE with known scales ----

def schedule_rows(log10_first, points, energy_scale, zigzag=True):
    """beta_schedule.csv rows: priming up the grid, (optionally) sawtooth legs, production."""
    grid = [10 ** (log10_first + 0.25 * k) for k in range(points)]
    rows = [("priming", b, 3e-3) for b in grid]
    if zigzag:
        for start in range(points // 2, -1, -4):
            rows += [("zigzag", grid[start + i], 3e-3) for i in range(min(5, points - start))]
    rows += [("production", b, 1e-3) for b in grid]
    return [{"step": k, "phase": p, "beta_hat": b, "beta_GeV": energy_scale * b, "learning_rate": lr}
            for k, (p, b, lr) in enumerate(rows)]


def linear_vae_checkpoint(row, scales, latent_dim, place, rng, energy_scale, threshold=0.1, rows=10000):
    """One summary.json checkpoint of a linear VAE whose data have the standard deviations `scales`
    (in beta units) on the latent directions `place`, with statistical noise of `rows` held-out rows."""
    beta = row["beta_GeV"]
    kl = np.abs(rng.normal(0, 2e-3, latent_dim))
    kl[place[:len(scales)]] = [max(0.0, math.log(s / beta)) for s in scales]
    kl_error = 0.01 * np.sqrt(kl + 0.01)
    kl = kl + rng.normal(0, 1, latent_dim) * kl_error
    distortion = sum(min(s * s, beta * beta) for s in scales)
    distortion_error = distortion * 2 / math.sqrt(rows)
    informative = [int(k) for k in np.argsort(-kl, kind="stable") if kl[k] > threshold]
    return {"step": row["step"], "phase": row["phase"], "beta_hat": row["beta_hat"], "beta": beta,
            "kl": float(kl.sum()), "kl_error": float(np.sqrt((kl_error ** 2).sum())),
            "distortion": float(distortion + rng.normal(0, distortion_error)), "distortion_error": distortion_error,
            "kl_per_dim": [float(v) for v in kl], "kl_per_dim_error": [float(v) for v in kl_error],
            "informative": informative}


def dimensionalities(checkpoints):
    """dimensionalities.json of the checkpoints: runs of one phase with ascending β, finite differences."""
    runs, first = [], 0
    for k in range(1, len(checkpoints) + 1):
        if k == len(checkpoints) or checkpoints[k]["phase"] != checkpoints[k - 1]["phase"] \
                or checkpoints[k]["beta"] <= checkpoints[k - 1]["beta"]:
            if k - 1 > first:
                runs.append({"first": first, "last": k - 1, "direction": 1, "phase": checkpoints[first]["phase"]})
            first = k
    points = []
    for r, run in enumerate(runs):
        for i in range(run["first"], run["last"]):
            a, b = checkpoints[i], checkpoints[i + 1]
            log_step, square_step = math.log(b["beta"] / a["beta"]), b["beta"] ** 2 - a["beta"] ** 2
            points.append({"run": r, "from": i, "to": i + 1, "beta": math.sqrt(a["beta"] * b["beta"]),
                           "d1": -(b["kl"] - a["kl"]) / log_step,
                           "d1_error": math.hypot(a["kl_error"], b["kl_error"]) / log_step,
                           "d2": (b["distortion"] - a["distortion"]) / square_step,
                           "d2_error": math.hypot(a["distortion_error"], b["distortion_error"]) / square_step})
    return {"runs": runs, "points": points, "beta_unit": "GeV"}


def correlation_dimension(points, q_min, q_max, bins, distance_unit, method):
    """correlation_dimension.json of a sample: pair distances in log bins and D_corr between edges."""
    distances = pdist(points)
    edges = np.geomspace(q_min, q_max, bins + 1)
    counts, _ = np.histogram(distances, edges)
    below = np.array([(distances < e).sum() for e in edges])
    keep = below[:-1] > 0
    log_ratio = np.log(edges[1:] / edges[:-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        dimension = np.log(below[1:] / below[:-1]) / log_ratio
        error = np.sqrt((below[1:] - below[:-1]) / (below[:-1] * below[1:])) / log_ratio
    return {"edges": edges.tolist(), "counts": counts.tolist(), "underflow": int(below[0]),
            "overflow": int((distances >= q_max).sum()), "pairs": int(distances.size),
            "q": np.sqrt(edges[:-1] * edges[1:])[keep].tolist(), "dimension": dimension[keep].tolist(),
            "error": error[keep].tolist(), "pairs_below": below[:-1][keep].tolist(), "points": len(points),
            "distance_unit": distance_unit, "method": method}


# ---- traversals ----

def grid_values(g=7):
    return [(i - (g - 1) / 2) * math.pi / 4 for i in range(g)]


def neighbour_distances(decoded, grid_axes):
    """The "emds" of a vectors traversal: Euclidean distances between neighbours along each grid axis."""
    return [np.linalg.norm(np.diff(decoded, axis=axis), axis=-1).tolist() for axis in range(grid_axes)]


def top_directions(checkpoint, count):
    """The `count` directions of largest KL, as otae vae analyze picks them."""
    return [int(k) for k in np.argsort(-np.asarray(checkpoint["kl_per_dim"]), kind="stable")[:count]]


def jet_traversal(checkpoint, rng, g=7):
    """Two-prong jets: z_a opens the prongs, z_b moves pT from one prong to the other."""
    values = grid_values(g)
    decoded = np.zeros((g, g, 5, 3))
    for i, za in enumerate(values):
        for j, zb in enumerate(values):
            opening, share = 0.15 + 0.05 * za, 1 / (1 + math.exp(-zb))
            decoded[i, j] = [[0.7 * share, -opening / 2, 0.0], [0.7 * (1 - share), opening / 2, 0.02],
                             [0.2, 0.05, 0.25], [0.1, -0.2, -0.15], [0.0, 0.0, 0.0]]
    emds = [[[0.05 * HT_GEV * (1 + 0.1 * abs(zb)) for zb in values] for _ in values[1:]],
            [[0.04 * HT_GEV * (1 + 0.2 * abs(za)) for _ in values[1:]] for za in values]]
    means = rng.normal(size=(2000, 2)) * [1.0, 0.7]
    return {"directions": top_directions(checkpoint, 2), "values": values, "decoded": decoded.tolist(),
            "encoded_means": means.tolist(), "emds": emds}


def banana_decoder(beta, a=0.5, s=0.1, curve_scale=1.2):
    """A trained bananas VAE, by hand: the top direction walks along the ridge (shrunk as β nears
    its scale), the second resolves the width when β < s, the mean (0, 0) when everything collapsed."""
    spread = math.sqrt(max(0.0, 1 - (beta / curve_scale) ** 2))
    width = s * math.sqrt(max(0.0, 1 - (beta / s) ** 2))
    return lambda za, zb: [spread * za, a * ((spread * za) ** 2 - spread ** 2) + width * zb]


def vector_traversal(checkpoint, decoder, rng, directions=2, g=7):
    values = grid_values(g)
    top = top_directions(checkpoint, directions)
    if directions == 1:
        decoded = np.array([decoder(za, 0.0) for za in values])
    else:
        decoded = np.array([[decoder(za, zb) for zb in values] for za in values])
    spread = [1.0 if k in checkpoint["informative"] else 0.02 for k in top]
    means = rng.normal(size=(1500, directions)) * spread
    return {"directions": top, "values": values, "decoded": decoded.tolist(), "encoded_means": means.tolist(),
            "emds": neighbour_distances(decoded, directions)}


def latent_physics(checkpoint, rng):
    directions = checkpoint["informative"][:4]
    quantities = ["eta", "sin(phi)", "cos(phi)", "pt_GeV", "mass_GeV"]
    spearman = rng.uniform(-0.2, 0.2, (len(directions), len(quantities)))
    for r in range(min(len(directions), len(quantities))):
        spearman[r, r] = 0.9 - 0.1 * r
    information = np.abs(spearman) * 1.5
    best = [{"direction": d, "quantity": quantities[int(np.argmax(information[r]))],
             "spearman": float(spearman[r, int(np.argmax(information[r]))]),
             "mutual_information": float(information[r].max())} for r, d in enumerate(directions)]
    rows = spearman.tolist()
    rows[-1][-1] = None  # a constant column has no Spearman correlation
    return {"directions": directions, "quantities": quantities, "spearman": rows,
            "mutual_information": information.tolist(), "best": best}


# ---- folders ----

def write_json(path, document):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f)


def write_run_files(folder, schedule, checkpoints, data_source, latent_dim, energy_scale):
    """config.yaml, run.json, beta_schedule.csv, beta_steps.jsonl, epochs.csv of a finished run."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.yaml"), "w") as f:
        f.write(f"data:\n  source: \"{data_source}\"\nmodel:\n  latent_dim: {latent_dim}\n")
    write_json(os.path.join(folder, "run.json"), {"model": "emd_vae" if energy_scale != 1 else "dense_vae",
                                                  "data_source": data_source, "latent_dim": latent_dim,
                                                  "energy_scale_GeV": energy_scale})
    with open(os.path.join(folder, "beta_schedule.csv"), "w") as f:
        f.write("step,phase,beta_hat,beta_GeV,learning_rate\n")
        for r in schedule:
            f.write(f"{r['step']},{r['phase']},{r['beta_hat']!r},{r['beta_GeV']!r},{r['learning_rate']!r}\n")
    with open(os.path.join(folder, "beta_steps.jsonl"), "w") as f:
        for c in checkpoints:
            f.write(json.dumps({"step": c["step"], "phase": c["phase"], "beta_hat": c["beta_hat"],
                                "beta_GeV": c["beta"], "kl_per_dim": c["kl_per_dim"]}) + "\n")
    with open(os.path.join(folder, "epochs.csv"), "w") as f:
        f.write("step,attempt,phase,beta_hat,beta_GeV,epoch,learning_rate,loss,distortion,kl,val_loss,"
                "val_distortion,val_kl,seconds\n")


def write_analysis(folder, kind, data_source, checkpoints, latent_dim, energy_scale, correlation, traversals,
                   tables):
    """RUN/analysis in the layout of /tmp/spec/layout.md (summary.json and the files it names)."""
    analysis = os.path.join(folder, "analysis")
    os.makedirs(analysis, exist_ok=True)
    unit = "GeV" if kind == "jets" else "data"
    dims = dimensionalities(checkpoints)
    dims["beta_unit"] = unit
    write_json(os.path.join(analysis, "dimensionalities.json"), dims)
    if correlation is not None:
        write_json(os.path.join(analysis, "correlation_dimension.json"), correlation)
    names = {"traversals": [], "latent_physics": []}
    for field, prefix, documents in (("traversals", "traversal", traversals), ("latent_physics", "latent_physics",
                                                                                tables)):
        for checkpoint, document in documents:
            document.update({key: checkpoint[key] for key in ("step", "phase", "beta_hat", "beta")})
            if field == "traversals":
                document["kind"] = kind
            name = f"{prefix}_step{checkpoint['step']:03d}.json"
            write_json(os.path.join(analysis, name), document)
            names[field].append(name)
    with open(os.path.join(analysis, "kl_spectrum.csv"), "w") as f:
        f.write("step,phase,beta_hat,beta,direction,kl,kl_error\n")
        for c in checkpoints:
            for k, (kl, error) in enumerate(zip(c["kl_per_dim"], c["kl_per_dim_error"])):
                f.write(f"{c['step']},{c['phase']},{c['beta_hat']!r},{c['beta']!r},{k},{kl!r},{error!r}\n")
    write_json(os.path.join(analysis, "summary.json"), {
        "otae_version": "selftest", "command_line": "otae_report/selftest.py", "run": folder, "data": data_source,
        "rows": 10000, "kind": kind, "latent_dim": latent_dim, "energy_scale_GeV": energy_scale, "beta_unit": unit,
        "distance_unit": unit, "threshold": 0.1, "checkpoints": checkpoints,
        "dimensionalities": "dimensionalities.json",
        "correlation_dimension": "correlation_dimension.json" if correlation is not None else None, **names})


def write_run(folder, kind, seed=0, analysis=True):
    """A synthetic finished run of `kind` (jets, bananas, gaussian11) in `folder`, with its analysis
    folder unless analysis is False. Returns the folder."""
    rng = np.random.default_rng(seed)
    if kind == "jets":
        scales, latent_dim, energy_scale, source = [200.0, 50.0, 10.0, 2.0], 16, HT_GEV, "wjets_test.h5"
        schedule = schedule_rows(-4, 14, energy_scale)
    elif kind == "bananas":
        scales, latent_dim, energy_scale, source = [1.2, 0.1], 10, 1.0, "toy:bananas:0.5,0.1?n=100000&seed=1"
        schedule = schedule_rows(-2, 13, energy_scale, zigzag=False)
    elif kind == "gaussian11":
        scales, latent_dim, energy_scale, source = [1.0] * 10 + [0.1], 16, 1.0, "toy:gaussian11?n=500000&seed=1"
        schedule = schedule_rows(-2, 11, energy_scale, zigzag=False)
    else:
        raise ValueError(f"write_run: kind {kind!r} is not one of {KINDS}")
    place = rng.permutation(latent_dim)
    checkpoints = [linear_vae_checkpoint(r, scales, latent_dim, place, rng, energy_scale) for r in schedule]
    write_run_files(folder, schedule, checkpoints, source, latent_dim, energy_scale)
    if not analysis:
        return folder
    production = [c for c in checkpoints if c["phase"] == "production"]
    correlation, traversals, tables = None, [], []
    if kind == "jets":
        correlation = correlation_dimension(rng.normal(size=(1500, 4)) * np.array(scales) / 1.5, 0.5, 2000, 40,
                                            "GeV", "exact_emd")
        chosen = production[len(production) // 3::6]
        traversals = [(c, jet_traversal(c, rng)) for c in chosen]
        tables = [(c, latent_physics(c, rng)) for c in chosen if len(c["informative"]) >= 2]
    elif kind == "bananas":
        traversals = [(c, vector_traversal(c, banana_decoder(c["beta"]), rng)) for c in production[2::5]]
    else:
        correlation = correlation_dimension(rng.normal(size=(3000, 11)) * scales, 1e-2, 20, 50, "data", "euclidean")
        traversals = [(production[2], vector_traversal(production[2], lambda za, zb: [za, zb] + [0.0] * 9, rng)),
                      (production[6], vector_traversal(production[6], lambda za, zb: [za, 0.0] + [0.0] * 9, rng,
                                                       directions=1))]
    write_analysis(folder, "jets" if kind == "jets" else "vectors", source, checkpoints, latent_dim, energy_scale,
                   correlation, traversals, tables)
    return folder


# ---- checks ----

def check_image(path):
    """Raises AssertionError unless `path` is a PDF, or a PNG of more than one colour whose sides are
    200 to 6000 pixels."""
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        raise AssertionError(f"{path} is missing or empty")
    with open(path, "rb") as f:
        head = f.read(8)
    if path.endswith(".pdf"):
        if not head.startswith(b"%PDF"):
            raise AssertionError(f"{path} is not a PDF")
        return
    if head != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path} is not a PNG")
    pixels = image.imread(path)
    if pixels.ndim != 3 or min(pixels.shape[:2]) < 200 or max(pixels.shape[:2]) > 6000 \
            or np.ptp(pixels[..., :3]) == 0:
        raise AssertionError(f"{path} is blank or of an odd size: shape {pixels.shape}")


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value and not value.startswith("#"):
                self.links.add(value)


def index_links(index):
    """Every href and src of an index.html (anchors within the page left out)."""
    parser = _Links()
    with open(index, encoding="utf-8") as f:
        parser.feed(f.read())
    return parser.links


def check_report(out_dir):
    """Checks out_dir/index.html: every link is a relative path to a file beside it, every PNG
    there is linked and has its PDF, every image is valid. Returns the PNG names."""
    index = os.path.join(out_dir, "index.html")
    if not os.path.isfile(index):
        raise AssertionError(f"{index} is missing")
    links = index_links(index)
    for link in links:
        if "://" in link or link.startswith("/") or not os.path.isfile(os.path.join(out_dir, link)):
            raise AssertionError(f"{index} links {link!r}, which is not a file beside it")
    pngs = sorted(n for n in os.listdir(out_dir) if n.endswith(".png"))
    for png in pngs:
        if png not in links:
            raise AssertionError(f"{index} does not show {png}")
        check_image(os.path.join(out_dir, png))
        check_image(os.path.join(out_dir, png[:-4] + ".pdf"))
    return pngs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", metavar="FOLDER", help="write into FOLDER and keep the files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="otae-report-") as temporary:
        root = args.keep or temporary
        total = 0
        for kind, analysis in [(k, True) for k in KINDS] + [("jets", False)]:
            run = write_run(os.path.join(root, kind + ("" if analysis else "_no_analysis")), kind,
                            analysis=analysis)
            build_report(run)  # into RUN/report, the default
            pngs = check_report(os.path.join(run, "report"))
            total += 2 * len(pngs)
            print(f"{os.path.relpath(run, root)}: {len(pngs)} figures: {', '.join(pngs)}")
    print(f"all {total} figure files drawn and checked")


if __name__ == "__main__":
    main()
