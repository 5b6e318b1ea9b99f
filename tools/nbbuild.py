"""Write a notebook from a compact cell list (used to author notebooks as reviewable text).

usage (from Python): ``write_notebook(path, cells)`` where ``cells`` is a list of
``("md" | "code", source, tags)``. The notebook gets the ``python3`` kernelspec and no outputs;
run ``make notebooks`` afterwards to store the outputs of the cells nbval checks.
"""
from __future__ import annotations

from pathlib import Path

import nbformat


def write_notebook(path: str | Path, cells: list[tuple]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for kind, src, *rest in cells:
        tags = rest[0] if rest else []
        src = src.strip("\n")
        cell = nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
        if tags:
            cell.metadata["tags"] = list(tags)
        nb.cells.append(cell)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:02d}"
    nbformat.write(nb, str(path))
