"""The second model's check: a second recogniser reads the same crops; where the two disagree,
the field is in doubt.

Contract: :func:`disputed_by` returns the names of the fields whose crops a second model
reads otherwise than the primary one (:func:`disagreements`: compared as digits for boxed
numbers and dates, as text without spaces and long-vowel/dash marks otherwise; the halves of
a spaced word are not compared). It sends the second model only the crops worth a second
read (see there) and decides nothing else: what doubt does to a field is
:mod:`extractors.route`'s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set

from extractors.normalize import digits_value, nfkc
from extractors.plan import CropKey, CropPlan
from extractors.route import REVIEW_THRESHOLD
from extractors.template import FieldType, Template
from ocr.engine import OcrEngine
from ocr.types import Recognition


def disputed_by(
    second: OcrEngine,
    template: Template,
    plan: CropPlan,
    alphabets: Sequence[str | None],
    primary: Sequence[Recognition],
    skip: Set[str] = frozenset(),
) -> set[str]:
    """The fields ``second`` reads otherwise than ``primary`` (its readings of ``plan``'s
    crops, in ``alphabets``). Every crop is read again but the 個人番号's (its check digit
    catches a misread digit: a date's 7 read as 1 still makes a date, a postcode's 9 read as 7
    still a postcode), those of ``skip`` fields (already in doubt), and a crop the primary
    model read as nothing or without confidence (its field goes to review anyway)."""
    kinds = {spec.name: spec.type for spec in template.fields}
    chosen = [
        i
        for i, (name, _) in enumerate(plan.keys)
        if kinds[name] is not FieldType.MY_NUMBER
        and name not in skip
        and primary[i].text
        and primary[i].confidence >= REVIEW_THRESHOLD
    ]
    again = second.recognize([plan.crops[i] for i in chosen], [alphabets[i] for i in chosen])
    return disagreements([plan.keys[i] for i in chosen], [primary[i] for i in chosen], again)


def _comparable(text: str, part: str) -> str:
    """What two engines must agree on: digits for boxed numbers; otherwise the text without
    spaces and long-vowel/dash marks, which PP-OCRv5 emits for blank gaps (``ワタナベーユミ``)."""
    if part in ("digits", "year", "month", "day"):
        return digits_value(text)
    return re.sub(r"[\sー\-‐－~〜]", "", nfkc(text))


def disagreements(keys: list[CropKey], first: list[Recognition], second: list[Recognition]) -> set[str]:
    """Fields where the cross-check model read something else than the primary one."""
    return {
        name
        for (name, part), a, b in zip(keys, first, second, strict=True)
        if (part in ("text", "digits", "year", "month", "day") or part.startswith("line"))
        and _comparable(a.text, part) != _comparable(b.text, part)
    }
