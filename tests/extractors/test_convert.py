"""Value conversion of free text (extractors.convert.value_of): the spelling rules of
extractors.normalize apply to the fields they are for, and a changed reading is never trusted
more than DISAGREEMENT_CONFIDENCE (a person confirms it)."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.convert import DISAGREEMENT_CONFIDENCE, value_of
from extractors.template import FieldSpec, load_templates
from ocr.types import Recognition


def _spec(form_id: str, name: str) -> FieldSpec:
    [template] = [t for t in load_templates() if t.form_id == form_id]
    return next(spec for spec in template.fields if spec.name == name)


def _read(spec: FieldSpec, text: str) -> tuple[object, float]:
    recs = {(spec.name, "text"): Recognition(text, 0.98, (), 0.95)}
    value, confidence, _, _ = value_of(spec, recs, {}, lambda box, style: 0.0, date(2026, 11, 1))
    return value, confidence


@pytest.mark.parametrize(
    ("field", "read", "want"),
    [
        # a 。 on the dotted rule, cut in two by the rule painted out, read as a colon
        ("loss_circumstances", "洗濯機で洗ってしまい、廃棄した：", "洗濯機で洗ってしまい、廃棄した。"),
        ("employer_name", "さくらエンジニアリング株式会し", "さくらエンジニアリング株式会社"),
    ],
)
def test_a_reading_a_rule_changes_is_changed_and_sent_to_a_person(field: str, read: str, want: str) -> None:
    value, confidence = _read(_spec("messhitsu", field), read)
    assert value == want and confidence <= DISAGREEMENT_CONFIDENCE


def test_rules_stay_with_their_fields() -> None:
    # spelled right, nothing to settle, or a number closing a sentence: read as it is, trusted
    assert _read(_spec("messhitsu", "employer_name"), "さくら電機株式会社")[0] == "さくら電機株式会社"
    # a gap between two numbers of an address may be a building's and a room's (カーサ第2 708)
    assert _read(_spec("messhitsu", "employer_address"), "東京都港区芝1 カーサ第2 708")[0] == (
        "東京都港区芝1 カーサ第2 708"
    )
    assert (
        _read(_spec("messhitsu", "employer_owner_name"), "代表取締役 福田 昂太")[1] > DISAGREEMENT_CONFIDENCE
    )
    assert _read(_spec("messhitsu", "loss_circumstances"), "約10")[0] == "約10"
