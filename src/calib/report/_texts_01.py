"""Catalogue texts of report 01 (data quality and eligibility)."""
from __future__ import annotations

TEXTS_01: dict[str, tuple[str, str]] = {
    "nb01.title": ("数据质量与授信资格", "Data quality and eligibility"),
    "nb01.intro": (
        "本报告回答：本期整村授信数据能否使用。内容包括各文件读入的数据、被隔离的行及原因，以及各村合格农户的建档进度"
        "（整村授信第 1 步“数据导入”与第 3 步“入户建档”）。\n\n"
        "每一行读入的数据要么被接受，要么带着原因被隔离，不会无声丢弃。身份证号、姓名、电话、地址在本报告中一律脱敏显示。",
        "This report answers whether this period's whole-village credit data are fit to use: what each file "
        "held, which rows were set aside and why, and how far profiling has reached the eligible households of "
        "each village (steps 1, data import, and 3, home visit and profile).\n\n"
        "Every row read is either accepted or quarantined with a reason: nothing is dropped silently. ID "
        "numbers, names, phones and addresses are masked everywhere in this report."),
    "nb01.loaded.h": ("读入情况", "What was loaded"),
    "nb01.loaded.text": (
        "每张表读入的行数、接受的行数与隔离的行数。每张表都必须满足“读入 = 接受 + 隔离”。",
        "For each table: rows read, accepted and quarantined. Every table must balance: read = accepted + quarantined."),
    "nb01.check.balance": (
        "读入 {read} 行 = 接受 {accepted} 行 + 隔离 {quarantined} 行：{verdict}",
        "rows read {read} = accepted {accepted} + quarantined {quarantined}: {verdict}"),
    "nb01.check.ignored_none": ("各文件的列都在数据约定之内，没有未读入的列。",
                                "Every column of every file is in the data contract: none was left unread."),
    "nb01.check.ignored": (
        "有 {n} 列不在数据约定之内，未读入，任何数字都不用它们：{lists}。若其中有约定的字段（表头写法不同），请按数据约定改表头后重新读入。",
        "{n} {n, plural, one {column is} other {columns are}} not in the data contract and "
        "{n, plural, one {was} other {were}} not read (no figure uses them): {lists}. If one is a contract "
        "column under another header, rename it as the contract does and load again."),
    "nb01.quarantine.h": ("隔离的行", "Quarantine"),
    "nb01.quarantine.text": (
        "按表与原因汇总的问题。一行有两个问题时，在“行数”中计一次，在“问题数”中计两次。完整清单（已脱敏）写入报告包的 "
        "`quarantine.xlsx`（中文），供村级录入员从源头更正；`quarantine.csv` 是同一清单的数据契约格式（列名与原因为英文代码，供程序读取）。",
        "Problems by table and reason. A row with two problems counts once in rows and twice in problems. The "
        "full list, masked, is written to `quarantine.xlsx` in the report bundle for the village clerks to correct "
        "at source; `quarantine.csv` is the same list in the data contract's format (code names, for programs)."),
    "nb01.coverage.h": ("各村授信资格与建档", "Eligibility and profiling by village"),
    "nb01.coverage.text": (
        "年龄在参数规定范围内（按基准日计算）且未被排除（按参数：{excluded}）的人为合格人员；户内至少有一名合格人员的农户为合格农户。"
        "评议小组已评议且模型已跑批的农户为“已建档”。信用村“952”标准要求合格农户建档率{meets}（来源：信用村评定办法）。"
        "表中已评议、已跑批与已建档均只计合格农户，逐列递减（评议小组也评议不合格的农户，这些农户不计入）。"
        "本报告的建档率与建档率达标的村均按户计（合格农户）；报告 06 的整村授信目标另按合格人数计建档村，两种口径的村数可以不同（见报告 06“建档村口径”）。",
        "A person is eligible when aged within the parameters' bounds at the reference date and not excluded "
        "(as the parameters say: {excluded}); a household is eligible when at least one member is. "
        "A household is profiled when the panel reviewed it and the model scored it. The credit-village "
        "\"952\" standard asks for profiling of {meets} of eligible households. The table's reviewed, "
        "model-run and profiled columns count eligible households only, each within the one before (the "
        "panel also reviews households that are not eligible; those are not counted). Profiling rates and the "
        "villages meeting the rule are counted in households here; report 06's programme targets also count "
        "profiled villages in eligible persons, and the two counts of villages can differ (see report 06, "
        "profiled villages)."),
    "nb01.coverage.summary": (
        "共 {villages} 个村、{households} 户，其中合格农户 {eligible} 户，已建档 {profiled} 户（建档率 {rate}）；"
        "按户计建档率{fails} 的村 {below} 个。各村明细写入 `coverage_by_village.xlsx`。",
        "{villages} {villages, plural, one {village} other {villages}}, {households} {households, plural, one {household} other {households}}, {eligible} eligible, {profiled} profiled ({rate}); "
        "{below} {below, plural, one {village} other {villages}} {fails} in households. The figures of every village are in `coverage_by_village.xlsx`."),
    "nb01.check.coverage": (
        "{villages} 个村，{households} 户，合格 {eligible} 户，已建档 {profiled} 户（{rate}），按户计建档率{fails} 的村 {below} 个",
        "{villages} {villages, plural, one {village} other {villages}}, {households} {households, plural, one {household} other {households}}, {eligible} eligible, {profiled} profiled ({rate}), "
        "{below} {below, plural, one {village} other {villages}} {fails} in households"),
    "nb01.plot.rule90": ("{pct} 建档标准", "{pct} profiling rule"),
    "nb01.plot.profiling_title": ("各村建档率分布（标注建档率最低的三个村）", "Profiling rate by village (the three lowest named)"),
    "nb01.plot.profiling_x": ("建档率（已建档 / 合格农户，%）", "profiled / eligible households (%)"),
    "nb01.plot.villages_y": ("村数", "villages"),
    "nb01.plot.age_title": ("登记人员年龄分布（虚线：年龄资格范围）", "Age of registered people (dashed: eligible ages)"),
    "nb01.plot.age_x": ("基准日年龄（岁）", "age at the reference date (years)"),
    "nb01.plot.people_y": ("人数", "people"),
    "nb01.exclusions.h": ("排除原因", "Exclusions"),
    "nb01.exclusions.text": (
        "按原因统计被排除的人数（一人可有多个原因），以及排除人数最多的村。",
        "People excluded, by reason (a person may have several), and the villages with the most exclusions."),
    "nb01.c.balance": ("各表行数是否平衡（不丢行）", "Every table balanced (no row lost)"),
    "nb01.c.balance_fig": ("读入 {read} = 接受 {accepted} + 隔离 {quarantined}",
                           "read {read} = accepted {accepted} + quarantined {quarantined}"),
    "nb01.c.balance_rule": ("读入 = 接受 + 隔离（数据契约，见方法附录）",
                            "read = accepted + quarantined (data contract, see the methods appendix)"),
    "nb01.c.quarantine": ("隔离行占比", "Share of rows quarantined"),
    "nb01.c.quarantine_rule": ("≤ {quarantine_max}（本报告的可用性门槛）", "≤ {quarantine_max} (this report's fitness threshold)"),
    "nb01.c.profiling": ("合格农户建档率", "Profiling rate of eligible households"),
    "nb01.c.profiling_rule": ("{rule}（信用村“952”标准第一款）", "{rule} (credit-village \"952\" standard, first clause)"),
    "nb01.c.villages_below": ("按户计建档率{fails} 的村", "Villages {fails} profiling (households)"),
    "nb01.c.villages_below_fig": ("{below} / {villages} 个村", "{below} of {villages} {villages, plural, one {village} other {villages}}"),
    "nb01.summary_fit": (
        "数据可用：各表行数平衡，隔离 {quarantined} 行（{share}）；按户计，建档率 {rate}，{below} 个村{fails}。",
        "Data fit to use: every table balanced, {quarantined} {quarantined, plural, one {row} other {rows}} quarantined ({share}); in households, "
        "profiling {rate}, {below} {below, plural, one {village} other {villages}} {fails}."),
    "nb01.summary_unfit": (
        "数据暂不可用：隔离 {quarantined} 行（{share}）或行数不平衡，请先更正源数据；按户计建档率 {rate}。",
        "Data not yet fit to use: {quarantined} {quarantined, plural, one {row} other {rows}} quarantined ({share}) or a table does not balance; "
        "correct the sources first. Profiling {rate} (households)."),
}
