"""Report 04's conclusions block and headline figures: keep the current scorecard or replace it.

The figures come from what the notebook already computed: the keep-or-replace decision on
out-of-fold predictions (:func:`calib.scorecard.keep_or_replace` of
:func:`calib.scorecard.compare_out_of_fold`), the in-sample comparison
(:func:`calib.scorecard.compare_scorecards`), the out-of-fold calibration by grade, Hosmer-Lemeshow
and Spiegelhalter (:mod:`calib.validation`), and the grades of the current and the calibrated card.
The decision itself is the domain's (:func:`~calib.scorecard.keep_or_replace`, whose threshold the
rule's text states); the rules worded here are the calibration tests' significance level
(:data:`ALPHA`) and the traffic light's colour of the whole card.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from calib import monitoring
from calib.report import fmt
from calib.report.labels import t
from calib.report.record import Finding
from calib.report.words import param_words

if TYPE_CHECKING:
    from calib.params.schema import Params
    from calib.params.schema import Scorecard as ScorecardParams
    from calib.scorecard.crossval import CrossValidation

__all__ = ["ALPHA", "calibration_verdict", "light_verdict", "lights", "light_words", "threshold_words",
           "conclusions", "metrics", "calibration_metrics"]

#: The significance level of this report's calibration tests: a p-value below it rejects the PD
#: calibration (Hosmer-Lemeshow and Spiegelhalter over the card: the conclusions ask for a review;
#: Jeffreys per grade: "PD too low", counted in ``grades_jeffreys_rejected``). The conventional
#: 5% level (Fisher 1925); the conclusions and the methods appendix of report 04 state it
#: (:func:`threshold_words`).
ALPHA = 0.05


def _share(x: float) -> str:
    """A confidence or a share as a rule states it: a percentage with the decimals it has (95%, 99.9%)."""
    return fmt.pct(x, fmt.exact_digits(x * 100))


def light_words(lang: str | None = None) -> dict[str, str]:
    """The traffic light's confidence levels and the PSI reading as the pages write them: report
    04's texts and appendix, report 07's appendix and the glossary.

    Parameters
    ----------
    lang : {"zh-CN", "en"}, optional
        Accepted for the common signature of the threshold words; the figures read alike.

    Returns
    -------
    dict of str
        ``light_yellow`` and ``light_red`` (:data:`calib.scorecard.calibration.YELLOW_CONFIDENCE`
        and ``RED_CONFIDENCE``: ``95%``, ``99.9%``); ``psi_moderate`` and ``psi_significant``
        (:data:`calib.scorecard.stability.PSI_MODERATE` and ``PSI_SIGNIFICANT``: ``0.10``,
        ``0.25``).

    Examples
    --------
    >>> light_words()
    {'light_yellow': '95%', 'light_red': '99.9%', 'psi_moderate': '0.10', 'psi_significant': '0.25'}
    """
    from calib.scorecard.calibration import RED_CONFIDENCE, YELLOW_CONFIDENCE
    from calib.scorecard.stability import PSI_MODERATE, PSI_SIGNIFICANT

    psi = lambda x: fmt.number(x, fmt.exact_digits(x, least=2))  # noqa: E731  (0.10, as the PSI tables)
    return {"light_yellow": _share(YELLOW_CONFIDENCE), "light_red": _share(RED_CONFIDENCE),
            "psi_moderate": psi(PSI_MODERATE), "psi_significant": psi(PSI_SIGNIFICANT)}


def threshold_words(lang: str | None = None) -> dict[str, str]:
    """Report 04's fixed thresholds as its pages write them, for the catalogue's placeholders
    (its texts, its conclusions and its methods appendix, :func:`calib.report.methods.fixed_words`).

    Parameters
    ----------
    lang : {"zh-CN", "en"}, optional
        Default: the current language.

    Returns
    -------
    dict of str
        :func:`light_words` and ``calibration_alpha`` (:data:`ALPHA`, ``0.05``), ``sign_alpha``
        (:data:`calib.scorecard.model.SIGN_ALPHA`, ``0.05``), ``min_auc_gain``
        (:data:`calib.scorecard.comparison.MIN_AUC_GAIN`, ``0``), ``n_folds``
        (:data:`calib.scorecard.crossval.N_SPLITS`, ``5``), ``iv_weak``, ``iv_medium``,
        ``iv_strong`` (:data:`calib.scorecard.binning.IV_WEAK` ...: ``0.02``, ``0.1``, ``0.3``).
    """
    from calib.scorecard.binning import IV_MEDIUM, IV_STRONG, IV_WEAK
    from calib.scorecard.comparison import MIN_AUC_GAIN
    from calib.scorecard.crossval import N_SPLITS
    from calib.scorecard.model import SIGN_ALPHA

    return {**light_words(lang), "calibration_alpha": _decimals(ALPHA), "sign_alpha": _decimals(SIGN_ALPHA),
            "min_auc_gain": _decimals(MIN_AUC_GAIN), "n_folds": fmt.count(N_SPLITS),
            "iv_weak": _decimals(IV_WEAK), "iv_medium": _decimals(IV_MEDIUM), "iv_strong": _decimals(IV_STRONG)}


def lights(by_grade: pd.DataFrame) -> tuple[int, int]:
    """How many grades show a red and how many a yellow traffic light.

    Parameters
    ----------
    by_grade : pandas.DataFrame
        :func:`calib.validation.calibration_by_grade`, one row per grade; reads
        ``traffic_light`` (``green``, ``yellow``, ``red``).

    Returns
    -------
    (int, int)
        The red grades and the yellow grades.
    """
    light = by_grade["traffic_light"]
    return int((light == "red").sum()), int((light == "yellow").sum())


def light_verdict(red: int, yellow: int) -> str:
    """The whole card's traffic light: ``red`` when a grade is red, else ``yellow`` when a grade
    is yellow, else ``green``.

    Examples
    --------
    >>> light_verdict(1, 2), light_verdict(0, 1), light_verdict(0, 0)
    ('red', 'yellow', 'green')
    """
    return "red" if red else ("yellow" if yellow else "green")


def calibration_verdict(hosmer_lemeshow_p: float, spiegelhalter_p: float) -> str:
    """The verdict on the card's overall calibration: ``pass`` when neither test rejects it
    (both p-values at least :data:`ALPHA`), else ``review``; a test whose p-value is undefined
    (NaN) does not pass.

    Examples
    --------
    >>> calibration_verdict(0.05, 0.5), calibration_verdict(0.049, 0.5), calibration_verdict(0.5, float("nan"))
    ('pass', 'review', 'review')
    """
    return "pass" if hosmer_lemeshow_p >= ALPHA and spiegelhalter_p >= ALPHA else "review"


def _decimals(x: float) -> str:
    """A rule's threshold as a rule states it: the decimals it has (``0``, ``0.05``)."""
    return fmt.number(x, fmt.exact_digits(x))


