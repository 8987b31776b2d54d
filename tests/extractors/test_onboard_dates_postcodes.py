"""A drafted date whose 年/月/日 are printed in the corner of its cells takes its cells border to
border, and a postcode written after a printed 〒 with no cells is drafted (clerk6's 被扶養者
（異動）届: 41 gestures fitting date parts to the cell borders, ~12 edits drawing each postcode)."""

from __future__ import annotations

from typing import Any

import pytest

from extractors.onboard.draft import (
    Printed,
    corner_dated,
    draft_fields,
    is_printed_postcode,
    printed_date_parts,
)
from extractors.template import PtBox
from tests.conftest import REPO, real_draft_fields

REAL_FORMS = REPO / "fixtures" / "real-forms"


def _cells(x0: float, width: float, count: int, top: float = 100.0, bottom: float = 124.0) -> list[PtBox]:
    return [(x0 + i * width, top, x0 + (i + 1) * width, bottom) for i in range(count)]


def _corner(text: str, cell: PtBox) -> Printed:
    """``text`` printed 6 pt high in the top right corner of ``cell``."""
    return Printed(text, (cell[2] - 6.5, cell[1] + 0.3, cell[2] - 0.5, cell[1] + 6.3))


#: 「9.令和 □□年□□月□□日」: an era cell, then six 10 pt cells (the C欄's), 年/月/日 in the corner
#: of the 2nd, 4th and 6th (a sixth of the cell: more than a label's share).
ERA_CELL: PtBox = (130.0, 100.0, 150.0, 124.0)
CELLS = _cells(150.0, 10.0, 6)
PRINT = [
    Printed("9", (132.0, 106.0, 135.0, 112.0)),
    Printed(".", (135.0, 106.0, 136.0, 112.0)),
    Printed("令", (137.0, 108.0, 143.0, 114.0)),
    Printed("和", (143.0, 108.0, 149.0, 114.0)),
    _corner("年", CELLS[1]),
    _corner("月", CELLS[3]),
    _corner("日", CELLS[5]),
]


def test_a_year_printed_in_a_cell_corner_is_no_label() -> None:
    assert corner_dated(CELLS[1], PRINT)
    assert not corner_dated(CELLS[0], PRINT)  # nothing printed: a cell anyway, not this rule
    centred = Printed("年", (CELLS[1][0] + 4, 109.0, CELLS[1][0] + 10, 115.0))
    assert not corner_dated(CELLS[1], [centred])  # 年 alone, centred in its cell: print


def test_date_parts_drawn_over_cells_take_the_cells_border_to_border() -> None:
    """GIVEN a rectangle drawn roughly round the six cells (and over the era cell) WHEN cut
    THEN each part is its two cells, border to border, the corner 年/月/日 inside it (was cut at
    the printed character: the writer's second digit fell outside)."""
    drawn = (135.0, 102.0, 214.0, 122.0)
    assert printed_date_parts(drawn, PRINT, [ERA_CELL, *CELLS]) == (
        (150.0, 100.0, 170.0, 124.0),
        (170.0, 100.0, 190.0, 124.0),
        (190.0, 100.0, 210.0, 124.0),
    )


def test_date_parts_without_cell_rules_are_cut_at_the_print() -> None:
    """GIVEN 「令和　年　月　日」 written in one line (one cell round it, or no cell) WHEN cut THEN
    the parts end at the printed characters, as before."""
    line = [
        Printed("年", (180.0, 103.0, 186.0, 109.0)),
        Printed("月", (210.0, 103.0, 216.0, 109.0)),
        Printed("日", (240.0, 103.0, 246.0, 109.0)),
    ]
    expected = ((150.0, 100.0, 180.0, 112.0), (186.0, 100.0, 210.0, 112.0), (216.0, 100.0, 240.0, 112.0))
    drawn = (150.0, 100.0, 250.0, 112.0)
    assert printed_date_parts(drawn, line) == expected
    assert printed_date_parts(drawn, line, [(100.0, 95.0, 300.0, 115.0)]) == expected


def test_a_date_of_cells_with_corner_print_is_drafted_on_its_cells() -> None:
    """GIVEN the cells and print above as a blank's WHEN drafted THEN one date of the printed
    era, each part its two cells."""
    [date] = [f for f in draft_fields([ERA_CELL, *CELLS], PRINT, PRINT) if f["type"] == "date"]
    assert (date["year"], date["month"], date["day"], date["era"]) == (
        [150.0, 100.0, 170.0, 124.0],
        [170.0, 100.0, 190.0, 124.0],
        [190.0, 100.0, 210.0, 124.0],
        "reiwa",
    )


