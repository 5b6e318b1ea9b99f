"""Reading programme files into Arrow tables of text, losing nothing silently.

CSV is read by :mod:`pyarrow.csv` (UTF-8 natively; GB18030/GBK and Big5 transcoded while
streaming, detected with charset-normalizer unless ``encoding`` is given), workbooks by
python-calamine (``.xlsx`` and Excel 97-2003 ``.xls``, told apart by their bytes; every sheet
holding data is looked at, and sheets with the same header, one per village or group, are
stacked with their sheet in ``__sheet``; cells keep their Excel type so that numbers in ID and
phone columns can be told apart), Parquet natively.

A row that cannot be split into the header's fields is not dropped: it comes back as a row whose
reserved column ``__problem`` holds the reason (and ``__row`` the spreadsheet row number).
"""
from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io as _stdio
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from calib import _jit as _pkg_jit
from calib.errors import CalibInputError
from calib.io import _jit
from calib.io._text import FIX_FIRST, TEXT_NB, WS_LAST, WS_LEAD3, series, text_buffers, trim_cells
from calib.io._threads import is_small, ordered_map
from calib.io.script import simplified
from calib.io.specs import BLANKS, REASON_FIELDS, SUFFIXES, TABLE_FILE_NAMES, table_of_file
from calib.programme import REQUIRED_TABLES, TABLES

__all__ = ["file_sha256", "input_sha256", "folder_sha256", "table_files", "read_table", "read_raw", "find_files", "norm_header", "detect_encoding",
           "ROW", "PROBLEM", "SHEET", "RESERVED"]

#: Reserved raw-table columns: spreadsheet row number, the reason a row could not be split, and
#: the worksheet a row comes from (only when a workbook's sheets are stacked).
ROW, PROBLEM, SHEET = "__row", "__problem", "__sheet"
RESERVED = (ROW, PROBLEM, SHEET)
_SAMPLE = 1 << 16
_ENCODINGS = ("utf_8", "gb18030", "big5")
_NL = b"\n"


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


#: Environment variable naming a file where every load is recorded (one JSON line each:
#: ``event`` = ``validate`` (inputs read and validated), ``snapshot`` (a snapshot read) or
#: ``cache-hit``; ``pid``, ``source``, the inputs' ``digests``). Lets a run check that its
#: notebooks read the runner's snapshot instead of validating the files again.
LOAD_LOG = "CALIB_LOAD_LOG"


def note_load(event: str, source, digests: Mapping[str, str] | None = None) -> None:
    """Append one record to the file named by ``$CALIB_LOAD_LOG`` (nothing when unset)."""
    import json
    import os

    target = os.environ.get(LOAD_LOG)
    if not target:
        return
    rec = {"event": event, "pid": os.getpid(), "source": None if source is None else str(source),
           "digests": dict(sorted((digests or {}).items()))}
    with open(target, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(rec, sort_keys=True) + "\n")


# ------------------------------------------------------------------ encodings
def _first_bad_utf8(path: Path) -> int | None:
    """Byte offset of the first byte that is not UTF-8, or None."""
    dec = codecs.getincrementaldecoder("utf-8")()
    pos = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            try:
                dec.decode(chunk)
            except UnicodeDecodeError as e:
                return pos + e.start - len(dec.getstate()[0])
            pos += len(chunk)
    return None


def _whole_lines(path: Path, at: int) -> bytes:
    """About :data:`_SAMPLE` bytes of ``path`` in whole lines, from the start of the line that
    holds byte ``at``. charset-normalizer decodes a sample strictly: one cut through a two-byte
    GB18030 or Big5 character at either end and no encoding fits (a GBK roster of a province
    was refused as "not UTF-8, GB18030 or Big5" for a sample of 64 KiB cut mid-character)."""
    back = min(at, 1 << 12)
    with open(path, "rb") as fh:
        fh.seek(at - back)
        chunk = fh.read(back + _SAMPLE)
        more = fh.read(1) != b""
    nl = chunk.rfind(_NL, 0, back)
    # the line's start; a line longer than the reach back: from byte ``at`` (a character's first)
    start = nl + 1 if nl >= 0 else (0 if at == back else back)
    last = chunk.rfind(_NL, start)
    end = last + 1 if more and last >= 0 else len(chunk)
    return chunk[start:end]


@functools.lru_cache(maxsize=1)
def _contract_words() -> tuple[str, ...]:
    """The data contract's Chinese words of two characters or more: the headers (also in
    traditional characters) and the coded values (decline words, statuses, roles, relations,
    grades, yes and no)."""
    from calib.io.script import traditional_forms
    from calib.io.specs import DECLINE_WORDS, FALSE_WORDS, GRADES, RELATIONS, ROLES, SPECS, STATUS, TRUE_WORDS

    words = {h for cols in SPECS.values() for c in cols for h in c.zh}
    words |= traditional_forms(words)  # a Big5 file's headers are traditional: evidence too
    words |= {*DECLINE_WORDS, *STATUS, *ROLES, *RELATIONS, *GRADES, *TRUE_WORDS, *FALSE_WORDS}
    return tuple(sorted(w for w in words if len(w) > 1 and all("\u3400" <= ch <= "\u9fff" for ch in w)))


def _by_contract_words(sample: bytes) -> str | None:
    """GB18030 or Big5, whichever decodes ``sample`` into more of the data contract's words
    (:func:`_contract_words`); None when neither finds one or both find as many.

    Both encodings decode most two-byte sequences, and on little text charset-normalizer guesses:
    a GB18030 reviews file of a province whose only Chinese was the decline word 拒绝 was read as
    Big5 (擇橈), and 134,652 declines were quarantined as amounts that cannot be read. The
    words the contract expects are the evidence a bank's file carries."""
    words = _contract_words()
    found = {}
    for enc in ("gb18030", "big5"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        found[enc] = sum(text.count(w) for w in words)
    if not found or max(found.values()) == 0 or len(set(found.values())) < len(found):
        return None
    return max(found, key=found.get)


def _common_share(text: str, enc: str, lo: int, hi: int) -> float:
    """The share of the two-byte characters of ``text`` whose code in ``enc`` lies in
    ``lo``-``hi``: the block of its most common characters (GB2312's level 1, B0A1-D7FE, the
    3,755 commonest hanzi; Big5's frequent block, A440-C67E)."""
    two = [c for c in text if ord(c) > 0x7F]
    if not two:
        return 0.0
    common = 0
    for c in two:
        try:
            b = c.encode(enc)
        except UnicodeEncodeError:
            continue
        if len(b) == 2 and lo <= int.from_bytes(b, "big") <= hi:
            common += 1
    return common / len(two)


def _by_common_characters(sample: bytes) -> str | None:
    """GB18030 or Big5 by the commonness of the characters each decoding gives, when one gives
    nearly only common characters (80% or more) and the other clearly fewer; None otherwise.

    Names and places are the Chinese of a roster or a register, and they are common characters:
    a GB18030 register of names (欧阳振华, 慕容晓晓) and villages, with some ASCII, was read by
    charset-normalizer as Cyrillic and refused. Decoded the other way, the same bytes give rare
    or unassigned characters."""
    share = {}
    for enc, code, lo, hi in (("gb18030", "gb2312", 0xB0A1, 0xD7FE), ("big5", "big5", 0xA440, 0xC67E)):
        try:
            share[enc] = _common_share(sample.decode(enc), code, lo, hi)
        except UnicodeDecodeError:
            share[enc] = 0.0
    best = max(share, key=share.get)
    other = min(share.values())
    return best if share[best] >= 0.8 and share[best] - other >= 0.2 else None


#: Files that are not text, by their first bytes, as a CSV's name may hide them: what each is
#: and what to do (a workbook renamed .csv, an export left compressed).
_NOT_TEXT = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive, not a CSV, though named {suffix}; if it is "
                     "a workbook, name it .xlsx"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook, not a CSV, though named {suffix}; name it .xls"),
    (b"\x1f\x8b", "a gzip archive, not a CSV, though named {suffix}; unpack it first"),
    (b"%PDF", "a PDF document, not a CSV; export the table as CSV or Excel"),
)


