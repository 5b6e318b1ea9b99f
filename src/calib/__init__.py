"""calib: a research and model-calibration workbench for whole-village credit programmes.

Modules, one concern each: :mod:`calib.io` (load and validate a programme), :mod:`calib.ids`
(resident ID numbers), :mod:`calib.masking` (personal data in reports), :mod:`calib.synth`
(generated programmes with known truth), :mod:`calib.eligibility`, :mod:`calib.params`
(parameter files), :mod:`calib.report` (recording headline figures), :mod:`calib.runner`
(Papermill report runs), and the analysis modules.
"""
from __future__ import annotations

__version__ = "0.1.0"
