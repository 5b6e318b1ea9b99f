"""Methods appendix of each report and the bundle's glossary (issue 11, item 8).

Every definition, formula and threshold a report uses, with where the threshold comes from,
stated inside the bundle: a reader never needs a file outside it. Texts are in Chinese and
English; :func:`methods_appendix` renders a report's appendix (escaped), :func:`glossary_page`
the stand-alone ``glossary.html`` the runner writes into each bundle.

A threshold a text states is a placeholder, never a number typed into the text: the run's
parameters fill theirs (:func:`calib.report.words.param_words`), and the fixed thresholds (module
constants of the code that applies them, and the parameters' defaults an appendix names as such)
are filled by :func:`fixed_words` from :data:`FIXED_WORDS`, the one list of where each report's
are worded.
"""
from __future__ import annotations

import html
from collections.abc import Iterable
from importlib import import_module

from calib.report.display import CSS, HTML
from calib.report.labels import LANGS, format_text, get_lang

__all__ = ["METHODS", "GLOSSARY", "FIXED_WORDS", "fixed_words", "fixed_words_for", "methods_appendix",
           "glossary_page"]

# Sources of thresholds, named as the programme documents name them (no file reference).
_SRC = {
    "003": ("农商银行《“整村授信”工作实施方案》（信用村：“952”标准、A 级及以上农户占比、信用乡镇 75%）",
            "a rural bank's whole-village credit implementation plan (credit village: the \"952\" standard, "
            "A-or-better share; credit township 75%)"),
    "001": ("干汊河镇“整村授信”工程实施意见（干办〔2019〕51号：授信面 80%、用信面 30% 及年度里程碑）",
            "Ganchahe township's whole-village credit implementation opinions (2019 No. 51: 80% coverage, "
            "30% usage and yearly milestones)"),
    "004": ("四川广汉“村民积分贷”（优惠利率 5%，每 100 分降 0.1 个百分点）",
            "Guanghan (Sichuan) villagers' points loan (5% preferential rate, 0.1 pp off per 100 points)"),
}

# The separation fallback of every logit (scorecard and points PD), in calib._stats.fit_logit.
_SEPARATION = (
    "若特征把违约与未违约完全或准完全分开（线性规划检测，Albert & Anderson 1984；Konis 2007），最大似然估计不存在："
    "改用 Firth 惩罚似然 logit（Firth 1993；Heinze & Schemper 2002），标准误取 Fisher 信息之逆（模型型，不按村聚类），"
    "95% 区间为轮廓惩罚似然区间、p 值为惩罚似然比检验（同 R logistf），表注写明分离类型、完全预测的行数与发散的列；Hessian 奇异而无分离时用岭惩罚拟合，不报标准误。",
    "When characteristics separate defaults from non-defaults completely or quasi-completely (detected by linear "
    "programming; Albert & Anderson 1984; Konis 2007), maximum likelihood estimates do not exist: Firth's "
    "penalised-likelihood logit is used instead (Firth 1993; Heinze & Schemper 2002), with standard errors from the "
    "inverse Fisher information (model-based, not clustered by village), 95% profile penalised-likelihood intervals "
    "and penalised likelihood-ratio p-values (as R logistf); the table note names "
    "the kind of separation, the rows predicted perfectly and the diverging columns. A singular Hessian without "
    "separation gets a ridge-penalised fit without standard errors.",
)

