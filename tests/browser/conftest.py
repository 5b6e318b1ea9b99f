"""A rendered sample bundle, shared by the reader tests (session scope: one run per test session).

Set ``CALIB_TEST_BUNDLE=/path/to/reports/<run-id>`` to test an existing bundle instead of making one.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def reader_bundle(tmp_path_factory) -> Path:
    """The bundle ``calib run params/sample.yaml`` makes (index.html, reports, metrics.json)."""
    given = os.environ.get("CALIB_TEST_BUNDLE")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("reports")
    proc = subprocess.run([sys.executable, "-m", "calib", "run", str(ROOT / "params" / "sample.yaml"), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    bundles = [p for p in out.iterdir() if p.is_dir() and not p.is_symlink() and (p / "index.html").exists()]
    assert bundles, f"no bundle written: {proc.stderr[-2000:]}"
    return max(bundles, key=lambda p: p.stat().st_mtime)


def report_pages(bundle: Path) -> list[Path]:
    """The rendered report pages of a bundle (every ``NN_*.html``)."""
    return sorted(bundle.glob("[0-9][0-9]_*.html"))
