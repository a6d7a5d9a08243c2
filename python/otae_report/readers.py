"""Readers for the files of a run folder (see include/otae/train/vae_run_folder.hpp) and for the
analysis JSON written by otae/analysis (each layout is documented beside its `to_json`). Every
problem with a file is raised as ReportInputError, whose message names the file."""
import contextlib
import csv
import json
import os


class ReportError(Exception):
    """The report cannot be drawn; the message says why in one line."""


class ReportInputError(ReportError):
    """A file the report needs is missing or malformed; the message names the file and the problem."""


def require_file(path, hint=""):
    """Raises ReportInputError naming `path` (and the hint, e.g. the command that writes it) unless it is a file."""
    if not os.path.isfile(path):
        raise ReportInputError(f"{path} is missing" + (f": {hint}" if hint else ""))
    return path


def read_json(path, hint=""):
    """One JSON document. ReportInputError when the file is missing or is not JSON."""
    require_file(path, hint)
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            raise ReportInputError(f"{path} is not valid JSON: {e}") from e


@contextlib.contextmanager
def reading(path):
    """Inside the block, a missing field or a value of the wrong type or shape met while drawing
    from `path` becomes a ReportInputError naming the file."""
    try:
        yield
    except ReportInputError:
        raise
    except KeyError as e:
        raise ReportInputError(f"{path} is malformed: it has no field {e}") from e
    except (TypeError, ValueError, IndexError, AttributeError) as e:
        raise ReportInputError(f"{path} is malformed: {e}") from e


def read_beta_steps(path):
    """beta_steps.jsonl: one dict per finished β step (step, phase, beta_hat, beta_GeV, kl_per_dim, …).
    A last line torn by a killed run is skipped."""
    require_file(path, "written by otae vae train")
    steps = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                steps.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return steps


def read_beta_schedule(path):
    """beta_schedule.csv: dicts with step (int), phase (str), beta_hat, beta_GeV, learning_rate (float)."""
    require_file(path, "written by otae vae train")
    with open(path, encoding="utf-8", newline="") as f, reading(path):
        rows = list(csv.DictReader(f))
        return [{"step": int(r["step"]), "phase": r["phase"], "beta_hat": float(r["beta_hat"]),
                 "beta_GeV": float(r["beta_GeV"]), "learning_rate": float(r["learning_rate"])} for r in rows]
