"""個人番号 out of sight in Debian's headless chromium (issue 15 item 4): every image the browser
of a user without the right actually receives on the task page (the page image and the
backgrounds the field crops are cut from) is black in the 個人番号 boxes, its text holds no full
個人番号, and a reveal the page attempts is refused and appears on the audit page; an approver's
browser, in a parallel context, receives the ink."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser

from __future__ import annotations

import re

import pytest

from intake.services import Services
from tests.review_ui.conftest import MY_NUMBER, set_my_number
from tests.review_ui.test_browser import DOCS, _login, browser, server  # noqa: F401
from tests.review_ui.test_my_number_pixels import _crop, _decode, _my_number_regions, _snippet_region

pytestmark = [pytest.mark.browser, pytest.mark.ocr]
VIEW = {"viewport": {"width": 1500, "height": 1000}, "locale": "ja-JP"}
#: A reveal attempted from the page's own context, as a curious user's console would.
REVEAL = """async field => {
  const body = new URLSearchParams({ field, csrf: document.body.dataset.csrf });
  const response = await fetch(`/tasks/${document.body.dataset.task}/reveal`, { method: "POST", body });
  return [response.status, await response.text()];
}"""


def _open_and_collect(page, server: str, task_id: int) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """Open the task page and return every page image the browser received (URL -> bytes)."""
    received: dict[str, bytes] = {}

    def keep(response) -> None:  # type: ignore[no-untyped-def]
        if "/images/" in response.url and response.ok:
            received[response.url] = response.body()

    page.on("response", keep)
    page.goto(f"{server}/tasks/{task_id}")
    page.wait_for_selector("#page-image")
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", keep)
    return received


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_reviewer_browser_never_receives_my_number_pixels(
    app, task_id: int, server: str, browser, services: Services
) -> None:  # type: ignore[no-untyped-def]
    set_my_number(services, MY_NUMBER)
    reviewer = browser.new_context(**VIEW).new_page()
    _login(reviewer, server, "rev")
    received = _open_and_collect(reviewer, server, task_id)
    assert received, "the page image was not loaded"
    assert MY_NUMBER not in reviewer.content()
    styles = [
        s
        for s in reviewer.locator(".snippet").evaluate_all("els => els.map(e => e.getAttribute('style'))")
        if s
    ]
    urls = {re.search(r"url\(([^)]+)\)", s).group(1) for s in styles}  # type: ignore[union-attr]
    image_url = reviewer.get_attribute("#page-image", "src")
    # Whatever the crops name, the browser fetches it as this user (with its cookies).
    fetched = {url: reviewer.context.request.get(f"{server}{url}").body() for url in {*urls, image_url}}
    images = {**received, **fetched}
    my_style = reviewer.get_attribute(".field[data-field=insured_my_number] .snippet", "style")
    assert my_style

    for url, data in images.items():
        pixels = _decode(data)
        for region in _my_number_regions(pixels.shape[1]):
            assert int(_crop(pixels, region).max()) == 0, f"{url}: 個人番号 box {region} not black"
    snippet_url, crop = _snippet_region(my_style, _decode(images[image_url]).shape[1])
    shown = _crop(_decode(fetched[snippet_url]), crop)
    assert shown.size and int(shown.max()) == 0  # the 個人番号 crop beside its box: all black

    # A reveal attempted from the page is refused, says why in Japanese, and gives nothing away.
    status, text = reviewer.evaluate(REVEAL, "insured_my_number")
    assert status == 403 and "権限がありません" in text and MY_NUMBER not in text
    reviewer.keyboard.press("Escape")
    reviewer.wait_for_url(f"{server}/")

    # The approver, in a parallel context, receives the ink in the same boxes (the check above
    # can fail) and may reveal the number.
    approver = browser.new_context(**VIEW).new_page()
    _login(approver, server, "appr")
    full = _open_and_collect(approver, server, task_id)
    pixels = _decode(next(iter(full.values())))
    written = [_crop(pixels, r) for r in _my_number_regions(pixels.shape[1])]
    assert any(int(c.min()) < 100 and int(c.max()) > 180 for c in written)
    status, text = approver.evaluate(REVEAL, "insured_my_number")
    assert status == 200 and MY_NUMBER in text
    approver.keyboard.press("Escape")
    approver.wait_for_url(f"{server}/")

    admin = browser.new_context(**VIEW).new_page()
    _login(admin, server, "adm")
    admin.goto(f"{server}/admin/audit")
    admin.select_option("#audit-filter select[name=action]", "my_number_reveal_refused")
    admin.click("#audit-filter button[type=submit]")
    admin.wait_for_url(f"{server}/admin/audit?*my_number_reveal_refused*")
    rows = [r.locator("td").all_inner_texts() for r in admin.locator("#audit-events tr").all()[1:]]
    assert len(rows) == 1 and rows[0][1] == "rev" and rows[0][2] == "個人番号の表示（拒否）", rows
    assert MY_NUMBER not in admin.content()
    admin.goto(f"{server}/admin/audit?action=my_number_revealed")
    assert "appr" in admin.inner_text("#audit-events")
    DOCS.mkdir(parents=True, exist_ok=True)
    reviewer_page = browser.new_context(**VIEW).new_page()
    _login(reviewer_page, server, "rev")
    reviewer_page.goto(f"{server}/tasks/{task_id}")
    reviewer_page.locator(".field[data-field=insured_my_number]").scroll_into_view_if_needed()
    reviewer_page.screenshot(path=str(DOCS / "task-my-number-masked.png"))
    for each in (reviewer, approver, admin, reviewer_page):
        each.context.close()
