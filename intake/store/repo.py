"""Documents, review tasks and the audit log in storage. With the other modules of intake/store,
the only code that turns rows into domain objects and back (an import-linter contract keeps
``intake.store.models`` inside intake/store)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from extractors.model import FormReading
from intake.domain import OPEN_TASKS, Document, DocumentStatus, ReviewTask, TaskStatus
from intake.store.models import AuditEventRow, DocumentRow, FieldReadingRow, PageRow, ReviewTaskRow


def _document(row: DocumentRow) -> Document:
    return Document(
        id=row.id,
        sha256=row.sha256,
        source=row.source,
        original_name=row.original_name,
        media_type=row.media_type,
        size_bytes=row.size_bytes,
        page_count=row.page_count,
        status=DocumentStatus(row.status),
        error_code=row.error_code,
        error_message=row.error_message,
        created_at=row.created_at,
        updated_at=row.updated_at,
        extraction=row.extraction,
    )


def _task(row: ReviewTaskRow) -> ReviewTask:
    return ReviewTask(
        row.id,
        row.document_id,
        row.form_index,
        row.form_id,
        TaskStatus(row.status),
        row.doubtful_fields,
        row.findings,
        row.created_at,
        row.claimed_by,
        row.claimed_at,
        row.claim_nonce,
    )


def find_by_sha(session: Session, sha256: str) -> Document | None:
    row = session.scalar(select(DocumentRow).where(DocumentRow.sha256 == sha256))
    return _document(row) if row else None


def insert_document(
    session: Session,
    *,
    sha256: str,
    source: str,
    original_name: str,
    media_type: str,
    size_bytes: int,
    page_count: int,
    status: DocumentStatus,
    error_code: str | None = None,
    error_message: str | None = None,
) -> tuple[Document, bool]:
    """Insert a document, or return the existing one with the same bytes (created=False).

    Two processes racing on the same bytes both end with the one row: the loser's insert
    hits the unique index and it reads the winner's row instead.
    """
    existing = find_by_sha(session, sha256)
    if existing:
        return existing, False
    row = DocumentRow(
        sha256=sha256,
        source=source,
        original_name=original_name[:512],
        media_type=media_type,
        size_bytes=size_bytes,
        page_count=page_count,
        status=status.value,
        error_code=error_code,
        error_message=error_message,
        attempts=0,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = find_by_sha(session, sha256)
        if existing is None:
            raise
        return existing, False
    return _document(row), True


def get_document(session: Session, document_id: int) -> Document | None:
    row = session.get(DocumentRow, document_id)
    return _document(row) if row else None


def claim_for_processing(session: Session, document_id: int) -> Document | None:
    """Move a document to processing unless it already reached a terminal state."""
    row = session.get(DocumentRow, document_id, with_for_update=True)
    if row is None or row.status not in (DocumentStatus.RECEIVED, DocumentStatus.PROCESSING):
        return None
    row.status = DocumentStatus.PROCESSING.value
    row.attempts += 1
    row.updated_at = datetime.now(UTC)  # when this attempt started: reconcile's staleness clock
    session.flush()
    return _document(row)


def attempts_of(session: Session, document_id: int) -> int:
    """How many times the document's current reading was started (``claim_for_processing``)
    without finishing; back to 0 when it ends (in review or failed)."""
    return int(session.scalar(select(DocumentRow.attempts).where(DocumentRow.id == document_id)) or 0)


def reset_failed(session: Session, document_id: int) -> Document | None:
    """A failed document back to received, its attempts from zero and its error cleared (the
    returned document still names the error it had); None unless it was failed."""
    row = session.get(DocumentRow, document_id, with_for_update=True)
    if row is None or row.status != DocumentStatus.FAILED.value:
        return None
    before = _document(row)
    row.status = DocumentStatus.RECEIVED.value
    row.attempts = 0
    row.error_code = None
    row.error_message = None
    row.updated_at = datetime.now(UTC)
    session.flush()
    return before


def lock_document(session: Session, document_id: int) -> Document | None:
    """A document, locked for this transaction."""
    row = session.get(DocumentRow, document_id, with_for_update=True)
    return _document(row) if row else None


def set_status(session: Session, document_id: int, status: DocumentStatus) -> bool:
    """Move a document to ``status`` (its review's outcome); False when there is none."""
    row = session.get(DocumentRow, document_id)
    if row is None:
        return False
    row.status = status.value
    return True


def mark_rejected(session: Session, document_id: int, code: str, message: str) -> bool:
    """A document rejected in review, with the code and message of the reason; False when
    there is none."""
    row = session.get(DocumentRow, document_id)
    if row is None:
        return False
    row.status, row.error_code, row.error_message = DocumentStatus.REJECTED.value, code, message
    return True


def read_again(session: Session, document_id: int, extraction: dict[str, Any]) -> None:
    """A document back to received with ``extraction`` (what the next reading is to force)."""
    row = session.get(DocumentRow, document_id)
    if row is None:
        raise LookupError(document_id)
    row.extraction = extraction
    row.status = DocumentStatus.RECEIVED.value


def mark_failed(session: Session, document_id: int, code: str, message: str) -> None:
    session.execute(
        update(DocumentRow)
        .where(DocumentRow.id == document_id)
        .values(status=DocumentStatus.FAILED.value, error_code=code, error_message=message, attempts=0)
    )


@dataclass(frozen=True)
class StoredPage:
    """One page of a document as the worker keeps it: its number (from 1), its image's hash in
    the file store, the image's size in pixels, the rotation it was read at and the form read
    on it (None: none of ours)."""

    page_no: int
    image_sha256: str
    width: int
    height: int
    rotation: int = 0
    form_id: str | None = None


def save_extraction(
    session: Session,
    document_id: int,
    extraction: dict[str, Any],
    forms: Sequence[FormReading],
    pages: Sequence[StoredPage],
    engine_label: str,
) -> None:
    """Store pages, readings and one review task per form, and move the document to in_review.

    Idempotent: a retried job replaces what an interrupted one may have left.
    """
    row = session.get(DocumentRow, document_id)
    if row is None:
        raise LookupError(document_id)
    for table in (FieldReadingRow, PageRow, ReviewTaskRow):
        session.query(table).filter(table.document_id == document_id).delete()
    session.add_all(PageRow(document_id=document_id, **asdict(page)) for page in pages)
    readings = []
    for index, form in enumerate(forms):
        if form.blank:
            continue  # kept in the extraction JSON with its note; no task, nothing to review
        readings += _reading_rows(document_id, index, form, engine_label)
        session.add(_task_row(document_id, index, form))
    session.add_all(readings)  # one flush for all readings: no per-field round trips
    row.extraction = extraction
    row.page_count = len(pages)
    row.attempts = 0  # counts the tries of one reading (a page read again starts afresh)
    row.status = DocumentStatus.IN_REVIEW.value
    row.error_code = None
    row.error_message = None


def _reading_rows(
    document_id: int, index: int, form: FormReading, engine_label: str
) -> list[FieldReadingRow]:
    """The readings of form ``index`` of a document, as rows."""
    return [
        FieldReadingRow(
            document_id=document_id,
            form_index=index,
            field_name=reading.name,
            value=reading.value,
            confidence=reading.confidence,
            needs_review=reading.needs_review,
            raw_text=reading.raw_text,
            box=list(reading.box) if reading.box else None,
            engine=engine_label[:128],
        )
        for reading in form.fields
    ]


def _task_row(document_id: int, index: int, form: FormReading) -> ReviewTaskRow:
    """Form ``index``'s review task, open, with its counts of doubtful fields and findings."""
    return ReviewTaskRow(
        document_id=document_id,
        form_index=index,
        form_id=form.form_id,
        status=TaskStatus.OPEN.value,
        doubtful_fields=sum(1 for f in form.fields if f.needs_review),
        findings=len(form.findings),
    )


def list_documents(
    session: Session, status: DocumentStatus | None = None, limit: int = 100
) -> list[Document]:
    query = select(DocumentRow).order_by(DocumentRow.id)
    if status:
        query = query.where(DocumentRow.status == status.value)
    return [_document(r) for r in session.scalars(query.limit(limit))]


def open_review_tasks(
    session: Session, form_id: str | None = None, limit: int = 200
) -> list[tuple[ReviewTask, Document]]:
    """Tasks awaiting review, oldest first, with their documents."""
    query = (
        select(ReviewTaskRow, DocumentRow)
        .join(DocumentRow, DocumentRow.id == ReviewTaskRow.document_id)
        .where(ReviewTaskRow.status.in_([s.value for s in OPEN_TASKS]))
        .order_by(ReviewTaskRow.created_at, ReviewTaskRow.id)
    )
    if form_id:
        query = query.where(ReviewTaskRow.form_id == form_id)
    return [(_task(t), _document(d)) for t, d in session.execute(query.limit(limit)).all()]


def count_tasks(session: Session, states: tuple[TaskStatus, ...]) -> int:
    """How many review tasks are in one of ``states``."""
    query = (
        select(func.count())
        .select_from(ReviewTaskRow)
        .where(ReviewTaskRow.status.in_([s.value for s in states]))
    )
    return int(session.scalar(query) or 0)


def review_tasks_of(session: Session, document_id: int) -> list[ReviewTask]:
    query = (
        select(ReviewTaskRow)
        .where(ReviewTaskRow.document_id == document_id)
        .order_by(ReviewTaskRow.form_index)
    )
    return [_task(row) for row in session.scalars(query)]


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(DocumentRow.status, func.count()).group_by(DocumentRow.status)).all()
    return {status: count for status, count in rows}


