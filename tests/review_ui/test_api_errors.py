"""Issue 18 item 7: every API error is the one shape with a code of ``intake.errors.ErrorCode``
listed in the README, and none carries a traceback or internal detail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from intake.auth import create_api_key
from intake.errors import ErrorCode
from intake.services import Services
from intake.settings import Settings
from intake.store.db import make_engine, upgrade
from review_ui.app import create_app
from tests.conftest import REPO

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
INTERNAL_DETAIL = "/srv/secret/path.py line 42"


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    token = create_api_key(Services(settings), "k", ["read", "write"])
    app = create_app(settings)
    with TestClient(
        app, headers={"Authorization": f"Bearer {token}"}, raise_server_exceptions=False
    ) as client:
        yield client


def _requests(api: TestClient) -> list[tuple[str, object]]:
    return [
        ("GET", api.get("/api/v1/nothing-here")),
        ("DELETE", api.delete("/api/v1/documents")),
        ("GET", api.get("/api/v1/documents/0")),
        ("GET", api.get("/api/v1/documents/99")),
        ("GET", api.get("/api/v1/documents/1/pages/1")),
        ("GET", api.get("/api/v1/documents", params={"status": "bogus"})),
        ("GET", api.get("/api/v1/documents", params={"cursor": "@@"})),
        ("GET", api.get("/api/v1/documents", params={"limit": 0})),
        ("GET", api.get("/api/v1/records/abc")),
        ("GET", api.get("/api/v1/audit-events")),
        ("GET", api.get("/api/v1/status", headers={"Authorization": "Bearer wrong"})),
        ("POST", api.post("/api/v1/events", content=b"{", headers={"Content-Type": "application/json"})),
        ("POST", api.post("/api/v1/events", data={"kind": "died"})),
        ("POST", api.post("/api/v1/events", json={"kind": "wedding"})),
        ("POST", api.post("/api/v1/documents", content=b"x")),
    ]


@SQLITE
def test_every_api_error_has_a_listed_code_and_no_internal_detail(api: TestClient) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    known = {code.value for code in ErrorCode}
    for method, response in _requests(api):
        assert response.status_code >= 400, (method, response.request.url)  # type: ignore[attr-defined]
        body = response.json()  # type: ignore[attr-defined]
        code = body["error"]["code"]
        assert code in known and f"`{code}`" in readme, (response.request.url, code)  # type: ignore[attr-defined]
        assert "Traceback" not in response.text and 'File "' not in response.text  # type: ignore[attr-defined]
    assert "POST" in api.delete("/api/v1/documents").headers["allow"]


@SQLITE
def test_an_unexpected_failure_answers_internal_without_detail(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import review_ui.api.documents as documents

    def broken(_services: Services) -> dict[str, object]:
        raise RuntimeError(INTERNAL_DETAIL)

    monkeypatch.setattr(documents, "status_report", broken)
    response = api.get("/api/v1/status")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal", "message": response.json()["error"]["message"]}}
    assert INTERNAL_DETAIL not in response.text and "RuntimeError" not in response.text


def test_every_error_code_is_listed_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert [c.value for c in ErrorCode if f"`{c.value}`" not in readme] == []
