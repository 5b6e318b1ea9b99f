"""Where one load's time goes: a timeline of ``load_programme`` by table and stage.

usage: python benchmarks/profile_load.py DIR [--as-of 2026-06-30] [--prefault GB] [--json]

Loads the programme folder ``DIR`` once (``bench_io.py --data DIR`` keeps the benchmark's
generated programmes, e.g. ``DIR/1000000``) and prints, for each table and each stage of its
validation on the main thread (the per-row rules, the table rules, the accepted rows'
compaction, the derived columns), when it ran, its wall time, the main thread's CPU time, the
largest resident memory sampled during it (MiB, the process's whole) and the **cores busy**
meanwhile (the process's CPU time over the stage's wall time, sampled every
0.1 s: on two cores, 1.0 means the other core was idle while the main thread worked; the
loader's background threads read and clean the next table and parse columns, so the gaps are
where more overlap or less work would shorten the load). Then the whole load: wall, user and
system CPU, peak RSS above the imports.

``--prefault`` writes and frees a buffer of that many GB first (see ``bench_io.py``: on a
guest whose host takes freed memory back, a first touch of memory costs about 2 s a GB of
system time, which would otherwise fall on whichever stage touches it first).

The stages are found by wrapping functions of :mod:`calib.io.load` by name: the script fails
with the missing name when the loader's structure changes (``tests/io/test_profile_load.py``
runs it on the bundled sample).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

#: The loader's stages, by the name of the function of :mod:`calib.io.load` that runs each.
STAGES = {
    "_parse_by_blocks": "per-row rules (read by blocks)",
    "_parse_whole": "per-row rules",
    "check_table": "table rules",
    "_keep_rows": "accepted rows compacted",
    "finish_table": "derived columns",
}


def _prefault(gb: float) -> None:
    if gb > 0:
        import numpy as np

        buf = np.ones(int(gb * 2**30) // 8)
        del buf
        try:
            with open("/proc/self/clear_refs", "w") as fh:  # peak RSS counted from here
                fh.write("5")
        except OSError:
            pass


def _rss() -> int:
    """The process's resident memory now (bytes; 0 where ``/proc`` is not there)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


class _Sampler(threading.Thread):
    """The process's CPU time (user + system, all threads) and resident memory every ``step``
    seconds."""

    def __init__(self, step: float = 0.1):
        super().__init__(daemon=True, name="profile-sampler")
        self.step, self.samples, self.done = step, [], threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            t = os.times()
            self.samples.append((time.perf_counter(), t[0] + t[1], _rss()))
            self.done.wait(self.step)
        t = os.times()
        self.samples.append((time.perf_counter(), t[0] + t[1], _rss()))

    def cores(self, t0: float, t1: float) -> float:
        """Cores busy on average between ``t0`` and ``t1`` (from the samples around them)."""
        before = [s for s in self.samples if s[0] <= t0] or self.samples[:1]
        after = [s for s in self.samples if s[0] >= t1] or self.samples[-1:]
        (a, ca, _), (b, cb, _) = before[-1], after[0]
        return (cb - ca) / (b - a) if b > a else float("nan")

    def rss(self, t0: float, t1: float) -> int:
        """The largest resident memory sampled between ``t0`` and ``t1`` (or the nearest sample)."""
        inside = [s[2] for s in self.samples if t0 <= s[0] <= t1]
        if inside:
            return max(inside)
        return min(self.samples, key=lambda s: abs(s[0] - t0))[2]


def profile(folder: str | Path, as_of: str = "2026-06-30") -> dict:
    """Load ``folder`` once with the stages timed; returns the timeline and the totals."""
    import calib.io.load as L

    marks: list[dict] = []
    current = {"table": None}
    main = threading.main_thread()

    def timed(name: str, label: str):
        fn = getattr(L, name)  # AttributeError: the loader's structure changed

        def wrapper(*args, **kwargs):
            if threading.current_thread() is not main:
                return fn(*args, **kwargs)
            t0, c0 = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                marks.append({"table": current["table"], "stage": label, "start": t0,
                              "end": time.perf_counter(), "main_cpu": time.thread_time() - c0})
        return fn, wrapper

    originals = {}
    for name, label in STAGES.items():
        originals[name], wrapper = timed(name, label)
        setattr(L, name, wrapper)
    validate_one = L._validate_one

    def one_table(table, *args, **kwargs):
        current["table"] = table
        t0 = time.perf_counter()
        try:
            return validate_one(table, *args, **kwargs)
        finally:
            marks.append({"table": table, "stage": "TABLE", "start": t0, "end": time.perf_counter(),
                          "main_cpu": float("nan")})

    L._validate_one = one_table
    sampler = _Sampler()
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    sampler.start()
    t0, u0 = time.perf_counter(), os.times()
    try:
        prog = L.load_programme(folder, as_of=as_of)
    finally:
        L._validate_one = validate_one
        for name, fn in originals.items():
            setattr(L, name, fn)
        sampler.done.set()
        sampler.join()
    t1, u1 = time.perf_counter(), os.times()
    merged: dict[tuple, dict] = {}  # a stage run twice for a table (the roster's rows, its IDs): one line
    for m in marks:
        key = (m["table"], m["stage"])
        if key in merged:
            k = merged[key]
            k["start"], k["end"] = min(k["start"], m["start"]), max(k["end"], m["end"])
            k["main_cpu"] += m["main_cpu"]
        else:
            merged[key] = dict(m)
    marks = list(merged.values())
    for m in marks:
        m["cores"] = sampler.cores(m["start"], m["end"])
        m["rss_max"] = sampler.rss(m["start"], m["end"])
        m["start"], m["end"] = m["start"] - t0, m["end"] - t0
    marks.sort(key=lambda m: (m["start"], m["stage"] != "TABLE"))
    return {"wall": t1 - t0, "user": u1[0] - u0[0], "system": u1[1] - u0[1],
            "cores": (u1[0] + u1[1] - u0[0] - u0[1]) / (t1 - t0),
            "rows": int(prog.counts["rows_read"].sum()),
            "peak_above_start": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base_rss,
            "stages": marks}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--as-of", default="2026-06-30")
    ap.add_argument("--prefault", type=float, default=0.0, help="GB written and freed before the load")
    ap.add_argument("--json", action="store_true", help="print the timeline as JSON")
    a = ap.parse_args(argv)
    if not a.folder.is_dir():
        print(f"{a.folder}: no such programme folder", file=sys.stderr)
        return 2
    _prefault(a.prefault)
    import calib.io.load  # noqa: F401 (the imports' memory and time stay out of the figures)

    out = profile(a.folder, a.as_of)
    if a.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"{a.folder}: {out['rows']:,} rows in {out['wall']:.2f} s wall, {out['user']:.2f} s user and "
          f"{out['system']:.2f} s system CPU ({out['cores']:.2f} cores busy on average); "
          f"peak RSS {out['peak_above_start'] / 2**20:,.0f} MiB above the start")
    print(f"  {'from':>6} {'to':>6} {'wall':>6} {'main CPU':>8} {'cores':>5} {'RSS max':>8}  stage")
    for m in out["stages"]:
        top = m["stage"] == "TABLE"
        cpu = "" if top else f"{m['main_cpu']:8.2f}"
        name = m["table"] if top else f"  {m['stage']}"
        print(f"  {m['start']:6.2f} {m['end']:6.2f} {m['end'] - m['start']:6.2f} {cpu:>8} {m['cores']:5.2f} "
              f"{m['rss_max'] / 2**20:8,.0f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
