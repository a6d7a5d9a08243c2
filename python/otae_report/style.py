"""One look for every otae figure: serif text with matching maths, ticks inside on all four sides,
minor ticks, a colour per schedule phase, and PNG + PDF written together."""
import contextlib
import os

import matplotlib

matplotlib.use("Agg")  # files only; no display is needed or assumed
import matplotlib.pyplot as plt  # noqa: E402

RC = {
    "font.family": "STIXGeneral",
    "mathtext.fontset": "stix",
    "font.size": 11,
    "axes.labelsize": 12,
    "axes.titlesize": 11,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.top": True,
    "ytick.right": True,
    "xtick.minor.visible": True,
    "ytick.minor.visible": True,
    "figure.figsize": (5.0, 3.8),
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,  # TrueType in PDFs, so the text stays text in journals' pipelines
}

PHASE_COLOURS = {"priming": "#1f77b4", "zigzag": "#ff7f0e", "production": "#2ca02c"}
QUANTITY_COLOURS = {"d1": "#1f4e9c", "d2": "#c0392b", "dcorr": "#2d7d46"}


def phase_colour(phase):
    """The colour of a schedule phase; unknown phases are grey."""
    return PHASE_COLOURS.get(phase, "#7f7f7f")


@contextlib.contextmanager
def figure_style():
    """The otae rcParams inside a `with` block, the caller's restored afterwards."""
    with plt.rc_context(RC):
        yield


def save(figure, stem):
    """Writes `<stem>.png` and `<stem>.pdf`, closes the figure, returns the two paths."""
    folder = os.path.dirname(os.path.abspath(stem))
    os.makedirs(folder, exist_ok=True)
    paths = [f"{stem}.png", f"{stem}.pdf"]
    for path in paths:
        figure.savefig(path)
    plt.close(figure)
    return paths
