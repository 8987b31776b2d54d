"""Claims and the state machine in Debian's headless chromium, several users in parallel browser
contexts (issue 15 items 1, 2 and 3), driven through the screens only: the queue shows who
holds what and Enter opens the first task nobody holds; Esc, leaving the page, closing the tab
and the idle timeout let a claim go; an approver takes a claim over (audited) and the former
holder's save is refused with a way back; a pending approval is out of the reviewer's hands and
nobody approves their own correction."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from intake import jobs
from intake.accept import accept
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import RecordRow, ReviewTaskRow
from intake.worker import queue_worker
from ocr.engine import OcrEngine
from tests.conftest import SAMPLES
from tests.review_ui.conftest import MY_NUMBER
from tests.review_ui.test_browser import DOCS, _login, browser, server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.ocr]
VIEW = {"viewport": {"width": 1500, "height": 1000}, "locale": "ja-JP"}


@pytest.fixture
def two_tasks(services: Services, engine: OcrEngine) -> list[int]:
    """Two review tasks of the same sample form (other bytes, the same pages), oldest first."""
    data = (SAMPLES / "sample_2025_0002_kofu_shinsei.tif").read_bytes()
    accept(services, data, "a.tif", "upload")
    accept(services, data + b"\0", "b.tif", "hotfolder")
    jobs._context = jobs.WorkerContext(services, engine)
    queue_worker(services).work(burst=True)
    jobs._context = None
    with transaction(services.sessions) as session:
        return list(session.scalars(select(ReviewTaskRow.id).order_by(ReviewTaskRow.id)))


def _until(check, seconds: float = 6.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def _held_by(page, server: str, task_id: int) -> str:  # type: ignore[no-untyped-def]
    """The 状態 cell of a task's row on a fresh load of the queue, as the user reads it."""
    page.goto(f"{server}/")
    row = page.locator("#queue tr", has=page.locator(f'a[href="/tasks/{task_id}"]'))
    return str(row.locator("td").last.inner_text()).strip()


