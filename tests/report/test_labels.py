"""The label catalogue: every key the notebooks (and their findings modules) use exists, in both languages, with the same fields."""
from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pandas as pd
import pytest

from calib.report import labels
from calib.report._texts import TEXTS

ROOT = Path(__file__).resolve().parents[2]
CALL = re.compile(r"\b(?:t|section|text|heading|begin)\(\s*\"([A-Za-z0-9_.\-]+)\"")
#: a report's own key anywhere in a call (the other branch of ``t("nb05.summary" if ... else "nb05.summary_none")``)
OWN = re.compile(r"\"(nb0[1-7]\.[A-Za-z0-9_.\-]+)\"")


def _notebook_keys() -> set[str]:
    """The catalogue keys the reports name literally: in the notebooks and in the modules that
    word their conclusions (:mod:`calib.report.findings`)."""
    keys = set()
    for nb in sorted((ROOT / "notebooks").glob("0[1-6]_*.ipynb")):
        src = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"])
        keys |= set(CALL.findall(src)) | set(OWN.findall(src))
    for module in sorted((ROOT / "src" / "calib" / "report" / "findings").glob("*.py")):
        src = module.read_text(encoding="utf-8")
        keys |= set(CALL.findall(src)) | set(OWN.findall(src))
    return keys


def test_every_key_used_by_a_notebook_is_catalogued():
    keys = _notebook_keys()
    assert len(keys) > 150
    missing = []
    for k in sorted(keys):
        if k.startswith("nb0") and not k.endswith((".h", ".text", ".title", ".intro")) and "." in k[5:]:
            base_ok = labels.has(k)
        else:
            base_ok = labels.has(k) or labels.has(f"{k}.h") or labels.has(f"{k}.title")
        if not base_ok:
            missing.append(k)
    assert not missing, missing


def test_both_languages_have_the_same_fields():
    """The placeholders a text prints are the same in both languages; an English plural selector
    (``{n, plural, ...}``, which Formatter cannot parse) may name a count the Chinese text does not
    print, only to choose a word's form (``noun.profiled``; Chinese has no plural)."""
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(labels._plain(s)) if f}  # noqa: E731
    bad = [k for k, (zh, en) in TEXTS.items() if fields(zh) != fields(en) or not labels._fields(zh) <= labels._fields(en)]
    assert not bad, bad
    assert not [k for k in TEXTS if "`" in k]


def test_index_words_come_from_the_catalogue_in_both_languages():
    """The index page's words (issue 11 item 1) are catalogue entries, not a dict of their own."""
    import warnings

    from calib.report.labels import MissingLabelWarning, has
    from calib.reporting.index import UI_KEYS, ui_words

    assert all(has(k) for k in UI_KEYS.values())
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingLabelWarning)
        zh, en = ui_words("zh-CN"), ui_words("en")
    assert zh["ok"] == "成功" and en["ok"] == "OK" and zh.keys() == en.keys() == UI_KEYS.keys()
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert not [v for v in en.values() if cjk.search(v)]
    assert all(cjk.search(v) for k, v in zh.items() if k != "params_digest")


def test_no_english_entry_holds_chinese_text():
    """An English page shows no Chinese words from the catalogue (only data: village and person names)."""
    from calib.report._metrics import METRICS
    from calib.report._terms import REASONS, TERMS, VALUES

    cjk = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
    entries = {**TEXTS, **TERMS, **VALUES, **{k: v[:2] for k, v in METRICS.items()},
               **{p: e for p, e in REASONS}}
    bad = {k: v[1] for k, v in entries.items() if cjk.search(v[1])}
    assert not bad, bad


def test_every_consensus_method_is_told_in_words():
    """Report 02 tells the reader the consensus method of the parameters (``nb02.method.<m>``, an
    f-string key the scan above cannot see): one entry per method, in both languages, the Chinese
    without the parameter's code name; the notebook picks it by the parameter."""
    from calib.consensus.limits import METHODS

    src = (ROOT / "notebooks" / "02_peer_consensus.ipynb").read_text(encoding="utf-8")
    assert "nb02.method.{P.consensus.method}" in src
    for m in METHODS:
        zh, en = labels.t(f"nb02.method.{m}", "zh-CN", trim="20%"), labels.t(f"nb02.method.{m}", "en", trim="20%")
        assert zh != en and m not in zh and not re.search(r"[A-Za-z]+_[A-Za-z]+", zh), (m, zh)
        said = labels.t("nb02.consensus.text", "zh-CN", method=zh)
        assert zh in said and "adjusted" not in said
    assert "不扣除" in labels.t("nb02.method.median", "zh-CN") and "不扣除" not in labels.t("nb02.method.adjusted", "zh-CN")


