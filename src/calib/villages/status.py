"""Figures: each household's standing at a date, and the counts and rates per village,
township and programme (:func:`household_status`, :func:`programme_kpis`)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from calib.eligibility import eligible_households
from calib.errors import CalibInputError, CalibParamsError
from calib.programme import Programme
from calib.villages._exact import ratio
from calib.villages.rules import validate_eligibility

__all__ = ["household_status", "programme_kpis", "kpi_history", "COUNT_COLUMNS",
           "RATE_COLUMNS"]

#: Count columns of :func:`programme_kpis`.
COUNT_COLUMNS = [
    "n_households", "n_eligible_households", "n_eligible_persons", "n_eligible", "n_profiled",
    "n_credited", "n_drawing", "n_a_or_better", "n_borrowers", "n_loans", "n_loans_defaulted",
]
#: Rate columns of :func:`programme_kpis`.
RATE_COLUMNS = ["credit_coverage", "usage", "profiling_rate", "credit_rate", "npl_ratio",
                "npl_ratio_count", "a_or_better_share", "loan_share"]


def _ages_at(roster: pd.DataFrame, as_of: pd.Timestamp, programme_as_of) -> pd.Series:
    if programme_as_of is not None and pd.Timestamp(programme_as_of) == as_of and "age" in roster:
        return roster["age"]
    if "birth_date" not in roster:
        if "age" in roster and programme_as_of is None:
            return roster["age"]
        raise CalibInputError(
            f"roster: column 'birth_date' is needed to compute ages at as_of={as_of.date()} "
            f"(the loaded ages are at {pd.Timestamp(programme_as_of).date()})"
        )
    b = pd.to_datetime(roster["birth_date"])
    before = (b.dt.month > as_of.month) | ((b.dt.month == as_of.month) & (b.dt.day > as_of.day))
    return (as_of.year - b.dt.year - before.astype("Int64")).astype("Int64")


def _member(idx: pd.Index, values) -> np.ndarray:
    """Boolean mask over the unique index ``idx``: which entries occur in ``values``.

    (``get_indexer`` instead of ``isin``: ``isin`` on pandas-3 string arrays with many values
    falls back to a Python loop.)
    """
    pos = idx.get_indexer(pd.Index(pd.unique(np.asarray(values, dtype=object))))
    mask = np.zeros(len(idx), dtype=bool)
    mask[pos[pos >= 0]] = True
    return mask


def _arrow_text(values) -> "pa.Array | None":
    """``values`` as one Arrow text array, or None when they are not all text."""
    import pyarrow as pa

    arr = values.array if isinstance(values, (pd.Series, pd.Index)) else values
    try:
        if isinstance(arr, pd.arrays.ArrowExtensionArray):
            a = pa.array(arr)
        else:
            a = pa.array(np.asarray(arr, dtype=object), type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    if not (pa.types.is_string(a.type) or pa.types.is_large_string(a.type)):
        return None
    return a.cast(pa.large_string())


class _Households:
    """The roster's households as integer codes ``0..n-1`` (in the order of their ids when
    ``sort``), and the lookup of any other table's ``household_id`` into those codes (-1: not in
    the roster).

    Every table is matched once, by hashing (Arrow ``index_in`` on text keys), instead of a
    pandas index lookup per table and per check.
    """

    def __init__(self, roster: pd.DataFrame, sort: bool = True):
        codes, uniq = pd.factorize(roster["household_id"], sort=sort)
        self.person = codes.astype(np.int64)                # household code of each person
        self.index = pd.Index(uniq, name="household_id")
        self.n = len(uniq)
        self._arrow = _arrow_text(self.index)

    def codes(self, values) -> np.ndarray:
        """Codes of ``values`` (household ids) in the roster's households, -1 when unknown.

        From :data:`calib.io._jit.MIN_ROWS` households the roster's ids are hashed once, into
        the loader's compiled text dictionary (:class:`calib.io.checks._TextDict`), and every
        table is looked up in it; otherwise (and without numba) Arrow's ``index_in`` hashes
        them again for each table. Same codes either way; at 3M households the verdicts took
        6.6 CPU s against 8.7."""
        import pyarrow.compute as pc

        if self._arrow is not None:
            a = _arrow_text(values)
            if a is not None:
                found = self._compiled_lookup(a)
                if found is not None:
                    return found
                pos = pc.index_in(a, value_set=self._arrow).fill_null(-1)
                return pos.to_numpy(zero_copy_only=False).astype(np.int64)
        return self.index.get_indexer(pd.Index(np.asarray(values, dtype=object))).astype(np.int64)

    def _compiled_lookup(self, a) -> np.ndarray | None:
        """:meth:`codes` of the Arrow text ``a`` by the compiled dictionary, or None (small
        roster, kernels off or not compiling: Arrow's lookup instead)."""
        import pyarrow as pa

        from calib.io import _jit
        from calib.io.checks import _NB, _TextDict

        if getattr(self, "_dict", None) is None:
            self._dict = False
            if _jit.use(_NB, self.n) is not None:
                made = _TextDict.encode(pa.chunked_array([self._arrow]))
                # the roster's ids are distinct: their codes of first appearance are positions
                if made is not None and len(made[2]) == self.n:
                    self._dict = made[2]
        if self._dict is False:
            return None
        return self._dict.lookup(pa.chunked_array([a]))

    def known(self, values, table: str) -> np.ndarray:
        """Codes of ``values``; raises when one is not in the roster."""
        c = self.codes(values)
        unknown = c < 0
        if unknown.any():
            bad = pd.unique(pd.Series(np.asarray(values, dtype=object)[unknown]).astype(str))[:5]
            raise CalibInputError(
                f"{table}: {int(unknown.sum())} row(s) with household_id not in the roster "
                f"(e.g. {', '.join(bad)})"
            )
        return c


def _first_valid(group: np.ndarray, valid: np.ndarray, n: int) -> np.ndarray:
    """Per group ``0..n-1``, the first row position where ``valid`` holds (-1: none)."""
    rows = np.flatnonzero(valid)
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, group[rows], rows)
    first[first == np.iinfo(np.int64).max] = -1
    return first


