"""Execute the notebooks with their default parameters and store only the outputs nbval checks.

usage: python tools/refresh_notebooks.py [NOTEBOOK ...]   (default: every notebooks/*.ipynb)

Cells marked ``# NBVAL_CHECK_OUTPUT`` keep their outputs (the golden values `make test`
compares); every other cell is stored without outputs, so diffs stay small and reviewable and no
personal data or plot lands in the repository.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import papermill as pm

ROOT = Path(__file__).resolve().parents[1]


def refresh(path: Path) -> None:
    tmp = path.with_suffix(".refresh.ipynb")
    try:
        pm.execute_notebook(str(path), str(tmp), kernel_name="python3", cwd=str(path.parent),
                            progress_bar=False)
        nb = nbformat.read(str(tmp), as_version=4)
    finally:
        tmp.unlink(missing_ok=True)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if "NBVAL_CHECK_OUTPUT" in cell.source:
            cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
        else:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("papermill", None)
    nb.cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    nbformat.write(nb, str(path))
    print(f"refreshed {path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for p in paths:
        refresh(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
