"""Settings come from the environment once, at the edge."""

from __future__ import annotations

import pytest

from sohoa.pipeline.settings import load_settings


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), ("1", True), ("0", False), ("off", False), ("False", False)],
)
def test_second_look_is_on_unless_switched_off(value: str | None, expected: bool) -> None:
    environ = {"SOHOA_HOME": "/tmp/sohoa-test-home"}
    if value is not None:
        environ["SOHOA_SECOND_LOOK"] = value
    assert load_settings(environ).ocr.second_look is expected


@pytest.mark.parametrize(("value", "expected"), [(None, True), ("0", False), ("no", False)])
def test_character_choices_are_read_unless_switched_off(value: str | None, expected: bool) -> None:
    environ = {"SOHOA_HOME": "/tmp/sohoa-test-home"}
    if value is not None:
        environ["SOHOA_OCR_CHOICES"] = value
    assert load_settings(environ).ocr.tesseract.choices is expected
