"""Grades: the one grade definition, grades from scores and the choice of cut-offs.

- :data:`GRADES` — the grades best first (``AAA, AA, A, B``) and :data:`A_OR_BETTER`;
  :func:`a_or_better` — the one rule for "rated A or better" (credit-village criterion);
- :func:`assign_grades` — grade of each score from minimum scores per grade;
- :func:`score_current` — the bank's current linear points formula and its grades;
- :func:`grade_cutoffs` — cut-offs with strictly increasing default rates and share limits;
- :func:`cutoffs_from_shares` — cut-offs that keep given grade shares (the fallback).
"""
from __future__ import annotations

from functools import lru_cache
from itertools import chain, combinations
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from calib.errors import CalibInputError, CalibParamsError

__all__ = [
    "GRADES",
    "A_OR_BETTER",
    "a_or_better",
    "grade_rank",
    "assign_grades",
    "score_current",
    "grade_cutoffs",
    "GradeCutoffs",
    "cutoffs_from_shares",
]

#: Grades best first, as the bank's model and the credit-village rule use them.
GRADES: tuple[str, ...] = ("AAA", "AA", "A", "B")
#: Grades that count as "rated A or better" (seed 003, credit village: above 55 % of households).
A_OR_BETTER: tuple[str, ...] = ("AAA", "AA", "A")


def grade_rank(grades: Any, *, order: Sequence[str] = GRADES) -> np.ndarray:
    """Position of each grade in ``order`` (0 = best); NaN for a missing or unknown grade."""
    s = pd.Series(np.asarray(grades, dtype=object).ravel() if not isinstance(grades, pd.Series)
                  else grades.to_numpy(dtype=object))
    pos = {str(g): i for i, g in enumerate(order)}
    return s.map(lambda g: pos.get(str(g), np.nan) if pd.notna(g) else np.nan).to_numpy(dtype=float)


def a_or_better(grades: Any, *, order: Sequence[str] = GRADES, a_grade: str = "A") -> np.ndarray:
    """Whether each household is rated A or better: a bool array.

    Parameters
    ----------
    grades : array-like or Series
        One grade per household (text). A missing grade (a household the model did not rate)
        is **not** A or better: it counts ``False``, never dropped.
    order : sequence of str
        Grades best first (default :data:`GRADES`).
    a_grade : str
        The lowest grade that counts (default ``"A"``).

    Returns
    -------
    numpy.ndarray of bool

    Raises
    ------
    CalibInputError
        For a grade not in ``order`` (a typo must not silently count as "not A").

    Notes
    -----
    The share of households rated A or better is ``a_or_better(grades).mean()`` over **all
    households of the village** (the credit-village rule's denominator), each with the grade
    the bank uses (latest model run, or the calibrated card's grade when it replaces the model).
    A share over scored households only, or over drawers, is a different figure and must carry
    a different name.
    """
    order = [str(g) for g in order]
    if a_grade not in order:
        raise CalibParamsError(f"a_grade: {a_grade!r} not among grades {order}")
    arr = np.asarray(grades, dtype=object).ravel() if not isinstance(grades, pd.Series) \
        else grades.to_numpy(dtype=object)
    known = pd.notna(arr)
    txt = np.where(known, arr.astype(str), "")
    bad = known & ~np.isin(txt, order)
    if bad.any():
        raise CalibInputError(f"grade: unknown value(s) {sorted(set(txt[bad]))[:5]}; expected one "
                              f"of {', '.join(order)}")
    return np.isin(txt, order[: order.index(a_grade) + 1]) & known


