"""The write-in brackets 「その他（　　）」, 「（　　年生）」 and the dates in running text
「1.死亡（令和　年　月　日）」 of a spreadsheet-made form are drafted (a clerk drew 19 write-ins
and 4 such dates by hand onboarding 協会けんぽ's 被扶養者（異動）届 page 1; the boxes below are
the clerk's, from the saved template); so are the underlines 「添付 ＿＿ 枚」, the brackets
drawn as curves and the lone picture □ of 協会けんぽ's 資格喪失届 (clerk 9 drew them)."""

from __future__ import annotations

from typing import Any

import pytest

from extractors.onboard.draft import Printed
from extractors.onboard.geometry import Segment
from extractors.onboard.writeins import drawn_brackets, inline_dates, underlines, write_in_gaps
from extractors.template import PtBox
from tests.conftest import REPO, real_draft_fields

REAL_FORMS = REPO / "fixtures" / "real-forms"

#: The clerk's write-ins (name, box), each a text field: that 「（　）」's room.
CLERK_WRITE_INS: dict[str, PtBox] = {
    "spouse_occupation_other": (458, 403.8, 472.5, 410.8),
    "spouse_became_reason_other": (323, 410.3, 392, 417.8),
    "spouse_removed_reason_other": (370, 434.3, 427, 441.8),
    "spouse_overseas_reason_other": (377, 457.8, 435, 464.8),
    "spouse_overseas_end_reason_other": (346, 478.8, 423, 485.3),
    "dep_relationship_other_1": (533, 543.9, 548, 550.9),
    "dep_overseas_reason_other_1": (526, 562.4, 548, 568.9),
    "dep_overseas_end_reason_other_1": (485, 581.9, 532, 588.4),
    "dep_school_year_1": (342, 598.9, 360, 605.9),
    "dep_occupation_other_1": (331, 605.9, 371.5, 612.4),
    "dep_became_reason_other_1": (518, 605.4, 546, 612.4),
    "dep_removed_reason_other_1": (342, 623.9, 371, 630.9),
    "dep_relationship_other_2": (533, 664.8, 548, 671.8),
    "dep_overseas_end_reason_other_2": (485, 702.8, 532, 709.3),
    "dep_school_year_2": (342, 719.8, 360, 726.8),
    "dep_occupation_other_2": (331, 726.8, 371.5, 733.3),
    "dep_became_reason_other_2": (518, 726.3, 546, 733.3),
    "dep_removed_reason_other_2": (342, 744.8, 371, 751.8),
}
#: The clerk's dates in running text: year, month and day boxes.
CLERK_DATES: dict[str, tuple[PtBox, PtBox, PtBox]] = {
    "spouse_death_date": ((302, 420.3, 322, 428.3), (328, 420.3, 347.8, 428.3), (353.8, 420.3, 373.5, 428.3)),
    "spouse_moved_in_date": (
        (363, 471.3, 377.3, 479.3),
        (382.7, 471.3, 397.1, 479.3),
        (402.5, 471.3, 416.9, 479.3),
    ),
    "dep_moved_in_date_1": (
        (502, 575.4, 512.6, 582.4),
        (518, 575.4, 525.2, 582.4),
        (530.6, 575.4, 537.8, 582.4),
    ),
    "dep_moved_in_date_2": (
        (502, 696.3, 512.6, 703.3),
        (518, 696.3, 525.2, 703.3),
        (530.6, 696.3, 537.8, 703.3),
    ),
}


@pytest.fixture(scope="module")
def fields() -> list[dict[str, Any]]:
    return real_draft_fields("kyokai_hifuyosha_ido.pdf")


def _near(a: Any, b: Any, within: float = 2.0) -> bool:
    return all(abs(x - y) <= within for x, y in zip(a, b, strict=True))


def _text_at(fields: list[dict[str, Any]], box: PtBox) -> dict[str, Any] | None:
    return next((f for f in fields if f["type"] == "text" and _near(f["box"], box)), None)


