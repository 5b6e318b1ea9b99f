"""Methods appendix of each report and the bundle's glossary (issue 11, item 8).

Every definition, formula and threshold a report uses, with where the threshold comes from,
stated inside the bundle: a reader never needs a file outside it. Texts are in Chinese and
English; :func:`methods_appendix` renders a report's appendix (escaped), :func:`glossary_page`
the stand-alone ``glossary.html`` the runner writes into each bundle.
"""
from __future__ import annotations

import html

from calib.report.display import CSS, HTML
from calib.report.labels import get_lang

__all__ = ["METHODS", "GLOSSARY", "methods_appendix", "glossary_page"]

# Sources of thresholds, named as the programme documents name them (no file reference).
_SRC = {
    "003": ("农商银行《“整村授信”工作实施方案》（信用村：“952”标准、A 级以上农户占比、信用乡镇 75%）",
            "a rural bank's whole-village credit implementation plan (credit village: the \"952\" standard, "
            "A-or-better share; credit township 75%)"),
    "001": ("干汊河镇“整村授信”工程实施意见（干办〔2019〕51号：授信面 80%、用信面 30% 及年度里程碑）",
            "Ganchahe township's whole-village credit implementation opinions (2019 No. 51: 80% coverage, "
            "30% usage and yearly milestones)"),
    "004": ("四川广汉“村民积分贷”（优惠利率 5%，每 100 分降 0.1 个百分点）",
            "Guanghan (Sichuan) villagers' points loan (5% preferential rate, 0.1 pp off per 100 points)"),
}

