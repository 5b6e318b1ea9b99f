"""Progress of long work (a province's load or generation takes minutes): a bar on a terminal,
plain lines elsewhere.

Long work logs each of its steps as it starts and ends, at INFO, with the step's place
(:func:`step_extra`: ``step``, ``steps``, ``done``, what is under way as ``label``, the work's
name ``title`` and its steps' unit ``unit``): the loader (:func:`calib.io.validate_tables`) a
table at a time on ``calib.io``, the vectorised generator (:func:`calib.synth.write_fast`) a
chunk of villages at a time on ``calib.synth``. A library logs and prints nothing: without a
handler (a notebook, a script) the records go nowhere. The commands that run long work show
them with :func:`show_progress`:

* on a terminal (standard error a TTY): a tqdm bar of the steps, named by the one under way,
  cleared when the work ends;
* elsewhere (cron, CI, a log file): one plain line per step once it is done
  (``roster: 3,339,624 rows read, 7 quarantined (4.9 s)``) to ``log``.
"""
from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["LOGGER", "LOGGERS", "show_progress", "on_terminal", "step_extra"]

#: The logger the loader reports its tables on.
LOGGER = "calib.io"
#: The loggers of long work that :func:`show_progress` shows.
LOGGERS = (LOGGER, "calib.synth")


def step_extra(step: int, steps: int, label: str, *, done: bool, title: str = "校验", unit: str = "张表") -> dict:
    """The ``extra`` of a step's log record: step ``step`` of ``steps``, ``label`` under way
    (or done), the work's ``title`` and its steps' ``unit`` as the bar shows them."""
    return {"step": step, "steps": steps, "label": label, "done": done, "title": title, "unit": unit}


def on_terminal(stream: Any = None) -> bool:
    """Whether ``stream`` (standard error by default) is a terminal a bar can be drawn on: not
    a dumb one, nor one of no columns (a pseudo-terminal whose size nobody set, as some
    schedulers and ``docker exec -t`` give: tqdm draws nothing there, so lines are shown)."""
    stream = sys.stderr if stream is None else stream
    try:
        if not stream.isatty() or os.environ.get("TERM", "") == "dumb":
            return False
        return os.get_terminal_size(stream.fileno()).columns > 0
    except (AttributeError, ValueError, OSError):  # a closed or replaced stream, no size to ask
        return False


class _Bar(logging.Handler):
    """The steps as a tqdm bar: its description the step under way, one tick per step done."""

    def __init__(self, stream: Any):
        super().__init__(logging.INFO)
        self.stream, self.bar, self.title = stream, None, None

    def emit(self, record: logging.LogRecord) -> None:
        steps, label = getattr(record, "steps", None), getattr(record, "label", None)
        if steps is None:
            return
        title, unit = getattr(record, "title", ""), getattr(record, "unit", "")
        if self.bar is None or self.bar.total != steps or self.title != title:
            from tqdm import tqdm

            self.close_bar()
            self.title = title
            self.bar = tqdm(total=steps, desc=title, file=self.stream, leave=False, dynamic_ncols=True,
                            bar_format="{desc} {bar} {n_fmt}/{total_fmt} " + unit + " [{elapsed}]")
        if getattr(record, "done", False):
            self.bar.update(1)
        else:
            self.bar.set_description_str(f"{title} {label}")

    def close_bar(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class _Lines(logging.Handler):
    """A plain line per step done (a table validated, a chunk written), given to ``log``."""

    def __init__(self, log: Callable[[str], Any]):
        super().__init__(logging.INFO)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "done", False):
            self.log(record.getMessage())


@contextmanager
def show_progress(log: Callable[[str], Any] | None = None, stream: Any = None) -> Iterator[None]:
    """Show the progress of long work (:data:`LOGGERS`) while the block runs: a bar on
    ``stream`` (standard error) when it is a terminal, else each step done as a line to ``log``
    (a line to ``stream`` when ``log`` is None)."""
    stream = sys.stderr if stream is None else stream
    if on_terminal(stream):
        handler: logging.Handler = _Bar(stream)
    else:
        handler = _Lines(log or (lambda line: print(line, file=stream, flush=True)))
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        if lg.getEffectiveLevel() > logging.INFO:
            lg.setLevel(logging.INFO)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.removeHandler(handler)
            lg.setLevel(level)
        if isinstance(handler, _Bar):
            handler.close_bar()
