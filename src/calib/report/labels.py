"""One catalogue of the words a reader sees: column names, metric names, verdicts, units, titles.

Lookup is gettext-style: :func:`t` (alias ``_``) takes a message key and returns its text in the
run's language (``zh-CN`` by default, ``en`` on request; :func:`set_lang` is called by
:func:`calib.report.open_run` from the parameter ``lang``). The catalogue itself lives in
:mod:`calib.report._terms` (short terms, with the display kind of each column) and
:mod:`calib.report._texts` (headings and narrative of the reports). A key missing from the
catalogue never reaches a page silently: :func:`t` warns with :class:`MissingLabelWarning`
(the tests turn the warning into an error) and shows the key in words.

An entry that states a fixed threshold (a module constant of the code that applies it) takes it
as a placeholder, never as a typed number: ``{shift_threshold}`` in a column name, ``{n_folds}``
in a metric's name. Every lookup fills such a placeholder, when its caller does not, from the
threshold's home (:func:`calib.report.methods.fixed_words_for`, the words the methods appendices
state), so that a changed constant changes every label that states it.

A count that governs a word of an English text selects the word's form, ICU MessageFormat's
``plural`` argument (gettext's ``ngettext``) written inside the text::

    "{n} of {m} {m, plural, one {village} other {villages}}"

``{count, plural, <category> {form} ...}``: the categories are CLDR's (``zero``, ``one``,
``two``, ``few``, ``many``, ``other``; English uses ``one`` and ``other``) or an exact value
``=0``; ``other`` is required. A form is plain words (no placeholder, no brace), taken as written,
spaces included. The selector does not print the count (write ``{n}`` for that); its count is a
field of the text like any placeholder (:func:`_fields` names it, a lookup that does not fill it
raises ``KeyError``). The form is chosen by Babel's CLDR plural rules of the text's language
(:func:`plural_category`) from the count as filled: an int, float, Decimal or numpy number, or
the count already formatted (``"1,234"``); the missing mark ``"—"`` (or None, NaN) takes
``other``. Chinese has no plural: the Chinese texts have no selector, and an English text may
take a count neither text prints, only to choose a form; such a count is named ``n`` or
``n_<what>`` (``noun.profiled``, whose form the count of :func:`calib.report.words.lacks`'s
sentence governs; ``{n_names, plural, one {is} other {are}}`` after a list of names). Every
other selector names a field its entry prints (tests/report/test_plurals.py holds them to it).
"""
from __future__ import annotations

import math
import numbers
import re
import string
import warnings
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from calib.errors import CalibParamsError
from calib.io.specs import FORM_HEADERS as _FORM_HEADERS
from calib.report._metrics import METRICS
from calib.report._terms import _GROUP_WORDS, KINDS, REASONS, TABLE_WORDS, TERMS, VALUES
from calib.report._texts import TEXTS

__all__ = ["LANGS", "DEFAULT_LANG", "MissingLabelWarning", "set_lang", "get_lang", "t", "_",
           "column_label", "metric_label", "metric_kind", "value_label", "coded_words", "kind_of", "has",
           "catalogue_keys", "plural_category", "format_text", "NAME_KINDS", "names_in_words"]

LANGS = ("zh-CN", "en")
DEFAULT_LANG = "zh-CN"
_STATE = {"lang": DEFAULT_LANG}
_IDX = {"zh-CN": 0, "en": 1}
_UNIT = {"yuan": "unit.yuan", "wan": "unit.wan", "yuan_year": "unit.yuan_year", "wan_year": "unit.wan_year"}


class MissingLabelWarning(UserWarning):
    """A key has no entry in the label catalogue (the page would show a code name)."""


def set_lang(lang: str | None) -> str:
    """Set the language of every label and number format; returns the language set.

    Raises
    ------
    CalibParamsError
        For a language other than ``zh-CN`` or ``en``.
    """
    lang = DEFAULT_LANG if lang in (None, "") else str(lang)
    if lang in ("zh", "zh_CN", "zh-Hans"):
        lang = "zh-CN"
    if lang not in LANGS:
        raise CalibParamsError(f"params: lang must be one of {', '.join(LANGS)}, got {lang!r}")
    _STATE["lang"] = lang
    return lang