#: report -> list of (term, definition) in (zh, en).
METHODS: dict[str, list[tuple[tuple[str, str], tuple[str, str]]]] = {
    "01": [
        (("行数守恒", "Row conservation"),
         ("每张表：读入行数 = 接受行数 + 隔离行数；隔离行附原因，个人信息打码。",
          "For every table: rows read = rows accepted + rows quarantined; each quarantined row has a reason; personal values masked.")),
        (("合格人员", "Eligible person"),
         ("年龄 18–65 周岁（按评估基准日），排除死亡、失踪、外逃及有不良记录者。来源：" + _SRC["003"][0],
          "Aged 18 to 65 at the reference date, excluding the dead, missing, absconded and those with a bad record. Source: " + _SRC["003"][1])),
        (("建档率", "Profiling rate"),
         ("已建档（模型已跑批）的合格农户 / 合格农户；信用村要求不低于 90%（“952”之“9”）。",
          "Profiled (model-scored) eligible households / eligible households; a credit village needs at least 90% (the \"9\" of \"952\").")),
    ],
    "02": [
        (("公议授信额度（调整法）", "Consensus limit (adjusted)"),
         ("对数额度 = 农户水平 + 评议员宽严效应 + 误差，Huber 稳健估计，在评议图（农户—评议员）的每个连通分量内分别估计；评议员少于 2 人或自由度不足 10 的分量用中位数。额度按 1,000 元取整，上限 50 万元。",
          "log limit = household level + reviewer leniency + error, Huber-robust, estimated within each connected component of the household-reviewer graph; components with fewer than 2 reviewers or under 10 residual degrees of freedom use the median. Rounded to 1,000 yuan, capped at 500,000.")),
        (("宽严效应区间", "Leniency interval"),
         ("Huber 三明治方差，含有限样本因子 K²（Huber 1981, §7.6）。",
          "Huber sandwich variance with the finite-sample factor K² (Huber 1981, §7.6).")),
        (("一致性指标", "Agreement"),
         ("ICC(A,1)、ICC(A,k)（McGraw & Wong 1996）、Krippendorff α（比率尺度）、Kendall W（村内）。ICC(A,k) 低于 0.75 的村需复评。",
          "ICC(A,1), ICC(A,k) (McGraw & Wong 1996), Krippendorff's alpha (ratio), Kendall's W (within village). Villages with ICC(A,k) below 0.75 need re-review.")),
        (("偏袒标记", "Partiality flag"),
         ("评议员对亲属农户的偏差检验，Benjamini–Hochberg 控制错误发现率 5%。",
          "Test of a reviewer's deviation on relatives' households, Benjamini-Hochberg false discovery rate 5%.")),
    ],
    "03": [
        (("一致性界限", "Limits of agreement"),
         ("对数差的均值 ± Φ⁻¹((1+c)/2)·标准差（Bland & Altman 1986），换算为模型 / 公议比值。",
          "Mean log difference ± Φ⁻¹((1+c)/2)·sd (Bland & Altman 1986), shown as model / consensus ratios.")),
        (("CCC 区间", "CCC interval"),
         ("Lin 一致性相关系数，按村整群百分位自助法（Field & Welsh 2007）。",
          "Lin's concordance correlation, village-cluster percentile bootstrap (Field & Welsh 2007).")),
        (("Deming 与 Passing–Bablok 回归", "Deming and Passing-Bablok regression"),
         ("两种方法比较回归；Passing–Bablok（1983，CLSI EP09）为非参数法，附斜率、截距区间与 cusum 线性检验。",
          "Method-comparison regressions; Passing-Bablok (1983, CLSI EP09) is non-parametric, with slope and intercept intervals and the cusum linearity test.")),
        (("差额原因回归", "Gap drivers"),
         ("村固定效应回归，CR1 整群标准误 G/(G−1)·(N−1)/(N−K)（吸收的村效应不计入 K），t(G−1) 临界值（Cameron & Miller 2015）；村少于 30 个时另报 wild cluster bootstrap-t（Webb 权重，Cameron, Gelbach & Miller 2008; Webb 2023）；仅一个村时用 HC1。",
          "Village fixed-effects regression, CR1 cluster SEs G/(G-1)·(N-1)/(N-K) (absorbed village effects not counted in K), t(G-1) critical values (Cameron & Miller 2015); below 30 villages also the wild cluster bootstrap-t (Webb weights; Cameron, Gelbach & Miller 2008; Webb 2023); HC1 with one village.")),
        (("核对规则", "Reconciliation rule"),
         ("模型 / 公议比值在 [0.67, 1.5] 内按参数规则定最终额度，区间外列入调查清单，调查期间按临时额度。",
          "Inside the ratio band [0.67, 1.5] the final limit follows the rule in the parameters; outside it the household is investigated and holds the provisional limit meanwhile.")),
    ],
    "04": [
        (("样本外证据", "Out-of-sample evidence"),
         ("按村分组的 5 折交叉验证（StratifiedGroupKFold），分箱、拟合与等级切分点均在每折训练集内确定；保留或更换的结论仅依据样本外预测：AUC 增益的 95% 区间整体大于 0 才更换（DeLong 1988，另加按村自助区间）。",
          "Village-grouped 5-fold cross-validation (StratifiedGroupKFold) with binning, fit and grade cut-offs chosen inside each training fold; keep or replace rests on out-of-fold predictions only: replace only if the whole 95% interval of the AUC gain is above 0 (DeLong 1988, plus a village bootstrap interval).")),
        (("整群标准误", "Clustered SEs"),
         ("CR1：V·G/(G−1)·(N−1)/(N−K)，K 含截距；t(G−1) 临界值；村少于 30 个时另报受限 wild cluster score bootstrap（Webb 权重；Kline & Santos 2012）。",
          "CR1: V·G/(G-1)·(N-1)/(N-K), K counts the intercept; t(G-1) critical values; below 30 villages also the restricted wild cluster score bootstrap (Webb weights; Kline & Santos 2012).")),
        (("年收入（对数）", "Log income"),
         ("各评议员所报年收入取对数后的平均（误差与收入成比例时无偏）。",
          "Mean of the reviewers' log incomes (unbiased when errors are proportional to income).")),
        (("等级校准", "Grade calibration"),
         ("每个等级的违约率对平均 PD：Jeffreys 区间与二项检验；交通灯：< 95% 绿、95%–99.9% 黄、≥ 99.9% 红（巴塞尔交通灯法）；Hosmer–Lemeshow 与 Spiegelhalter 检验。",
          "Default rate against mean PD per grade: Jeffreys interval and binomial test; traffic light: below 95% green, 95-99.9% amber, at or above 99.9% red (Basel traffic-light approach); Hosmer-Lemeshow and Spiegelhalter tests.")),
        (("A 级以上占比", "A-or-better share"),
         ("本报告：已评分农户按校准评分卡等级（样本内）；信用村标准（> 55%，来源：" + _SRC["003"][0] + "）用报告 06 的口径：全部农户按模型跑批等级。",
          "Here: scored households by the calibrated card's grades (in sample); the credit-village criterion (> 55%, source: " + _SRC["003"][1] + ") uses report 06's figure: all households by the model-run grade.")),
    ],
    "05": [
        (("积分优惠", "Points discount"),
         ("基准利率 5%，每 100 分降 0.1 个百分点（按比例）。来源：" + _SRC["004"][0],
          "Base rate 5%, 0.1 percentage point off per 100 points (proportional). Source: " + _SRC["004"][1])),
        (("风险合理优惠", "Risk-justified discount"),
         ("积分对违约概率的村整群 logit（CR1，t(G−1)），预期损失 = PD × LGD；区间按村自助法。",
          "Village-clustered logit of default on points (CR1, t(G-1)); expected loss = PD × LGD; interval by village bootstrap.")),
        (("让利与补贴", "Interest forgone and subsidy"),
         ("让利 = 余额 × 优惠；补贴 = 余额 × (优惠 − clip(风险合理优惠, 0, 优惠))；让利 = 风险合理部分 + 补贴。",
          "Interest forgone = balance × discount; subsidy = balance × (discount − clip(justified, 0, discount)); forgone = risk-justified part + subsidy.")),
        (("成本底线", "Cost floor"),
         ("利率不低于资金成本 + 运营成本 + 预期损失（参数中的资金成本、运营成本与 LGD 为假设值，应由银行替换）。",
          "A rate must cover funding cost + operating cost + expected loss (the funding cost, operating cost and LGD in the parameters are assumptions a bank should replace).")),
    ],
    "06": [
        (("信用村", "Credit village"),
         ("同时满足：A 级以上农户占比 > 55%；信息采集率 ≥ 90%、建档农户授信率 ≥ 50%、不良率 ≤ 2%（“952”）；贷款户占比高于县均、不良率低于县均；定性条件未评估时标为“未评估”，不算通过。来源：" + _SRC["003"][0],
          "All of: A-or-better share > 55%; profiling ≥ 90%, credit rate of profiled households ≥ 50%, NPL ≤ 2% (\"952\"); loan share above and NPL below the county average; qualitative criteria not assessed are shown as such, never passed. Source: " + _SRC["003"][1])),
        (("信用乡镇", "Credit township"),
         ("信用村占比 > 75%，不良率低于县均。来源：" + _SRC["003"][0],
          "Credit villages above 75% of its villages, NPL below the county average. Source: " + _SRC["003"][1])),
        (("授信面与用信面", "Credit coverage and usage"),
         ("授信面 = 获授信的合格人员 / 合格人员，目标 ≥ 80%；用信面 = 用信人员 / 获授信人员，目标 ≥ 30%。来源：" + _SRC["001"][0],
          "Coverage = eligible people granted credit / eligible people, target ≥ 80%; usage = people drawing / people granted, target ≥ 30%. Source: " + _SRC["001"][1])),
        (("精确判定", "Exact verdicts"),
         ("比例与阈值以整数运算比较（55.0% 不算“高于 55%”，90.0% 算“不低于 90%”）。",
          "Shares are compared with thresholds in integer arithmetic (55.0% is not above 55%; 90.0% is at least 90%).")),
    ],
    "07": [
        (("稳定性", "Stability"),
         ("PSI / CSI = Σ (实际 − 基准) × ln(实际 / 基准)，基准为首次运行或指定运行；< 0.10 绿，0.10–0.25 黄，> 0.25 红（行业惯例，Siddiqi 2006）。",
          "PSI / CSI = Σ (actual − base) × ln(actual / base), against the first run or a chosen one; below 0.10 green, 0.10-0.25 amber, above 0.25 red (industry convention, Siddiqi 2006).")),
        (("交通灯", "Traffic lights"),
         ("各指标的绿、黄阈值见参数 monitoring 块；回填点为样本早期季度快照的评估，页面已注明。",
          "Green and amber thresholds per indicator are in the parameters' monitoring block; backfilled points are evaluations of the sample's earlier quarterly snapshots, marked on the page.")),
    ],
}

