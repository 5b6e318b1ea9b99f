"""Table rules (duplicates, joins to the roster, contradictions) and the quarantine collector."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from calib.io import ids as _ids
import pyarrow as pa
import pyarrow.compute as pc

from calib import _jit as _kernel_run
from calib.io import _jit
from calib.io._threads import later
from calib._frames import isin
from calib.io._text import arrow, match, nfkc_arrow, reasons, replace, series, text_buffers, to_float, valid
from calib.io.masking import PII_COLUMNS, mask_values
from calib.io.specs import (DATE_MIN, DATE_RANGE_YEARS, NUMBER_KINDS, QUARANTINE_COLUMNS, RANGES,
                            REASON_EMPTY, REASON_HEADER, REASON_TOTAL, SPECS, TOTAL_WORDS, LAND_UNITS, Col,
                            header_words)

__all__ = ["Problems", "check_table", "total_rows", "header_rows", "RULE_COLUMNS", "check_range", "range_flags", "clean_keys", "finish_table", "finish_quarantine",
           "rule_keys",
           "WHOLE_ROW"]

#: ``column`` of a quarantine record about a whole row (wrong number of fields).
WHOLE_ROW = "(whole row)"
_ZERO_WIDTH = "[\u200b\u200c\u200d\u2060\ufeff]"
_CONTROL = r"[\x00-\x1f\x7f]"
_TOTAL_WORDS = [w + end for w in TOTAL_WORDS for end in ("", ":", "：")]


class Problems:
    """Collects the quarantine records of one table (one record per problem).

    ``rows`` are the rows' spreadsheet numbers, ascending within each file. ``places`` gives
    each row's file when the table was read from several (the files of a table's folder, the
    sheets of a workbook stacked: ``roster/东村.csv``, ``roster.xlsx [东村]``): a record's
    ``file`` is then its row's place, and its row the row in that file or sheet."""

    def __init__(self, table: str, file: str, raw: pd.DataFrame, rows: np.ndarray,
                 places: np.ndarray | pd.Categorical | None = None):
        self.table, self.file, self.raw, self.rows = table, file, raw, rows
        self.parts: list[pd.DataFrame] = []
        self._place = self._files = None
        if isinstance(places, pd.Categorical):  # file by file: its categories in file order
            self._place = places.codes.astype(np.int64)
            self._files = np.array([str(n) for n in places.categories], dtype=object)
        elif places is not None:
            code, names = pd.factorize(np.asarray(places, dtype=object))
            self._place, self._files = code.astype(np.int64), np.array([str(n) for n in names], dtype=object)

    def _file(self, mask: np.ndarray):
        return self.file if self._place is None else self._files[self._place[mask]]

    def at(self, pos: np.ndarray) -> np.ndarray:
        """Where the rows at positions ``pos`` are, as a message names them: ``12``, or
        ``12 of roster.xlsx [东村]`` when the table was read from several files or sheets."""
        rows = self.rows[pos].astype(str)
        if self._place is None:
            return rows
        return np.char.add(np.char.add(rows, " of "), self._files[self._place[pos]].astype(str))

    def places(self, mask: np.ndarray) -> pd.Categorical | None:
        """The file (and sheet) of the rows of ``mask``, or None when the table has one: a
        categorical (a code a row; the names of the files holding such rows, in file order),
        not a string a row (a roster of 3.3M rows from township files: 136 MiB as text)."""
        if self._place is None:
            return None
        return pd.Categorical.from_codes(self._place[mask], self._files).remove_unused_categories()

    def add(self, mask: np.ndarray, column: str, reason: np.ndarray | str,
            value: pd.Series | None = None) -> None:
        """Record ``reason`` for the rows where ``mask`` holds (``reason`` scalar or per row)."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if value is None:
            value = self.raw[column] if column in self.raw else pd.Series(pd.NA, index=self.raw.index)
        reasons = np.asarray(reason, dtype=object)
        reasons = reasons[mask] if reasons.ndim else np.full(mask.sum(), reason, dtype=object)
        self.parts.append(pd.DataFrame({
            "table": self.table, "file": self._file(mask), "row": self.rows[mask],
            "column": column, "value": value[mask].to_numpy(dtype=object), "reason": reasons,
        }))

    def add_reasons(self, column: str, reasons: np.ndarray) -> None:
        """Record every non-empty reason of a column."""
        self.add(reasons != "", column, reasons)

    def _keys(self, place: np.ndarray | None, rows: np.ndarray) -> np.ndarray:
        """Row numbers, or (place, row) as one ascending integer when the table has several."""
        rows = np.asarray(rows, dtype=np.int64)
        return rows if place is None else (place.astype(np.int64) << 32) | rows

    def _record_places(self, q: pd.DataFrame) -> np.ndarray | None:
        if self._place is None:
            return None
        return pd.Categorical(q["file"], categories=self._files).codes.astype(np.int64)

    def bad_mask(self, n: int) -> np.ndarray:
        """Rows with at least one problem so far."""
        bad = np.zeros(n, dtype=bool)
        if self.parts:
            q = pd.concat([p[["file", "row"]] for p in self.parts], ignore_index=True)
            # row numbers (a sheet's may start below 2; several files' repeat) to positions
            where = self._keys(self._place, self.rows)
            bad[np.searchsorted(where, self._keys(self._record_places(q), q["row"].to_numpy()))] = True
        return bad

    def frame(self) -> pd.DataFrame:
        """The records as a quarantine frame (unmasked); several files' in their order."""
        if not self.parts:
            return pd.DataFrame(columns=QUARANTINE_COLUMNS)
        q = pd.concat(self.parts, ignore_index=True)
        key = pd.Series(self._keys(self._record_places(q), q["row"].to_numpy()), index=q.index)
        if self._place is not None:
            order = np.argsort(key.to_numpy(), kind="stable")
            q, key = q.iloc[order].reset_index(drop=True), key.iloc[order].reset_index(drop=True)
        # a total row (合计) or a row with the wrong number of fields is reported once, as such,
        # not with every blank cell it has
        sole = q["reason"].isin((REASON_TOTAL, REASON_EMPTY, REASON_HEADER)) | q["column"].eq(WHOLE_ROW)
        sole = sole & ~key[sole].duplicated()
        return q.loc[~key.isin(key[sole]) | sole].reset_index(drop=True)


