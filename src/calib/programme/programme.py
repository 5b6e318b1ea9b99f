"""The in-memory programme: one DataFrame per table of the data contract.

See ``data/README.md`` for every column. :func:`calib.io.load_programme` builds a
:class:`Programme` from a folder; :func:`calib.synth.generate_programme` builds one in memory.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Programme", "TABLES", "REQUIRED_TABLES"]

#: Every table of the data contract, in load order (a table may refer to the ones before it).
TABLES: tuple[str, ...] = (
    "roster",
    "reviewers",
    "reviews",
    "relations",
    "model_runs",
    "points",
    "loans",
    "village_assessments",
)
#: Tables a programme cannot do without.
REQUIRED_TABLES: tuple[str, ...] = ("roster", "reviews", "model_runs")


@dataclass
class Programme:
    """A loaded programme.

    Attributes
    ----------
    roster, reviews, model_runs : pandas.DataFrame
        Required tables with code-name columns (``data/README.md``). ``roster`` also carries the
        derived ``birth_date``, ``id_sex``, ``age``, ``land_mu``, ``forest_mu``; ``reviews``, ``model_runs``,
        ``points`` and ``loans`` carry ``village`` and ``township`` joined from the roster.
    reviewers, relations, points, loans, village_assessments : pandas.DataFrame or None
        Optional tables; ``None`` when the programme has no such file.
    quarantine : pandas.DataFrame
        One row per problem: ``table, file, row, column, value, reason`` (``value`` masked).
    counts : pandas.DataFrame
        One row per table read: ``table, file, rows_read, rows_accepted, rows_quarantined``.
    as_of : pandas.Timestamp
        Reference date used for ages and eligibility.
    path : pathlib.Path or None
        Folder the programme was read from.
    files : dict
        Table name to the file it was read from.
    digests : dict
        Table name to the SHA-256 of the input it was read from (files or database query).
    """

    roster: pd.DataFrame
    reviews: pd.DataFrame
    model_runs: pd.DataFrame
    reviewers: pd.DataFrame | None = None
    relations: pd.DataFrame | None = None
    points: pd.DataFrame | None = None
    loans: pd.DataFrame | None = None
    village_assessments: pd.DataFrame | None = None
    quarantine: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["table", "file", "row", "column", "value", "reason"]
        )
    )
    counts: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["table", "file", "rows_read", "rows_accepted", "rows_quarantined"]
        )
    )
    as_of: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.today().normalize())
    path: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame | None:
        """Return the table called ``name`` (``None`` for an absent optional table)."""
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; tables are {', '.join(TABLES)}")
        return getattr(self, name)

    def households(self) -> pd.DataFrame:
        """One row per household of the roster.

        Returns
        -------
        pandas.DataFrame
            Index ``household_id``; columns ``township``, ``village``, ``group``, ``n_members``,
            ``head_age`` (age of the member whose ``relation_to_head`` is 户主/head, else the
            oldest member), ``land_mu``, ``forest_mu`` (household totals).
        """
        from calib.io.specs import HEAD_WORDS

        ro = self.roster
        is_head = np.asarray(ro.get("relation_to_head", pd.Series("", index=ro.index)).astype("string").isin(
            list(HEAD_WORDS)
        ), dtype=bool)
        # the household numbers factorised once (sorted: the households come out in their order);
        # every aggregate below is a group-by on those integer codes
        codes, uniq = pd.factorize(ro["household_id"], sort=True)
        keep = codes >= 0
        if not keep.all():  # a row without a household number belongs to no household
            ro, codes, is_head = ro.loc[keep], codes[keep], is_head[keep]
        grp = ro.groupby(codes, sort=True)
        first = grp[["township", "village"]].first()
        out = first.assign(
            group=grp["group"].first() if "group" in ro else pd.NA,
            n_members=grp.size(),
            land_mu=grp["land_mu"].sum(min_count=1) if "land_mu" in ro else float("nan"),
            forest_mu=grp["forest_mu"].sum(min_count=1) if "forest_mu" in ro else float("nan"),
        )
        # the ages alone, not the roster's rows of the heads (a copy of every column)
        head_age = ro["age"].loc[is_head].groupby(codes[is_head]).max()
        oldest = grp["age"].max()
        out["head_age"] = head_age.reindex(out.index).fillna(oldest)
        out.index = pd.Index(uniq, name="household_id")
        return out
