"""Corrections after approval through the screens (issue 15 item 7): an approver or admin
reopens a validated record with a reason; approved again, it gets a new decision that
supersedes the one in force, delivered downstream as a new event naming it; all audited.

Every step is an HTTP request a user makes; the database is only read, to check the outcome.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from intake.outbox import deliver
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, DecisionRow, DocumentRow, RecordRow, ReviewTaskRow
from tests.review_ui.conftest import MY_NUMBER, login

pytestmark = pytest.mark.ocr


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _approve(client: TestClient, task_id: int, csrf: str, **fields: str) -> str:
    data = {"csrf": csrf} | {f"f_{k}": v for k, v in fields.items()}
    response = client.post(f"/tasks/{task_id}/approve", data=data, follow_redirects=False)
    assert response.status_code == 303
    return str(response.headers["location"])


def _reopen(client: TestClient, record_id: int, csrf: str, reason: str) -> str:
    response = client.post(
        f"/records/{record_id}/reopen", data={"csrf": csrf, "reason": reason}, follow_redirects=False
    )
    assert response.status_code == 303
    return str(response.headers["location"])


def _record(services: Services) -> RecordRow:
    with transaction(services.sessions) as session:
        row = session.scalars(select(RecordRow)).one()
        session.expunge(row)
        return row


def _decision_ids(services: Services) -> list[int]:
    with transaction(services.sessions) as session:
        return list(session.scalars(select(DecisionRow.id).order_by(DecisionRow.id)))


def _task_state(services: Services, task_id: int) -> tuple[str, str | None]:
    with transaction(services.sessions) as session:
        row = session.get(ReviewTaskRow, task_id)
        assert row is not None
        return row.status, row.claimed_by


def _audit(services: Services, action: str) -> list[dict[str, Any]]:
    with transaction(services.sessions) as session:
        return [
            {"actor": e.actor, **e.detail}
            for e in session.scalars(select(AuditEventRow).where(AuditEventRow.action == action))
        ]


def _validated(client: TestClient, task_id: int, services: Services) -> int:
    """A reviewer approves the task as read (the name retyped): the record is validated."""
    csrf = login(client, "rev")
    client.get(f"/tasks/{task_id}")
    assert _approve(client, task_id, csrf, insured_name="健保 太郎").startswith("/records/")
    record = _record(services)
    assert record.status == "validated"
    return record.id


def _events(directory: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted(directory.glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def test_an_approver_reopens_a_validated_record_and_its_new_decision_supersedes_the_old(
    app: TestClient, task_id: int, services: Services, tmp_path: Path
) -> None:
    """GIVEN a validated record whose decision went downstream WHEN an approver reopens it with
    a reason, corrects a name and approves THEN the record is validated again with the new
    name, a second decision names the first it supersedes, a new event carries it downstream,
    and the reopening and the approval are in the audit log."""
    services.settings.export_dir = tmp_path / "export"
    record_id = _validated(app, task_id, services)
    assert deliver(services)["delivered"] == 1
    (first,) = _decision_ids(services)

    csrf = login(app, "appr")
    page = app.get(f"/records/{record_id}").text
    assert 'id="reopen"' in page
    assert "error=invalid" in _reopen(app, record_id, csrf, "  ")
    assert _record(services).status == "validated"
    location = _reopen(app, record_id, csrf, "氏名の誤り（申請者から電話）")
    assert location == f"/tasks/{task_id}?notice=reopened"
    assert _record(services).status == "reopened" and _task_state(services, task_id) == ("claimed", "appr")
    with transaction(services.sessions) as session:
        document = session.scalars(select(DocumentRow)).one()
        assert document.status == "in_review"
    (reopened,) = _audit(services, "record_reopened")
    assert reopened["actor"] == "appr" and reopened["reason"] == "氏名の誤り（申請者から電話）"
    assert reopened["decision"] == first and reopened["record"] == record_id

    task_page = app.get(location).text
    assert 'id="reopened"' in task_page and "氏名の誤り" in task_page
    assert 'value="健保 太郎"' in task_page  # the value validated, not the reading
    assert 'id="reopening"' in app.get(f"/records/{record_id}").text
    assert _approve(app, task_id, _csrf(task_page), insured_name="健保 次郎").startswith("/records/")

    record = _record(services)
    assert record.status == "validated" and record.validated_by == "appr"
    assert record.values["insured_name"] == "健保 次郎"
    first_again, second = _decision_ids(services)
    assert first_again == first and second > first
    approved = _audit(services, "task_approved")
    assert approved[-1]["actor"] == "appr" and approved[-1]["supersedes"] == first
    with transaction(services.sessions) as session:
        assert session.scalars(select(DocumentRow)).one().status == "validated"

    assert deliver(services)["delivered"] == 1
    old, new = _events(tmp_path / "export")
    assert old["decision_id"] == first and "supersedes" not in old
    assert new["decision_id"] == second and new["supersedes"] == first and new["record_id"] == record_id
    assert new["values"]["insured_name"] == "健保 次郎"

    history = app.get(f"/records/{record_id}").text
    assert 'id="decision-history"' in history and f"判定 {first} に代わる" in history


def test_only_an_approver_or_admin_reopens_and_only_a_validated_record(
    app: TestClient, task_id: int, services: Services
) -> None:
    """A reviewer is refused (and offered no button); a record already reopened cannot be
    reopened again; the reopened task cannot be rejected (its decision went downstream: only a
    new decision replaces it); another reviewer cannot take the reopener's claim."""
    record_id = _validated(app, task_id, services)
    csrf = login(app, "rev")
    assert 'id="reopen"' not in app.get(f"/records/{record_id}").text
    assert "error=forbidden" in _reopen(app, record_id, csrf, "直したい")
    assert _record(services).status == "validated" and not _audit(services, "record_reopened")

    csrf = login(app, "adm")
    assert _reopen(app, record_id, csrf, "生年月日の誤り").startswith(f"/tasks/{task_id}")
    assert "error=" in _reopen(app, record_id, csrf, "もう一度")
    page = app.get(f"/tasks/{task_id}").text
    refused = app.post(
        f"/tasks/{task_id}/reject", data={"csrf": _csrf(page), "reason": "other"}, follow_redirects=False
    )
    assert "error=state" in refused.headers["location"]
    assert _record(services).status == "reopened" and _task_state(services, task_id) == ("claimed", "adm")

    login(app, "rev2")
    assert app.get(f"/tasks/{task_id}").status_code == 409


def test_a_my_number_corrected_after_approval_needs_another_person(
    app: TestClient, task_id: int, services: Services
) -> None:
    """GIVEN a validated record reopened by an approver WHEN they type another 個人番号 THEN it
    waits for a second person (not them); the admin approves it and the new decision
    supersedes the first."""
    record_id = _validated(app, task_id, services)
    (first,) = _decision_ids(services)
    csrf = login(app, "appr")
    location = _reopen(app, record_id, csrf, "個人番号の誤り")
    app.get(location)
    assert _approve(app, task_id, csrf, insured_my_number=MY_NUMBER) == "/?notice=pending_approval"
    assert _record(services).status == "pending_approval" and _decision_ids(services) == [first]
    assert "error=two_person" in _approve(app, task_id, csrf)

    csrf = login(app, "adm")
    assert f"/tasks/{task_id}" in app.get("/approvals").text
    page = app.get(f"/tasks/{task_id}").text
    assert 'id="reopened"' in page
    assert _approve(app, task_id, _csrf(page)).startswith("/records/")
    record = _record(services)
    assert record.status == "validated" and record.values["insured_my_number"] == MY_NUMBER
    assert len(_decision_ids(services)) == 2
    assert _audit(services, "task_approved")[-1]["supersedes"] == first
