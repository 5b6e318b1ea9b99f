"""Load and validate a programme folder without losing a row.

:func:`load_programme` reads every table of the data contract (``data/README.md``), maps Chinese
form headers to code names, parses and checks each column, and quarantines every row that breaks
a rule with a reason a bank clerk understands. For every table
``rows_read == rows_accepted + rows_quarantined``.

A file that cannot be read, a table the contract does not know, or a missing required column
raises :class:`calib.errors.CalibInputError` naming the file and the column.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from calib import ids as _ids
from calib.errors import CalibInputError
from calib.masking import PII_COLUMNS, mask_values
from calib.programme import REQUIRED_TABLES, TABLES, Programme

__all__ = [
    "load_programme",
    "read_table",
    "latest_model_run",
    "parse_amounts",
    "parse_dates",
    "file_sha256",
    "write_programme",
    "SPECS",
]

SUFFIXES = (".csv", ".xlsx", ".parquet")
QUARANTINE_COLUMNS = ["table", "file", "row", "column", "value", "reason"]
DECLINE_WORDS = ("拒绝", "不同意", "不予授信", "不授信", "否决", "decline", "declined")
REASON_TOTAL = "total row (合计/小计), not a data row"
BLANKS = {"", "nan", "NaN", "NAN", "None", "none", "NULL", "null", "<NA>", "NaT"}


@dataclass(frozen=True)
class Col:
    """One column of the contract: code name, Chinese headers, kind, required."""

    name: str
    zh: tuple[str, ...]
    kind: str
    required: bool = False


def _c(name: str, zh: str | tuple[str, ...], kind: str, required: bool = False) -> Col:
    return Col(name, (zh,) if isinstance(zh, str) else zh, kind, required)


SPECS: dict[str, tuple[Col, ...]] = {
    "roster": (
        _c("township", ("乡镇", "乡镇名称"), "text", True),
        _c("village", ("行政村名称", "行政村", "村"), "text", True),
        _c("group", ("组名", "村民小组"), "text"),
        _c("id_number", ("身份证", "身份证号", "身份证号码"), "id", True),
        _c("name", "姓名", "text", True),
        _c("head_id_number", ("户主身份证", "户主身份证号"), "id_optional"),
        _c("household_id", "户号", "text", True),
        _c("address", ("现居住地址", "住址"), "text"),
        _c("phone", ("联系方式", "联系电话", "手机号"), "text"),
        _c("sex", "性别", "sex"),
        _c("relation_to_head", "与户主关系", "text"),
        _c("ethnicity", "民族", "text"),
        _c("birth_month", "出生年月", "month"),
        _c("land_info", "承包土地及山林信息", "text"),
        _c("status", "状态", "status"),
        _c("bad_record", "不良记录", "bool"),
    ),
    "reviewers": (
        _c("reviewer_id", "评议员编号", "text", True),
        _c("village", ("行政村名称", "行政村"), "text", True),
        _c("role", "角色", "role", True),
        _c("id_number", ("身份证", "身份证号"), "id_optional"),
        _c("name", "姓名", "text"),
    ),
    "reviews": (
        _c("household_id", "户号", "text", True),
        _c("reviewer_id", "评议员编号", "text", True),
        _c("business_rating", "经营情况", "rating", True),
        _c("annual_income", "年收入", "amount"),
        _c("integrity_rating", ("诚信和品行", "诚信品行"), "rating", True),
        _c("proposed_limit", ("合理授信额度", "建议授信额度"), "limit", True),
        _c("review_date", "评议日期", "date"),
    ),
    "relations": (
        _c("reviewer_id", "评议员编号", "text", True),
        _c("household_id", "户号", "text", True),
        _c("relation", "关系", "relation", True),
    ),
    "model_runs": (
        _c("household_id", "户号", "text", True),
        _c("run_date", "跑批日期", "date", True),
        _c("model_score", "模型评分", "float", True),
        _c("model_pd", "违约概率", "prob"),
        _c("model_limit", "模型授信额度", "amount", True),
        _c("grade", "信用等级", "grade"),
    ),
    "points": (
        _c("household_id", "户号", "text", True),
        _c("period", "期间", "text", True),
        _c("points", "积分", "nonneg", True),
    ),
    "loans": (
        _c("household_id", "户号", "text", True),
        _c("loan_id", "借据号", "text", True),
        _c("start_date", "放款日期", "date", True),
        _c("granted_limit", "授信额度", "amount", True),
        _c("drawn_amount", "用信金额", "amount", True),
        _c("interest_rate", "执行利率", "rate"),
        _c("default", "是否不良", "flag01", True),
        _c("observed_until", "观察截止日", "date"),
    ),
    "village_assessments": (
        _c("village", ("行政村名称", "行政村"), "text", True),
        _c("collective_finances", "集体经济", "bool_na"),
        _c("governance", "村级治理", "bool_na"),
        _c("no_disputes", "无重大纠纷", "bool_na"),
    ),
}

_STATUS = {
    "alive": "alive", "正常": "alive", "在世": "alive", "健在": "alive",
    "deceased": "deceased", "dead": "deceased", "死亡": "deceased", "已故": "deceased",
    "missing": "missing", "失踪": "missing",
    "absconded": "absconded", "外逃": "absconded", "逃亡": "absconded",
}
_ROLES = {
    "cadre": "cadre", "村干部": "cadre", "村两委": "cadre",
    "group_leader": "group_leader", "组长": "group_leader", "村民小组长": "group_leader",
    "villager_rep": "villager_rep", "村民代表": "villager_rep",
    "account_manager": "account_manager", "客户经理": "account_manager",
}
_RELATIONS = {
    "self": "self", "本人": "self", "kin": "kin", "亲属": "kin", "亲戚": "kin",
    "neighbour": "neighbour", "neighbor": "neighbour", "邻里": "neighbour", "邻居": "neighbour",
    "business": "business", "生意往来": "business", "生意": "business",
}
_GRADES = {"AAA": "AAA", "AA": "AA", "A": "A", "B": "B", "不达标": "B", "BELOW A": "B",
           "BBB": "B", "BB": "B", "C": "B", "D": "B"}
_TRUE = {"1", "true", "yes", "y", "t", "是", "有", "√", "通过"}
_FALSE = {"0", "false", "no", "n", "f", "否", "无", "×", "未通过"}
_SEX = {"男": "M", "m": "M", "male": "M", "女": "F", "f": "F", "female": "F"}


def _isin(values: pd.Series, allowed) -> np.ndarray:
    """Vectorised membership (pandas 3's ``isin`` on Arrow strings loops in Python)."""
    if isinstance(allowed, (set, frozenset)):
        allowed = sorted(allowed)
    idx = pd.Index(pd.unique(pd.Series(list(allowed) if not isinstance(allowed, (pd.Series, pd.Index)) else allowed,
                                       dtype=object).dropna()))
    return idx.get_indexer(values.astype(object)) >= 0


def _nfkc(values: pd.Series) -> pd.Series:
    """NFKC-normalise and strip text; only non-ASCII cells need the (per-element) normalisation."""
    s = values.astype("string")
    wide = (~s.str.isascii()).fillna(False).to_numpy()
    if wide.any():
        s = s.copy()
        s[wide] = s[wide].str.normalize("NFKC")
    return s.str.strip()


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------
def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise CalibInputError(
        f"{path.name}: cannot decode the file as UTF-8 or GB18030; save it as UTF-8 CSV"
    )


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one table file with every cell as text (blank cells as ``<NA>``).

    CSV encodings UTF-8 (with or without BOM), UTF-16 with BOM and GB18030/GBK are detected.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.xlsx`` or ``.parquet`` file.

    Returns
    -------
    pandas.DataFrame
        Columns as in the file (headers NFKC-normalised and stripped), dtype ``string``.

    Raises
    ------
    CalibInputError
        When the file cannot be read; the message names the file.
    """
    path = Path(path)
    try:
        if path.suffix == ".csv":
            import io as _stdio

            text = _decode(path.read_bytes(), path)
            df = pd.read_csv(_stdio.StringIO(text), dtype=str, keep_default_na=False)
        elif path.suffix == ".xlsx":
            df = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        elif path.suffix == ".parquet":
            df = pd.read_parquet(path)
            df = df.astype("string")
        else:
            raise CalibInputError(f"{path.name}: unsupported file type {path.suffix!r}")
    except CalibInputError:
        raise
    except Exception as exc:  # pandas/openpyxl/pyarrow raise many types
        raise CalibInputError(f"{path.name}: cannot read the file ({type(exc).__name__}: {exc})") from exc
    df.columns = [_norm_header(c) for c in df.columns]
    df = df.astype("string")
    df = df.apply(lambda s: s.str.strip())
    return df.mask(df.apply(lambda col: pd.Series(_isin(col, BLANKS), index=col.index)))


def _norm_header(c: object) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKC", str(c)).strip()
    s = re.sub(r"\s+", "", s) if re.search(r"[\u3400-\u9fff]", s) else s
    return re.sub(r"[*＊]$", "", s)  # a trailing * marks required fields on some forms


def _map_headers(df: pd.DataFrame, table: str, path: Path) -> tuple[pd.DataFrame, list[str]]:
    specs = SPECS[table]
    lookup: dict[str, str] = {}
    for col in specs:
        lookup[col.name.lower()] = col.name
        for z in col.zh:
            lookup[z] = col.name
    rename, seen, ignored = {}, {}, []
    for c in df.columns:
        key = lookup.get(c) or lookup.get(c.lower())
        if key is None:
            ignored.append(c)
            continue
        if key in seen:
            raise CalibInputError(
                f"{path.name}: columns {seen[key]!r} and {c!r} both map to {key!r}; keep one"
            )
        seen[key] = c
        rename[c] = key
    out = df[list(rename)].rename(columns=rename)
    for col in specs:
        if col.required and col.name not in out.columns:
            raise CalibInputError(
                f"{path.name}: required column {col.name!r} ({' / '.join(col.zh)}) is missing; "
                f"columns found: {', '.join(map(str, df.columns))}"
            )
        if col.name not in out.columns:
            out[col.name] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out[[c.name for c in specs]], ignored


# --------------------------------------------------------------------------------------------
# Column parsers: each returns (parsed values, reason array; "" = fine)
# --------------------------------------------------------------------------------------------
def parse_amounts(values: pd.Series, *, declines: bool = False) -> tuple[pd.Series, np.ndarray]:
    """Parse amounts in yuan; ``5万``/``5万元`` is 50,000, commas and full-width digits are read.

    Parameters
    ----------
    values : pandas.Series
        Text amounts.
    declines : bool
        When true, ``拒绝``/``不同意``/``不予授信`` (a panel's refusal) read as 0.

    Returns
    -------
    (pandas.Series, numpy.ndarray)
        Float yuan (``NaN`` when blank or unreadable) and a reason per value (empty when fine).

    Examples
    --------
    >>> v, r = parse_amounts(pd.Series(["5万", "1,200", "拒绝", "-3"]), declines=True)
    >>> v.tolist(), r.tolist()
    ([50000.0, 1200.0, 0.0, -3.0], ['', '', '', 'negative amount'])
    """
    s = _nfkc(values)
    s = s.str.replace(r"[,\s¥￥]", "", regex=True).str.replace(r"(元|RMB|CNY)$", "", regex=True)
    wan = s.str.endswith("万").fillna(False)
    num = pd.to_numeric(s.str.replace(r"万$", "", regex=True), errors="coerce").astype(float)
    num = num.where(~wan.to_numpy(), num * 10_000.0)
    if declines:
        dec = _isin(s.str.lower(), DECLINE_WORDS)
        num = num.where(~dec, 0.0)
    reason = np.full(len(s), "", dtype=object)
    unreadable = s.notna().to_numpy() & num.isna().to_numpy()
    reason[unreadable] = "cannot read the amount"
    reason[(num < 0).fillna(False).to_numpy()] = "negative amount"
    return num, reason


def parse_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse dates written ``2025-06-30``, ``2025/6/30``, ``2025.6.30``, ``2025年6月30日``,
    ``20250630`` or as an Excel serial number.

    Returns
    -------
    (pandas.Series, numpy.ndarray)
        ``datetime64`` values (``NaT`` when blank or unreadable) and a reason per value.
    """
    s = _nfkc(values)
    s = s.str.replace(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", regex=True)
    iso = s.str.replace(r"[/.年月]", "-", regex=True).str.replace("日", "", regex=False)
    out = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    rest = out.isna() & s.notna()
    if rest.any():
        compact = pd.to_datetime(s.where(rest & s.str.fullmatch(r"\d{8}").fillna(False)),
                                 format="%Y%m%d", errors="coerce")
        out = out.fillna(compact)
        rest = out.isna() & s.notna()
    if rest.any():
        serial = pd.to_numeric(s.where(rest), errors="coerce")
        serial = serial.where((serial > 1000) & (serial < 80000))
        out = out.fillna(pd.to_datetime(serial, unit="D", origin="1899-12-30", errors="coerce"))
    reason = np.where(out.isna().to_numpy() & s.notna().to_numpy(), "cannot read the date", "")
    return out.astype("datetime64[ns]"), reason.astype(object)


def _parse_month(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    s = _nfkc(values)
    m = s.str.extract(r"^(\d{4})\s*[-./年]?\s*(\d{1,2})\s*月?(?:[-./]?\d{1,2}日?)?$")
    year = pd.to_numeric(m[0], errors="coerce")
    month = pd.to_numeric(m[1], errors="coerce")
    ok = year.between(1900, 2100) & month.between(1, 12)
    text = (year.astype("Int64").astype("string") + "-"
            + month.astype("Int64").astype("string").str.zfill(2)).where(ok)
    reason = np.where(s.notna().to_numpy() & ~ok.fillna(False).to_numpy(),
                      "cannot read the birth month (use YYYY-MM)", "")
    return text.astype("string"), reason.astype(object)


def _parse_map(values: pd.Series, mapping: dict[str, str], what: str,
               allowed: Sequence[str]) -> tuple[pd.Series, np.ndarray]:
    s = _nfkc(values)
    low = s.str.lower()
    upper_map = {k.lower(): v for k, v in mapping.items()}
    out = low.map(upper_map).astype("string")
    bad = s.notna().to_numpy() & out.isna().to_numpy()
    reason = np.where(bad, f"unknown {what}; expected one of {', '.join(allowed)}", "")
    return out, reason.astype(object)


def _parse_bool(values: pd.Series, *, allow_na: bool) -> tuple[pd.Series, np.ndarray]:
    s = _nfkc(values).str.lower()
    t = pd.Series(_isin(s, _TRUE), index=s.index)
    f = pd.Series(_isin(s, _FALSE), index=s.index)
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[t.to_numpy()] = True
    out[f.to_numpy()] = False
    bad = s.notna().to_numpy() & ~(t | f).to_numpy()
    reason = np.where(bad, "expected yes/no (是/否, 1/0)", "").astype(object)
    if not allow_na:
        out = out.fillna(False).astype(bool)
    return out, reason


def _parse_column(col: Col, raw: pd.Series, as_of: pd.Timestamp) -> tuple[pd.Series, np.ndarray]:
    k = col.kind
    blank_ok = np.full(len(raw), "", dtype=object)
    if k == "text":
        return raw.astype("string"), blank_ok
    if k in ("id", "id_optional"):
        p = _ids.parse_ids(raw, as_of=as_of)
        reason = p["reason"].to_numpy(dtype=object).copy()
        if k == "id_optional":
            reason[raw.isna().to_numpy()] = ""
            who = "household head's" if col.name == "head_id_number" else "reviewer's"
            reason = np.where(reason != "", f"invalid {who} ID: " + reason.astype(str), "")
            reason = reason.astype(object)
        return p["id_number"], reason
    if k in ("amount", "limit", "nonneg"):
        v, r = parse_amounts(raw, declines=(k == "limit"))
        return v, r
    if k == "float":
        s = _nfkc(raw).str.replace(",", "", regex=False)
        v = pd.to_numeric(s, errors="coerce").astype(float)
        return v, np.where(raw.notna().to_numpy() & v.isna().to_numpy(), "cannot read the number", "").astype(object)
    if k == "prob":
        v = pd.to_numeric(_nfkc(raw), errors="coerce").astype(float)
        r = np.where(raw.notna().to_numpy() & v.isna().to_numpy(), "cannot read the number", "")
        r = np.where(((v < 0) | (v > 1)).fillna(False).to_numpy(), "probability outside 0-1", r)
        return v, r.astype(object)
    if k == "rate":
        s = _nfkc(raw)
        pct = s.str.endswith("%").fillna(False).to_numpy()
        v = pd.to_numeric(s.str.rstrip("%"), errors="coerce").astype(float)
        v = v.where(~(pct | (v > 1).fillna(False).to_numpy()), v / 100.0)
        r = np.where(raw.notna().to_numpy() & v.isna().to_numpy(), "cannot read the rate", "")
        r = np.where(((v < 0) | (v >= 1)).fillna(False).to_numpy(), "interest rate outside 0-100%", r)
        return v, r.astype(object)
    if k == "rating":
        s = _nfkc(raw)
        v = pd.to_numeric(s, errors="coerce")
        r = np.where(s.notna().to_numpy() & v.isna().to_numpy(), "cannot read the rating", "")
        out_of = ~v.isin([1, 2, 3, 4, 5]).to_numpy() & v.notna().to_numpy()
        r = np.where(out_of, "rating outside 1-5", r)
        return v.where(~out_of).astype("Int64"), r.astype(object)
    if k == "flag01":
        v, r = _parse_bool(raw, allow_na=True)
        return v.astype("Int64"), np.where(r != "", "expected 1 (non-performing) or 0", "").astype(object)
    if k == "bool":
        return _parse_bool(raw, allow_na=False)
    if k == "bool_na":
        return _parse_bool(raw, allow_na=True)
    if k == "date":
        return parse_dates(raw)
    if k == "month":
        return _parse_month(raw)
    if k == "sex":
        return _parse_map(raw, {**_SEX, "M": "M", "F": "F"}, "sex", ["男", "女", "M", "F"])
    if k == "status":
        v, r = _parse_map(raw, _STATUS, "status", ["alive", "deceased", "missing", "absconded"])
        return v.fillna("alive"), r
    if k == "role":
        return _parse_map(raw, _ROLES, "role", sorted(set(_ROLES.values())))
    if k == "relation":
        return _parse_map(raw, _RELATIONS, "relation", sorted(set(_RELATIONS.values())))
    if k == "grade":
        return _parse_map(raw, _GRADES, "grade", ["AAA", "AA", "A", "B"])
    raise AssertionError(f"unknown column kind {k}")


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------
class _Problems:
    """Collects quarantine records for one table."""

    def __init__(self, table: str, file: str, raw: pd.DataFrame, rows: np.ndarray):
        self.table, self.file, self.raw, self.rows = table, file, raw, rows
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: np.ndarray, column: str, reason: np.ndarray | str,
            value: pd.Series | None = None) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if value is None:
            value = self.raw[column] if column in self.raw else pd.Series(pd.NA, index=self.raw.index)
        reasons = np.asarray(reason, dtype=object)
        reasons = reasons[mask] if reasons.ndim else np.full(mask.sum(), reason, dtype=object)
        self.parts.append(pd.DataFrame({
            "table": self.table, "file": self.file, "row": self.rows[mask],
            "column": column, "value": value.to_numpy(dtype=object)[mask], "reason": reasons,
        }))

    def add_reasons(self, column: str, reasons: np.ndarray) -> None:
        self.add(reasons != "", column, reasons)

    def bad_mask(self, n: int) -> np.ndarray:
        bad = np.zeros(n, dtype=bool)
        if self.parts:
            rows = np.concatenate([p["row"].to_numpy() for p in self.parts])
            bad[rows - 2] = True
        return bad

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=QUARANTINE_COLUMNS)
        q = pd.concat(self.parts, ignore_index=True)
        # a total row (合计) is reported once, as such, not with every blank cell it has
        total_rows = q.loc[q["reason"].eq(REASON_TOTAL), "row"]
        return q.loc[~q["row"].isin(total_rows) | q["reason"].eq(REASON_TOTAL)].reset_index(drop=True)


def _first_row_of(keys: pd.DataFrame | pd.Series, rows: np.ndarray) -> np.ndarray:
    """For duplicated keys, the spreadsheet row of the first occurrence."""
    if isinstance(keys, pd.Series):
        keys = keys.to_frame()
    first = pd.Series(rows, index=keys.index).groupby([keys[c] for c in keys.columns],
                                                      dropna=False, sort=False).transform("first")
    return first.to_numpy()


def _find_files(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for f in sorted(folder.iterdir()):
        if not f.is_file() or f.suffix.lower() not in SUFFIXES or f.name.startswith((".", "~$")):
            continue
        name = f.stem
        if name not in TABLES:
            raise CalibInputError(
                f"{f.name}: unknown table {name!r}; a programme folder holds "
                f"{', '.join(TABLES)} (as .csv, .xlsx or .parquet)"
            )
        if name in found:
            raise CalibInputError(f"{f.name}: table {name!r} is given twice ({found[name].name} and {f.name})")
        found[name] = f
    for t in REQUIRED_TABLES:
        if t not in found:
            raise CalibInputError(
                f"{folder}: required table {t!r} is missing (expected {t}.csv, {t}.xlsx or {t}.parquet)"
            )
    return found


def load_programme(path: str | Path, *, as_of: str | pd.Timestamp | None = None) -> Programme:
    """Load and validate a programme folder.

    Parameters
    ----------
    path : str or Path
        Folder holding ``roster``, ``reviews``, ``model_runs`` and optionally ``reviewers``,
        ``relations``, ``points``, ``loans``, ``village_assessments`` (``.csv``, ``.xlsx`` or
        ``.parquet``). See ``data/README.md``.
    as_of : str or Timestamp, optional
        Reference date for ages and eligibility (today if omitted; report runs always pass it).

    Returns
    -------
    Programme
        Accepted rows per table with code-name columns and proper dtypes, ``quarantine``
        (``table, file, row, column, value, reason``; personal data masked) and ``counts``
        (``table, file, rows_read, rows_accepted, rows_quarantined, ignored_columns``).

    Raises
    ------
    CalibInputError
        Unreadable file, unknown table, duplicated table, missing required table or column.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise CalibInputError(f"{folder}: no such programme folder")
    as_of_ts = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today().normalize()
    files = _find_files(folder)
    tables: dict[str, pd.DataFrame | None] = {t: None for t in TABLES}
    quarantine: list[pd.DataFrame] = []
    counts: list[dict] = []
    for table in TABLES:
        if table not in files:
            continue
        f = files[table]
        raw = read_table(f)
        mapped, ignored = _map_headers(raw, table, f)
        mapped = mapped.reset_index(drop=True)
        rows = np.arange(2, len(mapped) + 2)
        probs = _Problems(table, f.name, mapped, rows)
        parsed = _parse_table(table, mapped, probs, as_of_ts)
        _check_table(table, parsed, mapped, probs, tables)
        bad = probs.bad_mask(len(mapped))
        accepted = parsed.loc[~bad].copy()
        accepted.insert(0, "row", rows[~bad])
        tables[table] = _finish(table, accepted.reset_index(drop=True), tables, as_of_ts)
        q = probs.frame()
        quarantine.append(q)
        counts.append({"table": table, "file": f.name, "rows_read": len(mapped),
                       "rows_accepted": int((~bad).sum()), "rows_quarantined": int(bad.sum()),
                       "ignored_columns": ", ".join(ignored)})
    q = pd.concat([x for x in quarantine if len(x)], ignore_index=True) if any(len(x) for x in quarantine) \
        else pd.DataFrame(columns=QUARANTINE_COLUMNS)
    if len(q):
        kinds = q["column"].map({**{k: v for k, v in PII_COLUMNS.items()}}).fillna("")
        kinds = kinds.where(~q["table"].isin(["roster", "reviewers"]) | kinds.ne(""), "")
        q["value"] = mask_values(q["value"].astype("string"), kinds)
        q = q.sort_values(["table", "row", "column"], kind="stable").reset_index(drop=True)
        q["row"] = q["row"].astype(int)
        q = _default_strings(q)
    return Programme(
        roster=tables["roster"], reviews=tables["reviews"], model_runs=tables["model_runs"],
        reviewers=tables["reviewers"], relations=tables["relations"], points=tables["points"],
        loans=tables["loans"], village_assessments=tables["village_assessments"],
        quarantine=q, counts=pd.DataFrame(counts), as_of=as_of_ts, path=folder, files=files,
    )


def _parse_table(table: str, mapped: pd.DataFrame, probs: _Problems,
                 as_of: pd.Timestamp) -> pd.DataFrame:
    out = {}
    for col in SPECS[table]:
        raw = mapped[col.name]
        values, reason = _parse_column(col, raw, as_of)
        if col.required and col.kind not in ("id",):
            reason = np.where(raw.isna().to_numpy() & (reason == ""), f"required value {col.name} is blank", reason)
        probs.add_reasons(col.name, np.asarray(reason, dtype=object))
        out[col.name] = values.reset_index(drop=True) if isinstance(values, pd.Series) else values
    return pd.DataFrame(out)


def _households_ok(tables: dict) -> pd.Index:
    ro = tables.get("roster")
    return pd.Index(ro["household_id"].unique()) if ro is not None else pd.Index([])


def _check_table(table: str, df: pd.DataFrame, raw: pd.DataFrame, probs: _Problems,
                 tables: dict) -> None:
    rows = probs.rows
    ok_so_far = ~probs.bad_mask(len(df))

    def dup(keys: list[str], reason: Callable[[np.ndarray], np.ndarray], column: str) -> None:
        k = df[keys]
        valid = ok_so_far & k.notna().all(axis=1).to_numpy()
        sub = k[valid]
        d = sub.duplicated(keep="first").to_numpy()
        if d.any():
            first = _first_row_of(sub, rows[valid])
            mask = np.zeros(len(df), dtype=bool)
            mask[np.flatnonzero(valid)[d]] = True
            r = np.full(len(df), "", dtype=object)
            r[np.flatnonzero(valid)[d]] = reason(first[d])
            probs.add(mask, column, r)

    def unknown_household() -> None:
        known = _households_ok(tables)
        m = ok_so_far & df["household_id"].notna().to_numpy() & ~_isin(df["household_id"], known)
        probs.add(m, "household_id", f"{table.replace('_', ' ')} row for a household not in the roster "
                                     "(unknown 户号, or all its members were quarantined)")

    total = raw.apply(lambda s: s.str.fullmatch(r"(合计|总计|小计)[:：]?", na=False)).any(axis=1).to_numpy()
    probs.add(total, str(raw.columns[0]), REASON_TOTAL)
    if table == "roster":
        dup(["id_number"], lambda f: np.char.add("duplicate person: same ID number as row ", f.astype(str)), "id_number")
        idp = _ids.parse_ids(df["id_number"].where(df["id_number"].notna(), None))
        id_month = idp["birth_date"].dt.strftime("%Y-%m")
        bm = df["birth_month"]
        mis = (bm.notna() & id_month.notna() & (bm != id_month)).to_numpy()
        probs.add(mis & ok_so_far, "birth_month",
                  np.char.add(np.char.add("birth month contradicts the ID number's birth date (",
                                          id_month.fillna("").to_numpy(dtype=str)), ")"))
        sx = df["sex"]
        mis_sex = (sx.notna() & idp["sex"].notna() & (sx != idp["sex"])).to_numpy()
        probs.add(mis_sex & ok_so_far, "sex", "sex contradicts the ID number's sex digit")
        # one household, one village
        v = df[["household_id", "village", "township"]]
        valid = ok_so_far & v.notna().all(axis=1).to_numpy()
        first_v = v[valid].groupby("household_id", sort=False)["village"].transform("first")
        split = np.zeros(len(df), dtype=bool)
        split[np.flatnonzero(valid)] = (first_v != v.loc[valid, "village"]).to_numpy()
        probs.add(split, "village", "household number already used in another village")
    elif table == "reviewers":
        dup(["reviewer_id"], lambda f: np.char.add("reviewer listed twice (first at row ", np.char.add(f.astype(str), ")")), "reviewer_id")
    elif table == "reviews":
        unknown_household()
        reg = tables.get("reviewers")
        if reg is not None:
            m = ok_so_far & df["reviewer_id"].notna().to_numpy() & ~_isin(df["reviewer_id"], reg["reviewer_id"])
            probs.add(m, "reviewer_id", "reviewer not in the panel register (reviewers table)")
            ro = tables["roster"]
            hh_village = ro.groupby("household_id")["village"].first()
            rv_village = reg.set_index("reviewer_id")["village"]
            hv = df["household_id"].map(hh_village)
            rv = df["reviewer_id"].map(rv_village)
            other = (ok_so_far & hv.notna().to_numpy() & rv.notna().to_numpy() & (hv != rv).fillna(False).to_numpy())
            probs.add(other, "reviewer_id", "reviewer sits on another village's panel")
        dup(["reviewer_id", "household_id"],
            lambda f: np.char.add("the same reviewer reviewed this household twice (first at row ",
                                  np.char.add(f.astype(str), ")")), "reviewer_id")
    elif table == "relations":
        unknown_household()
        reg = tables.get("reviewers")
        if reg is not None:
            m = ok_so_far & ~_isin(df["reviewer_id"], reg["reviewer_id"])
            probs.add(m, "reviewer_id", "reviewer not in the panel register (reviewers table)")
        dup(["reviewer_id", "household_id"], lambda f: np.char.add("relation listed twice (first at row ", np.char.add(f.astype(str), ")")), "household_id")
    elif table == "model_runs":
        unknown_household()
        dup(["household_id", "run_date"], lambda f: np.char.add("second model run for this household on the same date (first at row ", np.char.add(f.astype(str), ")")), "run_date")
    elif table == "points":
        unknown_household()
        dup(["household_id", "period"], lambda f: np.char.add("points for this household and period given twice (first at row ", np.char.add(f.astype(str), ")")), "period")
    elif table == "loans":
        unknown_household()
        over = ok_so_far & (df["drawn_amount"] > df["granted_limit"]).fillna(False).to_numpy()
        probs.add(over, "drawn_amount", "drawn amount exceeds the granted limit")
        dup(["loan_id"], lambda f: np.char.add("loan number used twice (first at row ", np.char.add(f.astype(str), ")")), "loan_id")
    elif table == "village_assessments":
        ro = tables["roster"]
        m = ok_so_far & ~_isin(df["village"], ro["village"])
        probs.add(m, "village", "village not in the roster")
        dup(["village"], lambda f: np.char.add("village assessed twice (first at row ", np.char.add(f.astype(str), ")")), "village")


def _finish(table: str, df: pd.DataFrame, tables: dict, as_of: pd.Timestamp) -> pd.DataFrame:
    if table == "roster":
        p = _ids.parse_ids(df["id_number"], as_of=as_of)
        df["birth_date"] = p["birth_date"].to_numpy()
        df["id_sex"] = p["sex"].to_numpy()
        df["age"] = p["age"].to_numpy()
        land = df["land_info"].astype("string").str.normalize("NFKC")
        df["land_mu"] = pd.to_numeric(land.str.extract(r"(?:耕地|土地|田)[^0-9]*([0-9.]+)\s*亩")[0], errors="coerce")
        df["forest_mu"] = pd.to_numeric(land.str.extract(r"(?:林地|山林)[^0-9]*([0-9.]+)\s*亩")[0], errors="coerce")
        df["sex"] = df["sex"].fillna(df["id_sex"])
    if table in ("reviews", "loans", "points", "model_runs"):
        ro = tables["roster"]
        where = ro.groupby("household_id", sort=False)[["village", "township"]].first()
        df = df.join(where, on="household_id")
    return _default_strings(df)


def _default_strings(df: pd.DataFrame) -> pd.DataFrame:
    """Use pandas' default ``str`` dtype (missing = NaN) for text columns handed to users."""
    for c in df.columns:
        if isinstance(df[c].dtype, pd.StringDtype):
            df[c] = df[c].astype("str")
    return df


def latest_model_run(model_runs: pd.DataFrame) -> pd.DataFrame:
    """Each household's latest model run.

    Parameters
    ----------
    model_runs : pandas.DataFrame
        The loaded ``model_runs`` table (``household_id``, ``run_date``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per household, indexed by ``household_id``, with the columns of ``model_runs``.
    """
    mr = model_runs.sort_values(["household_id", "run_date"], kind="stable")
    return mr.drop_duplicates("household_id", keep="last").set_index("household_id")


def write_programme(tables: dict[str, pd.DataFrame], folder: str | Path, *,
                    fmt: str = "csv", encoding: str = "utf-8") -> dict[str, Path]:
    """Write tables as a programme folder (one file per table), deterministically.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Table name to frame, columns as they should appear in the file.
    folder : str or Path
        Destination; created if needed.
    fmt : {"csv", "xlsx", "parquet"}
        File format.
    encoding : str
        CSV encoding (``utf-8``, ``utf-8-sig`` or ``gb18030``).

    Returns
    -------
    dict
        Table name to written path.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, df in tables.items():
        p = folder / f"{name}.{fmt}"
        if fmt == "csv":
            df.to_csv(p, index=False, encoding=encoding, lineterminator="\n")
        elif fmt == "xlsx":
            df.to_excel(p, index=False, engine="openpyxl")
        elif fmt == "parquet":
            df.to_parquet(p, index=False)
        else:
            raise ValueError(f"fmt must be csv, xlsx or parquet; got {fmt!r}")
        out[name] = p
    return out