#: report -> list of (term, definition) in (zh, en).
METHODS: dict[str, list[tuple[tuple[str, str], tuple[str, str]]]] = {
    "01": [
        (("行数守恒", "Row conservation"),
         ("每张表：读入行数 = 接受行数 + 隔离行数；每个隔离行附原因（列的取值范围与格式规则见本报告“隔离的行”一节），个人信息打码。任何一张表不守恒即判“不可用”。",
          "For every table: rows read = rows accepted + rows quarantined; each quarantined row carries its reason (the column rules and ranges are named in the section \"Quarantine\"); personal values masked. Any table that does not balance makes the data unfit.")),
        (("隔离行占比", "Share of rows quarantined"),
         ("隔离行数 / 读入行数（全部表合计）；不超过 {quarantine_max} 判为可用，超过时提示先在源头更正。来源：本工作台的可用性门槛（内部约定，非监管要求）。",
          "Rows quarantined / rows read (all tables); at most {quarantine_max} is fit to use, above it the page asks for correction at source first. Source: this workbench's fitness threshold (an internal convention, not a regulatory rule).")),
        (("合格人员", "Eligible person"),
         ("年龄 {min_age}–{max_age} 周岁（按评估基准日；取自授信资格参数），排除：{excluded}（“走死逃亡”与不良记录中参数所列者）；户内至少一名合格人员即为合格农户。来源：" + _SRC["003"][0],
          "Aged {min_age} to {max_age} at the reference date (the eligibility parameters), excluding, as the parameters say: {excluded}; a household is eligible when at least one member is. Source: " + _SRC["003"][1])),
        (("建档率", "Profiling rate"),
         ("已建档农户 / 合格农户，已建档 = 评议小组已评议且模型已跑批；整体与每个村均须达到参数中信用村标准的建档率（默认{profiling_default}，即“952”标准之“9”：信息采集{profiling_default}；本次取值见正文与参数表），按整数比较。来源：" + _SRC["003"][0],
          "Profiled households / eligible households, profiled = reviewed by the panel and scored by the model; required overall and in each village at the credit-village rule of the parameters (by default {profiling_default}, the \"9\" of the \"952\" standard: information collected for {profiling_default}; this run's value in the text and the parameter table), compared in integers. Source: " + _SRC["003"][1])),
    ],
    "02": [
        (("公议授信额度（调整法）", "Consensus limit (adjusted)"),
         ("对数额度 = 农户水平 + 评议员宽严效应 + 误差，Huber 稳健估计，在评议图（农户—评议员）的每个连通分量内分别估计；评议员少于 {min_raters} 人或自由度不足 {min_component_df} 的分量用中位数。额度按参数的额度档位取整、按参数的上限封顶（本次取值见参数表）。",
          "log limit = household level + reviewer leniency + error, Huber-robust, estimated within each connected component of the household-reviewer graph; components with fewer than {min_raters} {min_raters, plural, one {reviewer} other {reviewers}} or under {min_component_df} {min_component_df, plural, one {residual degree} other {residual degrees}} of freedom use the median. Rounded to the grid and capped at the ceiling of the parameters (this run's values in the parameter table).")),
        (("宽严倾向区间", "Leniency interval"),
         ("Huber 三明治方差，含有限样本因子 K²（Huber 1981, §7.6）。",
          "Huber sandwich variance with the finite-sample factor K² (Huber 1981, §7.6).")),
        (("一致性指标", "Agreement"),
         ("ICC(A,1)、ICC(A,k)（McGraw & Wong 1996）、Krippendorff α（比率尺度）、Kendall W（村内）。ICC(A,k) 低于 {icc_good} 的村，其评议小组需再培训。",
          "ICC(A,1), ICC(A,k) (McGraw & Wong 1996), Krippendorff's alpha (ratio), Kendall's W (within village). A village whose ICC(A,k) is below {icc_good} has its panel retrained.")),
        (("偏袒标记", "Partiality flag"),
         ("评议员对亲属农户的偏差检验，Benjamini-Hochberg 控制错误发现率 {partiality_fdr}。",
          "Test of a reviewer's deviation on relatives' households, Benjamini-Hochberg false discovery rate {partiality_fdr}.")),
    ],
    "03": [
        (("比较对象", "What is compared"),
         ("两方均有额度、户内有合格成员的农户：授信/拒绝 2×2 表与 Cohen κ 用其全部，一致性界限、CCC、两种回归与差额原因回归只用其中两方均授信的配对农户。户内无合格成员的农户按资格规则另计（最终额度为 0，不核查，不参与比较），缺少一方额度的农户列入核查、不参与比较；全部农户 = 参与比较的农户 + 另计的农户，各类户数见授信/拒绝表下的说明。",
          "Households with both limits and an eligible member: the grant/decline 2×2 table and Cohen's kappa use them all; the limits of agreement, the CCC, both regressions and the gap drivers only the pairs where both grant. Households with no eligible member are set apart by the eligibility rules (final limit 0, not investigated, not compared); households missing a limit are investigated, not compared; all households = those compared + those set apart, each count in the note under the grant/decline table.")),
        (("一致性界限", "Limits of agreement"),
         ("对数差的均值 ± Φ⁻¹((1+c)/2)·标准差（Bland & Altman 1986），换算为模型 / 公议比值。",
          "Mean log difference ± Φ⁻¹((1+c)/2)·sd (Bland & Altman 1986), shown as model / consensus ratios.")),
        (("CCC 区间", "CCC interval"),
         ("Lin 一致性相关系数（总体矩，Lin 1989），区间为按村整群百分位自助法：整村有放回抽样，农户不单独重抽（同村共用评议小组与模型批次；Field & Welsh 2007）。",
          "Lin's concordance correlation (population moments, Lin 1989); interval by the village-cluster percentile bootstrap: whole villages drawn with replacement, never single households (a village shares a panel and a model run; Field & Welsh 2007).")),
        (("Deming 与 Passing–Bablok 回归", "Deming and Passing–Bablok regression"),
         ("两种方法比较回归。Deming：误差方差比 λ 的闭式解（Linnet 1993）。Passing–Bablok（Passing & Bablok 1983，CLSI EP09）：斜率为全部两两斜率的移位中位数，区间取秩 M1 = round((N − C)/2)、M2 = N − M1 + 1 的斜率，C = z·√(n(n−1)(2n+5)/18)；截距为 y − bx 的中位数；cusum 线性检验与 Kolmogorov 分布比较（{cusum_level} 临界值 {cusum_critical}）。已与 R mcr 的肌酐示例及逐对暴力计算核对；点数超过上限时用注明的随机子样本。",
          "Method-comparison regressions. Deming: closed form with error-variance ratio λ (Linnet 1993). Passing–Bablok (Passing & Bablok 1983, CLSI EP09): the slope is the shifted median of all pairwise slopes, its interval the slopes of ranks M1 = round((N − C)/2) and M2 = N − M1 + 1 with C = z·√(n(n−1)(2n+5)/18); the intercept the median of y − bx; the cusum linearity test against the Kolmogorov distribution ({cusum_critical} at {cusum_level}). Checked against R mcr's creatinine example and a brute-force pairwise computation; above the point limit a stated random subsample is used.")),
        (("差额原因回归", "Gap drivers"),
         ("村固定效应回归，CR1 整群标准误 G/(G−1)·(N−1)/(N−K)（吸收的村效应嵌套于村，不计入 K），区间与 p 值用 t(G−1) 临界值（Cameron & Miller 2015）；村少于 {few_clusters} 个时另报受限 wild cluster bootstrap-t p 值（WCR：原假设下的残差乘以村权重；村不多于 {webb_max_clusters} 个用 Webb 六点权重，否则 Rademacher；权重向量不多于抽样次数时全部枚举，p 值精确；Cameron, Gelbach & Miller 2008; Webb 2023）；仅一个村时用 HC1 与 t(N−K)，并注明。",
          "Village fixed-effects regression, CR1 cluster SEs G/(G-1)·(N-1)/(N-K) (absorbed village effects nested in the clusters, not counted in K), intervals and p-values on t(G-1) critical values (Cameron & Miller 2015); below {few_clusters} {few_clusters, plural, one {village} other {villages}} also the restricted wild cluster bootstrap-t p-value (WCR: residuals under the null multiplied by village weights; Webb six-point weights up to {webb_max_clusters} {webb_max_clusters, plural, one {village} other {villages}}, Rademacher above; every weight vector enumerated when there are no more than the draws, an exact p-value; Cameron, Gelbach & Miller 2008; Webb 2023); with one village HC1 and t(N-K), stated.")),
        (("核对规则", "Reconciliation rule"),
         ("模型 / 公议比值在 {band} 内按参数规则定最终额度，调解区间外或一方拒绝时列入核查名单，核查期间按临时额度。",
          "Inside the ratio band {band} the final limit follows the rule in the parameters; outside it the household is investigated and holds the provisional limit meanwhile.")),
    ],
    "04": [
        (("样本外证据", "Out-of-sample evidence"),
         ("按村分组、按违约分层的 {n_folds} 折交叉验证，分箱、拟合与等级切分点均在每折训练集内确定；保留或更换的结论仅依据样本外预测：AUC 增益的 95% 区间整体大于 {min_auc_gain} 才更换（DeLong 1988，另加按村自助区间）。",
          "Village-grouped {n_folds}-fold cross-validation (stratified by default, grouped by village) with binning, fit and grade cut-offs chosen inside each training fold; keep or replace rests on out-of-fold predictions only: replace only if the whole 95% interval of the AUC gain is above {min_auc_gain} (DeLong 1988, plus a village bootstrap interval).")),
        (("整群标准误", "Clustered SEs"),
         ("CR1 三明治方差 V·G/(G−1)·(N−1)/(N−K)，K 含截距（无吸收的固定效应）；区间与 p 值用 t(G−1) 临界值（Cameron & Miller 2015）；村少于 {few_clusters} 个时另报受限 wild cluster score bootstrap p 值（Kline & Santos 2012；村不多于 {webb_max_clusters} 个用 Webb 六点权重，否则 Rademacher；权重向量不多于抽样次数时全部枚举；Cameron, Gelbach & Miller 2008; Webb 2023）；仅一个村时用模型型标准误，并注明。",
          "CR1 sandwich V·G/(G-1)·(N-1)/(N-K), K counting the intercept (no absorbed effects); intervals and p-values on t(G-1) critical values (Cameron & Miller 2015); below {few_clusters} {few_clusters, plural, one {village} other {villages}} also the restricted wild cluster score bootstrap p-value (Kline & Santos 2012; Webb six-point weights up to {webb_max_clusters} {webb_max_clusters, plural, one {village} other {villages}}, Rademacher above; every weight vector enumerated when there are no more than the draws; Cameron, Gelbach & Miller 2008; Webb 2023); with one village, model-based SEs, stated.")),
        (("数据分离时的拟合", "Separated data"),
         _SEPARATION),
        (("年收入（对数）", "Log income"),
         ("各评议员所报年收入取对数后的平均（误差与收入成比例时无偏）。",
          "Mean of the reviewers' log incomes (unbiased when errors are proportional to income).")),
        (("等级校准", "Grade calibration"),
         ("用样本外（交叉验证检验折）的 PD 与等级：每个等级的违约率对平均 PD，单侧 Jeffreys 检验（后验 Beta(D+½, N−D+½)；ECB 2019；Brown, Cai & DasGupta 2001）与精确二项检验；交通灯按二项置信度：< {light_yellow} 绿、{light_yellow}–{light_red} 黄、≥ {light_red} 红（OeNB 2004，巴塞尔交通灯法）。各等级逐一检验，不做多重检验校正（与 ECB 要求一致）；同村违约相关会使检验过多拒绝（BCBS WP 14, 2005）。整体：Hosmer-Lemeshow（样本外 df = g，样本内 g − 2；Hosmer & Lemeshow 1980；期望为 0 而有违约的组给出无穷大统计量，不合并组）与 Spiegelhalter z（Spiegelhalter 1986；PD 全为 0.5 或全为 0/1 时 z 无定义并说明原因）。p ≥ {calibration_alpha} 为不拒绝校准。来源：巴塞尔委员会《内部模型法回测框架》（1996）的交通灯区间。",
          "On out-of-fold PDs and grades (cross-validation test folds): per grade, default rate against mean PD, one-sided Jeffreys test (posterior Beta(D+½, N−D+½); ECB 2019; Brown, Cai & DasGupta 2001) and exact binomial test; traffic light on the binomial confidence: below {light_yellow} green, {light_yellow}-{light_red} amber, at or above {light_red} red (OeNB 2004, Basel traffic-light approach). Grades are tested one at a time, without a multiple-testing correction (as the ECB instructions do); defaults correlated within villages make the tests reject too often (BCBS WP 14, 2005). Overall: Hosmer-Lemeshow (df = g out of sample, g − 2 in sample; Hosmer & Lemeshow 1980; a group with zero expected but observed defaults gives an infinite statistic, groups are not merged) and Spiegelhalter's z (Spiegelhalter 1986; undefined, with the reason, when every PD is 0.5 or every PD is 0 or 1). p ≥ {calibration_alpha} means calibration is not rejected. Source of the traffic-light zones: the Basel Committee's backtesting framework (1996).")),
        (("AUC 与 KS", "AUC and KS"),
         ("AUC = 随机一户违约户的 PD 高于随机一户未违约户的概率（同分计一半）；KS = 违约与未违约两组评分累积分布之差的最大值。",
          "AUC = the probability that a random defaulter's PD exceeds a random non-defaulter's (ties count half); KS = the largest gap between the two groups' cumulative score distributions.")),
        (("A 级及以上占比", "A-or-better share"),
         ("本报告：已评分农户按校准评分卡等级（样本内）；信用村标准（{a_share}，来源：" + _SRC["003"][0] + "）用报告 06 的口径：全部农户按模型跑批等级。",
          "Here: scored households by the calibrated card's grades (in sample); the credit-village criterion ({a_share}, source: " + _SRC["003"][1] + ") uses report 06's figure: all households by the model-run grade.")),
    ],
    "05": [
        (("定价期与方案核对", "Pricing period and schedule check"),
         ("把每笔贷款的合同利率与各期积分按参数方案算出的利率比较（容差 {rate_tolerance} 个百分点），复现最多的一期为定价期；复现的贷款不少于 {min_reproduced} 时认为参数方案即银行定价所用方案，否则结论首行提示复核，下文成本按参数方案计算、不是合同实际。来源：本工作台的核对门槛（内部约定）。",
          "Each loan's booked rate is compared with the parameters' schedule at each period's points (tolerance {rate_tolerance} percentage point); the period reproducing the most is the pricing period. When at least {min_reproduced} of loans are reproduced the parameters' schedule is taken as the one the bank priced with; otherwise the first conclusion asks for a check, and the costs below are of the parameters' schedule, not the contracts. Source: this workbench's check threshold (an internal convention).")),
        (("积分优惠", "Points discount"),
         ("{schedule}（本次参数）。来源：" + _SRC["004"][0],
          "{schedule} (this run's parameters). Source: " + _SRC["004"][1])),
        (("每 100 分风险可证明的优惠", "Risk-justified discount per 100 points"),
         ("违约对积分（每 100 分）及控制变量的 logit，CR1 整群标准误 G/(G−1)·(N−1)/(N−K)、t(G−1) 临界值（Cameron & Miller 2015）；村少于 {few_clusters} 个时另报积分系数的受限 wild cluster score bootstrap p 值（Kline & Santos 2012；Webb 2023）。每 100 分风险可证明的优惠 = LGD × 平均边际效应（+100 分的 PD 差，Williams 2012）；区间为按村整群（pairs）百分位自助法，每次重抽整村并重新拟合（Cameron, Gelbach & Miller 2008），村少于约 {few_boot_villages} 个时提示不可靠；仅一个村时报错，除非明确要求按贷款计算并注明。",
          "Logit of default on points (per 100) and controls, CR1 cluster SEs G/(G-1)·(N-1)/(N-K), t(G-1) critical values (Cameron & Miller 2015); below {few_clusters} {few_clusters, plural, one {village} other {villages}} also the restricted wild cluster score bootstrap p-value of the points coefficient (Kline & Santos 2012; Webb 2023). Risk-justified discount per 100 points = LGD × average marginal effect (PD difference for +100 points, Williams 2012); interval by the village-cluster (pairs) percentile bootstrap, whole villages redrawn and the model refitted each time (Cameron, Gelbach & Miller 2008), with a warning below about {few_boot_villages} {few_boot_villages, plural, one {village} other {villages}}; one village is an error unless loan-level inference is asked for, stated.")),
        (("数据分离时的拟合", "Separated data"),
         _SEPARATION),
        (("自助法重抽样中的数据分离", "Separated bootstrap replicates"),
         ("村少或违约少时，部分重抽样样本的数据会分离（例如抽到的某一等级或高积分村没有违约），最大似然估计不存在、系数发散。"
          "每次重新拟合按与全样本相同的规则处理：拟合概率达到 0 或 1、牛顿法未收敛或拟合失败时用线性规划检测分离（Konis 2007），"
          "分离的重抽样改用 Firth 惩罚似然 logit 重新拟合并保留（Firth 1993；Heinze & Schemper 2002）。"
          "不删除这些重抽样：自助法须复现样本所用的估计量，删除分离的重抽样等于以“不分离”为条件，恰好去掉效应最极端的重抽样，使区间偏窄、偏移。"
          "分离的重抽样次数列于结果（“数据分离次数”）并写入区间方法；无分离而拟合失败的重抽样剔除并计数（“失败次数”）。"
          "wild cluster score bootstrap 的原假设模型同样处理（分离时用 Firth 拟合）。",
          "With few villages or few defaults some bootstrap replicates are separated (e.g. no default in a drawn grade or "
          "among the drawn high-points villages): maximum likelihood estimates do not exist and the coefficients diverge. "
          "Each refit follows the sample's own rule: when a fitted probability is 0 or 1, Newton's method does not "
          "converge or the fit fails, a linear programme detects separation (Konis 2007), and a separated replicate is "
          "refitted by Firth's penalised-likelihood logit and kept (Firth 1993; Heinze & Schemper 2002). Separated "
          "replicates are not dropped: the bootstrap must replicate the estimator used on the sample, and dropping them "
          "would condition on non-separation, removing exactly the replicates with the most extreme effects and "
          "narrowing and shifting the interval. Their number is reported (\"Separated replicates\") and stated in the "
          "interval method; replicates whose fit fails without separation are left out and counted (\"Failed "
          "replicates\"). The null model of the wild cluster score bootstrap is treated the same way (Firth when "
          "separated).")),
        (("让利与补贴", "Interest forgone and subsidy"),
         ("逐笔贷款：较 0 分的风险可证明优惠 = LGD × (0 分时的 PD − 该笔 PD)；让利 = 余额 × 优惠；风险降低可支付的让利 = 余额 × 截取到 [0, 优惠] 内的较 0 分的风险可证明优惠；"
          "补贴 = 让利 − 风险降低可支付的让利；较模型风险价格少收 = 余额 × (优惠 − 较 0 分的风险可证明优惠)。各档与合计为逐笔之和（比率为逐笔平均）。"
          "金额是点估计；现行方案补贴的 95% 区间在按村自助法的每次重抽样中重算。PD 为在同一批贷款上拟合的模型 PD（样本内）。",
          "Per loan: risk-justified discount against 0 points = LGD × (PD at 0 points − the loan's PD); interest forgone = balance × discount; "
          "risk-paid interest = balance × the risk-justified discount against 0 points held between 0 and the discount; subsidy = interest "
          "forgone − risk-paid interest; short of the modelled risk price = balance × (discount − risk-justified discount against 0 points). "
          "Bands and the total are sums over loans (rates: means over loans). The amounts are point estimates; the 95% interval of the current "
          "schedule's subsidy is recomputed in every replicate of the village bootstrap. The PD is the model's, fitted on the same loans (in sample).")),
        (("成本底线", "Cost floor"),
         ("利率不低于资金成本 + 运营成本 + 预期损失（参数中的资金成本、运营成本与 LGD 为假设值，应由银行替换；预期损失用样本内的模型 PD，故覆盖成本所需利率与不覆盖成本的积分档数是样本内的）。",
          "A rate must cover funding cost + operating cost + expected loss (the funding cost, operating cost and LGD in the parameters are assumptions a bank should replace; expected loss uses the in-sample modelled PD, so the rate covering cost and the count of bands below it are in sample).")),
        (("推荐方案", "Recommended schedule"),  # a step schedule's search; a banded run's: _RUN_TEXTS
         ("在保持现行基准利率、取整与最大优惠不变的前提下，取每 100 分优惠最大的单调方案，使每年补贴不超过参数中的积分贷补贴预算，且优惠不使任何积分档的利率降到成本底线以下。"
          "在基准利率下就已低于成本底线的积分档不得有任何优惠：其利率保持基准利率，仍低于成本，需要调整的是基准利率；"
          "每 100 分优惠对全部积分档同时适用，因此只要这类积分档中有会获得优惠的贷款（按比例优惠时即积分大于 0 的贷款），推荐优惠只能为 0。"
          "推荐方案因此不保证各档都覆盖成本（各档是否覆盖见“推荐利率覆盖成本”列）；页面注明起约束作用的条件。预算由银行在参数中给定。",
          "Keeping the current base rate, rounding and maximum discount, the schedule with the largest discount per 100 points (monotone) whose yearly subsidy stays within the points-loan subsidy budget of the parameters and whose discount pushes no points band below the cost floor. "
          "A band already below the floor at the base rate may get no discount at all: its rate stays at the base rate, still below cost, and it is the base rate that needs revising; "
          "the discount per 100 points applies to every band at once, so when such a band holds a loan the discount would reach (with a proportional schedule, any loan with points above 0) the recommended discount can only be 0. "
          "The recommended schedule therefore does not make every band cover its cost (the column Recommended rate covers cost says which do); the page names the binding constraint. The budget is the bank's figure in the parameters.")),
        (("积分虚高", "Point inflation"),
         ("各村最新一期积分中位数及其较上一期的增长，各自对全部村计算稳健 z 分数 = (x − 各村中位数) / (1.4826 × MAD)；任一 > {inflation_z}（只看向上偏离）即标记为疑似虚高、需复核。来源：Iglewicz & Hoaglin (1993) 的稳健离群判定。",
          "Each village's latest median points and its growth since the previous period, each as a robust z across villages = (x − median of villages) / (1.4826 × MAD); either above {inflation_z} (upward only) flags the village for review. Source: the robust outlier rule of Iglewicz & Hoaglin (1993).")),
    ],
    "06": [
        (("信用村", "Credit village"),
         ("同时满足（本次参数）：A 级及以上占比 {a_share}；建档率（信息采集）{profiling}、建档农户授信率 {credit_rate}、不良率 {npl}（“952”）；有贷款农户占比{loan_share_vs_county}、不良率{npl_vs_county}（全部汇总，或参数给定的全县数字）；定性条件未评估时标为“未评估”，不算通过。各比率的分子与分母见 glossary.html。来源：" + _SRC["003"][0],
          "All of (this run's parameters): A-or-better share {a_share}; profiling rate {profiling}, credit rate of profiled households {credit_rate}, NPL {npl} (\"952\"); loan share {loan_share_vs_county} and NPL {npl_vs_county} (the programme pooled, or the parameters' county figure); qualitative criteria not assessed are shown as such, never passed. Each ratio's numerator and denominator: glossary.html. Source: " + _SRC["003"][1])),
        (("信用乡镇", "Credit township"),
         ("信用村占比 {township_share}（本次参数），不良率{township_npl_vs_county}。来源：" + _SRC["003"][0],
          "Credit villages {township_share} of its villages (this run's parameters), NPL {township_npl_vs_county}. Source: " + _SRC["003"][1])),
        (("授信面与用信面", "Credit coverage and usage"),
         ("授信面（按人数）= 已授信农户中的合格人数 / 合格人数，目标 {coverage_target}；用信面（按人数）= 有用信农户中的合格人数 / 已授信农户中的合格人数，目标 {usage_target}（本次参数）。按户计的同名比率（标“按户”）只作参考，不用于目标考核。来源：" + _SRC["001"][0],
          "Coverage (persons) = eligible persons in credited households / eligible persons, target {coverage_target}; usage (persons) = eligible persons in drawing households / in credited households, target {usage_target} (this run's parameters). The same ratios in households (marked so) are for reference, not judged against the targets. Source: " + _SRC["001"][1])),
        (("精确判定", "Exact verdicts"),
         ("比例与阈值以整数运算比较：恰好等于阈值时，“>”“<” 判未通过，“≥”“≤” 判通过。",
          "Shares are compared with thresholds in integer arithmetic: a share equal to its threshold fails \">\" and \"<\" and passes \"≥\" and \"≤\".")),
    ],
    "07": [
        (("数据来源", "Data"),
         ("每次报告运行记录的头部指标（运行历史）；同一评估基准日运行多次时取最近一次。标注“回填”的点是按同一套报告代码评估的样本早期季度快照，不是银行的实际评估。",
          "The headline figures every report run records (the run history); with several runs for one as-of date the latest counts. Points marked backfilled are the sample's earlier quarterly snapshots evaluated by the same report code, not the bank's own evaluations.")),
        (("稳定性 PSI / CSI", "Stability (PSI / CSI)"),
         ("PSI = Σ (实际占比 − 基期占比) × ln(实际占比 / 基期占比)，按银行现行评分卡（参数中的现行权重与等级分数线，在用的评分卡）的得分计算，分段固定：各等级分数线、相邻分数线之间的中点，以及最低分数线以下与最高分数线以上各{score_steps}段（每段为相邻分数线间距的一半）。现行评分卡各期不变，PSI 因此只反映人群的变化（Siddiqi 的定义）；各期重新校准的评分卡每期重新拟合，其得分分布不用于 PSI。运行历史中没有现行评分卡分布的早期运行，改用校准评分卡的得分分布并注明来源。CSI 按固定分段比较各特征本身，不受评分卡影响，对每个特征计算，取最大者。基期为首次运行（可在监测参数中另指定）。默认 < {mon_psi_green} 绿，{mon_psi_green}–{mon_psi_amber} 黄，≥ {mon_psi_amber} 红。来源：行业惯例（Siddiqi《信用风险评分卡》，2006）。",
          "PSI = Σ (actual share − base share) × ln(actual share / base share) over the scores of the bank's current card (the current weights and grade cutoffs of the parameters: the card in use), on fixed bands: the grade cutoffs, the midpoints between neighbouring cutoffs, and {score_steps} bands below the lowest cutoff and {score_steps} above the highest (each half the narrowest gap between cutoffs). The current card is the same from run to run, so its PSI reflects the population's change alone (Siddiqi's definition); the recalibrated card is refitted by every run and its score distribution is not used for the PSI. Earlier runs of the history that recorded no current-card distribution use the calibrated card's, and the source says so. CSI compares each characteristic itself on fixed bins, independent of any card, per characteristic, the largest shown. The base is the first run (the monitoring parameters may name another). Defaults: below {mon_psi_green} green, {mon_psi_green}-{mon_psi_amber} amber, from {mon_psi_amber} red. Source: industry convention (Siddiqi, Credit Risk Scorecards, 2006).")),
        (("区分能力", "Discrimination"),
         ("样本外 AUC（按村分组交叉验证，见报告 04）默认 ≥ {mon_auc_oos_green} 绿、{mon_auc_oos_amber}–{mon_auc_oos_green} 黄、< {mon_auc_oos_amber} 红；KS 默认 ≥ {mon_ks_green} 绿、{mon_ks_amber}–{mon_ks_green} 黄、< {mon_ks_amber} 红。来源：本工作台默认值（常见评分卡实践），银行可在参数中调整。",
          "Out-of-sample AUC (village-grouped cross-validation, see report 04): defaults at least {mon_auc_oos_green} green, {mon_auc_oos_amber}-{mon_auc_oos_green} amber, below {mon_auc_oos_amber} red; KS at least {mon_ks_green} green, {mon_ks_amber}-{mon_ks_green} amber, below {mon_ks_amber} red. Source: this workbench's defaults (common scorecard practice); a bank may change them in the parameters.")),
        (("等级回测与额度偏差", "Grade backtest and limit gap"),
         ("等级回测 = 各等级“校准 PD 偏低”的最大置信度：每个等级用精确二项检验（单侧，备择假设为实际违约率高于该等级的平均 PD，样本外 PD，即报告 04 的等级校准交通灯），取 1 − p 值的最大者；默认 < {mon_grade_backtest_green} 绿、{mon_grade_backtest_green}–{mon_grade_backtest_amber} 黄、≥ {mon_grade_backtest_amber} 红，与报告 04 的交通灯一致（OeNB 2004）。PD 偏高（偏保守）不计为失败；违约少的等级需要更大的偏差才亮灯。模型与公议额度的偏差幅度 = |Bland-Altman 偏差 − 1|，默认 < {mon_consensus_model_gap_green} 绿、< {mon_consensus_model_gap_amber} 黄。来源：本工作台默认值，银行可在参数中调整。",
          "Grade backtest = the largest confidence that a grade's calibrated PD is too low: per grade an exact one-sided binomial test (alternative: the observed default rate exceeds the grade's mean out-of-fold PD, report 04's grade traffic light), the largest 1 − p; defaults below {mon_grade_backtest_green} green, {mon_grade_backtest_green} to {mon_grade_backtest_amber} amber, from {mon_grade_backtest_amber} red, as report 04's traffic light (OeNB 2004). A PD that is too high (conservative) is not a failure; a grade with few loans needs a larger gap to light up. Consensus-model gap = |Bland-Altman bias ratio − 1|, defaults below {mon_consensus_model_gap_green} green, below {mon_consensus_model_gap_amber} amber. Source: this workbench's defaults; a bank may change them in the parameters.")),
        (("相对指标", "Relative indicators"),
         ("需核查农户数与信用村数按相对基期的比值判定：需核查农户默认 < {mon_investigations_green} 倍绿、< {mon_investigations_amber} 倍黄；信用村数默认 ≥ {mon_credit_villages_green} 倍绿、≥ {mon_credit_villages_amber} 倍黄。本次运行实际使用的阈值见“本次使用的监测阈值”表。",
          "Households to investigate and credit villages are judged on their ratio to the base run: investigations below {mon_investigations_green} times green, below {mon_investigations_amber} amber; credit villages at least {mon_credit_villages_green} times green, at least {mon_credit_villages_amber} amber. The thresholds this run used are in the table \"Monitoring thresholds of this run\".")),
    ],
}

