"""The form designer's gestures in chromium, as a fresh clerk made them (clerk7's findings):
「元に戻す」 (Ctrl+Z) takes back exactly the last gesture, one at a time; a box clicked after a
label typed in the panel shows its own name and label and takes the arrow keys and Delete; the
corner of a box not selected yet resizes it in the same gesture."""

# ruff: noqa: F811 - the browser fixtures are imported from test_browser

from __future__ import annotations

from pathlib import Path

import pytest

from intake.services import Services
from tests.review_ui.test_browser import browser, server  # noqa: F401
from tests.review_ui.test_designer_browser import _open_kofu_draft

pytestmark = [pytest.mark.browser]

# What the screen shows of the template: every field's line in the list (name, type, 必須,
# label) and every box drawn (its field and place).
STATE = """() => ({
  list: [...document.querySelectorAll('#field-list li')].map((li) => li.textContent),
  boxes: [...document.querySelectorAll('#boxes rect.box')].map((r) =>
    [r.dataset.field, r.getAttribute('x'), r.getAttribute('y'), r.getAttribute('width'), r.getAttribute('height')].join(' ')),
})"""
# A box's place on the page, in points: x0, y0, x1, y1.
BOX = """(r) => { const x = +r.getAttribute('x'), y = +r.getAttribute('y');
  return [x, y, x + +r.getAttribute('width'), y + +r.getAttribute('height')]; }"""


