"""Parameter files (``params/*.yaml``): loading, overrides and validation.

A parameter file names the data folder, the reference date, the seed, the notebooks to run and
every policy threshold (see ``params/sample.yaml``). :func:`load` validates it completely before
any notebook starts; a bad value raises :class:`calib.errors.CalibParamsError` naming the key.

Relative paths (``data_dir``, ``notebooks_dir``) are resolved against the project root: the nearest folder above
the parameter file that holds ``pyproject.toml``, else the parameter file's own folder.
"""
from __future__ import annotations

import copy
import datetime as _dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from calib.eligibility import EligibilityRules
from calib.errors import CalibParamsError
from calib.villages import Targets, TownshipRules, VillageRules

__all__ = ["Params", "load", "parse_overrides", "apply_overrides", "project_root", "to_yaml"]



class _NoDatesLoader(yaml.SafeLoader):
    """YAML loader that leaves dates as text, so that pydantic validates them with a clear
    message (a bad date such as 2026-13-40 otherwise fails inside the YAML parser)."""


_NoDatesLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml_load(text: str) -> Any:
    return yaml.load(text, Loader=_NoDatesLoader)  # noqa: S506 - a SafeLoader subclass


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Consensus(_Block):
    method: Literal["median", "trimmed_mean", "huber", "adjusted"] = "adjusted"
    trim: float = Field(0.2, ge=0, lt=0.5)
    grid: float = Field(1000, gt=0)
    cap: float = Field(500_000, gt=0)
    min_reviews: int = Field(3, ge=1)
    max_dispersion: float = Field(0.5, gt=0)
    decline_rule: Literal["majority", "any", "all"] = "majority"


class Reconciliation(_Block):
    rule: Literal["min", "consensus", "model", "blend"] = "min"
    blend_weight: float = Field(0.5, ge=0, le=1)
    band_low: float = Field(0.67, gt=0)
    band_high: float = Field(1.5, gt=0)
    provisional: Literal["min", "zero", "consensus", "model"] = "min"
    cap: float = Field(500_000, gt=0)
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
    ``credit_village``, ``credit_township``, ``targets``: :mod:`calib.villages`)."""

    title: str = "calib evaluation"
    data_dir: Path
    as_of: _dt.date
    seed: int = Field(0, ge=0)
    execution_timeout: int = Field(1800, gt=0)
    notebooks: list[str] = Field(min_length=1)
    notebooks_dir: Path = Path("notebooks")
    eligibility: EligibilityRules = EligibilityRules()
    consensus: Consensus = Consensus()
    reconciliation: Reconciliation = Reconciliation()
    scorecard: Scorecard = Scorecard()
    points_loan: PointsLoan = PointsLoan()
    credit_village: VillageRules = VillageRules()
    credit_township: TownshipRules = TownshipRules()
    targets: Targets = Targets()
    source: Path | None = None

    @field_validator("notebooks")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        out = [n[:-6] if n.endswith(".ipynb") else n for n in v]
        if len(set(out)) != len(out):
            raise ValueError("a notebook is listed twice")
        return out

    def block(self, name: str) -> dict[str, Any]:
        """A block as a plain dict, ready for ``**kwargs`` (e.g. ``P.block("consensus")``)."""
        return getattr(self, name).model_dump(mode="python")

    def plain(self) -> dict[str, Any]:
        """Every parameter as YAML/JSON-friendly primitives."""
        return self.model_dump(mode="json", exclude={"source"})


def project_root(start: str | Path) -> Path:
    """The nearest folder at or above ``start`` holding ``pyproject.toml`` (else ``start``'s folder)."""
    p = Path(start).resolve()
    p = p if p.is_dir() else p.parent
    for q in (p, *p.parents):
        if (q / "pyproject.toml").exists():
            return q
    return p


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """Parse ``key=value`` overrides; dotted keys reach into blocks, values are YAML scalars.

    Examples
    --------
    >>> parse_overrides(["seed=7", "consensus.method=median"])
    {'seed': 7, 'consensus.method': 'median'}
    """
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise CalibParamsError(f"override {item!r} is not of the form key=value")
        key, value = item.split("=", 1)
        key = key.strip()
        if not key:
            raise CalibParamsError(f"override {item!r} has no key")
        try:
            out[key] = _yaml_load(value) if value.strip() else None
        except yaml.YAMLError as exc:
            raise CalibParamsError(f"override {key}: cannot read value {value!r} ({exc})") from exc
    return out


def apply_overrides(raw: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``raw`` with dotted-key overrides applied."""
    out = copy.deepcopy(raw)
    for key, value in overrides.items():
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value
    return out


def _format_error(exc: ValidationError, source: str) -> str:
    lines = []
    for e in exc.errors()[:5]:
        loc = ".".join(str(x) for x in e["loc"]) or "(top level)"
        got = e.get("input")
        got_s = "" if isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"{loc}: {e['msg']}{got_s}")
    more = f"; and {len(exc.errors()) - 5} more" if len(exc.errors()) > 5 else ""
    return f"{source}: invalid parameters: " + "; ".join(lines) + more


def validate(raw: dict[str, Any], *, source: str = "parameters", root: Path | None = None) -> Params:
    """Validate a parameter mapping and resolve ``data_dir``.

    Raises
    ------
    CalibParamsError
        Naming the key, the rule and the value received.
    """
    if not isinstance(raw, dict):
        raise CalibParamsError(f"{source}: the top level must be a mapping of parameter names")
    try:
        params = Params.model_validate(raw)
    except ValidationError as exc:
        raise CalibParamsError(_format_error(exc, source)) from None
    if root is not None:
        if not params.data_dir.is_absolute():
            params.data_dir = (root / params.data_dir).resolve()
        if not params.notebooks_dir.is_absolute():
            params.notebooks_dir = (root / params.notebooks_dir).resolve()
    return params


def load(path: str | Path, overrides: dict[str, Any] | list[str] | None = None) -> Params:
    """Load and validate a parameter file.

    Parameters
    ----------
    path : str or Path
        A YAML parameter file.
    overrides : dict or list of "key=value", optional
        Values replacing those of the file (dotted keys reach into blocks).

    Returns
    -------
    Params
        With ``data_dir`` made absolute and ``source`` set to the file.
    """
    path = Path(path)
    if not path.is_file():
        raise CalibParamsError(f"{path}: no such parameter file")
    try:
        raw = _yaml_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CalibParamsError(f"{path.name}: not valid YAML ({exc})") from None
    if isinstance(overrides, list):
        overrides = parse_overrides(overrides)
    raw = apply_overrides(raw, overrides or {})
    params = validate(raw, source=path.name, root=project_root(path))
    params.source = path.resolve()
    return params


def to_yaml(params: Params) -> str:
    """The parameters as YAML text (all primitives, ``data_dir`` absolute)."""
    return yaml.safe_dump(params.plain(), sort_keys=False, allow_unicode=True)
