"""Report kernels forked from one process that imported their libraries once.

Starting a report's kernel costs about 3.5 CPU s before its first figure: the interpreter,
ipykernel and IPython, then pandas, SciPy, matplotlib and calib itself. A run of seven reports
paid that seven times. The runner now starts one *zygote* per run (``python -m
calib.reporting.zygote SOCKET``): it imports what a report kernel imports, starts no thread and
opens no kernel socket, then listens on a Unix socket in the run's private kernel folder (mode
0700). Each kernel jupyter_client launches is a small stdlib-only client
(``calib/reporting/_kernel_client.py``) that hands the zygote its command, environment, working
directory and standard streams; the zygote forks, and the child becomes the kernel (its own
session, the client's streams, folder and environment) while the client stays as the process
jupyter_client watches: it forwards signals to the kernel and exits with its exit code.

A kernel forked this way is the kernel ``python -m ipykernel_launcher`` would start: same
interpreter, same command line, same environment, same libraries (imported with the run's
environment before the fork); it costs a fork and ipykernel's own set-up. Whatever cannot be
served this way (another interpreter or kernel, a zygote that failed to start, died or is
refused) starts the usual way, so a report never depends on the zygote.

Lifetimes: the zygote dies with the runner (``PR_SET_PDEATHSIG``); a kernel dies with the zygote
the same way, and the zygote kills a kernel whose client is gone (jupyter_client killed it).
"""
from __future__ import annotations

import ctypes
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import struct
import sys
import threading
import traceback
from pathlib import Path

__all__ = ["KERNEL_PRELOAD", "CLIENT", "SOCKET_ENV", "THREAD_VARIABLES", "notebook_imports", "start", "serve"]

from calib.reporting._kernel_client import SOCKET_ENV  # where the client finds the zygote
#: the client jupyter_client launches in place of the kernel (stdlib only: run with ``-I -S``)
CLIENT = Path(__file__).with_name("_kernel_client.py")
#: what every kernel imports when it starts (ipykernel and IPython); the zygote imports these and
#: the modules the run's notebooks import (:func:`notebook_imports`)
KERNEL_PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.comm",
                  "IPython.display", "IPython.core.completer")
