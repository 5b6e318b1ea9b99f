"""The data contract in code: tables, columns, kinds, vocabularies and ranges.

``data/README.md`` is the same contract in prose; the two must agree. Every rule that is a
value (a range, a word list, a reason) lives here once and is used by the parsers and checks.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

__all__ = [
    "Col",
    "SPECS",
    "header_names",
    "header_words",
    "SUFFIXES",
    "QUARANTINE_COLUMNS",
    "DECLINE_WORDS",
    "HEAD_WORDS",
    "TOTAL_WORDS",
    "LAND_UNITS",
    "REASON_TOTAL",
    "REASON_EMPTY",
    "REASON_HEADER",
    "FORM_HEADERS",
    "TABLE_FILE_NAMES",
    "table_of_file",
    "BLANKS",
    "CAP",
    "AMOUNT_CAP_MULTIPLE",
    "RANGES",
    "NUMBER_KINDS",
]

SUFFIXES = (".csv", ".xlsx", ".xls", ".parquet")
QUARANTINE_COLUMNS = ["table", "file", "row", "column", "value", "reason"]
#: Vocabularies hold each Chinese word's traditional forms too (as a Taiwanese, Hong Kong or older
#: system writes it: :mod:`calib.io.script`; ``tests/io/test_io_script.py`` checks none is missing).
DECLINE_WORDS = ("拒绝", "不同意", "不予授信", "不授信", "否决", "decline", "declined", "拒絕", "否決")
REASON_TOTAL = "total row (合计/小计), not a data row"
REASON_EMPTY = "empty row (no value in any column), not a data row"
REASON_HEADER = "the header row again (files joined?), not a data row"
REASON_EXCEL_NUMBER = "stored as a number by Excel, digits lost; re-export the column formatted as text"
REASON_FIELDS = "row has {n} fields where the header has {k}"
REASON_CONTROL = "control or zero-width character in a key column"
BLANKS = {"", "nan", "NaN", "NAN", "None", "none", "NULL", "null", "<NA>", "NaT"}

#: The programme's cap on a credit line (50万元, seed 001), in yuan.
CAP = 500_000.0
#: Amounts above this multiple of the cap are taken for typing errors (a loan is at most the cap;
#: an annual income may exceed it, but not by a factor of 100).
AMOUNT_CAP_MULTIPLE = 100


@dataclass(frozen=True)
class Col:
    """One column of the contract: code name, Chinese headers, kind, required."""

    name: str
    zh: tuple[str, ...]
    kind: str
    required: bool = False


def _c(name: str, zh: str | tuple[str, ...], kind: str, required: bool = False) -> Col:
    return Col(name, (zh,) if isinstance(zh, str) else zh, kind, required)


SPECS: dict[str, tuple[Col, ...]] = {
    "roster": (
        _c("township", ("乡镇", "乡镇名称"), "text", True),
        _c("village", ("行政村名称", "行政村", "村"), "text", True),
        _c("group", ("组名", "村民小组"), "text"),
        _c("id_number", ("身份证", "身份证号", "身份证号码"), "id", True),
        _c("name", "姓名", "text", True),
        _c("head_id_number", ("户主身份证", "户主身份证号"), "id_optional"),
        _c("household_id", "户号", "text", True),
        _c("address", ("现居住地址", "住址"), "text"),
        _c("phone", ("联系方式", "联系电话", "手机号", "联络方式", "联络电话"), "text"),  # 聯絡: Taiwan's 联系
        _c("sex", "性别", "sex"),
        _c("relation_to_head", "与户主关系", "text"),
        _c("ethnicity", "民族", "text"),
        _c("birth_month", "出生年月", "month"),
        _c("land_info", ("承包土地及山林信息", "承包土地及山林资讯"), "text"),  # 資訊: Taiwan's 信息
        _c("status", "状态", "status"),
        _c("bad_record", "不良记录", "bool"),
    ),
    "reviewers": (
        _c("reviewer_id", "评议员编号", "text", True),
        _c("village", ("行政村名称", "行政村"), "text", True),
        _c("role", "角色", "role", True),
        _c("id_number", ("身份证", "身份证号"), "id_optional"),
        _c("name", "姓名", "text"),
    ),
    "reviews": (
        _c("household_id", "户号", "text", True),
        _c("reviewer_id", "评议员编号", "text", True),
        _c("business_rating", "经营情况", "rating", True),
        _c("annual_income", "年收入", "amount"),
        _c("integrity_rating", ("诚信和品行", "诚信品行"), "rating", True),
        _c("proposed_limit", ("合理授信额度", "建议授信额度"), "limit", True),
        _c("review_date", "评议日期", "date"),
    ),
    "relations": (
        _c("reviewer_id", "评议员编号", "text", True),
        _c("household_id", "户号", "text", True),
        _c("relation", "关系", "relation", True),
    ),
    "model_runs": (
        _c("household_id", "户号", "text", True),
        _c("run_date", "跑批日期", "date", True),
        _c("model_score", "模型评分", "float", True),
        _c("model_pd", ("违约概率", "违约机率"), "prob"),  # 機率: Taiwan's 概率
        _c("model_limit", "模型授信额度", "amount", True),
        _c("grade", "信用等级", "grade"),
    ),
    "points": (
        _c("household_id", "户号", "text", True),
        _c("period", "期间", "text", True),
        _c("points", "积分", "nonneg", True),
    ),
    "loans": (
        _c("household_id", "户号", "text", True),
        _c("loan_id", "借据号", "text", True),
        _c("start_date", "放款日期", "date", True),
        _c("granted_limit", "授信额度", "amount", True),
        _c("drawn_amount", "用信金额", "amount", True),
        _c("interest_rate", "执行利率", "rate"),
        _c("default", "是否不良", "flag01", True),
        _c("observed_until", "观察截止日", "date"),
    ),
    "village_assessments": (
        _c("village", ("行政村名称", "行政村"), "text", True),
        _c("collective_finances", "集体经济", "bool_na"),
        _c("governance", "村级治理", "bool_na"),
        _c("no_disputes", "无重大纠纷", "bool_na"),
    ),
}

#: Each column's header on the collection form (its first Chinese header): how a message or a
#: page names the column where the clerk finds it (状态, not the report's word for ``status``).
FORM_HEADERS: dict[str, str] = {c.name: c.zh[0] for cols in SPECS.values() for c in cols}

#: The names a table's file may have besides its code name (``roster.csv``): the names a bank's
#: forms and ledgers give them (``人员信息采集表.xlsx``), matched after NFKC and without spaces.
TABLE_FILE_NAMES: dict[str, tuple[str, ...]] = {
    "roster": ("人员信息采集表", "人员信息", "农户信息采集表", "人员资讯采集表", "人员资讯", "农户资讯采集表"),
    "reviewers": ("评议员名册", "评议员"),
    "reviews": ("背靠背评议", "背靠背评议表", "评议表"),
    "relations": ("关系登记", "关系登记表"),
    "model_runs": ("模型跑批结果", "模型跑批"),
    "points": ("积分表", "积分"),
    "loans": ("贷款", "贷款台账", "贷款明细"),
    "village_assessments": ("村级评估", "村级评估表"),
}


def table_of_file(stem: str) -> str | None:
    """The table a file of this name (without its suffix) holds: its code name or one of
    :data:`TABLE_FILE_NAMES`; None for another name.

    >>> table_of_file("roster"), table_of_file("人员信息采集表"), table_of_file(" 贷款 台账"), table_of_file("notes")
    ('roster', 'roster', 'loans', None)
    >>> table_of_file("人員資訊採集表")  # as a traditional system names it
    'roster'
    """
    import unicodedata

    from calib.io.script import simplified

    name = simplified("".join(unicodedata.normalize("NFKC", stem).split()))
    if name in SPECS:
        return name
    return next((t for t, names in TABLE_FILE_NAMES.items() if name in names), None)


@functools.cache
def header_names(table: str) -> dict[str, str]:
    """The headers a table's columns may have, normalised (:func:`calib.io.read.norm_header`):
    each column's code name in lower case and its Chinese headers, each to its code name.

    >>> header_names("roster")["身份证号"], header_names("roster")["id_number"]
    ('id_number', 'id_number')
    """
    names: dict[str, str] = {}
    for col in SPECS[table]:
        names[col.name.lower()] = col.name
        for z in col.zh:
            names[z] = col.name
    return names


@functools.cache
def header_words(table: str, name: str) -> tuple[str, ...]:
    """The cells that read column ``name``'s header as a clerk writes it in a row of data (a
    header row repeated): its :func:`header_names` and its code name as written, each also with
    the ``*`` a form puts after a required field's header."""
    words = [name, *(h for h, n in header_names(table).items() if n == name)]
    words = list(dict.fromkeys(words))
    return tuple(words + [w + "*" for w in words])


