"""Deliver each state change downstream exactly once, from outbox rows written in the same
transaction as the change (nothing is lost on a crash):

- a decision to the configured webhook (``KAKUNIN_WEBHOOK_URL``, POST retried with back-off) and
  to the JSON Lines export, as before;
- every state change (:data:`intake.webhooks.EVENT_TYPES`) to each webhook target registered
  with ``kakunin webhook add``, signed per the Standard Webhooks specification.

Each row carries its payload as it was when the change happened: a decision superseded before
its delivery still goes out with its own content, then the new one naming it (issue 15 item 7).
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.privacy import mask_values
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import DecisionRow, OutboxRow, RecordRow, WebhookTargetRow
from intake.webhooks import EVENT_TYPES, outbox_target, post_signed, target_id_of

MAX_BACKOFF = timedelta(hours=1)


def targets(services: Services) -> list[str]:
    settings = services.settings
    return [
        name
        for name, on in (("webhook", bool(settings.webhook_url)), ("jsonl", settings.export_dir is not None))
        if on
    ]


def emit(session: Session, event_type: str, data: dict[str, Any]) -> str | None:
    """Write one event for every enabled webhook target that takes its type, in the caller's
    transaction (the change and its event commit together); its id, None when nobody takes it.
    ``data`` must hold no 個人番号: ids, states, codes, masked values."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type}")
    rows = session.scalars(select(WebhookTargetRow).where(WebhookTargetRow.enabled.is_(True))).all()
    chosen = [row.id for row in rows if not row.events or event_type in row.events]
    if not chosen:
        return None
    event_id = f"msg_{secrets.token_hex(16)}"
    payload = {"type": event_type, "timestamp": datetime.now(UTC).isoformat(), "data": data}
    for target_id in chosen:
        session.add(
            OutboxRow(
                target=outbox_target(target_id),
                attempts=0,
                event_id=event_id,
                event_type=event_type,
                payload=payload,
            )
        )
    return event_id


def emit_document(session: Session, event_type: str, document_id: int, **data: Any) -> str | None:
    """A document's event: its id and state (``document.failed`` with its ``code``)."""
    state = event_type.removeprefix("document.") if event_type.startswith("document.") else None
    return emit(
        session, event_type, {"document_id": document_id, **({"status": state} if state else {}), **data}
    )


def previous_decision(session: Session, record_id: int, before: int | None = None) -> int | None:
    """The id of the record's latest decision (before ``before``, if given)."""
    query = select(DecisionRow.id).where(DecisionRow.record_id == record_id)
    if before is not None:
        query = query.where(DecisionRow.id < before)
    return session.scalar(query.order_by(DecisionRow.id.desc()).limit(1))


def add_decision(
    session: Session, services: Services, record_id: int, decision: dict[str, Any]
) -> DecisionRow:
    """Store a decision and, in the same transaction, its outbox rows with its payload as of
    now: one per configured target, ``decision.created`` for the webhook targets and, when it
    replaces one, ``decision.superseded``."""
    supersedes = previous_decision(session, record_id)
    row = DecisionRow(
        record_id=record_id,
        decision=decision["decision"],
        outcomes=decision["outcomes"],
        persons=decision.get("persons", []),
    )
    session.add(row)
    session.flush()
    payload = _payload(session, row, supersedes)
    for target in targets(services):
        session.add(
            OutboxRow(
                decision_id=row.id,
                target=target,
                attempts=0,
                event_id=f"decision-{row.id}",
                event_type="decision.created",
                payload=payload,
            )
        )
    emit(session, "decision.created", payload)
    if supersedes is not None:
        emit(
            session,
            "decision.superseded",
            {
                "decision_id": supersedes,
                "superseded_by": row.id,
                "record_id": record_id,
                "document_id": payload["document_id"],
            },
        )
    return row


def _payload(session: Session, decision: DecisionRow, supersedes: int | None) -> dict[str, Any]:
    record = session.get(RecordRow, decision.record_id)
    values = {k: v for k, v in (record.values if record else {}).items() if not k.startswith("_")}
    payload: dict[str, Any] = {
        "decision_id": decision.id,
        "record_id": decision.record_id,
        "document_id": record.document_id if record else None,
        "form_id": record.form_id if record else None,
        "decision": decision.decision,
        "outcomes": decision.outcomes,
        "persons": decision.persons or [],
        "values": mask_values(values),
        "decided_at": decision.created_at.isoformat(),
    }
    # A correction after approval (issue 15 item 7): the new decision names the one it replaces.
    if supersedes is not None:
        payload["supersedes"] = supersedes
    return payload


def _post(url: str, payload: dict[str, Any], timeout: float) -> None:
    request = urllib.request.Request(  # noqa: S310 - Settings admits http(s) webhook URLs only
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": f"decision-{payload['decision_id']}"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - Settings admits http(s) webhook URLs only
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(url, response.status, "unexpected status", response.headers, None)


def _append(directory: Path, payload: dict[str, Any]) -> None:
    """Append one line, unless a crash after an earlier append left it there already."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"decisions-{datetime.now(UTC):%Y%m%d}.jsonl"
    marker = f'"decision_id": {payload["decision_id"]},'
    if path.exists() and marker in path.read_text(encoding="utf-8"):
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # values of people: owner only
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(payload, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _send(session: Session, services: Services, row: OutboxRow) -> bool:
    """Deliver one row (an error raises, to be retried); False when its target is switched
    off since (the row waits)."""
    settings = services.settings
    target_id = target_id_of(row.target)
    if target_id is not None:
        target = session.get(WebhookTargetRow, target_id)
        if target is None or not target.enabled or row.payload is None or row.event_id is None:
            return False
        post_signed(target.url, target.secret, row.event_id, row.payload, settings.webhook_timeout_seconds)
        return True
    payload = row.payload
    if payload is None:  # a row written before 0015: read as it is now
        decision = session.get(DecisionRow, row.decision_id) if row.decision_id is not None else None
        if decision is None:
            return False
        payload = _payload(session, decision, previous_decision(session, decision.record_id, decision.id))
    if row.target == "webhook" and settings.webhook_url:
        _post(settings.webhook_url, payload, settings.webhook_timeout_seconds)
    elif row.target == "jsonl" and settings.export_dir is not None:
        _append(settings.export_dir, payload)
    else:
        return False
    return True


def deliver(services: Services, now: datetime | None = None) -> dict[str, int]:
    """One pass over due outbox rows, oldest first; safe to run from several processes (row
    lock per item). A failure is recorded on the row and retried with back-off."""
    now = now or datetime.now(UTC)
    delivered = failed = 0
    with transaction(services.sessions) as session:
        due = list(
            session.scalars(
                select(OutboxRow.id)
                .where(OutboxRow.delivered_at.is_(None), OutboxRow.next_attempt_at <= now)
                .order_by(OutboxRow.id)
            )
        )
    for outbox_id in due:
        with transaction(services.sessions) as session:
            row = session.get(OutboxRow, outbox_id, with_for_update=True)
            if row is None or row.delivered_at is not None:
                continue
            try:
                if not _send(session, services, row):
                    continue
            except (OSError, urllib.error.URLError) as exc:
                row.attempts += 1
                row.last_error = str(exc)[:500]
                row.next_attempt_at = now + min(timedelta(seconds=10 * 2**row.attempts), MAX_BACKOFF)
                failed += 1
                continue
            row.delivered_at = now
            row.attempts += 1
            delivered += 1
    return {"delivered": delivered, "failed": failed}
