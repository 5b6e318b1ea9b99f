"""Binning of characteristics and their weight of evidence (WoE).

Monotone binning of each characteristic (numeric: quantile pre-bins merged by
pool-adjacent-violators until the default rate is strictly monotone, then small and similar
neighbours merged; text: small categories pooled as ``"other"``, the rest ordered by default rate
and merged), and the WoE ``ln(%good / %bad)`` of each bin (Siddiqi 2006). A binning is a plain
dict per characteristic (``spec``), which :mod:`calib.scorecard.persist` writes as YAML.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from calib.errors import CalibInputError

__all__ = ["fit_binning", "woe_matrix", "bin_labels", "iv_reading", "MISSING", "SPECIAL", "OTHER",
           "IV_WEAK", "IV_MEDIUM", "IV_STRONG"]

MISSING = "Missing"
SPECIAL = "Special"
OTHER = "other"
_TRENDS = ("increasing", "decreasing", "auto", None)


#: Information values from which a characteristic reads weak, medium and strong: 0.02, 0.1 and 0.3
#: (Siddiqi, *Credit Risk Scorecards*, 2006). :func:`iv_reading` applies them, the IV chart of
#: report 04 marks them and its axis label states them.
IV_WEAK = 0.02
IV_MEDIUM = 0.1
IV_STRONG = 0.3


def iv_reading(iv: Any) -> np.ndarray:
    """Siddiqi's reading of an information value: below :data:`IV_WEAK` (0.02) ``unpredictive``,
    up to :data:`IV_MEDIUM` (0.1) ``weak``, up to :data:`IV_STRONG` (0.3) ``medium``, from there
    ``strong`` (above 0.5 check for overfitting or a characteristic that is a function of the
    outcome).

    Examples
    --------
    >>> iv_reading([0.01, 0.02, 0.1, 0.3]).tolist()
    ['unpredictive', 'weak', 'medium', 'strong']
    """
    v = np.asarray(iv, dtype=float)
    return np.where(v >= IV_STRONG, "strong", np.where(v >= IV_MEDIUM, "medium",
                                                       np.where(v >= IV_WEAK, "weak", "unpredictive")))


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



def readable_splits(splits: Sequence[float], x: np.ndarray, *, max_decimals: int = 12) -> list[float]:
    """Each split point moved to the number with the fewest decimals that sorts the fitting
    values as it does.

    A split ``s`` sends a value to the upper bin when ``value >= s``; any ``r`` with
    ``below < r <= above`` (``below`` the largest fitting value under ``s``, ``above`` the
    smallest at or over it) sorts every fitting value the same way. Of those with the fewest
    decimals, the one nearest ``s`` is taken: ``4.3`` for a split at 13/3 between the
    averages 4.0 and 4.333..., ``9.555`` for a quantile 9.55442 of log incomes. The bins,
    their counts, WoE and the card's in-sample scores are unchanged; the card's table and
    pages then print every split exactly as the card applies it.

    Examples
    --------
    >>> readable_splits([13 / 3], np.array([3.5, 4.0, 13 / 3, 4.5]))
    [4.3]
    >>> readable_splits([9.554420], np.array([9.551, 9.5544199, 9.5561, 9.6]))
    [9.555]
    """
    xs = np.unique(np.asarray(x, dtype=float))
    xs = xs[np.isfinite(xs)]
    out = []
    for s in splits:
        s = float(s)
        i = int(np.searchsorted(xs, s, side="left"))  # xs[i - 1] < s <= xs[i]
        below = xs[i - 1] if i > 0 else -np.inf
        above = xs[i] if i < xs.size else np.inf
        r = s
        for d in range(max_decimals + 1):
            q = 10.0 ** d
            lo, hi = np.floor(below * q) + 1 if np.isfinite(below) else -np.inf, \
                np.floor(above * q) if np.isfinite(above) else np.inf
            if lo > hi:  # no number of d decimals in (below, above]
                continue
            k = min(max(np.round(s * q), lo), hi)
            cand = float(np.round(k / q, d))
            if below < cand <= above:
                r = cand
                break
        out.append(r)
    return out


def _numeric_spec(v: np.ndarray, y: np.ndarray, w: np.ndarray, *, trend: str | None,
                  special_codes: Sequence[float], max_bins: int, min_count: float,
                  n_prebins: int) -> tuple[dict, list[str], np.ndarray]:
    """Spec, bin labels and bin position of each row of a numeric characteristic."""
    miss = np.isnan(v)
    sc = np.asarray(special_codes, dtype=float)
    special = np.isin(v, sc) & ~miss
    reg = ~miss & ~special
    splits, used = _numeric_bins(v[reg], y[reg], w[reg], trend=trend, max_bins=max_bins,
                                 min_count=min_count, n_prebins=n_prebins)
    splits = readable_splits(splits, v[reg])  # printed as applied: 4.3, not 4.33333
    spec: dict[str, Any] = {"splits": splits, "special_codes": sc.tolist(), "trend": trend,
                            "fitted_trend": used}
    labels = _interval_labels(splits)
    idx = np.full(v.shape[0], -1)
    idx[reg] = np.searchsorted(np.asarray(splits), v[reg], side="right")
    for lab, mask in ((SPECIAL, special), (MISSING, miss)):
        if mask.any():
            labels.append(lab)
            idx[mask] = len(labels) - 1
    # univariate trend of the data (Spearman) and its two-sided p-value, for the sign report
    spec["univariate_trend"], spec["univariate_p"] = None, None
    if reg.sum() > 2 and np.ptp(v[reg]) > 0:
        sr = stats.spearmanr(v[reg], y[reg])
        rho = sr.statistic
        spec["univariate_trend"] = "increasing" if rho > 0 else "decreasing" if rho < 0 else None
        spec["univariate_p"] = float(sr.pvalue)
    return spec, labels, idx


def _categorical_spec(col: pd.Series, y: np.ndarray, w: np.ndarray, *, max_bins: int,
                      min_count: float) -> tuple[dict, list[str], np.ndarray]:
    """Spec, bin labels and bin position of each row of a text characteristic."""
    miss = col.isna().to_numpy()
    xs_str = col[~miss].astype(str).to_numpy(dtype=object)
    mapping = _categorical_bins(xs_str, y[~miss], w[~miss], max_bins=max_bins,
                                min_count=min_count) if xs_str.size else {}
    labels = list(dict.fromkeys(mapping.values()))
    lab_pos = {lab: i for i, lab in enumerate(labels)}
    idx = np.full(col.shape[0], -1)
    idx[~miss] = pd.Series(xs_str).map(mapping).map(lab_pos).to_numpy(dtype=int)
    if miss.any():
        labels.append(MISSING)
        idx[miss] = len(labels) - 1
    spec = {"categories": mapping, "trend": None, "fitted_trend": None, "univariate_trend": None}
    return spec, labels, idx


def fit_binning(X: pd.DataFrame, y: np.ndarray, w: np.ndarray, *,
                trend_for: Callable[[str], str | None], categorical: Sequence[str] = (),
                special_codes: Mapping[str, Sequence[float]] | None = None, max_bins: int = 6,
                min_bin_share: float = 0.05, n_prebins: int = 20) -> dict[str, dict]:
    """Bins, counts, default rates, WoE and IV of every characteristic of ``X``.

    Returns ``{characteristic: spec}``; ``spec`` holds ``name``, ``kind`` (numeric /
    categorical), ``splits`` and ``special_codes`` or ``categories``, ``trend``,
    ``fitted_trend``, ``univariate_trend``, ``bins`` (list of ``{bin, count, event_rate, woe,
    iv}``) and ``iv``. A loop over characteristics; each is vectorised.
    """
    cat_cols = set(categorical or [])
    specials = dict(special_codes or {})
    g_tot, b_tot = float((w * (1 - y)).sum()), float((w * y).sum())
    min_count = min_bin_share * float(w.sum())
    specs: dict[str, dict] = {}
    for name in X.columns:  # loop over characteristics
        col = X[name]
        numeric = (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
                   and name not in cat_cols)
        if numeric:
            spec, labels, idx = _numeric_spec(
                col.to_numpy(dtype=float, na_value=np.nan), y, w, trend=trend_for(name),
                special_codes=specials.get(name, []), max_bins=max_bins, min_count=min_count,
                n_prebins=n_prebins)
        else:
            spec, labels, idx = _categorical_spec(col, y, w, max_bins=max_bins, min_count=min_count)
        nb = len(labels)
        cnt = np.bincount(idx, weights=w, minlength=nb)
        bad = np.bincount(idx, weights=w * y, minlength=nb)
        woe, iv = _woe_iv(cnt - bad, bad, g_tot, b_tot)
        spec = {"name": str(name), "kind": "numeric" if numeric else "categorical", **spec}
        spec["bins"] = [{"bin": labels[i], "count": float(cnt[i]),
                         "event_rate": float(bad[i] / cnt[i]) if cnt[i] > 0 else float("nan"),
                         "woe": float(woe[i]), "iv": float(iv[i])} for i in range(nb)]
        spec["iv"] = float(iv.sum())
        specs[str(name)] = spec
    return specs


def woe_matrix(specs: Mapping[str, dict], X: pd.DataFrame) -> np.ndarray:
    """``(n, K)`` WoE of each row and characteristic (0, the sample average, for a value without
    a bin)."""
    cols = []
    for name, spec in specs.items():
        if name not in X.columns:
            raise CalibInputError(f"X: missing characteristic column {name!r}")
        idx = _bin_index(spec, X[name])
        woe = np.append(np.array([b["woe"] for b in spec["bins"]], dtype=float), 0.0)
        cols.append(woe[idx])  # idx -1 -> last element, WoE 0
    return np.column_stack(cols) if cols else np.empty((X.shape[0], 0))


def bin_labels(specs: Mapping[str, dict], X: pd.DataFrame) -> pd.DataFrame:
    """Bin label of each row and characteristic (``"(no bin)"`` for values without a bin)."""
    out = {}
    for name, spec in specs.items():
        if name not in X.columns:
            raise CalibInputError(f"X: missing characteristic column {name!r}")
        labs = np.array([b["bin"] for b in spec["bins"]] + ["(no bin)"], dtype=object)
        out[name] = labs[_bin_index(spec, X[name])]
    return pd.DataFrame(out, index=X.index)
