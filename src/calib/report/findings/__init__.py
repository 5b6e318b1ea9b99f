"""Each report's conclusions block, worded: the findings and the one-line summary.

One module per report, each turning the figures its notebook computed into the
:class:`~calib.report.record.Finding` rows and the summary that
:func:`~calib.report.record.conclude` shows (and the headline figures
:func:`~calib.report.record.record_all` records), so that a notebook's last cell is one call and
the verdict rules (which figure passes, which asks for a review) are tested without running a
notebook:

- :mod:`~calib.report.findings.quality`: report 01, the data's quality;
- :mod:`~calib.report.findings.consensus`: report 02, the peer consensus and its reviewers;
- :mod:`~calib.report.findings.compare`: report 03, the consensus against the model's limits;
- :mod:`~calib.report.findings.scorecard`: report 04, the scorecard's calibration;
- :mod:`~calib.report.findings.pricing`: report 05, the points discount;
- :mod:`~calib.report.findings.villages`: report 06, credit villages and townships.
"""
from __future__ import annotations

from importlib import import_module
from types import ModuleType

__all__ = ["quality", "consensus", "compare", "scorecard", "pricing", "villages"]


def __getattr__(name: str) -> ModuleType:
    """A report's module on first use (``findings.pricing``): a notebook imports only its own."""
    if name in __all__:
        return import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
