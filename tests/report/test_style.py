"""Plot style: Chinese renders with the installed CJK font (no "Glyph missing"), axes fit the data."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from calib.report import style  # noqa: E402


def test_chinese_renders_without_missing_glyphs(tmp_path):
    fam = style.use()
    assert fam in style.CJK_FAMILIES
    fig, ax = plt.subplots()
    ax.set(title="各村授信面（佛冈县石角镇）", xlabel="授信面", ylabel="村数")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(tmp_path / "x.png")
    plt.close(fig)


def test_fit_axis_to_data_not_fixed_range():
    fig, ax = plt.subplots()
    lo, hi = style.fit_axis(ax, [0.01, 0.02, 0.05], include=[0.03], floor=0)
    assert 0 <= lo < 0.01 and 0.05 < hi < 0.06
    assert ax.get_ylim() == (lo, hi)
    plt.close(fig)


def _ticks(fig, axis) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def test_percent_axis_writes_rates_as_the_tables_do():
    """A default-rate axis reads 2%, 4%, ... (or 2.5%, 5.0% when a tick needs the decimal),
    never 0.025: one number of decimals on an axis, the fewest that write every tick."""
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.0, 0.16])
    ax.set_ylim(0, 0.16)
    style.percent_axis(ax.yaxis)
    labels = _ticks(fig, ax.yaxis)
    assert labels[:3] == ["0%", "2%", "4%"] and all(s.endswith("%") for s in labels)
    ax.set_ylim(0.02, 0.045)
    labels = _ticks(fig, ax.yaxis)
    assert "2.5%" in labels and "3.0%" in labels  # 0.5-point steps: one decimal for every tick
    ax.set_ylim(-0.001, 0.003)
    assert "0.00%" in _ticks(fig, ax.yaxis) and "0.05%" in _ticks(fig, ax.yaxis)  # no "-0.00%"
    assert not any(s.startswith("-0.00") for s in _ticks(fig, ax.yaxis))
    plt.close(fig)


def test_words_reach_the_right_axis_and_the_bins(monkeypatch):
    """A WoE plot's right axis (drawn with twinx) and its bins (``[-inf, 570.19)``, ``Missing``)
    read in the reader's words, the tick labels keeping the plot's rotation."""
    from calib.report import labels

    monkeypatch.setattr(labels, "_LANG", "zh-CN", raising=False)
    labels.set_lang("zh-CN")
    fig, ax = plt.subplots()
    ax.bar([0, 1, 2], [0.2, -0.1, 0.3])
    ax.set_xticks([0, 1, 2], ["[-inf, 570.19)", "[570.19, inf)", "Missing"], rotation=30)
    right = ax.twinx()
    right.plot([0, 1, 2], [0.05, 0.03, 0.02])
    right.set_ylabel("default rate")
    style.words(ax, ylabel="WoE", y2label="实际违约率", ticks=True)
    assert right.get_ylabel() == "实际违约率" and ax.get_ylabel() == "WoE"
    assert _ticks(fig, ax.xaxis) == ["[−∞, 570.19)", "[570.19, +∞)", "缺失"]
    assert ax.get_xticklabels()[0].get_rotation() == 30
    plt.close(fig)


def test_report_plots_draw_rates_as_percentages():
    """The package's rate plots (default rate by grade and by points band, calibration,
    a WoE's default rate) put percentages on their rate axes."""
    import pandas as pd

    from calib.pricing.plots import plot_default_rate_by_band
    from calib.scorecard.plots import plot_grade_calibration

    ax = plot_grade_calibration(pd.DataFrame({"grade": ["AAA", "AA", "A", "B"],
                                              "observed_dr": [0.01, 0.03, 0.05, 0.04],
                                              "predicted_pd": [0.004, 0.02, 0.05, 0.1],
                                              "traffic_light": ["yellow", "green", "green", "green"]}))
    assert all(s.endswith("%") for s in _ticks(ax.figure, ax.yaxis))
    plt.close(ax.figure)
    bands = pd.DataFrame({"band": ["0-100", "100-200", "total"], "loans": [190, 250, 440],
                          "default_rate": [0.042, 0.024, 0.03], "default_ci_low": [0.02, 0.01, 0.02],
                          "default_ci_high": [0.078, 0.049, 0.04]})
    ax = plot_default_rate_by_band(bands)
    assert all(s.endswith("%") for s in _ticks(ax.figure, ax.yaxis))
    plt.close(ax.figure)