#: Glossary of the bundle: (Chinese, English, definition zh, definition en).
GLOSSARY: list[tuple[str, str, str, str]] = [
    ("整村授信", "whole-village credit", "银行与村两委对全村农户逐户建档、评议并预授信。", "The bank and the village profile, review and pre-approve credit for every household."),
    ("背靠背评议", "back-to-back review", "评议小组成员互不见面、各自独立评议每户。", "Panel members rate each household independently, without seeing each other's sheets."),
    ("公议授信额度", "consensus limit", "由各评议员意见汇总得到的农户额度。", "The household's limit aggregated from the reviewers' proposals."),
    ("模型跑批授信额度", "model limit", "银行线上模型批量测算的额度。", "The limit the bank's online model produces in a batch run."),
    ("最终授信额度", "final limit", "对比公议与模型并查找差额原因后确定的额度。", "The limit fixed after comparing consensus and model and investigating each gap."),
    ("白名单", "white list", "评议通过、可获授信的农户名单。", "Households the panel accepts for credit."),
    ("授信面 / 用信面", "credit coverage / usage", "获授信人数占合格人数 / 用信人数占获授信人数。", "People granted credit over eligible people / people drawing over people granted."),
    ("不良率", "NPL ratio", "不良贷款余额 / 贷款余额。", "Non-performing balance / loan balance."),
    ("信用村 / 信用乡镇", "credit village / township", "按评定标准认定的村 / 乡镇，每年复评。", "Villages / townships certified by the criteria, re-evaluated yearly."),
    ("积分贷", "points loan", "按村民治理积分给予利率优惠的贷款。", "A loan whose rate is cut by the household's governance points."),
    ("样本外", "out of sample", "用未参与拟合的农户检验模型所得的数字。", "A figure measured on households not used to fit the model."),
    ("万元", "10,000 yuan", "金额单位，1 万元 = 10,000 元。", "Unit of money: 1 万元 = 10,000 yuan."),
]


