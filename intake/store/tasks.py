"""Storage of review tasks (table ``review_tasks``) and what a task's page shows (its page and
readings): rows in, frozen :class:`~intake.domain.ReviewTask`, :class:`PageSize` and
:class:`Reading` views out. The transitions are :mod:`intake.workflow`'s; this module only
stores their outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from intake.domain import ReviewTask, TaskStatus
from intake.store.models import FieldReadingRow, PageRow, ReviewTaskRow
from intake.store.repo import _task


@dataclass(frozen=True)
class TaskPage:
    """The page image a task shows: its number in the document, its hash and size in pixels."""

    page_no: int
    image_sha256: str
    width: int
    height: int


@dataclass(frozen=True)
class Reading:
    """One field as the reader stored it."""

    field_name: str
    value: Any
    confidence: float
    needs_review: bool
    box: list[float] | None


def get(session: Session, task_id: int, lock: bool = False) -> ReviewTask | None:
    """A task by id (locked for this transaction with ``lock``)."""
    row = session.get(ReviewTaskRow, task_id, with_for_update=lock)
    return _task(row) if row else None


def hold(
    session: Session,
    task_id: int,
    status: TaskStatus,
    holder: str | None,
    at: datetime | None,
    nonce: str | None,
) -> None:
    """Store a task's state, who holds it since when, and the opening that holds it."""
    session.execute(
        update(ReviewTaskRow)
        .where(ReviewTaskRow.id == task_id)
        .values(status=status.value, claimed_by=holder, claimed_at=at, claim_nonce=nonce)
    )


def touch(session: Session, task_id: int, at: datetime) -> None:
    """The holder acted on the task at ``at``."""
    session.execute(update(ReviewTaskRow).where(ReviewTaskRow.id == task_id).values(claimed_at=at))


def held_by(session: Session, name: str) -> list[int]:
    """The ids of the tasks whose claim names ``name`` (idle or not)."""
    return list(session.scalars(select(ReviewTaskRow.id).where(ReviewTaskRow.claimed_by == name)))


def id_of_form(session: Session, document_id: int, form_index: int | None) -> int | None:
    """The id of the task of a document's ``form_index``-th form."""
    query = select(ReviewTaskRow.id).where(
        ReviewTaskRow.document_id == document_id, ReviewTaskRow.form_index == form_index
    )
    return session.scalar(query)


def of_document(session: Session, document_id: int) -> list[ReviewTask]:
    """Every task of a document."""
    return [
        _task(row)
        for row in session.scalars(select(ReviewTaskRow).where(ReviewTaskRow.document_id == document_id))
    ]


def any_unfinished(
    session: Session, document_id: int, states: tuple[TaskStatus, ...], besides: int | None = None
) -> bool:
    """Whether a task of the document (other than ``besides``) is in one of ``states``."""
    query = select(ReviewTaskRow.id).where(
        ReviewTaskRow.document_id == document_id, ReviewTaskRow.status.in_([s.value for s in states])
    )
    if besides is not None:
        query = query.where(ReviewTaskRow.id != besides)
    return bool(session.scalars(query).all())


def delete_of_document(session: Session, document_id: int) -> None:
    """Delete a document's tasks (a new reading makes them again)."""
    session.execute(delete(ReviewTaskRow).where(ReviewTaskRow.document_id == document_id))


def ids_in(session: Session, states: tuple[TaskStatus, ...], limit: int) -> list[int]:
    """The ids of the tasks in one of ``states``, oldest first, at most ``limit``."""
    query = (
        select(ReviewTaskRow.id)
        .where(ReviewTaskRow.status.in_([s.value for s in states]))
        .order_by(ReviewTaskRow.created_at, ReviewTaskRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def page_of_form(session: Session, document_id: int, form_index: int) -> TaskPage | None:
    """The page a document's ``form_index``-th form is on (its pages in order)."""
    row = session.scalar(
        select(PageRow)
        .where(PageRow.document_id == document_id)
        .order_by(PageRow.page_no)
        .offset(form_index)
        .limit(1)
    )
    return TaskPage(row.page_no, row.image_sha256, row.width, row.height) if row else None


def readings(session: Session, document_id: int, form_index: int) -> list[Reading]:
    """The fields read on a document's ``form_index``-th form, in the order they were stored."""
    query = (
        select(FieldReadingRow)
        .where(FieldReadingRow.document_id == document_id, FieldReadingRow.form_index == form_index)
        .order_by(FieldReadingRow.id)
    )
    return [
        Reading(r.field_name, r.value, r.confidence, r.needs_review, r.box) for r in session.scalars(query)
    ]


def doubtful_fields(session: Session, document_ids: set[int]) -> list[tuple[int, int, str]]:
    """(document, form index, field) of every reading to review of those documents."""
    query = select(FieldReadingRow.document_id, FieldReadingRow.form_index, FieldReadingRow.field_name).where(
        FieldReadingRow.document_id.in_(document_ids), FieldReadingRow.needs_review.is_(True)
    )
    return [(d, i, name) for d, i, name in session.execute(query).all()]
