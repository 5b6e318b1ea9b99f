"""Loader speed and memory against a plain Arrow read of the same files (issue 14 item 1).

usage: python benchmarks/bench_io.py [--households 100000 1000000] [--data DIR] [--seed N] [--repeat 3]

For each size, generates a programme with ``calib.synth`` (``--data DIR`` keeps it in
``DIR/<households>`` for the next run), then in fresh subprocesses (so that peak RSS is per
task) times (a) ``pyarrow.csv.read_csv`` of every CSV (all columns as text) and (b)
``calib.io.load_programme``, ``--repeat`` times each, alternated, and compares the fastest run
of each (the plain read's wall time varied from 1.1 to 4.2 s between runs on one machine).
Prints wall and CPU time, peak RSS, and the ratios load / read. Goals: time ratio at most 3 at
1M households, time growth 100k -> 1M at most 11x, peak RSS of the load at most 2x the Arrow
tables, both above the memory of the imports (with the loader's kernels on, numba's runtime and
the cached kernels: a fixed 130 MiB). The one-minute load average is printed before and after
each size (the loader parses columns on threads: on a shared machine compare runs made under
the same load).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_READ = """
import json, resource, sys, time
from pathlib import Path
import pyarrow as pa, pyarrow.csv as pc
t0, c0 = time.perf_counter(), time.process_time()
nbytes = rows = 0
for f in sorted(Path(sys.argv[1]).glob("*.csv")):
    names = f.open(encoding="utf-8-sig").readline().rstrip("\\n").split(",")
    t = pc.read_csv(f, convert_options=pc.ConvertOptions(column_types={n: pa.string() for n in names}))
    nbytes += t.nbytes; rows += t.num_rows
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "rows": rows,
                  "arrow_bytes": nbytes, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""
_LOAD = """
import json, resource, sys, time
from calib.io import load_programme
t0, c0 = time.perf_counter(), time.process_time()
prog = load_programme(sys.argv[1], as_of="2026-06-30")
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                  "rows": int(prog.counts["rows_read"].sum()), "quarantined": int(prog.counts["rows_quarantined"].sum()),
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "kernels": "numba" in sys.modules}))
"""
_BASE = """
import json, resource, sys
import pandas, pyarrow, calib.io
if sys.argv[1:] == ["kernels"]:  # numba's runtime and the loader's cached kernels, loaded
    from calib.io import _jit
    _jit.warm()
print(json.dumps({"peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def _run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


_GEN = """
import sys
from calib import synth
res = synth.generate(seed=int(sys.argv[3]), villages=max(1, int(sys.argv[2]) // 100),
                     households_per_village=100, townships=6)
synth.write(res, sys.argv[1])
"""


def _programme(folder: Path, households: int, seed: int) -> Path:
    """Generate (in a subprocess, so that this process stays small) or reuse a programme."""
    if (folder / "roster.csv").is_file():
        return folder
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", _GEN, str(folder), str(households), str(seed)], check=True)
    print(f"  generated {households:,} households in {time.perf_counter() - t0:.0f} s", flush=True)
    return folder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--data", type=Path, default=None, help="keep generated programmes here")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of the read and of the load per size (the fastest of each is compared)")
    a = ap.parse_args()
    from calib import _jit

    # the imports' memory is not the load's: pandas, pyarrow and calib.io, and when the load used
    # the loader's kernels (large columns, CALIB_NO_JIT unset) numba's runtime and the cached
    # kernels (about 130 MiB, the same for a village and a province)
    plain = _run(_BASE)["peak"]
    with_kernels = _run(_BASE, "kernels")["peak"] if not _jit.disabled() else plain
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = a.data or Path(tmp)
        for n in a.households:
            folder = _programme(root / str(n), n, a.seed)
            folder.mkdir(parents=True, exist_ok=True)
            before = os.getloadavg()[0]
            reads, loads = [], []
            for _ in range(max(1, a.repeat)):  # alternated: both see the machine's same moments
                reads.append(_run(_READ, str(folder)))
                loads.append(_run(_LOAD, str(folder)))
            read, load = (min(runs, key=lambda r: r["wall"]) for runs in (reads, loads))
            kernels = load["kernels"]  # the load used the compiled kernels (large columns only)
            base = with_kernels if kernels else plain
            load["base"] = base
            results[n] = (read, load)
            mib = 2 ** 20
            print(f"{n:>10,} households  {read['rows']:>11,} rows  ({load['quarantined']:,} quarantined)  "
                  f"load average {before:.2f} before, {os.getloadavg()[0]:.2f} after (2 cores shared: "
                  "above ~1 another process competed)")
            spread = lambda runs: (f"  [{len(runs)} runs: wall {min(r['wall'] for r in runs):.2f}-"  # noqa: E731
                                   f"{max(r['wall'] for r in runs):.2f} s]" if len(runs) > 1 else "")
            print(f"  pyarrow.csv.read_csv  wall {read['wall']:7.2f} s  cpu {read['cpu']:7.2f} s  "
                  f"peak RSS {read['peak'] / mib:7.0f} MiB  (Arrow tables {read['arrow_bytes'] / mib:,.0f} MiB)"
                  + spread(reads))
            print(f"  load_programme        wall {load['wall']:7.2f} s  cpu {load['cpu']:7.2f} s  "
                  f"peak RSS {load['peak'] / mib:7.0f} MiB" + spread(loads))
            print(f"  ratio load / read     wall {load['wall'] / read['wall']:5.1f}x  cpu {load['cpu'] / read['cpu']:5.1f}x  "
                  f"peak RSS {load['peak'] / read['peak']:4.2f}x  (above the {base / mib:.0f} MiB of the imports"
                  f"{' and kernels' if kernels else ''}: "
                  f"{(load['peak'] - base) / max(read['peak'] - plain, 1):4.2f}x; "
                  f"vs Arrow tables {(load['peak'] - base) / read['arrow_bytes']:4.2f}x)", flush=True)
    sizes = sorted(results)
    hi = sizes[-1]
    read, load = results[hi]
    base = load["base"]
    verdict = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    print(f"goals at {hi:,} households (issue 14 item 1):")
    print(f"  load at most 3x the read:          wall {load['wall'] / read['wall']:5.1f}x, "
          f"cpu {load['cpu'] / read['cpu']:5.1f}x  -> {verdict(load['wall'] / read['wall'] <= 3)}")
    print(f"  peak RSS at most 2x the Arrow tables: {(load['peak'] - base) / read['arrow_bytes']:4.2f}x "
          f"(above the imports)  -> {verdict((load['peak'] - base) / read['arrow_bytes'] <= 2)}")
    if len(sizes) > 1:
        lo = sizes[0]
        g_wall = results[hi][1]['wall'] / results[lo][1]['wall']
        g_cpu = results[hi][1]['cpu'] / results[lo][1]['cpu']
        limit = 11 * (hi / lo) / 10
        print(f"  growth {lo:,} -> {hi:,} households ({hi / lo:.0f}x) at most {limit:.0f}x: load wall "
              f"{g_wall:.1f}x, cpu {g_cpu:.1f}x  -> {verdict(g_wall <= limit)}")


if __name__ == "__main__":
    main()
