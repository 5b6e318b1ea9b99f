"""The label catalogue: every key the notebooks use exists, in both languages, with the same fields."""
from __future__ import annotations

import json
import re
import string
from pathlib import Path

from calib.report import labels
from calib.report._texts import TEXTS

ROOT = Path(__file__).resolve().parents[2]
CALL = re.compile(r"\b(?:t|section|text|heading|begin)\(\s*\"([A-Za-z0-9_.\-]+)\"")


def _notebook_keys() -> set[str]:
    keys = set()
    for nb in sorted((ROOT / "notebooks").glob("0[1-6]_*.ipynb")):
        src = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"])
        for k in CALL.findall(src):
            keys.add(k)
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
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
    bad = [k for k, (zh, en) in TEXTS.items() if fields(zh) != fields(en)]
    assert not bad, bad
    assert not [k for k in TEXTS if "`" in k]
