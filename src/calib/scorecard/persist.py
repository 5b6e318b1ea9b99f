"""The calibrated card as a plain, YAML-able dict, and back.

:func:`card_to_params` writes a fitted card (bins, WoE, coefficients, points, cutoffs, the hashes
of the data it came from); :func:`card_from_params` restores a card that scores new data
identically. :meth:`Scorecard.to_params` / :meth:`Scorecard.from_params` call them.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from calib.errors import CalibParamsError
from calib.scorecard.grades import GradeCutoffs
from calib.scorecard.points import scaling_constants

__all__ = ["card_to_params", "card_from_params"]


def _characteristic(name: str, spec: dict, coef: float, pts: np.ndarray) -> dict[str, Any]:
    c: dict[str, Any] = {"name": name, "kind": spec["kind"], "trend": spec["trend"],
                         "coefficient": float(coef)}
    if spec["kind"] == "numeric":
        c["splits"] = [float(v) for v in spec["splits"]]
        c["special_codes"] = [float(v) for v in spec["special_codes"]]
    else:
        c["categories"] = {str(k): str(v) for k, v in spec["categories"].items()}
    c["bins"] = [{"bin": b["bin"], "count": float(b["count"]),
                  "event_rate": None if np.isnan(b["event_rate"]) else float(b["event_rate"]),
                  "woe": float(b["woe"]), "iv": float(b["iv"]),
                  "points": float(pts[i])} for i, b in enumerate(spec["bins"])]
    return c


def card_to_params(card: Any, *, data_hashes: Mapping[str, str], cutoffs: Any = None,
                   grades: Sequence[str] | None = None, run_id: str | None = None) -> dict:
    """The calibrated card as a plain, YAML-able dict.

    Parameters
    ----------
    card : Scorecard
        A fitted card.
    data_hashes : mapping
        ``{table: hash}`` of the data the card was fitted on (written as given).
    cutoffs : mapping or GradeCutoffs, optional
        Grade cutoffs ``{grade: minimum score}`` (best first) or a :class:`GradeCutoffs`.
    grades : sequence of str, optional
        Grade names best first (default: the keys of ``cutoffs`` plus the lowest grade from a
        GradeCutoffs).
    run_id : str, optional
        Identifier of the calibration run.

    Returns
    -------
    dict
        ``run_id, scaling {base_score, base_odds, pdo, factor, offset}, intercept,
        characteristics [{name, kind, trend, coefficient, splits | categories,
        special_codes, bins [{bin, count, event_rate, woe, iv, points}]}], excluded,
        weights {name: coefficient}, cutoffs {grade: min score}, grades, data_hashes``.
        Only built-in types (str, float, int, list, dict, None).
    """
    card._check_fitted()
    if data_hashes is None:
        raise CalibParamsError("to_params: data_hashes is required")
    pts = card._bin_points()
    chars = [_characteristic(n, s, card.coef_[n], pts[n]) for n, s in card.binning_.items()]
    cut: dict[str, float] | None = None
    grade_list = list(grades) if grades is not None else None
    if isinstance(cutoffs, GradeCutoffs):
        cut = cutoffs.as_dict()
        grade_list = grade_list or cutoffs.cutoffs["grade"].astype(str).tolist()
    elif cutoffs is not None:
        cut = {str(k): float(v) for k, v in dict(cutoffs).items()}
    return {
        "run_id": run_id,
        "scaling": {"base_score": float(card.base_score), "base_odds": float(card.base_odds),
                    "pdo": float(card.pdo), "factor": float(card.factor_),
                    "offset": float(card.offset_)},
        "intercept": float(card.intercept_),
        "characteristics": chars,
        "excluded": {str(k): str(v) for k, v in card.excluded_.items()},
        "weights": {str(k): float(v) for k, v in card.coef_.items()},
        "cutoffs": cut,
        "grades": grade_list,
        "data_hashes": {str(k): str(v) for k, v in dict(data_hashes).items()},
    }


def _spec(c: Mapping[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": c["name"], "kind": c["kind"], "trend": c.get("trend"),
                            "fitted_trend": None, "univariate_trend": None}
    if c["kind"] == "numeric":
        spec["splits"] = [float(v) for v in c["splits"]]
        spec["special_codes"] = [float(v) for v in c.get("special_codes") or []]
    elif c["kind"] == "categorical":
        spec["categories"] = dict(c["categories"])
    else:
        raise CalibParamsError(f"characteristics[{c['name']!r}].kind: expected "
                               f"numeric or categorical, got {c['kind']!r}")
    spec["bins"] = [{"bin": b["bin"], "count": float(b["count"]),
                     "event_rate": float("nan") if b["event_rate"] is None else float(b["event_rate"]),
                     "woe": float(b["woe"]), "iv": float(b["iv"])} for b in c["bins"]]
    spec["iv"] = float(sum(b["iv"] for b in spec["bins"]))
    return spec


def card_from_params(cls: type, params: Mapping[str, Any]) -> Any:
    """A fitted card of class ``cls`` from :func:`card_to_params` output.

    Cutoffs and grades are kept in ``cutoffs_`` and ``grades_``; statistics that need the
    fitting data (``coef_table_``) are not restored.
    """
    try:
        sc = params["scaling"]
        obj = cls(base_score=sc["base_score"], base_odds=sc["base_odds"], pdo=sc["pdo"])
        specs = {c["name"]: _spec(c) for c in params["characteristics"]}
        coef = {c["name"]: float(c["coefficient"]) for c in params["characteristics"]}
        intercept = float(params["intercept"])
    except KeyError as exc:
        raise CalibParamsError(f"scorecard params: missing key {exc.args[0]!r}") from None
    obj.binning_ = specs
    obj.coef_ = pd.Series(coef, name="coef", dtype=float)
    obj.intercept_ = intercept
    obj.excluded_ = dict(params.get("excluded") or {})
    obj.iv_ = pd.Series({n: s["iv"] for n, s in specs.items()}, name="iv")
    obj.feature_names_in_ = np.asarray(list(specs), dtype=object)
    obj.n_features_in_ = len(specs)
    obj.classes_ = np.array([0, 1])
    obj.factor_, obj.offset_ = scaling_constants(obj.base_score, obj.base_odds, obj.pdo)
    obj.cutoffs_ = params.get("cutoffs")
    obj.grades_ = params.get("grades")
    obj.data_hashes_ = dict(params.get("data_hashes") or {})
    obj.parcelling_ = None
    return obj
