"""Personal fields at the edge: what an API client sends is checked here before it is stored, and
what goes out is masked here whatever its JSON type.

:mod:`extractors.masking` masks the strings the readers produce. A value that arrived through
the API could be anything JSON allows (``"my_number": 332770964655``, a number, which that
function would pass through), so :func:`check_event_values` refuses what is not a well-formed
個人番号 string, and :func:`mask_values` masks a 個人番号 field of any type, at any depth, so a
row stored before the check cannot leak either.

:func:`black_out` does the same for pixels: a page image with its 個人番号 boxes painted
black, for a user who may not see them (:func:`intake.auth.sees_my_number`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import cv2
import numpy as np

from extractors.masking import is_my_number, mask_my_number
from extractors.template import FieldType, PtBox, Template
from extractors.validate import my_number_check_digit_ok

#: Longest string accepted in an event field (a name, an address …).
MAX_TEXT = 500
#: Most items in a list field of an event.
MAX_ITEMS = 50


def _looks_like_my_number(name: str) -> bool:
    compact = re.sub(r"[^0-9a-z]", "", name.casefold())
    return "mynumber" in compact or "個人番号" in name or "マイナンバー" in name


def check_my_number(value: object) -> str:
    """A 個人番号 as sent by a client: a string of 12 digits (full-width, spaces and hyphens
    allowed) with a right check digit. A JSON number is refused, not converted: it loses a
    leading 0 and is a sign the client treats the number as a quantity."""
    if not isinstance(value, str):
        raise ValueError('個人番号は 12 桁の文字列（"123456789018" の形）で送ってください')
    digits = re.sub(r"[\s\-‐－ー]", "", unicodedata.normalize("NFKC", value))
    if not my_number_check_digit_ok(digits):
        raise ValueError("個人番号が正しくありません（12 桁・検査用数字）")
    return digits


def _check_scalar(name: str, value: object) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise ValueError(f"{name} が長すぎます（{MAX_TEXT} 文字まで）")
        return value
    raise ValueError(f"{name} には文字列・数値・真偽値（またはそれらの配列）を送ってください")


def check_event_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of an API event, checked once at the edge: every 個人番号 field (a name ending
    in ``my_number``; another spelling of it is refused, as it would escape masking) is a
    valid 個人番号 string, stored in its canonical 12 digits; other fields are scalars or flat
    lists of scalars, never nested objects."""
    checked: dict[str, Any] = {}
    for name, value in values.items():
        if is_my_number(name):
            checked[name] = None if value is None else check_my_number(value)
        elif _looks_like_my_number(name):
            raise ValueError(f"{name}: 個人番号の項目名は …my_number としてください")
        elif isinstance(value, list):
            if len(value) > MAX_ITEMS:
                raise ValueError(f"{name} の要素が多すぎます（{MAX_ITEMS} 個まで）")
            checked[name] = [_check_scalar(name, item) for item in value]
        else:
            checked[name] = _check_scalar(name, value)
    return checked


def mask_any(value: object) -> object:
    """A 個人番号 field's value masked whatever its type (a number is masked as its digits)."""
    if value is None or value == "":
        return value
    if isinstance(value, str):
        return mask_my_number(value) if len(value) >= 4 else "****"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return mask_any(str(value))
    return "****"


def _mask(value: object) -> object:
    if isinstance(value, Mapping):
        return mask_values(value)
    if isinstance(value, list):
        return [_mask(item) for item in value]
    return value


def shown_value(name: str, value: Any) -> Any:
    """The one masking rule of every screen, the API, the webhook and the export, for whoever
    has not been given 個人番号 in full: a 個人番号 is masked to its last four digits whatever
    its type; 記号・番号 (which the reviewer checks against the page and downstream needs to
    find the insured) and every other value are shown as they are. Hand corrections of
    記号・番号 still need a second person (:data:`intake.review.SENSITIVE`)."""
    return mask_any(value) if is_my_number(str(name)) else _mask(value)


def mask_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Field values with every 個人番号 masked, of any JSON type and at any depth."""
    return {name: shown_value(str(name), value) for name, value in values.items()}


def mask_extraction(extraction: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an extraction's JSON with each reading's value shown by :func:`shown_value`."""
    masked: dict[str, Any] = json.loads(json.dumps(extraction))
    for document in masked.get("documents") or []:
        fields = document.get("fields") if isinstance(document, dict) else None
        for name, reading in (fields or {}).items():
            if isinstance(reading, dict) and "value" in reading:
                reading["value"] = shown_value(str(name), reading["value"])
    return masked


#: Points blacked out around a 個人番号 box: handwriting overflows its cells.
MY_NUMBER_MARGIN_PT = 3.0


def my_number_boxes(template: Template) -> list[PtBox]:
    """Every box of a template's 個人番号 fields (their cells), in template points."""
    return [
        box
        for spec in template.fields
        if spec.type is FieldType.MY_NUMBER or is_my_number(spec.name)
        for box in spec.all_boxes()
    ]


def black_out(png: bytes, boxes: Iterable[tuple[PtBox, float]]) -> bytes:
    """A page image (PNG) with each box painted black: a box in template points with the width
    in points of its template's page, turned into pixels with the image's own scale (its width
    over the page's, as the field crops are cut), widened by :data:`MY_NUMBER_MARGIN_PT`.
    Raises ValueError when the bytes are not an image, so nothing unmasked goes out."""
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError("not an image")
    height, width = image.shape[:2]
    for (x0, y0, x1, y1), page_width_pt in boxes:
        scale = width / page_width_pt
        m = MY_NUMBER_MARGIN_PT
        left, top = max(int((x0 - m) * scale), 0), max(int((y0 - m) * scale), 0)
        right, bottom = min(int((x1 + m) * scale) + 1, width), min(int((y1 + m) * scale) + 1, height)
        if right > left and bottom > top:
            image[top:bottom, left:right] = 0
            if image.ndim == 3 and image.shape[2] == 4:  # opaque black, not a see-through hole
                image[top:bottom, left:right, 3] = 255 if image.dtype == np.uint8 else 65535
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("could not encode the masked image")
    return encoded.tobytes()
