"""Signed webhooks for every state change (issue 18 item 5), and the snapshot of a decision
superseded before its delivery (issue 15 item 7).

A real HTTP receiver on 127.0.0.1 verifies every request with
``standardwebhooks.Webhook(secret).verify`` and counts each ``webhook-id`` it accepts: an
event arrives once, with the same id on its retry. No payload carries a 個人番号.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from typer.testing import CliRunner

from extractors.model import FormReading
from intake import jobs
from intake.accept import accept
from intake.auth import User
from intake.cli import app as cli
from intake.events import record_event
from intake.health import snapshot
from intake.outbox import deliver
from intake.review import approve, claim, reject, reopen
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import OutboxRow, RecordRow, ReviewTaskRow
from intake.webhooks import EVENT_TYPES, WebhookError, add_target, list_targets, remove_target
from intake.worker import queue_worker
from ocr.engine import OcrEngine
from tests.conftest import SAMPLES
from tests.helpers import document_in_processing

MY_NUMBER = "123456789018"
REV = User(1, "rev", "reviewer", False)
APPR = User(3, "appr", "approver", False)


@dataclass
class Receiver:
    """What the test receiver saw: every attempt (id, status answered), each id it accepted."""

    secret: str = ""
    fail_next: int = 0
    attempts: list[tuple[str, int]] = field(default_factory=list)
    accepted: Counter[str] = field(default_factory=Counter)
    events: list[dict[str, Any]] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    url: str = ""

    def types(self) -> list[str]:
        return [e["type"] for e in self.events]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    seen = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            headers = {k.lower(): v for k, v in self.headers.items()}
            with lock:
                seen.bodies.append(body)
                try:
                    event = Webhook(seen.secret).verify(body, headers)
                except WebhookVerificationError as exc:
                    seen.refused.append(str(exc))
                    status = 400
                else:
                    if seen.fail_next:
                        seen.fail_next -= 1
                        status = 503
                    else:
                        if headers["webhook-id"] not in seen.accepted:  # a consumer keeps the first
                            seen.events.append(event)
                        seen.accepted[headers["webhook-id"]] += 1
                        status = 204
                seen.attempts.append((headers["webhook-id"], status))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    seen.url = f"http://127.0.0.1:{server.server_address[1]}/kakunin"
    yield seen
    server.shutdown()
    server.server_close()


def _registered(services: Services, receiver: Receiver, events: list[str] | None = None) -> int:
    target, secret = add_target(services, receiver.url, events or [])
    assert secret.startswith("whsec_")
    receiver.secret = secret
    return target.id


def _no_my_number(receiver: Receiver, *more: str) -> None:
    for text in (*receiver.bodies, *more):
        assert MY_NUMBER not in text


def test_a_signed_event_arrives_once_with_the_same_id_across_a_retry(
    services: Services, receiver: Receiver
) -> None:
    """GIVEN a registered receiver WHEN a decision is made and the first delivery answers 503
    THEN the failure is recorded (and counted for /metrics), the retry waits for its back-off
    and carries the same webhook-id, the receiver verifies the signature and accepts the event
    once, and the masked values hold no 個人番号."""
    target_id = _registered(services, receiver)
    record_event(services, "new_employee", {"name": "新入 一郎", "my_number": MY_NUMBER}, "api")
    receiver.fail_next = 1
    now = datetime.now(UTC)
    assert deliver(services, now) == {"delivered": 0, "failed": 1}
    with transaction(services.sessions) as session:
        row = session.scalars(select(OutboxRow)).one()
        assert row.target == f"hook:{target_id}" and row.attempts == 1 and "503" in (row.last_error or "")
    assert snapshot(services).outbox_failing == {f"hook:{target_id}": 1}
    assert deliver(services, now) == {"delivered": 0, "failed": 0}  # not due yet: back-off
    assert deliver(services, now + timedelta(minutes=5)) == {"delivered": 1, "failed": 0}
    assert deliver(services, now + timedelta(hours=2)) == {"delivered": 0, "failed": 0}

    assert receiver.refused == []
    (first, failed), (second, ok) = receiver.attempts
    assert first == second and first.startswith("msg_") and (failed, ok) == (503, 204)
    assert receiver.accepted == Counter({first: 1})
    (event,) = receiver.events
    assert event["type"] == "decision.created"
    assert event["data"]["values"]["my_number"] == "********9018"
    assert event["data"]["decision"] and event["data"]["record_id"] and "supersedes" not in event["data"]
    _no_my_number(receiver)


def test_another_secret_does_not_verify(services: Services, receiver: Receiver) -> None:
    """GIVEN a receiver that holds another target's secret WHEN an event is delivered THEN its
    signature does not verify (each target signs with its own secret)."""
    _registered(services, receiver)
    other, other_secret = add_target(services, receiver.url + "/other", [])
    receiver.secret = other_secret
    record_event(services, "myna_registered", {"name": "健保 太郎"}, "api")
    deliver(services)
    assert receiver.refused == ["No matching signature found"]  # the first target's delivery
    (event_id, refused), (same_id, accepted) = receiver.attempts  # one event, one id for both
    assert event_id == same_id and (refused, accepted) == (400, 204)
    assert receiver.accepted == Counter({event_id: 1}) and other.id > 1


def test_a_target_takes_only_its_event_types_and_the_command_line_manages_it(
    services: Services, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN `kakunin webhook add URL --events document.failed` WHEN a document fails at intake
    and another is received THEN only the failure goes to it, with its code; `list` never shows
    the secret, `test URL` sends a signed webhook.test, `remove` deletes it and its waiting
    events; an unknown event type or a non-http URL is refused."""
    monkeypatch.setattr("intake.webhook_cli.load_settings", lambda: services.settings)
    runner = CliRunner()
    added = runner.invoke(cli, ["webhook", "add", receiver.url, "--events", "document.failed"])
    assert added.exit_code == 0, added.output
    receiver.secret = added.output.split(": ")[-1].strip()
    assert receiver.secret.startswith("whsec_")
    listed = runner.invoke(cli, ["webhook", "list"])
    assert json.loads(listed.output)["events"] == ["document.failed"]
    assert receiver.secret not in listed.output

    failed = accept(services, b"%PDF-1.4 broken beyond repair", "broken.pdf", "upload").document
    accept(services, (SAMPLES / "sample_2025_0002_kofu_shinsei.tif").read_bytes(), "k.tif", "upload")
    assert deliver(services)["delivered"] == 1
    (event,) = receiver.events
    assert event["type"] == "document.failed"
    assert event["data"] == {
        "document_id": failed.id,
        "status": "failed",
        "source": "upload",
        "code": failed.error_code,
    }
    assert failed.error_code

    tested = runner.invoke(cli, ["webhook", "test", receiver.url])
    assert tested.exit_code == 0, tested.output
    assert receiver.types() == ["document.failed", "webhook.test"] and receiver.refused == []
    assert runner.invoke(cli, ["webhook", "test", "http://127.0.0.1:9/nobody"]).exit_code == 1

    refused = runner.invoke(cli, ["webhook", "add", receiver.url, "--events", "document.eaten"])
    assert refused.exit_code == 1 and "document.eaten" in refused.output
    with pytest.raises(WebhookError):
        add_target(services, "file:///etc/passwd", [])

    accept(services, b"%PDF-1.4 another broken one", "broken2.pdf", "upload")  # waits for it
    (target,) = list_targets(services)
    assert runner.invoke(cli, ["webhook", "remove", str(target.id)]).exit_code == 0
    assert list_targets(services) == [] and not remove_target(services, target.id)
    with transaction(services.sessions) as session:
        assert session.scalars(select(OutboxRow).where(OutboxRow.delivered_at.is_(None))).all() == []