#: Tables whose rows are keyed by a roster household (their ``household_id`` is looked up once).
_BY_HOUSEHOLD = ("reviews", "relations", "model_runs", "points", "loans")


#: The table rules' kernel module (:mod:`calib.io._keys_nb`).
_NB = "calib.io._keys_nb"
#: Codes spanning at most this many slots per code are found repeated through a direct table
#: (one slot per possible value) rather than a hash table.
_DIRECT_SPAN = 4


def first_seen(code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For integer keys: whether each is the first occurrence of its value, and the position of
    that first occurrence.

    From :data:`calib.io._jit.MIN_ROWS` keys (or once the kernels are loaded) one pass of
    :mod:`calib.io._keys_nb`: a direct table of first positions when the codes span at most
    :data:`_DIRECT_SPAN` slots per key (a household's codes, a household and a period), else an
    open-addressing table of positions (a reviewer and a household; ID numbers), 4 bytes a slot
    at twice the keys: less memory than the sort's three arrays of 8 bytes a key. At 1M
    households (CPU s, min of 3): the roster's 3.3M ID keys 0.47 to 0.06, the reviews' 4.2M
    (reviewer, household) keys 0.12 to 0.06. Otherwise one stable sort (a file ordered by its keys
    is nearly sorted already); both give the same arrays."""
    n = len(code)
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
    if _jit.use(_NB, n) is not None:
        found = _first_seen_nb(np.ascontiguousarray(code, dtype=np.int64))
        if found is not None:
            return found
    order = np.argsort(code, kind="stable")
    s = code[order]
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(s[1:], s[:-1], out=new[1:])
    del s
    if new.all():
        return np.ones(n, dtype=bool), np.arange(n, dtype=np.int64)
    # each sorted position's group start (stable sort: the group's first is the first in the
    # file), worked in place (three arrays of n at a time: memory at a province's roster)
    start = np.arange(n, dtype=np.int64)
    start[~new] = 0
    np.maximum.accumulate(start, out=start)
    np.take(order, start, out=start, mode="clip")  # elementwise: safe in place, no buffer
    first = np.empty(n, dtype=np.int64)
    first[order] = start
    del start
    is_first = np.empty(n, dtype=bool)
    is_first[order] = new  # a row is first where it starts its group in the sorted order
    return is_first, first


def _positions(n: int) -> type:
    """The narrowest integer type of a table holding positions (or codes) below ``n``."""
    return np.int32 if n < np.iinfo(np.int32).max else np.int64


def _pow2(n: int) -> int:
    """The smallest power of two at least ``n`` (and at least 2)."""
    return 1 << max(1, (int(n) - 1).bit_length())


def _first_seen_nb(code: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`first_seen` by a kernel; None if it cannot compile."""
    n = len(code)
    is_first, first = np.empty(n, dtype=bool), np.empty(n, dtype=np.int64)
    lo, hi = int(code.min()), int(code.max())
    if hi - lo < _DIRECT_SPAN * n:  # Python integers: no overflow on int64 extremes
        slot = np.full(hi - lo + 1, -1, dtype=_positions(n))
        ok = _kernel_run.run(_NB, "first_seen_direct", code, np.int64(lo), slot, is_first, first)
    else:
        slot = np.full(_pow2(2 * n), -1, dtype=_positions(n))
        ok = _kernel_run.run(_NB, "first_seen_hash", code, slot, is_first, first)
    return (is_first, first) if ok else None


def _text_buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A large-string chunk's offsets (into its data buffer), data bytes and valid cells."""
    offs, data, _ = text_buffers(chunk)
    return offs, data, valid(chunk)


class _TextDict:
    """The distinct texts of a column as :func:`calib.io._keys_nb.encode_text` keeps them (a hash
    table of codes, the texts' offsets and bytes), to look other columns up
    (:meth:`lookup`)."""

    def __init__(self, slot: np.ndarray, doff: np.ndarray, ddata: np.ndarray):
        self.slot, self.doff, self.ddata = slot, doff, ddata

    def __len__(self) -> int:
        return len(self.doff) - 1

    @staticmethod
    def encode(a: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, _TextDict] | None:
        """Codes of ``a`` in the order of first appearance (-1: null), each code's first row,
        and the dictionary; None if the kernel cannot compile."""
        n_valid = len(a) - a.null_count
        nbytes = sum(int(o[-1] - o[0]) for o, _, _ in map(_text_buffers, a.chunks))
        slot = np.full(_pow2(2 * n_valid), -1, dtype=_positions(n_valid))
        # room for every cell's text: only the distinct texts' pages are ever written
        doff, ddata = np.zeros(n_valid + 1, dtype=np.int64), np.empty(max(nbytes, 1), dtype=np.uint8)
        codes, firsts, k = np.empty(len(a), dtype=np.int64), np.empty(n_valid, dtype=np.int64), np.zeros(1, np.int64)
        at = 0
        for chunk in a.chunks:
            offs, data, has = _text_buffers(chunk)
            if not _kernel_run.run(_NB, "encode_text", offs, data, has, np.int64(at), slot,
                                   codes[at: at + len(chunk)], firsts, doff, ddata, k):
                return None
            at += len(chunk)
        k = int(k[0])
        return codes, firsts[:k], _TextDict(slot, doff[: k + 1].copy(), ddata[: doff[k]].copy())

    def lookup(self, values: pa.ChunkedArray) -> np.ndarray | None:
        """Each value's code (-1: not found, or null); None if the kernel cannot compile."""
        out, at = np.empty(len(values), dtype=np.int64), 0
        for chunk in values.chunks:
            offs, data, has = _text_buffers(chunk)
            if not _kernel_run.run(_NB, "lookup_text", self.slot, self.doff, self.ddata, offs, data,
                                   has, out[at: at + len(chunk)]):
                return None
            at += len(chunk)
        return out


def _id_keys(ids: pd.Series) -> np.ndarray:
    """Parsed ID numbers (18 characters, or missing) as int64 keys: the 17 leading digits (the
    check character follows from them), -1 when missing. Read from the bytes: no hashing of
    text. Keys only (for repeats, alone: not combined with another key). From
    :data:`calib.io._jit.MIN_ROWS` cells one kernel pass over each chunk's offsets and bytes
    (no byte matrix, no copy of the text): 0.14 CPU s to 0.03 s on a roster of 3.3M rows."""
    a = arrow(ids)
    if _jit.use(_NB, len(a)) is not None:
        out, at = np.empty(len(a), dtype=np.int64), 0
        for chunk in a.chunks:
            offs, data, has = _text_buffers(chunk)
            if not _kernel_run.run(_NB, "id_keys", offs, data, has, out[at: at + len(chunk)]):
                break
            at += len(chunk)
        else:
            return out
    out = np.full(len(ids), -1, dtype=np.int64)
    at = 0
    for a in _row_blocks(a):  # by blocks of rows: the byte matrix of one block at a time
        has = valid(a)
        if has.any():
            m = _ids._ascii_matrix(a if has.all() else a.filter(pa.array(has)), 18)
            hi = np.einsum("ij,j->i", m[:, :9], 10 ** np.arange(8, -1, -1, dtype=np.int64), dtype=np.int64)
            lo = np.einsum("ij,j->i", m[:, 9:17], 10 ** np.arange(7, -1, -1, dtype=np.int64), dtype=np.int64)
            part = out[at: at + len(a)]
            part[has] = (hi - 48 * 111_111_111) * 100_000_000 + (lo - 48 * 11_111_111)
            del m, hi, lo
        at += len(a)
    return out


#: Rows per block where a column is worked on in blocks (its temporaries are then those of one
#: block, not of a province's roster).
BLOCK_ROWS = 1 << 20


def _row_blocks(a: pa.ChunkedArray, size: int = BLOCK_ROWS):
    """Contiguous arrays of at most ``size`` rows covering ``a`` in order (each combined from
    the chunks it spans: one block's text is copied at a time, not the column's)."""
    n = len(a)
    for start in range(0, n, size):
        yield a.slice(start, min(size, n - start)).combine_chunks()


def _codes(s: pd.Series) -> tuple[np.ndarray, int]:
    """Integer code of each value (-1 for missing) and the number of distinct values; Arrow
    text by Arrow's dictionary encoding. (:meth:`_TextDict.encode` gives the same codes but is
    not faster: 0.27 against 0.21 CPU s on the roster's 3.3M household numbers, 0.13 against
    0.04 s on its villages; a new value's probe of a table larger than the cache dominates both.)"""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        # encoded chunk by chunk (one memo table: every chunk gets the same, final dictionary and
        # the codes are those of the combined column) without copying the column's text first
        d = pc.dictionary_encode(arrow(s))
        if d.num_chunks == 0:
            return np.zeros(0, dtype=np.int64), 0
        out = np.empty(len(d), dtype=np.int64)
        at = 0
        for chunk in d.chunks:
            out[at: at + len(chunk)] = pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False)
            at += len(chunk)
        return out, len(d.chunk(d.num_chunks - 1).dictionary)
    c, uniq = pd.factorize(s, use_na_sentinel=True)
    return c.astype(np.int64), len(uniq)


def _index_in(values: pa.ChunkedArray, keys: pa.Array, tables: dict | None = None,
              name: str | None = None) -> np.ndarray:
    """Position of each value among ``keys`` (-1: not found, or missing).

    Arrow's ``index_in`` hashes the keys again at every call (the roster's million households
    once per table keyed by household). From :data:`calib.io._jit.MIN_ROWS` values (or once the
    kernels are loaded) the keys' dictionary (:class:`_TextDict`) is built once per load,
    cached as ``tables[name]``, and each table's values are looked up in it by a kernel; used
    when the keys are distinct and none is missing (a key's code is then its position). At 1M
    households the five tables' lookups took 1.3 CPU s and take 0.5 s with the dictionary (the
    reviews' 4.2M: 0.36 to 0.08 s: the last key found and the next are tried first)."""
    if tables is not None and _jit.use(_NB, len(values)) is not None:
        if name not in tables:
            enc = _TextDict.encode(arrow(keys))
            tables[name] = enc[2] if enc is not None and len(enc[2]) == len(keys) else None
        if tables[name] is not None:
            found = tables[name].lookup(values)
            if found is not None:
                return found
    return pc.fill_null(pc.index_in(values, value_set=keys), -1).to_numpy(zero_copy_only=False)


class _Ctx:
    """What a table rule sees: parsed and raw frames, the problems, tables loaded before."""

    def __init__(self, table: str, df: pd.DataFrame, raw: pd.DataFrame, probs: Problems,
                 tables: dict, ids: pd.DataFrame | None = None):
        self.table, self.df, self.raw, self.probs, self.tables = table, df, raw, probs, tables
        self.ids = ids
        self.ok = ~probs.bad_mask(len(df))

    def dup(self, keys: list[str], what: str, column: str) -> None:
        """Quarantine repeats of ``keys`` (the first occurrence stays), naming the first row."""
        valid = self.ok.copy()
        code = None
        for k in keys:  # one integer code per distinct key tuple
            c, k_uniq = self._key_codes(k)
            valid &= c >= 0
            if code is None:
                code = c
            else:  # a new array (``c`` may be a key index kept by the context)
                code = code * (k_uniq + 1)
                code += c
        # every row valid (the usual case): no positions to gather through
        pos = None if valid.all() else np.flatnonzero(valid)
        is_first, first = first_seen(code if pos is None else code[pos])
        is_dup = ~is_first
        if not is_dup.any():
            return
        if pos is None:
            pos = np.arange(len(code))
        where = pos[is_dup]
        first_row = self.probs.at(pos[first[is_dup]])
        r = np.full(len(self.df), "", dtype=object)
        r[where] = np.char.add(what, first_row)
        if what.endswith("(first at row "):
            r[where] = np.char.add(r[where].astype(str), ")")
        self.probs.add(r != "", column, r)

    def _key_codes(self, k: str) -> tuple[np.ndarray, int]:
        """Integer codes of a key column. A household number's code is its position among the
        roster's households, a reviewer's its position in the register (both already found
        for the membership checks: no second hashing of the text); the few values not found
        get codes after those."""
        if k == "household_id" and self.table in _BY_HOUSEHOLD:
            index, n_known = self.hh_index, len(household_places(self.tables)[0])
        elif k == "reviewer_id" and self.table in ("reviews", "relations") and self.tables.get("reviewers") is not None:
            index, n_known = self.reviewer_index, len(self.tables["reviewers"])
        elif k == "id_number":
            return _id_keys(self.df[k]), 0
        else:
            return _codes(self.df[k])
        out = index.astype(np.int64, copy=False)  # read only here: no copy unless written
        unknown = np.flatnonzero(out < 0)
        if unknown.size:
            out = out.copy()
            c, k_uniq = _codes(self.df[k].iloc[unknown])
            out[unknown] = np.where(c >= 0, c + n_known, -1)
            return out, n_known + k_uniq
        return out, n_known

    @property
    def reviewer_index(self) -> np.ndarray:
        """Position of each row's reviewer in the register (-1: none, or no such reviewer)."""
        if getattr(self, "_reviewer_index", None) is None:
            reg = arrow(self.tables["reviewers"]["reviewer_id"]).combine_chunks()
            self._reviewer_index = _index_in(arrow(self.df["reviewer_id"]), reg, self.tables, "__reviewer_dict")
        return self._reviewer_index

    def find_keys(self) -> None:
        """The households' and the reviewers' positions (:attr:`hh_index`,
        :attr:`reviewer_index`) found at the same time, the reviewers' on a background thread
        (two hash lookups that release the GIL)."""
        if self.tables.get("reviewers") is None or getattr(self, "_reviewer_index", None) is not None:
            return
        reg = arrow(self.tables["reviewers"]["reviewer_id"]).combine_chunks()
        found = later(_index_in, arrow(self.df["reviewer_id"]), reg, self.tables, "__reviewer_dict")
        self.hh_index  # noqa: B018 (computed here, meanwhile)
        self._reviewer_index = found()

    @property
    def hh_index(self) -> np.ndarray:
        """Position of each row's household among the roster's households (-1: none); computed
        once and used for the membership check, the panel's village and the joined columns."""
        if getattr(self, "_hh_index", None) is None:
            keys = household_places(self.tables)[0]
            self._hh_index = _index_in(arrow(self.df["household_id"]), keys.chunk(0), self.tables, "__hh_dict")
        return self._hh_index

    def unknown_household(self) -> None:
        hh = self.df["household_id"]
        m = self.ok & hh.notna().to_numpy() & (self.hh_index < 0)
        self.probs.add(m, "household_id",
                       f"{self.table.replace('_', ' ')} row for a household not in the roster "
                       "(unknown 户号, or all its members were quarantined)")

    def unknown_reviewer(self, *, need_value: bool) -> bool:
        reg = self.tables.get("reviewers")
        if reg is None:
            return False
        rid = self.df["reviewer_id"]
        m = self.ok & (self.reviewer_index < 0)
        if need_value:
            m &= rid.notna().to_numpy()
        self.probs.add(m, "reviewer_id", "reviewer not in the panel register (reviewers table)")
        return True


def _split_households(hh_ids: pd.Series, villages: pd.Series, township: np.ndarray,
                      ok: np.ndarray) -> np.ndarray:
    """Rows whose household number was first used (by an earlier valid row) in another
    village. Reads only its arguments (run on a background thread)."""
    hh, _ = _codes(hh_ids)
    vil, _ = _codes(villages)
    valid = ok & (hh >= 0) & (vil >= 0) & township
    pos = np.flatnonzero(valid)
    _, first = first_seen(hh[pos])
    split = np.zeros(len(ok), dtype=bool)
    split[pos] = vil[pos][first] != vil[pos]
    return split


def _roster(c: _Ctx) -> None:
    df, ok = c.df, c.ok
    # one household, one village: found on a background thread while the IDs are checked
    # (the records are still added in the same order, last)
    split = later(_split_households, df["household_id"], df["village"], df["township"].notna().to_numpy(), ok)
    c.dup(["id_number"], "duplicate person: same ID number as row ", "id_number")
    idp = c.ids if c.ids is not None else _ids.parse_ids(df["id_number"])
    idp = idp.reset_index(drop=True)
    birth = idp["birth_date"]
    b = birth.to_numpy()
    months = b.astype("datetime64[M]").astype(np.int64)  # months since 1970-01 (numpy, no .dt)
    id_month = np.where(np.isnat(b), np.nan, (months // 12 + 1970) * 100 + months % 12 + 1)
    given = to_float(pc.replace_substring(arrow(df["birth_month"]), "-", ""))
    mis = ~np.isnan(given) & ~np.isnan(id_month) & (given != id_month) & ok
    if mis.any():
        shown = birth[mis].dt.strftime("%Y-%m").to_numpy(dtype=str)
        reason = np.full(len(df), "", dtype=object)
        reason[mis] = np.char.add(np.char.add("birth month contradicts the ID number's birth date (", shown), ")")
        c.probs.add(mis, "birth_month", reason)
    sx = df["sex"]
    mis_sex = (sx.notna() & idp["sex"].notna() & (sx != idp["sex"])).to_numpy()
    c.probs.add(mis_sex & ok, "sex", "sex contradicts the ID number's sex digit")
    c.probs.add(split(), "village", "household number already used in another village")


def _reviewers(c: _Ctx) -> None:
    c.dup(["reviewer_id"], "reviewer listed twice (first at row ", "reviewer_id")


def _reviews(c: _Ctx) -> None:
    c.find_keys()
    c.unknown_household()
    df = c.df
    if c.unknown_reviewer(need_value=True):
        # villages compared as integer codes: the household's (roster) and the reviewer's panel
        village_of_hh, village_of_reviewer = _village_codes(c.tables)
        hv, rv = _at(village_of_hh, c.hh_index), _at(village_of_reviewer, c.reviewer_index)
        other = c.ok & (hv >= 0) & (rv != -1) & (hv != rv)
        c.probs.add(other, "reviewer_id", "reviewer sits on another village's panel")
    c.dup(["reviewer_id", "household_id"],
          "the same reviewer reviewed this household twice (first at row ", "reviewer_id")


def _relations(c: _Ctx) -> None:
    c.find_keys()
    c.unknown_household()
    c.unknown_reviewer(need_value=False)
    c.dup(["reviewer_id", "household_id"], "relation listed twice (first at row ", "household_id")


def _model_runs(c: _Ctx) -> None:
    c.unknown_household()
    c.dup(["household_id", "run_date"],
          "second model run for this household on the same date (first at row ", "run_date")


#: A points period :func:`calib.households.period_bounds` understands: year, half, quarter, month.
_PERIOD = r"\d{4}\s*年?|\d{4}[-_/ ]?H[12]|\d{4}[-_/ ]?Q[1-4]|\d{4}(?:[-_/.]|年)?(?:0?[1-9]|1[0-2])月?"
REASON_PERIOD = "period is not a year, half, quarter or month (e.g. 2025, 2025H1, 2025Q3, 2025-06)"


#: The ASCII cases of :data:`_PERIOD` as an RE2 pattern (run by Arrow on every cell; a cell it
#: matches is one ``_PERIOD`` matches after stripping and upper-casing).
_PERIOD_FAST = ("^(?:[0-9]{4}[ \t\n\r\f\v]*年?|[0-9]{4}[-_/ ]?[Hh][12]|[0-9]{4}[-_/ ]?[Qq][1-4]"
                "|[0-9]{4}(?:[-_/.]|年)?(?:0?[1-9]|1[0-2])月?)$")


def _period_ok(values: pd.Series) -> np.ndarray:
    """Blank cells and periods :data:`_PERIOD` reads (after stripping and upper-casing): Arrow's
    RE2 for nearly every cell, Python's ``re`` (Unicode digits and spaces) for the rest."""
    a = arrow(values)
    ok = ~valid(a) | match(a, _PERIOD_FAST)
    rest = np.flatnonzero(~ok)
    if rest.size:
        period = series(a.take(pa.array(rest))).str.strip().str.upper()
        ok[rest] = period.str.fullmatch(_PERIOD).fillna(True).to_numpy(dtype=bool)
    return ok


def _points(c: _Ctx) -> None:
    c.unknown_household()
    bad = c.ok & ~_period_ok(c.df["period"])
    c.probs.add(bad, "period", REASON_PERIOD)
    c.dup(["household_id", "period"],
          "points for this household and period given twice (first at row ", "period")


def _loans(c: _Ctx) -> None:
    c.unknown_household()
    over = c.ok & (c.df["drawn_amount"] > c.df["granted_limit"]).fillna(False).to_numpy()
    c.probs.add(over, "drawn_amount", "drawn amount exceeds the granted limit")
    c.dup(["loan_id"], "loan number used twice (first at row ", "loan_id")


def _village_assessments(c: _Ctx) -> None:
    m = c.ok & ~isin(c.df["village"], roster_villages(c.tables))
    c.probs.add(m, "village", "village not in the roster")
    c.dup(["village"], "village assessed twice (first at row ", "village")


_RULES: dict[str, Callable[[_Ctx], None]] = {
    "roster": _roster, "reviewers": _reviewers, "reviews": _reviews, "relations": _relations,
    "model_runs": _model_runs, "points": _points, "loans": _loans,
    "village_assessments": _village_assessments,
}


#: Bytes without which a cell holds no control character (0x00-0x1f, 0x7f) and no zero-width
#: character (U+200B-U+200D, U+2060: lead byte 0xE2; U+FEFF: 0xEF).
_KEY_BYTES = np.zeros(256, dtype=bool)
_KEY_BYTES[list(range(0x20)) + [0x7F, 0xE2, 0xEF]] = True


def _any_byte(col: pd.Series, table: np.ndarray) -> bool:
    """Whether the text of ``col`` holds any byte marked in ``table`` (a scan of its buffers).

    From :data:`calib.io._jit.MIN_ROWS` cells (or once the kernels are loaded) a kernel scans
    the bytes (stopping at the first marked one) instead of gathering a bool per byte: 0.05 CPU s
    to 0.01 s per key column of 4.2M cells."""
    a = arrow(col)
    k = _jit.use(_NB, len(a))
    found = np.zeros(1, dtype=bool)
    for chunk in a.chunks:
        bufs = chunk.buffers()
        if len(chunk) == 0 or bufs[2] is None:
            continue
        offs = np.frombuffer(bufs[1], dtype=np.int64)[chunk.offset: chunk.offset + len(chunk) + 1]
        data = np.frombuffer(bufs[2], dtype=np.uint8)[offs[0]: offs[-1]]
        if k is not None and _kernel_run.run(_NB, "any_byte", data, table, found):
            if found[0]:
                return True
        elif table[data].any():
            return True
    return False


def clean_keys(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Drop zero-width characters from key text; flag keys holding NUL or other control
    characters (they would match nothing, or the wrong thing)."""
    if not _any_byte(values, _KEY_BYTES) or not match(values, _ZERO_WIDTH[:-1] + _CONTROL[1:]).any():
        return values, np.zeros(len(values), dtype=bool)
    a = replace(values, _ZERO_WIDTH, "")
    bad = match(a, _CONTROL)
    a = pc.if_else(pc.equal(a, ""), pa.scalar(None, a.type), a)
    return series(a, values.index), bad


def check_range(table: str, col: Col, values: pd.Series, reason: np.ndarray,
                as_of: pd.Timestamp) -> np.ndarray:
    """Add range reasons (from :data:`calib.io.specs.RANGES`) where a value has no reason yet."""
    free = reason == ""
    out = np.array(reason, dtype=object, copy=True)
    for mask, text in range_flags(table, col, values, free, as_of):
        hit = mask & free
        out[hit] = text
        free &= ~hit
    return out


def range_flags(table: str, col: Col, values: pd.Series, free: np.ndarray,
                as_of: pd.Timestamp) -> list[tuple[np.ndarray, str]]:
    """The range rules of a column as ``(mask, reason)`` pairs, among the cells ``free`` of any
    other reason, in order (a cell takes the first that holds)."""
    if col.kind in NUMBER_KINDS:
        if isinstance(values, pd.Series) and pd.api.types.is_float_dtype(values.dtype) \
                and isinstance(values.dtype, np.dtype):
            v = values.to_numpy()
        else:
            v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        lo, hi, unit = RANGES.get((table, col.name), (-np.inf, np.inf, ""))
        finite = np.isfinite(v)
        with np.errstate(invalid="ignore"):
            out = free & finite & ((v < lo) | (v > hi))
        return [(free & np.isinf(v), "must be a finite number"),
                (out, f"{col.name} outside {lo:,.0f} to {hi:,.0f} {unit}")]
    if col.kind == "date":
        hi = as_of + pd.DateOffset(years=DATE_RANGE_YEARS)
        d = values.to_numpy(dtype="datetime64[ns]")
        with np.errstate(invalid="ignore"):
            out = free & ~np.isnat(d) & ((d < np.datetime64(DATE_MIN)) | (d > np.datetime64(hi)))
        return [(out, f"date outside {DATE_MIN} to {hi.date()}")]
    return []


def check_table(table: str, df: pd.DataFrame, raw: pd.DataFrame, probs: Problems,
                tables: dict, *, ids: pd.DataFrame | None = None, totals: bool = True) -> np.ndarray | None:
    """Apply the table rules of the contract; problems go to ``probs``.

    ``totals=False`` when :func:`total_rows` already ran on the same text (the loader runs it
    before parsing, so that the text of parsed columns can be let go).

    ``df`` holds the parsed columns, ``raw`` the text cells, ``tables`` the accepted tables
    loaded before this one (roster first, then reviewers, ...). Returns each row's position
    among the roster's households (for tables keyed by household), else None.
    """
    if totals:
        not_data_rows(raw, probs)
    ctx = _Ctx(table, df, raw, probs, tables, ids)
    _RULES[table](ctx)
    return getattr(ctx, "_hh_index", None)


#: The character every total word holds (计, 計 in traditional characters).
_TOTAL_MARKS = ("计".encode(), "計".encode())


def total_rows(raw: pd.DataFrame, probs: Problems) -> None:
    """Quarantine total rows (a cell reading 合计, 总计 or 小计, or 合計 ...): one record, in the
    first column."""
    total = np.zeros(len(raw), dtype=bool)
    for c in raw.columns:
        if _may_hold(raw[c], _TOTAL_MARKS):  # the words all hold 计: most columns never do
            total |= isin(raw[c], _TOTAL_WORDS)
    probs.add(total, str(raw.columns[0]), REASON_TOTAL)


def not_data_rows(raw: pd.DataFrame, probs: Problems) -> None:
    """Quarantine the rows that are not data, each once, in the first column: total rows
    (:func:`total_rows`), empty rows (:func:`empty_rows`) and header rows again
    (:func:`header_rows`)."""
    total_rows(raw, probs)
    empty_rows(raw, probs)
    header_rows(raw, probs)


def header_rows(raw: pd.DataFrame, probs: Problems) -> None:
    """Quarantine rows that repeat the header (two exports joined, each with its header; a
    form printed page by page): two or more cells that read their own column's header (its
    code name or a Chinese header). One record each, in the first column, instead of one per
    column that cannot be read. Looked for among the rows whose first column reads its header
    (one membership test of one column: no cost on a province's table)."""
    cols = {c.name: c for c in SPECS.get(probs.table, ())}
    first = str(raw.columns[0])
    if first not in cols or len(raw) == 0:
        return
    at = np.flatnonzero(isin(raw[first], list(header_words(probs.table, first))))
    if at.size == 0:
        return
    sub = raw.iloc[at]
    hits = np.zeros(at.size, dtype=np.int64)
    for c in sub.columns:
        if c in cols:
            hits += isin(sub[c], list(header_words(probs.table, c)))
    header = np.zeros(len(raw), dtype=bool)
    header[at[hits >= 2]] = True
    probs.add(header, first, REASON_HEADER)


def empty_rows(raw: pd.DataFrame, probs: Problems) -> None:
    """Quarantine rows without a value in any column of the contract (the blank lines Excel
    writes after the last row it formatted, ",,,,"): one record each, in the first column,
    instead of one per required column. Looked for among the rows whose first column is
    blank only (a handful: no cost on a province's table)."""
    first = raw[raw.columns[0]].isna().to_numpy()
    if not first.any():
        return
    at = np.flatnonzero(first)
    empty = np.zeros(len(raw), dtype=bool)
    empty[at[raw.iloc[at].isna().all(axis=1).to_numpy()]] = True
    probs.add(empty, str(raw.columns[0]), REASON_EMPTY)


#: Per table, the columns whose text a table rule may quote in the quarantine (the loader keeps
#: their text until the rules have run; the text of other parsed columns is let go once parsed).
RULE_COLUMNS = {
    "roster": ("id_number", "birth_month", "sex", "village", "household_id", "township"),
    "reviewers": ("reviewer_id",),
    "reviews": ("household_id", "reviewer_id"),
    "relations": ("household_id", "reviewer_id"),
    "model_runs": ("household_id", "run_date"),
    "points": ("household_id", "period"),
    "loans": ("household_id", "drawn_amount", "loan_id"),
    "village_assessments": ("village",),
}


def _may_hold(col: pd.Series, needles: tuple[bytes, ...]) -> bool:
    """Whether some cell of a text column may contain one of ``needles`` (3-byte UTF-8
    characters): a byte search over the column's buffers, no per-cell work."""
    a = arrow(col)
    for chunk in a.chunks:
        bufs = chunk.buffers()
        if len(chunk) == 0 or bufs[2] is None:
            continue
        offs = np.frombuffer(bufs[1], dtype=np.int64)[chunk.offset: chunk.offset + len(chunk) + 1]
        data = np.frombuffer(bufs[2], dtype=np.uint8)[offs[0]: offs[-1]]
        for b0, b1, b2 in needles:  # one needle at a time: one mask of the text's bytes at a time
            hit = np.flatnonzero(data[2:] == b2)
            if hit.size and ((data[hit] == b0) & (data[hit + 1] == b1)).any():
                return True
    return False


def finish_table(table: str, df: pd.DataFrame, tables: dict, as_of: pd.Timestamp, *,
                 ids: pd.DataFrame | None = None, hh_index: np.ndarray | None = None) -> pd.DataFrame:
    """Derived columns (ages, land from ``land_info``; village and township joined from the
    roster) and the user-facing text dtype. ``ids``: the accepted rows' parsed ID numbers."""
    if table == "roster":
        p = ids if ids is not None else _ids.parse_ids(df["id_number"], as_of=as_of)
        df["birth_date"] = p["birth_date"].to_numpy()
        df["id_sex"] = p["sex"].to_numpy()
        df["age"] = p["age"].to_numpy()
        # NFKC only when some character may change (the kernels' test): 0.25 -> 0.03 s at 3.3M
        land = nfkc_arrow(df["land_info"])
        # the forest's regex runs on a background thread while the land's runs here
        forest = later(_land_area, land, "林地|山林")
        for out, area in (("land_mu", _land_area(land, "耕地|土地|田")), ("forest_mu", forest())):
            df[out] = area
        df["sex"] = df["sex"].fillna(df["id_sex"])
    if table in ("reviews", "loans", "points", "model_runs"):
        keys, village, township = household_places(tables)
        if hh_index is None:
            hh_index = pc.fill_null(pc.index_in(arrow(df["household_id"]), value_set=keys.chunk(0)),
                                    -1).to_numpy(zero_copy_only=False)
        df["household_id"] = _household_objects(df["household_id"], tables, hh_index)
        for name, values in (("village", village), ("township", township)):
            df[name] = series(_take(values, hh_index), df.index).astype("str")
    return default_strings(df)


def _land_area(land: pa.ChunkedArray, words: str):
    """The area (mu) written after one of ``words`` in each land text: Int64 when every area
    found is a whole number (as ``pd.to_numeric`` gives), else Float64.

    From :data:`calib.io._jit.MIN_ROWS` cells (or once the kernels are loaded) one kernel pass
    finds and reads the areas (:func:`calib.io._keys_nb.land_area`, the same match as the
    regular expression and the same doubles as Arrow's parser): the two calls on a roster of
    3.3M rows took 1.16 CPU s (the regular expression, its match and the parse) and take 0.22 s."""
    if _jit.use(_NB, len(land)) is not None:
        found = _land_area_nb(land, words)
        if found is not None:
            v, whole = found
            return pd.array(v, dtype="Float64").astype("Int64") if whole else pd.array(v, dtype="Float64")
    units = "|".join(LAND_UNITS)
    found = pc.struct_field(pc.extract_regex(land, f"(?:{words})[^0-9]*(?P<v>[0-9.]+)[ \t\n\r\f\v]*(?:{units})"), "v")
    v = to_float(found)
    whole = bool(np.all(match(found, "^[0-9]+$") | ~valid(found)))  # as pd.to_numeric: Int64
    return pd.array(v, dtype="Float64").astype("Int64") if whole else pd.array(v, dtype="Float64")


def _land_area_nb(land: pa.ChunkedArray, words: str) -> tuple[np.ndarray, bool] | None:
    """:func:`_land_area`'s values (NaN where none) and whether all are whole, by the kernel
    (``words``: literal alternatives); None if it cannot compile."""
    from calib.io._keys_nb import _POW10

    alts = [w.encode() for w in words.split("|")]
    table = np.zeros((len(alts), max(map(len, alts))), dtype=np.uint8)
    for i, w in enumerate(alts):
        table[i, : len(w)] = np.frombuffer(w, dtype=np.uint8)
    wlen = np.array([len(w) for w in alts], dtype=np.int64)
    unit = np.array([bytearray(u.encode()) for u in LAND_UNITS], dtype=np.uint8)  # 亩, 畝: 3 bytes each
    n = len(land)
    v, status = np.empty(n), np.empty(n, dtype=np.int8)
    start, end = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    whole, at = True, 0
    for chunk in land.chunks:
        offs, data, has = _text_buffers(chunk)
        part = slice(at, at + len(chunk))
        if not _kernel_run.run(_NB, "land_area", offs, data, has, table, wlen, unit, _POW10,
                               start[part], end[part], status[part], v[part]):
            return None
        whole &= not bool(np.isin(status[part], (2, 4)).any())
        long = np.flatnonzero(status[part] == 3)  # more than 15 digits: Arrow parses them
        if long.size:
            text = pa.array([bytes(data[start[at + i]: end[at + i]]).decode() for i in long], pa.large_string())
            v[at + long] = to_float(text)
            whole &= bool(match(text, "^[0-9]+$").all())
        at += len(chunk)
    return v, whole


def _household_objects(values: pd.Series, tables: dict, hh_index: np.ndarray) -> pd.Series:
    """``values.astype(object)`` sharing one Python string per roster household across all the
    tables (8 bytes a row instead of a string object a row: the largest saving of memory in a
    loaded province)."""
    if "__hh_objects" not in tables:
        tables["__hh_objects"] = household_places(tables)[0].to_numpy()
    objs = tables["__hh_objects"]
    out = objs[np.clip(hh_index, 0, None)] if len(objs) else np.full(len(values), None, dtype=object)
    miss = np.flatnonzero(hh_index < 0)
    if miss.size:  # not reached for accepted rows (they name a roster household); kept exact
        out[miss] = values.iloc[miss].astype(object).to_numpy()
    return pd.Series(out, index=values.index, dtype=object, copy=False)


def _at(codes: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``codes[index]``, -1 where the index is -1: one gather from ``codes`` with a -1 appended
    (an index of -1 reads that last element; no mask, no compacted copies: 0.31 to 0.05 s for
    the 4.2M reviews of 1M households)."""
    return np.append(np.asarray(codes, dtype=np.int64), -1)[index]


def _village_codes(tables: dict) -> tuple[np.ndarray, np.ndarray]:
    """Integer village codes of each roster household (its first row's village; -1 when blank)
    and of each registered reviewer's panel (-1 when blank, -2 for a village no household is
    in), in one dictionary of the roster's villages."""
    if "__village_codes" not in tables:
        village = household_places(tables)[1]
        names = pc.unique(village.combine_chunks()).drop_null()
        hh = pc.fill_null(pc.index_in(village, value_set=names), -1).to_numpy(zero_copy_only=False)
        rv = arrow(tables["reviewers"]["village"])
        rc = pc.fill_null(pc.index_in(rv, value_set=names), -2).to_numpy(zero_copy_only=False)
        rc = np.where(valid(rv), rc, -1)
        tables["__village_codes"] = (hh.astype(np.int64), rc.astype(np.int64))
    return tables["__village_codes"]


def household_places(tables: dict) -> tuple[pa.ChunkedArray, pa.ChunkedArray, pa.ChunkedArray]:
    """Each roster household's first village and township (computed once per load: by the
    job :func:`places_ahead` started when there is one, else here)."""
    if "__places" not in tables:
        job = tables.pop("__places_job", None)
        tables.update(job() if job is not None else _places_of(tables["roster"]))
    return tables["__places"]


def places_ahead(tables: dict) -> None:
    """Start :func:`household_places` on a background thread as soon as the roster is
    validated: the next tables' rules need it, and meanwhile the main thread waits for the
    reviews' text (0.3 CPU s at 1M households that then cost no wall time). Its error, if any,
    is raised where :func:`household_places` is first called, as without it."""
    if "__places" not in tables and "__places_job" not in tables and tables.get("roster") is not None:
        tables["__places_job"] = later(_places_of, tables["roster"])


def _places_of(ro: pd.DataFrame) -> dict:
    """What :func:`household_places` keeps in ``tables``: ``__places`` and, when the households'
    dictionary of the lookups was built on the way, ``__hh_dict``. Reads only ``ro``."""
    out = {}
    hh = ro["household_id"]
    enc = None
    if isinstance(hh.dtype, pd.StringDtype) and hh.dtype.storage == "pyarrow" and _jit.use(_NB, len(hh)) is not None:
        enc = _TextDict.encode(arrow(hh))
    if enc is not None:  # the first rows by the kernel: 0.32 CPU s (pandas 0.27) with the lookups' dictionary (0.25 s more otherwise)
        codes, firsts, found = enc
        first = np.zeros(len(hh), dtype=bool)
        first[firsts] = True
        nulls = codes < 0
        if nulls.any():  # pandas keeps the first missing value too
            first[np.argmax(nulls)] = True
        else:  # its codes are the households' positions: the lookup of later tables
            out["__hh_dict"] = found
        del codes, firsts, found
    else:
        first = ~hh.duplicated().to_numpy()
    sub = ro.loc[first, ["household_id", "village", "township"]]
    out["__places"] = tuple(pa.chunked_array([arrow(sub[c]).combine_chunks()]) for c in sub.columns)
    return out


def roster_villages(tables: dict) -> pd.Series:
    """The distinct villages of the accepted roster rows (computed once per load)."""
    if "__villages" not in tables:
        v = arrow(tables["roster"]["village"])
        tables["__villages"] = series(pc.unique(v.combine_chunks()).drop_null())
    return tables["__villages"]


def rule_keys(table: str, df: pd.DataFrame, tables: dict) -> pd.DataFrame | None:
    """What the rules of the tables validated later read of an accepted table, so that the
    table itself can be written out and let go: the roster's households with their village and
    township and its villages (cached in ``tables``), the register's reviewers and panels."""
    if table == "roster":
        tables["roster"] = df
        household_places(tables)
        roster_villages(tables)
        return None
    if table == "reviewers":
        return df[["reviewer_id", "village"]]
    return None


def _take(values: pa.ChunkedArray, index: np.ndarray) -> pa.ChunkedArray:
    """``values`` at ``index`` (null where the index is -1)."""
    idx = pa.array(index, mask=index < 0)
    return pc.take(values, idx)


def default_strings(df: pd.DataFrame) -> pd.DataFrame:
    """Use pandas' default ``str`` dtype (missing = NaN) for text columns handed to users."""
    for c in df.columns:
        if isinstance(df[c].dtype, pd.StringDtype):
            df[c] = df[c].astype("str")
    return df


def finish_quarantine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate the tables' quarantines, mask personal data, sort by table, file (a table's
    several files or sheets in their order), row, column."""
    parts = [x for x in parts if len(x)]
    if not parts:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    q = pd.concat(parts, ignore_index=True)
    kinds = q["column"].map(dict(PII_COLUMNS)).fillna("")
    kinds = kinds.where(~q["table"].isin(["roster", "reviewers"]) | kinds.ne(""), "")
    q["value"] = mask_values(q["value"].astype("string"), kinds)
    # by file too: a table's several files or sheets in their order (each table's records come in it)
    q["file"] = pd.Categorical(q["file"], categories=pd.unique(q["file"]))
    q = q.sort_values(["table", "file", "row", "column"], kind="stable").reset_index(drop=True)
    q["file"] = q["file"].astype(object)
    q["row"] = q["row"].astype(int)
    return default_strings(q)
