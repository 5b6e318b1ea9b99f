"""Character pools and headers of generated programmes.

Place names never share a character with personal names, so that a village name in a report can
never be mistaken for (or contain) a person's name.
"""
from __future__ import annotations

import numpy as np

SURNAMES = list("张王李赵陈刘杨黄周吴徐孙朱马胡郭何罗郑梁谢宋唐许韩冯邓曹彭曾肖董袁潘蔡蒋余杜叶程苏魏吕任沈姚卢姜崔钟谭陆汪范廖贾夏韦邹孟熊秦邱尹薛段雷侯")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀霞刚桂英玉萍梅琴莲珍凤洁琳素斌波辉健俊峰志德福祥瑞婷颖慧晖燕翠荣")
PLACE_A = list("上下大小坪岭坑塘坳冲湾坝圩寨垌埔岗洲沥")
PLACE_B = list("水竹松茶禾樟榕溪泉岩蕉桥井埠")
PLACE_C = list("头尾口背角边")
TOWNS = ["岭坑镇", "水口镇", "榕坪镇", "溪埔镇", "竹岗镇", "松塘镇"]
ETHNIC = np.array(["汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "瑶族", "壮族"])

#: Code name -> header of the collection form (人员信息采集表).
ROSTER_FORM_HEADERS = {
    "township": "乡镇", "village": "行政村名称", "group": "组名", "id_number": "身份证", "name": "姓名",
    "head_id_number": "户主身份证", "household_id": "户号", "address": "现居住地址", "phone": "联系方式",
    "sex": "性别", "relation_to_head": "与户主关系", "ethnicity": "民族", "birth_month": "出生年月",
    "land_info": "承包土地及山林信息", "status": "状态", "bad_record": "不良记录",
}


def village_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct village names (two characters + 村; more at province scale)."""
    combos = [a + b for a in PLACE_A for b in PLACE_B]
    if n <= len(combos):
        pick = rng.choice(len(combos), size=n, replace=False)
        return [combos[i] + "村" for i in pick]
    # province scale: three-character names, then numbered ones (no personal-name characters)
    more = combos + [c + d for c in combos for d in PLACE_C]
    more = [more[i] for i in rng.permutation(len(more))]
    return [(more[i % len(more)] + (str(i // len(more)) if i >= len(more) else "")) + "村"
            for i in range(n)]


def township_names(n: int) -> list[str]:
    """``n`` township names: the six of the sample, then numbered ones (province scale)."""
    if n <= len(TOWNS):
        return TOWNS[:n]
    return TOWNS + [f"{TOWNS[i % len(TOWNS)][:2]}{i // len(TOWNS)}镇" for i in range(len(TOWNS), n)]
