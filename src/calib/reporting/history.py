"""The run history: every ``calib run`` appends its figures to a database.

By default a SQLite file beside the bundles (``reports/history.sqlite``); any SQLAlchemy URL
(``history: postgresql+psycopg://host/db`` in the parameters, the password from the driver's
environment or files) lets a team share one. Each run writes, in one transaction, one row per
notebook and headline figure: run id, as_of, start time, the notebook's status, the parameters'
SHA-256, the metric and its value (JSON). Concurrent runs both record (SQLite waits for the
other writer). :func:`read_history` gives it back as a DataFrame for the monitoring report.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from calib.errors import CalibInputError
from calib.params import is_url

__all__ = ["read_history", "record_run", "run_rows", "history_url", "runs_as_json", "COLUMNS", "DEFAULT_FILE",
           "HISTORY_ENV", "RUN_FIGURES_ENV"]

COLUMNS = ["run_id", "as_of", "started_utc", "status", "params_sha256", "notebook", "metric", "value"]
DEFAULT_FILE = "history.sqlite"
#: Set by ``calib run`` for its kernels: the history the run records to, so report 07 reads the
#: same history (``--history``, the parameter ``history`` or ``<reports>/history.sqlite``).
HISTORY_ENV = "CALIB_HISTORY"
#: Set by ``calib run`` for the notebooks that read the history (report 07), which run after
#: the others: a JSON file holding this run's figures so far, as :func:`run_rows` gives them, so
#: that the monitoring report of a run includes the run itself (it is recorded only at the end).
RUN_FIGURES_ENV = "CALIB_RUN_FIGURES"
_TABLE = "calib_history"


def history_url(db: str | Path | None, default_folder: Path | None = None) -> str:
    """A SQLAlchemy URL for ``db``: a URL as given, a path as a SQLite file, ``None`` as
    ``<default_folder>/history.sqlite`` (default folder: inside a ``calib run`` the history the
    run records to, from :data:`HISTORY_ENV`; else ``reports/`` of the current project)."""
    if db is not None and is_url(str(db)):
        return str(db)
    if db is None and default_folder is None and os.environ.get(HISTORY_ENV):
        return os.environ[HISTORY_ENV]
    if db is None:
        if default_folder is None:
            from calib.params import project_root

            default_folder = project_root(Path.cwd()) / "reports"
        db = Path(default_folder) / DEFAULT_FILE
    return f"sqlite:///{Path(db).resolve()}"


def _engine(url: str) -> Any:
    import sqlalchemy as sa

    kw: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kw["connect_args"] = {"timeout": 120}
    try:
        return sa.create_engine(url, **kw)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise CalibInputError(f"history: cannot use database URL ({type(exc).__name__}: {exc})") from None


def _table(meta: Any) -> Any:
    import sqlalchemy as sa

    return sa.Table(
        _TABLE, meta,
        sa.Column("run_id", sa.String(64), nullable=False), sa.Column("as_of", sa.String(10)),
        sa.Column("started_utc", sa.String(32)), sa.Column("run_status", sa.String(16)),
        sa.Column("status", sa.String(16)), sa.Column("params_sha256", sa.String(64)),
        sa.Column("notebook", sa.String(200), nullable=False), sa.Column("metric", sa.String(200)),
        sa.Column("value", sa.Text), sa.Index(f"ix_{_TABLE}_run", "run_id"))


def _create(eng: Any, table: Any) -> None:
    """Create the table unless it exists; a concurrent run creating it at once is no error."""
    import sqlalchemy as sa

    for attempt in range(3):
        try:
            table.metadata.create_all(eng, checkfirst=True)
            return
        except sa.exc.DBAPIError:
            if attempt == 2:
                raise


def record_run(url: str, manifest: dict[str, Any], metrics: dict[str, dict[str, Any]]) -> int:
    """Append one run (from its manifest and metrics) to the history; return the rows written.
    A notebook without figures still gets one row (``metric`` empty) carrying its status."""
    import sqlalchemy as sa

    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    eng = _engine(url)
    table = _table(sa.MetaData())
    rows = [{**r, "run_status": manifest["status"],
             "value": None if r["metric"] is None else json.dumps(r["value"], ensure_ascii=False)}
            for r in run_rows(manifest, metrics)]
    try:
        _create(eng, table)
        with eng.begin() as conn:
            conn.execute(table.insert(), rows)
    finally:
        eng.dispose()
    return len(rows)


def run_rows(manifest: dict[str, Any], metrics: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One run's history rows (columns :data:`COLUMNS`, values as recorded) from its manifest
    (``run_id``, ``started_utc``, ``parameters_sha256``, ``parameters.as_of``, ``notebooks``
    with their ``status``) and its metrics by notebook: what :func:`record_run` writes and
    :func:`read_history` gives back. A notebook without figures has one row (``metric`` None)."""
    base = {"run_id": manifest["run_id"], "as_of": str(manifest["parameters"]["as_of"]),
            "started_utc": manifest["started_utc"], "params_sha256": manifest["parameters_sha256"]}
    rows = []
    for nb in manifest["notebooks"]:
        figs = metrics.get(nb["notebook"], {}) or {None: None}
        rows += [{**base, "notebook": nb["notebook"], "status": nb["status"], "metric": k, "value": v}
                 for k, v in figs.items()]
    return rows


def read_history(db: str | Path | None = None) -> pd.DataFrame:
    """Every recorded run's figures, oldest first.

    Parameters
    ----------
    db : str or Path, optional
        A SQLAlchemy URL or a SQLite file (default ``reports/history.sqlite`` of the project).

    Returns
    -------
    pandas.DataFrame
        Columns ``run_id, as_of, started_utc, status, params_sha256, notebook, metric, value``:
        one row per run, notebook and headline figure; ``status`` is the notebook's; ``value``
        the figure as recorded (number, text, bool, list or dict). Empty with those columns when
        nothing was recorded yet.
    """
    import sqlalchemy as sa

    url = history_url(db)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return pd.DataFrame(columns=COLUMNS)
    eng = _engine(url)
    try:
        if not sa.inspect(eng).has_table(_TABLE):
            return pd.DataFrame(columns=COLUMNS)
        table = _table(sa.MetaData())
        with eng.connect() as conn:
            frame = pd.read_sql(sa.select(*[table.c[c] for c in COLUMNS]), conn)
    except sa.exc.SQLAlchemyError as exc:
        raise CalibInputError(f"history: cannot read the run history ({type(exc).__name__})") from None
    finally:
        eng.dispose()
    frame["value"] = [json.loads(v) if isinstance(v, str) else None for v in frame["value"]]
    frame["metric"] = frame["metric"].astype(object).where(frame["metric"].notna(), None)
    return frame.sort_values(["started_utc", "run_id"], kind="stable").reset_index(drop=True)


def runs_as_json(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The history as a list of runs, each with ``run_id, as_of, started_utc, status,
    params_sha256, notebooks`` (status by notebook) and ``metrics`` (as in metrics.json)."""
    out = []
    for run_id, g in frame.groupby("run_id", sort=False):
        statuses = dict(zip(g["notebook"], g["status"]))
        metrics: dict[str, dict[str, Any]] = {n: {} for n in statuses}
        for r in g[g["metric"].notna()].itertuples():
            metrics[r.notebook][r.metric] = r.value
        first = g.iloc[0]
        out.append({"run_id": run_id, "as_of": first["as_of"], "started_utc": first["started_utc"],
                    "status": "ok" if all(s == "ok" for s in statuses.values()) else "failed",
                    "params_sha256": first["params_sha256"], "notebooks": statuses, "metrics": metrics})
    return out
