"""The 受付エラー list in chromium (issue 15 item 9): from the queue to the list, a refused file
and a duplicate shown, one acknowledged with the keyboard (audited)."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser

from __future__ import annotations

import pytest

from intake.services import Services
from tests.review_ui.conftest import audit_actions
from tests.review_ui.test_browser import DOCS, _login, browser, server  # noqa: F401
from tests.review_ui.test_intake_errors_screen import _refuse_and_repeat

pytestmark = [pytest.mark.browser, pytest.mark.ocr]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_refused_files_are_seen_and_acknowledged(
    app, task_id: int, server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    first = _refuse_and_repeat(services)
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    _login(page, server, "rev")
    assert "k.tif" in page.inner_text("#queue") and "アップロード" in page.inner_text("#queue")
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "queue.png"), full_page=True)
    page.click("#intake-errors-link a")
    page.wait_for_url(f"{server}/intake-errors")
    table = page.inner_text("#intake-errors")
    assert "empty-scan.pdf" in table and "locked.pdf" in table
    assert f"受付番号 {first}（letter.png）と同じファイルです" in table
    page.screenshot(path=str(DOCS / "intake-errors.png"), full_page=True)
    row = page.locator("tr", has_text="empty-scan.pdf")
    row.locator("button.ack").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/intake-errors?notice=acknowledged")
    assert "empty-scan.pdf" not in page.inner_text("main")
    assert audit_actions(services).count("intake_error_acknowledged") == 1
