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

from sqlalchemy.orm import Session

from intake.privacy import mask_values
from intake.services import Services
from intake.store import decisions
from intake.store import outbox as store
from intake.store.db import transaction
from intake.store.decisions import StoredDecision
from intake.store.outbox import OutboxItem, outbox_target, target_id_of
from intake.webhooks import EVENT_TYPES, post_signed

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
    chosen = store.targets_taking(session, event_type)
    if not chosen:
        return None
    event_id = f"msg_{secrets.token_hex(16)}"
    payload = {"type": event_type, "timestamp": datetime.now(UTC).isoformat(), "data": data}
    for target_id in chosen:
        store.add_event(session, outbox_target(target_id), event_id, event_type, payload)
    return event_id


def emit_document(session: Session, event_type: str, document_id: int, **data: Any) -> str | None:
    """A document's event: its id and state (``document.failed`` with its ``code``)."""
    state = event_type.removeprefix("document.") if event_type.startswith("document.") else None
    return emit(
        session, event_type, {"document_id": document_id, **({"status": state} if state else {}), **data}
    )


def add_decision(session: Session, services: Services, record_id: int, decision: dict[str, Any]) -> int:
    """Store a decision and, in the same transaction, its outbox rows with its payload as of
    now: one per configured target, ``decision.created`` for the webhook targets and, when it
    replaces one, ``decision.superseded``; the decision's id."""
    supersedes = decisions.previous(session, record_id)
    stored = decisions.insert(session, record_id, decision)
    payload = _payload(stored, supersedes)
    for target in targets(services):
        store.add_event(session, target, f"decision-{stored.id}", "decision.created", payload, stored.id)
    emit(session, "decision.created", payload)
    if supersedes is not None:
        emit(
            session,
            "decision.superseded",
            {
                "decision_id": supersedes,
                "superseded_by": stored.id,
                "record_id": record_id,
                "document_id": payload["document_id"],
            },
        )
    return stored.id


def _payload(decision: StoredDecision, supersedes: int | None) -> dict[str, Any]:
    values = {k: v for k, v in decision.values.items() if not k.startswith("_")}
    payload: dict[str, Any] = {
        "decision_id": decision.id,
        "record_id": decision.record_id,
        "document_id": decision.document_id,
        "form_id": decision.form_id,
        "decision": decision.decision,
        "outcomes": decision.outcomes,
        "persons": decision.persons,
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


def _send(session: Session, services: Services, row: OutboxItem) -> bool:
    """Deliver one row (an error raises, to be retried); False when its target is switched
    off since (the row waits)."""
    settings = services.settings
    target_id = target_id_of(row.target)
    if target_id is not None:
        address = store.enabled_address(session, target_id)
        if address is None or row.payload is None or row.event_id is None:
            return False
        url, secret = address
        post_signed(url, secret, row.event_id, row.payload, settings.webhook_timeout_seconds)
        return True
    payload = row.payload
    if payload is None:  # a row written before 0015: read as it is now
        decision = decisions.get(session, row.decision_id) if row.decision_id is not None else None
        if decision is None:
            return False
        payload = _payload(decision, decisions.previous(session, decision.record_id, decision.id))
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
        due = store.due(session, now)
    for outbox_id in due:
        with transaction(services.sessions) as session:
            row = store.lock_undelivered(session, outbox_id)
            if row is None:
                continue
            try:
                if not _send(session, services, row):
                    continue
            except (OSError, urllib.error.URLError) as exc:
                backoff = min(timedelta(seconds=10 * 2 ** (row.attempts + 1)), MAX_BACKOFF)
                store.failed(session, row.id, str(exc), now + backoff)
                failed += 1
                continue
            store.delivered(session, row.id, now)
            delivered += 1
    return {"delivered": delivered, "failed": failed}
