"""Opening a report run from a notebook: parameters, language, plot style, programme, outputs."""
from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

from calib.report.labels import set_lang
from calib.report.record import output_dir

__all__ = ["open_run", "cautions_as_notes"]

def _show_caution(message, category, filename, lineno, file=None, line=None):
    """A warning raised while a report runs, shown to the reader as a note in the page's
    language (no file path, no source line); defects of the page itself (a missing label, a
    missing glyph) keep the default stderr output, where the tests look for them."""
    from calib.report.labels import MissingLabelWarning, t, value_label

    text = str(message)
    if issubclass(category, MissingLabelWarning) or "Glyph" in text or "glyph" in text:
        (file or sys.stderr).write(warnings.formatwarning(message, category, filename, lineno, line))
        return None
    from IPython.display import display

    from calib.report.display import note

    display(note(t("note.caution", text=str(value_label(text)))))
    return None


def cautions_as_notes() -> None:
    """Show the warnings a report raises (too few villages or defaults, a fold without a
    default, ...) as notes in the reader's language instead of raw stderr text with file paths
    and code. Only inside a notebook kernel; elsewhere warnings behave as usual."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks
        return
    if get_ipython() is not None:
        warnings.showwarning = _show_caution


def open_run(params_file: str | Path, out_dir: str | Path | None = None, *,
             lang: str | None = None) -> tuple[Any, Any, Path]:
    """The setup every report shares, in one call: ``P, prog, out = report.open_run(...)``.

    Loads and validates the parameters, sets the language of labels and numbers (parameter
    ``lang``, default ``zh-CN``) and the plot style (CJK font, palette), then reads the
    programme: from ``<out_dir>/snapshot`` when the runner left one there (every report of a
    run then sees the same data, loaded once), else with
    ``calib.io.load_programme(**P.programme_source(), as_of=P.as_of)``.

    Parameters
    ----------
    params_file : path
        The run's parameter file.
    out_dir : path, optional
        The bundle folder (``None`` when run interactively or under nbval: side outputs then go
        to a temporary folder).
    lang : str, optional
        Language overriding the parameter ``lang`` (``zh-CN`` or ``en``).

    Returns
    -------
    (P, prog, out)
        Validated parameters, the loaded :class:`calib.programme.Programme`, the side-output folder.
    """
    from calib import io, params
    from calib.report import style

    P = params.load(params_file)
    set_lang(lang or getattr(P, "lang", None))
    style.use()
    cautions_as_notes()
    snap = Path(out_dir) / "snapshot" if out_dir else None
    reader = getattr(io, "read_snapshot", None)
    if snap is not None and snap.is_dir() and reader is not None:
        from calib.engine.snapshot import is_spark_snapshot, read_spark_snapshot

        prog = read_spark_snapshot(snap) if is_spark_snapshot(snap) else reader(snap)  # spark.snapshot_dir
    else:
        prog = io.load_programme(**P.programme_source(), as_of=P.as_of)
    return P, prog, output_dir(out_dir)
