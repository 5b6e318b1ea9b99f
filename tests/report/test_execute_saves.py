"""The output notebook during a report's execution: saved when it starts, between cells at most
every ``SAVE_EVERY`` seconds (Papermill saved it at each cell's start and end, the whole notebook
each time), and whole at the end, also when a cell times out."""
from __future__ import annotations

import nbformat
import papermill.engines
import pytest

from calib.reporting import execute

#: runs notebooks in kernels: left out of `make test-fast`
pytestmark = pytest.mark.slow


def test_saved_at_start_and_end_not_at_every_cell_and_whole_after_a_timeout(tmp_path, monkeypatch):
    cells = [nbformat.v4.new_code_cell(f"print({i})") for i in range(30)]
    cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(300)"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = tmp_path / "many.ipynb"
    nbformat.write(nb, str(src))
    saves = []
    write = papermill.engines.write_ipynb
    monkeypatch.setattr(papermill.engines, "write_ipynb", lambda nb, path: (saves.append(path), write(nb, path)))
    out = tmp_path / "out.ipynb"
    status, message = execute.execute_notebook(src, out, {}, tmp_path, 5, tmp_path / "ipc")
    assert status == "failed" and "timed out" in message.lower(), message
    # at the start, maybe once between cells (the first cells wait for the kernel), at the end:
    # not the 62 saves of one per cell start and end
    assert 2 <= len(saves) <= 4, len(saves)
    done = nbformat.read(str(out), as_version=4)
    printed = [c.outputs[0]["text"].strip() for c in done.cells[:30]]
    assert printed == [str(i) for i in range(30)]  # every cell before the timeout, saved


def test_saved_whole_at_a_successful_end(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"print({i} * 2)") for i in range(12)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = tmp_path / "ok.ipynb"
    nbformat.write(nb, str(src))
    out = tmp_path / "out.ipynb"
    assert execute.execute_notebook(src, out, {}, tmp_path, 60, tmp_path / "ipc") == ("ok", "")
    done = nbformat.read(str(out), as_version=4)
    assert [c.outputs[0]["text"].strip() for c in done.cells] == [str(i * 2) for i in range(12)]
    assert done.metadata["papermill"]["end_time"] and not done.metadata["papermill"]["exception"]
