"""The review workflow through the screens only (issue 15 items 1–3): one state machine for
tasks and records, the second approval of a hand-corrected 個人番号 and the claims that let go.

Every step goes through HTTP as a user would make it; no test edits the database to get past
a step the product cannot do (reading rows to check the outcome is fine).
"""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, DecisionRow, RecordRow, ReviewTaskRow
from review_ui.app import create_app
from tests.review_ui.conftest import MY_NUMBER, audit_actions, login

pytestmark = pytest.mark.ocr

OTHER_NUMBER = "234567890121"  # another 個人番号 with a right check digit


def _task(services: Services, task_id: int) -> tuple[str, str | None]:
    with transaction(services.sessions) as session:
        row = session.get(ReviewTaskRow, task_id)
        assert row is not None
        return row.status, row.claimed_by


def _record(services: Services) -> RecordRow | None:
    with transaction(services.sessions) as session:
        row = session.scalars(select(RecordRow)).one_or_none()
        if row is not None:
            session.expunge(row)
        return row


def _decisions(services: Services) -> int:
    with transaction(services.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(DecisionRow)) or 0)


def _approve(client: TestClient, task_id: int, csrf: str, **fields: str) -> str:
    """Post the task's form; the redirect's target."""
    data = {"csrf": csrf} | {f"f_{k}": v for k, v in fields.items()}
    response = client.post(f"/tasks/{task_id}/approve", data=data, follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"]


def _corrected_by(client: TestClient, task_id: int, who: str, number: str = MY_NUMBER) -> None:
    """``who`` opens the task and corrects its 個人番号 by hand: it waits for a second person."""
    csrf = login(client, who)
    assert client.get(f"/tasks/{task_id}").status_code == 200
    assert _approve(client, task_id, csrf, insured_my_number=number) == "/?notice=pending_approval"


def test_a_corrected_my_number_leaves_the_reviewer_and_an_approver_approves_it(
    app: TestClient, task_id: int, services: Services
) -> None:
    """GIVEN a reviewer who corrects a 個人番号 WHEN the record waits for the second approval
    THEN the claim is released, the task is off the reviewers' queue and on the approvers'
    承認待ち list with the corrected value beside the reading, and an approver approves it."""
    _corrected_by(app, task_id, "rev")
    assert _task(services, task_id) == ("pending_approval", None)
    record = _record(services)
    assert record is not None and record.status == "pending_approval"
    assert f"/tasks/{task_id}" not in app.get("/").text  # off the reviewers' queue
    again = app.get(f"/tasks/{task_id}")
    assert again.status_code == 409 and "承認者の承認待ち" in again.text and 'href="/"' in again.text
    assert app.get("/approvals").status_code == 403  # the list is for approvers

    login(app, "appr")
    listed = app.get("/approvals")
    assert listed.status_code == 200 and f"/tasks/{task_id}" in listed.text
    row = re.search(rf'<tr id="approval-{task_id}".*?</tr>', listed.text, re.S)
    assert row is not None
    assert "個人番号" in row.group(0) and "********9018" in row.group(0) and "rev" in row.group(0)
    assert MY_NUMBER not in listed.text
    page = app.get(f"/tasks/{task_id}")
    assert page.status_code == 200 and 'id="corrections"' in page.text and 'id="return-form"' in page.text
    assert _task(services, task_id) == ("approving", "appr")
    location = _approve(app, task_id, re.search(r'name="csrf" value="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    assert location.startswith("/records/")
    record = _record(services)
    assert record is not None and record.status == "validated" and record.validated_by == "appr"
    assert record.values["insured_my_number"] == MY_NUMBER
    assert _task(services, task_id) == ("done", None)
    assert _decisions(services) == 1
    assert "task_approved" in audit_actions(services)


def test_the_reviewer_can_never_approve_their_own_correction(
    app: TestClient, task_id: int, services: Services
) -> None:
    """GIVEN an approver who corrected a 個人番号 as the first reviewer WHEN they try to give the
    second approval THEN it is refused, and another approver (the admin) gives it."""
    _corrected_by(app, task_id, "appr")
    csrf = login(app, "appr")
    assert f"/tasks/{task_id}" not in app.get("/approvals").text
    refused = app.get(f"/tasks/{task_id}")
    assert refused.status_code == 409 and "別の承認者" in refused.text
    assert "error=two_person" in _approve(app, task_id, csrf)
    record = _record(services)
    assert record is not None and record.status == "pending_approval"
    csrf = login(app, "adm")
    app.get(f"/tasks/{task_id}")
    assert _approve(app, task_id, csrf).startswith("/records/")
    record = _record(services)
    assert record is not None and record.status == "validated" and record.validated_by == "adm"


def test_a_value_changed_by_the_approver_is_a_correction_that_needs_another_person(
    app: TestClient, task_id: int, services: Services
) -> None:
    """GIVEN a 個人番号 corrected by a reviewer WHEN the approver types another number and
    approves THEN that number is not validated: it waits for a third person, who approves it."""
    _corrected_by(app, task_id, "rev")
    csrf = login(app, "appr")
    app.get(f"/tasks/{task_id}")
    assert _approve(app, task_id, csrf, insured_my_number=OTHER_NUMBER) == "/?notice=pending_approval"
    record = _record(services)
    assert record is not None and record.status == "pending_approval"
    assert record.values["insured_my_number"] == OTHER_NUMBER and record.values["_reviewed_by"] == "appr"
    assert _decisions(services) == 0
    assert _task(services, task_id) == ("pending_approval", None)
    assert "error=two_person" in _approve(app, task_id, csrf)  # not their own change
    csrf = login(app, "adm")
    app.get(f"/tasks/{task_id}")
    assert _approve(app, task_id, csrf).startswith("/records/")
    record = _record(services)
    assert record is not None and record.status == "validated" and record.validated_by == "adm"
    assert record.values["insured_my_number"] == OTHER_NUMBER


def test_a_validated_record_does_not_change_by_approving_again(
    app: TestClient, task_id: int, services: Services
) -> None:
    """GIVEN a task approved and validated WHEN a reviewer, then an approver, approve it again
    with other values THEN both are refused: one record, unchanged, and one decision."""
    csrf = login(app, "rev")
    app.get(f"/tasks/{task_id}")
    assert _approve(app, task_id, csrf, insured_name="健保 太郎").startswith("/records/")
    before = _record(services)
    assert before is not None and before.status == "validated"
    assert "error=" in _approve(app, task_id, csrf, insured_name="別人 花子")
    csrf = login(app, "rev2")
    assert "error=" in _approve(app, task_id, csrf, insured_name="別人 花子")
    csrf = login(app, "appr")
    opened = app.get(f"/tasks/{task_id}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/records/")
    assert "error=" in _approve(app, task_id, csrf, insured_my_number=OTHER_NUMBER)
    after = _record(services)
    assert after is not None and after.status == "validated" and after.values == before.values
    assert after.validated_by == "rev" and _decisions(services) == 1
    assert _task(services, task_id) == ("done", None)


def test_reject_respects_claims_and_states(app: TestClient, task_id: int, services: Services) -> None:
    """GIVEN a task claimed by one reviewer WHEN another rejects it THEN refused; a pending
    record cannot be rejected (an approver sends it back instead); a rejected task cannot then
    be approved; a validated one cannot be rejected."""
    login(app, "rev")
    app.get(f"/tasks/{task_id}")
    csrf = login(app, "rev2")
    response = app.post(
        f"/tasks/{task_id}/reject", data={"csrf": csrf, "reason": "illegible"}, follow_redirects=False
    )
    assert "error=claimed" in response.headers["location"]
    assert _task(services, task_id) == ("claimed", "rev")

    _corrected_by(app, task_id, "rev")
    csrf = login(app, "appr")
    app.get(f"/tasks/{task_id}")
    response = app.post(
        f"/tasks/{task_id}/reject", data={"csrf": csrf, "reason": "illegible"}, follow_redirects=False
    )
    assert "error=" in response.headers["location"]
    record = _record(services)
    assert record is not None and record.status == "pending_approval"
    assert _task(services, task_id) == ("approving", "appr")
    assert _approve(app, task_id, csrf).startswith("/records/")
    response = app.post(
        f"/tasks/{task_id}/reject", data={"csrf": csrf, "reason": "illegible"}, follow_redirects=False
    )
    assert "error=" in response.headers["location"]
    assert _task(services, task_id) == ("done", None)
    assert "task_rejected" not in audit_actions(services)


def test_a_rejected_task_cannot_then_be_approved(app: TestClient, task_id: int, services: Services) -> None:
    csrf = login(app, "rev")
    app.get(f"/tasks/{task_id}")
    response = app.post(
        f"/tasks/{task_id}/reject", data={"csrf": csrf, "reason": "illegible"}, follow_redirects=False
    )
    assert response.headers["location"] == "/?notice=rejected"
    assert "error=" in _approve(app, task_id, csrf)
    csrf = login(app, "appr")
    assert app.get(f"/tasks/{task_id}").status_code == 409
    assert "error=" in _approve(app, task_id, csrf)
    assert _record(services) is None and _decisions(services) == 0
    assert _task(services, task_id) == ("rejected", None)


def test_the_approver_sends_a_correction_back_with_a_reason(
    app: TestClient, task_id: int, services: Services
) -> None:
    """GIVEN a record waiting for approval WHEN the approver sends it back with a reason THEN
    the task is open again on the reviewers' queue, the reviewer sees the reason, and a reason
    is required."""
    _corrected_by(app, task_id, "rev")
    csrf = login(app, "appr")
    app.get(f"/tasks/{task_id}")
    empty = app.post(f"/tasks/{task_id}/return", data={"csrf": csrf, "reason": " "}, follow_redirects=False)
    assert "error=return_reason" in empty.headers["location"]
    response = app.post(
        f"/tasks/{task_id}/return",
        data={"csrf": csrf, "reason": "番号が画像と違います"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/approvals?notice=returned"
    assert _task(services, task_id) == ("open", None)
    record = _record(services)
    assert record is not None and record.status == "returned"
    assert "error=" in _approve(app, task_id, csrf)  # nothing to approve any more
    csrf = login(app, "rev2")
    assert f"/tasks/{task_id}" in app.get("/").text
    page = app.get(f"/tasks/{task_id}").text
    assert "番号が画像と違います" in page and "appr" in page
    assert _approve(app, task_id, csrf).startswith("/records/")  # the reading kept: no second person
    record = _record(services)
    assert record is not None and record.status == "validated" and record.validated_by == "rev2"
    assert "approval_returned" in audit_actions(services)


# --- claims that let go (item 1) -------------------------------------------------------------


def test_esc_logout_and_release_let_a_claim_go(app: TestClient, task_id: int, services: Services) -> None:
    csrf = login(app, "rev")
    page = app.get(f"/tasks/{task_id}").text
    nonce = re.search(r'data-claim="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    released = app.post(
        f"/tasks/{task_id}/release", data={"csrf": csrf, "claim": nonce}, follow_redirects=False
    )
    assert released.status_code == 303 and released.headers["location"] == "/"
    assert _task(services, task_id) == ("open", None)
    page = app.get(f"/tasks/{task_id}").text
    stale = nonce
    nonce = re.search(r'data-claim="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert nonce != stale
    # the page left before a reload sends its old claim: the new view keeps the task
    app.post(f"/tasks/{task_id}/release", data={"csrf": csrf, "claim": stale})
    assert _task(services, task_id) == ("claimed", "rev")
    app.post("/logout", data={"csrf": csrf})
    assert _task(services, task_id) == ("open", None)
    assert "claim_released" in audit_actions(services)


def test_an_approver_takes_over_a_claim_and_the_queue_shows_who_holds_what(
    app: TestClient, task_id: int, services: Services
) -> None:
    login(app, "rev")
    app.get(f"/tasks/{task_id}")
    csrf = login(app, "rev2")
    queue = app.get("/").text
    assert "rev さんが確認中" in queue and 'data-free="1"' not in queue and "/takeover" not in queue
    refused = app.post(f"/tasks/{task_id}/takeover", data={"csrf": csrf}, follow_redirects=False)
    assert "error=" in refused.headers["location"]
    assert _task(services, task_id) == ("claimed", "rev")
    csrf = login(app, "appr")
    assert f'action="/tasks/{task_id}/takeover"' in app.get("/").text
    held = app.get(f"/tasks/{task_id}")
    assert held.status_code == 409 and f"/tasks/{task_id}/takeover" in held.text
    taken = app.post(f"/tasks/{task_id}/takeover", data={"csrf": csrf}, follow_redirects=False)
    assert taken.headers["location"] == f"/tasks/{task_id}"
    assert _task(services, task_id) == ("claimed", "appr")
    with transaction(services.sessions) as session:
        event = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "claim_taken_over")).one()
        assert event.actor == "appr" and event.detail["from"] == "rev"


def test_an_idle_claim_lets_go(services: Services, task_id: int) -> None:
    services.settings.cookie_secure = False
    services.settings.claim_idle_seconds = 1.0
    from intake.auth import create_user

    for name in ("rev", "rev2"):
        create_user(services, name, "reviewer", password=f"pw-{name}-long")
    with TestClient(create_app(services.settings)) as client:
        login(client, "rev")
        client.get(f"/tasks/{task_id}")
        login(client, "rev2")
        assert client.get(f"/tasks/{task_id}").status_code == 409
        time.sleep(1.2)
        assert 'data-free="1"' in client.get("/").text
        assert client.get(f"/tasks/{task_id}").status_code == 200
    assert _task(services, task_id) == ("claimed", "rev2")
