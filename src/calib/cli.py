"""The ``calib`` command line: ``synth``, ``validate``, ``run``, ``verify``, ``history`` (and
``history backfill``), ``keygen``.

Exit codes: 0 success; 1 a notebook failed (``run``) or the bundle differs from its manifest
(``verify``); 2 a problem with the input, the parameters or the reports folder, told in one line
naming the key, file or folder, never a traceback; 3 a bug in calib itself, said so, with the
traceback written to a private file whose path is printed (``CALIB_DEBUG=1`` prints it too).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

from calib.errors import CalibError

__all__ = ["main", "build_parser"]


def _schedule_of(path: str | None) -> dict | None:
    """The ``points_loan.schedule`` block of the parameter file ``path``, validated (None
    without a file)."""
    if path is None:
        return None
    from calib.errors import CalibParamsError
    from calib.params import read_mapping
    from calib.pricing import load_schedule

    pl = read_mapping(path).get("points_loan")
    block = pl.get("schedule") if isinstance(pl, dict) else None
    if not block:
        raise CalibParamsError(f"{Path(path).name}: no points_loan.schedule to price the loans with")
    return load_schedule(block).block()


def _cmd_synth(a: argparse.Namespace) -> int:
    from calib import synth
    from calib._progress import show_progress

    schedule = _schedule_of(a.schedule)
    if a.fast or a.households:
        villages = max(2, round(a.households / a.households_per_village)) if a.households else a.villages
        with show_progress():  # a bar on a terminal; a line a chunk of villages on standard error elsewhere
            p = synth.write_fast(a.out, fmt=a.format, seed=a.seed, villages=villages,
                                 households_per_village=a.households_per_village, as_of=a.as_of,
                                 schedule=schedule)
        print(f"wrote {a.out}: {p['villages']} villages, {p['households']} households "
              f"(vectorised generator, {a.format}, seed {a.seed})")
        return 0
    res = synth.generate(seed=a.seed, villages=a.villages, households_per_village=a.households_per_village,
                         as_of=a.as_of, schedule=schedule)
    synth.write(res, a.out)
    p = res.parameters
    print(f"wrote {a.out}: {p['villages']} villages, {p['households']} households, "
          f"{p['people']} people, {p['reviewers']} reviewers (seed {a.seed})")
    return 0


def _columns(text: str) -> int:
    """The terminal columns ``text`` takes: two for a wide (Chinese) character, one otherwise."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


#: Quarantine reasons ``calib validate`` prints; the others are counted in one line.
SHOWN_REASONS = 40


def _print_reasons(q, counts, out) -> None:
    """The quarantine's reasons by table, each once (a repeat's first row left out:
    :func:`calib.io.quality.reason_kind`), the most frequent first, with the first place it
    was found: a province's thousands of repeated households are one line, not one line per
    first row."""
    from calib.io.quality import reason_kind

    q = q.assign(kind=reason_kind(q["reason"]))
    g = q.groupby(["table", "kind"], sort=False)
    s = g.agg(problems=("row", "size"), file=("file", "first"), row=("row", "first")).reset_index()
    s["rows"] = q.drop_duplicates(["table", "kind", "file", "row"]).groupby(["table", "kind"], sort=False).size().to_numpy()
    s = s.sort_values(["table", "problems"], ascending=[True, False], kind="stable")
    label = dict(zip(counts["table"], counts["file"]))  # a table of one file: its rows need no file name
    print(f"quarantine reasons ({len(q):,} problems in {len(q.drop_duplicates(['table', 'file', 'row'])):,} rows):")
    for r in s.head(SHOWN_REASONS).itertuples():
        n = f"{r.problems:,}" if r.rows == r.problems else f"{r.problems:,} in {r.rows:,} rows"
        at = f"row {r.row}" + (f" of {r.file}" if r.file != label.get(r.table) else "")
        print(f"  {r.table}: {r.kind} ({n}; first {at})")
    if len(s) > SHOWN_REASONS:
        rest = s.iloc[SHOWN_REASONS:]
        where = "see quarantine.csv" if out else "--out DIR writes them all to quarantine.csv"
        print(f"  ... {len(rest):,} more reason{'s' * (len(rest) > 1)} ({int(rest['problems'].sum()):,} problems): {where}")


