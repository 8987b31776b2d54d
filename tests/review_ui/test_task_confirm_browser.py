"""Confirming at once in chromium (issue 14, clerk4 friction 1): on a page of a form on trial
(every field to confirm) a reviewer presses Alt+B in block (2) and its two fields are confirmed;
Alt+A confirms every other field left as read, while the field with a finding, the value that
fails its checks and the 個人番号 they may not see stay, each saying why; every confirmation
is audited on the server. No script error, no failed request."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from intake import jobs
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, ReviewTaskRow
from tests.intake.test_form_trust import NoOcr, _read
from tests.review_ui.test_browser import DOCS, _login, browser, server  # noqa: F401
from tests.review_ui.test_task_confirm import _spoil

pytestmark = [pytest.mark.browser]

CONFIRMED = "Array.from(document.querySelectorAll('.field.confirmed')).map(f => f.dataset.field)"


@pytest.fixture
def worker(services: Services, kyokai_kofu_folder: Path) -> Iterator[None]:
    jobs._context = jobs.WorkerContext(services, NoOcr())
    yield
    jobs._context = None


def _until_confirmed(page: Any, count: int) -> list[str]:
    """The fields shown confirmed once there are ``count`` of them (polled: the page's CSP
    forbids the eval ``wait_for_function`` would use)."""
    for _ in range(200):
        shown: list[str] = page.evaluate(CONFIRMED)
        if len(shown) >= count:
            return shown
        time.sleep(0.05)
    return list(page.evaluate(CONFIRMED))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_alt_b_confirms_the_block_and_alt_a_the_rest_but_what_needs_a_look(
    app: Any, server: str, browser: Any, services: Services, kyokai_kofu_folder: Path, worker: None
) -> None:
    document_id = _read(services, kyokai_kofu_folder, 1)
    with transaction(services.sessions) as session:
        task = session.scalars(select(ReviewTaskRow.id).where(ReviewTaskRow.document_id == document_id)).one()
    _spoil(services, task)
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "response", lambda r: problems.append(r.url) if r.status >= 400 and "favicon" not in r.url else None
    )
    _login(page, server, "rev")
    page.goto(f"{server}/tasks/{task}")
    page.focus("#in-name_kana_2")
    assert page.inner_text("#confirm-block") == "この欄をまとめて確認（2 項目）(Alt+B)"
    assert page.evaluate("document.querySelectorAll('.field.inblock').length") == 2

    page.keyboard.press("Alt+B")

    assert sorted(_until_confirmed(page, 2)) == ["date_2", "name_kana_2"]
    assert "2 項目をまとめて確認しました" in page.inner_text("#status")

    page.keyboard.press("Alt+A")

    fields = page.evaluate("Array.from(document.querySelectorAll('.field')).map(f => f.dataset.field)")
    shown = _until_confirmed(page, len(fields) - 3)
    assert set(fields) - set(shown) == {"name", "phone", "my_number"}
    assert "3 項目は1件ずつ確認してください" in page.inner_text("#status")
    page.screenshot(path=str(DOCS / "task-confirm-all.png"), full_page=True)
    assert "指摘があるため" in page.inner_text(".field[data-field='name'] .check")
    assert "チェックを通らない" in page.inner_text(".field[data-field='phone'] .check")
    focused = page.evaluate("document.activeElement.closest('.field').dataset.field")
    assert focused in ("name", "phone", "my_number")  # the first field left has the focus
    with transaction(services.sessions) as session:
        audited = list(
            session.scalars(select(AuditEventRow.detail).where(AuditEventRow.action == "field_confirmed"))
        )
    assert sorted(d["field"] for d in audited) == sorted(shown)
    assert problems == []
