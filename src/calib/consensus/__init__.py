"""Peer-review consensus (公议授信额度): consensus limits, reviewer leniency and agreement.

Step 2 of the programme (``DOMAIN.md``): every panel member of a village proposes a limit for each
household, back to back; the bank turns these into one fair consensus limit per household, checks
the reviewers for leniency, severity and partiality, and measures how well the panel agrees.

All functions take the ``reviews`` table of the data contract (``household_id, reviewer_id,
proposed_limit, village`` are needed; ``township`` is used when present). Amounts are yuan and a
proposed limit of 0 is a **decline**: declines are counted, never logged.

The default consensus (``method="adjusted"``) fits, on the log scale and over all villages at once,
the crossed model ``log(proposed_limit) = household + reviewer + error`` with reviewer effects
centred inside each village, by robust (Huber) iteratively reweighted backfitting. It is vectorised
with :func:`numpy.bincount` and handles millions of households in seconds.
"""
from __future__ import annotations

from calib.consensus.agreement import agreement, krippendorff_alpha_ratio
from calib.consensus.graph import MIN_COMPONENT_DF, identifiability, review_components
from calib.consensus.limits import DECLINE_RULES, METHODS, consensus_limits
from calib.consensus.reviewers import flagged_reviewers, reviewer_effects
from calib.consensus.tables import consensus_shift, status_counts

__all__ = [
    "consensus_limits",
    "reviewer_effects",
    "agreement",
    "krippendorff_alpha_ratio",
    "consensus_shift",
    "status_counts",
    "flagged_reviewers",
    "METHODS",
    "DECLINE_RULES",
    "review_components",
    "identifiability",
    "MIN_COMPONENT_DF",
]
