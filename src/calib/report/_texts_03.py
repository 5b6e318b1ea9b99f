"""Catalogue texts of report 03 (consensus against the model limit)."""
from __future__ import annotations

TEXTS_03: dict[str, tuple[str, str]] = {
    "nb03.title": ("公议额度与模型额度的比对（授信额度确认）", "Consensus against the model limit (limit confirmation)"),
    "nb03.intro": (
        "本报告回答：需要客户经理核查的农户有多少，调解政策使授信总额变化多少（整村授信第 4 步“授信额度确认”）。"
        "银行模型跑批为每户给出模型额度，与评议小组的公议额度比对，查找差额原因，确定最终额度。"
        "本报告衡量两者的一致程度、差额的成因、调解政策对总敞口的影响，并列出需核查的农户。",
        "This report answers how many households the account managers must investigate and how much the "
        "reconciliation policy changes the total limit (step 4, limit confirmation): the bank's batch model gives "
        "each household a model limit, compared with the panel's consensus limit; every gap is investigated and a "
        "final limit fixed. It measures agreement, what drives the gaps and what the policy does to exposure, and "
        "lists the households to investigate."),
    "rule.min": ("取两者较小值", "the smaller of the two"),
    "rule.consensus": ("取公议额度", "the consensus limit"),
    "rule.model": ("取模型额度", "the model limit"),
    "rule.blend": ("两者几何加权", "a geometric blend"),
    "nb03.reconcile.h": ("额度调解", "Reconciliation"),
    "nb03.reconcile.text": (
        "公议额度与报告 02 相同（同一参数）。每户最新一次模型跑批额度与公议额度比较：模型/公议比值在 [{low}, {high}] 之内时，"
        "最终额度按政策规则确定（本次为：{rule}）；超出调解区间或一方拒绝时，该户列入核查名单，核查期间执行临时额度。"
        "户内无合格成员（资格规则：年龄、走死逃亡、不良记录）的农户不授信、不列入核查（最终额度为 0），"
        "也不参与下文模型额度与公议额度的比较，户数另计。"
        "下表按处理原因列出从公议额度合计到最终额度合计的变化（各原因的额度变化相加等于全部行）；“归因”一列区分资格规则、调解区间内规则与核查期间的临时额度。",
        "The consensus limits are those of report 02 (same parameters). Each household's latest model run is "
        "compared with its consensus: inside the band [{low}, {high}] of model / consensus ratios the final limit "
        "follows the policy's rule ({rule}); outside it, or when one side declines, the household is listed for "
        "investigation and holds a provisional limit meanwhile. A household with no member meeting the eligibility "
        "rules (age, deceased or absconded, bad record) gets no credit, is not investigated (final limit 0) and "
        "is set apart from the comparison of the model and consensus limits below, counted on its own. "
        "The table goes from the total consensus to the total final limit by reason (the changes add up to the "
        "overall row); the cause column tells the eligibility rules, the rule inside the band and the provisional "
        "limits held while investigated apart."),
    "nb03.reconcile.summary": (
        "最终额度合计 {final}，为公议额度合计 {consensus}的 {ratio}（{change}）：按资格规则剔除 {elig}（{eligible_who}，"
        "属资格规则而非调解政策）；调解政策{policy}，其中调解区间内规则{band}，核查期间的临时额度{prov}{unconfirmed}。"
        "需核查的 {n_prov} 户在核查期间执行临时额度，合计 {prov_total}，已计入最终额度，核查后可能调整：其中比值超出调解区间的 {n_out} 户"
        "（模型高于调解区间 {n_above} 户、低于调解区间 {n_below} 户）合计 {prov_total_out}，一方拒绝的 {n_dec} 户合计 {prov_total_dec}。",
        "Total final limit {final}, {ratio} of the total consensus {consensus} ({change}): {elig} removed by the "
        "eligibility rules ({eligible_who}: the eligibility rules, not the policy); the policy {policy}, of which the "
        "rule inside the band {band} and the provisional limits while investigated {prov}{unconfirmed}. The {n_prov} "
        "{n_prov, plural, one {household} other {households}} to investigate {n_prov, plural, one {holds a provisional limit} other {hold provisional limits}} meanwhile, {prov_total} in all, counted in the final total "
        "and subject to change after the investigation: the {n_out} outside the band ({n_above} with the model above "
        "it, {n_below} below) {prov_total_out}, the {n_dec} where one side declines {prov_total_dec}."),
    "nb03.eligible_who": ("{n} 户户内无合格成员：白名单中 {n_wl} 户，另 {n_k} 户评议已拒绝、公议额度为 0{not_reviewed}",
                          "{n} {n, plural, one {household} other {households}} with no eligible member: {n_wl} white-listed, {n_k} declined by the panel "
                          "with a consensus of 0{not_reviewed}"),
    # only when some household with no eligible member was never reviewed (a model run only)
    "nb03.eligible_not_reviewed": ("，{n} 户未经评议、只有模型额度", ", {n} not reviewed (a model limit only)"),
    "nb03.reconcile.unconfirmed": ("，缺少一方额度未确认{amount}", ", one limit missing and not confirmed {amount}"),
    "nb03.grants.note": (
        "全部 {n_all} 户 = 上表 {n_table} 户（两方均有额度、户内有合格成员）+ 户内无合格成员的 {n_inel} 户{missing}。"
        "户内无合格成员的农户按资格规则另计：最终额度为 0，不在上表，也不计入本节的一致性统计与下节的差额原因回归"
        "（{n_inel} 户 = 白名单中的 {n_wl} 户 + 评议已拒绝的 {k} 户{not_reviewed}{both_limits}）。"
        "{declined}",
        "All {n_all} {n_all, plural, one {household} other {households}} = the table's {n_table} (both limits, an eligible member) + {n_inel} with no eligible "
        "member{missing}. Those with no eligible member are set apart by the eligibility rules: final limit 0, not in "
        "the table, and in neither the agreement figures of this section nor the gap drivers of the next ({n_inel} = "
        "{n_wl} white-listed + {k} declined by the panel{not_reviewed}{both_limits}). {declined}"),
    # the clauses of nb03.grants.note, each only when its count is not 0
    "nb03.grants.not_reviewed": (" + 未经评议的 {n} 户", " + {n} not reviewed"),
    "nb03.grants.both_limits": ("；其中两方均有额度的 {n} 户", "; {n} of them with both limits"),
    "nb03.grants.missing": (" + 缺少一方额度的 {n} 户", " + {n} with one limit missing"),
    # the note's last sentence: the table's declined households against report 02's, and what differs
    "nb03.grants.declined_same": ("上表评议拒绝 {n03} 户，与报告 02 相同。", " The table counts {n03} {n03, plural, one {household} other {households}} declined by the panel, as report 02 does."),
    "nb03.grants.declined_gap": ("上表评议拒绝 {n03} 户，报告 02 为 {n02} 户，相差的是{parts}。",
                                 " The table counts {n03} {n03, plural, one {household} other {households}} declined by the panel, report 02 {n02}: the difference is {parts}."),
    "nb03.grants.declined_ineligible": ("评议已拒绝、户内无合格成员的这 {n} 户", "{n, plural, one {this} other {these}} {n} declined with no eligible member"),
    "nb03.grants.declined_no_run": ("户内有合格成员但没有模型跑批的 {n} 户", "{n} with an eligible member but no model run"),
    "nb03.grants.and": ("与", " and "),
    "nb03.agreement.h": ("一致程度", "Agreement"),
    "nb03.agreement.text": (
        "比较的对象是两方均有额度、户内有合格成员的农户（户内无合格成员的农户按资格规则另计，户数见授信/拒绝表下的说明）。"
        "对数尺度的 Bland-Altman 分析（Bland & Altman 1999）：模型/公议比值对两者几何均值作图，给出平均比值（偏差）与 95% 一致性界限。"
        "Lin 一致性相关系数 CCC（对数额度，自助法区间）衡量两者在恒等线上的一致程度；Deming 斜率（两者均有误差）显示模型是放大还是压缩公议额度。"
        "拒绝无法取对数：授信/拒绝的一致以 2×2 表和 Cohen κ 衡量。",
        "The panel and the model are compared on the households with both limits and an eligible member (those "
        "with no eligible member are set apart by the eligibility rules and counted under the grant/decline table). "
        "Bland-Altman on the log scale (Bland & Altman 1999): the ratio model / consensus against the geometric "
        "mean, with the mean ratio (bias) and the 95% limits of agreement. Lin's concordance correlation (CCC) of "
        "the logs with a bootstrap interval; the Deming slope (errors in both) shows whether the model stretches "
        "or compresses the consensus. Declines cannot be logged: grant against decline is a 2x2 table with Cohen's kappa."),
    "nb03.missing_boot": ("分乡镇的行不做自助法区间（仅全部行计算）", "no bootstrap interval for township rows (overall row only)"),
    "nb03.agreement.summary": (
        "配对 {n} 户：偏差（模型/公议）{bias}，95% 一致性界限 {lo} 至 {hi}；CCC {ccc}，95% 区间 {ci}；Deming 斜率 {deming}；授信/拒绝 κ {kappa}。",
        "{n} {n, plural, one {pair} other {pairs}}: bias (model / consensus) {bias}, 95% limits of agreement {lo} to {hi}; CCC {ccc}, 95% "
        "interval {ci}; Deming slope {deming}; grant/decline kappa {kappa}."),
    "nb03.plot.ba_title": ("Bland-Altman 图（对数尺度）", "Bland-Altman (log scale)"),
    "nb03.plot.ba_x": ("两种额度的几何均值（元）", "geometric mean of the two limits (yuan)"),
    "nb03.plot.ratio_y": ("模型额度 / 公议额度", "model / consensus"),
    "nb03.plot.loa": ("95% 一致性界限", "95% limits"),
    "nb03.plot.bias": ("偏差", "bias"),
    "nb03.plot.cvm_title": ("模型额度与公议额度", "Model against consensus limit"),
    "nb03.plot.cvm_x": ("公议额度（元）", "consensus limit (yuan)"),
    "nb03.plot.cvm_y": ("模型额度（元）", "model limit (yuan)"),
    "nb03.plot.identity": ("恒等线", "identity"),
    "nb03.plot.deming": ("Deming 回归（对数斜率", "Deming (log slope"),
    "nb03.drivers.h": ("差额的成因", "What drives the gaps"),
    "nb03.drivers.text": (
        "对两方均授信、户内有合格成员的配对农户，对数比值（模型/公议）对农户特征回归"
        "（评议的经营与诚信评分均值、对数收入、承包土地、户主年龄、最新积分），含村固定效应，"
        "标准误按村聚类。村效应是特征取平均时各村的效应：红色村为模型高于评议小组，绿色村为低于。若村效应远大于特征斜率，"
        "说明差额来自该村评议小组（或模型）的校准，而非个别农户。",
        "For the pairs (both grant, an eligible member), the log ratio model / consensus is regressed on household "
        "features (mean business and integrity ratings, log income, land, the head's age, latest points) with "
        "village fixed effects and standard errors clustered "
        "by village. The village component is each village's effect at average features: red where the model sits "
        "above the panel, green below. A village component much larger than the feature slopes points to the "
        "calibration of that village's panel (or the model) rather than to particular households."),
    "nb03.drivers.se": ("标准误的计算方法：{how}。", "How the standard errors were computed: {how}."),
    "nb03.drivers.se_sep": ("；", "; "),
    # the parts of calib.compare.gap_drivers' se_parts
    "se.cluster": ("按村聚类的稳健标准误（CR1，小样本因子 G/(G−1)·(N−1)/(N−K)，被吸收的村固定效应不计入 K），"
                   "区间与 p 值取自由度 {df} 的 t 分布",
                   "cluster-robust by village (CR1, G/(G-1) (N-1)/(N-K), absorbed effects not counted), "
                   "t({df}) critical values"),
    "se.hc1": ("只有一个村，无法聚类：异方差稳健标准误（HC1），区间与 p 值取自由度 {df} 的 t 分布",
               "one village: heteroskedasticity-robust HC1, t({df}) critical values"),
    "se.wild.webb": ("另加野聚类自助法 t 检验的 p 值（限制性 WCR，Webb 六点权重，{n_boot} 次重复，{clusters} 个村）",
                     "plus wild cluster bootstrap-t p-values (WCR, Webb six-point weights, {n_boot} {n_boot, plural, one {replicate} other {replicates}}, "
                     "{clusters} {clusters, plural, one {cluster} other {clusters}})"),
    "se.wild.rademacher": ("另加野聚类自助法 t 检验的 p 值（限制性 WCR，Rademacher 权重，{n_boot} 次重复，{clusters} 个村）",
                           "plus wild cluster bootstrap-t p-values (WCR, Rademacher weights, {n_boot} {n_boot, plural, one {replicate} other {replicates}}, "
                           "{clusters} {clusters, plural, one {cluster} other {clusters}})"),
    "se.wild.enumerated": ("全部权重向量逐一枚举，p 值精确", "every weight vector enumerated: exact p-values"),
    "nb03.agreement.pb": (
        "Passing–Bablok 回归（对离群值稳健、不假定哪一方无误差）：斜率 {slope}，95% 区间 {slope_ci}；截距 {intercept}，95% 区间 {intercept_ci}；"
        "线性检验（cusum）p {cusum}。斜率区间含 1、截距区间含 0 时，两种额度只差随机误差。",
        "Passing–Bablok regression (robust to outliers, no side assumed error-free): slope {slope}, 95% CI "
        "{slope_ci}; intercept {intercept}, 95% CI {intercept_ci}; linearity (cusum) p {cusum}. With 1 in the slope's "
        "interval and 0 in the intercept's, the two limits differ only by random error."),
    "nb03.drivers.summary": (
        "纳入 {n} 户、{villages} 个村（{dropped} 户特征不全未纳入）；村内 R² {r2}。",
        "{n} {n, plural, one {household} other {households}} in {villages} {villages, plural, one {village} other {villages}} ({dropped} without all features); within-village R² {r2}."),
    "nb03.drivers.villages": (
        "按村效应的 95% 区间（按村聚类）划分：模型高于评议小组的村 {above} 个，低于的 {below} 个，区间含 0、无法区分的 {in_line} 个；"
        "全部村的效应见 `village_effects.xlsx`。`exposure_by_village.xlsx` 比较的是各村额度合计（含额度规模与拒绝），口径不同，村数不必相同。",
        "By the 95% interval of the village component (clustered by village): the model sits above the panel in "
        "{above} {above, plural, one {village} other {villages}}, below it in {below}, and the interval holds 0 (not told apart) in {in_line}; every village's "
        "component is in `village_effects.xlsx`. `exposure_by_village.xlsx` compares village totals (size and "
        "declines included): another basis, the counts need not agree."),
    "nb03.plot.village_title": ("差额中的村效应（红：模型高于评议小组；绿：低于）", "Village component of the gap (red: model above panel, green: below)"),
    "nb03.plot.village_x": ("行政村（按村效应排序）", "villages, sorted by effect"),
    "nb03.plot.village_y": ("模型 / 公议（对数尺度）", "model / consensus (log scale)"),
    "nb03.exposure.h": ("调解政策与总敞口", "The reconciliation policy and total exposure"),
    "nb03.exposure.text": (
        "按村汇总公议、模型与最终额度，以及在其他政策参数不变时各调解规则下全部授信总额（相对本次参数中的规则）。"
        "户数、公议额度合计与最终额度合计计全部农户（缺失额度计 0），全部行与上文“额度调解”表的全部行相同：户内无合格成员、缺少一方额度的农户最终额度为 0；"
        "与模型比较的户数、模型额度合计与比较农户敞口差额合计只计比较的农户（两方均有额度、户内有合格成员，与授信/拒绝表和一致性统计相同），“最终/模型”因此口径一致；"
        "需核查户数即核查名单上的户数。下表全部在第一行，各村按最终额度与公议额度之比从低到高排列；完整按村数据见 `exposure_by_village.xlsx`。",
        "Totals of the consensus, model and final limits by village, and what the whole programme would grant "
        "under each reconciliation rule with the other policy keys unchanged (relative to the rule in the "
        "parameters). Households, the consensus total and the final total count every household (a missing "
        "limit counts as 0), the overall row being that of the reconciliation table above: a household with "
        "no eligible member or one limit missing has a final limit of 0. Households compared with the model, the model total "
        "and the exposure gap of the households compared count only those (both limits, an eligible member: those of "
        "the grants table and the agreement figures), so final / model compares like with like. Households "
        "to investigate are those of the investigation list. Overall first, then the villages by final / "
        "consensus, lowest first; every village is in `exposure_by_village.xlsx`."),
    "nb03.exposure.summary": (
        "公议额度合计 {consensus}，模型额度合计 {model}（比较的 {n} 户），最终额度合计 {final}（为公议额度的 {ratio}，{change}；各项原因见上文“额度调解”表）。"
        "表中的比较农户敞口差额合计（{gap_all}）是比较的 {n} 户 |模型 − 公议| 之和，含调解区间内农户；下文核查名单的敞口差额只计需核查的农户，两者口径不同。",
        "Total consensus {consensus}, model {model} (the {n} {n, plural, one {household} other {households}} compared), final {final} ({ratio} of "
        "the consensus, {change}; the causes are in the reconciliation table above). The table's exposure gap of the households "
        "compared ({gap_all}) is |model − consensus| summed over the {n} {n, plural, one {household} other {households}} compared, inside the band too; the "
        "investigation list's exposure gap below counts only the households to investigate."),
    "nb03.investigate.rereview": (
        "名单上的 {n} 户（{share}）同时需要评议小组重新评议（报告 02：评议数不足或分歧过大），其公议额度本身待定：宜先重新评议，再核查差额。"
        "完整名单的“全部原因”列写明每户的各项原因。",
        "{n} {n, plural, one {household} other {households}} of the list ({share}) also {n, plural, one {needs} other {need}} a re-review by the panel (report 02: too few reviews or too "
        "much disagreement), so {n, plural, one {its} other {their}} consensus itself is not settled: re-review first, then investigate the gap. "
        "The full list's column of all reasons gives each household's reasons."),
    "nb03.investigate.h": ("核查名单（查找差额原因）", "Investigation list (finding the reason for each gap)"),
    "nb03.investigate.text": (
        "比值超出调解区间、授信/拒绝不一致或缺少输入的每一户，按敞口差额从大到小排列，附原因与核查期间的临时额度。户主姓名与电话已脱敏"
        "（只留姓；电话留前 3 位与后 4 位），客户经理可据此找到农户。完整名单写入 `investigations.xlsx`。",
        "Every household outside the band, with a grant disagreement or a missing input, largest exposure gap first, "
        "with the reason and the provisional limit it holds while investigated. The head's name and phone are masked "
        "(surname only; first 3 and last 4 digits). The full list is in `investigations.xlsx`."),
    "nb03.missing_cause": ("全部行为各原因之和，无单一归因", "the overall row sums the reasons: no single cause"),
    "nb03.missing_model": ("该户没有模型跑批结果", "the household has no model run"),
    "nb03.missing_ratio": ("缺少一方额度或一方拒绝，比值无定义", "one limit missing or declined: no ratio"),
    "nb03.c.investigate": ("需客户经理核查的农户", "Households to investigate"),
    "nb03.c.investigate_fig": ("{n} 户，敞口差额 {gap}", "{n}, exposure gap {gap}"),
    "nb03.c.investigate_rule": ("模型/公议比值超出 [{low}, {high}]、一方拒绝或缺少输入（参数：额度调解）",
                                "ratio outside [{low}, {high}], one side declines or an input is missing (parameters: reconciliation)"),
    "nb03.c.policy": ("调解政策带来的授信总额变化", "Change of the total limit made by the policy"),
    "nb03.c.policy_fig": ("{policy}（调解区间内规则{band}，核查期间的临时额度{prov}{unconfirmed}）",
                          "{policy} (rule inside the band {band}, provisional limits while investigated {prov}{unconfirmed})"),
    "nb03.c.eligible": ("按资格规则剔除的公议额度", "Consensus limits removed by the eligibility rules"),
    "nb03.c.eligible_fig": ("{amount}（{who}）", "{amount} ({who})"),
    "nb03.c.eligible_rule": ("户内无符合资格规则的成员不授信（参数：资格规则；报告 01、06 同一口径）",
                             "no eligible member, no credit (parameters: eligibility; as reports 01 and 06)"),
    "nb03.c.final": ("最终额度合计", "Total final limit"),
    "nb03.c.final_fig": ("{final}，为公议额度的 {ratio}（{change}）", "{final}, {ratio} of the consensus ({change})"),
    "nb03.c.final_rule": ("含需核查的 {n_prov} 户核查期间的临时额度 {prov_total}，核查后可能调整",
                          "includes the provisional limits of the {n_prov} {n_prov, plural, one {household} other {households}} to investigate, {prov_total}, "
                          "subject to change after the investigation"),
    "nb03.c.policy_rule": ("调解区间内规则：{rule}（参数：额度调解）", "rule inside the band: {rule} (parameters: reconciliation)"),
    "nb03.c.ccc": ("模型与公议额度的一致性（Lin CCC，对数）", "Agreement of model and consensus (Lin's CCC, logs)"),
    # {ccc_low_min}, {kappa_min}: the thresholds of calib.report.findings.compare (threshold_words)
    "nb03.c.ccc_rule": ("CCC 95% 下限 ≥ {ccc_low_min}（McBride 2005：低于 {ccc_low_min} 为差）",
                        "lower 95% bound ≥ {ccc_low_min} (McBride 2005: below {ccc_low_min} poor)"),
    "nb03.c.kappa": ("授信/拒绝的一致性（Cohen κ）", "Grant/decline agreement (Cohen's kappa)"),
    "nb03.c.kappa_rule": ("κ ≥ {kappa_min}（Landis & Koch 1977：高度一致）", "kappa ≥ {kappa_min} (Landis & Koch 1977: substantial)"),
    "nb03.summary": (
        "需核查 {n} 户（敞口差额 {gap}）；最终额度为公议额度的 {ratio}（{change}：资格规则剔除 {elig}；调解政策{policy}，"
        "其中核查期间的临时额度{prov}，核查后可能调整）。",
        "{n} {n, plural, one {household} other {households}} to investigate (exposure gap {gap}); the final total is {ratio} of the consensus ({change}: "
        "{elig} removed by the eligibility rules; the policy {policy}, of which the provisional limits while "
        "investigated {prov}, subject to change after the investigation)."),
}
