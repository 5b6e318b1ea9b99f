"""The parameters in the reader's words: a name for every key of ``params.yaml`` and a reading
of every coded value, for the parameter table each report ends with.

``NAMES[part] = (zh-CN, en)`` names a block or a key within its block; a dotted key is named
from its parts (``scorecard.current_weights.business_rating`` reads 评分卡 · 现行公式权重 ·
经营情况评分), parts the catalogue does not hold as parameters fall back to the label catalogue
(features, grades, monitoring indicators). ``READINGS[(leaf, value)] = (zh-CN, en)`` reads a coded
value (``reconciliation.rule: min``: 取公议额度与模型额度的较小者). :func:`param_name` and
:func:`param_reading` are tested against every key of the sample and default parameters.

The value itself is written as the run's ``params.yaml`` writes it (the file the notebooks read,
which the bundle carries and the manifest fingerprints: :meth:`calib.params.Params.plain`), not as
the pages write the same figure: ``monitoring.credit_villages.amber`` is ``0.8`` in the table,
``0.80 倍`` on report 07's thresholds table, ``grade_backtest.green`` ``0.95``, not ``95%``. The
key and value columns are the code face an auditor matches line by line with the file; a page's
form carries a unit or a scale (倍, %, 个百分点) the file does not, and every page that applies a
parameter writes it in that form from the same value. No number is read here: a reading is given
to coded values only.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from calib.pricing.schedule import STEP_FIELDS

#: Blocks and keys (a key is looked up as ``block.key`` first, then as ``key``).
NAMES: dict[str, tuple[str, str]] = {
    # the run
    "title": ("报告标题", "Report title"),
    "title_en": ("英文报告标题", "English report title"),
    "data_dir": ("数据来源（文件夹或数据库）", "Data source (folder or database)"),
    "tables": ("数据库中的表", "Database tables"),
    "schema": ("数据库模式", "Database schema"),
    "queries": ("数据库查询", "Database queries"),
    "encoding": ("CSV 文件编码（空：自动识别）", "CSV files' encoding (none: detected)"),
    "sheet": ("读取的工作表（空：含数据的全部工作表）", "Worksheets read (none: every sheet holding data)"),
    "as_of": ("基准日", "Reference date"),
    "seed": ("随机数种子", "Random seed"),
    "execution_timeout": ("每段计算的最长时间（秒）", "Longest time of one cell (seconds)"),
    "notebooks": ("本次生成的报告", "Reports of this run"),
    "notebooks_dir": ("报告模板文件夹", "Report templates folder"),
    "jobs": ("同时生成的报告数", "Reports run at once"),
    "history": ("运行历史数据库", "Run-history database"),
    "lang": ("报告语言", "Report language"),
    "page_rows": ("每页最多列示的村或乡镇数", "Villages or townships a page lists at most"),
    "keep_snapshot": ("报告包保留校验后的数据快照", "Keep the validated snapshot in the bundle"),
    "engine": ("计算引擎", "Computing engine"),
    "spark": ("Spark 集群", "Spark cluster"),
    "spark.master": ("主节点", "Master"),
    "spark.app_name": ("应用名称", "Application name"),
    "spark.conf": ("Spark 配置", "Spark configuration"),
    "spark.shuffle_partitions": ("分区数", "Shuffle partitions"),
    "spark.pooling": ("公议额度的拟合范围", "Pooling of the adjusted consensus"),
    "spark.tables": ("Spark 读取的原始表", "Raw tables Spark reads"),
    "spark.snapshot_dir": ("数据快照位置", "Snapshot location"),
    # eligibility
    "eligibility": ("授信资格", "Eligibility"),
    "eligibility.min_age": ("最低年龄（岁）", "Youngest age (years)"),
    "eligibility.max_age": ("最高年龄（岁）", "Oldest age (years)"),
    "eligibility.exclude_status": ("排除的人员状态", "Statuses excluded"),
    "eligibility.exclude_bad_record": ("排除有不良记录的人员", "Exclude people with a bad record"),
    # consensus
    "consensus": ("公议额度", "Consensus limit"),
    "consensus.method": ("计算方法", "Method"),
    "consensus.trim": ("截尾比例（截尾均值法）", "Trimmed share (trimmed mean)"),
    "consensus.grid": ("取整单位（元）", "Rounding unit (yuan)"),
    "consensus.cap": ("上限（元）", "Cap (yuan)"),
    "consensus.min_reviews": ("最少评议人数", "Fewest reviews"),
    "consensus.max_dispersion": ("评议分歧上限（超过则需重新评议）", "Largest dispersion (else re-review)"),
    "consensus.decline_rule": ("拒绝规则", "Decline rule"),
    # reconciliation
    "reconciliation": ("最终额度调解", "Reconciliation of the final limit"),
    "reconciliation.rule": ("一致时的最终额度", "Final limit when the two agree"),
    "reconciliation.blend_weight": ("加权时公议额度的权重", "Weight of the consensus in a blend"),
    "reconciliation.band_low": ("一致区间下限（模型额度 ÷ 公议额度）", "Band low (model ÷ consensus)"),
    "reconciliation.band_high": ("一致区间上限（模型额度 ÷ 公议额度）", "Band high (model ÷ consensus)"),
    "reconciliation.provisional": ("核查期间的临时额度", "Provisional limit while investigated"),
    "reconciliation.cap": ("上限（元）", "Cap (yuan)"),
    "reconciliation.grid": ("取整单位（元）", "Rounding unit (yuan)"),
    # scorecard
    "scorecard": ("评分卡", "Scorecard"),
    "scorecard.base_score": ("基准分", "Base score"),
    "scorecard.base_odds": ("基准分对应的好坏比", "Odds at the base score"),
    "scorecard.pdo": ("好坏比翻倍所需分数（PDO）", "Points to double the odds (PDO)"),
    "scorecard.max_bins": ("每个特征最多分箱数", "Most bins a characteristic"),
    "scorecard.min_bin_share": ("每箱最少占比", "Smallest bin share"),
    "scorecard.grades": ("等级（由高到低）", "Grades (best first)"),
    "scorecard.min_grade_share": ("每级最少占比", "Smallest grade share"),
    "scorecard.max_grade_share": ("每级最多占比", "Largest grade share"),
    "scorecard.reject_inference": ("拒绝推断", "Reject inference"),
    "scorecard.min_iv": ("入模特征的最低信息值", "Lowest information value to enter"),
    "scorecard.current_weights": ("现行公式权重", "Current formula's weights"),
    "scorecard.current_cutoffs": ("现行等级最低分", "Current grades' lowest score"),
    "intercept": ("截距", "Intercept"),
    "model_score": ("模型评分", "Model score"),
    "points": ("积分", "Points"),
    # points loan
    "points_loan": ("积分贷", "Points loan"),
    "points_loan.schedule": ("现行优惠方案", "Schedule in force"),
    "schedule.base_rate": ("基准利率（0 分）", "Base rate (0 points)"),
    "schedule.step_points": ("每档积分", "Points a step"),
    "schedule.step_discount": ("每档利率优惠", "Discount a step"),
    "schedule.proportional": ("按积分比例连续优惠", "Discount in proportion"),
    "schedule.max_discount": ("优惠上限", "Largest discount"),
    "schedule.floor_rate": ("最低利率", "Lowest rate"),
    "schedule.bands": ("分档优惠", "Bands"),
    "bands.points": ("积分起点", "From points"),
    "bands.discount": ("利率优惠", "Discount"),
    "points_loan.lgd": ("违约损失率 LGD", "LGD"),
    "points_loan.funding_cost": ("资金成本（年）", "Funding cost (a year)"),
    "points_loan.operating_cost": ("运营成本（年）", "Operating cost (a year)"),
    "points_loan.subsidy_budget": ("补贴预算（元/年）", "Subsidy budget (yuan a year)"),
    "points_loan.uptake_elasticity": ("用信弹性（每降息 1 个百分点）", "Uptake elasticity (per point of rate)"),
    "points_loan.band_width": ("评估表的积分档宽", "Points a band in the tables"),
    "points_loan.n_boot": ("自助法重抽样次数", "Bootstrap replicates"),
    # credit villages and townships
    "credit_village": ("信用村标准", "Credit-village rules"),
    "credit_township": ("信用乡镇标准", "Credit-township rules"),
    "a_or_better_share": ("A 级及以上占比", "A-or-better share"),
    "profiling_rate": ("建档率", "Profiling rate"),
    "credit_rate": ("建档农户授信率", "Credit rate of profiled households"),
    "npl_ratio": ("不良率（余额）", "NPL ratio (balance)"),
    "loan_share_vs_county": ("有贷款农户占比（对比全县）", "Loan share against the county"),
    "npl_vs_county": ("不良率（对比全县）", "NPL against the county"),
    "county_loan_share": ("全县有贷款农户占比（空：按全部汇总）", "County loan share (blank: pooled)"),
    "county_npl_ratio": ("全县不良率（空：按全部汇总）", "County NPL ratio (blank: pooled)"),
    "credit_village_share": ("信用村占比", "Credit-village share"),
    "op": ("比较方式", "Comparison"),
    "value": ("阈值", "Threshold"),
    # targets
    "targets": ("整村授信目标", "Programme targets"),
    "targets.credit_coverage_final": ("最终授信面目标", "Final coverage target"),
    "targets.usage_final": ("最终用信面目标", "Final usage target"),
    "targets.village_profiled_at": ("村计为已建档的建档率", "Profiling rate a village counts from"),
    "targets.milestones": ("阶段目标", "Milestone"),
    "milestones.date": ("日期", "Date"),
    "milestones.villages": ("已建档村数", "Villages profiled"),
    "milestones.credit_coverage": ("授信面", "Credit coverage"),
    "milestones.usage": ("用信面", "Usage"),
    # monitoring
    "monitoring": ("持续监测", "Monitoring"),
    "monitoring.base": ("比较基期", "Base run"),
    "green": ("绿灯阈值", "Green threshold"),
    "amber": ("黄灯阈值", "Amber threshold"),
    "higher_is_better": ("越高越好", "Higher is better"),
    "relative": ("按相对基期比值判定", "Judged on the ratio to the base run"),
}

#: Coded values: ``(leaf key, value as written) -> (zh-CN, en)``.
READINGS: dict[tuple[str, str], tuple[str, str]] = {
    ("consensus.method", "adjusted"): ("校正评议员宽严后的稳健共识", "robust consensus adjusted for reviewer leniency"),
    ("consensus.method", "median"): ("评议额度的中位数", "median of the proposals"),
    ("consensus.method", "trimmed_mean"): ("截尾均值", "trimmed mean"),
    ("consensus.method", "huber"): ("Huber 稳健均值", "Huber robust mean"),
    ("consensus.decline_rule", "majority"): ("多数评议员拒绝即拒绝", "declined when most reviewers decline"),
    ("consensus.decline_rule", "any"): ("任一评议员拒绝即拒绝", "declined when any reviewer declines"),
    ("consensus.decline_rule", "all"): ("全部评议员拒绝才拒绝", "declined when every reviewer declines"),
    ("reconciliation.rule", "min"): ("取公议额度与模型额度的较小者", "the smaller of consensus and model"),
    ("reconciliation.rule", "consensus"): ("取公议额度", "the consensus"),
    ("reconciliation.rule", "model"): ("取模型额度", "the model limit"),
    ("reconciliation.rule", "blend"): ("两者加权平均", "a weighted blend of the two"),
    ("reconciliation.provisional", "min"): ("取公议额度与模型额度的较小者", "the smaller of consensus and model"),
    ("reconciliation.provisional", "zero"): ("零（核查后再授信）", "zero (credit after the investigation)"),
    ("reconciliation.provisional", "consensus"): ("取公议额度", "the consensus"),
    ("reconciliation.provisional", "model"): ("取模型额度", "the model limit"),
    ("scorecard.reject_inference", "none"): ("不做（仅用用信农户拟合）", "none (fitted on drawers only)"),
    ("scorecard.reject_inference", "parcelling"): ("分摊法", "parcelling"),
    ("monitoring.base", "first"): ("历史中的第一次运行", "the first run of the history"),
    ("engine", "local"): ("本机", "this machine"),
    ("engine", "spark"): ("Spark 集群", "a Spark cluster"),
    ("spark.pooling", "programme"): ("全部村合并拟合（与本机相同）", "whole programme (as on one machine)"),
    ("spark.pooling", "group"): ("逐村拟合", "each village apart"),
    ("lang", "zh-CN"): ("中文", "Chinese"),
    ("lang", "en"): ("英文", "English"),
    ("exclude_status", "deceased"): ("死亡", "deceased"),
    ("exclude_status", "missing"): ("失踪", "missing"),
    ("exclude_status", "absconded"): ("外逃", "absconded"),
}

#: Keys a block holds but does not apply, and what sets them aside: ``block -> (key, keys)``, the
#: ``keys`` unused when ``key`` is set (not null). A banded schedule's bands replace the step, its
#: size and proportionality (:class:`calib.pricing.Schedule`); its cap and floor still apply.
UNUSED: dict[str, tuple[str, tuple[str, ...]]] = {
    "points_loan.schedule": ("bands", STEP_FIELDS),
}
#: The reading of an unused key: ``{by}`` is the name of what sets it aside (:data:`NAMES`).
_UNUSED_WORDS = ("未使用：按“{by}”定价", "not used: priced by “{by}”")

_BOOL = {"true": ("是", "yes"), "false": ("否", "no")}
_INDEX = re.compile(r"^(\w+)\[(\d+)\]$")
#: Blocks whose keys are the user's own: grades and characteristics (named when the catalogue
#: knows them), Spark keys and table names (always as written).
_FREE_KEYS = ("current_cutoffs", "current_weights", "conf", "tables", "queries")


def _lookup(key: str) -> tuple[str, str] | None:
    from calib.report._terms import TERMS, VALUES

    if key in NAMES:
        return NAMES[key]
    leaf = key.rsplit(".", 1)[-1]
    for entry in (NAMES.get(leaf), TERMS.get("mon." + leaf), VALUES.get(leaf), TERMS.get(leaf)):
        if entry is not None:
            return entry
    return None


def _parts(key: str) -> list[tuple[str, int | None]]:
    out = []
    for part in key.split("."):
        m = _INDEX.match(part)
        out.append((m.group(1), int(m.group(2))) if m else (part, None))
    return out


def param_name(key: str, lang: str = "zh-CN") -> str | None:
    """The reader's name of a flattened parameter key (``scorecard.min_iv``,
    ``targets.milestones[2].usage``), its parts joined by " · "; None when a part has no name.

    Each part is named in its context first (``consensus.cap`` and ``reconciliation.cap`` differ
    from a bare ``cap``), then alone; a part that is a grade (``current_cutoffs.AAA``) is its own
    name; a list item carries its number (阶段目标 2).
    """
    i = 0 if lang == "zh-CN" else 1
    words, prev = [], None
    parts = _parts(key)
    for n, (name, index) in enumerate(parts):
        ctx = f"{prev}.{name}" if prev else name
        entry = None if prev in _FREE_KEYS[2:] else NAMES.get(ctx) or _lookup(ctx if prev else name)
        if entry is None:
            if prev in _FREE_KEYS:   # a grade, a characteristic, a Spark key, a table: as written
                words.append(".".join(p for p, _ in parts[n:]))
                break
            return None
        words.append(entry[i] + (f" {index}" if index is not None else ""))
        prev = name
    return " · ".join(words)


def unused_by(key: str, plain: Mapping[str, Any]) -> str | None:
    """What sets ``key`` aside in the parameters ``plain`` (:data:`UNUSED`): the flattened key
    whose value replaces it (``points_loan.schedule.bands`` for a banded schedule's
    ``step_points``), None when ``key`` applies.

    Parameters
    ----------
    key : str
        A flattened key (``points_loan.schedule.step_points``).
    plain : mapping
        The parameters as ``params.yaml`` holds them (:meth:`calib.params.Params.plain`).

    Returns
    -------
    str or None

    Examples
    --------
    >>> banded = {"points_loan": {"schedule": {"bands": [{"points": 200, "discount": 0.002}]}}}
    >>> unused_by("points_loan.schedule.step_points", banded)
    'points_loan.schedule.bands'
    >>> unused_by("points_loan.schedule.step_points", {"points_loan": {"schedule": {"bands": None}}})
    """
    block, _, leaf = key.rpartition(".")
    if block not in UNUSED or leaf not in UNUSED[block][1]:
        return None
    node: Any = plain
    for part in block.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    by = UNUSED[block][0]
    return f"{block}.{by}" if isinstance(node, Mapping) and node.get(by) is not None else None


def param_reading(key: str, value: str, lang: str = "zh-CN", plain: Mapping[str, Any] | None = None) -> str:
    """How to read a coded value of ``key`` (as :func:`calib.report.display.params_table`
    writes it): a method or rule in words, a comparison, yes/no; ``""`` when the value reads
    as itself (a number, a date, a name).

    Parameters
    ----------
    key : str
        A flattened key (``reconciliation.rule``).
    value : str
        Its value as the table writes it.
    lang : str
        ``zh-CN`` or ``en``.
    plain : mapping, optional
        The whole parameters: a key they set aside (:func:`unused_by`: a banded schedule's step
        keys) reads as unused, whatever its value.

    Returns
    -------
    str
    """
    i = 0 if lang == "zh-CN" else 1
    by = unused_by(key, plain) if plain is not None else None
    if by is not None:
        return _UNUSED_WORDS[i].format(by=_lookup(".".join(by.split(".")[-2:]))[i])  # its name in the table
    parts = key.split(".")
    for ctx in (".".join(parts[-2:]), parts[-1]):
        entry = READINGS.get((ctx, value))
        if entry is not None:
            return entry[i]
    if parts[-1] == "op":  # a rule's operator as the rules read (calib.report.words: their one home)
        from calib.report.words import op_words

        try:
            return op_words(value, "zh-CN" if i == 0 else "en")[0]
        except KeyError:  # not a comparison ("yes": a qualitative criterion)
            pass
    if value in _BOOL:
        return _BOOL[value][i]
    if parts[-1] == "notebooks" and value:  # the reports by their titles, not their file names
        from calib.report.labels import has, t

        titles = []
        for v in (v.strip() for v in value.split(",")):
            m = re.match(r"(\d+)_", v)
            titles.append(t(f"nb{m.group(1)}.title", lang) if m and has(f"nb{m.group(1)}.title") else v)
        return ("、" if i == 0 else "; ").join(titles)
    if "," in value:
        items = [v.strip() for v in value.split(",")]
        read = [READINGS.get((parts[-1], v)) for v in items]
        if all(read):
            return ("、" if i == 0 else ", ").join(r[i] for r in read)
    return ""