def conclusions(decision: pd.DataFrame, out_of_fold: pd.DataFrame, in_sample: pd.DataFrame,
                by_grade: pd.DataFrame, hosmer_lemeshow: pd.DataFrame, spiegelhalter: pd.DataFrame,
                a_or_better_share: float, status: pd.DataFrame, params: Params) -> tuple[list[Finding], str]:
    """Report 04's conclusions block: the findings and the one-line summary for the index.

    Verdicts: keep or replace the current weights as the out-of-fold decision says (``replace``
    only when the whole interval of the AUC gain lies above the decision's threshold); the
    in-sample AUC for reference (``info``); the grades' traffic light (:func:`light_verdict`); the
    overall calibration (:func:`calibration_verdict`); the A-or-better share (``info``). The
    summary recommends replacing or keeping and gives the traffic light.

    Parameters
    ----------
    decision : pandas.DataFrame
        :func:`calib.scorecard.keep_or_replace`, one row; reads ``value``, ``ci_low``,
        ``ci_high``, ``p_value``, ``threshold``, ``verdict`` and ``interval``.
    out_of_fold : pandas.DataFrame
        The ``auc`` table of :func:`calib.scorecard.compare_out_of_fold`, one row; reads
        ``auc_calibrated`` and ``auc_current``.
    in_sample : pandas.DataFrame
        The ``auc`` table of :func:`calib.scorecard.compare_scorecards`, one row; reads
        ``auc_calibrated``, ``auc_diff``, ``p_value``, ``ci_low`` and ``ci_high``.
    by_grade : pandas.DataFrame
        :func:`calib.validation.calibration_by_grade` (out of fold), one row per grade; reads
        ``traffic_light``.
    hosmer_lemeshow, spiegelhalter : pandas.DataFrame
        :func:`calib.validation.hosmer_lemeshow` and :func:`calib.validation.spiegelhalter`, one
        row each; reads ``p_value``.
    a_or_better_share : float
        The scored households' share graded A or better by the calibrated card (in sample).
    status : pandas.DataFrame
        :func:`calib.villages.household_status` (report 06's figure), one row per household;
        reads ``a_or_better``.
    params : calib.params.Params
        The run's parameters (the credit-village standard's A-or-better rule, in words).

    Returns
    -------
    (list of Finding, str)
        The findings and the summary, in the current language, for
        ``report.conclude(*conclusions(...))``.
    """
    d = decision.iloc[0]
    oof, ins = out_of_fold.iloc[0], in_sample.iloc[0]
    better = d["verdict"] == "replace"
    red, yellow = lights(by_grade)
    light = light_verdict(red, yellow)
    hl_p, sp_p = float(hosmer_lemeshow["p_value"].iloc[0]), float(spiegelhalter["p_value"].iloc[0])
    words = threshold_words()
    diff, ci, p = fmt.number(d["value"], 3), fmt.ci(d["ci_low"], d["ci_high"]), fmt.pval(d["p_value"])
    findings = [
        Finding(t("nb04.c.keep"),
                t("nb04.c.keep_fig", cv=fmt.number(oof["auc_calibrated"], 3), cur=fmt.number(oof["auc_current"], 3),
                  diff=diff, p=p),
                t("nb04.c.keep_rule", gain=_decimals(float(d["threshold"]))), "replace" if better else "keep", ci=ci),
        Finding(t("nb04.c.insample"),
                t("nb04.c.insample_fig", auc=fmt.number(ins["auc_calibrated"], 3), diff=fmt.number(ins["auc_diff"], 3),
                  p=fmt.pval(ins["p_value"])),
                t("nb04.c.insample_rule"), "info", ci=fmt.ci(ins["ci_low"], ins["ci_high"])),
        Finding(t("nb04.c.light"), t("nb04.c.light_fig", red=red, yellow=yellow, n=len(by_grade)),
                t("nb04.c.light_rule", **words), light),
        Finding(t("nb04.c.hl"), t("nb04.c.hl_fig", hl=fmt.pval(hl_p), sp=fmt.pval(sp_p)),
                t("nb04.c.hl_rule", **words), calibration_verdict(hl_p, sp_p)),
        Finding(t("nb04.c.share"), fmt.pct(a_or_better_share),
                t("nb04.c.share_rule", share06=fmt.pct(status["a_or_better"].mean()),
                  a_share=param_words(params)["a_share"]), "info"),
    ]
    summary = t("nb04.summary_replace" if better else "nb04.summary_keep", diff=diff, ci=ci,
                interval=t(d["interval"]), p=p, light=t(light))
    return findings, summary


