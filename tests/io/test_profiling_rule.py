"""Report 01's profiling figures against the parameters' credit-village rule, decided as report
06 decides it (integers), and the rule in the reader's words."""
from __future__ import annotations

import pandas as pd
import pytest

from calib import quality
from calib.report.words import rule_words


def _cov(profiled, eligible):
    return pd.DataFrame({"profiled": profiled, "eligible_households": eligible},
                        index=pd.Index([f"V{i}" for i in range(len(profiled))], name="village"))


def test_the_rule_is_decided_in_integers():
    # 9/10 is exactly 90%: it meets ">= 90%" (a float rate can land on either side); 899/1000 fails
    cov = _cov([9, 899, 0, 27], [10, 1000, 0, 30])
    v, overall = quality.profiling_verdicts(cov, ">=", 0.90)
    assert v.tolist() == ["pass", "fail", "no data", "pass"]
    assert overall == "fail"            # 935 / 1040 = 89.9%
    assert quality.profiling_verdicts(cov, ">", 0.90)[0].tolist() == ["fail", "fail", "no data", "fail"]
    # the parameter moves the verdicts: at 85% the 89.9% village passes, and the whole too
    v85, overall85 = quality.profiling_verdicts(cov, ">=", 0.85)
    assert v85.tolist() == ["pass", "pass", "no data", "pass"] and overall85 == "pass"


@pytest.mark.parametrize("op,lang,meets,fails", [
    (">=", "zh-CN", "不低于 90%", "低于 90%"), (">", "zh-CN", "高于 90%", "未超过 90%"),
    ("<=", "zh-CN", "不高于 90%", "高于 90%"), ("<", "zh-CN", "低于 90%", "未低于 90%"),
    (">=", "en", "at least 90%", "below 90%"), (">", "en", "above 90%", "not above 90%"),
    ("<=", "en", "at most 90%", "above 90%"), ("<", "en", "below 90%", "not below 90%")])
def test_the_rule_in_words(op, lang, meets, fails):
    w = rule_words(op, 0.9, lang)
    assert (w["meets"], w["fails"], w["pct"]) == (meets, fails, "90%")
    assert w["rule"] == {">=": "≥", ">": ">", "<=": "≤", "<": "<"}[op] + " 90%"
    assert rule_words(">=", 0.855, lang)["pct"] == "85.5%"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_four_operators_read_symmetrically(lang):
    """A failed rule reads as the figure found: an inclusive rule (≥, ≤) fails by the strict
    comparison the other way, which is the words of that strict rule (≥ 90% failed is 低于 90%,
    < 90%'s rule); a strict rule (>, <) fails by not reaching its threshold (未…, not …); the
    two directions mirror each other; the county-relative rules read alike."""
    from calib.report.words import op_words

    words = {op: op_words(op, lang) for op in (">=", ">", "<=", "<")}
    assert words[">="][1] == words["<"][0] and words["<="][1] == words[">"][0]
    neg = "未" if lang == "zh-CN" else "not "
    assert words["<"][1] == neg + words["<"][0]
    assert words[">"][1].startswith(neg) and words[">"][1] != words["<"][1]
    if lang == "en":  # the mirror word for word
        assert words[">"][1] == neg + words[">"][0]
    else:  # 未超过 reads more naturally than 未高于; the inclusive rules state 不 + the failure
        assert (words[">="][0], words["<="][0]) == ("不" + words[">="][1], "不" + words["<="][1])
    assert len({w for pair in words.values() for w in pair}) == 6  # meets never a failure's words but the mirror's
    for op, (meets, fails) in words.items():
        county = rule_words(op, None, lang)
        assert county["meets"].startswith(meets) and county["fails"].startswith(fails)


def test_coverage_reads_as_a_funnel(sample_programme):
    # each count within the one before: the panel reviews ineligible households too (report 01's
    # table once showed more reviewed than eligible households in 67 villages of the sample)
    cov = quality.coverage_by_village(sample_programme)
    funnel = ["households", "eligible_households", "eligible_reviewed", "profiled"]
    for wide, narrow in zip(funnel, funnel[1:]):
        assert (cov[narrow] <= cov[wide]).all(), (wide, narrow)
    assert (cov["profiled"] <= cov["eligible_model_run"]).all()
    assert (cov["eligible_model_run"] <= cov["eligible_households"]).all()
    # and the sample has ineligible households the panel reviewed, which the table leaves out
    reviewed = sample_programme.reviews["household_id"].unique()
    assert cov["eligible_reviewed"].sum() < len(reviewed)


def test_report_01_plots_draw_the_rule_the_lowest_villages_and_the_age_bounds():
    """calib.io.plots: the profiling histogram's dashed line at the rule (in %), the three lowest
    villages named at their rate; the age histogram's lines at the eligibility bounds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from calib.io.plots import plot_ages, plot_profiling_rates

    cov = pd.DataFrame({"profiling_rate": [0.95, 0.5, 0.97, 0.62, 0.71, 0.99]},
                       index=pd.Index(list("ABCDEF"), name="village"))
    ax = plot_profiling_rates(cov, 0.9, label="rule")
    assert [ln.get_xdata()[0] for ln in ax.get_lines()] == [pytest.approx(90.0)]
    assert [(a.get_text(), a.xy[0]) for a in ax.texts] == [("B", 50.0), ("D", 62.0), ("E", 71.0)]
    assert len({a.get_position()[1] for a in ax.texts}) == 1  # far apart: all from the foot
    assert [tx.get_text() for tx in ax.get_legend().get_texts()] == ["rule"]
    assert sum(p.get_height() for p in ax.patches) == len(cov)
    # a province's lowest villages under a point apart (72.8%, 73.2%): their names stand one on the
    # other, none across another (the page's figure size)
    rates = [0.684, 0.728, 0.732] + [0.85 + 0.15 * i / 996 for i in range(997)]
    wide = pd.DataFrame({"profiling_rate": rates},
                        index=pd.Index(["坝樟角村", "下榕背村", "埔松口村"] + [f"v{i}" for i in range(997)], name="village"))
    from calib.report import style

    with matplotlib.rc_context():
        style.use()  # the pages' CJK font: its names are thicker than the fallback's
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
        plot_profiling_rates(wide, 0.9, label="rule", ax=axes[0])
        fig.tight_layout()
        fig.canvas.draw()
        boxes = [a.get_window_extent() for a in axes[0].texts]
    assert len(boxes) == 3 and not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert boxes[2].y0 > boxes[1].y1  # the third stands on the second
    ax2 = plot_ages(pd.Series([30.0, None, 70.0, 12.0]), (18, 65))
    assert [ln.get_xdata()[0] for ln in ax2.get_lines()] == [18, 65]
    assert sum(p.get_height() for p in ax2.patches) == 3  # the blank age left out
    plt.close("all")
