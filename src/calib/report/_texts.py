"""The label catalogue, texts: report titles, headings and narrative (``TEXTS[key] = (zh-CN, en)``).

Texts may use ``**bold**``, blank-line paragraphs and ``- `` lists (rendered by
:func:`calib.report.display.text`), and ``{name}`` fields filled by the notebook. The texts of
each report are in ``_texts_<nn>.py`` beside this module.
"""
from __future__ import annotations

from calib.report._texts_01 import TEXTS_01
from calib.report._texts_02 import TEXTS_02
from calib.report._texts_03 import TEXTS_03
from calib.report._texts_04 import TEXTS_04
from calib.report._texts_05 import TEXTS_05
from calib.report._texts_06 import TEXTS_06

TEXTS: dict[str, tuple[str, str]] = {
    "common.params.h": ("本次运行的参数", "Parameters of this run"),
    "common.params.text": (
        "本次运行所有报告使用的参数，键名与 params.yaml 一致（报告包中的 manifest.json 记录其 SHA-256 及每个输入文件的摘要）。",
        "The parameters every report of this run received, keyed as in params.yaml (the bundle's "
        "manifest.json carries their SHA-256 and the digests of every input file)."),
    **TEXTS_01,
    **TEXTS_02,
    **TEXTS_03,
    **TEXTS_04,
    **TEXTS_05,
    **TEXTS_06,
}
