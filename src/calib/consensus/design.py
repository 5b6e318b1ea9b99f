"""The review design: integer codes for households, raters (reviewer x village) and villages."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calib._frames import require_columns
from calib.errors import CalibInputError

REQUIRED = ("household_id", "reviewer_id", "proposed_limit", "village")


@dataclass
class Design:
    """Integer-coded reviews; one entry per review unless said otherwise."""

    h: np.ndarray            # household code per review
    r: np.ndarray            # rater code per review (reviewer within village)
    v_h: np.ndarray          # village code per household
    v_r: np.ndarray          # village code per rater
    amount: np.ndarray       # proposed limit per review (yuan)
    households: pd.Index     # household_id per household code
    rater_reviewer: pd.Index  # reviewer_id per rater code
    villages: pd.Index       # village per village code
    township_of_v: pd.Index | None  # township per village code (None when absent)
    keep: np.ndarray         # bool per review: used in the fit (not recused)
    rev: np.ndarray          # reviewer code per review
    reviewers: pd.Index      # reviewer_id per reviewer code

    @property
    def nH(self) -> int:
        return len(self.households)

    @property
    def nR(self) -> int:
        return len(self.rater_reviewer)

    @property
    def nV(self) -> int:
        return len(self.villages)


def check_reviews(reviews: pd.DataFrame) -> None:
    """Raise :class:`CalibInputError` naming the column and row of the first defect of ``reviews``."""
    require_columns(reviews, REQUIRED, "reviews")
    if len(reviews) == 0:
        raise CalibInputError("reviews: the table is empty")
    for col in ("household_id", "reviewer_id", "village"):
        if reviews[col].isna().any():
            i = int(np.flatnonzero(reviews[col].isna().to_numpy())[0])
            raise CalibInputError(f"reviews: column {col!r} is blank in row {reviews.index[i]!r}")
    amt = pd.to_numeric(reviews["proposed_limit"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(amt) | (amt < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CalibInputError(
            f"reviews: column 'proposed_limit' must be a finite amount >= 0; row {reviews.index[i]!r} "
            f"has {reviews['proposed_limit'].iloc[i]!r}"
        )


def relation_mask(d: Design, relations: pd.DataFrame | None,
                  which: Iterable[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per review: (has a registered relation [of the given kinds], relation is 'self')."""
    n = d.h.size
    if relations is None or len(relations) == 0:
        return np.zeros(n, bool), np.zeros(n, bool)
    require_columns(relations, ("reviewer_id", "household_id", "relation"), "relations")
    kind = relations["relation"].astype(str).str.strip().str.lower()
    nrev = len(d.reviewers)
    key = d.h * nrev + d.rev

    def keys(mask: np.ndarray) -> np.ndarray:
        frame = relations[mask]
        a = d.reviewers.get_indexer(frame["reviewer_id"]).astype(np.int64, copy=False)
        b = d.households.get_indexer(frame["household_id"]).astype(np.int64, copy=False)
        ok = (a >= 0) & (b >= 0)
        return np.unique(b[ok] * nrev + a[ok])

    sel = np.ones(len(relations), bool) if which is None else kind.isin([w.lower() for w in which]).to_numpy()
    any_rel = np.isin(key, keys(sel))
    self_rel = np.isin(key, keys((kind == "self").to_numpy()))
    return any_rel, self_rel


def _first_dup_error(reviews: pd.DataFrame, h: np.ndarray, r: np.ndarray, v_r: np.ndarray,
                     nH: int, nV: int) -> None:
    """Raise on the first repeated (reviewer, household) pair.

    A household's raters all sit on its village's panel, so (household, seat of the rater on the
    panel) identifies a pair: a dense count of those keys is cheaper than sorting when panels
    are small.
    """
    if h.size < 2:
        return
    order = np.argsort(v_r, kind="stable")
    P_v = np.bincount(v_r, minlength=nV)
    seat = np.empty(v_r.size, np.int64)
    seat[order] = np.arange(v_r.size) - (np.cumsum(P_v) - P_v)[v_r[order]]
    P = int(P_v.max())
    hr = h * P + seat[r]
    if nH * P <= 4 * h.size + 1_000_000:
        dup = np.bincount(hr, minlength=nH * P).max() > 1
    else:
        dup = (np.diff(np.sort(hr)) == 0).any()
    if dup:
        i = int(np.flatnonzero(pd.Series(hr).duplicated().to_numpy())[0])
        raise CalibInputError(
            f"reviews: reviewer_id {reviews['reviewer_id'].iloc[i]!r} reviewed household_id "
            f"{reviews['household_id'].iloc[i]!r} more than once"
        )


def design(reviews: pd.DataFrame) -> Design:
    """Check ``reviews`` and code it (households in order of appearance, villages sorted)."""
    check_reviews(reviews)
    h, households = pd.factorize(reviews["household_id"], sort=False)
    vcode, villages = pd.factorize(reviews["village"], sort=True)
    rev_code, reviewers = pd.factorize(reviews["reviewer_id"], sort=False)
    h, vcode = h.astype(np.int64, copy=False), vcode.astype(np.int64, copy=False)
    nV = len(villages)
    v_h = np.empty(len(households), np.int64)   # a household belongs to one village
    v_h[h] = vcode
    clash = v_h[h] != vcode
    if clash.any():
        i = int(np.flatnonzero(clash)[0])
        raise CalibInputError(
            f"reviews: household_id {reviews['household_id'].iloc[i]!r} appears in more than one "
            f"village (column 'village')"
        )
    # a rater is a reviewer inside one village (a reviewer on two panels is two raters)
    r, pairs = pd.factorize(rev_code.astype(np.int64, copy=False) * nV + vcode, sort=False)
    r, pairs = r.astype(np.int64, copy=False), np.asarray(pairs)
    _first_dup_error(reviews, h, r, pairs % nV, len(households), nV)
    township_of_v = None
    if "township" in reviews.columns:   # the township of each village's last review
        last = np.empty(nV, np.int64)
        last[vcode] = np.arange(vcode.size)
        township_of_v = pd.Index(reviews["township"].iloc[last].to_numpy(dtype=object))
    return Design(h=h, r=r, v_h=v_h, v_r=pairs % nV,
                  amount=pd.to_numeric(reviews["proposed_limit"]).to_numpy(dtype=float),
                  households=pd.Index(households),
                  rater_reviewer=pd.Index(reviewers).take(pairs // nV), villages=pd.Index(villages),
                  township_of_v=township_of_v, keep=np.ones(len(h), bool),
                  rev=rev_code.astype(np.int64, copy=False), reviewers=pd.Index(reviewers))


def location_frame(d: Design) -> pd.DataFrame:
    """``village`` (and ``township``) per household, index the household codes' ids."""
    out = pd.DataFrame({"village": d.villages.take(d.v_h)}, index=d.households)
    if d.township_of_v is not None:
        out["township"] = d.township_of_v.take(d.v_h)
    return out
