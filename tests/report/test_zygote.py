"""Report kernels forked from the run's zygote (``calib.reporting.zygote``): the kernel a
notebook gets is the one ``python -m ipykernel_launcher`` would have started (interpreter,
command line, working folder, environment as launched, matplotlib backend, its own session),
only forked; a kernel that times out or dies is gone afterwards; what the zygote cannot serve,
and every kernel once the zygote is gone, starts the usual way."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from calib.reporting import execute, zygote

#: starts kernels, zygotes and their clients: left out of `make test-fast`
pytestmark = pytest.mark.slow

#: what a kernel is: printed by the probe notebook as one JSON line
PROBE = """
import json, os, sys, matplotlib, numpy
from ipykernel.kernelapp import IPKernelApp
from threadpoolctl import threadpool_info
app = IPKernelApp.instance()
print(json.dumps({"cwd": os.getcwd(), "path": sys.path, "argv": sys.argv, "exe": sys.executable,
                  "backend": matplotlib.get_backend(), "mark": os.environ.get("CALIB_TEST_MARK"),
                  "zygote_env": "CALIB_KERNEL_ZYGOTE" in os.environ, "ppid": os.getppid(),
                  "session_leader": os.getsid(0) == os.getpid(), "main": sys.modules["__main__"].__name__,
                  "parent_handle": app.parent_handle == int(os.environ["JPY_PARENT_PID"]), "interrupt": app.interrupt,
                  "preloaded": "calib.pricing" in sys.modules,
                  "blas": sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}),
                  "threads_env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}}))
os.write(2, b"a kernel's own standard error\\n")
import matplotlib.pyplot as plt

plt.plot([1, 3, 2])  # drawn into the notebook by the inline backend when the cell ends
"""


def _notebook(folder: Path, name: str, code: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    return path


def _probe(bundle: Path, name: str) -> dict:
    nb = nbformat.read(str(bundle / f"{name}.ipynb"), as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("name") == "stdout")
    return {**json.loads(text.strip().splitlines()[-1]),
            "images": sum("image/png" in o.get("data", {}) for o in nb.cells[0].outputs)}


def _children(pid: int) -> list[int]:
    out = []
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(p))
    return out


def _run(sources: dict[str, Path], bundle: Path, z: str | None, timeout: int = 120) -> list[execute.Outcome]:
    return execute.execute_all(sources, bundle, {}, timeout=timeout, jobs=2, log=lambda _l: None, zygote=z)


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("nbs")
    return {"probe_a": _notebook(src, "probe_a", PROBE), "probe_b": _notebook(src, "probe_b", PROBE),
            "sleeps": _notebook(src, "sleeps", "import time\ntime.sleep(300)"),
            "dies": _notebook(src, "dies", "import os\nos._exit(3)"),
            "pricing": _notebook(src, "pricing", "%matplotlib inline\nfrom calib import pricing")}


@pytest.fixture(scope="module")
def zygote_socket(notebooks):
    """A zygote for the probe notebook and one that imports calib.pricing, started with
    ``CALIB_TEST_MARK=before`` in the environment."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CALIB_TEST_MARK", "before")
        with execute.kernel_zygote([notebooks["probe_a"], notebooks["pricing"]]) as z:
            assert z is not None and execute._zygote_ready(z)
            mp.delenv("CALIB_TEST_MARK")
            yield z


def test_what_the_zygote_cannot_serve_starts_as_given(zygote_socket):
    """Another program (or interpreter) handed to the client is refused by the zygote and
    executed by the client itself, without the zygote's address in its environment."""
    r = subprocess.run([sys.executable, "-I", "-S", str(zygote.CLIENT), "/bin/sh", "-c",
                        'echo "[$CALIB_KERNEL_ZYGOTE]" && exit 7'],
                       env={**os.environ, zygote.SOCKET_ENV: zygote_socket}, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 7 and r.stdout == "[]\n", (r.returncode, r.stdout, r.stderr)


def _session_of(pid: int, seconds: float) -> int | None:
    """The session id of ``pid`` once it leads a session of its own (within ``seconds``), else
    the last one read."""
    end, sid = time.monotonic() + seconds, None
    while time.monotonic() < end:
        sid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[3])
        if sid == pid:
            break
        time.sleep(0.02)
    return sid


