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
