"""Bundles pile up under a nightly schedule: ``calib prune`` removes those outside a retention
the bank sets, never ``latest`` or ``latest-failed``, nothing that is not a bundle, and only
when given a rule."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from calib import cli
from calib.errors import CalibError
from calib.reporting.publish import PRUNED_PREFIX, clean_leftovers, prune_bundles

NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.timezone.utc)


def _bundle(root: Path, day: str, tag: str) -> str:
    run_id = f"{day}T010000000-{tag}"
    (root / run_id).mkdir()
    (root / run_id / "index.html").write_text("x" * 1000)
    (root / run_id / "manifest.json").write_text("{}")
    return run_id


@pytest.fixture
def reports(tmp_path) -> tuple[Path, list[str]]:
    """Ten nightly bundles (oldest first), ``latest`` at the newest, ``latest-failed`` at the
    oldest but one; a run in the making, the backfill's snapshots, the history, a bank's own
    folder beside them."""
    root = tmp_path / "reports"
    root.mkdir()
    ids = [_bundle(root, f"202611{d:02d}", f"{d:06x}") for d in range(20, 30)]
    os.symlink(ids[-1], root / "latest")
    os.symlink(ids[1], root / "latest-failed")
    (root / ".tmp-20261130T010000000-abcdef").mkdir()
    (root / "snapshots" / "2026-03-31").mkdir(parents=True)
    (root / "history.sqlite").write_bytes(b"SQLite format 3\x00")
    (root / "审计留存").mkdir()
    return root, ids


def _left(root: Path) -> set[str]:
    return {p.name for p in root.iterdir()} - {".latest.lock"}  # the folder's own lock


def test_bundles_older_than_the_days_go_the_pinned_and_the_rest_stay(reports):
    root, ids = reports
    before = _left(root)
    seen = prune_bundles(root, keep_days=5, now=NOW, dry_run=True)  # within 5 days: 26 Nov on
    assert _left(root) == before
    assert seen["run_id"].tolist() == ids
    assert seen["action"].tolist() == ["would remove", "kept", *["would remove"] * 4, *["kept"] * 4]
    assert seen.loc[1, "why"] == "latest-failed" and seen.loc[9, "why"] == "latest"
    assert seen.loc[0, "why"] == "older than 5 days" and seen.loc[6, "why"] == "within 5 days"
    assert (seen["bytes"] == 1002).all()
    got = prune_bundles(root, keep_days=5, now=NOW)
    assert got["action"].tolist() == ["removed", "kept", *["removed"] * 4, *["kept"] * 4]
    gone = {ids[0], *ids[2:6]}
    assert _left(root) == before - gone
    assert os.readlink(root / "latest") == ids[-1] and os.readlink(root / "latest-failed") == ids[1]


def test_the_newest_n_stay_and_both_rules_keep_what_either_keeps(reports):
    root, ids = reports
    got = prune_bundles(root, keep_last=3, now=NOW)
    assert got.loc[got["action"] == "kept", "run_id"].tolist() == [ids[1], *ids[7:]]
    assert got.loc[0, "why"] == "beyond the last 3" and got.loc[8, "why"] == "among the last 3"
    root2 = root.parent / "again"
    root2.mkdir()
    ids2 = [_bundle(root2, f"202611{d:02d}", f"{d:06x}") for d in range(20, 30)]
    got = prune_bundles(root2, keep_days=2, keep_last=4, now=NOW)  # the days keep 2, the count 4
    assert got.loc[got["action"] == "kept", "run_id"].tolist() == ids2[6:]
    assert got.loc[0, "why"] == "older than 2 days and beyond the last 4"
    assert prune_bundles(root2, keep_last=0, now=NOW)["action"].eq("removed").all()  # no latest: all go
    assert _left(root2) == set()


def test_a_prune_killed_midway_leaves_a_hidden_folder_the_next_run_removes(reports):
    root, ids = reports
    os.replace(root / ids[0], root / f"{PRUNED_PREFIX}{ids[0]}")  # renamed, not yet removed
    assert f"{PRUNED_PREFIX}{ids[0]}" in clean_leftovers(root, "20261201T000000000-000000")
    assert not (root / f"{PRUNED_PREFIX}{ids[0]}").exists()
    assert (root / ".tmp-20261130T010000000-abcdef").exists() is False  # an unlocked leftover, older
    os.replace(root / ids[2], root / f"{PRUNED_PREFIX}{ids[2]}")
    prune_bundles(root, keep_last=100, now=NOW)  # a prune removes it too, and nothing else
    assert not (root / f"{PRUNED_PREFIX}{ids[2]}").exists() and (root / ids[3]).is_dir()


@pytest.mark.parametrize("kw, says", [
    ({}, "give --keep-days, --keep-last or both"),
    ({"keep_days": -1}, "--keep-days must be 0 or more"),
    ({"keep_last": -2}, "--keep-last must be 0 or more"),
])
def test_no_rule_or_a_negative_one_removes_nothing(reports, kw, says):
    root, _ = reports
    before = _left(root)
    with pytest.raises(CalibError, match=says):
        prune_bundles(root, now=NOW, **kw)
    assert _left(root) == before


def test_calib_prune_says_what_it_removes_and_exits_2_without_a_rule(reports, capsys, tmp_path):
    root, ids = reports
    assert cli.main(["prune", str(root), "--keep-last", "8", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"would remove {ids[0]} (0.0 MB; beyond the last 8)",
                   "prune: would remove 1 bundle (0.0 MB), kept 9; the run history keeps every run's figures"]
    assert cli.main(["prune", str(root), "--keep-last", "8"]) == 0
    assert not (root / ids[0]).exists() and (root / ids[1]).exists()
    assert cli.main(["prune", str(root)]) == 2
    assert "nothing is removed without a rule" in capsys.readouterr().err
    assert cli.main(["prune", str(tmp_path / "nowhere"), "--keep-days", "30"]) == 2
    assert "nowhere: no such reports folder" in capsys.readouterr().err
