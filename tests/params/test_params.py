import re
from pathlib import Path

import pytest

from calib import params
from calib.errors import CalibParamsError

ROOT = Path(__file__).resolve().parents[2]


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
    ("page_rows=3", "page_rows"),
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


@pytest.mark.parametrize("text, where", [("sheet:\n  roster: !填表说明\n", "line 2"),
                                         ("sheet: [东村, !填表说明]\n", "line 1"),
                                         ("sheet: !Sheet1\n", "line 1"),
                                         ("sheet:\n  roster: ! 填表说明\n", "line 2")])
def test_a_sheet_exclusion_left_unquoted_says_to_quote_it(tmp_path, text, where):
    """``sheet: !填表说明`` (every sheet but the notes) unquoted is a YAML type tag: the parser
    said "while scanning a tag ... in <unicode string>", which a clerk cannot act on; with a
    space (``! 填表说明``) YAML read it as ``填表说明``, the one sheet not wanted, without a word."""
    f = tmp_path / "p.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(CalibParamsError, match=f"p.yaml: not valid YAML \\({where}, column \\d+: a value that "
                       "begins with ! must be in quotes") as e:
        params.read_mapping(f)
    assert "unicode string" not in str(e.value) and "scanning" not in str(e.value)
    with pytest.raises(CalibParamsError, match="override sheet.roster: .*must be in quotes"):
        params.load("params/sample.yaml", ["sheet.roster=!填表说明"])
    quoted = text.replace("!", '"!').replace("说明", '说明"').replace("Sheet1", 'Sheet1"')
    f.write_text(quoted, encoding="utf-8")
    assert "!" in str(params.read_mapping(f)["sheet"])  # quoted, it is the exclusion


@pytest.mark.parametrize("override,needle", [
    ("consensus.cap=.inf", "consensus.cap"),
    ("reconciliation.cap=.nan", "reconciliation.cap"),
    ("consensus.cap=-1", "consensus.cap"),
    ("consensus.cap=1e309", "consensus.cap"),
    ("points_loan.subsidy_budget=.inf", "points_loan.subsidy_budget"),
    ("as_of=9999-12-31", "as_of: must be a date from 2000-01-01 to 2100-12-31"),
    ("as_of=1800-01-01", "as_of"),
    ("seed=[1, 2]", "seed"),
    ("title=[a, b]", "title"),
    ("jobs=0", "jobs"),
    ("lang=fr", "lang: Input should be 'zh-CN' or 'en'"),
    ("notebooks=[../../etc/passwd]", "not a bare notebook name"),
    ("notebooks=[/abs/01_data_quality]", "not a bare notebook name"),
    ("notebooks=[99_missing]", "allowed: 01_data_quality, 02_peer_consensus"),
    ("consensus=7", "consensus"),
    ("consensus.method=[median]", "consensus.method"),
    ("data_dir=''", "data_dir"),
    ("points_loan.uptake_elasticity=.inf", "points_loan.uptake_elasticity"),
    ("data_dir=postgresql+psycopg://bank:s3cret@db/prog", "data_dir: the URL holds a password"),
    ("history=postgresql+psycopg://bank:s3cret@db/h", "history: the URL holds a password"),
    ("points_loan.schedule.base_rate=.nan", "points_loan.schedule.base_rate"),
])
def test_hostile_values_name_the_key_and_the_rule(override, needle):
    with pytest.raises(CalibParamsError, match=re.escape(needle)):
        params.load("params/sample.yaml", [override])


def test_binary_and_odd_yaml_are_messages_not_crashes(tmp_path):
    f = tmp_path / "p.yaml"
    sample = (ROOT / "params" / "sample.yaml").read_text(encoding="utf-8")
    for extra, needle in [("as_of: !!binary aGVsbG8=\n", "as_of"),
                          ("seed: !!binary aGVsbG8=\n", "seed"),
                          ("1: x\n", "parameter names must be text"),
                          ("title: !!python/object:os.system x\n", "not valid YAML")]:
        f.write_text(sample + extra, encoding="utf-8")
        with pytest.raises(CalibParamsError, match=needle):
            params.load(f)
    f.write_bytes(b"title: \xff\xfe\n")
    with pytest.raises(CalibParamsError, match="not UTF-8"):
        params.load(f)


def test_bundle_paths_are_relative_to_the_project_root():
    p = params.load("params/sample.yaml")
    plain = p.plain(ROOT)
    assert plain["data_dir"] == "data/sample" and plain["notebooks_dir"] == "notebooks"
    assert str(ROOT) not in params.to_yaml(p, ROOT)


