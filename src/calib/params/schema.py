"""The parameter schema: one pydantic model per block of ``params/*.yaml``.

Each analysis module owns the schema of its own block (``eligibility``:
:class:`calib.eligibility.EligibilityRules`; ``credit_village``, ``credit_township``,
``targets``: :mod:`calib.villages`); :class:`Params` composes them with the run's own keys.
Every number must be finite (``.inf``, ``nan`` are refused), caps positive, ``as_of`` within
2000-2100 and notebook names bare names (no folder, no ``..``).
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from calib.eligibility import EligibilityRules

from calib.engine.spark import SparkSettings  # the spark block is owned by calib.engine

try:  # the monitoring block is owned by calib.monitoring
    from calib.monitoring.rules import MonitoringRules
except ImportError:  # calib.monitoring not installed: any mapping, checked by its owner later
    class MonitoringRules(BaseModel):  # type: ignore[no-redef]
        """Placeholder of the ``monitoring`` block."""

        model_config = ConfigDict(extra="allow")

from calib.villages import Targets, TownshipRules, VillageRules

__all__ = ["Params", "Consensus", "Reconciliation", "Scorecard", "Band", "Schedule", "PointsLoan",
           "MonitoringRules", "AS_OF_RANGE", "NOTEBOOK_NAME", "is_url", "relative_to_root"]

AS_OF_RANGE = (_dt.date(2000, 1, 1), _dt.date(2100, 12, 31))
NOTEBOOK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


_URL_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://[^/@:]*:[^/@]*@")


def _no_password(v: Any) -> Any:
    if is_url(v) and _URL_PASSWORD.match(v):
        raise ValueError("the URL holds a password: give it through the driver's environment or files "
                         "(PostgreSQL: PGPASSWORD or ~/.pgpass), never in a parameter file")
    return v


def is_url(value: Any) -> bool:
    """True for a SQLAlchemy-style URL (``postgresql+psycopg://...``, ``sqlite:///...``)."""
    return isinstance(value, str) and bool(_URL.match(value))


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Consensus(_Block):
    method: Literal["median", "trimmed_mean", "huber", "adjusted"] = "adjusted"
    trim: float = Field(0.2, ge=0, lt=0.5)
    grid: float = Field(1000, gt=0)
    cap: float = Field(500_000, gt=0, le=1e9)
    min_reviews: int = Field(3, ge=1)
    max_dispersion: float = Field(0.5, gt=0)
    decline_rule: Literal["majority", "any", "all"] = "majority"


class Reconciliation(_Block):
    rule: Literal["min", "consensus", "model", "blend"] = "min"
    blend_weight: float = Field(0.5, ge=0, le=1)
    band_low: float = Field(0.67, gt=0)
    band_high: float = Field(1.5, gt=0)
    provisional: Literal["min", "zero", "consensus", "model"] = "min"
    cap: float = Field(500_000, gt=0, le=1e9)
    grid: float = Field(1000, gt=0)

    @model_validator(mode="after")
    def _band(self) -> "Reconciliation":
        if not self.band_low < 1 < self.band_high:
            raise ValueError(f"the band must contain 1: band_low {self.band_low} < 1 < band_high {self.band_high}")
        return self


class Scorecard(_Block):
    base_score: float = 600
    base_odds: float = Field(50, gt=0)
    pdo: float = Field(20, gt=0)
    max_bins: int = Field(6, ge=2, le=20)
    min_bin_share: float = Field(0.05, gt=0, lt=0.5)
    grades: list[str] = ["AAA", "AA", "A", "B"]
    min_grade_share: float = Field(0.05, ge=0, lt=1)
    max_grade_share: float = Field(0.60, gt=0, le=1)
    reject_inference: Literal["none", "parcelling"] = "none"
    min_iv: float = Field(0.02, ge=0)
    current_weights: dict[str, float] = {}
    current_cutoffs: dict[str, float] = {}


try:  # the points_loan block is owned by calib.pricing (one schema), made strict here
    from calib.pricing.schedule import Band, Schedule
    from calib.pricing.schedule import PointsLoan as _PricingPointsLoan

    class PointsLoan(_PricingPointsLoan):
        """The ``points_loan`` block (:class:`calib.pricing.schedule.PointsLoan`), every number
        finite."""

        model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
except ImportError:  # calib.pricing without its schedule module: the same block, kept here
    class Band(_Block):
        points: float = Field(ge=0)
        discount: float = Field(ge=0, lt=1)

    class Schedule(_Block):
        base_rate: float = Field(0.05, gt=0, lt=1)
        step_points: float = Field(100, gt=0)
        step_discount: float = Field(0.001, ge=0, lt=1)
        proportional: bool = True
        max_discount: float | None = Field(None, ge=0, lt=1)
        floor_rate: float | None = Field(None, ge=0, lt=1)
        bands: list[Band] | None = None

    class PointsLoan(_Block):
        schedule: Schedule = Schedule()
        lgd: float = Field(0.45, gt=0, le=1)
        funding_cost: float = Field(0.022, ge=0, lt=1)
        operating_cost: float = Field(0.012, ge=0, lt=1)
        subsidy_budget: float = Field(200_000, ge=0)
        uptake_elasticity: float = 0.0
        band_width: float = Field(100, gt=0)
        n_boot: int = Field(200, ge=0, le=100_000)


class Params(_Block):
    """A validated parameter file. Blocks mirror ``params/sample.yaml``; each analysis module
    owns the schema of its block (``eligibility``: :class:`calib.eligibility.EligibilityRules`;
    ``credit_village``, ``credit_township``, ``targets``: :mod:`calib.villages`;
    ``points_loan``: :mod:`calib.pricing.schedule`; ``monitoring``: :mod:`calib.monitoring`).

    Run keys: ``title`` (``title_en``: the title of an English run, ``lang: en``), ``data_dir`` (folder or SQLAlchemy URL; with a URL, ``tables`` maps
    contract table names to the bank's tables or views, ``schema`` names their schema and
    ``queries`` gives a ``SELECT`` per table, see :func:`calib.sources.sql.read_raw_tables`;
    with a folder, ``encoding`` names the CSV files' encoding where detection should not decide
    and ``sheet`` the workbooks' sheets to read, each for every table or per table, as
    :func:`calib.io.load_programme` takes them),
    ``as_of``, ``seed``,
    ``execution_timeout`` (seconds per cell), ``notebooks`` (bare names found in
    ``notebooks_dir``), ``jobs`` (notebooks run at once; default the number of cores),
    ``history`` (run-history database: a path or SQLAlchemy URL; default
    ``reports/history.sqlite``), ``lang`` (``zh-CN`` or ``en``), ``page_rows`` (rows a table of
    villages or townships shows on a page, and villages report 06's conclusions list one by one;
    the rest are in the table's workbook), ``keep_snapshot`` (keep the
    validated Parquet snapshot, which holds unmasked data, in the published bundle), ``engine``
    (``local`` or ``spark``) with its ``spark`` block (:class:`calib.engine.spark.SparkSettings`).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)

    def shown_title(self) -> str:
        """The run's title in its language: ``title_en`` for ``lang: en`` when given, else ``title``."""
        return self.title_en if self.lang == "en" and self.title_en else self.title

    title: str = Field("calib evaluation", min_length=1, max_length=200)
    title_en: str | None = Field(None, min_length=1, max_length=200)
    data_dir: Path | str
    tables: dict[str, str] = {}
    db_schema: str | None = Field(None, alias="schema", min_length=1)
    queries: dict[str, str] = {}
    encoding: str | dict[str, str] | None = None
    sheet: str | list[str] | dict[str, str | list[str]] | None = None
    as_of: _dt.date
    seed: int = Field(0, ge=0, lt=2**32)
    execution_timeout: int = Field(1800, gt=0, le=7 * 24 * 3600)
    notebooks: list[str] = Field(min_length=1)
    notebooks_dir: Path = Path("notebooks")
    jobs: int | None = Field(None, ge=1, le=64)
    history: str | None = Field(None, min_length=1)
    lang: Literal["zh-CN", "en"] = "zh-CN"
    page_rows: int = Field(200, ge=10, le=100_000)
    keep_snapshot: bool = False
    engine: Literal["local", "spark"] = "local"
    spark: SparkSettings = SparkSettings()
    eligibility: EligibilityRules = EligibilityRules()
    consensus: Consensus = Consensus()
    reconciliation: Reconciliation = Reconciliation()
    scorecard: Scorecard = Scorecard()
    points_loan: PointsLoan = PointsLoan()
    credit_village: VillageRules = VillageRules()
    credit_township: TownshipRules = TownshipRules()
    targets: Targets = Targets()
    monitoring: MonitoringRules = MonitoringRules()
    source: Path | None = None

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir(cls, v: Any) -> Any:
        if isinstance(v, str) and not v.strip():
            raise ValueError("must name a folder or a database URL")
        return _no_password(v) if is_url(v) or not isinstance(v, str) else Path(v)

    @field_validator("history")
    @classmethod
    def _history(cls, v: str | None) -> str | None:
        return _no_password(v)

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, v: str | dict[str, str] | None) -> str | dict[str, str] | None:
        import codecs

        for name in ([v] if isinstance(v, str) else list((v or {}).values())):
            try:
                codecs.lookup(name)
            except LookupError:
                raise ValueError(f"{name!r} is not an encoding (utf-8, gb18030, big5, ...)") from None
        return _per_table(v)

    @field_validator("sheet")
    @classmethod
    def _sheet(cls, v: Any) -> Any:
        return _per_table(v)

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, v: _dt.date) -> _dt.date:
        lo, hi = AS_OF_RANGE
        if not lo <= v <= hi:
            raise ValueError(f"must be a date from {lo} to {hi}")
        return v

    @field_validator("notebooks")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        out = [n[:-6] if n.endswith(".ipynb") else n for n in v]
        bad = [n for n in out if not NOTEBOOK_NAME.match(n)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a bare notebook name (letters, digits, _ and -; "
                             "no folder, no '..')")
        if len(set(out)) != len(out):
            raise ValueError("a notebook is listed twice")
        return out

    @model_validator(mode="after")
    def _database_keys(self) -> "Params":
        if (self.tables or self.queries or self.db_schema) and not is_url(self.data_dir):
            raise ValueError("tables, schema and queries apply to a database: data_dir must be a "
                             "SQLAlchemy URL (e.g. postgresql+psycopg://user@host/db)")
        if (self.encoding or self.sheet) and is_url(self.data_dir):
            raise ValueError("encoding and sheet apply to files: data_dir is a database URL")
        return self

    def programme_source(self) -> dict[str, Any]:
        """Where the programme comes from, as keywords of :func:`calib.io.load_programme`:
        ``path`` (``data_dir``); for a folder, ``encoding`` and ``sheet`` when given; for a
        database, ``tables``, ``schema`` and ``queries``."""
        if not is_url(self.data_dir):
            return {"path": self.data_dir, "encoding": self.encoding, "sheet": self.sheet}
        return {"path": self.data_dir, "tables": dict(self.tables) or None, "schema": self.db_schema,
                "queries": dict(self.queries) or None}

    def block(self, name: str) -> dict[str, Any]:
        """A block as a plain dict, ready for ``**kwargs`` (e.g. ``P.block("consensus")``)."""
        return getattr(self, name).model_dump(mode="python")

    def plain(self, root: Path | None = None) -> dict[str, Any]:
        """Every parameter as YAML/JSON-friendly primitives (whole-number floats as integers).

        With ``root``, folder paths (``data_dir``, ``notebooks_dir``) are written relative to it
        (POSIX separators), so that nothing machine-specific is recorded.
        """
        out = _whole(self.model_dump(mode="json", exclude={"source"}, by_alias=True))
        if root is not None:
            for key in ("data_dir", "notebooks_dir"):
                value = getattr(self, key)
                if isinstance(value, Path):
                    out[key] = relative_to_root(value, root)
        return out


def _per_table(v: Any) -> Any:
    """A file option given per table: its keys must be the programme's tables."""
    if isinstance(v, dict):
        from calib.programme import TABLES

        unknown = sorted(set(v) - set(TABLES))
        if unknown:
            raise ValueError(f"unknown table {unknown[0]!r}; tables are {', '.join(TABLES)}")
    return v


def _whole(value: Any) -> Any:
    """``value`` with every whole-number float written as an integer (``500000``, not ``500000.0``,
    as a person writes the file; validation reads it back as the same float)."""
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def relative_to_root(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` with POSIX separators (``..`` when it lies outside)."""
    import os

    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    return Path(os.path.relpath(p.resolve(), Path(root).resolve())).as_posix()
