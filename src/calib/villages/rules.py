"""Rules and thresholds of credit villages, townships and targets (params blocks).

The pydantic models :class:`VillageRules`, :class:`TownshipRules` and :class:`Targets` are
composed by ``calib.params``; the ``validate_*`` functions return the blocks as plain dicts.
"""
from __future__ import annotations

import datetime
import operator
from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from calib.eligibility import EligibilityRules
from calib.errors import CalibParamsError

__all__ = [
    "VILLAGE_CRITERIA", "QUALITATIVE_CRITERIA", "TOWNSHIP_CRITERIA",
    "Threshold", "Relative", "VillageRules", "TownshipRules", "Milestone", "Targets",
    "validate_village_rules", "validate_township_rules", "validate_targets",
    "validate_eligibility", "rule_pct", "NPL_CRITERIA", "figure_digits",
]

#: Quantitative credit-village criteria, in report order.
VILLAGE_CRITERIA: tuple[str, ...] = (
    "a_or_better_share",
    "profiling_rate",
    "credit_rate",
    "npl_ratio",
    "loan_share_vs_county",
    "npl_vs_county",
)
#: Qualitative credit-village criteria (from the ``village_assessments`` table).
QUALITATIVE_CRITERIA: tuple[str, ...] = ("collective_finances", "governance", "no_disputes")
#: Credit-township criteria.
TOWNSHIP_CRITERIA: tuple[str, ...] = ("credit_village_share", "npl_vs_county")

OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_Op = Literal[">", ">=", "<", "<="]

# criterion -> (numerator column, denominator column). Money in cents.
RATIO = {
    "a_or_better_share": ("n_a_or_better", "n_households"),
    "profiling_rate": ("n_profiled", "n_eligible"),
    "credit_rate": ("n_credited", "n_profiled"),
    "npl_ratio": ("_defaulted_cents", "_balance_cents"),
    "loan_share_vs_county": ("n_borrowers", "n_households"),
    "npl_vs_county": ("_defaulted_cents", "_balance_cents"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Threshold(_Strict):
    """A fixed threshold: ``figure op value``."""

    op: _Op
    value: float = Field(ge=0, le=1)


class Relative(_Strict):
    """A county-relative criterion; ``value`` fixes the county figure (None: the programme)."""

    op: _Op
    # ``calib.params.Criterion`` always carries ``value`` (None for the county-relative
    # criteria); a number here fixes the county figure, like ``county_*``.
    value: float | None = Field(default=None, ge=0, le=1)


class VillageRules(_Strict):
    """The ``credit_village`` block (seed 003: 55% A or better and the "952" standard)."""

    a_or_better_share: Threshold = Threshold(op=">", value=0.55)
    profiling_rate: Threshold = Threshold(op=">=", value=0.90)
    credit_rate: Threshold = Threshold(op=">=", value=0.50)
    npl_ratio: Threshold = Threshold(op="<=", value=0.02)
    loan_share_vs_county: Relative = Relative(op=">")
    npl_vs_county: Relative = Relative(op="<")
    county_loan_share: float | None = Field(default=None, ge=0, le=1)
    county_npl_ratio: float | None = Field(default=None, ge=0, le=1)


class TownshipRules(_Strict):
    """The ``credit_township`` block (credit villages above 75%, NPL below the county)."""

    credit_village_share: Threshold = Threshold(op=">", value=0.75)
    npl_vs_county: Relative = Relative(op="<")
    county_npl_ratio: float | None = Field(default=None, ge=0, le=1)


class Milestone(_Strict):
    """A dated milestone of the programme (seed 001)."""

    date: datetime.date
    villages: int | None = Field(default=None, ge=0)
    credit_coverage: float | None = Field(default=None, ge=0, le=1)
    usage: float | None = Field(default=None, ge=0, le=1)


class Targets(_Strict):
    """The ``targets`` block: final coverage and usage, milestones."""

    credit_coverage_final: float | None = Field(default=0.80, ge=0, le=1)
    usage_final: float | None = Field(default=0.30, ge=0, le=1)
    village_profiled_at: float = Field(default=0.90, ge=0, le=1)
    milestones: list[Milestone] = []


def _validate(model: type[BaseModel], data: Any, block: str) -> BaseModel:
    if data is None:
        return model()
    if isinstance(data, BaseModel):
        data = data.model_dump()
    if not isinstance(data, Mapping):
        raise CalibParamsError(f"{block}: expected a mapping, got {type(data).__name__}")
    try:
        return model(**dict(data))
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in (block, *err["loc"]))
            msgs.append(f"{loc}: {err['msg']} (got {err.get('input')!r})")
        raise CalibParamsError("; ".join(msgs)) from None


def _sync_county(out: dict[str, Any], crit: str, key: str, block: str) -> None:
    """Make ``out[crit]["value"]`` and ``out[key]`` the same county figure (or both None)."""
    a, b = out[crit].get("value"), out[key]
    if a is not None and b is not None and float(a) != float(b):
        raise CalibParamsError(
            f"{block}.{crit}.value: {a!r} contradicts {block}.{key} {b!r} (give one of them)"
        )
    fixed = a if a is not None else b
    out[crit]["value"] = fixed
    out[key] = fixed


def validate_village_rules(rules: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the ``credit_village`` block of params (``None``: the defaults of DOMAIN.md).

    Raises
    ------
    CalibParamsError
        Naming the bad key, e.g. ``credit_village.profiling_rate.op``.
    """
    out = _validate(VillageRules, rules, "credit_village").model_dump()
    _sync_county(out, "loan_share_vs_county", "county_loan_share", "credit_village")
    _sync_county(out, "npl_vs_county", "county_npl_ratio", "credit_village")
    return out


def validate_township_rules(rules: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the ``credit_township`` block (``county_npl_ratio`` is an optional extra key).

    The county NPL may also be fixed as ``npl_vs_county.value`` (the shape
    ``calib.params.Params.block("credit_township")`` gives).
    """
    out = _validate(TownshipRules, rules, "credit_township").model_dump()
    _sync_county(out, "npl_vs_county", "county_npl_ratio", "credit_township")
    return out


def validate_targets(targets: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the ``targets`` block; milestones are returned sorted by date."""
    out = _validate(Targets, targets, "targets").model_dump()
    for m in out["milestones"]:
        m["date"] = pd.Timestamp(m["date"])
    out["milestones"] = sorted(out["milestones"], key=lambda m: m["date"])
    return out


def validate_eligibility(eligibility: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the ``eligibility`` block."""
    return _validate(EligibilityRules, eligibility, "eligibility").model_dump()


#: Criteria whose figure is an NPL ratio: the pages give these with two decimals (2.78%), as
#: the figures table does, and other shares with one.
NPL_CRITERIA: tuple[str, ...] = ("npl_ratio", "npl_vs_county")


def figure_digits(criterion: str) -> int:
    """Decimals of a criterion's measured figure (and of a county figure it is compared with)
    wherever it is written: two for an NPL ratio (:data:`NPL_CRITERIA`), one for other shares."""
    return 2 if criterion in NPL_CRITERIA else 1


def rule_pct(x: float) -> str:
    """A threshold of the parameters as the pages write it: ``70%``, ``72.5%`` (a measured
    figure keeps its one decimal, ``70.0%``). The one rule: the report layer's
    :func:`calib.report.words.share_words` is this."""
    if x is None or x != x:
        return "—"
    return f"{x:.0%}" if round(x * 100, 6) == round(x * 100) else f"{x:.1%}"
