"""The OpenAPI document describes every signed webhook (issue 18: an integrator learns from
``/docs`` alone what arrives and how to verify it), and real events match their description:
the description cannot drift from what the outbox writes."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from intake.accept import accept
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import OutboxRow
from intake.webhooks import EVENT_TYPES, add_target
from tests.conftest import SAMPLES


def _fits(payload: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """What in ``payload`` the event's body schema does not allow (a small, sufficient check:
    the envelope's constant type, required keys, no undescribed ``data`` key)."""
    problems = [f"missing {key}" for key in schema["required"] if key not in payload]
    if payload.get("type") != schema["properties"]["type"]["const"]:
        problems.append(f"type {payload.get('type')}")
    data_schema = schema["properties"]["data"]
    data = payload.get("data", {})
    problems += [f"data lacks {key}" for key in data_schema["required"] if key not in data]
    problems += [f"data.{key} undescribed" for key in data if key not in data_schema["properties"]]
    return problems


def test_every_webhook_event_is_in_the_openapi_document_with_its_signature_headers(app: TestClient) -> None:
    schema = app.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert set(schema["webhooks"]) == set(EVENT_TYPES)
    for event_type, entry in schema["webhooks"].items():
        operation = entry["post"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}, event_type
        assert "whsec_" in operation["description"] and "verify" in operation["description"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["properties"]["type"]["const"] == event_type


def test_events_the_outbox_writes_match_their_description(app: TestClient, services: Services) -> None:
    add_target(services, "http://127.0.0.1:9/hook", [])
    accept(services, (SAMPLES / "sample_2025_0002_kofu_shinsei.tif").read_bytes(), "k.tif", "upload")
    accept(services, b"%PDF-1.4 broken beyond repair", "broken.pdf", "upload")
    webhooks = app.get("/openapi.json").json()["webhooks"]
    with transaction(services.sessions) as session:
        payloads = [row.payload for row in session.scalars(select(OutboxRow)) if row.event_type]
    kinds = {payload["type"] for payload in payloads}
    assert {"document.received", "document.failed"} <= kinds
    for payload in payloads:
        body = webhooks[payload["type"]]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert _fits(payload, body) == [], payload
