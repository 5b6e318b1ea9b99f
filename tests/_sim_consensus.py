"""Simulated peer reviews with known truth, for the consensus and compare tests (and the benchmark).

Model (log scale): ``log(proposed) = mu_village + a_household + b_reviewer + partial + e``; ``e`` is
Gaussian with a share of gross outliers; a review is a decline (0) with a household-specific
probability. Each household is reviewed by ``k`` of the ``panel`` members of its village, drawn at
random (incomplete panels). Everything is vectorised so the same generator serves the benchmark.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class SimReviews:
    reviews: pd.DataFrame
    household_level: pd.Series   # true log level mu_v + a_h, index household_id
    leniency: pd.Series          # true log leniency, centred (review-weighted) within village, index reviewer_id
    relations: pd.DataFrame      # reviewer_id, household_id, relation
    partial: pd.Index            # reviewer_ids that favour related households
    honest_related: pd.Index     # reviewer_ids with related households who do not favour them
    self_reviewers: pd.Index     # reviewer_ids who reviewed their own household


def simulate_reviews(
    n_villages: int = 20,
    households: int = 60,
    *,
    panel: int = 7,
    k: int = 4,
    sigma_village: float = 0.3,
    sigma_household: float = 0.5,
    sigma_reviewer: float = 0.25,
    sigma_error: float = 0.15,
    outlier_share: float = 0.03,
    outlier_scale: float = 1.0,
    decline_share: float = 0.05,
    n_related: int = 8,
    partial_share: float = 0.25,
    partial_effect: float = 0.4,
    n_self: int = 1,
    self_effect: float = 0.3,
    grid: float = 1000.0,
    str_ids: bool = True,
    random_state: int | np.random.Generator = 0,
) -> SimReviews:
    """Generate ``n_villages * households`` households, each reviewed by ``k`` of ``panel`` reviewers."""
    rng = np.random.default_rng(random_state)
    H = n_villages * households
    R = n_villages * panel
    v_of_h = np.repeat(np.arange(n_villages), households)
    mu = np.log(50_000) + sigma_village * rng.standard_normal(n_villages)
    level = mu[v_of_h] + sigma_household * rng.standard_normal(H)
    b = sigma_reviewer * rng.standard_normal(R)
    # k of the panel members, at random, for each household
    seats = np.argsort(rng.random((H, panel)), axis=1)[:, :k]
    h = np.repeat(np.arange(H), k)
    r = (v_of_h[:, None] * panel + seats).ravel()
    e = sigma_error * rng.standard_normal(h.size)
    out = rng.random(h.size) < outlier_share
    e[out] += outlier_scale * rng.choice([-1.0, 1.0], out.sum())
    # relations: each reviewer is related to n_related households of the village
    rel_r = np.repeat(np.arange(R), n_related)
    rel_h = (rel_r // panel) * households + rng.integers(0, households, rel_r.size)
    rel_key = np.unique(rel_h.astype(np.int64) * R + rel_r)
    rel_h, rel_r = rel_key // R, rel_key % R
    partial_r = rng.random(R) < partial_share
    # self: the first n_self reviewers of each village live in a household they review
    self_r = np.zeros(R, bool)
    self_pairs_h = np.empty(0, np.int64)
    self_pairs_r = np.empty(0, np.int64)
    if n_self:
        cand = np.flatnonzero((r % panel) < n_self)  # reviews by a reviewer in the first seats
        # choose one review per such reviewer as "own household"
        _, first = np.unique(r[cand], return_index=True)
        pick = cand[first]
        self_pairs_h, self_pairs_r = h[pick], r[pick]
        self_r[self_pairs_r] = True
        e[pick] += self_effect
    review_key = h.astype(np.int64) * R + r
    is_rel = np.isin(review_key, rel_key)
    e[is_rel & partial_r[r]] += partial_effect
    y = level[h] + b[r] + e
    amount = np.maximum(np.round(np.exp(y) / grid) * grid, grid)
    # declines: a small share of households is declined by most of its reviewers
    bad = rng.random(H) < decline_share
    p_decline = np.where(bad[h], 0.8, 0.02)
    amount[rng.random(h.size) < p_decline] = 0.0

    if str_ids:
        hid = pd.Index(np.char.add("H", np.arange(H).astype(str)), dtype="str")
        rid = pd.Index(np.char.add("R", np.arange(R).astype(str)), dtype="str")
        vid = pd.Index(np.char.add("V", np.arange(n_villages).astype(str)), dtype="str")
        tid = pd.Index(np.char.add("T", (np.arange(n_villages) // 10).astype(str)), dtype="str")
    else:
        hid, rid = pd.Index(np.arange(H)), pd.Index(np.arange(R))
        vid, tid = pd.Index(np.arange(n_villages)), pd.Index(np.arange(n_villages) // 10)
    reviews = pd.DataFrame(
        {
            "household_id": hid.take(h),
            "reviewer_id": rid.take(r),
            "proposed_limit": amount,
            "business_rating": pd.array(np.clip(np.round(3 + (level[h] - np.log(50_000)) * 2
                                                          + rng.standard_normal(h.size)), 1, 5),
                                        dtype="Int64"),
            "integrity_rating": pd.array(rng.integers(2, 6, h.size), dtype="Int64"),
            "annual_income": np.round(np.exp(level[h] + 0.3 * rng.standard_normal(h.size)) * 1.5, -2),
            "village": vid.take(v_of_h[h]),
            "township": tid.take(v_of_h[h]),
        }
    )
    # true leniency centred within village with review weights (as the estimator reports it)
    n_r = np.bincount(r[amount > 0], minlength=R).astype(float)
    v_of_r = np.arange(R) // panel
    cv = np.bincount(v_of_r, b * n_r) / np.bincount(v_of_r, n_r)
    leniency = pd.Series(b - cv[v_of_r], index=rid)
    rel_all_h = np.concatenate([rel_h, self_pairs_h])
    rel_all_r = np.concatenate([rel_r, self_pairs_r])
    relations = pd.DataFrame(
        {
            "reviewer_id": rid.take(rel_all_r),
            "household_id": hid.take(rel_all_h),
            "relation": np.r_[np.full(rel_h.size, "kin"), np.full(self_pairs_h.size, "self")],
        }
    )
    reviewed_rel = np.zeros(R, bool)
    reviewed_rel[r[is_rel]] = True
    return SimReviews(
        reviews=reviews,
        household_level=pd.Series(level, index=hid),
        leniency=leniency,
        relations=relations,
        partial=rid[partial_r & reviewed_rel],
        honest_related=rid[~partial_r & reviewed_rel & ~self_r],
        self_reviewers=rid[self_r],
    )
