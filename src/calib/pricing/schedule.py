"""The points discount schedule and the ``points_loan`` parameter block (one schema, owned here).

:class:`Schedule` and :class:`Band` are the ``points_loan.schedule`` block; :class:`PointsLoan`
is the whole ``points_loan`` block (schedule, LGD, costs, subsidy budget, uptake, band width,
bootstrap size). ``calib.params`` composes these models; every pricing function validates
through them, so a value means the same thing in a parameter file and in a notebook call.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from calib.errors import CalibInputError, CalibParamsError

__all__ = [
    "Band",
    "Schedule",
    "STEP_FIELDS",
    "PointsLoan",
    "load_schedule",
    "load_points_loan",
    "discount_for_points",
    "rate_for_points",
]


def _fraction(name: str, v: float | None) -> float | None:
    if v is None:
        return v
    if not np.isfinite(v) or v < 0 or v >= 1:
        raise ValueError(
            f"{name} must be a fraction in [0, 1) (write 0.05 for 5%), got {v!r}"
        )
    return float(v)


class Band(BaseModel):
    """One tier of a banded schedule: households with at least ``points`` get ``discount``."""

    model_config = ConfigDict(extra="forbid")

    points: float = Field(description="threshold: the band starts at this many points (>= 0)")
    discount: float = Field(description="rate discount as a fraction (0.002 = 0.2 pp)")

    @field_validator("points")
    @classmethod
    def _points_ok(cls, v: float) -> float:
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"points (band threshold) must be >= 0, got {v!r}")
        return v

    @field_validator("discount")
    @classmethod
    def _discount_ok(cls, v: float) -> float:
        return _fraction("discount", v)  # type: ignore[return-value]


def _check_bands(bands: list[Band]) -> None:
    if len(bands) == 0:
        raise ValueError("bands must be null or a non-empty list")
    th = np.array([b.points for b in bands])
    dc = np.array([b.discount for b in bands])
    for arr, ok, what in ((th, np.diff(th) > 0, "thresholds must be strictly increasing"),
                          (dc, np.diff(dc) >= 0, "discounts must be non-decreasing")):
        bad = np.flatnonzero(~ok)
        if bad.size:
            i = int(bad[0]) + 1
            field_ = "points" if arr is th else "discount"
            raise ValueError(
                f"bands {what}: bands[{i}].{field_} = {arr[i]} after {arr[i - 1]}"
            )


#: The fields of a step schedule that its ``bands`` replace when given (``max_discount`` and
#: ``floor_rate`` still apply): left out of a banded schedule's parameter block
#: (:meth:`Schedule.block`), read as unused in the parameter table (``calib.report._params``).
STEP_FIELDS = ("step_points", "step_discount", "proportional")


class Schedule(BaseModel):
    """A points discount schedule (the ``points_loan.schedule`` parameter block).

    Defaults are the reference schedule of seed 004 (Guanghan): 5% at 0 points, 0.1 percentage
    point off per 100 points, in proportion.

    Attributes
    ----------
    base_rate : float
        Rate at 0 points, a fraction in [0, 1) (0.05 = 5%).
    step_points : float
        Points per step (> 0); 100 in the reference schedule.
    step_discount : float
        Discount per step, a fraction (0.001 = 0.1 percentage point).
    proportional : bool
        ``True``: the discount is continuous (583 points = 5.83 steps); ``False``: whole steps
        only (583 points = 5 steps).
    max_discount : float or None
        Cap on the discount (fraction), ``None`` for no cap.
    floor_rate : float or None
        Lowest rate the schedule may give (fraction, <= base_rate), ``None`` for none.
    bands : list of Band or None
        Tiered schedule: thresholds strictly increasing, discounts non-decreasing. When given,
        the bands replace ``step_points``/``step_discount``/``proportional``; a household below
        the first threshold gets no discount. ``max_discount`` and ``floor_rate`` still apply.

    Examples
    --------
    >>> s = Schedule.model_validate({"base_rate": 0.05, "step_points": 100,
    ...                              "step_discount": 0.001, "proportional": True})
    >>> float(rate_for_points(583, s))
    0.04417
    """

    model_config = ConfigDict(extra="forbid")

    base_rate: float = 0.05
    step_points: float = 100.0
    step_discount: float = 0.001
    proportional: bool = True
    max_discount: float | None = None
    floor_rate: float | None = None
    bands: list[Band] | None = None

    @field_validator("base_rate", "step_discount", "max_discount", "floor_rate")
    @classmethod
    def _rates(cls, v: float | None, info: Any) -> float | None:
        return _fraction(info.field_name, v)

    @field_validator("step_points")
    @classmethod
    def _step(cls, v: float) -> float:
        if not np.isfinite(v) or v <= 0:
            raise ValueError(f"step_points must be > 0, got {v!r}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Schedule:
        if self.floor_rate is not None and self.floor_rate > self.base_rate:
            raise ValueError(
                f"floor_rate ({self.floor_rate}) must not exceed base_rate ({self.base_rate})"
            )
        if self.bands is not None:
            _check_bands(self.bands)
        return self

    def block(self) -> dict[str, Any]:
        """The schedule as a ``points_loan.schedule`` parameter block, ready for a parameter file.

        A step schedule gives every field; a banded one leaves out ``step_points``,
        ``step_discount`` and ``proportional`` (its bands replace them: written beside the bands
        they would read as if they applied) and writes whole thresholds as integers.

        Examples
        --------
        >>> Schedule(bands=[{"points": 200, "discount": 0.001}]).block()
        {'base_rate': 0.05, 'max_discount': None, 'floor_rate': None, 'bands': [{'points': 200, 'discount': 0.001}]}
        """
        out = self.model_dump()
        if self.bands is None:
            return out
        for k in STEP_FIELDS:
            del out[k]
        out["bands"] = [{"points": int(b["points"]) if float(b["points"]).is_integer() else b["points"],
                         "discount": b["discount"]} for b in out["bands"]]
        return out

    def per_100(self) -> float:
        """Discount per 100 points of a step schedule (NaN for a banded one)."""
        if self.bands is not None:
            return float("nan")
        return self.step_discount * 100.0 / self.step_points


class PointsLoan(BaseModel):
    """The ``points_loan`` parameter block: schedule, risk and cost terms, budget.

    Attributes
    ----------
    schedule : Schedule
        The schedule in force.
    lgd : float
        Loss given default, in (0, 1].
    funding_cost, operating_cost : float
        Annual funding (FTP) and operating cost as fractions of the balance, in [0, 1).
    subsidy_budget : float
        Yuan per year the bank accepts to spend on discounts the risk does not justify (>= 0).
    uptake_elasticity : float
        Relative change in drawn balance per percentage point of rate cut (>= 0).
    band_width : float
        Points per band in the evaluation tables (> 0).
    n_boot : int
        Bootstrap replicates of the discount's interval (0-100,000).
    """

    model_config = ConfigDict(extra="forbid")

    schedule: Schedule = Schedule()
    lgd: float = Field(0.45, gt=0, le=1)
    funding_cost: float = Field(0.022, ge=0, lt=1)
    operating_cost: float = Field(0.012, ge=0, lt=1)
    subsidy_budget: float = Field(200_000, ge=0)
    uptake_elasticity: float = Field(0.0, ge=0)
    band_width: float = Field(100, gt=0)
    n_boot: int = Field(200, ge=0, le=100_000)


def _validate(model: type[BaseModel], block: Any, key: str) -> Any:
    if type(block) is model:  # a subclass (the params file's strict block) becomes the model itself
        return block
    if isinstance(block, BaseModel):
        block = block.model_dump(mode="python")
    if not isinstance(block, Mapping):
        raise CalibParamsError(f"{key} must be a mapping, got {type(block).__name__}")
    try:
        return model.model_validate(dict(block))
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in (key, *err["loc"]))
            msg = err["msg"].removeprefix("Value error, ")
            msgs.append(f"{loc}: {msg} (value {err.get('input')!r})")
        raise CalibParamsError("; ".join(msgs)) from None


def load_schedule(block: Mapping | BaseModel, *, key: str = "points_loan.schedule") -> Schedule:
    """Validate a schedule parameter block, raising :class:`CalibParamsError` naming the key.

    Parameters
    ----------
    block : mapping, Schedule or pydantic model
        The ``points_loan.schedule`` mapping of the parameter file, e.g.
        ``P.block("points_loan")["schedule"]``; a pydantic model with the same fields (such as
        ``P.points_loan.schedule``) is dumped and re-validated.
    key : str
        Dotted key used in error messages.

    Returns
    -------
    Schedule

    Examples
    --------
    >>> load_schedule({"base_rate": 0.05, "step_points": 100, "step_discount": 0.001}).base_rate
    0.05
    """
    return _validate(Schedule, block, key)


def load_points_loan(block: Mapping | BaseModel, *, key: str = "points_loan") -> PointsLoan:
    """Validate a whole ``points_loan`` block (see :class:`PointsLoan`), errors naming the key.

    Examples
    --------
    >>> load_points_loan({"lgd": 0.4}).schedule.step_discount
    0.001
    """
    return _validate(PointsLoan, block, key)


def _as_points_array(points: Any) -> np.ndarray:
    arr = np.asarray(points, dtype=float)
    if np.any(arr[np.isfinite(arr)] < 0):
        raise CalibInputError(f"points must be >= 0, got min {np.nanmin(arr)}")
    return arr


def _wrap(values: np.ndarray, like: Any, name: str) -> Any:
    if isinstance(like, pd.Series):
        return pd.Series(values, index=like.index, name=name)
    if np.ndim(like) == 0:
        return np.float64(values)
    return values


def discount_for_points(points: Any, schedule: Schedule | Mapping) -> Any:
    """Discount (fraction) the schedule gives for ``points``, after the cap and the floor.

    Same conventions as :func:`rate_for_points`; ``discount = base_rate - rate``.
    """
    s = load_schedule(schedule)
    p = _as_points_array(points)
    if s.bands is not None:
        th = np.array([b.points for b in s.bands])
        dc = np.concatenate([[0.0], [b.discount for b in s.bands]])
        d = dc[np.searchsorted(th, np.nan_to_num(p, nan=-1.0), side="right")]
    else:
        units = p / s.step_points
        if not s.proportional:
            # whole steps; a tiny tolerance so that 300 points is 3 steps despite rounding
            units = np.floor(units + 1e-9)
        d = units * s.step_discount
    if s.max_discount is not None:
        d = np.minimum(d, s.max_discount)
    lowest = s.floor_rate if s.floor_rate is not None else 0.0
    d = np.minimum(d, s.base_rate - lowest)
    d = np.round(d, 12)
    d = np.where(np.isnan(p), np.nan, d)
    return _wrap(d, points, "discount")


def rate_for_points(points: Any, schedule: Schedule | Mapping) -> Any:
    """Interest rate (fraction) for households with ``points`` under ``schedule``.

    Parameters
    ----------
    points : scalar, array-like or pandas.Series
        Points (>= 0). NaN gives NaN.
    schedule : Schedule or dict
        The schedule (a dict is validated first).

    Returns
    -------
    numpy.ndarray, numpy.float64 or pandas.Series
        A Series (same index, name ``rate``) for a Series input, a scalar for a scalar, else an
        array. ``rate = base_rate - discount``; the discount is ``points / step_points *
        step_discount`` (whole steps when ``proportional`` is false) or the discount of the
        highest band reached; it is capped by ``max_discount`` and the rate never goes below
        ``floor_rate`` (nor below 0). Rates are rounded to 12 decimals.

    Examples
    --------
    >>> s = {"base_rate": 0.05, "step_points": 100, "step_discount": 0.001}
    >>> rate_for_points([0, 583], s)
    array([0.05   , 0.04417])
    >>> float(rate_for_points(583, {**s, "proportional": False}))
    0.045
    """
    s = load_schedule(schedule)
    d = np.asarray(discount_for_points(np.asarray(points, dtype=float), s), dtype=float)
    r = np.round(s.base_rate - d, 12)
    return _wrap(r, points, "rate")


def _is_block(obj: Any) -> bool:
    """A whole ``points_loan`` block (has a ``schedule``) rather than a schedule."""
    if isinstance(obj, PointsLoan):
        return True
    if isinstance(obj, BaseModel):
        return "schedule" in type(obj).model_fields
    return isinstance(obj, Mapping) and "schedule" in obj


def resolve_terms(
    schedule: Any = None,
    terms: Any = None,
    *,
    required: tuple[str, ...] = (),
    **overrides: Any,
) -> PointsLoan:
    """One :class:`PointsLoan` from a block and/or loose keywords (the keywords win).

    Parameters
    ----------
    schedule : Schedule, mapping, PointsLoan or None
        A schedule, or the whole ``points_loan`` block in its place.
    terms : PointsLoan, mapping or None
        The ``points_loan`` block (``P.points_loan`` or ``P.block("points_loan")``).
    required : tuple of str
        Fields that must come from the block or a keyword when no block is given (so that a
        forgotten ``lgd`` is an error, not a silent default).
    **overrides
        Loose keywords (``lgd=``, ``funding_cost=`` ...); ``None`` means "not given".
    """
    if schedule is not None and _is_block(schedule):
        if terms is not None:
            raise CalibParamsError("points_loan: pass the block once (as schedule or terms=)")
        schedule, terms = None, schedule
    given = {k: v for k, v in overrides.items() if v is not None}
    if terms is None:
        missing = [k for k in required if k not in given]
        if schedule is None:
            missing.insert(0, "schedule")
        if missing:
            raise CalibParamsError(
                f"points_loan: {', '.join(missing)} required (pass terms=P.points_loan, "
                f"or the keyword(s))"
            )
        data: dict[str, Any] = {}
    else:
        data = load_points_loan(terms).model_dump(mode="python")
    if schedule is not None:
        data["schedule"] = load_schedule(schedule)
    return load_points_loan({**data, **given})
