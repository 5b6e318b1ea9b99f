"""pyproject.toml, environment.yml and requirements.lock describe one environment.

- environment.yml lists exactly the packages of pyproject.toml (core and extras) with the same
  version ranges;
- requirements.lock pins (``==``) every one of them, and each pin lies inside its range;
- the five numerical libraries carry an upper bound on their major version;
- the Jupyter kernel named for the project runs the project's environment (``make lab``).
"""
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
BOUNDED = ("numpy", "pandas", "scikit-learn", "statsmodels", "matplotlib")


def _name(spec: str) -> str:
    return canonicalize_name(re.split(r"[<>=!~;\[ ]", spec.strip(), maxsplit=1)[0])


def _pyproject() -> dict[str, Requirement]:
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(py["dependencies"])
    for deps in py["optional-dependencies"].values():
        specs += [d for d in deps if not d.startswith("calib")]
    return {_name(s): Requirement(s) for s in specs}


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for d in env["dependencies"]:
        if isinstance(d, str) and _name(d) not in {"python", "pip"}:
            out[_name(d)] = re.sub(r"^[A-Za-z0-9_.\-]+", "", d.strip()).replace(" ", "")
    return out


def _lock() -> dict[str, Version]:
    out = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            out[canonicalize_name(m.group(1))] = Version(m.group(2))
    return out


def test_environment_yml_mirrors_pyproject():
    wanted, conda = _pyproject(), _conda()
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip and "-e ." in pip[0]["pip"]
    assert set(conda) == set(wanted), (f"only in environment.yml: {set(conda) - set(wanted)}; "
                                       f"only in pyproject: {set(wanted) - set(conda)}")
    differ = {n: (str(wanted[n].specifier), conda[n]) for n in wanted
              if wanted[n].specifier != Requirement(f"x{conda[n]}").specifier}
    assert not differ, f"ranges differ (pyproject, environment.yml): {differ}"


def test_lock_pins_every_dependency_inside_its_range():
    wanted, lock = _pyproject(), _lock()
    missing = sorted(set(wanted) - set(lock))
    assert not missing, f"not in requirements.lock (run `make lock`): {missing}"
    outside = {n: (str(r.specifier), str(lock[n])) for n, r in wanted.items()
               if not r.specifier.contains(lock[n], prereleases=True)}
    assert not outside, f"locked version outside its range (run `make lock`): {outside}"
    header = (ROOT / "requirements.lock").read_text().splitlines()[:3]
    assert any("make lock" in h for h in header), "the lock must say how to regenerate it"


@pytest.mark.parametrize("name", BOUNDED)
def test_major_versions_bounded(name):
    spec = _pyproject()[name].specifier
    uppers = [s for s in spec if s.operator == "<"]
    assert uppers, f"{name} has no upper bound"
    assert all(Version(s.version).minor == 0 and Version(s.version).micro == 0 for s in uppers), \
        f"{name}: bound the major version ({spec})"


def test_pytest_turns_calib_deprecations_into_errors():
    opts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "error::DeprecationWarning:calib" in opts["filterwarnings"]
    code = compile("import warnings\nwarnings.warn('old', DeprecationWarning)", "calib/_probe.py", "exec")
    with pytest.raises(DeprecationWarning):  # as if raised by calib's own code
        exec(code, {"__name__": "calib._probe"})
    with pytest.warns(DeprecationWarning):  # only a warning elsewhere
        exec(code, {"__name__": "somebody_else"})


def test_project_kernel_runs_the_project_environment():
    spec = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "calib" / "kernel.json"
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("not running in the project's .venv (make install registers the kernel there)")
    assert spec.is_file(), "make install registers the Jupyter kernel 'calib'"
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="calib")
    try:
        reply = kc.execute_interactive("import calib, sys; print(sys.prefix)", timeout=60)
        assert reply["content"]["status"] == "ok"
        out = []
        kc.execute_interactive("print(sys.prefix)", timeout=60,
                               output_hook=lambda m: out.append(m["content"].get("text", "")))
        assert Path("".join(out).strip()).resolve() == (ROOT / ".venv").resolve()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
