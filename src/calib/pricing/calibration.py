"""The risk-justified discount per 100 points, with a village-cluster bootstrap interval."""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy.special import expit

from calib._stats import fit_logit_replicate
from calib.pricing.pd_model import PointsPD, _fit_model, _prepared, _wild_p
from calib.pricing.schedule import PointsLoan, Schedule, discount_for_points, resolve_terms

__all__ = ["calibrate_points_discount", "policy_verdict", "FEW_BOOTSTRAP_VILLAGES"]

_STEP = 100.0


def _rng(random_state: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


def _ame_step(X: np.ndarray, beta: np.ndarray) -> float:
    """Average of PD(x) - PD(x with points + one step)."""
    eta = X @ beta
    return float(np.mean(expit(eta) - expit(eta + beta[1])))


def _cluster_rows(codes: np.ndarray, rng: np.random.Generator, n_boot: int):
    """Yield row indices of cluster-bootstrap replicates (clusters drawn with replacement)."""
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    g = len(counts)
    for _ in range(n_boot):
        pick = rng.integers(0, g, size=g)
        c = counts[pick]
        total = int(c.sum())
        offs = np.repeat(starts[pick] - np.concatenate([[0], np.cumsum(c)[:-1]]), c)
        yield order[np.arange(total) + offs]


def _bootstrap_ame(y, X, beta, codes, *, lgd, n_boot, rng):
    """(replicate discounts, replicate coefficients, failed count, separated count) of the
    cluster bootstrap; a separated replicate is refitted by Firth's logit and kept
    (:func:`calib._stats.fit_logit_replicate`), a failed one is dropped and counted."""
    boot, coefs, failed, separated = [], [], 0, 0
    for idx in _cluster_rows(codes, rng, n_boot):
        xi = X[idx]  # the replicate's rows, copied once for the refit and the discount
        try:
            bb, how = fit_logit_replicate(y[idx], xi, beta)
            if not np.all(np.isfinite(bb)):
                raise FloatingPointError
        except Exception:  # noqa: BLE001 - a failed refit is counted, not hidden
            failed += 1
            continue
        separated += how == "firth"
        boot.append(lgd * _ame_step(xi, bb))
        coefs.append(bb)
    return (np.asarray(boot, dtype=float), np.asarray(coefs, dtype=float).reshape(-1, X.shape[1]),
            failed, separated)


def _interval_method(unit: str, n_boot: int, separated: int) -> str:
    """The interval's method in words, with the replicates refitted by Firth (a coded value:
    the report catalogue words it, ``calib.report._terms.REASONS``)."""
    words = f"percentile bootstrap resampling {unit}"
    if separated:
        words += (f" ({separated} of {n_boot} replicates separated, refitted by Firth's "
                  "penalised likelihood)")
    return words


def _percentile_interval(boot: np.ndarray, alpha: float) -> tuple[float, float, float]:
    if not boot.size:
        return np.nan, np.nan, np.nan
    lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2])
    se = float(boot.std(ddof=1)) if boot.size > 1 else np.nan
    return float(lo), float(hi), se


def _policy_columns(out: pd.DataFrame, frame: pd.DataFrame, sch: Schedule) -> None:
    if sch.bands is None:
        pol = sch.per_100()
    else:  # banded: average discount per 100 points over the borrowers' points
        pts = frame["points"].to_numpy(dtype=float)
        d = np.asarray(discount_for_points(pts, sch), dtype=float)
        pol = float(np.sum(d) / np.sum(pts) * 100.0) if np.sum(pts) > 0 else np.nan
    lo, hi = float(out["ci_low"].iloc[0]), float(out["ci_high"].iloc[0])
    out["policy_per_100"] = pol
    out["policy_in_ci"] = bool(lo <= pol <= hi) if np.isfinite(lo) else False
    out["policy_verdict"] = policy_verdict(pol, lo, hi)


