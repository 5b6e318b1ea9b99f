"""Package attributes imported on first use (PEP 562).

A package whose ``__init__`` imports every module makes ``import calib.pkg.small_module`` pay for
all of them: reading a parameter file would import the pricing statistics, scipy.stats and
matplotlib (about 1-2 s in every ``calib`` command, report kernel and Spark worker). Packages
list their public names and the module each lives in instead; the module is imported when a name
is first read, so ``from calib.pricing import Schedule`` and ``calib.pricing.Schedule`` work as
before and cost only ``calib.pricing.schedule``.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from types import ModuleType
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, Iterable[str]]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``(__getattr__, __dir__, __all__)`` for ``package`` whose public names live in the
    modules ``homes`` maps to them (``{"calib.pricing.schedule": ["Schedule", ...], ...}``)."""
    where = {name: module for module, names in homes.items() for name in names}
    module = sys.modules[package]
    namespace = module.__dict__
    # a public name that is also a submodule's name (calib.pricing.conclusions, the function, in
    # calib/pricing/conclusions.py): importing the submodule sets the package attribute to the
    # module; the package keeps the public name's value instead, as an eager __init__ did
    shadowed = {name for name, home in where.items() if home == f"{package}.{name}"}
    if shadowed:
        class _Package(ModuleType):
            def __setattr__(self, name: str, value: Any) -> None:
                if name in shadowed and isinstance(value, ModuleType):
                    value = getattr(value, name)
                super().__setattr__(name, value)

        module.__class__ = _Package

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(where[name]), name)
        namespace[name] = value  # later reads are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__, list(where)
