"""Storage of the 受付エラー list (table ``intake_errors``): rows in, frozen
:class:`IntakeError` views out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.store.models import DocumentRow, IntakeErrorRow
from intake.store.repo import audit


@dataclass(frozen=True)
class IntakeError:
    id: int
    at: datetime
    kind: str
    source: str
    name: str
    code: str
    message: str
    document_id: int | None
    #: The name the repeated document was received under (duplicates).
    original_name: str | None
    acknowledged_by: str | None


def add(
    session: Session, kind: str, source: str, name: str, code: str, message: str, document_id: int | None
) -> None:
    """Put one refused file or duplicate on the list (fields cut to their columns)."""
    session.add(
        IntakeErrorRow(
            kind=kind,
            source=source[:16],
            name=name[:255],
            code=code[:32],
            message=message,
            document_id=document_id,
        )
    )


def listed(session: Session, acknowledged: bool, limit: int) -> list[IntakeError]:
    """Up to ``limit`` errors still to acknowledge (or those acknowledged), newest first."""
    query = (
        select(IntakeErrorRow, DocumentRow.original_name)
        .outerjoin(DocumentRow, DocumentRow.id == IntakeErrorRow.document_id)
        .where(
            IntakeErrorRow.acknowledged_at.is_not(None)
            if acknowledged
            else IntakeErrorRow.acknowledged_at.is_(None)
        )
        .order_by(IntakeErrorRow.at.desc(), IntakeErrorRow.id.desc())
        .limit(limit)
    )
    return [
        IntakeError(
            row.id,
            row.at,
            row.kind,
            row.source,
            row.name,
            row.code,
            row.message,
            row.document_id,
            original,
            row.acknowledged_by,
        )
        for row, original in session.execute(query).all()
    ]


def count_open(session: Session) -> int:
    """How many errors nobody has acknowledged yet."""
    query = select(func.count()).select_from(IntakeErrorRow).where(IntakeErrorRow.acknowledged_at.is_(None))
    return int(session.scalar(query) or 0)


def acknowledge(session: Session, error_id: int, actor: str) -> bool:
    """Mark one error seen by ``actor`` (audited); False when there is no such error or it was
    acknowledged already."""
    row = session.get(IntakeErrorRow, error_id, with_for_update=True)
    if row is None or row.acknowledged_at is not None:
        return False
    row.acknowledged_by, row.acknowledged_at = actor, datetime.now(UTC)
    audit(
        session,
        actor,
        "intake_error_acknowledged",
        row.document_id,
        error=row.id,
        kind=row.kind,
        name=row.name,
        code=row.code,
    )
    return True
