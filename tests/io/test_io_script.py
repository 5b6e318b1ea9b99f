"""A programme exported by a Taiwanese, Hong Kong or older system, in traditional characters
(鄉鎮, 戶號, 拒絕, 耕地3畝, 人員資訊採集表.csv), often in Big5: the loader refused it ("required
column 'township' (乡镇 / 乡镇名称) is missing; columns found: 鄉*, ...", the traditional headers
masked as names). It now loads as the same programme in simplified characters does."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import opencc
import pandas as pd
import pytest

from calib import synth
from calib.io import load_programme, specs
from calib.io.read import shown_headers
from calib.io.script import simplified, traditional_forms

AS_OF = "2026-06-30"

#: What the tables hold in words the loader matches: every Chinese word of each must be there
#: in its traditional forms too.
VOCABULARIES = {
    "DECLINE_WORDS": specs.DECLINE_WORDS, "STATUS": specs.STATUS, "ROLES": specs.ROLES,
    "RELATIONS": specs.RELATIONS, "GRADES": specs.GRADES, "SEX": specs.SEX, "TRUE_WORDS": specs.TRUE_WORDS,
    "FALSE_WORDS": specs.FALSE_WORDS, "HEAD_WORDS": specs.HEAD_WORDS, "TOTAL_WORDS": specs.TOTAL_WORDS,
    "LAND_UNITS": specs.LAND_UNITS,
}


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_every_vocabulary_holds_its_words_traditional_forms(name):
    words = set(VOCABULARIES[name])
    assert traditional_forms(words) <= words, sorted(traditional_forms(words) - words)


def test_every_header_and_table_name_reads_from_its_traditional_forms():
    for table, cols in specs.SPECS.items():
        names = specs.header_names(table)
        for col in cols:
            for zh in col.zh:
                for form in traditional_forms([zh]):
                    assert names.get(simplified(form)) == col.name, (table, zh, form)
        for file_name in specs.TABLE_FILE_NAMES.get(table, ()):
            for form in traditional_forms([file_name]):
                assert specs.table_of_file(form) == table, form
    assert shown_headers(["鄉鎮", "戶主身份證"]) == ["鄉鎮", "戶主身份證"]  # a contract header: not masked


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple[Path, Path]:
    """The same dirty programme in simplified characters and as a Taiwanese system exports it:
    every Chinese character traditional (Taiwan's phrases: 資訊 for 信息), the roster and the
    reviews under their Chinese names, the roster in Big5, the reviews in GB18030 (a mainland
    machine's Excel), the rest in UTF-8."""
    simp, trad = tmp_path_factory.mktemp("simplified"), tmp_path_factory.mktemp("traditional")
    synth.write(synth.generate(seed=11, villages=3, households_per_village=25, dirty=True, chinese_headers=True), simp)
    to_trad = opencc.OpenCC("s2twp")
    names = {"roster": "人员信息采集表", "reviews": "背靠背评议"}
    for p in sorted(simp.glob("*.csv")):
        text = to_trad.convert(p.read_text(encoding="utf-8-sig"))
        out = trad / f"{to_trad.convert(names.get(p.stem, p.stem))}.csv"
        enc = {"roster": "big5", "reviews": "gb18030"}.get(p.stem, "utf-8")
        out.write_bytes(text.encode(enc))
    assert (trad / "人員資訊採集表.csv").exists()
    return simp, trad


def test_a_traditional_programme_loads_as_the_simplified_one(both):
    simp, trad = both
    want, got = load_programme(simp, as_of=AS_OF), load_programme(trad, as_of=AS_OF)
    key = ["table", "row", "column", "reason"]
    assert len(want.quarantine) > 10  # a dirty programme: its planted problems, found again
    pd.testing.assert_frame_equal(got.quarantine[key], want.quarantine[key])
    pd.testing.assert_frame_equal(got.counts.drop(columns="file"), want.counts.drop(columns="file"))
    for t in ("roster", "reviewers", "reviews", "relations", "model_runs", "points", "loans", "village_assessments"):
        a, b = getattr(want, t), getattr(got, t)
        assert list(a.columns) == list(b.columns), t
        coded = [c for c in a.columns if not pd.api.types.is_string_dtype(a[c]) or c in
                 ("household_id", "reviewer_id", "loan_id", "id_number", "sex", "status", "role", "relation", "grade")]
        pd.testing.assert_frame_equal(b[coded], a[coded], obj=t)
    assert want.roster["land_mu"].notna().sum() > 0  # land read in 畝 as in 亩
    heads = want.households()["head_age"].to_numpy()
    np.testing.assert_array_equal(got.households()["head_age"].to_numpy(), heads)
    # free text stays as the system wrote it
    assert got.roster["village"].map(simplified).tolist() == want.roster["village"].tolist()
