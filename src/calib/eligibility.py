"""Former home of :mod:`calib.programme.eligibility`; every name is re-exported from there."""
from __future__ import annotations

from calib.programme import eligibility as _impl
from calib.programme.eligibility import *  # noqa: F401,F403

__all__ = list(_impl.__all__)


def __getattr__(name: str):
    return getattr(_impl, name)
