"""``benchmarks/profile_load.py`` still finds the loader's stages (it wraps them by name)."""
from __future__ import annotations

import pytest
from _support import ROOT, benchmark


@pytest.fixture(scope="module")
def profile_load():
    return benchmark("profile_load")


def test_the_timeline_covers_every_table_and_stage_of_a_load(profile_load):
    import calib.io.load as L
    from calib.programme import TABLES

    before = {name: getattr(L, name) for name in [*profile_load.STAGES, "_validate_one"]}
    out = profile_load.profile(ROOT / "data" / "sample")
    assert {name: getattr(L, name) for name in before} == before  # the loader is given back as it was
    assert out["rows"] == 82_817  # the sample's rows (data/README.md)
    tables = [m["table"] for m in out["stages"] if m["stage"] == "TABLE"]
    assert tables == [t for t in TABLES if (ROOT / "data" / "sample" / f"{t}.csv").exists()]
    for t in tables:
        stages = {m["stage"] for m in out["stages"] if m["table"] == t and m["stage"] != "TABLE"}
        assert stages >= {"table rules", "accepted rows compacted", "derived columns"}, t
        assert stages & {"per-row rules", "per-row rules (read by blocks)"}, t
    for m in out["stages"]:
        assert 0 <= m["start"] <= m["end"] <= out["wall"] + 1e-6
        assert m["cores"] >= 0


def test_the_script_names_a_missing_folder(profile_load, tmp_path, capsys):
    assert profile_load.main([str(tmp_path / "nowhere")]) == 2
    assert "no such programme folder" in capsys.readouterr().err