def test_each_write_in_bracket_of_the_real_blank_is_a_text_field_named_after_its_option(
    fields: list[dict[str, Any]],
) -> None:
    """GIVEN the 被扶養者（異動）届's 「4.その他」 over 「2.パート　（　　　）」 and 「5.高・大学生（　　年生）」
    WHEN drafted THEN each bracket's room is a text field within 2 pt of the clerk's box, named
    and labelled after the option it details (その他 under its option, the 年生 before its unit);
    so are all the clerk's write-ins but one (the 「（　　)」 closed by a half-width bracket)."""
    other = _text_at(fields, CLERK_WRITE_INS["spouse_occupation_other"])
    assert other is not None and (other["name"], other["label"]) == (
        "spouse_occupation_other",
        "配偶者 職業 その他",
    )
    school = _text_at(fields, CLERK_WRITE_INS["dep_school_year_1"])
    assert school is not None and school["label"].endswith("高・大学生（年生）")
    assert school["name"].startswith("dep_occupation_") and school["name"].endswith("_1")
    found = [name for name, box in CLERK_WRITE_INS.items() if _text_at(fields, box) is not None]
    assert found == list(CLERK_WRITE_INS)


def test_each_date_in_running_text_is_a_date_cut_at_its_printed_year_month_and_day(
    fields: list[dict[str, Any]],
) -> None:
    """GIVEN 「1.国内転入　（令和　　年　　月　　日）」 and 「1. 死亡 （令和　年　月　日）」 in the
    option lists WHEN drafted THEN each is a 令和 date, its parts within 2 pt of the clerk's, named
    and labelled by its option (国内転入年月日, spouse_death_date as the clerk named it)."""
    dates = [f for f in fields if f["type"] == "date"]
    for name, parts in CLERK_DATES.items():
        match = [
            f
            for f in dates
            if all(_near(f[k], p) for k, p in zip(("year", "month", "day"), parts, strict=True))
        ]
        assert len(match) == 1, name
        assert match[0]["era"] == "reiwa"
    by_name = {f["name"]: f for f in dates}
    assert by_name["spouse_death_date"]["label"] == "配偶者 死亡年月日"
    assert _near(by_name["spouse_death_date"]["year"], CLERK_DATES["spouse_death_date"][0])
    moved = [f["label"] for f in dates if f["label"].endswith("国内転入年月日")]
    assert moved == ["配偶者 国内転入年月日", "被扶養者1 国内転入年月日", "被扶養者2 国内転入年月日"]


def test_no_write_in_inside_a_drafted_box_or_over_a_clerk_less_place(fields: list[dict[str, Any]]) -> None:
    """GIVEN the 事業主's 「電話番号　（　　　）」 inside its drafted phone box WHEN drafted THEN no
    write-in over it; and every small text field (under 10 pt) drafted is one of the clerk's places
    (but the half-width closed one, 2.3 pt longer than the clerk drew it)."""
    assert not [
        f
        for f in fields
        if f["type"] == "text" and 185 < f["box"][1] < 205 and f["box"][3] - f["box"][1] < 10
    ]
    small = [
        f
        for f in fields
        if f["type"] == "text" and f["box"][3] - f["box"][1] < 10 and "住所" not in f["label"]
    ]
    strays = [f["box"] for f in small if not any(_near(f["box"], b) for b in CLERK_WRITE_INS.values())]
    assert strays == [[526.0, 683.0, 550.3, 689.9]]  # the clerk's dep_overseas_reason_other_2 ends at 548


def _line(text: str, x0: float, top: float = 100.0, size: float = 6.0) -> list[Printed]:
    """``text`` printed on one line from ``x0``, each character ``size`` wide (half-width ones
    half), blanks advancing but not listed (as :func:`extractors.onboard.draft.printed_from`)."""
    out: list[Printed] = []
    x = x0
    for char in text:
        width = size / 2 if char.isascii() or "ｦ" <= char <= "ﾟ" else size
        if char.strip():
            out.append(Printed(char, (x, top, x + width, top + size)))
        x += width
    return out


