"""Catalogue texts of report 05 (points-loan discount)."""
from __future__ import annotations

from calib.report._terms import _PER_100_BANDS, _WILD_MISSING

TEXTS_05: dict[str, tuple[str, str]] = {
    # the points model tests one term: the wild bootstrap's own reason (calib.report._terms) after it
    "nb05.missing_wild": ("只检验积分项，且" + _WILD_MISSING[0], "for the points term only, and " + _WILD_MISSING[1]),
    "nb05.title": ("积分贷：积分利率优惠是否有风险依据", "Points loan: is the points discount risk-justified?"),
    "nb05.intro": (
        "本报告回答：推荐怎样的积分优惠方案，其每年成本与补贴预算相比如何。积分贷按村里的文明积分降低利率（本次方案见下）。"
        "报告检验积分高的农户是否违约更少、预期损失低多少、现行方案花费多少，以及证据与补贴预算支持怎样的方案。"
        "全部计算只用贷款、积分与评议评分，不显示任何个人信息。",
        "This report answers which discount schedule to recommend and what it costs a year against the subsidy "
        "budget. The points loan lowers the rate by the village's civic points (this run's schedule below). "
        "It asks whether households with more points default less, by how much in expected "
        "loss, what the schedule costs and which schedule the evidence and the budget support. No personal data is shown."),
    "nb05.setup": (
        "本次参数：{schedule}；违约损失率 LGD {lgd}，资金成本 {funding}，运营成本 {operating}；补贴预算每年 {budget}。",
        "Parameters: {schedule}; LGD {lgd}, funding cost {funding}, operating "
        "cost {operating}; subsidy budget {budget} a year."),
    "nb05.policy_bands": ("{policy}（" + _PER_100_BANDS[0] + "）", "{policy} (" + _PER_100_BANDS[1] + ")"),
    # what the policy's discount per 100 points is, said once where the discount section defines
    # it: nothing for a step schedule (its own figure), the conversion for a banded one
    "nb05.discount.policy_bands": ("（" + _PER_100_BANDS[0] + "）", " (" + _PER_100_BANDS[1] + ")"),
    "nb05.period.h": ("贷款定价所用的积分期", "Which points priced the loans"),
    "nb05.period.text": (
        "积分按期记录。把每笔贷款的合同利率与各期积分按方案算出的利率比较：能复现合同利率的那一期就是银行定价所用的积分期，下文全部使用该期。"
        "没有积分记录的农户按 0 分（基准利率）定价；违约模型把它们单独标记（无积分记录），不当作真正的 0 分农户。",
        "Points are recorded per period. The booked rate of every loan is compared with the schedule's rate at each "
        "period's points: the period that reproduces the booked rates is the one the bank priced with, and every "
        "figure below uses it. Loans without a points record were priced at 0 points; the PD model flags them "
        "rather than reading them as genuine 0-point borrowers."),
    "nb05.period.summary": (
        "贷款 {loans} 笔，违约 {defaults} 笔，按 {period} 年积分定价（复现合同利率 {share}）；无积分记录的贷款 {no_points} 笔。",
        "{loans} {loans, plural, one {loan} other {loans}}, {defaults} {defaults, plural, one {default} other {defaults}}, priced on the {period} points ({share} of booked rates reproduced); "
        "{no_points} {no_points, plural, one {loan} other {loans}} without a points record."),
    "nb05.inflation.h": ("各村积分与积分虚高迹象", "Points by village and signs of point inflation"),
    "nb05.inflation.text": (
        "积分由各村评定，村里可能虚高积分（从而抬高农户的优惠）。对最新一期，每村积分中位数及其农户积分较上期的增长中位数，"
        "用稳健 z 分数（中位数与 MAD；大于 {inflation_z} 标记，Iglewicz & Hoaglin）与其他村比较。积分水平高本身可能只是村风好；增长过快更值得注意。"
        "被标记的村在采信其优惠之前应先核查积分评定过程。各村完整数据见 `points_by_village.xlsx`。",
        "Points are awarded by each village, so a village can inflate them. For the latest period each village's "
        "median points and the median growth of its households' points are compared with the other villages by a "
        "robust z-score (median and MAD; flag above {inflation_z}, Iglewicz and Hoaglin). A high level alone can be a good "
        "village; fast growth is the telling sign. Every village is in `points_by_village.xlsx`."),
    "nb05.inflation.summary": (
        "共 {villages} 个村；疑似积分虚高被标记的村 {flagged} 个：{names}。",
        "{villages} {villages, plural, one {village} other {villages}}; flagged for possible inflation: {flagged} ({names})."),
    "nb05.plot.villages_title": ("最新一期各村农户积分（红色：疑似积分虚高）", "Points per household by village, latest period (red: flagged)"),
    "nb05.plot.villages_x": ("行政村（按积分中位数排序）", "villages (sorted by median points)"),
    "nb05.plot.points_y": ("积分（{period} 年）", "points ({period})"),
    "nb05.bands.h": ("各积分档的违约率", "Default rate by points band"),
    "nb05.bands.text": (
        "每档贷款的实际违约率及其 95% Jeffreys 区间（Beta(D + 1/2, N − D + 1/2)，欧洲央行验证指引所用区间）。每档违约很少时区间很宽："
        "单档违约率说明不了什么，所以下文用模型在全部积分档上估计优惠。",
        "The observed default rate of each band with its 95% Jeffreys interval (Beta(D + 1/2, N - D + 1/2), the "
        "interval of the ECB validation instructions). With few defaults per band the intervals are wide, which is "
        "why the discount is estimated by a model across all bands below."),
    "nb05.plot.bands_title": ("各积分档实际违约率（{period} 年积分）", "Observed default rate by points band ({period} points)"),
    "nb05.plot.bands_x": ("积分档", "points band"),
    "nb05.plot.observed": ("实际违约率（Jeffreys 95% 区间）", "observed (Jeffreys 95%)"),
    "nb05.plot.modelled": ("模型 PD", "modelled PD"),
    "nb05.plot.clipped": ("纵轴按贷款不少于 {axis_min_loans} 笔的档位确定（上限 {top}）；更小档位的区间被截断",
                          "y axis fitted to bands with at least {axis_min_loans} {axis_min_loans, plural, one {loan} other {loans}} (top {top}); wider intervals of smaller bands are clipped"),
    "nb05.discount.h": ("每 100 分风险可证明的优惠与政策优惠", "The risk-justified discount per 100 points against the policy"),
    "nb05.discount.text": (
        "违约对积分（每 100 分）的逻辑回归，控制银行可观察且不由积分派生的变量：评议诚信与经营评分均值、户主年龄、无积分记录标记"
        "（模型分与等级可能已用到积分，不纳入）。每 100 分风险可证明的优惠 = LGD × 借款人平均的 [PD(积分) − PD(积分 + 100)]："
        "即多 100 分所节省的预期损失，与政策的每 100 分优惠{policy_is}比较（下文按积分档给出的“较 0 分的风险可证明优惠”是另一个量：该档相对 0 分的预期损失差）。"
        "95% 区间按村整体重抽样（同村违约相关）并每次重新拟合。结论判读：\n\n"
        "- **有风险依据**：政策每 100 分的优惠落在不含 0 的区间内；\n"
        "- **补贴**：政策优惠超过区间上限，超出部分是补贴；\n"
        "- **低于风险**：政策优惠小于多 100 分所节省的预期损失；\n"
        "- **无法区分**：政策在区间内，但 0 也在区间内：以现有违约数据，无法区分有风险依据的优惠与毫无风险差异。",
        "A logistic model of default on points (per 100) with controls the bank observes that are not derived from "
        "points: mean integrity and business ratings, the head's age and the no-points flag. The risk-justified "
        "discount per 100 points is LGD x the average over borrowers of PD(points) - PD(points + 100), compared with "
        "the policy's discount per 100 points{policy_is} (the risk-justified discount against 0 points given per band below is "
        "another quantity: a band's expected loss below that at 0 points). Its 95% interval resamples whole villages "
        "and refits each time. Reading the verdict:\n\n"
        "- **risk-justified**: the policy lies inside an interval that excludes zero;\n"
        "- **subsidised**: the policy gives more than the interval's upper end: the excess is a subsidy;\n"
        "- **below risk**: the policy gives less than points save in expected loss;\n"
        "- **cannot be told apart**: the policy is inside the interval but so is zero."),
    "nb05.discount.summary": (
        "每 100 分风险可证明的优惠 {est}（95% 区间 {ci}）；政策 {policy}：{verdict}。估计为负表示模型中积分越高违约概率反而略高，"
        "但区间包含 0，这一方向并不可靠。",
        "Risk-justified discount {est} per 100 points (95% interval {ci}); policy {policy}: {verdict}. A negative "
        "estimate means that in the model more points go with a slightly higher PD; the interval contains 0, so "
        "that direction is not reliable."),
    "nb05.plot.discount_title": ("每 100 分风险可证明的优惠：自助法、区间与政策", "Risk-justified discount per 100 points: bootstrap, interval and policy"),
    "nb05.plot.discount_x": ("每 100 分风险可证明的优惠（百分点）", "risk-justified discount per 100 points (percentage points)"),
    "nb05.plot.replicates": ("重抽样次数", "replicates"),
    "nb05.plot.boot": ("自助法重抽样", "bootstrap replicates"),
    "nb05.plot.interval": ("95% 区间", "95% interval"),
    "nb05.plot.estimate": ("估计值", "estimate"),
    "nb05.plot.policy": ("政策", "policy"),
    "nb05.plot.policy_bands": ("政策（" + _PER_100_BANDS[0] + "）", "policy (" + _PER_100_BANDS[1] + ")"),
    "nb05.cost.h": ("现行方案的成本", "What the current schedule costs"),
    "nb05.cost.text": (
        "按积分档：方案的平均优惠与利率、模型 PD、较 0 分的风险可证明优惠（LGD × (0 分时的 PD − 该档 PD)：该档比 0 分农户少的预期损失）、"
        "平均优惠中的补贴部分（利率：优惠减去截取到 0 与优惠之间的较 0 分的风险可证明优惠）、较模型风险价格少收（逐笔计算用信余额 × (优惠 − 较 0 分的风险可证明优惠) 后加总），"
        "以及利率是否仍覆盖资金 + 运营成本 + 预期损失（覆盖成本，底线规则）。"
        "比率各列（优惠、利率、违约率、PD 等）是各笔贷款的简单平均（每笔权重相同）；金额各列是每年的金额（万元），逐笔以该笔用信余额乘以该笔的比率后加总，余额大的贷款分量更重，"
        "因此金额一般不等于平均比率乘以用信余额（例如补贴金额不等于平均优惠中的补贴部分乘以用信余额）。最后一行为合计：比率是全部贷款的简单平均，金额是全部贷款之和。"
        "让利利息是优惠让出的全部利息；风险降低可支付的让利是其中由较低预期损失抵偿的部分；补贴是其余部分。\n\n"
        "**样本内**：模型 PD 来自在这 {loans} 笔贷款上拟合的违约模型（上节），覆盖成本所需利率、是否覆盖成本和不覆盖成本的积分档数都用这一 PD，"
        "是样本内的数字；资金成本、运营成本与 LGD 是参数中的假设值。",
        "Per band: the schedule's mean discount and rate, the modelled PD, the risk-justified discount against 0 "
        "points (LGD x (PD at 0 points - the band's PD): the expected loss the band saves against 0-point "
        "households), the subsidised part of the mean discount (a rate: the discount minus the risk-justified discount "
        "against 0 points held between 0 and the discount), the shortfall against the modelled risk price (drawn x (discount - "
        "risk-justified discount against 0 points), loan by loan, summed), and whether the rate still covers funding + operating cost + "
        "expected loss. The ratio columns (discounts, rates, default rate, PD and the like) are plain means over loans (each loan weighs the same); the money "
        "columns are yearly amounts in 10,000 yuan, each loan's drawn balance times its own "
        "ratio, summed, so larger balances weigh more and an amount is in general not the mean ratio times the "
        "drawn balance (the subsidy amount is not the subsidised part of the mean discount times the drawn balance). The last row is the total: its ratios the "
        "plain mean over all loans, its amounts the sums. Interest forgone is what the discount gives away; the part lower expected loss pays for "
        "is the risk-paid interest; the rest is subsidy.\n\n"
        "**In sample**: the modelled PD comes from the default model fitted on {loans, plural, one {this} other {these}} {loans} {loans, plural, one {loan} other {loans}} (previous "
        "section); the rate covering cost, whether a band covers it and the count of bands below cost all use it "
        "and are in-sample figures; funding cost, operating cost and LGD are the parameters' assumptions."),
    "nb05.cost.summary": (
        "现行方案每年让利利息 {forgone}，其中风险降低可支付的让利 {paid}，其余 {subsidy}为补贴（让利利息 = 风险降低可支付的让利 + 补贴，补贴不会超过让利利息）；"
        "现行利率下不覆盖成本的积分档 {below} / {bands}（样本内）。\n\n"
        "这些金额是点估计：较 0 分的风险可证明优惠在全部贷款上平均为 {justified}（上表合计行）；逐笔计算风险降低可支付的让利时，"
        "该优惠截取在 0 与该笔优惠之间（为负时计为 0）。上文的结论（{verdict}）看的是区间：每 100 分风险可证明的优惠的 95% 区间为 {ci}。"
        "在按村自助法的每次重抽样中重算，现行方案每年补贴的 95% 区间为 {sub_ci}（点估计 {subsidy}{at_top}）。"
        "让利利息 {forgone}不随重抽样变化，风险降低可支付的让利 = 让利利息 − 补贴：点估计把这一部分计为 {paid}，按区间它可能多达 {paid_high}，"
        "即补贴可能低至 {sub_low}。\n\n"
        "若按模型风险给各档定价，现行利率比风险价格合计每年{gap}（上表“较模型风险价格少收”列的合计{gap_sign}；较 0 分的风险可证明优惠为负时，"
        "它比让利利息多出的部分是模型估计的高积分档额外预期损失）。",
        "Interest forgone {forgone} a year, of which lower risk pays for {paid} (risk-paid interest) and the "
        "remaining {subsidy} is subsidy (interest forgone = risk-paid interest + subsidy, so the subsidy never "
        "exceeds the interest forgone); bands below cost at the current rates: {below} of {bands} (in sample).\n\n"
        "These amounts are point estimates: the risk-justified discount against 0 points averages {justified} over "
        "all loans (the table's total row); loan by loan the risk-paid interest holds it between 0 and the loan's "
        "discount (0 when negative). The verdict above ({verdict}) reads the interval: the risk-justified discount "
        "per 100 points has the 95% interval {ci}. Recomputed in every replicate of the village bootstrap, the "
        "current schedule's yearly subsidy has the 95% interval {sub_ci} (point estimate {subsidy}{at_top}). The "
        "interest forgone, {forgone}, does not change between replicates, and risk-paid interest = interest "
        "forgone - subsidy: the point estimate counts {paid} as risk-paid, the interval allows up to {paid_high}, "
        "so the subsidy may be as low as {sub_low}.\n\n"
        "Priced at the modelled risk of each band, the current rates collect {gap} the risk "
        "price (the total of the column short of the modelled risk price{gap_sign}; where the risk-justified discount "
        "against 0 points is negative, its excess over the interest forgone is the extra expected loss the model "
        "estimates for high-points bands)."),
    # the gap to the modelled risk price, by its sign (nb05.cost.summary's {gap} and {gap_sign})
    "nb05.gap.short": ("少收 {amount}", "{amount} a year less than"),
    "nb05.gap.over": ("多收 {amount}", "{amount} a year more than"),
    "nb05.gap.over_sign": ("，为负：现行利率高于风险价格", ", negative: the current rates are above the risk price"),
    "nb05.base_rate": (
        "基准利率 {base} 在 {n} / {of} 个积分档低于资金 + 运营成本 + 预期损失（样本内；{bands}）：任何积分优惠都不能使这些档覆盖成本，"
        "需要复核的是基准利率而非优惠。全部贷款合计的覆盖成本所需利率为 {book}（样本内，成本表合计行），{book_vs}",
        "The base rate {base} is below funding + operating cost + expected loss in {n} of {of} {of, plural, one {points band} other {points bands}} "
        "(in sample; {bands}): no points discount can make {n, plural, one {it cover its} other {them cover their}} cost, so the base rate, not the "
        "discount, needs revising. Over all loans the rate covering cost is {book} (in sample, the cost table's "
        "total row): {book_vs}"),
    "nb05.base_rate_ok": ("基准利率 {base} 在全部 {of} 个积分档覆盖成本（样本内）；全部贷款合计的覆盖成本所需利率为 {book}。",
                          "The base rate {base} covers cost in all {of} {of, plural, one {points band} other {points bands}} (in sample); over all loans the rate covering cost is {book}."),
    "nb05.book.above": ("高于基准利率 {base}：即使不给任何积分优惠，全部贷款合计也不覆盖成本。",
                        "above the base rate {base}: even without any points discount the loans as a whole do not cover their cost."),
    "nb05.book.within": ("不高于基准利率 {base}：不给积分优惠时，全部贷款合计覆盖成本。",
                         "not above the base rate {base}: without a points discount the loans as a whole cover their cost."),
    "nb05.c.recommend_cost": ("推荐方案每年补贴", "Yearly subsidy of the recommended schedule"),
    "nb05.c.current_fig2": ("补贴 {subsidy}（点估计；让利利息 {forgone} = 风险降低可支付的让利 {paid} + 补贴）",
                            "subsidy {subsidy} (point estimate; interest forgone {forgone} = risk-paid interest {paid} + subsidy)"),
    "nb05.c.current_rate": ("现行利率是否覆盖成本", "Do the current rates cover cost"),
    "nb05.c.current_rate_fig": ("现行利率下 {below} / {bands} 个积分档不覆盖（样本内）",
                                "{below} of {bands} {bands, plural, one {band} other {bands}} below cost at the current rates (in sample)"),
    "nb05.c.pinned": ("；区间两端相同：重抽样的推荐都在此值，由约束（{binding}）而非风险估计决定",
                      "; both ends of the interval equal: the bootstrap replicates recommend this value too, held by "
                      "the constraint ({binding}), not by the risk estimate"),
    "nb05.c.recommend_rule": ("与现行每 100 分 {now} 比较；约束：{binding}", "against the current {now} per 100 points; binding: {binding}"),
    "nb05.recommend.h": ("推荐方案", "Recommended schedule"),
    "nb05.recommend.step": (
        "同一形式（基准利率、积分步长、按比例优惠）中最大的方案，要求补贴（优惠中超出较 0 分的风险可证明优惠的部分）不超过参数中的补贴预算，"
        "且优惠不使任何积分档的利率降到资金 + 运营成本 + 预期损失（样本内模型 PD）以下（底线规则）。"
        "“约束”说明是什么限制了更大的优惠（补贴预算、成本底线、优惠上限或无）。若某些积分档在基准利率下就已不覆盖成本，底线规则不允许给它们任何优惠："
        "它们的利率保持基准利率、仍不覆盖成本，推荐方案并不使每档都覆盖成本（见下表“推荐利率覆盖成本”列）；"
        "每 100 分优惠对全部积分档同时适用，这类积分档中只要有会获得优惠的贷款，推荐优惠就只能为 0。"
        "这时需要调整的是基准利率，而不是积分优惠。推荐方案写入 `points_loan_schedule.yaml`，审核后可用于参数文件。",
        "The largest schedule of the same form whose subsidy (the discount beyond the risk-justified discount "
        "against 0 points) stays within the subsidy budget and whose discount pushes no band's rate below funding + "
        "operating cost + expected loss (in-sample modelled PD; the floor rule). Binding says what stopped a larger "
        "discount (budget, floor, cap or none). When bands fail the floor already at the base rate, the floor rule "
        "allows them no discount: their rate stays at the base rate, still below cost, so the recommended schedule "
        "does not make every band cover its cost (the column Recommended rate covers cost below); the discount per "
        "100 points applies to every band at once, so when such a band holds a loan the discount would reach, the "
        "recommended discount can only be 0. Then the base rate, not the points discount, needs revising. The "
        "recommendation is written to `points_loan_schedule.yaml`, ready for the parameter file after review."),
    "nb05.recommend.bands": (
        "现行方案为分档方案，推荐方案也分档（基准利率、最低利率与优惠上限不变）：每 {width} 分一档，各档取其较 0 分的风险可证明优惠"
        "（按贷款笔数加权、随积分单调不减），最低档以上各档再加同一政策加点。加点取最大，要求补贴（优惠中超出较 0 分的风险可证明优惠的部分）"
        "不超过参数中的补贴预算，且优惠不使任何积分档的利率降到资金 + 运营成本 + 预期损失（样本内模型 PD）以下（底线规则）；"
        "不加点补贴仍超预算时，各档优惠同减。分档方案没有每 100 分优惠，推荐方案的大小以最高档优惠计。"
        "“约束”说明是什么限制了更大的优惠（补贴预算、成本底线、优惠上限或无）。若某些积分档在基准利率下就已不覆盖成本，底线规则不允许给它们任何优惠："
        "它们的利率保持基准利率、仍不覆盖成本，推荐方案并不使每档都覆盖成本（见下表“推荐利率覆盖成本”列）；"
        "各档优惠随积分单调不减，这类积分档及积分更低的各档推荐优惠都只能为 0。"
        "这时需要调整的是基准利率，而不是积分优惠。推荐方案写入 `points_loan_schedule.yaml`，审核后可用于参数文件。",
        "The current schedule is banded, so the recommendation is too (base rate, floor rate and maximum discount "
        "kept): one band every {width} {width, plural, one {point} other {points}}, each band its risk-justified discount against 0 points (loan-weighted, "
        "non-decreasing in points), every band above the lowest plus one policy add-on. The add-on is the largest whose "
        "subsidy (the discount beyond the risk-justified discount against 0 points) stays within the subsidy budget "
        "and whose discount pushes no band's rate below funding + operating cost + expected loss (in-sample modelled "
        "PD; the floor rule); when even no add-on exceeds the budget, every band is lowered by the same amount. A "
        "banded schedule has no discount per 100 points: the recommendation's size is its top band's discount. "
        "Binding says what stopped a larger discount (budget, floor, cap or none). When bands fail the floor already "
        "at the base rate, the floor rule allows them no discount: their rate stays at the base rate, still below "
        "cost, so the recommended schedule does not make every band cover its cost (the column Recommended rate "
        "covers cost below); the discounts never fall as points rise, so such a band and every band with fewer "
        "points can only be recommended 0. Then the base rate, not the points discount, needs revising. The "
        "recommendation is written to `points_loan_schedule.yaml`, ready for the parameter file after review."),
    # a banded schedule's "per 100 points" column (the summary, the sensitivity): none, whatever its size
    "nb05.missing_per_100_bands": ("分档方案没有每 100 分优惠，见“最高优惠”", "a banded schedule has no discount per 100 points: see Top discount"),
    "nb05.recommend.summary": (
        "推荐方案：最高优惠 {top}，每年补贴 {subsidy}；约束：{binding}。",
        "The recommended schedule: top discount {top}, subsidy {subsidy} a year; binding: {binding}."),
    "nb05.sensitivity.h": ("对 LGD 与用信弹性的敏感性", "Sensitivity to LGD and uptake"),
    "nb05.sensitivity.text": (
        "在违约损失率（{sensitivity_lgd}）与用信弹性（利率每降 1 个百分点用信余额增加的比例：{sensitivity_uptake}）下重新推荐，PD 模型不变。"
        "若推荐随合理的 LGD 变化很大，采用前需要更好的 LGD 估计。",
        "The recommendation re-run over LGD ({sensitivity_lgd}) and the uptake assumption ({sensitivity_uptake}), with the same "
        "PD model. A recommendation that changes a lot across plausible LGDs needs a better LGD estimate first."),
    "nb05.caveats.h": ("注意事项", "Caveats"),
    "nb05.caveats.text": (
        "- 优惠估计是**预测性的，不是因果的**：积分可能授予本来风险就低的农户，也可能改变其行为；估计回答的是多 100 分的农户预期损失低多少（定价需要的），不是提高某户积分会怎样。\n"
        "- 虚高积分村的积分风险信息更少：被标记的村把估计拉向 0，并得到其风险未必支持的优惠。\n"
        "- 违约很少：结论在区间，不在点估计。模型只控制了评议与花名册记录的信息。",
        "- The discount is **predictive, not causal**: points may go to households that were better risks anyway, or "
        "change behaviour; the estimate says how much lower the expected loss of a household with 100 more points "
        "is, which is what pricing needs.\n"
        "- Points inflated in some villages carry less risk information: flagged villages pull the estimate towards "
        "zero and receive discounts their risk may not justify.\n"
        "- Defaults are few; the interval, not the point estimate, is the finding."),
    "nb05.check": (
        "贷款 {loans} 笔，违约 {defaults} 笔，定价积分期 {period}，标记村 {flagged} 个；每 100 分风险可证明的优惠 {est}，区间 {ci}，政策 {policy}：{verdict}；"
        "现行方案让利利息 {forgone}，补贴 {subsidy}；不覆盖成本的积分档（样本内）：现行利率下 {below} / {bands}，基准利率 {base} 下 {below_base} / {bands}",
        "loans {loans}, defaults {defaults}, pricing period {period}, villages flagged {flagged}; risk-justified "
        "discount per 100 points {est}, interval {ci}, policy {policy}: {verdict}; current schedule's interest "
        "forgone {forgone}, subsidy {subsidy}; bands below cost (in sample): {below} of {bands} at the current "
        "rates, {below_base} of {bands} at the base rate {base}"),
    "nb05.c.justified": ("每 100 分风险可证明的优惠", "Risk-justified discount per 100 points"),
    "nb05.c.justified_fig": ("{est}（村级自助法）", "{est} (village bootstrap)"),
    "nb05.c.justified_rule": ("与政策每 100 分 {policy} 比较", "against the policy's {policy} per 100 points"),
    "nb05.c.recommend": ("推荐方案的每 100 分优惠", "Recommended schedule's discount per 100 points"),
    "nb05.c.recommend_bands": ("推荐方案的最高档优惠", "Recommended schedule's top-band discount"),
    "nb05.c.recommend_rule_bands": ("与现行最高档 {now} 比较；约束：{binding}", "against the current top band's {now}; binding: {binding}"),
    "nb05.c.budget_rule": ("补贴 ≤ 预算 {budget}/年（参数：积分贷补贴预算）", "subsidy ≤ budget {budget}/year (parameter: points-loan subsidy budget)"),
    "nb05.c.current": ("现行方案每年成本", "Yearly cost of the current schedule"),
    "nb05.c.base": ("基准利率是否覆盖成本", "Does the base rate cover cost"),
    "nb05.c.base_fig": ("基准利率 {base} 下 {below} / {bands} 个积分档不覆盖（样本内）；全部贷款覆盖成本需 {book}",
                        "{below} of {bands} {bands, plural, one {band} other {bands}} below cost at the base rate {base} (in sample); all loans need {book} to cover cost"),
    "nb05.c.base_rule": ("利率 ≥ 资金 + 运营成本 + 预期损失（底线规则）", "rate ≥ funding + operating cost + expected loss (floor rule)"),
    "nb05.c.period": ("参数方案与合同利率", "The parameters' schedule against the booked rates"),
    "nb05.c.period_fig": ("{share} 的贷款（{period} 年积分）", "{share} of loans ({period} points)"),
    "nb05.c.period_rule": ("按参数方案复现合同利率的贷款 ≥ {min_reproduced}；否则下文成本按银行未采用的方案计算",
                           "booked rates reproduced by the parameters' schedule for ≥ {min_reproduced} of loans; otherwise the costs below are of a schedule the bank did not apply"),
    "nb05.period.mismatch": (
        "**注意**：按参数中的积分方案，{period} 年积分只复现了 {share} 的合同利率（各期中最高）。参数方案很可能不是银行为这些贷款定价所用的方案："
        "下文的让利、补贴与推荐方案都是按参数方案计算的，不是合同实际。请先核对参数表中的“积分贷 · 现行优惠方案”（{check}）。",
        "**Caution**: with the schedule in the parameters, the {period} points reproduce only {share} of the booked rates (the "
        "most of any period). The parameters' schedule is most likely not the one the bank priced these loans with: the "
        "interest forgone, subsidy and recommendation below are computed for the parameters' schedule, not the contracts. "
        "Check the parameter table's \"Points loan · Schedule in force\" ({check}) first."),
    # what to check of the schedule in force, by its form
    "nb05.period.check_step": ("基准利率、每档优惠、是否按比例", "base rate, discount per step, proportional"),
    "nb05.period.check_bands": ("基准利率、各档积分起点与优惠", "base rate, each band's starting points and discount"),
    "nb05.c.inflation": ("疑似积分虚高的村", "Villages flagged for point inflation"),
    "nb05.c.inflation_fig": ("{n} 个：{names}", "{n}: {names}"),
    "nb05.c.inflation_rule": ("稳健 z 分数 > {inflation_z}（Iglewicz & Hoaglin 1993）", "robust z > {inflation_z} (Iglewicz & Hoaglin 1993)"),
    # the summary line: the recommendation (a discount, or none), the current discount's verdict,
    # the base rate (below cost in some bands, or covering all)
    # the current schedule's subsidy: a point estimate, with its interval (at its top end: said so)
    # (inside the summary's brackets: no brackets of its own)
    "nb05.current_subsidy": ("{subsidy}，为点估计，95% 区间 {ci}", "{subsidy}, a point estimate with the 95% interval {ci}"),
    "nb05.current_subsidy_top": ("{subsidy}，为点估计，位于其 95% 区间 {ci} 的上端，数据不能排除补贴低至 {low}",
                                 "{subsidy}, a point estimate at the top of its 95% interval {ci}: the data cannot rule out a subsidy as low as {low}"),
    "nb05.at_top": ("，位于区间上端", ", at the interval's top end"),
    "nb05.summary": (
        "推荐每 100 分优惠 {step}，推荐方案每年补贴 {subsidy}（预算 {budget}；现行方案每年补贴 {current}）；"
        "现行优惠的风险依据：{verdict}（每 100 分风险可证明的优惠的 95% 区间 {ci}）；{base}",
        "Recommended {step} per 100 points, the recommended schedule's subsidy {subsidy} a year (budget {budget}; "
        "the current schedule's subsidy {current} a year); the current discount: {verdict} (95% interval of the "
        "risk-justified discount per 100 points {ci}); {base}"),
    "nb05.summary_bands": (
        "推荐分档优惠，最高档 {top}，推荐方案每年补贴 {subsidy}（预算 {budget}；现行方案每年补贴 {current}）；"
        "现行优惠的风险依据：{verdict}（每 100 分风险可证明的优惠的 95% 区间 {ci}）；{base}",
        "Recommended a banded discount, top band {top}, the recommended schedule's subsidy {subsidy} a year (budget {budget}; "
        "the current schedule's subsidy {current} a year); the current discount: {verdict} (95% interval of the "
        "risk-justified discount per 100 points {ci}); {base}"),
    "nb05.summary_none": (
        "不推荐积分优惠（约束：{binding}），推荐方案无需补贴（预算 {budget}；现行方案每年补贴 {current}）；"
        "现行优惠的风险依据：{verdict}（每 100 分风险可证明的优惠的 95% 区间 {ci}）；{base}",
        "No points discount is recommended (binding: {binding}), so the recommended schedule needs no subsidy "
        "(budget {budget}; the current schedule's subsidy {current} a year); the current discount: {verdict} (95% "
        "interval of the risk-justified discount per 100 points {ci}); {base}"),
    "nb05.summary.base": ("基准利率 {rate} 下 {below} / {bands} 个积分档不覆盖成本（样本内；全部贷款覆盖成本需 {book}），需复核基准利率。",
                          "at the base rate {rate} {below} of {bands} {bands, plural, one {band} other {bands}} {below, plural, one {is} other {are}} below cost (in sample; all loans need {book} to cover cost): revise the base rate."),
    "nb05.summary.base_ok": ("基准利率 {rate} 在全部 {bands} 个积分档覆盖成本（样本内）。",
                             "the base rate {rate} covers cost in all {bands} {bands, plural, one {band} other {bands}} (in sample)."),
}
