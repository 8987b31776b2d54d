"""A value a person typed, checked as typed (issue 15 item 5): the extraction validators of
:func:`extractors.review_input.from_input`, and, for a value the person changed, the checks a
reading gets before it may pass without a person — which here is the person: the phone's
length by its prefix, no digits in a person's name, and no letter in a number (OCR maps a
letter O to 0 in a digit box; a typed O is a mistake to point out, never to turn into 0)."""

from __future__ import annotations

import re
from datetime import date

from extractors.model import FieldValue
from extractors.normalize import nfkc
from extractors.review_input import from_input
from extractors.review_input import message as extraction_message
from extractors.template import FieldSpec, FieldType, Template
from extractors.validate import phone_length_plausible

#: Types whose typed value is a number: only digits and the marks written around them.
NUMERIC = (FieldType.DIGITS, FieldType.MY_NUMBER, FieldType.AMOUNT, FieldType.PHONE)
#: What may stand beside the digits of a typed number (NFKC already applied): separators,
#: brackets of a phone number, 円/¥ of an amount, 〒 of a 郵便番号.
_NUMBER_MARKS = re.compile(r"[\d\s,.\-‐‑–—―−ー()円¥〒]*")

MESSAGES = {
    "letters_in_number": "数字以外の文字が入っています（英字の O・l などは数字に直しません）",
    "phone_length": "電話番号の桁数が番号の種類と合いません（携帯・IP電話は11桁、固定電話は10桁）",
    "digits_in_name": "氏名に数字が入っています",
}


def person_names(template: Template) -> frozenset[str]:
    """The fields holding a person's name: those a フリガナ field gives the reading of, and the
    spaced ones (氏 名) of the template."""
    return frozenset(
        {spec.reading_of for spec in template.fields if spec.reading_of}
        | {spec.name for spec in template.fields if spec.spaced}
    )


def check_typed(
    spec: FieldSpec, raw: str, today: date, person_name: bool = False, shown: FieldValue = None
) -> tuple[FieldValue, str | None]:
    """(canonical value, finding code or None) of what a person typed into ``spec``'s box; the
    checks of the phone's length and of a name apply only to a value that differs from
    ``shown`` (what the page showed): a reading left as it is is the extraction's to flag."""
    text = nfkc(raw).strip()
    if spec.type in NUMERIC and not _NUMBER_MARKS.fullmatch(text):
        return None, "letters_in_number"
    value, code = from_input(spec, raw, today)
    if code or value == shown or value is None:
        return value, code
    if spec.type is FieldType.PHONE and isinstance(value, str) and not phone_length_plausible(value):
        return value, "phone_length"
    if person_name and spec.type is FieldType.TEXT and re.search(r"\d", text):
        return value, "digits_in_name"
    return value, None


def message(code: str) -> str:
    """The Japanese message of a finding code of :func:`check_typed`."""
    return MESSAGES.get(code) or extraction_message(code)
