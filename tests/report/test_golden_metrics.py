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


def _differences(got: dict, want: dict, rel: float = 1e-9) -> list[str]:
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
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
                same = math.isclose(a, b, rel_tol=rel, abs_tol=1e-12) or (a != a and b != b)
            else:
                same = a == b
            if not same:
                out.append(f"{nb}.{k}: {a!r} (golden {b!r})")
    return out


def test_differences_are_found():
    want = {"01": {"a": 1.0, "b": "x"}, "07_monitoring": {"z": 1}}
    assert _differences({"01": {"a": 1.0, "b": "x"}, "07_monitoring": {"z": 2}}, want) == []
    assert _differences({"01": {"a": 1.0 + 1e-6, "b": "x"}}, want) == ["01.a: 1.000001 (golden 1.0)"]
    assert _differences({"01": {"a": 1.0}}, want) == ["01.b: '<absent>' (golden 'x')"]


def test_sample_figures_equal_the_golden_ones(reader_bundle):
    got = json.loads((reader_bundle / "metrics.json").read_text(encoding="utf-8"))
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    diffs = _differences(got, want)
    assert not diffs, "figures changed against tests/report/golden/sample_metrics.json:\n" + "\n".join(diffs)
