"""Proposals on the task screen (issue 20 item 4): a 郵便番号 typed proposes the beginning of
the address, the employer block offers the 事業所 of the master; the reviewer takes them with
Alt+J. The routes (holder only, CSRF) over HTTP, then the keys in Debian's headless chromium."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from intake.employers import import_csv
from intake.services import Services
from review_ui.screens.suggest import address_beginning
from tests.review_ui.conftest import login
from tests.review_ui.test_browser import DOCS, _login, browser, server  # noqa: F401

pytestmark = pytest.mark.ocr
SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "employers_sample.csv"


def test_address_beginning_of_a_postcode() -> None:
    assert address_beginning("1050011") == "東京都港区芝公園"
    assert address_beginning("0000000") is None
    # A postcode of several towns: what they share (prefecture and municipality at least).
    several = address_beginning("4520961")
    assert several is not None and several.startswith("愛知県")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_routes_propose_to_the_holder_only(app: TestClient, task_id: int, services: Services) -> None:
    csrf = login(app, "rev")
    assert app.get(f"/tasks/{task_id}").status_code == 200  # opening it claims it
    answer = app.post(
        f"/tasks/{task_id}/postcode", data={"field": "insured_postal_code", "value": "105-0011", "csrf": csrf}
    )
    assert answer.json() == {"field": "insured_address", "proposal": "東京都港区芝公園", "message": ""}
    unknown = app.post(
        f"/tasks/{task_id}/postcode", data={"field": "insured_postal_code", "value": "0000000", "csrf": csrf}
    ).json()
    assert unknown["proposal"] is None and "ありません" in unknown["message"]
    block = {"employer_name": "さくら電機サービス株式会杜", "employer_phone": "090-1520-2354", "csrf": csrf}
    assert app.post(f"/tasks/{task_id}/employer", data=block).json() == {"employer": None, "values": {}}
    import_csv(services, SAMPLE.read_text(encoding="utf-8"))
    offered = app.post(f"/tasks/{task_id}/employer", data=block).json()
    assert offered["employer"] == {"code": "0002", "name": "さくら電機サービス株式会社"}
    assert offered["values"]["employer_phone"] == "045-221-3300"
    # Without the form's token, or from a user who does not hold the task: refused.
    no_token = app.post(f"/tasks/{task_id}/employer", data={"employer_name": "さくら電機サービス株式会社"})
    assert no_token.status_code in (400, 403)
    other = login(app, "rev2")
    refused = app.post(
        f"/tasks/{task_id}/postcode", data={"field": "insured_postal_code", "value": "1050011", "csrf": other}
    )
    assert refused.status_code == 409 and "proposal" not in refused.json()


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_reviewer_takes_the_proposals_with_alt_j(
    app, task_id: int, server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    import_csv(services, SAMPLE.read_text(encoding="utf-8"))
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    _login(page, server, "rev")
    page.goto(f"{server}/tasks/{task_id}")
    page.wait_for_selector("#page-image")
    # The employer block as read (さくら電機サービス株式会社, another phone) offers the master's phone.
    phone_offer = '.field[data-field="employer_phone"] .suggest'
    page.wait_for_selector(phone_offer)
    assert "0002 さくら電機サービス株式会社: 045-221-3300" in page.inner_text(phone_offer)
    assert page.input_value("#in-employer_phone") != "045-221-3300"  # nothing taken by itself

    # A 郵便番号 typed: the address's beginning is proposed, its house number kept on Alt+J.
    page.focus("#in-insured_postal_code")
    page.keyboard.press("Control+A")  # typing replaces the value read
    page.keyboard.type("1050011")
    address_offer = '.field[data-field="insured_address"] .suggest'
    page.wait_for_selector(address_offer)
    assert "郵便番号から: 東京都港区芝公園" in page.inner_text(address_offer)
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "proposals.png"))
    before = page.input_value("#in-insured_address")
    page.keyboard.press("Alt+KeyJ")
    after = page.input_value("#in-insured_address")
    assert after.startswith("東京都港区芝公園") and after.endswith(before[before.find("3") :])
    assert page.locator(address_offer).count() == 0

    page.focus("#in-employer_phone")
    page.keyboard.press("Alt+KeyJ")
    assert page.input_value("#in-employer_phone") == "045-221-3300"
    summary = page.inner_text("#summary-table")
    assert "045-221-3300" in summary and "東京都港区芝公園" in summary
