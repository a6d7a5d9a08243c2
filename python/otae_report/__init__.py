"""Figures and the index page of otae's runs, drawn from the JSON and CSV files the C++ side writes.

No algorithm lives here: every number drawn was computed by otae (otae/analysis, otae/train);
this package only reads the files and draws them. Each plot function writes `<stem>.png` and
`<stem>.pdf` and returns their paths; build_report draws a whole run folder
(`python3 -m otae_report RUN`, or `otae report RUN`).
"""
from .figures import (plot_beta_schedule, plot_correlation_dimension, plot_dimensionalities, plot_kl_spectra,
                      plot_kl_spectrum, plot_latent_physics, plot_traversal, plot_traversal_emds)
from .readers import ReportError, ReportInputError, read_beta_schedule, read_beta_steps, read_json
from .report import build_report
from .toy_figures import plot_bananas_by_beta, plot_dimensions_against_correlation, plot_vector_traversal

__all__ = ["build_report", "plot_bananas_by_beta", "plot_beta_schedule", "plot_correlation_dimension",
           "plot_dimensionalities", "plot_dimensions_against_correlation", "plot_kl_spectra", "plot_kl_spectrum",
           "plot_latent_physics", "plot_traversal", "plot_traversal_emds", "plot_vector_traversal",
           "read_beta_schedule", "read_beta_steps", "read_json", "ReportError", "ReportInputError"]