def _gone(pid: int, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def test_a_kernel_whose_launcher_is_killed_goes_while_the_others_run(zygote_socket, tmp_path):
    """jupyter_client kills a kernel by killing the process it launched (the client): the zygote
    then kills the kernel; the other kernel runs on. A kernel holds none of the zygote's
    descriptors (the listening socket, other clients' connections, other kernels' pidfds)."""
    from jupyter_client.connect import write_connection_file

    zpid = int(Path(zygote_socket).with_suffix(".pid").read_text())
    env = {**os.environ, zygote.SOCKET_ENV: zygote_socket}
    clients, kernels = [], []
    for name in ("a", "b"):
        conn, _ = write_connection_file(str(tmp_path / f"{name}.json"), transport="ipc", ip=str(tmp_path / name))
        before = set(_children(zpid))
        clients.append(subprocess.Popen([sys.executable, "-I", "-S", str(zygote.CLIENT), sys.executable, "-m",
                                         "ipykernel_launcher", "-f", conn], env=env, cwd=tmp_path,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(200):
            new = set(_children(zpid)) - before
            if new:
                break
            time.sleep(0.05)
        assert len(new) == 1, new
        kernels.append(new.pop())
    try:
        # the forked child closes the zygote's descriptors, then makes its own session: once
        # it leads a session, it holds none of them (before, a busy machine may not have run it)
        assert _session_of(kernels[1], 10) == kernels[1]
        held = [os.readlink(f"/proc/{kernels[1]}/fd/{fd}") for fd in os.listdir(f"/proc/{kernels[1]}/fd")]
        assert not [h for h in held if "pidfd" in h], held
        clients[0].kill()
        clients[0].wait()
        assert _gone(kernels[0], 10)       # killed by the zygote
        assert not _gone(kernels[1], 0.5)  # the other kernel runs on
    finally:
        for client in clients:
            client.kill()
            client.wait()
    assert _gone(kernels[1], 10)


def test_forked_kernels_are_the_kernels_a_launch_starts_and_the_zygote_outlives_their_faults(
        notebooks, zygote_socket, tmp_path, monkeypatch):
    spawned, forked = tmp_path / "spawned", tmp_path / "forked"
    spawned.mkdir(), forked.mkdir()
    z = zygote_socket
    zpid = int(Path(z).with_suffix(".pid").read_text())
    # set after the zygote started: a kernel gets the environment it is launched with
    monkeypatch.setenv("CALIB_TEST_MARK", "as launched")
    for var in zygote.THREAD_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # two kernels at once on two cores
    out = _run({k: notebooks[k] for k in ("probe_a", "probe_b")}, forked, z)
    assert [o.status for o in out] == ["ok", "ok"], out
    usual = _run({"probe_a": notebooks["probe_a"]}, spawned, None)
    assert usual[0].status == "ok", usual
    a, b = _probe(forked, "probe_b"), _probe(spawned, "probe_a")
    assert a["ppid"] == zpid and b["ppid"] == os.getpid()  # forked by the zygote; started here
    assert a["mark"] == "as launched" and not a["zygote_env"]
    assert a["preloaded"] and not b["preloaded"]  # what the run's notebooks import, imported once
    assert a["images"] == 1
    same = ("images", "path", "exe", "backend", "mark", "zygote_env", "session_leader", "main", "parent_handle", "interrupt")
    assert {k: a[k] for k in same} == {k: b[k] for k in same}
    # the same command line but for the connection file, the kernel's own
    assert a["argv"][:2] + a["argv"][3:] == b["argv"][:2] + b["argv"][3:] and a["argv"][2] != b["argv"][2]
    assert a["cwd"] == str(forked) and b["cwd"] == str(spawned) and a["session_leader"] and a["parent_handle"]
    # two kernels side by side on two cores: one BLAS thread each, though the zygote loaded
    # numpy with its own count (the cores, as the kernel started alone has); nothing left set
    assert a["threads_env"] == dict.fromkeys(zygote.THREAD_VARIABLES, "1") and a["blas"] == [1], a
    assert b["threads_env"] == dict.fromkeys(zygote.THREAD_VARIABLES) and b["blas"], b
    assert not any(v in os.environ for v in zygote.THREAD_VARIABLES)

    # a cell past the timeout, a kernel that dies: reported as failed, the kernels are gone,
    # the zygote still serves
    t0 = time.monotonic()
    out = _run({k: notebooks[k] for k in ("sleeps", "dies")}, forked, z, timeout=3)
    assert [o.status for o in out] == ["failed", "failed"], out
    assert "timed out" in out[0].message.lower() and "dead" in out[1].message.lower(), out
    assert time.monotonic() - t0 < 60
    for _ in range(100):
        if not _children(zpid):
            break
        time.sleep(0.1)
    assert _children(zpid) == []
    again = _run({"probe_b": notebooks["probe_b"]}, forked, z)
    assert again[0].status == "ok" and _probe(forked, "probe_b")["ppid"] == zpid

    # the zygote killed (its socket left behind): the client becomes the kernel, started here
    os.kill(zpid, signal.SIGKILL)
    late = _run({"probe_a": notebooks["probe_a"]}, spawned, z)
    assert late[0].status == "ok", late
    assert _probe(spawned, "probe_a")["ppid"] == os.getpid()


def test_no_zygote_for_one_kernel_or_when_turned_off(monkeypatch, notebooks):
    with execute.kernel_zygote([notebooks["probe_a"]]) as z:
        assert z is None
    monkeypatch.setenv("CALIB_KERNEL_ZYGOTE", "0")
    with execute.kernel_zygote(list(notebooks.values())) as z:
        assert z is None


def test_the_zygote_imports_what_the_notebooks_import(tmp_path):
    cells = ["import numpy as np, os.path\nfrom calib.report import fmt, t", "%matplotlib inline\nimport yaml",
             "if True:\n    from calib import pricing as p\nfrom . import local\nfrom x import *",
             "this is not python", "import numpy"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]
                                  + [nbformat.v4.new_markdown_cell("import markdown_is_not_code")])
    nbformat.write(nb, str(tmp_path / "n.ipynb"))
    (tmp_path / "yaml.py").write_text("")  # a helper beside the notebook: its namesake not preloaded
    assert zygote.notebook_imports([tmp_path / "n.ipynb", tmp_path / "missing.ipynb"]) == [
        "numpy", "os.path", "calib.report", "calib.report.fmt", "calib.report.t", "x", "calib",
        "calib.pricing"]


def test_what_must_not_be_imported_before_the_fork_is_not():
    code = ("import sys\nfrom calib.reporting import zygote\n"
            "zygote._preload(['grpc', 'pyspark.sql.connect.session', 'matplotlib_inline.backend_inline', 'json'])\n"
            "print(sorted(m for m in ('grpc', 'pyspark.sql.connect', 'matplotlib_inline', 'json') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.split("\n")[-2] == "['json']", (r.stdout, r.stderr[-2000:])
