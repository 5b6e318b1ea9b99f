"""The parameter table each report ends with: every key named in the reader's words, the key and
value as in the file, and every coded value read (a committee reads 取公议额度与模型额度的较小者,
not ``min``)."""
from __future__ import annotations

import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from calib import params
from calib.report import labels
from calib.report._params import NAMES, READINGS, param_name, param_reading
from calib.report.display import _flatten, params_table

ROOT = Path(__file__).resolve().parents[2]


def _sample():
    return params.load(ROOT / "params" / "sample.yaml")


def _every_variant_keys() -> list[str]:
    """Keys of the sample with every optional block filled (bands, database keys, Spark tables)."""
    raw = _sample().plain()
    raw["points_loan"]["schedule"]["bands"] = [{"points": 0, "discount": 0.0}, {"points": 500, "discount": 0.005}]
    raw["spark"]["conf"] = {"spark.sql.ansi.enabled": "true"}
    raw["spark"]["tables"] = {"roster": "file:///data/roster.parquet"}
    return [k for k, _ in _flatten(raw)]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_key_has_a_name(lang):
    unnamed = [k for k in _every_variant_keys() if param_name(k, lang) is None]
    assert unnamed == []
    # named in context: the two caps and the two grids differ by their block
    assert param_name("consensus.cap", lang) != param_name("reconciliation.cap", lang)
    assert param_name("targets.milestones[2].usage") == "整村授信目标 · 阶段目标 2 · 用信面"
    assert param_name("scorecard.current_cutoffs.AAA") == "评分卡 · 现行等级最低分 · AAA"
    assert param_name("no_such_block.key") is None


def _literals(model: type[BaseModel], prefix: str = ""):
    for name, field in model.model_fields.items():
        key = f"{prefix}.{name}" if prefix else (field.alias or name)
        ann = field.annotation
        for arg in (ann, *typing.get_args(ann)):
            if typing.get_origin(arg) is typing.Literal:
                yield key, typing.get_args(arg)
            elif isinstance(arg, type) and issubclass(arg, BaseModel):
                yield from _literals(arg, key)


def test_every_coded_value_of_the_schema_reads_in_words():
    from calib.params.schema import Params

    found = dict(_literals(Params))
    assert "reconciliation.provisional" in found and "consensus.method" in found
    for key, values in found.items():
        for v in values:
            for lang in ("zh-CN", "en"):
                assert param_reading(key, v, lang), (key, v, lang)


def test_readings():
    assert param_reading("reconciliation.rule", "min") == "取公议额度与模型额度的较小者"
    assert param_reading("credit_village.npl_ratio.op", "<=") == "不高于"
    assert param_reading("eligibility.exclude_status", "deceased, missing, absconded") == "死亡、失踪、外逃"
    assert param_reading("keep_snapshot", "false", "en") == "no"
    assert param_reading("scorecard.pdo", "20.0") == ""      # a number reads as itself
    assert param_reading("title", "min") == ""               # a word only where the key codes one


def test_an_operator_reads_in_the_rules_words(monkeypatch):
    """The parameter table reads an operator in the words the rules use (calib.report.words,
    their one home): change them there and the table follows."""
    from calib.report import words

    for op in (">", ">=", "<", "<="):
        for lang in ("zh-CN", "en"):
            assert param_reading("credit_village.a_or_better_share.op", op, lang) == words.op_words(op, lang)[0]
    assert param_reading("credit_village.village_governance.op", "yes") == ""
    monkeypatch.setitem(words._RULE_WORDS["zh-CN"], ">", ("超过", "未超过"))
    assert param_reading("credit_township.credit_village_share.op", ">") == "超过"


def test_the_table_names_keys_and_reads_values():
    labels.set_lang("zh-CN")
    tab = params_table(_sample(), blocks=("reconciliation",))
    assert list(tab.data.columns) == ["参数", "参数键（params.yaml）", "取值", "取值含义"]
    row = tab.data.set_index("参数键（params.yaml）").loc["reconciliation.rule"]
    assert (row["参数"], row["取值"], row["取值含义"]) == ("最终额度调解 · 一致时的最终额度", "min",
                                                        "取公议额度与模型额度的较小者")
    assert set(NAMES) and set(READINGS)


def test_folders_read_as_in_the_bundle_s_params_yaml():
    # relative to the project root, as the bundle's params.yaml writes them (the page once showed
    # ./notebooks: the machine path with the root scrubbed after rendering)
    labels.set_lang("zh-CN")
    P = _sample()
    assert P.notebooks_dir.is_absolute()
    shown = params_table(P).data.set_index("参数键（params.yaml）")["取值"]
    assert (shown["data_dir"], shown["notebooks_dir"]) == ("data/sample", "notebooks")


def test_the_reports_of_the_run_read_as_their_titles():
    """The parameter table gave 本次生成的报告 as file names (01_data_quality, 02_peer_consensus, ...)
    with nothing in the reading column: the reading gives each report's title."""
    from calib.report._params import param_reading

    zh = param_reading("notebooks", "01_data_quality, 03_consensus_vs_model", "zh-CN")
    assert zh == "数据质量与授信资格、公议额度与模型额度的比对（授信额度确认）"
    assert param_reading("notebooks", "01_data_quality, 42_own_study", "en") == "Data quality and eligibility; 42_own_study"