#: Every header the contract knows (code names in lower case and Chinese headers).
KNOWN_HEADERS = frozenset({c.name.lower() for cols in SPECS.values() for c in cols}
                          | {z for cols in SPECS.values() for c in cols for z in c.zh})
#: Headers of a bank's collection forms that are not columns of the data contract and are never
#: a person's name (电话, 备注, 年龄): named as they are where a header the contract does not know
#: is shown (:func:`calib.io.read.shown_headers`, which masks other text: a header row may be a
#: row of data). Headers of three characters or more ending in :data:`FORM_ENDINGS` too.
FORM_WORDS = frozenset({
    "序号", "编号", "备注", "说明", "电话", "手机", "手机号", "座机", "年龄", "住址", "地址", "籍贯", "学历",
    "职业", "婚姻", "健康", "签字", "签名", "日期", "合计", "小计", "总计", "金额", "面积", "人口", "收入",
    "支出", "负债", "资产", "存款", "贷款", "用途", "期限", "利率", "担保", "评级", "等级", "类型", "类别",
    "来源", "区域", "邮编", "微信", "邮箱", "照片", "附件", "文化程度", "婚姻状况", "健康状况", "政治面貌",
    "劳动力", "家庭人口", "经营项目", "主营业务", "录入人", "审核人", "调查人", "经办人", "联系人",
})
#: Endings of such headers (电话号码, 填表日期, 家庭年收入): not the end of a person's name.
FORM_ENDINGS = ("号码", "日期", "时间", "金额", "情况", "信息", "类型", "类别", "名称", "编号", "编码", "地址",
                "住址", "备注", "说明", "面积", "电话", "人数", "状况", "程度", "面貌", "额度", "原因", "标识",
                "标志", "收入", "项目", "年限", "用途", "期限", "方式")


