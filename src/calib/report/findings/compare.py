"""Report 03's conclusions (the consensus against the model's limits) and its headline figures.

:func:`conclusions` words the decision rows and the summary of the conclusions block from the
figures the notebook computed; :func:`metrics` gives the headline figures in the order the index
shows them. The verdict rules are :func:`investigate_verdict`, :func:`ccc_verdict` and
:func:`kappa_verdict`; their thresholds are the constants below, which the rules' texts state
from the same constants (the catalogue's ``nb03.c.ccc_rule`` and ``nb03.c.kappa_rule``, through
:func:`threshold_words`, which the methods appendix reads too).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from calib.report import fmt
from calib.report.labels import t
from calib.report.record import Finding

if TYPE_CHECKING:
    from calib.params.schema import Reconciliation

__all__ = ["CCC_LOW_MIN", "KAPPA_MIN", "CUSUM_LEVEL", "threshold_words", "investigate_verdict", "ccc_verdict",
           "kappa_verdict", "conclusions", "metrics"]

#: The lower 95% bound of Lin's CCC (log limits) at or above which model and consensus agree:
#: McBride 2005 (NIWA client report HAM2005-062) judges the CCC by its lower 95% bound and calls
#: a concordance below 0.90 "poor".
CCC_LOW_MIN = 0.90

#: Cohen's kappa of grant against decline at or above which the two decisions agree:
#: Landis & Koch 1977, "substantial" agreement from 0.61 (0.60 as the usual round bound).
KAPPA_MIN = 0.60

#: The level at which the methods appendix states the critical value of Passing-Bablok's cusum
#: linearity test (Passing & Bablok 1983 give it at 5%: 1.36). The page reports the test's p-value
#: (:func:`calib.compare.passing_bablok`, from the Kolmogorov distribution) and judges it at no
#: level; the critical value stated is that distribution's at this level.
CUSUM_LEVEL = 0.05


def threshold_words(lang: str | None = None) -> dict[str, str]:
    """Report 03's fixed thresholds as its pages write them, for the catalogue's placeholders (its
    conclusions and its methods appendix, :func:`calib.report.methods.fixed_words`).

    Parameters
    ----------
    lang : {"zh-CN", "en"}, optional
        Default: the current language (the words are the same in both).

    Returns
    -------
    dict of str
        ``ccc_low_min`` (:data:`CCC_LOW_MIN`, ``0.90``), ``kappa_min`` (:data:`KAPPA_MIN`,
        ``0.60``), ``cusum_level`` (:data:`CUSUM_LEVEL`, ``5%``) and ``cusum_critical`` (the
        Kolmogorov distribution's critical value at that level, ``1.36``).

    Examples
    --------
    >>> w = threshold_words("en")
    >>> w["kappa_min"], w["cusum_critical"], w["cusum_level"]
    ('0.60', '1.36', '5%')
    """
    from scipy.special import kolmogi

    from calib.report.words import share_words

    return {"ccc_low_min": fmt.number(CCC_LOW_MIN, 2), "kappa_min": fmt.number(KAPPA_MIN, 2),
            "cusum_level": share_words(CUSUM_LEVEL), "cusum_critical": fmt.number(float(kolmogi(CUSUM_LEVEL)), 2)}


def investigate_verdict(n_investigate: int) -> str:
    """``"review"`` when any household is to be investigated, else ``"pass"``.

    >>> investigate_verdict(0), investigate_verdict(1)
    ('pass', 'review')
    """
    return "review" if n_investigate else "pass"


def ccc_verdict(ccc_low: float) -> str:
    """``"pass"`` when the CCC's lower 95% bound is at least :data:`CCC_LOW_MIN`, else ``"warn"``
    (a missing bound warns too).

    >>> ccc_verdict(0.90), ccc_verdict(0.899)
    ('pass', 'warn')
    """
    return "pass" if ccc_low >= CCC_LOW_MIN else "warn"


def kappa_verdict(kappa: float) -> str:
    """``"pass"`` when Cohen's kappa is at least :data:`KAPPA_MIN`, else ``"warn"`` (a missing
    kappa warns too).

    >>> kappa_verdict(0.60), kappa_verdict(0.205)
    ('pass', 'warn')
    """
    return "pass" if kappa >= KAPPA_MIN else "warn"


def conclusions(agreement: pd.DataFrame, investigations: pd.DataFrame, bridge: Mapping[str, str],
                reconciliation: Reconciliation) -> tuple[list[Finding], str]:
    """The conclusions block of report 03: its decision rows and its one-line summary.

    Parameters
    ----------
    agreement : DataFrame
        :func:`calib.compare.agreement_summary`; the first row (overall) is read: ``ccc``,
        ``ccc_low``, ``ccc_high`` (Lin's CCC with its bootstrap interval) and ``kappa``.
    investigations : DataFrame
        :func:`calib.compare.investigation_list` (one row per household; ``exposure_gap``, yuan).
    bridge : mapping of str
        :func:`calib.report.words.bridge_words` of the limit bridge (the figures of the final
        total, the eligibility rules and the policy, in words).
    reconciliation : calib.params.schema.Reconciliation
        The run's ``reconciliation`` parameters (``rule``, ``band_low``, ``band_high``).

    Returns
    -------
    findings : list of Finding
        Households to investigate (``review`` when any, else ``pass``), the final total, the
        limits removed by the eligibility rules, the policy's change (``info``), the CCC
        (:func:`ccc_verdict`) and kappa (:func:`kappa_verdict`).
    summary : str
        The report's conclusion in one line, for the index.
    """
    s = agreement.iloc[0]
    n, gap = fmt.count(len(investigations)), fmt.wan(investigations["exposure_gap"].sum())
    R = reconciliation
    words = threshold_words()
    findings = [
        Finding(t("nb03.c.investigate"), t("nb03.c.investigate_fig", n=n, gap=gap),
                t("nb03.c.investigate_rule", low=fmt.number(R.band_low, 2), high=fmt.number(R.band_high, 2)),
                investigate_verdict(len(investigations))),
        Finding(t("nb03.c.final"), t("nb03.c.final_fig", **bridge), t("nb03.c.final_rule", **bridge), "info"),
        Finding(t("nb03.c.eligible"), t("nb03.c.eligible_fig", amount=bridge["elig"], who=bridge["eligible_who"]),
                t("nb03.c.eligible_rule"), "info"),
        Finding(t("nb03.c.policy"), t("nb03.c.policy_fig", **bridge), t("nb03.c.policy_rule", rule=t(f"rule.{R.rule}")),
                "info"),
        Finding(t("nb03.c.ccc"), fmt.number(s["ccc"], 3), t("nb03.c.ccc_rule", **words),
                ccc_verdict(s["ccc_low"]), ci=fmt.ci(s["ccc_low"], s["ccc_high"])),
        Finding(t("nb03.c.kappa"), fmt.number(s["kappa"], 3), t("nb03.c.kappa_rule", **words),
                kappa_verdict(s["kappa"])),
    ]
    return findings, t("nb03.summary", n=n, gap=gap, **bridge)


def metrics(agreement: pd.DataFrame, directions: pd.Series, exposure: pd.DataFrame, comparison: pd.DataFrame,
            investigations: pd.DataFrame) -> dict[str, Any]:
    """Report 03's headline figures, in the order the index shows them (``metrics.json``).

    Parameters
    ----------
    agreement : DataFrame
        :func:`calib.compare.agreement_summary`; the first row (overall): ``bias_ratio``,
        ``loa_low_ratio``, ``loa_high_ratio``, ``ccc``, ``deming_slope``, ``kappa``.
    directions : Series of int
        :func:`calib.compare.direction_counts` of the gap drivers' villages (``model_above``,
        ``model_below``, ``in_line``): the counts the report's text states, counted once.
    exposure : DataFrame
        :func:`calib.compare.exposure_by_group`; the first row (overall): ``total_consensus``
        and ``total_final`` (yuan, every household: the limit bridge's), ``total_model`` (yuan, the
        households compared: both limits, an eligible member).
    comparison : DataFrame
        :func:`calib.compare.compare_limits` (``reason``).
    investigations : DataFrame
        :func:`calib.compare.investigation_list` (``exposure_gap``, yuan).

    Returns
    -------
    dict
        ``ba_bias_ratio``, ``loa_low_ratio``, ``loa_high_ratio``, ``ccc``, ``deming_slope``,
        ``kappa``, ``villages_model_above_panel``, ``villages_model_below_panel``,
        ``total_consensus_limit``, ``total_model_limit``, ``total_final_limit``,
        ``households_outside_band``, ``households_to_investigate``, ``exposure_gap_total``.
    """
    s, e = agreement.iloc[0], exposure.iloc[0]
    return {
        "ba_bias_ratio": float(s["bias_ratio"]),
        "loa_low_ratio": float(s["loa_low_ratio"]),
        "loa_high_ratio": float(s["loa_high_ratio"]),
        "ccc": float(s["ccc"]),
        "deming_slope": float(s["deming_slope"]),
        "kappa": float(s["kappa"]),
        "villages_model_above_panel": int(directions["model_above"]),
        "villages_model_below_panel": int(directions["model_below"]),
        "total_consensus_limit": float(e["total_consensus"]),
        "total_model_limit": float(e["total_model"]),
        "total_final_limit": float(e["total_final"]),
        "households_outside_band": int(comparison["reason"].isin(["model_above_band", "model_below_band"]).sum()),
        "households_to_investigate": int(len(investigations)),
        "exposure_gap_total": float(investigations["exposure_gap"].sum()),
    }
