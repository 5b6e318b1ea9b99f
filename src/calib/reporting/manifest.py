"""The bundle's manifest: digests, provenance and the optional Ed25519 signature.

``manifest.json`` records the run id, UTC start and end, the parameters and their SHA-256, the
SHA-256 of every input file, notebook source and bundle file, package versions, the git commit
and the status of each notebook. Every path in it is relative to the project root (or to the
bundle), never an absolute machine path. ``calib run --sign-key KEY`` adds
``manifest.json.sig``, a detached Ed25519 signature of the manifest's bytes.
"""
from __future__ import annotations

import base64
import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from calib.errors import CalibParamsError
from calib.io import SUFFIXES, file_sha256
from calib.params import is_url

__all__ = ["KEY_PACKAGES", "MANIFEST", "SIGNATURE", "versions", "git_info", "input_digests",
           "bundle_digests", "write_json", "LOCK_NAME", "UNLISTED", "sign_manifest", "check_signature", "sha256_text"]

KEY_PACKAGES = ("calib", "numpy", "pandas", "scipy", "statsmodels", "scikit-learn", "matplotlib",
                "papermill", "nbconvert", "nbclient", "ipykernel", "pydantic", "openpyxl", "xlsxwriter", "pyarrow")
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
LOCK_NAME = ".run.lock"  # held by a run while it builds its bundle (calib.reporting.publish)
UNLISTED = (MANIFEST, SIGNATURE, LOCK_NAME)


def sha256_text(text: str) -> str:
    """SHA-256 of a text's UTF-8 bytes, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def versions() -> dict[str, str | None]:
    """Python's and the key packages' versions (``None`` when not installed)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_info(root: Path) -> dict[str, Any]:
    """The commit of ``root`` and whether tracked files differ from it."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip() != ""
        return {"commit": commit, "dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def input_digests(data_dir: Path | str) -> dict[str, str]:
    """SHA-256 of every table file of a programme folder, by file name, and of every file of a
    table given as a folder, by ``folder/name`` (``{}`` for a URL)."""
    if is_url(data_dir):
        return {}
    from calib.io.read import table_files
    from calib.io.specs import table_of_file

    folder = Path(data_dir)
    out = {}
    for f in sorted(folder.iterdir()):
        if f.name.startswith((".", "~$")):
            continue
        if f.is_file() and f.suffix.lower() in SUFFIXES:
            out[f.name] = file_sha256(f)
        elif f.is_dir() and f.suffix.lower() not in SUFFIXES and table_of_file(f.name) is not None:
            out.update({f"{f.name}/{g.name}": file_sha256(g) for g in table_files(f)})
    return out


def bundle_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of a bundle, by POSIX path relative to it (the manifest and its
    signature excluded)."""
    return {f.relative_to(folder).as_posix(): file_sha256(f)
            for f in sorted(folder.rglob("*"))
            if f.is_file() and f.relative_to(folder).as_posix() not in UNLISTED}


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON (non-ASCII kept readable)."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def _read_key(path: str | Path, kind: str) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise CalibParamsError(f"{kind}: {p.name}: no such key file")
    return p.read_bytes()


def sign_manifest(bundle: Path, key_path: str | Path) -> Path:
    """Write ``manifest.json.sig``: the base64 Ed25519 signature of ``manifest.json``'s bytes.

    Parameters
    ----------
    bundle : Path
        The bundle folder (holding ``manifest.json``).
    key_path : str or Path
        An Ed25519 private key, PEM (PKCS#8, unencrypted) or raw 32 bytes.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = _read_key(key_path, "--sign-key")
    try:
        key = (Ed25519PrivateKey.from_private_bytes(data) if len(data) == 32
               else serialization.load_pem_private_key(data, password=None))
    except (ValueError, TypeError) as exc:
        raise CalibParamsError(f"--sign-key: not an unencrypted Ed25519 private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CalibParamsError("--sign-key: the key is not an Ed25519 key")
    sig = key.sign((bundle / MANIFEST).read_bytes())
    out = bundle / SIGNATURE
    out.write_text(base64.b64encode(sig).decode("ascii") + "\n", encoding="ascii")
    return out


def check_signature(bundle: Path, public_key_path: str | Path) -> str | None:
    """``None`` when ``manifest.json.sig`` is a valid signature of the manifest by the key,
    else the reason it is not."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    data = _read_key(public_key_path, "--public-key")
    try:
        key = (Ed25519PublicKey.from_public_bytes(data) if len(data) == 32
               else serialization.load_pem_public_key(data))
    except (ValueError, TypeError) as exc:
        raise CalibParamsError(f"--public-key: not an Ed25519 public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CalibParamsError("--public-key: the key is not an Ed25519 key")
    sig_file = bundle / SIGNATURE
    if not sig_file.is_file():
        return f"{SIGNATURE} is missing"
    try:
        key.verify(base64.b64decode(sig_file.read_text(encoding="ascii").strip()),
                   (bundle / MANIFEST).read_bytes())
    except (InvalidSignature, ValueError):
        return f"{SIGNATURE} does not match {MANIFEST} and this public key"
    return None
