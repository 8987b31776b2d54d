"""Frozen results of reading a form, shared by the pipeline, storage, review and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Canonical field values (forms README §2a): str, bool, int, ISO date str, list of str, or None.
FieldValue = str | bool | int | list[str] | None


@dataclass(frozen=True)
class Finding:
    """A problem found on a form: a stable ``code`` and a Japanese message for people."""

    field: str | None
    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class FieldReading:
    """One field's value as read, with how sure we are and where it was on the page (points)."""

    name: str
    value: FieldValue
    confidence: float
    needs_review: bool
    raw_text: str = ""
    box: tuple[float, float, float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "confidence": round(self.confidence, 3),
            "needs_review": self.needs_review,
        }


@dataclass(frozen=True)
class FormReading:
    """One document of the extraction JSON: a form (or ``form_id=None``) and its fields."""

    form_id: str | None
    form_version: str | None
    pages: tuple[int, ...]
    fields: tuple[FieldReading, ...] = ()
    findings: tuple[Finding, ...] = ()
    rotation: int = 0
    engine: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        """A blank page of a batch (duplex back, separator): noted, nothing for a person to review."""
        return self.form_id is None and any(f.code == "blank_page" for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id,
            "form_version": self.form_version,
            "pages": list(self.pages),
            "fields": {f.name: f.to_json() for f in self.fields},
            "findings": [f.to_json() for f in self.findings],
        }
