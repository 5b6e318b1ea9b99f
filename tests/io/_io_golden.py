"""Digest of a loaded programme (accepted tables, quarantine, counts) for refactoring checks."""
from __future__ import annotations

import hashlib

import pandas as pd

from calib.programme import TABLES


def programme_digest(prog) -> dict:
    """Per table: shape, dtypes and the SHA-256 of its CSV text; quarantine and counts as records."""
    out: dict = {"tables": {}}
    for t in TABLES:
        df = prog.table(t)
        if df is None:
            out["tables"][t] = None
            continue
        text = df.to_csv(index=False, date_format="%Y-%m-%d").encode()
        out["tables"][t] = {"shape": list(df.shape), "dtypes": {c: str(d) for c, d in df.dtypes.items()},
                            "sha256": hashlib.sha256(text).hexdigest()}
    q = prog.quarantine
    out["quarantine"] = q.astype(str).to_dict(orient="records")
    out["counts"] = prog.counts.astype(str).to_dict(orient="records")
    return out
