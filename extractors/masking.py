"""個人番号 masking: the one place a 個人番号 is turned into its last four digits.

The screens, the API and the outbox all show a 個人番号 this way; only a role allowed to
reveal it (an audited action) or an API key with that scope sees it in full.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def is_my_number(name: str) -> bool:
    """A field holding a 個人番号 (``insured_my_number``, ``dep1_my_number``, ``target2_my_number`` …)."""
    return name.endswith("my_number")


def mask_my_number(value: T) -> T | str:
    """個人番号 shown as its last four digits only (``********9018``); other values unchanged."""
    return f"********{value[-4:]}" if isinstance(value, str) and len(value) >= 4 else value


def mask_values(values: Mapping[str, T]) -> dict[str, T | str]:
    """Field values (name → canonical value) with every 個人番号 masked."""
    return {name: mask_my_number(v) if is_my_number(name) else v for name, v in values.items()}


def mask_extraction(extraction: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an extraction's JSON (``Extraction.to_json``) with every 個人番号 reading masked."""
    masked: dict[str, Any] = json.loads(json.dumps(extraction))
    for document in masked.get("documents", []):
        for name, reading in document.get("fields", {}).items():
            if is_my_number(name) and isinstance(reading, dict):
                reading["value"] = mask_my_number(reading.get("value"))
    return masked