def _free_on_queue(page, server: str, task_id: int) -> bool:  # type: ignore[no-untyped-def]
    return _held_by(page, server, task_id).startswith("未着手")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_claims_let_go_and_are_taken_over_across_contexts(
    app, two_tasks: list[int], server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    first, second = two_tasks
    a = browser.new_context(**VIEW).new_page()
    b = browser.new_context(**VIEW).new_page()
    _login(a, server, "rev")
    _login(b, server, "rev2")

    # A opens the first task: B's queue says so, and Enter on B's queue opens the second.
    a.goto(f"{server}/tasks/{first}")
    a.wait_for_selector("#page-image")
    assert _held_by(b, server, first).startswith("rev さんが確認中")
    assert _free_on_queue(b, server, second)
    assert b.locator(f'a[href="/tasks/{first}"][data-free]').count() == 0
    b.keyboard.press("Enter")
    b.wait_for_url(f"{server}/tasks/{second}")
    # B opening A's task by its link lands on a page that says who holds it, with the way back.
    probe = b.context.new_page()
    probe.goto(f"{server}/tasks/{first}")
    assert "rev さんが確認中です" in probe.inner_text("p.error")
    assert probe.locator("#takeover").count() == 0  # a reviewer cannot take it over
    probe.click("#back")
    probe.wait_for_url(f"{server}/")
    probe.close()
    b.keyboard.press("Escape")
    b.wait_for_url(f"{server}/")

    # Esc on A's task lets it go: B can open it.
    a.keyboard.press("Escape")
    a.wait_for_url(f"{server}/")
    assert _free_on_queue(b, server, first)
    b.goto(f"{server}/tasks/{first}")
    b.wait_for_selector("#page-image")
    b.keyboard.press("Escape")
    b.wait_for_url(f"{server}/")

    # A opens it again and follows a link away (pagehide beacon): let go.
    a.goto(f"{server}/tasks/{first}")
    a.wait_for_selector("#page-image")
    assert _held_by(b, server, first).startswith("rev さんが確認中")
    a.click("header a[href='/']")
    a.wait_for_url(f"{server}/")
    assert _until(lambda: _free_on_queue(b, server, first))

    # A opens it in a new tab and closes the tab: let go.
    tab = a.context.new_page()
    tab.goto(f"{server}/tasks/{first}")
    tab.wait_for_selector("#page-image")
    assert _held_by(b, server, first).startswith("rev さんが確認中")
    tab.close()
    assert _until(lambda: _free_on_queue(b, server, first))

    # Left idle past the setting: nobody's; Enter on B's queue opens it.
    services.settings.claim_idle_seconds = 2.0
    try:
        a.goto(f"{server}/tasks/{first}")
        a.wait_for_selector("#page-image")
        assert _held_by(b, server, first).startswith("rev さんが確認中")
        time.sleep(2.5)
        assert _free_on_queue(b, server, first)
        b.keyboard.press("Enter")
        b.wait_for_url(f"{server}/tasks/{first}")
        b.keyboard.press("Escape")
        b.wait_for_url(f"{server}/")
    finally:
        services.settings.claim_idle_seconds = 600.0

    # An approver takes A's claim over from the queue (audited); A's save is then refused.
    a.goto(f"{server}/tasks/{first}")
    a.wait_for_selector("#page-image")
    approver = browser.new_context(**VIEW).new_page()
    _login(approver, server, "appr")
    assert "rev さんが確認中" in _held_by(approver, server, first)
    DOCS.mkdir(parents=True, exist_ok=True)
    approver.screenshot(path=str(DOCS / "queue-holders.png"), full_page=True)
    row = approver.locator("#queue tr", has=approver.locator(f'a[href="/tasks/{first}"]'))
    row.locator("form.takeover button").click()
    approver.wait_for_url(f"{server}/tasks/{first}")
    approver.wait_for_selector("#page-image")
    assert _held_by(b, server, first).startswith("appr さんが確認中")

    a.click("#approve")
    a.wait_for_load_state()
    message = a.inner_text("main")
    assert "引き継" in message and "appr" in message, message
    assert a.locator("#back").count() == 1
    a.screenshot(path=str(DOCS / "task-taken-over.png"), full_page=True)
    a.click("#back")
    a.wait_for_url(f"{server}/")
    with transaction(services.sessions) as session:
        assert session.scalars(select(RecordRow)).first() is None  # A's values were not stored

    admin = browser.new_context(**VIEW).new_page()
    _login(admin, server, "adm")
    admin.goto(f"{server}/admin/audit?action=claim_taken_over")
    events = admin.inner_text("#audit-events")
    assert "appr" in events and "rev" in events
    for page in (a, b, approver, admin):
        page.context.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_pending_approval_leaves_the_reviewer_and_nobody_approves_their_own(
    app, two_tasks: list[int], server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    """A reviewer's corrected 個人番号 leaves their hands (not on their queue, its page refused);
    an approver who corrected one themselves sees it as their own on 承認待ち, without a link,
    cannot open it for approval, and another approver (the admin) approves it."""
    first, second = two_tasks
    reviewer = browser.new_context(**VIEW).new_page()
    _login(reviewer, server, "rev")
    reviewer.goto(f"{server}/tasks/{first}")
    reviewer.fill("#in-insured_my_number", MY_NUMBER)
    reviewer.click("#approve")
    reviewer.wait_for_url(f"{server}/tasks/{second}?notice=pending_approval")
    reviewer.keyboard.press("Escape")
    reviewer.wait_for_url(f"{server}/")
    assert reviewer.locator(f'a[href="/tasks/{first}"]').count() == 0
    reviewer.goto(f"{server}/tasks/{first}")
    refused = reviewer.inner_text("p.error")
    assert "承認" in refused, refused
    assert reviewer.locator("#approve").count() == 0 and reviewer.locator("#back").count() == 1

    approver = browser.new_context(**VIEW).new_page()
    _login(approver, server, "appr")
    approver.goto(f"{server}/tasks/{second}")
    approver.fill("#in-insured_my_number", MY_NUMBER)
    approver.click("#approve")
    approver.wait_for_url(f"{server}/?notice=pending_approval")
    approver.goto(f"{server}/approvals")
    own = approver.inner_text(f"#approval-{second}")
    assert "ご自身の訂正" in own
    assert approver.locator(f'#approval-{second} a[href="/tasks/{second}"]').count() == 0
    approver.goto(f"{server}/tasks/{second}")
    refused = approver.inner_text("p.error")
    assert "別の承認者" in refused, refused
    assert approver.locator("#approve").count() == 0
    with transaction(services.sessions) as session:
        status = session.get(ReviewTaskRow, second).status  # type: ignore[union-attr]
    assert status == "pending_approval"

    admin = browser.new_context(**VIEW).new_page()
    _login(admin, server, "adm")
    admin.goto(f"{server}/approvals")
    admin.click(f'#approval-{second} a[href="/tasks/{second}"]')
    admin.wait_for_url(f"{server}/tasks/{second}")
    admin.wait_for_selector("#corrections")
    admin.keyboard.press("Control+Enter")
    # Approved: the next approval waiting (the reviewer's) opens.
    admin.wait_for_url(f"{server}/tasks/{first}?done=*")
    with transaction(services.sessions) as session:
        record = session.scalars(select(RecordRow).where(RecordRow.validated_by.is_not(None))).one()
    assert record.validated_by == "adm" and record.values["_reviewed_by"] == "appr"
    for page in (reviewer, approver, admin):
        page.context.close()
