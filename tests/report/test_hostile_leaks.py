"""Nothing leaks on any path (issue 12 item 1): known ID numbers, names and phones are planted in
every table of a small adversarial programme (``tests/_hostile.py``), and every byte ``calib
run`` prints (stdout and stderr) and every file it leaves under the reports folder (HTML,
notebooks, JSON, CSV, YAML, xlsx unzipped, Parquet, the run history; hidden folders included) is
searched for them: on success and on each failure path (no header row, header-only file, binary
file, list-valued and binary parameters, unknown notebook, a notebook name escaping the bundle,
a notebook that raises with personal values in its message beside one that succeeds, a run
killed mid-way).

The notebooks are tiny (seconds each); a successful run of the real reports on the same kind
of programme is ``test_hostile_bundle.py``. Paths that end before any notebook runs are run in
this process (fast); the others as a command (marked ``e2e``).
"""
from __future__ import annotations

import base64
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import _hostile as H
from _support import ROOT, calib_cli, write_params, write_notebook
from calib import cli
from calib.masking import mask_id, mask_phone


_notebook = write_notebook  # the runner-parameter notebook of tests/_support.py


#: Shows every table of the programme through the display layer and writes the quarantine.
SHOW = """from calib import report
P, prog, out = report.open_run(params_file, out_dir)
display(report.table(prog.quarantine, max_rows=None, file="quarantine.csv"))
report.write_csv(prog.quarantine, out / "quarantine.csv")
report.write_xlsx(prog.roster[["village", "name", "phone", "id_number"]], out / "people.xlsx")
report.record("households", prog.roster["household_id"].nunique())"""
#: Reads the raw roster itself and fails quoting a person (name, ID, phone) in print and raise.
RAISE = """import pandas as pd
from calib import report
P, prog, out = report.open_run(params_file, out_dir)
r = pd.read_csv(f"{P.data_dir}/roster.csv", dtype=str, encoding="utf-8-sig").iloc[0]
print("checking", r["姓名"], r["身份证"], r["联系方式"])
raise ValueError(f"household of {r['姓名']} (ID {r['身份证']}, phone {r['联系方式']}) does not add up")"""
SLEEP = SHOW + "\nimport time\ntime.sleep(120)"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The adversarial programme (written once) and the tiny notebooks."""
    tmp = tmp_path_factory.mktemp("leaks")
    adv = H.build(tmp / "programme", villages=3, households_per_village=12)
    nbs = tmp / "nbs"
    nbs.mkdir()
    _notebook(nbs, "show", SHOW)
    _notebook(nbs, "raiser", RAISE)
    _notebook(nbs, "sleepy", SLEEP)
    _notebook(tmp, "escape", "print('outside')")  # nbs/../escape.ipynb exists: still refused
    return adv, nbs


@pytest.fixture
def case(base, tmp_path, capfd):
    """A fresh copy of the programme for one path, and its runner: ``calib run`` as a command,
    or in this process (paths that end before any notebook runs; output captured at the file
    descriptors either way)."""
    adv, nbs = base
    data = tmp_path / "data"
    shutil.copytree(adv.folder, data)
    out = tmp_path / "reports"

    def run(notebooks=("show",), *overrides: str, inproc: bool = False) -> subprocess.CompletedProcess:
        p = write_params(tmp_path, data, nbs, notebooks=list(notebooks))
        args = ["run", str(p), "--out", str(out), "--jobs", "1"]
        for o in overrides:
            args += ["-p", o]
        if not inproc:
            return calib_cli(*args, timeout=300)
        capfd.readouterr()
        code = cli.main(args)
        o = capfd.readouterr()
        return subprocess.CompletedProcess(args, code, o.out, o.err)

    return adv, data, out, run


def _clean(adv, r: subprocess.CompletedProcess, out: Path) -> None:
    found = H.leaks(adv.secrets, r.stdout + r.stderr, out)
    assert found == [], found
    assert "Traceback" not in r.stderr


def test_no_header_row(case):
    adv, data, out, run = case
    ro = pd.read_csv(data / "roster.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    (data / "roster.csv").write_text(ro.to_csv(index=False, header=False), encoding="utf-8")
    r = run(inproc=True)
    assert r.returncode == 2 and "roster.csv: no header row" in r.stderr, r.stderr
    assert str(mask_id([ro.iloc[0]["身份证"]])[0]) in r.stderr  # masked examples
    _clean(adv, r, out)
    assert not (out / "latest").exists() and not (out / "latest-failed").exists()


@pytest.mark.e2e
def test_header_only_roster(case):
    """Every other table's rows are then set aside (their households are unknown), planted
    values and all: the quarantine shown and written holds them, masked."""
    adv, data, out, run = case
    head = (data / "roster.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    (data / "roster.csv").write_text(head + "\n", encoding="utf-8")
    r = run()
    assert r.returncode == 0, r.stderr
    _clean(adv, r, out)
    q = ((out / "latest") / "quarantine.csv").read_text(encoding="utf-8-sig")
    assert str(mask_id([H.STRAY_IDS[1]])[0]) in q and q.count("\n") > 100


def test_binary_file(case):
    adv, data, out, run = case
    junk = bytes(range(256)) * 8
    (data / "roster.csv").write_bytes(junk + H.PHONES[0].encode() + b"," + "欧阳翠萍".encode("gb18030") + junk)
    r = run(inproc=True)
    assert r.returncode == 2 and "roster.csv" in r.stderr, r.stderr
    _clean(adv, r, out)


@pytest.mark.parametrize("override,key", [
    (f"title=[{H.STRAY_IDS[0]}, {H.PHONES[0]}]", "title"),
    (f"as_of=[{H.PHONES[1]}]", "as_of"),
    ("seed=!!binary " + base64.b64encode(H.STRAY_IDS[1].encode()).decode(), "seed"),
    ("title=!!binary " + base64.b64encode(b"\xff\xfe" + H.PHONES[2].encode()).decode(), "title"),
    (f"notebooks=[{H.PHONES[3]}]", "notebooks"),
    (f"notebooks=[../escape_{H.STRAY_IDS[2]}]", "notebooks"),
])
def test_bad_parameters(case, override, key):
    adv, _, out, run = case
    r = run(("show",), override, inproc=True)
    assert r.returncode == 2 and key in r.stderr and r.stderr.count("\n") == 1, r.stderr
    _clean(adv, r, out)
    assert not out.exists()


def test_notebook_escaping_the_bundle_is_refused_even_when_it_exists(case, base):
    adv, _, out, run = case
    _, nbs = base
    assert (nbs / ".." / "escape.ipynb").is_file()
    before = sorted(p.name for p in nbs.parent.iterdir())
    r = run(("../escape",), inproc=True)
    assert r.returncode == 2 and "notebooks" in r.stderr, r.stderr
    _clean(adv, r, out)
    assert not out.exists() and sorted(p.name for p in nbs.parent.iterdir()) == before


@pytest.mark.e2e
def test_notebook_raising_with_personal_values(case):
    """One run, two notebooks: ``show`` succeeds (every table shown and written), ``raiser``
    fails quoting a person; the bundle is published as ``latest-failed``."""
    adv, data, out, run = case
    first = pd.read_csv(data / "roster.csv", dtype=str, encoding="utf-8-sig").iloc[0]
    r = run(("show", "raiser"))
    assert r.returncode == 1 and "raiser" in r.stderr, r.stderr
    _clean(adv, r, out)
    bundle = (out / "latest-failed").resolve()
    page = (bundle / "show.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the planted values were shown, masked
    assert str(mask_phone([H.PHONES[4]])[0]) in page  # typed as a reviewer number, quarantined
    assert str(mask_id([H.STRAY_IDS[0]])[0]) in (bundle / "quarantine.csv").read_text(encoding="utf-8-sig")
    m = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    msg = m["notebooks"][1]["message"]
    assert msg.startswith("ValueError: household of ") and str(mask_id([first["身份证"]])[0]) in msg
    assert first["姓名"] not in msg and first["姓名"][0] + "*" in msg
    page = (bundle / "raiser.html").read_text(encoding="utf-8")
    assert "does not add up" in page and first["联系方式"][:3] + "****" in page


@pytest.mark.e2e
def test_killed_run(case, base):
    adv, _, out, run = case
    _, nbs = base
    p = write_params(out.parent, out.parent / "data", nbs, notebooks=["sleepy"])
    proc = subprocess.Popen([sys.executable, "-m", "calib", "run", str(p), "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(out.glob(".tmp-*/people.xlsx")):
        time.sleep(0.3)
    time.sleep(1)  # the kernel has shown the tables, written its side files and sleeps
    proc.send_signal(signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=30)
    assert list(out.glob(".tmp-*/people.xlsx")), "the run was killed before its notebook wrote anything"
    found = H.leaks(adv.secrets, stdout + stderr, out)
    assert found == [], found
    assert not (out / "latest").exists()
