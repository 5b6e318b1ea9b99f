"""Report 05 of a banded points schedule, end to end (the shared run ``run_bundle``, in English).

The shared run's programme prices its loans with a schedule in bands (``_runs.BANDS``: a
discount from each threshold on, no step per 100 points) and its parameters say the same, so
that on every test run report 05 states a banded schedule band by band, finds it priced the
loans, recommends a banded schedule (said by its top band, never by a discount per 100 points)
and writes it to ``points_loan_schedule.yaml`` as a parameter block the bank can paste.
"""
from __future__ import annotations

import json
import re

import pytest
import yaml

from _runs import BANDS
from _support import page_tables, visible_text
from calib.pricing import load_schedule
from calib.report import fmt

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

NB = "05_points_discount"


def _page(bundle) -> str:
    return re.sub(r"\s+", " ", visible_text((bundle / f"{NB}.html").read_text(encoding="utf-8")))


def _tables(bundle) -> list[tuple[list[str], list[list[str]]]]:
    return page_tables(bundle / f"{NB}.html")


def test_the_parameters_schedule_is_stated_band_by_band(run_bundle):
    page = _page(run_bundle.bundle)
    said = ", ".join(f"{fmt.pct(b['discount'], 3)} from {b['points']} points" for b in BANDS)
    assert f"discounts by points band: {said};" in page
    assert "per 100 points in proportion" not in page.split("Parameters:", 1)[1][:300]


def test_the_banded_schedule_is_found_to_have_priced_the_loans(run_bundle):
    """The programme's loans were booked with the bands: the page finds every booked rate."""
    page = _page(run_bundle.bundle)
    assert re.search(r"The parameters' schedule against the booked rates 100\.0% of loans \(2025 points\)", page)
    assert "booked rates not reproduced" not in page and "Caution : with the schedule in the parameters" not in page


def test_the_recommendation_is_banded_and_its_file_holds_the_pages_top_discount(run_bundle):
    b = run_bundle.bundle
    figures = json.loads((b / "metrics.json").read_text(encoding="utf-8"))[NB]
    assert figures["recommended_step_discount"] is None  # a banded schedule has no step
    block = yaml.safe_load((b / "points_loan_schedule.yaml").read_text(encoding="utf-8"))["schedule"]
    assert not {"step_points", "step_discount", "proportional"} & set(block), block  # the bands replace them
    sched = load_schedule(block)
    assert sched.base_rate == 0.05 and sched.bands
    points = [band["points"] for band in block["bands"]]
    discounts = [band["discount"] for band in block["bands"]]
    assert all(isinstance(p, int) for p in points) and points == sorted(set(points))
    assert discounts == sorted(discounts) and discounts[-1] > 0
    top = fmt.pct(discounts[-1], 3)
    page = _page(b)
    assert f"Recommended a banded discount, top band {top}" in page
    assert f"Recommended schedule's top-band discount {top}" in page
    assert f"The recommended schedule: top discount {top}" in page


def test_no_discount_per_100_points_is_written_for_a_banded_schedule(run_bundle):
    """Every table with a "Discount per 100 points" column shows it empty (—), its note says why."""
    columns = 0
    for head, rows in _tables(run_bundle.bundle):
        if "Discount per 100 points" not in head:
            continue
        i = head.index("Discount per 100 points")
        columns += 1
        assert rows and {r[i] for r in rows if len(r) == len(head)} == {"—"}, (head, rows)
    assert columns >= 2  # the recommendation and its sensitivity to LGD and uptake
    assert "a banded schedule has no discount per 100 points: see Top discount" in _page(run_bundle.bundle)


def test_the_gap_to_the_risk_price_reads_by_its_sign(run_bundle):
    """The cost table's total short of the modelled risk price, said as the summary says it: a
    negative total (rates above the risk price, as a schedule below risk gives) is collected
    "more than" the risk price by its size, never "less than" a negative amount."""
    head, rows = next((h, r) for h, r in _tables(run_bundle.bundle)
                      if "Short of the modelled risk price (× 10,000 yuan/year)" in h)
    total = next(r for r in rows if r[0] == "Total")[head.index("Short of the modelled risk price (× 10,000 yuan/year)")]
    amount = total.lstrip("-")
    way = "more" if total.startswith("-") and amount != "0.00" else "less"
    assert f"the current rates collect {amount} × 10,000 yuan a year {way} than the risk price" in _page(run_bundle.bundle)
