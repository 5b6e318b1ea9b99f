"""Faults and hostile input around a report run, on tiny notebooks (seconds each): a failed
notebook, SIGKILL at any moment, concurrent runs, a read-only or full reports folder, markup in
the title and in exception messages, exit codes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from calib import cli
from calib.reporting import run_reports
from calib.reporting.execute import KERNEL_DIR_PREFIX
from calib.reporting.history import read_history
from calib.reporting.publish import clean_leftovers, staging

from _support import ROOT, calib_cli, write_params, write_notebook

pytestmark = pytest.mark.e2e  # each test runs `calib run` on tiny notebooks (seconds each)

PAYLOAD = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


_notebook = write_notebook  # the runner-parameter notebook of tests/_support.py


@pytest.fixture(scope="module")
def tiny(small_programme, tmp_path_factory):
    """Notebooks that answer, sleep, fail with markup, or write a lot; and their params maker."""
    folder, _, _ = small_programme
    nbs = tmp_path_factory.mktemp("nbs")
    _notebook(nbs, "quick", "from calib import report\nreport.record('answer', 42)")
    _notebook(nbs, "sleepy", "import time\ntime.sleep(120)")
    _notebook(nbs, "boom", f"raise RuntimeError({PAYLOAD!r})")
    _notebook(nbs, "big", "print('x' * 2_000_000)")
    return lambda tmp, names, **kw: write_params(tmp, folder, nbs, notebooks=names, **kw)


def _kernel_pids(run_pid: int) -> list[str]:
    """Kernels of a run: their connection files sit in its private folder."""
    mark = f"{tempfile.gettempdir()}/{KERNEL_DIR_PREFIX}{run_pid}-"
    out = []
    for d in Path("/proc").iterdir():
        try:
            if d.name.isdigit() and mark in (d / "cmdline").read_bytes().decode(errors="ignore"):
                out.append(d.name)
        except OSError:
            continue
    return out


def _wait(cond, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.3)
    return False


def _good_bundle(out: Path, run_id: str = "20000101T000000000Z-aaaaaa") -> str:
    """An earlier complete bundle that `latest` points at."""
    (out / run_id).mkdir(parents=True)
    (out / run_id / "manifest.json").write_text("{}")
    os.symlink(run_id, out / "latest")
    return run_id


def _visible(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _live_payload(html: str) -> list:
    p = _Tags()
    p.feed(html)
    return [(t, a) for t, a in p.tags if (t == "img" and a.get("src") == "x") or "onerror" in a
            or (t == "script" and "alert" in html.split("<script", 1)[-1][:40])]


def test_failed_run_is_kept_marked_and_linked_as_latest_failed(tiny, tmp_path):
    out = tmp_path / "reports"
    good = _good_bundle(out)
    p = tiny(tmp_path, ["quick", "boom"], title=f"Evaluation {PAYLOAD}")
    r = calib_cli("run", str(p), "--out", str(out))
    assert r.returncode == 1 and "Traceback" not in r.stderr and "boom" in r.stderr
    assert os.readlink(out / "latest") == good  # latest never points at a failed bundle
    b = (out / "latest-failed").resolve()
    m = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "failed" and [n["status"] for n in m["notebooks"]] == ["ok", "failed"]
    assert "alert(1)" in m["notebooks"][1]["message"]
    for page in ("index.html", "boom.html", "quick.html"):
        html = (b / page).read_text(encoding="utf-8")
        assert not _live_payload(html), page
        assert "&lt;img src=x" in html or "&lt;img src=&#34;x" in html or "&lt;img" in html, page
    assert "失败" in (b / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("moment", [0.3, 1.5, "kernel running"])
def test_sigkill_at_any_moment_leaves_the_reports_consistent(tiny, tmp_path, moment):
    out = tmp_path / "reports"
    good = _good_bundle(out)
    p = tiny(tmp_path, ["sleepy"])
    proc = subprocess.Popen([sys.executable, "-m", "calib", "run", str(p), "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if moment == "kernel running":
        assert _wait(lambda: _kernel_pids(proc.pid), 60), "the notebook's kernel never started"
    else:
        time.sleep(moment)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _wait(lambda: not _kernel_pids(proc.pid), 20), "kernels outlived their killed run"
    assert os.readlink(out / "latest") == good and _visible(out) == [good]
    leftovers = [d.name for d in out.iterdir() if d.name.startswith(".tmp-")]
    if moment != "kernel running":  # the next run's cleanup, without running it
        assert clean_leftovers(out, "29990101T000000000Z-next00") == leftovers
        return
    assert leftovers, "killed while its kernel ran, the run left its hidden folder"
    r = calib_cli("run", str(tiny(tmp_path, ["quick"])), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert not [d for d in out.iterdir() if d.name.startswith(".tmp-")]  # the next run cleaned up
    assert not list(Path(tempfile.gettempdir()).glob(f"{KERNEL_DIR_PREFIX}{proc.pid}-*"))
    for name in leftovers:
        assert f"removed {name}" in r.stdout
    new = os.readlink(out / "latest")
    assert new != good and _visible(out) == sorted([good, new])
    assert calib_cli("verify", str(out / new)).returncode == 0


def test_leftovers_of_live_runs_are_not_removed(tmp_path):
    out = tmp_path / "reports"
    with staging(out, "20260101T000000000Z-live00") as live:
        dead = out / ".tmp-20260101T000000000Z-dead00"
        dead.mkdir()
        newer = out / ".tmp-29990101T000000000Z-newer0"
        newer.mkdir()
        removed = clean_leftovers(out, "20270101T000000000Z-me0000")
        assert removed == [dead.name] and live.path.exists() and newer.exists()
        live.discard()


def test_a_run_opening_its_staging_is_not_taken_for_a_leftover(tmp_path, monkeypatch):
    """Two runs started together: the newer one looked for leftovers in the moment the older one
    had made its hidden folder but not yet locked it, found it unlocked and removed it (the
    older run then crashed, exit 3, on its missing folder). The folder's creation and lock and
    the search for leftovers now exclude each other: held between the two steps, the older run's
    folder is seen only once locked, and kept."""
    import threading

    from calib.reporting import publish as pub

    out = tmp_path / "reports"
    out.mkdir()
    made, go, failed = threading.Event(), threading.Event(), []
    real_flock = pub.fcntl.flock

    def flock(fh, op):  # the older run pauses between making its folder and locking it
        if threading.current_thread().name == "older" and op & pub.fcntl.LOCK_EX and not made.is_set():
            made.set()
            go.wait(5)
        return real_flock(fh, op)

    monkeypatch.setattr(pub.fcntl, "flock", flock)
    older = pub.Staging(out, "20260101T000000000Z-older0")

    def open_older():
        try:
            older.open()
        except OSError as exc:  # pragma: no cover (the failure this test guards against)
            failed.append(exc)

    threads = [threading.Thread(target=open_older, name="older")]
    threads[0].start()
    assert made.wait(5)
    removed: list = []
    threads.append(threading.Thread(target=lambda: removed.extend(clean_leftovers(out, "20260101T000001000Z-newer0")),
                                    name="newer"))
    threads[1].start()
    time.sleep(0.3)  # the newer run's search, meanwhile
    go.set()
    for t in threads:
        t.join(10)
    try:
        assert not failed and removed == [] and older.path.is_dir() and (older.path / ".run.lock").exists()
        assert clean_leftovers(out, "20260101T000002000Z-later0") == []  # still held: kept
    finally:
        older.discard()


def _with_crash(stderr: str) -> str:
    """A run's standard error, with the traceback file it names (exit 3) read in: the file sits
    in the test run's scratch folder, gone by the time a failure is read."""
    import re

    m = re.search(r"the traceback was written to (\S+?\.txt)", stderr)
    crash = Path(m.group(1)).read_text(encoding="utf-8", errors="replace") if m and Path(m.group(1)).exists() else ""
    return stderr[-2000:] + crash[-4000:]


