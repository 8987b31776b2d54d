"""個人番号 masking: one function for the screens, the API and the outbox."""

from __future__ import annotations

from extractors.masking import mask_extraction, mask_my_number, mask_values


def test_a_my_number_shows_its_last_four_digits_only() -> None:
    assert mask_my_number("123456789018") == "********9018"
    assert mask_my_number(None) is None and mask_my_number("12") == "12"


def test_every_my_number_field_of_values_and_of_an_extraction_is_masked() -> None:
    values = {
        "insured_my_number": "123456789018",
        "dep2_my_number": "987654321093",
        "insured_number": "56789",
    }
    assert mask_values(values) == {
        "insured_my_number": "********9018",
        "dep2_my_number": "********1093",
        "insured_number": "56789",
    }
    extraction = {
        "documents": [{"fields": {"target1_my_number": {"value": "123456789018", "confidence": 1}}}]
    }
    masked = mask_extraction(extraction)
    assert masked["documents"][0]["fields"]["target1_my_number"] == {"value": "********9018", "confidence": 1}
    assert extraction["documents"][0]["fields"]["target1_my_number"]["value"] == "123456789018"  # a copy