def _utf16_without_bom(head: bytes) -> bool:
    """Whether ``head`` looks like UTF-16 text without a byte-order mark: a zero byte in a
    quarter of the pairs or more (the commas, digits and letters of a table), nearly always on
    the same side (a Chinese character's code may hold a zero byte too). Text in UTF-8,
    GB18030 or Big5 holds no zero byte but a stray one."""
    pairs = len(head) // 2
    if pairs < 8:
        return False
    even, odd = head[0:2 * pairs:2].count(0), head[1:2 * pairs:2].count(0)
    return max(even, odd) >= pairs // 4 and min(even, odd) * 8 <= max(even, odd)


def _not_text(path: Path, head: bytes) -> CalibInputError | None:
    """The error for a file named as a CSV that is not one (:data:`_NOT_TEXT`; UTF-16 without
    a byte-order mark), ``None`` for text."""
    for magic, what in _NOT_TEXT:
        if head.startswith(magic):
            return CalibInputError(f"{path.name}: this is {what.format(suffix=path.suffix or 'so')}")
    if _utf16_without_bom(head):
        return CalibInputError(f"{path.name}: this is UTF-16 text without a byte-order mark; save the file as "
                               "UTF-8 CSV")
    return None


def detect_encoding(path: str | Path) -> str:
    """The CSV's encoding: ``utf-16`` or ``utf-8`` by BOM, else UTF-8, GB18030 or Big5.

    UTF-8 when every byte is UTF-8; otherwise GB18030 (GBK is a subset) or Big5, told on whole
    lines around the first non-UTF-8 byte by the data contract's words, then by how common the
    characters of each decoding are, then by charset-normalizer. A file that is not text (a
    workbook or an archive named ``.csv``, UTF-16 without its byte-order mark) is an error
    saying what it is.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    bad_kind = _not_text(path, head)
    if bad_kind is not None:
        raise bad_kind
    bad = _first_bad_utf8(path)
    if bad is None:
        return "utf8"
    if _utf8_text_before(path, bad):  # Chinese in UTF-8, then other bytes: never one encoding
        raise _mixed(path, _line_of(path, bad))
    from charset_normalizer import from_bytes

    sample = _whole_lines(path, bad)
    told = _by_contract_words(sample) or _by_common_characters(sample)
    if told is not None:
        return told
    best = from_bytes(sample, cp_isolation=list(_ENCODINGS)).best()
    if best is None or best.encoding == "utf_8":
        line = _line_of(path, bad)
        raise CalibInputError(f"{path.name}: line {line}: bytes that are not UTF-8, GB18030 or Big5; "
                              "save the file as UTF-8 CSV or name its encoding")
    return best.encoding


def _bom_encoding(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4)
    return "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf8"


def _is_decode_error(exc: Exception) -> bool:
    return isinstance(exc, UnicodeDecodeError) or "UTF8" in str(exc) or "decode" in str(exc).lower()


def _line_of(path: Path, offset: int) -> int:
    with open(path, "rb") as fh:
        return fh.read(offset).count(b"\n") + 1


def _mixed(path: Path, line: int) -> CalibInputError:
    return CalibInputError(f"{path.name}: lines 1 to {line - 1:,} are UTF-8 text and line {line:,} is not "
                           "(another encoding, e.g. two exports joined, or damaged bytes); save the file again "
                           "as one UTF-8 CSV")


def _utf8_text_before(path: Path, end: int) -> bool:
    """Whether the lines of ``path`` before the line of byte ``end`` (its first byte that is not
    UTF-8) hold UTF-8 text that GB18030 cannot read: Chinese in UTF-8, then another encoding.
    Judged on the last MiB of those lines; a few GB18030 characters whose bytes happen to be
    valid UTF-8 (说 is CB B5) read as GB18030 and are not taken for UTF-8 text."""
    with open(path, "rb") as fh:
        lo = max(0, end - (1 << 20))
        fh.seek(lo)
        before = fh.read(end - lo)
    before = before[:before.rfind(_NL) + 1]  # whole lines, up to the line of ``end``
    if lo > 0:
        before = before[before.find(_NL) + 1:]
    elif before.startswith(codecs.BOM_UTF8):
        before = before[3:]
    if before.isascii():
        return False
    try:
        before.decode("gb18030")
    except UnicodeDecodeError:
        return True
    return False


def _undecodable(path: Path, encoding: str) -> CalibInputError:
    if encoding.replace("-", "").replace("_", "").lower() not in ("utf8", "utf8sig"):
        bad = _first_bad_utf8(path)  # UTF-8 text, then bytes of the encoding named: two encodings
        if bad is not None and _utf8_text_before(path, bad):
            return _mixed(path, _line_of(path, bad))
    raw = path.read_bytes()
    try:
        raw.decode(encoding)
        start = None
    except UnicodeDecodeError as e:
        start = e.start
    where = f"line {raw.count(_NL, 0, start) + 1}: " if start is not None else ""
    return CalibInputError(f"{path.name}: {where}bytes that are not valid {encoding}; "
                           "save the file as UTF-8 CSV or name its encoding")


# ------------------------------------------------------------------ CSV
def _header(path: Path, encoding: str) -> list[str]:
    with open(path, encoding="utf-8-sig" if encoding == "utf8" else encoding, newline="") as fh:
        first = fh.readline()
    return next(csv.reader([first]), [])


def _csv_arrow(path: Path, encoding: str, names: list[str], threads: bool, block_size: int = 1 << 22):
    bad: list[tuple[int | None, int]] = []

    def on_bad(row) -> str:
        bad.append((row.number, row.actual_columns))
        return "skip"

    cols = [f"c{i}" for i in range(len(names))]
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=cols, skip_rows=1, encoding=encoding,
                                       use_threads=threads, block_size=block_size),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_bad),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.large_string() for c in cols},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    return table, bad


def _with_bad_rows(table: pa.Table, names: list[str], bad: list[tuple[int, int]], first: int = 2) -> pa.Table:
    """Put rows that could not be split back, as empty rows carrying the reason, in file order
    (the table's rows and ``bad`` are the records numbered from ``first`` on).

    The good rows are numbered by a mask (``np.setdiff1d`` hashed every row number: seconds at
    a province's roster); with few bad rows the table is cut around them and put together
    again without copying the text (a ``take`` copied every cell)."""
    n = table.num_rows + len(bad)
    bad_rows = np.array([b[0] for b in bad], dtype=np.int64)
    good_mask = np.ones(n, dtype=bool)
    inside = bool(((bad_rows >= first) & (bad_rows < n + first)).all())
    if inside:
        good_mask[bad_rows - first] = False
    if not inside or good_mask.sum() != table.num_rows:  # numbers that do not fit: as before (an error)
        rows = np.setdiff1d(np.arange(first, n + first), bad_rows)
    else:
        rows = np.arange(first, n + first)[good_mask]
    problem = [REASON_FIELDS.format(n=k, k=len(names)) for _, k in bad]
    extra = pa.table({**{c: pa.nulls(len(bad), table.schema.field(c).type) for c in table.column_names},
                      ROW: bad_rows,
                      PROBLEM: pa.array(problem, pa.string())})
    good = table.append_column(ROW, pa.array(rows)).append_column(PROBLEM, pa.nulls(table.num_rows, pa.string()))
    if len(bad) > _FEW_BAD or len(rows) != table.num_rows:
        both = pa.concat_tables([good, extra])
        return both.take(pc.sort_indices(both[ROW]))
    order = np.argsort(bad_rows, kind="stable")
    before = bad_rows[order] - first - np.arange(len(bad))  # good rows before each bad row
    parts, at = [], 0
    for i, g in zip(order.tolist(), before.tolist()):
        parts += [good.slice(at, g - at), extra.slice(i, 1)]
        at = g
    parts.append(good.slice(at))
    return pa.concat_tables(parts)


#: Up to this many bad rows, :func:`_with_bad_rows` cuts and joins instead of sorting.
_FEW_BAD = 1000


#: Encodings in which the bytes of ``\n``, ``\r``, ``,`` and ``"`` are always those characters
#: (never part of another character): :func:`_scan_fields` reads their bytes.
_SCANNABLE = ("utf-8",)
_SCAN_CHUNK = 1 << 24


def _scannable(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name in _SCANNABLE
    except LookupError:
        return False


def _has_quote(path: Path) -> bool:
    """Whether the file holds a ``"`` byte anywhere (read in chunks, a fast byte search)."""
    with open(path, "rb") as fh:
        return any(b'"' in chunk for chunk in iter(lambda: fh.read(_SCAN_CHUNK), b""))


def _scan_fields(path: Path, k: int) -> tuple[np.ndarray, np.ndarray, int] | None:
    """The rows whose number of fields is not ``k``, found from the file's bytes (no parse).

    Exact for a file without any ``"`` byte, where pyarrow's parser splits records at ``\n``,
    ``\r`` or ``\r\n``, skips empty lines and splits fields at every ``,``: the records are
    the non-empty lines, each with one field more than its commas. Vectorised over chunks of
    16 MiB (a line may run across chunks).

    Returns
    -------
    (numbers, fields, good) or None
        Record numbers (the header is record 1) and numbers of fields of the data rows that do
        not have ``k`` fields, and the count of data rows that do; None when the file holds a
        ``"`` byte or its first line is empty (then the bytes alone do not tell).
    """
    numbers, fields = [], []
    records = good = 0
    carry_len = carry_commas = 0  # the line running on from the previous chunk
    first_line_checked = False
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_SCAN_CHUNK), b""):
            if b'"' in chunk:
                return None
            a = np.frombuffer(chunk, dtype=np.uint8)
            ends = np.flatnonzero((a == 10) | (a == 13))
            commas = np.flatnonzero(a == 44)
            starts = np.empty_like(ends)
            starts[:1] = 0
            starts[1:] = ends[:-1] + 1
            lens = ends - starts
            cnt = np.diff(np.searchsorted(commas, ends), prepend=0)
            if ends.size:
                lens[0] += carry_len
                cnt[0] += carry_commas
                tail = int(ends[-1]) + 1
                carry_len, carry_commas = a.size - tail, commas.size - int(np.searchsorted(commas, tail))
            else:
                carry_len += a.size
                carry_commas += commas.size
            if not first_line_checked and ends.size:
                if lens[0] == 0:
                    return None
                first_line_checked = True
            full = lens > 0
            nf = cnt[full] + 1
            wrong = np.flatnonzero(nf != k)
            numbers.append(records + 1 + wrong)
            fields.append(nf[wrong])
            records += int(full.sum())
    if carry_len:  # a last line without a line break
        numbers.append(np.array([records + 1]) if carry_commas + 1 != k else np.zeros(0, np.int64))
        fields.append(np.array([carry_commas + 1]) if carry_commas + 1 != k else np.zeros(0, np.int64))
        records += 1
    if records == 0:
        return None
    num = np.concatenate(numbers).astype(np.int64)
    nf = np.concatenate(fields).astype(np.int64)
    keep = num > 1  # the header is not a data row
    num, nf = num[keep], nf[keep]
    return num, nf, records - 1 - num.size