def get_lang() -> str:
    """The current language (``zh-CN`` or ``en``)."""
    return _STATE["lang"]


def _pick(entry: tuple, lang: str | None) -> str:
    return entry[_IDX[lang or get_lang()]]


#: A plural selector ``{count, plural, one {form} other {form}}`` (module docstring).
_SELECTOR = re.compile(r"\{\s*(\w+)\s*,\s*plural\s*,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*\})+)\s*\}")
_FORM = re.compile(r"\s*(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}")
#: A count written with thousands separators (``1,234``) or none, a sign and decimals.
_COUNT_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:[,\u00a0\u202f]\d{3})+|\d+)(?:\.\d+)?")
_PLURAL_LOCALE = {"zh-CN": "zh_Hans_CN", "en": "en"}


@lru_cache(maxsize=4096)
def _selectors(text: str) -> tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]:
    """The plural selectors of a text: (selector as written, count, ((category, form), ...))."""
    if "plural" not in text:
        return ()
    return tuple((m.group(0), m.group(1), tuple(_FORM.findall(m.group(2)))) for m in _SELECTOR.finditer(text))


def _plain(text: str) -> str:
    """``text`` with its plural selectors left out (what :class:`string.Formatter` can parse)."""
    return _SELECTOR.sub("", text) if _selectors(text) else text


@lru_cache(maxsize=4096)
def _fields(text: str) -> frozenset[str]:
    """The placeholders of a catalogue text (``{n}`` -> ``n``), a plural selector's count among
    them (``{m, plural, ...}`` -> ``m``); empty for a plain text."""
    if "{" not in text:
        return frozenset()
    counts = {count for _, count, _ in _selectors(text)}
    return frozenset(f for _, f, _, _ in string.Formatter().parse(_plain(text)) if f) | counts


