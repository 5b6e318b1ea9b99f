"""Who may be credited: the programme's eligibility rule (seed 003).

A person is eligible when aged ``min_age`` to ``max_age`` (inclusive) at the reference date and
not excluded (走死逃亡: deceased, missing, absconded; a bad credit record). A household is eligible
when at least one member is.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["person_eligibility", "eligible_persons", "eligible_households", "EligibilityRules"]

DEFAULT_EXCLUDE_STATUS: tuple[str, ...] = ("deceased", "missing", "absconded")


class EligibilityRules(BaseModel):
    """The ``eligibility`` block of a parameter file (seed 003: 18 to 65, 走死逃亡, bad record)."""

    model_config = ConfigDict(extra="forbid")
    min_age: int = Field(18, ge=0, le=120)
    max_age: int = Field(65, ge=0, le=120)
    exclude_status: list[Literal["deceased", "missing", "absconded"]] = list(DEFAULT_EXCLUDE_STATUS)
    exclude_bad_record: bool = True

    @model_validator(mode="after")
    def _order(self) -> "EligibilityRules":
        if self.min_age > self.max_age:
            raise ValueError(f"min_age ({self.min_age}) is above max_age ({self.max_age})")
        return self


def _masks(
    roster: pd.DataFrame,
    min_age: int,
    max_age: int,
    exclude_status: Sequence[str],
    exclude_bad_record: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rule as three boolean arrays over the roster: in the age bounds, excluded by status,
    excluded by a bad record (the one definition :func:`person_eligibility` and
    :func:`eligible_persons` share)."""
    age = pd.to_numeric(roster["age"], errors="coerce")
    in_age = age.between(min_age, max_age).fillna(False).to_numpy(dtype=bool)
    if "status" in roster:
        by_status = roster["status"].isin(list(exclude_status)).fillna(False).to_numpy(dtype=bool)
    else:
        by_status = np.zeros(len(roster), dtype=bool)
    if "bad_record" in roster and exclude_bad_record:
        bad = roster["bad_record"].fillna(False).astype(bool).to_numpy(dtype=bool)
    else:
        bad = np.zeros(len(roster), dtype=bool)
    return in_age, by_status, bad


def eligible_persons(
    roster: pd.DataFrame,
    *,
    min_age: int = 18,
    max_age: int = 65,
    exclude_status: Sequence[str] = DEFAULT_EXCLUDE_STATUS,
    exclude_bad_record: bool = True,
) -> np.ndarray:
    """Whether each person of the roster is eligible: a bool array in roster order.

    The column ``eligible`` of :func:`person_eligibility` without the reasons (for figures over
    millions of persons); parameters as there.
    """
    in_age, by_status, bad = _masks(roster, min_age, max_age, exclude_status, exclude_bad_record)
    return in_age & ~(by_status | bad)


def person_eligibility(
    roster: pd.DataFrame,
    *,
    min_age: int = 18,
    max_age: int = 65,
    exclude_status: Sequence[str] = DEFAULT_EXCLUDE_STATUS,
    exclude_bad_record: bool = True,
) -> pd.DataFrame:
    """Eligibility of every person of the roster.

    Parameters
    ----------
    roster : pandas.DataFrame
        The loaded roster: ``household_id``, ``township``, ``village``, ``age`` (whole years at
        the reference date), optional ``status`` and ``bad_record``.
    min_age, max_age : int
        Inclusive age bounds (18 and 65 in seed 003).
    exclude_status : sequence of str
        Status values that exclude a person.
    exclude_bad_record : bool
        Whether a bad credit record excludes a person.

    Returns
    -------
    pandas.DataFrame
        Same index as ``roster``; columns ``household_id``, ``township``, ``village``,
        ``in_age`` (bool), ``excluded`` (bool), ``exclusion`` (text: ``age``, the status, or
        ``bad_record``; empty when eligible), ``eligible`` (bool).
    """
    in_age_a, by_status_a, bad_a = _masks(roster, min_age, max_age, exclude_status,
                                          exclude_bad_record)
    in_age = pd.Series(in_age_a, index=roster.index)
    by_status = pd.Series(by_status_a, index=roster.index)
    bad = pd.Series(bad_a, index=roster.index)
    status = (
        roster["status"].astype("string").fillna("alive")
        if "status" in roster
        else pd.Series("alive", index=roster.index, dtype="string")
    )
    excluded = by_status | bad
    reason = np.select(
        [by_status.to_numpy(), bad.to_numpy(), ~in_age.to_numpy()],
        [status.astype(object).to_numpy(), "bad_record", "age"],
        default="",
    )
    return pd.DataFrame(
        {
            "household_id": roster["household_id"],
            "township": roster["township"],
            "village": roster["village"],
            "in_age": in_age,
            "excluded": excluded,
            "exclusion": reason,
            "eligible": in_age & ~excluded,
        },
        index=roster.index,
    )


def eligible_households(
    roster: pd.DataFrame,
    *,
    min_age: int = 18,
    max_age: int = 65,
    exclude_status: Sequence[str] = DEFAULT_EXCLUDE_STATUS,
    exclude_bad_record: bool = True,
) -> pd.DataFrame:
    """Eligibility of every household: eligible when at least one member is.

    Parameters
    ----------
    roster : pandas.DataFrame
        See :func:`person_eligibility`.
    min_age, max_age, exclude_status, exclude_bad_record
        See :func:`person_eligibility`.

    Returns
    -------
    pandas.DataFrame
        Index ``household_id`` (sorted); columns ``township``, ``village``, ``n_members``,
        ``n_eligible_members``, ``n_excluded_members``, ``eligible`` (bool).

    Examples
    --------
    >>> import pandas as pd
    >>> ro = pd.DataFrame({"household_id": ["h1", "h1", "h2"], "township": "t",
    ...                    "village": "v", "age": [70, 40, 80]})
    >>> eligible_households(ro)["eligible"].tolist()
    [True, False]
    """
    p = person_eligibility(
        roster,
        min_age=min_age,
        max_age=max_age,
        exclude_status=exclude_status,
        exclude_bad_record=exclude_bad_record,
    )
    g = p.groupby("household_id", sort=True)
    out = pd.DataFrame(
        {
            "township": g["township"].first(),
            "village": g["village"].first(),
            "n_members": g.size(),
            "n_eligible_members": g["eligible"].sum().astype(int),
            "n_excluded_members": g["excluded"].sum().astype(int),
        }
    )
    out["eligible"] = out["n_eligible_members"] > 0
    out.index.name = "household_id"
    return out
