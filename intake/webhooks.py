"""Signed webhooks for every state change (issue 18 item 5), per the Standard Webhooks
specification (https://www.standardwebhooks.com, the ``standardwebhooks`` package).

A *target* (``kakunin webhook add URL``) has its own ``whsec_`` secret and the event types it
takes. Each state change is written to the outbox (:func:`intake.outbox.emit`) in the
transaction of the change, one row per target, and the worker delivers it
(:func:`intake.outbox.deliver`) with the headers

- ``webhook-id``: the event's idempotency key, the same on every retry and for every target;
- ``webhook-timestamp``: the attempt's time (Unix seconds);
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` under the secret.

The body is ``{"type": …, "timestamp": …, "data": {…}}``; ``data`` holds ids, states and
codes, and a decision's masked values: never a 個人番号.
"""

from __future__ import annotations

import base64
import json
import secrets
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook

from intake.services import Services
from intake.store import outbox as store
from intake.store.db import transaction
from intake.store.outbox import Target

#: Every event a target can take, in the order a document lives them.
EVENT_TYPES = (
    "document.received",
    "document.failed",
    "document.in_review",
    "document.rejected",
    "review.completed",
    "decision.created",
    "decision.superseded",
)
#: What ``kakunin webhook test`` sends (never written to the outbox).
TEST_EVENT = "webhook.test"


class WebhookError(ValueError):
    """A target or an event type the command line cannot take (the message says why)."""


def new_secret() -> str:
    """A ``whsec_`` secret: 32 random bytes in base64 (what the specification suggests)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_url(url: str) -> str:
    """An http(s) URL with a host (urllib would open ``file:`` and ``ftp:`` too)."""
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not rest.strip("/"):
        raise WebhookError("URL は http:// または https:// で始めてください")
    return url


def check_events(events: list[str]) -> tuple[str, ...]:
    """The event types named (comma-separated or repeated); empty means all."""
    names = tuple(dict.fromkeys(n.strip() for item in events for n in item.split(",") if n.strip()))
    unknown = [n for n in names if n not in EVENT_TYPES]
    if unknown:
        raise WebhookError(f"不明なイベント: {', '.join(unknown)}（{', '.join(EVENT_TYPES)}）")
    return names


def add_target(services: Services, url: str, events: list[str]) -> tuple[Target, str]:
    """Register a target; returns it and its new secret (to be shown once)."""
    url, names = check_url(url), check_events(events)
    secret = new_secret()
    with transaction(services.sessions) as session:
        return store.add_target(session, url, secret, names), secret


def list_targets(services: Services) -> list[Target]:
    """Every target, oldest first (without secrets)."""
    with transaction(services.sessions) as session:
        return store.all_targets(session)


def remove_target(services: Services, target_id: int) -> bool:
    """Delete a target and the events still waiting for it; False when there is none."""
    with transaction(services.sessions) as session:
        return store.remove_target(session, target_id)


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signed_headers(secret: str, event_id: str, body: bytes, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt."""
    signature = Webhook(secret).sign(msg_id=event_id, timestamp=at, data=body.decode())
    return {
        "Content-Type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def post_signed(url: str, secret: str, event_id: str, payload: dict[str, Any], timeout: float) -> int:
    """POST one event, signed now; its HTTP status (2xx), or an OSError/URLError to retry."""
    body = body_of(payload)
    request = urllib.request.Request(  # noqa: S310 - check_url admits http(s) only
        check_url(url),
        data=body,
        method="POST",
        headers=signed_headers(secret, event_id, body, datetime.now(UTC)),
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
        status = int(response.status)
    if not 200 <= status < 300:
        raise urllib.error.URLError(f"HTTP {status}")
    return status


def send_test(services: Services, url: str) -> tuple[str, int]:
    """``kakunin webhook test URL``: a signed ``webhook.test`` event to a registered target,
    now, outside the outbox; its webhook-id and HTTP status (an error raises)."""
    with transaction(services.sessions) as session:
        found = store.secret_of_url(session, url)
    if found is None:
        raise WebhookError(f"登録されていない URL です: {url}（kakunin webhook add で登録してください）")
    target_id, secret = found
    event_id = f"msg_test_{secrets.token_hex(12)}"
    payload = {
        "type": TEST_EVENT,
        "timestamp": datetime.now(UTC).isoformat(),
        "data": {"target_id": target_id},
    }
    status = post_signed(url, secret, event_id, payload, services.settings.webhook_timeout_seconds)
    return event_id, status
