"""Report 02's conclusions and headline figures: the peer consensus and its reviewers.

The notebook computes the consensus (:func:`calib.consensus.status_counts`), the panels'
agreement (:func:`calib.consensus.agreement`) and the reviewers' flags
(:func:`calib.consensus.flagged_reviewers`); this module words the decisions they support
(:func:`conclusions`) and lists the figures the report records (:func:`metrics`), so that the
verdict rules are tested without running the notebook.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from calib.report import fmt, words
from calib.report.labels import get_lang, t
from calib.report.record import Finding

__all__ = ["ICC_GOOD", "REASON_ORDER", "icc_good_words", "threshold_words", "weak_panels", "leniency_quartiles",
           "conclusions", "metrics"]

#: Lower bound of "good" reliability of a panel's average limit, ICC(A,k): Koo & Li (2016) read
#: 0.75-0.90 as good, 0.50-0.75 as moderate. A village panel below it is retrained; the overall
#: ICC(A,k) below it fails the reliability decision.
ICC_GOOD = 0.75

#: The order in which the conclusions name the reasons a reviewer is flagged for
#: (``flag_reason`` codes of :func:`calib.consensus.reviewer_effects`).
REASON_ORDER = ("partial", "self_review", "lenient", "severe")


def icc_good_words() -> str:
    """:data:`ICC_GOOD` as the pages write it (``"0.75"``), for the catalogue's ``{icc_good}``."""
    return fmt.number(ICC_GOOD, 2)


def threshold_words(lang: str | None = None) -> dict[str, str]:
    """Report 02's fixed thresholds as its pages write them, for the catalogue's placeholders
    (its texts, its conclusions and its methods appendix, :func:`calib.report.methods.fixed_words`).

    Parameters
    ----------
    lang : {"zh-CN", "en"}, optional
        Default: the current language.

    Returns
    -------
    dict of str
        ``icc_good`` (:data:`ICC_GOOD`, ``0.75``); ``partiality_fdr``
        (:data:`calib.consensus.PARTIALITY_FDR`, ``5%``); ``shift_threshold``
        (:data:`calib.consensus.SHIFT_THRESHOLD`, ``10%``); ``min_raters`` and
        ``min_component_df`` (:data:`calib.consensus.MIN_COMPONENT_RATERS` and
        ``MIN_COMPONENT_DF``, ``2`` and ``10``); ``alpha_grid`` (:data:`calib.consensus.ALPHA_GRID`
        with its unit: ``1 万元``, ``10,000 yuan``).

    Examples
    --------
    >>> threshold_words("en")["alpha_grid"], threshold_words("zh-CN")["shift_threshold"]
    ('10,000 yuan', '10%')
    """
    from calib.consensus.agreement import ALPHA_GRID
    from calib.consensus.graph import MIN_COMPONENT_DF, MIN_COMPONENT_RATERS
    from calib.consensus.reviewers import PARTIALITY_FDR
    from calib.consensus.tables import SHIFT_THRESHOLD

    lang = lang or get_lang()
    wan = ALPHA_GRID / 1e4
    grid = (f"{fmt.count(ALPHA_GRID)} {t('unit.yuan', lang)}" if lang == "en"
            else f"{fmt.number(wan, fmt.exact_digits(wan))} {t('unit.wan', lang)}")
    return {"icc_good": icc_good_words(), "partiality_fdr": words.share_words(PARTIALITY_FDR),
            "shift_threshold": words.share_words(SHIFT_THRESHOLD), "min_raters": fmt.count(MIN_COMPONENT_RATERS),
            "min_component_df": fmt.count(MIN_COMPONENT_DF), "alpha_grid": grid}


def _overall(frame: pd.DataFrame) -> pd.Series:
    """The ``overall`` row of a table with a ``level`` column (first or last, as it comes)."""
    return frame[frame["level"] == "overall"].iloc[0]


def weak_panels(agreement: pd.DataFrame) -> pd.DataFrame:
    """The village panels to retrain: ICC(A,k) below :data:`ICC_GOOD`.

    Parameters
    ----------
    agreement : DataFrame
        Output of :func:`calib.consensus.agreement` with ``by="village"``; columns ``level``
        and ``icc_ak`` are read.

    Returns
    -------
    DataFrame
        The rows of ``agreement`` at village level whose ``icc_ak`` is below :data:`ICC_GOOD`
        (a village whose ICC(A,k) cannot be computed, NaN, is not among them), in their order.
    """
    return agreement[(agreement["level"] == "village") & (agreement["icc_ak"] < ICC_GOOD)]


def leniency_quartiles(effects: pd.DataFrame) -> tuple[float, float]:
    """Lower and upper quartile of the reviewers' leniency (their ratio is the spread recorded).

    Parameters
    ----------
    effects : DataFrame
        Output of :func:`calib.consensus.reviewer_effects`; column ``leniency`` is read
        (NaN, a reviewer whose leniency is not identified, left out).

    Returns
    -------
    tuple of float
        ``(q1, q3)``.
    """
    q1, q3 = effects["leniency"].quantile([0.25, 0.75])
    return float(q1), float(q3)


