"""A village-aware credit scorecard: binning, weight of evidence, logistic model, points, grades.

The pieces, each usable alone:

- :class:`Scorecard` — a scikit-learn compatible estimator: monotone binning of each
  characteristic (numeric or text), weight of evidence (WoE), a logistic model of default on the
  WoE values (statsmodels, standard errors clustered by village when ``groups=`` is passed to
  ``fit``), points scaling, optional reject inference by parcelling. ``to_params`` /
  ``from_params`` write and read the calibrated card as a plain dict (YAML-able).
- :func:`score_current` — the bank's current linear points formula and grade cutoffs.
- :func:`assign_grades` and :func:`grade_cutoffs` — grades from cutoffs and the choice of cutoffs
  with strictly increasing default rates and share limits.
- :func:`compare_scorecards` — current against calibrated: DeLong AUC test, likelihood-ratio
  tests of nested logits, grade migration and the households whose grade changes.

Conventions: ``y`` is 1 for default; WoE is ``ln(%good / %bad)`` (Siddiqi), so a higher WoE is a
safer bin and the logit coefficients of default on WoE are expected to be **negative**; points
are higher for safer households; ``monotone_trend`` describes the trend of the **default rate**
as the characteristic increases (``"decreasing"`` for integrity: higher rating, fewer defaults).
"""
from __future__ import annotations

import math
import time
import warnings
from itertools import combinations
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin
from statsmodels.tools.sm_exceptions import PerfectSeparationError
from sklearn.utils.validation import check_is_fitted

from calib.errors import CalibInputError, CalibParamsError
from calib.validation import delong_auc_cov

__all__ = [
    "Scorecard",
    "score_current",
    "assign_grades",
    "grade_cutoffs",
    "GradeCutoffs",
    "compare_scorecards",
    "ScorecardComparison",
    "scaling_constants",
    "cross_validate",
    "CrossValidation",
    "cutoffs_from_shares",
    "iv_reading",
]

MISSING = "Missing"
SPECIAL = "Special"
OTHER = "other"
_TRENDS = ("increasing", "decreasing", "auto", None)


# --------------------------------------------------------------------------------------------
# scaling
# --------------------------------------------------------------------------------------------
def scaling_constants(base_score: float, base_odds: float, pdo: float) -> tuple[float, float]:
    """Factor and offset of the points scale.

    ``Factor = pdo / ln 2`` and ``Offset = base_score - Factor ln(base_odds)`` with the odds as
    good:bad, so that ``score = Offset + Factor ln(odds)``: ``base_score`` points at odds
    ``base_odds``, and ``pdo`` more points double the odds (Siddiqi 2006, ch. 6).
    """
    if not (pdo > 0 and base_odds > 0):
        raise CalibParamsError(f"scorecard.pdo and scorecard.base_odds must be > 0, got pdo={pdo!r}, "
                               f"base_odds={base_odds!r}")
    factor = pdo / math.log(2.0)
    return factor, base_score - factor * math.log(base_odds)


def iv_reading(iv: Any) -> np.ndarray:
    """Siddiqi's reading of an information value: below 0.02 ``unpredictive``, 0.02-0.1
    ``weak``, 0.1-0.3 ``medium``, 0.3 and above ``strong`` (above 0.5 check for overfitting or a
    characteristic that is a function of the outcome)."""
    v = np.asarray(iv, dtype=float)
    return np.where(v >= 0.3, "strong", np.where(v >= 0.1, "medium",
                                                 np.where(v >= 0.02, "weak", "unpredictive")))