def test_two_runs_at_once_both_publish_and_record(tiny, tmp_path):
    p = tiny(tmp_path, ["quick"])
    out = tmp_path / "reports"
    procs = [subprocess.Popen([sys.executable, "-m", "calib", "run", str(p), "--out", str(out)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT) for _ in range(2)]
    said = [pr.communicate(timeout=600) for pr in procs]
    codes = [pr.returncode for pr in procs]
    assert codes == [0, 0], [_with_crash(err.decode(errors="replace")) for _, err in said]
    bundles = _visible(out)
    assert len(bundles) == 2
    for d in bundles:
        m = json.loads((out / d / "manifest.json").read_text())
        assert m["status"] == "ok" and m["run_id"] == d
    assert os.readlink(out / "latest") == bundles[-1]
    assert not list(out.glob(".tmp-*"))
    h = read_history(out / "history.sqlite")
    assert sorted(h["run_id"].unique()) == bundles and set(h["value"]) == {42}


def _mount(target: Path, options: str) -> None:
    target.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({r.stderr.decode()[:80]})")


def _umount(target: Path) -> None:
    subprocess.run(["umount", str(target)], capture_output=True)


def test_read_only_reports_folder_exits_2_and_publishes_nothing(tiny, tmp_path):
    out = tmp_path / "ro"
    _mount(out, "ro,size=1m")
    try:
        r = calib_cli("run", str(tiny(tmp_path, ["quick"])), "--out", str(out))
        assert r.returncode == 2, r.stderr
        assert "read-only" in r.stderr and "nothing was published" in r.stderr and "Traceback" not in r.stderr
        assert not list(out.iterdir())
    finally:
        _umount(out)


def test_full_reports_folder_exits_2_and_publishes_nothing(tiny, tmp_path):
    out = tmp_path / "full"
    _mount(out, "size=512k")
    try:
        _good_bundle(out)
        r = calib_cli("run", str(tiny(tmp_path, ["big"])), "--out", str(out))
        assert r.returncode == 2, r.stdout[-500:] + r.stderr
        assert "is full" in r.stderr and "nothing was published" in r.stderr and "Traceback" not in r.stderr
        assert _visible(out) == ["20000101T000000000Z-aaaaaa"] and not list(out.glob(".tmp-*"))
    finally:
        _umount(out)


def test_reports_folder_that_is_a_file_exits_2(tiny, tmp_path):
    f = tmp_path / "reports"
    f.write_text("not a folder")
    r = calib_cli("run", str(tiny(tmp_path, ["quick"])), "--out", str(f / "sub"))
    assert r.returncode == 2 and "not a folder" in r.stderr


@pytest.mark.parametrize("override,needle", [
    ("notebooks=[../../etc/passwd]", "notebooks"),
    ("notebooks=[missing_one]", "allowed: big, boom, quick, sleepy"),
    ("consensus.cap=.inf", "consensus.cap"),
    ("as_of=9999-12-31", "as_of"),
    ("seed=!!binary aGVsbG8=", "seed"),
])
def test_hostile_params_exit_2_naming_the_key(tiny, tmp_path, capsys, override, needle):
    out = tmp_path / "reports"
    assert cli.main(["run", str(tiny(tmp_path, ["quick"])), "--out", str(out), "-p", override]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err and err.count("\n") == 1
    assert not out.exists()


def test_cli_errors_are_one_line_without_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert cli.main(["validate", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("data_dir: x\nas_of: 2026-13-40\nnotebooks: [01_data_quality]\n")
    assert cli.main(["run", str(bad)]) == 2
    assert "as_of" in capsys.readouterr().err
    assert cli.main(["run", "params/sample.yaml", "-p", "consensus.method=mean"]) == 2
    err = capsys.readouterr().err
    assert "consensus.method" in err and "'median'" in err
    assert cli.main(["verify", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err
    r = calib_cli("run", str(bad))  # the same through the real command: one line, no traceback
    assert r.returncode == 2 and "as_of" in r.stderr and r.stderr.count("\n") == 1


def test_exit_3_says_it_is_a_bug_and_where_the_traceback_is(monkeypatch, capsys):
    def broken(args):
        raise ZeroDivisionError("secret 110101199003077777")

    monkeypatch.setattr(cli, "_cmd_verify", broken)
    assert cli.main(["verify", "x"]) == 3
    err = capsys.readouterr().err
    assert "bug in calib" in err and "ZeroDivisionError" in err and "110101199003077777" not in err
    path = err.split("written to ", 1)[1].split(";", 1)[0]
    text = Path(path).read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError" in text
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    os.unlink(path)


def test_jobs_must_be_positive(tiny, tmp_path, capsys):
    assert cli.main(["run", str(tiny(tmp_path, ["quick"])), "--jobs", "0"]) == 2
    assert "--jobs" in capsys.readouterr().err


def test_library_run_returns_statuses(tiny, tmp_path):
    res = run_reports(tiny(tmp_path, ["quick"]), out_root=tmp_path / "reports", log=lambda s: None)
    assert res.ok and res.statuses == {"quick": "ok"} and res.history_error is None