def conclusions(status: pd.DataFrame, flagged: pd.DataFrame, agreement: pd.DataFrame, *,
                min_reviews: int, max_dispersion: float) -> tuple[list[Finding], str]:
    """The decisions of report 02 in the reader's words, and its one-line summary.

    Parameters
    ----------
    status : DataFrame
        Output of :func:`calib.consensus.status_counts`; of its ``overall`` row (``level``),
        ``needs_rereview`` and ``share_needs_rereview`` are read.
    flagged : DataFrame
        Output of :func:`calib.consensus.flagged_reviewers` (one row per flagged reviewer);
        ``flag_reason`` is read.
    agreement : DataFrame
        Output of :func:`calib.consensus.agreement` with ``by="village"``; ``level`` and
        ``icc_ak`` are read.
    min_reviews, max_dispersion
        The re-review rule of the parameters (``consensus.min_reviews``,
        ``consensus.max_dispersion``), stated beside the re-review count.

    Returns
    -------
    findings : list of Finding
        Households to re-review (``review`` when any, else ``pass``); reviewers flagged
        (``review`` when any); village panels below :data:`ICC_GOOD` (``review`` when any); the
        overall ICC(A,k) (``pass`` at or above :data:`ICC_GOOD`, else ``fail``).
    summary : str
        The line the index shows.
    """
    ov = _overall(status)
    weak = weak_panels(agreement)
    icck = float(_overall(agreement)["icc_ak"])
    rule = t("nb02.c.panels_rule", icc_good=icc_good_words())
    found = [
        Finding(t("nb02.c.rereview"),
                t("nb02.c.rereview_fig", n=fmt.count(ov["needs_rereview"]), share=fmt.pct(ov["share_needs_rereview"])),
                t("nb02.c.rereview_rule", min_reviews=min_reviews, dispersion=fmt.number(max_dispersion, 2)),
                "review" if ov["needs_rereview"] else "pass"),
        Finding(t("nb02.c.flagged"),  # the counts add up for a reader
                t("nb02.c.flagged_fig", n=fmt.count(len(flagged)),
                  reasons=words.reason_counts(flagged["flag_reason"], REASON_ORDER)),
                t("nb02.c.flagged_rule", **threshold_words()), "review" if len(flagged) else "pass"),
        Finding(t("nb02.c.panels"),
                t("nb02.c.panels_fig", n=fmt.count(len(weak)), villages=fmt.count((agreement["level"] == "village").sum())),
                rule, "review" if len(weak) else "pass"),
        Finding(t("nb02.c.reliability"), fmt.number(icck, 3), rule, "pass" if icck >= ICC_GOOD else "fail"),
    ]
    summary = t("nb02.summary", rereview=fmt.count(ov["needs_rereview"]), flagged=fmt.count(len(flagged)),
                panels=fmt.count(len(weak)), icck=fmt.number(icck, 3), icc_good=icc_good_words())
    return found, summary


def metrics(status: pd.DataFrame, agreement: pd.DataFrame, effects: pd.DataFrame, flagged: pd.DataFrame, *,
            components: pd.DataFrame | None = None, shift: pd.DataFrame | None = None) -> dict[str, Any]:
    """Report 02's headline figures, in the order the index shows them.

    Parameters
    ----------
    status : DataFrame
        Output of :func:`calib.consensus.status_counts`; of its ``overall`` row,
        ``white_listed``, ``declined``, ``share_needs_rereview`` and ``total_consensus`` are read.
    agreement : DataFrame
        Output of :func:`calib.consensus.agreement` with ``by="village"``; ``level``,
        ``icc_a1``, ``icc_ak``, ``krippendorff_alpha`` and ``kendall_w`` are read.
    effects : DataFrame
        Output of :func:`calib.consensus.reviewer_effects` (one row per reviewer); ``leniency``
        is read.
    flagged : DataFrame
        Output of :func:`calib.consensus.flagged_reviewers`; ``flag_reason`` is read.
    components : DataFrame, optional
        Output of :func:`calib.consensus.identifiability` (``identified`` read); given when the
        consensus method adjusts for leniency, else its figure is left out.
    shift : DataFrame, optional
        Output of :func:`calib.consensus.consensus_shift` of the adjusted consensus against the
        median (``n_up``, ``n_down`` of its ``overall`` row read); given when the method adjusts.

    Returns
    -------
    dict
        ``households_white_listed``, ``households_declined``, ``share_needs_rereview``,
        ``total_consensus_limit``, [``components_not_identified``,
        ``households_moved_10pct_vs_median``,] ``icc_a1_overall``, ``icc_ak_overall``,
        ``krippendorff_alpha``, ``kendall_w``, ``villages_icc_ak_below_0_75``, ``reviewers``,
        ``reviewers_flagged``, ``reviewers_flagged_partial``, ``leniency_iqr_ratio``; in this order.
    """
    ov, agr = _overall(status), _overall(agreement)
    out: dict[str, Any] = {
        "households_white_listed": int(ov["white_listed"]),
        "households_declined": int(ov["declined"]),
        "share_needs_rereview": float(ov["share_needs_rereview"]),
        "total_consensus_limit": float(ov["total_consensus"]),
    }
    if components is not None:
        out["components_not_identified"] = int((~components["identified"].astype(bool)).sum())
    if shift is not None:
        sh = _overall(shift)
        out["households_moved_10pct_vs_median"] = int(sh["n_up"] + sh["n_down"])
    q1, q3 = leniency_quartiles(effects)
    out |= {
        "icc_a1_overall": float(agr["icc_a1"]),
        "icc_ak_overall": float(agr["icc_ak"]),
        "krippendorff_alpha": float(agr["krippendorff_alpha"]),
        "kendall_w": float(agr["kendall_w"]),
        "villages_icc_ak_below_0_75": int(len(weak_panels(agreement))),
        "reviewers": int(len(effects)),
        "reviewers_flagged": int(len(flagged)),
        "reviewers_flagged_partial": int(words.reason_tally(flagged["flag_reason"]).get("partial", 0)),
        "leniency_iqr_ratio": q3 / q1,
    }
    return out
