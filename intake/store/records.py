"""Storage of records (table ``records``): a form's values as its review leaves them, or an
event's, validated as they come; rows in, frozen :class:`~intake.domain.RecordView` out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.domain import RecordStatus, RecordView
from intake.store.models import RecordRow
from intake.store.views import view_of


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


def _view(row: RecordRow) -> RecordView:
    return view_of(RecordView, row, values=dict(row.values or {}), status=RecordStatus(row.status))


def get(session: Session, record_id: int, lock: bool = False) -> RecordView | None:
    """A record by id (locked for this transaction with ``lock``)."""
    row = session.get(RecordRow, record_id, with_for_update=lock)
    return _view(row) if row else None


def of_form(session: Session, document_id: int, form_index: int, lock: bool = False) -> RecordView | None:
    """The record made from a document's ``form_index``-th form, if any."""
    query = select(RecordRow).where(RecordRow.document_id == document_id, RecordRow.form_index == form_index)
    row = session.scalar(query.with_for_update() if lock else query)
    return _view(row) if row else None


def any_of_document(session: Session, document_id: int) -> bool:
    """Whether a record was made from the document."""
    return (
        session.scalars(select(RecordRow.id).where(RecordRow.document_id == document_id)).first() is not None
    )


def add_form_record(
    session: Session,
    document_id: int,
    form_index: int,
    form_id: str | None,
    values: dict[str, Any],
    status: RecordStatus,
) -> RecordView:
    """Store the record of a document's form, as its first review leaves it."""
    row = RecordRow(
        document_id=document_id, form_index=form_index, form_id=form_id, values=values, status=status.value
    )
    session.add(row)
    session.flush()
    return _view(row)


def update(
    session: Session,
    record_id: int,
    values: dict[str, Any],
    status: RecordStatus,
    validated: tuple[str, datetime] | None = None,
) -> RecordView:
    """Store a record's new values and state (and who validated it when, with ``validated``)."""
    row = session.get(RecordRow, record_id)
    if row is None:
        raise LookupError(record_id)
    row.values, row.status = values, status.value
    if validated is not None:
        row.validated_by, row.validated_at = validated
    session.flush()
    return _view(row)
