"""Progress of a long load (a province takes minutes): a bar on a terminal, plain lines elsewhere.

The loader (:func:`calib.io.validate_tables`) logs each table as it starts and ends on the
``calib.io`` logger, at INFO, with the step's place among the tables (``extra``: ``step``,
``steps``, ``table``, ``done``). A library logs and prints nothing: without a handler (a
notebook, a script) the records go nowhere. The commands that run long work show them with
:func:`load_progress`:

* on a terminal (standard error a TTY): a tqdm bar of the tables, named by the one under way,
  cleared when the load ends;
* elsewhere (cron, CI, a log file): one plain line per table once it is validated
  (``roster: 3,339,624 rows read, 7 quarantined (4.9 s)``) to ``log``.
"""
from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["LOGGER", "load_progress", "on_terminal"]

#: The logger the loader reports its tables on.
LOGGER = "calib.io"


def on_terminal(stream: Any = None) -> bool:
    """Whether ``stream`` (standard error by default) is a terminal a bar can be drawn on."""
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty()) and os.environ.get("TERM", "") != "dumb"
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


class _Bar(logging.Handler):
    """The tables as a tqdm bar: its description the table under way, one step per table."""

    def __init__(self, stream: Any):
        super().__init__(logging.INFO)
        self.stream, self.bar = stream, None

    def emit(self, record: logging.LogRecord) -> None:
        steps, table = getattr(record, "steps", None), getattr(record, "table", None)
        if steps is None:
            return
        if self.bar is None or self.bar.total != steps:
            from tqdm import tqdm

            self.close_bar()
            self.bar = tqdm(total=steps, unit="表", desc="校验", file=self.stream, leave=False,
                            dynamic_ncols=True, bar_format="{desc} {bar} {n_fmt}/{total_fmt} 张表 [{elapsed}]")
        if getattr(record, "done", False):
            self.bar.update(1)
        else:
            self.bar.set_description_str(f"校验 {table}")

    def close_bar(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class _Lines(logging.Handler):
    """A plain line per validated table, given to ``log``."""

    def __init__(self, log: Callable[[str], Any]):
        super().__init__(logging.INFO)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "done", False):
            self.log(record.getMessage())


@contextmanager
def load_progress(log: Callable[[str], Any] | None = None, stream: Any = None) -> Iterator[None]:
    """Show the loader's progress while the block runs: a bar on ``stream`` (standard error)
    when it is a terminal, else each validated table as a line to ``log`` (a line to
    ``stream`` when ``log`` is None)."""
    stream = sys.stderr if stream is None else stream
    logger = logging.getLogger(LOGGER)
    if on_terminal(stream):
        handler: logging.Handler = _Bar(stream)
    else:
        handler = _Lines(log or (lambda line: print(line, file=stream, flush=True)))
    level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        if isinstance(handler, _Bar):
            handler.close_bar()
