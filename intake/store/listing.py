"""Keyset-paged reads for the API's lists: documents, record ids, decisions, audit events.

Each function returns up to ``limit`` frozen views with an id greater than ``after``, oldest
first, so a client that keeps the last id it saw gets exactly what came after it (no item
skipped or repeated when rows are added meanwhile, unlike an offset)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from extractors.masking import is_my_number
from intake.domain import Document
from intake.store.audit_log import AuditView, view_of
from intake.store.models import (
    AuditEventRow,
    DecisionRow,
    DocumentRow,
    FieldReadingRow,
    PageRow,
    RecordRow,
)
from intake.store.repo import _document


@dataclass(frozen=True)
class DocumentFilter:
    """What ``GET /api/v1/documents`` filters on (all optional, combined with AND)."""

    status: str | None = None
    source: str | None = None
    since: datetime | None = None  # received at or after
    until: datetime | None = None  # received before
    form_id: str | None = None  # a page of the document was read as this form


@dataclass(frozen=True)
class ListedDocument:
    document: Document
    #: The form read on each page, in page order (None: not a form).
    forms: tuple[str | None, ...]


@dataclass(frozen=True)
class DecisionView:
    """One decision with what it was made on and its place among its record's decisions."""

    id: int
    record_id: int
    document_id: int | None
    form_id: str | None
    event: str | None
    decision: str
    outcomes: tuple[dict[str, Any], ...]
    persons: tuple[dict[str, Any], ...]
    created_at: datetime
    supersedes: int | None
    superseded_by: int | None


def documents_after(session: Session, after: int, limit: int, where: DocumentFilter) -> list[ListedDocument]:
    """Documents with an id above ``after`` matching ``where``, by id, at most ``limit``."""
    query = select(DocumentRow).where(DocumentRow.id > after).order_by(DocumentRow.id)
    if where.status:
        query = query.where(DocumentRow.status == where.status)
    if where.source:
        query = query.where(DocumentRow.source == where.source)
    if where.since:
        query = query.where(DocumentRow.created_at >= where.since)
    if where.until:
        query = query.where(DocumentRow.created_at < where.until)
    if where.form_id:
        query = query.where(
            exists().where(PageRow.document_id == DocumentRow.id, PageRow.form_id == where.form_id)
        )
    rows = list(session.scalars(query.limit(limit)))
    forms: dict[int, list[str | None]] = {row.id: [] for row in rows}
    if rows:
        pages = session.execute(
            select(PageRow.document_id, PageRow.form_id)
            .where(PageRow.document_id.in_(list(forms)))
            .order_by(PageRow.document_id, PageRow.page_no)
        ).all()
        for document_id, form_id in pages:
            forms[document_id].append(form_id)
    return [ListedDocument(_document(row), tuple(forms[row.id])) for row in rows]


def record_ids_of_document(session: Session, document_id: int) -> list[int]:
    """The records made from a document's forms, by id."""
    query = select(RecordRow.id).where(RecordRow.document_id == document_id).order_by(RecordRow.id)
    return list(session.scalars(query))


def record_ids_after(
    session: Session,
    after: int,
    limit: int,
    status: str | None = None,
    form_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
) -> list[int]:
    """Record ids above ``after`` by status, form and creation time (since inclusive, until
    exclusive), by id, at most ``limit`` (skipping the first ``offset``: the record screen's
    pages)."""
    query = select(RecordRow.id).where(RecordRow.id > after).order_by(RecordRow.id)
    if status:
        query = query.where(RecordRow.status == status)
    if form_id:
        query = query.where(RecordRow.form_id == form_id)
    if since:
        query = query.where(RecordRow.created_at >= since)
    if until:
        query = query.where(RecordRow.created_at < until)
    return list(session.scalars(query.offset(offset).limit(limit)))