def _dates(col: pd.Series) -> np.ndarray:
    """A date column as datetime64[ns] values (NaT kept)."""
    return pd.to_datetime(col).to_numpy(dtype="datetime64[ns]")


def _by_household(obj, column: str, name: str) -> tuple[np.ndarray, pd.Series]:
    """The household ids and the values of ``column`` of a per-household input."""
    if isinstance(obj, pd.DataFrame):
        if column not in obj:
            raise CalibInputError(f"{name}: missing column {column!r}")
        if "household_id" in obj and obj.index.name != "household_id":
            ids, s = obj["household_id"], obj[column]
        else:
            ids, s = obj.index, obj[column]
    elif isinstance(obj, pd.Series):
        ids, s = obj.index, obj
    else:
        raise CalibInputError(f"{name}: expected a DataFrame or Series, got {type(obj).__name__}")
    return ids, s


def _per_household(hh: _Households, obj, column: str, name: str) -> tuple[np.ndarray, pd.Series]:
    """Codes (checked: unique, in the roster) and values of a per-household input."""
    ids, s = _by_household(obj, column, name)
    codes = hh.codes(ids)
    unknown = codes < 0
    dup = (pd.Index(np.asarray(ids, dtype=object)).has_duplicates if unknown.any()
           else bool((np.bincount(codes, minlength=hh.n) > 1).any()))
    if dup:
        d = pd.Index(np.asarray(ids, dtype=object))
        raise CalibInputError(
            f"{name}: duplicated household_id ({', '.join(d[d.duplicated()].astype(str)[:5])})")
    if unknown.any():
        hh.known(np.asarray(ids, dtype=object), name)
    return codes, s


