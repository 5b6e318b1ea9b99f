"""Exceptions raised by :mod:`calib`.

Every error a user can cause derives from :class:`CalibError`; the command line turns them into a
one-line message and exit code 2 instead of a traceback.
"""
from __future__ import annotations

__all__ = ["CalibError", "CalibInputError", "CalibParamsError"]


class CalibError(Exception):
    """Base class of the errors :mod:`calib` raises on purpose."""


class CalibInputError(CalibError, ValueError):
    """A programme file cannot be used: unreadable, unknown table, or a missing required column.

    The message names the file and, where there is one, the column and the row.
    """


class CalibParamsError(CalibError, ValueError):
    """A parameter file or override is invalid; the message names the key and the bad value."""
