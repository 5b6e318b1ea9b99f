"""Former home of :mod:`calib.io.masking`; every name is re-exported from there."""
from __future__ import annotations

from calib.io import masking as _impl
from calib.io.masking import *  # noqa: F401,F403

__all__ = list(_impl.__all__)


def __getattr__(name: str):
    return getattr(_impl, name)
