"""The scorecard estimator: binning, WoE logit with village-clustered inference, points.

:class:`Scorecard` is a scikit-learn compatible classifier. Binning lives in
:mod:`calib.scorecard.binning`, the logit in :func:`calib._stats.fit_logit`, the points in
:mod:`calib.scorecard.points` and the YAML round trip in :mod:`calib.scorecard.persist`; the class
ties them together and keeps the fitted state.

Conventions: ``y`` is 1 for default; WoE is ``ln(%good / %bad)`` (Siddiqi), so a higher WoE is a
safer bin and the logit coefficients of default on WoE are expected to be **negative**; points
are higher for safer households; ``monotone_trend`` describes the trend of the **default rate**
as the characteristic increases (``"decreasing"`` for integrity: higher rating, fewer defaults).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from calib import _stats
from calib.errors import CalibInputError, CalibParamsError
from calib.scorecard.binning import bin_labels, fit_binning, woe_matrix
from calib.scorecard.persist import card_from_params, card_to_params
from calib.scorecard.points import PointsMixin, scaling_constants

__all__ = ["Scorecard", "check_y", "RIDGE_FALLBACK"]

RIDGE_FALLBACK = _stats.RIDGE_FALLBACK
_TRENDS = ("increasing", "decreasing", "auto", None)


def _check_params(sc: "Scorecard") -> None:
    """Raise :class:`CalibParamsError` naming the first invalid parameter of ``sc``."""
    if sc.reject_inference not in ("none", "parcelling"):
        raise CalibParamsError("scorecard.reject_inference: expected 'none' or 'parcelling', "
                               f"got {sc.reject_inference!r}")
    if not (isinstance(sc.max_bins, (int, np.integer)) and sc.max_bins >= 2):
        raise CalibParamsError(f"scorecard.max_bins: expected an integer >= 2, got {sc.max_bins!r}")
    if not (isinstance(sc.min_iv, (int, float, np.floating)) and sc.min_iv >= 0):
        raise CalibParamsError(f"scorecard.min_iv: expected a number >= 0, got {sc.min_iv!r}")
    if sc.C is not None and not (isinstance(sc.C, (int, float, np.floating)) and sc.C > 0):
        raise CalibParamsError(f"scorecard.C: expected a number > 0 or None, got {sc.C!r}")
    if not 0 <= sc.min_bin_share < 0.5:
        raise CalibParamsError(f"scorecard.min_bin_share: expected in [0, 0.5), got "
                               f"{sc.min_bin_share!r}")
    if sc.wild_bootstrap not in ("auto", True, False):
        raise CalibParamsError(f"scorecard.wild_bootstrap: expected 'auto', True or False, got "
                               f"{sc.wild_bootstrap!r}")
    if not isinstance(sc.intervals, (bool, np.bool_)):
        raise CalibParamsError(f"intervals: expected True or False, got {sc.intervals!r}")
    for k, v in (sc.monotone_trend or {}).items():
        if v not in _TRENDS:
            raise CalibParamsError(f"monotone_trend[{k!r}]: expected one of {_TRENDS}, got {v!r}")
    if sc.default_trend not in _TRENDS:
        raise CalibParamsError(f"default_trend: expected one of {_TRENDS}, got {sc.default_trend!r}")
    scaling_constants(sc.base_score, sc.base_odds, sc.pdo)


def check_X(X: Any) -> pd.DataFrame:
    """``X`` if it is a DataFrame, else :class:`CalibInputError`."""
    if not isinstance(X, pd.DataFrame):
        raise CalibInputError("X: expected a pandas DataFrame of characteristics, got "
                              f"{type(X).__name__}")
    return X


def check_y(y: Any, n: int, allow_missing: bool) -> np.ndarray:
    """Outcomes as floats 0/1 (NaN for missing when ``allow_missing``), of length ``n``."""
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


def _check_groups(groups: Any, n: int) -> np.ndarray | None:
    if groups is None:
        return None
    g = pd.Series(np.asarray(groups).ravel())
    if g.shape[0] != n:
        raise CalibInputError(f"groups: length {g.shape[0]} differs from X's {n} rows")
    if g.isna().any():
        raise CalibInputError(f"groups: {int(g.isna().sum())} missing village(s)")
    return pd.factorize(g)[0]


def _coef_table(fit: _stats.LogitFit, labels: list[str], wild: np.ndarray) -> pd.DataFrame:
    ci = fit.conf_int(0.05)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = fit.se / fit.se_naive
    return pd.DataFrame({
        "characteristic": labels, "coef": fit.params, "se": fit.se, "z": fit.tvalues,
        "df": fit.df, "p_value": fit.pvalues, "ci_low": ci[:, 0], "ci_high": ci[:, 1],
        "se_naive": fit.se_naive, "se_ratio": ratio, "cov_type": fit.cov_type,
        "n_clusters": fit.n_clusters if fit.n_clusters is not None else np.nan,
        "p_value_wild": wild})


#: Two-sided p-value below which the data's own trend (Spearman) counts against the policy's:
#: the conventional 5% level (report 04 states it beside the sign warnings).
SIGN_ALPHA = 0.05


def _sign_warnings(specs: dict, excluded: dict, coef: pd.Series) -> pd.DataFrame:
    rows = []
    for n, s in specs.items():
        exp = s["trend"] if s["trend"] in ("increasing", "decreasing") else None
        p = s.get("univariate_p")
        issues = []
        if n not in excluded and coef[n] > 0:
            issues.append("positive coefficient on WoE: the effect reverses once the other "
                          "characteristics are in the model")
        # a trend against the policy only when the data show one (a rank correlation of 0.01
        # is no direction: the monotone bins then follow the policy, as they should)
        if (exp and s.get("univariate_trend") and s["univariate_trend"] != exp
                and p is not None and p < SIGN_ALPHA):
            issues.append(f"default rate is {s['univariate_trend']} in the data (Spearman "
                          f"p = {p:.3g}), policy expects {exp}")
        if exp and str(excluded.get(n, "")).startswith("single bin"):
            issues.append("no monotone pattern in the expected direction: merged to one bin")
        if issues:
            rows.append((n, exp, s.get("univariate_trend"), p, float(coef[n]), "; ".join(issues)))
    return pd.DataFrame(rows, columns=["characteristic", "expected_trend", "univariate_trend",
                                       "univariate_p", "coef", "issue"])


def _excluded(specs: dict, W: np.ndarray, min_iv: float) -> dict[str, str]:
    names = list(specs)
    out = {n: "single bin (no discrimination after binning)" for i, n in enumerate(names)
           if len(specs[n]["bins"]) < 2 or np.ptp(W[:, i]) == 0}
    for n, s in specs.items():  # characteristic selection: Siddiqi's IV < 0.02 is unpredictive
        if n not in out and s["iv"] < min_iv:
            out[n] = f"information value {s['iv']:.3f} below min_iv {min_iv:g}"
    return out


def _parcel(s: np.ndarray, y: np.ndarray, obs: np.ndarray, *, bands: int, factor: float,
            rng: np.random.Generator) -> tuple[np.ndarray, pd.DataFrame]:
    """Outcomes for the non-drawers by parcelling, and the per-band table."""
    edges = np.unique(np.quantile(s[obs], np.linspace(0, 1, bands + 1)[1:-1]))
    band = np.searchsorted(edges, s, side="right")
    nb = edges.size + 1
    na = np.bincount(band[obs], minlength=nb)
    da = np.bincount(band[obs], weights=y[obs], minlength=nb)
    rate = np.where(na > 0, da / np.maximum(na, 1), np.nanmean(y[obs]))
    p_rej = np.clip(factor * rate, 0, 1)
    rej = np.flatnonzero(~obs)
    nr = np.bincount(band[rej], minlength=nb)
    n_bad = np.rint(p_rej * nr).astype(int)
    # random order inside each band: the first n_bad of each band are labelled default
    order = np.lexsort((rng.random(rej.size), band[rej]))
    start = np.concatenate([[0], np.cumsum(nr)[:-1]])
    rank_in_band = np.arange(rej.size) - np.repeat(start, nr)
    y_aug = y.copy()
    y_aug[rej[order]] = (rank_in_band < np.repeat(n_bad, nr)).astype(float)
    table = pd.DataFrame({"band": np.arange(nb), "n_accepts": na, "accept_default_rate": rate,
                          "n_rejects": nr, "rejects_bad": n_bad})
    return y_aug, table


def _wild_p_values(card: "Scorecard", fit: _stats.LogitFit, y: np.ndarray, exog: np.ndarray,
                   w: np.ndarray, groups: np.ndarray | None) -> np.ndarray:
    """Wild cluster bootstrap p-value of each coefficient but the intercept (NaN where not
    computed: no groups, a single village, a penalised fit, or many villages under "auto")."""
    out = np.full(exog.shape[1], np.nan)
    G = fit.n_clusters or 0
    run = card.wild_bootstrap is True or (card.wild_bootstrap == "auto" and G < _stats.FEW_CLUSTERS)
    if groups is None or G < 2 or fit.cov_type != "cluster" or not run:
        return out
    rs = card.random_state
    rng = np.random.default_rng(rs.integers(2**31 - 1) if isinstance(rs, np.random.Generator) else rs)
    for k in range(1, exog.shape[1]):  # loop over a handful of characteristics
        out[k] = _stats.wild_cluster_score_test(y, exog, groups, k, weights=w,
                                                n_boot=card.n_boot, random_state=rng)[1]
    return out


class Scorecard(PointsMixin, ClassifierMixin, BaseEstimator):
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
    max_bins : int, default 8
        Maximum number of regular bins per characteristic (params ``scorecard.max_bins``).
    min_bin_share : float, default 0.03
        Minimum share of households in a regular bin (params ``scorecard.min_bin_share``):
        3 % is 30 households per 1,000, the usual minimum count for a stable default rate.
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
    C : float or None, default 1.0
        Inverse strength of an L2 penalty on the WoE coefficients, as in scikit-learn's
        ``LogisticRegression(C=...)`` (the intercept is not penalised). The default 1.0 is a
        normal prior N(0, 1) on each WoE coefficient: a characteristic alone has coefficient
        -1 on its own WoE, so the prior allows any plausible weight and only tames the
        collinear, thin ones; it predicts best out of sample (``benchmarks/bench_scorecard.py``).
        ``None`` fits the unpenalised logit with village-clustered standard errors: the
        interpretable **official card**, and what :meth:`from_config` builds unless the
        parameter file sets ``C``. A penalised fit has no standard errors (``coef_table_`` shows
        NaN) and says so in ``fit_note_``.
    wild_bootstrap : {"auto", True, False}, default "auto"
        Add wild cluster bootstrap p-values (``p_value_wild`` in ``coef_table_``; restricted
        score bootstrap, Webb weights up to 12 villages, :func:`calib._stats.wild_cluster_score_test`):
        ``"auto"`` when the fit is clustered on fewer than 30 villages.
    n_boot : int, default 9999
        Draws of the wild cluster bootstrap.
    intervals : bool, default True
        Compute the profile penalised-likelihood intervals and p-values of the Firth fallback
        (separated data; ``fit_logit(..., intervals=...)``), up to thousands of constrained
        refits. :func:`~calib.scorecard.crossval.cross_validate` turns it off for its fold
        refits, which use only the estimates: ``p_value``, ``ci_low`` and ``ci_high`` of such
        a fit are NaN and ``fit_note_`` says so. The estimates, the points and the other fits
        are the same either way.
    random_state : int or numpy.random.Generator, optional
        Seed of the random assignment in parcelling and of the bootstrap draws.

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
        ``characteristic, coef, se, z, df, p_value, ci_low, ci_high, se_naive, se_ratio,
        cov_type, n_clusters, p_value_wild``: the logit coefficient table; ``se`` is clustered
        by village (CR1) when ``groups`` was passed to ``fit`` (``se_naive`` is the model-based
        one), ``z`` is coef / se, and ``p_value`` and the 95 % interval use t(``df``) with
        ``df`` = villages - 1 (Cameron & Miller 2015; infinite, i.e. normal, without groups).
        ``p_value_wild`` is the wild cluster bootstrap p-value (NaN when not computed).
    sign_warnings_ : DataFrame
        ``characteristic, expected_trend, univariate_trend, univariate_p, coef, issue``:
        characteristics whose estimated effect contradicts the expected trend (a positive
        coefficient on WoE), whose default rate runs against it in the data (Spearman's rank
        correlation, two-sided p below :data:`SIGN_ALPHA`), or that binning merged to one bin;
        reported, not dropped.
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
        not be fitted (perfect separation on thin data), in which case standard errors are NaN,
        or the model-based standard errors used when all households are in one village.
    logit_result_ : calib._stats.LogitFit
        The fitted logit (``result`` holds the statsmodels results of a maximum-likelihood fit).

    Notes
    -----
    Binning: quantile pre-bins, pool-adjacent-violators merging until the default rate is
    strictly monotone in the expected direction, then merging of bins below ``min_bin_share``
    and of the most similar neighbours down to ``max_bins``. Missing values and special codes
    have bins of their own; text categories below ``min_bin_share`` are pooled as ``"other"``
    (which also receives categories unseen in ``fit``). A value with no bin (e.g. missing when
    no missing value was seen in ``fit``) gets WoE 0, the sample average.
    WoE = ln(%good/%bad) with 0.5 added to empty cells. The logit of default on the WoE values is
    fitted by :func:`calib._stats.fit_logit`; with ``groups`` the covariance is the CR1
    cluster-robust sandwich ``G/(G-1) (N-1)/(N-K)`` (K counts the intercept; nothing is
    absorbed), since defaults in a village move together, and intervals and p-values use
    t(G - 1) (Cameron & Miller 2015). With fewer than 30 villages the wild cluster score
    bootstrap p-value is added (``p_value_wild``); with one village the model-based variance is
    used and ``fit_note_`` says so. When the WoE values separate defaults from non-defaults
    (maximum likelihood does not exist) the unpenalised card is Firth's penalised logit
    (``cov_type`` ``"firth"``, model-based standard errors, ``fit_note_`` naming the separation).
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
                 special_codes: Mapping[str, Sequence[float]] | None = None, max_bins: int = 8,
                 min_bin_share: float = 0.03, n_prebins: int = 20, base_score: float = 600,
                 base_odds: float = 50, pdo: float = 20, reject_inference: str = "none",
                 parcel_bands: int = 10, parcel_factor: float = 1.0, min_iv: float = 0.0,
                 C: float | None = 1.0, wild_bootstrap: str | bool = "auto", n_boot: int = 9999,
                 intervals: bool = True,
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
        self.wild_bootstrap = wild_bootstrap
        self.n_boot = n_boot
        self.intervals = intervals
        self.random_state = random_state

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], **overrides: Any) -> "Scorecard":
        """The official card from the ``scorecard:`` block of a parameter file (keys base_score,
        base_odds, pdo, max_bins, min_bin_share, reject_inference, min_iv, C; others ignored).

        Unpenalised (``C=None``: weights with village-clustered standard errors) unless the block
        sets ``C``; the constructor's default ``C=1.0`` is the better predictor, the official
        card the interpretable one."""
        keys = ("base_score", "base_odds", "pdo", "max_bins", "min_bin_share", "reject_inference",
                "min_iv", "C")
        kw = {"C": None} | {k: cfg[k] for k in keys if k in cfg}
        kw.update(overrides)
        return cls(**kw)

    # ---------------------------------------------------------------- fitting
    def _trend_for(self, name: str) -> str | None:
        mt = self.monotone_trend or {}
        return mt[name] if name in mt else self.default_trend

    def _fit_once(self, X: pd.DataFrame, y: np.ndarray, w: np.ndarray,
                  groups: np.ndarray | None) -> None:
        specs = fit_binning(X, y, w, trend_for=self._trend_for, categorical=self.categorical or (),
                            special_codes=self.special_codes, max_bins=self.max_bins,
                            min_bin_share=self.min_bin_share, n_prebins=self.n_prebins)
        W = woe_matrix(specs, X)
        names = list(specs)
        excluded = _excluded(specs, W, self.min_iv)
        use = [i for i, n in enumerate(names) if n not in excluded]
        exog = np.column_stack([np.ones(W.shape[0]), W[:, use]])
        fit = _stats.fit_logit(y, exog, groups=groups, weights=w, C=self.C,
                               intervals=self.intervals)
        self.fit_note_ = fit.note
        self.coef_table_ = _coef_table(fit, ["(intercept)"] + [names[i] for i in use],
                                       _wild_p_values(self, fit, y, exog, w, groups))
        coef = pd.Series(0.0, index=names, name="coef")
        coef.iloc[use] = fit.params[1:]
        self.binning_, self.coef_, self.intercept_ = specs, coef, float(fit.params[0])
        self.excluded_ = excluded
        self.iv_ = pd.Series({n: s["iv"] for n, s in specs.items()}, name="iv")
        self.logit_result_ = fit
        self.sign_warnings_ = _sign_warnings(specs, excluded, coef)

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
            Village of each household: standard errors are clustered by it (with a single
            village, model-based standard errors are used and ``fit_note_`` says so).
        sample_weight : array-like, optional
            Frequency weights.

        Returns
        -------
        self
        """
        _check_params(self)
        X = check_X(X)
        n = X.shape[0]
        yv = check_y(y, n, allow_missing=self.reject_inference == "parcelling")
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float).ravel()
        if w.shape[0] != n or (w < 0).any() or np.isnan(w).any():
            raise CalibInputError("sample_weight: must be n non-negative numbers")
        g = _check_groups(groups, n)
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = X.shape[1]
        self.classes_ = np.array([0, 1])
        self.factor_, self.offset_ = scaling_constants(self.base_score, self.base_odds, self.pdo)
        obs = ~np.isnan(yv)
        if obs.sum() < 2 or len(np.unique(yv[obs])) < 2:
            raise CalibInputError("y: need both defaults and non-defaults among observed outcomes")
        self.parcelling_ = None
        keep = np.flatnonzero(obs)
        self._fit_once(X.iloc[keep], yv[keep], w[keep], None if g is None else g[keep])
        if self.reject_inference == "parcelling" and not obs.all():
            rng = np.random.default_rng(self.random_state)
            y_aug, self.parcelling_ = _parcel(self.score_points(X).to_numpy(), yv, obs,
                                              bands=self.parcel_bands, factor=self.parcel_factor,
                                              rng=rng)
            self._fit_once(X, y_aug, w, g)
        return self

    # ---------------------------------------------------------------- scoring
    def _check_fitted(self) -> None:
        check_is_fitted(self, ["binning_", "coef_"])

    _check_X = staticmethod(check_X)
    _check_y = staticmethod(check_y)

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Log-odds of default."""
        self._check_fitted()
        W = woe_matrix(self.binning_, check_X(X))
        # households in the same bins get the same log-odds on every CPU
        return _stats.ordered_dot(W, self.coef_.to_numpy(dtype=float), self.intercept_)

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
        X = check_X(X)
        return pd.DataFrame(woe_matrix(self.binning_, X), index=X.index, columns=list(self.binning_))

    def transform_bins(self, X: pd.DataFrame) -> pd.DataFrame:
        """Bin label of each characteristic (``"(no bin)"`` for values without a bin)."""
        self._check_fitted()
        return bin_labels(self.binning_, check_X(X))

    # ---------------------------------------------------------------- params round trip
    def to_params(self, *, data_hashes: Mapping[str, str], cutoffs: Any = None,
                  grades: Sequence[str] | None = None, run_id: str | None = None) -> dict:
        """The calibrated card as a plain, YAML-able dict (:func:`~calib.scorecard.persist.card_to_params`)."""
        return card_to_params(self, data_hashes=data_hashes, cutoffs=cutoffs, grades=grades,
                              run_id=run_id)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "Scorecard":
        """A fitted card from :meth:`to_params` output; scores new data identically
        (:func:`~calib.scorecard.persist.card_from_params`). Cutoffs and grades are kept in
        ``cutoffs_`` and ``grades_`` (use :func:`assign_grades`)."""
        return card_from_params(cls, params)
