"""Thresholds of the monitoring report (params block ``monitoring``), as a pydantic model that
``calib.params`` composes."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from calib.errors import CalibParamsError
from calib.scorecard.calibration import RED_CONFIDENCE, YELLOW_CONFIDENCE
from calib.scorecard.stability import PSI_MODERATE, PSI_SIGNIFICANT

__all__ = ["Light", "MonitoringRules", "validate_monitoring", "INDICATORS"]

#: Indicators of the monitoring report, in page order.
INDICATORS: tuple[str, ...] = ("auc_oos", "ks", "psi", "csi_max", "grade_backtest",
                               "consensus_model_gap", "investigations", "credit_villages")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Light(_Strict):
    """A traffic light: green when the value is on the good side of ``green``, amber up to
    ``amber``, red beyond; a threshold belongs to the better light when higher is better, to the
    worse one when lower is better (:func:`calib.monitoring.light`). ``relative: true`` judges
    ``value / base value`` instead."""

    green: float
    amber: float
    higher_is_better: bool = True
    relative: bool = False

    @model_validator(mode="after")
    def _order(self) -> "Light":
        ok = self.green >= self.amber if self.higher_is_better else self.green <= self.amber
        if not ok:
            side = "at least" if self.higher_is_better else "at most"
            raise ValueError(f"green ({self.green}) must be {side} amber ({self.amber})")
        return self


class MonitoringRules(_Strict):
    """The ``monitoring`` block: the base run and one light per indicator.

    Defaults: AUC (out of sample, village-grouped folds) green from 0.70, amber from 0.65;
    KS green from 0.30, amber from 0.20; PSI and CSI green below 0.10, amber below 0.25 (the
    usual bands: Siddiqi, *Credit Risk Scorecards*, 2006; report 04's reading,
    :data:`calib.scorecard.stability.PSI_MODERATE` and ``PSI_SIGNIFICANT``); grade backtest (the
    largest confidence, one-sided exact binomial test, that a grade's calibrated PD is too low:
    report 04's traffic light, :data:`calib.scorecard.calibration.YELLOW_CONFIDENCE` and
    ``RED_CONFIDENCE``) green below 95%, amber below 99.9% (OeNB, *Rating Models and
    Validation*, 2004); consensus-model gap (|Bland-Altman bias ratio - 1|) green below 10%,
    amber below 20%; investigations relative to the base run green below 1.25x, amber below
    1.5x; certified villages relative to the base run green from 1.0x, amber from 0.8x.
    """

    base: str = Field(default="first", description="'first', a run id or an as_of date")
    auc_oos: Light = Light(green=0.70, amber=0.65)
    ks: Light = Light(green=0.30, amber=0.20)
    psi: Light = Light(green=PSI_MODERATE, amber=PSI_SIGNIFICANT, higher_is_better=False)
    csi_max: Light = Light(green=PSI_MODERATE, amber=PSI_SIGNIFICANT, higher_is_better=False)
    grade_backtest: Light = Light(green=YELLOW_CONFIDENCE, amber=RED_CONFIDENCE, higher_is_better=False)
    consensus_model_gap: Light = Light(green=0.10, amber=0.20, higher_is_better=False)
    investigations: Light = Light(green=1.25, amber=1.5, higher_is_better=False, relative=True)
    credit_villages: Light = Light(green=1.0, amber=0.8, relative=True)


def validate_monitoring(rules: Mapping[str, Any] | MonitoringRules | None) -> MonitoringRules:
    """Validate the ``monitoring`` block (``None``: the defaults).

    Raises
    ------
    CalibParamsError
        Naming the key, e.g. ``monitoring.psi.green``.
    """
    if rules is None:
        return MonitoringRules()
    if isinstance(rules, MonitoringRules):
        return rules
    if not isinstance(rules, Mapping):
        raise CalibParamsError(f"monitoring: expected a mapping, got {type(rules).__name__}")
    if "grade_calibration" in rules:
        raise CalibParamsError(
            "monitoring.grade_calibration: replaced by monitoring.grade_backtest, the largest "
            "confidence that a grade's PD is too low (one-sided binomial test, as report 04's "
            f"traffic light; defaults green {YELLOW_CONFIDENCE:g}, amber {RED_CONFIDENCE:g}); the "
            "absolute gap it judged counted a conservative PD as a failure and ignored how many "
            "loans a grade has")
    try:
        return MonitoringRules(**dict(rules))
    except ValidationError as exc:
        msgs = [f"monitoring.{'.'.join(str(x) for x in e['loc'])}: {e['msg']}"
                f" (got {e.get('input')!r})" for e in exc.errors()]
        raise CalibParamsError("; ".join(msgs)) from None


Colour = Literal["green", "amber", "red", "none", "base"]
