"""Executing notebooks: one kernel each, over IPC in a private folder, several at once.

Each notebook runs with Papermill in its own kernel, whose ZeroMQ sockets are Unix sockets in a
folder only the running user can open (mode 0700), so no other local user can attach to a
kernel that holds raw programme data (no "Kernel is running over TCP" in a run's log). The
kernel's working directory is the bundle being built, and the notebook receives only relative
paths (``params_file="params.yaml"``, ``out_dir="."``). Up to ``jobs`` notebooks run at once
(threads driving separate kernel processes); results come back in the listed order. Kernels
running side by side share the cores: each gets ``cores // kernels`` threads of the numerical
libraries (:func:`kernel_threads`).
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from calib.reporting.publish import disk_error

__all__ = ["Outcome", "execute_notebook", "execute_all", "kernel_threads", "kernel_zygote", "mask_message",
           "KERNEL", "KERNEL_DIR_PREFIX"]

KERNEL = "python3"  # jupyter_client maps it to the running interpreter, i.e. the project's .venv
KERNEL_DIR_PREFIX = "calib-kernels-"  # + the runner's pid: tempdir/calib-kernels-<pid>-xxxx/


def kernel_threads(kernels: int, cores: int | None = None) -> int:
    """Threads each of ``kernels`` kernels running at once gets for its numerical libraries:
    the cores shared out, at least one.

    OpenBLAS starts one thread per core in every process and its threads wait for work by
    spinning: two report kernels on two cores, each with two BLAS threads, spent twice the CPU
    of one thread on report 05's 200 bootstrap refits (300k households: 10.3 against 5.2 CPU s,
    the same wall time and the same figures) and took it from the other kernel; a 100k-household
    run with ``--jobs 2`` took 29-30 s against 25-27 s with one thread a kernel (metrics.json
    identical).

    Examples
    --------
    >>> kernel_threads(2, 2), kernel_threads(2, 8), kernel_threads(4, 2)
    (1, 4, 1)
    """
    return max(1, (cores or os.cpu_count() or 1) // max(1, kernels))


@contextmanager
def _thread_variables(kernels: int) -> Iterator[None]:
    """:data:`calib.reporting.zygote.THREAD_VARIABLES` set to :func:`kernel_threads` for the kernels launched in the
    block (those the user set are kept); put back as they were when it ends."""
    from calib.reporting.zygote import THREAD_VARIABLES

    n = str(kernel_threads(kernels))
    mine = [k for k in THREAD_VARIABLES if k not in os.environ]
    for k in mine:
        os.environ[k] = n
    try:
        yield
    finally:
        for k in mine:
            os.environ.pop(k, None)


def _remove_dead_kernel_folders() -> None:
    """Remove the private kernel folders of runs whose process is gone (killed runs)."""
    for d in Path(tempfile.gettempdir()).glob(f"{KERNEL_DIR_PREFIX}*-*"):
        try:
            pid = int(d.name[len(KERNEL_DIR_PREFIX):].split("-", 1)[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except (ValueError, PermissionError, OSError):
            continue


@dataclass
class Outcome:
    """How one notebook's execution ended."""

    notebook: str
    status: str  # "ok" or "failed"
    message: str
    seconds: float


def mask_message(text: str) -> str:
    """A notebook's error message with any ID-number- or phone-like digit run masked (the
    runner writes it into the manifest, the index and the page banner)."""
    from calib.masking import mask_digit_runs

    return mask_digit_runs(text)


