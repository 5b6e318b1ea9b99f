"""Quarterly snapshots of a programme whose population drifts: the history a monitoring report
needs (earlier evaluations of the sample)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from calib.synth.fast import generate_fast, write_fast
from calib.synth.generate import SAMPLE_SEED, SynthResult, generate, write

__all__ = ["quarter_ends", "quarterly_snapshots", "write_snapshots", "write_snapshot"]


def quarter_ends(end: str, quarters: int) -> list[pd.Timestamp]:
    """The ``quarters`` quarter ends before ``end``, oldest first (``end`` excluded)."""
    e = pd.Timestamp(end).normalize()
    return [(e - pd.offsets.QuarterEnd(k)).normalize() for k in range(quarters, 0, -1)]


def _drift(k: int, per_quarter: float) -> float:
    return per_quarter * k


def _snapshot(as_of: str, *, seed: int, villages: int, households_per_village: int,
              drift: float, fast: bool) -> SynthResult:
    if fast:
        return generate_fast(seed=seed, villages=villages,
                             households_per_village=households_per_village, as_of=as_of,
                             drift=drift)
    return generate(seed=seed, villages=villages, households_per_village=households_per_village,
                    as_of=as_of, drift=drift)


def quarterly_snapshots(seed: int = SAMPLE_SEED, quarters: int = 4, *, end: str = "2026-06-30",
                        villages: int = 90, households_per_village: int = 85,
                        drift_per_quarter: float = 0.15,
                        fast: bool = False) -> list[tuple[pd.Timestamp, SynthResult]]:
    """Programmes as of the ``quarters`` quarter ends before ``end``, with a drifting population.

    Parameters
    ----------
    seed : int
        Snapshot ``k`` quarters before ``end`` is drawn with seed ``seed + k``.
    quarters : int
        How many quarter ends before ``end``.
    end : str
        The latest evaluation (the sample's ``as_of``); not generated.
    villages, households_per_village : int
        Size of each snapshot (the sample's by default).
    drift_per_quarter : float
        ``k`` quarters before ``end`` the households' bureau factor is higher by
        ``k * drift_per_quarter`` standard deviations (business by half of it): credit quality
        falls quarter by quarter towards ``end``, so population stability indices against the
        oldest snapshot grow.
    fast : bool
        Draw with the vectorised generator (:func:`calib.synth.generate_fast`, for programmes
        of county or province size) instead of the reference generator of ``data/sample``
        (:func:`calib.synth.generate`, dirty rows included). Earlier quarters of a programme
        must come from the generator that made it: the two draw different populations, and
        a history mixing them measures the generators' difference at its last point.

    Returns
    -------
    list of (Timestamp, SynthResult)
        Oldest first; each as of its quarter end (every date of the programme moved with it).
    """
    out = []
    ends = quarter_ends(end, quarters)
    for i, q in enumerate(ends):
        k = len(ends) - i
        out.append((q, _snapshot(str(q.date()), seed=seed + k, villages=villages,
                                 households_per_village=households_per_village,
                                 drift=_drift(k, drift_per_quarter), fast=fast)))
    return out


def write_snapshot(folder: str | Path, as_of: str, *, seed: int, villages: int = 90,
                   households_per_village: int = 85, drift: float = 0.0, fast: bool = False,
                   fmt: str = "csv") -> Path:
    """Write one programme as of ``as_of`` to ``folder`` (the reference generator's files, or
    the vectorised generator's streamed; see :func:`quarterly_snapshots` for the arguments)."""
    folder = Path(folder)
    if fast:
        write_fast(folder, fmt=fmt, seed=seed, villages=villages,
                   households_per_village=households_per_village, as_of=as_of, drift=drift)
        return folder
    return write(_snapshot(as_of, seed=seed, villages=villages,
                           households_per_village=households_per_village, drift=drift,
                           fast=False), folder, fmt=fmt)


def write_snapshots(out: str | Path, seed: int = SAMPLE_SEED, quarters: int = 4, *,
                    end: str = "2026-06-30", villages: int = 90,
                    households_per_village: int = 85, drift_per_quarter: float = 0.15,
                    fmt: str = "csv", fast: bool = False) -> list[tuple[pd.Timestamp, Path]]:
    """Write the snapshots of :func:`quarterly_snapshots` to ``out/<as_of>/``.

    Returns
    -------
    list of (Timestamp, Path)
        Each snapshot's ``as_of`` and folder, oldest first.
    """
    res = []
    ends = quarter_ends(end, quarters)
    for i, q in enumerate(ends):
        k = len(ends) - i
        folder = write_snapshot(Path(out) / str(q.date()), str(q.date()), seed=seed + k,
                                villages=villages, households_per_village=households_per_village,
                                drift=_drift(k, drift_per_quarter), fast=fast, fmt=fmt)
        res.append((q, folder))
    return res
