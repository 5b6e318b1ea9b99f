"""Re-export of :mod:`calib._frames` (overall-plus-groups tables), kept for existing imports."""
from __future__ import annotations

from calib._frames import levels, stack_levels

__all__ = ["levels", "stack_levels"]
