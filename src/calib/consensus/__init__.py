"""Peer-review consensus (公议授信额度): consensus limits, reviewer leniency and agreement.

Step 2 of the programme (``DOMAIN.md``): every panel member of a village proposes a limit for each
household, back to back; the bank turns these into one fair consensus limit per household, checks
the reviewers for leniency, severity and partiality, and measures how well the panel agrees.

All functions take the ``reviews`` table of the data contract (``household_id, reviewer_id,
proposed_limit, village`` are needed; ``township`` is used when present). Amounts are yuan and a
proposed limit of 0 is a **decline**: declines are counted, never logged.

The default consensus (``method="adjusted"``) fits, on the log scale, the crossed model
``log(proposed_limit) = household + reviewer + error`` by robust (Huber) iteratively reweighted
backfitting, vectorised with :func:`numpy.bincount` over all villages at once, but with every
quantity computed within each connected component of the household-reviewer graph (in practice one
per village panel): reviewer leniency is only comparable inside such a component.

Modules, in the order of the data flow: ``design`` (integer codes, checks), ``graph`` (connected
components, :func:`review_components`, :func:`identifiability`), ``groups`` (exact per-group
medians), ``fit`` (the crossed fit and its standard errors), ``newton`` (the fit's fixed point by
semismooth Newton on dense per-component blocks), ``limits`` (:func:`consensus_limits`),
``reviewers`` (:func:`reviewer_effects`, :func:`flagged_reviewers`), ``agreement`` (ICC,
Krippendorff's alpha, Kendall's W), ``tables`` (status counts, shifts), ``plots``.
"""
from __future__ import annotations

from calib.consensus.agreement import ALPHA_GRID, agreement, krippendorff_alpha_ratio
from calib.consensus.graph import MIN_COMPONENT_DF, MIN_COMPONENT_RATERS, identifiability, review_components
from calib.consensus.limits import DECLINE_RULES, METHODS, consensus_limits
from calib.consensus.reviewers import PARTIALITY_FDR, flagged_reviewers, refresh_flags, reviewer_effects
from calib.consensus.tables import SHIFT_THRESHOLD, consensus_shift, status_counts

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
    "MIN_COMPONENT_RATERS",
    "PARTIALITY_FDR",
    "SHIFT_THRESHOLD",
    "ALPHA_GRID",
    "refresh_flags",
]
