"""Fixtures of the report layer's tests."""
from __future__ import annotations

import warnings

import pytest

from calib.report import labels
from calib.report.labels import MissingLabelWarning


@pytest.fixture
def zh_strict():
    """The test runs in the default language (zh-CN), a key missing from the catalogue fails it,
    and the language is put back as it was found (``pytestmark = pytest.mark.usefixtures("zh_strict")``)."""
    before = labels.get_lang()
    labels.set_lang("zh-CN")
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingLabelWarning)
        yield
    labels.set_lang(before)