def _locate_bad_rows(path: Path, encoding: str, names: list[str], good: int,
                     bad: list[tuple[int | None, int]]) -> list[tuple[int, int]] | None:
    """Record numbers of the rows a threaded read skipped (it does not number them), from the
    bytes when that is exact (:func:`_scan_fields`) and the scan agrees with the read: as many
    rows read, as many skipped, with the same numbers of fields. None otherwise."""
    if not names or not _scannable(encoding):
        return None
    found = _scan_fields(path, len(names))
    if found is None:
        return None
    num, nf, n_good = found
    if n_good != good or len(num) != len(bad) or sorted(nf.tolist()) != sorted(b[1] for b in bad):
        return None
    return list(zip(num.tolist(), nf.tolist()))


def _csv_python(path: Path, encoding: str, names: list[str]) -> pa.Table:
    """Slow but exact reader for files whose quoted cells hold line breaks."""
    with open(path, encoding="utf-8-sig" if encoding == "utf8" else encoding, newline="") as fh:
        text = fh.read()
    records = [r for r in csv.reader(_stdio.StringIO(text, newline="")) if r][1:]
    k = len(names)
    ok = [len(r) == k for r in records]
    cols = {f"c{i}": pa.array([r[i] if g else None for r, g in zip(records, ok)], pa.string())
            for i in range(k)}
    problem = [None if g else REASON_FIELDS.format(n=len(r), k=k) for r, g in zip(records, ok)]
    return pa.table({**cols, ROW: np.arange(2, len(records) + 2), PROBLEM: pa.array(problem, pa.string())})


