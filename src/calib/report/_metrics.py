"""The label catalogue, headline figures: ``METRICS[name] = (zh-CN, en, kind)`` for every name
recorded with :func:`calib.report.record` (metrics.json keys), used by the index.

A threshold a name states is a placeholder (``{shift_threshold}``), filled from the threshold's
home when the figure is recorded or read (:func:`calib.report.labels.metric_label`; the words of
:func:`calib.report.methods.fixed_words`); the keys stay as the golden figures and the run history
know them, even where they hold the threshold's value of their day (``..._10pct_...``)."""
from __future__ import annotations

METRICS: dict[str, tuple[str, str, str]] = {
    # 01
    "rows_read": ("读入行数（全部表）", "Rows read (all tables)", "int"),
    "rows_quarantined": ("隔离行数", "Rows quarantined", "int"),
    "tables_balanced": ("各表行数平衡", "Every table balanced", "bool"),
    "villages": ("村数", "Villages", "int"),
    "households": ("户数", "Households", "int"),
    "eligible_households": ("合格农户数", "Eligible households", "int"),
    "profiling_rate": ("建档率（已建档 / 合格农户）", "Profiling rate (profiled / eligible households)", "pct1"),
    "villages_below_90pct_profiling": ("按户计建档率低于信用村建档标准的村", "Villages below the credit-village profiling rule (households)", "int"),
    # 02
    "households_white_listed": ("白名单户数", "Households on the white list", "int"),
    "households_declined": ("评议拒绝户数", "Households declined by the panel", "int"),
    "components_not_identified": ("评议员宽严不可识别的连通组数", "Review components whose leniency is not identified", "int"),
    "share_needs_rereview": ("需重新评议占比", "Share of households needing re-review", "pct1"),
    "total_consensus_limit": ("公议额度合计", "Total consensus limit", "wan"),
    "households_moved_10pct_vs_median": ("较简单中位数变动超过 {shift_threshold} 的户数", "Households moving >{shift_threshold} against the plain median", "int"),
    "icc_a1_overall": ("ICC(A,1)：单个评议员", "ICC(A,1): one reviewer", "num3"),
    "icc_ak_overall": ("ICC(A,k)：小组平均", "ICC(A,k): the panel average", "num3"),
    "krippendorff_alpha": ("Krippendorff α（比率）", "Krippendorff's alpha (ratio)", "num3"),
    "kendall_w": ("Kendall W（村内平均）", "Kendall's W (within village, mean)", "num3"),
    "villages_icc_ak_below_0_75": ("ICC(A,k) 低于 {icc_good} 的村", "Villages with ICC(A,k) below {icc_good}", "int"),
    "reviewers": ("评议员人数", "Reviewer seats", "int"),
    "reviewers_flagged": ("被标记的评议员", "Reviewers flagged", "int"),
    "reviewers_flagged_partial": ("因偏袒被标记的评议员", "Reviewers flagged as partial", "int"),
    "leniency_iqr_ratio": ("宽严倾向离散度（上/下四分位比）", "Leniency spread (upper / lower quartile)", "num3"),
    # 03
    "ba_bias_ratio": ("Bland-Altman 偏差（模型/公议）", "Bland-Altman bias (model / consensus)", "num3"),
    "loa_low_ratio": ("95% 一致性界限下限（比值）", "Lower 95% limit of agreement (ratio)", "num3"),
    "loa_high_ratio": ("95% 一致性界限上限（比值）", "Upper 95% limit of agreement (ratio)", "num3"),
    "ccc": ("Lin CCC（对数额度）", "Lin's CCC (log limits)", "num3"),
    "deming_slope": ("Deming 斜率（对数）", "Deming slope (logs)", "num3"),
    "kappa": ("Cohen κ（授信/拒绝）", "Cohen's kappa, grant vs decline", "num3"),
    "villages_model_above_panel": ("模型高于评议小组的村", "Villages where the model sits above the panel", "int"),
    "villages_model_below_panel": ("模型低于评议小组的村", "Villages where the model sits below the panel", "int"),
    "total_model_limit": ("模型额度合计", "Total model limit", "wan"),
    "total_final_limit": ("最终额度合计", "Total final limit", "wan"),
    "households_outside_band": ("比值超出调解区间的户数", "Households with model / consensus outside the band", "int"),
    "households_to_investigate": ("核查名单户数", "Households on the investigation list", "int"),
    "exposure_gap_total": ("需核查的敞口差额", "Exposure gap to investigate", "wan"),
    # 04
    "households_scored": ("模型已评分户数", "Households scored by the model", "int"),
    "drawers": ("有违约结果（用信）户数", "Households with an outcome (drew a loan)", "int"),
    "draw_share": ("已评分农户中的用信户占比", "Share of scored households that drew", "pct1"),
    "defaults": ("违约户数", "Defaults among drawers", "int"),
    "default_rate_drawers": ("用信农户违约率", "Default rate of drawers", "pct2"),
    "auc_current": ("现行权重 AUC", "AUC of the current weights", "num3"),
    "auc_calibrated": ("校准评分卡 AUC（样本内）", "AUC of the calibrated card (in sample)", "num3"),
    "auc_calibrated_cv": ("校准评分卡 AUC（按村分组 {n_folds} 折交叉验证）", "AUC of the calibrated card (village-grouped {n_folds}-fold cross-validated)", "num3"),
    "ks_calibrated": ("校准评分卡 KS（样本内）", "KS of the calibrated card (in sample)", "num3"),
    "ks_calibrated_cv": ("校准评分卡 KS（交叉验证，样本外）", "KS of the calibrated card (cross-validated, out of sample)", "num3"),
    "auc_diff_p_value": ("DeLong p 值，校准对现行（样本内）", "DeLong p-value, calibrated vs current (in sample)", "p"),
    "auc_diff_cv": ("AUC 差，校准对现行（交叉验证）", "AUC difference, calibrated vs current (cross-validated)", "num3"),
    "auc_diff_cv_p_value": ("DeLong p 值，校准对现行（交叉验证）", "DeLong p-value, calibrated vs current (cross-validated)", "p"),
    "auc_diff_cv_ci_low": ("AUC 差 95% 下限（交叉验证，DeLong 与按村自助法较宽者）", "AUC difference, 95% low (cross-validated, wider of DeLong and village bootstrap)", "num3"),
    "auc_diff_cv_ci_high": ("AUC 差 95% 上限（交叉验证，DeLong 与按村自助法较宽者）", "AUC difference, 95% high (cross-validated, wider of DeLong and village bootstrap)", "num3"),
    "scorecard_verdict": ("评分卡结论（保留或更换）", "Scorecard verdict (keep or replace)", "text"),
    "a_or_better_share_scored_calibrated": ("A 级及以上占比（已评分农户，校准等级，样本内）", "A-or-better share (scored households, calibrated card, in sample)", "pct1"),
    "sign_warnings": ("方向与政策相反的特征数", "Characteristics with a sign warning", "int"),
    "grades_red": ("红灯等级数", "Grades with a red traffic light", "int"),
    "grades_jeffreys_rejected": ("Jeffreys 检验拒绝的等级数（p < {calibration_alpha}）", "Grades whose PD the Jeffreys test rejects (p < {calibration_alpha})", "int"),
    "hosmer_lemeshow_p": ("Hosmer-Lemeshow p 值", "Hosmer-Lemeshow p-value", "p"),
    "spiegelhalter_p": ("Spiegelhalter p 值", "Spiegelhalter p-value", "p"),
    "psi_score": ("校准分 PSI（上期对本期）", "PSI of the calibrated score, previous vs current", "num4"),
    # 04, recorded for report 07 (distributions on fixed bins; not headline figures)
    "current_score_distribution": ("现行评分卡得分分布（固定分段占比，供跨期 PSI）", "Current card's score distribution (shares on fixed bands, for PSI across runs)", "text"),
    "current_grade_distribution": ("现行评分卡等级分布（占比，供跨期 PSI）", "Current card's grade distribution (shares, for PSI across runs)", "text"),
    "score_distribution": ("校准分分布（固定分段占比）", "Calibrated score distribution (shares on fixed bands)", "text"),
    "grade_distribution": ("校准等级分布（占比）", "Calibrated grade distribution (shares)", "text"),
    "characteristic_distributions": ("各特征分布（固定分段占比，供跨期 CSI）", "Characteristic distributions (shares on fixed bins, for CSI across runs)", "text"),
    "grade_default_rates": ("各等级样本外违约率", "Out-of-fold default rate by grade", "text"),
    "grade_pds": ("各等级平均校准 PD", "Mean calibrated PD by grade", "text"),
    "grade_confidence": ("各等级 PD 偏低的二项检验置信度", "Binomial confidence that each grade's PD is too low", "text"),
    # 05
    "discount_per_100": ("每 100 分风险可证明的优惠", "Risk-justified discount per 100 points", "pct3"),
    "discount_ci_low": ("每 100 分风险可证明的优惠 95% 下限", "Risk-justified discount per 100 points, 95% low", "pct3"),
    "discount_ci_high": ("每 100 分风险可证明的优惠 95% 上限", "Risk-justified discount per 100 points, 95% high", "pct3"),
    "policy_discount_per_100": ("政策每 100 分优惠（现行方案）", "Policy discount per 100 points (current schedule)", "pct3"),
    "policy_in_ci": ("政策优惠在 95% 区间内", "Policy discount inside the 95% interval", "bool"),
    "policy_verdict": ("政策优惠结论", "Policy discount verdict", "text"),
    # the current schedule's yearly cost (the recommended schedule's is in the conclusion)
    "interest_forgone_current_schedule": ("现行方案每年让利利息", "Current schedule: interest forgone a year", "wan"),  # a total: in 万元, as the other reports'
    # a point estimate: its bootstrap interval beside it (the estimate can sit at the interval's top)
    "subsidy_current_schedule": ("现行方案每年补贴（点估计）", "Current schedule: subsidy above the risk-justified discount, a year (point estimate)", "wan"),
    "subsidy_current_schedule_ci_low": ("现行方案每年补贴 95% 下限", "Current schedule: yearly subsidy, 95% low", "wan"),
    "subsidy_current_schedule_ci_high": ("现行方案每年补贴 95% 上限", "Current schedule: yearly subsidy, 95% high", "wan"),
    # bands below cost name their rate; both rest on the PD model fitted on the same loans
    "bands_below_cost_current_rate": ("现行利率下不覆盖成本的积分档（样本内）", "Points bands below cost at the current rates (in sample)", "int"),
    "bands_below_cost_base_rate": ("基准利率下不覆盖成本的积分档（样本内）", "Points bands below cost at the base rate (in sample)", "int"),
    "points_bands": ("有贷款的积分档", "Points bands with loans", "int"),
    "recommended_step_discount": ("推荐方案每 100 分优惠", "Recommended schedule's discount per 100 points", "pct3"),
    "recommendation_binding": ("推荐方案的约束", "What limits the recommended discount", "text"),
    "villages_flagged_inflation": ("疑似积分虚高的村", "Villages flagged for point inflation", "int"),
    # 06
    "credit_villages": ("信用村数", "Credit villages", "int"),
    "credit_village_share": ("信用村占比", "Share of villages certified", "pct1"),
    "credit_townships": ("信用乡镇数", "Credit townships", "int"),
    "programme_credit_coverage_households": ("授信面（按户）", "Credit coverage (households)", "pct1"),
    "programme_usage_households": ("用信面（按户）", "Usage (households)", "pct1"),
    "programme_npl_ratio": ("不良率（余额）", "NPL ratio by balance", "pct2"),
    "villages_not_assessed": ("有未评估标准的村", "Villages with a criterion not assessed", "int"),
    "programme_credit_coverage_persons": ("授信面（按人数）", "Credit coverage (persons)", "pct1"),
    "programme_usage_persons": ("用信面（按人数）", "Usage (persons)", "pct1"),
    # 07
    "monitoring_points": ("评估基准日个数", "As-of dates in the history", "int"),
    "monitoring_points_backfilled": ("其中回填", "of which backfilled", "int"),
    "monitoring_latest_red": ("最近基准日红灯指标数", "Red indicators at the latest date", "int"),
    "monitoring_latest_amber": ("最近基准日黄灯指标数", "Amber indicators at the latest date", "int"),
}