def assign_grades(scores: Any, cutoffs: Mapping[str, float], *,
                  grades: Sequence[str] | None = None) -> pd.Series:
    """Grade of each score from minimum scores per grade.

    Parameters
    ----------
    scores : array-like or Series
        Scores (higher = better).
    cutoffs : mapping
        ``{grade: minimum score}`` for every grade but the lowest, e.g.
        ``{"AAA": 85, "AA": 75, "A": 65}``.
    grades : sequence of str, optional
        All grades best first; the last one (default ``"B"``) receives scores below every cutoff.

    Returns
    -------
    Series of str ``grade`` (index of ``scores`` if it is a Series); missing scores give a
    missing grade.
    """
    cut = {str(k): float(v) for k, v in dict(cutoffs).items()}
    names = sorted(cut, key=lambda k: -cut[k])
    if grades is None:
        grades = names + ["B"]
    grades = [str(g) for g in grades]
    if grades[:-1] != names:
        missing = [g for g in grades[:-1] if g not in cut]
        if missing:
            raise CalibParamsError(f"cutoffs: no cutoff for grade(s) {missing}")
        raise CalibParamsError(f"cutoffs: must decrease from the best grade down, got {cut}")
    s = scores if isinstance(scores, pd.Series) else pd.Series(np.asarray(scores, dtype=float))
    v = s.to_numpy(dtype=float, na_value=np.nan)
    thr = np.array([cut[g] for g in grades[:-1]])[::-1]  # ascending
    k = np.searchsorted(thr, v, side="right")  # number of cutoffs at or below the score
    lab = np.array(grades[::-1], dtype=object)[k]
    lab[np.isnan(v)] = None
    return pd.Series(lab, index=s.index, name="grade", dtype="str" if not np.isnan(v).any() else object)


