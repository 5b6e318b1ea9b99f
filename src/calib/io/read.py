"""Reading programme files: finding the tables of a folder, decoding, every cell as text."""
from __future__ import annotations

import hashlib
import io as _stdio
import re
import unicodedata
from pathlib import Path

import pandas as pd

from calib.errors import CalibInputError
from calib.io._text import isin
from calib.io.specs import BLANKS, SUFFIXES
from calib.programme import REQUIRED_TABLES, TABLES

__all__ = ["file_sha256", "read_table", "find_files", "norm_header"]


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise CalibInputError(
        f"{path.name}: cannot decode the file as UTF-8 or GB18030; save it as UTF-8 CSV"
    )


def _read_any(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        text = _decode(path.read_bytes(), path)
        return pd.read_csv(_stdio.StringIO(text), dtype=str, keep_default_na=False)
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    if path.suffix == ".parquet":
        return pd.read_parquet(path).astype("string")
    raise CalibInputError(f"{path.name}: unsupported file type {path.suffix!r}")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one table file with every cell as text (blank cells as ``<NA>``).

    CSV encodings UTF-8 (with or without BOM), UTF-16 with BOM and GB18030/GBK are detected.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.xlsx`` or ``.parquet`` file.

    Returns
    -------
    pandas.DataFrame
        Columns as in the file (headers NFKC-normalised and stripped), dtype ``string``.

    Raises
    ------
    CalibInputError
        When the file cannot be read; the message names the file.
    """
    path = Path(path)
    try:
        df = _read_any(path)
    except CalibInputError:
        raise
    except Exception as exc:  # pandas/openpyxl/pyarrow raise many types
        raise CalibInputError(f"{path.name}: cannot read the file ({type(exc).__name__}: {exc})") from exc
    df.columns = [norm_header(c) for c in df.columns]
    return blank_to_na(df)


def blank_to_na(df: pd.DataFrame) -> pd.DataFrame:
    """Text dtype, cells stripped, blank words (``""``, ``nan``, ``NULL``, ...) as ``<NA>``."""
    df = df.astype("string")
    df = df.apply(lambda s: s.str.strip())
    return df.mask(df.apply(lambda col: pd.Series(isin(col, BLANKS), index=col.index)))


def norm_header(c: object) -> str:
    """NFKC, stripped; inner spaces dropped from Chinese headers; a trailing ``*`` dropped."""
    s = unicodedata.normalize("NFKC", str(c)).strip()
    s = re.sub(r"\s+", "", s) if re.search(r"[\u3400-\u9fff]", s) else s
    return re.sub(r"[*＊]$", "", s)  # a trailing * marks required fields on some forms


def find_files(folder: Path) -> dict[str, Path]:
    """Table name to file for a programme folder; unknown, doubled or missing tables raise."""
    found: dict[str, Path] = {}
    for f in sorted(folder.iterdir()):
        if not f.is_file() or f.suffix.lower() not in SUFFIXES or f.name.startswith((".", "~$")):
            continue
        name = f.stem
        if name not in TABLES:
            raise CalibInputError(
                f"{f.name}: unknown table {name!r}; a programme folder holds "
                f"{', '.join(TABLES)} (as .csv, .xlsx or .parquet)"
            )
        if name in found:
            raise CalibInputError(f"{f.name}: table {name!r} is given twice ({found[name].name} and {f.name})")
        found[name] = f
    for t in REQUIRED_TABLES:
        if t not in found:
            raise CalibInputError(
                f"{folder}: required table {t!r} is missing (expected {t}.csv, {t}.xlsx or {t}.parquet)"
            )
    return found
