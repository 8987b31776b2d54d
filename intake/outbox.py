"""Deliver each decision downstream exactly once: a webhook (POST, retried with back-off) and/or
a JSON Lines export, from outbox rows written in the same transaction as the decision."""

from __future__ import annotations

import json
import os
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
from intake.store.models import DecisionRow, OutboxRow, RecordRow

MAX_BACKOFF = timedelta(hours=1)


def targets(services: Services) -> list[str]:
    settings = services.settings
    return [
        name
        for name, on in (("webhook", bool(settings.webhook_url)), ("jsonl", settings.export_dir is not None))
        if on
    ]


def add_decision(
    session: Session, services: Services, record_id: int, decision: dict[str, Any]
) -> DecisionRow:
    """Store a decision and, in the same transaction, one outbox row per configured target."""
    row = DecisionRow(
        record_id=record_id,
        decision=decision["decision"],
        outcomes=decision["outcomes"],
        persons=decision.get("persons", []),
    )
    session.add(row)
    session.flush()
    for target in targets(services):
        session.add(OutboxRow(decision_id=row.id, target=target, attempts=0))
    return row


def _payload(session: Session, decision: DecisionRow) -> dict[str, Any]:
    record = session.get(RecordRow, decision.record_id)
    values = {k: v for k, v in (record.values if record else {}).items() if not k.startswith("_")}
    payload: dict[str, Any] = {
        "decision_id": decision.id,
        "record_id": decision.record_id,
        "form_id": record.form_id if record else None,
        "decision": decision.decision,
        "outcomes": decision.outcomes,
        "persons": decision.persons or [],
        "values": mask_values(values),
        "decided_at": decision.created_at.isoformat(),
    }
    # A correction after approval (issue 15 item 7): the new decision names the one it replaces.
    superseded = session.scalar(
        select(DecisionRow.id)
        .where(DecisionRow.record_id == decision.record_id, DecisionRow.id < decision.id)
        .order_by(DecisionRow.id.desc())
        .limit(1)
    )
    if superseded is not None:
        payload["supersedes"] = superseded
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


def deliver(services: Services, now: datetime | None = None) -> dict[str, int]:
    """One pass over due outbox rows; safe to run from several processes (row lock per item)."""
    now = now or datetime.now(UTC)
    delivered = failed = 0
    with transaction(services.sessions) as session:
        due = [
            row.id
            for row in session.scalars(
                select(OutboxRow).where(OutboxRow.delivered_at.is_(None), OutboxRow.next_attempt_at <= now)
            )
        ]
    for outbox_id in due:
        with transaction(services.sessions) as session:
            row = session.get(OutboxRow, outbox_id, with_for_update=True)
            if row is None or row.delivered_at is not None:
                continue
            decision = session.get(DecisionRow, row.decision_id)
            if decision is None:
                continue
            payload = _payload(session, decision)
            try:
                if row.target == "webhook" and services.settings.webhook_url:
                    _post(services.settings.webhook_url, payload, services.settings.webhook_timeout_seconds)
                elif row.target == "jsonl" and services.settings.export_dir is not None:
                    _append(services.settings.export_dir, payload)
                else:
                    continue  # target switched off since: the row waits
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
