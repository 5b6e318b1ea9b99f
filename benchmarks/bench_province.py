"""A province on one machine (issue 14, item 4): generate or reuse a programme, then time the
whole evaluation against a plain pyarrow read of the same files.

Usage::

    .venv/bin/python benchmarks/bench_province.py --households 1000000 [--out DIR] [--fmt csv]

Stages, each with wall time, CPU time (this process) and peak resident memory during the stage
(Linux ``VmHWM``, reset before each stage through ``/proc/self/clear_refs``):

0. ``generate``: the vectorised generator (:func:`calib.synth.write_fast`), skipped when ``DIR``
   already holds a programme of the same size and seed (reuse);
1. ``arrow_read``: a plain pyarrow read of every table, every column parsed (``pyarrow.csv``
   with its default options, type inference included, or ``pyarrow.parquet``), by record
   batches (``pyarrow.csv.open_csv`` / ``ParquetFile.iter_batches``, each batch let go): the
   yardstick. Its time is that of reading everything; its peak is one batch, not the whole
   roster (a ``read_csv`` of the 10M-household roster alone would need about 19 GB);
2. ``load_validate``: :func:`calib.io.load_programme` (contract, quarantine, counts), each
   table handed over as soon as it is validated (``on_table``) and only what the later stages
   read kept (:func:`keep_needed`); with ``--snapshot`` each table is also written to a
   validated snapshot first (:func:`calib.io.load_to_snapshot`, as ``calib run`` does);
3. ``consensus``: :func:`calib.consensus.consensus_limits`, ``method="adjusted"`` with the
   relations register (the sample's ``consensus`` block);
4. ``comparison``: :func:`calib.compare.compare_limits` (the ``reconciliation`` block);
5. ``verdicts``: :func:`calib.villages.programme_kpis` on the final limits, then
   :func:`~calib.villages.certify_villages` and :func:`~calib.villages.certify_townships`.

The run keeps what the later stages read, as a run does once the validated snapshot is
written: each table is validated in turn (the later tables' rules keep only the keys they
read: the roster's households, villages and townships, the register's reviewers), then only
its needed columns stay (:func:`keep_needed`: the roster without the personal and descriptive
columns, the reviews without ratings and incomes, no ``points``); the consensus frame is
released once the comparison has carried its columns. Nothing is skipped: the load stage reads
and validates every table and column; its peak is that of the largest table's validation on top
of what is kept of the tables before it. Each stage also prints the resident memory at its end
(what stays alive into the next stage).

The last line gives stages 2-5 as a ratio to stage 1 (goal of issue 14: at most 6x, under
16 GB at 10M households on the 2-core machine).

Figures: README, section "Province scale" (``--record docs/province_scale.json`` after each
size, then ``--markdown docs/province_scale.json --plot docs/province_scale.png --readme
README.md`` rewrites the table and the plot). Programmes are CSV for those figures (``--fmt
csv``), the form a bank's files come in; the yardstick is then ``pyarrow.csv.open_csv``.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TABLES = ("roster", "reviewers", "reviews", "relations", "model_runs", "points", "loans",
          "village_assessments")


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _hwm_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_hwm() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


class Stages:
    """Runs and records stages: name, wall s, CPU s, peak RSS MB (and the RSS at the end)."""

    def __init__(self):
        self.rows: list[tuple[str, float, float, float]] = []
        self.rss: dict[str, float] = {}

    def run(self, name, fn, *args, **kwargs):
        _reset_hwm()
        w, c = time.perf_counter(), time.process_time()
        out = fn(*args, **kwargs)
        row = (name, time.perf_counter() - w, time.process_time() - c, _hwm_mb())
        self.rows.append(row)
        self.rss[name] = _rss_mb()
        base = next((r for r in self.rows if r[0] == "arrow_read"), None)
        vs = (f"   {row[1] / base[1]:4.1f}x / {row[2] / max(base[2], 1e-9):4.1f}x the read"
              if base is not None and name != "arrow_read" else "")
        print(f"{name:<14} wall {row[1]:8.1f} s   cpu {row[2]:8.1f} s   peak {row[3]:8.0f} MB"
              f"   end {self.rss[name]:8.0f} MB{vs}", flush=True)
        return out


def ensure_programme(out: Path, households: int, per_village: int, seed: int, fmt: str,
                     st: Stages) -> dict:
    from calib.synth import write_fast

    villages = max(2, round(households / per_village))
    pj = out / "truth" / "parameters.json"
    if pj.exists():
        p = json.loads(pj.read_text())
        if (p.get("villages"), p.get("seed")) == (villages, seed) and (
                out / f"roster.{fmt}").exists():
            print(f"reusing {out}: {p['households']:,} households, {p['people']:,} people")
            return p
    p = st.run("generate", write_fast, out, fmt=fmt, seed=seed, villages=villages,
               households_per_village=per_village)
    print(f"generated {out}: {p['households']:,} households, {p['people']:,} people, "
          f"{p['reviewers']:,} reviewers")
    return p


def arrow_read(folder: Path, fmt: str) -> int:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rows = 0
    for t in TABLES:
        f = folder / f"{t}.{fmt}"
        if fmt == "parquet":
            reader = pq.ParquetFile(f).iter_batches(batch_size=1 << 20)
        else:  # the same parse options as read_csv's (every column parsed), by record batches
            reader = pacsv.open_csv(f, read_options=pacsv.ReadOptions(block_size=1 << 24))
        for batch in reader:
            rows += batch.num_rows
            del batch  # one batch in memory at a time: the yardstick's peak is one batch
        del reader
    # the yardstick's tables are gone; give their pages back so that they do not count in the
    # next stage's resident memory (Arrow's allocator keeps freed memory otherwise)
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    return rows


#: What the stages after the load read of each table (consensus: the reviews' household,
#: reviewer, proposal and location, the relations; comparison: model_runs; verdicts: the
#: roster's keys, ages and exclusions, the reviews' dates, model_runs, loans,
#: village_assessments). A table not named is kept whole; None: not kept.
ROSTER_NEEDED = ("household_id", "township", "village", "age", "birth_date", "status",
                 "bad_record")
NEEDED = {"roster": ROSTER_NEEDED,
          "reviews": ("household_id", "reviewer_id", "proposed_limit", "review_date", "village",
                      "township"),
          "points": None}


def keep_needed(table, df):
    """What the run keeps of a validated table (:func:`calib.io.validate_tables`'s
    ``on_table``): the columns the later stages read. The roster loses its personal and
    descriptive columns (names, ID numbers, phones, addresses, land), the reviews their
    ratings and incomes, ``points`` is not kept."""
    if table not in NEEDED:
        return df
    cols = NEEDED[table]
    return None if cols is None else df[[c for c in cols if c in df.columns]]


def load(out, as_of, snapshot=None):
    """Stage 2: every table validated in turn and handed over as soon as it is (written to the
    snapshot folder ``snapshot`` when given, as ``calib run`` does), keeping what the later
    stages read."""
    from calib.io import load_programme, load_to_snapshot

    def keep(table, df):
        kept = keep_needed(table, df)
        print(f"  {table:<20} {len(df):>12,} rows   peak so far {_hwm_mb():8.0f} MB   "
              f"now {_rss_mb():8.0f} MB", flush=True)
        return kept

    if snapshot is not None:
        return load_to_snapshot(snapshot, out, as_of=as_of, keep=keep)[1]
    return load_programme(out, as_of=as_of, on_table=keep)


def verdicts(prog, cmp, P):
    from calib import villages

    k = villages.programme_kpis(prog, final_limits=cmp[["final_limit"]],
                                eligibility=P.block("eligibility"))
    v = villages.certify_villages(k, rules=P.block("credit_village"),
                                  assessments=prog.village_assessments)
    t = villages.certify_townships(v, k, rules=P.block("credit_township"))
    return v, t


STAGES = ("arrow_read", "load_validate", "consensus", "comparison", "verdicts")


def record(path: Path, households: int, fmt: str, st: Stages, rows: int, measured: str) -> None:
    """Add (or replace) this size's figures in the JSON file of results."""
    res = json.loads(path.read_text()) if path.exists() else {}
    res[f"{households}-{fmt}"] = {
        "households": households, "fmt": fmt, "rows": rows, "measured": measured,
        "stages": {name: {"wall": w, "cpu": c, "peak_mb": m} for name, w, c, m in st.rows}}
    for name, v in res[f"{households}-{fmt}"]["stages"].items():
        if name in st.rss:
            v["end_mb"] = st.rss[name]
    path.write_text(json.dumps(res, indent=1, sort_keys=True) + "\n")


