"""Statistics shared by the scorecard, the comparison and the points pricing.

- :func:`fit_logit` — one logistic regression for the whole package: Newton-Raphson maximum
  likelihood with standard errors clustered by village (CR1), t(G-1) critical values, an L2
  penalty on request, Firth's penalised likelihood (said in ``note``) when the data separate
  and a ridge fallback (said in ``note``) when the Hessian is singular.
- :func:`separation` — whether a logit's data are completely or quasi-completely separated
  (linear programme of Konis 2007), so that maximum likelihood estimates do not exist.
- :func:`firth_logit` — Firth's bias-reduced (Jeffreys-prior penalised) logit.
- :func:`ridge_logit` — the L2-penalised logit (scikit-learn's objective with ``C``).
- :func:`wild_cluster_score_test` — the restricted wild cluster (score) bootstrap p-value of one
  logit coefficient, for the few-village case; :func:`wild_cluster_pvalues` — the restricted
  wild cluster bootstrap-t of a linear model (gap drivers). One implementation: shared weights
  (:func:`wild_weights`: Webb / Rademacher, every vector enumerated when few) and p-value rule
  (:func:`wild_p_value`).
- :func:`cluster_t_crit` — the t(G-1) critical value (Cameron & Miller 2015).
- :func:`cluster_codes` — integer cluster codes of a table's column (at least two clusters);
  :func:`se_method` — how a :class:`LogitFit`'s standard errors were computed, in words;
  :func:`fit_logit_replicate` — a refit on a bootstrap replicate (constant columns left out,
  Firth when the replicate is separated).
- :func:`jeffreys_interval`, :func:`jeffreys_p` — the Jeffreys interval and one-sided p-value
  of a default rate.

Nothing here reads a programme: arrays in, arrays (or a small result) out (``cluster_codes``
reads one column of the frame it is given, to name it in its errors).
"""
from __future__ import annotations

import itertools
import math
import warnings
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats
from scipy.linalg import lapack as _lapack
from scipy.special import expit

from calib.errors import CalibInputError

__all__ = [
    "LogitFit",
    "fit_logit",
    "ridge_logit",
    "firth_logit",
    "firth_profile",
    "separation",
    "Separation",
    "wild_cluster_score_test",
    "WildScoreTest",
    "wild_cluster_pvalues",
    "wild_weights",
    "wild_p_value",
    "cluster_t_crit",
    "cluster_codes",
    "se_method",
    "fit_logit_reduced",
    "fit_logit_replicate",
    "jeffreys_interval",
    "jeffreys_p",
    "RIDGE_FALLBACK",
    "FEW_CLUSTERS",
]

#: Ridge strength (per observation) of the fallback fit when the unpenalised logit does not converge.
RIDGE_FALLBACK = 0.01
#: Below this many clusters, cluster-robust Wald inference is unreliable and the wild cluster
#: bootstrap is reported as well (Cameron, Gelbach & Miller 2008; Cameron & Miller 2015, sec. VI).
FEW_CLUSTERS = 30


class LogitFit(NamedTuple):
    """Result of :func:`fit_logit`."""

    params: np.ndarray
    """Coefficients, in the order of the columns of ``X`` (intercept included if given)."""
    se: np.ndarray
    """Standard errors: CR1 cluster-robust with groups, model-based otherwise (and for the
    Firth fallback); NaN when L2-penalised."""
    se_naive: np.ndarray
    """Model-based (inverse information) standard errors; NaN when penalised."""
    df: float
    """Degrees of freedom of the t reference distribution: G - 1 when clustered, inf otherwise."""
    cov_type: str
    """``"cluster"``, ``"nonrobust"``, ``"firth"`` (separated data) or ``"penalised"``."""
    n_clusters: int | None
    """Number of clusters (None without groups)."""
    llf: float
    """Log-likelihood (unpenalised part) at the estimates."""
    note: str
    """Empty for a regular fit; otherwise what was done instead and why."""
    result: Any = None
    """The statsmodels results object of a maximum-likelihood fit (None when penalised)."""
    profile_ci: np.ndarray | None = None
    """Firth fallback only: ``(k, 2)`` 95 % profile penalised-likelihood intervals (all NaN
    when fitted with ``intervals=False``; an end that could not be established is the Wald one,
    counted in ``note``: :func:`firth_profile`)."""
    profile_p: np.ndarray | None = None
    """Firth fallback only: penalised likelihood-ratio p-values of ``beta_j = 0`` (all NaN
    when fitted with ``intervals=False``; one that could not be established is the Wald one,
    counted in ``note``)."""

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """``(k, 2)`` interval: Wald ``params -/+ q se`` with ``q`` the t(df) quantile; for the
        Firth fallback at ``alpha = 0.05``, the profile penalised-likelihood interval (NaN when
        it was not computed: ``fit_logit(..., intervals=False)``)."""
        if self.profile_ci is not None and alpha == 0.05:
            return self.profile_ci
        q = stats.t.ppf(1 - alpha / 2, self.df) if np.isfinite(self.df) else stats.norm.ppf(1 - alpha / 2)
        return np.column_stack([self.params - q * self.se, self.params + q * self.se])

    @property
    def tvalues(self) -> np.ndarray:
        """``params / se``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.params / self.se

    @property
    def pvalues(self) -> np.ndarray:
        """Two-sided p-values from t(df) (normal when df is infinite); for the Firth fallback,
        penalised likelihood-ratio p-values (NaN when fitted with ``intervals=False``)."""
        if self.profile_p is not None:
            return self.profile_p
        t = np.abs(self.tvalues)
        return 2 * (stats.t.sf(t, self.df) if np.isfinite(self.df) else stats.norm.sf(t))


def ordered_dot(M: np.ndarray, coef: Any, intercept: float = 0.0) -> np.ndarray:
    """``intercept + M @ coef`` summed one column at a time, in order: the same values on every
    CPU, and identical rows give identical results (a BLAS product's summation order, FMA use
    and tail handling depend on the machine, which moved report 04's AUC of the current formula
    in its fifth digit between two CPUs)."""
    out = np.full(M.shape[0], float(intercept))
    for j, b in enumerate(np.asarray(coef, dtype=float)):
        out = out + M[:, j] * b
    return out


def cluster_t_crit(alpha: float, n_clusters: int) -> float:
    """Two-sided critical value of t(G - 1) for village-clustered inference.

    With G clusters the cluster-robust Wald statistic is compared with t(G - 1), not N(0, 1)
    (Cameron & Miller 2015, sec. VI.C; Stata's and fixest's default). With 8 villages the 95 %
    value is 2.365 instead of 1.960: normal intervals would be 17 % too narrow.
    """
    if n_clusters < 2:
        raise CalibInputError(f"groups: need at least 2 clusters for t(G-1), got {n_clusters}")
    return float(stats.t.ppf(1 - alpha / 2, n_clusters - 1))


def ridge_logit(y: np.ndarray, X: np.ndarray, w: np.ndarray | None = None, lam: float = 1.0,
                *, penalise_first: bool = False) -> tuple[np.ndarray, float]:
    """L2-penalised logit by Newton's method.

    Maximises ``sum w loglik - lam/2 |beta[1:]|^2`` (the first column, the intercept, is not
    penalised unless ``penalise_first``): scikit-learn's ``LogisticRegression(C=1/lam)``.
    Returns ``(beta, llf)`` with ``llf`` the unpenalised log-likelihood at ``beta``.
    """
    y = np.asarray(y, dtype=float)
    w = np.ones(y.shape[0]) if w is None else np.asarray(w, dtype=float)
    beta = np.zeros(X.shape[1])
    pen = np.full(X.shape[1], float(lam))
    if not penalise_first:
        pen[0] = 0.0
    for _ in range(100):
        mu = expit(X @ beta)
        grad = X.T @ (w * (y - mu)) - pen * beta
        hess = (X.T * (w * mu * (1.0 - mu))) @ X + np.diag(pen)
        step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta, _llf(y, X, w, beta)


def _llf(y: np.ndarray, X: np.ndarray, w: np.ndarray, beta: np.ndarray) -> float:
    mu = np.clip(expit(X @ beta), 1e-15, 1 - 1e-15)
    return float(np.sum(w * (y * np.log(mu) + (1 - y) * np.log1p(-mu))))


class Separation(NamedTuple):
    """Result of :func:`separation`."""

    kind: str
    """``"none"``, ``"quasi-complete"`` or ``"complete"``."""
    rows: np.ndarray
    """Boolean mask of the rows the separating direction predicts perfectly."""
    direction: np.ndarray
    """A separating direction ``d`` (zeros when none): the log-likelihood rises without bound
    along ``beta + t d``; its non-zero entries are the coefficients that diverge."""


def separation(y: Any, X: Any, weights: Any = None) -> Separation:
    """Whether the data of a logit are separated, so that maximum likelihood does not exist.

    Parameters
    ----------
    y : array-like of 0/1, shape (n,)
        Outcome.
    X : array-like, shape (n, k)
        Design matrix (with its intercept column).
    weights : array-like, optional
        Frequency weights; rows with weight 0 are ignored.

    Returns
    -------
    Separation
        ``kind`` (``"none"``, ``"quasi-complete"``, ``"complete"``), ``rows`` predicted
        perfectly, a separating ``direction``.

    Notes
    -----
    With ``s_i = 2 y_i - 1`` the data are separated when some ``d != 0`` has
    ``s_i x_i' d >= 0`` for every row (Albert & Anderson 1984): then the likelihood increases
    along ``d`` for ever and the estimates diverge, which statsmodels no longer reports as an
    error (it warns, or returns huge coefficients with small clustered standard errors). The
    linear programme of Konis (2007, R ``safeBinaryRegression``; ``detectseparation``)
    maximises ``sum_i s_i x_i' d`` subject to those constraints and ``-1 <= d_j <= 1`` (columns
    scaled to a maximum of 1): a positive optimum means separation; ``complete`` when, in
    addition, some ``d`` gives ``s_i x_i' d > 0`` on every row (a second programme).

    References
    ----------
    Albert, A., Anderson, J. A. (1984). On the existence of maximum likelihood estimates in
    logistic regression models. *Biometrika* 71(1), 1-10.
    Konis, K. (2007). *Linear programming algorithms for detecting separated data in binary
    logistic regression models*. DPhil thesis, University of Oxford.
    """
    from scipy.optimize import linprog

    yv = np.asarray(y, dtype=float).ravel()
    Xm = np.asarray(X, dtype=float)
    n, k = Xm.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).ravel()
    use = w > 0
    scale = np.max(np.abs(Xm[use]), axis=0) if use.any() else np.ones(k)
    scale[scale == 0] = 1.0
    A = (Xm[use] / scale) * (2.0 * yv[use] - 1.0)[:, None]
    none = Separation("none", np.zeros(n, dtype=bool), np.zeros(k))
    if A.shape[0] == 0:
        return none
    res = linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(A.shape[0]), bounds=[(-1, 1)] * k,
                  method="highs")
    tol = 1e-7
    if res.status != 0 or -res.fun <= tol * max(1.0, A.shape[0]) ** 0.5:
        return none
    d = np.where(np.abs(res.x) > tol, res.x, 0.0)
    rows = np.zeros(n, dtype=bool)
    rows[np.flatnonzero(use)] = A @ d > tol
    # complete: max t subject to A d >= t, t <= 1
    c = np.r_[np.zeros(k), -1.0]
    full = linprog(c, A_ub=np.c_[-A, np.ones(A.shape[0])], b_ub=np.zeros(A.shape[0]),
                   bounds=[(-1, 1)] * k + [(None, 1)], method="highs")
    if full.status == 0 and -full.fun > tol:
        d = np.where(np.abs(full.x[:k]) > tol, full.x[:k], 0.0)
        rows[np.flatnonzero(use)] = A @ d > tol
        return Separation("complete", rows, d / scale)
    return Separation("quasi-complete", rows, d / scale)


def _chol(A: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor of ``A`` (LAPACK ``dpotrf``); ``LinAlgError`` when ``A`` is not
    numerically positive definite. Called tens of thousands of times on a k x k matrix by the
    Firth profile, where numpy's and scipy's wrappers cost more than the factorisation."""
    L, info = _lapack.dpotrf(A, lower=1, clean=1)
    if info != 0:
        raise np.linalg.LinAlgError("singular information matrix")
    return L


