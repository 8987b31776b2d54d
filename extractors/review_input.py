"""A reviewer's typed correction → canonical value, checked with the extraction validators."""

from __future__ import annotations

from datetime import date

from extractors.model import FieldValue
from extractors.normalize import amount_value, digits_value, katakana_value, phone_value, text_value
from extractors.template import FieldSpec, FieldType
from extractors.validate import MESSAGES, check_digits, check_katakana, check_phone


def from_input(spec: FieldSpec, raw: str, today: date) -> tuple[FieldValue, str | None]:
    """(canonical value, finding code or None) for what a reviewer typed into ``spec``'s box."""
    text = raw.strip()
    if spec.type is FieldType.CHECKBOX:
        return text.lower() in ("true", "1", "on", "yes", "x", "✓"), None
    if not text:
        return (None, "required") if spec.required else (None, None)
    if spec.type is FieldType.CHOICE:
        return (text, None) if text in {name for name, _ in spec.options} else (None, "choice_unknown")
    if spec.type is FieldType.CHECKBOX_GROUP:
        chosen = sorted({part.strip() for part in text.replace("、", ",").split(",") if part.strip()})
        return (
            (chosen, None) if set(chosen) <= {name for name, _ in spec.options} else (None, "choice_unknown")
        )
    if spec.type in (FieldType.DIGITS, FieldType.MY_NUMBER):
        digits = digits_value(text)
        return digits, check_digits(
            digits, spec.min_digits, spec.max_digits, spec.type is FieldType.MY_NUMBER
        )
    if spec.type is FieldType.DATE:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None, "date_invalid"
        return day.isoformat(), ("future_date" if day > today else None)
    if spec.type is FieldType.AMOUNT:
        amount = amount_value(text)
        return amount, (None if amount is not None else "amount")
    if spec.type is FieldType.KATAKANA:
        value = katakana_value(text)
        return value, (check_katakana(value) if value else None)
    if spec.type is FieldType.PHONE:
        value = phone_value(text)
        return value, (check_phone(value) if value else None)
    return text_value(text), None


def message(code: str) -> str:
    return {**MESSAGES, "choice_unknown": "選択肢にない値です"}.get(code, code)
