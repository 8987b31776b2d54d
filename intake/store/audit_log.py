"""Reading the audit log (table ``audit_events``) for the admin pages: narrowed by a frozen
:class:`AuditFilter`, events out as frozen :class:`AuditView` views. Writing stays
:func:`intake.store.repo.audit`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from intake.store.models import AuditEventRow


@dataclass(frozen=True)
class AuditFilter:
    """What the audit log is narrowed to: who, which action, from and to which day."""

    actor: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None

    def detail(self) -> dict[str, str]:
        """The filter as the export's audit event records it."""
        return {
            k: v
            for k, v in (
                ("actor", self.actor),
                ("action", self.action),
                ("since", str(self.since or "")),
                ("until", str(self.until or "")),
            )
            if v
        }


@dataclass(frozen=True)
class AuditView:
    """One audited action."""

    id: int
    at: datetime
    actor: str
    action: str
    document_id: int | None
    detail: dict[str, Any]


def view_of(row: AuditEventRow) -> AuditView:
    """The frozen view of one audit row."""
    return AuditView(row.id, row.at, row.actor, row.action, row.document_id, dict(row.detail or {}))


def _narrowed(query: Select[Any], chosen: AuditFilter) -> Select[Any]:
    if chosen.actor:
        query = query.where(AuditEventRow.actor == chosen.actor)
    if chosen.action:
        query = query.where(AuditEventRow.action == chosen.action)
    if chosen.since:
        query = query.where(AuditEventRow.at >= datetime.combine(chosen.since, time.min, UTC))
    if chosen.until and chosen.until < date.max:
        query = query.where(
            AuditEventRow.at < datetime.combine(chosen.until, time.min, UTC) + timedelta(days=1)
        )
    return query


def count(session: Session, chosen: AuditFilter) -> int:
    """How many events the filter keeps."""
    return int(session.scalar(_narrowed(select(func.count()).select_from(AuditEventRow), chosen)) or 0)


def newest(session: Session, chosen: AuditFilter, offset: int, limit: int) -> list[AuditView]:
    """One page of the events the filter keeps, newest first."""
    query = _narrowed(select(AuditEventRow), chosen).order_by(AuditEventRow.id.desc())
    return [view_of(row) for row in session.scalars(query.offset(offset).limit(limit))]


def oldest_first(session: Session, chosen: AuditFilter, limit: int) -> Iterator[AuditView]:
    """Up to ``limit`` events the filter keeps, oldest first (streamed)."""
    query = _narrowed(select(AuditEventRow), chosen).order_by(AuditEventRow.id).limit(limit)
    return (view_of(row) for row in session.scalars(query))


def actors(session: Session) -> list[str]:
    """Everyone who appears in the log, sorted."""
    return sorted(session.scalars(select(AuditEventRow.actor).distinct()))


def seen_beacons(session: Session) -> list[tuple[str, dict[str, Any]]]:
    """(actor, detail) of every ``task_seen`` event: the task pages' visibility beacons."""
    query = select(AuditEventRow.actor, AuditEventRow.detail).where(AuditEventRow.action == "task_seen")
    return [(actor, detail) for actor, detail in session.execute(query).all()]
