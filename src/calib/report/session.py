"""Opening a report run from a notebook: parameters, language, plot style, programme, outputs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from calib.report.labels import set_lang
from calib.report.record import output_dir

__all__ = ["open_run"]


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
    snap = Path(out_dir) / "snapshot" if out_dir else None
    reader = getattr(io, "read_snapshot", None)
    if snap is not None and snap.is_dir() and reader is not None:
        prog = reader(snap)
    else:
        prog = io.load_programme(**P.programme_source(), as_of=P.as_of)
    return P, prog, output_dir(out_dir)
