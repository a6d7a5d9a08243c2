"""Readers for the files of a run folder (see include/otae/train/vae_run_folder.hpp) and for the
analysis JSON written by otae/analysis (each layout is documented beside its `to_json`)."""
import csv
import json


def read_json(path):
    """One JSON document."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_beta_steps(path):
    """beta_steps.jsonl: one dict per finished β step (step, phase, beta_hat, beta_GeV, kl_per_dim, …).
    A last line torn by a killed run is skipped."""
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
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [{"step": int(r["step"]), "phase": r["phase"], "beta_hat": float(r["beta_hat"]),
             "beta_GeV": float(r["beta_GeV"]), "learning_rate": float(r["learning_rate"])} for r in rows]
