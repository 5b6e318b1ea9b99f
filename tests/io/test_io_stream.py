"""Validating table by table (issue 14 item 4): ``on_table`` and ``load_to_snapshot`` give the
same tables, quarantine, counts and snapshot files as a whole load, with each table let go."""
import json

import pandas as pd
import pytest

from calib.io import load_programme, load_to_snapshot, write_snapshot
from calib.programme import TABLES

from _edge_programme import write_edge_programme
from _support import AS_OF, SAMPLE


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    return write_edge_programme(tmp_path_factory.mktemp("edge"))


@pytest.mark.parametrize("which", ["sample", "edge"])
def test_snapshot_written_table_by_table_is_the_same_file_for_file(which, edge, sample_programme, tmp_path):
    src = SAMPLE if which == "sample" else edge
    whole = sample_programme if which == "sample" else load_programme(src, as_of=AS_OF)
    assert len(whole.quarantine) > 0  # the rules that cross tables are exercised
    expected = write_snapshot(whole, tmp_path / "whole")
    seen = []

    def keep(t, df):
        seen.append(t)
        return df[["household_id"]] if t == "roster" else None

    manifest, prog = load_to_snapshot(tmp_path / "streamed", src, as_of=AS_OF, keep=keep)
    assert json.dumps(manifest, sort_keys=True) == json.dumps(expected, sort_keys=True)
    files = sorted(p.relative_to(tmp_path / "whole") for p in (tmp_path / "whole").rglob("*") if p.is_file())
    assert len(files) >= 5
    for f in files:
        assert (tmp_path / "streamed" / f).read_bytes() == (tmp_path / "whole" / f).read_bytes(), f
    assert seen == [t for t in TABLES if whole.table(t) is not None]
    pd.testing.assert_frame_equal(prog.roster, whole.roster[["household_id"]])
    assert all(prog.table(t) is None for t in TABLES if t != "roster")
    pd.testing.assert_frame_equal(prog.quarantine, whole.quarantine)
    pd.testing.assert_frame_equal(prog.counts, whole.counts)
    assert prog.digests == whole.digests


def test_on_table_sees_each_accepted_table_once_and_the_programme_keeps_its_answer(edge):
    whole = load_programme(edge, as_of=AS_OF)
    got = {}

    def on_table(t, df):
        got[t] = df
        return df if t != "reviews" else df[["household_id", "proposed_limit"]]

    prog = load_programme(edge, as_of=AS_OF, on_table=on_table)
    for t in TABLES:
        if whole.table(t) is None:
            assert t not in got
            continue
        pd.testing.assert_frame_equal(got[t], whole.table(t))
    pd.testing.assert_frame_equal(prog.reviews, whole.reviews[["household_id", "proposed_limit"]])
    pd.testing.assert_frame_equal(prog.quarantine, whole.quarantine)
    with pytest.raises(ValueError, match="cache_dir"):
        load_programme(edge, as_of=AS_OF, on_table=on_table, cache_dir=edge / "cache")