def stuck_documents(session: Session) -> list[Document]:
    """Documents not yet in a terminal state (received or processing)."""
    query = select(DocumentRow).where(
        DocumentRow.status.in_((DocumentStatus.RECEIVED.value, DocumentStatus.PROCESSING.value))
    )
    return [_document(r) for r in session.scalars(query)]


@dataclass(frozen=True)
class StoredFile:
    """A document's bytes as the file store should hold them (purged: deleted on purpose)."""

    id: int
    sha256: str
    status: DocumentStatus
    purged: bool


def stored_files(session: Session) -> list[StoredFile]:
    """Every document's id, bytes' hash, state and whether retention purged its scan."""
    query = select(DocumentRow.id, DocumentRow.sha256, DocumentRow.status, DocumentRow.purged_at)
    return [
        StoredFile(document_id, sha, DocumentStatus(status), purged_at is not None)
        for document_id, sha, status, purged_at in session.execute(query).all()
    ]


def statuses_of(session: Session, document_ids: Sequence[int]) -> dict[int, DocumentStatus]:
    """The state of each of ``document_ids`` that exists."""
    query = select(DocumentRow.id, DocumentRow.status).where(DocumentRow.id.in_(document_ids))
    return {document_id: DocumentStatus(status) for document_id, status in session.execute(query).all()}


def audit(session: Session, actor: str, action: str, document_id: int | None = None, **detail: Any) -> None:
    session.add(AuditEventRow(actor=actor, action=action, document_id=document_id, detail=detail))


def has_audit(session: Session, actor: str, action: str, document_id: int | None, task: int) -> bool:
    """Whether ``actor`` did ``action`` on the task ``task`` of a document (the audit log)."""
    rows = session.scalars(
        select(AuditEventRow.detail).where(
            AuditEventRow.actor == actor,
            AuditEventRow.action == action,
            AuditEventRow.document_id == document_id,
        )
    )
    return any(isinstance(detail, dict) and detail.get("task") == task for detail in rows)