def test_a_bracket_holding_words_or_too_narrow_is_no_write_in() -> None:
    """GIVEN one line printing 「その他（　　　）」, 「（ﾌﾘｶﾞﾅ）」, 「（年収）」, 「（　）」 one space wide and
    「（令和　　年　　月　　日）」 WHEN its brackets are read THEN the その他's alone is a write-in, its
    room from just after 「（」 to just before 「）」, as tall as the print (+0.5 above, +1 below);
    「（　　年生）」 is one up to its printed unit."""
    line = _line("その他（　　　）　（ﾌﾘｶﾞﾅ）　（年収）　（　）　（令和　　年　　月　　日）", 100.0)
    gaps = write_in_gaps(line)
    assert [(g.box, g.tail) for g in gaps] == [((124.0, 99.5, 142.0, 107.0), "")]
    school = write_in_gaps(_line("5.高・大学生（　　　年生）", 100.0, top=200.0))
    assert [(g.box, g.tail) for g in school] == [((142.0, 199.5, 160.0, 207.0), "年生")]


def test_a_date_in_running_text_takes_its_era_and_needs_room_before_each_word() -> None:
    """GIVEN 「1.死亡（令和　　年　　月　　日）」 WHEN read THEN a 令和 date whose year is the room
    after 和, month and day the rooms after 年 and 月; 「平成　　年　　月　　日」 a 平成 one; not a
    heading 「年　月　日」 spaced out by one space, nor 「生年月日」."""
    [death] = inline_dates(_line("1.死亡（令和　　年　　月　　日）", 100.0))
    assert death.era == "reiwa" and death.opening is not None and death.opening.text == "（"
    assert death.parts == (
        (136.0, 99.5, 148.0, 107.0),
        (154.0, 99.5, 166.0, 107.0),
        (172.0, 99.5, 184.0, 107.0),
    )
    [heisei] = inline_dates(_line("平成　　年　　月　　日", 100.0, top=150.0))
    assert heisei.era == "heisei"
    assert inline_dates(_line("記入日　年　月　日　生年月日", 100.0, top=200.0)) == []


#: Clerk 9's places on 協会けんぽ's 資格喪失届 page 1, block 1 (the copy made blocks 2-4).
SOSHITSU_CLERK: dict[str, PtBox] = {
    "insured_over70_1": (441.0, 299.7, 452.5, 311.2),  # drawn round the 5.4 pt □ and its ✓
    "insured_card_attached_number_1": (356.0, 309.2, 392.0, 320.7),
    "insured_card_unreturnable_number_1": (356.0, 327.2, 392.0, 338.7),
    "insured_note_other_1": (192.0, 322.7, 294.0, 338.2),
}


@pytest.fixture(scope="module")
def soshitsu() -> list[dict[str, Any]]:
    return real_draft_fields("kyokai_shikaku_soshitsu.pdf")