# --------------------------------------------------------------------------------------------
# binning (per characteristic, loops over a handful of bins only)
# --------------------------------------------------------------------------------------------
def _woe_iv(good: np.ndarray, bad: np.ndarray, g_tot: float, b_tot: float,
            smooth: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """WoE = ln(%good / %bad) with ``smooth`` added to empty cells; IV per bin."""
    dg = (good + smooth * (good == 0)) / g_tot
    db = (bad + smooth * (bad == 0)) / b_tot
    woe = np.log(dg / db)
    return woe, (dg - db) * woe


def _pava_blocks(rate: np.ndarray, w: np.ndarray, increasing: bool) -> list[list[int]]:
    """Pool-adjacent-violators: blocks of consecutive bins whose pooled rates are strictly
    monotone (ties pooled too)."""
    sgn = 1.0 if increasing else -1.0
    blocks: list[list[int]] = []
    vals: list[float] = []
    wts: list[float] = []
    for i in range(len(rate)):
        blocks.append([i])
        vals.append(sgn * rate[i])
        wts.append(w[i])
        while len(vals) > 1 and vals[-2] >= vals[-1]:
            v = (vals[-2] * wts[-2] + vals[-1] * wts[-1]) / (wts[-2] + wts[-1])
            wts[-2] += wts[-1]
            vals[-2] = v
            blocks[-2].extend(blocks[-1])
            del blocks[-1], vals[-1], wts[-1]
    return blocks


def _merge_groups(n: np.ndarray, d: np.ndarray, groups: list[list[int]], *, min_count: float,
                  max_bins: int) -> list[list[int]]:
    """Merge adjacent groups: first those below ``min_count`` (into the neighbour with the closer
    default rate), then the closest pair in default rate until at most ``max_bins`` remain.
    Merging adjacent groups of a monotone sequence keeps it monotone."""
    groups = [list(g) for g in groups]

    def nd(g: list[int]) -> tuple[float, float]:
        return float(n[g].sum()), float(d[g].sum())

    while len(groups) > 1:
        sizes = np.array([nd(g)[0] for g in groups])
        rates = np.array([nd(g)[1] / max(nd(g)[0], 1.0) for g in groups])
        small = np.flatnonzero(sizes < min_count)
        if small.size:
            i = int(small[np.argmin(sizes[small])])
        elif len(groups) > max_bins:
            diffs = np.abs(np.diff(rates))
            j = int(np.argmin(diffs))
            groups[j] = groups[j] + groups[j + 1]
            del groups[j + 1]
            continue
        else:
            break
        if i == 0:
            j = 0
        elif i == len(groups) - 1:
            j = i - 1
        else:
            j = i - 1 if abs(rates[i] - rates[i - 1]) <= abs(rates[i] - rates[i + 1]) else i
        groups[j] = groups[j] + groups[j + 1]
        del groups[j + 1]
    return groups


def _numeric_bins(x: np.ndarray, y: np.ndarray, w: np.ndarray, *, trend: str | None,
                  max_bins: int, min_count: float, n_prebins: int) -> tuple[list[float], str | None]:
    """Split points of a monotone binning of a numeric characteristic (finite values only)."""
    if x.size == 0:
        return [], trend
    qs = np.quantile(x, np.linspace(0, 1, n_prebins + 1)[1:-1])
    splits = np.unique(qs)
    splits = splits[splits > x.min()]  # a split at the minimum would give an empty first bin
    idx = np.searchsorted(splits, x, side="right")
    nb = splits.size + 1
    n = np.bincount(idx, weights=w, minlength=nb)
    d = np.bincount(idx, weights=w * y, minlength=nb)
    keep = n > 0
    if not keep.all():  # drop empty pre-bins (cannot happen with data quantiles, kept for safety)
        splits = splits[keep[1:]]
        idx = np.searchsorted(splits, x, side="right")
        nb = splits.size + 1
        n = np.bincount(idx, weights=w, minlength=nb)
        d = np.bincount(idx, weights=w * y, minlength=nb)
    rate = d / n
    used_trend = trend
    if trend in ("increasing", "decreasing"):
        groups = _pava_blocks(rate, n, trend == "increasing")
    elif trend == "auto":
        cand = {}
        for t in ("increasing", "decreasing"):
            bl = _pava_blocks(rate, n, t == "increasing")
            fit = np.concatenate([np.full(len(b), d[b].sum() / n[b].sum()) for b in bl])
            cand[t] = (float(np.sum(n * (rate - fit) ** 2)), bl)
        used_trend = min(cand, key=lambda t: cand[t][0])
        groups = cand[used_trend][1]
    else:
        groups = [[i] for i in range(nb)]
    groups = _merge_groups(n, d, groups, min_count=min_count, max_bins=max_bins)
    if trend in ("increasing", "decreasing", "auto"):
        # merging small bins can create ties; pool once more to keep the trend strict
        gn = np.array([n[g].sum() for g in groups])
        gd = np.array([d[g].sum() for g in groups])
        blocks = _pava_blocks(gd / gn, gn, used_trend == "increasing")
        groups = [sum((groups[k] for k in b), []) for b in blocks]
    # split points between groups: the lower edge of the first pre-bin of each later group
    edges = [float(splits[g[0] - 1]) for g in groups[1:]]
    return edges, used_trend


def _categorical_bins(x: np.ndarray, y: np.ndarray, w: np.ndarray, *, max_bins: int,
                      min_count: float) -> dict[str, str]:
    """Map category -> bin label: small categories pooled into ``other``, then categories
    ordered by default rate and adjacent ones merged down to ``max_bins``."""
    # counts per category with numpy (a pandas group-by costs ~10 ms per column on small data)
    cats, inv = np.unique(np.asarray(x, dtype=str), return_inverse=True)
    n_c = np.bincount(inv, weights=w, minlength=cats.size)
    d_c = np.bincount(inv, weights=y * w, minlength=cats.size)
    small = n_c < min_count
    mapping: dict[str, str] = {}
    names = [str(c) for c in cats[~small]]
    n, d = n_c[~small], d_c[~small]
    if small.any():
        for c in cats[small]:
            mapping[str(c)] = OTHER
        names.append(OTHER)
        n = np.append(n, n_c[small].sum())
        d = np.append(d, d_c[small].sum())
    order = np.argsort(d / n, kind="stable")
    labels = [names[i] for i in order]
    n, d = n[order], d[order]
    groups = _merge_groups(n, d, [[i] for i in range(len(labels))], min_count=min_count,
                           max_bins=max_bins)
    for g in groups:
        members = [labels[i] for i in g]
        lab = members[0] if len(members) == 1 else "|".join(sorted(members))
        for m in members:
            if m == OTHER:
                for k, v in list(mapping.items()):
                    if v == OTHER:
                        mapping[k] = lab
                mapping[OTHER] = lab
            else:
                mapping[m] = lab
    return mapping


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def _interval_labels(splits: Sequence[float]) -> list[str]:
    e = [-np.inf, *splits, np.inf]
    return [f"[{_fmt(e[i])}, {_fmt(e[i + 1])})" for i in range(len(e) - 1)]


def _bin_index(spec: dict, col: pd.Series) -> np.ndarray:
    """Position of each value in ``spec['bins']`` (-1: a value the card has no bin for)."""
    labels = [b["bin"] for b in spec["bins"]]
    pos = {lab: i for i, lab in enumerate(labels)}
    miss = col.isna().to_numpy()
    out = np.full(col.shape[0], -1, dtype=int)
    if spec["kind"] == "numeric":
        v = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~miss & np.isnan(v)
        if bad.any():
            raise CalibInputError(f"{spec['name']}: non-numeric value {col[bad].iloc[0]!r}")
        special = np.isin(v, np.asarray(spec.get("special_codes") or [], dtype=float)) & ~miss
        n_int = len(spec["splits"]) + 1
        iv = np.searchsorted(np.asarray(spec["splits"], dtype=float), v, side="right")
        ok = ~miss & ~special
        out[ok] = iv[ok]  # interval bins come first in spec['bins']
        if SPECIAL in pos:
            out[special] = pos[SPECIAL]
        if MISSING in pos:
            out[miss] = pos[MISSING]
        assert n_int <= len(labels)
    else:
        cats = col.astype(object).where(~miss, None)
        mapping = spec["categories"]
        lab = cats.map(lambda c: mapping.get(str(c)) if c is not None else None)
        # unseen categories go to the 'other' bin if the card has one
        other_lab = mapping.get(OTHER)
        unseen = lab.isna().to_numpy() & ~miss
        if other_lab is not None:
            lab = lab.where(~unseen, other_lab)
        codes = lab.map(pos)
        ok = codes.notna().to_numpy()
        out[ok] = codes[ok].to_numpy(dtype=int)
        if MISSING in pos:
            out[miss] = pos[MISSING]
    return out


# --------------------------------------------------------------------------------------------
# the estimator
# --------------------------------------------------------------------------------------------
#: Ridge strength (per observation) of the fallback fit when the unpenalised logit does not converge.
RIDGE_FALLBACK = 0.01


class _PenalisedFit(NamedTuple):
    """Result of a penalised logit: coefficients (intercept first), log-likelihood, penalty."""

    params: np.ndarray
    llf: float
    penalty: float


class Scorecard(ClassifierMixin, BaseEstimator):
    """Credit scorecard: monotone WoE binning, logistic regression, points scaling.

    Parameters
    ----------
    monotone_trend : dict, optional
        ``{characteristic: "increasing" | "decreasing" | "auto" | None}``: expected trend of the
        **default rate** as a numeric characteristic increases (``"decreasing"`` for integrity
        rating, business rating, model score, points). Characteristics not listed get
        ``default_trend``. Text characteristics are never monotone-constrained.
    default_trend : {"auto", None, "increasing", "decreasing"}, default "auto"
        Trend for unlisted numeric characteristics (``"auto"``: the better-fitting direction).
    categorical : sequence of str, optional
        Characteristics to treat as text even if numeric (e.g. coded categories).
    special_codes : dict, optional
        ``{characteristic: [values]}`` of special numeric codes (e.g. ``-1`` = not asked), put in
        a bin ``"Special"`` of their own.
    max_bins : int, default 6
        Maximum number of regular bins per characteristic (params ``scorecard.max_bins``).
    min_bin_share : float, default 0.05
        Minimum share of households in a regular bin (params ``scorecard.min_bin_share``).
    n_prebins : int, default 20
        Quantile pre-bins before merging.
    base_score, base_odds, pdo : float, default 600, 50, 20
        Points scaling: ``base_score`` points at good:bad odds ``base_odds``; ``pdo`` points to
        double the odds.
    reject_inference : {"none", "parcelling"}, default "none"
        With ``"parcelling"``, rows of ``y`` that are missing (households that did not draw) are
        given outcomes by parcelling and the card is refitted on all rows.
    parcel_bands : int, default 10
        Score bands (quantiles of the accepted households' scores) used by parcelling.
    parcel_factor : float, default 1.0
        Multiplier of the accepted households' default rate applied to the rejects of a band
        (above 1: assume non-drawers riskier than drawers of the same score).
    min_iv : float, default 0.0
        Characteristic selection: a characteristic whose information value after binning is
        below this is left out of the logit (listed in ``excluded_``). Siddiqi's reading: below
        0.02 unpredictive, 0.02-0.1 weak, 0.1-0.3 medium, above 0.3 strong.
    C : float, optional
        Inverse strength of an L2 penalty on the WoE coefficients, as in scikit-learn's
        ``LogisticRegression(C=...)`` (the intercept is not penalised). ``None`` (default) fits
        the unpenalised logit with clustered standard errors; a penalised fit has no standard
        errors (``coef_table_`` shows NaN) and says so in ``fit_note_``.
    random_state : int or numpy.random.Generator, optional
        Seed of the random assignment in parcelling.

    Attributes
    ----------
    feature_names_in_ : ndarray of str
        Characteristics seen in ``fit``.
    classes_ : ndarray
        ``[0, 1]``.
    binning_ : dict
        ``{characteristic: spec}`` with the bins, their counts, default rates, WoE and IV.
    coef_ : pandas.Series
        Logit coefficient of default on each characteristic's WoE (0 for excluded ones).
    intercept_ : float
        Logit intercept.
    coef_table_ : DataFrame
        ``characteristic, coef, se, z, p_value, ci_low, ci_high, se_naive, se_ratio,
        cov_type, n_clusters``: the logit coefficient table; ``se`` is clustered by village when
        ``groups`` was passed to ``fit`` (``se_naive`` is the model-based one).
    sign_warnings_ : DataFrame
        ``characteristic, expected_trend, univariate_trend, coef, issue``: characteristics whose
        estimated effect contradicts the expected trend (reported, not dropped).
    excluded_ : dict
        ``{characteristic: reason}`` for characteristics left out of the logit (a single bin).
    iv_ : pandas.Series
        Information value of each characteristic.
    factor_, offset_ : float
        Points scaling constants.
    parcelling_ : DataFrame or None
        Per score band: ``band, n_accepts, accept_default_rate, n_rejects, rejects_bad``.
    fit_note_ : str
        Empty after a regular fit; explains the ridge fallback when the unpenalised logit could
        not be fitted (perfect separation on thin data), in which case standard errors are NaN.
    logit_result_ : statsmodels results
        The fitted model (for further inspection).

    Notes
    -----
    Binning: quantile pre-bins, pool-adjacent-violators merging until the default rate is
    strictly monotone in the expected direction, then merging of bins below ``min_bin_share``
    and of the most similar neighbours down to ``max_bins``. Missing values and special codes
    have bins of their own; text categories below ``min_bin_share`` are pooled as ``"other"``
    (which also receives categories unseen in ``fit``). A value with no bin (e.g. missing when
    no missing value was seen in ``fit``) gets WoE 0, the sample average.
    WoE = ln(%good/%bad) with 0.5 added to empty cells. The logit of default on the WoE values is
    fitted with statsmodels; with ``groups`` the covariance is the cluster-robust sandwich
    (``cov_type="cluster"``), since defaults in a village move together.
    Points: with logit ``a + sum_k b_k WoE_k`` and ``Factor = pdo / ln 2``,
    ``Offset = base_score - Factor ln(base_odds)``, each bin gets
    ``-Factor b_k WoE + (Offset - Factor a) / K`` points (K characteristics in the card), and the
    score is ``Offset + Factor ln(good:bad odds)``.
    Parcelling: fit on drawers, score everybody, cut the drawers' scores into bands; in each band
    a share ``parcel_factor x`` (drawers' default rate) of the non-drawers, drawn at random, is
    labelled default; refit on all households.

    References
    ----------
    Siddiqi, N. (2006). *Credit Risk Scorecards: Developing and Implementing Intelligent Credit
    Scoring*. Wiley. Thomas, L. C., Edelman, D. B., Crook, J. N. (2002). *Credit Scoring and Its
    Applications*. SIAM (reject inference, ch. 6). Cameron, A. C., Miller, D. L. (2015). A
    practitioner's guide to cluster-robust inference. *J. Human Resources* 50(2), 317-372.

    Examples
    --------
    >>> sc = Scorecard(monotone_trend={"integrity_rating": "decreasing"})  # doctest: +SKIP
    >>> sc.fit(X, y, groups=village).points_table()                         # doctest: +SKIP
    """

    def __init__(self, monotone_trend: Mapping[str, str | None] | None = None, *,
                 default_trend: str | None = "auto", categorical: Sequence[str] | None = None,
                 special_codes: Mapping[str, Sequence[float]] | None = None, max_bins: int = 6,
                 min_bin_share: float = 0.05, n_prebins: int = 20, base_score: float = 600,
                 base_odds: float = 50, pdo: float = 20, reject_inference: str = "none",
                 parcel_bands: int = 10, parcel_factor: float = 1.0, min_iv: float = 0.0,
                 C: float | None = None,
                 random_state: int | np.random.Generator | None = None) -> None:
        self.monotone_trend = monotone_trend
        self.default_trend = default_trend
        self.categorical = categorical
        self.special_codes = special_codes
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.n_prebins = n_prebins
        self.base_score = base_score
        self.base_odds = base_odds
        self.pdo = pdo
        self.reject_inference = reject_inference
        self.parcel_bands = parcel_bands
        self.parcel_factor = parcel_factor
        self.min_iv = min_iv
        self.C = C
        self.random_state = random_state

    # ---------------------------------------------------------------- construction from params
    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], **overrides: Any) -> "Scorecard":
        """An unfitted card from the ``scorecard:`` block of a parameter file (keys base_score,
        base_odds, pdo, max_bins, min_bin_share, reject_inference, min_iv; others ignored)."""
        keys = ("base_score", "base_odds", "pdo", "max_bins", "min_bin_share", "reject_inference", "min_iv",
                "C")
        kw = {k: cfg[k] for k in keys if k in cfg}
        kw.update(overrides)
        return cls(**kw)

    # ---------------------------------------------------------------- validation
    def _check_params(self) -> None:
        if self.reject_inference not in ("none", "parcelling"):
            raise CalibParamsError("scorecard.reject_inference: expected 'none' or 'parcelling', "
                                   f"got {self.reject_inference!r}")
        if not (isinstance(self.max_bins, (int, np.integer)) and self.max_bins >= 2):
            raise CalibParamsError(f"scorecard.max_bins: expected an integer >= 2, got {self.max_bins!r}")
        if not (isinstance(self.min_iv, (int, float, np.floating)) and self.min_iv >= 0):
            raise CalibParamsError(f"scorecard.min_iv: expected a number >= 0, got {self.min_iv!r}")
        if self.C is not None and not (isinstance(self.C, (int, float, np.floating)) and self.C > 0):
            raise CalibParamsError(f"scorecard.C: expected a number > 0 or None, got {self.C!r}")
        if not 0 <= self.min_bin_share < 0.5:
            raise CalibParamsError(f"scorecard.min_bin_share: expected in [0, 0.5), got "
                                   f"{self.min_bin_share!r}")
        for k, v in (self.monotone_trend or {}).items():
            if v not in _TRENDS:
                raise CalibParamsError(f"monotone_trend[{k!r}]: expected one of {_TRENDS}, got {v!r}")
        if self.default_trend not in _TRENDS:
            raise CalibParamsError(f"default_trend: expected one of {_TRENDS}, got "
                                   f"{self.default_trend!r}")
        scaling_constants(self.base_score, self.base_odds, self.pdo)

    @staticmethod
    def _check_X(X: Any) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            raise CalibInputError("X: expected a pandas DataFrame of characteristics, got "
                                  f"{type(X).__name__}")
        return X

    @staticmethod
    def _check_y(y: Any, n: int, allow_missing: bool) -> np.ndarray:
        yv = pd.Series(np.asarray(y).ravel() if not isinstance(y, pd.Series) else y.to_numpy())
        yv = pd.to_numeric(yv, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if yv.shape[0] != n:
            raise CalibInputError(f"y: length {yv.shape[0]} differs from X's {n} rows")
        miss = np.isnan(yv)
        if miss.any() and not allow_missing:
            raise CalibInputError(
                f"y: {int(miss.sum())} missing outcome(s); fit on households with an outcome, or "
                "set reject_inference='parcelling' to use the others")
        bad = ~miss & ~np.isin(yv, (0.0, 1.0))
        if bad.any():
            raise CalibInputError(f"y: values must be 0/1, got {yv[bad][0]!r}")
        return yv

    # ---------------------------------------------------------------- fitting
    def _trend_for(self, name: str) -> str | None:
        mt = self.monotone_trend or {}
        return mt[name] if name in mt else self.default_trend

    def _fit_binning(self, X: pd.DataFrame, y: np.ndarray, w: np.ndarray) -> dict:
        cat_cols = set(self.categorical or [])
        specials = dict(self.special_codes or {})
        n_tot = float(w.sum())
        g_tot, b_tot = float((w * (1 - y)).sum()), float((w * y).sum())
        min_count = self.min_bin_share * n_tot
        specs: dict[str, dict] = {}
        for name in X.columns:  # loop over characteristics
            col = X[name]
            numeric = (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
                       and name not in cat_cols)
            miss = col.isna().to_numpy()
            spec: dict[str, Any] = {"name": str(name), "kind": "numeric" if numeric else "categorical"}
            if numeric:
                v = col.to_numpy(dtype=float, na_value=np.nan)
                sc = np.asarray(specials.get(name, []), dtype=float)
                special = np.isin(v, sc) & ~miss
                reg = ~miss & ~special
                trend = self._trend_for(name)
                splits, used = _numeric_bins(v[reg], y[reg], w[reg], trend=trend,
                                             max_bins=self.max_bins, min_count=min_count,
                                             n_prebins=self.n_prebins)
                spec.update(splits=splits, special_codes=sc.tolist(), trend=trend,
                            fitted_trend=used)
                labels = _interval_labels(splits)
                idx = np.full(v.shape[0], -1)
                idx[reg] = np.searchsorted(np.asarray(splits), v[reg], side="right")
                extra = []
                if special.any():
                    extra.append(SPECIAL)
                    idx[special] = len(labels) + len(extra) - 1
                if miss.any():
                    extra.append(MISSING)
                    idx[miss] = len(labels) + len(extra) - 1
                labels = labels + extra
                # univariate trend of the data (Spearman), for the sign report
                if reg.sum() > 2 and np.ptp(v[reg]) > 0:
                    rho = stats.spearmanr(v[reg], y[reg]).statistic
                    spec["univariate_trend"] = ("increasing" if rho > 0 else "decreasing"
                                                if rho < 0 else None)
                else:
                    spec["univariate_trend"] = None
            else:
                xs = col.astype(object).where(~miss, None)
                xs_str = xs[~miss].astype(str).to_numpy(dtype=object)
                mapping = _categorical_bins(xs_str, y[~miss], w[~miss], max_bins=self.max_bins,
                                            min_count=min_count) if xs_str.size else {}
                labels = list(dict.fromkeys(v for k, v in mapping.items()))
                spec.update(categories=mapping, trend=None, fitted_trend=None,
                            univariate_trend=None)
                lab_pos = {lab: i for i, lab in enumerate(labels)}
                idx = np.full(col.shape[0], -1)
                idx[~miss] = pd.Series(xs_str).map(mapping).map(lab_pos).to_numpy(dtype=int)
                if miss.any():
                    labels.append(MISSING)
                    idx[miss] = len(labels) - 1
            nb = len(labels)
            cnt = np.bincount(idx, weights=w, minlength=nb)
            bad = np.bincount(idx, weights=w * y, minlength=nb)
            woe, iv = _woe_iv(cnt - bad, bad, g_tot, b_tot)
            spec["bins"] = [{"bin": labels[i], "count": float(cnt[i]),
                             "event_rate": float(bad[i] / cnt[i]) if cnt[i] > 0 else float("nan"),
                             "woe": float(woe[i]), "iv": float(iv[i])} for i in range(nb)]
            spec["iv"] = float(iv.sum())
            specs[str(name)] = spec
        return specs

    def _woe_matrix(self, X: pd.DataFrame, specs: dict | None = None) -> np.ndarray:
        specs = self.binning_ if specs is None else specs
        cols = []
        for name, spec in specs.items():
            if name not in X.columns:
                raise CalibInputError(f"X: missing characteristic column {name!r}")
            idx = _bin_index(spec, X[name])
            woe = np.append(np.array([b["woe"] for b in spec["bins"]], dtype=float), 0.0)
            cols.append(woe[idx])  # idx -1 -> last element, WoE 0
        return np.column_stack(cols) if cols else np.empty((X.shape[0], 0))

    def _fit_once(self, X: pd.DataFrame, y: np.ndarray, w: np.ndarray,
                  groups: np.ndarray | None) -> None:
        from statsmodels.genmod import families
        from statsmodels.genmod.generalized_linear_model import GLM

        specs = self._fit_binning(X, y, w)
        W = self._woe_matrix(X, specs)
        names = list(specs)
        excluded = {n: "single bin (no discrimination after binning)"
                    for n, s in specs.items() if len(s["bins"]) < 2 or np.ptp(W[:, names.index(n)]) == 0}
        for n, s in specs.items():  # characteristic selection: Siddiqi's IV < 0.02 is unpredictive
            if n not in excluded and s["iv"] < self.min_iv:
                excluded[n] = f"information value {s['iv']:.3f} below min_iv {self.min_iv:g}"
        use = [i for i, n in enumerate(names) if n not in excluded]
        exog = np.column_stack([np.ones(W.shape[0]), W[:, use]])
        try:
            if self.C is not None:
                res = res_naive = self._ridge(y, exog, w, 1.0 / self.C)
                fit_note = (f"L2-penalised logit (C={self.C:g}, as scikit-learn's LogisticRegression); "
                            "no standard errors")
            else:
                res, res_naive = self._logit(y, exog, w, groups)
                fit_note = ""
        except (np.linalg.LinAlgError, PerfectSeparationError, ValueError):
            # thin data (a cross-validation fold with a handful of defaults, a small village
            # set) can separate perfectly: the unpenalised likelihood has no finite maximum.
            # Fall back to a ridge-penalised logit so the card still scores, and say so.
            res = res_naive = self._ridge(y, exog, w, RIDGE_FALLBACK * float(np.sum(w)))
            fit_note = (f"unpenalised logit did not converge (separation or a singular Hessian); "
                        f"ridge-penalised fit ({RIDGE_FALLBACK} per observation) used, no standard errors")
        self.fit_note_ = fit_note
        params = np.asarray(res.params)
        if fit_note:  # penalised fits have no standard errors
            se = se_naive = np.full(params.shape, np.nan)
            ci = np.full((params.size, 2), np.nan)
            pvalues = np.full(params.shape, np.nan)
        else:
            se = np.asarray(res.bse)
            se_naive = np.asarray(res_naive.bse)
            ci = np.asarray(res.conf_int())
            pvalues = np.asarray(res.pvalues)
        labels = ["(intercept)"] + [names[i] for i in use]
        self.coef_table_ = pd.DataFrame({
            "characteristic": labels, "coef": params, "se": se, "z": params / se,
            "p_value": pvalues, "ci_low": ci[:, 0], "ci_high": ci[:, 1],
            "se_naive": se_naive, "se_ratio": se / se_naive,
            "cov_type": ("penalised" if fit_note else "cluster" if groups is not None else "nonrobust"),
            "n_clusters": int(np.unique(groups).size) if groups is not None else np.nan,
        })
        coef = pd.Series(0.0, index=names, name="coef")
        coef.iloc[use] = params[1:]
        self.binning_ = specs
        self.coef_ = coef
        self.intercept_ = float(params[0])
        self.excluded_ = excluded
        self.iv_ = pd.Series({n: s["iv"] for n, s in specs.items()}, name="iv")
        self.logit_result_ = res
        self._sign_rows(specs, excluded, coef)

    @staticmethod
    def _ridge(y: np.ndarray, exog: np.ndarray, w: np.ndarray, lam: float) -> "_PenalisedFit":
        """L2-penalised logit by Newton's method: maximise sum w*loglik - lam/2 * |beta[1:]|^2
        (the intercept is not penalised), i.e. scikit-learn's objective with ``lam = 1 / C``."""
        from scipy.special import expit

        beta = np.zeros(exog.shape[1])
        pen = np.full(exog.shape[1], float(lam))
        pen[0] = 0.0
        for _ in range(100):
            mu = expit(exog @ beta)
            grad = exog.T @ (w * (y - mu)) - pen * beta
            hess = (exog.T * (w * mu * (1.0 - mu))) @ exog + np.diag(pen)
            step = np.linalg.solve(hess, grad)
            beta = beta + step
            if np.max(np.abs(step)) < 1e-10:
                break
        mu = np.clip(expit(exog @ beta), 1e-15, 1 - 1e-15)
        llf = float(np.sum(w * (y * np.log(mu) + (1 - y) * np.log1p(-mu))))
        return _PenalisedFit(params=beta, llf=llf, penalty=float(lam))

    @staticmethod
    def _logit(y: np.ndarray, exog: np.ndarray, w: np.ndarray, groups: np.ndarray | None):
        """Unpenalised logit with (clustered) standard errors; raises on non-convergence."""
        from statsmodels.genmod import families
        from statsmodels.genmod.generalized_linear_model import GLM

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if np.allclose(w, 1.0):
                # discrete Logit with Newton steps on the small Hessian: much faster than GLM's
                # IRLS (least squares on the n x p matrix) and the same estimates
                from statsmodels.discrete.discrete_model import Logit
                model = Logit(y, exog)
                res_naive = model.fit(disp=0, method="newton", maxiter=100)
                res = (model.fit(disp=0, method="newton", maxiter=100, start_params=res_naive.params,
                                 cov_type="cluster", cov_kwds={"groups": groups})
                       if groups is not None else res_naive)
            else:
                model = GLM(y, exog, family=families.Binomial(), freq_weights=w)
                res_naive = model.fit()
                res = (model.fit(cov_type="cluster", cov_kwds={"groups": groups})
                       if groups is not None else res_naive)
        if not (np.all(np.isfinite(np.asarray(res.params))) and np.all(np.isfinite(np.asarray(res.bse)))):
            raise np.linalg.LinAlgError("non-finite logit estimates")
        return res, res_naive

    def _sign_rows(self, specs: dict, excluded: dict, coef: pd.Series) -> None:
        rows = []
        for n, s in specs.items():
            exp = s["trend"] if s["trend"] in ("increasing", "decreasing") else None
            issues = []
            if n not in excluded and coef[n] > 0:
                issues.append("positive coefficient on WoE: the effect reverses once the other "
                              "characteristics are in the model")
            if exp and s.get("univariate_trend") and s["univariate_trend"] != exp:
                issues.append(f"default rate is {s['univariate_trend']} in the data, policy "
                              f"expects {exp}")
            if exp and n in excluded:
                issues.append("no monotone pattern in the expected direction: merged to one bin")
            if issues:
                rows.append((n, exp, s.get("univariate_trend"), float(coef[n]), "; ".join(issues)))
        self.sign_warnings_ = pd.DataFrame(rows, columns=["characteristic", "expected_trend",
                                                          "univariate_trend", "coef", "issue"])

    def fit(self, X: pd.DataFrame, y: Any, groups: Any = None,
            sample_weight: Any = None) -> "Scorecard":
        """Fit binning, logit and points.

        Parameters
        ----------
        X : DataFrame
            One row per household, one column per characteristic (numeric or text).
        y : array-like
            1 = default, 0 = performing; missing for households without an outcome (allowed only
            with ``reject_inference="parcelling"``).
        groups : array-like, optional
            Village of each household: standard errors are clustered by it.
        sample_weight : array-like, optional
            Frequency weights.

        Returns
        -------
        self
        """
        self._check_params()
        X = self._check_X(X)
        n = X.shape[0]
        yv = self._check_y(y, n, allow_missing=self.reject_inference == "parcelling")
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float).ravel()
        if w.shape[0] != n or (w < 0).any() or np.isnan(w).any():
            raise CalibInputError("sample_weight: must be n non-negative numbers")
        g = None
        if groups is not None:
            g = pd.Series(np.asarray(groups).ravel())
            if g.shape[0] != n:
                raise CalibInputError(f"groups: length {g.shape[0]} differs from X's {n} rows")
            if g.isna().any():
                raise CalibInputError(f"groups: {int(g.isna().sum())} missing village(s)")
            g = pd.factorize(g)[0]
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = X.shape[1]
        self.classes_ = np.array([0, 1])
        self.factor_, self.offset_ = scaling_constants(self.base_score, self.base_odds, self.pdo)
        obs = ~np.isnan(yv)
        if obs.sum() < 2 or len(np.unique(yv[obs])) < 2:
            raise CalibInputError("y: need both defaults and non-defaults among observed outcomes")
        self.parcelling_ = None
        if self.reject_inference == "parcelling" and not obs.all():
            Xa = X.iloc[np.flatnonzero(obs)]
            self._fit_once(Xa, yv[obs], w[obs], None if g is None else g[obs])
            s_all = self.score_points(X).to_numpy()
            y_aug = self._parcel(s_all, yv, obs)
            self._fit_once(X, y_aug, w, g)
        else:
            keep = np.flatnonzero(obs)
            if keep.size < n:  # only reachable with parcelling and nothing missing
                X = X.iloc[keep]
            self._fit_once(X, yv[obs], w[obs], None if g is None else g[obs])
        return self

    def _parcel(self, s: np.ndarray, y: np.ndarray, obs: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(self.random_state)
        edges = np.unique(np.quantile(s[obs], np.linspace(0, 1, self.parcel_bands + 1)[1:-1]))
        band = np.searchsorted(edges, s, side="right")
        nb = edges.size + 1
        na = np.bincount(band[obs], minlength=nb)
        da = np.bincount(band[obs], weights=y[obs], minlength=nb)
        rate = np.where(na > 0, da / np.maximum(na, 1), np.nanmean(y[obs]))
        p_rej = np.clip(self.parcel_factor * rate, 0, 1)
        rej = np.flatnonzero(~obs)
        nr = np.bincount(band[rej], minlength=nb)
        n_bad = np.rint(p_rej * nr).astype(int)
        # random order inside each band: the first n_bad of each band are labelled default
        key = rng.random(rej.size)
        order = np.lexsort((key, band[rej]))
        rej_sorted = rej[order]
        start = np.concatenate([[0], np.cumsum(nr)[:-1]])
        rank_in_band = np.arange(rej.size) - np.repeat(start, nr)
        lab = (rank_in_band < np.repeat(n_bad, nr)).astype(float)
        y_aug = y.copy()
        y_aug[rej_sorted] = lab
        self.parcelling_ = pd.DataFrame({
            "band": np.arange(nb), "n_accepts": na, "accept_default_rate": rate,
            "n_rejects": nr, "rejects_bad": n_bad})
        return y_aug

    # ---------------------------------------------------------------- scoring
    def _check_fitted(self) -> None:
        check_is_fitted(self, ["binning_", "coef_"])

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Log-odds of default."""
        self._check_fitted()
        X = self._check_X(X)
        W = self._woe_matrix(X)
        return self.intercept_ + W @ self.coef_.to_numpy(dtype=float)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities ``[[P(no default), P(default)], ...]``, shape (n, 2)."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame, threshold: float = 0.5) -> np.ndarray:
        """1 where the PD is at least ``threshold``."""
        return (self.predict_proba(X)[:, 1] >= threshold).astype(int)

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """WoE value of each characteristic (same index and columns as X)."""
        self._check_fitted()
        X = self._check_X(X)
        return pd.DataFrame(self._woe_matrix(X), index=X.index, columns=list(self.binning_))

    def transform_bins(self, X: pd.DataFrame) -> pd.DataFrame:
        """Bin label of each characteristic (``"(no bin)"`` for values without a bin)."""
        self._check_fitted()
        X = self._check_X(X)
        out = {}
        for name, spec in self.binning_.items():
            if name not in X.columns:
                raise CalibInputError(f"X: missing characteristic column {name!r}")
            labs = np.array([b["bin"] for b in spec["bins"]] + ["(no bin)"], dtype=object)
            out[name] = labs[_bin_index(spec, X[name])]
        return pd.DataFrame(out, index=X.index)

    def _bin_points(self) -> dict[str, np.ndarray]:
        k = len(self.binning_) - len(self.excluded_)
        base = (self.offset_ - self.factor_ * self.intercept_) / max(k, 1)
        pts = {}
        for name, spec in self.binning_.items():
            woe = np.array([b["woe"] for b in spec["bins"]] + [0.0])
            b = float(self.coef_[name])
            share = 0.0 if name in self.excluded_ else base
            pts[name] = -self.factor_ * b * woe + share
        return pts

    def score_points(self, X: pd.DataFrame, *, by_characteristic: bool = False) -> pd.Series | pd.DataFrame:
        """Points per household (higher = safer).

        Returns
        -------
        Series ``score`` indexed like X, or with ``by_characteristic=True`` a DataFrame with the
        points of each characteristic and the total in column ``score``. The score equals
        ``Offset + Factor ln(good:bad odds)`` of :meth:`predict_proba`.
        """
        self._check_fitted()
        X = self._check_X(X)
        pts = self._bin_points()
        if not pts:
            base = pd.Series(self.offset_ - self.factor_ * self.intercept_, index=X.index, name="score")
            return base.to_frame() if by_characteristic else base
        cols = {name: pts[name][_bin_index(spec, X[name])] for name, spec in self.binning_.items()}
        df = pd.DataFrame(cols, index=X.index)
        total = df.sum(axis=1)
        if len(self.excluded_) == len(self.binning_):
            total = total + (self.offset_ - self.factor_ * self.intercept_)
        if by_characteristic:
            return df.assign(score=total)
        return total.rename("score")

    def pd_to_score(self, pd_: Any) -> np.ndarray:
        """Points of a PD on this card's scale: ``Offset + Factor ln((1 - pd) / pd)``."""
        p = np.asarray(pd_, dtype=float)
        return self.offset_ + self.factor_ * np.log((1 - p) / p)

    def score_to_pd(self, score: Any) -> np.ndarray:
        """PD of a score on this card's scale."""
        s = np.asarray(score, dtype=float)
        return 1.0 / (1.0 + np.exp((s - self.offset_) / self.factor_))

    def iv_table(self) -> pd.DataFrame:
        """Information value of each characteristic with its reading.

        Returns
        -------
        DataFrame, one row per characteristic, highest IV first
            ``characteristic, iv, reading`` (:func:`iv_reading`), ``n_bins``, ``trend``
            (expected), ``fitted_trend``, ``coefficient``, ``excluded`` (bool).
        """
        self._check_fitted()
        rows = [(n, s["iv"], str(iv_reading(s["iv"])), len(s["bins"]), s.get("trend"),
                 s.get("fitted_trend"), float(self.coef_[n]), n in self.excluded_)
                for n, s in self.binning_.items()]
        t = pd.DataFrame(rows, columns=["characteristic", "iv", "reading", "n_bins", "trend",
                                        "fitted_trend", "coefficient", "excluded"])
        return t.sort_values("iv", ascending=False, kind="stable").reset_index(drop=True)

    def points_table(self) -> pd.DataFrame:
        """One row per characteristic and bin.

        Returns
        -------
        DataFrame
            ``characteristic, bin, count, event_rate, woe, iv, coefficient, points``; ``count``
            and ``event_rate`` are those of the fitting sample, ``iv`` the bin's contribution
            to the information value.
        """
        self._check_fitted()
        pts = self._bin_points()
        rows = []
        for name, spec in self.binning_.items():
            for i, b in enumerate(spec["bins"]):
                rows.append((name, b["bin"], b["count"], b["event_rate"], b["woe"], b["iv"],
                             float(self.coef_[name]), float(pts[name][i])))
        return pd.DataFrame(rows, columns=["characteristic", "bin", "count", "event_rate", "woe",
                                           "iv", "coefficient", "points"])

    # ---------------------------------------------------------------- params round trip
    def to_params(self, *, data_hashes: Mapping[str, str], cutoffs: Any = None,
                  grades: Sequence[str] | None = None, run_id: str | None = None) -> dict:
        """The calibrated card as a plain, YAML-able dict.

        Parameters
        ----------
        data_hashes : mapping
            ``{table: hash}`` of the data the card was fitted on (written as given).
        cutoffs : mapping or GradeCutoffs, optional
            Grade cutoffs ``{grade: minimum score}`` (best first) or a :class:`GradeCutoffs`.
        grades : sequence of str, optional
            Grade names best first (default: the keys of ``cutoffs`` plus the lowest grade from a
            GradeCutoffs).
        run_id : str, optional
            Identifier of the calibration run.

        Returns
        -------
        dict
            ``run_id, scaling {base_score, base_odds, pdo, factor, offset}, intercept,
            characteristics [{name, kind, trend, coefficient, splits | categories,
            special_codes, bins [{bin, count, event_rate, woe, iv, points}]}], excluded,
            weights {name: coefficient}, cutoffs {grade: min score}, grades, data_hashes``.
            Only built-in types (str, float, int, list, dict, None).
        """
        self._check_fitted()
        if data_hashes is None:
            raise CalibParamsError("to_params: data_hashes is required")
        pts = self._bin_points()
        chars = []
        for name, spec in self.binning_.items():
            c: dict[str, Any] = {"name": name, "kind": spec["kind"], "trend": spec["trend"],
                                 "coefficient": float(self.coef_[name])}
            if spec["kind"] == "numeric":
                c["splits"] = [float(v) for v in spec["splits"]]
                c["special_codes"] = [float(v) for v in spec["special_codes"]]
            else:
                c["categories"] = {str(k): str(v) for k, v in spec["categories"].items()}
            c["bins"] = [{"bin": b["bin"], "count": float(b["count"]),
                          "event_rate": None if np.isnan(b["event_rate"]) else float(b["event_rate"]),
                          "woe": float(b["woe"]), "iv": float(b["iv"]),
                          "points": float(pts[name][i])} for i, b in enumerate(spec["bins"])]
            chars.append(c)
        cut: dict[str, float] | None = None
        grade_list = list(grades) if grades is not None else None
        if isinstance(cutoffs, GradeCutoffs):
            cut = cutoffs.as_dict()
            grade_list = grade_list or cutoffs.cutoffs["grade"].astype(str).tolist()
        elif cutoffs is not None:
            cut = {str(k): float(v) for k, v in dict(cutoffs).items()}
        return {
            "run_id": run_id,
            "scaling": {"base_score": float(self.base_score), "base_odds": float(self.base_odds),
                        "pdo": float(self.pdo), "factor": float(self.factor_),
                        "offset": float(self.offset_)},
            "intercept": float(self.intercept_),
            "characteristics": chars,
            "excluded": {str(k): str(v) for k, v in self.excluded_.items()},
            "weights": {str(k): float(v) for k, v in self.coef_.items()},
            "cutoffs": cut,
            "grades": grade_list,
            "data_hashes": {str(k): str(v) for k, v in dict(data_hashes).items()},
        }

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "Scorecard":
        """A fitted card from :meth:`to_params` output; scores new data identically.

        Cutoffs and grades are kept in ``cutoffs_`` and ``grades_`` (use
        :func:`assign_grades`). Statistics that need the fitting data (``coef_table_``) are not
        restored.
        """
        try:
            sc = params["scaling"]
            obj = cls(base_score=sc["base_score"], base_odds=sc["base_odds"], pdo=sc["pdo"])
            specs: dict[str, dict] = {}
            coef = {}
            for c in params["characteristics"]:
                spec: dict[str, Any] = {"name": c["name"], "kind": c["kind"], "trend": c.get("trend"),
                                        "fitted_trend": None, "univariate_trend": None}
                if c["kind"] == "numeric":
                    spec["splits"] = [float(v) for v in c["splits"]]
                    spec["special_codes"] = [float(v) for v in c.get("special_codes") or []]
                elif c["kind"] == "categorical":
                    spec["categories"] = dict(c["categories"])
                else:
                    raise CalibParamsError(f"characteristics[{c['name']!r}].kind: expected "
                                           f"numeric or categorical, got {c['kind']!r}")
                spec["bins"] = [{"bin": b["bin"], "count": float(b["count"]),
                                 "event_rate": float("nan") if b["event_rate"] is None
                                 else float(b["event_rate"]),
                                 "woe": float(b["woe"]), "iv": float(b["iv"])} for b in c["bins"]]
                spec["iv"] = float(sum(b["iv"] for b in spec["bins"]))
                specs[c["name"]] = spec
                coef[c["name"]] = float(c["coefficient"])
            intercept = float(params["intercept"])
        except KeyError as exc:
            raise CalibParamsError(f"scorecard params: missing key {exc.args[0]!r}") from None
        obj.binning_ = specs
        obj.coef_ = pd.Series(coef, name="coef", dtype=float)
        obj.intercept_ = intercept
        obj.excluded_ = dict(params.get("excluded") or {})
        obj.iv_ = pd.Series({n: s["iv"] for n, s in specs.items()}, name="iv")
        obj.feature_names_in_ = np.asarray(list(specs), dtype=object)
        obj.n_features_in_ = len(specs)
        obj.classes_ = np.array([0, 1])
        obj.factor_, obj.offset_ = scaling_constants(obj.base_score, obj.base_odds, obj.pdo)
        obj.cutoffs_ = params.get("cutoffs")
        obj.grades_ = params.get("grades")
        obj.data_hashes_ = dict(params.get("data_hashes") or {})
        obj.parcelling_ = None
        return obj


# --------------------------------------------------------------------------------------------
# grades
# --------------------------------------------------------------------------------------------
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
        ``score`` (``intercept + sum_k w_k x_k``) and ``grade``.

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
    score = intercept + M @ np.array([float(v) for v in w.values()])
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
    obs = ~np.isnan(yv)
    cand = np.unique(np.quantile(s, np.linspace(0, 1, n_candidates + 1)[1:-1]))
    if round_to:
        cand = np.unique(np.round(cand / round_to) * round_to)
    cand = cand[(cand > s.min())]
    # cumulative counts of households, observed and defaults strictly below each candidate
    order = np.sort(s)
    below_n = np.searchsorted(order, cand, side="left").astype(float)
    so, yo = s[obs], yv[obs]
    oo = np.argsort(so, kind="stable")
    so_sorted, yo_sorted = so[oo], yo[oo]
    cum_d = np.concatenate([[0.0], np.cumsum(yo_sorted)])
    pos = np.searchsorted(so_sorted, cand, side="left")
    below_o = pos.astype(float)
    below_d = cum_d[pos]
    N, NO, ND = float(s.size), float(obs.sum()), float(yo.sum())
    m = cand.size
    if m < k - 1:
        raise CalibInputError(f"grade_cutoffs: only {m} distinct candidate scores for {k} grades")
    combo = np.array(list(combinations(range(m), k - 1)), dtype=np.int32)  # ascending indices
    # boundaries, lowest grade first: [0, c1, c2, ..., N]
    def bounds(arr: np.ndarray, tot: float) -> np.ndarray:
        b = arr[combo]
        return np.diff(np.column_stack([np.zeros(len(combo)), b, np.full(len(combo), tot)]), axis=1)
    n_g = bounds(below_n, N)       # households per grade, worst (lowest scores) first
    o_g = bounds(below_o, NO)
    d_g = bounds(below_d, ND)
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
# comparison of current and calibrated weights
# --------------------------------------------------------------------------------------------
class ScorecardComparison(NamedTuple):
    """Result of :func:`compare_scorecards`."""

    auc: pd.DataFrame
    """DeLong test, one row: auc_current, auc_calibrated, auc_diff, se_diff, ci, z, p_value."""
    lr: pd.DataFrame
    """Likelihood-ratio tests of nested logits: test, restricted, full, llf_restricted,
    llf_full, df, lr_stat, p_value."""
    migration: pd.DataFrame
    """Households by current grade (rows) and calibrated grade (columns)."""
    changes: pd.DataFrame
    """Households whose grade changes: current_score, current_grade, calibrated_score,
    calibrated_grade, direction (up / down), default (if known)."""


def _logit_llf(y: np.ndarray, X: np.ndarray) -> float:
    """Log-likelihood of a logit with intercept; linearly dependent columns are dropped (a
    model with a redundant column has the same likelihood)."""
    import statsmodels.api as sm
    X = sm.add_constant(np.asarray(X, dtype=float), has_constant="add")
    _, r = np.linalg.qr(X)
    d = np.abs(np.diag(r))
    keep = d > 1e-9 * d.max()
    X = X[:, keep]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(sm.Logit(y, X).fit(disp=0, maxiter=100).llf)


def compare_scorecards(current: pd.DataFrame, calibrated: pd.DataFrame, y: Any, *,
                       X: pd.DataFrame | None = None, weights: Mapping[str, float] | None = None,
                       grades: Sequence[str] = ("AAA", "AA", "A", "B"),
                       alpha: float = 0.05) -> ScorecardComparison:
    """Compare the bank's current scorecard with a calibrated one on the same households.

    Parameters
    ----------
    current, calibrated : DataFrame
        Same index (households), columns ``score`` (higher = safer) and ``grade``; e.g.
        :func:`score_current` and ``pd.DataFrame({"score": card.score_points(X), "grade": ...})``.
    y : array-like or Series
        Default 0/1 aligned with the frames, missing for households without an outcome
        (those enter the migration and changes tables but not the tests).
    X, weights : optional
        Raw characteristics and current weights: adds the LR test of the current fixed weights
        against free logit weights on the same characteristics.
    grades : sequence of str
        Grade order, best first.
    alpha : float
        Level of the AUC-difference confidence interval.

    Returns
    -------
    ScorecardComparison
        ``auc``, ``lr``, ``migration``, ``changes`` (see the class).

    Notes
    -----
    AUCs and their difference: DeLong test (:func:`calib.validation.delong_auc_cov`). LR tests
    (all nested): (1) ``calibrated adds to current``: logit of default on the current score
    against the current and calibrated scores (df 1); (2) the reverse; (3) with ``X`` and
    ``weights``: the current score (one free slope: weights fixed in ratio) against free slopes
    on each weighted characteristic (df K - 1). ``LR = 2 (llf_full - llf_restricted)`` is
    chi-square under the restricted model; defaults clustered in villages make it liberal.

    References
    ----------
    DeLong et al. (1988), *Biometrics* 44, 837-845. Wilks, S. S. (1938). The large-sample
    distribution of the likelihood ratio for testing composite hypotheses. *Ann. Math. Statist.*
    9, 60-62.
    """
    for fr, name in ((current, "current"), (calibrated, "calibrated")):
        if "score" not in fr.columns:
            raise CalibInputError(f"{name}: missing column 'score'")
    if not current.index.equals(calibrated.index):
        raise CalibInputError("current and calibrated: indexes differ (align them by household)")
    yser = y if isinstance(y, pd.Series) else pd.Series(np.asarray(y).ravel(), index=current.index)
    if isinstance(y, pd.Series) and not y.index.equals(current.index):
        yser = y.reindex(current.index)
    yv = pd.to_numeric(yser, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if yv.shape[0] != current.shape[0]:
        raise CalibInputError("y: length differs from the frames")
    obs = ~np.isnan(yv)
    sc = current["score"].to_numpy(dtype=float)
    sk = calibrated["score"].to_numpy(dtype=float)
    yo = yv[obs]
    aucs, cov = delong_auc_cov(yo, np.vstack([-sc[obs], -sk[obs]]))
    diff = aucs[1] - aucs[0]
    se = float(np.sqrt(max(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1], 0.0)))
    zq = stats.norm.ppf(1 - alpha / 2)
    z = diff / se if se > 0 else 0.0
    auc = pd.DataFrame({
        "auc_current": [aucs[0]], "auc_calibrated": [aucs[1]], "auc_diff": [diff],
        "se_diff": [se], "ci_low": [diff - zq * se], "ci_high": [diff + zq * se], "z": [z],
        "p_value": [2 * stats.norm.sf(abs(z)) if se > 0 else 1.0],
        "n": [int(obs.sum())], "n_defaults": [int(yo.sum())]})
    # likelihood-ratio tests; scores standardised for numerical stability
    zc = (sc[obs] - sc[obs].mean()) / (sc[obs].std() or 1.0)
    zk = (sk[obs] - sk[obs].mean()) / (sk[obs].std() or 1.0)
    ll_c, ll_k = _logit_llf(yo, zc[:, None]), _logit_llf(yo, zk[:, None])
    ll_ck = _logit_llf(yo, np.column_stack([zc, zk]))
    rows = [("calibrated adds to current", "current score", "current + calibrated scores",
             ll_c, ll_ck, 1), ("current adds to calibrated", "calibrated score",
                                "current + calibrated scores", ll_k, ll_ck, 1)]
    if X is not None and weights is not None:
        w = {k: v for k, v in dict(weights).items() if k != "intercept" and float(v) != 0.0}
        miss = [k for k in w if k not in X.columns]
        if miss:
            raise CalibParamsError(f"weights: characteristic(s) {miss} not in X")
        Xm = X.loc[current.index, list(w)].to_numpy(dtype=float)[obs]
        Xm = (Xm - Xm.mean(axis=0)) / np.where(Xm.std(axis=0) > 0, Xm.std(axis=0), 1.0)
        ll_free = _logit_llf(yo, Xm)
        rows.append(("free weights vs current ratios", "current score (fixed weight ratios)",
                     f"free slopes on {list(w)}", ll_c, ll_free, len(w) - 1))
    lr = pd.DataFrame(rows, columns=["test", "restricted", "full", "llf_restricted", "llf_full", "df"])
    lr["lr_stat"] = np.maximum(2 * (lr["llf_full"] - lr["llf_restricted"]), 0.0)
    lr["p_value"] = stats.chi2.sf(lr["lr_stat"], lr["df"].clip(lower=1))
    lr.loc[lr["df"] < 1, "p_value"] = np.nan
    # migration
    order = {g: i for i, g in enumerate(grades)}
    gc = current["grade"].astype(str) if "grade" in current else None
    gk = calibrated["grade"].astype(str) if "grade" in calibrated else None
    if gc is None or gk is None:
        raise CalibInputError("current and calibrated: need a 'grade' column for the migration")
    mig = pd.crosstab(pd.Categorical(gc, categories=list(grades)),
                      pd.Categorical(gk, categories=list(grades)), dropna=False)
    mig.index.name, mig.columns.name = "current_grade", "calibrated_grade"
    rc = gc.map(order).to_numpy(dtype=float, na_value=np.nan)
    rk = gk.map(order).to_numpy(dtype=float, na_value=np.nan)
    changed = rc != rk
    changes = pd.DataFrame({
        "current_score": sc, "current_grade": gc.to_numpy(), "calibrated_score": sk,
        "calibrated_grade": gk.to_numpy(),
        "direction": np.where(rk < rc, "up", "down"), "default": yv}, index=current.index)[changed]
    return ScorecardComparison(auc, lr, mig, changes)


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


# --------------------------------------------------------------------------------------------
# cross-validation
# --------------------------------------------------------------------------------------------
class CrossValidation(NamedTuple):
    """Result of :func:`cross_validate`."""

    folds: pd.DataFrame
    """Per fold: ``fold, n_train, n_test, defaults_test, auc, ks``."""
    auc_mean: float
    """Mean of the fold AUCs."""
    auc_pooled: float
    """AUC of the pooled out-of-fold PDs."""
    ks_pooled: float
    """KS of the pooled out-of-fold PDs."""
    oof_pd: pd.Series
    """Out-of-fold PD of each household with an outcome (index of X)."""


def cross_validate(estimator: Scorecard, X: pd.DataFrame, y: Any, *, groups: Any = None,
                   n_splits: int = 5,
                   random_state: int | np.random.Generator | None = None) -> CrossValidation:
    """Stratified k-fold out-of-fold AUC and KS of a scorecard (no in-sample optimism).

    Parameters
    ----------
    estimator : Scorecard
        An unfitted card (cloned for each fold, binning included).
    X : DataFrame
        Characteristics.
    y : array-like
        Default 0/1; rows with a missing outcome are used for training only when the card does
        reject inference, and never tested on.
    groups : array-like, optional
        Village of each row (clustered standard errors inside each fold's fit).
    n_splits : int, default 5
        Folds; reduced to the number of defaults (or non-defaults) when fewer.
    random_state : int or Generator, optional
        Seed of the fold assignment (``StratifiedKFold(shuffle=True)``).

    Returns
    -------
    CrossValidation
        ``folds``, ``auc_mean``, ``auc_pooled``, ``ks_pooled``, ``oof_pd``.

    Raises
    ------
    CalibInputError
        With fewer than 2 defaults or non-defaults among the observed outcomes.

    Notes
    -----
    Binning and logit are refitted on each training fold, so the AUC is an honest estimate of
    performance on new households from the same programme (Hastie, Tibshirani, Friedman 2009,
    sec. 7.10). KS: :func:`scipy.stats.ks_2samp` between the PDs of defaults and non-defaults.
    """
    from sklearn.base import clone
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    if not isinstance(X, pd.DataFrame):
        raise CalibInputError(f"X: expected a DataFrame, got {type(X).__name__}")
    yv = Scorecard._check_y(y, X.shape[0], allow_missing=True)
    g = None if groups is None else np.asarray(groups).ravel()
    obs = np.flatnonzero(~np.isnan(yv))
    yo = yv[obs]
    n_bad, n_good = int(yo.sum()), int((1 - yo).sum())
    k = min(int(n_splits), n_bad, n_good)
    if k < 2:
        raise CalibInputError(f"cross_validate: need at least 2 defaults and 2 non-defaults, got "
                              f"{n_bad} and {n_good}")
    seed = random_state if not isinstance(random_state, np.random.Generator) else \
        int(random_state.integers(2**31 - 1))
    skf = StratifiedKFold(k, shuffle=True, random_state=seed)
    unobs = np.flatnonzero(np.isnan(yv))
    use_rej = getattr(estimator, "reject_inference", "none") == "parcelling"
    oof = np.full(obs.size, np.nan)
    rows = []
    for f, (tr, te) in enumerate(skf.split(np.zeros(obs.size), yo)):  # loop over folds
        tr_rows = obs[tr] if not use_rej else np.concatenate([obs[tr], unobs])
        est = clone(estimator)
        est.fit(X.iloc[tr_rows], yv[tr_rows], groups=None if g is None else g[tr_rows])
        p = est.predict_proba(X.iloc[obs[te]])[:, 1]
        oof[te] = p
        yt = yo[te]
        rows.append((f + 1, tr_rows.size, te.size, int(yt.sum()), roc_auc_score(yt, p),
                     float(stats.ks_2samp(p[yt == 1], p[yt == 0]).statistic)))
    folds = pd.DataFrame(rows, columns=["fold", "n_train", "n_test", "defaults_test", "auc", "ks"])
    return CrossValidation(folds, float(folds["auc"].mean()), float(roc_auc_score(yo, oof)),
                           float(stats.ks_2samp(oof[yo == 1], oof[yo == 0]).statistic),
                           pd.Series(oof, index=X.index[obs], name="oof_pd"))
