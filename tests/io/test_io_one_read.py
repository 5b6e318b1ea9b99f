"""Each CSV is parsed once, also when rows have the wrong number of fields (issue 14): the
rows a threaded read skips are numbered from the file's bytes, and the roster's block reader
carries them in their block. The quarantine is the one of the exact (unthreaded) read."""
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from calib import synth
import calib.io.load as L
import calib.io.read as R
from calib.io import load_programme

from _support import AS_OF


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """A programme whose roster and reviews have rows with too many and too few fields, an
    empty line and CRLF line ends (no quotes): the block and the byte paths are taken."""
    d = tmp_path_factory.mktemp("broken")
    synth.write(synth.generate(seed=7, villages=3, households_per_village=12, dirty=True), d)
    for name in ("roster", "reviews"):
        raw = (d / f"{name}.csv").read_bytes()
        bom = raw[:3] if raw.startswith(b"\xef\xbb\xbf") else b""
        lines = raw[len(bom):].split(b"\n")
        lines[3] += b",extra"
        lines[9] = b",".join(lines[9].split(b",")[:2])
        lines.insert(20, b"")
        lines[-2] += b",x,y"  # the last row (the file ends with a line break)
        nl = b"\r\n" if name == "reviews" else b"\n"
        (d / f"{name}.csv").write_bytes(bom + nl.join(lines))
    return d


def _exact(path):
    """The whole table as the unthreaded read numbers it (what the loader did before)."""
    enc = R._bom_encoding(path)
    names = R._header(path, enc)
    table, bad = R._csv_arrow(path, enc, names, threads=False)
    assert bad and all(b[0] is not None for b in bad)
    return R._with_bad_rows(table, names, bad).rename_columns(names + [R.ROW, R.PROBLEM])


@pytest.mark.parametrize("name", ["roster", "reviews"])
def test_whole_read_parses_once_and_numbers_rows_as_the_exact_read(broken, name, monkeypatch):
    path = broken / f"{name}.csv"
    expected = _exact(path)
    calls = []
    real = pacsv.read_csv
    monkeypatch.setattr(pacsv, "read_csv", lambda *a, **k: calls.append(1) or real(*a, **k))
    got = R.read_raw(path)
    assert len(calls) == 1
    assert got.equals(expected)
    assert got.column(R.PROBLEM).null_count == got.num_rows - 3  # the three rows planted


@pytest.mark.parametrize("rows, nbytes", [(1, 1000), (7, 2500), (1 << 20, 1 << 24)])
def test_block_reader_carries_bad_rows_in_their_block(broken, rows, nbytes, monkeypatch):
    monkeypatch.setattr(R, "_BLOCK_BYTES", nbytes)
    path = broken / "roster.csv"
    blocks = list(R.csv_blocks(path, rows=rows))
    expected = _exact(path)
    if nbytes < 1 << 24:
        assert len(blocks) > 2
    frames, row0 = [], 2
    for b in blocks:  # a block without bad rows has no __row: its rows follow the block before
        f = b.to_pandas()
        if R.ROW not in f:
            f[R.ROW], f[R.PROBLEM] = range(row0, row0 + len(f)), None
        assert f[R.ROW].iloc[0] == row0
        frames.append(f)
        row0 += len(f)
    assert any(R.ROW in b.column_names for b in blocks)
    got = pd.concat(frames, ignore_index=True)
    want = expected.to_pandas()
    assert got[R.ROW].tolist() == list(range(2, len(want) + 2))
    assert got[R.PROBLEM].notna().sum() == 3
    as_objects = lambda df: df.astype(object).where(df.notna(), None)  # noqa: E731
    pd.testing.assert_frame_equal(as_objects(got[want.columns]), as_objects(want))


def test_block_reader_gives_up_on_bad_rows_in_a_file_with_quotes(broken, tmp_path):
    p = tmp_path / "roster.csv"
    text = (broken / "roster.csv").read_bytes().replace(b"\n", b'\n"q",', 1)
    p.write_bytes(text)
    with pytest.raises(R.BlockReadError):
        list(R.csv_blocks(p))


def _by_blocks_as_whole(folder, monkeypatch, small_blocks: bool = True):
    """The programme of ``folder`` loaded with its roster by blocks (small ones unless
    ``small_blocks`` is False; the block reader required to take it), then read whole: the
    quarantine, counts and tables must be the same. Returns the load by blocks and what the
    block reader gave for each table it was asked for."""
    if small_blocks:
        monkeypatch.setattr(R, "_BLOCK_BYTES", 3000)
        monkeypatch.setattr(L, "BLOCK_ROWS", 5)
    taken = []
    real = L._parse_by_blocks
    monkeypatch.setattr(L, "_parse_by_blocks", lambda *a: taken.append(r := real(*a)) or r)
    by_blocks = load_programme(folder, as_of=AS_OF)
    assert taken and taken[0] is not None
    monkeypatch.setattr(L, "BLOCK_TABLES", ())
    monkeypatch.setattr(L, "BLOCK_FOLDERS", False)
    whole = load_programme(folder, as_of=AS_OF)
    pd.testing.assert_frame_equal(by_blocks.quarantine, whole.quarantine)
    pd.testing.assert_frame_equal(by_blocks.counts, whole.counts)
    for t in whole.counts["table"]:
        pd.testing.assert_frame_equal(by_blocks.table(t), whole.table(t))
    return by_blocks, taken


def test_roster_with_bad_rows_validated_by_blocks_as_when_read_whole(broken, monkeypatch):
    q = _by_blocks_as_whole(broken, monkeypatch)[0].quarantine
    assert set(q.loc[(q["table"] == "roster") & q["reason"].str.startswith("row has"), "row"]) >= {4, 10}


