"""本番・試行 in chromium (issue 14 trust gate): an admin sees the 交付申請書 installed from a
forms folder 試行中 with 「本番に切り替える」 disabled until its pages were reviewed, then
presses it; the list says 本番 and offers 「試行に戻す」. No script error, no failed request."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from intake import jobs
from intake.services import Services
from tests.intake.test_form_trust import FORM, NoOcr, _approve, _read
from tests.review_ui.test_browser import DOCS, _login, browser, server  # noqa: F401

pytestmark = [pytest.mark.browser]


@pytest.fixture
def worker(services: Services, kyokai_kofu_folder: Path) -> Iterator[None]:
    jobs._context = jobs.WorkerContext(services, NoOcr())
    yield
    jobs._context = None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_admin_promotes_a_trial_version_once_its_pages_are_reviewed(
    app: Any, server: str, browser: Any, services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    services.settings.form_trial_pages = 2
    _approve(services, _read(services, kyokai_kofu_folder, 1), {"name": "健保 花子"})
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "response", lambda r: problems.append(r.url) if r.status >= 400 and "favicon" not in r.url else None
    )
    _login(page, server, "adm")
    page.goto(f"{server}/admin/forms")
    row = page.locator(f"tr.trust-row[data-form='{FORM}']")
    assert "試行中" in row.locator("td.state").inner_text()
    assert row.locator("button.promote").is_disabled()

    _approve(services, _read(services, kyokai_kofu_folder, 2))
    page.reload()
    assert row.locator("button.promote").is_enabled()
    page.screenshot(path=str(DOCS / "forms-trust.png"), full_page=True)
    row.locator("button.promote").click()
    page.wait_for_url(f"{server}/admin/forms?trust=promoted")

    assert page.inner_text("#trust-notice") == "本番に切り替えました"
    assert row.locator("td.state").inner_text() == "本番"
    assert row.locator("button.demote").inner_text() == "試行に戻す"
    assert problems == []
