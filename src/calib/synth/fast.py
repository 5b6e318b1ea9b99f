"""The vectorised generator: county and province programmes at numpy/Arrow speed.

Same tables, columns and models as the reference generator (:func:`calib.synth.generate`),
drawn from a different random stream, so it does **not** reproduce ``data/sample`` (the sample
keeps the reference path). No Python loop runs over households, people or reviews: villages are
generated in chunks (each chunk from its own seed ``(seed, chunk)``), every table is built with
numpy and Arrow compute, and :func:`write_fast` streams the chunks to Parquet or CSV so memory
stays bounded by one chunk.

Differences from the reference generator, all deliberate for scale: personal names are not made
unique (a province has more people than two- and three-character names); ID numbers are unique
by construction (address code per pair of villages, sequence code ranked within address, birth
date and sex); phone numbers are unique by an affine bijection of the person's index; reviews
of a household are never dropped for recusal (the reviewer's own household is in
``relations`` as ``self``); no rows are broken on purpose (``dirty`` is not offered).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from calib._progress import step_extra
from calib.synth._names import ETHNIC, GIVEN, SURNAMES, village_names, township_names
from calib.synth.generate import LGD, SAMPLE_AS_OF, TRUE_COEF, SynthResult
from calib.synth.tables import booked_rates, points_periods, recused, round_to

#: Each chunk of villages as it is generated and written (shown by :func:`calib._progress.show_progress`).
_log = logging.getLogger("calib.synth")

__all__ = ["generate_fast", "write_fast", "province_chunks"]

_EPOCH = np.datetime64("1970-01-01", "D")
_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.array(list("10X98765432"))


def _s(x) -> pa.Array:
    """numpy -> Arrow string array."""
    return pa.array(np.asarray(x)).cast(pa.string())


def _pick(categories, codes: np.ndarray) -> pa.Array:
    """Strings ``categories[codes]`` built by Arrow ``take`` (no numpy unicode arrays)."""
    return pa.array(list(categories), pa.string()).take(pa.array(np.asarray(codes, np.int64)))


def _ymd(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 -> YYYYMMDD as int."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    y = m.astype("datetime64[Y]").astype(np.int64) + 1970
    return (y * 10_000 + (m.astype(np.int64) % 12 + 1) * 100
            + (d - m).astype(np.int64) + 1)


def _date_text(ymd: np.ndarray, month_only: bool = False) -> pa.Array:
    """YYYYMMDD ints -> "YYYY-MM-DD" (or "YYYY-MM") text."""
    t = _s(ymd)
    parts = [pc.utf8_slice_codeunits(t, 0, 4), "-", pc.utf8_slice_codeunits(t, 4, 6)]
    if not month_only:
        parts += ["-", pc.utf8_slice_codeunits(t, 6, 8)]
    return pc.binary_join_element_wise(*parts, "")


def _cat(*parts) -> pa.Array:
    """Element-wise concatenation of Arrow/numpy string arrays or scalars."""
    arrs = [p if isinstance(p, (pa.Array, pa.ChunkedArray, str)) else _s(p) for p in parts]
    return pc.binary_join_element_wise(*arrs, "")


def _padded(x: np.ndarray, width: int) -> pa.Array:
    """Zero-padded decimal text of non-negative ints."""
    return pc.utf8_slice_codeunits(_s(np.asarray(x, dtype=np.int64) + 10 ** width), 1)


def _within(counts: np.ndarray) -> np.ndarray:
    """0..k-1 for each group of size k (the position inside each group)."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total) - starts


def _day(text: str, shift: int) -> int:
    """Days since 1970 of a date of the sample's calendar, moved by ``shift`` days."""
    return int((np.datetime64(text, "D") - _EPOCH).astype(np.int64)) + shift


