"""Publishing bundles so that a fault never leaves the reports folder inconsistent.

A run builds its bundle in ``reports/.tmp-<run-id>/`` (hidden) while holding an exclusive
``flock`` on a file inside it; the finished folder is renamed to ``reports/<run-id>/`` in one
step, so a reader sees a bundle whole or not at all. ``latest`` then moves, under a lock and only
forward in time, to a bundle whose notebooks all succeeded; a failed bundle is kept and linked as
``latest-failed`` instead. A run killed at any moment (SIGKILL) leaves its hidden folder, whose
lock the kernel released: the next run removes such leftovers when they are older than itself
and no live run holds them.

Bundles pile up under a nightly schedule; :func:`prune_bundles` (``calib prune``) removes those
outside a retention the bank sets (days, a number of runs), never ``latest`` or
``latest-failed``, and only when asked: a bundle is an audit record.
"""
from __future__ import annotations

import datetime as _dt
import errno
import fcntl
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from calib.errors import CalibError
from calib.reporting.manifest import LOCK_NAME as _LOCK_NAME

__all__ = ["Staging", "staging", "publish", "clean_leftovers", "prune_bundles", "ReportsFolderError",
           "STAGING_PREFIX", "LATEST", "LATEST_FAILED", "disk_error"]

STAGING_PREFIX = ".tmp-"
#: A bundle being removed by :func:`prune_bundles` (renamed first, so readers never see half of it).
PRUNED_PREFIX = ".pruned-"
#: A bundle's folder name: its run id, the run's UTC start to the millisecond and six hex digits.
RUN_ID = re.compile(r"(\d{8}T\d{9})-[0-9a-f]{6}")
LATEST = "latest"
LATEST_FAILED = "latest-failed"
_FAULTS = {errno.EROFS, errno.ENOSPC, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EFBIG, errno.ENOTDIR}


#: The reports folder's own lock (``filelock``): held while a run creates and locks its staging
#: folder, while a run looks for leftovers, and while ``latest`` moves, so that no run takes
#: another's folder or link for a leftover in the moment between its creation and its lock.
_FOLDER_LOCK = ".latest.lock"


def _folder_lock(out_root: Path):
    from filelock import FileLock

    return FileLock(str(out_root / _FOLDER_LOCK), timeout=120)


class ReportsFolderError(CalibError):
    """The reports folder cannot take a bundle (read-only, full, no permission)."""


def disk_error(exc: OSError, out_root: Path) -> ReportsFolderError | None:
    """The user-facing error for a write fault of the reports folder, or ``None`` for others."""
    if exc.errno not in _FAULTS:
        return None
    what = {errno.EROFS: "is read-only", errno.ENOSPC: "is full", errno.EDQUOT: "is over quota",
            errno.EFBIG: "refused a file that large (full or size-limited)",
            errno.ENOTDIR: "is not a folder"}.get(exc.errno, "is not writable")
    return ReportsFolderError(f"reports folder {out_root.name}/ {what}: nothing was published "
                              f"({os.strerror(exc.errno or 0)})")


class Staging:
    """A hidden bundle folder being built, locked for as long as its run lives."""

    def __init__(self, out_root: Path, run_id: str):
        self.out_root = out_root
        self.run_id = run_id
        self.path = out_root / f"{STAGING_PREFIX}{run_id}"
        self._lock: IO[str] | None = None

    def open(self) -> "Staging":
        # created and locked under the folder's lock: a run looking for leftovers meanwhile
        # (clean_leftovers) never finds the folder made but not yet locked
        with _folder_lock(self.out_root):
            self.path.mkdir()
            self._lock = open(self.path / _LOCK_NAME, "w")
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return self

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def discard(self) -> None:
        self.release()
        shutil.rmtree(self.path, ignore_errors=True)


@contextmanager
def staging(out_root: Path, run_id: str) -> Iterator[Staging]:
    """Create and lock ``.tmp-<run_id>``; it is removed if the block raises."""
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        st = Staging(out_root, run_id).open()
    except OSError as exc:
        raise (disk_error(exc, out_root) or exc) from None
    try:
        yield st
    except BaseException:
        st.discard()
        raise


