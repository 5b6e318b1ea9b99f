"""The label catalogue, short terms: column names, metric names, coded values, units, notes.

``TERMS[key] = (zh-CN, en)``; ``KINDS[column]`` is the display kind of a column
(see :data:`calib.report.fmt.KINDS`); ``VALUES[code] = (zh-CN, en)`` for coded cell values.
"""
from __future__ import annotations

TERMS: dict[str, tuple[str, str]] = {
    # units and notes
    "unit.yuan": ("元", "yuan"),
    "unit.wan": ("万元", "10k yuan"),
    "unit.yuan_year": ("元/年", "yuan/year"),
    "unit.wan_year": ("万元/年", "10k yuan/year"),
    "note.missing": ("{col}中的“—”：{why}", "“—” in {col}: {why}"),
    "note.missing_generic": ("该项无数据（不适用或未记录）", "no value (not applicable or not recorded)"),
    "note.no_ci": ("该结论不涉及置信区间", "no confidence interval applies to this decision"),
    "note.truncated": ("显示前 {n} 行，共 {m} 行", "showing the first {n} of {m} rows"),
    "note.truncated_file": ("显示前 {n} 行，共 {m} 行；完整表格见 {file}",
                            "showing the first {n} of {m} rows; the full table is in {file}"),
    "conclusions.title": ("结论", "Conclusions"),
    "conclusions.pending": ("结论将在报告运行结束时填写。", "The conclusions are filled in when the report has run."),
    # conclusions table
    "decision": ("决策事项", "Decision"),
    "figure": ("数值", "Figure"),
    "ci": ("95% 置信区间", "95% CI"),
    "threshold": ("标准（来源）", "Threshold (source)"),
    "verdict": ("结论", "Verdict"),
    "item": ("项目", "Item"),
    # personal data (masked before display)
    "name": ("姓名", "Name"),
    "head_name": ("户主姓名", "Head of household"),
    "phone": ("联系电话", "Phone"),
    "id_number": ("身份证号", "ID number"),
    "household_id": ("户号", "Household"),
    "village": ("行政村", "Village"),
    "township": ("乡镇", "Township"),
}

KINDS: dict[str, str] = {}

VALUES: dict[str, tuple[str, str]] = {
    "pass": ("通过", "pass"),
    "fail": ("未通过", "fail"),
    "warn": ("需关注", "attention"),
    "info": ("说明", "note"),
    "keep": ("保留", "keep"),
    "replace": ("更换", "replace"),
    "review": ("需复核", "review"),
    "met": ("已达成", "met"),
    "not met": ("未达成", "not met"),
    "no_data": ("无数据", "no data"),
    "not_assessed": ("未评估", "not assessed"),
    "green": ("绿灯", "green"),
    "yellow": ("黄灯", "yellow"),
    "red": ("红灯", "red"),
    "value.yes": ("是", "yes"),
    "value.no": ("否", "no"),
}
TERMS.update({k: v for k, v in VALUES.items() if k.startswith("value.")})
