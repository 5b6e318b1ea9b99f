"""Monitoring over time: the scorecard's discrimination and stability, grade calibration, the
consensus-model gap, investigations and certified villages across the recorded runs, each
with a traffic light (issue 16, item 4).

Modules, in the order of the data flow: ``history`` (reading the run history that ``calib
run`` writes, one row per as-of date), ``stability`` (PSI, CSI), ``rules`` (the params block
``monitoring``: thresholds and base run), ``trends`` (indicators and lights), ``backfill``
(recording the sample's earlier quarterly evaluations from generated snapshots), ``display``
(tables, plots and conclusions, in the run's language).
"""
from calib.monitoring.backfill import DEFAULT_NOTEBOOKS, backfill
from calib.monitoring.display import (
    INDICATOR_LABELS,
    conclusions,
    latest_lights,
    light_display,
    light_table,
    plot_trends,
    rules_table,
    style_lights,
)
from calib.monitoring.figures import (
    CHARACTERISTIC_EDGES,
    current_score_edges,
    distribution,
    distributions,
    grade_confidence,
    grade_figures,
    score_edges,
)
from calib.monitoring.history import BACKFILL_NOTEBOOK, COLUMNS, read_history, run_figures
from calib.monitoring.rules import INDICATORS, Light, MonitoringRules, validate_monitoring
from calib.monitoring.stability import csi, psi
from calib.monitoring.trends import (
    SOURCES,
    grade_calibration_table,
    headline,
    indicators,
    light,
    points_table,
)

__all__ = [
    "BACKFILL_NOTEBOOK", "COLUMNS", "conclusions", "latest_lights", "light_display", "DEFAULT_NOTEBOOKS", "INDICATORS", "INDICATOR_LABELS",
    "CHARACTERISTIC_EDGES", "SOURCES", "Light", "MonitoringRules", "backfill", "csi",
    "current_score_edges", "distribution", "distributions",
    "grade_calibration_table", "grade_confidence", "grade_figures", "score_edges",
    "headline", "indicators", "light", "light_table", "plot_trends", "points_table", "psi",
    "read_history", "rules_table", "run_figures",
    "style_lights", "validate_monitoring",
]
