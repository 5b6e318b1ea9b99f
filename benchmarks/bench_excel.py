"""Side workbooks at a province's size: `calib.report.write_xlsx` against a plain CSV of the same table.

usage: python benchmarks/bench_excel.py [--rows 100000 1000000] [--columns 14]

Builds an investigation-list-like table (text, amounts, ratios, dates) of each size and, each in
a fresh subprocess (so that peak RSS is the task's own), times (a) ``DataFrame.to_csv`` of it, the
reference, and (b) ``write_xlsx`` (masked, neutralised, streamed by XlsxWriter). Prints wall time,
peak RSS above the table itself and the ratio xlsx / csv. A table longer than Excel's 1,048,575
data rows goes on in continuation sheets; the row count read back is checked.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

_TASK = """
import json, resource, sys, time
import numpy as np, pandas as pd
rows, cols, task = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(1)
data = {}
for i in range(cols):
    kind = i % 4
    if kind == 0:
        data[f"t{i}"] = np.char.add("村", (rng.integers(0, 9000, rows)).astype(str)).astype(object)
    elif kind == 1:
        data[f"a{i}"] = rng.integers(0, 300_000, rows).astype(float)
    elif kind == 2:
        data[f"r{i}"] = rng.random(rows)
    else:
        data[f"d{i}"] = pd.Timestamp("2026-06-30") - pd.to_timedelta(rng.integers(0, 900, rows), unit="D")
df = pd.DataFrame(data)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
t0 = time.perf_counter()
if task == "csv":
    df.to_csv("/dev/null", index=False)
    n = rows
else:
    from calib.report import excel
    import tempfile, os
    with tempfile.TemporaryDirectory() as tmp:
        path = excel.write_xlsx(df, os.path.join(tmp, "t.xlsx"))
        wall = time.perf_counter() - t0
        n = excel.count_rows(path)
print(json.dumps({"wall": (time.perf_counter() - t0) if task == "csv" else wall, "rows": n,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base}))
"""


def _run(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _TASK, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--columns", type=int, default=14)
    a = ap.parse_args()
    mib = 2 ** 20
    for rows in a.rows:
        csv, xlsx = _run(str(rows), str(a.columns), "csv"), _run(str(rows), str(a.columns), "xlsx")
        ok = "rows read back" if xlsx["rows"] == rows else f"ROWS LOST: {xlsx['rows']:,} read back"
        print(f"{rows:>10,} rows x {a.columns} columns")
        print(f"  DataFrame.to_csv   wall {csv['wall']:7.2f} s  peak RSS above the table {csv['peak'] / mib:7.0f} MiB")
        print(f"  write_xlsx         wall {xlsx['wall']:7.2f} s  peak RSS above the table {xlsx['peak'] / mib:7.0f} MiB"
              f"  ({ok})")
        print(f"  ratio xlsx / csv   wall {xlsx['wall'] / csv['wall']:5.1f}x", flush=True)


if __name__ == "__main__":
    main()
