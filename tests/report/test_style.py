"""Plot style: Chinese renders with the installed CJK font (no "Glyph missing"), axes fit the data."""
from __future__ import annotations

import warnings

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
