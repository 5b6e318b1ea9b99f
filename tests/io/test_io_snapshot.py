"""Validated snapshots (issue 14 item 2): written once, read back exactly; the load cache."""
import json
import shutil

import pandas as pd
import pytest

from calib.errors import CalibInputError
from calib.io import file_sha256, load_programme, read_snapshot, write_snapshot
from calib.io import load as load_module
from calib.programme import TABLES

from _io_golden import programme_digest
from _support import AS_OF, SAMPLE

PII = ["id_number", "head_id_number", "name", "phone", "address"]


@pytest.fixture(scope="module")
def snap(sample_programme, tmp_path_factory):
    folder = tmp_path_factory.mktemp("snap") / "snapshot"
    return folder, write_snapshot(sample_programme, folder)


def test_snapshot_reads_back_what_was_written_with_personal_data_masked(sample_programme, snap):
    folder, manifest = snap
    back = read_snapshot(folder)
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8")) == manifest
    for t in TABLES:
        a, b = sample_programme.table(t), back.table(t)
        if a is None:
            assert b is None
            continue
        keep = [c for c in a.columns if c not in PII]
        pd.testing.assert_frame_equal(a[keep], b[keep])
        assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(sample_programme.quarantine, back.quarantine)
    pd.testing.assert_frame_equal(sample_programme.counts, back.counts)
    assert back.as_of == sample_programme.as_of
    ro = back.roster
    assert ro["id_number"].str.contains(r"\*").all() and ro["phone"].dropna().str.contains(r"\*").all()
    assert not set(ro["id_number"]) & set(sample_programme.roster["id_number"])
    assert manifest["personal_data"] == "masked"


def test_manifest_names_the_inputs_by_digest(sample_programme, snap):
    _, manifest = snap
    for t, f in sample_programme.files.items():
        assert manifest["inputs"][t]["sha256"] == file_sha256(f)
    assert read_snapshot(snap[0]).digests == sample_programme.digests
    assert manifest["tables"]["roster"]["rows"] == len(sample_programme.roster)


def test_a_changed_snapshot_file_is_refused(snap, tmp_path):
    copy = tmp_path / "s"
    shutil.copytree(snap[0], copy)
    (copy / "quarantine.parquet").write_bytes(b"PAR1 tampered")
    with pytest.raises(CalibInputError, match="quarantine.parquet is missing or was changed"):
        read_snapshot(copy)
    with pytest.raises(CalibInputError, match="not a calib snapshot"):
        read_snapshot(tmp_path)


def test_load_cache_reuses_a_snapshot_only_for_the_same_inputs_and_as_of(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("truth"))
    cache = tmp_path / "cache"
    first = load_programme(data, as_of=AS_OF, cache_dir=cache)
    golden = json.loads((__import__("pathlib").Path(__file__).parent / "golden" / "sample_2026-06-30.json")
                        .read_text(encoding="utf-8"))
    calls = []
    real = load_module.validate_tables
    monkeypatch.setattr(load_module, "validate_tables", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = load_programme(data, as_of=AS_OF, cache_dir=cache)
    assert calls == []  # read from the cache
    got = json.loads(json.dumps(programme_digest(again), ensure_ascii=False, sort_keys=True))
    assert got["tables"] == golden["tables"] and got["quarantine"] == golden["quarantine"]
    assert again.files == first.files and again.path == data
    load_programme(data, as_of="2026-07-01", cache_dir=cache)
    assert calls == [1]  # another as_of: validated again
    with open(data / "points.csv", "a", encoding="utf-8") as fh:
        fh.write("H0010001,2026,5\n")
    changed = load_programme(data, as_of=AS_OF, cache_dir=cache)
    assert calls == [1, 1] and len(changed.points) == len(first.points) + 1