def test_no_dict_literal_repeats_a_key():
    """A catalogue (or any table of the package) written twice under one key silently keeps the
    last entry: the first is dead text that may say something else."""
    import ast
    from collections import Counter

    found = []
    for f in sorted((Path(labels.__file__).parents[1]).rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = Counter(k.value for k in node.keys if isinstance(k, ast.Constant))
                found += [f"{f.name}:{node.lineno}: {k!r}" for k, n in keys.items() if n > 1]
    assert not found, found


def test_coded_words_pre_test_words_what_value_label_words():
    """coded_words tries only catalogue keys and texts with a separator or a space against the
    reasons (a province's distinct household numbers are not); the result must be the one of
    value_label on every distinct text, keys, reasons, lists and plain texts alike."""
    import pandas as pd

    from calib.io import specs

    assert labels._MAY_WORD is not None  # every reason needs a space: the pre-test is on
    reasons = [specs.REASON_TOTAL, specs.REASON_EXCEL_NUMBER, specs.REASON_CONTROL,
               "duplicate person: same ID number as row 17", "rating outside 1-5",
               "the same reviewer reviewed this household twice (first at row 5)", "[-inf, 0.25)"]
    keys = sorted(labels.VALUES)[:200] + sorted(labels.TERMS)[:200]
    plain = ["H0010001", "R00101", "东村", "2026-06-30", "AAA", "ratingoutside1-5", "pass;fail", "pass,final",
             "overall", "", "x y"]
    texts = keys + reasons + plain
    for lang in labels.LANGS:
        got = labels.coded_words(pd.Series(texts, dtype=object), lang).tolist()
        assert got == [labels.value_label(v, lang) for v in texts]
    # and it words something: the test can fail
    assert labels.coded_words(pd.Series(["rating outside 1-5"]), "zh-CN").iloc[0] != "rating outside 1-5"


def test_needs_space_reads_only_mandatory_spaces():
    assert labels._needs_space("rating outside 1-5")
    assert labels._needs_space(r"only (\d+) villages: .*")
    for p in ("a|b c", "(a b)", "[ ,]x", "a *", "a ?b", r"a\sb", "ab"):
        assert not labels._needs_space(p), p


def test_no_catalogue_key_is_written_twice():
    """A dict literal keeps the last of two equal keys without a word: a term or a kind written
    twice in the catalogues (the shared terms and each report's texts) would silently lose one."""
    import ast
    from pathlib import Path

    import calib.report as r

    twice = {}
    for f in sorted(Path(r.__file__).parent.glob("_*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                dup = sorted({k for k in keys if keys.count(k) > 1})
                if dup:
                    twice[f.name] = dup
    assert not twice, twice


def test_a_fixed_threshold_placeholder_is_filled_at_lookup(monkeypatch):
    """A catalogue entry that states a fixed threshold takes a placeholder; a lookup fills it from
    the home unless its caller gives it, and leaves a text with other open placeholders as it is
    (its caller formats it), so that no other entry changes."""
    from calib.consensus import tables
    from calib.report import _terms

    monkeypatch.setitem(_terms.TERMS, "test.fixed", ("超过 {shift_threshold}，共 {n} 户", "above {shift_threshold}, {n} households"))
    monkeypatch.setattr(tables, "SHIFT_THRESHOLD", 0.15)
    assert labels.t("test.fixed", "zh-CN", n="3") == "超过 15%，共 3 户"
    assert labels.t("test.fixed", "en", n="3", shift_threshold="x") == "above x, 3 households"  # the caller's wins
    assert labels.t("test.fixed", "en") == "above {shift_threshold}, {n} households"   # {n} is the caller's
    assert labels.t("note.missing", "en") == "“—” in {col}: {why}"
    assert labels.t("change.up", "en", amount="1") == "up 1"
    monkeypatch.setitem(_terms.TERMS, "test_fixed_only", ("超过 {shift_threshold}", "above {shift_threshold}"))
    assert labels.t("test_fixed_only", "en") == labels.value_label("test_fixed_only", "en") == "above 15%"
    with pytest.raises(KeyError):  # a placeholder nobody fills still fails loudly
        labels.t("test.fixed", "en", m="1")


def test_a_reason_states_the_numbers_of_the_message_it_words():
    """A reason's pattern reads a count or a scale from the message (the loader's rating scale, the
    villages a bootstrap caution was raised below) instead of typing it: the words follow the code
    that raised it, and a changed value is still worded, not left in English."""
    assert labels.value_label("rating outside 1-5", "zh-CN") == "评分不在 1 到 5 之间"
    assert labels.value_label("rating outside 0-10", "zh-CN") == "评分不在 0 到 10 之间"
    msg = "only 9 villages: the cluster bootstrap interval is unreliable below ~25"
    assert labels.value_label(msg, "zh-CN") == "只有 9 个村：村数少于约 25 个时，按村自助法的区间不可靠"


def test_the_models_terms_read_as_names_in_one_case():
    """English cells down a coefficient or characteristic column (report 04's tables, report
    05's PD model, the loader's column of a problem) were mixed: 'Model score', 'business
    rating', 'Points', "head's age", 'intercept'. Every term of the scorecard and of the points
    PD model is written as a name, capitalised as the column headers are; Chinese unchanged."""
    from calib import features
    from calib.pricing import DEFAULT_CONTROLS

    terms = ["(intercept)", "const", "points_per_step", *features.CHARACTERISTICS, *DEFAULT_CONTROLS]
    words = {k: labels.value_label(k, "en") for k in terms}
    assert all(w.lstrip("(")[0].isupper() for w in words.values()), words
    assert words["business_rating"] == "Business rating" and words["no_points"] == "No points record"
    assert labels.value_label("business_rating", "zh-CN") == "经营情况评分"


def test_every_column_of_the_data_contract_has_a_header():
    """A quarantined cell's column is shown by its header (report 01, quarantine.xlsx): the
    relations table's 'relation', the loans' 'interest_rate' and 13 more had none and reached
    the page as code names."""
    from calib.io.specs import SPECS

    missing = [(table, c.name) for table, cols in SPECS.items() for c in cols if c.name not in labels.TERMS]
    assert not missing
    assert labels.column_label("relation", "en", unit=False) == "Relation"
    assert labels.names_in_words(pd.Series(["relation", "interest_rate"]), "column_name", "zh-CN").tolist() == ["关系", "执行利率"]