def _villages(rng, v0: int, nv: int, hpv: int, names: np.ndarray, towns: np.ndarray,
              coef: dict) -> SimpleNamespace:
    inflation = np.where(rng.random(nv) < 1 / 30, 1.35, 1.0)
    n_h = np.maximum(8, np.round(hpv * rng.uniform(0.7, 1.3, nv))).astype(np.int64)
    return SimpleNamespace(
        n=nv, idx=v0 + np.arange(nv), vn=names[v0:v0 + nv], tn=towns[v0:v0 + nv], n_h=n_h,
        wealth=rng.normal(0, 0.3, nv), shock=rng.normal(0, coef["village_shock_sd"], nv),
        bias=rng.normal(0, 0.12, nv), inflation=inflation,
        profiled_share=np.round(np.clip(rng.beta(25, 1.0, nv), 0.78, 1.0), 4),
        k_panel=rng.integers(3, 8, nv))


def _households(rng, V) -> SimpleNamespace:
    H = int(V.n_h.sum())
    hv = np.repeat(np.arange(V.n), V.n_h)
    hk = _within(V.n_h) + 1
    bus, integ, civic, bureau = (rng.normal(0, 1, H) for _ in range(4))
    bus, bureau = bus + 0.5 * V.drift, bureau + V.drift  # a drifting population
    log_income = 10.4 + 0.35 * bus + V.wealth[hv] + rng.normal(0, 0.3, H)
    tll = (np.log(22_000) + 0.55 * (log_income - 10.4) + 0.25 * bus + 0.15 * integ
           + rng.normal(0, 0.2, H))
    return SimpleNamespace(
        H=H, hv=hv, hk=hk, hid=_cat("H", _padded(V.idx[hv] + 1, 6), _padded(hk, 4)),
        bus=bus, integ=integ, civic=civic, bureau=bureau, log_income=log_income,
        true_log_limit=tll,
        true_points=np.clip(np.round(300 + 130 * civic + rng.normal(0, 40, H)), 0, None),
        profiled=rng.random(H) < V.profiled_share[hv])