def _model_summary(model: PointsPD, y: np.ndarray) -> dict:
    coefs = model.coefficients
    r = model.result.result  # statsmodels results; None for a penalised (fallback) fit
    formula = "logit PD ~ points/%g" % model.step + "".join(f" + {c}" for c in model.controls)
    b = coefs.loc["points_per_step"]
    return {"pd_model": formula, "coef_points": b["coef"], "coef_points_se": b["se"],
            "coef_points_p": b["p_value"], "coef_points_p_wild": b["p_value_wild"],
            "odds_ratio_per_100": float(np.exp(b["coef"])),
            "pseudo_r2": float(r.prsquared) if r is not None else np.nan,
            "aic": float(r.aic) if r is not None else np.nan, "mean_pd": float(y.mean()),
            "se_method": model.se_method}


#: Fewest villages for a reliable village (cluster) bootstrap interval: about 20 (Cameron, Gelbach
#: & Miller 2008); below it :func:`calibrate_points_discount` warns, and report 05's methods
#: appendix says so.
FEW_BOOTSTRAP_VILLAGES = 20


def _warn_thin(n_clusters: int, clustered: bool, n_defaults: int) -> None:
    if clustered and n_clusters < FEW_BOOTSTRAP_VILLAGES:
        warnings.warn(
            f"only {n_clusters} village{'s' * (n_clusters != 1)}: the cluster bootstrap interval is unreliable below "
            f"~{FEW_BOOTSTRAP_VILLAGES}",
            stacklevel=3,
        )
    if n_defaults < 30:
        warnings.warn(
            f"only {n_defaults} default{'s' * (n_defaults != 1)}: the PD model and its interval are very uncertain",
            stacklevel=3,
        )


