"""The ``calib`` command line: ``synth``, ``validate`` and ``run``.

Every error a user can cause ends with a one-line message on stderr and exit code 2, never a
traceback (set ``CALIB_DEBUG=1`` to see one). ``calib run`` exits 1 when a notebook failed.
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from calib.errors import CalibError

__all__ = ["main"]


def _cmd_synth(a: argparse.Namespace) -> int:
    from calib import synth

    res = synth.generate(seed=a.seed, villages=a.villages, households_per_village=a.households_per_village,
                         as_of=a.as_of)
    synth.write(res, a.out)
    p = res.parameters
    print(f"wrote {a.out}: {p['villages']} villages, {p['households']} households, "
          f"{p['people']} people, {p['reviewers']} reviewers (seed {a.seed})")
    return 0


def _cmd_validate(a: argparse.Namespace) -> int:
    from calib.io import load_programme
    from calib.masking import mask_frame

    prog = load_programme(a.path, as_of=a.as_of)
    c = prog.counts
    width = max(len(t) for t in c["table"])
    print(f"programme {a.path} (as of {prog.as_of.date()})")
    for r in c.itertuples():
        extra = f"  ignored columns: {r.ignored_columns}" if r.ignored_columns else ""
        print(f"  {r.table:<{width}}  {r.file:<26} read {r.rows_read:>8,}  accepted {r.rows_accepted:>8,}"
              f"  quarantined {r.rows_quarantined:>6,}{extra}")
    q = prog.quarantine
    if len(q):
        print("quarantine reasons:")
        for (table, reason), n in q.groupby(["table", "reason"]).size().items():
            print(f"  {table}: {reason} ({n})")
    if a.out:
        out = Path(a.out)
        out.mkdir(parents=True, exist_ok=True)
        mask_frame(q).to_csv(out / "quarantine.csv", index=False, encoding="utf-8-sig")
        c.to_csv(out / "counts.csv", index=False, encoding="utf-8-sig")
        print(f"wrote {out / 'quarantine.csv'} and {out / 'counts.csv'}")
    return 0


def _cmd_run(a: argparse.Namespace) -> int:
    from calib.runner import run_reports

    res = run_reports(a.params, out_root=a.out, overrides=a.param or [])
    failed = [n for n, s in res.statuses.items() if s != "ok"]
    if failed:
        print(f"calib: {len(failed)} notebook(s) failed: {', '.join(failed)}; see {res.bundle / 'index.html'}",
              file=sys.stderr)
        return 1
    print(f"all {len(res.statuses)} reports ok: {res.bundle / 'index.html'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    p = argparse.ArgumentParser(prog="calib", description="Whole-village credit calibration workbench")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("synth", help="generate a programme with known truth")
    s.add_argument("--out", required=True, help="folder to write the programme into")
    s.add_argument("--seed", type=int, default=20251231)
    s.add_argument("--villages", type=int, default=90)
    s.add_argument("--households-per-village", type=int, default=85)
    s.add_argument("--as-of", default="2026-06-30")
    s.set_defaults(func=_cmd_synth)

    v = sub.add_parser("validate", help="load a programme folder and report what was quarantined")
    v.add_argument("path", help="programme folder")
    v.add_argument("--out", help="folder for quarantine.csv and counts.csv")
    v.add_argument("--as-of", default=None, help="reference date (default: today)")
    v.set_defaults(func=_cmd_validate)

    r = sub.add_parser("run", help="regenerate every report of a parameter file")
    r.add_argument("params", help="parameter file, e.g. params/sample.yaml")
    r.add_argument("--out", default=None, help="bundle root (default: reports/ of the project)")
    r.add_argument("-p", "--param", action="append", metavar="KEY=VALUE",
                   help="override a parameter (dotted keys reach into blocks), repeatable")
    r.set_defaults(func=_cmd_run)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``calib`` command."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CalibError as exc:
        print(f"calib: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("calib: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected failure still gets one line, not a traceback
        if os.environ.get("CALIB_DEBUG"):
            traceback.print_exc()
        print(f"calib: internal error: {type(exc).__name__}: {exc} (set CALIB_DEBUG=1 for details)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
