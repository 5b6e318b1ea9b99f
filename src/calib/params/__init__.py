"""Parameter files (``params/*.yaml``): the schema (:mod:`calib.params.schema`, composing the
blocks each analysis module owns) and loading, overrides and validation
(:mod:`calib.params.load`). See ``params/sample.yaml`` for every key."""
from __future__ import annotations

from calib.params.load import (ROOT_ENV, apply_overrides, format_error, load, parse_overrides,
                               project_root, read_mapping, to_yaml, validate)
from calib.params.schema import (AS_OF_RANGE, Band, Consensus, MonitoringRules, Params, PointsLoan,
                                 Reconciliation, Schedule, Scorecard, is_url, relative_to_root)

__all__ = ["Params", "load", "read_mapping", "validate", "parse_overrides", "apply_overrides", "project_root",
           "to_yaml", "format_error", "relative_to_root", "is_url", "ROOT_ENV", "AS_OF_RANGE",
           "Consensus", "Reconciliation", "Scorecard", "Band", "Schedule", "PointsLoan", "MonitoringRules"]