def _inside(inner: Any, outer: Any, slack: float = 1.5) -> bool:
    return bool(
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def test_the_places_a_clerk_drew_by_hand_on_the_loss_form_are_drafted(soshitsu: list[dict[str, Any]]) -> None:
    """GIVEN the 資格喪失届's 「□ 70歳以上被用者不該当」 (the □ a picture, no drawn box), its
    「資格確認書等回収 添付 ＿＿ 枚 / 返不能 ＿＿ 枚」 (hairline underlines) and the 備考's
    「3.その他」 over a 「（　）」 drawn as two curves two lines tall — places clerk 9 drew by hand
    in each block — WHEN drafted THEN each is a field inside the clerk's box, labelled in its
    block (the □ a checkbox, the counts and the その他 text named after their words), and the
    one text box drafted over the whole 回収 cell (deleted by the clerk) is gone."""
    by_name = {f["name"]: f for f in soshitsu}
    tick = by_name["insured_checkbox_1"]
    assert tick["type"] == "checkbox" and tick["label"] == "被保険者1 70歳以上被用者不該当"
    assert _inside(tick["box"], SOSHITSU_CLERK["insured_over70_1"])
    attached, unreturnable = by_name["insured_attached_1"], by_name["insured_unreturnable_1"]
    assert (attached["type"], attached["label"]) == ("text", "被保険者1 添付（枚）")
    assert (unreturnable["type"], unreturnable["label"]) == ("text", "被保険者1 返不能（枚）")
    assert _inside(attached["box"], SOSHITSU_CLERK["insured_card_attached_number_1"])
    assert _inside(unreturnable["box"], SOSHITSU_CLERK["insured_card_unreturnable_number_1"])
    other = by_name["insured_note_other_1"]
    assert (other["type"], other["label"]) == ("text", "被保険者1 備考 その他")
    assert _near(other["box"], SOSHITSU_CLERK["insured_note_other_1"])
    for block in (2, 3, 4):
        assert {
            f"insured_checkbox_{block}",
            f"insured_attached_{block}",
            f"insured_note_other_{block}",
        } <= set(by_name)
    over_the_cell = [
        f["name"]
        for f in soshitsu
        if f["type"] == "text" and f["box"][0] < 357 < 389 < f["box"][2] and f["box"][1] < 320 < f["box"][3]
    ]
    assert over_the_cell == []  # (field_11, 302-402 x 302-339, was)


def test_an_underline_is_a_place_to_write_only_between_free_ends_before_a_short_unit() -> None:
    """GIVEN 「添付 ＿＿＿ 枚」 (a hairline standing free), the same rule closing a box (a rule at
    its end), one followed by a sentence, and one too short WHEN read THEN the first alone is a
    place to write: from the rule up twice the print's height, its unit 「枚」."""
    printed = [
        *_line("添付", 100.0, top=94.0),
        *_line("枚", 166.0, top=94.0),
        *_line("枚", 166.0, top=194.0),
        *_line("を記入してください", 166.0, top=294.0),
        *_line("枚", 120.0, top=394.0),
    ]
    rules = [
        Segment(120.0, 100.0, 160.0, 100.5),
        Segment(120.0, 200.0, 160.0, 200.5),
        Segment(160.0, 190.0, 160.5, 200.5),  # the box's side at the rule's end
        Segment(120.0, 300.0, 160.0, 300.5),
        Segment(110.0, 400.0, 116.0, 400.5),  # one character long
    ]
    found = underlines(rules, printed)
    assert [(u.box, u.tail) for u in found] == [((120.0, 88.2, 160.0, 100.8), "枚")]


def test_a_bracket_drawn_as_a_curve_is_read_as_its_character() -> None:
    """GIVEN 「（」 and 「）」 drawn as curves 15 pt tall (four points each, bulging out) and a
    short straight curve WHEN read THEN the two brackets, as printed characters."""
    opening = [(190.4, 338.2), (187.9, 335.7), (187.9, 325.8), (190.4, 323.3)]
    closing = [(293.3, 323.3), (295.7, 325.8), (295.7, 335.7), (293.3, 338.2)]
    flat = [(10.0, 10.0), (20.0, 10.0), (30.0, 10.0)]
    found = drawn_brackets([opening, closing, flat])
    assert [(p.text, p.box) for p in found] == [
        ("（", (187.9, 323.3, 190.4, 338.2)),
        ("）", (293.3, 323.3, 295.7, 338.2)),
    ]


def test_a_label_cell_tinted_in_strips_is_one_cell(soshitsu: list[dict[str, Any]]) -> None:
    """GIVEN the 資格喪失届's block 1, whose pink label cells are filled in strips 4–5 pt tall
    (block 2's each one rectangle) WHEN drafted THEN block 1 is drafted as block 2: its
    「④個人番号（基礎年金番号）」 a 個人番号 of 10 to 12 digits (it was digits labelled 「基礎年」),
    its 喪失年月日 and 生年月日 labelled so (they were 「9.令和」 and 「月日」)."""
    by_label = {f["label"]: f for f in soshitsu}
    for block in (1, 2):
        number = by_label[f"被保険者{block} 個人番号基礎年金番号"]
        assert (number["name"], number["type"], number["min_digits"]) == (
            f"insured_my_number_{block}",
            "my_number",
            10,
        )
        assert by_label[f"被保険者{block} 喪失年月日"]["type"] == "date"
    assert by_label["被保険者1 生年月日"]["name"] == "insured_birth_date_1"


def test_the_submitters_block_is_the_employers(soshitsu: list[dict[str, Any]]) -> None:
    """GIVEN the 資格喪失届's first block headed 「提出者記入欄」 down its left edge (the 事業主
    submits it) WHEN drafted THEN its fields are named as our templates name the employer's
    (a fresh clerk renamed all ten: ``symbol``, ``address``, ``company_name``, ``name_9`` …)."""
    names = {f["name"] for f in soshitsu}
    assert {"employer_address", "employer_name", "employer_owner_name", "employer_phone"} <= names
    assert {"employer_postcode", "employer_number"} <= names
    assert not {"address", "company_name", "phone"} & names
