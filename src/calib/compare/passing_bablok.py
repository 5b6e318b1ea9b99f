"""Passing-Bablok regression (1983) with confidence intervals and the cusum linearity test.

The method-comparison regression of laboratory method validation (CLSI EP09): the slope is the
shifted median of all pairwise slopes, the intercept the median of ``y - b x``. The pairwise
slopes are never all held in memory: one pass over blocks of pairs counts them, a second keeps
only the slopes in a narrow bracket around the ranks needed, so ``n`` of tens of thousands takes
seconds and little memory (the work is still ``O(n^2)``; above ``max_n`` points a seeded random
subsample of ``max_n`` points is used and reported).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calib.errors import CalibInputError, CalibParamsError

_BLOCK = 2_000_000  # pairs per block


@dataclass
class PassingBablok:
    """Result of :func:`passing_bablok` (slope and intercept with their intervals, cusum test)."""

    slope: float
    slope_low: float
    slope_high: float
    intercept: float
    intercept_low: float
    intercept_high: float
    cusum: float          # max |cusum| / sqrt(L + 1)
    cusum_p: float        # p-value of the linearity test (Kolmogorov-Smirnov distribution)
    n: int                # points used
    n_slopes: int         # valid pairwise slopes N
    n_below: int          # slopes below -1 (the shift K)


def _pair_blocks(n: int):
    """Row blocks ``(i0, i1)`` such that rows i0..i1-1 against all later rows are <= _BLOCK pairs."""
    i0 = 0
    while i0 < n - 1:
        i1, pairs = i0, 0
        while i1 < n - 1 and (pairs == 0 or pairs + (n - 1 - i1) <= _BLOCK):
            pairs += n - 1 - i1
            i1 += 1
        yield i0, i1
        i0 = i1


def _block_slopes(x: np.ndarray, y: np.ndarray, i0: int, i1: int) -> np.ndarray:
    """Valid slopes of the pairs (i, j), i0 <= i < i1, j > i: +-inf for equal x, none for
    identical points or a slope of exactly -1 (Passing & Bablok 1983, p. 711)."""
    # rows i0..i1-1 against the columns i0+1..n-1 as one rectangle (contiguous slices, no pair
    # index arrays); the pairs j <= i of its corner triangle are masked out. Row-major order:
    # the slopes come out in the order of the pairs (i, j), i ascending, then j.
    cols = slice(i0 + 1, x.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (y[cols][None, :] - y[i0:i1, None]) / (x[cols][None, :] - x[i0:i1, None])
    # x_i = x_j gives +0.0, so +-inf by the sign of dy; identical points give 0 / 0 (NaN)
    keep = np.arange(i0 + 1, x.size)[None, :] > np.arange(i0, i1)[:, None]
    keep &= ~np.isnan(s)
    keep &= s != -1
    return s[keep]


def _ranks_needed(N: int, K: int, n: int, confidence: float) -> tuple[list[int], list[int], list[int]]:
    """0-based ranks of the slope (one or two) and of the interval bounds (possibly out of range)."""
    from scipy import stats

    mid = [(N + 1) // 2 + K - 1] if N % 2 else [N // 2 + K - 1, N // 2 + K]
    C = stats.norm.ppf(0.5 + confidence / 2) * np.sqrt(n * (n - 1) * (2 * n + 5) / 18)
    M1 = int(np.round((N - C) / 2))
    M2 = N - M1 + 1
    return mid, [M1 + K - 1], [M2 + K - 1]


def _pilot(x, y, rng) -> np.ndarray:
    """Sorted valid slopes of a random subsample of at most 2,000 points."""
    n = x.size
    m = min(n, 2000)
    sub = np.sort(rng.choice(n, m, replace=False)) if m < n else np.arange(n)
    return np.sort(np.concatenate([_block_slopes(x[sub], y[sub], a, b) for a, b in _pair_blocks(m)]
                                  + [np.empty(0)]))


def _scan(x, y, lo: float, hi: float) -> tuple[int, int, int, np.ndarray]:
    """One pass over all pairs: N, K, the count below ``lo`` and the sorted slopes in [lo, hi]."""
    N = K = below = 0
    kept = [np.empty(0)]
    for a, b in _pair_blocks(x.size):
        s = _block_slopes(x, y, a, b)
        N += s.size
        K += int(np.count_nonzero(s < -1))
        below += int(np.count_nonzero(s < lo))
        kept.append(s[(s >= lo) & (s <= hi)])
    return N, K, below, np.sort(np.concatenate(kept))


def _order_stats(x, y, confidence: float, rng) -> tuple[int, int, dict[str, float]]:
    """N, K and the exact order statistics of the slope and its bounds (NaN when out of range).

    A pilot subsample brackets the ranks needed; the full pass keeps only the slopes inside the
    bracket, widening it until every rank needed falls inside.
    """
    n = x.size
    pilot = _pilot(x, y, rng)
    if pilot.size:
        Np, Kp = pilot.size, int(np.count_nonzero(pilot < -1))
        want = np.array([Kp + 0.5 * (Np - Kp), *_bound_ranks(Np, Kp, min(n, 2000), confidence)], float)
        qs = np.clip(want / Np, 0, 1)
    else:
        qs = np.array([0.0, 1.0])
    margin = 0.02
    while True:
        lo_q, hi_q = qs.min() - margin, qs.max() + margin
        lo = pilot[int(lo_q * (pilot.size - 1))] if lo_q > 0 and pilot.size else -np.inf
        hi = pilot[int(np.ceil(hi_q * (pilot.size - 1)))] if hi_q < 1 and pilot.size else np.inf
        N, K, below, kept = _scan(x, y, lo, hi)
        mid, low, high = _ranks_needed(N, K, n, confidence)
        ranks = [r for r in mid + low + high if 0 <= r < N]
        if all(below <= r < below + kept.size for r in ranks):
            def at(r):
                return float(kept[r - below]) if 0 <= r < N else np.nan
            return N, K, {"slope": float(np.mean([at(r) for r in mid])) if N else np.nan,
                          "low": at(low[0]), "high": at(high[0])}
        margin *= 4


def _bound_ranks(N: int, K: int, n: int, confidence: float) -> list[int]:
    _, low, high = _ranks_needed(N, K, n, confidence)
    return low + high


def _cusum(x: np.ndarray, y: np.ndarray, a: float, b: float) -> tuple[float, float]:
    """Cusum linearity test (Passing & Bablok 1983, sec. 5): statistic and p-value."""
    res = y - a - b * x
    above, below = res > 0, res < 0
    l_, L_ = int(above.sum()), int(below.sum())
    if l_ == 0 or L_ == 0:
        return 0.0, 1.0
    r = np.where(above, np.sqrt(L_ / l_), np.where(below, -np.sqrt(l_ / L_), 0.0))
    d = (y + x / b - a) / np.sqrt(1 + 1 / b ** 2) if b != 0 else x
    cs = np.cumsum(r[np.argsort(d, kind="stable")])
    h = float(np.max(np.abs(cs)) / np.sqrt(L_ + 1))
    from scipy import special

    return h, float(special.kolmogorov(h))


def passing_bablok(x, y, *, confidence: float = 0.95, max_n: int = 20_000,
                   random_state: int | np.random.Generator = 0) -> PassingBablok:
    """Passing-Bablok regression of ``y`` on ``x`` with confidence intervals and the cusum test.

    Parameters
    ----------
    x, y : array-like
        Paired measurements of the two methods (finite; e.g. log consensus and log model limits).
    confidence : float
        Level of the slope and intercept intervals.
    max_n : int
        Above this many points a seeded random subsample of ``max_n`` points is used (``n`` of the
        result says how many).
    random_state : int or Generator
        Seed of the subsample and of the pilot sample that brackets the order statistics (the
        result does not depend on the pilot: the order statistics are exact).

    Returns
    -------
    PassingBablok
        ``slope``, ``intercept`` with ``*_low``, ``*_high`` (NaN when the rank of a bound falls
        outside the slopes, i.e. too few points; everything NaN when there is no finite median
        slope, e.g. all ``x`` equal), ``cusum`` and ``cusum_p`` (a small p-value rejects
        linearity), ``n``, ``n_slopes``, ``n_below``.

    Raises
    ------
    CalibInputError
        When ``x`` or ``y`` is empty, their lengths differ or a value is not finite.

    Notes
    -----
    Following Passing & Bablok (1983): the slopes ``S_ij = (y_j - y_i) / (x_j - x_i)`` of all
    pairs, ``+-inf`` when ``x_i = x_j`` (sign of ``y_j - y_i``), none for identical points or a
    slope of exactly -1; with ``K`` slopes below -1 the slope ``b`` is the median of the sorted
    slopes shifted by ``K``; ``C = z sqrt(n (n - 1) (2 n + 5) / 18)``, ``M1 = round((N - C) / 2)``,
    ``M2 = N - M1 + 1`` and the interval is ``(S_(M1 + K), S_(M2 + K))``. The intercept is
    ``median(y - b x)`` with interval ``(median(y - b_high x), median(y - b_low x))``. Cusum test:
    residual signs scored ``sqrt(L / l)`` above and ``-sqrt(l / L)`` below the line, summed in the
    order of the points' projections on the line; ``max |cusum| / sqrt(L + 1)`` is compared with
    the Kolmogorov-Smirnov distribution (1.36 at 5%). Checked against R ``mcr::mcreg(method.reg =
    "PaBa")`` on its creatinine data and against a brute-force implementation.

    References
    ----------
    Passing, H., Bablok, W. (1983). A new biometrical procedure for testing the equality of
    measurements from two different analytical methods. J. Clin. Chem. Clin. Biochem. 21, 709-720.
    CLSI EP09c (2018). Measurement procedure comparison and bias estimation using patient samples.
    """
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    for name, v in (("x", x), ("y", y)):
        if v.size == 0:
            raise CalibInputError(f"passing_bablok: input {name} is empty")
        if not np.isfinite(v).all():
            raise CalibInputError(f"passing_bablok: input {name} has a missing or infinite value")
    if x.size != y.size:
        raise CalibInputError(f"passing_bablok: x has {x.size} values, y {y.size}")
    if not 0 < confidence < 1:
        raise CalibParamsError(f"confidence must be in (0, 1), got {confidence!r}")
    rng = np.random.default_rng(random_state)
    if x.size > max_n:
        keep = np.sort(rng.choice(x.size, max_n, replace=False))
        x, y = x[keep], y[keep]
    return _fit(x, y, confidence, rng)


def _fit(x: np.ndarray, y: np.ndarray, confidence: float, rng) -> PassingBablok:
    n = x.size
    N, K, st = _order_stats(x, y, confidence, rng)
    nan = np.nan
    if N == 0:
        return PassingBablok(nan, nan, nan, nan, nan, nan, nan, nan, n, 0, 0)
    slope, b_lo, b_hi = st["slope"], st["low"], st["high"]
    if not np.isfinite(slope):   # e.g. every x equal: the slopes are all infinite
        return PassingBablok(nan, nan, nan, nan, nan, nan, nan, nan, n, N, K)
    a = float(np.median(y - slope * x))
    a_lo = float(np.median(y - b_hi * x)) if np.isfinite(b_hi) else nan
    a_hi = float(np.median(y - b_lo * x)) if np.isfinite(b_lo) else nan
    h, p = _cusum(x, y, a, slope) if np.isfinite(slope) else (nan, nan)
    return PassingBablok(slope, b_lo, b_hi, a, a_lo, a_hi, h, p, n, N, K)
