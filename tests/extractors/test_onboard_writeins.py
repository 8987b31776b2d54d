"""The write-in brackets 「その他（　　）」, 「（　　年生）」 and the dates in running text
「1.死亡（令和　年　月　日）」 of a spreadsheet-made form are drafted (a clerk drew 19 write-ins
and 4 such dates by hand onboarding 協会けんぽ's 被扶養者（異動）届 page 1; the boxes below are
the clerk's, from the saved template)."""

from __future__ import annotations

from typing import Any

import pytest

from extractors.onboard.blank import draft_template
from extractors.onboard.draft import Printed
from extractors.onboard.writeins import inline_dates, write_in_gaps
from extractors.template import PtBox
from tests.conftest import REPO

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
    pdf = (REAL_FORMS / "kyokai_hifuyosha_ido.pdf").read_bytes()
    drafted: list[dict[str, Any]] = draft_template(pdf, 0, "h", "2202", "2024.12").template["fields"]
    return drafted


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
