"""Storage of decisions (table ``decisions``): rows in, frozen :class:`StoredDecision` views
out, with the facts of the record a decision is about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.store.models import DecisionRow, RecordRow


@dataclass(frozen=True)
class StoredDecision:
    """One decision as stored, and the record it is about."""

    id: int
    record_id: int
    decision: str
    outcomes: list[dict[str, Any]]
    persons: list[dict[str, Any]]
    created_at: datetime
    #: The record's document, form and values (None: the record is gone).
    document_id: int | None
    form_id: str | None
    values: dict[str, Any]


def _stored(session: Session, row: DecisionRow) -> StoredDecision:
    record = session.get(RecordRow, row.record_id)
    return StoredDecision(
        row.id,
        row.record_id,
        row.decision,
        row.outcomes,
        row.persons or [],
        row.created_at,
        record.document_id if record else None,
        record.form_id if record else None,
        record.values if record else {},
    )


def previous(session: Session, record_id: int, before: int | None = None) -> int | None:
    """The id of the record's latest decision (before ``before``, if given)."""
    query = select(DecisionRow.id).where(DecisionRow.record_id == record_id)
    if before is not None:
        query = query.where(DecisionRow.id < before)
    return session.scalar(query.order_by(DecisionRow.id.desc()).limit(1))


def insert(session: Session, record_id: int, decision: dict[str, Any]) -> StoredDecision:
    """Store a decision (``decision``, ``outcomes``, ``persons`` of the rules' JSON)."""
    row = DecisionRow(
        record_id=record_id,
        decision=decision["decision"],
        outcomes=decision["outcomes"],
        persons=decision.get("persons", []),
    )
    session.add(row)
    session.flush()
    return _stored(session, row)


def get(session: Session, decision_id: int) -> StoredDecision | None:
    """A stored decision by id."""
    row = session.get(DecisionRow, decision_id)
    return _stored(session, row) if row else None


def of_record(session: Session, record_id: int) -> list[StoredDecision]:
    """Every decision of a record, oldest first."""
    query = select(DecisionRow).where(DecisionRow.record_id == record_id).order_by(DecisionRow.id)
    return [_stored(session, row) for row in session.scalars(query)]
