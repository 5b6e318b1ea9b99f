"""Every name importable before the io and programme subpackages existed still imports."""
import importlib

import pytest

OLD = {
    "calib.io": ["load_programme", "read_table", "latest_model_run", "parse_amounts", "parse_dates",
                 "file_sha256", "write_programme", "SPECS", "SUFFIXES", "QUARANTINE_COLUMNS",
                 "DECLINE_WORDS", "REASON_TOTAL", "BLANKS", "Col", "Programme", "TABLES",
                 "REQUIRED_TABLES", "_isin", "_nfkc", "validate_tables"],
    "calib.ids": ["normalize_ids", "check_characters", "parse_ids", "make_ids", "upgrade_15",
                  "REASON_SCIENTIFIC", "REASON_ZEROED", "REASON_CHECK", "_WEIGHTS"],
    "calib.masking": ["mask_id", "mask_phone", "mask_name", "mask_address", "mask_frame",
                      "mask_values", "PII_COLUMNS", "COMPOUND_SURNAMES"],
    "calib.quality": ["load_summary", "quarantine_summary", "coverage_by_village", "exclusions"],
    "calib.programme": ["Programme", "TABLES", "REQUIRED_TABLES"],
    "calib.eligibility": ["person_eligibility", "eligible_households", "EligibilityRules",
                          "DEFAULT_EXCLUDE_STATUS"],
}


@pytest.mark.parametrize("module", sorted(OLD))
def test_old_import_paths_still_work(module):
    mod = importlib.import_module(module)
    for name in OLD[module]:
        assert getattr(mod, name) is not None, (module, name)
    for name in mod.__all__:
        assert hasattr(mod, name)


def test_shims_are_the_same_objects():
    from calib import eligibility, ids, io, masking, quality
    from calib.io import ids as ids2, masking as masking2, quality as quality2
    from calib.programme import eligibility as el2
    assert ids.parse_ids is ids2.parse_ids and masking.mask_id is masking2.mask_id
    assert quality.load_summary is quality2.load_summary
    assert eligibility.EligibilityRules is el2.EligibilityRules
    assert io._isin is importlib.import_module("calib._frames").isin
