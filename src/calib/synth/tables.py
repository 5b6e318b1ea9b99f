"""The reference generator's tables, one ``make_<table>`` per table, in the order of draws.

Every function takes the shared :class:`numpy.random.Generator` and draws in exactly the order
the original one-piece generator did, so the sample (``data/sample``) stays byte-identical.
State shared between tables travels in two small namespaces: ``V`` (villages) and ``H``
(households and people).
"""
from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace

import numpy as np
import pandas as pd

from calib.ids import make_ids
from calib.synth._names import ETHNIC, GIVEN, SURNAMES, TOWNS, village_names

LGD = 0.45  # loss given default of the true model

__all__ = [
    "round_to", "make_villages", "make_households", "make_people", "make_roster",
    "make_reviewers", "make_relations", "make_reviews", "make_model_runs", "make_points",
    "make_loans", "make_assessments", "make_truth",
]


def round_to(x: np.ndarray, step: float) -> np.ndarray:
    """Round to a multiple of ``step``."""
    return np.round(np.asarray(x, dtype=float) / step) * step


def make_villages(rng: np.random.Generator, villages: int, townships: int,
                  coef: dict, *, shift: int = 0, drift: float = 0.0) -> SimpleNamespace:
    """Village truth: names, township, wealth, default shock, model bias, point inflation;
    ``shift`` (days every date of the sample's calendar moves by) and ``drift`` (of the
    households' bureau factor, business by half) ride along for the later tables."""
    vnames = village_names(villages, rng)
    v_town = np.sort(np.arange(villages) % townships)
    vdf = pd.DataFrame({
        "village": vnames,
        "township": [TOWNS[t] for t in v_town],
        "wealth": rng.normal(0, 0.3, villages),
        "default_shock": rng.normal(0, coef["village_shock_sd"], villages),
        "model_bias": rng.normal(0, 0.12, villages),
        "point_inflation": 1.0,
    })
    inflated = rng.choice(villages, size=max(1, villages // 30), replace=False)
    vdf.loc[inflated, "point_inflation"] = 1.35
    return SimpleNamespace(n=villages, df=vdf, vn=vdf["village"].to_numpy(),
                           tn=vdf["township"].to_numpy(), shift=int(shift), drift=float(drift))


def make_households(rng: np.random.Generator, V: SimpleNamespace,
                    households_per_village: int) -> SimpleNamespace:
    """Households per village and their latent factors (business, integrity, civic, bureau)."""
    n_h = np.maximum(8, np.round(households_per_village * rng.uniform(0.7, 1.3, V.n))).astype(int)
    H = int(n_h.sum())
    hv = np.repeat(np.arange(V.n), n_h)
    hk = np.concatenate([np.arange(1, k + 1) for k in n_h])
    hid = np.array([f"H{v + 1:03d}{k:04d}" for v, k in zip(hv, hk)])
    bus, integ, civic, bureau = (rng.normal(0, 1, H) for _ in range(4))
    if V.drift:  # a drifting population (as calib.synth.fast draws it)
        bus, bureau = bus + 0.5 * V.drift, bureau + V.drift
    log_income = 10.4 + 0.35 * bus + V.df["wealth"].to_numpy()[hv] + rng.normal(0, 0.3, H)
    true_log_limit = (np.log(22_000) + 0.55 * (log_income - 10.4) + 0.25 * bus + 0.15 * integ
                      + rng.normal(0, 0.2, H))
    true_points = np.clip(np.round(300 + 130 * civic + rng.normal(0, 40, H)), 0, None)
    return SimpleNamespace(n_h=n_h, H=H, hv=hv, hk=hk, hid=hid, bus=bus, integ=integ,
                           civic=civic, bureau=bureau, log_income=log_income,
                           true_log_limit=true_log_limit, true_points=true_points)


def _unique_ids(rng, addr_code, birth, sex) -> np.ndarray:
    idn = make_ids(addr_code, birth, sex, rng)
    for _ in range(20):  # redraw the few collisions
        dup = pd.Series(idn).duplicated().to_numpy()
        if not dup.any():
            break
        idn[dup] = make_ids(addr_code[dup], birth[dup], sex[dup], rng)
    return idn


def _unique_names(rng, surname, P: int) -> np.ndarray:
    given_len = rng.choice([1, 2], P, p=[0.35, 0.65])
    g1 = rng.choice(GIVEN, P)
    g2 = rng.choice(GIVEN, P)
    name = np.char.add(np.char.add(surname.astype(str), g1), np.where(given_len == 2, g2, ""))
    for _ in range(30):  # names unique within the programme (makes leak checks unambiguous)
        dup = pd.Series(name).duplicated().to_numpy()
        if not dup.any():
            break
        name[dup] = np.char.add(np.char.add(surname[dup].astype(str),
                                            rng.choice(GIVEN, dup.sum())),
                                rng.choice(GIVEN, dup.sum()))
    return name


def make_people(rng: np.random.Generator, H: SimpleNamespace, as_of_ts) -> SimpleNamespace:
    """Household members: relation, age, sex, birth date, ID number, name (into ``H``)."""
    size = rng.choice([1, 2, 3, 4, 5, 6], size=H.H, p=[0.08, 0.22, 0.25, 0.25, 0.13, 0.07])
    head_age = rng.integers(24, 82, H.H)
    P = int(size.sum())
    ph = np.repeat(np.arange(H.H), size)
    pos = np.concatenate([np.arange(s) for s in size])
    rel = np.select([pos == 0, pos == 1, pos == 2, pos == 3, pos == 4],
                    ["户主", "配偶", "子", "女", "父亲"], "母亲")
    ha = head_age[ph]
    age = np.select(
        [pos == 0, pos == 1, (pos == 2) | (pos == 3), pos >= 4],
        [ha, ha + rng.integers(-5, 4, P), np.maximum(0, ha - rng.integers(20, 32, P)),
         ha + rng.integers(22, 30, P)],
    )
    age = np.clip(age, 0, 98)
    head_sex = rng.choice(["M", "F"], H.H, p=[0.85, 0.15])
    sex = np.select([pos == 0, pos == 1, pos == 2, pos == 3, pos == 4],
                    [head_sex[ph], np.where(head_sex[ph] == "M", "F", "M"), "M", "F", "M"], "F")
    day_of_year = rng.integers(0, 365, P)
    birth = pd.DatetimeIndex(
        (as_of_ts - pd.to_timedelta(age * 365.25 + day_of_year, unit="D")).normalize())
    idn = _unique_ids(rng, np.array(["441821"])[np.zeros(P, dtype=int)], birth, sex)
    surname_h = rng.choice(SURNAMES, H.H)
    surname = np.where(pos == 1, rng.choice(SURNAMES, P), surname_h[ph])
    name = _unique_names(rng, surname, P)
    H.__dict__.update(size=size, P=P, ph=ph, pos=pos, rel=rel, age=age, sex=sex, birth=birth,
                      idn=idn, name=name)
    return H


def make_roster(rng: np.random.Generator, V: SimpleNamespace, H: SimpleNamespace) -> pd.DataFrame:
    """The roster (one row per person, code-name headers) and each household's eligibility."""
    P, ph, age = H.P, H.ph, H.age
    phone_n = np.unique(rng.integers(10**8, 10**9, size=P + P // 10 + 100))
    phone_n = rng.permutation(phone_n)[:P]
    phone = np.char.add(rng.choice(["13", "15", "17", "18", "19"], P), phone_n.astype(str))
    phone = np.where((age >= 16), phone, "")
    status = rng.choice(["alive", "deceased", "missing", "absconded"], P,
                        p=[0.985, 0.01, 0.003, 0.002])
    bad_record = (rng.random(P) < 0.02) & (age >= 18)
    group = np.array([f"{1 + (k - 1) % 6}组" for k in H.hk])
    land = np.round(rng.gamma(2.0, 1.6, H.H), 1)
    forest = np.round(rng.gamma(1.5, 6.0, H.H), 0)
    land_txt = np.char.add(np.char.add(np.char.add("耕地", land[ph].astype(str)), "亩;林地"),
                           np.char.add(forest[ph].astype(int).astype(str), "亩"))
    land_info = np.where(H.pos == 0, land_txt, "")
    house_no = rng.integers(1, 200, H.H)
    tn, vn = V.tn[H.hv][ph], V.vn[H.hv][ph]
    roster = pd.DataFrame({
        "township": tn, "village": vn, "group": group[ph],
        "id_number": H.idn, "name": H.name,
        "head_id_number": H.idn[np.repeat(np.cumsum(H.size) - H.size, H.size)],
        "household_id": H.hid[ph],
        "address": [f"{t}{v}{g}{n}号" for t, v, g, n in zip(tn, vn, group[ph], house_no[ph])],
        "phone": phone, "sex": np.where(H.sex == "M", "男", "女"), "relation_to_head": H.rel,
        "ethnicity": rng.choice(ETHNIC, P),
        "birth_month": H.birth.strftime("%Y-%m"), "land_info": land_info,
        "status": status, "bad_record": bad_record.astype(int),
    })
    in_age = (age >= 18) & (age <= 65) & (status == "alive") & ~bad_record
    H.eligible = pd.Series(in_age).groupby(ph).any().to_numpy()
    # profiling has not reached every household everywhere (the "952" rule wants 90%)
    V.df["profiled_share"] = np.round(np.clip(rng.beta(25, 1.0, V.n), 0.78, 1.0), 4)
    H.profiled = rng.random(H.H) < V.df["profiled_share"].to_numpy()[H.hv]
    return roster


def _seat_villagers(rng, V, H, rv, role) -> np.ndarray:
    """Roster person of each villager reviewer (-1 for the account manager)."""
    first_person_of_h = np.cumsum(H.size) - H.size
    rv_person = np.full(len(rv), -1)
    for v in range(V.n):  # a handful per village, once: small loop over villages only
        hs = np.flatnonzero(H.hv == v)
        sel = np.flatnonzero((rv == v) & (role != "account_manager"))
        pick = rng.choice(hs, size=len(sel), replace=False)
        rv_person[sel] = first_person_of_h[pick]
    return rv_person


def make_reviewers(rng: np.random.Generator, V: SimpleNamespace, H: SimpleNamespace,
                   as_of_ts) -> tuple[pd.DataFrame, SimpleNamespace]:
    """Review panels: reviewers with their true leniency, noise and partiality."""
    k_panel = rng.integers(3, 8, V.n)
    R = int(k_panel.sum())
    rv = np.repeat(np.arange(V.n), k_panel)
    rk = np.concatenate([np.arange(k) for k in k_panel])
    rid = np.array([f"R{v + 1:03d}{k + 1:02d}" for v, k in zip(rv, rk)])
    role = np.where(rk == 0, "cadre", np.where(rk == k_panel[rv] - 1, "account_manager",
                                               np.where(rk == 1, "group_leader", "villager_rep")))
    leniency = rng.normal(0, 0.12, R)
    extreme = rng.random(R) < 0.12
    leniency[extreme] = rng.choice([-0.35, 0.35], extreme.sum())
    leniency -= pd.Series(leniency).groupby(rv).transform("mean").to_numpy()  # centred per panel
    noise_sd = rng.uniform(0.08, 0.22, R)
    partial = (rng.random(R) < 0.10) & (role != "account_manager")
    rv_person = _seat_villagers(rng, V, H, rv, role)
    am_birth = pd.DatetimeIndex(as_of_ts - pd.to_timedelta(rng.integers(9000, 16000, R), unit="D"))
    am_ids = make_ids(np.full(R, "441802"), am_birth, rng.choice(["M", "F"], R), rng)
    seat = np.maximum(rv_person, 0)
    r_idn = np.where(rv_person >= 0, H.idn[seat], am_ids)
    outsider = np.char.add(rng.choice(SURNAMES, R),
                           np.char.add(rng.choice(GIVEN, R), rng.choice(GIVEN, R)))
    r_name = np.where(rv_person >= 0, H.name[seat], outsider)
    reviewers = pd.DataFrame({"reviewer_id": rid, "village": V.vn[rv], "role": role,
                              "id_number": r_idn, "name": r_name})
    R_ = SimpleNamespace(k_panel=k_panel, R=R, rv=rv, rid=rid, role=role, leniency=leniency,
                         noise_sd=noise_sd, partial=partial, favour=np.where(partial, 0.5, 0.0),
                         own_h=np.where(rv_person >= 0, H.ph[seat], -1))
    return reviewers, R_


def make_relations(rng: np.random.Generator, H: SimpleNamespace,
                   R: SimpleNamespace) -> pd.DataFrame:
    """Conflict-of-interest register: each villager reviewer's own household and some kin."""
    rel_rows = [(r, R.own_h[r], "self") for r in np.flatnonzero(R.own_h >= 0)]
    related_any = (rng.random(R.R) < 0.35) | R.partial
    for r in np.flatnonzero(related_any & (R.role != "account_manager")):
        hs = np.flatnonzero(H.hv == R.rv[r])
        k = int(rng.integers(3, 9))
        for h in rng.choice(hs, size=min(k, len(hs)), replace=False):
            if h != R.own_h[r]:
                rel_rows.append((r, h, str(rng.choice(["kin", "kin", "neighbour", "business"]))))
    rel_df = pd.DataFrame(rel_rows, columns=["r", "h", "relation"]).drop_duplicates(["r", "h"])
    R.rel_r, R.rel_h = rel_df["r"].to_numpy(), rel_df["h"].to_numpy()
    return pd.DataFrame({"reviewer_id": R.rid[R.rel_r], "household_id": H.hid[R.rel_h],
                         "relation": rel_df["relation"].to_numpy()})


#: Share of reviewers who review their own household although the rule says they sit out
#: (回避); the rest recuse. Both generators (the sample's and the province's) draw it.
SELF_REVIEW_SHARE = 0.06


def recused(rng: np.random.Generator, rev_h: np.ndarray, own_h: np.ndarray, n_households: int) -> np.ndarray:
    """Reviews dropped by recusal (回避): a reviewer's review of their own household
    (``own_h``, the reviewer's household per review, -1 for none) is dropped unless drawn among
    the :data:`SELF_REVIEW_SHARE` that stay, never leaving a household without a review. One
    draw per review (both generators' random streams rely on it)."""
    drop = (own_h == rev_h) & (rng.random(len(rev_h)) >= SELF_REVIEW_SHARE)
    drop &= np.bincount(rev_h[~drop], minlength=n_households)[rev_h] > 0
    return drop


def _review_pairs(rng, H, R) -> tuple[np.ndarray, np.ndarray]:
    """(household, reviewer) of every review: panel members present, recusals applied."""
    counts_v = R.k_panel[H.hv]
    rev_h = np.repeat(np.arange(H.H), counts_v)
    start = np.concatenate([[0], np.cumsum(R.k_panel)[:-1]])
    rev_r = start[H.hv[rev_h]] + np.concatenate([np.arange(c) for c in counts_v])
    present = rng.random(len(rev_h)) > 0.18
    present |= (rev_r - start[H.hv[rev_h]]) < 2  # the first two seats are always present
    present &= H.profiled[rev_h]
    rev_h, rev_r = rev_h[present], rev_r[present]
    thin = rng.random(H.H) < 0.01  # a few households reviewed by one member (re-review)
    keep = ~thin[rev_h] | (rev_r == start[H.hv[rev_h]])
    rev_h, rev_r = rev_h[keep], rev_r[keep]
    drop = recused(rng, rev_h, R.own_h[rev_r], H.H)  # most sit out their own household
    return rev_h[~drop], rev_r[~drop]


def make_reviews(rng: np.random.Generator, V: SimpleNamespace, H: SimpleNamespace,
                 R: SimpleNamespace) -> pd.DataFrame:
    """Back-to-back reviews: proposed limit (text as written: 万, 拒绝), ratings, income."""
    rev_h, rev_r = _review_pairs(rng, H, R)
    n_rev = len(rev_h)
    is_related = pd.MultiIndex.from_arrays([rev_r, rev_h]).isin(
        pd.MultiIndex.from_arrays([R.rel_r, R.rel_h]))
    log_prop = (H.true_log_limit[rev_h] + R.leniency[rev_r]
                + np.where(is_related, R.favour[rev_r], 0.0)
                + rng.normal(0, 1, n_rev) * R.noise_sd[rev_r])
    decline_h = H.integ < -1.9
    declined = np.where(decline_h[rev_h], rng.random(n_rev) < 0.85, rng.random(n_rev) < 0.01)
    proposed = np.where(declined, 0.0, np.minimum(round_to(np.exp(log_prop), 1000), 500_000))
    proposed = np.maximum(proposed, np.where(declined, 0, 1000))
    b_rate = np.clip(np.round(3 + H.bus[rev_h] + rng.normal(0, 0.6, n_rev)), 1, 5).astype(int)
    i_rate = np.clip(np.round(3.2 + H.integ[rev_h] + rng.normal(0, 0.6, n_rev)), 1, 5).astype(int)
    income = round_to(np.exp(H.log_income[rev_h] + rng.normal(0, 0.15, n_rev)), 100)
    rdate = _on(V, "2025-07-01") + pd.to_timedelta(rng.integers(0, 60, n_rev), unit="D")
    prop_text = pd.Series(proposed.astype(int).astype(str))
    wan = (rng.random(n_rev) < 0.15) & (proposed % 10_000 == 0) & (proposed > 0)
    prop_text[wan] = (proposed[wan] / 10_000).astype(int).astype(str) + "万"
    refuse = (proposed == 0) & (rng.random(n_rev) < 0.5)
    prop_text[refuse] = "拒绝"
    H.rev_h, H.declined = rev_h, declined
    return pd.DataFrame({
        "household_id": H.hid[rev_h], "reviewer_id": R.rid[rev_r], "business_rating": b_rate,
        "annual_income": income.astype(int), "integrity_rating": i_rate,
        "proposed_limit": prop_text.to_numpy(), "review_date": rdate.strftime("%Y-%m-%d"),
    })


def _on(V: SimpleNamespace, date: str) -> pd.Timestamp:
    """A date of the sample's calendar (as of 2026-06-30) moved by the programme's ``V.shift``
    days, so that a programme as of another date keeps every date where it is in the sample."""
    return pd.Timestamp(date) + pd.Timedelta(days=V.shift)


def _day_text(V: SimpleNamespace, date: str) -> str:
    return _on(V, date).strftime("%Y-%m-%d")


def make_model_runs(rng: np.random.Generator, V: SimpleNamespace,
                    H: SimpleNamespace) -> pd.DataFrame:
    """Model runs of 2025-09-30 (and of 2024-09-30 for a fifth), eligible profiled households."""
    pdo_factor = 20 / np.log(2)
    signal = 0.7 * H.bureau + 0.45 * H.bus + 0.6 * H.integ + 0.18 * (H.true_points - 300) / 100
    score = np.round(600 + pdo_factor * (0.9 * signal + rng.normal(0, 0.35, H.H)), 1)
    odds = 50 * 2 ** ((score - 600) / 20)
    model_pd = np.round(1 / (1 + odds), 5)
    lim = np.exp(H.true_log_limit + V.df["model_bias"].to_numpy()[H.hv]
                 + rng.normal(0, 0.22, H.H))
    lim = np.minimum(round_to(lim, 1000), 500_000)
    H.model_lim = np.where(model_pd > 0.12, 0.0, np.maximum(lim, 1000))
    grade = np.select([score >= 640, score >= 615, score >= 585], ["AAA", "AA", "A"], "B")
    runs = pd.DataFrame({"household_id": H.hid, "run_date": _day_text(V, "2025-09-30"), "model_score": score,
                         "model_pd": model_pd, "model_limit": H.model_lim.astype(int),
                         "grade": grade})
    earlier = rng.random(H.H) < 0.2
    old = runs.loc[earlier].copy()
    old["run_date"] = _day_text(V, "2024-09-30")
    old["model_score"] = np.round(old["model_score"] + rng.normal(0, 8, len(old)), 1)
    runs = pd.concat([old, runs], ignore_index=True)
    in_run = (H.eligible & H.profiled)[pd.Index(H.hid).get_indexer(runs["household_id"])]
    return runs.loc[in_run].reset_index(drop=True)


def points_periods(shift: int) -> tuple[str, str]:
    """The two points years of a programme whose dates are the sample's moved by ``shift``
    days: the last two calendar years over by its evaluation date (the sample, as of
    2026-06-30: 2024 and 2025).

    Not the sample's year ends moved by ``shift`` days: a year back across a leap day put both
    in one year (as of 2025-06-30: 2024 twice, and every second row was quarantined as a
    repeat), and as of 2025-09-30 the second was 2025, a year not over.

    >>> points_periods(0), points_periods(-365), points_periods(-273), points_periods(-181)
    (('2024', '2025'), ('2023', '2024'), ('2023', '2024'), ('2024', '2025'))
    """
    d = pd.Timestamp("2026-06-30") + pd.Timedelta(days=shift)  # the sample's as_of, moved
    last = d.year if (d.month, d.day) == (12, 31) else d.year - 1
    return str(last - 1), str(last)


def make_points(rng: np.random.Generator, V: SimpleNamespace, H: SimpleNamespace) -> pd.DataFrame:
    """Points of 2024 and 2025 (2025 inflated in a few villages) for 95% of households."""
    infl = V.df["point_inflation"].to_numpy()[H.hv]
    pts_2024 = np.clip(np.round(H.true_points * rng.normal(0.95, 0.03, H.H)), 0, None)
    H.pts_2025 = np.round(H.true_points * infl)
    H.has_pts = rng.random(H.H) < 0.95
    hp = H.hid[H.has_pts]
    before, last = points_periods(V.shift)
    return pd.concat([
        pd.DataFrame({"household_id": hp, "period": before, "points": pts_2024[H.has_pts].astype(int)}),
        pd.DataFrame({"household_id": hp, "period": last, "points": H.pts_2025[H.has_pts].astype(int)}),
    ], ignore_index=True)


def booked_rates(points: np.ndarray, schedule: Mapping | None = None) -> np.ndarray:
    """The loans' booked rates at their households' points (0 for none), to 5 decimals: by
    ``schedule`` (a ``points_loan.schedule`` block, :func:`calib.pricing.rate_for_points`), or
    by the sample's, 5% less 0.1 percentage point per 100 points in proportion (the reference
    and vectorised generators' one rule)."""
    if schedule is None:
        return np.round(0.05 - 0.001 * points / 100, 5)
    from calib.pricing.schedule import rate_for_points

    return np.round(rate_for_points(points, schedule), 5)


def make_loans(rng: np.random.Generator, V: SimpleNamespace, H: SimpleNamespace,
               coef: dict, schedule: Mapping | None = None) -> tuple[pd.DataFrame, float]:
    """Loans of credited households that draw, defaults from the true model; the true discount.
    The booked rates are the sample's schedule's (5% less 0.1 pp per 100 points) at the
    household's latest points, or ``schedule``'s when given."""
    eta = (coef["intercept"] + coef["business"] * H.bus + coef["integrity"] * H.integ
           + coef["bureau"] * H.bureau + coef["points_per_100"] * (H.true_points - 300) / 100
           + V.df["default_shock"].to_numpy()[H.hv])
    H.p_true = 1 / (1 + np.exp(-eta))
    p_up = 1 / (1 + np.exp(-(eta + coef["points_per_100"])))
    H.panel_decline = pd.Series(H.declined).groupby(H.rev_h).mean().reindex(
        range(H.H), fill_value=1.0).to_numpy() > 0.5
    H.credited = (H.model_lim > 0) & ~H.panel_decline & H.eligible & H.profiled
    draw_p = 1 / (1 + np.exp(-(-1.0 + 0.4 * H.bus + 0.3 * rng.normal(0, 1, H.H))))
    H.draws = H.credited & (rng.random(H.H) < draw_p)
    L = int(H.draws.sum())
    dh = np.flatnonzero(H.draws)
    H.consensus_true = np.minimum(round_to(np.exp(H.true_log_limit), 1000), 500_000)
    granted = np.minimum(H.consensus_true[dh], H.model_lim[dh])
    drawn = round_to(granted * rng.uniform(0.3, 1.0, L), 100)
    pts_loan = np.where(H.has_pts[dh], H.pts_2025[dh], 0)
    rate = booked_rates(pts_loan, schedule)
    default = (rng.random(L) < H.p_true[dh]).astype(int)
    start = _on(V, "2025-10-08") + pd.to_timedelta(rng.integers(0, 80, L), unit="D")
    loans = pd.DataFrame({
        "household_id": H.hid[dh], "loan_id": [f"L{i + 1:06d}" for i in range(L)],
        "start_date": start.strftime("%Y-%m-%d"),
        "granted_limit": granted.astype(int), "drawn_amount": drawn.astype(int),
        "interest_rate": rate, "default": default, "observed_until": _day_text(V, "2026-06-30"),
    })
    H.dh = dh
    discount = float(LGD * np.mean(H.p_true[dh] - p_up[dh])) if L else float("nan")
    return loans, discount


def make_assessments(rng: np.random.Generator, V: SimpleNamespace) -> pd.DataFrame:
    """Village assessments of the qualitative criteria (是/否, a few blank)."""
    va = pd.DataFrame({
        "village": V.vn,
        "collective_finances": np.where(rng.random(V.n) < 0.9, "是", "否"),
        "governance": np.where(rng.random(V.n) < 0.93, "是", "否"),
        "no_disputes": np.where(rng.random(V.n) < 0.95, "是", "否"),
    })
    va.loc[rng.random(V.n) < 0.05, "governance"] = ""
    return va


def make_truth(V: SimpleNamespace, H: SimpleNamespace, R: SimpleNamespace) -> dict:
    """The truth tables: households, reviewers, villages."""
    hv = H.hv
    truth_h = pd.DataFrame({
        "household_id": H.hid, "village": V.vn[hv], "township": V.tn[hv],
        "eligible": H.eligible, "profiled": H.profiled,
        "true_log_limit": np.round(H.true_log_limit, 6),
        "true_limit": H.consensus_true.astype(int),
        "business": np.round(H.bus, 6), "integrity": np.round(H.integ, 6),
        "civic": np.round(H.civic, 6), "bureau": np.round(H.bureau, 6),
        "true_points": H.true_points.astype(int),
        "panel_declines": H.panel_decline, "credited": H.credited, "draws": H.draws,
        "true_pd": np.round(H.p_true, 6),
    })
    truth_r = pd.DataFrame({
        "reviewer_id": R.rid, "village": V.vn[R.rv], "role": R.role,
        "true_leniency": np.round(R.leniency, 6), "noise_sd": np.round(R.noise_sd, 6),
        "partial": R.partial, "favour": R.favour,
        "own_household": np.where(R.own_h >= 0, H.hid[np.maximum(R.own_h, 0)], "")})
    vdf = V.df
    truth_v = vdf.assign(wealth=vdf["wealth"].round(6),
                         default_shock=vdf["default_shock"].round(6),
                         model_bias=vdf["model_bias"].round(6))
    return {"households": truth_h, "reviewers": truth_r, "villages": truth_v}
