"""The process jupyter_client launches for a report kernel when the run has a zygote
(``calib/reporting/zygote.py``): it asks the zygote to fork the kernel ``COMMAND`` would start,
handing over its environment, working folder and standard streams, then stands in for it:
signals to this process go to the kernel's process group, and it exits with the kernel's code.
When the zygote cannot serve it (none, gone, refused), it becomes ``COMMAND`` itself (exec).

Standard library only, run as ``python -I -S _kernel_client.py COMMAND...``: it starts in
milliseconds.
"""
import json
import os
import signal
import socket
import struct
import sys

SOCKET_ENV = "CALIB_KERNEL_ZYGOTE"  # where the zygote listens (the runner sets it)
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def _line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(64)
        if not chunk:
            break
        data += chunk
    return data.strip()


def _ask(cmd: list[str]):
    path = os.environ.get(SOCKET_ENV)
    if not path:
        return None, None
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
        env = {k: v for k, v in os.environ.items() if k != SOCKET_ENV}
        payload = json.dumps({"argv": cmd, "env": env, "cwd": os.getcwd()}).encode()
        socket.send_fds(conn, [struct.pack("!Q", len(payload))], [0, 1, 2])
        conn.sendall(payload)
        reply = _line(conn)
    except OSError:
        conn.close()
        return None, None
    if not reply.startswith(b"pid "):
        conn.close()
        return None, None
    return conn, int(reply[4:])


def main() -> int:
    cmd = sys.argv[1:]
    conn, pid = _ask(cmd)
    if conn is None:
        os.environ.pop(SOCKET_ENV, None)
        os.execv(cmd[0], cmd)  # the kernel, started the usual way

    def forward(signum, _frame):
        try:
            os.killpg(pid, signum)
        except OSError:
            pass

    for sig in FORWARDED:
        signal.signal(sig, forward)
    reply = _line(conn)  # "exit CODE" when the kernel ended (a forwarded signal does not interrupt it)
    if reply.startswith(b"exit "):
        code = int(reply[5:])
        return 128 - code if code < 0 else code
    return 1


if __name__ == "__main__":
    sys.exit(main())