def test_count_axis_has_whole_numbers_only():
    """A histogram of 90 villages reads 0, 5, 10, 15, 20 villages, not 2.5."""
    import numpy as np

    fig, ax = plt.subplots()
    ax.hist(np.r_[np.full(21, 99.0), np.linspace(75, 98, 69)], bins=20)
    ax.set_ylim(0, 2.2)  # left to matplotlib: 0.0, 0.5, 1.0, ... villages
    style.count_axis(ax.yaxis)
    ticks = [float(s.replace(",", "")) for s in _ticks(fig, ax.yaxis)]
    assert ticks and all(v == int(v) for v in ticks)
    plt.close(fig)
    fig, ax = plt.subplots()
    ax.set_ylim(0, 2_200)
    style.count_axis(ax.yaxis)
    assert "2,000" in _ticks(fig, ax.yaxis)
    plt.close(fig)


def test_amount_axis_writes_yuan_not_powers_of_ten():
    """A log axis of limits reads 3,000 / 10,000 / 100,000, never 10⁴."""
    fig, ax = plt.subplots()
    ax.plot([2_000, 400_000], [2_000, 400_000])
    ax.set_xscale("log")
    style.amount_axis(ax.xaxis)
    ticks = _ticks(fig, ax.xaxis)
    assert "10,000" in ticks and "100,000" in ticks and "30,000" in ticks
    assert not any("^" in s or "10$" in s for s in ticks)
    plt.close(fig)


def test_ratio_axis_draws_each_tick_once():
    """The Bland-Altman ratio axis once drew 0.5 twice (5 of the decade below too)."""
    from calib.consensus.plots import ratio_axis

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.3, 3])
    ax.set_yscale("log")
    ratio_axis(ax.yaxis)
    fig.canvas.draw()
    locs = ax.yaxis.get_majorticklocs()
    assert len(locs) == len(set(np.round(locs, 9)))
    plt.close(fig)


def test_bland_altman_names_its_limits_once():
    """The two 95% limits are one legend entry the reports word (\"95% limits\"), not
    \"limits of agreement\" and a bare number."""
    import pandas as pd

    from calib.compare.plots import bland_altman

    rng = np.random.default_rng(0)
    c = rng.uniform(1e4, 2e5, 200)
    cmp = pd.DataFrame({"consensus_limit": c, "model_limit": c * rng.lognormal(0, 0.2, 200), "grant_class": "both"})
    summ = pd.DataFrame({"level": ["overall"], "bias_ratio": [1.01], "loa_low_ratio": [0.6],
                         "loa_high_ratio": [1.7]})
    ax = bland_altman(cmp, summ)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["bias 1.01", "95% limits 0.60 – 1.70"], texts
    plt.close(ax.figure)


_INLINE_CELLS = r'''
import collections, sys
from IPython.core.interactiveshell import InteractiveShell
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
import matplotlib.figure as mfig
import matplotlib.pyplot as plt

shell = InteractiveShell.instance()
draws, shown = collections.Counter(), []
draw = mfig.Figure.draw
def counted(self, renderer):
    draws["all"] += 1
    return draw(self, renderer)
mfig.Figure.draw = counted
shell.display_pub.publish = lambda data, *a, **k: shown.append(sorted(data))
cells = ["import matplotlib.pyplot as plt",
         "fig, ax = plt.subplots(); ax.plot([1, 2, 3]); ax.set_title('village coverage'); fig.tight_layout()",
         "open_figures = plt.get_fignums()"]
if sys.argv[1] == "style":
    cells.insert(0, "from calib.report import style\nfamily = style.use()")
for cell in cells:
    shell.run_cell(cell).raise_error()
print(draws["all"], sum("image/png" in d for d in shown), shell.user_ns["open_figures"])
'''


@pytest.mark.slow  # two Python processes with IPython
def test_a_report_kernel_draws_a_figure_only_for_the_notebook(tmp_path):
    """On the inline backend pyplot's post-cell redraw renders every changed figure once more,
    a rendering nobody sees (the notebook gets the backend's PNG, then the figure is closed):
    ``style.use`` removes it; the figure is still shown once and closed."""
    import subprocess
    import sys

    script = tmp_path / "cells.py"
    script.write_text(_INLINE_CELLS, encoding="utf-8")
    runs = {how: subprocess.run([sys.executable, str(script), how], capture_output=True, text=True, timeout=120)
            for how in ("style", "plain")}
    for how, r in runs.items():
        assert r.returncode == 0, (how, r.stderr)
    drawn, shown, left = runs["style"].stdout.splitlines()[-1].split()
    assert (int(shown), left) == (1, "[]")  # shown once (a PNG), then closed
    plain = runs["plain"].stdout.splitlines()[-1].split()
    assert plain[1:3] == ["1", "[]"]
    # the PNG takes two draws (the tight box's, without rasterising, and the picture's);
    # without style.use pyplot's redraw comes first
    assert int(plain[0]) == int(drawn) + 1 == 3
