"""Rows to frozen views by field name: a view's every field is read from the row's attribute
of the same name, unless given."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

V = TypeVar("V")


def view_of(cls: type[V], row: object, **given: Any) -> V:
    """An instance of the frozen dataclass ``cls`` with each field from ``row``'s attribute of
    the same name, or from ``given`` (a value the row holds in another form)."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    return cls(**{name: given[name] if name in given else getattr(row, name) for name in names})