def _cmd_validate(a: argparse.Namespace) -> int:
    from calib._progress import show_progress
    from calib.io import load_programme
    from calib.report.excel import write_csv, write_xlsx
    from calib.report.labels import set_lang

    tables = {}
    for item in a.table or []:
        name, sep, target = item.partition("=")
        if not sep or not name.strip() or not target.strip():
            raise CalibError(f"--table: expected NAME=DATABASE_TABLE (got {item!r})")
        tables[name.strip()] = target.strip()
    if (a.path is None) == (a.params is None):
        raise CalibError("validate: give a programme folder or URL, or --params with the run's parameter file "
                         "(one of them)")
    if a.params is not None:  # what the run will load: its data_dir, encoding, sheets, tables and date
        from calib import params

        if tables or a.schema:
            raise CalibError("--schema and --table come from the parameter file with --params")
        P = params.load(a.params)
        source = P.programme_source()
        a.path = source.pop("path")
        kw, as_of = source, a.as_of or P.as_of
    else:
        if "://" not in str(a.path) and (tables or a.schema):
            raise CalibError("--schema and --table apply to a database URL, not to a folder")
        kw, as_of = {"tables": tables or None, "schema": a.schema}, a.as_of
    is_url = "://" in str(a.path)
    with show_progress():  # a bar on a terminal; a line a table on standard error elsewhere
        prog = load_programme(a.path, as_of=as_of, **kw)
    c = prog.counts
    width = max(len(t) for t in c["table"])
    if is_url:
        from calib.sources.sql import redact_url

        schema = kw.get("schema")
        shown = redact_url(str(a.path)) + (f" schema {schema}" if schema else "")
    else:
        shown = str(a.path)
    print(f"programme {shown} (as of {prog.as_of.date()})")
    files = max([26, *(_columns(f) for f in c["file"])])
    for r in c.itertuples():
        extra = f"  ignored columns: {r.ignored_columns}" if r.ignored_columns else ""
        print(f"  {r.table:<{width}}  {r.file}{' ' * (files - _columns(r.file))} read {r.rows_read:>8,}  "
              f"accepted {r.rows_accepted:>8,}  quarantined {r.rows_quarantined:>6,}{extra}")
    q = prog.quarantine
    if len(q):
        _print_reasons(q, c, a.out)
    if a.out:
        out = Path(a.out)
        out.mkdir(parents=True, exist_ok=True)
        write_csv(q, out / "quarantine.csv")  # masked and neutralised (a value may be a formula)
        write_csv(c, out / "counts.csv")
        set_lang(a.lang)  # the clerks' workbook, as report 01 writes it
        write_xlsx({"quarantine": q}, out / "quarantine.xlsx", labels=True)
        print(f"wrote {out / 'quarantine.csv'}, {out / 'quarantine.xlsx'} (for the village clerks) and "
              f"{out / 'counts.csv'}")
    if a.max_quarantined is not None:  # a scheduler's gate: the reports wait for corrected data
        limit = a.max_quarantined
        if limit == _REPORT_LIMIT:  # the flag alone: report 01's fitness threshold
            from calib.report.findings.quality import MAX_QUARANTINE_SHARE as limit
        read, bad = int(c["rows_read"].sum()), int(c["rows_quarantined"].sum())
        share = bad / read if read else 1.0
        verdict = "above" if share > limit else "within"
        print(f"quarantined {bad:,} of {read:,} rows ({share:.2%}): {verdict} the limit of {limit:.2%}")
        if share > limit:
            return 1
    return 0


#: ``--max-quarantined`` given alone: the limit is report 01's (the data are fit to use within it).
_REPORT_LIMIT = -1.0


def _share(text: str) -> float:
    """A share as ``--max-quarantined`` takes it: ``0.01`` or ``1%``."""
    t = text.strip()
    try:
        v = float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share such as 0.01 or 1%, got {text!r}") from None
    if not 0 <= v <= 1:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1 (0% and 100%), got {text!r}")
    return v


def _cmd_run(a: argparse.Namespace) -> int:
    from calib.reporting import run_reports

    if a.jobs is not None and a.jobs < 1:
        raise CalibError(f"--jobs: must be 1 or more (got {a.jobs})")
    res = run_reports(a.params, out_root=a.out, overrides=a.param or [], jobs=a.jobs,
                      sign_key=a.sign_key, history=a.history, log=print)
    if res.history_error:
        print(f"calib: warning: {res.history_error}", file=sys.stderr)
    failed = [n for n, s in res.statuses.items() if s != "ok"]
    if failed:
        print(f"calib: {len(failed)} notebook(s) failed: {', '.join(failed)}; see {res.bundle / 'index.html'}",
              file=sys.stderr)
        return 1
    n = len(res.statuses)
    print(f"{'all ' if n > 1 else ''}{n} report{'s' * (n != 1)} ok: {res.bundle / 'index.html'}")
    return 0


