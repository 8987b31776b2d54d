"""A typed value is checked as typed (issue 15 item 5): the extraction validators, and for a
changed value the phone's length by its prefix, no digits in a name, no letter in a number."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.template import load_templates
from intake.typed import check_typed, message, person_names

TODAY = date(2025, 6, 30)
KOFU = next(t for t in load_templates() if t.form_id == "kofu_shinsei")


def _check(name: str, raw: str, shown: object = None) -> tuple[object, str | None]:
    return check_typed(KOFU.field(name), raw, TODAY, name in person_names(KOFU), shown)


@pytest.mark.parametrize(
    ("name", "raw", "code"),
    [
        ("insured_phone", "080-7576-556", "phone_length"),  # a mobile number has 11 digits
        ("insured_phone", "03-1234-56789", "phone_length"),  # a fixed line has 10
        ("insured_name", "090-1234-5678", "digits_in_name"),  # a phone typed into 氏名
        ("fee_amount", "2O00", "letters_in_number"),  # letter O, never turned into 0
        ("insured_postal_code", "l23-4567", "letters_in_number"),
        ("insured_symbol", "12a4", "letters_in_number"),
        ("insured_name_kana", "ケンポ タロウ", None),
        ("insured_name_kana", "健保", "katakana"),
        ("insured_my_number", "123456789012", "check_digit"),
    ],
)
def test_refused_as_typed(name: str, raw: str, code: str | None) -> None:
    assert _check(name, raw)[1] == code
    if code:
        assert message(code) and message(code) != code


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("insured_phone", "080-7576-5566", "080-7576-5566"),
        ("insured_phone", "03-1234-5678", "03-1234-5678"),
        ("insured_name", "健保 太郎", "健保 太郎"),
        ("fee_amount", "2,000円", 2000),
        ("insured_postal_code", "〒123-4567", "1234567"),
        ("employer_name", "第2工場", "第2工場"),  # not a person's name: digits may be written
    ],
)
def test_accepted_as_typed(name: str, raw: str, value: object) -> None:
    assert _check(name, raw) == (value, None)


def test_a_reading_left_as_it_is_is_not_refused_for_its_length() -> None:
    """The phone's length is a reason to send a reading to a person, not to refuse it back."""
    assert _check("insured_phone", "080-7576-556", shown="080-7576-556") == ("080-7576-556", None)


def test_person_names_are_the_read_names_and_the_spaced_ones() -> None:
    names = person_names(KOFU)
    assert {"insured_name", "target1_name", "employer_owner_name"} <= names
    assert "employer_name" not in names and "insured_address" not in names
