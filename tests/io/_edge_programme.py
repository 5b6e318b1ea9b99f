"""A small programme with one or more rows breaking every table rule of the data contract (for
the loader's pinned-output test): unknown households and reviewers (also repeated), a reviewer
of another village's panel or of a village no household is in, repeats of every key, a
household split over two villages, optional IDs invalid or blank, points periods in every
written form (full-width digits, ideographic space, lower-case h/q, out-of-range months)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from calib import synth
from calib.io.ids import check_characters


def _append(folder: Path, name: str, rows: list[list[str]]) -> None:
    f = folder / f"{name}.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    pd.concat([df, pd.DataFrame(rows, columns=df.columns)], ignore_index=True).to_csv(f, index=False)


def write_edge_programme(folder: Path) -> Path:
    """Write the programme into ``folder`` (roster with Chinese headers) and return it."""
    res = synth.generate(seed=11, villages=2, households_per_village=4, dirty=False)
    synth.write(res, folder)
    r0 = pd.read_csv(folder / "roster.csv", dtype=str, keep_default_na=False).iloc[0].tolist()

    def person(id_, hh, village="大溪村", head=None, sex=None):
        sex = sex or ("男" if int(id_[16]) % 2 else "女")  # as the ID's sex digit unless given
        r = list(r0)
        r[1], r[3], r[5], r[6], r[9], r[12] = village, id_, id_ if head is None else head, hh, sex, \
            f"{id_[6:10]}-{id_[10:12]}"
        return r

    ids = [b + check_characters([b])[0] for b in ("11010519491231002", "11010519500101001", "11010519510101002",
                                                  "11010519520101003", "11010519530101004", "11010519540101005",
                                                  "11010519550101006")]
    _append(folder, "roster", [
        person(ids[0], "HX1", village="大榕村"), person(ids[1], "HX1", head=ids[0]), person(ids[2], "HX1", head=ids[0]),
        person(ids[3], "HX2", village=""), person(ids[4], "HX2", head=ids[3]),
        person(ids[5], "HX3", head="123"), person(ids[6], "HX3", head=""),
        person(ids[0], "HX4"),
        person("110105196001010099", "HX5", sex="女"),
    ])
    _append(folder, "reviewers", [["R00101", "大溪村", "cadre", "", ""], ["RX9", "外村", "cadre", "", ""],
                                  ["RX8", "大榕村", "cadre", "", ""]])
    review = ["3", "1", "3", "1000", "2025-07-01"]
    _append(folder, "reviews", [[h, r, *review] for h, r in (
        ("HNONE", "R00101"), ("HNONE", "R00101"), ("H0010001", "RNONE"), ("H0010001", "RNONE"),
        ("H0010001", "RX9"), ("H0010001", "RX8"), ("H0010001", ""), ("H0010001", "R00102"),
        ("HX1", "R00101"), ("HX1", "RX8"))])
    _append(folder, "relations", [["R00101", "H0010001", "self"], ["RNONE", "H0010001", "kin"],
                                  ["RNONE", "H0010001", "kin"], ["R00101", "HNONE", "kin"], ["R00101", "HNONE", "kin"]])
    run = ["2024-09-30", "1", "0.1", "1", "A"]
    _append(folder, "model_runs", [["H0020004", *run], ["HNONE", *run], ["HNONE", *run]])
    periods = ["2025", "２０２５", "2025 年", "2025h1", "2025Q5", "2025-13", "2025\u3000年", "2024", "2025年6月",
               "2025_q3", "202506", "2025 H2", "x2025"]
    _append(folder, "points", [["H0010001", p, "1"] for p in periods] + [["HNONE", "2025", "1"], ["HNONE", "2025", "1"]])
    loan = ["2025-12-08", "100", "50", "0.04", "0", ""]
    _append(folder, "loans", [["H0010001", "L000001", "2025-12-08", "100", "200", "0.04", "0", ""],
                              ["HNONE", "LX", *loan], ["HNONE", "LX", *loan]])
    _append(folder, "village_assessments", [["大溪村", "是", "是", "是"], ["外村", "是", "是", "是"]])
    return folder
