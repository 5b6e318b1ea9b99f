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
"""
from __future__ import annotations

import re
import string
import warnings
from functools import lru_cache
from typing import Any

from calib.errors import CalibParamsError
from calib.report._metrics import METRICS
from calib.report._terms import _GROUP_WORDS, KINDS, REASONS, TERMS, VALUES
from calib.report._texts import TEXTS

__all__ = ["LANGS", "DEFAULT_LANG", "MissingLabelWarning", "set_lang", "get_lang", "t", "_",
           "column_label", "metric_label", "metric_kind", "value_label", "coded_words", "kind_of", "has",
           "catalogue_keys"]

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


@lru_cache(maxsize=4096)
def _fields(text: str) -> frozenset[str]:
    """The placeholders of a catalogue text (``{n}`` -> ``n``); empty for a plain text."""
    if "{" not in text:
        return frozenset()
    return frozenset(f for _, f, _, _ in string.Formatter().parse(text) if f)


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
    (its caller formats it); with ``fmt`` a placeholder nobody fills raises ``KeyError``.
    """
    fields = _fields(text)
    if not fields:
        return text.format(**fmt) if fmt else text
    open_ = fields - set(fmt or ())
    words = _fixed(open_, lang)
    if not fmt and set(words) != open_:
        return text
    return text.format(**{**words, **(fmt or {})})


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
            return _pick(entry, lang).format(*groups)
    return value
