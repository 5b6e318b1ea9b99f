"""calib.pricing.inflation and .plots."""
from __future__ import annotations

import pandas as pd
import pytest

from calib import pricing as P
from calib.errors import CalibInputError

from _sim_pricing import REF, simulate_points_programme


# --------------------------------------------------------------------------- inflation
def test_points_inflation_flags_inflated_villages():
    s = simulate_points_programme(
        n_villages=40, households_per_village=60, inflated=3, inflation=400.0, seed=7
    )
    t = P.points_inflation(s.points, groups=s.loans[["household_id", "village"]])
    flagged = set(t.loc[t["flag"], "village"])
    assert flagged == set(s.inflated_villages)
    top = t.set_index("village").loc[s.inflated_villages]
    assert (top["growth"] > 3 * t["programme_growth"].iloc[0]).all()
    assert t["latest_period"].iloc[0] == "2025" and t["previous_period"].iloc[0] == "2024"
    assert t["households"].sum() == 40 * 60
    with pytest.raises(CalibInputError, match="village"):
        P.points_inflation(s.points)


def test_policy_comparison_warnings_and_plots(sim):
    import matplotlib

    matplotlib.use("Agg")
    small = sim.loans.loc[sim.loans["village"].isin(sim.loans["village"].unique()[:8])]
    with pytest.warns(UserWarning) as caught:
        cal = P.calibrate_points_discount(small, sim.points, lgd=0.45, n_boot=5, schedule=REF)
    msgs = " | ".join(str(w.message) for w in caught)
    assert "only 8 villages" in msgs and "defaults" in msgs
    assert cal["policy_per_100"].iloc[0] == pytest.approx(0.001)
    assert cal["policy_in_ci"].iloc[0] == (cal["ci_low"].iloc[0] <= 0.001 <= cal["ci_high"].iloc[0])
    dr = P.default_rate_by_band(sim.loans, sim.points, band_top=900)
    ax = P.plot_default_rate_by_band(dr)
    assert len(ax.get_xticklabels()) == 10
    # the axis follows the data, not the open interval of a thin band
    thin = dr.iloc[:1].assign(loans=2, default_ci_high=0.85)
    ax = P.plot_default_rate_by_band(pd.concat([thin, dr], ignore_index=True))
    assert ax.get_ylim()[1] < 0.5 and "cut" in ax.get_ylabel()
    ax = P.plot_points_by_village(sim.points, groups=sim.loans[["household_id", "village"]],
                                  flagged=["V000"], labels=True)
    assert len(ax.get_xticklabels()) == 60
    ax = P.plot_points_by_village(sim.points, groups=sim.loans[["household_id", "village"]])
    assert len(ax.get_xticklabels()) == 0  # no names (no CJK glyphs in report plots)


def test_points_by_village_of_a_province_draws_ranges_not_boxes(sim, monkeypatch):
    """Beyond MAX_BOXES villages (a province's thousands): each village's interquartile range
    as a line and its median as a dot, flagged ones red, in the order of the medians."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import to_rgba

    from calib.pricing import plots as PP

    groups = sim.loans[["household_id", "village"]]
    monkeypatch.setattr(PP, "MAX_BOXES", 10)
    ax = P.plot_points_by_village(sim.points, groups=groups, flagged=["V000"], labels=True)
    assert not ax.patches and len(ax.get_xticklabels()) == 0  # no boxes, no names
    pts = PP.with_groups(sim.points, "village", groups)
    cur = pts.loc[pts["period"] == max(pts["period"])]
    med = cur.groupby("village")["points"].median().sort_values()
    lines, dots, red_lines, red_dots = ax.collections  # the flagged drawn last, on top
    assert len(lines.get_segments()) == len(med) - 1 and len(red_lines.get_segments()) == 1
    assert np.all(red_dots.get_facecolors() == to_rgba("tab:red"))
    x = np.r_[dots.get_offsets()[:, 0], red_dots.get_offsets()[:, 0]]
    y = np.r_[dots.get_offsets()[:, 1], red_dots.get_offsets()[:, 1]]
    assert np.array_equal(y[np.argsort(x)], med.to_numpy())  # medians, in their order
    assert med.index[int(red_dots.get_offsets()[0, 0]) - 1] == "V000"
    q1, q3 = cur.groupby("village")["points"].quantile(0.25), cur.groupby("village")["points"].quantile(0.75)
    seg = lines.get_segments() + red_lines.get_segments()
    xs = np.array([s[0, 0] for s in seg], dtype=int) - 1
    assert np.allclose([s[0, 1] for s in seg], q1[med.index[xs]]) and np.allclose([s[1, 1] for s in seg], q3[med.index[xs]])
    plt.close("all")
