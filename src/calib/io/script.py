"""Traditional Chinese, as a Taiwanese, Hong Kong or older system writes it, read as the data
contract's simplified words.

Such a system exports 鄉鎮 for 乡镇, 戶號 for 户号, 人員資訊採集表.csv for 人员信息采集表.csv, 拒絕
for 拒绝, 耕地3畝 for 耕地3亩, often in Big5. The loader reads headers and file names in
simplified characters (:func:`simplified`); the coded values' vocabularies of :mod:`calib.io.specs`
hold their traditional forms (:func:`traditional_forms` checks them in the tests), so a cell is
matched as it is written, at no cost to a simplified file. Free text (names, villages,
addresses) is kept as written.

A header is converted character by character (OpenCC ``t2s``): a phrase conversion would turn
Taiwan's 執行利率 (the rate applied) into 运行利率. Taiwan's phrases of the contract's headers
(資訊 for 信息: 承包土地及山林資訊) are matched as their characters read (资讯), among the
headers :func:`calib.io.specs.header_names` knows.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable

__all__ = ["simplified", "traditional_forms"]

#: OpenCC's conversions from simplified Chinese to the traditional forms systems write:
#: standard, Taiwan's characters, Hong Kong's, Taiwan's phrases.
_TO_TRADITIONAL = ("s2t", "s2tw", "s2hk", "s2twp")


@functools.cache
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def simplified(text: str) -> str:
    """``text`` in simplified characters (OpenCC ``t2s``, character by character); returned as
    it is, without a conversion, when GB2312 (the simplified character set) holds it.

    Examples
    --------
    >>> simplified("戶主身份證"), simplified("執行利率"), simplified("户主身份证"), simplified("id_number")
    ('户主身份证', '执行利率', '户主身份证', 'id_number')
    """
    try:
        text.encode("gb2312")
        return text
    except UnicodeEncodeError:
        return _converter("t2s").convert(text)


def traditional_forms(words: Iterable[str]) -> set[str]:
    """The traditional forms of simplified ``words`` (standard, Taiwan's, Hong Kong's
    characters, Taiwan's phrases), the words themselves left out.

    Examples
    --------
    >>> sorted(traditional_forms(["户号", "拒绝", "male"]))
    ['戶號', '户號', '拒絕']
    """
    words = list(words)
    out = {_converter(c).convert(w) for c in _TO_TRADITIONAL for w in words}
    return out - set(words)
