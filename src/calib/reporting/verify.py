"""``calib verify BUNDLE``: recompute every digest of ``manifest.json``.

A bundle is intact when every file it lists is present with the same SHA-256 and no other file
is there (the manifest and its signature aside). With a public key, the manifest's Ed25519
signature is checked too, so an auditor can tell the bank's own run from an edited copy.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from calib.errors import CalibInputError
from calib.io import file_sha256
from calib.reporting.manifest import MANIFEST, UNLISTED, check_signature

__all__ = ["verify_bundle"]


def verify_bundle(bundle: str | Path, public_key: str | Path | None = None) -> pd.DataFrame:
    """Compare a bundle's files with its manifest.

    Parameters
    ----------
    bundle : str or Path
        A bundle folder (``reports/<run-id>`` or ``reports/latest``).
    public_key : str or Path, optional
        An Ed25519 public key (PEM or raw 32 bytes); then the signature is checked too.

    Returns
    -------
    pandas.DataFrame
        One row per finding, columns ``file`` (path in the bundle) and ``problem``
        (``changed``, ``missing``, ``extra``, ``not a path inside the bundle`` or
        ``signature: <reason>``); empty when intact.

    Raises
    ------
    CalibInputError
        The folder or its manifest is missing or unreadable.
    """
    folder = Path(bundle)
    if not folder.is_dir():
        raise CalibInputError(f"{folder.name or folder}: not a bundle folder")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed: dict[str, str] = dict(manifest["files_sha256"])
    except FileNotFoundError:
        raise CalibInputError(f"{folder.name}: no {MANIFEST}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise CalibInputError(f"{folder.name}/{MANIFEST}: unreadable ({type(exc).__name__})") from None
    outside = sorted(n for n in listed if Path(n).is_absolute() or ".." in Path(n).parts)
    for name in outside:
        listed.pop(name)
    present = {f.relative_to(folder).as_posix() for f in folder.rglob("*") if f.is_file()}
    present -= set(UNLISTED)
    rows = [(name, "not a path inside the bundle") for name in outside]
    rows += [(name, "missing") for name in sorted(set(listed) - present)]
    rows += [(name, "changed") for name in sorted(set(listed) & present)
             if file_sha256(folder / name) != listed[name]]
    rows += [(name, "extra") for name in sorted(present - set(listed))]
    if public_key is not None:
        reason = check_signature(folder, public_key)
        if reason:
            rows.append((MANIFEST, f"signature: {reason}"))
    return pd.DataFrame(rows, columns=["file", "problem"])
