"""Report tables of a consensus: status counts and the shift against another consensus."""
from __future__ import annotations

import numpy as np
import pandas as pd

from calib._frames import levels, require_columns, stack_levels
from calib.consensus.fit import bc
from calib.errors import CalibInputError, CalibParamsError

#: How far a household's limit must move (``|consensus / baseline - 1|``, strictly above) to
#: count as moved by :func:`consensus_shift`: 10%, this workbench's reading of a material change
#: of a limit (report 02 compares the adjusted consensus with the plain median at it and states it).
SHIFT_THRESHOLD = 0.10


def consensus_shift(
    consensus: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    threshold: float = SHIFT_THRESHOLD,
    by: str | None = "village",
) -> pd.DataFrame:
    """How far one consensus moves households against another (e.g. adjusted against median).

    Parameters
    ----------
    consensus, baseline : DataFrame
        Two outputs of :func:`consensus_limits` on the same reviews (index ``household_id``,
        ``consensus_granted``; ``by`` column when grouping). Households present in only one are
        an error.
    threshold : float
        A household *moves* when ``|consensus / baseline - 1| > threshold`` (0.1 = 10%);
        default :data:`SHIFT_THRESHOLD`.
    by : str, optional
        Column to group by (``village`` or ``township``); an ``overall`` row comes first.

    Returns
    -------
    DataFrame
        Columns ``level`` (``overall`` or ``by``), ``group``, ``n_compared`` (households with a
        positive limit in both), ``n_up``, ``n_down`` (moved up / down by more than
        ``threshold``), ``share_moved``, ``median_abs_change`` (median of ``|ratio - 1|``),
        ``total_consensus_compared``, ``total_baseline_compared`` (sums of the two limits over
        the households compared, yuan: not the white list's total, which
        :func:`status_counts` gives).

    Notes
    -----
    Compares ``consensus_granted`` (the limit before the white-list decision), so that the
    two aggregators are compared on the same households whatever the decline rule.
    """
    if not threshold >= 0:
        raise CalibParamsError(f"threshold must be >= 0, got {threshold!r}")
    for name, fr in (("consensus", consensus), ("baseline", baseline)):
        require_columns(fr, ("consensus_granted",), name)
    if len(consensus) != len(baseline) or not consensus.index.sort_values().equals(baseline.index.sort_values()):
        raise CalibInputError("consensus and baseline must cover the same household_id values")
    a = consensus["consensus_granted"].to_numpy(dtype=float, na_value=np.nan)
    b = baseline["consensus_granted"].reindex(consensus.index).to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(a) & np.isfinite(b) & (b > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(ok, a / b - 1.0, np.nan)
    eps = 1e-12  # exactly 10% (110,000 / 100,000 in floating point) is not "more than 10%"
    up = ok & (rel > threshold + eps)
    down = ok & (rel < -threshold - eps)
    rows = []
    for level, g, n, labels in levels(consensus, by, name="consensus"):
        cnt = bc(g[ok], None, n)
        absrel = pd.Series(np.abs(rel[ok])).groupby(g[ok]).median().reindex(range(n)).to_numpy()
        n_up, n_down = bc(g[up], None, n), bc(g[down], None, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = (n_up + n_down) / cnt
        rows.append(pd.DataFrame({
            "level": level, "group": np.asarray(labels, dtype=object).astype(str),
            "n_compared": cnt.astype(np.int64),
            "n_up": n_up.astype(np.int64), "n_down": n_down.astype(np.int64),
            "share_moved": share, "median_abs_change": absrel,
            "total_consensus_compared": bc(g[ok], a[ok], n), "total_baseline_compared": bc(g[ok], b[ok], n),
        }))
    return stack_levels(rows)


def status_counts(consensus: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """White-list, decline and re-review counts of a consensus table.

    Parameters
    ----------
    consensus : DataFrame
        Output of :func:`consensus_limits`.
    by : str, optional
        Column to group by (``village`` or ``township``); an ``overall`` row comes first.

    Returns
    -------
    DataFrame
        Columns ``level``, ``group``, ``households`` (reviewed), ``white_listed``, ``declined``
        (off the white list), ``needs_rereview``, ``white_listed_needing_rereview``,
        ``share_white_listed``, ``share_needs_rereview``, ``total_consensus`` (yuan, sum of
        ``consensus_limit``).
    """
    require_columns(consensus, ("white_list", "needs_rereview", "consensus_limit"), "consensus",
                    "use consensus_limits")
    wl = consensus["white_list"].to_numpy(dtype=bool)
    rr = consensus["needs_rereview"].to_numpy(dtype=bool)
    lim = consensus["consensus_limit"].to_numpy(dtype=float, na_value=0.0)
    rows = []
    for level, g, n, labels in levels(consensus, by, name="consensus"):
        hh = bc(g, None, n)
        w = bc(g, wl.astype(float), n)
        r = bc(g, rr.astype(float), n)
        rows.append(pd.DataFrame({
            "level": level, "group": np.asarray(labels, dtype=object).astype(str),
            "households": hh.astype(np.int64), "white_listed": w.astype(np.int64),
            "declined": (hh - w).astype(np.int64), "needs_rereview": r.astype(np.int64),
            "white_listed_needing_rereview": bc(g, (wl & rr).astype(float), n).astype(np.int64),
            "share_white_listed": w / np.maximum(hh, 1), "share_needs_rereview": r / np.maximum(hh, 1),
            "total_consensus": bc(g, lim, n),
        }))
    return stack_levels(rows)
