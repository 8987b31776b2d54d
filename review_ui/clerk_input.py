"""The clerk's language (issue 15 item 5): values shown as they are written on the paper, and
what a clerk types turned into the canonical value the validators check.

Dates are shown in 和暦 (``令和7年6月5日``, ISO beside) and typed as ``R7.6.5``, ``令和7年6月5日``,
``7.6.5`` with the era chosen from a list, or as an ISO date; choices and checkbox groups by their
printed labels; a 郵便番号 as ``123-4567``; an amount with 円. Nothing here decides whether a
value is right: :func:`intake.typed.check_typed` (the extraction validators) does, on the
server, for every value submitted.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import jaconv

from extractors.normalize import ERA_NAMES, nfkc, wareki, wareki_to_date
from extractors.template import FieldSpec, FieldType
from review_ui.labels import option_label

#: What a clerk may write for an era: its name, its initial (R7.6.5) — each to the key of
#: :data:`extractors.normalize.ERAS`.
ERA_INPUTS = {**{name: key for key, name in ERA_NAMES.items()}, "R": "reiwa", "H": "heisei", "S": "showa"}
#: The era list beside a date box, newest first; "" = 西暦 (a four-digit year).
ERA_CHOICES = (("reiwa", "令和"), ("heisei", "平成"), ("showa", "昭和"), ("", "西暦"))
_WAREKI = re.compile(
    r"(?P<era>令和|平成|昭和|[RHS])?\s*(?P<year>\d{1,4}|元)\s*[.\-/年]\s*(?P<month>\d{1,2})\s*[.\-/月]\s*"
    r"(?P<day>\d{1,2})\s*日?"
)


def _is_postal(spec: FieldSpec) -> bool:
    """A 郵便番号: seven digit cells named or labelled so."""
    named = "post" in spec.name or "郵便番号" in spec.label
    return spec.type is FieldType.DIGITS and spec.min_digits == spec.max_digits == 7 and named


def date_to_iso(text: str, era: str | None) -> tuple[str, str | None]:
    """(ISO date text, finding code or None) of a date as a clerk types it; ``era``: the era
    chosen beside the box ("" for 西暦), used when the text names none. Text that is no date
    comes back as it is, for the validator to refuse."""
    normal = nfkc(text).strip().upper()
    match = _WAREKI.fullmatch(normal)
    if match is None:
        return text, None
    year = 1 if match["year"] == "元" else int(match["year"])
    month, day = int(match["month"]), int(match["day"])
    key = ERA_INPUTS[match["era"]] if match["era"] else ("" if len(match["year"]) == 4 else era)
    if key is None:
        return text, "era_missing"
    if not key:  # 西暦: a four-digit year
        try:
            if len(match["year"]) != 4:
                raise ValueError(match["year"])
            return date(year, month, day).isoformat(), None
        except ValueError:
            return text, "date_invalid"
    found = wareki_to_date(key, year, month, day)
    return (found.isoformat(), None) if found else (text, "date_invalid")


def _option_codes(spec: FieldSpec) -> dict[str, str]:
    """Each option's code under its printed label, with and without its printed number."""
    codes: dict[str, str] = {}
    for code, _box in spec.options:
        label = option_label(code, spec)
        codes[code] = codes[label] = codes[re.sub(r"^\d+\s*", "", label)] = code
    return codes


def to_canonical(spec: FieldSpec, raw: str, era: str | None = None) -> tuple[str, str | None]:
    """(text for the validators, finding code or None) of what a clerk typed: a 和暦 date to
    ISO, printed labels to option codes, ひらがな in a フリガナ box to カタカナ; anything else unchanged (codes and ISO dates, as the
    API sends them, pass through)."""
    if spec.type is FieldType.DATE:
        return date_to_iso(raw, era if era is not None else spec.era)
    if spec.type is FieldType.KATAKANA:  # a clerk's IME gives ひらがな first: the same reading
        return jaconv.hira2kata(raw), None
    if spec.type is FieldType.CHOICE:
        return _option_codes(spec).get(raw.strip(), raw), None
    if spec.type is FieldType.CHECKBOX_GROUP:
        codes = _option_codes(spec)
        parts = [p.strip() for p in re.split(r"[,、，・\n]", raw) if p.strip()]
        return ",".join(codes.get(p, p) for p in parts), None
    return raw, None


def shown_text(spec: FieldSpec | None, value: Any) -> str:
    """A canonical value as the clerk's box shows it (and takes it back unchanged)."""
    if value is None:
        return ""
    if spec is not None and spec.type is FieldType.DATE and isinstance(value, str):
        try:
            return wareki(date.fromisoformat(value))
        except ValueError:
            return value
    if spec is not None and _is_postal(spec) and isinstance(value, str) and len(value) == 7:
        return f"{value[:3]}-{value[3:]}"
    if spec is not None and spec.type is FieldType.AMOUNT and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return "、".join(option_label(str(v), spec) for v in value)
    return str(value)


def unit(spec: FieldSpec | None) -> tuple[str, str]:
    """(before, after) the box: 〒 before a 郵便番号, 円 after an amount."""
    if spec is not None and _is_postal(spec):
        return "〒", ""
    if spec is not None and spec.type is FieldType.AMOUNT:
        return "", "円"
    return "", ""
