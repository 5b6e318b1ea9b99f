"""The in-memory programme (one DataFrame per table of the data contract) and who is eligible.

Modules: ``programme`` (:class:`Programme`, the table names), ``eligibility`` (the 18-65 rule
and the exclusions, per person and household).
"""
from __future__ import annotations

from calib.programme.eligibility import (DEFAULT_EXCLUDE_STATUS, EligibilityRules,
                                         eligible_households, person_eligibility)
from calib.programme.programme import REQUIRED_TABLES, TABLES, Programme

__all__ = [
    "Programme",
    "TABLES",
    "REQUIRED_TABLES",
    "EligibilityRules",
    "person_eligibility",
    "eligible_households",
    "DEFAULT_EXCLUDE_STATUS",
]
