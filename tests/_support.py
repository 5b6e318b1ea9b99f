"""Paths, dates and helpers shared by the tests (``from _support import ROOT, write_params``).

Kept out of ``conftest.py``: with conftest files in several test folders, ``from conftest
import ...`` resolves to whichever was imported first.
"""
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
AS_OF = "2026-06-30"


def write_params(folder: Path, data: Path, nb_dir: Path | None = None, **extra) -> Path:
    """A parameter file like params/sample.yaml for ``data`` (and ``nb_dir``), written into
    ``folder``; ``extra`` keys replace the sample's."""
    raw = yaml.safe_load((ROOT / "params" / "sample.yaml").read_text(encoding="utf-8"))
    raw.update(data_dir=str(data), notebooks_dir=str(nb_dir or ROOT / "notebooks"), **extra)
    p = folder / f"params-{len(list(folder.glob('params-*')))}.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return p


def calib_cli(*args: str, timeout: int = 900, **kw) -> subprocess.CompletedProcess:
    """Run ``python -m calib ARGS`` from the project root, capturing its output."""
    return subprocess.run([sys.executable, "-m", "calib", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, **kw)


def report_pages(bundle: Path) -> list[Path]:
    """The rendered report pages of a bundle (every ``NN_*.html``)."""
    return sorted(bundle.glob("[0-9][0-9]_*.html"))
