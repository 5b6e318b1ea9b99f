"""The review design: integer codes for households, raters (reviewer x village) and villages."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from calib._frames import require_columns
from calib.errors import CalibInputError

REQUIRED = ("household_id", "reviewer_id", "proposed_limit", "village")
#: Household x seat tables up to this many cells beyond 4 per review are dense (recusal marks).
DENSE_CELLS = 1_000_000


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
    rater_rev: np.ndarray | None = None  # reviewer code per rater code
    seat: np.ndarray | None = None       # seat of each rater on its village panel (0 .. P - 1)
    n_seats: int = 0                     # largest panel (P)

    @property
    def nH(self) -> int:
        return len(self.households)

    @property
    def nR(self) -> int:
        return len(self.rater_reviewer)

    @property
    def nV(self) -> int:
        return len(self.villages)


def check_reviews(reviews: pd.DataFrame, codes: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Raise :class:`CalibInputError` naming the column and row of the first defect of ``reviews``;
    return the proposed limits as floats (what the check converted: :func:`design` keeps them).

    ``codes`` (optional): the factorized key columns (``pandas.factorize`` codes, -1 for blank),
    so that blanks are found without another pass over the text.
    """
    require_columns(reviews, REQUIRED, "reviews")
    if len(reviews) == 0:
        raise CalibInputError("reviews: the table is empty")
    for col in ("household_id", "reviewer_id", "village"):
        blank = codes[col] < 0 if codes is not None else reviews[col].isna().to_numpy()
        if blank.any():
            i = int(np.flatnonzero(blank)[0])
            raise CalibInputError(f"reviews: column {col!r} is blank in row {reviews.index[i]!r}")
    amt = pd.to_numeric(reviews["proposed_limit"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(amt) | (amt < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CalibInputError(
            f"reviews: column 'proposed_limit' must be a finite amount >= 0; row {reviews.index[i]!r} "
            f"has {reviews['proposed_limit'].iloc[i]!r}"
        )
    return amt


def _codes_in(index: pd.Index, values: pd.Series) -> np.ndarray:
    """``index.get_indexer(values)`` for a large unique ``index`` and fewer ``values``: the hash
    table is built on the distinct values and probed with the index (a table of the millions of
    households misses the cache on every probe)."""
    codes, uniq = pd.factorize(values)
    pos = pd.Index(uniq).get_indexer(index)
    found = pos >= 0
    code_of_uniq = np.full(len(uniq), -1, np.int64)
    code_of_uniq[pos[found]] = np.flatnonzero(found)
    return np.where(codes >= 0, code_of_uniq[np.maximum(codes, 0)], -1)


def factorize_runs(values: pd.Series, *, sort: bool = False) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(values, sort=sort)``, the same codes and uniques, cheaper when equal values
    come in runs (reviews listed household by household, village by village) and the column is
    Arrow-backed text: only the first value of each run is hashed (a hash table of millions of
    households misses the cache on every probe), found by comparing neighbours. Other columns,
    and columns with few runs, are factorized as they are."""
    dt = values.dtype
    if len(values) < 2 or not (getattr(dt, "storage", None) == "pyarrow" or isinstance(dt, pd.ArrowDtype)):
        return pd.factorize(values, sort=sort)
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = values.array.__arrow_array__()
    if not isinstance(arr, pa.ChunkedArray):
        arr = pa.chunked_array([arr])
    n = len(arr)
    new_run = pc.fill_null(pc.not_equal(arr[1:], arr[:-1]), True).to_numpy(zero_copy_only=False)
    start = np.flatnonzero(np.r_[True, new_run])
    if start.size > n // 2:
        return pd.factorize(values, sort=sort)
    codes, uniques = pd.factorize(values.iloc[start], sort=sort)
    return np.repeat(codes, np.diff(np.r_[start, n])), uniques


def relation_mask(d: Design, relations: pd.DataFrame | None,
                  which: Iterable[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per review: (has a registered relation [of the given kinds], relation is 'self')."""
    n = d.h.size
    if relations is None or len(relations) == 0:
        return np.zeros(n, bool), np.zeros(n, bool)
    require_columns(relations, ("reviewer_id", "household_id", "relation"), "relations")
    kind = relations["relation"].astype(str).str.strip().str.lower()
    # A review's rater sits on its household's village panel, so a registered pair (reviewer,
    # household) can only match the reviews of the rater (reviewer, village of the household):
    # the pair is the cell (household, seat of that rater) of a dense household x seat table.
    a = d.reviewers.get_indexer(relations["reviewer_id"]).astype(np.int64, copy=False)
    b = _codes_in(d.households, relations["household_id"])
    ok = (a >= 0) & (b >= 0)
    pair = np.where(ok, a * d.nV + d.v_h[np.where(ok, b, 0)], -1)
    rater = pd.Index(d.rater_rev * d.nV + d.v_r).get_indexer(pair)
    ok &= rater >= 0
    P = max(d.n_seats, 1)
    cell = b * P + d.seat[np.where(ok, rater, 0)]
    review_cell = d.h * P + d.seat[d.r]

    dense = d.nH * P <= 4 * n + DENSE_CELLS   # else a sorted lookup (a panel far larger than usual)

    def marked(mask: np.ndarray) -> np.ndarray:
        if not dense:
            return np.isin(review_cell, np.unique(cell[mask & ok]))
        table = np.zeros(d.nH * P, bool)
        table[cell[mask & ok]] = True
        return table[review_cell]

    sel = np.ones(len(relations), bool) if which is None else kind.isin([w.lower() for w in which]).to_numpy()
    any_rel = marked(sel)
    self_rel = marked((kind == "self").to_numpy())
    return any_rel, self_rel


def _seats(v_r: np.ndarray, nV: int) -> tuple[np.ndarray, int]:
    """Seat of each rater on its village panel (in rater code order) and the largest panel."""
    order = np.argsort(v_r, kind="stable")
    P_v = np.bincount(v_r, minlength=nV)
    seat = np.empty(v_r.size, np.int64)
    seat[order] = np.arange(v_r.size) - (np.cumsum(P_v) - P_v)[v_r[order]]
    return seat, int(P_v.max()) if P_v.size else 0


def _first_dup_error(reviews: pd.DataFrame, h: np.ndarray, r: np.ndarray, seat: np.ndarray,
                     P: int, nH: int) -> None:
    """Raise on the first repeated (reviewer, household) pair.

    A household's raters all sit on its village's panel, so (household, seat of the rater on the
    panel) identifies a pair: a dense count of those keys is cheaper than sorting when panels
    are small.
    """
    if h.size < 2:
        return
    hr = h * P + seat[r]
    if nH * P <= 4 * h.size + 1_000_000:
        # a pair repeats iff fewer distinct cells than reviews: a bool table (1 byte a cell,
        # not bincount's 8, which at millions of households costs more than the scatter)
        seen = np.zeros(nH * P, bool)
        seen[hr] = True
        dup = int(np.count_nonzero(seen)) < hr.size
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
    require_columns(reviews, REQUIRED, "reviews")
    if len(reviews) == 0:
        raise CalibInputError("reviews: the table is empty")
    h, households = factorize_runs(reviews["household_id"], sort=False)
    vcode, villages = factorize_runs(reviews["village"], sort=True)
    rev_code, reviewers = pd.factorize(reviews["reviewer_id"], sort=False)
    amount = check_reviews(reviews, {"household_id": h, "reviewer_id": rev_code, "village": vcode})
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
    rev_code = rev_code.astype(np.int64, copy=False)
    v_first = np.empty(len(reviewers), np.int64)      # village of each reviewer's first review
    v_first[rev_code[::-1]] = vcode[::-1]
    if (v_first[rev_code] == vcode).all():
        # every reviewer on one panel: the raters are the reviewers (same codes, same order of
        # first appearance as factorizing the (reviewer, village) pairs)
        r, pairs = rev_code, np.arange(len(reviewers), dtype=np.int64) * nV + v_first
    else:
        r, pairs = pd.factorize(rev_code * nV + vcode, sort=False)
        r, pairs = r.astype(np.int64, copy=False), np.asarray(pairs)
    seat, P = _seats(pairs % nV, nV)
    _first_dup_error(reviews, h, r, seat, P, len(households))
    township_of_v = None
    if "township" in reviews.columns:   # the township of each village's last review
        last = np.empty(nV, np.int64)
        last[vcode] = np.arange(vcode.size)
        township_of_v = pd.Index(reviews["township"].iloc[last].to_numpy(dtype=object))
    return Design(h=h, r=r, v_h=v_h, v_r=pairs % nV,
                  amount=amount,
                  households=pd.Index(households),
                  rater_reviewer=pd.Index(reviewers).take(pairs // nV), villages=pd.Index(villages),
                  township_of_v=township_of_v, keep=np.ones(len(h), bool),
                  rev=rev_code, reviewers=pd.Index(reviewers), rater_rev=pairs // nV, seat=seat,
                  n_seats=P)


def location_frame(d: Design) -> pd.DataFrame:
    """``village`` (and ``township``) per household, index the household codes' ids."""
    out = pd.DataFrame({"village": d.villages.take(d.v_h)}, index=d.households)
    if d.township_of_v is not None:
        out["township"] = d.township_of_v.take(d.v_h)
    return out
