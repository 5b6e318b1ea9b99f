"""The label catalogue, texts: report titles, headings and narrative (``TEXTS[key] = (zh-CN, en)``).

Texts may use ``**bold**``, blank-line paragraphs and ``- `` lists (rendered by
:func:`calib.report.display.text`), and ``{name}`` fields filled by the notebook.
"""
from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {}
