"""Generated programmes with known ground truth, deterministic by seed.

The generator follows the Fogang figures (seed 000): 6 townships and 90 villages, about 6,000
credited households with limits averaging about 29,000 yuan (cap 500,000), loans drawn by about
30% of credited households. It writes the tables of the data contract (``data/README.md``) and,
in ``truth/``, what produced them:

- ``truth/households.csv``: each household's true log limit (``true_log_limit``), latent
  business, integrity, civic and bureau factors, true points, default probability ``true_pd``;
- ``truth/reviewers.csv``: each reviewer's true leniency (log scale), noise, and whether they
  favour related households (``partial``) and by how much (``favour``, log scale);
- ``truth/villages.csv``: village wealth, default shock, model bias, point inflation;
- ``truth/parameters.json``: the coefficients of the default model and the true risk-justified
  points discount per 100 points;
- ``truth/dirty_rows.csv``: rows deliberately broken to exercise the quarantine
  (``table, row, column, kind``).

Reviewers recuse themselves from their own household's review (回避) except for about 6% of
such cases, which the ``relations`` register (``self``) lets the consensus catch.

The model of a review (log scale): ``log(proposed) = true_log_limit + leniency_reviewer
(+ favour when related) + noise``; declines are rare and concentrated on low-integrity
households. Default: ``logit(p) = a + b_bus*business + b_int*integrity + b_bureau*bureau
+ b_points*(points-300)/100 + village_shock``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from calib.ids import make_ids

__all__ = ["SynthResult", "generate", "write", "build_programme", "SAMPLE_SEED", "TRUE_COEF"]

SAMPLE_SEED = 20251231
LGD = 0.45

#: Coefficients of the true default model (logit scale).
TRUE_COEF = {
    "intercept": -3.5,
    "business": -0.45,
    "integrity": -0.6,
    "bureau": -0.7,
    "points_per_100": -0.18,
    "village_shock_sd": 0.3,
}

# Character pools: place names never share a character with personal names, so that a
# village name in a report can never be mistaken for (or contain) a person's name.
_SURNAMES = list("张王李赵陈刘杨黄周吴徐孙朱马胡郭何罗郑梁谢宋唐许韩冯邓曹彭曾肖董袁潘蔡蒋余杜叶程苏魏吕任沈姚卢姜崔钟谭陆汪范廖贾夏韦邹孟熊秦邱尹薛段雷侯")
_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀霞刚桂英玉萍梅琴莲珍凤洁琳素斌波辉健俊峰志德福祥瑞婷颖慧晖燕翠荣")
_PLACE_A = list("上下大小坪岭坑塘坳冲湾坝圩寨垌埔岗洲沥")
_PLACE_B = list("水竹松茶禾樟榕溪泉岩蕉桥井埠")
_PLACE_C = list("头尾口背角边")
_TOWN = ["岭坑镇", "水口镇", "榕坪镇", "溪埔镇", "竹岗镇", "松塘镇"]
_ETHNIC = np.array(["汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "瑶族", "壮族"])


@dataclass
class SynthResult:
    """A generated programme: file-ready tables (code-name or form headers) and the truth."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame]
    parameters: dict = field(default_factory=dict)


