"""Figures for supervisors: documents per day and status, corrections per field, review time."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import select

from intake.domain import aware
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, DocumentRow, RecordRow


def statistics(services: Services) -> dict[str, Any]:
    with transaction(services.sessions) as session:
        documents = session.execute(select(DocumentRow.created_at, DocumentRow.status)).all()
        records = session.execute(select(RecordRow.form_id, RecordRow.values)).all()
        events = session.execute(
            select(AuditEventRow.at, AuditEventRow.action, AuditEventRow.document_id).where(
                AuditEventRow.action.in_(("task_viewed", "task_approved"))
            )
        ).all()
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    for created, status in documents:
        per_day[aware(created).date().isoformat()][status] += 1
    corrected: Counter[str] = Counter()
    for _form, values in records:
        corrected.update(values.get("_corrected", []))
    first_view: dict[int, datetime] = {}
    review_seconds: dict[int, float] = {}
    for at, action, document_id in sorted(events, key=lambda e: aware(e[0])):
        if document_id is None:
            continue
        if action == "task_viewed":
            first_view.setdefault(document_id, aware(at))
        elif document_id in first_view:
            review_seconds[document_id] = (aware(at) - first_view[document_id]).total_seconds()
    forms_by_document: dict[int, str | None] = {}
    with transaction(services.sessions) as session:
        for document_id, form_id in session.execute(select(RecordRow.document_id, RecordRow.form_id)).all():
            if document_id is not None:
                forms_by_document[document_id] = form_id
    per_form: dict[str | None, list[float]] = defaultdict(list)
    for document_id, seconds in review_seconds.items():
        per_form[forms_by_document.get(document_id)].append(seconds)
    days = sorted(per_day)[-30:]
    peak = max((sum(per_day[d].values()) for d in days), default=1) or 1
    return {
        "days": [
            (d, dict(per_day[d]), sum(per_day[d].values()), sum(per_day[d].values()) / peak) for d in days
        ],
        "corrected": corrected.most_common(15),
        "corrected_peak": max(corrected.values(), default=1),
        "review_time": {form: round(median(values)) for form, values in per_form.items() if values},
    }