def score_current(X: pd.DataFrame, weights: Mapping[str, float], cutoffs: Mapping[str, float], *,
                  grades: Sequence[str] = ("AAA", "AA", "A", "B")) -> pd.DataFrame:
    """Score and grade households with the bank's current linear points formula.

    Parameters
    ----------
    X : DataFrame
        Raw characteristics; must contain every key of ``weights`` except ``intercept``.
    weights : mapping
        ``{"intercept": a, characteristic: points per unit, ...}`` (params
        ``scorecard.current_weights``).
    cutoffs : mapping
        ``{grade: minimum score}`` (params ``scorecard.current_cutoffs``).
    grades : sequence of str
        Grades best first.

    Returns
    -------
    DataFrame indexed like X
        ``score`` (``intercept + sum_k w_k x_k``, rounded to 1e-9 so that a score reaching a
        cutoff in exact arithmetic reaches it here, the same on every machine) and ``grade``.

    Examples
    --------
    >>> X = pd.DataFrame({"model_score": [700.0, 500.0], "integrity_rating": [5, 2]})
    >>> score_current(X, {"intercept": 0, "model_score": 0.1, "integrity_rating": 6},
    ...               {"AAA": 85, "AA": 75, "A": 65})
       score grade
    0  100.0   AAA
    1   62.0     B
    """
    if not isinstance(X, pd.DataFrame):
        raise CalibInputError(f"X: expected a DataFrame, got {type(X).__name__}")
    w = {str(k): v for k, v in dict(weights).items()}
    intercept = float(w.pop("intercept", 0.0) or 0.0)
    missing = [k for k in w if k not in X.columns]
    if missing:
        raise CalibParamsError(f"scorecard.current_weights: characteristic(s) {missing} not in the "
                               f"data (columns: {list(X.columns)})")
    M = X[list(w)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    nan_cols = [c for c, bad in zip(w, np.isnan(M).any(axis=0)) if bad]
    if nan_cols:
        raise CalibInputError(f"score_current: missing or non-numeric values in {nan_cols}")
    # in the formula's order (the same scores on every CPU, _stats.ordered_dot), then rounded to
    # 1e-9: scores equal in exact arithmetic compare equal (0.29 x 100 is 28.999999999999996 in
    # floating point: a household exactly on a cutoff would fall a grade; two equal scores
    # would not tie for AUC)
    from calib._stats import ordered_dot  # here: reading parameters must not import scipy.stats

    score = ordered_dot(M, [float(v) for v in w.values()], intercept)
    score = np.round(score, 9) + 0.0  # + 0.0: no negative zero
    s = pd.Series(score, index=X.index, name="score")
    return pd.DataFrame({"score": s, "grade": assign_grades(s, cutoffs, grades=grades)})


class GradeCutoffs(NamedTuple):
    """Result of :func:`grade_cutoffs` (unpacks as ``cutoffs, table``)."""

    cutoffs: pd.DataFrame
    """``grade, min_score`` (the lowest grade has ``min_score`` -inf)."""
    table: pd.DataFrame
    """Per grade: ``grade, min_score, max_score, n, share, cum_share, n_observed, defaults,
    default_rate, a_or_better_share``."""
    a_or_better_share: float

    def as_dict(self) -> dict[str, float]:
        """``{grade: minimum score}`` for all grades but the lowest (for :func:`assign_grades`)."""
        c = self.cutoffs.iloc[:-1]
        return {str(g): float(s) for g, s in zip(c["grade"], c["min_score"])}


def _grade_table(s: np.ndarray, y: np.ndarray, cut: Mapping[str, float], grades: Sequence[str],
                 a_grade: str) -> tuple[pd.DataFrame, float]:
    g = assign_grades(s, cut, grades=grades).to_numpy(dtype=object)
    obs = ~np.isnan(y)
    rows = []
    for i, name in enumerate(grades):  # loop over grades
        m = g == name
        no = int((m & obs).sum())
        dd = float(np.nansum(np.where(m, y, 0)))
        rows.append((name, cut.get(name, -np.inf), cut.get(grades[i - 1], np.inf) if i else np.inf,
                     int(m.sum()), m.mean(), no, int(dd), dd / no if no else np.nan))
    t = pd.DataFrame(rows, columns=["grade", "min_score", "max_score", "n", "share", "n_observed",
                                    "defaults", "default_rate"])
    t.insert(5, "cum_share", t["share"].cumsum())
    if a_grade not in list(grades):
        raise CalibParamsError(f"a_grade: {a_grade!r} not among grades {list(grades)}")
    aob = float(t.loc[t["grade"] == a_grade, "cum_share"].iloc[0])
    t["a_or_better_share"] = aob
    return t, aob


@lru_cache(maxsize=2)
def _combinations(n: int, r: int) -> np.ndarray:
    """Every combination of ``r`` of ``range(n)`` (ascending indices, lexicographic order) as a
    read-only ``(C(n, r), r)`` array, the last two sizes kept: cross-validation searches the
    same candidate count in every fold (156,849 rows, 1.9 MB, for 99 candidates and 4 grades;
    5 grades would keep 3.8M rows, 60 MB, so no more than two sizes are kept)."""
    flat = np.fromiter(chain.from_iterable(combinations(range(n), r)), dtype=np.int32)
    out = flat.reshape(-1, r) if r else np.empty((1, 0), dtype=np.int32)
    out.flags.writeable = False
    return out


def _grade_counts(s: np.ndarray, yv: np.ndarray, cand: np.ndarray,
                  k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every combination of ``k - 1`` candidate cut-offs (ascending indices) and, per
    combination and grade (worst first), the households, observed households and defaults."""
    obs = ~np.isnan(yv)
    # cumulative counts of households, observed and defaults strictly below each candidate
    below_n = np.searchsorted(np.sort(s), cand, side="left").astype(float)
    so, yo = s[obs], yv[obs]
    oo = np.argsort(so, kind="stable")
    cum_d = np.concatenate([[0.0], np.cumsum(yo[oo])])
    pos = np.searchsorted(so[oo], cand, side="left")
    combo = _combinations(cand.size, k - 1)

    def bounds(arr: np.ndarray, tot: float) -> np.ndarray:  # boundaries [0, c1, ..., N]
        b = arr[combo]
        return np.diff(np.column_stack([np.zeros(len(combo)), b, np.full(len(combo), tot)]), axis=1)
    return (combo, bounds(below_n, float(s.size)), bounds(pos.astype(float), float(obs.sum())),
            bounds(cum_d[pos], float(yo.sum())))


def grade_cutoffs(scores: Any, y: Any, *, grades: Sequence[str] = ("AAA", "AA", "A", "B"),
                  min_share: float = 0.05, max_share: float = 0.60, n_candidates: int = 100,
                  a_grade: str = "A", round_to: float | None = None) -> GradeCutoffs:
    """Score cutoffs with strictly increasing default rates from the best grade down.

    Parameters
    ----------
    scores : array-like
        Scores of all households (higher = better), e.g. :meth:`Scorecard.score_points`.
    y : array-like
        Default 0/1, missing for households without an outcome: shares are of all households,
        default rates of those with an outcome.
    grades : sequence of str
        Grades best first (params ``scorecard.grades``).
    min_share, max_share : float
        No grade thinner than ``min_share`` or larger than ``max_share`` of the households
        (params ``scorecard.min_grade_share`` / ``max_grade_share``).
    n_candidates : int, default 100
        Candidate cutoffs: the distinct score quantiles at ``1/n_candidates`` steps.
    a_grade : str, default "A"
        The grade whose cumulative share is the A-or-better share (credit-village rule).
    round_to : float, optional
        Round candidate cutoffs to this step (e.g. 1 point) before the search.

    Returns
    -------
    GradeCutoffs
        ``cutoffs`` (grade, min_score), ``table`` (per grade: n, share, cum_share, n_observed,
        defaults, default_rate, a_or_better_share) and ``a_or_better_share``.

    Raises
    ------
    CalibInputError
        If no set of cutoffs meets the constraints; the message says which constraint binds.

    Notes
    -----
    Exhaustive search over the candidate cutoffs (vectorised over all combinations), keeping the
    combinations where every grade's share lies in ``[min_share, max_share]`` and the default
    rates increase strictly from the best grade down, and choosing the one with the largest
    binomial log-likelihood of the defaults given grade default rates (the grading that
    separates defaults best).
    """
    s = np.asarray(scores, dtype=float).ravel()
    yv = pd.to_numeric(pd.Series(np.asarray(y).ravel()), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if s.shape[0] != yv.shape[0]:
        raise CalibInputError(f"y: length {yv.shape[0]} differs from scores' {s.shape[0]}")
    if np.isnan(s).any():
        raise CalibInputError(f"scores: {int(np.isnan(s).sum())} missing score(s)")
    grades = [str(g) for g in grades]
    k = len(grades)
    if k < 2:
        raise CalibParamsError(f"scorecard.grades: need at least 2 grades, got {grades}")
    if not (0 <= min_share < max_share <= 1) or min_share * k > 1 or max_share * k < 1:
        raise CalibParamsError(f"min_share={min_share}, max_share={max_share}: impossible for "
                               f"{k} grades")
    cand = np.unique(np.quantile(s, np.linspace(0, 1, n_candidates + 1)[1:-1]))
    if round_to:
        cand = np.unique(np.round(cand / round_to) * round_to)
    cand = cand[(cand > s.min())]
    if cand.size < k - 1:
        raise CalibInputError(f"grade_cutoffs: only {cand.size} distinct candidate scores for {k} grades")
    combo, n_g, o_g, d_g = _grade_counts(s, yv, cand, k)
    N, NO, ND = float(s.size), float(o_g[0].sum()), float(d_g[0].sum())
    share = n_g / N
    ok_share = (share >= min_share).all(axis=1) & (share <= max_share).all(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = d_g / o_g
    # worst grade first: default rates must decrease strictly along the row
    ok_mono = (o_g > 0).all(axis=1) & (np.diff(rate, axis=1) < 0).all(axis=1)
    ok = ok_share & ok_mono
    if not ok.any():
        why = ("share limits" if not ok_share.any() else
               "strictly increasing default rates (too few defaults or a non-monotone score)")
        raise CalibInputError(
            f"grade_cutoffs: no cutoffs give {k} grades with shares in [{min_share}, {max_share}] "
            f"and strictly increasing default rates from {grades[0]} down; binding: {why}. "
            f"Try fewer grades, wider share limits, or more outcomes ({int(ND)} defaults among "
            f"{int(NO)} observed households).")
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = np.where(d_g > 0, d_g * np.log(rate), 0.0) + \
            np.where(o_g - d_g > 0, (o_g - d_g) * np.log1p(-rate), 0.0)
    ll = np.where(ok, ll.sum(axis=1), -np.inf)
    best = combo[int(np.argmax(ll))]
    cuts = cand[best][::-1]  # best grade first, descending
    cut = {g: float(c) for g, c in zip(grades[:-1], cuts)}
    table, aob = _grade_table(s, yv, cut, grades, a_grade)
    cutoffs = pd.DataFrame({"grade": grades, "min_score": [*cuts.tolist(), -np.inf]})
    return GradeCutoffs(cutoffs, table, aob)



# --------------------------------------------------------------------------------------------
# cutoffs from target shares (fallback when the search finds no monotone grading)
# --------------------------------------------------------------------------------------------
def cutoffs_from_shares(scores: Any, y: Any, shares: Mapping[str, float] | Sequence[float], *,
                        grades: Sequence[str] = ("AAA", "AA", "A", "B"),
                        a_grade: str = "A") -> GradeCutoffs:
    """Cutoffs that put given shares of the households in each grade.

    Parameters
    ----------
    scores : array-like
        Scores of all households (higher = better).
    y : array-like
        Default 0/1, missing for households without an outcome.
    shares : mapping or sequence
        Share of households per grade, best first (e.g. the current card's grade shares); they
        are normalised to sum to 1.
    grades : sequence of str
        Grades best first.
    a_grade : str
        Grade whose cumulative share is the A-or-better share.

    Returns
    -------
    GradeCutoffs
        As :func:`grade_cutoffs`; no monotonicity of default rates is imposed (check the
        table).

    Notes
    -----
    ``min_score`` of grade ``k`` is the ``1 - cum_share_k`` quantile of the scores. Useful when
    too few defaults make :func:`grade_cutoffs` infeasible: the grading then keeps the current
    distribution over grades on the calibrated score.
    """
    s = np.asarray(scores, dtype=float).ravel()
    yv = pd.to_numeric(pd.Series(np.asarray(y).ravel()), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if s.shape[0] != yv.shape[0] or np.isnan(s).any():
        raise CalibInputError("scores: must be complete and as long as y")
    grades = [str(g) for g in grades]
    sh = np.array([float(shares[g]) for g in grades] if isinstance(shares, Mapping)
                  else [float(v) for v in shares], dtype=float)
    if sh.shape[0] != len(grades) or (sh < 0).any() or sh.sum() <= 0:
        raise CalibParamsError(f"shares: need one non-negative share per grade {grades}, got {sh}")
    cum = np.cumsum(sh / sh.sum())[:-1]
    cuts = np.quantile(s, np.clip(1 - cum, 0, 1))
    cuts = np.maximum.accumulate(cuts[::-1])[::-1]  # non-increasing from the best grade down
    cut = {g: float(c) for g, c in zip(grades[:-1], cuts)}
    # equal cutoffs would make an empty grade: nudge them apart so assign_grades accepts them
    vals = np.array(list(cut.values()))
    for i in range(1, vals.size):
        if vals[i] >= vals[i - 1]:
            vals[i] = np.nextafter(vals[i - 1], -np.inf)
    cut = dict(zip(cut, vals.tolist()))
    table, aob = _grade_table(s, yv, cut, grades, a_grade)
    return GradeCutoffs(pd.DataFrame({"grade": grades, "min_score": [*vals.tolist(), -np.inf]}),
                        table, aob)