def _cmd_verify(a: argparse.Namespace) -> int:
    from calib.reporting.verify import verify_bundle

    problems = verify_bundle(a.bundle, public_key=a.public_key)
    for r in problems.itertuples():
        print(f"{r.problem}: {r.file}")
    if len(problems):
        print(f"calib: {a.bundle}: {len(problems)} finding(s); the bundle is not as its manifest says",
              file=sys.stderr)
        return 1
    signed = " and its signature" if a.public_key else ""
    print(f"{a.bundle}: intact (every file matches manifest.json{signed})")
    return 0


def _cmd_backfill(a: argparse.Namespace) -> int:
    if a.quarters < 1:
        raise CalibError(f"--quarters: must be 1 or more (got {a.quarters})")
    try:
        from calib.monitoring.backfill import backfill
    except ImportError:
        raise CalibError("history backfill: needs calib.monitoring, which is not installed") from None
    ids = backfill(a.params, quarters=a.quarters, db=a.db, out_root=a.out, log=print)
    print(f"backfill: {len(ids)} earlier evaluation(s) recorded" if ids else "backfill: nothing to record")
    return 0


def _cmd_history(a: argparse.Namespace) -> int:
    from calib.reporting.history import read_history, runs_as_json

    if a.action == "backfill":
        return _cmd_backfill(a)
    runs = runs_as_json(read_history(a.db))
    if a.json:
        print(json.dumps(runs, ensure_ascii=False, indent=2, default=str))
        return 0
    if not runs:
        print("no runs recorded yet")
    for r in runs:
        n = sum(len(m) for m in r["metrics"].values())
        k = len(r["notebooks"])
        print(f"{r['run_id']}  as of {r['as_of']}  {r['status']:<6}  {k} notebook{'s' * (k != 1)}, "
              f"{n} figure{'s' * (n != 1)}")
        for nb, figs in r["metrics"].items():
            shown = ", ".join(f"{k}={v}" for k, v in list(figs.items())[:6])
            print(f"    {nb} [{r['notebooks'][nb]}] {shown}")
    return 0


def _cmd_prune(a: argparse.Namespace) -> int:
    from calib.reporting.publish import prune_bundles

    got = prune_bundles(a.reports, keep_days=a.keep_days, keep_last=a.keep_last, dry_run=a.dry_run)
    gone = got[got["action"] != "kept"]
    for r in gone.itertuples():
        print(f"{r.action} {r.run_id} ({r.bytes / 1e6:,.1f} MB; {r.why})")
    verb = "would remove" if a.dry_run else "removed"
    print(f"prune: {verb} {len(gone)} bundle{'s' * (len(gone) != 1)} ({gone['bytes'].sum() / 1e6:,.1f} MB), "
          f"kept {len(got) - len(gone)}; the run history keeps every run's figures")
    return 0


