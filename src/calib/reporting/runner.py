"""Report runs: execute the parameter file's notebooks with Papermill into one audited bundle.

``calib run PARAMS.yaml`` (or :func:`run_reports`) validates the parameters once, loads and
validates the programme once into a snapshot the notebooks read (table by table,
:func:`calib.io.load_to_snapshot`), executes the listed notebooks (``jobs`` at a time, each in its own kernel
over IPC) and writes one bundle ``reports/<run-id>/``:

- ``<notebook>.ipynb`` executed, and ``<notebook>.html`` rendered without code, fully offline;
- ``metrics.json``: the headline figures each notebook recorded (:func:`calib.report.record`);
- ``manifest.json``: run id, UTC start and end, parameters and their SHA-256, SHA-256 of every
  input file, notebook source and bundle file, package versions, git commit, status of each
  notebook; every path relative to the project root; ``manifest.json.sig`` when signed;
- ``params.yaml``: the validated parameters every notebook received;
- ``index.html``: every report with its status, conclusion and figures, every side file with
  its row count;
- side outputs the notebooks write (``investigations.xlsx``, ``quarantine.csv``, ...).

Publishing is atomic (:mod:`calib.reporting.publish`): ``reports/latest`` only ever points at a
complete bundle whose notebooks all succeeded; a failed one is ``reports/latest-failed``. Each run
then appends its figures to the run history (:mod:`calib.reporting.history`).
"""
from __future__ import annotations

import datetime as _dt
import functools
import json
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from calib._progress import show_progress
from calib.errors import CalibInputError, CalibParamsError
from calib.io import file_sha256
from calib.io.masking import mask_known
from calib.params import ROOT_ENV, Params, is_url, load, project_root, relative_to_root, to_yaml
from calib.report import read_metrics
from calib.reporting import manifest as mf
from calib.reporting.execute import Outcome, execute_all, kernel_zygote
from calib.reporting.history import HISTORY_ENV, RUN_FIGURES_ENV, history_url, record_run, run_rows
from calib.reporting.index import render_error, render_html, render_index, side_files, ui_words
from calib.reporting.publish import clean_leftovers, disk_error, publish, staging

__all__ = ["run_reports", "RunResult"]

_CELL_FILES = re.compile(re.escape(tempfile.gettempdir().rstrip("/")) + r"/ipykernel_\d+/")


@dataclass
class RunResult:
    """Outcome of a report run."""

    run_id: str
    bundle: Path
    statuses: dict[str, str] = field(default_factory=dict)
    history_error: str | None = None

    @property
    def ok(self) -> bool:
        """True when every notebook succeeded."""
        return all(s == "ok" for s in self.statuses.values())


