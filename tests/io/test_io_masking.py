import pandas as pd

from calib import masking


def test_masks_follow_the_rules():
    assert masking.mask_id(["11010519491231002X"]).tolist() == ["110105********002X"]
    assert masking.mask_phone(["13900002541"]).tolist() == ["139****2541"]
    assert masking.mask_name(["张三", "王小明", "欧阳明华", "欧阳"]).tolist() == ["张*", "王**", "欧阳**", "欧*"]


def test_no_seven_character_run_of_an_id_or_phone_survives():
    ids_ = pd.Series(["44182119650424289X", "13912345678", "4.40524E+17", "12345"])
    for masked, raw in zip(masking.mask_id(ids_), ids_):
        for i in range(len(raw) - 6):
            assert raw[i:i + 7] not in masked


def test_mask_frame_masks_known_columns_and_index_and_keeps_others():
    df = pd.DataFrame({"name": ["李四"], "phone": ["13800001111"], "village": ["坪水村"],
                       "id_number": ["11010519491231002X"]}).set_index("id_number")
    out = masking.mask_frame(df)
    assert out.loc[:, "name"].iloc[0] == "李*"
    assert out["phone"].iloc[0] == "138****1111"
    assert out["village"].iloc[0] == "坪水村"
    assert out.index[0] == "110105********002X"
    assert df["name"].iloc[0] == "李四"  # the input is untouched


def test_digit_runs_in_free_text_are_masked_and_other_numbers_kept():
    text = "reviewer 13900002541, ID 44182119650424289X, 15-digit 441821650424289, amount 1000000000000, 2025"
    out = masking.mask_digit_runs(text)
    assert out == ("reviewer 139****2541, ID 441821********289X, 15-digit 441821*****4289, "
                   "amount 1000000000000, 2025")
    assert masking.mask_digit_runs("phone23900002541x") == "phone23900002541x"  # not a mobile number


def test_known_names_are_masked_in_free_text_only_where_they_occur():
    names = {"张三丰", "欧阳翠萍", "李明"}
    out = masking.mask_known("户主张三丰与欧阳翠萍(13900002541)不符; 明显偏高", names)
    assert out == "户主张**与欧阳**(139****2541)不符; 明显偏高"
    assert masking.mask_known("提高明显", names) == "提高明显"
    assert masking.mask_known("李明", set()) == "李明"


def test_quarantined_values_of_other_columns_keep_no_id_or_phone():
    values = pd.Series(["44182119650424289X", "13900002541 <b>", "H0010001", "1e309", None], dtype="string")
    kinds = pd.Series(["", "", "", "", ""])
    out = masking.mask_values(values, kinds)
    assert out.tolist()[:4] == ["441821********289X", "139****2541 <b>", "H0010001", "1e309"]
    assert out.isna().tolist()[4]
    assert masking.mask_values(values[:1], pd.Series(["name"])).tolist() == ["4*****************"]
