"""Consensus against the model-run limit (授信额度确认): reconcile, measure agreement, explain gaps.

Step 4 of the programme (``DOMAIN.md``): the bank's batch model produces a model limit per
household; the bank compares it with the panel's consensus limit, investigates the gaps
(查找差额原因) and fixes a final limit. :func:`compare_limits` applies the reconciliation policy
of ``params["reconciliation"]``; :func:`agreement_summary` gives the method-comparison statistics;
:func:`gap_drivers` explains the log ratio; :func:`investigation_list` lists what to investigate.

Modules: ``limits`` (reconciliation policy, :func:`compare_limits`, :func:`investigation_list`),
``agreement`` (:func:`agreement_summary`: Bland-Altman, CCC, Deming, kappa), ``passing_bablok``,
``drivers`` (:func:`gap_drivers`; its wild cluster bootstrap is :mod:`calib._stats`'s), ``exposure``
(:func:`exposure_by_group`, :func:`limit_bridge`, :func:`compare_rules`), ``grants``
(:func:`grant_crosstab`, :func:`set_apart_counts`, :func:`declined_counts`: grant against decline,
the households set apart from the comparison, and the declined households as report 02 counts
them), ``features`` (:func:`household_features`), ``plots``.

The panel and the model are compared on the households both could grant: both limits present and
an eligible member (the grant classes :data:`COMPARED`). :func:`apply_eligibility` sets the
households with no eligible member apart (grant class and reason ``ineligible``, final limit 0);
:func:`set_apart_counts` counts them with those missing a limit, so that nothing leaves the
comparison uncounted.
"""
from __future__ import annotations

from calib.compare.agreement import agreement_summary, deming_slope
from calib.compare.drivers import DIRECTIONS, GapDrivers, direction_counts, gap_drivers
from calib.compare.exposure import CAUSES, bridge_totals, compare_rules, exposure_by_group, limit_bridge
from calib.compare.features import household_features
from calib.compare.grants import declined_counts, grant_crosstab, set_apart_counts
from calib.compare.passing_bablok import PassingBablok, passing_bablok
from calib.compare.limits import (COMPARED, DEFAULT_POLICY, REASONS, apply_eligibility, compare_limits,
                                  investigation_list, latest_runs)

__all__ = [
    "compare_limits",
    "apply_eligibility",
    "agreement_summary",
    "gap_drivers",
    "investigation_list",
    "exposure_by_group",
    "compare_rules",
    "limit_bridge",
    "bridge_totals",
    "grant_crosstab",
    "declined_counts",
    "set_apart_counts",
    "COMPARED",
    "direction_counts",
    "DIRECTIONS",
    "CAUSES",
    "household_features",
    "GapDrivers",
    "latest_runs",
    "deming_slope",
    "DEFAULT_POLICY",
    "REASONS",
    "passing_bablok",
    "PassingBablok",
]
