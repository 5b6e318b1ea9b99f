"""Wild cluster bootstrap-t (restricted, WCR) p-values for OLS coefficients with few clusters.

Cameron, Gelbach & Miller (2008); Webb (2023) six-point weights for very few clusters. Vectorised:
a replicate costs O(G K) after per-cluster sums, whatever the number of observations, and with
Rademacher weights and ``2^G <= n_boot`` every sign vector is enumerated (exact, deterministic).
Checked against the ``wildboottest`` package (same p-values under full enumeration, up to whether
the draw equal to the sample counts: here |t*| >= |t|) and by
simulation (tests/compare/test_compare_stats.py).
"""
from __future__ import annotations

import itertools

import numpy as np

_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def _weights(G: int, n_boot: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    """(B, G) bootstrap weights; all 2^G Rademacher sign vectors when that is at most ``n_boot``."""
    if kind == "rademacher" and 2 ** G <= n_boot:
        return np.array(list(itertools.product([1.0, -1.0], repeat=G)))
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), (n_boot, G))
    return rng.choice(_WEBB, (n_boot, G))


def _one(X, y, g, G, A, k, V) -> float:
    """p-value of H0: beta_k = 0 (two-sided, symmetric) from the weights V (B, G)."""
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
    t_hat = beta_hat[k] / np.sqrt(np.sum(s_hat ** 2))
    return float(np.mean(np.abs(t_boot) >= np.abs(t_hat)))


def weights_used(G: int, n_boot: int, weights: str = "auto") -> tuple[str, int]:
    """The weights (``webb`` or ``rademacher``) and the number of replicates
    :func:`wild_cluster_pvalues` uses with ``G`` clusters."""
    kind = weights if weights != "auto" else ("webb" if G <= 12 else "rademacher")
    return kind, (2 ** G if kind == "rademacher" and 2 ** G <= n_boot else n_boot)


def wild_cluster_pvalues(X: np.ndarray, y: np.ndarray, groups: np.ndarray, *, n_boot: int = 9999,
                         weights: str = "auto", random_state: int | np.random.Generator = 0
                         ) -> tuple[np.ndarray, str]:
    """Wild cluster restricted bootstrap-t p-values, one per column of ``X``.

    Parameters
    ----------
    X, y : ndarray
        Regressors (N, K) and response (N,), e.g. demeaned within clusters (fixed effects
        absorbed; the small-sample factors cancel in the bootstrap-t).
    groups : array-like
        Cluster of each observation.
    n_boot : int
        Replicates (all ``2^G`` sign vectors when Rademacher and ``2^G <= n_boot``).
    weights : {"auto", "rademacher", "webb"}
        ``auto``: Webb's six-point weights with at most 12 clusters, else Rademacher.
    random_state : int or Generator
        Seed of the weights.

    Returns
    -------
    (ndarray, str)
        Two-sided p-values ``share of |t*| >= |t|`` and a description of the method.
    """
    _, g = np.unique(np.asarray(groups), return_inverse=True)
    g = g.astype(np.int64).ravel()
    G = int(g.max()) + 1
    kind, _ = weights_used(G, n_boot, weights)
    V = _weights(G, n_boot, kind, np.random.default_rng(random_state))
    A = np.linalg.inv(X.T @ X)
    p = np.array([_one(X, y, g, G, A, k, V) for k in range(X.shape[1])])
    how = f"wild cluster bootstrap-t (WCR, {kind} weights, {V.shape[0]} replicates, {G} clusters)"
    return p, how
