"""取消 of a correction after approval in Debian's headless chromium (issue 15 item 7): an
approver reopens a validated record, types a new name and cancels: the record is validated again
with its values and the decision in force (no new decision), audited, and downstream is told;
a reviewer is offered no 取消 and cannot post one; a correction held by another is not cancelled
until its holder lets it go."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, DecisionRow, OutboxRow, RecordRow, ReviewTaskRow
from intake.webhooks import add_target
from tests.review_ui.test_browser import DOCS, _login, browser, server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.ocr]
VIEW = {"viewport": {"width": 1500, "height": 1000}, "locale": "ja-JP"}


def _reopen(page, server: str, record_id: int, reason: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/records/{record_id}")
    page.click("#reopen summary")
    page.fill("#reopen-reason", reason)
    page.click("#reopen-submit")
    page.wait_for_url(f"{server}/tasks/*notice=reopened")


def _state(services: Services, record_id: int) -> tuple[str, str, str | None, int]:
    with transaction(services.sessions) as session:
        record = session.get(RecordRow, record_id)
        assert record is not None
        task = session.scalars(select(ReviewTaskRow)).one()
        decisions = len(session.scalars(select(DecisionRow.id)).all())
        return record.status, task.status, task.claimed_by, decisions


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_reopened_record_is_cancelled_back_to_its_decision(
    app, task_id: int, server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    add_target(services, "https://downstream.example/hook", ["review.completed"])  # told of the 取消
    reviewer = browser.new_context(**VIEW).new_page()
    _login(reviewer, server, "rev")
    reviewer.goto(f"{server}/tasks/{task_id}")
    reviewer.wait_for_selector("#page-image")
    reviewer.click("#approve")
    reviewer.wait_for_url(f"{server}/records/*")
    with transaction(services.sessions) as session:
        record = session.scalars(select(RecordRow)).one()
        record_id, values = record.id, dict(record.values)
    assert _state(services, record_id) == ("validated", "done", None, 1)

    # The approver reopens it, types a new name, and cancels from the task page.
    approver = browser.new_context(**VIEW).new_page()
    _login(approver, server, "appr")
    _reopen(approver, server, record_id, "氏名の確認（誤りでなければ取消）")
    assert _state(services, record_id)[:3] == ("reopened", "claimed", "appr")
    approver.fill("#in-insured_name", "健保 次郎")
    DOCS.mkdir(parents=True, exist_ok=True)
    approver.screenshot(path=str(DOCS / "task-reopened.png"))
    approver.click("#cancel-reopen button")
    approver.wait_for_url(f"{server}/records/{record_id}?notice=cancelled")
    assert "前の判定のまま" in approver.inner_text("#record-notice")
    assert "確定" in approver.inner_text("#record-status")
    assert approver.locator("#reopening").count() == 0 and approver.locator("#cancel-reopen").count() == 0
    assert _state(services, record_id) == ("validated", "done", None, 1)  # no new decision
    with transaction(services.sessions) as session:
        record = session.get(RecordRow, record_id)
        assert record is not None
        assert {k: v for k, v in record.values.items() if k != "_reopened"} == values
        assert "_reopened" not in record.values  # never corrected: the page says nothing of it
        events = [
            (row.actor, row.detail)
            for row in session.scalars(
                select(AuditEventRow).where(AuditEventRow.action == "record_reopen_cancelled")
            )
        ]
        outbox = [row.payload for row in session.scalars(select(OutboxRow))]
    assert events and events[0][0] == "appr" and events[0][1]["record"] == record_id
    assert any(p.get("reopen_cancelled") and p.get("status") == "validated" for p in _payloads(outbox))
    assert approver.locator("#reopened").count() == 0

    # Reopened again and held by the approver: the admin's 取消 is refused until it is let go.
    _reopen(approver, server, record_id, "もう一度確認")
    admin = browser.new_context(**VIEW).new_page()
    _login(admin, server, "adm")
    admin.goto(f"{server}/records/{record_id}")
    admin.click("#cancel-reopen button")
    admin.wait_for_url(f"{server}/records/{record_id}?error=*")
    assert "他の人が訂正中" in admin.inner_text("#record-error")
    assert _state(services, record_id)[:3] == ("reopened", "claimed", "appr")
    approver.keyboard.press("Escape")
    approver.wait_for_url(f"{server}/")

    # A reviewer sees the correction under way but no 取消, and a posted one is refused.
    reviewer.goto(f"{server}/records/{record_id}")
    assert reviewer.locator("#reopening").count() == 1 and reviewer.locator("#cancel-reopen").count() == 0
    csrf = reviewer.evaluate("document.querySelector('header input[name=csrf]').value")
    reviewer.request.post(f"{server}/records/{record_id}/cancel-reopen", form={"csrf": csrf})
    assert _state(services, record_id)[:2] == ("reopened", "open")

    admin.goto(f"{server}/records/{record_id}")
    admin.click("#cancel-reopen button")
    admin.wait_for_url(f"{server}/records/{record_id}?notice=cancelled")
    assert _state(services, record_id) == ("validated", "done", None, 1)
    admin.goto(f"{server}/admin/audit?action=record_reopen_cancelled")
    rows = admin.locator("#audit-events tr").all()[1:]
    assert len(rows) == 2 and "承認後の訂正の取消" in admin.inner_text("#audit-events")
    for page in (reviewer, approver, admin):
        page.context.close()


def _payloads(outbox: list[object]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for payload in outbox:
        if isinstance(payload, dict):
            found.append(payload)
            data = payload.get("data")
            if isinstance(data, dict):
                found.append(data)
    return found


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_cancel_keeps_the_earlier_correction_and_refuses_what_it_must(
    app, task_id: int, services: Services
) -> None:  # type: ignore[no-untyped-def]
    """A record corrected once, reopened again and cancelled still says it was corrected (the
    first correction's reason) and keeps its second decision; a 取消 on a validated record, by a
    reviewer, or of a correction held by another is refused and changes nothing."""
    from tests.review_ui.conftest import login
    from tests.review_ui.test_corrections import _approve, _decision_ids, _record, _reopen, _validated

    record_id = _validated(app, task_id, services)
    csrf = login(app, "appr")
    refused = app.post(f"/records/{record_id}/cancel-reopen", data={"csrf": csrf}, follow_redirects=False)
    assert refused.headers["location"] == f"/records/{record_id}?error=cancel_state"
    assert "訂正中の記録ではないため取り消せません" in app.get(refused.headers["location"]).text
    _reopen(app, record_id, csrf, "一回目の訂正")
    _approve(app, task_id, csrf, insured_name="健保 次郎")
    decisions = _decision_ids(services)
    assert len(decisions) == 2
    _reopen(app, record_id, csrf, "二回目（取り消す）")

    csrf = login(app, "adm")
    held = app.post(f"/records/{record_id}/cancel-reopen", data={"csrf": csrf}, follow_redirects=False)
    assert held.headers["location"] == f"/records/{record_id}?error=cancel_claimed"
    csrf = login(app, "rev")
    forbidden = app.post(f"/records/{record_id}/cancel-reopen", data={"csrf": csrf}, follow_redirects=False)
    assert forbidden.headers["location"] == f"/records/{record_id}?error=cancel_forbidden"
    assert _record(services).status == "reopened"

    csrf = login(app, "appr")
    done = app.post(f"/records/{record_id}/cancel-reopen", data={"csrf": csrf}, follow_redirects=False)
    assert done.headers["location"] == f"/records/{record_id}?notice=cancelled"
    record = _record(services)
    assert record.status == "validated" and record.values["insured_name"] == "健保 次郎"
    assert record.values["_reopened"]["reason"] == "一回目の訂正"
    assert _decision_ids(services) == decisions
    page = app.get(f"/records/{record_id}").text
    assert "一回目の訂正" in page and "二回目" not in page and 'id="reopening"' not in page