def decisions_after(
    session: Session, after: int, limit: int, record_id: int | None = None, since: datetime | None = None
) -> list[DecisionView]:
    """Decisions above ``after`` (of one record, made at or after ``since``), by id, each with
    the decision of its record it replaced and the one that replaced it."""
    query = (
        select(DecisionRow, RecordRow)
        .join(RecordRow, RecordRow.id == DecisionRow.record_id)
        .where(DecisionRow.id > after)
        .order_by(DecisionRow.id)
    )
    if record_id is not None:
        query = query.where(DecisionRow.record_id == record_id)
    if since:
        query = query.where(DecisionRow.created_at >= since)
    rows = session.execute(query.limit(limit)).all()
    chains: dict[int, list[int]] = {}
    if rows:
        records = list({decision.record_id for decision, _ in rows})
        for decision_id, owner in session.execute(
            select(DecisionRow.id, DecisionRow.record_id)
            .where(DecisionRow.record_id.in_(records))
            .order_by(DecisionRow.id)
        ).all():
            chains.setdefault(owner, []).append(decision_id)
    views = []
    for decision, record in rows:
        chain = chains[decision.record_id]
        at = chain.index(decision.id)
        event = record.values.get("_event") if isinstance(record.values, dict) else None
        views.append(
            DecisionView(
                id=decision.id,
                record_id=decision.record_id,
                document_id=record.document_id,
                form_id=record.form_id,
                event=event if isinstance(event, str) else None,
                decision=decision.decision,
                outcomes=tuple(decision.outcomes or ()),
                persons=tuple(decision.persons or ()),
                created_at=decision.created_at,
                supersedes=chain[at - 1] if at > 0 else None,
                superseded_by=chain[at + 1] if at + 1 < len(chain) else None,
            )
        )
    return views


def audit_after(
    session: Session, after: int, limit: int, action: str | None = None, document_id: int | None = None
) -> list[AuditView]:
    """Audit events above ``after`` (of one action, of one document), by id."""
    query = select(AuditEventRow).where(AuditEventRow.id > after).order_by(AuditEventRow.id)
    if action:
        query = query.where(AuditEventRow.action == action)
    if document_id is not None:
        query = query.where(AuditEventRow.document_id == document_id)
    return [view_of(row) for row in session.scalars(query.limit(limit))]


@dataclass(frozen=True)
class PageView:
    """One stored page image of a document and what is needed to black out its 個人番号."""

    image_sha256: str
    form_id: str | None
    #: The version of the form read on the page (its template's ``form_version``).
    form_version: str | None
    #: Where each 個人番号 reading of the page's form was found, in template points.
    my_number_boxes: tuple[tuple[float, float, float, float], ...]


def page_of(session: Session, document_id: int, page_no: int) -> PageView | None:
    """Page ``page_no`` (from 1) of a document, with its form, version and the boxes of its
    個人番号 readings; None when the document has no such page."""
    page = session.scalar(
        select(PageRow).where(PageRow.document_id == document_id, PageRow.page_no == page_no)
    )
    if page is None:
        return None
    document = session.get(DocumentRow, document_id)
    forms = (document.extraction or {}).get("documents", []) if document is not None else []
    index = next(
        (
            i
            for i, form in enumerate(forms if isinstance(forms, list) else [])
            if isinstance(form, dict) and page_no in (form.get("pages") or [])
        ),
        None,
    )
    version = None
    boxes: list[tuple[float, float, float, float]] = []
    if index is not None:
        raw_version = forms[index].get("form_version")
        version = raw_version if isinstance(raw_version, str) else None
        readings = session.scalars(
            select(FieldReadingRow).where(
                FieldReadingRow.document_id == document_id, FieldReadingRow.form_index == index
            )
        ).all()
        boxes = [
            (float(r.box[0]), float(r.box[1]), float(r.box[2]), float(r.box[3]))
            for r in readings
            if is_my_number(r.field_name) and r.box and len(r.box) == 4
        ]
    return PageView(page.image_sha256, page.form_id, version, tuple(boxes))