#: Glossary of the bundle: (Chinese, English, definition zh, definition en).
GLOSSARY: list[tuple[str, str, str, str]] = [
    ("整村授信", "whole-village credit", "银行与村两委对全村农户逐户建档、评议并预授信。", "The bank and the village profile, review and pre-approve credit for every household."),
    ("背靠背评议", "back-to-back review", "评议小组成员互不见面、各自独立评议每户。", "Panel members rate each household independently, without seeing each other's sheets."),
    ("公议授信额度", "consensus limit", "由各评议员意见汇总得到的农户额度。", "The household's limit aggregated from the reviewers' proposals."),
    ("模型跑批授信额度", "model limit", "银行线上模型批量测算的额度。", "The limit the bank's online model produces in a batch run."),
    ("最终授信额度", "final limit",
     "对比公议与模型后确定的额度：比值在调解区间内的按调解规则确定；需核查的农户在查明差额原因前执行临时额度，计入最终额度合计，核查后可能调整（报告 03）。",
     "The limit fixed by comparing consensus and model: inside the band by the reconciliation rule; a household "
     "to investigate holds a provisional limit until the gap is explained, counted in the total final limit and "
     "subject to change after the investigation (report 03)."),
    ("白名单", "white list",
     "评议小组同意授信的农户名单。授信前还须按资格规则剔除户内没有合格成员的农户（报告 02、03），白名单户数因此可多于合格农户数。",
     "Households the panel accepts for credit. Before credit is granted, households with no eligible member are "
     "removed by the eligibility rules (reports 02, 03), so the white list can count more households than the "
     "eligible ones."),
    # the ratios of coverage and usage: each name with its numerator and denominator (one name, one
    # value: figures that count households and persons are named apart)
    ("合格人员 / 合格农户", "eligible person / household",
     "年龄在授信资格参数范围内（按基准日）且未被排除的人为合格人员；户内至少有一名合格人员的农户为合格农户。合格人数计人，合格农户数计户。",
     "A person aged within the eligibility parameters (at the reference date) and not excluded; a household with at "
     "least one eligible member. Eligible persons count people, eligible households count households."),
    ("建档率 / 建档村", "profiling rate / profiled village",
     "建档率 = 已建档的合格农户 / 合格农户（已建档 = 评议小组已评议且模型已跑批；信用村“952”标准与报告 01 的口径，按户）。"
     "建档村 = 建档率达到标准的村；标注“按人数”的以已建档农户中的合格人数 / 合格人数计（整村授信目标的口径，报告 06），两种口径的村数可以不同。",
     "Profiling rate = profiled eligible households / eligible households (profiled = reviewed by the panel and "
     "run by the model; the credit-village \"952\" rule's basis and report 01's, in households). A profiled village "
     "meets the profiling rule; marked \"persons\", the rate is eligible persons in profiled households / eligible "
     "persons (the programme targets' basis, report 06), and the two counts of villages can differ."),
    ("授信面 / 用信面", "credit coverage / usage",
     "未标注时按人数计（整村授信目标的考核口径），与标注“（按人数）”的相同：授信面 = 已授信农户中的合格人数 / 合格人数；"
     "用信面 = 有用信农户中的合格人数 / 已授信农户中的合格人数。标注“（按户）”的为户数之比：授信面（按户）= 已授信农户 / 合格农户；"
     "用信面（按户）= 有用信的已授信农户 / 已授信农户。已授信 = 合格、已建档且最终授信额度大于 0（含核查期间执行临时额度的农户）。",
     "Unmarked, in persons (the basis the programme targets are judged on), as when marked \"persons\": coverage = "
     "eligible persons in credited households / eligible persons; usage = eligible persons in drawing households / "
     "eligible persons in credited households. Marked \"households\", the same ratios of households: coverage "
     "(households) = credited households / eligible households; usage (households) = drawing credited households / "
     "credited households. Credited = eligible, profiled and a final limit above 0 (provisional limits while "
     "investigated included)."),
    ("用信农户 / 有贷款农户", "drawing / borrowing households",
     "本期有一笔贷款（用信）的农户，两种叫法指同一批农户；报告 04、05 称其为有违约结果的农户，因为只有用信农户才有违约与否的结果。"
     "用信面与有贷款农户占比的分子都是它们，分母不同（见两词条）。",
     "Households with a loan (a drawing) this period: the two names mean the same households; reports 04 and 05 call "
     "them households with an outcome, since only a household that drew can default. Both usage and the loan share "
     "count them, over different denominators (see both entries)."),
    ("建档农户授信率", "credit rate of profiled households",
     "已授信农户 / 已建档农户（信用村“952”标准的“5”）。分母是已建档农户，不是授信面的合格农户或合格人数。",
     "Credited households / profiled households (the \"5\" of the credit-village \"952\" rule). Its denominator "
     "is the profiled households, not coverage's eligible households or persons."),
    ("有贷款农户占比（对比全县）", "loan share (against the county)",
     "有贷款农户 / 全部农户（花名册上的全部户数，含不合格农户）；信用村标准将村的这一占比与全县（全部汇总，或参数给定的全县数字）比较，比较方向按本次参数，见报告 06 的方法附录。"
     "分母是全部农户，不是用信面的已授信农户。",
     "Households with a loan / all households (every household on the roster, eligible or not); the credit-village "
     "rule compares a village's share with the county's (the programme pooled, or the parameters' county figure), in the direction this run's parameters set: see report 06's methods appendix. "
     "Its denominator is all households, not usage's credited households."),
    ("已评分农户中的用信户占比", "share of scored households that drew",
     "报告 04：用信农户（有违约结果的农户）/ 模型已评分农户，即评分卡检验样本占已评分农户的比例。不是用信面：用信面的分母是已授信的农户或人数。",
     "Report 04: households that drew a loan (with a default outcome) / households the model scored, the share of "
     "scored households the scorecard is tested on. Not usage: usage's denominator is credited households or persons."),
    ("违约 / 不良", "default / non-performing",
     "贷款表中“是否不良”标为是的贷款（银行的标记）；违约户 = 有这样一笔贷款的农户。报告 04、05 的违约率与报告 06 的不良率都以此为准。",
     "A loan the loans table marks non-performing (the bank's flag); a defaulting household has such a loan. Reports "
     "04 and 05's default rates and report 06's NPL ratios all rest on it."),
    ("不良率", "NPL ratio",
     "不良率（余额）= 不良贷款的用信金额 / 全部用信金额；不良率（笔数）= 不良贷款笔数 / 贷款笔数。未标注时指按余额。",
     "NPL ratio (balance) = drawn amount of non-performing loans / all drawn amounts; NPL ratio (count) = "
     "non-performing loans / loans. Unmarked, by balance."),
    ("敞口差额", "exposure gap",
     "需核查农户的 |模型额度 − 公议额度| 之和：两种额度分歧的大小，不是风险敞口（核查期间执行的是临时额度）。"
     "“全部农户额度差合计”是同一计算对全部农户（含调解区间内农户）的合计（报告 03）。",
     "The sum of |model limit − consensus limit| over the households to investigate: how far the two limits part, "
     "not an amount at risk (those households hold provisional limits meanwhile). The total over all households "
     "(inside the band too) is report 03's total |model − consensus|."),
    ("调解区间 / 调解规则", "reconciliation band / rule",
     "模型额度 / 公议额度的比值在区间（参数：额度调解，如 [0.67, 1.50]）内时按调解规则（如取较小值）确定最终额度；"
     "调解区间外、一方拒绝或缺少输入的农户列入核查名单。",
     "Inside the band of model / consensus ratios (parameters: reconciliation, e.g. [0.67, 1.50]) the final limit "
     "follows the rule (e.g. the smaller); outside it, where one side declines or an input is missing, the household "
     "goes on the investigation list."),
    ("需重新评议", "needs re-review",
     "评议数少于参数要求或评议员意见分歧超过上限（参数：公议额度）的农户，其公议额度待评议小组重新评议后确定（报告 02）。",
     "A household with fewer reviews than the parameters ask or reviewers disagreeing beyond the limit "
     "(parameters: consensus): its consensus is settled after the panel reviews it again (report 02)."),
    ("ICC / Krippendorff α / Kendall W", "ICC / Krippendorff's alpha / Kendall's W",
     "评议员之间一致程度的指标（0 至 1，越高越一致）：ICC(A,1) 为单个评议员的信度，ICC(A,k) 为小组平均的信度；"
     "Krippendorff α 允许每户评议员不同；Kendall W 衡量村内排序的一致。",
     "Measures of agreement among reviewers (0 to 1, higher is better): ICC(A,1) the reliability of one reviewer, "
     "ICC(A,k) of the panel's average; Krippendorff's alpha allows different reviewers per household; Kendall's W "
     "the agreement of rankings within a village."),
    ("Bland-Altman 偏差 / 一致性界限 / Lin CCC / Deming 斜率 / Cohen κ", "Bland-Altman bias / limits / CCC / Deming / kappa",
     "比较模型额度与公议额度的方法（报告 03）：偏差 = 模型 / 公议比值的几何平均（1 为无偏；报告 07 的“模型与公议额度的偏差幅度”为 |偏差 − 1|），"
     "95% 一致性界限为单户比值的范围；CCC 衡量两者在恒等线上的一致（1 为完全一致）；Deming 斜率显示模型放大（> 1）还是压缩（< 1）公议额度；"
     "Cohen κ 衡量授信 / 拒绝决定的一致（扣除偶然一致）。",
     "Methods comparing model and consensus limits (report 03): the bias is the geometric mean of model / consensus "
     "(1: none; report 07's consensus-model gap is |bias − 1|), the 95% limits the range of one household's ratio; "
     "CCC the agreement on the identity line (1: perfect); the Deming slope whether the model stretches (> 1) or "
     "compresses (< 1) the consensus; Cohen's kappa the agreement of grant / decline beyond chance."),
    ("PD / LGD", "PD / LGD",
     "违约概率（未来一年违约的可能性）/ 违约损失率（违约时损失的比例）。报告 04 的 PD 来自校准评分卡（等级的平均 PD），"
     "报告 05 的“模型 PD（样本内）”来自积分与违约的逻辑回归，报告 04 图中的“银行模型 PD”来自银行的模型跑批。",
     "Probability of default (within a year) / loss given default (the share lost on default). Report 04's PDs "
     "come from the calibrated card (a grade's mean PD), report 05's modelled PD (in sample) from the logit of "
     "defaults on points, the bank model PD of report 04's chart from the bank's model runs."),
    ("AUC / KS", "AUC / KS",
     "评分区分违约与正常农户的能力：AUC 为随机一户违约户的风险高于随机一户正常户的概率（0.5 为无区分力），KS 为两组评分分布的最大差距。"
     "标“样本外”“交叉验证”“折外”的是同一类数字：由没有见过该农户的评分卡算出。",
     "How well a score tells defaulting from performing households: AUC the probability that a random defaulter is "
     "rated riskier than a random performer (0.5: none), KS the largest gap between the two groups' score "
     "distributions. Marked out of sample, cross-validated or out of fold: the same kind of figure, from a card that "
     "never saw the household."),
    ("PSI / CSI", "PSI / CSI",
     "稳定性指数：PSI 比较两个时点的评分分布，CSI 比较各特征的分布；低于 {psi_moderate} 稳定，{psi_moderate} 至 {psi_significant} 中度偏移，{psi_significant} 及以上显著偏移。"
     "报告 04 比较数据中的上期与本期，报告 07 比较本次评估与运行历史的基期。",
     "Stability indices: PSI compares the score distribution at two times, CSI each characteristic's; below {psi_moderate} "
     "stable, {psi_moderate} to {psi_significant} moderate, from {psi_significant} significant. Report 04 compares the previous and current periods "
     "in the data, report 07 this evaluation with the history's base run."),
    ("交通灯", "traffic light",
     "绿、黄、红三档判读：报告 04 按“等级 PD 偏低”的二项检验置信度（< {light_yellow} 绿，{light_yellow} 至 {light_red} 黄，≥ {light_red} 红）；"
     "报告 07 按监测参数中的阈值。",
     "Green, amber, red: report 04 by the binomial confidence that a grade's PD is too low (< {light_yellow} green, "
     "{light_yellow} to {light_red} amber, from {light_red} red); report 07 by the monitoring parameters' thresholds."),
    ("信用村 / 信用乡镇", "credit village / township", "按评定标准认定的村 / 乡镇，每年复评。", "Villages / townships certified by the criteria, re-evaluated yearly."),
    ("积分贷", "points loan", "按村民治理积分给予利率优惠的贷款。", "A loan whose rate is cut by the household's governance points."),
    # report 05: three quantities, three names (one name covered all of them)
    ("每 100 分风险可证明的优惠 / 较 0 分的风险可证明优惠 / 风险降低可支付的让利",
     "risk-justified discount per 100 points / against 0 points / risk-paid interest",
     "报告 05。每 100 分风险可证明的优惠 = LGD × 借款人平均的 [PD(积分) − PD(积分 + 100)]，与政策的每 100 分优惠比较；"
     "较 0 分的风险可证明优惠 = LGD × (0 分时的 PD − 该笔贷款的 PD)，按积分档列出，合计行为全部贷款的平均；"
     "风险降低可支付的让利 = 用信余额 × 截取到 0 与优惠之间的较 0 分的风险可证明优惠（万元/年），补贴 = 让利利息 − 风险降低可支付的让利。"
     "PD 来自在同一批贷款上拟合的模型（样本内）。",
     "Report 05. Risk-justified discount per 100 points = LGD × the mean over borrowers of PD(points) − PD(points + "
     "100), compared with the policy's discount per 100 points; risk-justified discount against 0 points = LGD × (PD "
     "at 0 points − the loan's PD), listed per points band, the total row the mean over all loans; risk-paid interest "
     "= drawn balance × the risk-justified discount against 0 points held between 0 and the discount (× 10,000 yuan a year), "
     "and subsidy = interest forgone − risk-paid interest. The PD is the model's, fitted on the same loans (in sample)."),
    ("样本外 / 样本内", "out of sample / in sample", "样本外：用未参与拟合的农户检验模型所得的数字（交叉验证、折外同义）；样本内：在拟合所用的同一批农户上算出的数字，偏乐观，只作参考。",
     "Out of sample: a figure measured on households not used to fit the model (cross-validated, out of fold: the "
     "same); in sample: measured on the households the model was fitted on, optimistic, for reference only."),
    ("万元", "10,000 yuan", "金额单位，1 万元 = 10,000 元。", "Unit of money: 1 万元 = 10,000 yuan."),
]