def _read_csv(path: Path, encoding: str | None) -> pa.Table:
    if path.stat().st_size == 0:
        raise CalibInputError(f"{path.name}: the file is empty (no header row)")
    enc = encoding or _bom_encoding(path)
    try:
        try:
            names = _header(path, enc)
            table, bad = _csv_arrow(path, enc, names, threads=not is_small())
        except (UnicodeDecodeError, pa.ArrowInvalid) as exc:
            if encoding is not None or enc != "utf8" or not _is_decode_error(exc):
                raise
            enc = detect_encoding(path)  # not UTF-8: GB18030 or Big5
            names = _header(path, enc)
            table, bad = _csv_arrow(path, enc, names, threads=not is_small())
        quoted = None
        if bad:  # numbered from the bytes when they tell, else by a second (unthreaded) read
            located = _locate_bad_rows(path, enc, names, table.num_rows, bad)
            if located is not None:
                bad, quoted = located, False
            else:
                table, bad = _csv_arrow(path, enc, names, threads=False, block_size=1 << 24)
    except (UnicodeDecodeError, pa.ArrowInvalid) as exc:
        if _is_decode_error(exc):
            raise _undecodable(path, enc) from None
        raise
    if bad and quoted is None:
        quoted = any(b[0] is None for b in bad) or _has_quote(path)
    if bad and quoted:
        table = _csv_python(path, enc, names)
    elif bad:
        table = _with_bad_rows(table, names, bad)
    return table.rename_columns(names + table.column_names[len(names):])


class BlockReadError(Exception):
    """A CSV cannot be read block by block as it is (a row with the wrong number of fields in a
    file with quotes, a line break inside quotes, bytes not in the expected encoding): read it
    whole instead."""


class _BadRows:
    """The rows of a CSV with the wrong number of fields, placed among the good rows: bad row
    ``i`` (record ``numbers[i]``) comes right before good row ``before[i]`` (0-based)."""

    def __init__(self, numbers: np.ndarray, fields: np.ndarray, good: int):
        self.numbers, self.fields, self.good = numbers, fields, good
        self.before = numbers - 2 - np.arange(numbers.size)

    def earlier(self, g: int) -> int:
        """How many bad rows come before good row ``g``."""
        return int(np.searchsorted(self.before, g, side="left"))

    def block(self, g0: int, g1: int | None) -> list[tuple[int, int]]:
        """The bad rows that go with good rows ``g0`` to ``g1`` (to the end when None)."""
        lo, hi = self.earlier(g0), self.numbers.size if g1 is None else self.earlier(g1)
        return list(zip(self.numbers[lo:hi].tolist(), self.fields[lo:hi].tolist()))


#: Bytes :func:`csv_blocks` parses at a time (a batch of rows).
_BLOCK_BYTES = 1 << 24


def csv_blocks(path: str | Path, encoding: str | None = None, rows: int = 1 << 20):
    """A UTF-8 (or ``encoding``) CSV as consecutive Arrow tables of text of about ``rows`` rows,
    the columns named and typed as :func:`read_raw` names and types them (every cell as text).

    Only the current block's text is in memory. Rows with the wrong number of fields come as
    :func:`read_raw` gives them (``__row`` and ``__problem``, in blocks that hold one) when the
    file holds no ``"`` byte (they are then numbered from the bytes, :func:`_scan_fields`).
    Raises :class:`BlockReadError` (possibly after some blocks) where :func:`read_raw` would
    read the file again (rows with the wrong number of fields in a file with quotes) or would
    have to transcode after detecting the encoding: the caller then reads the file whole.
    """
    path = Path(path)
    if path.stat().st_size == 0:
        raise BlockReadError("empty file")
    enc = encoding or _bom_encoding(path)
    try:
        names = _header(path, enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise BlockReadError(str(exc)) from None
    cols = [f"c{i}" for i in range(len(names))]

    bad: list[int] = []

    def on_bad(row) -> str:  # noted (an exception raised here would not reach the caller)
        bad.append(row.actual_columns)
        return "skip"

    def located(g0: int) -> _BadRows:
        """All the bad rows, once the first is met (none of them among the ``g0`` good rows
        already given)."""
        found = _scan_fields(path, len(names)) if names and _scannable(enc) else None
        if found is None or (found[0].size and found[0][0] - 2 < g0):
            raise BlockReadError(f"{len(bad)} row(s) with the wrong number of fields")
        return _BadRows(*found)

    def block(batches: list, g0: int, g1: int | None) -> pa.Table:
        table = pa.Table.from_batches(batches, schema=reader.schema)
        if where is not None:
            extra = where.block(g0, g1)
            if extra:  # numbered on from the previous block's last record
                table = _with_bad_rows(table, cols, extra, first=g0 + 2 + where.earlier(g0))
        return table.rename_columns(names + table.column_names[len(names):])

    where: _BadRows | None = None
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=cols, skip_rows=1, encoding=enc,
                                           use_threads=True, block_size=_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_bad),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.large_string() for c in cols},
                                                 strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
        batches, held, g0 = [], 0, 0
        for batch in reader:
            if bad and where is None:
                where = located(g0)
            batches.append(batch)
            held += batch.num_rows
            if held >= rows:
                yield block(batches, g0, g0 + held)
                batches, g0, held = [], g0 + held, 0
        if bad and where is None:
            where = located(g0)
        if where is not None and (len(bad) != where.numbers.size or where.good != g0 + held
                                  or sorted(bad) != sorted(where.fields.tolist())):
            raise BlockReadError(f"{len(bad)} row(s) with the wrong number of fields")
        if batches or (where is not None and where.block(g0, None)):
            yield block(batches, g0, None)
    except BlockReadError:
        raise
    except (UnicodeDecodeError, pa.ArrowInvalid) as exc:
        raise BlockReadError(str(exc)) from None


# ------------------------------------------------------------------ Excel, Parquet
def _cell_text(v) -> object:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return v  # kept as a number: the loader tells numbers in ID and phone columns apart
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
    return None if v is None else str(v)


#: Rows searched for the header at the top of a sheet or a file.
_HEADER_SEARCH = 10


def _heads(row: list) -> int:
    """How many cells of ``row`` are headers of the contract."""
    from calib.io.specs import KNOWN_HEADERS

    heads = [norm_header(v) for v in row if v not in (None, "")]
    return sum(h in KNOWN_HEADERS or h.lower() in KNOWN_HEADERS for h in heads)