def _status(
    programme: Programme,
    as_of_ts: pd.Timestamp,
    final_limits,
    grades,
    eligibility: Mapping[str, Any] | None,
    sort: bool = True,
) -> tuple[_Households, dict[str, np.ndarray]]:
    """Every household's standing as arrays over the household codes of :class:`_Households`;
    :func:`household_status` is these arrays as a frame (``sort``: households in the order of
    their ids), :func:`programme_kpis` their sums (any order)."""
    from calib.programme.eligibility import eligible_persons

    elig = validate_eligibility(eligibility)
    ro = programme.roster
    for col in ("household_id", "township", "village"):
        if col not in ro:
            raise CalibInputError(f"roster: missing column {col!r}")
    ages = _ages_at(ro, as_of_ts, getattr(programme, "as_of", None))
    hh = _Households(ro, sort=sort)
    n, person = hh.n, hh.person
    has_hh = person >= 0
    pe = eligible_persons(ro.assign(age=ages), **elig) & has_hh
    a: dict[str, np.ndarray] = {
        "n_members": np.bincount(person[has_hh], minlength=n).astype(np.int64),
        "n_eligible_members": np.bincount(person[pe], minlength=n).astype(np.int64),
    }
    a["eligible"] = a["n_eligible_members"] > 0
    # location: the first member's (first non-missing, as a groupby's first())
    for col in ("township", "village"):
        a[f"_{col}_row"] = _first_valid(person, has_hh & ro[col].notna().to_numpy(), n)

    a["reviewed"] = _reviewed(programme, hh, as_of_ts)
    lc, latest = _latest_runs(programme, hh, as_of_ts, a)
    _grades(programme.model_runs, hh, grades, lc, latest, a)
    _limits(programme.model_runs, hh, final_limits, lc, latest, a)
    _loans(programme, hh, as_of_ts, a)
    a["borrower"] = a["n_loans"] > 0
    return hh, a


def _reviewed(programme: Programme, hh: _Households, as_of_ts: pd.Timestamp) -> np.ndarray:
    """Households with at least one review on or before ``as_of`` (or undated)."""
    rv = programme.reviews
    if rv is None or "household_id" not in rv:
        raise CalibInputError("reviews: missing table or column 'household_id'")
    rc = hh.known(rv["household_id"], "reviews")
    if "review_date" in rv:
        d = _dates(rv["review_date"])
        rc = rc[np.isnat(d) | (d <= as_of_ts.to_datetime64())]
    return np.bincount(rc, minlength=hh.n) > 0



