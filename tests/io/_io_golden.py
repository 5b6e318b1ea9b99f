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


def assert_matches_golden(prog, golden) -> None:
    """The programme's digest equals the one recorded in the JSON file ``golden``: counts,
    quarantine and every accepted table (each named on failure)."""
    import json

    want = json.loads(golden.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(programme_digest(prog), ensure_ascii=False, sort_keys=True))
    assert got["counts"] == want["counts"]
    assert got["quarantine"] == want["quarantine"]
    for t, w in want["tables"].items():
        assert got["tables"][t] == w, t