def _yaml_scalar(value) -> str:
    import yaml

    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip().removesuffix("...").strip()


def test_a_number_is_written_as_the_run_s_params_yaml_writes_it():
    """One form per parameter in the table: the value as the bundle's params.yaml (the file the
    notebooks read, :func:`calib.params.load.to_yaml`) writes it, never a page's form of the same
    figure (report 07's thresholds table writes monitoring.credit_villages.amber as 0.80 倍, the
    table 0.8; grade_backtest.green 95% there, 0.95 here): an auditor matches key and value with
    the file."""
    import yaml

    from calib.params import project_root
    from calib.params.load import to_yaml

    labels.set_lang("zh-CN")
    P = _sample()
    filed = yaml.safe_load(to_yaml(P, project_root(P.source)))
    shown = params_table(P).data.set_index("参数键（params.yaml）")["取值"]

    def at(key):
        node = filed
        for part in key.split("."):
            name, _, index = part.partition("[")
            node = node[name] if not index else node[name][int(index[:-1]) - 1]
        return node

    numbers = {k: at(k) for k in shown.index if isinstance(at(k), (int, float)) and not isinstance(at(k), bool)}
    assert len(numbers) > 60
    assert {k: shown[k] for k in numbers} == {k: _yaml_scalar(v) for k, v in numbers.items()}
    assert (shown["monitoring.credit_villages.amber"], shown["monitoring.credit_villages.green"],
            shown["monitoring.grade_backtest.green"], shown["monitoring.auc_oos.green"]) == ("0.8", "1", "0.95", "0.7")
    assert params_table(P, blocks=("monitoring",)).data["取值含义"].isin(["", "否", "是", "历史中的第一次运行"]).all()


@pytest.mark.parametrize("lang, unused", [("zh-CN", "未使用：按“分档优惠”定价"), ("en", "not used: priced by “Bands”")])
def test_a_banded_schedule_s_step_keys_read_as_unused(lang, unused):
    """A banded schedule's table listed step_points, step_discount and proportional (是) as if
    they priced the loans: its bands replace them (calib.pricing.Schedule), so they read as unused
    (key and value still as in the file), the bands and the cap and floor as before; a step
    schedule's step keys read as themselves."""
    labels.set_lang(lang)
    P = _sample()
    schedule = P.points_loan.schedule
    bands = type(schedule).model_validate({**schedule.model_dump(), "bands": [{"points": 200, "discount": 0.002},
                                                                             {"points": 400, "discount": 0.004}]})
    banded_P = P.model_copy(update={"points_loan": P.points_loan.model_copy(update={"schedule": bands})})
    step, banded = (params_table(p, blocks=("points_loan",)).data for p in (P, banded_P))
    _, key, value, reading = banded.columns  # name, key, value, reading (in the run's language)
    step, banded = step.set_index(key), banded.set_index(key)
    steps = [f"points_loan.schedule.{k}" for k in ("step_points", "step_discount", "proportional")]
    assert (banded.loc[steps, reading] == unused).all()
    assert list(banded.loc[steps, value]) == list(step.loc[steps, value]) == ["100", "0.001", "true"]
    assert list(step.loc[steps, reading]) == ["", "", _BOOL_TRUE[lang]]
    kept = ["points_loan.schedule.base_rate", "points_loan.schedule.max_discount", "points_loan.schedule.floor_rate",
            "points_loan.schedule.bands[2].discount"]
    assert (banded.loc[kept, reading] != unused).all()
    assert banded.loc["points_loan.schedule.bands[2].discount", value] == "0.004"


_BOOL_TRUE = {"zh-CN": "是", "en": "yes"}


def test_what_sets_a_key_aside():
    from calib.report._params import UNUSED, unused_by

    banded = {"points_loan": {"schedule": {"bands": [{"points": 200, "discount": 0.002}]}}}
    for block, (by, keys) in UNUSED.items():
        assert param_name(f"{block}.{by}") and all(param_name(f"{block}.{k}") for k in keys)
    assert unused_by("points_loan.schedule.proportional", banded) == "points_loan.schedule.bands"
    assert unused_by("points_loan.schedule.base_rate", banded) is None
    assert unused_by("points_loan.schedule.step_points", {"points_loan": {"schedule": {"bands": None}}}) is None
    assert unused_by("points_loan.schedule.step_points", {"consensus": {}}) is None  # a block not shown
    assert param_reading("points_loan.schedule.proportional", "true", "zh-CN", banded).startswith("未使用")
    assert param_reading("points_loan.schedule.proportional", "true", "zh-CN") == "是"


def test_a_reading_is_not_worded_again():
    """The statuses the eligibility rules exclude read 'deceased, missing, absconded' (the
    reading's own words), not the roster columns' headers 'Deceased, Missing, Absconded' that
    wording the reading again as coded values gave."""
    labels.set_lang("en")
    try:
        shown = params_table(_sample(), blocks=("eligibility",)).data
    finally:
        labels.set_lang("zh-CN")
    _, key, _, reading = shown.columns
    assert shown.set_index(key).loc["eligibility.exclude_status", reading] == "deceased, missing, absconded"