def _id_numbers(addr: np.ndarray, birth_days: np.ndarray, male: np.ndarray,
                rng) -> pa.Array:
    """Unique valid 18-character IDs: sequence ranked within (address, birth date, sex)."""
    order = np.lexsort((rng.random(len(addr)), male, birth_days, addr))
    key = (addr[order] * 100_000 + birth_days[order]) * 2 + male[order]
    first = np.r_[True, key[1:] != key[:-1]]
    grp_start = np.maximum.accumulate(np.where(first, np.arange(len(key)), 0))
    rank = np.empty(len(key), dtype=np.int64)
    rank[order] = np.arange(len(key)) - grp_start
    seq = (rank % 500) * 2 + male
    ymd = _ymd(birth_days)
    body = addr.astype(np.int64) * 10 ** 11 + ymd.astype(np.int64) * 1000 + seq
    digits = (body[:, None] // 10 ** np.arange(16, -1, -1)) % 10
    return _cat(_s(body), _pick(_CHECK, (digits @ _WEIGHTS) % 11))


def _people(rng, V, H, as_of: np.datetime64, p0: int) -> tuple[pa.Table, SimpleNamespace]:
    size = rng.choice(np.arange(1, 7), size=H.H, p=[0.08, 0.22, 0.25, 0.25, 0.13, 0.07])
    P = int(size.sum())
    ph = np.repeat(np.arange(H.H), size)
    pos = _within(size)
    head_age = rng.integers(24, 82, H.H)[ph]
    age = np.select([pos == 0, pos == 1, pos <= 3],
                    [head_age, head_age + rng.integers(-5, 4, P),
                     np.maximum(0, head_age - rng.integers(20, 32, P))],
                    head_age + rng.integers(22, 30, P))
    age = np.clip(age, 0, 98)
    head_male = (rng.random(H.H) < 0.85)[ph]
    male = np.select([pos == 0, pos == 1, pos == 2, pos == 3, pos == 4],
                     [head_male, ~head_male, True, False, True], False)
    birth = (as_of - _EPOCH).astype(np.int64) - np.floor(age * 365.25).astype(np.int64) \
        - rng.integers(0, 365, P)
    addr = 400_000 + V.idx[H.hv[ph]] // 2
    idn = _id_numbers(addr, birth, male.astype(np.int64), rng)
    surname = _pick(SURNAMES, np.where(pos == 1, rng.integers(0, len(SURNAMES), P),
                                       rng.integers(0, len(SURNAMES), H.H)[ph]))
    g2 = np.where(rng.random(P) < 0.65, rng.integers(0, len(GIVEN), P), len(GIVEN))
    name = _cat(surname, _pick(GIVEN, rng.integers(0, len(GIVEN), P)), _pick(GIVEN + [""], g2))
    status = rng.choice(4, P, p=[0.985, 0.01, 0.003, 0.002])
    bad = (rng.random(P) < 0.02) & (age >= 18)
    status_text = _pick(["alive", "deceased", "missing", "absconded"], status)
    phone_n = (np.int64(7_919) * (p0 + np.arange(P)) + 12_345_678) % 10 ** 9 + 10 ** 9
    phone = _cat(_pick(["13", "15", "17", "18", "19"], rng.integers(0, 5, P)),
                 pc.utf8_slice_codeunits(_s(phone_n), 1))
    phone = pc.if_else(pa.array(age >= 16), phone, "")
    heads = np.cumsum(size) - size
    group = _cat(_s(1 + (H.hk - 1) % 6), "组")
    land = _cat("耕地", _s(np.round(rng.gamma(2.0, 1.6, H.H), 1)), "亩;林地",
                _s(np.round(rng.gamma(1.5, 6.0, H.H)).astype(np.int64)), "亩")
    house = _s(rng.integers(1, 200, H.H))
    tn, vn = _s(V.tn).take(H.hv), _s(V.vn).take(H.hv)
    t = pa.table({
        "township": tn.take(ph), "village": vn.take(ph), "group": group.take(ph),
        "id_number": idn, "name": name, "head_id_number": idn.take(heads[ph]),
        "household_id": H.hid.take(ph),
        "address": _cat(tn, vn, group, house, "号").take(ph),
        "phone": phone, "sex": _pick(["女", "男"], male),
        "relation_to_head": _pick(["户主", "配偶", "子", "女", "父亲", "母亲"], np.minimum(pos, 5)),
        "ethnicity": _pick(ETHNIC, rng.integers(0, len(ETHNIC), P)),
        "birth_month": _date_text(_ymd(birth), month_only=True),
        "land_info": pc.if_else(pa.array(pos == 0), land.take(ph), ""),
        "status": status_text, "bad_record": pa.array(bad.astype(np.int64)),
    })
    ok = (age >= 18) & (age <= 65) & (status == 0) & ~bad
    H.eligible = np.bincount(ph, weights=ok, minlength=H.H) > 0
    return t, SimpleNamespace(P=P, ph=ph, heads=heads, idn=idn, name=name)


def _outsider_names(rng, n: int) -> pa.Array:
    g = np.asarray(GIVEN)
    return _cat(np.asarray(SURNAMES)[rng.integers(0, len(SURNAMES), n)],
                g[rng.integers(0, len(g), n)], g[rng.integers(0, len(g), n)])


def _panels(rng, V, H, people, as_of: np.datetime64) -> tuple[pa.Table, SimpleNamespace]:
    R = int(V.k_panel.sum())
    rv = np.repeat(np.arange(V.n), V.k_panel)
    rk = _within(V.k_panel)
    role = np.where(rk == 0, "cadre", np.where(rk == V.k_panel[rv] - 1, "account_manager",
                                               np.where(rk == 1, "group_leader", "villager_rep")))
    lenient = rng.normal(0, 0.12, R)
    extreme = rng.random(R) < 0.12
    lenient = np.where(extreme, np.where(rng.random(R) < 0.5, -0.35, 0.35), lenient)
    lenient -= (np.bincount(rv, weights=lenient, minlength=V.n) / V.k_panel)[rv]
    partial = (rng.random(R) < 0.10) & (role != "account_manager")
    villager = role != "account_manager"
    h_start = np.cumsum(V.n_h) - V.n_h
    own_h = np.where(villager, h_start[rv] + np.floor(rng.random(R) * V.n_h[rv]).astype(np.int64),
                     -1)
    seat = people.heads[np.maximum(own_h, 0)]
    am_birth = (as_of - _EPOCH).astype(np.int64) - rng.integers(9000, 16000, R)
    am_ids = _id_numbers(np.full(R, 441802), am_birth, rng.integers(0, 2, R), rng)
    vm = pa.array(villager)
    rid = _cat("R", _padded(V.idx[rv] + 1, 6), _padded(rk + 1, 2))
    t = pa.table({"reviewer_id": rid, "village": _s(V.vn[rv]), "role": _s(role),
                  "id_number": pc.if_else(vm, people.idn.take(seat), am_ids),
                  "name": pc.if_else(vm, people.name.take(seat), _outsider_names(rng, R))})
    return t, SimpleNamespace(R=R, rv=rv, rid=rid, role=role, leniency=lenient,
                              noise_sd=rng.uniform(0.08, 0.22, R), partial=partial,
                              favour=np.where(partial, 0.5, 0.0), own_h=own_h)


def _relations(rng, V, H, R) -> tuple[pa.Table, np.ndarray]:
    """``self`` for villager reviewers; 3-8 related households for about a third of them."""
    mine = np.flatnonzero(R.own_h >= 0)
    rel = (rng.random(R.R) < 0.35) | R.partial
    rel &= R.role != "account_manager"
    k = np.where(rel, rng.integers(3, 9, R.R), 0)
    rr = np.repeat(np.arange(R.R), k)
    h_start = np.cumsum(V.n_h) - V.n_h
    hh = h_start[R.rv[rr]] + np.floor(rng.random(len(rr)) * V.n_h[R.rv[rr]]).astype(np.int64)
    kind = np.array([1, 1, 2, 3])[rng.integers(0, 4, len(rr))]
    keep = hh != R.own_h[rr]
    r_all = np.r_[mine, rr[keep]]
    h_all = np.r_[R.own_h[mine], hh[keep]]
    k_all = np.r_[np.zeros(len(mine), dtype=np.int64), kind[keep]]
    key = r_all.astype(np.int64) * H.H + h_all
    _, first = np.unique(key, return_index=True)
    first.sort()
    pairs = key[first]
    t = pa.table({"reviewer_id": R.rid.take(r_all[first]), "household_id":
                  H.hid.take(h_all[first]), "relation": _pick(["self", "kin", "neighbour", "business"], k_all[first])})
    return t, pairs


def _reviews(rng, V, H, R, related_pairs: np.ndarray) -> pa.Table:
    """Every panel member reviews each profiled household, minus absences (two seats stay)."""
    kp = V.k_panel[H.hv]
    rev_h = np.repeat(np.arange(H.H), kp)
    seat = _within(kp)
    r_start = np.cumsum(V.k_panel) - V.k_panel
    rev_r = r_start[H.hv[rev_h]] + seat
    thin = (rng.random(H.H) < 0.01)[rev_h]
    keep = ((rng.random(len(rev_h)) > 0.18) | (seat < 2)) & H.profiled[rev_h]
    keep &= ~thin | (seat == 0)
    rev_h, rev_r = rev_h[keep], rev_r[keep]
    drop = recused(rng, rev_h, R.own_h[rev_r], H.H)  # as the sample's generator
    rev_h, rev_r = rev_h[~drop], rev_r[~drop]
    n = len(rev_h)
    related = np.isin(rev_r.astype(np.int64) * H.H + rev_h, related_pairs)
    log_prop = (H.true_log_limit[rev_h] + R.leniency[rev_r]
                + np.where(related, R.favour[rev_r], 0.0)
                + rng.normal(0, 1, n) * R.noise_sd[rev_r])
    declined = rng.random(n) < np.where(H.integ[rev_h] < -1.9, 0.85, 0.01)
    proposed = np.where(declined, 0.0,
                        np.maximum(np.minimum(round_to(np.exp(log_prop), 1000), 500_000), 1000))
    H.rev_h, H.declined = rev_h, declined
    wan = (rng.random(n) < 0.15) & (proposed % 10_000 == 0) & (proposed > 0)
    refuse = (proposed == 0) & (rng.random(n) < 0.5)
    text = pc.if_else(pa.array(wan), _cat(_s((proposed // 10_000).astype(np.int64)), "万"),
                      _s(proposed.astype(np.int64)))
    text = pc.if_else(pa.array(refuse), "拒绝", text)
    rdate = _day("2025-07-01", V.shift) + rng.integers(0, 60, n)
    return pa.table({
        "household_id": H.hid.take(rev_h), "reviewer_id": R.rid.take(rev_r),
        "business_rating": np.clip(np.round(3 + H.bus[rev_h] + rng.normal(0, 0.6, n)), 1,
                                   5).astype(np.int64),
        "annual_income": round_to(np.exp(H.log_income[rev_h] + rng.normal(0, 0.15, n)),
                                  100).astype(np.int64),
        "integrity_rating": np.clip(np.round(3.2 + H.integ[rev_h] + rng.normal(0, 0.6, n)), 1,
                                    5).astype(np.int64),
        "proposed_limit": text,
        "review_date": _date_text(_ymd(rdate)),
    })


def _model_runs(rng, V, H) -> pa.Table:
    signal = 0.7 * H.bureau + 0.45 * H.bus + 0.6 * H.integ + 0.18 * (H.true_points - 300) / 100
    score = np.round(600 + 20 / np.log(2) * (0.9 * signal + rng.normal(0, 0.35, H.H)), 1)
    model_pd = np.round(1 / (1 + 50 * 2 ** ((score - 600) / 20)), 5)
    lim = np.exp(H.true_log_limit + V.bias[H.hv] + rng.normal(0, 0.22, H.H))
    lim = np.minimum(round_to(lim, 1000), 500_000)
    H.model_lim = np.where(model_pd > 0.12, 0.0, np.maximum(lim, 1000))
    grade = np.select([score >= 640, score >= 615, score >= 585], [0, 1, 2], 3)
    earlier = rng.random(H.H) < 0.2
    old_score = np.round(score + rng.normal(0, 8, H.H), 1)
    run = H.eligible & H.profiled
    old, new = np.flatnonzero(run & earlier), np.flatnonzero(run)
    rows = np.r_[old, new]
    runs = [str(np.datetime64(d, "D") + V.shift) for d in ("2024-09-30", "2025-09-30")]
    dates = _pick(runs, np.r_[np.zeros(len(old)), np.ones(len(new))])
    return pa.table({
        "household_id": H.hid.take(rows), "run_date": dates,
        "model_score": np.r_[old_score[old], score[new]], "model_pd": model_pd[rows],
        "model_limit": H.model_lim[rows].astype(np.int64), "grade": _pick(["AAA", "AA", "A", "B"], grade[rows])})


def _points(rng, V, H) -> pa.Table:
    pts_2024 = np.clip(np.round(H.true_points * rng.normal(0.95, 0.03, H.H)), 0, None)
    H.pts_2025 = np.round(H.true_points * V.inflation[H.hv])
    H.has_pts = rng.random(H.H) < 0.95
    hp = np.flatnonzero(H.has_pts)
    rows = np.r_[hp, hp]
    return pa.table({
        "household_id": H.hid.take(rows),
        "period": _pick(list(points_periods(V.shift)), np.r_[np.zeros(len(hp)), np.ones(len(hp))]),
        "points": np.r_[pts_2024[hp], H.pts_2025[hp]].astype(np.int64)})


def _loans(rng, V, H, coef: dict, l0: int, schedule: Mapping | None = None) -> pa.Table:
    eta = (coef["intercept"] + coef["business"] * H.bus + coef["integrity"] * H.integ
           + coef["bureau"] * H.bureau + coef["points_per_100"] * (H.true_points - 300) / 100
           + V.shock[H.hv])
    H.p_true = 1 / (1 + np.exp(-eta))
    H.p_up = 1 / (1 + np.exp(-(eta + coef["points_per_100"])))
    n_rev = np.bincount(H.rev_h, minlength=H.H)
    share_declined = np.bincount(H.rev_h, weights=H.declined, minlength=H.H) / np.maximum(n_rev, 1)
    H.panel_decline = np.where(n_rev > 0, share_declined, 1.0) > 0.5
    H.credited = (H.model_lim > 0) & ~H.panel_decline & H.eligible & H.profiled
    draw_p = 1 / (1 + np.exp(-(-1.0 + 0.4 * H.bus + 0.3 * rng.normal(0, 1, H.H))))
    H.draws = H.credited & (rng.random(H.H) < draw_p)
    dh = np.flatnonzero(H.draws)
    L = len(dh)
    H.consensus_true = np.minimum(round_to(np.exp(H.true_log_limit), 1000), 500_000)
    granted = np.minimum(H.consensus_true[dh], H.model_lim[dh])
    pts = np.where(H.has_pts[dh], H.pts_2025[dh], 0)
    start = _day("2025-10-08", V.shift) + rng.integers(0, 80, L)
    H.dh = dh
    return pa.table({
        "household_id": H.hid.take(dh), "loan_id": _cat("L", _padded(l0 + np.arange(L) + 1, 9)),
        "start_date": _date_text(_ymd(start)),
        "granted_limit": granted.astype(np.int64),
        "drawn_amount": round_to(granted * rng.uniform(0.3, 1.0, L), 100).astype(np.int64),
        "interest_rate": booked_rates(pts, schedule),
        "default": (rng.random(L) < H.p_true[dh]).astype(np.int64),
        "observed_until": _pick([str(np.datetime64(SAMPLE_AS_OF, "D") + V.shift)],
                                np.zeros(L))})


def _assessments(rng, V) -> pa.Table:
    def yes(p):
        return _s(np.where(rng.random(V.n) < p, "是", "否"))

    gov = np.where(rng.random(V.n) < 0.93, "是", "否")
    gov = np.where(rng.random(V.n) < 0.05, "", gov)
    return pa.table({"village": _s(V.vn), "collective_finances": yes(0.9),
                     "governance": _s(gov), "no_disputes": yes(0.95)})


def _truth(V, H) -> pa.Table:
    return pa.table({
        "household_id": H.hid, "village": _s(V.vn).take(H.hv), "township": _s(V.tn).take(H.hv),
        "eligible": H.eligible, "profiled": H.profiled,
        "true_log_limit": np.round(H.true_log_limit, 6),
        "true_limit": H.consensus_true.astype(np.int64), "business": np.round(H.bus, 6),
        "integrity": np.round(H.integ, 6), "civic": np.round(H.civic, 6),
        "bureau": np.round(H.bureau, 6), "true_points": H.true_points.astype(np.int64),
        "panel_declines": H.panel_decline, "credited": H.credited, "draws": H.draws,
        "true_pd": np.round(H.p_true, 6)})


def _plan(villages: int, townships: int | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Village and township names of the whole programme (drawn once, from ``(seed, 0)``)."""
    rng = np.random.default_rng([seed, 0])
    names = np.asarray(village_names(villages, rng))
    nt = townships if townships is not None else max(6, -(-villages // 15))
    towns = np.asarray(township_names(nt))[np.sort(np.arange(villages) % nt)]
    return names, towns


def province_chunks(*, seed: int = 1, villages: int = 90, households_per_village: int = 85,
                    townships: int | None = None, as_of: str = "2026-06-30",
                    points_effect: float | None = None, chunk_villages: int = 2000,
                    drift: float = 0.0, schedule: Mapping | None = None):
    """Yield the programme chunk by chunk: ``(tables, truth)`` with Arrow tables.

    Each chunk holds ``chunk_villages`` villages (even, so an address code never spans two
    chunks) drawn from ``numpy.random.default_rng([seed, 1 + chunk])``. ``tables`` has the
    contract's tables with code-name headers; ``truth`` the households' truth and, in
    ``truth["stats"]``, the sums that :func:`write_fast` turns into ``parameters.json``.

    Every date of the programme (reviews, model runs, loans, points periods) keeps its distance
    to ``as_of`` that it has in the sample (as of 2026-06-30). ``drift`` shifts the mean of the
    households' bureau factor by ``drift`` and of their business factor by ``drift / 2``
    (standard deviations): a population whose credit quality moves. ``schedule`` prices the
    loans (:func:`calib.synth.tables.booked_rates`; default the sample's step).
    """
    coef = dict(TRUE_COEF)
    if points_effect is not None:
        coef["points_per_100"] = float(points_effect)
    names, towns = _plan(villages, townships, seed)
    chunk_villages += chunk_villages % 2
    day = np.datetime64(pd.Timestamp(as_of).date(), "D")
    shift = int((day - np.datetime64(SAMPLE_AS_OF, "D")).astype(np.int64))
    p0 = l0 = 0
    for c, v0 in enumerate(range(0, villages, chunk_villages)):
        rng = np.random.default_rng([seed, 1 + c])
        V = _villages(rng, v0, min(chunk_villages, villages - v0), households_per_village,
                      names, towns, coef)
        V.shift, V.drift = shift, float(drift)
        H = _households(rng, V)
        roster, people = _people(rng, V, H, day, p0)
        reviewers, R = _panels(rng, V, H, people, day)
        relations, pairs = _relations(rng, V, H, R)
        tables = {"roster": roster, "reviewers": reviewers, "relations": relations,
                  "reviews": _reviews(rng, V, H, R, pairs), "model_runs": _model_runs(rng, V, H),
                  "points": _points(rng, V, H), "loans": _loans(rng, V, H, coef, l0, schedule),
                  "village_assessments": _assessments(rng, V)}
        p0, l0 = p0 + people.P, l0 + len(H.dh)
        stats = {"households": H.H, "people": people.P, "reviewers": R.R, "loans": len(H.dh),
                 "pd_sum": float(H.p_true[H.dh].sum()),
                 "discount_sum": float(LGD * (H.p_true[H.dh] - H.p_up[H.dh]).sum())}
        reviewers_truth = pa.table({"reviewer_id": R.rid, "true_leniency": np.round(R.leniency, 6),
                                    "noise_sd": np.round(R.noise_sd, 6), "partial": R.partial})
        yield tables, {"households": _truth(V, H), "reviewers": reviewers_truth, "stats": stats}


def _parameters(seed, villages, stats: dict, as_of, coef, drift: float = 0.0,
                schedule: Mapping | None = None) -> dict:
    L = stats["loans"]
    return ({"schedule": dict(schedule)} if schedule is not None else {}) | {
        "seed": seed, "villages": villages, "households": stats["households"],
        "people": stats["people"], "reviewers": stats["reviewers"], "as_of": as_of,
        "coefficients": coef, "lgd": LGD, "generator": "vectorised (calib.synth.fast)", "drift": drift,
        "discount_per_100_true": round(stats["discount_sum"] / L, 8) if L else None,
        "default_rate_true": round(stats["pd_sum"] / L, 6) if L else None,
    }


def _add(total: dict, stats: dict) -> dict:
    return {k: total.get(k, 0) + v for k, v in stats.items()}


def generate_fast(*, seed: int = 1, villages: int = 90, households_per_village: int = 85,
                  townships: int | None = None, as_of: str = "2026-06-30",
                  points_effect: float | None = None, chinese_headers: bool = False,
                  chunk_villages: int = 2000, drift: float = 0.0,
                  schedule: Mapping | None = None) -> SynthResult:
    """Generate a programme in memory with the vectorised generator.

    Parameters
    ----------
    seed, villages, households_per_village, as_of, points_effect
        As :func:`calib.synth.generate`.
    townships : int, optional
        Number of townships (default: one per 15 villages, at least 6).
    chinese_headers : bool
        Roster with the collection form's Chinese headers.
    chunk_villages : int
        Villages per chunk (the result depends on it: keep it fixed for reproducibility).
    drift : float
        Shift of the population's credit quality (see :func:`province_chunks`).
    schedule : mapping, optional
        The points schedule the loans were priced with, as :func:`calib.synth.generate`.

    Returns
    -------
    SynthResult
        Tables as pandas DataFrames (Arrow-backed strings), ``truth["households"]``,
        ``truth["reviewers"]`` (true leniency, noise, partiality) and ``parameters``. No dirty rows.
    """
    from calib.synth._names import ROSTER_FORM_HEADERS

    parts: dict[str, list] = {}
    truth: dict[str, list] = {"households": [], "reviewers": []}
    stats: dict = {}
    for tables, tr in province_chunks(seed=seed, villages=villages,
                                      households_per_village=households_per_village,
                                      townships=townships, as_of=as_of,
                                      points_effect=points_effect,
                                      chunk_villages=chunk_villages, drift=drift, schedule=schedule):
        for k, t in tables.items():
            parts.setdefault(k, []).append(t)
        for k in truth:
            truth[k].append(tr[k])
        stats = _add(stats, tr["stats"])
    out = {k: pa.concat_tables(v).to_pandas(types_mapper=_string_mapper)
           for k, v in parts.items()}
    if chinese_headers:
        out["roster"] = out["roster"].rename(columns=ROSTER_FORM_HEADERS)
    coef = dict(TRUE_COEF, **({} if points_effect is None else {"points_per_100": points_effect}))
    th = {k: pa.concat_tables(v).to_pandas(types_mapper=_string_mapper)
          for k, v in truth.items()}
    return SynthResult(tables=out, truth=th,
                       parameters=_parameters(seed, villages, stats, as_of, coef, drift, schedule))


def _string_mapper(t: pa.DataType):
    return pd.StringDtype("pyarrow") if pa.types.is_string(t) else None


def write_fast(out: str | Path, *, fmt: str = "parquet", seed: int = 1, villages: int = 90,
               households_per_village: int = 85, townships: int | None = None,
               as_of: str = "2026-06-30", points_effect: float | None = None,
               chunk_villages: int = 2000, drift: float = 0.0, schedule: Mapping | None = None) -> dict:
    """Generate a programme with the vectorised generator and stream it to a folder.

    Memory is bounded by one chunk of ``chunk_villages`` villages whatever the size.

    Parameters
    ----------
    out : str or Path
        Destination folder (created); tables as ``<table>.parquet`` or ``<table>.csv``
        (UTF-8, code-name headers), the households' truth in ``truth/households.<fmt>``,
        ``truth/parameters.json``.
    fmt : {"parquet", "csv"}
    seed, villages, households_per_village, townships, as_of, points_effect, chunk_villages, drift, schedule
        See :func:`generate_fast`.

    Returns
    -------
    dict
        ``parameters.json``'s content (villages, households, people, reviewers, ...).
    """
    import json

    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if fmt not in ("parquet", "csv"):
        raise ValueError(f"fmt must be parquet or csv; got {fmt!r}")
    out = Path(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    writers: dict[str, object] = {}

    def put(path: Path, t: pa.Table):
        w = writers.get(str(path))
        if w is None:
            w = (pq.ParquetWriter(path, t.schema) if fmt == "parquet"
                 else pacsv.CSVWriter(path, t.schema))
            writers[str(path)] = w
        w.write_table(t.cast(w.schema) if fmt == "parquet" else t)

    stats: dict = {}
    size = chunk_villages + chunk_villages % 2  # as province_chunks makes it
    starts = list(range(0, villages, size))
    chunks = iter(province_chunks(seed=seed, villages=villages, households_per_village=households_per_village,
                                  townships=townships, as_of=as_of, points_effect=points_effect,
                                  chunk_villages=chunk_villages, drift=drift, schedule=schedule))
    try:
        for c, v0 in enumerate(starts):  # a chunk of villages at a time, each told (calib._progress)
            label = f"villages {v0 + 1:,}-{min(v0 + size, villages):,} of {villages:,}"
            _log.info("%s: generating", label, extra=step_extra(c + 1, len(starts), label, done=False,
                                                                 title="生成", unit="块"))
            t0 = time.perf_counter()
            tables, tr = next(chunks)
            for k, t in tables.items():
                put(out / f"{k}.{fmt}", t)
            for k in ("households", "reviewers"):
                put(out / "truth" / f"{k}.{fmt}", tr[k])
            stats = _add(stats, tr["stats"])
            _log.info("%s: %s households written (%.1f s)", label, f"{tr['stats']['households']:,}",
                      time.perf_counter() - t0, extra=step_extra(c + 1, len(starts), label, done=True,
                                                                  title="生成", unit="块"))
    finally:
        for w in writers.values():
            w.close()
    coef = dict(TRUE_COEF, **({} if points_effect is None else {"points_per_100": points_effect}))
    params = _parameters(seed, villages, stats, as_of, coef, drift, schedule)
    (out / "truth" / "parameters.json").write_text(
        json.dumps(params, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return params