def calibrate_points_discount(
    loans: pd.DataFrame,
    points: pd.DataFrame | None,
    *,
    terms: PointsLoan | dict | None = None,
    lgd: float | None = None,
    controls: Sequence[str] = (),
    n_boot: int | None = None,
    random_state: int | np.random.Generator | None = 0,
    cluster: str | None = "village",
    alpha: float = 0.05,
    period: str | None = None,
    missing_points: Literal["zero", "raise"] = "zero",
    schedule: Schedule | dict | None = None,
    wild_bootstrap: Literal["auto"] | bool = "auto",
    n_wild: int = 9999,
) -> pd.DataFrame:
    """Risk-justified discount per 100 points, with a village-cluster bootstrap interval.

    Parameters
    ----------
    loans, points : pandas.DataFrame
        See :func:`attach_points`; ``loans`` needs ``default`` (0/1), the controls and the
        cluster column.
    terms : PointsLoan or dict, optional
        The ``points_loan`` block: ``lgd``, ``n_boot`` and the policy ``schedule`` come from it
        (a keyword given explicitly wins).
    lgd : float, optional
        Loss given default (required without ``terms``).
    controls : sequence of str
        Columns of ``loans`` held at their observed values (e.g. ``grade``, ``model_score``,
        ``head_age``); text columns become dummies.
    n_boot : int, optional
        Bootstrap replicates (``points_loan.n_boot``; 200 by default).
    random_state : int or numpy.random.Generator
        Seed of the bootstrap.
    cluster : str or None
        Resampling unit and standard-error cluster (``village``: defaults within a village
        move together). ``None`` resamples loans and uses model-based standard errors (stated in
        ``interval_method`` and ``se_method``).
    alpha : float
        1 - confidence of the interval.
    schedule : Schedule or dict, optional
        The policy schedule; adds ``policy_per_100`` (its discount per 100 points, e.g. 0.001;
        for a banded schedule the borrowers' total discount per 100 of their points),
        ``policy_in_ci`` (bool) and ``policy_verdict`` (see :func:`policy_verdict`).
    wild_bootstrap : {"auto", True, False}
        Add ``coef_points_p_wild``, the wild cluster bootstrap p-value of the points
        coefficient (``"auto"``: with fewer than 30 villages; see :func:`fit_points_pd`).
    n_wild : int
        Draws of the wild bootstrap (seeded by ``random_state``, after the pairs bootstrap).

    Returns
    -------
    pandas.DataFrame
        One row:

        - ``discount_per_100``: LGD x mean over borrowers of [PD(points) - PD(points + 100)],
          other characteristics at their observed values (a fraction: 0.001 = 0.1 pp);
        - ``ci_low``, ``ci_high``: percentile bootstrap interval; ``se_boot``: bootstrap SD;
          ``interval_method`` (in words, with ``n_boot_separated`` when not zero);
        - ``n_loans``, ``n_defaults``, ``n_clusters``,
          ``n_boot`` (successful replicates), ``n_boot_failed`` (replicates whose refit failed
          without separation, left out), ``n_boot_separated`` (replicates whose data were
          separated, refitted by Firth's logit and kept; included in ``n_boot``);
        - PD model summary: ``pd_model`` (formula), ``coef_points`` (log-odds per 100 points),
          ``coef_points_se`` (village-clustered, CR1), ``coef_points_p`` (on t(G-1)),
          ``coef_points_p_wild`` (wild cluster bootstrap; NaN when not computed),
          ``odds_ratio_per_100``, ``pseudo_r2`` (McFadden), ``aic``, ``mean_pd``,
          ``se_method`` (in words).

        ``attrs``: ``model`` (:class:`PointsPD`), ``coefficients`` (all terms),
        ``boot`` (array of replicate discounts), ``boot_coefs`` (replicate coefficients, one
        row per successful replicate).

    Raises
    ------
    CalibInputError
        When the cluster column is missing, blank or has a single value: with one village
        neither a clustered standard error nor a village bootstrap exists (every replicate
        would be the sample itself, a zero-width interval). Pass ``cluster=None`` for
        loan-level inference.

    Notes
    -----
    The PD model is a logistic regression of default on points (per 100) plus controls,
    fitted by :func:`calib._stats.fit_logit` (Newton-Raphson; standard errors clustered by
    village with the CR1 factor G/(G-1) x (N-1)/(N-K), tests and intervals on t(G-1); with
    fewer than 30 villages also the wild cluster bootstrap p-value). The estimand is an
    average marginal effect of +100 points on PD (a "finite difference" AME, see Williams 2012)
    times LGD, i.e. the average expected-loss saving per 100 points, which is the discount a
    risk-neutral price would give [1]_. Defaults within a village are correlated (shared
    shocks, shared panel), so the interval resamples whole villages with replacement (cluster /
    "pairs" bootstrap, [2]_), refitting the model each time; the interval is the percentile
    interval. With fewer than about 20 villages (:data:`FEW_BOOTSTRAP_VILLAGES`) the cluster
    bootstrap is unreliable [2]_ (a
    warning says so). Few villages or few defaults make some replicates separated (e.g. no
    default among the drawn high-points villages, or a grade without defaults): maximum
    likelihood does not exist there and its coefficients diverge. Each refit therefore follows
    the sample's own rule (:func:`calib._stats.fit_logit`): a fitted probability of 0 or 1, a
    non-converged or failed fit triggers the separation linear programme, and a separated
    replicate is refitted by Firth's penalised likelihood [4]_ and kept
    (:func:`calib._stats.fit_logit_replicate`). It is not dropped: the bootstrap must
    replicate the estimator used on the sample, and dropping separated replicates would
    condition on non-separation, removing the replicates with the most extreme effects and
    narrowing the interval. ``n_boot_separated`` counts them (and ``interval_method`` states
    it), ``n_boot_failed`` the replicates left out because the fit failed without separation. Points may also *cause* better repayment or be granted to better
    households; this is a predictive (pricing) quantity, not a causal effect.

    References
    ----------
    .. [1] research note ``methods.md`` §4: Δr(p) = LGD·[PD(p0) - PD(p)].
    .. [2] Cameron, A. C., Gelbach, J. B., Miller, D. L. (2008). Bootstrap-based improvements
       for inference with clustered errors. *Review of Economics and Statistics* 90(3),
       414-427.
    .. [3] Williams, R. (2012). Using the margins command to estimate and interpret adjusted
       predictions and marginal effects. *Stata Journal* 12(2), 308-331.
    .. [4] Heinze, G., Schemper, M. (2002). A solution to the problem of separation in logistic
       regression. *Statistics in Medicine* 21(16), 2409-2419.
    """
    given = terms is not None or schedule is not None
    t = resolve_terms(schedule if given else Schedule(), terms, required=("lgd",), lgd=lgd,
                      n_boot=n_boot)
    policy = t.schedule if given else None
    frame = _prepared(loans, points, period, missing_points)
    model, y, X, groups = _fit_model(frame, tuple(controls), cluster, _STEP)
    codes = groups if groups is not None else np.arange(len(frame))
    beta = model.result.params
    rng = _rng(random_state)
    boot, boot_coefs, failed, separated = _bootstrap_ame(y, X, beta, codes, lgd=t.lgd, n_boot=t.n_boot,
                                              rng=rng)
    lo, hi, se = _percentile_interval(boot, alpha)
    # after the pairs bootstrap, so that its draws do not depend on whether this one runs
    model.p_value_wild = _wild_p(model.result, y, X, groups, wild_bootstrap, n_wild, rng)
    n_clusters = len(np.unique(codes))
    unit = "villages" if groups is not None else "loans"
    out = pd.DataFrame([{
        "discount_per_100": t.lgd * _ame_step(X, beta), "ci_low": lo, "ci_high": hi,
        "se_boot": se, "interval_method": _interval_method(unit, t.n_boot, separated),
        "n_loans": len(frame), "n_defaults": int(y.sum()), "n_clusters": n_clusters,
        "n_boot": int(boot.size), "n_boot_failed": failed, "n_boot_separated": separated,
        **_model_summary(model, y),
    }])
    if policy is not None:
        _policy_columns(out, frame, policy)
    _warn_thin(n_clusters, groups is not None, int(y.sum()))
    out.attrs.update(model=model, coefficients=model.coefficients, boot=boot,
                     boot_coefs=boot_coefs)
    return out


