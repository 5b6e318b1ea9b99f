"""Paths and dates shared by the tests (import as ``from _paths import ROOT, SAMPLE, AS_OF``).

Kept out of ``conftest.py``: with conftest files in several test folders, ``from conftest
import ...`` resolves to whichever was imported first.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
AS_OF = "2026-06-30"
