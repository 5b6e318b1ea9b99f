"""A province's load takes minutes: the loader reports each table as it starts and ends, and
the commands show it as a bar on a terminal and as plain lines under cron or CI."""
from __future__ import annotations

import fcntl
import logging
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from calib._progress import LOGGER, show_progress
from calib.io import load_programme

from _support import AS_OF, ROOT, SAMPLE


def test_the_loader_reports_each_table_with_its_counts(caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        prog = load_programme(SAMPLE, as_of=AS_OF)
    done = [r for r in caplog.records if r.name == LOGGER and getattr(r, "done", False)]
    assert [r.label for r in done] == prog.counts["table"].tolist()
    assert [r.step for r in done] == list(range(1, len(done) + 1)) and {r.steps for r in done} == {len(done)}
    c = prog.counts.set_index("table")
    assert done[0].getMessage().startswith(f"roster: {c.at['roster', 'rows_read']:,} rows read, "
                                          f"{c.at['roster', 'rows_quarantined']:,} quarantined (")


def test_without_a_terminal_a_line_a_table_and_nothing_once_done(tmp_path):
    lines: list[str] = []
    with open(tmp_path / "err.log", "w") as stream:  # a log file: no terminal
        with show_progress(log=lines.append, stream=stream):
            load_programme(SAMPLE, as_of=AS_OF)
    assert len(lines) == 8 and lines[0].startswith("roster: ") and "quarantined" in lines[0]
    load_programme(SAMPLE, as_of=AS_OF)  # the handler is gone: a library prints nothing
    assert len(lines) == 8 and not logging.getLogger(LOGGER).handlers


def test_calib_validate_draws_a_bar_on_a_terminal_and_lines_elsewhere():
    env = {**os.environ, "TERM": "xterm"}
    argv = [sys.executable, "-m", "calib", "validate", str(SAMPLE), "--as-of", AS_OF]
    piped = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert piped.returncode == 0, piped.stderr
    assert "roster: 25,558 rows read, 7 quarantined" in piped.stderr and "校验" not in piped.stderr
    master, slave = pty.openpty()  # standard error a terminal of 100 columns
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=slave, cwd=ROOT, env=env)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal's other end closed: the command ended
            break
        if not chunk:
            break
        shown += chunk
    assert p.wait(timeout=300) == 0
    os.close(master)
    text = shown.decode("utf-8", "replace")
    assert "校验 roster" in text and "张表" in text
    assert "rows read" not in text  # the bar, not the lines


@pytest.mark.parametrize("columns, bar", [(100, True), (0, False)])
def test_a_terminal_of_no_columns_gets_lines_not_a_bar(columns, bar, monkeypatch):
    """A pseudo-terminal whose size nobody set (0 columns: some schedulers, ``docker exec -t``)
    got a tqdm bar that draws nothing there: the long work said nothing at all."""
    from calib._progress import on_terminal

    monkeypatch.setenv("TERM", "xterm")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30 if columns else 0, columns, 0, 0))
    with os.fdopen(slave, "w") as stream:
        assert on_terminal(stream) is bar
    os.close(master)


def test_a_province_generated_chunk_by_chunk_tells_each_chunk(tmp_path):
    """`calib synth --fast` of a province takes minutes: each chunk of villages is told."""
    from calib.synth import write_fast

    lines: list[str] = []
    with open(tmp_path / "err.log", "w") as stream:
        with show_progress(log=lines.append, stream=stream):
            p = write_fast(tmp_path / "prov", villages=10, households_per_village=6, chunk_villages=4, seed=2)
    assert [ln.split(":")[0] for ln in lines] == ["villages 1-4 of 10", "villages 5-8 of 10", "villages 9-10 of 10"]
    assert sum(int(ln.split(": ")[1].split(" ")[0].replace(",", "")) for ln in lines) == p["households"]
