"""Storage of the trust gate (issue 14): the state of each form version's template content
(``form_trust``: 本番 ``production`` or 試行中 ``trial``, by form id, version and content
fingerprint) and the forms read on trial (``form_trial_pages``), with the first batch's
figures measured from the records reviewers made of them. Rows in, frozen views out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from intake.domain import RecordStatus
from intake.store.models import (
    AuditEventRow,
    FormTrialPageRow,
    FormTrustRow,
    RecordRow,
    utcnow,
)

#: Records that say a person went through every field of the form (a record sent back to the
#: reviewers is being reviewed again).
REVIEWED = (RecordStatus.VALIDATED.value, RecordStatus.PENDING_APPROVAL.value, RecordStatus.REOPENED.value)


@dataclass(frozen=True)
class VersionKey:
    """One form version's template content: its id, version and content fingerprint."""

    form_id: str
    version: str
    fingerprint: str


@dataclass(frozen=True)
class TrustEntry:
    """The state stored for one template content, who set it and when."""

    key: VersionKey
    state: str
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True)
class TrialPage:
    """Form ``form_index`` of a document, read with a template content on trial."""

    form_index: int
    key: VersionKey


@dataclass(frozen=True)
class TrialBatch:
    """The first batch of a template content on trial, as reviewers left it: forms read,
    forms reviewed (a record made by a person), the fields of those a person confirmed or
    corrected (an approval does not count the fields nobody confirmed), the fields whose
    approved value differs from the reading, and the most corrected fields (name, how
    often), most first."""

    pages_read: int
    pages_reviewed: int
    fields_reviewed: int
    fields_corrected: int
    most_corrected: tuple[tuple[str, int], ...]

    @property
    def correction_rate(self) -> float | None:
        """Fields corrected over fields reviewed (None: nothing reviewed yet)."""
        return self.fields_corrected / self.fields_reviewed if self.fields_reviewed else None


def _where(key: VersionKey) -> ColumnElement[bool]:
    return and_(
        FormTrialPageRow.form_id == key.form_id,
        FormTrialPageRow.version == key.version,
        FormTrialPageRow.fingerprint == key.fingerprint,
    )


def entry(session: Session, key: VersionKey) -> TrustEntry | None:
    """The state stored for ``key`` (None: never set, so a folder template is on trial)."""
    row = session.get(FormTrustRow, (key.form_id, key.version, key.fingerprint))
    if row is None:
        return None
    return TrustEntry(key, row.state, row.changed_by, row.changed_at)


def set_state(session: Session, key: VersionKey, state: str, by: str) -> None:
    """Store ``state`` for ``key``, set by ``by`` now."""
    row = session.get(FormTrustRow, (key.form_id, key.version, key.fingerprint))
    if row is None:
        row = FormTrustRow(form_id=key.form_id, version=key.version, fingerprint=key.fingerprint)
        session.add(row)
    row.state, row.changed_by, row.changed_at = state, by, utcnow()


def note_trial_pages(session: Session, document_id: int, pages: Sequence[TrialPage]) -> None:
    """The forms of a document read on trial (a reading again replaces what it noted before)."""
    session.execute(delete(FormTrialPageRow).where(FormTrialPageRow.document_id == document_id))
    session.add_all(
        FormTrialPageRow(
            document_id=document_id,
            form_index=page.form_index,
            form_id=page.key.form_id,
            version=page.key.version,
            fingerprint=page.key.fingerprint,
        )
        for page in pages
    )


def trial_batch(session: Session, key: VersionKey) -> TrialBatch:
    """The first batch of ``key``: what was read on trial and what reviewers made of it."""
    read = int(session.scalar(select(func.count()).select_from(FormTrialPageRow).where(_where(key))) or 0)
    on_record = and_(
        RecordRow.document_id == FormTrialPageRow.document_id,
        RecordRow.form_index == FormTrialPageRow.form_index,
        RecordRow.status.in_(REVIEWED),
    )
    reviewed = session.execute(
        select(FormTrialPageRow.document_id, FormTrialPageRow.form_index, RecordRow.values)
        .join(RecordRow, on_record)
        .where(_where(key))
    ).all()
    confirmed = _confirmed(session, {row.document_id for row in reviewed})
    corrected: Counter[str] = Counter()
    fields = 0
    for document_id, form_index, values in reviewed:
        names = values.get("_corrected") if isinstance(values, dict) else None
        changed = {str(name) for name in names or []}
        corrected.update(changed)
        # What a person checked: the fields confirmed on the task screen and those corrected
        # (an approval alone checks nothing more: it does not confirm the fields left).
        fields += len(changed | confirmed.get((document_id, form_index), set()))
    return TrialBatch(read, len(reviewed), fields, sum(corrected.values()), tuple(corrected.most_common(5)))


#: The audit action of a field confirmed on the task screen (``intake.confirm.CONFIRMED``).
FIELD_CONFIRMED = "field_confirmed"


def _confirmed(session: Session, documents: set[int]) -> dict[tuple[int, int], set[str]]:
    """The fields a person confirmed, per (document, form index), from the audit log."""
    found: dict[tuple[int, int], set[str]] = {}
    if not documents:
        return found
    rows = session.execute(
        select(AuditEventRow.document_id, AuditEventRow.detail).where(
            AuditEventRow.action == FIELD_CONFIRMED, AuditEventRow.document_id.in_(documents)
        )
    )
    for document_id, detail in rows:
        if document_id is None or not isinstance(detail, dict) or "field" not in detail:
            continue
        form = (document_id, int(detail.get("form_index") or 0))
        found.setdefault(form, set()).add(str(detail["field"]))
    return found