#: never imported before the fork: matplotlib's inline backend hooks itself into the kernel's
#: shell when it is imported, which exists only in the kernel; gRPC (Spark Connect's client)
#: supports a fork only under settings of its own, so a kernel imports it after
_NOT_PRELOADED = ("matplotlib_inline", "ipykernel.pylab", "grpc", "pyspark.sql.connect")
_KERNEL_MODULE = "ipykernel_launcher"
#: The variables that size the thread pools of the numerical libraries a kernel loads, and the
#: library each sizes (threadpoolctl's names): OpenBLAS under numpy and scipy, MKL where numpy is
#: built on it, OpenMP under scikit-learn (:func:`calib.reporting.execute.kernel_threads`).
THREAD_VARIABLES = {"OPENBLAS_NUM_THREADS": "blas", "MKL_NUM_THREADS": "blas", "OMP_NUM_THREADS": "openmp"}
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """SIGKILL this process when its parent (``parent``) exits (Linux); exit now if it already has."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def notebook_imports(notebooks: list[Path]) -> list[str]:
    """The modules the code cells of ``notebooks`` import (``import a.b`` gives ``a.b``; ``from
    a import b`` gives ``a`` and ``a.b``, which may be a module), in first-seen order. Cells that
    do not parse (magics) and relative imports are skipped, and so is a module whose top-level
    name is also a file or folder next to a notebook: a helper kept there (found once a cell
    puts its folder on ``sys.path``) must not be shadowed by an installed namesake imported
    before the fork."""
    import ast

    seen: dict[str, None] = {}
    for path in notebooks:
        try:
            cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            try:
                tree = ast.parse("\n".join(l for l in source.splitlines() if not l.lstrip().startswith(("%", "!"))))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    seen.update(dict.fromkeys(a.name for a in node.names))
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    seen[node.module] = None
                    seen.update(dict.fromkeys(f"{node.module}.{a.name}" for a in node.names if a.name != "*"))
    beside: set[str] = set()
    for folder in {Path(nb).parent for nb in notebooks}:
        try:
            beside |= {p.stem if p.suffix == ".py" else p.name for p in folder.iterdir()
                       if p.suffix == ".py" or (p / "__init__.py").exists()}
        except OSError:
            continue
    return [m for m in seen if m.split(".", 1)[0] not in beside]


def _preload(modules: list[str]) -> None:
    # the kernel's own choice, made before matplotlib reads it (ipykernel's init_gui_pylab)
    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    for name in [*KERNEL_PRELOAD, *modules]:
        if name.startswith(_NOT_PRELOADED):
            continue
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - not a module (a name), or one a kernel cannot import:
            continue       # it fails there, as it would


def _limit_threads(env: dict[str, str]) -> None:
    """Apply the thread counts of the kernel's environment (:data:`THREAD_VARIABLES`) to the
    numerical libraries the zygote loaded before the fork: they read theirs when they were
    loaded, from the zygote's environment. Libraries loaded later read the kernel's own."""
    limits: dict[str, int] = {}
    for var, api in THREAD_VARIABLES.items():
        v = (env.get(var) or "").strip()
        if v.isdigit() and int(v) > 0:
            limits[api] = min(int(v), limits.get(api, int(v)))
    if not limits or "numpy" not in sys.modules:
        return
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=limits)
    except Exception:  # noqa: BLE001 - the libraries keep their threads: slower, never wrong
        pass


def _servable(argv: list[str]) -> bool:
    """Whether ``argv`` starts the kernel this zygote can become: this interpreter running
    ``-m ipykernel_launcher``."""
    try:
        same = os.path.samefile(argv[0], sys.executable)
    except (OSError, IndexError, TypeError):
        return False
    return same and argv[1:3] == ["-m", _KERNEL_MODULE]


def _become_kernel(req: dict, fds: list[int], zygote: int) -> None:
    """In the forked child: take the client's session, streams, folder and environment, then run
    ipykernel as ``python -m ipykernel_launcher ARGS`` would. Never returns."""
    code = 1
    try:
        os.setsid()
        _die_with_parent(zygote)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD, signal.SIGPIPE, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL if sig != signal.SIGINT else signal.default_int_handler)
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        _limit_threads(req["env"])
        import ipykernel_launcher

        sys.argv = [ipykernel_launcher.__file__, *req["argv"][3:]]
        from ipykernel.kernelapp import IPKernelApp

        # the two settings ipykernel reads from the environment when it is imported (here, in
        # the zygote, before the launch's environment existed): the launcher's pid, which also
        # keeps the kernel's banner off the runner's terminal, and the interrupt event
        IPKernelApp.launch_instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0),
                                    interrupt=int(os.environ.get("JPY_INTERRUPT_EVENT") or 0))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on the kernel's standard error, like a kernel's
        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _recv_request(conn: socket.socket) -> tuple[dict, list[int]]:
    conn.settimeout(10)
    head, fds, _flags, _addr = socket.recv_fds(conn, 8, 3)
    if len(head) != 8 or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        raise OSError("incomplete request")
    size = struct.unpack("!Q", head)[0]
    data = bytearray()
    while len(data) < size:
        chunk = conn.recv(min(1 << 16, size - len(data)))
        if not chunk:
            break
        data += chunk
    if len(data) != size:
        for fd in fds:
            os.close(fd)
        raise OSError("incomplete request")
    return json.loads(data), fds


def start(sock: Path, notebooks: list[Path], **popen) -> "subprocess.Popen":
    """Start a zygote listening at ``sock`` (in a private folder) for the kernels of
    ``notebooks``; it is ready once ``sock`` exists."""
    import subprocess

    return subprocess.Popen([sys.executable, "-m", "calib.reporting.zygote", str(sock), *notebook_imports(notebooks)],
                            cwd=sock.parent, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, **popen)


def serve(path: str, modules: list[str] = ()) -> None:
    """Import ``modules`` (the run's notebooks' imports) and what a kernel imports, then fork a
    kernel for each client that connects to ``path`` until killed."""
    # ``python -m`` put the working folder first; ipykernel_launcher removes it before its
    # imports (IPython puts "" back when the kernel starts)
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    parent = os.getppid()
    _die_with_parent(parent)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    _preload(list(modules))
    # what was imported stays out of every kernel's garbage collections: they neither traverse
    # it nor copy its pages by touching it (CPython's advice for a process that forks workers)
    gc.collect()
    gc.freeze()
    if threading.active_count() != 1:  # a Python thread would not survive a fork: serve nobody,
        return                             # the clients start their kernels the usual way
    # (the libraries' native threads, OpenBLAS's workers and jemalloc's, are rebuilt after a fork
    # by the libraries' own fork handlers, as under multiprocessing's fork)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tmp = path + ".tmp"
    listener.bind(tmp)
    os.chmod(tmp, 0o600)
    listener.listen(16)
    os.replace(tmp, path)  # ready: the runner waits for the name
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, ("accept", None))
    me = os.getpid()
    while True:
        for key, _ in sel.select():
            kind, data = key.data
            if kind == "accept":
                conn, _ = listener.accept()
                try:
                    req, fds = _recv_request(conn)
                except (OSError, ValueError):
                    conn.close()
                    continue
                if not _servable(req.get("argv") or []):
                    for fd in fds:
                        os.close(fd)
                    conn.sendall(b"no\n")
                    conn.close()
                    continue
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:  # the kernel keeps none of the zygote's descriptors (its listening
                    for other in list(sel.get_map().values()):  # socket, clients, pidfds)
                        if isinstance(other.fileobj, int):
                            os.close(other.fileobj)
                        else:
                            other.fileobj.close()
                    sel.close()
                    conn.close()
                    _become_kernel(req, fds, me)
                for fd in fds:
                    os.close(fd)
                pidfd = os.pidfd_open(pid)
                conn.setblocking(True)
                conn.sendall(f"pid {pid}\n".encode())
                sel.register(conn, selectors.EVENT_READ, ("client", (pid, pidfd)))
                sel.register(pidfd, selectors.EVENT_READ, ("kernel", (pid, conn)))
            elif kind == "client":  # the client is gone: jupyter_client killed it
                pid, _pidfd = data
                sel.unregister(key.fileobj)
                # closed now, not when its kernel is reaped: a kernel forked in between closes
                # only the registered descriptors and would inherit this one
                key.fileobj.close()
                # the kernel's session (what it started), and the kernel itself: a client killed
                # at once may go before the child has made its session (killpg then finds no
                # group); the pid is still this process's unreaped child, so it is the kernel's
                for kill in (os.killpg, os.kill):
                    try:
                        kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            else:  # the kernel exited: tell its client, which exits with its code
                pid, conn = data
                sel.unregister(key.fileobj)
                os.close(key.fd)
                _, status = os.waitpid(pid, 0)
                code = os.waitstatus_to_exitcode(status)
                try:  # a client already gone: its connection is closed (OSError)
                    conn.sendall(f"exit {code}\n".encode())
                except OSError:
                    pass
                try:
                    sel.unregister(conn)
                except (KeyError, ValueError):
                    pass
                conn.close()


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
