"""The loader's output on data/sample is what it was before the io subpackage was split out."""
from pathlib import Path

from _io_golden import assert_matches_golden

GOLDEN = Path(__file__).parent / "golden" / "sample_2026-06-30.json"


def test_sample_accepted_tables_quarantine_and_counts_unchanged(sample_programme):
    assert_matches_golden(sample_programme, GOLDEN)
