"""The HTTP API: upload answers 202 with an id, the same bytes give the same id, errors have codes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from intake.auth import create_api_key
from intake.services import Services
from intake.settings import Settings
from intake.store import repo
from intake.store.db import make_engine, transaction, upgrade
from review_ui.app import create_app
from tests.helpers import blank_pdf


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """An API client holding a read+write key (no 個人番号 scope)."""
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    token = create_api_key(Services(settings), "scanner", ["read", "write"])
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {token}"}) as test_client:
        yield test_client


def test_api_needs_a_key_and_the_right_scope(settings: Settings, client: TestClient) -> None:
    anonymous = TestClient(create_app(settings))
    response = anonymous.post(
        "/api/v1/documents", files={"file": ("a.pdf", blank_pdf("messhitsu"), "application/pdf")}
    )
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    assert anonymous.get("/api/v1/review-tasks", headers={"Authorization": "Bearer nope"}).status_code == 401
    reader = create_api_key(Services(settings), "reader", ["read"])
    forbidden = anonymous.post(
        "/api/v1/documents",
        headers={"Authorization": f"Bearer {reader}"},
        files={"file": ("a.pdf", blank_pdf("messhitsu"), "application/pdf")},
    )
    assert forbidden.status_code == 403


def test_my_number_is_masked_unless_the_key_has_the_scope(settings: Settings, client: TestClient) -> None:
    services = Services(settings)
    document_id = client.post(
        "/api/v1/documents", files={"file": ("a.pdf", blank_pdf("kofu_shinsei"), "application/pdf")}
    ).json()["id"]
    extraction = {
        "source": "a.pdf",
        "error": None,
        "documents": [
            {
                "form_id": "kofu_shinsei",
                "fields": {
                    "insured_my_number": {"value": "123456789018", "confidence": 1.0, "needs_review": False}
                },
                "findings": [],
            }
        ],
    }
    with transaction(services.sessions) as session:
        repo.save_extraction(session, document_id, extraction, [], [], "test")
    masked = client.get(f"/api/v1/documents/{document_id}").json()
    assert masked["extraction"]["documents"][0]["fields"]["insured_my_number"]["value"] == "********9018"
    full_key = create_api_key(services, "payroll", ["read", "my_number"])
    full = client.get(
        f"/api/v1/documents/{document_id}", headers={"Authorization": f"Bearer {full_key}"}
    ).json()
    assert full["extraction"]["documents"][0]["fields"]["insured_my_number"]["value"] == "123456789018"


def test_upload_gives_202_and_the_same_bytes_the_same_id(client: TestClient) -> None:
    data = blank_pdf("hifuyosha_ido")
    first = client.post("/api/v1/documents", files={"file": ("scan.pdf", data, "application/pdf")})
    second = client.post("/api/v1/documents", files={"file": ("again.pdf", data, "application/pdf")})
    assert first.status_code == 202 and second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["duplicate"] is True
    body = client.get(f"/api/v1/documents/{first.json()['id']}").json()
    assert body["status"] == "received" and body["error"] is None


def test_empty_upload_is_refused_with_a_code(client: TestClient) -> None:
    response = client.post("/api/v1/documents", files={"file": ("empty.pdf", b"", "application/pdf")})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "empty"


def test_oversized_upload_is_refused(client: TestClient, settings: Settings) -> None:
    settings.limits.max_bytes = 1000
    response = client.post(
        "/api/v1/documents", files={"file": ("big.pdf", b"%PDF-" + b"0" * 5000, "application/pdf")}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_text_file_named_pdf_is_a_failed_document_with_a_reason(client: TestClient) -> None:
    response = client.post("/api/v1/documents", files={"file": ("letter.pdf", b"hello", "application/pdf")})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unsupported_type"
    document = client.get(f"/api/v1/documents/{response.json()['id']}").json()
    assert document["status"] == "failed" and document["error"]["code"] == "unsupported_type"


def test_unknown_document_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/documents/999999").status_code == 404  # see also the error-shape test


def test_screens_need_a_login_and_send_security_headers(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    response = client.get("/login")
    assert "ログイン" in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_events_api_records_a_new_employee(client: TestClient) -> None:
    response = client.post(
        "/api/v1/events", json={"kind": "new_employee", "symbol": "3003", "number": "8", "name": "新入 花子"}
    )
    assert response.status_code == 201
    assert response.json()["decision"] == "issue_via_employer"
    record = client.get(f"/api/v1/records/{response.json()['record_id']}").json()
    assert record["decision"]["decision"] == "issue_via_employer"
    bad = client.post("/api/v1/events", json={"kind": "wedding"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_event"


def test_api_errors_share_one_json_shape(client: TestClient) -> None:
    missing = client.get("/api/v1/documents/999999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    invalid = client.get("/api/v1/records", params={"limit": 100000})
    assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "invalid_request"


def test_records_filter_by_date(client: TestClient) -> None:
    client.post(
        "/api/v1/events", json={"kind": "new_employee", "symbol": "3003", "number": "9", "name": "日付 太郎"}
    )
    assert len(client.get("/api/v1/records", params={"since": "2000-01-01"}).json()["items"]) == 1
    assert client.get("/api/v1/records", params={"until": "2000-01-01"}).json()["items"] == []
