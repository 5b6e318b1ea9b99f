"""Catalogue texts of report 06 (credit villages, townships and targets)."""
from __future__ import annotations

TEXTS_06: dict[str, tuple[str, str]] = {
    "nb06.title": ("信用村、信用乡镇与整村授信目标", "Credit villages, credit townships and programme targets"),
    "nb06.intro": (
        "本报告回答：哪些村、哪些乡镇达到信用村（信用乡镇）标准，其他村还差什么，整村授信离授信面与用信面目标还有多远。"
        "信用村标准：A 级及以上农户占比、“952”标准（建档率、建档农户授信率、不良率）、有贷款农户占比与不良率对比全县，以及定性标准（村集体财务、治理、无重大纠纷）。"
        "信用乡镇：信用村占比与不良率对比全县平均。各条阈值取自本次参数，见“信用村认定”与方法附录。读者为整村授信办公室与审计人员。",
        "This report answers which villages and townships qualify as credit villages (townships), what each of the "
        "others lacks, and how far the programme is from its coverage and usage targets. Credit-village rules: "
        "A-or-better share, the \"952\" standard (profiling, credit rate of profiled households, NPL), loan share and NPL against the "
        "county, and the qualitative criteria. Credit township: share of credit villages and NPL against the county. Every threshold is this run's, in the section Credit-village verdicts and the methods appendix."),
    "nb06.final.h": ("最终额度与等级", "Final limits and grades"),
    "nb06.final.text": (
        "农户合格、已建档（评议小组已评议**且**模型已跑批）且**最终额度**大于 0 时计为“已授信”。最终额度是调解后的额度："
        "公议额度与模型额度按调解政策确定（与报告 03 相同）。“A 级及以上”使用每户**最新一次模型跑批等级**；"
        "报告 04 的校准等级占比口径不同（见报告 04）。",
        "A household is credited when it is eligible, profiled (reviewed **and** model-run) and its **final limit** "
        "is above zero; the final limit is the reconciled one (as in report 03). \"A or better\" uses each "
        "household's **latest model-run grade**; report 04's calibrated-grade share is a different definition (see report 04)."),
    "nb06.final.summary": ("评议或跑批的 {n} 户中，最终额度大于 0 的 {positive} 户。", "{positive} of the {n} reviewed or model-run {n, plural, one {household} other {households}} {positive, plural, one {has} other {have}} a final limit above 0."),
    "nb06.figures.h": ("按村、乡镇与全部的指标", "Figures by village, township and programme"),
    "nb06.figures.text": (
        "每村一行，各乡镇汇总行在其村之后，全部在最后。本表按户计（信用村标准的口径）：授信面（按户）= 已授信农户 / 合格农户；"
        "用信面（按户）= 有用信的已授信农户 / 已授信农户；建档率 = 已建档农户 / 合格农户；建档农户授信率 = 已授信农户 / 已建档农户；"
        "不良率 = 违约用信余额 / 用信余额（及按笔数）；A 级及以上占比与有贷款农户占比以全部农户（含不合格农户）为分母。"
        "按人数计的授信面与用信面（整村授信目标的口径）见“整村授信目标”一节。乡镇与全部的比率由计数汇总计算，不是村比率的平均。",
        "One row per village, each township after its villages, the programme last. This table counts households "
        "(the basis of the credit-village rules): coverage (households) = credited / eligible households, usage "
        "(households) = drawing credited / credited households, profiling rate = profiled / eligible households, credit "
        "rate of profiled households = credited / profiled households, NPL = defaulted drawn balance / drawn balance "
        "(and by count); A-or-better and loan share are shares of all households (eligible or not). Coverage and usage "
        "in persons (the basis of the programme targets) are in the section Programme targets. Township and programme "
        "rates are pooled from the counts, not averages of village rates."),
    "nb06.missing_total_row": ("乡镇汇总行与全部汇总行不属于某一个村（乡镇）", "township and programme total rows belong to no single village (township)"),
    "nb06.rules.h": ("信用村认定", "Credit-village verdicts"),
    "nb06.rules.text": (
        "本次运行的标准（参数表“信用村标准”）。“全县”数字除参数另有规定外为全部汇总。每条标准按整数计数精确判定（恰好等于阈值时，“>”“<” 判未通过，“≥”“≤” 判通过）；"
        "没有数据的标准判为未通过。定性标准来自村级评估表；空白为“未评估”，不算通过。",
        "The rules of this run (parameter table: Credit-village rules). County figures are the whole programme pooled unless the parameters "
        "fix them. Each rule is decided exactly on the integer counts; a criterion without data fails. Qualitative "
        "criteria come from the village assessments; a blank is not assessed and never a pass."),
    "nb06.missing_threshold": ("对比全县数字，或为定性标准（是/否）", "compared with the county figure, or a yes/no criterion"),
    "nb06.grid.text": (
        "村 × 标准：每格为结论与该村数值，绿色通过，红色未通过，橙色无数据，灰色未评估；表头为标准。全部标准通过才认定为信用村。",
        "Village by criterion: each cell the verdict and the village's figure; green pass, red fail, orange no data, "
        "grey not assessed; the headings carry the rule. A village is a credit village only when every criterion passes."),
    "nb06.townships.h": ("信用乡镇认定", "Credit-township verdicts"),
    "nb06.townships.text": (
        "乡镇的信用村占比 {township_share} 且不良率（余额）{township_npl_vs_county}时，认定为信用乡镇（参数表“信用乡镇标准”）。"
        "`credit_villages.xlsx` 的“信用乡镇认定”表另有两列：“有未评估标准的村数”计有任一定性标准未评估的村（各乡镇合计即结论中的“有未评估标准的村”），"
        "“仅待定性评估的村数（其余标准均通过）”只计除未评估的定性标准外全部通过、评估后即可认定的村。",
        "A township qualifies when its credit villages are {township_share} of its villages and its NPL ratio (by balance) is "
        "{township_npl_vs_county} (parameter table: Credit-township rules). The sheet Credit-township verdicts of "
        "`credit_villages.xlsx` has two more columns: villages with a criterion not assessed (any qualitative one; "
        "their sum over townships is the conclusions' count), and villages awaiting only the assessment (every "
        "other criterion passes)."),
    "nb06.nearest.h": ("未认定村欠缺项", "What villages lack"),
    "nb06.nearest.text": (
        "未认定的村，按欠缺标准数从少到多排列；欠缺项数相同时，无数据或定性标准未通过的项少者在前，再按未通过的数值标准与门槛之差从小到大。"
        "“欠缺”给出在其他计数不变时满足每条未通过标准的最小变化：增加已建档、已授信或有贷款的农户（户），或需收回的违约余额（元；收回同时降低违约余额与总余额）。"
        "未评估的定性标准需要村级评估，而不是数字。每个未认定的村一行，同见 `credit_villages.xlsx`：其“未认定村欠缺项”表按单位分列，"
        "“所需变化（户）”为需增加的户数，“需收回的违约余额（元）”为元，与上述文字一致。",
        "Villages not certified, fewest missing criteria first; among equals, fewer criteria without data or "
        "qualitative first, then the smaller distance of the failed figures to their thresholds. Lacks states the "
        "smallest change that meets each failed criterion with the other counts fixed: more profiled, credited or "
        "borrowing households (households), or the defaulted balance to recover (yuan). Criteria not assessed need the "
        "village assessment. One row per village not certified, also in `credit_villages.xlsx`, whose sheet What "
        "villages lack gives each change in its unit: \"change needed (households)\" in households, \"defaulted "
        "balance to recover (yuan)\" in yuan, as the words here."),
    "noun.a_or_better": ("A 级及以上农户", "{n, plural, one {household rated A or better} other {households rated A or better}}"),
    "noun.profiled": ("已建档农户", "{n, plural, one {profiled household} other {profiled households}}"),
    "noun.credited": ("已授信农户", "{n, plural, one {credited household} other {credited households}}"),
    "noun.with_loan": ("有贷款农户", "{n, plural, one {household with a loan} other {households with a loan}}"),
    # the profiling and credit-rate changes of verdicts made on kpis in persons
    "noun.profiled_persons": ("已建档农户中的合格人员", "{n, plural, one {eligible person in profiled households} other {eligible persons in profiled households}}"),
    "noun.credited_persons": ("已授信农户中的合格人员", "{n, plural, one {eligible person in credited households} other {eligible persons in credited households}}"),
    "lack.more": ("需增加 {n} 户{noun}", "{n} more {noun}"),
    "lack.fewer": ("需减少 {n} 户{noun}", "{n} fewer {noun}"),
    "lack.more_persons": ("需增加 {n} 名{noun}", "{n} more {noun}"),
    "lack.fewer_persons": ("需减少 {n} 名{noun}", "{n} fewer {noun}"),
    "lack.npl_ratio": ("不良率：需收回违约余额 {amount} 元", "NPL: recover {amount} yuan of defaulted balance"),
    # {rule}: the county-relative rule in words (calib.report.words.rule_words: 低于全县)
    "lack.npl_vs_county": ("不良率{rule}：需收回违约余额 {amount} 元", "NPL {rule}: recover {amount} yuan of defaulted balance"),
    "rule.county": ("全县", "the county's"),
    "nb06.targets.h": ("整村授信目标", "Programme targets"),
    "nb06.targets.text": (
        "授信面与用信面目标按**人数**计：授信面（按人数）= 已授信农户中的合格人数 / 合格人数；用信面（按人数）= 有用信农户中的合格人数 / 已授信农户中的合格人数。"
        "参数中的 {n} 个里程碑（{first} 至 {last}）中 {before} 个早于本次基准日 {as_of}；各项数字只在基准日测量一次，不在里程碑日期测量。"
        "因此下表把**当前**数字（基准日）与各里程碑及最终目标比较：“已达成/未达成”说明当前是否已达到该步，而不是当时是否按期达到。",
        "The targets are in **persons**: coverage (persons) = eligible persons in credited households / eligible "
        "persons, usage (persons) = eligible persons in drawing households / in credited households. Of the {n} {n, plural, one {milestone} other {milestones}} in the parameters "
        "({first} to {last}), {before} {before, plural, one {lies} other {lie}} before this run's reference date {as_of}; the figures are measured once, "
        "at the reference date, not at the milestone dates: the table compares the **current** figures with every "
        "milestone and the final targets (met / not met today, not whether it was on time)."),
    "nb06.missing_village_target": ("该里程碑没有规定建档村数", "no profiled-village target at this milestone"),
    "nb06.full_list": ("本页“未认定村欠缺项”一节与 credit_villages.xlsx 的同名表", "the section What villages lack and the sheet of that name in credit_villages.xlsx"),
    "nb06.missing_coverage_target": ("该里程碑没有规定授信面目标", "no credit-coverage target at this milestone"),
    "nb06.missing_usage_target": ("该里程碑没有规定用信面目标", "no usage target at this milestone"),
    # the final row of the targets table is not a milestone: its "—" said so
    "nb06.missing_final_village_target": ("最终目标不规定建档村数", "the final targets set no profiled-village count"),
    "nb06.missing_final_coverage_target": ("参数未设定最终授信面目标", "no final credit-coverage target in the parameters"),
    "nb06.missing_final_usage_target": ("参数未设定最终用信面目标", "no final usage target in the parameters"),
    "nb06.missing_target_met": ("参数未设定该最终目标，或该行没有数据", "no such final target in the parameters, or no figure in this row"),
    "nb06.targets.villages": (
        "按人数计建档率（已建档农户中的合格人数 / 合格人数）{meets} 的村（建档村，目标考核口径）{profiled} 个，共 {villages} 个村；"
        "按户计（合格农户建档率，信用村标准与报告 01 的口径）为 {by_households} 个。",
        "Villages whose profiling rate in persons (eligible persons in profiled households / eligible persons) is "
        "{meets} (profiled villages, the targets' basis): {profiled} of {villages}; counted in households (the "
        "profiling rate of eligible households, the basis of the credit-village rule and of report 01): "
        "{by_households}."),
    "nb06.targets.chart": (
        "下图画出参数的目标路径（里程碑之间以直线相连）与基准日 {as_of} 实测的授信面、用信面（按人数），实测各只有一个点："
        "数据中没有各里程碑日期的测量，图中不画过去的实测。",
        "The chart draws the parameters' target path (milestones joined by straight lines) and the coverage and "
        "usage measured at the reference date {as_of} (persons), one point each: the data hold no measurement at "
        "the milestone dates, so no past figures are drawn."),
    "nb06.plot.targets_title": ("授信面与用信面：目标路径与基准日实测{unit}", "Coverage and usage: target path and the reference-date figures{unit}"),
    "nb06.plot.targets_path_title": ("授信面与用信面：目标路径与实测路径{unit}", "Coverage and usage: target path and the measured path{unit}"),
    "nb06.plot.date": ("日期", "date"),
    "nb06.plot.share": ("占比", "share"),
    "nb06.plot.coverage_target": ("授信面目标", "coverage target"),
    "nb06.plot.usage_target": ("用信面目标", "usage target"),
    "nb06.plot.coverage_measured": ("授信面实测（基准日）", "coverage measured (reference date)"),
    "nb06.plot.usage_measured": ("用信面实测（基准日）", "usage measured (reference date)"),
    "nb06.plot.coverage_path": ("授信面实测", "coverage measured"),
    "nb06.plot.usage_path": ("用信面实测", "usage measured"),
    "nb06.plot.verdicts_title": ("信用村标准：绿色通过，红色未通过，橙色无数据，灰色未评估",
                                 "Credit-village criteria: green pass, red fail, orange no data, grey not assessed"),
    "nb06.towns.text": (
        "按乡镇的授信面与用信面（按人数），与最终目标比较。授信与用信按户发生：“已授信农户中的合格人数”是已授信农户户内的合格人数，"
        "“有用信农户中的合格人数”是有用信农户户内的合格人数，都不是获得授信或用信的人数：",
        "Coverage and usage by township in persons, against the final targets. Credit is granted and drawn per "
        "household: the columns count the eligible persons living in credited and in drawing households, not "
        "persons granted credit or drawing:"),
    "nb06.check": (
        "信用村 {cv} / {n} 个，信用乡镇 {ct} 个；授信面（按人数）{coverage_p}，用信面（按人数）{usage_p}；"
        "授信面（按户）{coverage}，用信面（按户）{usage}；不良率 {npl}，有未评估标准的村 {na} 个；目标：{targets}",
        "credit villages {cv} of {n}, credit townships {ct}; coverage (persons) {coverage_p}, usage (persons) "
        "{usage_p}; coverage (households) {coverage}, usage (households) {usage}; NPL {npl}, not assessed {na}; "
        "targets: {targets}"),
    "final": ("最终目标", "final"),
    "nb06.output.h": ("附表", "Side output"),
    "nb06.output.text": (
        "`credit_villages.xlsx`：指标、村与乡镇认定结论及各村欠缺项，供整村授信办公室使用，不含个人信息。",
        "`credit_villages.xlsx`: figures, verdicts (village and township) and what each village lacks, for the "
        "programme office. It holds no personal data."),
    "nb06.c.villages": ("认定的信用村", "Credit villages certified"),
    "nb06.c.villages_fig": ("{cv} / {n} 个村（{share}）", "{cv} of {n} {n, plural, one {village} other {villages}} ({share})"),
    "nb06.c.villages_rule": ("全部信用村标准通过（A 级及以上 {a_share}、“952”、对比全县、定性标准）", "every credit-village criterion passes (A or better {a_share}, \"952\", county, qualitative)"),
    "nb06.c.townships": ("认定的信用乡镇", "Credit townships certified"),
    "nb06.c.townships_fig": ("{ct} / {n} 个乡镇", "{ct} of {n} {n, plural, one {township} other {townships}}"),
    "nb06.c.townships_rule": ("信用村占比 {township_share} 且不良率{township_npl_vs_county}",
                              "credit villages {township_share} and NPL {township_npl_vs_county}"),
    "nb06.c.lacking": ("未认定村还差什么", "What the other villages lack"),
    "nb06.c.lacking_fig": ("未认定的 {n} 个村中 {one} 个只差一项（{listed}）；{na} 个村有未评估的定性标准",
                           "{one} of the {n} {n, plural, one {village} other {villages}} not certified {one, plural, one {lacks} other {lack}} one criterion only ({listed}); {na} {na, plural, one {village has} other {villages have}} a criterion not assessed"),
    "nb06.c.listed_all": ("逐村列于下", "each listed below"),
    "nb06.c.listed_first": ("最接近认定的 {k} 个列于下", "the {k} nearest listed below"),
    "nb06.c.lacking_rule": ("见“未认定村欠缺项”与 credit_villages.xlsx", "see What villages lack and credit_villages.xlsx"),
    "nb06.c.coverage": ("授信面（按人数）", "Credit coverage (persons)"),
    "nb06.c.usage": ("用信面（按人数）", "Usage (persons)"),
    "nb06.c.target_rule": ("{rule}（最终目标）", "{rule} (final target)"),
    "nb06.c.target_not_set": ("参数未设定最终目标，不作比较", "no final target in the parameters: nothing compared"),
    "nb06.c.npl": ("全部不良率（余额）", "Programme NPL ratio (balance)"),
    "nb06.c.npl_rule": ("{npl}（信用村“952”标准）", "{npl} (credit-village \"952\" standard)"),
    # the lines of calib.villages.conclusions (each township, the milestones, the count
    # reconciliations, each village not certified); the report states the others in its own
    "nb06.line.standard": ("全部标准（信用村标准）", "every criterion (credit-village standard)"),
    "nb06.line.lacks": ("{status}：{lack}", "{status}: {lack}"),
    "nb06.line.villages": ("信用村认定", "Credit villages"),
    "nb06.line.villages_fig": ("{k} / {n} 个村（{share}）", "{k} of {n} ({share})"),
    "nb06.line.villages_verdict": ("认定 {k} 个，未认定 {not_k} 个（其中待评估 {pend} 个）",
                                   "{k} certified, {not_k} not ({pend} pending assessment)"),
    "nb06.line.township": ("信用乡镇：{tw}", "Credit township {tw}"),
    "nb06.line.township_fig": ("信用村 {n} / {of} 个（{share}），不良率 {npl}", "credit villages {n} of {of} ({share}); NPL {npl}"),
    # {share_rule}, {npl_rule}: the township rules in words (calib.report.words.rule_words)
    "nb06.line.township_rule": ("信用村占比 {share_rule}；不良率{npl_rule} {county}",
                                "credit villages {share_rule}; NPL {npl_rule} {county}"),
    "nb06.line.more_villages": ("还需 {k} 个信用村", "{k} more {k, plural, one {credit village} other {credit villages}}"),
    "nb06.line.npl_fails": ("不良率{fails}", "NPL {fails}"),
    "nb06.line.targets": ("授信面与用信面目标（最终）", "Programme targets (final)"),
    "nb06.line.targets_fig": ("授信面{unit}{coverage}，用信面{unit}{usage}", "coverage{unit} {coverage}, usage{unit} {usage}"),
    "nb06.line.targets_rule": ("授信面 {coverage}，用信面 {usage}", "coverage {coverage}, usage {usage}"),
    "nb06.line.unit_person": ("（按人数）", " (persons)"),
    "nb06.line.unit_household": ("（按户）", " (households)"),
    "nb06.line.coverage": ("授信面", "coverage"),
    "nb06.line.usage": ("用信面", "usage"),
    "nb06.line.short": ("{what} {x} < {target}", "{what} {x} < {target}"),
    "nb06.line.short_no_data": ("{what}：无数据", "{what}: no data"),
    "nb06.line.milestones": ("阶段性目标（里程碑）", "Programme milestones"),
    "nb06.line.milestones_fig": ("{n} 个里程碑中 {when}", "{n} {n, plural, one {milestone} other {milestones}}: {when}"),
    "nb06.line.milestones_early": ("{k} 个早于本次基准日", "{k} before the reference date"),
    "nb06.line.milestones_late": ("{k} 个晚于本次基准日", "{k} after it"),
    "nb06.line.milestones_rule": ("按日期的阶段目标", "dated milestones"),
    "nb06.line.milestones_verdict": ("各项数字只在基准日测量：无法按期考核，仅与当前数字对照",
                                     "the figures are measured at the reference date only: not judged on time, "
                                     "compared with the current figures"),
    "nb06.line.white_list": ("白名单与合格农户", "White list and eligible households"),
    "nb06.line.white_list_fig": ("白名单 {w} 户；合格农户 {e} 户", "white list {w} {w, plural, one {household} other {households}}; eligible {e} {e, plural, one {household} other {households}}"),
    "nb06.line.profiled": ("建档村口径", "Profiled villages"),
    "nb06.line.white_list_why": (
        "白名单 {w} 户，合格农户（户内至少一名合格人员：年龄符合且未被排除）{e} 户：白名单中 {ne} 户户内无合格成员"
        "（评议小组评议全村农户，资格按花名册判定），合格农户中 {nr} 户未经评议、{nw} 户经评议未入白名单"
        "（{e} − {nr} − {nw} + {ne} = {w}）。",
        "The white list holds {w} {w, plural, one {household} other {households}} and {e} {e, plural, one {is} other {are}} eligible: {ne} white-listed {ne, plural, one {household has} other {households have}} no eligible "
        "member (the panel reviews every household; eligibility is a roster rule), {nr} eligible {nr, plural, one {household was} other {households were}} "
        "not reviewed and {nw} reviewed {nw, plural, one {was} other {were}} not white-listed ({e} - {nr} - {nw} + {ne} = {w})."),
    "nb06.line.profiled_why": ("{n} 个行政村中，按合格农户数计建档率达标（信用村口径）的为 {h} 个{tail}。",
                               "Of {n} {n, plural, one {village} other {villages}}, {h} {h, plural, one {is} other {are}} profiled when a village's profiling rate counts eligible "
                               "households (the credit-village rule){tail}."),
    "nb06.line.profiled_why_persons": ("；按合格人数计（目标考核口径）为 {p} 个",
                                       ", {p} when it counts eligible persons (the unit of the programme targets)"),
    "nb06.line.profiled_by_households": ("按户 {n} 个", "households {n}"),
    "nb06.line.profiled_by_persons": ("按人数 {n} 个", "persons {n}"),
    "nb06.line.village": ("信用村：{tw} {v}", "Credit village {tw} / {v}"),
    "nb06.line.village_fig": ("{n} 项未达标", "{n} {n, plural, one {criterion} other {criteria}} not met"),
    "nb06.line.village_more": ("其余未认定村（{n} 个）", "Other villages not certified ({n})"),
    "nb06.line.village_more_fig": ("{n} 个", "{n}"),
    "nb06.line.village_more_where": ("各村欠缺项见{where}", "what each lacks: see {where}"),
    "nb06.line.village_more_list": ("各村欠缺项见完整清单", "what each lacks: the full list"),
    "nb06.summary": (
        "认定信用村 {cv} / {n} 个、信用乡镇 {ct} / {nt} 个；授信面（按人数）{coverage}、用信面（按人数）{usage}。",
        "{cv} of {n} {n, plural, one {village} other {villages}} and {ct} of {nt} {nt, plural, one {township} other {townships}} certified; coverage (persons) {coverage}, usage (persons) {usage}."),
}