def _number(value: Any) -> int | float | Decimal | None:
    """A count as Babel's plural rules take it; None for a missing count (None, NaN, ``"—"``).

    Raises
    ------
    ValueError
        For a text that is not a number (``"1,234"``, ``"−2"`` and ``"1.5"`` are).
    """
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    if isinstance(value, numbers.Integral):  # numpy's integers too
        return int(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(float(value)) else None
    text = str(value).strip().replace("\u2212", "-")
    if text in ("", "—", "nan", "NaN"):
        return None
    if not _COUNT_TEXT.fullmatch(text):
        raise ValueError(f"label catalogue: a plural selector's count must be a number, got {value!r}")
    try:
        return Decimal(re.sub(r"[,\u00a0\u202f]", "", text))
    except InvalidOperation:  # pragma: no cover (the pattern admits numbers only)
        raise ValueError(f"label catalogue: a plural selector's count must be a number, got {value!r}") from None


@lru_cache(maxsize=4)
def _plural_rule(lang: str):
    from babel import Locale

    return Locale.parse(_PLURAL_LOCALE[lang]).plural_form


def plural_category(value: Any, lang: str | None = None) -> str:
    """The CLDR plural category of a count in ``lang`` (Babel's rules): ``one`` or ``other`` in
    English, ``other`` always in Chinese.

    ``value`` may be formatted already (``"1,234"``); a formatted decimal keeps its visible
    fraction, as CLDR asks (``"1.0"`` is ``other``: "1.0 villages"); a missing count (None, NaN,
    ``"—"``) is ``other``.

    Examples
    --------
    >>> plural_category(1, "en"), plural_category("1,001", "en"), plural_category(1, "zh-CN")
    ('one', 'other', 'other')
    """
    number = _number(value)
    return "other" if number is None else _plural_rule(lang or get_lang())(number)


def _form(count: Any, forms: tuple[tuple[str, str], ...], lang: str | None) -> str:
    """The form a count selects: an exact value's (``=0``) first, then its plural category's,
    else ``other``."""
    chosen = dict(forms)
    number = _number(count)
    for category, form in forms:
        if category.startswith("=") and number is not None and number == int(category[1:]):
            return form
    return chosen.get(plural_category(count, lang), chosen["other"])


def _select(text: str, values: dict[Any, Any], lang: str | None) -> str:
    """``text`` with each plural selector replaced by the form its count in ``values`` selects.

    Raises
    ------
    KeyError
        For a selector whose count ``values`` does not hold (as a missing placeholder does).
    """
    for written, count, forms in _selectors(text):
        if count not in values:
            raise KeyError(count)
        text = text.replace(written, _form(values[count], forms, lang), 1)
    return text


def _fixed(fields: frozenset[str] | set[str], lang: str | None) -> dict[str, str]:
    """The words of the fixed thresholds among ``fields`` (none when no field names one)."""
    if not fields:
        return {}
    from calib.report.methods import fixed_words_for  # lazy: methods imports this module

    return fixed_words_for(fields, lang or get_lang())


def _fill(text: str, lang: str | None, fmt: dict[str, Any] | None = None) -> str:
    """``text`` formatted with ``fmt``; a placeholder ``fmt`` leaves open that names a fixed
    threshold is filled from the threshold's home (:func:`_fixed`).

    Without ``fmt`` a text whose placeholders are not all fixed thresholds is returned as it is
    (its caller formats it); with ``fmt`` a placeholder nobody fills raises ``KeyError``, a plural
    selector's count too. Each plural selector takes the form its count selects.
    """
    fields = _fields(text)
    if not fields:
        return text.format(**fmt) if fmt else text
    open_ = fields - set(fmt or ())
    words = _fixed(open_, lang)
    if not fmt and set(words) != open_:
        return text
    values = {**words, **(fmt or {})}
    return _select(text, values, lang).format(**values)


def format_text(text: str, values: dict[str, Any], lang: str | None = None) -> str:
    """A text of another table than the catalogue (the methods appendices) formatted with
    ``values`` (``str.format_map``), each plural selector taking the form its count selects.

    Examples
    --------
    >>> format_text("{n} {n, plural, one {village} other {villages}}", {"n": "1"}, "en")
    '1 village'
    """
    return _select(text, values, lang).format_map(values)


def _words(key: str) -> str:
    return re.sub(r"[_.]+", " ", key.rsplit(".", 1)[-1]).strip()


def has(key: str) -> bool:
    """Whether ``key`` is in the catalogue (terms, values or texts)."""
    return key in TERMS or key in TEXTS or key in VALUES


def catalogue_keys() -> set[str]:
    """Every key of the catalogue."""
    return set(TERMS) | set(TEXTS) | set(VALUES)


def t(key: str, lang: str | None = None, /, **fmt: Any) -> str:
    """The text of ``key`` in ``lang`` (default: the current language), formatted with ``fmt``.

    A placeholder ``fmt`` does not fill that names a fixed threshold (``{few_clusters}``) is
    filled from the threshold's home, in the words the methods appendices use.

    Examples
    --------
    >>> t("verdict.pass", "en")
    'pass'
    """
    entry = TEXTS.get(key) or TERMS.get(key) or VALUES.get(key)
    if entry is None:
        warnings.warn(f"label catalogue: no entry for {key!r}", MissingLabelWarning, stacklevel=2)
        return _words(key)
    return _fill(_pick(entry, lang), lang, fmt)


_ = t


#: Derived columns of a term: ``<term>_figure`` (the measured value) and ``<term>_threshold``
#: have the term's kind; ``<term>_needed`` (a change in units of its own) has its own header.
_DERIVED = re.compile(r"(.+)_(figure|threshold|needed)")


def kind_of(column: str) -> str | None:
    """The display kind of a column (``yuan``, ``wan``, ``pct1``, ``p``, ``int``, ...) or None;
    a ``<term>_figure`` or ``<term>_threshold`` column has its term's (a verdict table's
    measured share is a share), on the pages and in the workbooks alike."""
    kind = KINDS.get(column)
    if kind is None:
        m = _DERIVED.fullmatch(str(column))
        if m and m.group(2) != "needed":
            kind = KINDS.get(m.group(1))
    return kind


def column_label(column: str, lang: str | None = None, *, unit: bool = True,
                 kind: str | None = None) -> str:
    """A column's header: its catalogue term, with the unit of money columns in brackets (the
    unit of ``kind`` when given: a table that shows a column in another unit than its term's
    says so in its header).

    Derived columns ``<term>_figure``, ``<term>_threshold`` and ``<term>_needed`` are worded from
    the term and the suffix (``suffix.figure`` ...).
    """
    col = str(column)
    m = _DERIVED.fullmatch(col)
    if col not in TERMS and m and m.group(1) in TERMS:
        return t("suffix." + m.group(2), lang, base=_fill(_pick(TERMS[m.group(1)], lang), lang))
    text = t(col, lang)
    u = _UNIT.get(kind if kind is not None else KINDS.get(str(column), ""))
    if unit and u:
        text += ("（{}）" if (lang or get_lang()) == "zh-CN" else " ({})").format(t(u, lang))
    return text


def metric_label(name: str, lang: str | None = None) -> str:
    """The index wording of a recorded metric; the name (with a warning) when absent.

    A threshold the wording states is filled from its home (the key stays as it is: the golden
    figures and the run history read it), e.g. ``villages_icc_ak_below_0_75`` reads "ICC(A,k)
    低于 {icc_good} 的村" with :data:`calib.report.findings.consensus.ICC_GOOD`.

    Examples
    --------
    >>> metric_label("villages_icc_ak_below_0_75", "en")
    'Villages with ICC(A,k) below 0.75'
    """
    if name in METRICS:
        return _fill(_pick(METRICS[name], lang), lang)
    warnings.warn(f"label catalogue: no entry for metric {name!r}", MissingLabelWarning, stacklevel=2)
    return name


def metric_kind(name: str) -> str | None:
    """The display kind of a recorded metric (``int``, ``pct1``, ``wan``, ``p``, ...)."""
    return METRICS[name][2] if name in METRICS else None


_REASONS = [(re.compile(p), e) for p, e in REASONS]


def _needs_space(pattern: str) -> bool:
    """Whether every match of ``pattern`` holds a space: a space among its top-level items
    (not inside an alternation, a group, a class or a repeat), read from Python's own parse of
    the pattern; False when it cannot be told."""
    try:
        from re import _parser  # the parse ``re.compile`` uses (Python 3.11+)
    except ImportError:  # pragma: no cover (an interpreter without it: no pre-test)
        return False
    try:
        items = _parser.parse(pattern)
    except re.error:  # pragma: no cover (the patterns compiled above)
        return False
    return any(op == _parser.LITERAL and arg == ord(" ") for op, arg in items)


#: What a text must hold for :func:`value_label` to word it other than as a catalogue key: a
#: list separator (``;`` or ``,``), and a space when every loader or method reason needs one
#: (else nothing is ruled out: every distinct text is tried against the reasons).
_MAY_WORD = "[;, ]" if all(_needs_space(p) for p, _ in REASONS) else None
#: Texts that are catalogue keys (values and terms).
_KEYS = frozenset(VALUES) | frozenset(TERMS)


def coded_words(column: "pd.Series", lang: str | None = None) -> "pd.Series":
    """A text column as the reader sees it, the one rule of the pages and the workbooks: every
    coded value (verdict, status, reason, total-row label such as ``overall``, bin bounds with
    ``inf``) in words by :func:`value_label`; other values unchanged. Columns of other dtypes
    are returned as they are.

    Examples
    --------
    >>> import pandas as pd
    >>> coded_words(pd.Series(["东村", "overall", "pass"]), "zh-CN").tolist()
    ['东村', '全部', '通过']
    """
    import pandas as pd

    if not (column.dtype == object or isinstance(column.dtype, pd.StringDtype)):
        return column
    texts = pd.Series([v for v in pd.unique(column.dropna()) if isinstance(v, str)], dtype=object)
    if _MAY_WORD is not None and len(texts):
        # only a catalogue key or a text with a separator or a space can be worded (the
        # distinct household numbers of a province were each tried against every reason: 1.5 s)
        texts = texts[texts.isin(_KEYS).to_numpy() | texts.str.contains(_MAY_WORD, regex=True).to_numpy()]
    words = {v: value_label(v, lang) for v in texts}
    changed = {k: w for k, w in words.items() if w != k}
    if not changed:
        return column
    return column.astype(object).map(lambda v: changed.get(v, v) if isinstance(v, str) else v)


def value_label(value: Any, lang: str | None = None) -> Any:
    """A coded cell value (``model_above_band``, ``pass``, a column name, a loader reason) in
    words; other values unchanged."""
    if not isinstance(value, str):
        return value
    if value in VALUES:
        return _fill(_pick(VALUES[value], lang), lang)
    if re.fullmatch(r"[a-z][a-z0-9_]*", value) and value in TERMS:
        return _fill(_pick(TERMS[value], lang), lang)
    parts = [p.strip() for p in re.split(r"[;,]", value)]
    if len(parts) > 1 and all(p in VALUES or p in TERMS for p in parts):
        return (", " if (lang or get_lang()) == "en" else "、").join(
            _fill(_pick(VALUES.get(p) or TERMS[p], lang), lang) for p in parts)
    for rx, entry in _REASONS:
        m = rx.fullmatch(value)
        if m:
            groups = [_pick(_GROUP_WORDS[g], lang) if g in _GROUP_WORDS else g for g in m.groups()]
            return _select(_pick(entry, lang), {str(i): g for i, g in enumerate(groups)}, lang).format(*groups)
    return value


#: Display kinds of columns of names: a programme table's (``table_name``) or a data-contract
#: column's (``column_name``), worded as names (:func:`names_in_words`), not as coded values.
NAME_KINDS = ("table_name", "column_name")


def names_in_words(column: "pd.Series", kind: str, lang: str | None = None) -> "pd.Series":
    """A column of table or column names in words: a table as the programme calls it
    (``TABLE_WORDS``: 人员信息采集表 / roster, 积分表 / points), a column as its header (in
    Chinese the collection form's, where the clerk finds it: 状态, 组名, 合理授信额度; in English
    :func:`column_label` without the unit: Township; every column of the data contract has
    one), else as :func:`value_label` words it; missing cells unchanged.

    Where coded words (:func:`coded_words`) would read ``points`` and ``township`` as the
    values they also are (the points column's header "Points"; the level "township" of a
    summary row), this keeps a column of names in one case: "Points" among "roster", "loans",
    or "township" among "Drawn amount", "Household" before.

    Examples
    --------
    >>> import pandas as pd
    >>> names_in_words(pd.Series(["points", "roster"]), "table_name", "en").tolist()
    ['points', 'roster']
    >>> names_in_words(pd.Series(["township", "drawn_amount"]), "column_name", "en").tolist()
    ['Township', 'Drawn amount']
    """
    if kind not in NAME_KINDS:
        raise ValueError(f"names_in_words: kind must be one of {NAME_KINDS}, got {kind!r}")

    zh = (lang or get_lang()) == "zh-CN"

    def word(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        if kind == "table_name":
            return _pick(TABLE_WORDS[v], lang) if v in TABLE_WORDS else v
        if zh and v in _FORM_HEADERS:  # the header the clerk finds in the form (状态, not 结论)
            return _FORM_HEADERS[v]
        return column_label(v, lang, unit=False) if v in TERMS else value_label(v, lang)

    words = {v: word(v) for v in column.dropna().unique()}
    return column.astype(object).map(lambda v: words.get(v, v) if isinstance(v, str) else v)