def _quiet_kernel_manager(zygote: str | None = None) -> type:
    """jupyter_client's kernel manager, launching kernels with their standard error discarded.

    A kernel's own log (ipykernel's messages, and tracebacks of its shutdown races such as
    ``zmq.error.ZMQError: Socket operation on non-socket`` when the runner closes it) would
    otherwise go to the runner's terminal: a traceback for the user that says nothing about
    the report, and a way out for anything a library writes to the process's file descriptor
    2. What a notebook's cells print, warnings included, reaches the notebook through the
    kernel's messages, not this stream; a notebook's failure is reported by the runner.

    With ``zygote`` (the socket of :func:`kernel_zygote`), each kernel is forked from the run's
    zygote through its client (:mod:`calib.reporting.zygote`), once the zygote is ready; a kernel
    it cannot serve starts the usual way."""
    import asyncio
    import subprocess

    from jupyter_client import AsyncKernelManager
    from jupyter_client.manager import KernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):  # noqa: ANN001, ANN202 (jupyter_client's)
            kw["stderr"] = subprocess.DEVNULL
            if zygote is not None and await asyncio.to_thread(_zygote_ready, zygote):
                from calib.reporting.zygote import CLIENT, SOCKET_ENV

                kernel_cmd = [sys.executable, "-I", "-S", str(CLIENT), *kernel_cmd]
                kw["env"] = {**(kw.get("env") or os.environ), SOCKET_ENV: zygote}
            return await KernelManager._async_launch_kernel(self, kernel_cmd, **kw)

    return QuietKernelManager


def _zygote_ready(path: str, timeout: float = 60.0) -> bool:
    """Wait until the zygote listening at ``path`` is ready; False if it died or never got there."""
    pidfile = Path(path).with_suffix(".pid")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.exists(path):
            return True
        try:
            pid = int(pidfile.read_text())
            os.kill(pid, 0)
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return False  # exited, not yet reaped
        except (OSError, ValueError, IndexError):
            return False
        time.sleep(0.05)
    return False


@contextmanager
def kernel_zygote(notebooks: list[Path]) -> Iterator[str | None]:
    """The socket of a zygote that forks the kernels of ``notebooks`` (:mod:`calib.reporting.zygote`:
    it imports what they import) while the block runs, or None where one would not pay (fewer
    than two notebooks) or ``CALIB_KERNEL_ZYGOTE=0`` turns it off. Stopped when the block ends."""
    from calib.reporting import zygote

    if len(notebooks) < 2 or os.environ.get(zygote.SOCKET_ENV) == "0":
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix=f"{KERNEL_DIR_PREFIX}{os.getpid()}-z"))  # mode 0700
    sock = folder / "zygote.sock"
    try:
        proc = zygote.start(sock, notebooks)
    except OSError:  # no zygote: the kernels start the usual way
        shutil.rmtree(folder, ignore_errors=True)
        yield None
        return
    try:
        try:
            sock.with_suffix(".pid").write_text(str(proc.pid))  # read by _zygote_ready
            ready: str | None = str(sock)
        except OSError:
            ready = None
        yield ready
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _ipc_config(folder: Path, zygote: str | None = None) -> Any:
    from traitlets.config import Config

    c = Config()
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = str(folder / "k")
    c.KernelManager.connection_file = str(folder / "kernel.json")
    c.NotebookClient.kernel_manager_class = _quiet_kernel_manager(zygote)
    return c


#: Between cells the output notebook is saved at most this often (seconds). Papermill saved it at
#: every cell's start and end (validated and serialised whole each time: about half the runner's
#: CPU on the sample, quadratic in a notebook's length); a killed run's notebook is at most this
#: old. It is still saved when the notebook starts, and at the end, failed or not.
SAVE_EVERY = 10.0


