"""Report runs: execute the parameter file's notebooks with Papermill into one audited bundle.

``calib run PARAMS.yaml`` (or :func:`run_reports`) validates the parameters, then executes each
notebook listed in them with the same parameters on kernel ``python3`` of the running
environment, and writes one bundle ``reports/<run-id>/``:

- ``<notebook>.ipynb`` executed, and ``<notebook>.html`` rendered without code, fully offline;
- ``metrics.json``: the headline figures each notebook recorded (:func:`calib.report.record`);
- ``manifest.json``: run id, UTC start and end, parameters and their SHA-256, SHA-256 of every
  input file, of every notebook source and of every bundle file, versions of the key packages,
  the git commit, the status of each notebook;
- ``params.yaml``: the validated parameters every notebook received;
- ``index.html``: links to every report with its status and headline figures;
- side outputs the notebooks write (``investigations.xlsx``, ``params/calibrated/*.yaml``, ...).

The bundle is assembled in a temporary folder beside its destination and moved into place only
when complete; ``reports/latest`` then points at the newest complete bundle. Run ids carry the
UTC time and a random suffix, so two runs into the same folder never collide.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from calib.errors import CalibInputError, CalibParamsError
from calib.io import SUFFIXES, file_sha256
from calib.params import Params, load, project_root, to_yaml
from calib.report import read_metrics

__all__ = ["run_reports", "RunResult", "render_html", "KEY_PACKAGES"]

KEY_PACKAGES = ("calib", "numpy", "pandas", "scipy", "statsmodels", "scikit-learn", "matplotlib",
                "papermill", "nbconvert", "nbclient", "ipykernel", "pydantic", "openpyxl", "pyarrow")
TEMPLATE_DIR = Path(__file__).parent / "templates"


@dataclass
class RunResult:
    """Outcome of a report run."""

    run_id: str
    bundle: Path
    statuses: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every notebook succeeded."""
        return all(s == "ok" for s in self.statuses.values())


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _git(root: Path) -> dict[str, Any]:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip() != ""
        return {"commit": commit, "dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def _input_files(data_dir: Path) -> dict[str, str]:
    files = sorted(f for f in data_dir.iterdir() if f.is_file() and f.suffix in SUFFIXES)
    return {f.name: file_sha256(f) for f in files}


def render_html(notebook: Any, *, banner: str | None = None) -> str:
    """Render an executed notebook as offline HTML without code cells.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook.
    banner : str, optional
        Plain text shown at the top of the page (run id, status).

    Returns
    -------
    str
        A self-contained HTML page: CSS inline, images as data URIs, no network loads.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = ("parameters", "injected-parameters", "remove_cell")
    c.TagRemovePreprocessor.enabled = True
    exp = HTMLExporter(config=c, template_name="calib_report",
                       extra_template_basedirs=[str(TEMPLATE_DIR)])
    exp.exclude_input = True
    exp.exclude_input_prompt = True
    exp.exclude_output_prompt = True
    exp.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    body, _ = exp.from_notebook_node(notebook, resources={"calib_banner": banner})
    return body


def _execute(nb_path: Path, out_path: Path, parameters: dict[str, Any], cwd: Path,
             timeout: int) -> tuple[str, str]:
    """Execute one notebook; return (status, message)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        pm.execute_notebook(
            str(nb_path), str(out_path), parameters=parameters, kernel_name="python3",
            cwd=str(cwd), progress_bar=False, log_output=False, execution_timeout=timeout,
            report_mode=False,
        )
        return "ok", ""
    except PapermillExecutionError as exc:
        return "failed", f"{exc.ename}: {exc.evalue}".strip()
    except Exception as exc:  # kernel death, timeout, unreadable notebook
        return "failed", f"{type(exc).__name__}: {exc}".strip()


def _new_run_id() -> str:
    now = _dt.datetime.now(_dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def _update_latest(out_root: Path, run_id: str) -> None:
    """Point ``out_root/latest`` at ``run_id`` unless a newer complete bundle is there already."""
    from filelock import FileLock

    with FileLock(str(out_root / ".latest.lock"), timeout=60):
        link = out_root / "latest"
        current = os.readlink(link) if link.is_symlink() else None
        if current is not None and current > run_id and (out_root / current).is_dir():
            return
        tmp = out_root / f".latest-{uuid.uuid4().hex[:8]}"
        os.symlink(run_id, tmp)
        os.replace(tmp, link)


def run_reports(
    params_path: str | Path,
    *,
    out_root: str | Path | None = None,
    overrides: dict[str, Any] | list[str] | None = None,
    notebooks_dir: str | Path | None = None,
    log: Any = print,
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
        Folder of the notebooks (default: the parameter ``notebooks_dir``, ``notebooks/`` of
        the project).
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
        The data folder does not exist.
    """
    started = _dt.datetime.now(_dt.timezone.utc)
    params: Params = load(params_path, overrides)
    root = project_root(params_path)
    nb_dir = Path(notebooks_dir) if notebooks_dir else params.notebooks_dir
    out_root = Path(out_root) if out_root else root / "reports"
    sources = {}
    for name in params.notebooks:
        p = nb_dir / f"{name}.ipynb"
        if not p.is_file():
            raise CalibParamsError(f"notebooks: {name!r} not found in {nb_dir}")
        sources[name] = p
    if not params.data_dir.is_dir():
        raise CalibInputError(f"data_dir: {params.data_dir} is not a folder")

    run_id = _new_run_id()
    out_root.mkdir(parents=True, exist_ok=True)
    tmp = out_root / f".tmp-{run_id}"
    tmp.mkdir()
    try:
        params_yaml = to_yaml(params)
        (tmp / "params.yaml").write_text(params_yaml, encoding="utf-8")
        inputs = _input_files(params.data_dir)
        nb_params = {"params_file": str((tmp / "params.yaml").resolve()),
                     "out_dir": str(tmp.resolve()), "run_id": run_id}
        entries, all_metrics, all_labels, statuses = [], {}, {}, {}
        for name, src in sources.items():
            log(f"[{run_id}] running {name} ...")
            t0 = time.monotonic()
            out_nb = tmp / f"{name}.ipynb"
            status, message = _execute(src, out_nb, nb_params, nb_dir, params.execution_timeout)
            seconds = round(time.monotonic() - t0, 1)
            metrics: dict[str, Any] = {}
            title = name
            if out_nb.exists():
                import nbformat

                nb = nbformat.read(str(out_nb), as_version=4)
                metrics = read_metrics(nb)
                all_labels[name] = read_metrics(nb, labels=True)
                title = _title_of(nb, name)
                banner = f"{params.title} · run {run_id} · {name} · status: {status.upper()}"
                if message:
                    banner += f" · {message[:300]}"
                (tmp / f"{name}.html").write_text(render_html(nb, banner=banner), encoding="utf-8")
            else:
                (tmp / f"{name}.html").write_text(_error_page(name, message), encoding="utf-8")
            statuses[name] = status
            all_metrics[name] = metrics
            entries.append({"notebook": name, "title": title, "status": status, "message": message,
                            "seconds": seconds, "source_sha256": file_sha256(src),
                            "html": f"{name}.html", "ipynb": f"{name}.ipynb"})
            log(f"[{run_id}] {name}: {status} in {seconds} s" + (f" ({message})" if message else ""))

        (tmp / "metrics.json").write_text(json.dumps(all_metrics, indent=2, ensure_ascii=False,
                                                     sort_keys=True), encoding="utf-8")
        ended = _dt.datetime.now(_dt.timezone.utc)
        manifest = {
            "run_id": run_id,
            "title": params.title,
            "started_utc": started.isoformat(timespec="seconds"),
            "ended_utc": ended.isoformat(timespec="seconds"),
            "status": "ok" if all(s == "ok" for s in statuses.values()) else "failed",
            "parameters_file": str(Path(params_path)),
            "parameters": params.plain(),
            "parameters_sha256": _sha256_text(params_yaml),
            "data_dir": str(params.data_dir),
            "inputs_sha256": inputs,
            "notebooks": entries,
            "versions": _versions(),
            "git": _git(root),
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "",
        }
        (tmp / "index.html").write_text(_index_html(manifest, all_metrics, all_labels), encoding="utf-8")
        manifest["files_sha256"] = {
            str(f.relative_to(tmp)): file_sha256(f)
            for f in sorted(tmp.rglob("*")) if f.is_file()
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False),
                                           encoding="utf-8")
        final = out_root / run_id
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _update_latest(out_root, run_id)
    log(f"[{run_id}] bundle written to {final}")
    return RunResult(run_id=run_id, bundle=final, statuses=statuses)


def _title_of(nb: Any, default: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


def _error_page(name: str, message: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(name)}</title>"
            f"</head><body><h1>{html.escape(name)}: FAILED</h1><pre>{html.escape(message)}</pre>"
            "</body></html>")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.4g}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    if isinstance(v, (list, dict)):
        s = json.dumps(v, ensure_ascii=False)
        return s if len(s) < 80 else s[:77] + "..."
    return str(v)


def _index_html(manifest: dict[str, Any], metrics: dict[str, dict[str, Any]],
                labels: dict[str, dict[str, str]] | None = None) -> str:
    e = html.escape
    rows = []
    for n in manifest["notebooks"]:
        m = metrics.get(n["notebook"], {})
        lab = (labels or {}).get(n["notebook"], {})
        figs = "<br>".join(f"<span title='{e(k)}'>{e(lab.get(k, k))}</span>: <b>{e(_fmt(v))}</b>"
                           for k, v in list(m.items())[:14])
        cls = "ok" if n["status"] == "ok" else "failed"
        msg = f"<div class='msg'>{e(n['message'][:300])}</div>" if n["message"] else ""
        rows.append(
            f"<tr><td><a href='{e(n['html'])}'>{e(n['title'])}</a><div class='nb'>{e(n['notebook'])}"
            f" · <a href='{e(n['ipynb'])}'>notebook</a></div></td>"
            f"<td class='{cls}'>{e(n['status'].upper())}{msg}</td><td>{n['seconds']} s</td>"
            f"<td class='figs'>{figs}</td></tr>")
    inputs = "".join(f"<tr><td>{e(k)}</td><td><code>{e(v)}</code></td></tr>"
                     for k, v in manifest["inputs_sha256"].items())
    versions = ", ".join(f"{e(k)} {e(str(v))}" for k, v in manifest["versions"].items() if v)
    git = manifest["git"]
    commit = e(str(git.get("commit"))) + (" (uncommitted changes)" if git.get("dirty") else "")
    p = manifest["parameters"]
    status = manifest["status"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(manifest['title'])} — {e(manifest['run_id'])}</title>
<style>
body {{ font: 14px/1.45 -apple-system, "Segoe UI", "Noto Sans CJK SC", sans-serif; margin: 24px 40px; color: #222; }}
table {{ border-collapse: collapse; margin: 8px 0 20px; }}
td, th {{ border: 1px solid #ccd; padding: 6px 10px; vertical-align: top; text-align: left; }}
th {{ background: #eef1f5; }}
.ok {{ color: #176a2c; font-weight: bold; }} .failed {{ color: #b00020; font-weight: bold; }}
.nb, .msg {{ color: #666; font-size: 12px; font-weight: normal; }} .figs {{ font-size: 12px; }}
code {{ font-size: 11px; }}
</style></head><body>
<h1>{e(manifest['title'])}</h1>
<p>Run <b>{e(manifest['run_id'])}</b> · status <span class="{'ok' if status == 'ok' else 'failed'}">{e(status.upper())}</span>
 · started {e(manifest['started_utc'])} · ended {e(manifest['ended_utc'])} (UTC)</p>
<p>Data as of <b>{e(str(p['as_of']))}</b> · seed {e(str(p['seed']))} · parameters SHA-256
<code>{e(manifest['parameters_sha256'])}</code> (<a href="params.yaml">params.yaml</a>) ·
code commit <code>{commit}</code></p>
<h2>Reports</h2>
<table><tr><th>Report</th><th>Status</th><th>Time</th><th>Headline figures</th></tr>
{''.join(rows)}
</table>
<h2>Inputs</h2>
<p>Programme folder <code>{e(manifest['data_dir'])}</code></p>
<table><tr><th>File</th><th>SHA-256</th></tr>{inputs}</table>
<h2>Provenance</h2>
<p>Every file of this bundle is listed with its SHA-256 in <a href="manifest.json">manifest.json</a>;
headline figures are in <a href="metrics.json">metrics.json</a>. Personal data (ID numbers, names,
phone numbers, addresses) is masked everywhere in this bundle.</p>
<p>Software: {versions}</p>
</body></html>
"""
