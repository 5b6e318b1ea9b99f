"""Report 05's conclusions block, headline figures and cost summary: the points discount in words.

The figures come from what the notebook already computed: the decisions of
:func:`calib.pricing.conclusions` (indexed by ``decision``: ``pricing_period``,
``policy_discount``, ``recommended_discount``, ``recommended_yearly_cost``,
``current_yearly_cost``, ``current_rate``, ``base_rate``; each with ``figure``, ``ci_low``,
``ci_high``, ``threshold``, ``verdict``), the cost of the current schedule by points band
(:func:`calib.pricing.evaluate_schedule`, its ``total`` row), the recommendation
(:func:`calib.pricing.recommend_schedule`), the risk-justified discount
(:func:`calib.pricing.calibrate_points_discount`) and the villages flagged for point inflation
(:func:`calib.pricing.points_inflation`). The verdicts are the decisions' own; the one rule
worded here is the inflation finding's (a flagged village asks for a review), whose threshold is
:data:`calib.pricing.inflation.Z_THRESHOLD`. Amounts are written in 万元, as the other reports'
totals (:func:`money`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from calib.pricing.conclusions import base_rate_finding
from calib.report import fmt
from calib.report.labels import get_lang, t
from calib.report.record import Finding

if TYPE_CHECKING:
    from calib.pricing.recommend import Recommendation
    from calib.pricing.schedule import Schedule

__all__ = ["NAMES_LISTED", "MONEY", "money", "discount", "policy_words", "form_words", "book_rate", "inflation_z", "threshold_words", "flagged_villages",
           "flagged_names",
           "inflation_verdict", "cost_summary", "conclusions", "metrics"]

#: Villages named in a sentence before the rest are only counted ("甲村、乙村等 12 个"): a sample
#: flags three, a province hundreds (:func:`calib.report.fmt.join`); a page convention.
NAMES_LISTED = 10

#: The display kind of report 05's amounts (:func:`money`; an interval's ends, :func:`calib.report.fmt.ci`).
MONEY = "wan"

_DECISIONS = ("pricing_period", "policy_discount", "recommended_discount", "recommended_yearly_cost",
              "current_yearly_cost", "current_rate", "base_rate")


def money(x: float) -> str:
    """An amount as report 05 writes it everywhere (the page, its conclusions, the index): in
    万元 with two decimals, as reports 02, 03 and 06 write their totals (:func:`calib.report.fmt.wan`).
    Every amount of the page is a total a year over loans (all loans, a points band's, a
    schedule's) or the subsidy budget; none is one loan's, so none stays in 元.

    Parameters
    ----------
    x : float
        An amount in yuan (as :func:`calib.pricing.evaluate_schedule` and the parameters give it).

    Returns
    -------
    str
        The amount in the run's language (``9.28 万元``, en ``9.28 × 10,000 yuan``).

    Examples
    --------
    >>> from calib.report import set_lang
    >>> _ = set_lang("zh-CN"); money(92_808), money(200_000), money(0)
    ('9.28 万元', '20.00 万元', '0.00 万元')
    """
    return fmt.wan(x)


def discount(x: float) -> str:
    """A points discount as report 05 writes it everywhere: a percentage with three decimals
    (``0.022%`` beside ``0.000%`` and ``0.100%``).

    Parameters
    ----------
    x : float
        A discount as a fraction of the rate (0.001 = 0.1 percentage point).

    Returns
    -------
    str
        The discount formatted (:func:`calib.report.fmt.pct`, three decimals).

    Examples
    --------
    >>> discount(0.001), discount(0.00022)
    ('0.100%', '0.022%')
    """
    return fmt.pct(x, 3)


def policy_words(policy_per_100: float, schedule: Schedule) -> str:
    """The policy's discount per 100 points as report 05 states it beside the risk-justified one:
    a step schedule's own step (``0.100%``); a banded schedule's borrowers' total discount per 100
    of their points (:func:`calib.pricing.calibrate_points_discount`'s ``policy_per_100``), said
    to be that (``0.068%（分档方案按借款人积分折合）``), since such a schedule has no step.

    Parameters
    ----------
    policy_per_100 : float
        ``policy_per_100`` of :func:`calib.pricing.calibrate_points_discount`.
    schedule : calib.pricing.Schedule
        The schedule in force (``bands`` set or not).

    Returns
    -------
    str
    """
    words = discount(policy_per_100)
    return t("nb05.policy_bands", policy=words) if _banded(schedule) else words


def _banded(schedule: Schedule) -> bool:
    """Whether report 05 speaks of ``schedule`` in bands: the form its recommendation keeps
    (:func:`calib.pricing.schedule_form`)."""
    from calib.pricing.recommend import schedule_form

    return schedule_form(schedule) == "band"


def form_words(schedule: Schedule) -> dict[str, Any]:
    """What report 05 says differently of a banded schedule than of a step one (it has no step,
    and its recommendation is searched in bands): one choice, by :func:`calib.pricing.schedule_form`.

    Parameters
    ----------
    schedule : calib.pricing.Schedule
        The schedule in force.

    Returns
    -------
    dict
        ``search``: the catalogue key of the recommended schedule's search (``nb05.recommend.step``
        or ``nb05.recommend.bands``, shown with ``width``); ``policy``: the plot's policy line;
        ``check``: what of the schedule to check when it did not reproduce the booked rates
        (``nb05.period.mismatch``); ``missing``: why a table's discount per 100 points is "—"
        (a banded schedule has none; ``report.table(..., missing=...)``); ``policy_is``: what the
        policy's discount per 100 points is, said once where the discount section defines it
        (``nb05.discount.text``: nothing for a step schedule, the conversion of a banded one, in the
        words :func:`policy_words` puts beside the figure); ``policy_column``: the calibration
        table's name of that figure (``policy_per_100``, or ``policy_per_100_bands`` saying so);
        ``recommend``, ``recommend_rule``, ``summary``: the catalogue keys of the conclusions'
        recommendation row, its rule and the summary offering a discount (a step per 100 points,
        or the top band); ``size``: the recommendation summary's column that measures a schedule
        (``discount_per_100``, or ``top_discount``, as :func:`calib.pricing.conclusions` measures it).

    Examples
    --------
    >>> from calib.pricing import Schedule
    >>> form_words(Schedule())["search"], form_words(Schedule(bands=[{"points": 200, "discount": 0.002}]))["search"]
    ('nb05.recommend.step', 'nb05.recommend.bands')
    """
    if not _banded(schedule):
        return {"search": "nb05.recommend.step", "policy": t("nb05.plot.policy"),
                "check": t("nb05.period.check_step"), "missing": {}, "policy_is": "",
                "policy_column": "policy_per_100", "recommend": "nb05.c.recommend",
                "recommend_rule": "nb05.c.recommend_rule", "summary": "nb05.summary", "size": "discount_per_100"}
    return {"search": "nb05.recommend.bands", "policy": t("nb05.plot.policy_bands"),
            "check": t("nb05.period.check_bands"),
            "missing": {"discount_per_100": t("nb05.missing_per_100_bands")},
            "policy_is": t("nb05.discount.policy_bands"), "policy_column": "policy_per_100_bands",
            "recommend": "nb05.c.recommend_bands", "recommend_rule": "nb05.c.recommend_rule_bands",
            "summary": "nb05.summary_bands", "size": "top_discount"}


def inflation_z() -> str:
    """The robust z above which a village is flagged for point inflation, as the page writes it
    (``3.5``, from :data:`calib.pricing.inflation.Z_THRESHOLD`, with the decimals it has).

    Returns
    -------
    str
        The threshold formatted (:func:`calib.report.fmt.number`).
    """
    from calib.pricing.inflation import Z_THRESHOLD  # read from its home when the page is written

    return fmt.number(Z_THRESHOLD, fmt.exact_digits(Z_THRESHOLD))


def _share(x: float) -> str:
    """A share as a rule states it: a percentage with the decimals it has (``95%``, ``45%``)."""
    return fmt.pct(x, fmt.exact_digits(x * 100))


def threshold_words(lang: str | None = None) -> dict[str, str]:
    """Report 05's fixed thresholds as its pages write them, for the catalogue's placeholders
    (its texts, its conclusions and its methods appendix, :func:`calib.report.methods.fixed_words`).

    Parameters
    ----------
    lang : {"zh-CN", "en"}, optional
        Default: the current language (the lists' separator).

    Returns
    -------
    dict of str
        ``inflation_z`` (:func:`inflation_z`, ``3.5``); ``min_reproduced``
        (:data:`calib.pricing.MIN_RATES_REPRODUCED`, ``95%``); ``rate_tolerance``
        (:data:`calib.pricing.points.RATE_TOLERANCE` in percentage points, ``0.0001``);
        ``few_boot_villages`` (:data:`calib.pricing.calibration.FEW_BOOTSTRAP_VILLAGES`,
        ``20``); ``axis_min_loans`` (:data:`calib.pricing.MIN_AXIS_LOANS`, ``20``);
        ``sensitivity_lgd`` and ``sensitivity_uptake`` (the scenarios of
        :func:`calib.pricing.sensitivity`, :data:`calib.pricing.recommend.SENSITIVITY_LGD` and
        ``SENSITIVITY_UPTAKE``, listed: ``30%、45%、60%``, ``0, 0.1, 0.3``).

    Examples
    --------
    >>> w = threshold_words("en")
    >>> w["rate_tolerance"], w["sensitivity_lgd"], w["sensitivity_uptake"]
    ('0.0001', '30%, 45%, 60%', '0, 0.1, 0.3')
    """
    from calib.pricing.calibration import FEW_BOOTSTRAP_VILLAGES
    from calib.pricing.conclusions import MIN_RATES_REPRODUCED
    from calib.pricing.plots import MIN_AXIS_LOANS
    from calib.pricing.points import RATE_TOLERANCE
    from calib.pricing.recommend import SENSITIVITY_LGD, SENSITIVITY_UPTAKE

    lang = lang or get_lang()
    tol = RATE_TOLERANCE * 100  # percentage points
    return {"inflation_z": inflation_z(), "min_reproduced": _share(MIN_RATES_REPRODUCED),
            "rate_tolerance": fmt.number(tol, fmt.exact_digits(tol, most=8)),
            "few_boot_villages": fmt.count(FEW_BOOTSTRAP_VILLAGES), "axis_min_loans": fmt.count(MIN_AXIS_LOANS),
            "sensitivity_lgd": fmt.join([_share(x) for x in SENSITIVITY_LGD], lang),
            "sensitivity_uptake": fmt.join([fmt.number(x, fmt.exact_digits(x)) for x in SENSITIVITY_UPTAKE], lang)}


def flagged_villages(inflation: pd.DataFrame) -> list[str]:
    """The villages flagged for possible point inflation, in the table's order.

    Parameters
    ----------
    inflation : pandas.DataFrame
        :func:`calib.pricing.points_inflation`: ``village`` and ``flag`` (bool) are read.

    Returns
    -------
    list of str
        The flagged villages' names.
    """
    return [str(v) for v in inflation.loc[inflation["flag"].astype(bool), "village"]]


def flagged_names(inflation: pd.DataFrame) -> str:
    """The flagged villages in words: the first :data:`NAMES_LISTED` named, the rest counted, or
    the catalogue's "none" (``value.none``).

    Parameters
    ----------
    inflation : pandas.DataFrame
        :func:`calib.pricing.points_inflation`: ``village`` and ``flag`` are read.

    Returns
    -------
    str
        The names in the run's language (``甲村、乙村``).
    """
    return fmt.join(flagged_villages(inflation), limit=NAMES_LISTED) or t("value.none")


def inflation_verdict(inflation: pd.DataFrame) -> str:
    """The inflation finding's verdict: ``review`` when any village is flagged (its robust z of
    level or growth above :data:`~calib.pricing.inflation.Z_THRESHOLD`), else ``pass``.

    Parameters
    ----------
    inflation : pandas.DataFrame
        :func:`calib.pricing.points_inflation`: ``flag`` is read.

    Returns
    -------
    str
        ``"review"`` or ``"pass"``.

    Examples
    --------
    >>> inflation_verdict(pd.DataFrame({"village": ["甲村", "乙村"], "flag": [False, True]}))
    'review'
    >>> inflation_verdict(pd.DataFrame({"village": ["甲村"], "flag": [False]}))
    'pass'
    """
    return "review" if inflation["flag"].astype(bool).any() else "pass"


def _pinned(row: pd.Series) -> bool:
    """Whether a decision's bootstrap interval has both ends at one value (the replicates'
    recommendation held there by a constraint, whatever the risk estimate: the interval
    ``[0.000%, 0.000%]`` when the cost floor binds in every replicate)."""
    return bool(np.isfinite(row["ci_low"]) and row["ci_low"] == row["ci_high"])


def _total(table: pd.DataFrame) -> pd.Series:
    return table.loc[table["band"] == "total"].iloc[0]


def _at_top(subsidy: float, high: float) -> bool:
    """Whether the point estimate of the subsidy sits at its interval's top, as both are written
    (:func:`money`)."""
    return money(subsidy) == money(high)


def book_rate(required_total: float) -> str:
    """The rate covering cost over all loans (:func:`calib.pricing.base_rate_finding`'s
    ``required_total``), as the cost table's total row writes it: two decimals.

    Parameters
    ----------
    required_total : float
        The rate, a fraction (0.0512 = 5.12%).

    Returns
    -------
    str
        The rate formatted (``5.12%``).
    """
    return fmt.pct(required_total, 2)


def _gap_words(short: float) -> dict[str, str]:
    """The current rates' gap to the modelled risk price said by its sign: ``short`` (the total
    of ``cost_above_risk_price``) collected less than the risk price when positive, its size
    collected more when negative (never "less than" a negative amount)."""
    if short < 0 and money(-short) != money(0.0):
        return {"gap": t("nb05.gap.over", amount=money(-short)), "gap_sign": t("nb05.gap.over_sign")}
    return {"gap": t("nb05.gap.short", amount=money(short)), "gap_sign": ""}


def cost_summary(table: pd.DataFrame, decisions: pd.DataFrame) -> dict[str, str]:
    """The words of the cost section's summary (``nb05.cost.summary``): what the current schedule
    gives away, how much of it is subsidy, and the subsidy's bootstrap interval (said to be at its
    top end when the point estimate is written as the interval's top).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`calib.pricing.evaluate_schedule` of the current schedule: its ``total`` row's
        ``interest_forgone``, ``subsidy_amount``, ``risk_justified_amount``,
        ``cost_above_risk_price`` and ``justified_discount``; the number of the other rows
        (points bands).
    decisions : pandas.DataFrame
        :func:`calib.pricing.conclusions` indexed by ``decision``: ``current_rate``'s ``figure``
        (bands below cost), ``policy_discount``'s ``verdict``, ``ci_low``, ``ci_high`` and
        ``current_yearly_cost``'s ``ci_low``, ``ci_high``.

    Returns
    -------
    dict of str
        The placeholders of ``nb05.cost.summary``, formatted
        (``report.text("nb05.cost.summary", **cost_summary(...))``).
    """
    tot = _total(table)
    pol, cur = decisions.loc["policy_discount"], decisions.loc["current_yearly_cost"]
    low, high = cur["ci_low"], cur["ci_high"]
    return dict(
        forgone=money(tot["interest_forgone"]), subsidy=money(tot["subsidy_amount"]),
        paid=money(tot["risk_justified_amount"]), **_gap_words(tot["cost_above_risk_price"]),
        justified=fmt.pct(tot["justified_discount"], 3), below=fmt.count(int(decisions.loc["current_rate", "figure"])),
        bands=fmt.count(int((table["band"] != "total").sum())), verdict=t(pol["verdict"]),
        ci=fmt.ci(pol["ci_low"], pol["ci_high"], "pct3"), sub_ci=fmt.ci(low, high, MONEY),
        at_top=t("nb05.at_top") if _at_top(tot["subsidy_amount"], high) else "",
        paid_high=money(tot["interest_forgone"] - low), sub_low=money(low))


def conclusions(decisions: pd.DataFrame, table: pd.DataFrame, rec: Recommendation, inflation: pd.DataFrame,
                *, period: str) -> tuple[list[Finding], str]:
    """Report 05's conclusions block: the findings and the one-line summary for the index.

    Findings, in order: whether the parameters' schedule priced the loans (``pricing_period``),
    the risk-justified discount against the policy's (``policy_discount``), the recommended
    discount and its yearly subsidy against the budget (``recommended_discount``,
    ``recommended_yearly_cost``), the current schedule's yearly subsidy (``current_yearly_cost``),
    the bands below cost at the current and at the base rate (``current_rate``, ``base_rate``):
    each with the verdict, interval and threshold of its decision row; then the villages flagged
    for point inflation (:func:`inflation_verdict`). The summary states the recommendation (a
    discount, or none when the recommended discount per 100 points is not above zero), the
    current schedule's subsidy with its interval (at its top end: the low end said), the current
    discount's verdict and whether the base rate covers cost in every band.

    Parameters
    ----------
    decisions : pandas.DataFrame
        :func:`calib.pricing.conclusions` with ``period``, indexed by ``decision``; rows
        ``pricing_period``, ``policy_discount``, ``recommended_discount``,
        ``recommended_yearly_cost``, ``current_yearly_cost``, ``current_rate``, ``base_rate``;
        columns ``figure``, ``ci_low``, ``ci_high``, ``threshold``, ``verdict``.
    table : pandas.DataFrame
        :func:`calib.pricing.evaluate_schedule` of the current schedule: ``band``,
        ``below_cost_at_base``, ``required_rate`` (:func:`calib.pricing.base_rate_finding`) and
        the ``total`` row's ``interest_forgone``, ``risk_justified_amount``.
    rec : Recommendation
        :func:`calib.pricing.recommend_schedule`: ``current.base_rate`` and the recommended row
        of ``summary`` (``discount_per_100``, ``subsidy_amount``, ``binding``).
    inflation : pandas.DataFrame
        :func:`calib.pricing.points_inflation`: ``village``, ``flag``.
    period : str
        The points period that priced the loans (:func:`calib.pricing.match_pricing_period`).

    Returns
    -------
    findings : list of Finding
        Eight findings, worded from the catalogue in the run's language.
    summary : str
        The one-line conclusion (``nb05.summary`` or ``nb05.summary_none``).
    """
    k_per, k_pol, k_rec, k_cost, k_cur, k_now, k_base = (decisions.loc[d] for d in _DECISIONS)
    tot = _total(table)
    bf = base_rate_finding(table)
    base = fmt.rate(rec.current.base_rate)
    r = rec.summary.iloc[1]
    # a banded schedule has no step: the recommendation keeps the current one's form and is said,
    # and measured, by its top band (form_words: the one choice)
    form = form_words(rec.current)
    binding = t(r["binding"] or "none")
    budget = k_cost["threshold"]
    book = book_rate(bf.required_total)
    found = [
        Finding(t("nb05.c.period"), t("nb05.c.period_fig", share=fmt.pct(k_per["figure"]), period=period),
                t("nb05.c.period_rule", min_reproduced=_share(k_per["threshold"])), k_per["verdict"]),
        Finding(t("nb05.c.justified"), t("nb05.c.justified_fig", est=fmt.pct(k_pol["figure"], 3)),
                t("nb05.c.justified_rule", policy=policy_words(k_pol["threshold"], rec.current)), k_pol["verdict"],
                ci=fmt.ci(k_pol["ci_low"], k_pol["ci_high"], "pct3")),
        Finding(t(form["recommend"]), discount(k_rec["figure"]),
                t(form["recommend_rule"], now=discount(k_rec["threshold"]), binding=binding)
                + (t("nb05.c.pinned", binding=binding) if _pinned(k_rec) else ""), k_rec["verdict"],
                ci=fmt.ci(k_rec["ci_low"], k_rec["ci_high"], "pct3")),
        Finding(t("nb05.c.recommend_cost"), money(k_cost["figure"]), t("nb05.c.budget_rule", budget=money(budget)),
                k_cost["verdict"], ci=fmt.ci(k_cost["ci_low"], k_cost["ci_high"], MONEY)),
        Finding(t("nb05.c.current"), t("nb05.c.current_fig2", subsidy=money(k_cur["figure"]),
                                       forgone=money(tot["interest_forgone"]), paid=money(tot["risk_justified_amount"])),
                t("nb05.c.budget_rule", budget=money(k_cur["threshold"])), k_cur["verdict"],
                ci=fmt.ci(k_cur["ci_low"], k_cur["ci_high"], MONEY)),
        Finding(t("nb05.c.current_rate"), t("nb05.c.current_rate_fig", below=fmt.count(int(k_now["figure"])),
                                            bands=fmt.count(bf.of)),
                t("nb05.c.base_rule"), k_now["verdict"]),
        Finding(t("nb05.c.base"), t("nb05.c.base_fig", below=fmt.count(bf.figure), bands=fmt.count(bf.of), base=base, book=book),
                t("nb05.c.base_rule"), k_base["verdict"]),
        Finding(t("nb05.c.inflation"), t("nb05.c.inflation_fig", n=fmt.count(len(flagged_villages(inflation))),
                                         names=flagged_names(inflation)),
                t("nb05.c.inflation_rule", inflation_z=inflation_z()), inflation_verdict(inflation)),
    ]
    sub, low, high = k_cur["figure"], k_cur["ci_low"], k_cur["ci_high"]
    current = t("nb05.current_subsidy_top" if _at_top(sub, high) else "nb05.current_subsidy", subsidy=money(sub),
                ci=fmt.ci(low, high, MONEY), low=money(low))
    base_words = t("nb05.summary.base" if bf.figure else "nb05.summary.base_ok", below=fmt.count(bf.figure),
                   bands=fmt.count(bf.of), rate=base, book=book)
    key = form["summary"] if r[form["size"]] > 0 else "nb05.summary_none"
    summary = t(key, step=discount(r["discount_per_100"]), top=discount(r["top_discount"]),
                subsidy=money(r["subsidy_amount"]), budget=money(budget), binding=binding, current=current,
                verdict=t(k_pol["verdict"]), ci=fmt.ci(k_pol["ci_low"], k_pol["ci_high"], "pct3"), base=base_words)
    return found, summary


def metrics(cal: pd.DataFrame, table: pd.DataFrame, decisions: pd.DataFrame, rec: Recommendation,
            inflation: pd.DataFrame) -> dict[str, Any]:
    """Report 05's headline figures, in the order the index shows them (its first 14).

    Parameters
    ----------
    cal : pandas.DataFrame
        :func:`calib.pricing.calibrate_points_discount` with a policy schedule (first row):
        ``discount_per_100``, ``ci_low``, ``ci_high``, ``policy_per_100``, ``policy_in_ci``,
        ``policy_verdict``.
    table : pandas.DataFrame
        :func:`calib.pricing.evaluate_schedule` of the current schedule: the ``total`` row's
        ``interest_forgone`` and ``subsidy_amount``; ``band``, ``below_cost_at_base``,
        ``required_rate`` (:func:`calib.pricing.base_rate_finding`).
    decisions : pandas.DataFrame
        :func:`calib.pricing.conclusions` indexed by ``decision``: ``current_rate``'s ``figure``
        and ``current_yearly_cost``'s ``ci_low``, ``ci_high``.
    rec : Recommendation
        :func:`calib.pricing.recommend_schedule`: ``schedule`` (``step_discount``,
        ``step_points``, ``bands``) and the recommended row's ``binding``.
    inflation : pandas.DataFrame
        :func:`calib.pricing.points_inflation`: ``flag``.

    Returns
    -------
    dict
        ``discount_per_100``, ``discount_ci_low``, ``discount_ci_high``,
        ``policy_discount_per_100``, ``policy_in_ci``, ``policy_verdict``,
        ``interest_forgone_current_schedule``, ``subsidy_current_schedule``,
        ``bands_below_cost_current_rate``, ``bands_below_cost_base_rate``, ``points_bands``,
        ``recommended_step_discount`` (per 100 points; None for a banded schedule),
        ``recommendation_binding``, ``villages_flagged_inflation``, then the current subsidy's
        interval ends ``subsidy_current_schedule_ci_low``, ``subsidy_current_schedule_ci_high``
        (stated in the conclusion, last: the index shows the first 14).
    """
    c, tot, bf, rs = cal.iloc[0], _total(table), base_rate_finding(table), rec.schedule
    cur = decisions.loc["current_yearly_cost"]
    return {
        "discount_per_100": float(c["discount_per_100"]),
        "discount_ci_low": float(c["ci_low"]),
        "discount_ci_high": float(c["ci_high"]),
        "policy_discount_per_100": float(c["policy_per_100"]),
        "policy_in_ci": bool(c["policy_in_ci"]),
        "policy_verdict": str(c["policy_verdict"]),
        "interest_forgone_current_schedule": float(tot["interest_forgone"]),
        "subsidy_current_schedule": float(tot["subsidy_amount"]),
        "bands_below_cost_current_rate": int(decisions.loc["current_rate", "figure"]),
        "bands_below_cost_base_rate": int(bf.figure),
        "points_bands": int(bf.of),
        "recommended_step_discount": float(rs.per_100()) if rs.bands is None else None,
        "recommendation_binding": str(rec.summary["binding"].iloc[1]),
        "villages_flagged_inflation": len(flagged_villages(inflation)),
        "subsidy_current_schedule_ci_low": float(cur["ci_low"]),
        "subsidy_current_schedule_ci_high": float(cur["ci_high"]),
    }
