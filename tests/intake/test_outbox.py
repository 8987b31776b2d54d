"""Outbox: each decision reaches the webhook and the JSON Lines export exactly once, retried
after failures and surviving restarts (the rows live in the database)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from intake.events import record_event
from intake.outbox import deliver
from intake.services import Services
from intake.settings import Settings
from intake.store.db import transaction
from intake.store.models import OutboxRow


class Receiver(BaseHTTPRequestHandler):
    received: list[dict[str, object]] = []
    fail_next = 0

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if Receiver.fail_next:
            Receiver.fail_next -= 1
            self.send_response(503)
        else:
            Receiver.received.append({"key": self.headers["Idempotency-Key"], **body})
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    Receiver.received, Receiver.fail_next = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_webhook_is_retried_and_delivered_once(services: Services, webhook: str, tmp_path: Path) -> None:
    services.settings.webhook_url = webhook
    services.settings.export_dir = tmp_path / "export"
    result = record_event(services, "new_employee", {"name": "新入 一郎", "my_number": "123456789018"}, "api")
    Receiver.fail_next = 1
    now = datetime.now(UTC)
    assert deliver(services, now) == {"delivered": 1, "failed": 1}  # jsonl ok, webhook 503
    assert deliver(services, now) == {"delivered": 0, "failed": 0}  # not due yet: back-off
    assert deliver(services, now + timedelta(minutes=5)) == {"delivered": 1, "failed": 0}
    assert deliver(services, now + timedelta(hours=2)) == {"delivered": 0, "failed": 0}
    assert [r["decision_id"] for r in Receiver.received] == [1]
    assert Receiver.received[0]["key"] == "decision-1"
    assert Receiver.received[0]["values"]["my_number"] == "********9018"  # type: ignore[index]
    per_person = [
        {
            "name": "新入 一郎",
            "decision": "issue_via_employer",
            "valid_until": "2029-12-01",
            "delivery": "employer",
        }
    ]
    assert Receiver.received[0]["persons"] == per_person  # forms README §4a: decisions per person
    lines = (next((tmp_path / "export").glob("*.jsonl"))).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["record_id"] for line in lines] == [result["record_id"]]
    assert [json.loads(line)["persons"] for line in lines] == [per_person]


def test_jsonl_line_written_before_a_crash_is_not_written_twice(services: Services, tmp_path: Path) -> None:
    services.settings.export_dir = tmp_path / "export"
    record_event(services, "myna_registered", {"name": "健保 太郎"}, "api")
    deliver(services)
    with transaction(services.sessions) as session:  # as if the process died before marking the row
        session.scalars(select(OutboxRow)).one().delivered_at = None
    deliver(services)
    lines = next((tmp_path / "export").glob("*.jsonl")).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "example.org/hook"])
def test_a_webhook_url_that_is_not_http_is_refused_at_start_up(url: str) -> None:
    """GIVEN KAKUNIN_WEBHOOK_URL with another scheme (urllib would open file: and ftp: too)
    WHEN the settings are read THEN they are refused, before any decision is delivered."""
    with pytest.raises(ValidationError, match="http"):
        Settings(webhook_url=url)
    assert Settings(webhook_url="https://example.org/hook").webhook_url == "https://example.org/hook"