@pytest.fixture(scope="module")
def soshitsu() -> list[dict[str, Any]]:
    return real_draft_fields("kyokai_shikaku_soshitsu.pdf")


def test_the_loss_date_of_each_block_spans_its_cells(soshitsu: list[dict[str, Any]]) -> None:
    """GIVEN the 資格喪失届's ⑦ 喪失年月日, 年/月/日 printed in the corner of each part's second
    cell, a row of cells right under it WHEN drafted THEN each block's is one date, its parts
    two cells each, not continued into the row below (was a part of one cell each)."""
    losses = [f for f in soshitsu if f["type"] == "date" and f["year"][0] == 494.8]
    assert len(losses) == 4
    assert all((f["year"][2], f["month"][2], f["day"][2]) == (515.2, 536.2, 557.5) for f in losses)


#: An address row: its heading cell 「住所」 (shaded), the writing box with 「〒　　―」 at its top.
HEADING: PtBox = (60.0, 370.0, 97.0, 395.0)
ADDRESS: PtBox = (97.0, 370.0, 400.0, 395.0)
MARK = Printed("〒", (100.0, 371.0, 106.8, 377.8))
DASH = Printed("―", (138.0, 371.0, 144.7, 377.8))
HEADING_PRINT = [Printed("住", (68.0, 378.0, 75.0, 385.0)), Printed("所", (83.0, 378.0, 90.0, 385.0))]


def _postcodes(boxes: list[PtBox], printed: list[Printed]) -> list[dict[str, Any]]:
    words = [Printed("住所", (68.0, 378.0, 90.0, 385.0)), *(p for p in printed if p not in HEADING_PRINT)]
    fields = draft_fields(boxes, printed, words, frozenset({HEADING}))
    return [f for f in fields if "郵便番号" in f.get("label", "")]


def test_a_postcode_after_a_printed_mark_is_drafted() -> None:
    """GIVEN 「〒　　―　　　　」 at the top of an address box, no cells printed WHEN drafted THEN a
    postcode of 3 and 4 digits (up to the dash and after it, as wide), labelled by its row,
    over the 〒's line (the clerk drew and typed each: ~12 edits)."""
    [postcode] = _postcodes([HEADING, ADDRESS], [*HEADING_PRINT, MARK, DASH])
    assert (postcode["name"], postcode["label"], postcode["type"]) == ("postcode", "住所 郵便番号", "digits")
    assert (postcode["min_digits"], postcode["max_digits"]) == (7, 7)
    first, second = postcode["segments"]
    assert first == [107.3, 371.0, 137.0, 380.5, 3]
    assert second[4] == 4 and second[0] == 145.7 and second[2] == pytest.approx(145.7 + 4 * 9.9, abs=0.2)


def test_the_address_box_starts_under_the_postcode_line() -> None:
    """GIVEN the address box the 〒 line tops WHEN drafted THEN its text box starts under the
    line, from the 〒 on, labelled by the row (the clerk moved it there: 2 gestures a row)."""
    fields = draft_fields(
        [HEADING, ADDRESS],
        [*HEADING_PRINT, MARK, DASH],
        [Printed("住所", (68.0, 378.0, 90.0, 385.0)), MARK, DASH],
        frozenset({HEADING}),
    )
    [address] = [f for f in fields if f["type"] == "text"]
    assert (address["label"], address["box"]) == ("住所", [99.0, 381.0, 398.0, 393.0])


def test_a_postcode_without_a_printed_dash_leaves_room_for_the_written_one() -> None:
    [postcode] = _postcodes([HEADING, ADDRESS], [*HEADING_PRINT, MARK])
    first, second = postcode["segments"]
    assert (first[4], second[4]) == (3, 4) and second[0] - first[2] == pytest.approx(1.4 * 6.8, abs=0.2)


def test_a_postcode_after_the_printed_word_is_drafted_as_after_the_mark() -> None:
    """GIVEN 「郵便番号」 printed in the address box, room after it WHEN drafted THEN the postcode
    is drafted after the word as after a 〒."""
    word = [Printed(c, (100.0 + 7 * i, 371.0, 107.0 + 7 * i, 377.8)) for i, c in enumerate("郵便番号")]
    [postcode] = _postcodes([HEADING, ADDRESS], [*HEADING_PRINT, *word])
    first, second = postcode["segments"]
    assert (postcode["label"], first[0], first[4], second[4]) == ("住所 郵便番号", 128.5, 3, 4)


