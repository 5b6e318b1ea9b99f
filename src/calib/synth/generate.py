"""Generate a programme with known truth (reference generator), write it, load it."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from calib.synth import tables as T
from calib.synth._names import ROSTER_FORM_HEADERS, TOWNS
from calib.synth.dirt import inject_dirt

__all__ = ["SynthResult", "generate", "write", "build_programme", "SAMPLE_SEED", "TRUE_COEF",
           "LGD"]

SAMPLE_SEED = 20251231
#: The sample's as-of date: every date the generators write sits where it is relative to it.
SAMPLE_AS_OF = "2026-06-30"
LGD = T.LGD

#: Coefficients of the true default model (logit scale).
TRUE_COEF = {
    "intercept": -3.5,
    "business": -0.45,
    "integrity": -0.6,
    "bureau": -0.7,
    "points_per_100": -0.18,
    "village_shock_sd": 0.3,
}


@dataclass
class SynthResult:
    """A generated programme: file-ready tables (code-name or form headers) and the truth."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame]
    parameters: dict = field(default_factory=dict)


def _parameters(seed, villages, H, R, as_of, coef, discount_true) -> dict:
    L = len(H.dh)
    return {
        "seed": seed, "villages": villages, "households": H.H, "people": H.P,
        "reviewers": R.R, "as_of": as_of, "coefficients": coef, "lgd": LGD,
        "points_scale": "(points - 300) / 100 on true points; reported 2025 points are inflated "
                        "by point_inflation in some villages",
        "discount_per_100_true": round(discount_true, 8),
        "default_rate_true": round(float(H.p_true[H.dh].mean()), 6) if L else None,
        "review_model": "log(proposed) = true_log_limit + leniency + favour*related "
                        "+ N(0, noise_sd)",
    }


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
    drift: float = 0.0,
    schedule: Mapping | None = None,
) -> SynthResult:
    """Generate a programme with known truth (the reference generator of ``data/sample``).

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
        Reference date of the programme: ages are computed at this date, and every other date
        (reviews, model runs, points periods, loans and their observation) sits as far before
        it as in the sample as of 2026-06-30.
    dirty : bool
        Whether to inject the deliberately broken rows listed in ``truth/dirty_rows.csv``.
    points_effect : float, optional
        Log-odds change of default per 100 points (default ``TRUE_COEF["points_per_100"]``);
        0 gives a programme where points carry no information about risk.
    chinese_headers : bool
        Whether the roster uses the collection form's Chinese headers (else code names).
    drift : float
        Shifts the mean of the households' bureau factor by ``drift`` standard deviations and
        of their business factor by half of it (a drifting population, as
        :func:`calib.synth.generate_fast` draws it; the earlier quarters of
        :func:`calib.synth.quarterly_snapshots`); 0 leaves the draws untouched.
    schedule : mapping, optional
        The points schedule the loans were priced with (a ``points_loan.schedule`` block, e.g.
        with ``bands``: each loan's booked rate is :func:`calib.pricing.rate_for_points` of its
        household's latest points); default the sample's, 5% less 0.1 percentage point per 100
        points, proportional.

    Returns
    -------
    SynthResult

    See Also
    --------
    calib.synth.generate_fast : the vectorised generator for county and province sizes.
    """
    rng = np.random.default_rng(seed)
    coef = dict(TRUE_COEF)
    if points_effect is not None:
        coef["points_per_100"] = float(points_effect)
    as_of_ts = pd.Timestamp(as_of)
    shift = (as_of_ts.normalize() - pd.Timestamp(SAMPLE_AS_OF)).days
    V = T.make_villages(rng, villages, min(townships, len(TOWNS)), coef, shift=shift, drift=drift)
    H = T.make_households(rng, V, households_per_village)
    T.make_people(rng, H, as_of_ts)
    roster = T.make_roster(rng, V, H)
    reviewers, R = T.make_reviewers(rng, V, H, as_of_ts)
    relations = T.make_relations(rng, H, R)
    reviews = T.make_reviews(rng, V, H, R)
    runs = T.make_model_runs(rng, V, H)
    points = T.make_points(rng, V, H)
    loans, discount_true = T.make_loans(rng, V, H, coef, schedule)
    va = T.make_assessments(rng, V)
    truth = T.make_truth(V, H, R)
    tables = {"roster": roster, "reviewers": reviewers, "reviews": reviews,
              "relations": relations, "model_runs": runs, "points": points, "loans": loans,
              "village_assessments": va}
    dirty_rows = pd.DataFrame(columns=["table", "row", "column", "kind"])
    if dirty:
        tables, dirty_rows = inject_dirt(tables, rng)
    if chinese_headers:
        tables["roster"] = tables["roster"].rename(columns=ROSTER_FORM_HEADERS)
    truth["dirty_rows"] = dirty_rows
    params = _parameters(seed, villages, H, R, as_of, coef, discount_true)
    if drift:  # recorded only when used: the sample's parameters.json stays as it is
        params["drift"] = float(drift)
    if schedule is not None:
        params["schedule"] = dict(schedule)
    return SynthResult(tables=tables, truth=truth, parameters=params)


def write(result: SynthResult, out: str | Path, *, fmt: str = "csv") -> Path:
    """Write a generated programme (tables and ``truth/``) to a folder, byte-identically.

    Parameters
    ----------
    result : SynthResult
    out : str or Path
        Destination folder (created).
    fmt : {"csv", "parquet"}
        Table format. CSV: the roster as UTF-8 with BOM (as Excel saves "CSV UTF-8"), the other
        tables as UTF-8. The truth is always CSV (plus ``parameters.json``).

    Returns
    -------
    pathlib.Path
    """
    from calib.io import write_programme

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        write_programme({"roster": result.tables["roster"]}, out, encoding="utf-8-sig")
        write_programme({k: v for k, v in result.tables.items() if k != "roster"}, out)
    else:
        write_programme(result.tables, out, fmt=fmt)
    tdir = out / "truth"
    tdir.mkdir(exist_ok=True)
    for k, v in result.truth.items():
        v.to_csv(tdir / f"{k}.csv", index=False, lineterminator="\n")
    (tdir / "parameters.json").write_text(
        json.dumps(result.parameters, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8")
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