def _header_row(rows: list[list]) -> int:
    """The index of the header among the first rows of a sheet: the first row holding two or
    more of the contract's headers (0 when none does: the caller then says there is no header
    row). The rows above it are a form's title and its "填报单位 / 日期" lines, not data: a
    collection form printed from Excel has them, and the clerk should not have to delete them."""
    for i, r in enumerate(rows[:_HEADER_SEARCH]):
        if _heads(r) >= 2:
            return i
    return 0


def _fill_merged(rows: list[list], merged: list, top: int, left: int) -> None:
    """Give every cell of a merged range its range's value, as Excel shows it (in place).

    A collection form merges the 乡镇 and 村 cells of a village's households, and the 户号 of a
    household's members: the reader gives the value to the range's first cell only, and every
    other row was quarantined with a blank township, village or household number (the
    whole sample programme, so saved)."""
    for (r0, c0), (r1, c1) in merged:
        i0, j0 = r0 - top, c0 - left
        if not (0 <= i0 < len(rows) and 0 <= j0 < len(rows[i0])):
            continue
        value = rows[i0][j0]
        for i in range(i0, min(r1 - top, len(rows) - 1) + 1):
            row = rows[i]
            for j in range(max(j0, 0), min(c1 - left, len(row) - 1) + 1):
                if row[j] in ("", None):
                    row[j] = value


def _holds_data(rows: list[list]) -> bool:
    return any(any(c not in ("", None) for c in r) for r in rows)


def _sheet_table(ws, rows: list[list]) -> pd.DataFrame:
    """One worksheet's table: merged ranges filled, the header found below any title, cells as
    text (numbers kept as floats), ``__row`` the rows as Excel numbers them."""
    top, left = ws.start or (0, 0)  # the sheet's cell of rows[0][0] (0-based): empty rows and columns skipped
    _fill_merged(rows, ws.merged_cell_ranges or [], top, left)
    h = _header_row([[_cell_text(v) for v in r] for r in rows[:_HEADER_SEARCH]])
    names = [str(v) if v is not None else "" for v in rows[h]]
    body = [[_cell_text(v) for v in r] for r in rows[h + 1:]]
    out = pd.DataFrame(body, columns=range(len(names)), dtype=object)
    # a column with neither a header nor a value is not a column of the table (Excel's
    # formatted cells after the last one): left out here so that sheets stack by their headers
    keep = [i for i, n in enumerate(names) if norm_header(n) or not _blank_column(out, i)]
    out = out.iloc[:, keep].set_axis([names[i] for i in keep], axis=1)
    out[ROW] = np.arange(top + h + 2, top + h + 2 + len(body))  # the rows as Excel numbers them
    return out