def policy_verdict(policy_per_100: float, ci_low: float, ci_high: float) -> str:
    """Plain-words comparison of the policy discount with the risk-justified interval.

    Parameters
    ----------
    policy_per_100 : float
        The policy's discount per 100 points (0.001 = 0.1 pp).
    ci_low, ci_high : float
        Interval of the risk-justified discount per 100 points
        (:func:`calibrate_points_discount`).

    Returns
    -------
    str
        ``subsidised`` (policy above the interval: the discount gives more than the expected
        loss it saves), ``below risk`` (policy below the interval: points predict more saving
        than the discount gives), ``risk-justified`` (policy inside an interval that excludes
        zero), ``cannot be told apart`` (policy inside an interval that also includes zero: the
        data cannot tell the policy from no risk-justified discount at all), or ``no interval``
        (NaN bounds).

    Examples
    --------
    >>> policy_verdict(0.001, 0.0004, 0.0021), policy_verdict(0.001, -0.0008, 0.0021)
    ('risk-justified', 'cannot be told apart')
    >>> policy_verdict(0.001, 0.0001, 0.0006)
    'subsidised'
    """
    if not (np.isfinite(ci_low) and np.isfinite(ci_high) and np.isfinite(policy_per_100)):
        return "no interval"
    if policy_per_100 > ci_high:
        return "subsidised"
    if policy_per_100 < ci_low:
        return "below risk"
    return "risk-justified" if ci_low > 0 else "cannot be told apart"