def _held(folder: Path) -> bool:
    """True when a live run holds the folder's lock."""
    try:
        with open(folder / _LOCK_NAME, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


def clean_leftovers(out_root: Path, run_id: str) -> list[str]:
    """Remove what killed runs older than ``run_id`` left behind; return the names removed.

    Under the folder's lock: a live run's staging folder is always locked by then, and its
    ``latest`` link in the making (:func:`_point`) already in place."""
    if not out_root.is_dir():
        return []
    with _folder_lock(out_root):
        return _clean_leftovers(out_root, run_id)


def _clean_leftovers(out_root: Path, run_id: str) -> list[str]:
    removed = _clean_pruned(out_root)
    for p in out_root.iterdir():
        name = p.name
        if name.startswith(STAGING_PREFIX) and name[len(STAGING_PREFIX):] < run_id and p.is_dir():
            if not _held(p):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(name)
        elif name.startswith(".latest-") and p.is_symlink():
            try:
                if os.readlink(p) < run_id:
                    p.unlink()
                    removed.append(name)
            except OSError:
                pass
    return removed


def _point(out_root: Path, link_name: str, run_id: str) -> None:
    link = out_root / link_name
    current = os.readlink(link) if link.is_symlink() else None
    if current is not None and current > run_id and (out_root / current).is_dir():
        return
    tmp = out_root / f".latest-{run_id}-{uuid.uuid4().hex[:6]}"
    os.symlink(run_id, tmp)
    os.replace(tmp, link)


def publish(st: Staging, ok: bool) -> Path:
    """Move a finished staging folder into place and update ``latest`` or ``latest-failed``.

    Returns
    -------
    Path
        ``reports/<run-id>``.
    """
    final = st.out_root / st.run_id
    try:
        os.replace(st.path, final)  # still locked: no other run takes it for a leftover
        st.release()
        (final / _LOCK_NAME).unlink(missing_ok=True)
        with _folder_lock(st.out_root):
            _point(st.out_root, LATEST if ok else LATEST_FAILED, st.run_id)
    except OSError as exc:
        shutil.rmtree(st.path, ignore_errors=True)
        raise (disk_error(exc, st.out_root) or exc) from None
    return final


def _size(folder: Path) -> int:
    """The bytes of a folder's files (0 for what another prune removes meanwhile)."""
    total = 0
    for f in folder.rglob("*"):
        try:
            if f.is_file() and not f.is_symlink():
                total += f.stat().st_size
        except OSError:
            pass
    return total


def prune_bundles(out_root: str | Path, *, keep_days: int | None = None, keep_last: int | None = None,
                  now: _dt.datetime | None = None, dry_run: bool = False) -> "pd.DataFrame":
    """Remove the bundles of ``out_root`` outside the retention: those started more than
    ``keep_days`` days before ``now`` and not among the ``keep_last`` newest (either rule alone
    when only one is given). The bundles ``latest`` and ``latest-failed`` point at are always
    kept; folders that are not bundles (``snapshots/``, a run in the making, a bank's own) and
    the run history are never touched: a removed run's figures stay in the history, and report
    07 keeps drawing them.

    Each bundle is first renamed to a hidden folder under the reports folder's lock (a reader
    sees it whole or not at all; ``latest`` cannot move to it meanwhile), then removed; a prune
    killed midway leaves that hidden folder, which the next run or prune removes.

    Parameters
    ----------
    out_root : str or Path
        The reports folder (``reports/``).
    keep_days : int, optional
        Keep bundles started within this many days (0 or more).
    keep_last : int, optional
        Keep this many newest bundles (0 or more).
    now : datetime, optional
        The time the days count back from (default: now, UTC).
    dry_run : bool
        Only say what would be removed.

    Returns
    -------
    pandas.DataFrame
        One row per bundle, oldest first: ``run_id``, ``started_utc``, ``bytes``, ``action``
        (``kept``, ``removed``, ``would remove``) and ``why`` (``latest``, ``latest-failed``,
        ``within N days``, ``among the last N``, ``older than N days``, ``beyond the last N``).

    Raises
    ------
    CalibError
        Neither rule given, a negative one, or no reports folder.
    """
    import pandas as pd

    if keep_days is None and keep_last is None:
        raise CalibError("prune: give --keep-days, --keep-last or both (nothing is removed without a rule)")
    for name, v in (("--keep-days", keep_days), ("--keep-last", keep_last)):
        if v is not None and v < 0:
            raise CalibError(f"prune: {name} must be 0 or more (got {v})")
    root = Path(out_root)
    if not root.is_dir():
        raise CalibError(f"prune: {root.name or root}: no such reports folder")
    now = now or _dt.datetime.now(_dt.timezone.utc)
    cols = ["run_id", "started_utc", "bytes", "action", "why"]
    rows: list[dict] = []
    doomed: list[Path] = []
    with _folder_lock(root):
        _clean_pruned(root)
        pinned = {}
        for link in (LATEST_FAILED, LATEST):
            if (root / link).is_symlink():
                pinned[os.readlink(root / link)] = link
        bundles = sorted(p for p in root.iterdir()
                         if p.is_dir() and not p.is_symlink() and RUN_ID.fullmatch(p.name))
        newest = {p.name for p in bundles[len(bundles) - keep_last:]} if keep_last else set()
        for p in bundles:
            started = _dt.datetime.strptime(RUN_ID.fullmatch(p.name).group(1) + "000", "%Y%m%dT%H%M%S%f").replace(
                tzinfo=_dt.timezone.utc)
            recent = keep_days is not None and now - started <= _dt.timedelta(days=keep_days)
            if p.name in pinned:
                keep, why = True, pinned[p.name]
            elif recent:
                keep, why = True, f"within {keep_days} days"
            elif p.name in newest:
                keep, why = True, f"among the last {keep_last}"
            else:
                keep = False
                why = f"older than {keep_days} days" if keep_days is not None else f"beyond the last {keep_last}"
                if keep_days is not None and keep_last is not None:
                    why += f" and beyond the last {keep_last}"
            where = p
            if not keep and not dry_run:
                where = root / f"{PRUNED_PREFIX}{p.name}"
                try:
                    os.replace(p, where)
                except OSError as exc:
                    raise (disk_error(exc, root) or exc) from None
                doomed.append(where)
            rows.append({"run_id": p.name, "started_utc": pd.Timestamp(started), "bytes": where,
                         "action": "kept" if keep else ("would remove" if dry_run else "removed"), "why": why})
    # outside the lock (a run may publish meanwhile): the sizes, then the removal
    for r in rows:
        r["bytes"] = _size(r["bytes"])
    for hidden in doomed:
        shutil.rmtree(hidden, ignore_errors=True)
    return pd.DataFrame(rows, columns=cols)


def _clean_pruned(root: Path) -> list[str]:
    """Remove the bundles a prune killed midway left renamed; return their names."""
    removed = []
    for p in root.iterdir():
        if p.name.startswith(PRUNED_PREFIX) and p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    return removed
