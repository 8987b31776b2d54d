"""Statistics and the audit page in Debian's headless chromium (issue 15 item 10): review time is
counted only while the task page is visible (hidden and shown again through the Page Visibility
API, as a clerk switching to another window would); the statistics page shows the visible time
only; the audit page is narrowed by user, action and date on screen, and its CSV export is
downloaded and audited."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import pytest

from intake.services import Services
from tests.review_ui.test_browser import DOCS, _login, browser, server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.ocr]
VIEW = {"viewport": {"width": 1500, "height": 1000}, "locale": "ja-JP"}

#: Headless chromium keeps every page "visible" (playwright issue 2286); the page is told it is
#: hidden or shown the way the browser tells it: document.visibilityState and the event.
VISIBILITY = """state => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => state === "hidden" });
  document.dispatchEvent(new Event("visibilitychange"));
}"""
VISIBLE_BEFORE, HIDDEN, VISIBLE_AFTER = 3.0, 8.0, 2.0


def _seconds(page, table: str, key: str) -> int | None:  # type: ignore[no-untyped-def]
    for row in page.locator(f"{table} tr").all()[1:]:
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        if len(cells) == 2 and cells[0] == key:
            return int(cells[1])
    return None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_review_time_counts_only_the_visible_time_and_the_audit_is_filtered_and_exported(
    app, task_id: int, server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_context(**VIEW).new_page()
    _login(page, server, "rev")
    page.goto(f"{server}/tasks/{task_id}")
    page.wait_for_selector("#page-image")
    time.sleep(VISIBLE_BEFORE)
    page.evaluate(VISIBILITY, "hidden")  # the clerk switches to another window
    time.sleep(HIDDEN)
    page.evaluate(VISIBILITY, "visible")
    time.sleep(VISIBLE_AFTER)
    page.click("#approve")
    page.wait_for_url(f"{server}/records/*")

    approver = browser.new_context(**VIEW).new_page()
    _login(approver, server, "appr")
    approver.goto(f"{server}/stats")
    visible = VISIBLE_BEFORE + VISIBLE_AFTER
    seconds = _seconds(approver, "#review-time-reviewers", "rev")
    assert seconds is not None and visible - 1 <= seconds <= visible + 2, seconds  # not the 13 s open
    form_seconds = [int(t) for t in approver.locator("#review-time-forms td:nth-child(2)").all_inner_texts()]
    assert form_seconds and all(visible - 1 <= s <= visible + 2 for s in form_seconds), form_seconds
    assert approver.locator("#days-chart rect").count() >= 1
    assert "確認・承認待ち 0 件" in approver.inner_text("#backlog")
    DOCS.mkdir(parents=True, exist_ok=True)
    approver.screenshot(path=str(DOCS / "stats.png"), full_page=True)

    admin = browser.new_context(**VIEW).new_page()
    _login(admin, server, "adm")
    admin.goto(f"{server}/admin/audit")
    today = datetime.now(UTC).date()
    admin.select_option("#audit-filter select[name=actor]", "rev")
    admin.select_option("#audit-filter select[name=action]", "task_seen")
    admin.fill("#audit-filter input[name=since]", today.isoformat())
    admin.fill("#audit-filter input[name=until]", today.isoformat())
    admin.click("#audit-filter button[type=submit]")
    admin.wait_for_url(f"{server}/admin/audit?*action=task_seen*")
    rows = admin.locator("#audit-events tr").all()[1:]
    assert len(rows) == 2  # the two visible stretches, each its own beacon
    for row in rows:
        cells = row.locator("td").all_inner_texts()
        assert cells[1] == "rev" and cells[2] == "確認時間（表示中）", cells
    admin.screenshot(path=str(DOCS / "audit.png"), full_page=True)

    with admin.expect_download() as download:
        admin.click("#audit-csv")
    text = download.value.path().read_text(encoding="utf-8-sig")
    exported = list(csv.reader(io.StringIO(text)))
    assert len(exported) == 1 + 2, exported  # a header and the two rows on the screen
    assert all("rev" in line for line in exported[1:])

    # The export itself is on the audit page, with its filter; another day shows nothing.
    admin.goto(f"{server}/admin/audit?actor=adm&action=audit_exported")
    exports = admin.inner_text("#audit-events")
    assert "操作記録のCSV出力" in exports and "task_seen" in exports, exports
    tomorrow = (today + timedelta(days=1)).isoformat()
    admin.goto(f"{server}/admin/audit?action=task_seen&since={tomorrow}")
    assert "該当する記録はありません" in admin.inner_text("#audit-events")
    for each in (page, approver, admin):
        each.context.close()
