import pytest

from calib import params
from calib.errors import CalibParamsError


def test_sample_parameters_load_and_resolve_paths():
    p = params.load("params/sample.yaml")
    assert p.data_dir.is_absolute() and p.data_dir.name == "sample"
    assert str(p.as_of) == "2026-06-30"
    assert p.reconciliation.cap == 500_000
    assert p.credit_village.a_or_better_share.op == ">" and p.credit_village.a_or_better_share.value == 0.55
    assert p.points_loan.schedule.base_rate == 0.05


def test_overrides_reach_into_blocks():
    p = params.load("params/sample.yaml", ["seed=7", "consensus.method=median", "as_of=2026-12-31"])
    assert p.seed == 7 and p.consensus.method == "median" and str(p.as_of) == "2026-12-31"


@pytest.mark.parametrize("override,needle", [
    ("consensus.method=mean", "consensus.method"),
    ("reconciliation.band_low=1.2", "band must contain 1"),
    ("as_of=yesterday", "as_of"),
    ("credit_village.npl_ratio.op=>>", "credit_village.npl_ratio.op"),
    ("eligibility.min_age=70", "min_age"),
    ("typo_key=1", "typo_key"),
    ("notebooks=[]", "notebooks"),
])
def test_bad_values_name_the_key(override, needle):
    with pytest.raises(CalibParamsError, match=needle):
        params.load("params/sample.yaml", [override])


def test_bad_files(tmp_path):
    with pytest.raises(CalibParamsError, match="no such parameter file"):
        params.load(tmp_path / "none.yaml")
    f = tmp_path / "bad.yaml"
    f.write_text("a: [1, 2\n")
    with pytest.raises(CalibParamsError, match="not valid YAML"):
        params.load(f)
    f.write_text("- 1\n- 2\n")
    with pytest.raises(CalibParamsError, match="mapping"):
        params.load(f)
