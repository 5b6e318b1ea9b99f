"""Rows broken on purpose, to exercise the quarantine (listed in ``truth/dirty_rows.csv``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["inject_dirt"]

_Log = list[tuple[str, int, str, str]]


def _check_of(id18: str) -> str:
    from calib.ids import check_characters

    return str(check_characters([id18[:17]])[0])


def _broken_ids(ro: pd.DataFrame, rng: np.random.Generator, log: _Log) -> np.ndarray:
    """Scientific-notation, zeroed and wrong-checksum IDs, a wrong birth month and sex; plus the
    accepted variants (full-width digits, 15-digit form, lower-case x). Returns the candidates."""
    size = ro.groupby("household_id")["household_id"].transform("size").to_numpy()
    cand = np.flatnonzero((ro["relation_to_head"].to_numpy() != "户主") & (size >= 3))
    i_sci, i_zero, i_check, i_month, i_full, i_15, i_lower, i_sex = rng.choice(
        cand, size=8, replace=False)
    v = ro.at[i_sci, "id_number"]
    ro.at[i_sci, "id_number"] = f"{v[0]}.{v[1:6]}E+17"
    log.append(("roster", i_sci, "id_number", "scientific"))
    zeroed = ro.at[i_zero, "id_number"][:15] + "000"
    while zeroed[-1] == _check_of(zeroed):  # a zeroed ID that passes its checksum is undetectable
        zeroed = zeroed[:14] + str((int(zeroed[14]) + 1) % 10) + "000"
    ro.at[i_zero, "id_number"] = zeroed
    log.append(("roster", i_zero, "id_number", "zeroed"))
    v = ro.at[i_check, "id_number"]
    ro.at[i_check, "id_number"] = v[:-1] + [c for c in "0123456789X" if c != v[-1]][
        int(rng.integers(0, 10))]
    log.append(("roster", i_check, "id_number", "checksum"))
    bm = ro.at[i_month, "birth_month"]
    ro.at[i_month, "birth_month"] = f"{int(bm[:4])}-{(int(bm[5:7]) % 12) + 1:02d}"
    log.append(("roster", i_month, "birth_month", "birth_month"))
    ro.at[i_sex, "sex"] = "女" if ro.at[i_sex, "sex"] == "男" else "男"
    log.append(("roster", i_sex, "sex", "sex"))
    full = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    ro.at[i_full, "id_number"] = ro.at[i_full, "id_number"].translate(full)
    v = ro.at[i_15, "id_number"]
    if v[6:8] == "19":
        ro.at[i_15, "id_number"] = v[:6] + v[8:17]
    v = ro.at[i_lower, "id_number"]
    ro.at[i_lower, "id_number"] = v[:-1] + v[-1].lower()
    return cand


def _dirty_roster(ro: pd.DataFrame, rng: np.random.Generator, log: _Log) -> pd.DataFrame:
    ro["id_number"] = ro["id_number"].astype(object)
    cand = _broken_ids(ro, rng, log)
    # duplicate person: a copy of a person registered again in another village's household
    src = int(rng.choice(cand))
    dup = ro.iloc[[src]].copy()
    other = ro.loc[ro["village"] != ro.at[src, "village"]].iloc[0]
    keys = ["township", "village", "household_id", "group"]
    dup[keys] = other[keys].to_numpy()
    dup["relation_to_head"] = "其他"
    ro = pd.concat([ro, dup], ignore_index=True)
    log.append(("roster", len(ro) - 1, "id_number", "duplicate_person"))
    total = pd.DataFrame([{c: "" for c in ro.columns}])
    total["township"] = "合计"
    ro = pd.concat([ro, total], ignore_index=True)
    log.append(("roster", len(ro) - 1, "township", "total_row"))
    return ro


def _ghost(df: pd.DataFrame, household_id: str, **extra) -> pd.DataFrame:
    """``df`` with a copy of its first row appended, for an unknown household."""
    g = df.iloc[[0]].copy()
    g["household_id"] = household_id
    for k, v in extra.items():
        g[k] = v
    return pd.concat([df, g], ignore_index=True)


def _dirty_reviews(rv: pd.DataFrame, rng: np.random.Generator, log: _Log) -> pd.DataFrame:
    rv["proposed_limit"] = rv["proposed_limit"].astype(object)
    rv["business_rating"] = rv["business_rating"].astype(object)
    a, b, c, d = rng.choice(len(rv), size=4, replace=False)
    rv.at[a, "business_rating"] = 7
    log.append(("reviews", a, "business_rating", "rating_range"))
    rv.at[b, "proposed_limit"] = "-5000"
    log.append(("reviews", b, "proposed_limit", "negative"))
    rv.at[c, "proposed_limit"] = "/"
    log.append(("reviews", c, "proposed_limit", "unparseable"))
    rv = pd.concat([rv, rv.iloc[[d]].copy()], ignore_index=True)
    log.append(("reviews", len(rv) - 1, "reviewer_id", "duplicate_review"))
    rv = _ghost(rv, "H9999999")
    log.append(("reviews", len(rv) - 1, "household_id", "unknown_household"))
    return rv


def _dirty_model_runs(mr: pd.DataFrame, rng: np.random.Generator, log: _Log) -> pd.DataFrame:
    mr = _ghost(mr, "H9999998")
    log.append(("model_runs", len(mr) - 1, "household_id", "unknown_household"))
    mr["model_pd"] = mr["model_pd"].astype(object)
    j = int(rng.integers(0, len(mr) - 1))
    mr.at[j, "model_pd"] = 1.5
    log.append(("model_runs", j, "model_pd", "probability_range"))
    return mr


def _dirty_loans(lo: pd.DataFrame, rng: np.random.Generator, log: _Log) -> pd.DataFrame:
    if len(lo) <= 2:
        return lo
    lo = _ghost(lo, "H9999997", loan_id="L999999")
    log.append(("loans", len(lo) - 1, "household_id", "unknown_household"))
    j = int(rng.integers(0, len(lo) - 1))
    lo.at[j, "drawn_amount"] = int(lo.at[j, "granted_limit"]) + 5000
    log.append(("loans", j, "drawn_amount", "drawn_over_limit"))
    return lo


def _dirty_points(pt: pd.DataFrame, rng: np.random.Generator, log: _Log) -> pd.DataFrame:
    pt["points"] = pt["points"].astype(object)
    j = int(rng.integers(0, len(pt)))
    pt.at[j, "points"] = -40
    log.append(("points", j, "points", "negative"))
    return pt


def inject_dirt(tables: dict[str, pd.DataFrame],
                rng: np.random.Generator) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Break a few rows on purpose.

    Returns
    -------
    (dict of DataFrame, DataFrame)
        The tables (copies) and the broken rows: ``table``, ``row`` (spreadsheet row number,
        header = 1), ``column``, ``kind``.
    """
    t = {k: v.copy() for k, v in tables.items()}
    log: _Log = []
    t["roster"] = _dirty_roster(t["roster"], rng, log)
    t["reviews"] = _dirty_reviews(t["reviews"], rng, log)
    t["model_runs"] = _dirty_model_runs(t["model_runs"], rng, log)
    t["loans"] = _dirty_loans(t["loans"], rng, log)
    t["points"] = _dirty_points(t["points"], rng, log)
    dirty = pd.DataFrame(log, columns=["table", "row", "column", "kind"])
    dirty["row"] = dirty["row"].astype(int) + 2  # spreadsheet row numbers
    return t, dirty.sort_values(["table", "row"]).reset_index(drop=True)
