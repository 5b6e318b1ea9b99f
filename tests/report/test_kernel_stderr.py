"""A kernel's own standard error (ipykernel's log, its shutdown races' tracebacks, anything a
library writes to file descriptor 2) does not reach the terminal of the process running the
notebooks; what a cell prints still reaches the notebook."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

_RUN = textwrap.dedent("""
    import json, sys, tempfile
    from pathlib import Path
    from calib.reporting.execute import execute_notebook
    tmp = Path(tempfile.mkdtemp())
    nb = {"cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "x = 1",
                     "outputs": [], "execution_count": None},
                    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": "import os, sys\\n"
                               "os.write(2, b'Traceback (most recent call last): 44182119880110181X\\\\n')\\n"
                               "print('shown in the notebook', file=sys.stderr)"}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    (tmp / "n.ipynb").write_text(json.dumps(nb))
    status = execute_notebook(tmp / "n.ipynb", tmp / "out.ipynb", {"x": 2}, tmp, 120, tmp / "ipc")
    out = json.loads((tmp / "out.ipynb").read_text())
    texts = [o.get("text", "") for c in out["cells"] for o in c.get("outputs", [])]
    print(json.dumps({"status": status, "texts": texts}))
""")


@pytest.mark.e2e
def test_a_kernels_own_stderr_stays_out_of_the_runners_terminal():
    r = subprocess.run([sys.executable, "-c", _RUN], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res["status"] == ["ok", ""]
    assert any("shown in the notebook" in "".join(t) for t in res["texts"])  # cells still report
    assert "Traceback" not in r.stderr and "44182119880110181X" not in r.stderr + r.stdout
