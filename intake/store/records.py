"""Storage of records (table ``records``) made without a form: an event's values, validated as
they come."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from intake.domain import RecordStatus
from intake.store.models import RecordRow


def add_event_record(session: Session, kind: str, values: dict[str, Any], actor: str) -> int:
    """Store an event's values as a validated record (``_event`` names its kind); its id."""
    record = RecordRow(
        document_id=None,
        form_index=None,
        form_id=None,
        values={**values, "_event": kind},
        status=RecordStatus.VALIDATED.value,
        validated_by=actor,
    )
    session.add(record)
    session.flush()
    return record.id
