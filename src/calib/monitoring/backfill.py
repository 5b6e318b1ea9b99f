"""Backfill the run history with the sample's earlier quarterly evaluations.

Each quarter end before the parameters' ``as_of`` gets a generated snapshot of the programme
(:func:`calib.synth.write_snapshot`: same size, same generator, population drifting quarter by
quarter) that
is evaluated by ``calib run`` itself (:func:`calib.runner.run_reports` with a short list of
notebooks), so its figures are those of metrics.json, computed by the same code, and the run
lands in the history like any other. The run is then marked as backfilled in the history (rows
of the pseudo-notebook ``backfill``), so the monitoring page can say which points are generated.
"""
from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from calib.errors import CalibInputError
from calib.monitoring.history import BACKFILL_NOTEBOOK, history_module, read_history

__all__ = ["backfill", "DEFAULT_NOTEBOOKS", "DRIFT_PER_QUARTER"]

#: The notebooks whose figures the monitoring report reads.
DEFAULT_NOTEBOOKS = ("03_consensus_vs_model", "04_scorecard_calibration", "06_credit_villages")
#: Drift of the snapshots' credit quality per quarter (standard deviations of the bureau factor).
DRIFT_PER_QUARTER = 0.15


def _size(data_dir: Path) -> tuple[int, int, bool]:
    """(villages, households per village, whether by the vectorised generator) of the
    programme, from its truth when generated (else the sample's size and generator)."""
    pj = Path(data_dir) / "truth" / "parameters.json"
    if pj.is_file():
        p = json.loads(pj.read_text(encoding="utf-8"))
        if p.get("villages") and p.get("households"):
            return (int(p["villages"]), max(8, round(p["households"] / p["villages"])),
                    "vectorised" in str(p.get("generator", "")))
    return 90, 85, False


def _run(params_file, overrides: dict, out_root, db, log) -> str:
    from calib.runner import run_reports

    kw: dict[str, Any] = {"overrides": overrides, "log": log}
    if out_root is not None:
        kw["out_root"] = out_root
    if "history" in inspect.signature(run_reports).parameters:
        kw["history"] = db
    return run_reports(params_file, **kw).run_id


def _mark(db, run_id: str, as_of: str, info: dict) -> None:
    """Rows of the pseudo-notebook ``backfill`` for ``run_id`` (how the snapshot was made)."""
    mod = history_module()
    url = mod.history_url(db) if hasattr(mod, "history_url") else db
    manifest = {"run_id": run_id, "parameters": {"as_of": as_of},
                "started_utc": pd.Timestamp.now(tz="UTC").isoformat(), "status": "ok",
                "parameters_sha256": "", "notebooks": [{"notebook": BACKFILL_NOTEBOOK,
                                                        "status": "ok"}]}
    mod.record_run(url, manifest, {BACKFILL_NOTEBOOK: info})


def backfill(
    params_file: str | Path,
    *,
    quarters: int = 4,
    db: str | None = None,
    notebooks: Sequence[str] = DEFAULT_NOTEBOOKS,
    out_root: str | Path | None = None,
    snapshots_dir: str | Path | None = None,
    drift_per_quarter: float = DRIFT_PER_QUARTER,
    log: Callable[[str], Any] = print,
    run: Callable[..., str] | None = None,
    mark: Callable[..., None] | None = None,
    history: Callable[[str | None], pd.DataFrame] | None = None,
) -> list[str]:
    """Record the sample's earlier quarterly evaluations in the run history.

    Parameters
    ----------
    params_file : str or Path
        The parameter file of the evaluation (``params/sample.yaml``); its ``as_of`` is the
        latest evaluation, its ``seed`` seeds the snapshots.
    quarters : int
        Quarter ends before ``as_of`` to evaluate (skipping those already recorded).
    db : str, optional
        History database (URL or SQLite file; default ``reports/history.sqlite``).
    notebooks : sequence of str
        The notebooks run on each snapshot.
    out_root : str or Path, optional
        Where the snapshots' bundles go (default ``reports/``).
    snapshots_dir : str or Path, optional
        Where the generated programmes go (default ``<out_root or reports>/snapshots``).
    drift_per_quarter : float
        See :func:`calib.synth.quarterly_snapshots`.
    log : callable
        Receives one line per step.
    run, mark, history : callable, optional
        Replace the report runner, the backfill marker and the history reader (tests).

    Returns
    -------
    list of str
        The run ids recorded, oldest quarter first (empty when every quarter was recorded).
    """
    from calib import params
    from calib.synth import quarter_ends, write_snapshot

    P = params.load(params_file)
    run = run or (lambda overrides: _run(params_file, overrides, out_root, db, log))
    if mark is None:
        if history_module() is None:
            raise CalibInputError("backfill: the run history (calib.report.history) is missing")
        mark = _mark
    done = set((history or read_history)(db)["as_of"].astype(str).str[:10])
    root = Path(out_root) if out_root else params.project_root(Path(params_file)) / "reports"
    snaps = Path(snapshots_dir) if snapshots_dir else root / "snapshots"
    villages, per_village, fast = _size(P.data_dir)
    ends = quarter_ends(str(pd.Timestamp(P.as_of).date()), quarters)
    ids = []
    for i, q in enumerate(ends):
        as_of, k = str(q.date()), len(ends) - i
        if as_of in done:
            log(f"backfill: {as_of} already recorded")
            continue
        info = {"seed": int(P.seed) + k, "drift": drift_per_quarter * k, "villages": villages,
                "households_per_village": per_village, "data_dir": f"snapshots/{as_of}",
                "generator": "vectorised" if fast else "reference"}
        write_snapshot(snaps / as_of, as_of, seed=info["seed"], villages=villages,
                       households_per_village=per_village, drift=info["drift"], fast=fast)
        run_id = run({"data_dir": str((snaps / as_of).resolve()), "as_of": as_of,
                      "notebooks": list(notebooks),
                      "title": f"{P.title} — backfilled quarter {as_of}"})
        mark(db, run_id, as_of, info)
        log(f"backfill: {as_of} recorded as run {run_id}")
        ids.append(run_id)
    return ids
