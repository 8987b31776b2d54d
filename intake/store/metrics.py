"""The counts the operator's ``/metrics`` reads (intake/health.py): grouped queries over
documents, the 受付エラー list, review tasks, the outbox and the readings' audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.domain import OPEN_TASKS, DocumentStatus
from intake.store.models import AuditEventRow, DocumentRow, IntakeErrorRow, OutboxRow, ReviewTaskRow


@dataclass(frozen=True)
class StoredCounts:
    """Counts by state or code, read at one moment (keys as stored; None: no code)."""

    documents: dict[str, int]
    failed_by_code: dict[str | None, int]
    refused_by_code: dict[str, int]
    review_tasks: dict[str, int]
    oldest_open_task: datetime | None
    outbox_backlog: dict[str, int]
    outbox_failing: dict[str, int]
    oldest_outbox: datetime | None


def _grouped(session: Session, column: Any, *where: Any) -> dict[Any, int]:
    query = select(column, func.count()).where(*where).group_by(column)
    return {key: int(n) for key, n in session.execute(query).all()}


def counts(session: Session) -> StoredCounts:
    """Documents by state, failures and refusals by code, tasks by state, the outbox's
    backlog and failing rows by target, and the oldest waiting task and outbox row."""
    pending = OutboxRow.delivered_at.is_(None)
    return StoredCounts(
        documents=_grouped(session, DocumentRow.status),
        failed_by_code=_grouped(
            session, DocumentRow.error_code, DocumentRow.status == DocumentStatus.FAILED.value
        ),
        refused_by_code=_grouped(session, IntakeErrorRow.code, IntakeErrorRow.acknowledged_at.is_(None)),
        review_tasks=_grouped(session, ReviewTaskRow.status),
        oldest_open_task=session.scalar(
            select(func.min(ReviewTaskRow.created_at)).where(
                ReviewTaskRow.status.in_([s.value for s in OPEN_TASKS])
            )
        ),
        outbox_backlog=_grouped(session, OutboxRow.target, pending),
        outbox_failing=_grouped(session, OutboxRow.target, pending, OutboxRow.attempts > 0),
        oldest_outbox=session.scalar(select(func.min(OutboxRow.created_at)).where(pending)),
    )


def recent_readings(session: Session, limit: int) -> list[tuple[Any, int]]:
    """(audit detail, page count) of the latest ``limit`` ``document_extracted`` events."""
    query = (
        select(AuditEventRow.detail, DocumentRow.page_count)
        .join(DocumentRow, DocumentRow.id == AuditEventRow.document_id)
        .where(AuditEventRow.action == "document_extracted")
        .order_by(AuditEventRow.id.desc())
        .limit(limit)
    )
    return [(detail, pages) for detail, pages in session.execute(query).all()]
