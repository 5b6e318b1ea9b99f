"""Catalogue texts of report 02 (peer-review consensus)."""
from __future__ import annotations

TEXTS_02: dict[str, tuple[str, str]] = {
    "nb02.title": ("背靠背评议与公议授信额度", "Peer-review consensus limits"),
    "nb02.intro": (
        "本报告回答：哪些评议员、哪些村的评议小组需要再培训，哪些农户需要重新评议（整村授信第 2 步“授信评议”）。"
        "各村评议小组背靠背独立评议后，如何形成每户一个公议授信额度；各小组的一致程度；"
        "哪些评议员对有亲属、邻里或生意关系的农户可能有偏袒。评议员只以编号出现，农户只以户号出现。",
        "This report answers which reviewers and which village panels need retraining and which households need "
        "re-review (step 2, back-to-back peer review): how the panels' independent reviews become one consensus "
        "limit per household, how well each panel agrees, and which look "
        "partial towards households related to them. Reviewers appear by number only, households by household number."),
    "nb02.consensus.h": ("公议授信额度", "Consensus limits"),
    "nb02.consensus.text": (
        "每户的公议额度是{method}，再按参数封顶并取整到额度档位。评议员对本户的评议回避（不计入）。"
        "按拒绝规则被拒绝的农户不进入白名单；评议人数过少或建议额度分歧过大的农户需重新评议。下表为全部及各村汇总（全部在第一行）。",
        "Each household's consensus is {method}, capped and rounded to the grid of the parameters. Reviews of a "
        "reviewer's own household are recused. Declines keep a household off the white list under the decline "
        "rule; few reviews or a wide spread of proposals send it back for re-review. Overall first, then by village."),
    # the consensus method of the parameters (consensus.method), as the reader is told it
    "nb02.method.adjusted": (
        "在对数尺度上扣除每位评议员的宽严倾向后的小组水平（稳健的交叉效应拟合 log(建议额度) = 农户 + 评议员 + 误差，"
        "评议员在村内中心化）",
        "the panel's level for it on the log scale after removing every reviewer's leniency or severity (a robust "
        "crossed fit log(proposal) = household + reviewer + error, reviewers centred within their village)"),
    "nb02.method.median": (
        "评议员建议额度的中位数（不扣除评议员的宽严倾向）",
        "the median of the reviewers' proposals (no adjustment for a reviewer's leniency or severity)"),
    "nb02.method.trimmed_mean": (
        "对数建议额度两端各去掉 {trim} 后的均值（不扣除评议员的宽严倾向）",
        "the mean of the log proposals after dropping {trim} at each end (no adjustment for a reviewer's "
        "leniency or severity)"),
    "nb02.method.huber": (
        "对数建议额度的 Huber 稳健均值（不扣除评议员的宽严倾向）",
        "the Huber robust mean of the log proposals (no adjustment for a reviewer's leniency or severity)"),
    "nb02.not_adjusted": (
        "本次公议方法不扣除评议员的宽严倾向：连通组的可识别性与“扣除宽严倾向前后的比较”两节不适用。",
        "This run's consensus method does not adjust for the reviewers' leniency: the sections on the components "
        "of the review graph and on the adjusted against the plain median do not apply."),
    "nb02.components": (
        "公议模型按评议的连通组（由共同评议连在一起的农户与评议员）分别拟合。{total} 个连通组中有 {n} 个（共 {households} 户）评议员宽严不可识别"
        "（评议员少于 {min_raters} 人或自由度不足）：这些农户取评议额度的中位数，其评议员不估计宽严。",
        "The consensus model is fitted per connected component of the reviews (households and reviewers linked by "
        "shared reviews). Of {total} {total, plural, one {component} other {components}}, {n} ({households} {households, plural, one {household} other {households}}) {n, plural, one {does} other {do}} not identify the reviewers' "
        "leniency (fewer than {min_raters} {min_raters, plural, one {reviewer} other {reviewers}} or too few degrees of freedom): their households get the median of the "
        "reviewed amounts and their reviewers no leniency."),
    "nb02.consensus.summary": (
        "评议农户 {reviewed} 户：进入白名单 {white} 户，被拒绝 {declined} 户，需重新评议 {rereview} 户（{share}）；"
        "公议额度合计 {total}；回避的评议 {recused} 条。\n\n"
        "白名单户数（{white} 户）与合格农户数（{eligible} 户，报告 01）口径不同：白名单按评议结果确定，其中 {not_elig} 户"
        "户内没有符合年龄与排除规则的成员，授信前须按资格规则剔除（报告 06 的授信面只计合格农户）：公议额度合计 {total}中，这 {not_elig} 户占 {not_elig_total}，"
        "报告 03 的最终额度不含这部分。",
        "Households reviewed {reviewed}: white-listed {white}, declined {declined}, needing re-review {rereview} "
        "({share}); total consensus limit {total}; recused reviews {recused}.\n\n"
        "The white list ({white}) and the eligible households ({eligible}, report 01) count different things: the "
        "white list follows the panel, and {not_elig} of its households {not_elig, plural, one {has} other {have}} no member meeting the age and "
        "exclusion rules; {not_elig, plural, one {it} other {they}} must be removed before credit is granted (report 06 counts eligible households only): "
        "of the total consensus limit {total}, {not_elig, plural, one {this} other {these}} {not_elig} {not_elig, plural, one {holds} other {hold}} {not_elig_total}, which report 03's final limits leave out."),
    "nb02.leniency.spread": (
        "评议员宽严倾向的离散度：上四分位 {q3} 与下四分位 {q1} 之比为 {ratio}（1.00 表示评议员宽严一致）。",
        "Spread of the reviewers' leniency: upper quartile {q3} over lower quartile {q1}, {ratio} (1.00: every "
        "reviewer equally lenient)."),
    "nb02.shift.h": ("扣除宽严倾向后的公议额度与简单中位数的比较", "Adjusted consensus against the plain median"),
    "nb02.shift.text": (
        "简单中位数取决于哪些评议员恰好评议了该户：由小组中偏宽的成员评议的农户会得到更高额度。下表统计扣除评议员宽严倾向后额度变动超过 {shift_threshold} 的户数（全部在第一行，各村按变动超过 {shift_threshold} 的占比从高到低排列）。",
        "The plain median of the proposals depends on which members happened to review a household: a household "
        "reviewed by the lenient members of an incomplete panel gets more. The table counts households whose "
        "limit moves by more than {shift_threshold} when leniency is taken out (overall first, then the villages by that share, highest first)."),
    "nb02.shift.summary": (
        "两种方法均算出正额度的 {n} 户中，额度变动超过 {shift_threshold} 的有 {moved} 户（{share}）：上调 {up} 户，下调 {down} 户。"
        "比较的是小组拒绝规则之前的额度（被多数评议员拒绝、不进白名单的农户也在内）：评议的 {reviewed} 户中另有 {other} 户"
        "至少在一种方法下没有正额度，不参与比较。",
        "Of the {n} {n, plural, one {household} other {households}} with a positive amount under both methods, {moved} ({share}) {moved, plural, one {moves} other {move}} by more than {shift_threshold}: "
        "{up} up, {down} down. The amounts compared are those before the panel's decline rule (households declined "
        "by most reviewers, off the white list, included); {other} of the {reviewed} reviewed {reviewed, plural, one {household} other {households}} {other, plural, one {has} other {have}} no "
        "positive amount under at least one method and {other, plural, one {is} other {are}} not compared."),
    "nb02.agreement.h": ("评议小组的一致程度", "How well the panels agree"),
    "nb02.agreement.text": (
        "由对数建议额度的方差分量得到组内相关系数：ICC(A,1) 是单个评议员的信度，ICC(A,k) 是 k 人小组平均值的信度"
        "（绝对一致，宽严差异计为不一致；McGraw & Wong 1996）。Krippendorff α（比率尺度，额度按 {alpha_grid}档位）与 Kendall W"
        "（村内排序的一致）作为补充。ICC(A,k) 低于 {icc_good}（Koo & Li 2016 “良好信度”下限）的村是再培训评议小组的首选对象。下表全部在第一行，各村按 ICC(A,k) 从低到高排列。",
        "Variance components of the log proposals give the intraclass correlations: ICC(A,1) is the reliability "
        "of one reviewer, ICC(A,k) that of the panel's average of k reviews (absolute agreement; McGraw & Wong "
        "1996). Krippendorff's alpha (ratio, amounts on a grid of {alpha_grid}) and Kendall's W (ranking within the "
        "village) complete the picture. Villages with ICC(A,k) below {icc_good} (Koo & Li 2016, lower bound of good "
        "reliability) are the first candidates for retraining the panel. Overall first, then the villages by ICC(A,k), lowest first."),
    "nb02.agreement.summary": (
        "全部：ICC(A,1) {icc1}，ICC(A,k) {icck}（平均每户 {k} 人评议），Krippendorff α {alpha}，Kendall W {w}；"
        "ICC(A,k) 低于 {icc_good} 的村 {weak} 个。",
        "Overall: ICC(A,1) {icc1}, ICC(A,k) {icck} (k = {k}), Krippendorff's alpha {alpha}, Kendall's W {w}; "
        "{weak} {weak, plural, one {village} other {villages}} with ICC(A,k) below {icc_good}."),
    "nb02.plot.agreement_title": ("各村{what}分布（虚线：全部）", "{what} by village (dashed: overall)"),  # spaced by words.spaced
    "nb02.leniency.h": ("评议员宽严倾向", "Reviewer leniency"),
    "nb02.leniency.text": (
        "评议员的宽严倾向是其建议额度与同一批农户小组水平之比（1.2 表示高 20%），附 95% 区间。图中按倾向排序；"
        "因偏袒被标记的评议员为红色（其中也可能评议了本户），仅因评议了本户（已回避）而被标记的为橙色；宽严倾向本身不作标记（见下节）。",
        "A reviewer's leniency is the ratio of their proposals to the panel's level for the same households (1.2 "
        "= 20% above), with a 95% interval, sorted; reviewers flagged for partiality in red (some may also have "
        "reviewed their own household), those flagged only for reviewing their own household (recused) in orange; "
        "leniency itself is not flagged (next section)."),
    "nb02.plot.leniency_title": ("评议员宽严倾向（95% 区间）", "Reviewer leniency (95% interval)"),
    "nb02.plot.leniency_x": ("评议员（按宽严倾向排序）", "reviewers, sorted by leniency"),
    "nb02.plot.leniency_y": ("建议额度 / 小组水平", "proposals / panel level"),
    "nb02.plot.flag_self": ("仅因评议本户被标记", "flagged: own household only"),
    "nb02.plot.flag_partial": ("被标记：偏袒", "flagged: partial"),
    "nb02.plot.not_flagged": ("未标记", "not flagged"),
    "nb02.flagged.h": ("被标记的评议员", "Flagged reviewers"),
    "nb02.flagged.text": (
        "偏袒检验比较评议员对关系登记中有关系（亲属、邻里、生意）农户的残差与对其他农户的残差（留一法，评议员本人的评分不参与确定农户水平）；"
        "p 值按检验的评议员人数校正（Benjamini-Hochberg，{partiality_fdr} 错误发现率）。评议了本户的评议员一律标记。完整名单写入 "
        "`flagged_reviewers.xlsx`，只含评议员编号与角色，不含姓名。",
        "Partiality compares a reviewer's residuals (leave-one-out) on households registered as related (kin, "
        "neighbour, business) with those on the reviewer's other households; p-values are adjusted for the number "
        "of reviewers tested (Benjamini-Hochberg, {partiality_fdr} false discovery rate). A reviewer who reviewed their own "
        "household is always flagged. The full list is in `flagged_reviewers.xlsx`: reviewer number and role, no names."),
    "nb02.missing_partiality": ("该评议员没有评议过有登记关系的农户，无法检验偏袒",
                                "the reviewer reviewed no related household: partiality cannot be tested"),
    "nb02.flagged.summary": (
        "评议员 {reviewers} 人，被标记 {flagged} 人：偏袒 {partial} 人，评议本户 {self_review} 人（一人可有多个原因）。"
        "偏宽、偏严不作标记：{leniency}上表列出被标记评议员的宽严倾向（倍）及其 95% 区间。",
        "Reviewers {reviewers}, flagged {flagged}: partial {partial}, own household {self_review} (a reviewer may "
        "have several reasons). Leniency and severity are not flagged: {leniency}the table above gives the flagged "
        "reviewers' leniency and its 95% interval."),
    "nb02.flagged.adjusted": ("公议额度已扣除每位评议员的宽严倾向；", "the consensus already takes each reviewer's leniency out; "),
    "nb02.flagged.not_adjusted": ("本次的公议方法不扣除宽严倾向，偏宽的评议员会抬高其评议农户的额度；",
                                  "this run's consensus method does not take leniency out, so a lenient reviewer raises the limits of the households they review; "),
    "nb02.c.rereview": ("需重新评议的农户", "Households to re-review"),
    "nb02.c.rereview_fig": ("{n} 户（{share}）", "{n} ({share})"),
    "nb02.c.rereview_rule": ("评议少于 {min_reviews} 人或分歧（对数额度稳健离散度）大于 {dispersion}（参数：公议额度）",
                             "fewer than {min_reviews} {min_reviews, plural, one {review} other {reviews}} or spread of log proposals above {dispersion} (parameters: consensus)"),
    "nb02.c.flagged": ("需约谈或再培训的评议员", "Reviewers to interview or retrain"),
    "nb02.c.flagged_fig": ("{n} 人（{reasons}）", "{n} ({reasons})"),
    "nb02.c.flagged_rule": ("偏袒：BH 校正 q < {partiality_fdr}；评议本户：一律标记",
                            "partiality: BH-adjusted q < {partiality_fdr}; own household: always"),
    "nb02.c.panels": ("需再培训的评议小组（村）", "Village panels to retrain"),
    "nb02.c.panels_fig": ("{n} / {villages} 个村", "{n} of {villages} {villages, plural, one {village} other {villages}}"),
    "nb02.c.panels_rule": ("ICC(A,k) ≥ {icc_good}（Koo & Li 2016）", "ICC(A,k) ≥ {icc_good} (Koo & Li 2016)"),
    "nb02.c.reliability": ("全部小组平均额度的信度 ICC(A,k)", "Reliability of the panel average, ICC(A,k), overall"),
    "nb02.summary": (
        "需重新评议 {rereview} 户；{flagged} 名评议员需约谈或再培训；{panels} 个村的评议小组信度低于 {icc_good}，需再培训（全部 ICC(A,k) {icck}）。",
        "{rereview} {rereview, plural, one {household} other {households}} to re-review; {flagged} {flagged, plural, one {reviewer} other {reviewers}} to interview or retrain; {panels} {panels, plural, one {village panel} other {village panels}} "
        "below {icc_good} reliability to retrain (overall ICC(A,k) {icck})."),
}
