"""Storage of the outbox (table ``outbox``) and of the webhook targets (table
``webhook_targets``): rows in, frozen :class:`Target` and :class:`OutboxItem` views out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from intake.store.models import OutboxRow, WebhookTargetRow

TARGET_PREFIX = "hook:"


@dataclass(frozen=True)
class Target:
    """A webhook target as listed (its secret is shown once, when it is added)."""

    id: int
    url: str
    events: tuple[str, ...]
    enabled: bool
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events) or ["*"],
            "enabled": self.enabled,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class OutboxItem:
    """One event waiting for one target (``webhook``, ``jsonl`` or ``hook:<id>``)."""

    id: int
    target: str
    decision_id: int | None
    event_id: str | None
    payload: dict[str, Any] | None
    attempts: int


def outbox_target(target_id: int) -> str:
    """The outbox's ``target`` for a webhook target (``hook:3``)."""
    return f"{TARGET_PREFIX}{target_id}"


def target_id_of(outbox_target_name: str) -> int | None:
    """The webhook target an outbox row goes to; None for ``webhook`` and ``jsonl``."""
    if not outbox_target_name.startswith(TARGET_PREFIX):
        return None
    return int(outbox_target_name.removeprefix(TARGET_PREFIX))


def _target(row: WebhookTargetRow) -> Target:
    return Target(row.id, row.url, tuple(row.events or ()), bool(row.enabled), row.created_at)


def add_target(session: Session, url: str, secret: str, events: tuple[str, ...]) -> Target:
    """Register an enabled target with its secret, taking ``events`` (empty: all)."""
    row = WebhookTargetRow(url=url, secret=secret, events=list(events), enabled=True)
    session.add(row)
    session.flush()
    return _target(row)


def all_targets(session: Session) -> list[Target]:
    """Every target, oldest first (without secrets)."""
    return [_target(r) for r in session.scalars(select(WebhookTargetRow).order_by(WebhookTargetRow.id))]


def remove_target(session: Session, target_id: int) -> bool:
    """Delete a target and the events still waiting for it; False when there is none."""
    row = session.get(WebhookTargetRow, target_id)
    if row is None:
        return False
    session.execute(
        delete(OutboxRow).where(
            OutboxRow.target == outbox_target(target_id), OutboxRow.delivered_at.is_(None)
        )
    )
    session.delete(row)
    return True


def secret_of_url(session: Session, url: str) -> tuple[int, str] | None:
    """(id, secret) of the first target registered with ``url``."""
    row = session.scalars(
        select(WebhookTargetRow).where(WebhookTargetRow.url == url).order_by(WebhookTargetRow.id)
    ).first()
    return (row.id, row.secret) if row else None


def enabled_address(session: Session, target_id: int) -> tuple[str, str] | None:
    """(url, secret) of an enabled target; None when it is gone or switched off."""
    row = session.get(WebhookTargetRow, target_id)
    return (row.url, row.secret) if row is not None and row.enabled else None


def targets_taking(session: Session, event_type: str) -> list[int]:
    """The ids of the enabled targets that take ``event_type``."""
    rows = session.scalars(select(WebhookTargetRow).where(WebhookTargetRow.enabled.is_(True))).all()
    return [row.id for row in rows if not row.events or event_type in row.events]


def add_event(
    session: Session,
    target: str,
    event_id: str,
    event_type: str,
    payload: dict[str, Any],
    decision_id: int | None = None,
) -> None:
    """Write one event for one target, to be delivered by :func:`intake.outbox.deliver`."""
    session.add(
        OutboxRow(
            decision_id=decision_id,
            target=target,
            attempts=0,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
        )
    )


def due(session: Session, now: datetime) -> list[int]:
    """The ids of the undelivered events whose next attempt is due, oldest first."""
    query = (
        select(OutboxRow.id)
        .where(OutboxRow.delivered_at.is_(None), OutboxRow.next_attempt_at <= now)
        .order_by(OutboxRow.id)
    )
    return list(session.scalars(query))


def lock_undelivered(session: Session, outbox_id: int) -> OutboxItem | None:
    """The event, locked for this transaction; None when it is gone or delivered meanwhile."""
    row = session.get(OutboxRow, outbox_id, with_for_update=True)
    if row is None or row.delivered_at is not None:
        return None
    return OutboxItem(row.id, row.target, row.decision_id, row.event_id, row.payload, row.attempts)


def delivered(session: Session, outbox_id: int, now: datetime) -> None:
    """Record a delivery (counted as an attempt)."""
    row = session.get(OutboxRow, outbox_id)
    if row is not None:
        row.delivered_at = now
        row.attempts += 1


def failed(session: Session, outbox_id: int, error: str, next_attempt_at: datetime) -> None:
    """Record a failed attempt, its error and when to try again."""
    row = session.get(OutboxRow, outbox_id)
    if row is not None:
        row.attempts += 1
        row.last_error = error[:500]
        row.next_attempt_at = next_attempt_at
