"""`calib synth --fast`: the vectorised generator from the command line."""
import json

import pyarrow.parquet as pq

from calib.cli import main


def test_synth_fast_writes_a_programme_of_about_the_asked_size(tmp_path, capsys):
    out = tmp_path / "prov"
    assert main(["synth", "--fast", "--households", "3000", "--households-per-village", "50",
                 "--out", str(out), "--seed", "3"]) == 0
    params = json.loads((out / "truth" / "parameters.json").read_text())
    assert params["villages"] == 60
    hh = pq.read_table(out / "roster.parquet", columns=["household_id"]).column(0).to_pandas().nunique()
    assert 2400 <= hh <= 3600 and hh == params["households"]
    assert "vectorised generator" in capsys.readouterr().out


def test_synth_prices_the_loans_with_a_parameter_files_schedule(tmp_path, capsys):
    """`--schedule PARAMS`: both generators book each loan at the parameter file's schedule
    (here in bands) for its household's latest points; a file without a schedule is a clear
    error, not a traceback."""
    import numpy as np
    import pandas as pd
    import yaml

    from calib.pricing import rate_for_points

    bands = {"base_rate": 0.06, "bands": [{"points": 250, "discount": 0.002}, {"points": 450, "discount": 0.005}]}
    params = tmp_path / "bank.yaml"
    params.write_text(yaml.safe_dump({"points_loan": {"schedule": bands}}), encoding="utf-8")
    for fast, out in ((True, tmp_path / "fast"), (False, tmp_path / "ref")):
        argv = ["synth", "--out", str(out), "--seed", "5", "--schedule", str(params)]
        argv += ["--fast", "--households", "2000", "--households-per-village", "50"] if fast else ["--villages", "6"]
        assert main(argv) == 0
        read = (lambda n: pq.read_table(out / f"{n}.parquet").to_pandas()) if fast else (
            lambda n: pd.read_csv(out / f"{n}.csv", dtype=str, keep_default_na=False))
        pts, loans = read("points"), read("loans")
        latest = pts.loc[pts["period"].astype(str) == "2025"]
        latest = latest.assign(points=pd.to_numeric(latest["points"], errors="coerce")).dropna(subset=["points"])
        latest = latest.drop_duplicates("household_id").set_index("household_id")["points"]
        rate = pd.to_numeric(loans["interest_rate"], errors="coerce")
        held = loans["household_id"].map(latest)
        ok = held.notna() & rate.notna() & held.ge(0)
        assert ok.sum() > 50
        np.testing.assert_allclose(rate[ok], np.round(rate_for_points(held[ok].to_numpy(), bands), 5), atol=1e-12)
        assert set(np.round(0.06 - rate[ok], 5)) == {0.0, 0.002, 0.005}
        assert json.loads((out / "truth" / "parameters.json").read_text())["schedule"]["bands"][0]["points"] == 250
    capsys.readouterr()
    (tmp_path / "none.yaml").write_text("seed: 1\n", encoding="utf-8")
    assert main(["synth", "--out", str(tmp_path / "x"), "--schedule", str(tmp_path / "none.yaml")]) != 0
    err = capsys.readouterr().err
    assert "no points_loan.schedule" in err and "Traceback" not in err
    # read as every parameter file is read (calib.params.read_mapping): the same messages
    (tmp_path / "bad.yaml").write_text("points_loan: [\n", encoding="utf-8")
    for name, said in (("bad.yaml", "bad.yaml: not valid YAML"), ("gone.yaml", "gone.yaml: no such parameter file")):
        assert main(["synth", "--out", str(tmp_path / "x"), "--schedule", str(tmp_path / name)]) != 0
        err = capsys.readouterr().err
        assert said in err and str(tmp_path) not in err and "Traceback" not in err, err


def test_validate_counts_each_reason_once_and_says_where_it_was_first_found(tmp_path, capsys, monkeypatch):
    """A province's repeated reviews (each "first at row N" with its own N) were printed one
    line per first row: thousands of lines. Each reason is now one line, with its count and
    the first place it was found (a folder's file named); past SHOWN_REASONS lines, one line
    counts the rest and says where they all are."""
    import pandas as pd

    import calib.cli as cli
    from calib import synth

    synth.write(synth.generate(seed=5, villages=2, households_per_village=10, dirty=False), tmp_path)
    rv = pd.read_csv(tmp_path / "reviews.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    pd.concat([rv, rv.iloc[:30]]).to_csv(tmp_path / "reviews.csv", index=False)  # 30 repeats
    assert main(["validate", str(tmp_path), "--as-of", "2026-06-30"]) == 0
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if "reviewed this household twice" in ln]
    assert lines == [f"  reviews: the same reviewer reviewed this household twice (first at an earlier row) "
                     f"(30; first row {len(rv) + 2})"]
    assert "quarantine reasons (30 problems in 30 rows):" in out
    monkeypatch.setattr(cli, "SHOWN_REASONS", 0)
    assert main(["validate", str(tmp_path), "--as-of", "2026-06-30"]) == 0
    assert "  ... 1 more reason (30 problems): --out DIR writes them all to quarantine.csv" in capsys.readouterr().out
    monkeypatch.setattr(cli, "SHOWN_REASONS", 40)
    (tmp_path / "reviews.csv").rename(tmp_path / "part-00000.csv")  # the table as a folder: the file named
    (tmp_path / "reviews.csv").mkdir()
    (tmp_path / "part-00000.csv").rename(tmp_path / "reviews.csv" / "part-00000.csv")
    assert main(["validate", str(tmp_path), "--as-of", "2026-06-30"]) == 0
    assert f"(30; first row {len(rv) + 2} of reviews.csv/part-00000.csv)" in capsys.readouterr().out
