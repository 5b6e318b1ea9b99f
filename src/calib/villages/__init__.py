"""Credit villages (信用村), credit townships (信用乡镇) and programme targets.

Figures per village, township and programme (:func:`programme_kpis`), verdicts criterion by
criterion with the figure, the threshold and the verdict side by side
(:func:`certify_villages`, :func:`certify_townships`), what each village still lacks
(:func:`nearest_to_certification`), progress against the dated milestones
(:func:`target_progress`) and the report's conclusions (:func:`conclusions`). Rules and
thresholds come from ``params`` (blocks ``eligibility``, ``credit_village``,
``credit_township``, ``targets``); see ``DOMAIN.md`` for their origin (seed 001 targets, seed
003 credit-village and credit-township rules).

Modules, in the order of the data flow: ``rules`` (params models and validation), ``_exact``
(integer arithmetic of verdicts), ``status`` (household standing and figures), ``certify``
(verdicts), ``lacks`` (what each village lacks), ``targets`` (milestones, headline figures),
``counts`` (why two counts differ), ``conclusions`` (the report's decisions), ``display``
(tables, Styler, plots).

Exactness
---------
Every rate is a ratio of integer counts (households, persons, loans) or of amounts in integer
cents. Verdicts never compare floating-point rates: a rule ``a / n  op  p / q`` (threshold
``p / q`` read exactly from its decimal text, e.g. ``0.55`` -> ``11/20``) is decided as
``a * q  op  p * n`` in arbitrary-precision Python integers, so boundary cases follow the rule
exactly (55.0% is not above 55%; 90.0% is at least 90%). A criterion whose denominator is zero
has no figure (NaN) and **fails** with the reason ``no data``.
"""
from calib.villages._exact import exact_verdicts
from calib.villages.certify import certify_townships, certify_villages, criteria_table, programme_verdicts
from calib.villages.conclusions import conclusions
from calib.villages.counts import (
    household_counts,
    village_counts,
    village_counts_line,
    white_list_line,
)
from calib.villages.display import (
    UNIT_COLUMNS,
    kpi_figures,
    kpi_table,
    lack_columns,
    plot_target_progress,
    plot_verdict_table,
    style_verdicts,
    target_table,
    township_targets,
    unit_columns,
    verdict_counts,
    verdict_grid,
)
from calib.villages.lacks import nearest_to_certification
from calib.villages.rules import (
    QUALITATIVE_CRITERIA,
    TOWNSHIP_CRITERIA,
    VILLAGE_CRITERIA,
    Milestone,
    Relative,
    Targets,
    Threshold,
    TownshipRules,
    VillageRules,
    validate_eligibility,
    validate_targets,
    validate_township_rules,
    validate_village_rules,
)
from calib.villages.status import household_status, kpi_history, programme_kpis
from calib.villages.targets import (
    data_period,
    final_targets_met,
    headline_metrics,
    profiled_villages,
    target_progress,
)

__all__ = [
    "GRADES",
    "A_OR_BETTER",
    "VILLAGE_CRITERIA",
    "QUALITATIVE_CRITERIA",
    "TOWNSHIP_CRITERIA",
    "Threshold",
    "Relative",
    "VillageRules",
    "TownshipRules",
    "Milestone",
    "Targets",
    "validate_village_rules",
    "validate_township_rules",
    "validate_targets",
    "validate_eligibility",
    "household_status",
    "programme_kpis",
    "kpi_history",
    "criteria_table",
    "certify_villages",
    "certify_townships",
    "programme_verdicts",
    "exact_verdicts",
    "nearest_to_certification",
    "target_progress",
    "final_targets_met",
    "data_period",
    "profiled_villages",
    "headline_metrics",
    "conclusions",
    "household_counts",
    "white_list_line",
    "village_counts",
    "village_counts_line",
    "kpi_figures",
    "kpi_table",
    "UNIT_COLUMNS",
    "unit_columns",
    "lack_columns",
    "verdict_counts",
    "township_targets",
    "target_table",
    "verdict_grid",
    "style_verdicts",
    "plot_verdict_table",
    "plot_target_progress",
]


def __getattr__(name: str):
    """``GRADES`` and ``A_OR_BETTER`` are :mod:`calib.scorecard.grades`'s (one definition),
    re-exported lazily: ``calib.params`` imports this package and must not load the scorecard."""
    if name in ("GRADES", "A_OR_BETTER"):
        from calib.scorecard import grades

        return getattr(grades, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
