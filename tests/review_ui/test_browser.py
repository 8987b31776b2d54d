"""The real app in headless Chromium (Debian's package; no browser download): a clerk logs in,
opens the queue, corrects a field and approves with the keyboard only, and sees the result;
a reviewer never sees a 個人番号 in full."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select

from intake.services import Services
from intake.store.db import transaction
from intake.store.models import RecordRow
from review_ui.app import create_app
from tests.conftest import IN_CI, free_port
from tests.review_ui.conftest import MY_NUMBER, set_my_number

pytestmark = [pytest.mark.browser, pytest.mark.ocr]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Where the screens are photographed: a temporary folder, so a test run leaves the checkout
#: as it was; `KAKUNIN_SCREENSHOTS=docs make test` refreshes the README's screenshots.
DOCS = Path(os.environ.get("KAKUNIN_SCREENSHOTS") or Path(tempfile.gettempdir()) / "kakunin-screenshots")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=ja-JP",
]


@pytest.fixture
def server(services: Services) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(create_app(services.settings), host="127.0.0.1", port=port, log_level="warning")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    for _ in range(100):
        if runner.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    runner.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail("chromium is required in CI")
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def _login(page, base: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.focus("#username")  # where autofocus puts the caret; no mouse involved
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(f"pw-{name}-long")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_clerk_clears_a_form_with_the_keyboard_only(
    app, task_id: int, server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    _login(page, server, "rev")
    assert "確認待ち一覧" in page.content()
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "queue.png"), full_page=True)

    page.keyboard.press("Enter")  # opens the oldest task
    page.wait_for_url(f"{server}/tasks/{task_id}")
    page.wait_for_selector("#page-image")
    page.screenshot(path=str(DOCS / "task.png"))

    # The first doubtful field has the focus; typing replaces its value, Enter confirms it.
    focused = page.evaluate("document.activeElement.closest('.field').dataset.field")
    page.keyboard.type(
        "健保 太郎" if focused.endswith("name") else page.evaluate("document.activeElement.value") or ""
    )
    confirmed = "document.querySelectorAll('.field.confirmed').length"
    for _ in range(80):
        if "すべて確認しました" in page.inner_text("#status"):
            break
        before = page.evaluate(confirmed)
        page.keyboard.press("Enter")
        # Each Enter is checked by the server first; wait for it before the next key (polled from
        # here: the page's CSP rightly forbids the eval that wait_for_function would use).
        for _ in range(200):
            if page.evaluate(confirmed) > before or page.evaluate(
                "Array.from(document.querySelectorAll('.check')).some(c => c.textContent)"
            ):
                break
            time.sleep(0.05)
        assert not page.evaluate(
            "Array.from(document.querySelectorAll('.check')).map(c => c.textContent).join('')"
        )
    assert "すべて確認しました" in page.inner_text("#status")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"{server}/records/*")  # the validated record, with the rules' decision
    assert "確定" in page.inner_text("#record-status")
    assert page.inner_text("#decision")
    page.screenshot(path=str(DOCS / "record.png"), full_page=True)
    with transaction(services.sessions) as session:
        record = session.scalars(select(RecordRow)).one()
    assert record.status == "validated"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_reviewer_cannot_reveal_a_my_number(
    app, task_id: int, server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    set_my_number(services, MY_NUMBER)
    page = browser.new_page()
    _login(page, server, "rev")
    page.goto(f"{server}/tasks/{task_id}")
    assert MY_NUMBER not in page.content()
    assert page.get_attribute("#in-insured_my_number", "placeholder") == "********9018"
    assert page.query_selector("button.reveal") is None


def _task_state(services: Services, task_id: int) -> tuple[str, str | None]:
    from intake.store.models import ReviewTaskRow

    with transaction(services.sessions) as session:
        row = session.get(ReviewTaskRow, task_id)
        assert row is not None
        return row.status, row.claimed_by


def _until(check, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_corrected_my_number_goes_from_the_reviewer_to_an_approver(
    app, task_id: int, server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    """Two users in two browser contexts (issue 15 items 1 and 3): closing the tab and Esc let
    the claim go; a corrected 個人番号 leaves the reviewer and the approver approves it from the
    承認待ち list with the keyboard."""
    reviewer = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    page = reviewer.new_page()
    _login(page, server, "rev")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/tasks/{task_id}")
    assert _task_state(services, task_id) == ("claimed", "rev")
    page.close()  # the tab closed: its beacon lets the claim go
    assert _until(lambda: _task_state(services, task_id) == ("open", None))

    page = reviewer.new_page()
    page.goto(f"{server}/tasks/{task_id}")
    page.keyboard.press("Escape")
    page.wait_for_url(f"{server}/")
    assert _task_state(services, task_id) == ("open", None)

    page.goto(f"{server}/tasks/{task_id}")
    page.fill("#in-insured_my_number", MY_NUMBER)
    page.click("#approve")
    page.wait_for_url(f"{server}/?notice=pending_approval")
    assert _task_state(services, task_id) == ("pending_approval", None)
    assert f"/tasks/{task_id}" not in page.content()

    approver = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    second = approver.new_page()
    _login(second, server, "appr")
    second.goto(f"{server}/approvals")
    assert "********9018" in second.inner_text(f"#approval-{task_id}") and MY_NUMBER not in second.content()
    DOCS.mkdir(parents=True, exist_ok=True)
    second.screenshot(path=str(DOCS / "approvals.png"), full_page=True)
    second.keyboard.press("Enter")
    second.wait_for_url(f"{server}/tasks/{task_id}")
    second.wait_for_selector("#corrections")
    second.screenshot(path=str(DOCS / "approval-task.png"), full_page=True)
    second.keyboard.press("Control+Enter")
    second.wait_for_url(f"{server}/records/*")
    with transaction(services.sessions) as session:
        record = session.scalars(select(RecordRow)).one()
    assert record.status == "validated" and record.validated_by == "appr"
    assert record.values["insured_my_number"] == MY_NUMBER
    reviewer.close()
    approver.close()