#: Where each report's fixed thresholds are worded: report -> the functions (``module:name``,
#: each ``f(lang) -> {placeholder: words}``) that read them from their homes and write them as
#: the report's pages do. Each function's docstring names every constant it reads:
#:
#: - 01, :func:`calib.report.findings.quality.threshold_words`: the quarantine share
#:   (``findings.quality.MAX_QUARANTINE_SHARE``) and the default profiling rule (``credit_village``);
#: - 02, :func:`calib.report.findings.consensus.threshold_words`: ICC(A,k)'s good reliability
#:   (``findings.consensus.ICC_GOOD``), the partiality FDR, the shift threshold, the identifiable
#:   component and Krippendorff's grid (``calib.consensus``);
#: - 03, :func:`_cluster_words` (the gap drivers' wild bootstrap) and
#:   :func:`calib.report.findings.compare.threshold_words`: the CCC and kappa verdicts' bounds, the
#:   level and critical value the cusum linearity test is stated at;
#: - 04, :func:`_cluster_words` (``calib._stats.FEW_CLUSTERS``, ``WEBB_MAX_CLUSTERS``) and
#:   :func:`calib.report.findings.scorecard.threshold_words`: the traffic light, the PSI reading,
#:   the calibration tests' and the sign warnings' levels, the AUC gain, the folds, the IV reading;
#: - 05, :func:`_cluster_words` and :func:`calib.report.findings.pricing.threshold_words`: the
#:   inflation z, the rates reproduced and their tolerance, the bootstrap's villages, the chart's
#:   loans, the sensitivity grid;
#: - 07, :func:`calib.monitoring.display.default_words`: the monitoring block's defaults, the
#:   trend's as-of dates, the current card's PSI bands.
#:
#: Report 06 states parameters only. The glossary states report 04's traffic light and PSI
#: reading (:func:`calib.report.findings.scorecard.light_words`). The label catalogue fills the
#: same placeholders in a column's or a metric's name (:func:`fixed_words_for`).
FIXED_WORDS: dict[str, tuple[str, ...]] = {
    "01": ("calib.report.findings.quality:threshold_words",),
    "02": ("calib.report.findings.consensus:threshold_words",),
    "03": ("calib.report.methods:_cluster_words", "calib.report.findings.compare:threshold_words"),
    "04": ("calib.report.methods:_cluster_words", "calib.report.findings.scorecard:threshold_words"),
    "05": ("calib.report.methods:_cluster_words", "calib.report.findings.pricing:threshold_words"),
    "07": ("calib.monitoring.display:default_words",),
}