def _cho_solve(L: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``A^-1 b`` from the lower Cholesky factor ``L`` of ``A`` (LAPACK ``dpotrs``)."""
    x, info = _lapack.dpotrs(L, b, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("singular information matrix")
    return x


class _FirthPoint(NamedTuple):
    """The penalised log-likelihood of a Firth logit at one ``beta`` and what a Newton step
    needs (``[0]`` is the penalised log-likelihood, as a plain tuple's)."""

    pll: float
    """Penalised log-likelihood ``l(beta) + 1/2 log det I(beta)``."""
    score: np.ndarray
    """Its gradient, the modified score."""
    chol: np.ndarray
    """Lower Cholesky factor ``L`` of the Fisher information ``I = L L'``."""
    mu: np.ndarray
    """Fitted probabilities ``expit(eta)``."""
    nu: np.ndarray
    """``1 - mu``, computed as ``expit(-eta)`` (no cancellation where ``eta`` is large)."""
    z: np.ndarray
    """Rows ``L^-1 x_i``: ``x_i' I^-1 x_j = z_i . z_j``."""


def _firth_pll(y, X, w, beta) -> _FirthPoint:
    """Penalised log-likelihood, its gradient (the modified score) and the lower Cholesky factor
    of the information at ``beta`` (with what :func:`_firth_neg_hessian` needs).

    One factorisation ``I = L L'`` gives all three: ``log det I = 2 sum log diag L`` and the
    leverages ``h_i = W_i |L^-1 x_i|^2``. ``W_i = w_i mu_i (1 - mu_i)`` takes ``1 - mu_i`` as
    ``expit(-eta_i)``: ``1 - expit(eta_i)`` is 0 in floating point beyond ``eta_i ~ 37``, which
    would drop the row from the information where the profile of separated data goes."""
    eta = X @ beta
    mu = expit(eta)
    nu = expit(-eta)
    W = w * mu * nu
    L = _chol((X.T * W) @ X)
    Linv, info = _lapack.dtrtri(L, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("singular information matrix")
    Z = X @ Linv.T   # rows L^-1 x_i (k x k inverse and a product: LAPACK's trsm would thread)
    h = W * np.einsum("ij,ij->i", Z, Z)
    ll = float((w * (y * eta - np.logaddexp(0.0, eta))).sum())
    score = X.T @ (w * (y * nu - (1.0 - y) * mu) + h * (0.5 * (nu - mu)))
    return _FirthPoint(ll + float(np.log(L.diagonal()).sum()), score, L, mu, nu, Z)


def _firth_neg_hessian(X: np.ndarray, w: np.ndarray, pt: _FirthPoint, m: int) -> np.ndarray:
    """Minus the Hessian of the penalised log-likelihood at ``pt``, its leading ``m x m`` block:
    ``I - 1/2 d2 log det I``.

    With ``W = w mu (1 - mu)`` and its derivatives in the linear predictor ``W' = W (1 - 2 mu)``,
    ``W'' = W ((1 - 2 mu)^2 - 2 mu (1 - mu))``, and ``q_ij = x_i' I^-1 x_j = z_i . z_j``:
    ``d2 log det I / db_a db_b = sum_i W''_i q_ii x_ia x_ib - sum_ij W'_i W'_j q_ij^2 x_ia x_jb``.
    The double sum is ``A' A`` with ``A[(c, d), a] = sum_i W'_i z_ic z_id x_ia``: ``O(n k^3)``
    instead of ``O(n^2 k)``. Checked against finite differences of the modified score
    (``tests/scorecard/test_firth_profile.py``)."""
    mu, nu, Z = pt.mu, pt.nu, pt.z
    n, k = Z.shape
    v = mu * nu
    W = w * v
    d = nu - mu
    Xm = X[:, :m]
    q = np.einsum("ij,ij->i", Z, Z)
    T1 = (Xm.T * (W * (d * d - 2.0 * v) * q)) @ Xm
    A = (Z[:, :, None] * Z[:, None, :]).reshape(n, k * k).T @ (Xm * (W * d)[:, None])
    Lm = pt.chol[:m]
    H = Lm @ Lm.T - 0.5 * (T1 - A.T @ A)
    return 0.5 * (H + H.T)


def _firth_ascend(y, X, w, beta: np.ndarray, free: np.ndarray | None, max_iter: int, tol: float,
                  what: str, newton: str = "exact") -> tuple[np.ndarray, float, bool]:
    """Newton ascent of the penalised log-likelihood over the ``free`` coefficients (all when
    ``None``; a boolean mask or indices) from ``beta``. Returns (beta, penalised
    log-likelihood, converged).

    ``newton="exact"``: the Newton matrix is minus the Hessian of the penalised log-likelihood
    (:func:`_firth_neg_hessian`) where it is positive definite, else the Fisher information;
    ``"fisher"``: always the Fisher information (R ``logistf``'s iteration), which ignores the
    curvature of the penalty and crawls (hundreds of iterations) where the penalty makes the
    maximum, as in the tails of a profile on separated data. Steps are capped at 5 and halved
    until the penalised likelihood does not fall. Converged when the full (not halved) step is
    below ``tol``; not converged when ``max_iter`` steps did not get there or when no halving of
    the step stops the penalised likelihood from falling (stalled).

    The free columns are moved first, so that the Cholesky factor of their block of the
    information is the leading block of the full one (no second factorisation)."""
    beta = np.asarray(beta, dtype=float).copy()
    k = beta.size
    order = None
    m = k
    if free is not None:
        mask = np.zeros(k, dtype=bool)
        mask[free] = True
        m = int(mask.sum())
        if not mask[:m].all():   # not already leading: permute the columns
            order = np.concatenate([np.flatnonzero(mask), np.flatnonzero(~mask)])
            X, beta = X[:, order], beta[order]
    pt = _firth_pll(y, X, w, beta)
    converged = False
    for _ in range(max_iter):
        g = pt.score[:m]
        step = np.zeros(k)
        newton_step = newton == "exact"
        if newton_step:
            try:
                step[:m] = _cho_solve(_chol(_firth_neg_hessian(X, w, pt, m)), g)
            except np.linalg.LinAlgError:   # not concave here
                newton_step = False
        if not newton_step:   # Fisher scoring
            step[:m] = _cho_solve(pt.chol if m == k else pt.chol[:m, :m], g)
        full = np.abs(step).max()
        if full > 5.0:
            step *= 5.0 / full
        new = None
        for _ in range(60):
            try:
                new = _firth_pll(y, X, w, beta + step)
            except np.linalg.LinAlgError:
                new = None
            if new is not None and new.pll >= pt.pll - 1e-12 * abs(pt.pll):
                break
            step = step / 2.0
        else:
            if new is None:
                raise np.linalg.LinAlgError(f"{what}: singular information matrix")
            if full < tol:   # at the maximum to rounding: the step cannot raise it
                converged = True
            break            # stalled: no halving stops the fall
        beta = beta + step
        pt = new
        if full < tol:
            converged = True
            break
    if order is not None:
        out = np.empty(k)
        out[order] = beta
        beta = out
    return beta, pt.pll, converged


def firth_logit(y: Any, X: Any, weights: Any = None, *, max_iter: int = 200,
                tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Firth's bias-reduced logistic regression (penalised by half the log Fisher information).

    Parameters
    ----------
    y : array-like of 0/1
        Outcome.
    X : array-like, shape (n, k)
        Design matrix with its intercept column.
    weights : array-like, optional
        Frequency weights.
    max_iter, tol : int, float
        Newton iterations and the convergence bound on the largest step and modified score.

    Returns
    -------
    (params, cov, llf, penalised_llf)
        Estimates; their covariance, the inverse Fisher information at the estimates (the Wald
        covariance of R ``logistf``); the unpenalised and the penalised log-likelihood.

    Notes
    -----
    Maximises ``l(beta) + 1/2 log det I(beta)`` (Firth 1993): the modified score is
    ``X' (w (y - mu) + h (1/2 - mu))`` with ``h`` the leverages of the weighted hat matrix.
    Newton steps with the information as Hessian, steps capped at 5 and halved until the
    penalised likelihood does not fall (as ``logistf``). The estimates exist even under
    separation (Heinze & Schemper 2002). Checked against the published endometrial example and
    a direct numerical maximisation (``tests/scorecard/test_separation.py``).

    References
    ----------
    Firth, D. (1993). Bias reduction of maximum likelihood estimates. *Biometrika* 80(1), 27-38.
    Heinze, G., Schemper, M. (2002). A solution to the problem of separation in logistic
    regression. *Statistics in Medicine* 21(16), 2409-2419.
    """
    yv = np.asarray(y, dtype=float).ravel()
    Xm = np.asarray(X, dtype=float)
    w = np.ones(yv.shape[0]) if weights is None else np.asarray(weights, dtype=float).ravel()
    beta, pll, converged = _firth_ascend(yv, Xm, w, np.zeros(Xm.shape[1]), None, max_iter, tol,
                                        "Firth logit", newton="fisher")
    if not converged:
        raise np.linalg.LinAlgError("Firth logit did not converge")
    inv = _cho_solve(_firth_pll(yv, Xm, w, beta).chol, np.eye(beta.size))  # inverse information
    llf = float(np.sum(w * (yv * (Xm @ beta) - np.logaddexp(0.0, Xm @ beta))))
    return beta, inv, llf, pll


def _firth_fixed(y, X, w, j: int, bj: float, start: np.ndarray, tol: float = 1e-9,
                 max_iter: int = 200) -> tuple[float, np.ndarray, bool]:
    """Maximum of the penalised log-likelihood with ``beta_j = bj`` (the others free, from
    ``start``, by exact-Hessian Newton): (penalised log-likelihood, beta, converged)."""
    beta = np.asarray(start, dtype=float).copy()
    beta[j] = bj
    free = np.arange(beta.size) != j
    if not free.any():
        return _firth_pll(y, X, w, beta)[0], beta, True
    beta, pll, ok = _firth_ascend(y, X, w, beta, free, max_iter, tol, "Firth profile")
    return pll, beta, ok


class _NotFollowed(Exception):
    """The profile of one coefficient could not be followed to an interval end."""


#: The profile's tolerances: two constrained maxima differ when their penalised
#: log-likelihoods differ by more than ``_FIRTH_SAME``; an interval end is accepted when the
#: penalised log-likelihood there is within ``_FIRTH_AT_END`` of its threshold (``2 (pl_max -
#: pl_j)`` within twice that of the chi-square quantile).
_FIRTH_SAME = 1e-8
_FIRTH_AT_END = 1e-7
#: Random restarts of the constrained maximisation at each end and at 0 (besides the path
#: followed, the estimates, zero and multiples of the estimates), and their Newton iterations.
_FIRTH_RESTARTS = 10
_FIRTH_RESTART_ITER = 50


def _firth_starts(beta: np.ndarray, se: np.ndarray, j: int, restarts: int) -> list[np.ndarray]:
    """Starting points of the constrained maximisations besides the path followed: the
    estimates, zero, the estimates times 2, 4 and 8 (on separated data the other local maxima
    lie out along the separating directions, which the estimates point to) and ``restarts``
    draws around the estimates, in pairs ``beta -+ s se z`` (``z`` standard normal, ``s`` = 1,
    2, 4, 1, ...; seeded by ``j``, so that a fit is reproducible), so that each coefficient is
    tried on both sides of its estimate."""
    rng = np.random.default_rng(20_021_016 + j)
    draws = []
    for r in range((restarts + 1) // 2):
        d = (1.0, 2.0, 4.0)[r % 3] * se * rng.standard_normal(beta.size)
        draws += [beta + d, beta - d]
    return [beta, np.zeros(beta.size), 2.0 * beta, 4.0 * beta, 8.0 * beta, *draws[:restarts]]


def _firth_unique(y, X, w, j: int, b: float, pl: float, starts: list[np.ndarray]) -> bool:
    """Whether the constrained maximum at ``beta_j = b`` reached from each of ``starts`` (at
    most ``_FIRTH_RESTART_ITER`` Newton steps) is the one of penalised log-likelihood ``pl``.
    False at the first that converges elsewhere, or that does not converge but has already
    passed ``pl`` (a higher maximum exists); a start whose fit fails (singular information) or
    does not converge below ``pl`` says nothing."""
    for s in starts:
        try:
            pl_s, _, ok = _firth_fixed(y, X, w, j, b, s, max_iter=_FIRTH_RESTART_ITER)
        except np.linalg.LinAlgError:
            continue
        if pl_s > pl + _FIRTH_SAME or (ok and pl_s < pl - _FIRTH_SAME):
            return False
    return True


def _firth_end(y, X, w, j: int, sign: float, beta: np.ndarray, se: float, pmax: float,
               thr: float, starts: list[np.ndarray], path: dict) -> float:
    """One end of the profile interval of ``beta_j`` (``sign`` -1: lower, +1: upper).

    The profile ``pl_j(b)`` (the penalised log-likelihood maximised over the other
    coefficients) is followed from the estimate: each constrained fit starts from the nearest
    one already made (also kept in ``path``, ``b -> beta``, for the p-value), steps of one
    standard error doubling until ``pl_j`` falls below ``thr`` (the end is infinite when it does
    not within 50 standard errors), then Brent's root ``e``. ``e`` is the end when ``pl_j(e)`` is
    within ``_FIRTH_AT_END`` of ``thr`` and the constrained maximum there is the same from the
    fits nearest either side of ``e``, from the estimates scaled so that ``beta_j = e`` and from
    ``starts`` (:func:`_firth_unique`). Raises :class:`_NotFollowed` (or ``LinAlgError``)
    otherwise: a constrained fit on the path did not converge; the profile followed jumps at
    ``e`` (warm starts from either side of ``e`` followed different maxima); or the
    constrained maximum at ``e`` is not unique, so that the one followed need not be the
    maximum over the other coefficients (the penalised likelihood is not concave)."""
    from scipy.optimize import brentq

    unit = max(se, 1e-3)
    vals = {float(beta[j]): pmax - thr}
    branch = {float(beta[j]): beta}

    def f(b: float) -> float:
        if b in vals:
            return vals[b]
        near = min(branch, key=lambda c: abs(c - b))
        pl, bb, ok = _firth_fixed(y, X, w, j, b, branch[near])
        if not ok:
            raise _NotFollowed(f"the constrained fit at {b} did not converge")
        branch[b] = path[b] = bb
        vals[b] = pl - thr
        return vals[b]

    lo, step = float(beta[j]), unit
    hi = lo + sign * step
    while f(hi) > 0:
        if abs(hi - beta[j]) >= 50 * unit:
            return sign * np.inf
        lo, hi = hi, hi + sign * step
        step *= 2
    e = float(brentq(f, min(lo, hi), max(lo, hi), xtol=1e-10 * unit, rtol=1e-12))
    if abs(f(e)) > _FIRTH_AT_END:
        raise _NotFollowed(f"the profile followed jumps at {e}")
    sides = [branch[min((c for c in branch if (c - e) * t > 0), key=lambda c: abs(c - e))]
             for t in (-1.0, 1.0) if any((c - e) * t > 0 for c in branch)]
    ray = [beta * (e / beta[j])] if beta[j] * e > 0 else []   # the estimates scaled to e
    if not _firth_unique(y, X, w, j, e, f(e) + thr, [*sides, *ray, *starts]):
        raise _NotFollowed(f"several constrained maxima at {e}")
    return e


def firth_profile(y: Any, X: Any, weights: Any = None, *, alpha: float = 0.05,
                  fit: tuple | None = None) -> tuple[np.ndarray, np.ndarray]:
    return _firth_profile(y, X, weights, alpha=alpha, fit=fit)[:2]


def _firth_profile(y: Any, X: Any, weights: Any = None, *, alpha: float = 0.05,
                   fit: tuple | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Profile penalised-likelihood intervals and penalised likelihood-ratio p-values of a
    Firth logit (Heinze & Schemper 2002; R ``logistf``'s defaults).

    Parameters
    ----------
    y, X, weights
        As :func:`firth_logit`.
    alpha : float
        1 - level of the intervals.
    fit : tuple, optional
        The result of :func:`firth_logit` on the same data (refitted when not given).

    Returns
    -------
    (ci, p) from :func:`firth_profile`; ``(ci, p, wald)`` from ``_firth_profile``
        ``(k, 2)`` intervals: the ``beta_j`` where ``2 (pl_max - pl_j(beta_j))`` equals the
        chi-square(1) quantile, ``pl_j`` the penalised log-likelihood maximised over the other
        coefficients; an end that is not reached within 50 standard errors is infinite. ``p``:
        ``chi2(1).sf(2 (pl_max - pl_j(0)))`` per coefficient. ``wald``: ``(k, 3)`` booleans,
        the lower end, the upper end and the p-value of each coefficient that could not be
        established and are Wald figures instead (``beta_j -+ z se_j``, ``2 Phi(-|beta_j /
        se_j|)``).

    Notes
    -----
    Wald intervals are unreliable with separated data, where the penalised likelihood is
    markedly asymmetric; Heinze & Schemper (2002) recommend the profile intervals.

    Each constrained maximum is an exact-Hessian Newton ascent run to convergence. The
    penalised likelihood is not concave: on separated data, far from the estimates, the
    penalised likelihood with ``beta_j`` fixed may have several local maxima (the Jeffreys
    penalty rewards rows near a separating hyperplane), and the one followed from the
    estimate need not be the maximum over the other coefficients. So each end and each
    ``pl_j(0)`` is also maximised from the estimates, zero, multiples of the estimates and
    ``_FIRTH_RESTARTS`` seeded draws around them (:func:`_firth_starts`, :func:`_firth_unique`):
    a profile figure is given only where all of them reach the same maximum. An end or p-value
    that cannot be established (several constrained maxima there, a constrained fit that does
    not converge, a singular information) is the Wald figure instead, flagged in ``wald``. A
    higher maximum that none of the starts reaches cannot be excluded: the check is by
    restarts, not a proof. Checked against independent maximisations (a grid over the free
    coefficient, then a bounded polish) in ``tests/scorecard/test_firth_profile.py``.
    """
    yv = np.asarray(y, dtype=float).ravel()
    Xm = np.asarray(X, dtype=float)
    w = np.ones(yv.shape[0]) if weights is None else np.asarray(weights, dtype=float).ravel()
    beta, cov, _, pmax = fit if fit is not None else firth_logit(yv, Xm, w)
    se = np.sqrt(np.diag(cov))
    thr = pmax - stats.chi2.ppf(1 - alpha, 1) / 2.0
    z = stats.norm.ppf(1 - alpha / 2)
    k = beta.size
    ci = np.full((k, 2), np.nan)
    pv = np.full(k, np.nan)
    wald = np.zeros((k, 3), dtype=bool)
    for j in range(k):   # a handful of coefficients, each a one-dimensional root search
        starts = _firth_starts(beta, se, j, _FIRTH_RESTARTS) if k > 1 else [beta]
        path = {float(beta[j]): beta}
        for side, sign in ((0, -1.0), (1, 1.0)):
            try:
                ci[j, side] = _firth_end(yv, Xm, w, j, sign, beta, se[j], pmax, thr, starts, path)
            except (_NotFollowed, ValueError, np.linalg.LinAlgError):
                ci[j, side] = beta[j] + sign * z * se[j]
                wald[j, side] = True
        try:   # from the path's fit nearest to 0, unique from the other starts
            pl0, _, ok = _firth_fixed(yv, Xm, w, j, 0.0, path[min(path, key=abs)])
            ok = ok and _firth_unique(yv, Xm, w, j, 0.0, pl0, starts)
        except np.linalg.LinAlgError:
            ok = False
        if ok:
            pv[j] = float(stats.chi2.sf(max(2.0 * (pmax - pl0), 0.0), 1))
        else:   # no converged fit, or several constrained maxima at 0
            pv[j] = float(2 * stats.norm.sf(abs(beta[j] / se[j]))) if se[j] > 0 else np.nan
            wald[j, 2] = True
    return ci, pv, wald


firth_profile.__doc__ = _firth_profile.__doc__


def _not_converged(res: Any) -> bool:
    """Whether statsmodels' Newton (``mle_retvals``) or IRLS (``converged``) did not converge."""
    retvals = getattr(res, "mle_retvals", None)
    if isinstance(retvals, dict) and "converged" in retvals:
        return not bool(retvals["converged"])
    return not bool(getattr(res, "converged", True))


def _suspect(y: np.ndarray, X: np.ndarray, w: np.ndarray, params: np.ndarray) -> bool:
    """Cheap screen before the linear programme: a fitted probability at 0 or 1."""
    mu = expit(X[w > 0] @ params)
    return bool(np.any((mu < 1e-8) | (mu > 1 - 1e-8)))


def _logit_mle(y: np.ndarray, X: np.ndarray, w: np.ndarray, groups: np.ndarray | None,
               start: np.ndarray | None = None) -> tuple[Any, Any]:
    """Unpenalised logit (statsmodels) with clustered and model-based results; raises
    ``LinAlgError`` on non-convergence or non-finite estimates."""
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    cl = {"cov_type": "cluster", "cov_kwds": {"groups": groups}} if groups is not None else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if np.allclose(w, 1.0):
            # Newton steps on the small Hessian: faster than GLM's IRLS, same estimates
            model = Logit(y, X)
            naive = model.fit(disp=0, method="newton", maxiter=100, start_params=start)
            res = model.fit(disp=0, method="newton", maxiter=100, start_params=naive.params,
                            **cl) if cl else naive
        else:
            model = GLM(y, X, family=families.Binomial(), freq_weights=w)
            naive = model.fit(start_params=start)
            res = model.fit(start_params=naive.params, **cl) if cl else naive
    if not (np.all(np.isfinite(np.asarray(res.params))) and np.all(np.isfinite(np.asarray(res.bse)))
            and np.all(np.isfinite(np.asarray(naive.bse)))):
        raise np.linalg.LinAlgError("non-finite logit estimates")
    return res, naive


def _check_groups(groups: Any, n: int) -> tuple[np.ndarray | None, int | None]:
    if groups is None:
        return None, None
    g = np.asarray(groups).ravel()
    if g.shape[0] != n:
        raise CalibInputError(f"groups: length {g.shape[0]} differs from y's {n}")
    codes = np.unique(g, return_inverse=True)[1]
    return codes, int(codes.max()) + 1 if codes.size else 0


def fit_logit(y: Any, X: Any, *, groups: Any = None, weights: Any = None, C: float | None = None,
              ridge_fallback: float = RIDGE_FALLBACK, start: Any = None,
              intervals: bool = True) -> LogitFit:
    """Logistic regression with village-clustered inference and stated fallbacks.

    Parameters
    ----------
    y : array-like of 0/1, shape (n,)
        Outcome (1 = default).
    X : array-like, shape (n, k)
        Design matrix; include the intercept column yourself (first column, never penalised).
    groups : array-like, optional
        Cluster (village) of each row: standard errors are cluster-robust.
    weights : array-like, optional
        Frequency weights.
    C : float, optional
        Inverse L2 penalty as in scikit-learn (``None``: maximum likelihood).
    ridge_fallback : float
        Penalty per unit of total weight of the fallback fit when maximum likelihood fails.
    start : array-like, optional
        Starting values of the Newton iterations.
    intervals : bool, default True
        Compute the profile penalised-likelihood intervals and p-values of the Firth fallback
        (separated data), up to thousands of constrained refits. ``False`` when only the
        estimates are used (a cross-validation fold's refit): ``profile_ci`` and ``profile_p``
        are then NaN (so ``conf_int()`` and ``pvalues`` are NaN) and ``note`` says so. No
        effect on the other fits, nor on any estimate.

    Returns
    -------
    LogitFit
        ``params, se, se_naive, df, cov_type, n_clusters, llf, note, result``.

    Notes
    -----
    Clustered covariance: the CR1 sandwich of statsmodels,
    ``V = G/(G-1) (N-1)/(N-K) (H^-1 B H^-1)`` with ``B`` the sum over clusters of the outer
    products of the cluster score sums and ``K`` counting every column of ``X`` (the intercept
    included; there is no absorbed fixed effect). Intervals and p-values use t(G - 1)
    (Cameron & Miller 2015, sec. VI.C), as Stata and fixest do. With G below
    :data:`FEW_CLUSTERS` even t(G - 1) can over-reject: see :func:`wild_cluster_score_test`.
    With a single cluster a clustered variance does not exist: the model-based one is used and
    ``note`` says so. Separation is detected explicitly, not left to statsmodels (which no
    longer raises: it returns diverging coefficients, with deceptively small clustered standard
    errors): when a fitted probability is 0 or 1 to 1e-8, Newton's method does not converge or
    the fit fails, the linear
    programme of :func:`separation` decides; separated data (complete or quasi-complete) are
    fitted by :func:`firth_logit` (``cov_type="firth"``, model-based standard errors, 95 %
    profile penalised-likelihood intervals and penalised likelihood-ratio p-values from
    :func:`firth_profile`, ``note`` naming the kind of separation, the rows and the diverging
    columns). When maximum likelihood fails without separation (a singular Hessian) the ridge
    fit with ``ridge_fallback x sum(weights)`` is used, without standard errors, and ``note``
    says so.

    References
    ----------
    Cameron, A. C., Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    *Journal of Human Resources* 50(2), 317-372.
    Heinze, G., Schemper, M. (2002). A solution to the problem of separation in logistic
    regression. *Statistics in Medicine* 21(16), 2409-2419.
    """
    yv = np.asarray(y, dtype=float).ravel()
    Xm = np.asarray(X, dtype=float)
    n, k = Xm.shape
    if yv.shape[0] != n:
        raise CalibInputError(f"y: length {yv.shape[0]} differs from X's {n} rows")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).ravel()
    codes, G = _check_groups(groups, n)
    nan = np.full(k, np.nan)
    if C is not None:
        beta, llf = ridge_logit(yv, Xm, w, 1.0 / C)
        return LogitFit(beta, nan, nan, math.inf, "penalised", G, llf,
                        f"L2-penalised logit (C={C:g}, as scikit-learn's LogisticRegression); "
                        "no standard errors")
    note = ""
    if G is not None and G < 2:
        note = ("one village only: a village-clustered variance needs at least 2 villages; "
                "model-based (non-robust) standard errors used")
        codes = None
    try:
        res, naive = _logit_mle(yv, Xm, w, codes, None if start is None else np.asarray(start))
        failed = False
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:
        if type(exc).__name__ not in ("LinAlgError", "PerfectSeparationError", "ValueError",
                                      "ZeroDivisionError"):
            raise
        failed = True
    if failed or _not_converged(naive) or _suspect(yv, Xm, w, np.asarray(res.params, dtype=float)):
        sep = separation(yv, Xm, w)
        if sep.kind != "none":
            return _firth_fit(yv, Xm, w, G, sep, intervals)
        if failed:
            beta, llf = ridge_logit(yv, Xm, w, ridge_fallback * float(w.sum()))
            return LogitFit(beta, nan, nan, math.inf, "penalised", G, llf,
                            "unpenalised logit did not converge (singular Hessian, no "
                            f"separation); ridge-penalised fit ({ridge_fallback} per "
                            "observation) used, no standard errors")
    clustered = codes is not None
    return LogitFit(np.asarray(res.params, dtype=float), np.asarray(res.bse, dtype=float),
                    np.asarray(naive.bse, dtype=float), float(G - 1) if clustered else math.inf,
                    "cluster" if clustered else "nonrobust", G, float(naive.llf), note, res)


def _firth_fit(y: np.ndarray, X: np.ndarray, w: np.ndarray, G: int | None,
               sep: Separation, intervals: bool = True) -> LogitFit:
    """The Firth fallback of :func:`fit_logit` for separated data, its ``note`` saying why;
    without ``intervals``, no profile: NaN intervals and p-values, said in ``note``."""
    cols = ", ".join(str(j) for j in np.flatnonzero(sep.direction))
    try:
        fit = firth_logit(y, X, w)
    except np.linalg.LinAlgError:  # a design column without information (e.g. all zero)
        beta, llf = ridge_logit(y, X, w, 1e-4 * float(w.sum()))
        nan = np.full(X.shape[1], np.nan)
        return LogitFit(beta, nan, nan, math.inf, "penalised", G, llf,
                        f"{sep.kind} separation (diverging design column(s) {cols}) and a singular "
                        "information matrix: neither maximum likelihood nor Firth's logit exists; "
                        "ridge-penalised fit (1e-4 per observation) used, no standard errors")
    beta, cov, llf, _ = fit
    se = np.sqrt(np.diag(cov))
    head = (f"{sep.kind} separation ({int(sep.rows.sum())} of {y.shape[0]} rows predicted "
            f"perfectly; diverging design column(s) {cols}): maximum likelihood estimates do not exist; "
            "Firth's penalised-likelihood logit used (Firth 1993; Heinze & Schemper 2002), "
            "model-based standard errors from the Fisher information, ")
    if not intervals:
        nan = np.full(beta.size, np.nan)
        return LogitFit(beta, se, se, math.inf, "firth", G, llf,
                        head + "not clustered; intervals and p-values not computed "
                        "(intervals=False): NaN", None, np.column_stack([nan, nan]), nan)
    ci, p, flags = _firth_profile(y, X, w, fit=fit)
    wald = int(flags.sum())
    note = (head + "95% profile penalised-likelihood intervals and penalised likelihood-ratio "
            "p-values, not clustered"
            + (f"; {wald} interval end(s) or p-value(s) where the profile could not be "
               "established (a constrained fit that failed or did not converge, or several "
               "local maxima of the penalised likelihood with the coefficient fixed) are Wald "
               "figures"
               if wald else ""))
    return LogitFit(beta, se, se, math.inf, "firth", G, llf, note, None, ci, p)


def cluster_codes(frame: pd.DataFrame, cluster: str | None, *, table: str = "table",
                  unit: str = "row", min_clusters: int = 2) -> np.ndarray | None:
    """Integer cluster codes of ``frame[cluster]`` (``None`` when ``cluster`` is ``None``).

    Raises
    ------
    CalibInputError
        When the column is missing or blank (naming ``table``, the column and the first blank
        row), or has fewer than ``min_clusters`` distinct values (``unit`` names the rows in
        the advice): a village-clustered standard
        error or a village bootstrap needs at least two villages (with one, the variance cannot
        be estimated: the interval would be zero-width or undefined). Pass ``cluster=None`` for
        observation-level inference, stated as such by :func:`se_method`.
    """
    if cluster is None:
        return None
    if cluster not in frame.columns:
        raise CalibInputError(
            f"{table}: cluster column {cluster!r} not found (or use cluster=None)")
    codes, uniq = pd.factorize(frame[cluster])
    if (codes < 0).any():
        i = frame.index[codes < 0][0]
        raise CalibInputError(f"{table}: cluster column {cluster!r} is blank at index {i!r}")
    if len(uniq) < min_clusters:
        raise CalibInputError(
            f"{table}: cluster column {cluster!r} has {len(uniq)} distinct value(s) "
            f"({', '.join(map(str, uniq[:3]))}); clustered standard errors and the cluster "
            f"bootstrap need at least {min_clusters}. Use cluster=None for {unit}-level "
            "inference (it ignores correlation within the village and says so)"
        )
    return codes


def se_method(fit: LogitFit, *, unit: str = "observations") -> str:
    """How the standard errors of ``fit`` were computed, in plain words.

    ``unit`` names the rows (e.g. ``"loans"``) in the model-based case. A penalised fit has
    no standard errors: its ``note`` is returned.
    """
    if fit.cov_type == "cluster":
        g = int(fit.n_clusters)
        return (f"clustered by village (CR1: G/(G-1) x (N-1)/(N-K)), t({g - 1}) critical "
                f"values, G = {g}")
    if fit.cov_type in ("penalised", "firth"):
        return fit.note
    words = f"model-based (observed information), normal critical values; {unit} independent"
    return f"{words} ({fit.note})" if fit.note else words


def fit_logit_reduced(y: Any, X: Any, start: Any) -> np.ndarray:
    """Maximum-likelihood coefficients on a bootstrap replicate, constant columns left out.

    A dummy absent from a replicate would make the Hessian singular; the intercept (column 0)
    absorbs a constant column, so predictions are unchanged by leaving it out (its coefficient
    is returned as 0). No fallback: a replicate whose fit fails raises
    ``numpy.linalg.LinAlgError`` (or statsmodels' error), and separated data are not detected
    (their coefficients diverge): use :func:`fit_logit_replicate` for bootstrap refits.
    """
    Xm = np.asarray(X, dtype=float)
    yv = np.asarray(y, dtype=float).ravel()
    keep = np.ptp(Xm, axis=0) > 0
    keep[0] = True
    res, _ = _logit_mle(yv, Xm[:, keep], np.ones(yv.shape[0]), None, np.asarray(start)[keep])
    beta = np.zeros(Xm.shape[1])
    beta[keep] = np.asarray(res.params, dtype=float)
    return beta


def fit_logit_replicate(y: Any, X: Any, start: Any) -> tuple[np.ndarray, str]:
    """Coefficients of a bootstrap replicate by the rule of :func:`fit_logit`: maximum
    likelihood, Firth's penalised likelihood when the replicate is separated.

    Parameters
    ----------
    y : array-like of 0/1, shape (n,)
        The replicate's outcome.
    X : array-like, shape (n, k)
        Its design matrix, intercept first. Columns constant in the replicate (a dummy whose
        level was not drawn) are left out and their coefficient returned as 0 (the intercept
        absorbs them: predictions are unchanged).
    start : array-like, shape (k,)
        Starting values (the sample's estimates).

    Returns
    -------
    (ndarray, str)
        The ``k`` coefficients and how they were fitted: ``"ml"`` or ``"firth"`` (separated,
        complete or quasi-complete, including a replicate without any default or without any
        non-default).

    Raises
    ------
    numpy.linalg.LinAlgError
        When maximum likelihood fails without separation (a singular Hessian) or the Firth fit
        fails: the caller counts the replicate as failed.

    Notes
    -----
    A bootstrap must replicate the estimator applied to the sample, and the sample's estimator
    (:func:`fit_logit`) is maximum likelihood with Firth's logit when the data separate; so a
    separated replicate is refitted by Firth, not dropped. Dropping it would condition the
    bootstrap distribution on non-separation, which removes exactly the replicates with the
    most extreme effects (e.g. no default among the drawn high-points villages) and makes the
    percentile interval too narrow and off-centre; keeping its maximum-likelihood fit keeps
    coefficients that diverge (their size is wherever Newton's method stopped). Detection is
    cheap: the linear programme of :func:`separation` runs only when a fitted probability is
    0 or 1 to 1e-8, Newton's method did not converge, or the fit fails.
    """
    Xm = np.asarray(X, dtype=float)
    yv = np.asarray(y, dtype=float).ravel()
    keep = np.ptp(Xm, axis=0) > 0
    keep[0] = True
    Xk = Xm[:, keep]
    w = np.ones(yv.shape[0])
    failed, bk = False, None
    if 0.0 < yv.sum() < yv.shape[0]:
        try:
            res, _ = _logit_mle(yv, Xk, w, None, np.asarray(start, dtype=float)[keep])
            bk = np.asarray(res.params, dtype=float)
            suspect = _not_converged(res)
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
            failed, suspect = True, True
    else:  # no default (or no non-default): separated by the intercept alone
        failed, suspect = True, True
    how = "ml"
    if suspect or failed or _suspect(yv, Xk, w, bk):
        sep = separation(yv, Xk, w)
        if sep.kind != "none":
            bk, how = firth_logit(yv, Xk, w)[0], "firth"
        elif failed:
            raise np.linalg.LinAlgError("replicate: maximum likelihood failed without separation")
    beta = np.zeros(Xm.shape[1])
    beta[keep] = bk
    return beta, how


# ---------------------------------------------------------------- wild cluster bootstrap
# One home for both wild cluster bootstraps of the package: the restricted bootstrap-t of a
# linear model (gap drivers, :func:`wild_cluster_pvalues`) and its score form for the logit
# (scorecard, points PD, :func:`wild_cluster_score_test`). They share the weights, the
# enumeration of all weight vectors when there are few clusters, and the p-value rule.

_WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])
#: Webb's six-point weights up to this many clusters, Rademacher above (``weights="auto"``).
WEBB_MAX_CLUSTERS = 12


def _rng(random_state: int | np.random.Generator | None) -> np.random.Generator:
    return random_state if isinstance(random_state, np.random.Generator) else \
        np.random.default_rng(random_state)


def wild_weights(G: int, n_boot: int, kind: str = "auto",
                 random_state: int | np.random.Generator | None = None) -> tuple[np.ndarray, bool, str]:
    """Wild bootstrap weights, one row per replicate and one column per cluster.

    Parameters
    ----------
    G : int
        Number of clusters.
    n_boot : int
        Replicates wanted.
    kind : {"auto", "rademacher", "webb"}
        ``auto``: Webb's six-point weights with at most :data:`WEBB_MAX_CLUSTERS` clusters (with
        few clusters the Rademacher weights have too few distinct draws, Webb 2023), Rademacher
        otherwise.
    random_state : int or Generator, optional
        Seed of the draws.

    Returns
    -------
    (ndarray, bool, str)
        The ``(B, G)`` weights; whether they enumerate every weight vector (``2^G`` Rademacher or
        ``6^G`` Webb vectors, when that is at most ``n_boot``: the p-value is then exact and
        deterministic); the kind used.
    """
    if kind not in ("auto", "rademacher", "webb"):
        raise ValueError(f"weights: expected 'auto', 'rademacher' or 'webb', got {kind!r}")
    if kind == "auto":
        kind = "webb" if G <= WEBB_MAX_CLUSTERS else "rademacher"
    points = np.array([1.0, -1.0]) if kind == "rademacher" else _WEBB
    if points.size ** G <= n_boot:
        return np.array(list(itertools.product(points, repeat=G))), True, kind
    return points[_rng(random_state).integers(0, points.size, (int(n_boot), G))], False, kind


def wild_p_value(t_boot: np.ndarray, t0: float, enumerated: bool) -> float:
    """Two-sided symmetric bootstrap p-value: the share of ``|t*| >= |t|``.

    Under full enumeration the original sample is one of the weight vectors (all weights 1) and
    the share is exact; with random draws the sample is added to them,
    ``(1 + #{|t*| >= |t|}) / (B + 1)`` (Davison & Hinkley 1997, eq. 4.11). A draw equal to
    ``|t|`` up to rounding (1e-10 relative) counts.
    """
    hits = np.abs(t_boot) >= abs(t0) * (1 - 1e-10)
    if enumerated:
        return float(np.mean(hits))
    return float((np.sum(hits) + 1) / (hits.size + 1))


def _wcr_t(X, y, g, G, A, k, V) -> tuple[np.ndarray, float]:
    """Bootstrap and sample t statistics of H0: beta_k = 0 in OLS, restricted wild bootstrap."""
    K = X.shape[1]
    Xr = np.delete(X, k, axis=1)
    yhat = Xr @ np.linalg.lstsq(Xr, y, rcond=None)[0] if K > 1 else np.zeros_like(y)
    u = y - yhat
    ak = A[k]
    # per cluster: X_g' yhat_g, X_g' u_g (G, K) and a_k' X_g' X_g (G, K)
    Xy = np.stack([np.bincount(g, X[:, j] * yhat, G) for j in range(K)], axis=1)
    Xu = np.stack([np.bincount(g, X[:, j] * u, G) for j in range(K)], axis=1)
    XaX = np.stack([np.bincount(g, X[:, j] * (X @ ak), G) for j in range(K)], axis=1)
    beta0 = A @ Xy.sum(axis=0)
    D = A @ Xu.T                              # (K, G): beta* = beta0 + D v
    q, r = Xy @ ak, Xu @ ak                   # (G,)
    beta = beta0[None, :] + V @ D.T           # (B, K)
    score = q[None, :] + V * r[None, :] - beta @ XaX.T   # a_k' s_g*, (B, G)
    t_boot = beta[:, k] / np.sqrt(np.sum(score ** 2, axis=1))
    # the original sample: v = 1
    beta_hat = A @ (X.T @ y)
    s_hat = np.stack([np.bincount(g, X[:, j] * (y - X @ beta_hat), G) for j in range(K)], axis=1) @ ak
    return t_boot, float(beta_hat[k] / np.sqrt(np.sum(s_hat ** 2)))


def wild_cluster_pvalues(X: Any, y: Any, groups: Any, *, n_boot: int = 9999,
                         weights: str = "auto",
                         random_state: int | np.random.Generator | None = 0) -> tuple[np.ndarray, str]:
    """Wild cluster restricted bootstrap-t (WCR) p-values of a linear model, one per column.

    Parameters
    ----------
    X, y : array-like
        Regressors (N, K) and response (N,), e.g. demeaned within clusters (fixed effects
        absorbed; the small-sample factors cancel in the bootstrap-t).
    groups : array-like
        Cluster of each observation (at least 2).
    n_boot : int
        Replicates (every weight vector when there are at most ``n_boot``: see
        :func:`wild_weights`).
    weights : {"auto", "rademacher", "webb"}
        See :func:`wild_weights`.
    random_state : int or Generator
        Seed of the weights.

    Returns
    -------
    (ndarray, str)
        Two-sided p-values (:func:`wild_p_value`) and a description of the method.

    Notes
    -----
    For each coefficient: the model is fitted under ``beta_k = 0``, each replicate multiplies
    the restricted residuals of cluster ``g`` by ``v_g``, re-estimates and studentises with the
    replicate's own cluster-robust variance (Cameron, Gelbach & Miller 2008; MacKinnon & Webb).
    Vectorised: a replicate costs O(G K) after per-cluster sums, whatever the number of
    observations. Checked against the ``wildboottest`` package under full enumeration and by
    simulation with 8 unequal clusters (``tests/compare/test_compare_stats.py``). For a logit
    the same bootstrap in score form is :func:`wild_cluster_score_test`.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    g, G = _check_groups(groups, y.shape[0])
    if g is None or G < 2:
        raise CalibInputError(f"groups: the wild cluster bootstrap needs at least 2 clusters, got {G}")
    V, enumerated, kind = wild_weights(G, n_boot, weights, random_state)
    A = np.linalg.inv(X.T @ X)
    p = np.array([wild_p_value(*_wcr_t(X, y, g, G, A, k, V), enumerated)
                  for k in range(X.shape[1])])
    how = (f"wild cluster bootstrap-t (WCR, {kind} weights, {V.shape[0]} replicates"
           f"{', all enumerated' if enumerated else ''}, {G} clusters)")
    return p, how


class WildScoreTest(NamedTuple):
    """Result of :func:`wild_cluster_score_test` (indexable as ``(statistic, p_value, ...)``)."""

    statistic: float
    """Cluster-robust score statistic ``T``."""
    p_value: float
    """Two-sided wild bootstrap p-value."""
    null_fit: str
    """How the model under the null was fitted: ``"ml"`` (maximum likelihood), ``"firth"``
    (the restricted data are separated: Firth's penalised likelihood) or ``"ridge"`` (maximum
    likelihood failed without separation: the ridge fallback of :func:`fit_logit`)."""


def wild_cluster_score_test(y: Any, X: Any, groups: Any, k: int, *, weights: Any = None,
                            n_boot: int = 9999, wild_weights_kind: str = "auto",
                            random_state: int | np.random.Generator | None = None) -> WildScoreTest:
    """Wild cluster (score) bootstrap test of ``beta_k = 0`` in a logit, restricted.

    Parameters
    ----------
    y, X, groups, weights
        As :func:`fit_logit` (``X`` with its intercept column; ``weights`` frequency weights).
    k : int
        Column of ``X`` whose coefficient is tested.
    n_boot : int, default 9999
        Bootstrap draws (every weight vector when there are at most ``n_boot``).
    wild_weights_kind : {"auto", "rademacher", "webb"}
        See :func:`wild_weights` (``auto``: Webb with at most 12 clusters).
    random_state : int or Generator, optional
        Seed of the draws.

    Returns
    -------
    WildScoreTest
        ``(statistic, p_value, null_fit)``: the cluster-robust score statistic
        ``T = sum_g s_g / sqrt(sum_g s_g^2)``, its two-sided bootstrap p-value
        (:func:`wild_p_value`) and how the null model was fitted (``"ml"``, ``"firth"``,
        ``"ridge"``).

    Notes
    -----
    The model is fitted under the null (column ``k`` left out), by the rule of
    :func:`fit_logit`: maximum likelihood, checked for separation when a fitted probability is
    0 or 1, Newton's method does not converge or the fit fails (linear programme of
    :func:`separation`); separated restricted data are fitted by Firth's logit
    (``null_fit="firth"``), whose estimates exist, instead of keeping maximum-likelihood
    estimates that diverge (wherever Newton's method stopped) or the arbitrary ridge fit the
    function used before; a failure without separation gets the ridge fit of
    :func:`fit_logit` (``null_fit="ridge"``). The scores are then the ordinary logit scores at
    those estimates, projected as below. Separated restricted data imply separated full data
    (a separating direction of the restricted design, padded with 0, separates the full one),
    so the callers, which run this test only after a regular clustered maximum-likelihood fit
    of the full model, do not meet the fallback; it is there for direct use. With ``u_i`` the score of row
    ``i`` at the restricted estimates and ``H`` the information matrix, the efficient score of
    ``beta_k`` is ``s_i = u_ik - H_k,-k H_-k,-k^-1 u_i,-k``, summed by cluster to ``s_g``. Each
    draw multiplies the cluster sums by the weights ``v_g`` and restudentises:
    ``T* = sum v_g s_g / sqrt(sum (v_g s_g)^2)``. This is the score bootstrap of Kline & Santos
    (2012), the restricted (WCR) variant that Cameron, Gelbach & Miller (2008) and Roodman et al.
    (2019, ``boottest``) recommend with few clusters, with the weights, enumeration and p-value
    rule of :func:`wild_cluster_pvalues`. Its size with 8 villages is checked by simulation in
    ``tests/scorecard/test_stats.py``, its value against a brute-force enumeration in
    ``tests/pricing/test_pricing_stats.py``.

    References
    ----------
    Cameron, A. C., Gelbach, J. B., Miller, D. L. (2008). Bootstrap-based improvements for
    inference with clustered errors. *Review of Economics and Statistics* 90(3), 414-427.
    Kline, P., Santos, A. (2012). A score based approach to wild bootstrap inference. *Journal of
    Econometric Methods* 1(1), 23-41. Roodman, D., MacKinnon, J. G., Nielsen, M. O., Webb, M. D.
    (2019). Fast and wild: bootstrap inference in Stata using boottest. *Stata Journal* 19(1).
    Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered errors.
    *Canadian Journal of Economics* 56(3), 839-858.
    """
    yv = np.asarray(y, dtype=float).ravel()
    Xm = np.asarray(X, dtype=float)
    n, p = Xm.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).ravel()
    codes, G = _check_groups(groups, n)
    if codes is None or G < 2:
        raise CalibInputError(f"groups: the wild cluster bootstrap needs at least 2 clusters, got {G}")
    rest = [j for j in range(p) if j != k]
    Xr = Xm[:, rest]
    br, null_fit = _null_fit(yv, Xr, w)
    mu = expit(Xr @ br)
    u = Xm * (w * (yv - mu))[:, None]
    H = (Xm.T * (w * mu * (1 - mu))) @ Xm
    a = np.linalg.lstsq(H[np.ix_(rest, rest)], H[rest, k], rcond=None)[0]
    s = u[:, k] - u[:, rest] @ a
    sg = np.bincount(codes, weights=s, minlength=G)
    den = math.sqrt(float(np.sum(sg ** 2)))
    if den == 0:
        return WildScoreTest(float("nan"), float("nan"), null_fit)
    t0 = float(sg.sum() / den)
    v, enumerated, _ = wild_weights(G, n_boot, wild_weights_kind, random_state)
    tb = (v @ sg) / np.sqrt((v ** 2) @ (sg ** 2))
    return WildScoreTest(t0, wild_p_value(tb, t0, enumerated), null_fit)


def _null_fit(y: np.ndarray, X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, str]:
    """The restricted (null) fit of :func:`wild_cluster_score_test`, by the rule of
    :func:`fit_logit`: ``"ml"``; ``"firth"`` when the restricted data are separated (the
    linear programme runs only when a fitted probability is 0 or 1 to 1e-8, Newton's method did
    not converge or the fit failed); ``"ridge"`` when maximum likelihood fails without
    separation."""
    try:
        res, _ = _logit_mle(y, X, w, None)
        b = np.asarray(res.params, dtype=float)
        failed = False
        suspect = _not_converged(res)
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
        failed, suspect, b = True, True, None
    if suspect or failed or _suspect(y, X, w, b):
        if separation(y, X, w).kind != "none":
            return firth_logit(y, X, w)[0], "firth"
        if failed:
            return ridge_logit(y, X, w, RIDGE_FALLBACK * float(w.sum()))[0], "ridge"
    return b, "ml"


def jeffreys_interval(defaults: Any, n: Any, *, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed Jeffreys interval for a default rate.

    Quantiles ``alpha/2`` and ``1 - alpha/2`` of Beta(D + 1/2, N - D + 1/2), with the lower end
    set to 0 when D = 0 and the upper end to 1 when D = N (Brown, Cai & DasGupta 2001). NaN when
    N = 0.

    References
    ----------
    Brown, L. D., Cai, T. T., DasGupta, A. (2001). Interval estimation for a binomial
    proportion. *Statistical Science* 16(2), 101-133.
    """
    d = np.asarray(defaults, dtype=float)
    m = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = stats.beta.ppf(alpha / 2, d + 0.5, m - d + 0.5)
        hi = stats.beta.ppf(1 - alpha / 2, d + 0.5, m - d + 0.5)
    lo = np.where(d == 0, 0.0, lo)
    hi = np.where(d == m, 1.0, hi)
    return np.where(m > 0, lo, np.nan), np.where(m > 0, hi, np.nan)


def jeffreys_p(defaults: Any, n: Any, pd_: Any) -> np.ndarray:
    """One-sided Jeffreys p-value of "the PD is not too low": the CDF at ``pd_`` of the
    posterior Beta(D + 1/2, N - D + 1/2) (ECB 2019 validation reporting, sec. 2.5.3.1)."""
    d = np.asarray(defaults, dtype=float)
    m = np.asarray(n, dtype=float)
    return stats.beta.cdf(np.asarray(pd_, dtype=float), d + 0.5, m - d + 0.5)
