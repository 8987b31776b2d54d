"""Corrections after approval and visible review time in Debian's headless chromium (issue 15
items 7 and 10): a reviewer validates a form; an approver, in another browser context, reopens
the record with a reason, corrects a name and approves: a second decision supersedes the first.
The task pages report only the time they were visible, and the statistics and audit pages are
photographed."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, DecisionRow, RecordRow
from tests.review_ui.test_browser import DOCS, _login, browser, server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.ocr]


def _until(check, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def _seen(services: Services) -> list[tuple[str, int]]:
    with transaction(services.sessions) as session:
        rows = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "task_seen"))
        return [(row.actor, int(row.detail["ms"])) for row in rows]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_approver_corrects_a_validated_record_in_the_browser(
    app, task_id: int, server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    reviewer = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    page = reviewer.new_page()
    _login(page, server, "rev")
    page.goto(f"{server}/tasks/{task_id}")
    page.wait_for_timeout(300)
    page.click("#approve")
    page.wait_for_url(f"{server}/records/*")
    with transaction(services.sessions) as session:
        record = session.scalars(select(RecordRow)).one()
        record_id, first_name = record.id, record.values["insured_name"]
    # The task page was left: its visible time went to the server as a beacon.
    assert _until(lambda: any(actor == "rev" and ms > 0 for actor, ms in _seen(services)))

    approver = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    second = approver.new_page()
    _login(second, server, "appr")
    second.goto(f"{server}/records/{record_id}")
    second.click("#reopen summary")
    second.fill("#reopen-reason", "氏名の誤り（申請者から電話）")
    second.keyboard.press("Enter")  # Enter in the reason field does not leave the page
    assert second.url == f"{server}/records/{record_id}"
    second.click("#reopen-submit")
    second.wait_for_url(f"{server}/tasks/*notice=reopened")
    assert "氏名の誤り" in second.inner_text("#reopened")
    assert second.input_value("#in-insured_name") == first_name
    second.fill("#in-insured_name", "健保 次郎")
    second.click("#approve")
    second.wait_for_url(f"{server}/records/*")
    second.goto(f"{server}/records/{record_id}")
    history = second.inner_text("#decision-history")
    with transaction(services.sessions) as session:
        record = session.get(RecordRow, record_id)
        decisions = list(session.scalars(select(DecisionRow.id).order_by(DecisionRow.id)))
        assert (
            record is not None
            and record.status == "validated"
            and record.values["insured_name"] == "健保 次郎"
        )
    assert len(decisions) == 2 and f"判定 {decisions[0]} に代わる" in history
    DOCS.mkdir(parents=True, exist_ok=True)
    second.screenshot(path=str(DOCS / "record-corrected.png"), full_page=True)
    assert _until(lambda: any(actor == "appr" and ms > 0 for actor, ms in _seen(services)))

    second.goto(f"{server}/stats")
    assert second.locator("#days-chart").count() == 1
    assert "appr" in second.inner_text("#review-time-reviewers")
    second.screenshot(path=str(DOCS / "stats.png"), full_page=True)

    admin = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    third = admin.new_page()
    _login(third, server, "adm")
    third.goto(f"{server}/admin/audit?action=record_reopened")
    assert "承認後の訂正開始" in third.inner_text("#audit-events")
    third.screenshot(path=str(DOCS / "audit.png"), full_page=True)
    reviewer.close()
    approver.close()
    admin.close()
