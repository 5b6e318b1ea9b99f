"""Layouts of analysis tables too wide to read as one table: which columns go together.

:func:`agreement_tables` shows :func:`calib.compare.agreement_summary` (26 columns) as three
tables a reader can take in at 1280 px, in Chinese and in English: the agreement of levels
(Bland-Altman bias and limits of agreement, proportional bias), concordance (Lin's CCC, grant /
decline kappa) and the agreement of slopes (Deming and Passing-Bablok with their intervals),
each led by the group's name; each interval is one ``[low, high]`` column.
"""
from __future__ import annotations

import pandas as pd

from calib.report.display import Table, table_parts

__all__ = ["AGREEMENT_PARTS", "AGREEMENT_INTERVALS", "agreement_tables"]

#: Bound columns of the agreement summary joined into one interval column each.
AGREEMENT_INTERVALS: dict[str, tuple[str, str]] = {
    "loa_ratio": ("loa_low_ratio", "loa_high_ratio"),
    "ccc_ci": ("ccc_low", "ccc_high"),
    "pb_slope_ci": ("pb_slope_low", "pb_slope_high"),
    "pb_intercept_ci": ("pb_intercept_low", "pb_intercept_high"),
}
#: Caption key -> columns of each part (every column of the summary but ``level`` and ``group``).
AGREEMENT_PARTS: dict[str, list[str]] = {
    "agreement.levels": ["n_pairs", "bias_ratio", "loa_ratio", "bias_log", "sd_log", "prop_slope", "prop_p"],
    "agreement.concordance": ["n_pairs", "ccc", "ccc_ci", "ccc_resampled", "n_kappa", "kappa", "grant_agreement"],
    "agreement.slopes": ["n_pairs", "deming_slope", "deming_intercept", "pb_slope", "pb_slope_ci",
                         "pb_intercept", "pb_intercept_ci", "pb_cusum_p"],
}


def agreement_tables(summary: pd.DataFrame, *, by: str | None = None,
                     missing: dict[str, str] | None = None, max_rows: int | None = None,
                     file: str | None = None) -> list[Table]:
    """The agreement summary as tables of levels, of concordance and of slopes.

    Parameters
    ----------
    summary : DataFrame
        Rows of :func:`calib.compare.agreement_summary` (an ``overall`` row and, concatenated,
        rows of one grouping), columns ``level``, ``group`` and the statistics.
    by : str, optional
        The grouping of the non-overall rows (``township``, ``village``): the label column is
        headed with its name (the overall row reads "all"); by default "group".
    missing : dict, optional
        Why a value is missing, by column (``ccc_ci`` for the bootstrap interval of group rows).
    max_rows, file : optional
        At most this many rows in each table (None: all), the side file holding them all (as
        :func:`calib.report.table`): a province's thousand townships.

    Returns
    -------
    list of Table
        ``[levels, concordance, slopes]``; ``display(*tables)`` shows them.

    Raises
    ------
    KeyError
        When ``summary`` lacks a column of the layout (not an agreement summary).
    """
    label = by or "group"
    frame = summary.drop(columns=["level"]).rename(columns={"group": label})
    return table_parts(frame, AGREEMENT_PARTS, labels=[label], intervals=AGREEMENT_INTERVALS,
                       max_rows=max_rows, file=file, missing=missing)