def _stacked(path: Path, parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The sheets of one table (one per village or group, as a collection workbook often
    keeps them) one under the other, each row with its sheet (``__sheet``). Every sheet must
    have the table's header (two or more of the contract's headers) and the same headers as
    the first, in any order; otherwise the message names the sheets that differ."""
    heads = {s: [norm_header(c) for c in df.columns if c != ROW] for s, df in parts.items()}
    bare = [s for s, h in heads.items() if _heads(h) < 2]
    if bare:
        shown = ", ".join(map(repr, bare))
        raise CalibInputError(
            f"{path.name}: {len(parts)} sheets hold data and {shown} ha{'s' if len(bare) == 1 else 've'} no header "
            f"of the table; name the sheets to read (sheet=[...]), or to leave out (sheet=['!{bare[0]}']), or move "
            f"{'it' if len(bare) == 1 else 'them'} to another workbook")
    first, ref = next(iter(heads.items()))
    for s, h in heads.items():
        if sorted(h) != sorted(ref) or len(set(h)) != len(h):
            extra, lack = sorted(set(h) - set(ref)), sorted(set(ref) - set(h))
            what = "; ".join(x for x in (
                f"it has {', '.join(shown_headers(extra))}" if extra else "",
                f"it lacks {', '.join(shown_headers(lack))}" if lack else "",
                "a header appears twice" if len(set(h)) != len(h) else "") if x)
            raise CalibInputError(f"{path.name}: sheet {s!r} has other headers than sheet {first!r} ({what}); "
                                  "give every sheet the same header row, or name the sheets to read (sheet=[...])")
    names = list(next(iter(parts.values())).columns)
    order = [norm_header(c) for c in names if c != ROW]
    out = []
    for s, df in parts.items():
        by = {norm_header(c): c for c in df.columns if c != ROW}
        df = df[[by[h] for h in order] + [ROW]].set_axis(names, axis=1)
        df[SHEET] = s
        out.append(df)
    return pd.concat(out, ignore_index=True)


#: The first bytes of a workbook: Office Open XML (``.xlsx``, a zip archive) and Excel 97-2003
#: (``.xls``, an OLE2 compound file; also what a password-protected ``.xlsx`` is).
_ZIP, _OLE2 = b"PK\x03\x04", bytes.fromhex("d0cf11e0a1b11ae1")


def _open_workbook(path: Path):
    """The workbook at ``path``, read by what its bytes are rather than by its suffix (a legacy
    system's ``.xls`` is often an ``.xlsx`` renamed, and the other way round); a file that is
    no workbook (an HTML page or a CSV saved under a workbook's name, as some core systems
    export tables) is an error saying what it is."""
    from python_calamine import CalamineWorkbook

    with open(path, "rb") as fh:
        head = fh.read(512)
        if head.startswith((_ZIP, _OLE2)):
            fh.seek(0)
            try:
                return CalamineWorkbook.from_filelike(fh)
            except Exception as exc:  # noqa: BLE001 (calamine raises several types)
                if head.startswith(_OLE2):
                    raise CalibInputError(
                        f"{path.name}: cannot read the workbook ({type(exc).__name__}): it is not an Excel "
                        "97-2003 workbook that can be read, or it is protected by a password; open it in "
                        "Excel or WPS and save a copy as .xlsx without a password") from None
                raise
    if not head:
        raise CalibInputError(f"{path.name}: the file is empty")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        raise CalibInputError(f"{path.name}: this is a web page (HTML), not a workbook, though named "
                              f"{path.suffix} (some systems export tables so); open it in Excel or WPS and "
                              "save it as .xlsx, or export the table as CSV")
    if b"\x00" not in head:
        raise CalibInputError(f"{path.name}: this is a text file, not a workbook, though named {path.suffix}; "
                              "if it is comma-separated, name it .csv")
    raise CalibInputError(f"{path.name}: not an Excel workbook (neither .xlsx nor Excel 97-2003 .xls)")


def _read_workbook(path: Path, sheet: str | Sequence[str] | None) -> pd.DataFrame:
    wb = _open_workbook(path)
    found = {s: wb.get_sheet_by_name(s) for s in wb.sheet_names}
    sheets = {s: ws.to_python(skip_empty_area=True) for s, ws in found.items()}
    full = [s for s, rows in sheets.items() if _holds_data(rows)]
    if sheet is not None:
        chosen = [sheet] if isinstance(sheet, str) else list(sheet)
        left_out = [s[1:] for s in chosen if s.startswith("!")]
        if left_out and len(left_out) < len(chosen):
            raise CalibInputError(f"{path.name}: name the sheets to read, or the sheets to leave out (!name), "
                                  "not both")
        for s in left_out or chosen:
            if s not in sheets:
                raise CalibInputError(f"{path.name}: no sheet {s!r}; sheets are {', '.join(map(repr, sheets))}")
        if left_out:  # every sheet holding data but these (a 填表说明 beside 90 village sheets)
            full = [s for s in full if s not in left_out]
        else:
            full = [s for s in chosen if _holds_data(sheets[s])] or chosen[:1]
    if not full or not sheets[full[0]]:
        raise CalibInputError(f"{path.name}: the workbook is empty (no header row)")
    parts = {s: _sheet_table(found[s], sheets[s]) for s in full}
    del sheets
    if len(parts) == 1:
        return next(iter(parts.values()))
    return _stacked(path, parts)


def read_raw(path: str | Path, *, encoding: str | None = None, sheet: str | Sequence[str] | None = None):
    """Read one table file as it is (headers and cells not yet interpreted).

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.xlsx``, ``.xls`` (Excel 97-2003) or ``.parquet`` file.
    encoding : str, optional
        CSV encoding (``utf-8``, ``gb18030``, ``big5``, ...); detected when omitted.
    sheet : str or sequence of str, optional
        Worksheet(s) of a workbook to read, or to leave out (``"!填表说明"``: every other sheet
        holding data). By default every sheet holding data: when there are several (one per
        village or group), they are stacked one under the other and each row keeps its sheet in
        the reserved column ``__sheet``; they must then all have the table's header, with the
        same headers in any order.

    Returns
    -------
    pyarrow.Table or pandas.DataFrame
        Text columns for CSV (with ``__row``/``__problem`` when rows had the wrong number of
        fields), Parquet's own types, or the Excel cells (numbers kept as floats).

    Raises
    ------
    CalibInputError
        Unreadable, empty or undecodable file, sheets that cannot be stacked; the message names the
        file (and the line for undecodable bytes).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return _read_csv(path, encoding)
        if suffix in (".xlsx", ".xls"):
            return _read_workbook(path, sheet)
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_table(path)
    except CalibInputError:
        raise
    except Exception as exc:  # pyarrow/calamine raise many types
        raise CalibInputError(f"{path.name}: cannot read the file ({type(exc).__name__})") from exc
    raise CalibInputError(f"{path.name}: unsupported file type {path.suffix!r}")


# ------------------------------------------------------------------ text view
#: Separators a "CSV" may have been saved with instead of commas (Excel's "Unicode text" is
#: tab-separated; Excel in some locales writes semicolons), named as a message says them.
_OTHER_SEPARATORS = {"\t": "tabs", ";": "semicolons"}


def text_table(raw, label: str) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Any raw table as text cells (stripped; blank words as ``<NA>``; headers normalised) and,
    per column, which cells were stored as floating-point numbers.

    Raises
    ------
    CalibInputError
        Two columns with the same header (named, masked when they look like personal data).
    """
    given = [str(c) for c in (raw.column_names if isinstance(raw, pa.Table) else raw.columns)]
    names = [norm_header(c) for c in given]
    if names and not _heads(names):
        for sep, what in _OTHER_SEPARATORS.items():
            parts = [norm_header(h) for c in given if sep in c for h in c.split(sep)]
            if _heads(parts) >= 2:
                raise CalibInputError(f"{label}: the columns are separated by {what}, not commas (header "
                                      f"{', '.join(shown_headers(parts)[:4])}, ...); save the file as CSV "
                                      "(comma-separated) or as an Excel workbook")
        top = raw.slice(0, _HEADER_SEARCH) if isinstance(raw, pa.Table) else raw.head(_HEADER_SEARCH)
        cols = [list(top.column(i).to_pylist() if isinstance(raw, pa.Table) else top.iloc[:, i])
                for i, c in enumerate(given) if c not in RESERVED]  # by position: headers may repeat ("")
        cells = [list(r) for r in zip(*cols)]
        h = next((i for i, r in enumerate(cells) if _heads(r) >= 2), None)
        if h is not None:  # a title above the header (line 1 was read as the header)
            raise CalibInputError(f"{label}: the header is on line {h + 2} ({', '.join(shown_headers([str(v) for v in cells[h] if v])[:4])}, "
                                  f"...), below {h + 1} line{'s' * (h > 0)} of title; delete the line{'s' * (h > 0)} above "
                                  "it (a workbook may keep them)")
        examples = ", ".join(shown_headers(names)[:4])
        raise CalibInputError(f"{label}: no header row: the first row looks like data (e.g. {examples}); "
                              "add the header row of the collection form (see data/README.md)")
    # columns with no header and no value (Excel writes them after the last column it
    # formatted: ",,," at the end of every line) are not columns of the table
    keep = [i for i, n in enumerate(names) if n or not _blank_column(raw, i)]
    names = [names[i] for i in keep]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        shown = ", ".join(map(repr, shown_headers(dup)))
        raise CalibInputError(f"{label}: the header {shown} appears more than once; keep one column of each")
    if isinstance(raw, pa.Table):
        # the columns are cleaned on several threads (results in column order)
        cols = dict(zip(names, ordered_map(_arrow_text, [(raw.column(i),) for i in keep])))
        numeric = {n: _float_mask(raw.column(i)) for i, n in zip(keep, names)}
        return pd.DataFrame(cols), numeric
    df = raw.reset_index(drop=True)
    cols, numeric = {}, {}
    for i, n in zip(keep, names):
        s = df.iloc[:, i]
        if s.dtype == object:
            numeric[n] = s.map(lambda v: isinstance(v, float) and v == v).to_numpy(dtype=bool)
            s = s.map(lambda v: _num_text(v) if isinstance(v, float) else v if v is None or isinstance(v, str)
                      else _cell_text(v))
        else:
            numeric[n] = np.asarray(pd.api.types.is_float_dtype(s.dtype) & s.notna().to_numpy())
        cols[n] = _arrow_text(pa.chunked_array([pa.array(s, from_pandas=True)]))
    return pd.DataFrame(cols), numeric


def _blank_column(raw, i: int) -> bool:
    """Whether column ``i`` of a raw table holds no value (every cell missing or spaces)."""
    if isinstance(raw, pa.Table):
        col = raw.column(i)
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            return col.null_count == len(col)
        return not pc.any(pc.not_equal(pc.utf8_trim_whitespace(col), "")).as_py()
    s = raw.iloc[:, i]
    return bool(s.map(lambda v: v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())).all())


def _num_text(v: float) -> str | None:
    if v != v:
        return None
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _float_mask(col: pa.ChunkedArray) -> np.ndarray:
    if pa.types.is_floating(col.type) or pa.types.is_decimal(col.type):
        return col.is_valid().to_numpy(zero_copy_only=False)
    return np.zeros(len(col), dtype=bool)


def _arrow_text(col: pa.ChunkedArray) -> pd.Series:
    t = col.type
    if pa.types.is_null(t):
        col = pa.chunked_array([pa.nulls(len(col), pa.string())])
    elif pa.types.is_dictionary(t):
        col = col.cast(pa.string())
    elif pa.types.is_timestamp(t) or pa.types.is_date(t):
        col = pc.strftime(col, format="%Y-%m-%d %H:%M" if pa.types.is_timestamp(t) else "%Y-%m-%d")
    elif pa.types.is_floating(t):
        whole = pc.fill_null(pc.and_(pc.equal(pc.floor(col), col), pc.less(pc.abs(col), 1e15)), False)
        ints = pc.cast(pc.cast(pc.if_else(whole, col, 0.0), pa.int64()), pa.string())
        col = pc.if_else(whole, ints, pc.cast(col, pa.string()))
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = pc.cast(col, pa.string())
    compiled = _jit.use(TEXT_NB, len(col)) is not None  # the column's size decides, not a chunk's
    return series(pa.chunked_array([_clean_chunk(c, compiled) for c in col.chunks], col.type))


_BLANK_SET = pa.array(sorted(BLANKS), pa.string())
#: The non-empty blank words as the kernel compares them: bytes (one word a row, zero-padded),
#: their lengths, and the bytes that begin one.
_WORDS = [w.encode() for w in sorted(BLANKS) if w]
_WORD_BYTES = np.zeros((len(_WORDS), max(map(len, _WORDS), default=0)), dtype=np.uint8)
for _i, _w in enumerate(_WORDS):
    _WORD_BYTES[_i, :len(_w)] = np.frombuffer(_w, dtype=np.uint8)
_WORD_LENS = np.array([len(w) for w in _WORDS], dtype=np.int64)
_WORD_FIRST = np.zeros(256, dtype=bool)
_WORD_FIRST[[w[0] for w in _WORDS]] = True
del _i, _w


def _buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (n + 1, as int64) and data bytes of a string array (:func:`text_buffers`)."""
    offs, data, _ = text_buffers(arr)
    return offs.astype(np.int64, copy=False), data


def _clean_chunk(arr: pa.Array, compiled: bool = False) -> pa.Array:
    """Cells stripped of surrounding whitespace, Excel's text formulas ``="..."`` read as their
    text (:func:`calib.io._text.trim_cells`), blank words (``BLANKS``) as nulls.

    Same result as :func:`~calib.io._text.trim_cells` then ``is_in(BLANKS)``, but found from the bytes:
    the trim runs only when some cell may start or end with whitespace, the word test only on
    the few cells of 3-4 bytes that start like one, and nulls are set through the validity
    bitmap (no copy of the text). ``compiled``: one pass of a kernel looks at the cells
    (:func:`_clean_compiled`) instead of the numpy gathers below, which stay the reference
    (13 ns a cell: 1.3-1.5 CPU s over the 98 million cells of a 1M-household programme, the
    kernel 0.4 s)."""
    n = len(arr)
    if n == 0:
        return arr
    if compiled:
        out = _clean_compiled(arr)
        if out is not None:
            return out
    offs, data = _buffers(arr)
    lens = np.diff(offs)
    if data.size:
        # every cell's first, last, second-last and third-last byte, read at clipped positions
        # (a short cell's out-of-cell bytes are masked by its length): no boolean indexing
        last = data.size - 1
        end = offs[1:]
        cand = FIX_FIRST[data[np.minimum(offs[:-1], last)]]
        cand |= WS_LAST[data[np.clip(end - 1, 0, last)]]
        cand |= (data[np.clip(end - 2, 0, last)] == 0xC2) & (lens >= 2)
        cand |= WS_LEAD3[data[np.clip(end - 3, 0, last)]] & (lens >= 3)
        cand &= lens > 0
        if cand.any():
            arr = trim_cells(arr)
            offs, data = _buffers(arr)
            lens = np.diff(offs)
    blank = lens == 0
    short = np.flatnonzero((lens >= 3) & (lens <= 4))
    if short.size:
        first = data[offs[short]]
        short = short[(first == ord("n")) | (first == ord("N")) | (first == ord("<"))]
        if short.size:
            blank[short] = pc.is_in(arr.take(pa.array(short)), value_set=_BLANK_SET.cast(arr.type)
                                    ).to_numpy(zero_copy_only=False)
    if not blank.any():
        return arr
    ok = ~blank
    if arr.null_count:
        ok &= arr.is_valid().to_numpy(zero_copy_only=False)
    bits = np.zeros(arr.offset + n, dtype=bool)
    bits[arr.offset:] = ok
    validity = pa.py_buffer(np.packbits(bits, bitorder="little"))
    return pa.Array.from_buffers(arr.type, n, [validity, *arr.buffers()[1:]], offset=arr.offset)


def _clean_compiled(arr: pa.Array) -> pa.Array | None:
    """:func:`_clean_chunk` by the kernel :func:`calib.io._text_nb.clean_scan` (one pass over
    the offsets and bytes; the trim itself stays Arrow's), or None when it cannot compile."""
    for check in (True, False):
        offs, data, valid = text_buffers(arr, read_only=True)
        bits = np.zeros((arr.offset + len(arr) + 7) // 8, dtype=np.uint8)
        out = np.zeros(1, dtype=np.int64)
        if not _pkg_jit.run(TEXT_NB, "clean_scan", offs, data, check, FIX_FIRST, WS_LAST, WS_LEAD3,
                            _WORD_BYTES, _WORD_LENS, _WORD_FIRST, valid, arr.offset, bits, out):
            return None
        if out[0] >= 0:
            break
        arr = trim_cells(arr)  # some cell may start or end with whitespace, or be ="..."
    if out[0] == 0:
        return arr
    return pa.Array.from_buffers(arr.type, len(arr), [pa.py_buffer(bits), *arr.buffers()[1:]],
                                 offset=arr.offset)


def read_table(path: str | Path, *, encoding: str | None = None, sheet: str | None = None) -> pd.DataFrame:
    """Read one table file with every cell as text (blank cells as ``<NA>``).

    CSV encodings UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK and Big5 are detected.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.xlsx``, ``.xls`` (Excel 97-2003) or ``.parquet`` file.
    encoding, sheet : str, optional
        See :func:`read_raw`.

    Returns
    -------
    pandas.DataFrame
        Columns as in the file (headers NFKC-normalised and stripped), dtype ``string``.

    Raises
    ------
    CalibInputError
        When the file cannot be read; the message names the file.
    """
    df, _ = text_table(read_raw(path, encoding=encoding, sheet=sheet), Path(path).name)
    return df.drop(columns=[c for c in RESERVED if c in df.columns])


def shown_headers(names: list[str]) -> list[str]:
    """Headers as they may be shown in a message or a report: the contract's own headers and the
    words of a bank's forms that are never a name (:func:`calib.io.specs.form_word`: 电话, 备注)
    as they are, any other text masked (a header row may be a row of personal data).

    Examples
    --------
    >>> shown_headers(["姓名", "电话", "联系电话号码", "张三", "13900002541"])
    ['姓名', '电话', '联系电话号码', '张*', '139****2541']
    """
    if not names:  # the usual case: every header is the contract's (no masking to set up)
        return []
    from calib.io.masking import mask_text
    from calib.io.specs import KNOWN_HEADERS, form_word

    masked = mask_text(pd.Series(names, dtype="string")).tolist()
    return [n if n in KNOWN_HEADERS or n.lower() in KNOWN_HEADERS or simplified(n) in KNOWN_HEADERS or form_word(n)
            else m for n, m in zip(names, masked)]


#: Characters that show nothing and are stripped from the ends of a header.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


def norm_header(c: object) -> str:
    """NFKC, stripped (of spaces, a byte-order mark and zero-width characters: a file saved in
    GB18030 from a UTF-8 file with a BOM keeps it as a character of its first header); inner
    spaces dropped from Chinese headers, which are read in simplified characters (鄉鎮 as 乡镇,
    :func:`calib.io.script.simplified`); a trailing ``*`` dropped."""
    s = unicodedata.normalize("NFKC", str(c)).strip().strip(_INVISIBLE).strip()
    if re.search(r"[\u3400-\u9fff]", s):
        s = simplified(re.sub(r"\s+", "", s))
    return re.sub(r"[*＊]$", "", s)  # a trailing * marks required fields on some forms


def _table_file(f: Path) -> bool:
    return f.suffix.lower() in SUFFIXES and not f.name.startswith((".", "~$"))


def table_files(folder: Path) -> list[Path]:
    """The files of a table given as a folder (one file per village, township or county), in
    the order of their names: every ``.csv``, ``.xlsx``, ``.xls`` and ``.parquet`` file in it
    (hidden files, Excel's ``~$`` lock files and other files left out).

    Raises
    ------
    CalibInputError
        A folder inside it (never skipped silently), a link to nothing, or no table file.
    """
    files = []
    for f in sorted(folder.iterdir(), key=lambda p: p.name):
        if f.name.startswith((".", "~$")):
            continue
        if f.is_symlink() and not f.exists():
            raise CalibInputError(f"{folder.name}/{f.name}: symbolic link to a file that does not exist")
        if f.is_dir():
            raise CalibInputError(f"{folder.name}/{f.name}: a folder inside a table's folder; put the table's files "
                                  "in its folder itself")
        if _table_file(f):
            files.append(f)
    if not files:
        raise CalibInputError(f"{folder.name}: the table's folder holds no .csv, .xlsx, .xls or .parquet file")
    return files


def input_sha256(path: str | Path) -> str:
    """SHA-256 of a table's input: its file's bytes, or for a table given as a folder the
    SHA-256 of its files' ``name sha256`` lines in name order (:func:`table_files`), as
    :func:`calib.io.snapshot.path_sha256` digests a folder."""
    path = Path(path)
    if not path.is_dir():
        return file_sha256(path)
    return folder_sha256([(f.name, file_sha256(f)) for f in table_files(path)])


def folder_sha256(parts: list[tuple[str, str]]) -> str:
    """One digest for a folder of files: the SHA-256 of its ``name sha256`` lines, in the order
    given (the one rule of a table's folder, a snapshot's Parquet folder and Spark's digests)."""
    return hashlib.sha256("".join(f"{name} {h}\n" for name, h in parts).encode()).hexdigest()


def find_files(folder: Path) -> dict[str, Path]:
    """Table name to file for a programme folder; unknown, doubled or missing tables raise. A
    file is named by its table's code name or by one of its Chinese names
    (:data:`calib.io.specs.TABLE_FILE_NAMES`: ``人员信息采集表.xlsx`` is the roster). A folder so
    named holds the table as several files (one per village or township: :func:`table_files`),
    read one after another, as does a folder named like a table's file (``roster.csv/``, as Spark
    writes a table in part files); other folders (``truth/``) are left alone.

    Symbolic links are followed; a link that leads nowhere is an error naming it.
    """
    found: dict[str, Path] = {}
    for f in sorted(folder.iterdir()):
        if f.is_dir() and not f.name.startswith("."):
            # roster/, 人员信息采集表/, or roster.csv/ as Spark writes a table (part files)
            name = table_of_file(f.stem if f.suffix.lower() in SUFFIXES else f.name)
            if name is None:
                if f.suffix.lower() in SUFFIXES:  # a folder named like a table file: never skipped silently
                    raise CalibInputError(f"{f.name}: unknown table {f.stem!r} (a folder)")
                continue
            table_files(f)  # a table's folder must hold its files
        else:
            if not _table_file(f):
                continue
            if f.is_symlink() and not f.exists():
                raise CalibInputError(f"{f.name}: symbolic link to a file that does not exist")
            if not f.is_file():  # a device named like a table file: never skipped silently
                raise CalibInputError(f"{f.name}: not a file; give each table as one .csv, .xlsx, .xls or .parquet "
                                      "file, or as a folder of such files named as the table")
            name = table_of_file(f.stem)
            if name is None:
                raise CalibInputError(
                    f"{f.name}: unknown table {f.stem!r}; a programme folder holds "
                    f"{', '.join(f'{t} ({TABLE_FILE_NAMES[t][0]})' for t in TABLES)} (as .csv, .xlsx, .xls or .parquet)"
                )
        if name in found:
            raise CalibInputError(f"{f.name}: table {name!r} is given twice ({found[name].name} and {f.name})")
        found[name] = f
    for t in REQUIRED_TABLES:
        if t not in found:
            raise CalibInputError(
                f"{folder}: required table {t!r} is missing (expected {t}.csv, {t}.xlsx, {t}.xls or {t}.parquet, "
                f"or a folder {t}/ of such files)"
            )
    return found


def per_table(option: str | Mapping[str, str] | None, table: str) -> str | None:
    """An option given once for all tables or per table name."""
    return option.get(table) if isinstance(option, Mapping) else option
