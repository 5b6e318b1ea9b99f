"""The household-rater graph: connected components within which reviewer leniency is identifiable.

A rater's leniency is comparable with another's only through households both reviewed, directly or
through a chain of shared households. The connected components of the bipartite graph households
<-> raters (a rater is a reviewer on one village panel) are therefore the units of the adjusted
consensus: every quantity of the fit (centring, residual scale, ridge, convergence) is computed
within a component, and a component too small to estimate falls back to the plain median.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from calib.consensus import _jit

#: A component needs at least this many residual degrees of freedom (reviews - households -
#: raters + 1) and :data:`MIN_COMPONENT_RATERS` raters for its leniency and residual scale to be
#: estimated (report 02 states both: its text on the components and its methods appendix).
MIN_COMPONENT_DF = 10

#: Fewest raters of a component whose leniency can be estimated: one rater's leniency is
#: confounded with the households' levels (nothing to compare it with).
MIN_COMPONENT_RATERS = 2


@dataclass
class Components:
    """Component codes of households and raters (-1: in no edge) and per-component counts."""

    c_h: np.ndarray        # component per household code
    c_r: np.ndarray        # component per rater code
    n: int                 # number of components
    n_reviews: np.ndarray  # per component: edges (reviews) used
    n_households: np.ndarray
    n_raters: np.ndarray

    @property
    def df(self) -> np.ndarray:
        """Residual degrees of freedom of the crossed fit in each component."""
        return self.n_reviews - self.n_households - self.n_raters + 1

    def identified(self, min_df: int = MIN_COMPONENT_DF) -> np.ndarray:
        """Per component: leniency and scale can be estimated (at least
        :data:`MIN_COMPONENT_RATERS` raters, df >= ``min_df``)."""
        return (self.n_raters >= MIN_COMPONENT_RATERS) & (self.df >= min_df)


def components(h: np.ndarray, r: np.ndarray, nH: int, nR: int, household_rank: np.ndarray, *,
               compiled: bool | None = None) -> Components:
    """Connected components of the reviews (h, r), numbered by their smallest household.

    ``household_rank`` is the rank of each household code in the sorted household ids, so that
    component numbers do not depend on the order of the rows (nor on the other components).
    Households and raters without an edge get -1. ``compiled`` (default: for large problems,
    :func:`calib.consensus._jit.use`) finds them by a compiled union-find instead of scipy's
    search: the same partition, numbered alike.
    """
    n = nH + nR
    if _jit.use(h.size) if compiled is None else (compiled and _jit.enabled()):   # union-find, compiled: no sparse matrix, no conversions
        key = np.full(n, np.iinfo(np.int64).max)
        root, used = np.empty(n, np.int64), np.empty(n, bool)
        counts = np.zeros((n, 3), np.int64)
        if _jit.run("component_roots", np.asarray(h, np.int64), np.asarray(r, np.int64), nH, nR,
                    np.asarray(household_rank, np.int64), key, root, used, counts):
            live = np.flatnonzero(key < np.iinfo(np.int64).max)
            live = live[np.argsort(key[live], kind="stable")]
            new = np.full(n, -1, np.int64)
            new[live] = np.arange(live.size)
            c = np.where(used, new[root], -1)
            return Components(c_h=c[:nH], c_r=c[nH:], n=int(live.size), n_reviews=counts[live, 0],
                              n_households=counts[live, 1], n_raters=counts[live, 2])
    if h.size and bool((h[1:] >= h[:-1]).all()):
        # reviews stored household by household: the rows of the CSR matrix directly (the
        # components are the same; only the conversion from COO is saved)
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(h, minlength=nH), out=indptr[1:nH + 1])
        indptr[nH + 1:] = h.size
        g = csr_matrix((np.ones(h.size, np.int8), nH + r, indptr), shape=(n, n))
    else:
        g = coo_matrix((np.ones(h.size, np.int8), (h, nH + r)), shape=(n, n)).tocsr()
    _, lab = connected_components(g, directed=False)
    used_h = np.bincount(h, minlength=nH) > 0
    # number the components by the smallest household (in sorted id order) they contain
    key = np.full(lab.max() + 1 if n else 0, np.iinfo(np.int64).max)
    np.minimum.at(key, lab[:nH][used_h], household_rank[used_h])
    return _numbered(lab, key, h, r, nH, nR)


def _numbered(lab: np.ndarray, key: np.ndarray, h: np.ndarray, r: np.ndarray, nH: int,
              nR: int) -> Components:
    """Components numbered by ``key`` (per label: its smallest household rank) from node labels."""
    used_h = np.bincount(h, minlength=nH) > 0
    used_r = np.bincount(r, minlength=nR) > 0
    live = key < np.iinfo(np.int64).max
    new = np.full(key.size, -1, np.int64)
    new[np.flatnonzero(live)[np.argsort(key[live], kind="stable")]] = np.arange(int(live.sum()))
    c_h = np.where(used_h, new[lab[:nH]], -1)
    c_r = np.where(used_r, new[lab[nH:]], -1)
    nC = int(live.sum())
    return Components(c_h=c_h, c_r=c_r, n=nC, n_reviews=np.bincount(c_h[h], minlength=nC),
                      n_households=np.bincount(c_h[used_h], minlength=nC),
                      n_raters=np.bincount(c_r[used_r], minlength=nC))


def household_rank(households: pd.Index) -> np.ndarray:
    """Rank of each household id in sorted order (ties impossible: ids are unique)."""
    try:
        order = np.asarray(households.argsort())
    except TypeError:  # mixed types: compare as text
        order = np.argsort(np.asarray(households.astype(str)), kind="stable")
    rank = np.empty(len(households), np.int64)
    rank[order] = np.arange(len(households))
    return rank


def fit_components(d, sel: np.ndarray) -> Components:
    """Components of the reviews ``sel`` (bool per review) of the design ``d``, numbered by their
    smallest household id. (A caller that does not show the numbers can call :func:`components`
    with ``np.arange(d.nH)`` as the rank: numbered by first household in row order, no sort.)
    """
    if getattr(d, "_rank", None) is None:
        d._rank = household_rank(d.households)
    return components(d.h[sel], d.r[sel], d.nH, d.nR, d._rank)


def review_components(reviews: pd.DataFrame) -> pd.DataFrame:
    """Connected components of the household-reviewer graph of ``reviews``: the unit of the fit.

    Parameters
    ----------
    reviews : DataFrame
        As for :func:`calib.consensus.consensus_limits` (all rows count, declines included).

    Returns
    -------
    DataFrame
        One row per household: ``household_id``, ``component`` (int64, 0 .. n-1), numbered by the
        smallest ``household_id`` in each component, so that the numbers do not depend on the order
        of the rows. A reviewer on two village panels is two nodes (components never cross
        villages).

    Notes
    -----
    The components of the granted, non-recused reviews that :func:`consensus_limits` fits are
    subsets of these, so any union of these components can be processed on its own (e.g. one
    Spark ``groupBy(component).applyInPandas`` task per group of components) and gives exactly
    the rows of a run on the whole programme (up to floating-point summation order when the rows
    are reordered).
    """
    from calib.consensus.design import design

    d = design(reviews)
    cmp = fit_components(d, np.ones(d.h.size, bool))
    return pd.DataFrame({"household_id": d.households.to_numpy(), "component": cmp.c_h.astype(np.int64)})


def identifiability(reviews: pd.DataFrame, *, relations: pd.DataFrame | None = None,
                    recuse=("self",), min_component_df: int = MIN_COMPONENT_DF) -> pd.DataFrame:
    """Per connected component of the fitted reviews: its size and whether leniency is identified.

    Parameters
    ----------
    reviews, relations, recuse, min_component_df
        As for :func:`calib.consensus.consensus_limits`.

    Returns
    -------
    DataFrame
        One row per component (the ``component`` of :func:`consensus_limits` and
        :func:`reviewer_effects`): ``component``, ``village``, ``n_households``, ``n_reviewers``,
        ``n_reviews`` (granted, not recused), ``df`` (reviews - households - reviewers + 1),
        ``identified`` (at least two reviewers and ``df >= min_component_df``). Components not
        identified are the ones to report: their households get the plain median and their
        reviewers no leniency.
    """
    from calib.consensus.design import design, relation_mask

    d = design(reviews)
    recused, _ = relation_mask(d, relations, which=list(recuse))
    cmp = fit_components(d, (d.amount > 0) & ~recused)
    v_of_c = np.zeros(cmp.n, np.int64)
    live = cmp.c_h >= 0
    v_of_c[cmp.c_h[live]] = d.v_h[live]
    return pd.DataFrame({
        "component": np.arange(cmp.n, dtype=np.int64), "village": d.villages.take(v_of_c),
        "n_households": cmp.n_households, "n_reviewers": cmp.n_raters, "n_reviews": cmp.n_reviews,
        "df": cmp.df, "identified": cmp.identified(min_component_df),
    })