def test_a_roster_folder_is_validated_file_by_file_as_when_read_whole(broken, tmp_path, monkeypatch):
    """A province sends its roster as its counties' or villages' files: the folder is read file
    by file (each CSV by blocks, a workbook or a CSV in another encoding whole), not whole, and
    gives what the whole read gives: quarantine (each row told by its file and its row there),
    counts and accepted rows."""
    for f in broken.iterdir():
        if f.is_file() and f.name not in ("roster.csv", "reviews.csv"):
            (tmp_path / f.name).write_bytes(f.read_bytes())
    rv_head, *rv = (broken / "reviews.csv").read_bytes().split(b"\r\n")  # the reviews as two villages' files
    (tmp_path / "背靠背评议").mkdir()
    (tmp_path / "背靠背评议" / "东村.csv").write_bytes(b"\r\n".join([rv_head, *rv[:40]]) + b"\r\n")
    (tmp_path / "背靠背评议" / "西村.csv").write_bytes(b"\r\n".join([rv_head.removeprefix(b"\xef\xbb\xbf"), *rv[40:]]))
    raw = (broken / "roster.csv").read_bytes()
    bom = raw[:3] if raw.startswith(b"\xef\xbb\xbf") else b""
    header, *lines = raw[len(bom):].split(b"\n")
    d = tmp_path / "人员信息采集表"
    d.mkdir()
    (d / "1-东村.csv").write_bytes(bom + b"\n".join([header, *lines[:15]]) + b"\n")  # rows of 3 and 2 fields
    (d / "2-西村.csv").write_bytes(b"\n".join([header, *lines[15:30]]).decode().encode("gb18030") + b"\n")
    (d / "3-空.csv").write_bytes(header + b"\n")
    k = header.count(b",")
    rest = [ln.decode() for ln in lines[30:] if ln.count(b",") == k]
    names = header.decode().split(",")
    sheet = pd.DataFrame([ln.split(",") for ln in rest], columns=names)
    with pd.ExcelWriter(d / "4-南村.xlsx") as xw:
        sheet.iloc[: len(sheet) // 2].to_excel(xw, sheet_name="一组", index=False)
        sheet.iloc[len(sheet) // 2:].to_excel(xw, sheet_name="二组", index=False)
    by_files, taken = _by_blocks_as_whole(tmp_path, monkeypatch)
    q = by_files.quarantine
    roster = q[q["table"] == "roster"]
    assert set(roster.loc[roster["reason"].str.startswith("row has"), "file"]) == {"人员信息采集表/1-东村.csv"}
    assert {"人员信息采集表/2-西村.csv", "人员信息采集表/4-南村.xlsx [二组]"} <= set(by_files.roster["file"])
    assert set(by_files.reviews["file"]) == {"背靠背评议/东村.csv", "背靠背评议/西村.csv"}
    assert len(taken) == 2 and all(t is not None for t in taken)  # the roster's folder and the reviews'


def test_a_province_of_village_files_is_read_in_blocks_of_many_files_as_when_read_whole(broken, tmp_path,
                                                                                        monkeypatch):
    """A province sent as its villages' files (thousands of a few hundred rows): each file was a
    block of its own, and its fixed work (the text's clean-up, the per-column rules, the
    threads' hand-overs) made 1,001 villages' files of 335k rows load in 29.5 s against 1.6 s
    in one file. Consecutive small files of one header are now one block, each row still
    numbered in its file and named by it; a file of another header (columns in another order),
    one with rows of the wrong field count, an empty one start blocks of their own. Same
    quarantine, counts and rows as the whole read."""
    for f in broken.iterdir():
        if f.is_file() and f.name != "roster.csv":
            (tmp_path / f.name).write_bytes(f.read_bytes())
    raw = (broken / "roster.csv").read_bytes()
    bom = raw[:3] if raw.startswith(b"\xef\xbb\xbf") else b""
    header, *lines = raw[len(bom):].rstrip(b"\n").split(b"\n")
    d = tmp_path / "人员信息采集表"
    d.mkdir()
    k = header.count(b",")
    names = header.decode().split(",")
    for i in range(0, len(lines), 6):  # files of 6 rows, in name order as in the roster
        part = lines[i: i + 6]
        f = d / f"{i // 6:03d}.csv"
        if i // 6 == 4 and all(ln.count(b",") == k for ln in part):  # another column order
            frame = pd.DataFrame([ln.decode().split(",") for ln in part], columns=names)
            frame[names[::-1]].to_csv(f, index=False)
        else:
            f.write_bytes(b"\n".join([header, *part]) + b"\n")
    (d / "005a-空.csv").write_bytes(header + b"\n")
    views = []
    real = L._text_view
    monkeypatch.setattr(L, "_text_view", lambda *a, **k: views.append(a[2]) or real(*a, **k))
    by_files, taken = _by_blocks_as_whole(tmp_path, monkeypatch, small_blocks=False)
    files = sorted(p.name for p in d.iterdir())
    by_blocks = len([v for v in views if v.startswith("人员信息采集表/")]) - len(files)  # the whole read: one a file
    assert len(files) > 10 and 0 < by_blocks < len(files) / 2  # blocks of many files
    q = by_files.quarantine
    bad = q[(q["table"] == "roster") & q["reason"].str.startswith("row has")]
    assert len(bad) and bad["file"].str.startswith("人员信息采集表/").all() and (bad["row"] <= 7).all()
    named = set(by_files.roster["file"])  # each accepted row named by its own file
    assert named <= {f"人员信息采集表/{n}" for n in files} and len(named) > 10
    assert taken[0] is not None