def _e(s: str) -> str:
    return html.escape(s)


def methods_appendix(report: str, lang: str | None = None) -> HTML:
    """The methods appendix of report ``report`` (``"01"`` .. ``"07"``) as an escaped block.

    Parameters
    ----------
    report : str
        The report's number (the first two characters of its notebook name).
    lang : {"zh-CN", "en"}, optional
        Default: the current language of :mod:`calib.report.labels`.
    """
    en = (lang or get_lang()) == "en"
    rows = METHODS[str(report)[:2]]
    title = "Methods appendix" if en else "方法附录"
    items = "".join(f"<dt><b>{_e(term[en])}</b></dt><dd>{_e(text[en])}</dd>" for term, text in rows)
    foot = ("Terms: see glossary.html in this bundle." if en else "术语见本报告包内的 glossary.html。")
    body = (f'{CSS}<section id="methods" class="calib-text"><h2>{_e(title)}</h2><dl>{items}</dl>'
            f'<p class="calib-note">{_e(foot)}</p></section>')
    plain = "\n".join(f"{term[en]}: {text[en]}" for term, text in rows)
    return HTML(body, plain)


def glossary_page(lang: str | None = None) -> str:
    """The bundle's ``glossary.html``: every term with its definition (offline, escaped)."""
    en = (lang or get_lang()) == "en"
    title = "Glossary" if en else "术语表"
    rows = "".join(f"<tr><td>{_e(zh)}</td><td>{_e(eng)}</td><td>{_e(den if en else dzh)}</td></tr>"
                   for zh, eng, dzh, den in GLOSSARY)
    head = ("<th>中文</th><th>English</th><th>Definition</th>" if en
            else "<th>中文</th><th>English</th><th>释义</th>")
    return (f'<!DOCTYPE html><html lang="{"en" if en else "zh-CN"}"><head><meta charset="utf-8">'
            f"<title>{_e(title)}</title>{CSS}</head><body><h1>{_e(title)}</h1>"
            f'<div class="calib-table-wrap"><table class="calib-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div></body></html>")