def metrics(in_sample: pd.DataFrame, cv: CrossValidation, decision: pd.DataFrame, discrimination: pd.DataFrame,
            a_or_better_share: float, sign_warnings: pd.DataFrame) -> dict[str, Any]:
    """The headline figures of the comparison and the keep-or-replace decision, in the order
    the index shows them (``auc_current`` ... ``sign_warnings``).

    Parameters
    ----------
    in_sample : pandas.DataFrame
        The ``auc`` table of :func:`calib.scorecard.compare_scorecards`, one row; reads
        ``auc_current``, ``auc_calibrated`` and ``p_value``.
    cv : calib.scorecard.crossval.CrossValidation
        :func:`calib.scorecard.cross_validate`; reads ``auc_pooled`` and ``ks_pooled`` (the
        out-of-fold AUC and KS the monitoring follows).
    decision : pandas.DataFrame
        :func:`calib.scorecard.keep_or_replace`, one row; reads ``value``, ``ci_low``,
        ``ci_high``, ``p_value`` and ``verdict``.
    discrimination : pandas.DataFrame
        :func:`calib.validation.discrimination` of the calibrated score (in sample), one row;
        reads ``ks``.
    a_or_better_share : float
        The scored households' share graded A or better by the calibrated card (in sample).
    sign_warnings : pandas.DataFrame
        The card's ``sign_warnings_``, one row per characteristic against the expected sign.

    Returns
    -------
    dict
        Metric key -> value, for ``report.record_all``.
    """
    ins, d = in_sample.iloc[0], decision.iloc[0]
    return {
        "auc_current": float(ins["auc_current"]),
        "auc_calibrated": float(ins["auc_calibrated"]),
        "auc_calibrated_cv": float(cv.auc_pooled),
        "ks_calibrated": float(discrimination["ks"].iloc[0]),
        "ks_calibrated_cv": float(cv.ks_pooled),  # the monitoring's KS: out of fold, as its AUC
        "auc_diff_p_value": float(ins["p_value"]),
        "auc_diff_cv": float(d["value"]),
        "auc_diff_cv_ci_low": float(d["ci_low"]),
        "auc_diff_cv_ci_high": float(d["ci_high"]),
        "auc_diff_cv_p_value": float(d["p_value"]),
        "scorecard_verdict": str(d["verdict"]),
        "a_or_better_share_scored_calibrated": float(a_or_better_share),
        "sign_warnings": len(sign_warnings),
    }


