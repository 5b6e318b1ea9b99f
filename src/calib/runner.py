"""Papermill report runs and bundles (re-exported from :mod:`calib.reporting`).

See :mod:`calib.reporting.runner` for what a run does and writes.
"""
from __future__ import annotations

from calib.reporting import (KEY_PACKAGES, RunResult, read_history, render_html, run_reports,
                             verify_bundle)
from calib.reporting.index import TEMPLATE_DIR

__all__ = ["run_reports", "RunResult", "render_html", "KEY_PACKAGES", "verify_bundle", "read_history",
           "TEMPLATE_DIR"]