def _retype(page, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Click into an input of the panel and type ``text`` over what it holds, key by key."""
    page.click(selector)
    page.locator(selector).select_text()
    page.keyboard.type(text)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_ctrl_z_takes_back_the_last_gesture_one_at_a_time(
    app, server: str, browser, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """GIVEN the 交付申請書's draft WHEN the admin moves a box, resizes it by its handle, types a
    new name and a label, ticks 必須, changes the type, draws a box, nudges it three times with
    an arrow key, makes it taller by two Shift+arrows and deletes a field THEN each Ctrl+Z takes back exactly one of these, the last
    first (the name typed key by key, the run of nudges and the run of resizes one step each), until there is
    nothing left to take back; then each Ctrl+Y (Ctrl+Shift+Z) does one again, the first first,
    until a change made after an undo ends them."""
    page, problems, drag = _open_kofu_draft(browser, server, services, monkeypatch, tmp_path)
    state = lambda: page.evaluate(STATE)  # noqa: E731
    states = [state()]
    page.locator("#boxes rect.box[data-field='note']").first.click()
    drag((300, 588, 300, 600))  # moved 12 pt down: [56, 592.5, 567.8, 608]
    states.append(state())
    drag((567.8, 608, 560, 614))  # its corner handle: narrower and taller
    states.append(state())
    _retype(page, "#f-name", "memo_x")
    states.append(state())
    _retype(page, "#f-label", "連絡事項")
    states.append(state())
    page.check("#f-required")
    states.append(state())
    page.select_option("#f-type", "amount")
    states.append(state())
    page.click("#mode-draw")
    drag((150, 345, 300, 360))
    states.append(state())
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    states.append(state())
    for _ in range(2):
        page.keyboard.press("Shift+ArrowDown")  # a run of resizes by the keys: one step too
    states.append(state())
    page.locator("#boxes rect.box[data-field='phone']").first.click()
    page.keyboard.press("Delete")
    states.append(state())
    same = [i for i in range(1, len(states)) if states[i] == states[i - 1]]
    assert same == [], f"gestures that changed nothing: {same}"
    for back in range(len(states) - 2, -1, -1):
        page.keyboard.press("Control+z")
        assert state() == states[back], f"Ctrl+Z back to the state before gesture {back + 1}"
    assert page.is_disabled("#do-undo")
    page.keyboard.press("Control+z")
    assert "取り消せる操作がありません" in page.inner_text("#message")
    assert state() == states[0]
    # やり直す: Ctrl+Y (or Ctrl+Shift+Z, or the button) does each step again, the first first …
    for forward in range(1, len(states)):
        key = "Control+y" if forward % 2 else "Control+Shift+Z"
        page.keyboard.press(key)
        assert state() == states[forward], f"{key} forward to the state after gesture {forward}"
    assert page.is_disabled("#do-redo")
    page.keyboard.press("Control+y")
    assert "やり直せる操作がありません" in page.inner_text("#message")
    # … and a change made after an undo ends what could be done again.
    page.click("#do-undo")
    assert state() == states[-2] and not page.is_disabled("#do-redo")
    page.locator("#boxes rect.box[data-field='address']").first.click()
    page.keyboard.press("ArrowDown")
    assert page.is_disabled("#do-redo")
    assert problems == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_box_clicked_after_typing_shows_its_own_label_and_takes_the_keys(
    app, server: str, browser, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """GIVEN a label typed in 見出し for 備考 WHEN the admin clicks the 住所 box on the page THEN
    the panel shows 住所's name and label (the typed label kept on 備考), an arrow key moves
    the 住所 box by a point (not the caret in the input) and Delete deletes it; the same after
    a name typed and a line of the field list clicked."""
    page, problems, _ = _open_kofu_draft(browser, server, services, monkeypatch, tmp_path)
    rect = lambda name: page.locator(f"#boxes rect.box[data-field='{name}']").first  # noqa: E731
    rect("note").click()
    _retype(page, "#f-label", "備考（連絡事項）")
    rect("address").click()
    assert page.input_value("#f-name") == "address"
    assert page.input_value("#f-label") == "住所"
    assert page.evaluate("() => document.activeElement.id") == "boxes"
    page.keyboard.press("ArrowRight")
    assert rect("address").evaluate(BOX) == [105.2, 274.5, 568.8, 307]
    assert page.input_value("#f-label") == "住所"
    page.keyboard.press("Delete")
    assert page.locator("#boxes rect.box[data-field='address']").count() == 0
    assert "note（text） 備考（連絡事項）" in page.inner_text("#field-list")
    # A name typed, then another field's line of the list clicked.
    rect("phone").click()
    _retype(page, "#f-name", "phone_home")
    page.locator("#field-list li", has_text="postcode（digits）").click()
    assert page.input_value("#f-name") == "postcode"
    assert page.input_value("#f-label") == "郵便番号（ハイフン除く）"
    page.keyboard.press("ArrowDown")
    assert rect("postcode").evaluate(BOX) == [108, 250.8, 226.8, 270.2]
    assert page.locator("#boxes rect.box[data-field='phone_home']").count() == 1
    assert problems == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_corner_of_a_box_not_selected_resizes_it(
    app, server: str, browser, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """GIVEN 氏名 selected WHEN the admin drags the bottom-right corner of 生年月日's month part
    (not selected) 6 pt right and 4 pt down THEN the month part is resized there, its top-left
    corner kept, and selected; the year and day parts stay; a press on a corner without moving
    only selects; the middle of a box not selected still moves it."""
    page, problems, drag = _open_kofu_draft(browser, server, services, monkeypatch, tmp_path)
    parts = lambda: page.locator("#boxes rect.box[data-field='date_2']").evaluate_all(  # noqa: E731
        f"rs => rs.filter((r) => ['year', 'month', 'day'].includes(JSON.parse(r.dataset.ref).key)).map({BOX})"
    )
    page.locator("#boxes rect.box[data-field='name']").first.click()
    before = parts()
    assert before == [[341.8, 411.2, 375.5, 430.8], [391.5, 411.2, 425.2, 430.8], [441, 411.2, 474.8, 430.8]]
    drag((425.2, 430.8, 431.2, 434.8))
    after = parts()
    assert after[0] == before[0] and after[2] == before[2]
    assert all(abs(a - b) < 0.8 for a, b in zip(after[1], [391.5, 411.2, 431.2, 434.8], strict=True)), after
    assert page.locator("#boxes rect.box.selected").evaluate(BOX) == after[1]
    # The year's corner pressed without moving: the year is selected, nothing resized.
    drag((375.5, 430.8, 375.5, 430.8))
    assert parts() == after
    assert page.locator("#boxes rect.box.selected").evaluate(BOX) == after[0]
    # The day's middle, the day not selected: it moves.
    drag((458, 420, 468, 420))
    moved = parts()[2]
    assert all(abs(a - b) < 0.8 for a, b in zip(moved, [451, 411.2, 484.8, 430.8], strict=True)), moved
    assert problems == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_ctrl_z_right_after_a_button_takes_back_what_the_button_did(
    app, server: str, browser, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """GIVEN two boxes picked and 「二つの枠を結合」 pressed (the focus on that button) WHEN the
    admin presses Ctrl+Z THEN the merge is taken back (a clerk's Ctrl+Z did nothing there, and
    their next 4 edits went onto the merged field)."""
    page, problems, _ = _open_kofu_draft(browser, server, services, monkeypatch, tmp_path)
    state = lambda: page.evaluate(STATE)  # noqa: E731
    before = state()
    page.locator("#boxes rect.box[data-field='note']").first.click()
    page.locator("#boxes rect.box[data-field='address']").first.click(modifiers=["Shift"])
    page.click("#do-merge")
    assert state() != before
    page.keyboard.press("Control+z")
    assert state() == before
    assert problems == []