def form_word(header: str) -> bool:
    """Whether a header the contract does not know is a word of a bank's form, never a name
    (:data:`FORM_WORDS`, or three Chinese characters or more ending in :data:`FORM_ENDINGS`:
    no digits, which may be a phone or an ID number).

    Examples
    --------
    >>> [form_word(h) for h in ("备注", "电话号码", "家庭年收入", "张三", "王信", "填表日期", "13900002541号码")]
    [True, True, True, False, False, True, False]
    """
    return header in FORM_WORDS or (len(header) >= 3 and header.endswith(FORM_ENDINGS)
                                    and all("\u3400" <= ch <= "\u9fff" for ch in header))


#: Key columns: text that other tables join on, where invisible characters are not tolerated.
KEY_COLUMNS = ("household_id", "reviewer_id", "loan_id", "id_number", "head_id_number", "village",
               "township", "period")
#: Columns whose digits Excel destroys when it stores them as numbers.
DIGIT_COLUMNS = ("id_number", "head_id_number", "phone")

#: Range of every numeric column, by (table, column): (low, high, unit shown in the reason).
#: Dates are checked against 1900-01-01 .. as_of + 1 year (see ``DATE_RANGE_YEARS``).
RANGES: dict[tuple[str, str], tuple[float, float, str]] = {
    ("reviews", "annual_income"): (0.0, AMOUNT_CAP_MULTIPLE * CAP, "yuan"),
    ("reviews", "proposed_limit"): (0.0, AMOUNT_CAP_MULTIPLE * CAP, "yuan"),
    ("model_runs", "model_score"): (0.0, 1000.0, "score points"),
    ("model_runs", "model_limit"): (0.0, AMOUNT_CAP_MULTIPLE * CAP, "yuan"),
    ("points", "points"): (0.0, 100_000.0, "points"),
    ("loans", "granted_limit"): (0.0, AMOUNT_CAP_MULTIPLE * CAP, "yuan"),
    ("loans", "drawn_amount"): (0.0, AMOUNT_CAP_MULTIPLE * CAP, "yuan"),
}
DATE_MIN = "1900-01-01"
DATE_RANGE_YEARS = 1
NUMBER_KINDS = ("amount", "limit", "nonneg", "float")

