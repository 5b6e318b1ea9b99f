"""Report runs and bundles: execution, manifest, index, publication, verification, history.

(On the lead's merge these modules may move under :mod:`calib.report`; :mod:`calib.runner`
re-exports the public names either way.)
"""
from __future__ import annotations

from calib.reporting.history import read_history
from calib.reporting.index import render_html
from calib.reporting.manifest import KEY_PACKAGES
from calib.reporting.runner import RunResult, run_reports
from calib.reporting.verify import verify_bundle

__all__ = ["run_reports", "RunResult", "render_html", "verify_bundle", "read_history", "KEY_PACKAGES"]