def calibration_metrics(by_grade: pd.DataFrame, hosmer_lemeshow: pd.DataFrame, spiegelhalter: pd.DataFrame, *,
                        current: pd.DataFrame, calibrated: pd.DataFrame, characteristics: pd.DataFrame,
                        settings: ScorecardParams) -> dict[str, Any]:
    """The calibration's headline figures and what later runs compare with (report 07), in the
    order the index shows them (``grades_red`` ... ``grade_confidence``).

    Report 07 compares with: the current card's score and grade distributions (the card in use:
    its PSI, on fixed bands of its cutoffs), the recalibrated card's (on fixed bands of its
    scale), the characteristics' on fixed bins, and the grades' default rates, PDs and traffic
    light confidence.

    Parameters
    ----------
    by_grade : pandas.DataFrame
        :func:`calib.validation.calibration_by_grade` (out of fold), one row per grade; reads
        ``grade``, ``traffic_light``, ``jeffreys_p``, ``observed_dr``, ``predicted_pd`` and
        ``confidence``.
    hosmer_lemeshow, spiegelhalter : pandas.DataFrame
        :func:`calib.validation.hosmer_lemeshow` and :func:`calib.validation.spiegelhalter`, one
        row each; reads ``p_value``.
    current, calibrated : pandas.DataFrame
        One row per scored household: the current card's (:func:`calib.scorecard.score_current`)
        and the calibrated card's score and grade; reads ``score`` and ``grade``.
    characteristics : pandas.DataFrame
        The scored households' characteristics (:data:`calib.features.CHARACTERISTICS`), every
        column read.
    settings : calib.params.schema.Scorecard
        The ``scorecard`` parameters; reads ``current_cutoffs``, ``base_score`` and ``pdo``.

    Returns
    -------
    dict
        Metric key -> value, for ``report.record_all``.
    """
    red, _ = lights(by_grade)
    grade_dr, grade_pd = monitoring.grade_figures(by_grade)
    return {
        "grades_red": red,
        "grades_jeffreys_rejected": int((by_grade["jeffreys_p"] < ALPHA).sum()),
        "hosmer_lemeshow_p": float(hosmer_lemeshow["p_value"].iloc[0]),
        "spiegelhalter_p": float(spiegelhalter["p_value"].iloc[0]),
        "current_score_distribution": monitoring.distribution(
            current["score"], edges=monitoring.current_score_edges(settings.current_cutoffs)),
        "current_grade_distribution": monitoring.distribution(current["grade"]),
        "score_distribution": monitoring.distribution(
            calibrated["score"], edges=monitoring.score_edges(settings.base_score, settings.pdo)),
        "grade_distribution": monitoring.distribution(calibrated["grade"]),
        "characteristic_distributions": monitoring.distributions(characteristics),
        "grade_default_rates": grade_dr,
        "grade_pds": grade_pd,
        "grade_confidence": monitoring.grade_confidence(by_grade),  # report 07's grade backtest: the traffic light's figure
    }