_GLOSSARY_WORDS = ("calib.report.findings.scorecard:light_words",)


def _cluster_words(lang: str | None = None) -> dict[str, str]:
    """The clustered inference's village counts (:mod:`calib._stats`), as reports 03, 04 and 05
    state them: ``few_clusters`` (:data:`calib._stats.FEW_CLUSTERS`, below which the wild cluster
    bootstrap is reported too), ``wild_clusters_max`` (the most villages it is reported for,
    one fewer) and ``webb_max_clusters`` (:data:`calib._stats.WEBB_MAX_CLUSTERS`, up to which it
    uses Webb's six-point weights)."""
    from calib import _stats
    from calib.report import fmt

    return {"few_clusters": fmt.count(_stats.FEW_CLUSTERS), "wild_clusters_max": fmt.count(_stats.FEW_CLUSTERS - 1),
            "webb_max_clusters": fmt.count(_stats.WEBB_MAX_CLUSTERS)}


#: Report 05's recommended schedule when the run's schedule is banded (its recommendation is
#: searched in bands, :func:`calib.pricing.schedule_form`); METHODS states the step search.
_RECOMMEND_BANDS_05: tuple[str, str] = (
    "现行方案为分档方案，推荐方案也分档：在保持现行基准利率、最低利率与优惠上限不变的前提下，每 {band_width} 分一档（参数中的积分档宽），"
    "各档取其较 0 分的风险可证明优惠的按贷款笔数加权的单调（保序回归）拟合，最低档以上各档再加同一政策加点，取最大的加点，"
    "使每年补贴不超过参数中的积分贷补贴预算，且优惠不使任何积分档的利率降到成本底线以下（不加点补贴仍超预算时各档优惠同减）。"
    "分档方案没有每 100 分优惠：推荐方案的大小以最高档优惠计，与现行最高档比较。"
    "在基准利率下就已低于成本底线的积分档不得有任何优惠：其利率保持基准利率，仍低于成本，需要调整的是基准利率；"
    "各档优惠随积分单调不减，因此这类积分档及积分更低的各档推荐优惠只能为 0。"
    "推荐方案因此不保证各档都覆盖成本（各档是否覆盖见“推荐利率覆盖成本”列）；页面注明起约束作用的条件。预算由银行在参数中给定。",
    "The current schedule is banded, so the recommendation is too: keeping the current base rate, floor rate and maximum discount, one band every {band_width} {band_width, plural, one {point} other {points}} (the parameters' band width), "
    "each band the loan-weighted monotone (isotonic) fit of its risk-justified discount against 0 points, every band above the lowest plus one policy add-on, the largest whose "
    "yearly subsidy stays within the points-loan subsidy budget of the parameters and whose discount pushes no points band below the cost floor (when even no add-on exceeds the budget, every band is lowered by the same amount). "
    "A banded schedule has no discount per 100 points: the recommendation's size is its top band's discount, compared with the current top band's. "
    "A band already below the floor at the base rate may get no discount at all: its rate stays at the base rate, still below cost, and it is the base rate that needs revising; "
    "the discounts never fall as points rise, so such a band and every band with fewer points can only be recommended 0. "
    "The recommended schedule therefore does not make every band cover its cost (the column Recommended rate covers cost says which do); the page names the binding constraint. The budget is the bank's figure in the parameters.",
)


