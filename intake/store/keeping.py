"""Rows for retention and backup (issue 19 items 5 and 7): which documents and records are
past their keeping period, masking what is purged, and which stored files a database
references. Kept apart from ``repo.py``; like it, no row leaves this module."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from extractors.masking import is_my_number
from intake.domain import DocumentStatus
from intake.store.models import DecisionRow, DocumentRow, FieldReadingRow, OutboxRow, PageRow, RecordRow

#: A document whose outcome is final without a decision: its keeping period runs from then.
_ENDED_WITHOUT_DECISION = (DocumentStatus.REJECTED.value, DocumentStatus.FAILED.value)


@dataclass(frozen=True)
class PurgePlan:
    """What purging one document deletes and masks."""

    document_id: int
    status: str
    files: tuple[str, ...]
    my_number_readings: int
    records: tuple[int, ...]


def _delivered_at(session: Session, decision: DecisionRow) -> datetime | None:
    """When a decision reached every downstream target (the last delivery); its own time when
    no target is configured; None while one target still waits."""
    rows = session.scalars(select(OutboxRow).where(OutboxRow.decision_id == decision.id)).all()
    if not rows:
        return decision.created_at
    if any(row.delivered_at is None for row in rows):
        return None
    return max(row.delivered_at for row in rows if row.delivered_at is not None)


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back (stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _record_delivered_before(session: Session, record: RecordRow, cutoff: datetime) -> bool:
    decisions = session.scalars(select(DecisionRow).where(DecisionRow.record_id == record.id)).all()
    if not decisions:
        return False
    times = [_delivered_at(session, decision) for decision in decisions]
    return all(t is not None and _aware(t) <= cutoff for t in times)


def purgeable_documents(session: Session, cutoff: datetime) -> list[int]:
    """Documents not yet purged whose keeping period ended before ``cutoff``: validated ones
    whose every record's decisions were delivered before it, rejected or failed ones last
    changed before it."""
    ended = session.scalars(
        select(DocumentRow.id).where(
            DocumentRow.purged_at.is_(None),
            DocumentRow.status.in_(_ENDED_WITHOUT_DECISION),
            DocumentRow.updated_at <= cutoff,
        )
    ).all()
    validated = session.scalars(
        select(DocumentRow.id).where(
            DocumentRow.purged_at.is_(None),
            DocumentRow.status == DocumentStatus.VALIDATED.value,
        )
    ).all()
    decided = []
    for document_id in validated:
        records = session.scalars(select(RecordRow).where(RecordRow.document_id == document_id)).all()
        if records and all(_record_delivered_before(session, r, cutoff) for r in records):
            decided.append(document_id)
    return sorted([*ended, *decided])


def maskable_records(session: Session, cutoff: datetime) -> list[int]:
    """Records without a document (API events, roster events) not yet masked whose decisions
    were all delivered before ``cutoff``."""
    rows = session.scalars(
        select(RecordRow).where(RecordRow.document_id.is_(None), RecordRow.purged_at.is_(None))
    ).all()
    return [r.id for r in rows if _record_delivered_before(session, r, cutoff)]


def _files_of(session: Session, document: DocumentRow) -> tuple[str, ...]:
    """The original and page images of a document that no other unpurged document shares."""
    own = [
        document.sha256,
        *session.scalars(select(PageRow.image_sha256).where(PageRow.document_id == document.id)),
    ]
    shared = set(
        session.scalars(
            select(PageRow.image_sha256)
            .join(DocumentRow, DocumentRow.id == PageRow.document_id)
            .where(
                PageRow.image_sha256.in_(own),
                PageRow.document_id != document.id,
                DocumentRow.purged_at.is_(None),
            )
        )
    )
    return tuple(dict.fromkeys(name for name in own if name not in shared))


def plan_purge(session: Session, document_id: int) -> PurgePlan:
    """What purging a document would delete (files) and mask (readings, records)."""
    document = session.get(DocumentRow, document_id)
    if document is None:
        raise LookupError(document_id)
    readings = session.scalars(
        select(FieldReadingRow).where(FieldReadingRow.document_id == document_id)
    ).all()
    records = session.scalars(select(RecordRow.id).where(RecordRow.document_id == document_id)).all()
    return PurgePlan(
        document_id,
        document.status,
        _files_of(session, document),
        sum(1 for r in readings if is_my_number(r.field_name)),
        tuple(records),
    )


def mark_purged(
    session: Session,
    document_id: int,
    now: datetime,
    mask_value: Callable[[Any], Any],
    mask_values: Callable[[dict[str, Any]], dict[str, Any]],
    mask_extraction: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    """Mask every 個人番号 a document's rows hold (its readings, its extraction JSON, its
    records) and note when: the masked record and the decision stay."""
    document = session.get(DocumentRow, document_id, with_for_update=True)
    if document is None:
        raise LookupError(document_id)
    for reading in session.scalars(select(FieldReadingRow).where(FieldReadingRow.document_id == document_id)):
        if is_my_number(reading.field_name):
            reading.value = mask_value(reading.value)
            reading.raw_text = str(mask_value(reading.raw_text) or "")
    if document.extraction:
        document.extraction = mask_extraction(document.extraction)
    for record in session.scalars(select(RecordRow).where(RecordRow.document_id == document_id)):
        record.values = mask_values(record.values)
        record.purged_at = now
    document.purged_at = now
    session.flush()


def mask_record(
    session: Session, record_id: int, now: datetime, mask_values: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    """A record's 個人番号 masked (a record without a document)."""
    record = session.get(RecordRow, record_id, with_for_update=True)
    if record is None:
        raise LookupError(record_id)
    record.values = mask_values(record.values)
    record.purged_at = now
    session.flush()


def is_purged(session: Session, document_id: int) -> bool:
    return session.scalar(select(DocumentRow.purged_at).where(DocumentRow.id == document_id)) is not None


def referenced_files(session: Session) -> list[str]:
    """Every stored file the database needs: each unpurged document's original and page images."""
    originals = session.scalars(select(DocumentRow.sha256).where(DocumentRow.purged_at.is_(None)))
    pages = session.scalars(
        select(PageRow.image_sha256)
        .join(DocumentRow, DocumentRow.id == PageRow.document_id)
        .where(DocumentRow.purged_at.is_(None))
    )
    return sorted(set(_chain(originals, pages)))


def _chain(*parts: Iterable[str]) -> Iterable[str]:
    for part in parts:
        yield from part


def requeue_interrupted(session: Session) -> list[int]:
    """After a restore: documents being read when the snapshot was taken go back to received
    (their reading is repeated from the start, as after a worker's death)."""
    rows = session.scalars(
        select(DocumentRow).where(DocumentRow.status == DocumentStatus.PROCESSING.value)
    ).all()
    for row in rows:
        row.status = DocumentStatus.RECEIVED.value
    session.flush()
    return [row.id for row in rows]


def count_documents(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(DocumentRow)) or 0)