def _engine() -> str:
    """The name of Papermill's nbclient engine with saves at most every :data:`SAVE_EVERY`
    seconds between cells (registered once)."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.exceptions import PapermillException

    name = "calib-nbclient"
    try:
        papermill_engines.get_engine(name)
        return name
    except PapermillException:
        pass  # not yet registered

    class Manager(NotebookExecutionManager):
        hold = False  # True while a save may wait (between cells), "end" at a successful end

        def save(self, **kwargs):  # noqa: ANN003, ANN201 (Papermill's)
            if self.hold == "end" or (self.hold and (self.now() - self.last_save_time).total_seconds() < SAVE_EVERY):
                return None
            return super().save(**kwargs)

        def _held(self, step, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            self.hold = True
            try:
                return step(*args, **kwargs)
            finally:
                self.hold = False

        def cell_start(self, cell, cell_index=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
            return self._held(super().cell_start, cell, cell_index, **kwargs)

        def cell_complete(self, cell, cell_index=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
            return self._held(super().cell_complete, cell, cell_index, **kwargs)

    class Engine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,  # noqa: ANN001, ANN003, ANN206, D102
                             autosave_cell_every=30, **kwargs):
            # Papermill's Engine.execute_notebook with the manager above; at a successful end
            # Papermill writes the notebook itself once the engine returns
            nb_man = Manager(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                             autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            ok = False
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
                ok = True
            finally:
                nb_man.cleanup_pbar()
                nb_man.hold = "end" if ok else False
                nb_man.notebook_complete()
                nb_man.hold = False
            return nb_man.nb

    papermill_engines.register(name, Engine)
    return name


def execute_notebook(src: Path, out: Path, parameters: dict[str, Any], cwd: Path, timeout: int,
                     ipc_dir: Path, zygote: str | None = None) -> tuple[str, str]:
    """Execute one notebook into ``out``; return ``(status, message)``.

    Raises
    ------
    calib.reporting.publish.ReportsFolderError
        Writing the output notebook failed for lack of space or permission.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    ipc_dir.mkdir(mode=0o700)
    try:
        pm.execute_notebook(
            str(src), str(out), parameters=parameters, kernel_name=KERNEL, engine_name=_engine(), progress_bar=False,
            log_output=False, execution_timeout=timeout, report_mode=False,
            resources={"metadata": {"path": str(cwd)}}, config=_ipc_config(ipc_dir, zygote))
        return "ok", ""
    except PapermillExecutionError as exc:
        return "failed", f"{exc.ename}: {exc.evalue}".strip()
    except OSError as exc:
        err = disk_error(exc, out.parent.parent)
        if err is not None:
            raise err from None
        return "failed", f"{type(exc).__name__}: {exc}".strip()
    except Exception as exc:  # kernel death, timeout, unreadable notebook
        return "failed", f"{type(exc).__name__}: {exc}".strip()
    finally:
        shutil.rmtree(ipc_dir, ignore_errors=True)


def execute_all(sources: dict[str, Path], bundle: Path, parameters: dict[str, Any], *,
                timeout: int, jobs: int, log: Callable[[str], Any] = print,
                run_id: str = "", mask: Callable[[str], str] = mask_message,
                zygote: str | None = None) -> list[Outcome]:
    """Execute every notebook of ``sources`` into ``bundle/<name>.ipynb``, ``jobs`` at a time,
    each kernel with its share of the cores for its numerical libraries (:func:`kernel_threads`
    of the kernels that run at once).

    ``mask`` masks personal data in each failed notebook's message before it is logged and
    returned (default: ID- and phone-like digit runs; the runner adds the programme's names).
    ``zygote``: the socket of the run's :func:`kernel_zygote`, which forks the kernels.

    Returns
    -------
    list of Outcome
        In the order of ``sources``, whatever the order they finished in.
    """
    _remove_dead_kernel_folders()
    private = Path(tempfile.mkdtemp(prefix=f"{KERNEL_DIR_PREFIX}{os.getpid()}-"))  # mode 0700
    said = threading.Lock()
    raw_log = log

    def log(line: str) -> None:  # one whole line at a time: print writes the text and the newline
        with said:               # apart, and two workers' lines ran together in cron's log
            raw_log(line)

    def one(item: tuple[int, tuple[str, Path]]) -> Outcome:
        i, (name, src) = item
        log(f"[{run_id}] running {name} ...")
        t0 = time.monotonic()
        status, message = execute_notebook(src, bundle / f"{name}.ipynb", parameters, bundle,
                                           timeout, private / str(i), zygote)
        message = mask(message)
        seconds = round(time.monotonic() - t0, 1)
        log(f"[{run_id}] {name}: {status} in {seconds} s" + (f" ({message})" if message else ""))
        return Outcome(name, status, message, seconds)

    try:
        items = list(enumerate(sources.items()))
        if jobs <= 1 or len(items) <= 1:
            return [one(it) for it in items]
        at_once = min(jobs, len(items))
        with _thread_variables(at_once), ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="calib-nb") as pool:
            return list(pool.map(one, items))
    finally:
        shutil.rmtree(private, ignore_errors=True)
