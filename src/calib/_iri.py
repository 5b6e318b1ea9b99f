"""jsonschema's IRI grammar built when it is first used, not when nbformat is imported.

Every process that imports ``nbformat`` (papermill, nbconvert, nbval: the runner of each
``calib run``, each test worker) imports ``jsonschema``, whose format checkers import
``rfc3987_syntax`` when it is installed (``jsonschema[format-nongpl]``, which jupyter-events
requires). That module builds about 30 Earley parsers of RFC 3987's grammar at import: about
2 CPU s a process, for an ``iri`` format that no notebook schema uses (jsonschema issue 1428;
opendatahub-io/notebooks issue 3532 measured the same). :func:`defer` puts a stand-in package
first on the import path: it has the real package's ``__path__`` and names, and imports the real
``rfc3987_syntax.syntax_helpers`` (building the parsers) the first time one of its names is
called or read, so an IRI check still gives the real answer.

Installed by the ``calib`` command (:func:`calib.cli.main`) and by the test run (``-p calib._iri``
in pyproject's pytest options: it must come before nbval's plugin imports nbformat).
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import Any

NAME = "rfc3987_syntax"
_REAL = f"{NAME}.syntax_helpers"


def _is_valid_syntax(term: str, value: str) -> bool:
    """``rfc3987_syntax.is_valid_syntax``, its parsers built on the first call."""
    return importlib.import_module(_REAL).is_valid_syntax(term, value)


def _getattr(name: str) -> Any:
    """Any other public name of the real package (its ``__init__`` re-exports syntax_helpers')."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(importlib.import_module(_REAL), name)


class _Deferred(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``rfc3987_syntax`` as the stand-in package; every other name is left to the path."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None):
        if fullname != NAME:
            return None
        real = importlib.machinery.PathFinder.find_spec(NAME)
        if real is None or real.submodule_search_locations is None:
            return None  # not installed: jsonschema goes without the IRI format, as it would
        spec = importlib.machinery.ModuleSpec(NAME, self, origin=real.origin, is_package=True)
        spec.submodule_search_locations = list(real.submodule_search_locations)
        return spec

    def create_module(self, spec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.is_valid_syntax = _is_valid_syntax
        module.__getattr__ = _getattr


_FINDER = _Deferred()


def defer() -> None:
    """Install the stand-in (once; nothing to do when the real package is already imported)."""
    if NAME not in sys.modules and _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


defer()
