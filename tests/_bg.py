"""Run a command in the background for the test session (``tests/_runs.py``): its output to two
files, its pid to ``RC.pid`` as soon as it started and its exit code to ``RC`` when it ended, so
any process of the test run (an xdist worker that did not start it) can wait for it.

usage: python tests/_bg.py RC STDOUT STDERR COMMAND...
"""
import os
import subprocess
import sys


def main() -> int:
    rc, out, err, *cmd = sys.argv[1:]
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen(cmd, stdout=o, stderr=e)
        with open(rc + ".pid.tmp", "w") as f:
            f.write(str(proc.pid))
        os.replace(rc + ".pid.tmp", rc + ".pid")
        code = proc.wait()
    with open(rc + ".tmp", "w") as f:
        f.write(str(code))
    os.replace(rc + ".tmp", rc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