def _task(services: Services, document_id: int) -> int:
    with transaction(services.sessions) as session:
        return int(
            session.scalars(select(ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)).one()
        )


def _record_id(services: Services) -> int:
    with transaction(services.sessions) as session:
        return int(session.scalars(select(RecordRow.id)).one())


@pytest.mark.ocr
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_state_change_of_a_document_is_one_signed_event(
    services: Services, engine: OcrEngine, receiver: Receiver, tmp_path: Path
) -> None:
    """GIVEN a receiver for every event type WHEN a scan is received, read (in review), approved
    (decision, review completed), reopened and approved again with a corrected name (a new
    decision superseding the first), and another document is rejected THEN each change is one
    signed event, in order, accepted once; none carries a 個人番号. The first decision, not yet
    delivered when it was superseded, still goes out with its own values (the JSON Lines
    export too), then the new one naming it."""
    _registered(services, receiver)
    services.settings.export_dir = tmp_path / "export"
    document = accept(
        services, (SAMPLES / "sample_2025_0002_kofu_shinsei.tif").read_bytes(), "k.tif", "upload"
    ).document
    jobs._context = jobs.WorkerContext(services, engine)
    try:
        queue_worker(services).work(burst=True)
    finally:
        jobs._context = None
    task_id = _task(services, document.id)
    today = date.today()
    claim(services, task_id, REV)
    approve(services, task_id, REV, {"insured_name": "健保 太郎"}, today)
    record_id = _record_id(services)
    reopen(services, record_id, APPR, "氏名の誤り")
    approve(services, task_id, APPR, {"insured_name": "健保 次郎"}, today)

    with transaction(services.sessions) as session:  # a page of no known form, as read
        other = document_in_processing(session, "other.tif", sha="d" * 64)
        repo.save_extraction(session, other, {"forms": []}, [FormReading(None, None, (1,))], [], "test")
    other_task = _task(services, other)
    claim(services, other_task, REV)
    reject(services, other_task, REV, "wrong_form")

    assert deliver(services)["failed"] == 0
    assert receiver.refused == []
    assert receiver.types() == [
        "document.received",
        "document.in_review",
        "decision.created",
        "review.completed",
        "document.in_review",
        "decision.created",
        "decision.superseded",
        "review.completed",
        "document.rejected",
    ]
    assert receiver.events[-1]["data"] == {
        "document_id": other,
        "status": "rejected",
        "code": "rejected_wrong_form",
    }
    assert set(receiver.accepted.values()) == {1} and len(receiver.accepted) == len(receiver.events)
    first, second = (e["data"] for e in receiver.events if e["type"] == "decision.created")
    assert first["values"]["insured_name"] == "健保 太郎" and "supersedes" not in first
    assert second["values"]["insured_name"] == "健保 次郎" and second["supersedes"] == first["decision_id"]
    superseded = next(e["data"] for e in receiver.events if e["type"] == "decision.superseded")
    assert superseded == {
        "decision_id": first["decision_id"],
        "superseded_by": second["decision_id"],
        "record_id": record_id,
        "document_id": document.id,
    }
    assert receiver.events[4]["data"] == {
        "document_id": document.id,
        "status": "in_review",
        "record_id": record_id,
        "reopened": True,
    }
    lines = [json.loads(x) for p in (tmp_path / "export").glob("*.jsonl") for x in p.read_text().splitlines()]
    assert [(x["decision_id"], x["values"]["insured_name"]) for x in lines] == [
        (first["decision_id"], "健保 太郎"),
        (second["decision_id"], "健保 次郎"),
    ]
    _no_my_number(receiver, *map(json.dumps, lines))
    assert {e["type"] for e in receiver.events} | {"document.failed"} == set(EVENT_TYPES)
