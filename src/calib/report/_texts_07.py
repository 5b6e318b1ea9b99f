"""Catalogue texts of report 07 (monitoring over the run history)."""
from __future__ import annotations

TEXTS_07: dict[str, tuple[str, str]] = {
    "nb07.title": ("模型与授信监测：历次评估的趋势", "Monitoring: trends across evaluations"),
    "nb07.intro": (
        "本报告回答：评分卡与整村授信在历次评估中是否仍然稳定可用。报告读取运行历史（每次报告运行记录的头部指标），按评估基准日展示："
        "评分卡的区分能力（样本外 AUC、KS）、群体与特征稳定性（PSI、CSI，相对基期）、各等级校准违约概率（PD）是否偏低（与报告 04 相同的二项检验）、"
        "公议授信额度与模型额度的偏差、需核查农户数与信用村数。每个指标按参数中的监测阈值给出红黄绿灯。面向风险管理部门与审计人员。",
        "This report answers whether the scorecard and the whole-village credit programme stay sound from one evaluation "
        "to the next. It reads the run history (the headline figures every report run records) and shows, by as-of "
        "date: the scorecard's discrimination (out-of-sample AUC, KS), population and characteristic stability (PSI, "
        "CSI, against the base run), whether a grade's calibrated PD is too low (report 04's binomial test), the gap "
        "between consensus and model limits, the households to investigate and the credit villages. Each indicator gets "
        "a traffic light from the monitoring thresholds of the parameters. For the risk department and auditors."),
    "nb07.loaded": (
        "运行历史中共 {runs} 次运行，{points} 个评估基准日（其中回填 {backfilled} 个）。",
        "The run history holds {runs} {runs, plural, one {run} other {runs}} over {points} {points, plural, one {as-of date} other {as-of dates}} ({backfilled} backfilled)."),
    "nb07.points.h": ("评估基准日与数据来源", "As-of dates and where they come from"),
    "nb07.points.text": (
        "同一基准日评估多次时取最近一次运行。标为“回填”的点不是银行的实际评估：它们是样本早期的季度快照（人口信用质量逐季漂移）"
        "经同一套报告代码评估得到，仅用于演示趋势；“实际评估”为对本期数据的正式运行。",
        "With several runs for one as-of date the latest counts. Points marked backfilled are not the bank's own "
        "evaluations: they are the sample's earlier quarterly snapshots (credit quality drifting from quarter to "
        "quarter) evaluated by the same report code, shown to demonstrate the trends; evaluation runs are the formal "
        "runs on the period's data."),
    "nb07.lights.h": ("指标红黄绿灯", "Traffic lights by indicator"),
    "nb07.lights.text": (
        "每格为该基准日的指标值与灯色；列标题带 * 的基准日为回填点。相对指标（需核查农户数、信用村数）按相对基期的比值判定。"
        "PSI 为银行现行评分卡（在用的评分卡）得分分布相对基期的 PSI，CSI 为各特征分布相对基期的最大 CSI；运行未记录分布时显示该次运行自身记录的 PSI；未记录的指标显示“—”；基期本身的 PSI、CSI 与相对指标不与自身比较，标为“基期（不比较）”。",
        "Each cell is the indicator's figure at that as-of date and its light; a date headed with * is backfilled. "
        "Relative indicators (households to investigate, credit villages) are judged on their ratio to the base run. "
        "PSI is that of the bank's current card (the card in use) against the base run, CSI the largest of the "
        "characteristics' against the base run; a run that recorded no distribution shows its own recorded PSI; an "
        "indicator not recorded shows \"—\"; on the base run itself PSI, CSI and the relative indicators are not "
        "compared with themselves and read \"base run (no comparison)\"."),
    "nb07.empty": (
        "运行历史为空：尚无可比较的评估。先运行报告（或用回填命令记录样本的早期季度评估）后再看本报告。",
        "The run history is empty: there is no evaluation to compare yet. Run the reports (or backfill the sample's "
        "earlier quarterly evaluations) first."),
    "nb07.trends.h": ("趋势", "Trends"),
    "nb07.trends.text": (
        "实心点为实际评估，空心点为回填；虚线为绿灯与黄灯阈值。",
        "Filled points are evaluation runs, hollow points backfilled; dashed lines are the green and amber thresholds."),
    "nb07.grades.h": ("各等级实际违约率与预测 PD（报告 04，折外）", "Observed default rate and predicted PD by grade (report 04, out of fold)"),
    "nb07.grades.none": ("历次运行未记录分等级的违约率与 PD。", "No run recorded default rates and PDs by grade."),
    "nb07.rules.h": ("本次使用的监测阈值", "Monitoring thresholds of this run"),
    "nb07.rules.text": (
        "参数中的监测阈值；绿灯与黄灯之间为黄灯，超出黄灯为红灯。",
        "The monitoring thresholds of the parameters; between green and amber a light is amber, beyond "
        "amber red."),
    "nb07.plot.x": ("评估基准日（空心点为回填）", "as-of date (hollow: backfilled)"),
    # conclusions
    "nb07.c.history": ("可比较的评估", "Evaluations to compare"),
    "nb07.c.history_fig": ("{points} 个基准日（回填 {backfilled} 个），最近 {date}；以下各项为该基准日的数值",
                           "{points} {points, plural, one {as-of date} other {as-of dates}} ({backfilled} backfilled), latest {date}; the figures below are at that date"),
    "nb07.c.history_none": ("运行历史为空", "the run history is empty"),
    "nb07.c.history_rule": ("至少 {min_trend_points} 个基准日才能看趋势", "at least {min_trend_points} {min_trend_points, plural, one {as-of date} other {as-of dates}} to see a trend"),
    "nb07.c.is_base": ("本次即基期，尚无可比较的评估", "this run is the base: nothing to compare yet"),
    "nb07.c.relative_fig": ("{value}，为基期的 {ratio} 倍", "{value}, {ratio} times the base run"),
    "nb07.c.detail_fig": ("{value}（{detail}）", "{value} ({detail})"),
    "nb07.c.grade": ("{grade} 级", "grade {grade}"),
    "nb07.c.rule_high": ("绿灯 ≥ {green}，黄灯 ≥ {amber}（监测参数）", "green ≥ {green}, amber ≥ {amber} (monitoring parameters)"),
    "nb07.c.rule_low": ("绿灯 < {green}，黄灯 < {amber}（监测参数）", "green < {green}, amber < {amber} (monitoring parameters)"),
    "nb07.c.rule_high_rel": ("相对基期：绿灯 ≥ {green} 倍，黄灯 ≥ {amber} 倍（监测参数）", "vs base: green ≥ {green}×, amber ≥ {amber}× (monitoring parameters)"),
    "nb07.c.rule_low_rel": ("相对基期：绿灯 < {green} 倍，黄灯 < {amber} 倍（监测参数）", "vs base: green < {green}×, amber < {amber}× (monitoring parameters)"),
    "nb07.summary": (
        "最近基准日 {date}：红灯 {red} 个、黄灯 {amber} 个（共 {n} 个指标）；{worst}。",
        "Latest as-of date {date}: {red} red, {amber} amber (of {n} {n, plural, one {indicator} other {indicators}}); {worst}."),
    "nb07.summary_base_backfilled": (
        "{names}以基期 {base} 为参照，该基期是回填的生成快照（非银行的实际评估）{then}。",
        " {names} {n_names, plural, one {is} other {are}} judged against the base run of {base}, a backfilled generated snapshot (not one of the "
        "bank's evaluations){then}."),
    "nb07.summary_base_lit": ("；其中{names}的灯色应以一次实际评估为基期（参数：比较基期）重新比较后再下结论",
                              "; the lights of {names} are to be compared again with an evaluation as the base "
                              "(parameter: base run) before any conclusion"),
    "nb07.summary_red": ("红灯：{names}，需复核", "red: {names}, to be reviewed"),
    "nb07.summary_amber": ("无红灯；黄灯：{names}，需关注", "no red; amber: {names}, to watch"),
    "nb07.summary_green": ("全部指标为绿灯或未记录", "every indicator green or not recorded"),
    "nb07.summary_empty": (
        "运行历史为空，尚无趋势可监测：先运行报告或回填早期评估。",
        "The run history is empty, no trend to monitor yet: run the reports or backfill earlier evaluations first."),
}
