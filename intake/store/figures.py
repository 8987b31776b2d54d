"""The rows the supervisors' figures are counted from (review_ui/stats.py), as plain values
and frozen views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.domain import TaskStatus
from intake.store.models import DocumentRow, RecordRow, ReviewTaskRow


@dataclass(frozen=True)
class WaitingTask:
    """A review task not yet finished: its id, when it came in and its form."""

    id: int
    created_at: datetime
    form_id: str | None


def documents_received(session: Session) -> list[tuple[datetime, str]]:
    """(received at, status) of every document."""
    return [
        (created, status)
        for created, status in session.execute(select(DocumentRow.created_at, DocumentRow.status))
    ]


def corrected_fields(session: Session) -> list[list[str]]:
    """The fields a reviewer corrected, one list per record (``_corrected`` of its values)."""
    return [list(values.get("_corrected", [])) for values in session.scalars(select(RecordRow.values))]


def tasks_in(session: Session, states: tuple[TaskStatus, ...]) -> list[WaitingTask]:
    """The review tasks in one of ``states``."""
    query = select(ReviewTaskRow.id, ReviewTaskRow.created_at, ReviewTaskRow.form_id).where(
        ReviewTaskRow.status.in_([s.value for s in states])
    )
    return [WaitingTask(task_id, created, form_id) for task_id, created, form_id in session.execute(query)]
