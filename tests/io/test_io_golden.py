"""The loader's output on data/sample is what it was before the io subpackage was split out."""
import json
from pathlib import Path

from _io_golden import programme_digest

GOLDEN = Path(__file__).parent / "golden" / "sample_2026-06-30.json"


def test_sample_accepted_tables_quarantine_and_counts_unchanged(sample_programme):
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(programme_digest(sample_programme), ensure_ascii=False, sort_keys=True))
    assert got["counts"] == want["counts"]
    assert got["quarantine"] == want["quarantine"]
    for t, w in want["tables"].items():
        assert got["tables"][t] == w, t