def _cmd_keygen(a: argparse.Namespace) -> int:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    out = Path(a.out)
    if out.exists():
        raise CalibError(f"{out.name}: exists; choose another name (keys are never overwritten)")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    pub = out.with_name(out.name + ".pub")
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    print(f"wrote {out} (private, keep it secret) and {pub} (public, give it to the auditors)")
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
    s.add_argument("--fast", action="store_true",
                   help="vectorised province-scale generator (streams by chunks; not the sample's stream)")
    s.add_argument("--households", type=int, default=None,
                   help="with --fast: about this many households (sets --villages)")
    s.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="with --fast")
    s.add_argument("--schedule", metavar="PARAMS", default=None,
                   help="price the loans with this parameter file's points_loan.schedule (e.g. in bands; "
                        "default the sample's: 5%% less 0.1 percentage point per 100 points)")
    s.set_defaults(func=_cmd_synth)

    v = sub.add_parser("validate", help="load a programme folder or database and report what was quarantined")
    v.add_argument("path", nargs="?", default=None,
                   help="programme folder, or a SQLAlchemy URL (password from the environment, e.g. PGPASSWORD)")
    v.add_argument("--params", default=None, metavar="PARAMS.yaml",
                   help="instead of a path: the programme as the run of this parameter file loads it (its data_dir, "
                        "encoding, sheets, database tables and as_of)")
    v.add_argument("--schema", default=None, help="with a URL: the database schema holding the tables")
    v.add_argument("--table", action="append", metavar="NAME=DATABASE_TABLE",
                   help="with a URL: the bank's own table or view name of a programme table (repeatable)")
    v.add_argument("--out", help="folder for quarantine.csv, quarantine.xlsx and counts.csv")
    v.add_argument("--lang", default="zh-CN", choices=["zh-CN", "en"],
                   help="language of quarantine.xlsx, the clerks' workbook (default zh-CN)")
    v.add_argument("--as-of", default=None, help="reference date (default: today)")
    v.add_argument("--max-quarantined", type=_share, nargs="?", const=_REPORT_LIMIT, default=None, metavar="SHARE",
                   help="exit 1 when more than this share of the rows read is quarantined (0.01 or 1%%; alone, "
                        "report 01's fitness threshold): a scheduler's gate before the reports")
    v.set_defaults(func=_cmd_validate)

    r = sub.add_parser("run", help="regenerate every report of a parameter file")
    r.add_argument("params", help="parameter file, e.g. params/sample.yaml")
    r.add_argument("--out", default=None, help="bundle root (default: reports/ of the project)")
    r.add_argument("-p", "--param", action="append", metavar="KEY=VALUE",
                   help="override a parameter (dotted keys reach into blocks), repeatable")
    r.add_argument("-j", "--jobs", type=int, default=None,
                   help="notebooks run at once (default: params 'jobs', else the number of cores)")
    r.add_argument("--sign-key", default=None, metavar="KEY",
                   help="Ed25519 private key (PEM): write manifest.json.sig")
    r.add_argument("--history", default=None, metavar="DB",
                   help="run-history database, URL or SQLite file (default: params 'history', "
                        "else <out>/history.sqlite)")
    r.set_defaults(func=_cmd_run)

    f = sub.add_parser("verify", help="check a bundle against its manifest (and signature)")
    f.add_argument("bundle", help="bundle folder, e.g. reports/latest")
    f.add_argument("--public-key", default=None, metavar="KEY", help="Ed25519 public key (PEM)")
    f.set_defaults(func=_cmd_verify)

    h = sub.add_parser("history", help="list recorded runs with their headline figures, or backfill "
                                       "the sample's earlier quarterly evaluations")
    h.add_argument("action", nargs="?", choices=["list", "backfill"], default="list")
    h.add_argument("params", nargs="?", default="params/sample.yaml",
                   help="backfill: the parameter file of the latest evaluation")
    h.add_argument("--db", default=None, help="URL or SQLite file (default: reports/history.sqlite)")
    h.add_argument("--json", action="store_true", help="a JSON list of runs")
    h.add_argument("--quarters", type=int, default=4, help="backfill: quarter ends before as_of")
    h.add_argument("--out", default=None, help="backfill: bundle root (default: reports/)")
    h.set_defaults(func=_cmd_history)

    pr = sub.add_parser("prune", help="remove old bundles outside a retention (never latest or latest-failed)")
    pr.add_argument("reports", nargs="?", default="reports", help="the reports folder (default: reports)")
    pr.add_argument("--keep-days", type=int, default=None, metavar="N", help="keep bundles started within N days")
    pr.add_argument("--keep-last", type=int, default=None, metavar="N", help="keep the N newest bundles")
    pr.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    pr.set_defaults(func=_cmd_prune)

    k = sub.add_parser("keygen", help="create an Ed25519 key pair for signing bundles")
    k.add_argument("out", help="private key file to create (the public key goes to OUT.pub)")
    k.set_defaults(func=_cmd_keygen)
    return p


def _crash(exc: BaseException) -> int:
    """Exit 3: say it is a bug and where the traceback is (never the message: it may hold data)."""
    text = "".join(traceback.format_exception(exc))
    try:
        fd, path = tempfile.mkstemp(prefix="calib-crash-", suffix=".txt")  # mode 0600
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        where = f"the traceback was written to {path}"
    except OSError:
        where = "the traceback could not be written (set CALIB_DEBUG=1 to print it)"
    if os.environ.get("CALIB_DEBUG"):
        print(text, file=sys.stderr)
    print(f"calib: internal error ({type(exc).__name__}): this is a bug in calib, not a problem with "
          f"your input; {where}; please report it", file=sys.stderr)
    return 3


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``calib`` command."""
    from calib import _iri

    _iri.defer()  # before papermill or nbconvert imports nbformat (about 2 CPU s a run)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CalibError as exc:  # ID- and phone-like values it quotes are masked (a value in the wrong column)
        from calib.masking import mask_digit_runs

        print(f"calib: error: {mask_digit_runs(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("calib: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output went away (`calib history | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        return _crash(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