def test_project_root_env_wins(tmp_path, monkeypatch):
    monkeypatch.setenv(params.ROOT_ENV, str(ROOT))
    assert params.project_root(tmp_path) == ROOT


def test_database_url_is_kept_as_text():
    p = params.load("params/sample.yaml", ["data_dir=sqlite:///programme.db"])
    assert p.data_dir == "sqlite:///programme.db"
    p = params.load("params/sample.yaml", ["data_dir=postgresql+psycopg://bank@db:5432/prog"])
    assert p.data_dir == "postgresql+psycopg://bank@db:5432/prog"  # a user, no password: fine


def test_params_are_reexported_from_the_old_module_path():
    import calib.params as cp
    from calib.params.schema import Params as P2

    names = ("Params", "load", "validate", "parse_overrides", "apply_overrides", "project_root", "to_yaml")
    assert all(hasattr(cp, n) and n in cp.__all__ for n in names)
    assert cp.Params is P2


def test_blocks_owned_elsewhere_are_composed():
    p = params.load("params/sample.yaml", ["points_loan.lgd=0.5"])
    assert p.points_loan.lgd == 0.5 and p.block("points_loan")["schedule"]["base_rate"] == 0.05
    assert "monitoring" in p.plain()  # calib.monitoring's block (a placeholder where it is absent)
    try:
        from calib.monitoring.rules import MonitoringRules
    except ImportError:
        return
    assert isinstance(p.monitoring, MonitoringRules)
    with pytest.raises(CalibParamsError, match="monitoring"):
        params.load("params/sample.yaml", ["monitoring.no_such_light=1"])


def test_a_password_in_a_url_is_never_echoed():
    with pytest.raises(CalibParamsError) as exc:
        params.load("params/sample.yaml", ["data_dir=postgresql+psycopg://bank:s3cret@db/prog"])
    assert "s3cret" not in str(exc.value) and "bank:***@db" in str(exc.value)


def test_database_keys(tmp_path):
    url = "postgresql+psycopg://bank@db/prog"
    p = params.load("params/sample.yaml", [f"data_dir={url}", "schema=credit", "tables.roster=hh_roster",
                                           "queries.loans=SELECT * FROM loans WHERE county = 'x'"])
    assert p.db_schema == "credit" and p.tables == {"roster": "hh_roster"} and "loans" in p.queries
    plain = p.plain(ROOT)
    assert plain["schema"] == "credit" and "db_schema" not in plain
    f = tmp_path / "again.yaml"  # the bundle's params.yaml loads again
    f.write_text(params.to_yaml(p, ROOT), encoding="utf-8")
    assert params.validate(__import__("yaml").safe_load(f.read_text())).db_schema == "credit"
    with pytest.raises(CalibParamsError, match="data_dir must be a SQLAlchemy URL"):
        params.load("params/sample.yaml", ["schema=credit"])


def test_the_validated_dump_writes_whole_numbers_as_a_person_does(tmp_path):
    """The bundle's params.yaml (the validated dump every notebook reads, and each report's
    parameter table) wrote 500000.0 and 1000.0 where the file says 500000 and 1000."""
    p = params.load("params/sample.yaml")
    text = params.to_yaml(p)
    assert "cap: 500000\n" in text and "grid: 1000\n" in text and "500000.0" not in text
    assert "band_low: 0.67\n" in text  # a fraction stays as it is
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    again = params.load(tmp_path / "p.yaml")
    assert again.reconciliation.cap == p.reconciliation.cap and isinstance(again.reconciliation.cap, float)
    assert again.plain() == p.plain()


def test_a_run_names_the_files_encoding_and_sheets():
    """A scheduled run had no say in what the loader detects or reads: a GB18030 file that
    detection misreads, or a workbook with a notes sheet beside its village sheets. ``encoding``
    and ``sheet`` (for every table or per table) reach ``load_programme``; misspelt tables and
    encodings are refused, and neither applies to a database."""
    p = params.load("params/sample.yaml", ["encoding.roster=gb18030", "sheet.roster=[东村, 西村]"])
    src = p.programme_source()
    assert src["encoding"] == {"roster": "gb18030"} and src["sheet"] == {"roster": ["东村", "西村"]}
    for bad, says in [("encoding=latin-9x", "is not an encoding"), ("encoding.rooster=gb18030", "unknown table 'rooster'"),
                      ("sheet.rooster=A", "unknown table 'rooster'")]:
        with pytest.raises(CalibParamsError, match=says):
            params.load("params/sample.yaml", [bad])
    with pytest.raises(CalibParamsError, match="encoding and sheet apply to files"):
        params.load("params/sample.yaml", ["data_dir=postgresql+psycopg://u@h/db", "encoding=gb18030"])
