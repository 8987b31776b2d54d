"""Issue 16's attacks replayed against the app: each test fails if the attack gets through.

- item 3: a session cookie never authorises an API write; the API takes JSON only as JSON;
  the queue page's polling does not keep a session alive.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from intake.auth import create_api_key
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import DocumentRow, RecordRow, SessionRow
from tests.helpers import blank_pdf
from tests.review_ui.conftest import login

EVENT = {"kind": "new_employee", "symbol": "3003", "number": "8", "name": "新入 花子"}


def _count(services: Services, row: type[RecordRow] | type[DocumentRow]) -> int:
    with transaction(services.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(row)) or 0)


def test_a_session_cookie_never_authorises_an_api_write(app: TestClient, services: Services) -> None:
    """GIVEN a reviewer's live session cookie WHEN the browser is made to post an event (as
    text/plain, as a form and as JSON) or an upload with only that cookie THEN 401 and nothing
    is recorded or stored."""
    login(app, "rev")
    as_text = app.post(
        "/api/v1/events",
        content='{"kind": "new_employee", "symbol": "3003", "number": "8", "name": "x"}',
        headers={"Content-Type": "text/plain"},
    )
    as_form = app.post("/api/v1/events", data=EVENT)
    as_json = app.post("/api/v1/events", json=EVENT)
    upload = app.post(
        "/api/v1/documents", files={"file": ("a.pdf", blank_pdf("messhitsu"), "application/pdf")}
    )
    for response in (as_text, as_form, as_json, upload):
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "unauthorized"
    assert _count(services, RecordRow) == 0 and _count(services, DocumentRow) == 0
    assert app.get("/", follow_redirects=False).status_code == 200  # the session itself still works


def test_the_events_api_takes_json_only_as_json(app: TestClient, services: Services) -> None:
    """GIVEN a write key WHEN an event is posted as text/plain or as a form THEN 415, no record."""
    token = create_api_key(services, "writer", ["read", "write"])
    headers = {"Authorization": f"Bearer {token}"}
    as_text = app.post(
        "/api/v1/events",
        content='{"kind": "new_employee", "symbol": "3003", "number": "8", "name": "x"}',
        headers={**headers, "Content-Type": "text/plain"},
    )
    as_form = app.post("/api/v1/events", data=EVENT, headers=headers)
    for response in (as_text, as_form):
        assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"
    assert _count(services, RecordRow) == 0
    assert app.post("/api/v1/events", json=EVENT, headers=headers).status_code == 201


def _age_sessions(services: Services, idle: timedelta) -> datetime:
    seen = datetime.now(UTC) - idle
    with transaction(services.sessions) as session:
        for row in session.scalars(select(SessionRow)):
            row.last_seen_at = seen
    return seen


def _last_seen(services: Services) -> datetime:
    with transaction(services.sessions) as session:
        value = session.scalars(select(SessionRow.last_seen_at)).one()
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_the_queue_pages_polling_does_not_keep_a_session_alive(app: TestClient, services: Services) -> None:
    """GIVEN a session idle for 29 minutes WHEN the queue page's poll reads the task count
    THEN it is answered, the idle clock does not move, and a minute later the session is over."""
    login(app, "rev")
    seen = _age_sessions(services, timedelta(minutes=29))
    for _ in range(3):
        assert app.get("/api/v1/review-tasks").status_code == 200
    assert abs(_last_seen(services) - seen) < timedelta(seconds=1)
    _age_sessions(services, timedelta(minutes=31))
    assert app.get("/api/v1/review-tasks").status_code == 401
    assert app.get("/", follow_redirects=False).headers["location"] == "/login"