def _village_names(n: int, rng: np.random.Generator) -> list[str]:
    combos = [a + b for a in _PLACE_A for b in _PLACE_B]
    if n <= len(combos):
        pick = rng.choice(len(combos), size=n, replace=False)
        return [combos[i] + "村" for i in pick]
    # province scale: three-character names, then numbered ones (still no personal-name characters)
    more = combos + [c + d for c in combos for d in _PLACE_C]
    more = [more[i] for i in rng.permutation(len(more))]
    return [(more[i % len(more)] + (str(i // len(more)) if i >= len(more) else "")) + "村" for i in range(n)]


def _round_to(x: np.ndarray, step: float) -> np.ndarray:
    return np.round(np.asarray(x, dtype=float) / step) * step


def generate(
    *,
    seed: int = SAMPLE_SEED,
    villages: int = 90,
    households_per_village: int = 85,
    townships: int = 6,
    as_of: str = "2026-06-30",
    dirty: bool = True,
    points_effect: float | None = None,
    chinese_headers: bool = True,
) -> SynthResult:
    """Generate a programme with known truth.

    Parameters
    ----------
    seed : int
        Seed of every random draw; the same seed gives byte-identical files.
    villages : int
        Number of administrative villages (spread over ``townships``).
    households_per_village : int
        Mean households per village (each village draws 70%-130% of it).
    townships : int
        Number of townships (at most 6).
    as_of : str
        Reference date of the programme (ages are computed at this date).
    dirty : bool
        Whether to inject the deliberately broken rows listed in ``truth/dirty_rows.csv``.
    points_effect : float, optional
        Log-odds change of default per 100 points (default ``TRUE_COEF["points_per_100"]``);
        0 gives a programme where points carry no information about risk.
    chinese_headers : bool
        Whether the roster uses the collection form's Chinese headers (else code names).

    Returns
    -------
    SynthResult
    """
    rng = np.random.default_rng(seed)
    coef = dict(TRUE_COEF)
    if points_effect is not None:
        coef["points_per_100"] = float(points_effect)
    as_of_ts = pd.Timestamp(as_of)
    townships = min(townships, len(_TOWN))

    # ---- villages ---------------------------------------------------------------------------
    vnames = _village_names(villages, rng)
    v_town = np.sort(np.arange(villages) % townships)
    vdf = pd.DataFrame({
        "village": vnames,
        "township": [_TOWN[t] for t in v_town],
        "wealth": rng.normal(0, 0.3, villages),
        "default_shock": rng.normal(0, coef["village_shock_sd"], villages),
        "model_bias": rng.normal(0, 0.12, villages),
        "point_inflation": 1.0,
    })
    inflated = rng.choice(villages, size=max(1, villages // 30), replace=False)
    vdf.loc[inflated, "point_inflation"] = 1.35
    n_h = np.maximum(8, np.round(households_per_village * rng.uniform(0.7, 1.3, villages))).astype(int)
    H = int(n_h.sum())
    hv = np.repeat(np.arange(villages), n_h)
    hk = np.concatenate([np.arange(1, k + 1) for k in n_h])
    hid = np.array([f"H{v + 1:03d}{k:04d}" for v, k in zip(hv, hk)])

    # ---- household truth ----------------------------------------------------------------------
    bus = rng.normal(0, 1, H)
    integ = rng.normal(0, 1, H)
    civic = rng.normal(0, 1, H)
    bureau = rng.normal(0, 1, H)
    log_income = 10.4 + 0.35 * bus + vdf["wealth"].to_numpy()[hv] + rng.normal(0, 0.3, H)
    true_log_limit = (np.log(22_000) + 0.55 * (log_income - 10.4) + 0.25 * bus + 0.15 * integ
                      + rng.normal(0, 0.2, H))
    true_points = np.clip(np.round(300 + 130 * civic + rng.normal(0, 40, H)), 0, None)

    # ---- people -------------------------------------------------------------------------------
    size = rng.choice([1, 2, 3, 4, 5, 6], size=H, p=[0.08, 0.22, 0.25, 0.25, 0.13, 0.07])
    head_age = rng.integers(24, 82, H)
    P = int(size.sum())
    ph = np.repeat(np.arange(H), size)
    pos = np.concatenate([np.arange(s) for s in size])
    rel = np.select([pos == 0, pos == 1, pos == 2, pos == 3, pos == 4],
                    ["户主", "配偶", "子", "女", "父亲"], "母亲")
    age = np.select(
        [pos == 0, pos == 1, (pos == 2) | (pos == 3), pos >= 4],
        [head_age[ph], head_age[ph] + rng.integers(-5, 4, P),
         np.maximum(0, head_age[ph] - rng.integers(20, 32, P)), head_age[ph] + rng.integers(22, 30, P)],
    )
    age = np.clip(age, 0, 98)
    head_sex = rng.choice(["M", "F"], H, p=[0.85, 0.15])
    sex = np.select([pos == 0, pos == 1, pos == 2, pos == 3, pos == 4],
                    [head_sex[ph], np.where(head_sex[ph] == "M", "F", "M"), "M", "F", "M"], "F")
    day_of_year = rng.integers(0, 365, P)
    birth = (as_of_ts - pd.to_timedelta(age * 365.25 + day_of_year, unit="D")).normalize()
    birth = pd.DatetimeIndex(birth)
    addr_code = np.array(["441821"]) [np.zeros(P, dtype=int)]
    idn = make_ids(addr_code, birth, sex, rng)
    # make IDs unique: redraw the few collisions
    for _ in range(20):
        dup = pd.Series(idn).duplicated().to_numpy()
        if not dup.any():
            break
        idn[dup] = make_ids(addr_code[dup], birth[dup], sex[dup], rng)
    surname_h = rng.choice(_SURNAMES, H)
    surname = np.where(pos == 1, rng.choice(_SURNAMES, P), np.where(pos >= 4, surname_h[ph], surname_h[ph]))
    given_len = rng.choice([1, 2], P, p=[0.35, 0.65])
    g1 = rng.choice(_GIVEN, P)
    g2 = rng.choice(_GIVEN, P)
    name = np.char.add(np.char.add(surname.astype(str), g1), np.where(given_len == 2, g2, ""))
    # names unique within the programme (makes leak checks unambiguous)
    for _ in range(30):
        dup = pd.Series(name).duplicated().to_numpy()
        if not dup.any():
            break
        name[dup] = np.char.add(np.char.add(surname[dup].astype(str), rng.choice(_GIVEN, dup.sum())),
                                rng.choice(_GIVEN, dup.sum()))
    phone_n = np.unique(rng.integers(10**8, 10**9, size=P + P // 10 + 100))
    phone_n = rng.permutation(phone_n)[:P]
    phone = np.char.add(rng.choice(["13", "15", "17", "18", "19"], P), phone_n.astype(str))
    phone = np.where((age >= 16), phone, "")
    status = rng.choice(["alive", "deceased", "missing", "absconded"], P, p=[0.985, 0.01, 0.003, 0.002])
    bad_record = (rng.random(P) < 0.02) & (age >= 18)
    group = np.array([f"{1 + (k - 1) % 6}组" for k in hk])
    vn = vdf["village"].to_numpy()
    tn = vdf["township"].to_numpy()
    land = np.round(rng.gamma(2.0, 1.6, H), 1)
    forest = np.round(rng.gamma(1.5, 6.0, H), 0)
    land_info = np.where(pos == 0, np.char.add(np.char.add(np.char.add("耕地", land[ph].astype(str)), "亩;林地"),
                                               np.char.add(forest[ph].astype(int).astype(str), "亩")), "")
    house_no = rng.integers(1, 200, H)
    roster = pd.DataFrame({
        "township": tn[hv][ph], "village": vn[hv][ph], "group": group[ph],
        "id_number": idn, "name": name, "head_id_number": idn[np.repeat(np.cumsum(size) - size, size)],
        "household_id": hid[ph],
        "address": [f"{t}{v}{g}{n}号" for t, v, g, n in zip(tn[hv][ph], vn[hv][ph], group[ph], house_no[ph])],
        "phone": phone, "sex": np.where(sex == "M", "男", "女"), "relation_to_head": rel,
        "ethnicity": rng.choice(_ETHNIC, P),
        "birth_month": birth.strftime("%Y-%m"), "land_info": land_info,
        "status": status, "bad_record": bad_record.astype(int),
    })
    in_age = (age >= 18) & (age <= 65) & (status == "alive") & ~bad_record
    hh_eligible = pd.Series(in_age).groupby(ph).any().to_numpy()
    # profiling has not reached every household everywhere (the "952" rule wants 90%)
    vdf["profiled_share"] = np.round(np.clip(rng.beta(25, 1.0, villages), 0.78, 1.0), 4)
    profiled = rng.random(H) < vdf["profiled_share"].to_numpy()[hv]

    # ---- panels and reviewers ----------------------------------------------------------------------
    k_panel = rng.integers(3, 8, villages)
    R = int(k_panel.sum())
    rv = np.repeat(np.arange(villages), k_panel)
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
    favour = np.where(partial, 0.5, 0.0)
    # reviewers who are villagers: a roster person of their village (not the account manager)
    first_person_of_h = np.cumsum(size) - size
    rv_person = np.full(R, -1)
    for v in range(villages):  # a handful per village, once: small loop over villages only
        hs = np.flatnonzero(hv == v)
        sel = np.flatnonzero((rv == v) & (role != "account_manager"))
        pick = rng.choice(hs, size=len(sel), replace=False)
        rv_person[sel] = first_person_of_h[pick]
    am_birth = pd.DatetimeIndex(as_of_ts - pd.to_timedelta(rng.integers(9000, 16000, R), unit="D"))
    am_ids = make_ids(np.full(R, "441802"), am_birth, rng.choice(["M", "F"], R), rng)
    r_idn = np.where(rv_person >= 0, idn[np.maximum(rv_person, 0)], am_ids)
    r_name = np.where(rv_person >= 0, name[np.maximum(rv_person, 0)],
                      np.char.add(rng.choice(_SURNAMES, R), np.char.add(rng.choice(_GIVEN, R), rng.choice(_GIVEN, R))))
    reviewers = pd.DataFrame({"reviewer_id": rid, "village": vn[rv], "role": role,
                              "id_number": r_idn, "name": r_name})

    # ---- relations (conflict-of-interest register) ---------------------------------------------------
    rel_rows = []
    own_h = np.where(rv_person >= 0, ph[np.maximum(rv_person, 0)], -1)
    for r in np.flatnonzero(own_h >= 0):
        rel_rows.append((r, own_h[r], "self"))
    related_any = (rng.random(R) < 0.35) | partial
    for r in np.flatnonzero(related_any & (role != "account_manager")):
        hs = np.flatnonzero(hv == rv[r])
        k = int(rng.integers(3, 9))
        for h in rng.choice(hs, size=min(k, len(hs)), replace=False):
            if h != own_h[r]:
                rel_rows.append((r, h, str(rng.choice(["kin", "kin", "neighbour", "business"]))))
    rel_df = pd.DataFrame(rel_rows, columns=["r", "h", "relation"]).drop_duplicates(["r", "h"])
    relations = pd.DataFrame({"reviewer_id": rid[rel_df["r"]], "household_id": hid[rel_df["h"]],
                              "relation": rel_df["relation"].to_numpy()})

    # ---- reviews -------------------------------------------------------------------------------
    # every panel member of the village reviews each household, minus random absences
    pairs_r = np.concatenate([np.flatnonzero(rv == v) for v in range(villages)])
    counts_v = k_panel[hv]
    rev_h = np.repeat(np.arange(H), counts_v)
    start = np.concatenate([[0], np.cumsum(k_panel)[:-1]])
    rev_r = start[hv[rev_h]] + np.concatenate([np.arange(c) for c in counts_v])
    del pairs_r
    present = rng.random(len(rev_h)) > 0.18
    # keep at least two reviews per household (first two seats always present)
    seat = rev_r - start[hv[rev_h]]
    present |= seat < 2
    present &= profiled[rev_h]
    rev_h, rev_r = rev_h[present], rev_r[present]
    # a few households reviewed by only one member (they need a re-review)
    thin = rng.random(H) < 0.01
    keep = ~thin[rev_h] | (rev_r == start[hv[rev_h]])
    rev_h, rev_r = rev_h[keep], rev_r[keep]
    # recusal (回避): most reviewers sit out their own household's review; a few do not
    own_review = own_h[rev_r] == rev_h
    drop = own_review & (rng.random(len(rev_h)) >= 0.06)
    drop &= np.bincount(rev_h[~drop], minlength=H)[rev_h] > 0  # never leave a household unreviewed
    rev_h, rev_r = rev_h[~drop], rev_r[~drop]
    n_rev = len(rev_h)
    is_related = pd.MultiIndex.from_arrays([rev_r, rev_h]).isin(
        pd.MultiIndex.from_arrays([rel_df["r"].to_numpy(), rel_df["h"].to_numpy()]))
    log_prop = (true_log_limit[rev_h] + leniency[rev_r] + np.where(is_related, favour[rev_r], 0.0)
                + rng.normal(0, 1, n_rev) * noise_sd[rev_r])
    decline_h = integ < -1.9
    declined = np.where(decline_h[rev_h], rng.random(n_rev) < 0.85, rng.random(n_rev) < 0.01)
    proposed = np.where(declined, 0.0, np.minimum(_round_to(np.exp(log_prop), 1000), 500_000))
    proposed = np.maximum(proposed, np.where(declined, 0, 1000))
    b_rate = np.clip(np.round(3 + bus[rev_h] + rng.normal(0, 0.6, n_rev)), 1, 5).astype(int)
    i_rate = np.clip(np.round(3.2 + integ[rev_h] + rng.normal(0, 0.6, n_rev)), 1, 5).astype(int)
    income = _round_to(np.exp(log_income[rev_h] + rng.normal(0, 0.15, n_rev)), 100)
    rdate = pd.Timestamp("2025-07-01") + pd.to_timedelta(rng.integers(0, 60, n_rev), unit="D")
    prop_text = pd.Series(proposed.astype(int).astype(str))
    wan = (rng.random(n_rev) < 0.15) & (proposed % 10_000 == 0) & (proposed > 0)
    prop_text[wan] = (proposed[wan] / 10_000).astype(int).astype(str) + "万"
    refuse = (proposed == 0) & (rng.random(n_rev) < 0.5)
    prop_text[refuse] = "拒绝"
    reviews = pd.DataFrame({
        "household_id": hid[rev_h], "reviewer_id": rid[rev_r], "business_rating": b_rate,
        "annual_income": income.astype(int), "integrity_rating": i_rate,
        "proposed_limit": prop_text.to_numpy(), "review_date": rdate.strftime("%Y-%m-%d"),
    })

    # ---- model runs -------------------------------------------------------------------------------
    pdo_factor = 20 / np.log(2)
    model_signal = 0.7 * bureau + 0.45 * bus + 0.6 * integ + 0.18 * (true_points - 300) / 100
    score = np.round(600 + pdo_factor * (0.9 * model_signal + rng.normal(0, 0.35, H)), 1)
    odds = 50 * 2 ** ((score - 600) / 20)
    model_pd = np.round(1 / (1 + odds), 5)
    model_lim = np.exp(true_log_limit + vdf["model_bias"].to_numpy()[hv] + rng.normal(0, 0.22, H))
    model_lim = np.minimum(_round_to(model_lim, 1000), 500_000)
    model_lim = np.where(model_pd > 0.12, 0.0, np.maximum(model_lim, 1000))
    grade = np.select([score >= 640, score >= 615, score >= 585], ["AAA", "AA", "A"], "B")
    runs = pd.DataFrame({"household_id": hid, "run_date": "2025-09-30", "model_score": score,
                         "model_pd": model_pd, "model_limit": model_lim.astype(int), "grade": grade})
    earlier = rng.random(H) < 0.2
    old = runs.loc[earlier].copy()
    old["run_date"] = "2024-09-30"
    old["model_score"] = np.round(old["model_score"] + rng.normal(0, 8, len(old)), 1)
    runs = pd.concat([old, runs], ignore_index=True)
    in_run = (hh_eligible & profiled)[pd.Index(hid).get_indexer(runs["household_id"])]
    runs = runs.loc[in_run].reset_index(drop=True)

    # ---- points ---------------------------------------------------------------------------------
    infl = vdf["point_inflation"].to_numpy()[hv]
    pts_2024 = np.clip(np.round(true_points * rng.normal(0.95, 0.03, H)), 0, None)
    pts_2025 = np.round(true_points * infl)
    has_pts = rng.random(H) < 0.95
    points = pd.concat([
        pd.DataFrame({"household_id": hid[has_pts], "period": "2024", "points": pts_2024[has_pts].astype(int)}),
        pd.DataFrame({"household_id": hid[has_pts], "period": "2025", "points": pts_2025[has_pts].astype(int)}),
    ], ignore_index=True)

    # ---- loans and defaults ----------------------------------------------------------------------
    eta = (coef["intercept"] + coef["business"] * bus + coef["integrity"] * integ
           + coef["bureau"] * bureau + coef["points_per_100"] * (true_points - 300) / 100
           + vdf["default_shock"].to_numpy()[hv])
    p_true = 1 / (1 + np.exp(-eta))
    eta_up = eta + coef["points_per_100"]
    p_up = 1 / (1 + np.exp(-eta_up))
    panel_decline = pd.Series(declined).groupby(rev_h).mean().reindex(range(H), fill_value=1.0).to_numpy() > 0.5
    credited = (model_lim > 0) & ~panel_decline & hh_eligible & profiled
    draw_p = 1 / (1 + np.exp(-(-1.0 + 0.4 * bus + 0.3 * rng.normal(0, 1, H))))
    draws = credited & (rng.random(H) < draw_p)
    L = int(draws.sum())
    dh = np.flatnonzero(draws)
    consensus_true = np.minimum(_round_to(np.exp(true_log_limit), 1000), 500_000)
    granted = np.minimum(consensus_true[dh], model_lim[dh])
    drawn = _round_to(granted * rng.uniform(0.3, 1.0, L), 100)
    pts_loan = np.where(has_pts[dh], pts_2025[dh], 0)
    rate = np.round(0.05 - 0.001 * pts_loan / 100, 5)
    default = (rng.random(L) < p_true[dh]).astype(int)
    loans = pd.DataFrame({
        "household_id": hid[dh], "loan_id": [f"L{i + 1:06d}" for i in range(L)],
        "start_date": (pd.Timestamp("2025-10-08") + pd.to_timedelta(rng.integers(0, 80, L), unit="D")).strftime("%Y-%m-%d"),
        "granted_limit": granted.astype(int), "drawn_amount": drawn.astype(int), "interest_rate": rate,
        "default": default, "observed_until": "2026-06-30",
    })
    discount_true = float(LGD * np.mean(p_true[dh] - p_up[dh])) if L else float("nan")

    # ---- village assessments (qualitative criteria) ------------------------------------------------------
    va = pd.DataFrame({
        "village": vn,
        "collective_finances": np.where(rng.random(villages) < 0.9, "是", "否"),
        "governance": np.where(rng.random(villages) < 0.93, "是", "否"),
        "no_disputes": np.where(rng.random(villages) < 0.95, "是", "否"),
    })
    va.loc[rng.random(villages) < 0.05, "governance"] = ""

    truth_h = pd.DataFrame({
        "household_id": hid, "village": vn[hv], "township": tn[hv], "eligible": hh_eligible, "profiled": profiled,
        "true_log_limit": np.round(true_log_limit, 6), "true_limit": consensus_true.astype(int),
        "business": np.round(bus, 6), "integrity": np.round(integ, 6), "civic": np.round(civic, 6),
        "bureau": np.round(bureau, 6), "true_points": true_points.astype(int),
        "panel_declines": panel_decline, "credited": credited, "draws": draws,
        "true_pd": np.round(p_true, 6),
    })
    truth_r = pd.DataFrame({"reviewer_id": rid, "village": vn[rv], "role": role,
                            "true_leniency": np.round(leniency, 6), "noise_sd": np.round(noise_sd, 6),
                            "partial": partial, "favour": favour,
                            "own_household": np.where(own_h >= 0, hid[np.maximum(own_h, 0)], "")})
    truth_v = vdf.assign(wealth=vdf["wealth"].round(6), default_shock=vdf["default_shock"].round(6),
                         model_bias=vdf["model_bias"].round(6))
    params = {
        "seed": seed, "villages": villages, "households": H, "people": P, "reviewers": R,
        "as_of": as_of, "coefficients": coef, "lgd": LGD,
        "points_scale": "(points - 300) / 100 on true points; reported 2025 points are inflated by "
                        "point_inflation in some villages",
        "discount_per_100_true": round(discount_true, 8),
        "default_rate_true": round(float(p_true[dh].mean()), 6) if L else None,
        "review_model": "log(proposed) = true_log_limit + leniency + favour*related + N(0, noise_sd)",
    }
    tables = {"roster": roster, "reviewers": reviewers, "reviews": reviews, "relations": relations,
              "model_runs": runs, "points": points, "loans": loans, "village_assessments": va}
    dirty_rows = pd.DataFrame(columns=["table", "row", "column", "kind"])
    if dirty:
        tables, dirty_rows = _inject_dirt(tables, rng)
    if chinese_headers:
        tables["roster"] = tables["roster"].rename(columns=ROSTER_FORM_HEADERS)
    truth = {"households": truth_h, "reviewers": truth_r, "villages": truth_v, "dirty_rows": dirty_rows}
    return SynthResult(tables=tables, truth=truth, parameters=params)


ROSTER_FORM_HEADERS = {
    "township": "乡镇", "village": "行政村名称", "group": "组名", "id_number": "身份证", "name": "姓名",
    "head_id_number": "户主身份证", "household_id": "户号", "address": "现居住地址", "phone": "联系方式",
    "sex": "性别", "relation_to_head": "与户主关系", "ethnicity": "民族", "birth_month": "出生年月",
    "land_info": "承包土地及山林信息", "status": "状态", "bad_record": "不良记录",
}


def _inject_dirt(tables: dict[str, pd.DataFrame], rng: np.random.Generator):
    """Break a few rows on purpose; return the tables and the list of broken rows."""
    t = {k: v.copy() for k, v in tables.items()}
    log: list[tuple[str, int, str, str]] = []
    ro = t["roster"]
    ro["id_number"] = ro["id_number"].astype(object)
    # pick non-head members of households with 3+ members, far apart
    size = ro.groupby("household_id")["household_id"].transform("size").to_numpy()
    cand = np.flatnonzero((ro["relation_to_head"].to_numpy() != "户主") & (size >= 3))
    picks = rng.choice(cand, size=8, replace=False)
    i_sci, i_zero, i_check, i_month, i_full, i_15, i_lower, i_sex = picks
    v = ro.at[i_sci, "id_number"]
    ro.at[i_sci, "id_number"] = f"{v[0]}.{v[1:6]}E+17"
    log.append(("roster", i_sci, "id_number", "scientific"))
    zeroed = ro.at[i_zero, "id_number"][:15] + "000"
    while zeroed[-1] == _check_of(zeroed):  # a zeroed ID that passes its checksum is undetectable
        zeroed = zeroed[:14] + str((int(zeroed[14]) + 1) % 10) + "000"
    ro.at[i_zero, "id_number"] = zeroed
    log.append(("roster", i_zero, "id_number", "zeroed"))
    v = ro.at[i_check, "id_number"]
    wrong = [c for c in "0123456789X" if c != v[-1]][int(rng.integers(0, 10))]
    ro.at[i_check, "id_number"] = v[:-1] + wrong
    log.append(("roster", i_check, "id_number", "checksum"))
    bm = ro.at[i_month, "birth_month"]
    y, m = int(bm[:4]), int(bm[5:7])
    ro.at[i_month, "birth_month"] = f"{y}-{(m % 12) + 1:02d}"
    log.append(("roster", i_month, "birth_month", "birth_month"))
    ro.at[i_sex, "sex"] = "女" if ro.at[i_sex, "sex"] == "男" else "男"
    log.append(("roster", i_sex, "sex", "sex"))
    # accepted variants: full-width digits, old 15-digit form, lower-case x
    full = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    ro.at[i_full, "id_number"] = ro.at[i_full, "id_number"].translate(full)
    v = ro.at[i_15, "id_number"]
    if v[6:8] == "19":
        ro.at[i_15, "id_number"] = v[:6] + v[8:17]
    v = ro.at[i_lower, "id_number"]
    ro.at[i_lower, "id_number"] = v[:-1] + v[-1].lower()
    # duplicate person: a copy of a person registered again in another village's household
    src = int(rng.choice(cand))
    dup = ro.iloc[[src]].copy()
    other = ro.loc[ro["village"] != ro.at[src, "village"]].iloc[0]
    dup[["township", "village", "household_id", "group"]] = other[["township", "village", "household_id", "group"]].to_numpy()
    dup["relation_to_head"] = "其他"
    ro = pd.concat([ro, dup], ignore_index=True)
    log.append(("roster", len(ro) - 1, "id_number", "duplicate_person"))
    total = pd.DataFrame([{c: "" for c in ro.columns}])
    total["township"] = "合计"
    ro = pd.concat([ro, total], ignore_index=True)
    log.append(("roster", len(ro) - 1, "township", "total_row"))
    t["roster"] = ro

    rv = t["reviews"]
    rv["proposed_limit"] = rv["proposed_limit"].astype(object)
    rv["business_rating"] = rv["business_rating"].astype(object)
    n = len(rv)
    a, b, c, d = rng.choice(n, size=4, replace=False)
    rv.at[a, "business_rating"] = 7
    log.append(("reviews", a, "business_rating", "rating_range"))
    rv.at[b, "proposed_limit"] = "-5000"
    log.append(("reviews", b, "proposed_limit", "negative"))
    rv.at[c, "proposed_limit"] = "/"
    log.append(("reviews", c, "proposed_limit", "unparseable"))
    again = rv.iloc[[d]].copy()
    rv = pd.concat([rv, again], ignore_index=True)
    log.append(("reviews", len(rv) - 1, "reviewer_id", "duplicate_review"))
    ghost = rv.iloc[[0]].copy()
    ghost["household_id"] = "H9999999"
    rv = pd.concat([rv, ghost], ignore_index=True)
    log.append(("reviews", len(rv) - 1, "household_id", "unknown_household"))
    t["reviews"] = rv

    mr = t["model_runs"]
    ghost = mr.iloc[[0]].copy()
    ghost["household_id"] = "H9999998"
    mr = pd.concat([mr, ghost], ignore_index=True)
    log.append(("model_runs", len(mr) - 1, "household_id", "unknown_household"))
    mr["model_pd"] = mr["model_pd"].astype(object)
    j = int(rng.integers(0, len(mr) - 1))
    mr.at[j, "model_pd"] = 1.5
    log.append(("model_runs", j, "model_pd", "probability_range"))
    t["model_runs"] = mr

    lo = t["loans"]
    if len(lo) > 2:
        ghost = lo.iloc[[0]].copy()
        ghost["household_id"] = "H9999997"
        ghost["loan_id"] = "L999999"
        lo = pd.concat([lo, ghost], ignore_index=True)
        log.append(("loans", len(lo) - 1, "household_id", "unknown_household"))
        j = int(rng.integers(0, len(lo) - 1))
        lo.at[j, "drawn_amount"] = int(lo.at[j, "granted_limit"]) + 5000
        log.append(("loans", j, "drawn_amount", "drawn_over_limit"))
        t["loans"] = lo
    pt = t["points"]
    pt["points"] = pt["points"].astype(object)
    j = int(rng.integers(0, len(pt)))
    pt.at[j, "points"] = -40
    log.append(("points", j, "points", "negative"))
    t["points"] = pt
    dirty = pd.DataFrame(log, columns=["table", "row", "column", "kind"])
    dirty["row"] = dirty["row"].astype(int) + 2  # spreadsheet row numbers
    return t, dirty.sort_values(["table", "row"]).reset_index(drop=True)


def _check_of(id18: str) -> str:
    from calib.ids import check_characters

    return str(check_characters([id18[:17]])[0])


def write(result: SynthResult, out: str | Path) -> Path:
    """Write a generated programme (tables and ``truth/``) to a folder, byte-identically.

    The roster is written as UTF-8 with BOM (as Excel saves "CSV UTF-8"), the other tables
    as UTF-8.
    """
    from calib.io import write_programme

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_programme({"roster": result.tables["roster"]}, out, encoding="utf-8-sig")
    write_programme({k: v for k, v in result.tables.items() if k != "roster"}, out)
    tdir = out / "truth"
    tdir.mkdir(exist_ok=True)
    for k, v in result.truth.items():
        v.to_csv(tdir / f"{k}.csv", index=False, lineterminator="\n")
    (tdir / "parameters.json").write_text(
        json.dumps(result.parameters, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def build_programme(tmp_dir: str | Path, *, as_of: str = "2026-06-30", **kwargs):
    """Generate, write and load a programme in one call (for tests and notebooks).

    Parameters
    ----------
    tmp_dir : str or Path
        Folder to write the programme into.
    as_of : str
        Reference date passed to the generator and the loader.
    **kwargs
        Passed to :func:`generate` (``seed``, ``villages``, ``households_per_village``, ...).

    Returns
    -------
    (Programme, SynthResult)
    """
    from calib.io import load_programme

    res = generate(as_of=as_of, **kwargs)
    write(res, tmp_dir)
    return load_programme(tmp_dir, as_of=as_of), res
