"""Re-export of the consensus and comparison plots, kept for existing imports.

The plots live beside the computation they show: :mod:`calib.consensus.plots` and
:mod:`calib.compare.plots`.
"""
from __future__ import annotations

from calib.compare.plots import bland_altman, consensus_vs_model, village_effects
from calib.consensus.plots import agreement_by_group, caterpillar

__all__ = [
    "caterpillar",
    "agreement_by_group",
    "bland_altman",
    "consensus_vs_model",
    "village_effects",
]