def _totals(r: dict) -> tuple[float, float, float]:
    work = [v for k, v in r["stages"].items() if k not in ("generate", "arrow_read")]
    return (sum(v["wall"] for v in work), sum(v["cpu"] for v in work), max(v["peak_mb"] for v in work))


def markdown(path: Path) -> str:
    """The README table ("Province scale") from the JSON file of results."""
    res = sorted(json.loads(path.read_text()).values(), key=lambda r: (r["fmt"], r["households"]))
    head = ("| households | rows | input | pyarrow read | load + validate | consensus | comparison "
            "| verdicts | stages 2-5 | vs read (wall / CPU) | peak RSS |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in res:
        s = r["stages"]
        wall, cpu, peak = _totals(r)
        cell = lambda k: f"{s[k]['wall']:.1f} s ({s[k]['cpu']:.1f})"  # noqa: E731
        lines.append(
            f"| {r['households']:,} | {r['rows']:,} | {r['fmt']} | {cell('arrow_read')} | "
            f"{cell('load_validate')} | {cell('consensus')} | {cell('comparison')} | {cell('verdicts')} | "
            f"{wall:.1f} s ({cpu:.1f}) | {wall / s['arrow_read']['wall']:.1f}x / "
            f"{cpu / max(s['arrow_read']['cpu'], 1e-9):.1f}x | {peak / 1024:.2f} GB |")
    dates = sorted({r["measured"] for r in res})
    lines.append("")
    lines.append(f"Wall time, with CPU time in brackets (all threads of the process); measured "
                 f"{', '.join(dates)} on the 2-core machine "
                 f"(`benchmarks/bench_province.py`, figures in `{path.name}`).")
    return "\n".join(lines)


def plot(path: Path, png: Path) -> None:
    """The scaling curve: each stage's CPU time (the fair figure on a shared machine) and the
    peak RSS against households (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = sorted((r for r in json.loads(path.read_text()).values() if r["fmt"] == "csv"),
                 key=lambda r: r["households"])
    n = [r["households"] for r in res]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2))
    for k in STAGES:
        ax.plot(n, [r["stages"][k]["cpu"] for r in res], marker="o", label=k)
    ax.plot(n, [_totals(r)[1] for r in res], marker="s", color="black", label="stages 2-5")
    ref = res[0]
    ax.plot(n, [ref["stages"]["arrow_read"]["cpu"] * 6 * x / ref["households"] for x in n],
            ls="--", color="grey", label="goal: 6x the read (linear)")
    ax.set(xscale="log", yscale="log", xlabel="households", ylabel="CPU time (s)",
           title="Province benchmark: CPU time per stage (2-core machine)")
    ax.legend(fontsize=8)
    bx.plot(n, [_totals(r)[2] / 1024 for r in res], marker="o", label="peak RSS, stages 2-5")
    bx.plot(n, [r["stages"]["arrow_read"]["peak_mb"] / 1024 for r in res], marker="o", label="peak RSS, pyarrow read")
    bx.axhline(16, ls="--", color="grey", label="goal: 16 GB")
    bx.set(xscale="log", yscale="log", xlabel="households", ylabel="GB", title="Peak memory")
    bx.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--record", type=Path, default=None,
                    help="add this run's figures to a JSON file of results (e.g. docs/province_scale.json)")
    ap.add_argument("--markdown", type=Path, default=None, metavar="JSON",
                    help="print the README table from a JSON file of results and exit")
    ap.add_argument("--plot", type=Path, default=None, metavar="PNG",
                    help="with --markdown: also draw the scaling plot")
    ap.add_argument("--readme", type=Path, default=None,
                    help="with --markdown: write the table between the README's province-scale markers")
    ap.add_argument("--per-village", type=int, default=85)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fmt", choices=("parquet", "csv"), default="parquet")
    ap.add_argument("--snapshot", action="store_true",
                    help="the load stage also writes the validated snapshot (as calib run does)")
    ap.add_argument("--out", type=Path, default=None,
                    help="programme folder (default <tmp>/calib-province/<households>-<fmt>)")
    a = ap.parse_args(argv)
    if a.markdown is not None:
        table = markdown(a.markdown)
        print(table)
        if a.readme is not None:
            text = a.readme.read_text(encoding="utf-8")
            start, end = "<!-- province-scale:start -->", "<!-- province-scale:end -->"
            i, j = text.index(start) + len(start), text.index(end)
            a.readme.write_text(text[:i] + "\n" + table + "\n" + text[j:], encoding="utf-8")
        if a.plot is not None:
            plot(a.markdown, a.plot)
        return 0
    from calib import compare, consensus, params, villages  # noqa: F401 (imports outside the timing)
    import calib.io  # noqa: F401
    from calib.scorecard import grades  # noqa: F401 (the verdicts' grade rule imports the scorecard)

    out = a.out or Path(tempfile.gettempdir()) / "calib-province" / f"{a.households}-{a.fmt}"
    st = Stages()
    ensure_programme(out, a.households, a.per_village, a.seed, a.fmt, st)
    P = params.load(ROOT / "params" / "sample.yaml")
    rows = st.run("arrow_read", arrow_read, out, a.fmt)
    snap = None
    if a.snapshot:
        snap = Path(tempfile.mkdtemp(prefix="snapshot-", dir=out.parent))
    prog = st.run("load_validate", load, out, P.as_of, snap)
    if snap is not None:
        import shutil

        shutil.rmtree(snap, ignore_errors=True)
    cons = st.run("consensus", consensus.consensus_limits, prog.reviews,
                  **P.block("consensus"), relations=prog.relations)
    cmp = st.run("comparison", compare.compare_limits, cons, prog.model_runs,
                 policy=P.block("reconciliation"))
    del cons  # the comparison carries the consensus columns the verdicts and reports use
    v, t = st.run("verdicts", verdicts, prog, cmp, P)
    base = next(r for r in st.rows if r[0] == "arrow_read")
    work = [r for r in st.rows if r[0] not in ("generate", "arrow_read")]
    wall, cpu = sum(r[1] for r in work), sum(r[2] for r in work)
    peak = max(r[3] for r in work)
    print(f"{rows:,} rows; {int(v['certified'].sum())} credit villages of {len(v)}, "
          f"{int(t['certified'].sum())} credit townships of {len(t)}")
    print(f"load+consensus+comparison+verdicts: wall {wall:.1f} s, cpu {cpu:.1f} s, peak "
          f"{peak:.0f} MB = {wall / base[1]:.1f}x wall / {cpu / max(base[2], 1e-9):.1f}x cpu of "
          f"the pyarrow read ({base[1]:.2f} s wall, {base[2]:.2f} s cpu)")
    ok = lambda r: "met" if r <= 6 and peak < 16 * 1024 else "NOT met"  # noqa: E731
    print(f"goal (issue 14: at most 6x the read, under 16 GB): {ok(cpu / max(base[2], 1e-9))} "
          f"in CPU time (the fair figure on a shared machine), {ok(wall / base[1])} in wall time")
    if a.record is not None:
        import datetime

        record(a.record, a.households, a.fmt, st, rows,
               datetime.datetime.now(datetime.timezone.utc).date().isoformat())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