def _new_run_id() -> str:
    now = _dt.datetime.now(_dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S%fZ")[:-4] + "-" + uuid.uuid4().hex[:6]


@contextmanager
def _project_env(root: Path, history: str | None = None) -> Iterator[None]:
    """Kernels resolve the bundle's relative paths against the project root, and read the run
    history this run records to (report 07)."""
    from calib.engine.snapshot import SNAPSHOT_ENV

    values = {ROOT_ENV: str(root), HISTORY_ENV: history}
    old = {k: os.environ.get(k) for k in (*values, SNAPSHOT_ENV)}
    for k, v in values.items():
        if v is not None:
            os.environ[k] = v
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def _run_spark(params: Params) -> Iterator[Any]:
    """``engine: spark``: the run's one Spark driver (:func:`calib.engine.spark.run_session`), which
    validates and snapshots the programme and serves the report kernels through Spark Connect
    until the last report ends; ``None`` for the local engine."""
    if params.engine != "spark":
        yield None
        return
    from calib.engine.spark import run_session

    with run_session(params.spark.model_dump()) as spark:
        yield spark


def _prepare(params_path: str | Path, overrides: Any, notebooks_dir: str | Path | None
             ) -> tuple[Params, Path, dict[str, Path]]:
    params = load(params_path, overrides)
    root = project_root(params_path)
    nb_dir = Path(notebooks_dir).resolve() if notebooks_dir else params.notebooks_dir
    if notebooks_dir:
        params.notebooks_dir = nb_dir
    sources = {}
    for name in params.notebooks:
        p = nb_dir / f"{name}.ipynb"
        if not p.is_file():
            raise CalibParamsError(f"notebooks: {name!r} not found in {nb_dir.name}/")
        sources[name] = p
    if not is_url(params.data_dir) and not Path(params.data_dir).is_dir():
        raise CalibInputError(f"data_dir: {Path(params.data_dir).name} is not a folder")
    return params, root, sources


def _snapshot(params: Params, bundle: Path, spark: Any = None) -> tuple[dict[str, Any] | None, frozenset[str]]:
    """Load and validate the programme once and write the snapshot the notebooks read; return
    the snapshot's manifest and the programme's raw names (to mask them in error messages).

    With ``engine: spark`` and a programme Spark reads itself (a folder of CSV or Parquet files,
    or ``spark.tables``), the executors read, validate and write it (:func:`_snapshot_on_spark`):
    the raw tables never reach the driver."""
    from calib import io

    if spark is not None:
        done = _snapshot_on_spark(params, bundle, spark)
        if done is not None:
            return done
    # validated and written table by table (only the names are kept): the whole programme is
    # never in the runner's memory
    info, prog = io.load_to_snapshot(bundle / "snapshot", **params.programme_source(), as_of=params.as_of,
                                     keep=lambda t, df: df[["name"]] if "name" in df.columns else None)
    names = _names(prog)
    info = dict(info)
    if is_url(params.data_dir):  # what was read from the database: table, rows read, digest
        from calib.sources.sql import source_manifest

        c = prog.counts
        info["database"] = source_manifest(str(params.data_dir), dict(zip(c["table"], c["file"])),
                                           prog.digests, dict(zip(c["table"], c["rows_read"])))
    return json.loads(json.dumps(info, default=str)), names


def _snapshot_on_spark(params: Params, bundle: Path, spark: Any) -> tuple[dict[str, Any], frozenset[str]] | None:
    """The snapshot validated and written on Spark by the run's driver (``None`` when Spark
    cannot read the source: a database URL without ``spark.tables``, or workbooks); the report
    kernels are told where it is, so their per-village steps read it as Spark DataFrames. With
    ``spark.snapshot_dir`` the executors write the tables to ``<snapshot_dir>/<run id>/`` and the
    bundle's ``snapshot/`` keeps the manifest (the tables' URIs and digests), quarantine and counts."""
    from calib.engine.snapshot import SNAPSHOT_ENV, programme_sources, run_snapshot_uri, write_snapshot_on_spark

    sources = programme_sources(params)
    if sources is None:
        return None
    # tables at spark.snapshot_dir/<run id> when given; manifest, quarantine, counts in the bundle
    info, names = write_snapshot_on_spark(spark, sources, bundle / "snapshot", as_of=params.as_of,
                                          source=str(params.data_dir),
                                          tables_uri=run_snapshot_uri(params.spark.snapshot_dir, bundle),
                                          encoding=params.encoding)
    spark.catalog.clearCache()  # the validation's results: the driver serves the reports next
    os.environ[SNAPSHOT_ENV] = str((bundle / "snapshot").resolve())  # restored by _project_env
    return json.loads(json.dumps(info, default=str)), names


def _names(prog: Any) -> frozenset[str]:
    """Every person's name of the roster and the reviewers register (2 characters or more)."""
    out: set[str] = set()
    for table in (getattr(prog, "roster", None), getattr(prog, "reviewers", None)):
        if table is not None and "name" in getattr(table, "columns", ()):
            s = table["name"].dropna().astype(str).str.strip()
            out.update(s[s.str.len() >= 2].unique().tolist())
    return frozenset(out)


def _mask_outputs(nb: Any, mask: Callable[[str], str]) -> Any:
    """``nb`` with personal data masked in what code printed or raised (error outputs and
    streams): a notebook that fails on a household may quote its ID, phone or name. Tables
    shown through the display layer are masked already."""
    for cell in nb.cells:
        for out in cell.get("outputs", ()):
            if out.get("output_type") == "error":
                out["evalue"] = mask(str(out.get("evalue", "")))
                out["traceback"] = [mask(str(line)) for line in out.get("traceback", ())]
            elif out.get("output_type") == "stream":
                text = out.get("text", "")
                out["text"] = mask("".join(text) if isinstance(text, list) else str(text))
    return nb


def _scrub(nb: Any, replacements: list[tuple[str, str]]) -> Any:
    """The notebook with machine paths (bundle, project, interpreter) made relative."""
    import nbformat

    text = nbformat.writes(nb)
    for old, new in replacements:
        text = text.replace(old, new)
    text = _CELL_FILES.sub("<cell>/", text)  # where ipykernel says a cell's code lives
    return nbformat.reads(text, as_version=4)


def _title_of(nb: Any, default: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


def _display(name: str) -> Callable[..., Any] | None:
    """A reader of :mod:`calib.report` (the display layer) when it offers one."""
    from calib import report

    return getattr(report, name, None)


def _read(name: str, nb: Any) -> Any:
    reader = _display(name)
    try:
        return reader(nb) if reader else None
    except Exception:  # a notebook that failed before its conclusions has none
        return None


def _finish(o: Outcome, bundle: Path, src: Path, ctx: dict[str, Any]) -> dict[str, Any]:
    """Scrub, read and render one executed notebook; return its manifest entry (with metrics)."""
    import nbformat

    out_nb = bundle / f"{o.notebook}.ipynb"
    entry = {"notebook": o.notebook, "title": o.notebook, "status": o.status, "message": o.message,
             "seconds": o.seconds, "source": relative_to_root(src, ctx["root"]),
             "source_sha256": file_sha256(src), "html": f"{o.notebook}.html",
             "ipynb": f"{o.notebook}.ipynb", "conclusion": None, "conclusion_status": None,
             "metrics": {}, "labels": {}}
    if not out_nb.exists():
        (bundle / entry["html"]).write_text(render_error(o.notebook, o.message, ctx["lang"]), encoding="utf-8")
        return entry
    nb = nbformat.read(str(out_nb), as_version=4)
    pm_meta = nb.metadata.get("papermill", {})
    pm_meta.update(input_path=entry["source"], output_path=entry["ipynb"])
    nb = _mask_outputs(_scrub(nb, ctx["replacements"]), ctx["mask"])
    nbformat.write(nb, str(out_nb))
    entry.update(metrics=read_metrics(nb), labels=read_metrics(nb, labels=True),
                 title=_read("read_title", nb) or _title_of(nb, o.notebook),
                 conclusion=_read("read_conclusion", nb), conclusion_status=_read("read_conclusion_status", nb))
    ui = ui_words(ctx["lang"])
    banner = (f"{ctx['title']} · {ui['run']} {ctx['run_id']} · {entry['title']} · "
              f"{ui['status']}: {ui['ok'] if o.status == 'ok' else ui['failed']}")
    if o.message:
        banner += f" · {o.message[:300]}"
    (bundle / entry["html"]).write_text(
        render_html(nb, banner=banner, title=f"{entry['title']} · {ctx['title']}", lang=ctx["lang"]),
        encoding="utf-8")
    return entry


def reads_history(notebook: Path) -> bool:
    """Whether a notebook reads the run history (metadata ``calib.reads_history``: report 07):
    it then runs after the others of its run, and sees their figures (:func:`_execute`)."""
    try:
        meta = json.loads(Path(notebook).read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return False
    return bool((meta.get("calib") or {}).get("reads_history"))


def _execute(sources: dict[str, Path], bundle: Path, ctx: dict[str, Any], params: Params,
             log: Callable[[str], Any]) -> list[dict[str, Any]]:
    """Execute the run's notebooks and return their entries, in the order listed. The reports
    that read the run history run last, given this run's figures so far in a private file
    (:data:`calib.reporting.history.RUN_FIGURES_ENV`): the monitoring report of a run then
    includes the run itself, which is recorded in the history only once the bundle is
    published. The kernels are forked from one zygote of the run
    (:func:`calib.reporting.execute.kernel_zygote`)."""
    later = {n: p for n, p in sources.items() if reads_history(p)}
    first = {n: p for n, p in sources.items() if n not in later}
    parameters = {"params_file": "params.yaml", "out_dir": ".", "run_id": ctx["run_id"]}

    def run(part: dict[str, Path]) -> list[dict[str, Any]]:
        outcomes = execute_all(part, bundle, parameters, timeout=params.execution_timeout, jobs=ctx["jobs"],
                               log=log, run_id=ctx["run_id"], mask=ctx["mask"], zygote=zygote)
        return [_finish(o, bundle, part[o.notebook], ctx) for o in outcomes]

    with kernel_zygote(list(sources.values())) as zygote:  # one process forks every kernel of the run
        done = {e["notebook"]: e for e in run(first)} if first else {}
        if later:
            so_far = {"run_id": ctx["run_id"], "started_utc": ctx["started"].isoformat(timespec="seconds"),
                      "parameters": {"as_of": params.plain(ctx["root"])["as_of"]},
                      "parameters_sha256": mf.sha256_text(ctx["params_yaml"]),
                      "notebooks": [{"notebook": n, "status": e["status"]} for n, e in done.items()]}
            rows = run_rows(so_far, {n: e["metrics"] for n, e in done.items()})
            private = Path(tempfile.mkdtemp(prefix="calib-run-figures-"))
            try:
                path = private / "figures.json"
                path.write_text(json.dumps(rows, ensure_ascii=False, default=str), encoding="utf-8")
                old = os.environ.get(RUN_FIGURES_ENV)
                os.environ[RUN_FIGURES_ENV] = str(path)
                try:
                    done.update({e["notebook"]: e for e in run(later)})
                finally:
                    if old is None:
                        os.environ.pop(RUN_FIGURES_ENV, None)
                    else:
                        os.environ[RUN_FIGURES_ENV] = old
            finally:
                shutil.rmtree(private, ignore_errors=True)
    return [done[n] for n in sources]


def _replacements(bundle: Path, out_root: Path, root: Path, data_dir: Path | str) -> list[tuple[str, str]]:
    pairs = [] if is_url(data_dir) else [(str(data_dir), relative_to_root(data_dir, root))]
    pairs += [(str(bundle.resolve()), "."), (str(bundle), "."), (str(out_root.resolve()), "<reports>"),
             (str(root), "."), (sys.prefix, "<python>"),
             (os.path.join(sys.base_prefix, "lib", "python"), "<python>/lib/python")]
    return sorted({(a, b) for a, b in pairs if len(a) > 1}, key=lambda p: -len(p[0]))


def _manifest(ctx: dict[str, Any], params: Params, entries: list[dict[str, Any]],
              snapshot: dict[str, Any] | None) -> dict[str, Any]:
    root = ctx["root"]
    return {
        "run_id": ctx["run_id"], "title": ctx["title"],
        "started_utc": ctx["started"].isoformat(timespec="seconds"),
        "ended_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "status": "ok" if all(e["status"] == "ok" for e in entries) else "failed",
        "parameters_file": relative_to_root(ctx["params_path"], root),
        "parameters": params.plain(root), "parameters_sha256": mf.sha256_text(ctx["params_yaml"]),
        "data_dir": (params.data_dir if is_url(params.data_dir)
                     else relative_to_root(params.data_dir, root)),
        "inputs_sha256": mf.input_digests(params.data_dir), "snapshot": _relative(snapshot, root),
        "notebooks": [{k: v for k, v in e.items() if k not in ("metrics", "labels")} for e in entries],
        "versions": mf.versions(), "git": mf.git_info(root), "jobs": ctx["jobs"],
        "engine": _engine(params),
        "command": _command_line(root),
    }


def _relative(value: Any, root: Path) -> Any:
    """``value`` (the snapshot's own manifest) with every absolute path made relative to the root."""
    if isinstance(value, dict):
        return {k: _relative(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_relative(v, root) for v in value]
    if isinstance(value, str) and os.path.isabs(value):
        return relative_to_root(value, root)
    return value


def _engine(params: Params) -> dict[str, Any]:
    """The engine of the run: ``local``, or ``spark`` with its master and pyspark's version."""
    if params.engine != "spark":
        return {"engine": "local"}
    try:
        from importlib.metadata import version
        spark_version = version("pyspark")
    except Exception:  # pyspark not installed: the notebooks will say so
        spark_version = None
    return {"engine": "spark", "master": params.spark.master, "spark_version": spark_version,
            "snapshot_dir": params.spark.snapshot_dir}


def _command_line(root: Path) -> str:
    """The command that started the run, absolute paths made relative to the project root."""
    if not sys.argv:
        return ""
    args = [relative_to_root(a, root) if os.path.isabs(a) else a for a in sys.argv[1:]]
    return " ".join([Path(sys.argv[0]).name, *args])


def _glossary(bundle: Path, lang: str) -> bool:
    """Write the bundle's ``glossary.html`` (the display layer's terms); False without one."""
    try:
        from calib.report.methods import glossary_page
    except ImportError:
        return False
    (bundle / "glossary.html").write_text(glossary_page(lang), encoding="utf-8")
    return True


def _assemble(bundle: Path, ctx: dict[str, Any], params: Params, entries: list[dict[str, Any]],
              snapshot: dict[str, Any] | None, sign_key: str | Path | None) -> dict[str, Any]:
    metrics = {e["notebook"]: e["metrics"] for e in entries}
    labels = {e["notebook"]: e["labels"] for e in entries}
    if snapshot is not None and not params.keep_snapshot:
        shutil.rmtree(bundle / "snapshot", ignore_errors=True)  # raw data: not for the readers
    mf.write_json(bundle / "metrics.json", dict(sorted(metrics.items())))
    manifest = _manifest(ctx, params, entries, snapshot)
    set_lang = _display("set_lang")
    if set_lang is not None:
        set_lang(params.lang)
    glossary = _glossary(bundle, params.lang)
    (bundle / "index.html").write_text(
        render_index(manifest, metrics, labels, side_files(bundle, _display("count_rows")), params.lang,
                     fmt=_display("format_metric"), glossary=glossary), encoding="utf-8")
    manifest["files_sha256"] = mf.bundle_digests(bundle)
    mf.write_json(bundle / mf.MANIFEST, manifest)
    if sign_key is not None:
        mf.sign_manifest(bundle, sign_key)
    return manifest


def run_reports(
    params_path: str | Path,
    *,
    out_root: str | Path | None = None,
    overrides: dict[str, Any] | list[str] | None = None,
    notebooks_dir: str | Path | None = None,
    jobs: int | None = None,
    sign_key: str | Path | None = None,
    history: str | None = None,
    log: Callable[[str], Any] = print,
) -> RunResult:
    """Execute every notebook of a parameter file into one report bundle.

    Parameters
    ----------
    params_path : str or Path
        The parameter file (``params/*.yaml``).
    out_root : str or Path, optional
        Where bundles go (default ``reports/`` of the project).
    overrides : dict or list of "key=value", optional
        Parameter overrides (dotted keys reach into blocks).
    notebooks_dir : str or Path, optional
        Folder of the notebooks (default: the parameter ``notebooks_dir``).
    jobs : int, optional
        Notebooks executed at once (default: the parameter ``jobs``, else the number of cores).
    sign_key : str or Path, optional
        An Ed25519 private key: the manifest gets a detached signature ``manifest.json.sig``.
    history : str, optional
        Run-history database (URL or SQLite path; default the parameter ``history``, else
        ``<out_root>/history.sqlite``).
    log : callable
        Receives one line per step (``print`` by default).

    Returns
    -------
    RunResult
        The run id, the bundle path and the status of each notebook.

    Raises
    ------
    CalibParamsError
        Invalid parameters or a listed notebook that does not exist (before anything runs).
    CalibInputError
        The data folder does not exist or cannot be loaded.
    calib.reporting.publish.ReportsFolderError
        The reports folder is read-only or full; nothing was published.
    """
    started = _dt.datetime.now(_dt.timezone.utc)
    params, root, sources = _prepare(params_path, overrides, notebooks_dir)
    out_root = Path(out_root) if out_root else root / "reports"
    run_id = _new_run_id()
    ctx = {"root": root, "run_id": run_id, "started": started, "params_path": Path(params_path),
           "title": params.shown_title(), "lang": params.lang,
           "jobs": max(1, int(jobs or params.jobs or os.cpu_count() or 1))}
    try:
        db = history or params.history
        if db is not None and not is_url(db) and not Path(db).is_absolute():
            db = str(root / db)
        hist = history_url(db, default_folder=out_root)
    except Exception:  # an unusable history is told after the run, by _record_history
        hist = None
    with _project_env(root, hist), staging(out_root, run_id) as st, _run_spark(params) as spark:
        for name in clean_leftovers(out_root, run_id):
            log(f"[{run_id}] removed {name}, left by an interrupted run")
        try:
            ctx["params_yaml"] = to_yaml(params, root)
            (st.path / "params.yaml").write_text(ctx["params_yaml"], encoding="utf-8")
            t0 = time.perf_counter()
            with show_progress(log=lambda line: log(f"[{run_id}] {line}")):
                snapshot, names = _snapshot(params, st.path, spark)
            log(f"[{run_id}] programme validated once for every report ({time.perf_counter() - t0:.1f} s)")
            ctx["mask"] = functools.partial(mask_known, names=names)
            ctx["replacements"] = _replacements(st.path, out_root, root, params.data_dir)
            entries = _execute(sources, st.path, ctx, params, log)
            manifest = _assemble(st.path, ctx, params, entries, snapshot, sign_key)
        except OSError as exc:
            raise (disk_error(exc, out_root) or exc) from None
        final = publish(st, manifest["status"] == "ok")
    log(f"[{run_id}] bundle written to {final}")
    result = RunResult(run_id=run_id, bundle=final, statuses={e["notebook"]: e["status"] for e in entries})
    result.history_error = _record_history(history or params.history, root, out_root, manifest, entries, log)
    return result


def _record_history(db: str | None, root: Path, out_root: Path, manifest: dict[str, Any],
                    entries: list[dict[str, Any]], log: Callable[[str], Any]) -> str | None:
    if db is not None and not is_url(db) and not Path(db).is_absolute():
        db = str(root / db)
    try:
        url = history_url(db, default_folder=out_root)
        n = record_run(url, manifest, {e["notebook"]: e["metrics"] for e in entries})
        log(f"[{manifest['run_id']}] history: {n} figure{'s' * (n != 1)} recorded")
        return None
    except Exception as exc:  # the bundle stands; the history is told to the user
        msg = f"history not recorded: {type(exc).__name__}: {str(exc)[:200]}"
        log(f"[{manifest['run_id']}] {msg}")
        return msg