STATUS = {
    "alive": "alive", "正常": "alive", "在世": "alive", "健在": "alive",
    "deceased": "deceased", "dead": "deceased", "死亡": "deceased", "已故": "deceased",
    "missing": "missing", "失踪": "missing", "失蹤": "missing",
    "absconded": "absconded", "外逃": "absconded", "逃亡": "absconded",
}
ROLES = {
    "cadre": "cadre", "村干部": "cadre", "村两委": "cadre", "村幹部": "cadre", "村兩委": "cadre",
    "group_leader": "group_leader", "group leader": "group_leader", "组长": "group_leader", "村民小组长": "group_leader",
    "組長": "group_leader", "村民小組長": "group_leader",
    "villager_rep": "villager_rep", "villager representative": "villager_rep", "村民代表": "villager_rep",
    "account_manager": "account_manager", "account manager": "account_manager", "客户经理": "account_manager",
    "客戶經理": "account_manager", "客户經理": "account_manager",
}
RELATIONS = {
    "self": "self", "本人": "self", "kin": "kin", "亲属": "kin", "亲戚": "kin", "親屬": "kin", "親戚": "kin",
    "neighbour": "neighbour", "neighbor": "neighbour", "邻里": "neighbour", "邻居": "neighbour", "鄰里": "neighbour",
    "鄰裡": "neighbour", "鄰裏": "neighbour", "鄰居": "neighbour",
    "business": "business", "生意往来": "business", "生意": "business", "生意往來": "business",
}
GRADES = {"AAA": "AAA", "AA": "AA", "A": "A", "B": "B", "不达标": "B", "不達標": "B", "BELOW A": "B",
          "BBB": "B", "BB": "B", "C": "B", "D": "B"}
TRUE_WORDS = {"1", "true", "yes", "y", "t", "是", "有", "√", "通过", "通過"}
FALSE_WORDS = {"0", "false", "no", "n", "f", "否", "无", "×", "未通过", "無", "未通過"}
#: How the roster's relation to the head (与户主关系) names the head himself.
HEAD_WORDS = ("户主", "head", "本人", "戶主")
#: The words of a total row (合计), in a cell of their own.
TOTAL_WORDS = ("合计", "总计", "小计", "合計", "總計", "小計")
#: The unit of land areas in the roster's land text (承包土地及山林信息), and its traditional form.
LAND_UNITS = ("亩", "畝")
#: Sex as forms and core systems write it; ``1``/``2`` are GB/T 2261.1's codes (男/女), which
#: core banking systems export (a wrong reading would contradict the ID number's sex digit,
#: and be quarantined so).
SEX = {"男": "M", "男性": "M", "m": "M", "male": "M", "1": "M",
       "女": "F", "女性": "F", "f": "F", "female": "F", "2": "F"}