def _latest_runs(programme: Programme, hh: _Households, as_of_ts: pd.Timestamp,
                 a: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Each household's latest model run on or before ``as_of`` (ties: the later row): sets
    ``model_run`` and ``profiled`` in ``a``; returns the households' codes and the runs' rows."""
    n = hh.n
    mr = programme.model_runs
    if mr is None:
        raise CalibInputError("model_runs: the table is required")
    for col in ("household_id", "run_date", "model_limit"):
        if col not in mr:
            raise CalibInputError(f"model_runs: missing column {col!r}")
    mc = hh.known(mr["household_id"], "model_runs")
    md = _dates(mr["run_date"])
    keep = np.flatnonzero(md <= as_of_ts.to_datetime64())
    order = keep[np.lexsort((md[keep], mc[keep]))]      # stable: equal dates keep row order
    mcs = mc[order]
    latest = order[np.r_[mcs[1:] != mcs[:-1], True]] if len(order) else order
    lc = mc[latest]
    a["model_run"] = np.zeros(n, dtype=bool)
    a["model_run"][lc] = True
    a["profiled"] = a["reviewed"] & a["model_run"]

    return lc, latest


def _grades(mr: pd.DataFrame, hh: _Households, grades, lc: np.ndarray, latest: np.ndarray,
            a: dict[str, np.ndarray]) -> None:
    """Grade of the latest run unless ``grades`` are given: sets ``_grade_code``,
    ``_grade_uniq`` and ``a_or_better`` in ``a``."""
    n = hh.n
    from calib.scorecard.grades import a_or_better

    if grades is None:
        if "grade" in mr:
            gcodes, guniq = pd.factorize(mr["grade"].iloc[latest])
            gpos = np.full(n, -1, dtype=np.int64)
            gpos[lc] = gcodes
        else:
            gpos, guniq = np.full(n, -1, dtype=np.int64), pd.Index([], dtype=object)
    else:
        gc, g = _per_household(hh, grades, "grade", "grades")
        gcodes, guniq = pd.factorize(g)
        gpos = np.full(n, -1, dtype=np.int64)
        gpos[gc] = gcodes
    guniq = pd.Index(guniq).astype("string")
    a["_grade_code"], a["_grade_uniq"] = gpos, guniq
    aob = np.r_[a_or_better(guniq), False]             # code -1 (no grade): not A or better
    a["a_or_better"] = aob[gpos]



def _limits(mr: pd.DataFrame, hh: _Households, final_limits, lc: np.ndarray, latest: np.ndarray,
            a: dict[str, np.ndarray]) -> None:
    """The final limit given, else the latest model limit: sets ``limit`` and ``credited``."""
    n = hh.n
    if final_limits is None:
        limit = np.full(n, np.nan)
        limit[lc] = pd.to_numeric(mr["model_limit"]).to_numpy(dtype=float, na_value=np.nan)[latest]
    else:
        fc, fl = _per_household(hh, final_limits, "final_limit", "final_limits")
        limit = np.full(n, np.nan)
        limit[fc] = pd.to_numeric(fl, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    if (limit < 0).any():
        raise CalibInputError("final limit: negative value(s)")
    a["limit"] = limit
    a["credited"] = a["profiled"] & (limit > 0)



def _loans(programme: Programme, hh: _Households, as_of_ts: pd.Timestamp,
           a: dict[str, np.ndarray]) -> None:
    """Live and defaulted loans, drawn and defaulted balance in integer cents, into ``a``."""
    n = hh.n
    for k in ("n_loans", "n_loans_defaulted", "_balance_cents", "_defaulted_cents"):
        a[k] = np.zeros(n, dtype=np.int64)
    ln = programme.loans
    if ln is not None and len(ln):
        for col in ("household_id", "drawn_amount", "default"):
            if col not in ln:
                raise CalibInputError(f"loans: missing column {col!r}")
        lcodes = hh.known(ln["household_id"], "loans")
        if "start_date" in ln:
            sel = _dates(ln["start_date"]) <= as_of_ts.to_datetime64()
            ln, lcodes = ln.loc[sel], lcodes[sel]
        drawn = pd.to_numeric(ln["drawn_amount"], errors="raise").to_numpy(dtype=float,
                                                                          na_value=np.nan)
        if np.isnan(drawn).any() or (drawn < 0).any():
            raise CalibInputError("loans: drawn_amount must be a non-negative amount")
        dflt = pd.to_numeric(ln["default"], errors="raise")
        if dflt.isna().any() or not dflt.isin([0, 1]).all():
            raise CalibInputError("loans: default must be 0 or 1 on every row")
        bad_loan = dflt.to_numpy(dtype=np.int64) == 1
        live = drawn > 0
        c = np.rint(drawn * 100.0).astype(np.int64)
        np.add.at(a["n_loans"], lcodes, live.astype(np.int64))
        np.add.at(a["n_loans_defaulted"], lcodes, (live & bad_loan).astype(np.int64))
        np.add.at(a["_balance_cents"], lcodes, c)
        np.add.at(a["_defaulted_cents"], lcodes, np.where(bad_loan, c, 0))


def household_status(
    programme: Programme,
    *,
    as_of: Any = None,
    final_limits: pd.DataFrame | pd.Series | None = None,
    grades: pd.DataFrame | pd.Series | None = None,
    eligibility: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Standing of every household at ``as_of``: the building block of :func:`programme_kpis`.

    Parameters
    ----------
    programme : calib.programme.Programme
        Uses ``roster``, ``reviews``, ``model_runs`` and (optional) ``loans``.
    as_of : date-like, optional
        Reference date (default ``programme.as_of``). Ages are taken at this date (recomputed
        from ``birth_date`` when it differs from ``programme.as_of``); only reviews with
        ``review_date`` on or before it (or without a date), model runs with ``run_date`` on or
        before it and loans with ``start_date`` on or before it count.
    final_limits : DataFrame or Series, optional
        Indexed by ``household_id``, column ``final_limit`` (yuan), from the reconciliation.
        When absent the limit is ``model_limit`` of the household's latest model run. A
        profiled household missing from ``final_limits`` counts as not credited.
    grades : DataFrame or Series, optional
        Indexed by ``household_id``, column ``grade`` (AAA/AA/A/B). When absent the grade of the
        latest model run is used.
    eligibility : mapping, optional
        The ``eligibility`` block of params (default 18-65, exclusions of DOMAIN.md).

    Returns
    -------
    pandas.DataFrame
        Index ``household_id`` (sorted); columns ``township``, ``village``, ``n_members``,
        ``n_eligible_members``, ``eligible`` (bool), ``reviewed`` (at least one review),
        ``model_run`` (a model run), ``profiled`` (reviewed and model run), ``grade``,
        ``a_or_better`` (bool, :func:`calib.scorecard.a_or_better`), ``limit`` (final limit,
        else latest model limit; NaN when not run), ``credited`` (profiled and limit > 0), ``n_loans`` (loans with drawn > 0),
        ``n_loans_defaulted`` (of those, ``default == 1``), ``balance`` (drawn yuan),
        ``defaulted_balance`` (drawn yuan of defaulted loans), ``borrower`` (``n_loans > 0``).
    """
    as_of_ts = pd.Timestamp(as_of if as_of is not None else programme.as_of).normalize()
    hh, a = _status(programme, as_of_ts, final_limits, grades, eligibility)
    ro = programme.roster
    take = pd.api.extensions.take
    out = pd.DataFrame({
        "township": take(ro["township"].array, a["_township_row"], allow_fill=True),
        "village": take(ro["village"].array, a["_village_row"], allow_fill=True),
        "n_members": a["n_members"],
        "n_eligible_members": a["n_eligible_members"],
        "eligible": a["eligible"],
        "reviewed": a["reviewed"],
        "model_run": a["model_run"],
        "profiled": a["profiled"],
        "grade": take(a["_grade_uniq"].array, a["_grade_code"], allow_fill=True),
        "a_or_better": a["a_or_better"],
        "limit": a["limit"],
        "credited": a["credited"],
        "n_loans": a["n_loans"],
        "n_loans_defaulted": a["n_loans_defaulted"],
        "balance": a["_balance_cents"] / 100.0,
        "defaulted_balance": a["_defaulted_cents"] / 100.0,
        "borrower": a["borrower"],
    }, index=hh.index)
    return out


def _village_codes(ro: pd.DataFrame, a: dict) -> tuple[np.ndarray, pd.DataFrame]:
    """Each household's village as a code into the (township, village) pairs sorted as a
    groupby sorts them (-1: no location), and those pairs."""
    tcode, tuniq = pd.factorize(ro["township"], sort=True)
    vcode, vuniq = pd.factorize(ro["village"], sort=True)
    tr, vr = a["_township_row"], a["_village_row"]
    t = np.where(tr >= 0, tcode[np.maximum(tr, 0)], -1).astype(np.int64)
    v = np.where(vr >= 0, vcode[np.maximum(vr, 0)], -1).astype(np.int64)
    located = (t >= 0) & (v >= 0)
    key = t * np.int64(max(len(vuniq), 1)) + v
    pairs, inv = np.unique(key[located], return_inverse=True)
    code = np.full(len(t), -1, dtype=np.int64)
    code[located] = inv.ravel()
    names = pd.DataFrame({
        "township": pd.Index(tuniq).array.take(pairs // max(len(vuniq), 1)),
        "village": pd.Index(vuniq).array.take(pairs % max(len(vuniq), 1)),
    })
    return code, names


def _household_counts(a: dict, unit: str) -> dict[str, np.ndarray]:
    """Per household, the int64 counts that :func:`programme_kpis` sums."""
    e = a["eligible"]
    w = a["n_eligible_members"] if unit == "person" else e.astype(np.int64)
    cred = e & a["credited"]
    lim = np.where(cred, a["limit"], 0.0)
    return {
        "n_households": np.ones(len(e), dtype=np.int64),
        "n_eligible_households": e.astype(np.int64),
        "n_eligible_persons": a["n_eligible_members"],
        "n_eligible": w,
        "n_profiled": w * (e & a["profiled"]),
        "n_credited": w * cred,
        "n_drawing": w * (cred & a["borrower"]),
        "n_a_or_better": a["a_or_better"].astype(np.int64),
        "n_borrowers": a["borrower"].astype(np.int64),
        "n_loans": a["n_loans"],
        "n_loans_defaulted": a["n_loans_defaulted"],
        "_limit_cents": np.rint(np.nan_to_num(lim, nan=0.0) * 100.0).astype(np.int64),
        "_balance_cents": a["_balance_cents"],
        "_defaulted_cents": a["_defaulted_cents"],
    }


def _rollup(counts: dict[str, np.ndarray], code: np.ndarray,
            names: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Village sums, township sums and the programme row, stacked (sums in int64); a frame is
    built from its columns at once (a column added at a time costs pandas a new frame each)."""
    sum_cols = list(counts)
    nv = len(names)
    ok = code >= 0
    sums = {}
    for c, x in counts.items():
        s = np.zeros(nv, dtype=np.int64)
        np.add.at(s, code[ok], x[ok])
        sums[c] = s
    vil = pd.DataFrame({"level": pd.Series("village", index=names.index, dtype="str"),
                        **{c: names[c] for c in names.columns}, **sums,
                        "n_villages": np.ones(nv, dtype=np.int64)}, index=names.index)
    tw = vil.groupby("township", sort=True)[sum_cols + ["n_villages"]].sum().reset_index()
    tw.insert(0, "level", "township")
    tw["village"] = pd.NA
    pr = vil[sum_cols + ["n_villages"]].sum().to_frame().T
    pr.insert(0, "level", "programme")
    pr["township"] = pd.NA
    pr["village"] = pd.NA
    return pd.concat([vil, tw, pr], ignore_index=True), sum_cols + ["n_villages"]


def _rates(k: Mapping[str, pd.Series]) -> dict[str, pd.Series]:
    """The amounts in yuan and the rates of the summed counts ``k``."""
    return {
        "total_limit": k["_limit_cents"] / 100.0,
        "total_balance": k["_balance_cents"] / 100.0,
        "defaulted_balance": k["_defaulted_cents"] / 100.0,
        "credit_coverage": ratio(k["n_credited"], k["n_eligible"]),
        "usage": ratio(k["n_drawing"], k["n_credited"]),
        "profiling_rate": ratio(k["n_profiled"], k["n_eligible"]),
        "credit_rate": ratio(k["n_credited"], k["n_profiled"]),
        "npl_ratio": ratio(k["_defaulted_cents"], k["_balance_cents"]),
        "npl_ratio_count": ratio(k["n_loans_defaulted"], k["n_loans"]),
        "a_or_better_share": ratio(k["n_a_or_better"], k["n_households"]),
        "loan_share": ratio(k["n_borrowers"], k["n_households"]),
    }


def programme_kpis(
    programme: Programme,
    *,
    as_of: Any = None,
    final_limits: pd.DataFrame | pd.Series | None = None,
    grades: pd.DataFrame | pd.Series | None = None,
    eligibility: Mapping[str, Any] | None = None,
    unit: Literal["household", "person"] = "household",
) -> pd.DataFrame:
    """Programme figures per village, township and for the whole programme.

    Parameters
    ----------
    programme : calib.programme.Programme
        The loaded programme.
    as_of : date-like, optional
        Reference date (default ``programme.as_of``); see :func:`household_status`.
    final_limits, grades, eligibility
        See :func:`household_status`.
    unit : {"household", "person"}
        Unit of the eligibility-based counts ``n_eligible``, ``n_profiled``, ``n_credited``,
        ``n_drawing`` (and so of ``credit_coverage``, ``usage``, ``profiling_rate``,
        ``credit_rate``). ``"person"`` counts eligible persons, and eligible persons of
        profiled / credited / drawing households (seed 001 states its targets in persons).
        Shares of all households (A or better, with a loan) and NPL are unit-free.

    Returns
    -------
    pandas.DataFrame
        One row per village (``level == "village"``), then per township and one programme row.
        Columns:

        - ``level`` ("village", "township", "programme"), ``township`` (NA on the programme
          row), ``village`` (NA except on village rows), ``as_of``, ``unit``;
        - ``n_villages``; ``n_households`` (all roster households);
          ``n_eligible_households``, ``n_eligible_persons``;
        - ``n_eligible`` (eligible households or persons, per ``unit``);
        - ``n_profiled``: eligible and profiled (reviewed by the panel **and** run through the
          model);
        - ``n_credited``: eligible, profiled and final limit > 0;
        - ``n_drawing``: credited with drawn amount > 0;
        - ``n_a_or_better``: households graded AAA, AA or A (of all households);
        - ``n_borrowers``: households with a loan (drawn > 0; of all households);
        - ``n_loans``: loans with drawn > 0; ``n_loans_defaulted``: of which default == 1;
        - ``total_limit`` (sum of the final limits of credited households, yuan),
          ``total_balance`` (drawn amount of all loans, yuan), ``defaulted_balance``;
        - ``credit_coverage`` = credited / eligible; ``usage`` = drawing / credited;
          ``profiling_rate`` = profiled / eligible; ``credit_rate`` = credited / profiled;
          ``npl_ratio`` = defaulted balance / balance; ``npl_ratio_count`` = defaulted loans /
          loans; ``a_or_better_share`` = A-or-better / households; ``loan_share`` =
          borrowers / households. Each is NaN when its denominator is 0.

    Notes
    -----
    Numerators of the eligibility-based rates are restricted to eligible households, so the
    rates lie in [0, 1]. The outstanding balance is ``drawn_amount`` of ``loans``; NPL by
    count counts loans with drawn amount above 0. Township and programme rows are sums of the
    village counts with the rates recomputed from those sums (pooled, not averages of village
    rates). Each household's latest model run on or before ``as_of`` is used.

    ``a_or_better_share`` here is a share of **all roster households** (the credit-village
    rule of seed 003); the scorecard report's share of A or better is a share of **scored**
    households: two definitions, two names on the page.

    Examples
    --------
    >>> kpis = programme_kpis(prog, as_of="2026-06-30")  # doctest: +SKIP
    >>> kpis.query("level == 'village'")[["village", "credit_coverage"]]  # doctest: +SKIP
    """
    if unit not in ("household", "person"):
        raise CalibParamsError(f"unit: expected 'household' or 'person', got {unit!r}")
    as_of_ts = pd.Timestamp(as_of if as_of is not None else programme.as_of).normalize()
    hh, a = _status(programme, as_of_ts, final_limits, grades, eligibility, sort=False)
    code, names = _village_codes(programme.roster, a)
    k, int_cols = _rollup(_household_counts(a, unit), code, names)
    sums = {c: k[c].astype(np.int64) for c in int_cols}
    parts = {"level": k["level"], "township": k["township"].astype("string"), "village": k["village"].astype("string"),
             "as_of": pd.Series(as_of_ts, index=k.index), "unit": pd.Series(unit, index=k.index, dtype="str"),
             **sums, **_rates(sums)}
    cols = (["level", "township", "village", "as_of", "unit", "n_villages"] + COUNT_COLUMNS
            + ["total_limit", "total_balance", "defaulted_balance"] + RATE_COLUMNS)
    return pd.DataFrame({c: parts[c] for c in cols}, index=k.index)


def kpi_history(
    programme: Programme, dates: Sequence[Any], **kwargs: Any
) -> pd.DataFrame:
    """:func:`programme_kpis` at several dates, stacked (``as_of`` tells them apart).

    Parameters
    ----------
    programme : calib.programme.Programme
    dates : sequence of date-like
        Snapshot dates (e.g. the milestone dates of ``targets``).
    **kwargs
        Passed to :func:`programme_kpis` (``final_limits``, ``grades``, ``eligibility``,
        ``unit``).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`programme_kpis` for each date, concatenated.
    """
    frames = [programme_kpis(programme, as_of=d, **kwargs) for d in dates]
    return pd.concat(frames, ignore_index=True)
