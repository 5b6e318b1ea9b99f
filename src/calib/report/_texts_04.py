"""Catalogue texts of report 04 (scorecard calibration and validation)."""
from __future__ import annotations

TEXTS_04: dict[str, tuple[str, str]] = {
    "nb04.title": ("评分卡校准与验证", "Scorecard calibration and validation"),
    "nb04.intro": (
        "本报告回答：银行现行的农户评分权重（模型分、经营与诚信评分、积分）应保留还是更换。报告用本期贷款结果校准一张评分卡，"
        "与现行权重比较，确定等级切分点，并检验区分能力、校准与稳定性。保留或更换的结论**只依据交叉验证（样本外）的预测**；"
        "样本内数字一律标明“样本内”。校准后的评分卡写入报告包 `params/calibrated/<运行编号>.yaml`，附其所用数据的哈希值。",
        "This report answers whether the bank's household scorecard weights (model score, business and integrity "
        "ratings, points) should be kept or replaced. It calibrates a card on this period's loan outcomes, compares "
        "it with the weights in use, sets grade cutoffs and checks discrimination, calibration and stability. The "
        "keep-or-replace verdict rests **only on cross-validated (out-of-sample) predictions**; every in-sample "
        "figure is labelled in-sample. The calibrated card is written to `params/calibrated/<run-id>.yaml` in the "
        "bundle with the hashes of its data."),
    "nb04.selection.h": ("谁有违约结果：样本选择", "Who has an outcome: the selection"),
    "nb04.selection.text": (
        "每个已建档农户（模型已评分且评议小组已评议）一行，含其特征与结果。**只有用信的农户才有违约结果**，其他农户的违约情况未知。"
        "用信农户不是随机样本：下表比较其与其他农户（标准化差异绝对值大于 0.1 表示不平衡；Mann-Whitney p 值）。"
        "仅用用信农户拟合的评分卡描述的是用信农户；拒绝推断是可选的修正（参数表“评分卡 · 拒绝推断”）。",
        "One row per profiled household (scored by the model and reviewed by the panel). **Outcomes exist only for "
        "households that drew a loan.** Drawers are not a random sample: the table compares them with the rest "
        "(standardised difference above 0.1 in absolute value marks an imbalance; Mann-Whitney p-value). A card "
        "fitted on drawers describes drawers; reject inference is the optional correction (parameter table: Scorecard · Reject inference)."),
    "nb04.selection.summary": (
        "已评分农户 {scored} 户，其中用信 {drew} 户（{share}），违约 {defaults} 户（用信农户违约率 {rate}）；积分期 {period}。",
        "{scored} scored {scored, plural, one {household} other {households}}, {drew} drew ({share}), {defaults} {defaults, plural, one {default} other {defaults}} ({rate} of drawers); points period {period}."),
    "nb04.card.h": ("校准的评分卡", "Calibrated scorecard"),
    "nb04.card.text": (
        "每个特征分箱，使违约率单调（模型分、评分与积分按政策预期方向，其他特征取拟合更好的方向），最多 {max_bins} 箱、每箱至少占 {min_share}，"
        "并以证据权重 WoE = ln(好客户占比 / 坏客户占比) 替代。违约对 WoE 做逻辑回归得到权重，标准误**按村聚类**（同村违约相关）。",
        "Each characteristic is binned so that the default rate is monotone (in the policy's direction for model "
        "score, ratings and points; the better-fitting one for the others), with at most {max_bins} {max_bins, plural, one {bin} other {bins}} of at least "
        "{min_share} of the households, and replaced by its weight of evidence WoE = ln(%good / %bad). A logistic "
        "regression of default on the WoE values gives the weights; standard errors are **clustered by village**."),
    "nb04.plot.iv_title": ("各特征的信息值 IV", "Information value"),
    "nb04.plot.iv_x": ("IV（{iv_weak} 弱，{iv_medium} 中，{iv_strong} 强）", "IV ({iv_weak} weak, {iv_medium} medium, {iv_strong} strong)"),
    "nb04.plot.woe_title": ("{name}（IV {iv}）", "{name} (IV {iv})"),
    "nb04.coef.h": ("评分卡系数", "Coefficients"),
    "nb04.coef.text": (
        "违约对 WoE 的系数：**负值**表示特征按预期方向起作用（WoE 越高越安全）。“标准误”按村聚类，“标准误（模型）”为常规标准误。"
        "信息值低于参数“入模特征的最低信息值”的特征不进入回归，以在违约较少时限制过拟合。",
        "Coefficients of default on WoE: **negative** means the characteristic works in the expected way. The "
        "standard error is clustered by village, the model-based one beside it. Characteristics whose information "
        "value is below the parameter \"Lowest information value to enter\" are left out of the logit, which limits overfitting when defaults are few."),
    "nb04.coef.excluded": (
        "未进入回归的特征（{n} 个，信息值低于 {min_iv}）：{names}。{fit_note}",
        "Left out of the logit ({n}, information value below {min_iv}): {names}. {fit_note}"),
    "value.none": ("无", "none"),
    "nb04.fit_note_ridge": (
        "回归未按常规方式拟合（数据分离时为 Firth 惩罚拟合，仅一个村时为模型型标准误）：所用方法见系数表的“协方差类型”与方法附录。",
        "The logit is not the regular fit (Firth's penalised fit when the data separate, model-based standard errors "
        "with one village): the coefficient table's covariance column and the methods appendix say which."),
    "nb04.sign.text": (
        "{n} 个特征与政策预期方向不符（下表）：数据中的违约率方向与预期相反（Spearman 秩相关，p < {sign_alpha}），"
        "或加入其他特征后系数方向反转，或按预期方向分箱后只剩一箱。这些特征照常报告，不被删除。",
        "{n} {n, plural, one {characteristic} other {characteristics}} at odds with the policy's expected direction (below): the default rate runs against it "
        "in the data (Spearman rank correlation, p < {sign_alpha}), or the coefficient reverses once the other characteristics "
        "are in, or binning in the expected direction leaves one bin. {n, plural, one {It is} other {They are}} reported, not dropped."),
    "nb04.points.h": ("分值表", "Points table"),
    "nb04.points.text": (
        "每箱的分值（越高越安全）。好坏比为 {odds}:1 时总分为 {base} 分，每增加 {pdo} 分好坏比翻倍；农户总分为各特征所在箱分值之和。完整分值表写入 `scorecard_points.xlsx`。",
        "Points per bin (higher = safer). The score is {base} {base, plural, one {point} other {points}} at good:bad odds {odds}:1 and {pdo} more {pdo, plural, one {point} other {points}} "
        "{pdo, plural, one {doubles} other {double}} the odds; a household's score is the sum of its bins' points. The table is in `scorecard_points.xlsx`."),
    "nb04.current.h": ("现行权重与校准评分卡的比较", "Current weights against the calibrated card"),
    "nb04.current.text": (
        "银行现行公式（参数“现行公式权重”，每单位线性计分；无积分记录的农户计 0 分）与现行等级切分点（参数“现行等级最低分”）作用于同一批农户。",
        "The bank's current formula (the parameter \"Current formula's weights\", linear points per unit; households "
        "without points count 0) and grades (\"Current grades' lowest score\") on the same households."),
    "nb04.cutoffs.h": ("等级切分点", "Grade cutoffs"),
    "nb04.cutoffs.text": (
        "在校准分上选取切分点，使违约率从 AAA 向下严格递增，每个等级占比不低于 {min_share}、不高于 {max_share}，并使违约区分最好（二项似然）。"
        "结果太少无法满足约束时，切分点改为保持现行各等级占比（届时下方会注明）。“违约率”只对有违约结果（用信）的农户计算。"
        "下表的违约率是**样本内**的：评分卡与切分点都在这些违约上选定，递增是选出来的，不是检验结果；"
        "各等级的样本外违约率与 PD 的检验见“按等级的校准”一节。",
        "Cutoffs on the calibrated score with default rates strictly increasing from AAA down, no grade thinner than "
        "{min_share} or larger than {max_share} of the households, chosen to separate defaults best (binomial "
        "likelihood). When outcomes are too few, the cutoffs keep the current grade shares (said below). Default "
        "rates are over households with an outcome (drawers). The default rates below are **in sample**: the card "
        "and the cutoffs were chosen on these defaults, so their order is chosen, not tested; the out-of-sample "
        "default rates by grade and the test of their PDs are in the section Calibration by grade."),
    "nb04.cutoffs.fallback": ("没有满足约束的分级：切分点改为保持现行各等级占比。", "No grading met the constraints: the cutoffs keep the current grade shares."),
    "nb04.missing_no_outcome": ("该等级没有用信农户，违约率无定义", "no drawer in this grade: no default rate"),
    "nb04.a_or_better": (
        "按校准等级，已评分的 {n} 户中 A 级及以上占 {share}。报告 06 的信用村标准“A 级及以上农户占比”口径不同："
        "它使用每户最新一次模型跑批等级，以全部 {n06} 户为分母，为 {share06}。两个数字都对，回答的问题不同。",
        "By the calibrated grades, {share} of the {n} scored {n, plural, one {household is} other {households are}} A or better. Report 06's credit-village "
        "criterion uses a different definition: each household's latest model-run grade over all {n06} {n06, plural, one {household} other {households}}, "
        "{share06}. Both figures are right; they answer different questions."),
    "nb04.insample.h": ("样本内比较（仅供参考，不作为决策依据）", "In-sample comparison (for reference, not for the decision)"),
    "nb04.insample.text": (
        "下表的 AUC、DeLong 检验与似然比检验都在拟合评分卡的同一批违约上计算（**样本内**），会高估校准评分卡。保留或更换的结论见下一节的交叉验证。",
        "The AUCs, DeLong test and likelihood-ratio tests below use the defaults the card was fitted on "
        "(**in-sample**) and flatter the calibrated card. The keep-or-replace decision uses the cross-validation of the next section."),
    "nb04.lr.penalised": (
        "注：违约在部分检验的完整模型中被完全或准完全分开，最大似然估计不存在；这些检验改用 Firth 惩罚似然比检验（限制模型按完整模型的惩罚拟合，Heinze & Schemper 2002，同 R logistf）。",
        "Note: defaults are completely or quasi-completely separated in the full model of some tests, so maximum "
        "likelihood estimates do not exist; those tests use Firth's penalised likelihood ratio (the restricted model "
        "fitted with the full model's penalty; Heinze & Schemper 2002, as R logistf)."),
    "nb04.cv.h": ("样本外区分能力：保留还是更换", "Out-of-sample discrimination: keep or replace"),
    "nb04.cv.text": (
        "按村分组的 {n_folds} 折交叉验证：每个村整体落在同一折，检验折的村对评分卡是新村，正如下一个要评级的村。每个训练折重新分箱、拟合逻辑回归并选择等级切分点"
        "（随机种子为参数 `seed`），检验折农户的 PD、评分与等级都来自没有见过它们的评分卡。对这些**折外预测**与现行公式做 DeLong 检验，并按村重抽样（自助法）给出"
        "AUC 差的区间；取两者中较宽的区间，其下限大于 {min_auc_gain} 才建议更换。现行公式权重固定，其 AUC 没有样本内乐观偏差。",
        "Village-grouped {n_folds}-fold cross-validation: each village falls whole in one fold, so the test villages are new "
        "to the card, as the next village to be rated will be. Binning, logit and grade cut-offs are refitted on each "
        "training fold (seeded by `seed`), so the test households' PD, score and grade come from a card that never saw "
        "them. A DeLong test of these **out-of-fold predictions** against the current formula, and a village bootstrap "
        "of the AUC difference; with the wider of the two intervals, replace only when its lower bound is above {min_auc_gain}. The "
        "current formula has fixed weights, so its AUC has no in-sample optimism."),
    "nb04.disc.text": ("校准评分卡在用信农户上的区分能力（**样本内**）：", "Discrimination of the calibrated card on drawers (**in-sample**):"),
    "nb04.plot.current": ("现行权重", "current weights"),
    "nb04.plot.calibrated_in": ("校准评分卡（样本内）", "calibrated (in-sample)"),
    "nb04.plot.calibrated_cv": ("校准评分卡（交叉验证）", "calibrated (cross-validated)"),
    "nb04.plot.bank_pd": ("银行模型 PD", "bank model PD"),
    "nb04.plot.roc_title": ("ROC 曲线（有违约结果的农户）", "ROC (households with an outcome)"),
    "nb04.plot.fpr": ("假阳性率（未违约被判为高风险）", "false positive rate"),
    "nb04.plot.tpr": ("真阳性率（违约被识别）", "true positive rate"),
    "nb04.plot.cal_title": ("校准曲线（坐标轴按 PD 范围）", "Calibration curve (axes fitted to the PD range)"),
    "nb04.plot.cal_x": ("平均预测违约概率", "mean predicted PD"),
    "nb04.plot.cal_y": ("实际违约率", "observed default rate"),
    "nb04.plot.perfect": ("完全校准", "perfectly calibrated"),
    "nb04.check.auc": (
        "用信 {drew} 户，违约 {defaults} 户；AUC：现行 {current}，校准样本内 {insample}，交叉验证 {cv}；交叉验证 AUC 差 {diff}，95% 区间 {ci}，DeLong p {p}；结论：{verdict}；A 级及以上占比（已评分农户，校准等级，样本内）{share}",
        "drawers {drew}, defaults {defaults}; AUC current {current}, calibrated in-sample {insample}, cross-validated "
        "{cv}; cross-validated difference {diff}, 95% CI {ci}, DeLong p {p}; verdict: {verdict}; A-or-better share (scored households, calibrated grades, in sample) {share}"),
    "nb04.grades.h": ("按等级的校准", "Calibration by grade"),
    "nb04.grades.text": (
        "各等级用信农户的实际违约率与平均 PD 比较，等级与 PD 均为**折外**结果（按村分组交叉验证中没有见过该农户的评分卡给出）。Jeffreys 检验（后验 Beta(D+1/2, N-D+1/2) 在等级 PD 处，单侧：PD 是否过低）"
        "与二项交通灯：置信度低于 {light_yellow} 绿灯，{light_yellow}–{light_red} 黄灯，{light_red} 及以上红灯（巴塞尔委员会回测交通灯）。Hosmer-Lemeshow（折外，自由度 g）"
        "与 Spiegelhalter z 检验整个组合。同村违约相关会使这些检验偏于拒绝。",
        "Observed default rate of drawers against the mean PD per grade, both **out of fold** (from the village-grouped cross-validation card that did not see the household). Jeffreys test (posterior "
        "Beta(D+1/2, N-D+1/2) at the grade PD, one-sided: is the PD too low?) and the binomial traffic light: green "
        "below {light_yellow} confidence, yellow {light_yellow}-{light_red}, red from {light_red} (Basel backtesting traffic light). Hosmer-Lemeshow "
        "(out of fold, df = g) and Spiegelhalter's z test the whole portfolio. Village-correlated defaults make "
        "all of these reject too often."),
    "nb04.plot.grade_title": ("各等级违约率（颜色为交通灯）", "Default rate by grade (colour: traffic light)"),
    "nb04.plot.observed_light": ("实际违约率（交通灯）", "observed (traffic light)"),
    "nb04.plot.predicted": ("预测 PD", "predicted PD"),
    "nb04.stability.h": ("稳定性：上期与本期", "Stability: previous against current period"),
    "nb04.stability.text": (
        "校准分的 PSI 与各特征的 CSI（按评分卡分箱），比较上期（较早的模型跑批与积分期，仅含其覆盖的农户）与本期。"
        "判读：低于 {psi_moderate} 稳定，{psi_moderate}–{psi_significant} 中度偏移，{psi_significant} 及以上显著偏移（经验规则）。评议评分、收入与花名册信息只有一轮，其 CSI 只反映受评人群的变化。",
        "PSI of the calibrated score and CSI of each characteristic (on the card's bins) between the previous "
        "period (earlier model run and points period; only households it covered) and the current one. Reading: "
        "below {psi_moderate} stable, {psi_moderate}-{psi_significant} moderate shift, from {psi_significant} significant (rules of thumb). Ratings, income and "
        "roster facts come from one review round, so their CSI reflects only the change in the scored population."),
    "nb04.stability.summary": (
        "上期（{prev_run} 模型跑批，{prev_period} 年积分）{prev} 户，本期（{cur_run} 跑批，{cur_period} 年积分）{cur} 户："
        "各为该次跑批覆盖的农户，与上文的已评分农户（{scored} 户）口径不同。本节比较数据中的两期；"
        "报告 07 的 PSI、CSI 比较本次评估与运行历史中的基期评估，两者的结论可以不同。",
        "Previous period ({prev_run} model run, points {prev_period}) {prev} {prev, plural, one {household} other {households}}, current ({cur_run} run, points "
        "{cur_period}) {cur}: each the households that run covered, not the scored households above ({scored}). This "
        "section compares the two periods in the data; report 07's PSI and CSI compare this evaluation with the base "
        "evaluation of the run history, and the two may conclude differently."),
    "nb04.stability.none": ("只有一个模型跑批日期，没有上期可比较，稳定性检验略去。", "A single model run date: no previous period, stability skipped."),
    "nb04.output.h": ("输出：校准的评分卡", "Output: the calibrated card"),
    "nb04.output.text": (
        "权重、分箱、分值表与等级切分点写入报告包 `params/calibrated/<运行编号>.yaml`，附每个输入文件的 SHA-256，以后的运行可用完全相同的权重为新一批模型结果评分。重新载入该文件可复现评分：",
        "Weights, bins, points table and grade cutoffs go to `params/calibrated/<run-id>.yaml` in the bundle with the "
        "SHA-256 of every input file, so that a later run can score a new batch with exactly these weights. "
        "Reloading the file reproduces the scores:"),
    "nb04.check.reload": ("重新载入的评分卡复现了全部评分：{verdict}", "The reloaded card reproduces the scores: {verdict}"),
    "nb04.c.keep": ("保留还是更换现行评分权重（交叉验证）", "Keep or replace the current weights (cross-validated)"),
    "nb04.c.keep_fig": ("校准评分卡 AUC {cv}，现行权重 AUC {cur}，差 {diff}（DeLong p {p}）", "AUC calibrated {cv} vs current {cur}, difference {diff} (DeLong p {p})"),
    "nb04.cv.pooled": (
        "{k} 折的折外预测合在一起计算（用信 {n} 户，违约 {d} 户）：AUC {auc}，KS {ks}，这是首页与报告 07 的样本外 AUC 与 KS。"
        "各折单独计算的 AUC 平均 {auc_mean}、KS 平均 {ks_mean}；合并 AUC 低于 {k} 个折中 {auc_below} 个折的值，合并 KS 低于 {ks_below} 个折的值："
        "各折的评分卡不同，合并计算把不同评分卡给出的 PD 放在一起排序，合并值因此可以与各折的值不同。",
        "The {k} {k, plural, one {fold's} other {folds'}} out-of-fold predictions pooled ({n} {n, plural, one {drawer} other {drawers}}, {d} {d, plural, one {default} other {defaults}}): AUC {auc}, KS {ks}, the "
        "out-of-sample AUC and KS of the index and report 07. By fold, the mean AUC is {auc_mean} and the mean KS "
        "{ks_mean}; the pooled AUC is below {auc_below} of the {k} {k, plural, one {fold's} other {folds'}}, the pooled KS below {ks_below}: each fold "
        "has its own card, pooling ranks PDs from different cards together, so the pooled figure can differ from "
        "the folds'."),
    "nb04.c.keep_rule": ("AUC 差 95% 区间（DeLong 与按村自助法中较宽者）下限 > {gain} 才更换（按村分组的折外预测，DeLong 1988）", "replace only if the lower 95% bound (wider of DeLong's and the village bootstrap's) > {gain} (village-grouped out-of-fold, DeLong 1988)"),
    "nb04.c.insample": ("样本内 AUC（仅供参考）", "In-sample AUC (reference only)"),
    "nb04.c.insample_fig": ("校准 {auc}，较现行高 {diff}（p {p}），样本内", "calibrated {auc}, {diff} above current (p {p}), in-sample"),
    "nb04.c.insample_rule": ("不作为决策依据：拟合与检验用同一批违约", "not for the decision: fitted and tested on the same defaults"),
    "nb04.c.light": ("等级校准交通灯", "Grade calibration traffic light"),
    "nb04.c.light_fig": ("红灯 {red} 个、黄灯 {yellow} 个（共 {n} 个等级）", "{red} red, {yellow} yellow (of {n} {n, plural, one {grade} other {grades}})"),
    "nb04.c.light_rule": ("二项检验置信度：< {light_yellow} 绿，{light_yellow}–{light_red} 黄，≥ {light_red} 红",
                          "binomial confidence: < {light_yellow} green, {light_yellow}-{light_red} yellow, ≥ {light_red} red"),
    "nb04.c.hl": ("整体校准（折外）", "Overall calibration (out of fold)"),
    "nb04.c.hl_fig": ("Hosmer-Lemeshow p {hl}；Spiegelhalter p {sp}", "Hosmer-Lemeshow p {hl}; Spiegelhalter p {sp}"),
    "nb04.c.hl_rule": ("p ≥ {calibration_alpha} 不拒绝 PD 校准（折外预测；同村违约相关使检验偏于拒绝）",
                       "p ≥ {calibration_alpha}: PD calibration not rejected (out-of-fold; village-correlated defaults make the tests reject too often)"),
    "nb04.c.share": ("A 级及以上农户占比（已评分农户，校准等级，样本内）", "A-or-better share (scored households, calibrated grades, in sample)"),
    "nb04.c.share_rule": ("信用村标准 {a_share}；报告 06 按模型跑批等级、全部农户计为 {share06}", "credit village {a_share}; report 06 (model-run grades, all households): {share06}"),
    "nb04.summary_keep": (
        "保留现行评分权重：交叉验证下校准评分卡的 AUC 优势为 {diff}，95% 区间 {ci}（{interval}；DeLong p {p}），不能排除没有改进；等级校准交通灯：{light}。",
        "Keep the current weights: out of sample the calibrated card's AUC advantage is {diff}, 95% CI {ci} ({interval}; DeLong p {p}), "
        "which does not exclude no improvement; grade calibration light: {light}."),
    "nb04.summary_replace": (
        "建议更换为校准评分卡：交叉验证下 AUC 提高 {diff}，95% 区间 {ci}（{interval}；DeLong p {p}）；等级校准交通灯：{light}。",
        "Replace with the calibrated card: out of sample the AUC improves by {diff}, 95% CI {ci} ({interval}; DeLong p {p}); grade "
        "calibration light: {light}."),
}
