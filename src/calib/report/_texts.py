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
from calib.report._texts_07 import TEXTS_07

TEXTS: dict[str, tuple[str, str]] = {
    "common.params.h": ("本次运行的参数", "Parameters of this run"),
    "common.params.text": (
        "本次运行所有报告使用的参数，键名与取值均按报告包中 params.yaml 的原文列出（manifest.json 记录其 SHA-256 及每个输入文件的摘要）。",
        "The parameters every report of this run received, keys and values exactly as written in the bundle's "
        "params.yaml (manifest.json carries their SHA-256 and the digests of every input file)."),
    # words of calib.report.words, shared by the reports
    "word.county": ("全县", "county"),
    "word.points": ("{n} 分", "{n} {n, plural, one {point} other {points}}"),  # a points-loan schedule's (words.py)
    "word.several_reasons": ("；其中 {k} 人有多个原因", "; {k} with more than one reason"),
    # the index page and the report banners (calib.reporting.index.ui_words)
    "index.run": ("运行", "Run"),
    "index.status": ("状态", "status"),
    "status.ok": ("成功", "OK"),
    "status.failed": ("失败", "FAILED"),
    "index.started": ("开始", "started"),
    "index.ended": ("结束", "ended"),
    "index.data_as_of": ("数据截至", "Data as of"),
    "index.seed": ("随机种子", "seed"),
    "index.params_digest": ("参数 SHA-256", "parameters SHA-256"),
    "index.commit": ("代码版本", "code commit"),
    "index.dirty": ("含未提交修改", "uncommitted changes"),
    "index.reports": ("报告", "Reports"),
    "index.report": ("报告", "Report"),
    "index.conclusion": ("结论", "Conclusion"),
    "index.time": ("用时", "Time"),
    "index.figures": ("关键指标", "Headline figures"),
    "page.chart_alt": ("图表：标题与读法见图中及上下文", "Chart: its title and reading are in the image and the text around it"),
    "index.more": ("另有 {n} 项指标见报告正文与 metrics.json", "{n} more {n, plural, one {figure} other {figures}} in the report and metrics.json"),
    "index.notebook": ("笔记本（含计算过程，可重算）", "notebook (with the computations, re-runnable)"),
    "index.report_no": ("报告编号", "Report no."),
    "index.side_files": ("附属文件", "Side files"),
    "index.file": ("文件", "File"),
    "index.rows": ("行数", "Rows"),
    "index.inputs": ("输入数据", "Inputs"),
    "index.data_dir": ("项目数据", "Programme data"),
    "index.provenance": ("来源与校验", "Provenance"),
    "index.software": ("软件版本", "Software"),
    "index.glossary": ("术语表", "Glossary"),
    "index.glossary_text": ("报告所用术语的中英文释义", "the terms of the reports, in Chinese and English"),
    "index.provenance_text": (
        "本报告包中每个文件的 SHA-256 均记录在清单中（可用 calib verify 核验）；个人信息（身份证号、姓名、电话、地址）均已脱敏。",
        "Every file of this bundle is listed with its SHA-256 in the manifest (check it with calib verify); personal "
        "data (ID numbers, names, phones, addresses) is masked everywhere in this bundle."),
    **TEXTS_01,
    **TEXTS_02,
    **TEXTS_03,
    **TEXTS_04,
    **TEXTS_05,
    **TEXTS_06,
    **TEXTS_07,
}