def test_no_postcode_is_drafted_over_printed_cells() -> None:
    """GIVEN the 〒 followed by seven printed cells WHEN drafted THEN the cells are the
    postcode's, no second postcode over them."""
    cells = _cells(108.0, 12.0, 7, top=371.0, bottom=388.0)
    printed = [*HEADING_PRINT, MARK]
    fields = draft_fields([HEADING, ADDRESS, *cells], printed, [*HEADING_PRINT, MARK], frozenset({HEADING}))
    assert not [f for f in fields if is_printed_postcode(f)]
    assert [s[4] for f in fields for s in f.get("segments", [])] == [7]


def _block_fields(fields: list[dict[str, Any]], block: int) -> set[tuple[str, str, str]]:
    """A block's fields as (name without its block number, type, label without 「被保険者N」)."""
    return {
        (f["name"].removesuffix(f"_{block}"), f["type"], f["label"].removeprefix(f"被保険者{block} "))
        for f in fields
        if f["name"].startswith("insured_") and f["name"].endswith(f"_{block}")
    }


def test_the_four_blocks_of_the_loss_form_are_drafted_alike(soshitsu: list[dict[str, Any]]) -> None:
    """GIVEN the 資格喪失届's four 被保険者 blocks, printed alike but for a bold 年/月/日 (each
    character printed three times over itself) in blocks 2–4, 個人番号 and 喪失年月日 cells 40.2–40.3
    pt tall in blocks 3–4 (40.0 in 1–2), and over blocks 2–4's 生年月日 the previous block's
    「不該当年月日」 heading WHEN drafted THEN every block has block 1's fields, typed and labelled
    alike (were: 生年月日 three digits fields in blocks 2–4, no 個人番号 nor 喪失年月日 in 3–4)."""
    first = _block_fields(soshitsu, 1)
    assert {"insured_birth_date", "insured_my_number", "insured_lost_date"} <= {name for name, _, _ in first}
    assert ("insured_birth_date", "date", "生年月日") in first
    for block in (2, 3, 4):
        assert _block_fields(soshitsu, block) == first, block


def test_a_shaded_address_cell_gets_its_address_and_reading_under_and_after_the_postcode() -> None:
    """GIVEN the 資格取得届's 住所 cell, shaded like a label and printing an instruction over
    「〒　―　　（フリガナ）」, with the 理由 to circle in a drawn bracket on its right WHEN drafted
    THEN each 被保険者 block has its address under the 〒 line (from the 〒 to the bracket,
    down to the cell's bottom, linked to its postcode) and its reading after the printed
    フリガナ, and the 理由 is still a choice (clerk 11 drew both rows in every block; the
    draft had only the postcode)."""
    by_name = {f["name"]: f for f in real_draft_fields("kyokai_shikaku_shutoku.pdf")}
    for block, top in ((1, 320.6), (2, 442.4), (3, 564.2), (4, 686.0)):
        postcode = by_name[f"insured_postcode_{block}"]
        address, kana = by_name[f"insured_address_{block}"], by_name[f"insured_address_kana_{block}"]
        assert (address["type"], address["label"]) == ("text", f"被保険者{block} 住所")
        assert address["address"] and address["postcode"] == postcode["name"]
        assert (kana["type"], kana["label"]) == ("katakana", f"被保険者{block} 住所 フリガナ")
        assert kana["reading_of"] == address["name"]  # read against Japan Post's reading of the place
        line_bottom = postcode["segments"][0][3]
        assert address["box"][1] == pytest.approx(line_bottom, abs=1.0)  # under the 〒 line
        assert address["box"][3] - address["box"][1] >= 9.0
        assert address["box"][0] < 70.0 and 320.0 < address["box"][2] < 330.5  # 〒 to the bracket
        assert kana["box"][1] == pytest.approx(top, abs=0.5) and kana["box"][3] == pytest.approx(line_bottom)
        assert 138.7 < kana["box"][0] < 142.0 and kana["box"][2] < 330.5  # after （フリガナ）
        assert by_name[f"choice_kaigai_zaijuu{'' if block == 1 else f'_{block}'}"]["type"] == "choice"


def test_no_address_is_drafted_over_labels_printed_under_a_postcode_line() -> None:
    """The 住所変更届's 事業主 cell prints 〒 and then 事業所等所在地, 名称, 氏名 under it: no
    address row over them (they are the admin's to draw)."""
    fields = real_draft_fields("kyokai_jusho_henko.pdf")
    assert not [
        f for f in fields if f["type"] == "text" and f.get("box") and f["box"][1] > 480 and f["box"][0] < 100
    ]