def _recommend_texts(params) -> dict[str, tuple[str, str]]:
    """Report 05's entries that follow the search the run made: a banded schedule's
    recommendation in bands (:data:`_RECOMMEND_BANDS_05`, with the parameters' band width)."""
    from calib.params.schema import PointsLoan
    from calib.pricing.recommend import schedule_form
    from calib.report import fmt

    pl = params.points_loan if params is not None else PointsLoan()
    if schedule_form(pl.schedule) == "step":
        return {}
    width = fmt.points(pl.band_width)
    return {"推荐方案": tuple(format_text(x, {"band_width": width}, lg) for x, lg in zip(_RECOMMEND_BANDS_05, LANGS))}


#: Report -> its entries (by Chinese term) that the run's parameters word otherwise than
#: :data:`METHODS` (called with the parameters).
_RUN_TEXTS = {"05": _recommend_texts}


def _words_of(src: str, lang: str) -> dict[str, str]:
    """The words one function of :data:`FIXED_WORDS` (``"module:function"``) gives, read now."""
    module, name = src.split(":")
    return getattr(import_module(module), name)(lang)


def _collect(sources: tuple[str, ...], lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for src in sources:
        words = _words_of(src, lang)
        clash = set(out) & set(words)
        if clash:  # one placeholder, one value
            raise ValueError(f"fixed words: {src} repeats {sorted(clash)}")
        out.update(words)
    return out


def fixed_words(report: str | None = None, lang: str | None = None) -> dict[str, str]:
    """The fixed thresholds a report's texts state, as its pages write them (:data:`FIXED_WORDS`).

    Each value is read from the threshold's home when called (a constant changed, the appendix
    follows) and formatted as the report's conclusions write it.

    Parameters
    ----------
    report : str, optional
        ``"01"`` .. ``"07"``; None: every report's (the placeholders never clash).
    lang : {"zh-CN", "en"}, optional
        Default: the current language of :mod:`calib.report.labels`.

    Returns
    -------
    dict of str
        Placeholder -> words (``{"quarantine_max": "1.00%", ...}``); empty for a report that
        states parameters only.

    Examples
    --------
    >>> fixed_words("02", "en")["partiality_fdr"], fixed_words("07", "zh-CN")["score_steps"]
    ('5%', '六')
    """
    lang = lang or get_lang()
    if report is not None:
        return _collect(FIXED_WORDS.get(str(report)[:2], ()), lang)
    return _collect(tuple(dict.fromkeys(s for r in sorted(FIXED_WORDS) for s in FIXED_WORDS[r])), lang)


def fixed_words_for(names: Iterable[str], lang: str | None = None) -> dict[str, str]:
    """The words of the fixed thresholds named in ``names``, for a label that states them (a
    column's or a metric's name in :mod:`calib.report.labels`).

    The same words as :func:`fixed_words`, read from the homes when called; only the functions
    of :data:`FIXED_WORDS` up to the last one needed are called (a report's kernel does not
    import another report's statistics for one column name).

    Parameters
    ----------
    names : iterable of str
        Placeholders; those that name no fixed threshold are left out of the result.
    lang : {"zh-CN", "en"}, optional
        Default: the current language of :mod:`calib.report.labels`.

    Returns
    -------
    dict of str
        Placeholder -> words, for the names that are fixed thresholds.

    Examples
    --------
    >>> fixed_words_for({"shift_threshold", "n"}, "en")
    {'shift_threshold': '10%'}
    """
    lang = lang or get_lang()
    wanted, out = set(names), {}
    for src in dict.fromkeys(s for r in sorted(FIXED_WORDS) for s in FIXED_WORDS[r]):
        if wanted <= set(out):
            break
        if src in _NAMES and not _NAMES[src] & wanted:
            continue
        words = _words_of(src, lang)
        _NAMES[src] = frozenset(words)
        out.update({k: v for k, v in words.items() if k in wanted})
    return out


#: The placeholders each function of :data:`FIXED_WORDS` fills, as met (the names never change;
#: the words are read from the homes at every call).
_NAMES: dict[str, frozenset[str]] = {}


def _e(s: str) -> str:
    return html.escape(s)


def methods_appendix(report: str, lang: str | None = None, params=None) -> HTML:
    """The methods appendix of report ``report`` (``"01"`` .. ``"07"``) as an escaped block.

    Parameters
    ----------
    report : str
        The report's number (the first two characters of its notebook name).
    lang : {"zh-CN", "en"}, optional
        Default: the current language of :mod:`calib.report.labels`.
    params : calib.params.Params, optional
        The run's parameters: the thresholds the texts state are this run's
        (:func:`calib.report.words.param_words`); None states the defaults. The fixed thresholds
        come from :func:`fixed_words`.
    """
    from calib.report.words import param_words

    lang = lang or get_lang()
    en = lang == "en"
    values = {**param_words(params, lang), **fixed_words(report, lang)}
    run = _RUN_TEXTS[str(report)[:2]](params) if str(report)[:2] in _RUN_TEXTS else {}
    rows = [(term, tuple(format_text(x, values, lg) for x, lg in zip(run.get(term[0], text), LANGS)))  # (zh, en)
            for term, text in METHODS[str(report)[:2]]]
    title = "Methods appendix" if en else "方法附录"
    items = "".join(f"<dt><b>{_e(term[en])}</b></dt><dd>{_e(text[en])}</dd>" for term, text in rows)
    foot = ("Terms: see glossary.html in this bundle." if en else "术语见本报告包内的 glossary.html。")
    body = (f'{CSS}<section id="methods" class="calib-text"><h2>{_e(title)}</h2><dl>{items}</dl>'
            f'<p class="calib-note">{_e(foot)}</p></section>')
    plain = "\n".join(f"{term[en]}: {text[en]}" for term, text in rows)
    return HTML(body, plain)


def glossary_page(lang: str | None = None) -> str:
    """The bundle's ``glossary.html``: every term with its definition (offline, escaped); the
    thresholds the definitions state are filled from their homes (report 04's traffic light and
    PSI reading)."""
    lang = lang or get_lang()
    en = lang == "en"
    values = _collect(_GLOSSARY_WORDS, lang)
    title = "Glossary" if en else "术语表"
    rows = "".join(f"<tr><td>{_e(zh)}</td><td>{_e(eng)}</td><td>{_e((den if en else dzh).format_map(values))}</td></tr>"
                   for zh, eng, dzh, den in GLOSSARY)
    head = ("<th>中文</th><th>English</th><th>Definition</th>" if en
            else "<th>中文</th><th>English</th><th>释义</th>")
    return (f'<!DOCTYPE html><html lang="{"en" if en else "zh-CN"}"><head><meta charset="utf-8">'
            f"<title>{_e(title)}</title>{CSS}</head><body><h1>{_e(title)}</h1>"
            f'<div class="calib-table-wrap"><table class="calib-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div></body></html>")
