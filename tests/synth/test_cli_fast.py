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
