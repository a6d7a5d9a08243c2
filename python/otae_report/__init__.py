"""Figures of otae's EMD-VAE analysis, drawn from the JSON and CSV files the C++ side writes.

No algorithm lives here: every number drawn was computed by otae (otae/analysis, otae/train);
this package only reads the files and draws them. Each function writes `<stem>.png` and
`<stem>.pdf` and returns their paths.
"""
from .figures import (plot_beta_schedule, plot_correlation_dimension, plot_dimensionalities,
                      plot_kl_spectrum, plot_traversal, plot_traversal_emds)
from .readers import read_beta_schedule, read_beta_steps, read_json

__all__ = ["plot_beta_schedule", "plot_correlation_dimension", "plot_dimensionalities", "plot_kl_spectrum",
           "plot_traversal", "plot_traversal_emds", "read_beta_schedule", "read_beta_steps", "read_json"]
