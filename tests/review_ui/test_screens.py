"""Review screens: login, CSRF, claim, keyboard form post, two-person rule, masking, audit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from intake.services import Services
from intake.store.db import transaction
from intake.store.models import DecisionRow, DocumentRow, RecordRow, ReviewTaskRow
from tests.conftest import SAMPLES
from tests.review_ui.conftest import MY_NUMBER, audit_actions, login, login_token, set_my_number

pytestmark = pytest.mark.ocr


def test_wrong_password_is_refused_and_repeated_failures_lock(app: TestClient) -> None:
    csrf = login_token(app)
    for _ in range(5):
        response = app.post(
            "/login", data={"username": "rev", "password": "nope", "csrf": csrf}, follow_redirects=False
        )
        assert response.headers["location"] == "/login?error=invalid"
    response = app.post(
        "/login", data={"username": "rev", "password": "pw-rev-long", "csrf": csrf}, follow_redirects=False
    )
    assert response.headers["location"] == "/login?error=locked"


def test_queue_and_task_pages_show_the_form_with_doubtful_fields_first(
    app: TestClient, task_id: int, services: Services
) -> None:
    login(app, "rev")
    queue = app.get("/")
    assert "資格確認書（新規・再）交付申請書" in queue.text and f"/tasks/{task_id}" in queue.text
    page = app.get(f"/tasks/{task_id}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "承認 (Ctrl+Enter)" in page.text and "/images/" in page.text
    assert "task_viewed" in audit_actions(services)
    login(app, "rev2")  # claimed by rev: a second reviewer is turned away
    assert app.get(f"/tasks/{task_id}").status_code == 409


def test_my_number_is_masked_and_only_an_approver_may_reveal(
    app: TestClient, task_id: int, services: Services
) -> None:
    set_my_number(services, MY_NUMBER)
    csrf = login(app, "rev")
    page = app.get(f"/tasks/{task_id}").text
    assert MY_NUMBER not in page and "********9018" in page
    denied = app.post(f"/tasks/{task_id}/reveal", data={"field": "insured_my_number", "csrf": csrf})
    assert denied.status_code == 403 and "my_number_reveal_refused" in audit_actions(services)
    csrf = login(app, "appr")
    shown = app.post(f"/tasks/{task_id}/reveal", data={"field": "insured_my_number", "csrf": csrf})
    assert shown.json() == {"value": MY_NUMBER}
    assert "my_number_revealed" in audit_actions(services)


def test_post_without_csrf_token_is_refused(app: TestClient, task_id: int) -> None:
    login(app, "rev")
    response = app.post(f"/tasks/{task_id}/approve", data={"f_insured_name": "x"}, follow_redirects=False)
    assert response.status_code == 403


def test_approve_with_a_correction_creates_a_validated_record_and_a_decision(
    app: TestClient, task_id: int, services: Services
) -> None:
    csrf = login(app, "rev")
    app.get(f"/tasks/{task_id}")
    response = app.post(
        f"/tasks/{task_id}/approve",
        data={"csrf": csrf, "f_insured_name": "健保 太郎"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/records/")
    page = app.get(response.headers["location"]).text
    assert "判定" in page and 'id="decision-persons"' in page  # forms README §4a: per person
    with transaction(services.sessions) as session:
        record = session.scalars(select(RecordRow)).one()
        decision = session.scalars(select(DecisionRow)).one()
        document = session.get(DocumentRow, record.document_id)
        assert record.status == "validated" and record.validated_by == "rev"
        assert record.values["insured_name"] == "健保 太郎" and "insured_name" in record.values["_corrected"]
        assert decision.decision and decision.outcomes
        assert decision.persons and all(p["name"] in page for p in decision.persons)
        assert document is not None and document.status == "validated"


def test_an_applicant_error_left_at_approval_asks_for_documents_naming_it(
    app: TestClient, task_id: int, services: Services
) -> None:
    """GIVEN the sample reissue (SK-01) WHEN it is approved with its 振込日 blank THEN the record
    is decided needs_documents, naming the 振込日, and no card is issued (forms README §4a)."""
    csrf = login(app, "rev")
    app.get(f"/tasks/{task_id}")
    response = app.post(
        f"/tasks/{task_id}/approve", data={"csrf": csrf, "f_fee_transfer_date": ""}, follow_redirects=False
    )
    page = app.get(response.headers["location"]).text
    with transaction(services.sessions) as session:
        decision = session.scalars(select(DecisionRow)).one()
        assert decision.decision == "needs_documents"
        assert any("fee_transfer_date" in o["facts"].get("missing", []) for o in decision.outcomes)
        assert not any(o["rule"] == "R13" for o in decision.outcomes)
    assert "振込日" in page


def test_reject_marks_the_document_and_the_api_shows_the_reason(
    app: TestClient, task_id: int, services: Services
) -> None:
    csrf = login(app, "rev")
    app.get(f"/tasks/{task_id}")
    app.post(f"/tasks/{task_id}/reject", data={"csrf": csrf, "reason": "illegible"})
    with transaction(services.sessions) as session:
        document_id = session.get(ReviewTaskRow, task_id).document_id  # type: ignore[union-attr]
    body = app.get(f"/api/v1/documents/{document_id}").json()
    assert body["status"] == "rejected" and body["error"]["code"] == "rejected_illegible"


def test_audit_page_is_for_admins_only(app: TestClient, task_id: int) -> None:
    login(app, "rev")
    assert app.get("/admin/audit").status_code == 403
    login(app, "adm")
    page = app.get("/admin/audit")
    assert page.status_code == 200 and "操作記録" in page.text and "login" in page.text


def test_records_and_decisions_through_the_api(app: TestClient, task_id: int, services: Services) -> None:
    set_my_number(services, MY_NUMBER)
    csrf = login(app, "rev")
    app.get(f"/tasks/{task_id}")
    location = app.post(f"/tasks/{task_id}/approve", data={"csrf": csrf}, follow_redirects=False).headers[
        "location"
    ]
    record_id = int(location.split("/")[2].split("?")[0])
    record = app.get(f"/api/v1/records/{record_id}").json()
    assert record["status"] == "validated" and record["validated_by"] == "rev"
    assert record["values"]["insured_my_number"] == "********9018"
    assert record["decision"]["outcomes"] and all(
        o["rule"].startswith("R") for o in record["decision"]["outcomes"]
    )
    listed = app.get("/api/v1/records", params={"status": "validated"}).json()["items"]
    assert [r["id"] for r in listed] == [record_id]
    assert app.get("/api/v1/decisions").json()["items"][0]["record_id"] == record_id


def test_end_to_end_upload_to_decision_through_the_api(app: TestClient, services: Services, engine) -> None:  # type: ignore[no-untyped-def]
    from intake import jobs
    from intake.auth import create_api_key
    from intake.worker import queue_worker

    token = create_api_key(services, "e2e", ["read", "write"])
    headers = {"Authorization": f"Bearer {token}"}
    sample = SAMPLES / "sample_2025_0003_messhitsu.pdf"
    uploaded = app.post(
        "/api/v1/documents",
        files={"file": (sample.name, sample.read_bytes(), "application/pdf")},
        headers=headers,
    )
    assert uploaded.status_code == 202
    jobs._context = jobs.WorkerContext(services, engine)
    queue_worker(services).work(burst=True)
    jobs._context = None
    document = app.get(f"/api/v1/documents/{uploaded.json()['id']}", headers=headers).json()
    assert (
        document["status"] == "in_review" and document["extraction"]["documents"][0]["form_id"] == "messhitsu"
    )
    with transaction(services.sessions) as session:
        task_id = session.scalars(select(ReviewTaskRow.id)).one()
    csrf = login(app, "rev")
    app.get(f"/tasks/{task_id}")
    app.post(f"/tasks/{task_id}/approve", data={"csrf": csrf})
    records = app.get("/api/v1/records", headers=headers).json()["items"]
    assert (
        records and records[0]["decision"]["decision"] == "withdraw"
    )  # 滅失届: the lost card is invalidated (R7/R12)
    assert {o["rule"] for o in records[0]["decision"]["outcomes"]} & {"R7", "R12"}
