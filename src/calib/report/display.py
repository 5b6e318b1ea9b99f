"""The one display layer: every table and text block of every report goes through here.

:func:`table` masks personal data (:mod:`calib.masking`), puts headers and coded values into
words from the catalogue (:mod:`calib.report.labels`), formats numbers by the column's kind
(:mod:`calib.report.fmt`), escapes every header and cell (HTML is built here, never taken from
the data), drops the row index, lets wide tables scroll inside their own box (never the page),
keeps the row labels (the leading text columns: township, village, item) on one line or at a
readable width, breaks a header only at a space or punctuation (``word-break: keep-all``:
never inside a Chinese word such as 斜率), lays a one-row table with many columns out as
"item | figure" rows, joins a low and a high bound into one interval column (``intervals=``),
and says "showing the first N of M rows; the full table is in FILE" when it shortens a table. :func:`table_parts` splits a table
too wide to read into captioned tables that repeat its label columns.
:func:`begin` shows the title and the conclusions placeholder (``id="conclusions"``) that
:func:`calib.report.record.conclude` fills; :func:`heading` and :func:`text` show the catalogue's
headings and narrative.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from calib.masking import mask_frame
from calib.report import fmt
from calib.report.labels import NAME_KINDS, coded_words, column_label, get_lang, has, kind_of, names_in_words, t, value_label

__all__ = ["Table", "HTML", "table", "table_parts", "ranked", "mark_labels", "width_em", "heading", "text", "section", "begin", "params_table", "note", "CSS", "VERDICT_CLASS",
           "CONCLUSIONS_ID"]

CONCLUSIONS_ID = "conclusions"
_DISPLAY_ID = "calib-conclusions"
_STATE = {"begun": False}
#: Coded verdicts and the colour class of their cell.
VERDICT_CLASS = {
    "pass": "pass", "met": "pass", "green": "pass", "keep": "pass", "fit": "pass",
    "risk-justified": "pass", "not rejected": "pass", "ok": "pass",
    "fail": "fail", "not met": "fail", "red": "fail", "replace": "fail", "not_fit": "fail",
    "PD too low": "fail", "subsidised": "warn", "below risk": "warn", "failed": "fail",
    "no_data": "warn", "yellow": "warn", "amber": "warn", "not_recorded": "na", "review": "warn", "cannot be told apart": "warn",
    "not_assessed": "na", "info": "info", "warn": "warn", "no data": "warn", "not assessed": "na",
    "certified": "pass", "not certified": "fail",
    "keep the discount": "info", "lower the discount": "warn", "raise the discount": "info",
    "rates reproduced": "pass", "rates not reproduced": "fail",
    "within budget": "pass", "over budget": "fail", "within budget at the estimate; the interval reaches above it": "warn",
    "revise the base rate": "fail", "base rate covers cost": "pass",
    "not set": "na",  # a target the parameters leave unset: nothing compared
}
#: Row labels up to this width (in em, a CJK character is 1 em) stay on one line; longer ones
#: get a minimum width of :data:`LABEL_MIN_EM` (two lines for labels up to twice that).
LABEL_NOWRAP_EM = 16.0
LABEL_MIN_EM = 12
#: A text column whose widest cell fits this many em never wraps (coded words: a role, a reason).
SHORT_TEXT_EM = 8.0
#: A figures column whose widest cell is wider than this (em) wraps its cells (a figure with its
#: words, "4 of 8 bands below cost at the base rate 5.00% (in sample); ..."): kept on one line,
#: it pushed the columns after it (the interval, the threshold, the verdict) out of sight.
LONG_FIGURE_EM = 24.0
#: At most this many leading text columns are row labels.
MAX_LABEL_COLUMNS = 3
#: A one-row table with at least this many columns is shown as "item | figure" rows.
VERTICAL_MIN_COLUMNS = 9
CSS = """<style>
.calib-table-wrap{display:block;overflow-x:auto;max-width:100%;margin:6px 0 14px}
.calib-table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
.calib-table caption{caption-side:top;text-align:left;font-weight:600;padding:2px 0 4px}
.calib-table-wrap table.calib-table td.lbl{white-space:nowrap;word-break:keep-all}
.calib-table-wrap table.calib-table td.lbl2{min-width:""" + str(LABEL_MIN_EM) + """em}
.calib-table-wrap table.calib-table th,.calib-table-wrap table.calib-table td{border:1px solid #d0d4da;padding:3px 8px;vertical-align:baseline;text-align:left}
.calib-table-wrap table.calib-table th{background:#eef1f5;text-align:center;font-weight:600;word-break:keep-all}
.calib-table-wrap table.calib-table td.n{text-align:right;white-space:nowrap}
.calib-table-wrap table.calib-table td.n.wrap{white-space:normal;min-width:12em}
.calib-table-wrap table.calib-table td.pass{background:#d9f0dd}.calib-table-wrap table.calib-table td.fail{background:#f8d7da}
.calib-table-wrap table.calib-table td.warn{background:#fde8c8}.calib-table-wrap table.calib-table td.na{background:#e9e9e9}
.calib-table-wrap table.calib-table td.pass,.calib-table-wrap table.calib-table td.fail,.calib-table-wrap table.calib-table td.warn,.calib-table-wrap table.calib-table td.na{white-space:nowrap}
.calib-note{color:#555;font-size:12px;margin:2px 0 12px}
.calib-text p{margin:4px 0 8px;max-width:60em}
#conclusions{border:2px solid #34495e;border-radius:4px;padding:8px 14px;margin:10px 0 18px}
</style>"""
_NUMERIC = re.compile(r"^[\-−<\[\(]?[\d,. %\-−\[\]]+%?$")


class HTML:
    """A block of HTML built by this module (escaped by construction); plain text for consoles."""

    def __init__(self, html_text: str, plain: str = ""):
        self.html, self.plain = html_text, plain

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.plain


@dataclass
class Table:
    """A formatted table: ``data`` holds the display strings, ``frame`` the masked source."""

    data: pd.DataFrame
    frame: pd.DataFrame
    classes: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    caption: str | None = None

    def _repr_html_(self) -> str:
        e = html.escape
        head = "".join(f"<th>{e(str(c))}</th>" for c in self.data.columns)
        body = []
        for vals, cls in zip(self.data.itertuples(index=False), self.classes.itertuples(index=False)):
            body.append("<tr>" + "".join(_td(v, c) for v, c in zip(vals, cls)) + "</tr>")
        cap = f"<caption>{e(self.caption)}</caption>" if self.caption else ""
        notes = "".join(f"<div class=\"calib-note\">{e(n)}</div>" for n in self.notes)
        return (f"{CSS}<div class=\"calib-table-wrap\"><table class=\"calib-table\">{cap}<thead><tr>{head}"
                f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>{notes}")

    def __repr__(self) -> str:
        return "\n".join([self.data.to_string(index=False), *self.notes])


def _td(value: Any, cls: str) -> str:
    v = html.escape(str(value))
    return (f"<td class=\"{cls}\"><code>{v}</code></td>" if "code" in cls.split()
            else f"<td class=\"{cls}\">{v}</td>")


def width_em(text: str) -> float:
    """Rough printed width of ``text`` in em: a CJK (wide or full-width) character is 1 em,
    any other character 0.55 em (13 px sans-serif)."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in str(text))


def _label_class(shown: pd.Series) -> str:
    """``lbl`` (one line) for a label column whose longest cell fits :data:`LABEL_NOWRAP_EM`,
    ``lbl2`` (a minimum width) for a longer one."""
    widest = max((width_em(v) for v in shown), default=0.0)
    return "lbl" if widest <= LABEL_NOWRAP_EM else "lbl2"


def _is_label(shown: pd.Series, classes: pd.Series, kind: str | None) -> bool:
    """A row-label column: text or code cells, none numeric-looking or coloured by a verdict."""
    if kind not in (None, "text", "code", "raw", "date", *NAME_KINDS):
        return False
    return bool(len(shown)) and classes.isin(["", "code"]).all() and not shown.map(
        lambda x: bool(_NUMERIC.match(x))).all()


def mark_labels(data: pd.DataFrame, classes: pd.DataFrame, kinds: list[str | None]) -> pd.DataFrame:
    """The cell classes with the row labels and short words kept readable.

    The leading label columns (at most :data:`MAX_LABEL_COLUMNS`, text by ``kinds``) get ``lbl``
    (one line) or ``lbl2`` (a minimum width); any other text column whose widest cell fits
    :data:`SHORT_TEXT_EM` (a role, a reason: ``村民小组长``) gets ``lbl`` too.

    Parameters
    ----------
    data, classes : DataFrame
        Display strings and cell classes of a :class:`Table` (same shape).
    kinds : list
        Display kind of each column (``None`` when the catalogue gives none).

    Returns
    -------
    DataFrame
        The classes, with ``lbl``/``lbl2`` added.
    """
    classes = classes.copy()
    leading = True
    for i, kind in enumerate(kinds):
        shown, cls = data.iloc[:, i], classes.iloc[:, i]
        label = _is_label(shown, cls, kind)
        leading = leading and label and i < MAX_LABEL_COLUMNS
        if leading:
            extra = _label_class(shown)
        elif label and max((width_em(v) for v in shown), default=0.0) <= SHORT_TEXT_EM:
            extra = "lbl"
        else:
            continue
        classes.iloc[:, i] = (cls + " " + extra).str.strip()
    return classes


def _vertical(data: pd.DataFrame, classes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A one-row table as "item | figure" rows (headers down the first column)."""
    item, figure = column_label("item"), column_label("figure")
    items = pd.Series([str(c) for c in data.columns])
    out = pd.DataFrame({item: items, figure: [str(v) for v in data.iloc[0]]})
    cls = pd.DataFrame({item: _label_class(items), figure: list(classes.iloc[0])})
    return out, cls


def _join_intervals(src: pd.DataFrame, intervals: dict[str, tuple[str, str]],
                    kinds: dict[str, str] | None) -> pd.DataFrame:
    """Replace each (low, high) column pair by one ``[low, high]`` column where the low one was;
    missing when both bounds are."""
    out = src
    for name, (lo, hi) in intervals.items():
        if lo not in out.columns or hi not in out.columns:
            continue
        kind = (kinds or {}).get(lo) or kind_of(lo) or "num3"
        both = out[lo].map(fmt.is_missing) & out[hi].map(fmt.is_missing)
        joined = pd.Series([None if m else fmt.ci(a, b, kind) for a, b, m in zip(out[lo], out[hi], both)],
                           index=out.index, dtype=object)
        at = list(out.columns).index(lo)
        out = out.drop(columns=[lo, hi])
        out.insert(at, name, joined)
    return out


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Move a named index into the columns, drop an unnamed one (a row number); flatten MultiIndex columns."""
    out = frame.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" / ".join(str(p) for p in c if str(p)) for c in out.columns]
    if any(n is not None for n in out.index.names):
        names = [n or f"item_{i}" for i, n in enumerate(out.index.names)]
        out.index = out.index.set_names(names)
        out = out.reset_index()
    return out.reset_index(drop=True)


def _header(col: Any, kind: str | None = None) -> str:
    c = str(col)
    if re.fullmatch(r"[a-z][a-z0-9_]*", c):
        return column_label(c, kind=kind)
    return str(value_label(c))


def headers(columns: list[Any], kinds: Mapping[str, str] | None = None) -> list[str]:
    """Reader headers for ``columns``, made unique (a repeated label gets the next free number);
    ``kinds`` (a table's display kinds by column) give a money column the unit it is shown in."""
    out: list[str] = []
    for c in columns:
        k = (kinds or {}).get(str(c))
        h, i = _header(c, k), 2
        while h in out:
            h, i = f"{_header(c, k)} ({i})", i + 1
        out.append(h)
    return out


def _format_column(s: pd.Series, kind: str | None) -> tuple[pd.Series, pd.Series]:
    if kind in NAME_KINDS:  # names of tables or columns: in words as names, left-aligned
        shown = names_in_words(s, kind).map(lambda x: fmt.MISSING if fmt.is_missing(x) else str(x))
        return shown, pd.Series("", index=s.index)
    if kind in ("raw", "code"):
        shown = s.map(lambda x: fmt.MISSING if fmt.is_missing(x) else str(x))
        return shown, pd.Series("code" if kind == "code" else "", index=s.index)
    text = s.dtype == object or isinstance(s.dtype, pd.StringDtype)
    if kind is None and text:
        kind = "text"
    if kind == "text" and text:
        # codes in words by the one rule of pages and workbooks (labels.coded_words); other
        # text as it is, other values by their type
        words = coded_words(s)
        shown = words.map(lambda x: x if isinstance(x, str) else fmt.cell(x, kind))
    elif kind == "rate":
        # a schedule's rates in one column: one number of decimals, two, or three when any value
        # has a third (0.022% above 0.000%, not above 0.00%)
        digits = fmt.exact_digits(pd.to_numeric(s, errors="coerce").to_numpy(dtype=float) * 100, least=2, most=3)
        shown = s.map(lambda x: fmt.pct(x, digits))
    else:
        shown = s.map(lambda x: fmt.cell(x, kind))
    verdict = s.map(lambda x: VERDICT_CLASS.get(x, "") if isinstance(x, str) else "")
    num = shown.map(lambda x: "n" if _NUMERIC.match(x) else "")
    if (num == "n").any():  # a missing figure ("—") sits where the column's figures do
        present = shown != fmt.MISSING
        if (num[present] == "").any():
            # one column, one alignment: figures beside figures with words ("1,700 户") all
            # right-aligned; beside words without a digit, all left-aligned
            digits = shown[present].str.contains(r"\d", regex=True).all()
            num = pd.Series("n" if digits else "", index=s.index)
        else:
            num = num.mask(~present, "n")
        if max(width_em(v) for v in shown) > LONG_FIGURE_EM:
            num = num.replace("n", "n wrap")
    return shown, verdict.where(verdict != "", num)


def _why_missing(column: str) -> str:
    """Why a value of ``column`` can be missing, from the catalogue (``missing.<column>``), else
    the generic reason."""
    return t(f"missing.{column}") if has(f"missing.{column}") else t("note.missing_generic")


def ranked(frame: pd.DataFrame, by: str, *, ascending: bool = True) -> pd.DataFrame:
    """The group rows of a summary sorted by ``by``, its overall row kept first.

    A table of the worst (or best) villages is read against the whole programme: sorting the
    overall row in among the villages would push it out of the rows shown. Ties keep their
    order (stable sort); missing values go last.

    Parameters
    ----------
    frame : pandas.DataFrame
        A summary with a ``level`` column (``overall`` for the programme's row, ``township``,
        ``village``, ...), as :func:`calib.consensus.agreement` and the other summaries give.
    by : str
        Column the group rows are sorted on.
    ascending : bool
        Sort order of the group rows.

    Returns
    -------
    pandas.DataFrame
        The overall row(s) first in their order, then the other rows sorted; same columns.

    Raises
    ------
    KeyError
        When ``frame`` has no ``level`` or no ``by`` column.
    """
    top = (frame["level"] == "overall").to_numpy()
    rest = frame[~top].sort_values(by, ascending=ascending, kind="stable", na_position="last")
    return pd.concat([frame[top], rest])


def table(frame: pd.DataFrame, *, max_rows: int | None = 30, file: str | None = None,
          kinds: dict[str, str] | None = None, missing: dict[str, str] | None = None,
          caption: str | None = None, mask: dict[str, str] | None = None,
          digits: int | None = None, intervals: dict[str, tuple[str, str]] | None = None,
          vertical: bool | None = None) -> Table:
    """Show ``frame`` to a reader: masked, in words, formatted, escaped, without row index.

    Parameters
    ----------
    frame : pandas.DataFrame or Series
        Any table with code-name columns (each must have a catalogue entry); a named index
        becomes the first column(s), an unnamed one is dropped.
    max_rows : int, optional
        Show at most this many rows (``None``: all) and say so under the table.
    file : str, optional
        Side file (in the bundle) holding the full table, named in the truncation note.
    kinds : dict, optional
        Display kind per column, overriding the catalogue (``yuan``, ``wan``, ``pct1``, ``p``, ...).
    missing : dict, optional
        Column -> why a value is missing; shown as a footnote to "—" (a generic reason otherwise).
    caption : str, optional
        Caption above the table (already in the reader's language).
    mask : dict, optional
        Extra personal-data columns to mask (``column -> kind`` as in :func:`calib.masking.mask_frame`).
    digits : int, optional
        Decimals of float columns the catalogue gives no kind (the old ``table(..., digits=)``).
    intervals : dict, optional
        ``name -> (low, high)``: show the two bound columns as one ``[low, high]`` column
        ``name`` (a catalogue term) in the low column's kind and place; "—" when both are missing
        (``missing[name]`` says why).
    vertical : bool, optional
        Show the table as "item | figure" rows; by default a one-row table with at least
        :data:`VERTICAL_MIN_COLUMNS` columns is (it would otherwise be wider than the page).

    Returns
    -------
    Table
        Renders as HTML in a notebook and as text in a console.

    Notes
    -----
    The leading text columns (at most :data:`MAX_LABEL_COLUMNS`: township, village, item) are
    the rows' labels: they stay on one line up to :data:`LABEL_NOWRAP_EM` em and keep a
    minimum width beyond, so that a wide table never squeezes a name to one character a line;
    a table still wider than the page scrolls inside its own box.
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    # the cells only: what a frame carries beside them (``attrs``: a fitted model, bootstrap
    # replicates) is not shown, and pandas deep-copies it at every step of the formatting
    frame = frame.copy(deep=False)
    frame.attrs = {}
    src = _flat(mask_frame(frame, mask))
    if intervals:
        src = _join_intervals(src, intervals, kinds)
    n = len(src)
    shown_src = src if max_rows is None else src.head(max_rows)
    data, classes, notes, col_kinds = {}, {}, [], []
    for i, (col, head) in enumerate(zip(shown_src.columns, headers(list(shown_src.columns), kinds))):
        col_s = shown_src.iloc[:, i]
        kind = (kinds or {}).get(str(col)) or kind_of(str(col))
        if kind is None and digits is not None and pd.api.types.is_float_dtype(col_s):
            kind = f"num{digits}"
        data[head], classes[head] = _format_column(col_s, kind)
        col_kinds.append(kind)
    had_missing = [c for c in shown_src.columns if shown_src[c].map(fmt.is_missing).any()]
    for c in had_missing:
        why = (missing or {}).get(str(c)) or _why_missing(str(c))
        notes.append(t("note.missing", col=_header(c), why=why))
    if max_rows is not None and n > max_rows:
        notes.append(t("note.truncated_file" if file else "note.truncated", n=fmt.count(max_rows),
                       m=fmt.count(n), file=file or ""))
    data_f, classes_f = pd.DataFrame(data), pd.DataFrame(classes)
    if vertical is None:
        vertical = len(data_f) == 1 and data_f.shape[1] >= VERTICAL_MIN_COLUMNS
    if vertical and len(data_f) == 1:
        data_f, classes_f = _vertical(data_f, classes_f)
    else:
        classes_f = mark_labels(data_f, classes_f, col_kinds)
    return Table(data_f, src, classes_f, notes, caption)


def table_parts(frame: pd.DataFrame, parts: dict[str, list[str]], *, labels: list[str],
                **options: Any) -> list[Table]:
    """A table too wide to read as several captioned tables, each repeating the label columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        The whole table (code-name columns, as for :func:`table`).
    parts : dict
        Catalogue key of each part's caption -> the columns it shows (after ``intervals``: a
        joined interval is named by its new name). Every column of ``frame`` other than the
        labels should be in one part (the others are not shown).
    labels : list of str
        Columns repeated first in every part (township, village).
    **options
        Passed to :func:`table` (``max_rows``, ``kinds``, ``missing``, ``intervals``, ...).

    Returns
    -------
    list of Table
        One per part, in the order given; ``display(*tables)`` shows them.
    """
    intervals = options.pop("intervals", None) or {}
    out = []
    for key, cols in parts.items():
        want = set(cols)
        iv = {n: b for n, b in intervals.items() if n in want}
        shown = [b for c in cols for b in (iv[c] if c in iv else (c,))]
        out.append(table(frame[[*labels, *shown]], intervals=iv, caption=t(key), **options))
    return out


def _paragraphs(raw: str) -> str:
    out, lst = [], []
    for block in re.split(r"\n\s*\n", raw.strip()):
        lines = block.strip().splitlines()
        if lines and all(ln.lstrip().startswith("- ") for ln in lines):
            lst = "".join(f"<li>{_inline(ln.lstrip()[2:])}</li>" for ln in lines)
            out.append(f"<ul>{lst}</ul>")
        else:
            out.append(f"<p>{_inline(' '.join(ln.strip() for ln in lines))}</p>")
    return "".join(out)


def _inline(s: str) -> str:
    out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(s))
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", out)


def text(key: str, **values: Any) -> HTML:
    """A narrative block from the catalogue (``**bold**``, ```key``` and ``- `` lists), escaped."""
    raw = t(key, **{k: v for k, v in values.items()})
    return HTML(f"<div class=\"calib-text\">{_paragraphs(raw)}</div>", raw)


def note(message: str) -> HTML:
    """A one-line note (already in the reader's language), escaped."""
    return HTML(f"<div class=\"calib-note\">{html.escape(message)}</div>", message)


def heading(key: str, level: int = 2, **values: Any) -> HTML:
    """A heading from the catalogue."""
    s = t(key, **values)
    return HTML(f"<h{level}>{html.escape(s)}</h{level}>", s)


def section(key: str, level: int = 2, **values: Any) -> None:
    """Show the heading ``<key>.h`` and, when the catalogue has one, the narrative ``<key>.text``."""
    from IPython.display import display

    from calib.report.labels import has

    display(heading(f"{key}.h", level))
    if has(f"{key}.text"):
        display(text(f"{key}.text", **values))


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    from pathlib import Path

    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, dict):
        return [r for k, v in value.items() for r in _flatten(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list, tuple)) for v in value):
        return [r for i, v in enumerate(value) for r in _flatten(v, f"{prefix}[{i + 1}]")]
    if isinstance(value, (list, tuple)):
        return [(prefix, ", ".join(str(v) for v in value))]
    if isinstance(value, Path):
        return [(prefix, value.name or str(value))]
    if isinstance(value, bool):
        return [(prefix, "true" if value else "false")]
    return [(prefix, fmt.MISSING if value is None else str(value))]


def params_table(P: Any, blocks: tuple[str, ...] | None = None) -> Table:
    """The run's parameters: each one's name in the reader's words, its key and value exactly as
    in ``params.yaml`` (code face: an auditor compares them with the file) and, for a coded value
    (a method, a rule, a comparison, yes/no), how it reads (:mod:`calib.report._params`).

    Parameters
    ----------
    P : calib.params model
        The validated parameters (``P.plain()`` gives the dict).
    blocks : tuple of str, optional
        Only these top-level blocks.
    """
    if hasattr(P, "plain"):  # folders as params.yaml writes them: relative to the project root
        from calib.params import project_root

        source = getattr(P, "source", None)
        plain = P.plain(project_root(source) if source else None)
    else:
        plain = dict(P)
    if blocks:
        plain = {b: plain[b] for b in blocks if b in plain}
    from calib.report._params import param_name, param_reading
    from calib.report.labels import get_lang

    lang = get_lang()
    rows = [(param_name(k, lang) or k, k, v, param_reading(k, v, lang, plain)) for k, v in _flatten(plain)]
    frame = pd.DataFrame(rows, columns=["param_name", "param_key", "param_value", "param_reading"])
    # key and value exactly as written in params.yaml (code face): an auditor compares them with the file;
    # the reading is in words already (not worded again: "deceased, missing, absconded" read as
    # the column names "Deceased, Missing, Absconded")
    return table(frame, max_rows=None, kinds={"param_key": "code", "param_value": "code", "param_reading": "raw"})


def begin(report: str) -> None:
    """Show the report's title and the conclusions placeholder (filled by ``conclude``).

    Parameters
    ----------
    report : str
        Catalogue prefix of the report (``"nb01"``): uses ``<report>.title`` and ``<report>.intro``.
    """
    from IPython.display import display

    from calib.report.record import TITLE_MIME

    title = t(f"{report}.title")
    display({"text/html": f"{CSS}<h1>{html.escape(title)}</h1>", "text/plain": title,
             TITLE_MIME: {"title": title, "lang": get_lang()}}, raw=True)
    ph = t("conclusions.pending")
    display({"text/html": f"<section id=\"{CONCLUSIONS_ID}\"><p>{html.escape(ph)}</p></section>",
             "text/plain": ph}, raw=True, display_id=_DISPLAY_ID)
    _STATE["begun"] = True
    display(text(f"{report}.intro"))
