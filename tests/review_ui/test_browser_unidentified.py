"""A page none of ours in chromium (issue 15 item 8): a digit and Enter read it again as the
form chosen; Alt+R opens the reasons with 様式が違う chosen, and Enter rejects."""

# ruff: noqa: F811 - the fixtures are imported from the other test modules

from __future__ import annotations

import pytest
from sqlalchemy import select

from extractors.template import load_templates
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import DocumentRow
from tests.review_ui.test_browser import DOCS, _login, browser, server  # noqa: F401
from tests.review_ui.test_unidentified import unidentified  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.ocr]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_digit_and_enter_read_the_page_as_that_form(
    app, unidentified: int, server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    _login(page, server, "rev")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/tasks/{unidentified}")
    assert page.evaluate("document.activeElement.id") == "form-choice"
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "unidentified.png"))
    forms = [t.form_id for t in load_templates()]
    page.keyboard.press(str(forms.index("messhitsu") + 1))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/?notice=reread")
    with transaction(services.sessions) as session:
        document = session.scalars(select(DocumentRow)).one()
    assert document.status == "received" and document.extraction["forced_forms"] == {"1": "messhitsu"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_alt_r_and_enter_reject_it_as_another_form(
    app, unidentified: int, server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    _login(page, server, "rev")
    page.goto(f"{server}/tasks/{unidentified}")
    page.keyboard.press("Control+Enter")  # never approves a page without a form
    page.keyboard.press("Alt+r")
    assert page.evaluate("document.activeElement.id") == "reject-reason"
    assert page.evaluate("document.activeElement.value") == "wrong_form"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/?notice=rejected")
    with transaction(services.sessions) as session:
        document = session.scalars(select(DocumentRow)).one()
    assert document.status == "rejected" and document.error_code == "rejected_wrong_form"
