"""The sample bundle's headline figures equal the recorded ones (``golden/sample_metrics.json``).

A change that only makes calib faster or tidier (the Arrow loader, the consensus solver, the
display layer) must leave every figure of ``calib run params/sample.yaml`` as it was. A change
that is meant to move a figure regenerates the golden file in the same commit and says why:
copy ``metrics.json`` of a fresh sample bundle over ``tests/report/golden/sample_metrics.json``.
07 (monitoring) reads the run history and is left out: its figures depend on earlier runs.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

GOLDEN = Path(__file__).with_name("golden") / "sample_metrics.json"
HISTORY_DEPENDENT = {"07_monitoring"}

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def _same(a, b, rel: float) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):  # distributions, rates by grade
        return a.keys() == b.keys() and all(_same(a[k], b[k], rel) for k in a)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12) or (a != a and b != b)
    return a == b


def _differences(got: dict, want: dict, rel: float = 1e-6) -> list[str]:
    """Figures that differ by more than ``rel`` (relative): far below what any page prints
    (the consensus fixed point is solved to 1e-8 in log terms, so a solver change may move
    the ninth digit, not a figure a reader sees)."""
    out = []
    for nb in sorted(set(got) | set(want)):
        if nb in HISTORY_DEPENDENT:
            continue
        g, w = got.get(nb), want.get(nb)
        if g is None or w is None:
            out.append(f"{nb}: {'missing' if g is None else 'not in the golden file'}")
            continue
        for k in sorted(set(g) | set(w)):
            a, b = g.get(k, "<absent>"), w.get(k, "<absent>")
            if not _same(a, b, rel):
                out.append(f"{nb}.{k}: {a!r} (golden {b!r})")
    return out


def test_differences_are_found():
    want = {"01": {"a": 1.0, "b": "x"}, "07_monitoring": {"z": 1}}
    assert _differences({"01": {"a": 1.0, "b": "x"}, "07_monitoring": {"z": 2}}, want) == []
    assert _differences({"01": {"a": 1.0 + 1e-5, "b": "x"}}, want) == ["01.a: 1.00001 (golden 1.0)"]
    assert _differences({"01": {"a": 1.0 + 1e-8, "b": "x"}}, want) == []
    nested = {"01": {"a": {"A": 0.5, "B": 0.5}}}
    assert _differences({"01": {"a": {"A": 0.5, "B": 0.5 + 1e-8}}}, nested) == []
    assert _differences({"01": {"a": {"A": 0.4, "B": 0.6}}}, nested) == ["01.a: {'A': 0.4, 'B': 0.6} (golden {'A': 0.5, 'B': 0.5})"]
    assert _differences({"01": {"a": 1.0}}, want) == ["01.b: '<absent>' (golden 'x')"]


def test_sample_figures_equal_the_golden_ones(reader_bundle):
    got = json.loads((reader_bundle / "metrics.json").read_text(encoding="utf-8"))
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    diffs = _differences(got, want)
    assert not diffs, "figures changed against tests/report/golden/sample_metrics.json:\n" + "\n".join(diffs)
