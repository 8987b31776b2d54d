"""A spreadsheet-made blank drafted (協会けんぽ's 被扶養者（異動）届 page 1: every cell a thin
rectangle, headings filled in colour, 年/月/日 printed in cells of their own): fewer boxes that
are no place to write, more fields right as drafted (a clerk deleted 46 of its 67 drafted
fields in session 13)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from extractors.onboard.blank import _boxes_of
from tests.conftest import real_draft, real_draft_fields

REAL_FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "real-forms"


@pytest.fixture(scope="module")
def fields() -> list[dict[str, Any]]:
    return real_draft_fields("kyokai_hifuyosha_ido.pdf")


def _starting(fields: list[dict[str, Any]], x0: float, y0: float) -> list[dict[str, Any]]:
    """The fields whose first box starts at (x0, y0), within a point."""
    return [f for f in fields if (b := _boxes_of(f)) and abs(b[0][0] - x0) <= 1 and abs(b[0][1] - y0) <= 1]


def _over(fields: list[dict[str, Any]], area: tuple[float, float, float, float]) -> list[str]:
    """The fields with a box whose centre is in ``area`` (a choice drafted from the options
    printed there aside)."""
    return [
        f["name"]
        for f in fields
        if f["type"] != "choice"
        for b in _boxes_of(f)
        if area[0] <= (b[0] + b[2]) / 2 <= area[2] and area[1] <= (b[1] + b[3]) / 2 <= area[3]
    ]


def test_a_row_of_cells_is_not_cut_by_option_lists_or_captions_above_it(fields: list[dict[str, Any]]) -> None:
    """GIVEN the A欄's 個人番号 cells under the 生年月日's 「5.昭和 7.平成 9.令和」 and 性別's
    「1.男 2.女」, and the 取得年月日 cells under the 氏名 box printing 「（氏）」 WHEN drafted
    THEN each row is one field: 12 cells of digits, one date with its era to circle (each was
    cut into three to five fields, one a 2-cell 'date')."""
    [number] = _starting(fields, 357.5, 250.5)
    assert number["type"] == "my_number" and [s[4] for s in number["segments"]] == [12]
    [taken] = _starting(fields, 122.0, 269.0)
    assert taken["type"] == "date" and sorted(taken["era_options"]) == ["heisei", "reiwa", "showa"]
    assert taken["day"] == [176.0, 269.2, 205.5, 293.2]
    # the B欄's ⑯ six cells under the row above's 「月」, 「日」 and 「⑭理由」: one date
    [overseas] = _starting(fields, 190.8, 443.8)
    assert (overseas["type"], overseas["era"], overseas["day"]) == (
        "date",
        "reiwa",
        [250.2, 443.8, 282.2, 466.5],
    )
    # the C欄's 個人番号 under its 生年月日: 12 cells, typed by its label
    for top in (536.2, 656.8):
        [mine] = _starting(fields, 250.5, top)
        assert mine["type"] == "my_number" and [s[4] for s in mine["segments"]] == [12]


def test_a_date_with_year_month_and_day_printed_in_the_corner_of_its_cells(
    fields: list[dict[str, Any]],
) -> None:
    """GIVEN 「9.令和 □□年□□月□□日」, each 年, 月 and 日 printed small in the top corner of its
    part's second cell (the writing fills the cell) WHEN drafted THEN one date of the printed
    era, each part its two cells border to border, as the clerk fitted them (each part was its
    first cell only, the cell printing 年/月/日 taken for a label: 41 gestures to fit them)."""
    [became] = _starting(fields, 151.8, 395.2)
    assert became["type"] == "date" and became["era"] == "reiwa"
    assert (became["year"], became["month"], became["day"]) == (
        [151.8, 395.2, 180.5, 419.0],
        [181.0, 395.2, 210.2, 419.0],
        [210.8, 395.2, 239.8, 419.0],
    )
    # the C欄's ⑩ 被扶養者になった日: narrower cells, the same print
    [became_1] = _starting(fields, 166.0, 591.5)
    assert (became_1["year"][2], became_1["month"][2], became_1["day"][2]) == (185.2, 205.2, 225.5)
    dates = [f for f in fields if f["type"] == "date" and f.get("era") == "reiwa"]
    assert len(dates) >= 7  # B欄 ⑨ ⑬ ⑱, C欄 1 and 2 ⑩ ⑭


def test_no_field_over_options_a_stamp_a_bar_code_or_a_coloured_heading(fields: list[dict[str, Any]]) -> None:
    """GIVEN a box printing 「1.男 2.女」 (circled), the 受付印 box, the bar code's box and the
    blue 「事業主記入欄」 band's cells WHEN drafted THEN no field there (but the choice)."""
    assert _over(fields, (401.0, 517.0, 434.5, 553.0)) == []  # C欄1 性別
    assert _over(fields, (401.0, 638.0, 434.5, 674.0)) == []  # C欄2 性別
    assert _over(fields, (434.0, 63.0, 555.0, 171.0)) == []  # 受付印
    assert _over(fields, (372.0, 19.0, 560.0, 63.0)) == []  # bar code
    assert _over(fields, (33.0, 60.0, 58.0, 228.0)) == []  # 事業主記入欄, filled blue


def test_a_name_half_under_its_furigana_heading_is_the_name(fields: list[dict[str, Any]]) -> None:
    """GIVEN a 氏名 box printing only 「（氏）」 right under the 「（ﾌﾘｶﾞﾅ）」 heading WHEN drafted
    THEN a text field 氏名（氏）, not a katakana one (was katakana in all three 氏名 rows)."""
    for x0, y0, block in ((154.0, 241.8, "被保険者"), (99.5, 528.8, "被扶養者1"), (99.5, 649.8, "被扶養者2")):
        [half] = _starting(fields, x0, y0)
        assert (half["type"], half["label"]) == ("text", f"{block} 氏名（氏）")
        assert not half.get("spaced")


def test_each_cell_of_printed_options_is_a_choice(fields: list[dict[str, Any]]) -> None:
    """GIVEN cells printing numbered options (「1.男 2.女」, 「1.同居 2.別居」, a 理由's list)
    WHEN drafted THEN each is a ○ choice with one option per item, as the
    designer proposes for the cell drawn round (the clerk drew every one of them); an era
    list stays its date's, the office's cells stay out."""
    choices = [f for f in fields if f["type"] == "choice"]
    assert len(choices) >= 20
    sexes = [f for f in choices if set(f["options"]) == {"male", "female"}]
    assert len(sexes) == 3 and all(f["style"] == "circle" for f in sexes)  # A欄, C欄 1 and 2
    assert sum(1 for f in choices if set(f["options"]) == {"together", "apart"}) == 3
    assert not [f for f in choices if set(f["options"]) <= {"showa", "heisei", "reiwa"}]
    [a_sex] = [f for f in sexes if f["options"]["male"][1] < 250]
    assert a_sex["option_labels"] == {"male": "男", "female": "女"}


@pytest.mark.parametrize("name", ["kyokai_kofu_shinsei.pdf", "kyokai_jusho_henko.pdf"])
def test_a_printer_made_blank_gets_no_choice_per_option_cell(name: str) -> None:
    """GIVEN a printer's blank, its option lists era lists of a date, in office-use cells or
    in boxes already drafted WHEN drafted THEN no choice is drafted from them (the drafts the
    kept clerk edits replay on, tests/review_ui/test_designer_kyokai.py, unchanged)."""
    drafted = real_draft_fields(name)
    assert not [f for f in drafted if f["type"] == "choice"]


def test_a_date_written_in_the_room_before_printed_year_month_and_day(fields: list[dict[str, Any]]) -> None:
    """GIVEN 「令和　年　月　日提出」 over the form, 「事業主等受付年月日　令和　年　月　日」 in one cell
    and the B欄's 「令和　年　月　日」 WHEN drafted THEN each is a 令和 date cut at the printed
    年/月/日, labelled by its print; the date inside an option (「1.死亡（令和 年 月 日）」) is the
    option's own detail, as tall as its print line (tests/extractors/test_onboard_writeins.py),
    not a date over the ⑭ 理由 cell; nor a second date over cells already drafted as one."""
    dates = {tuple(f["year"][:2]): f for f in fields if f["type"] == "date"}
    submitted = dates[(52.6, 48.7)]
    assert (submitted["label"], submitted["era"], submitted["day"][2]) == ("提出年月日", "reiwa", 138.5)
    received = dates[(413.1, 210.0)]
    assert received["label"] == "事業主等受付年月日" and received["month"][:3] == [460.4, 210.0, 496.3]
    assert (112.6, 319.5) in dates
    # ⑭ 理由's 「1.死亡（令和 年 月 日）」: its line's date and the 「その他（　）」 under it only
    names = set(_over(fields, (266.8, 419.8, 439.5, 443.5)))
    reason = sorted((f["type"], f["label"]) for f in fields if f["name"] in names)
    assert reason == [("date", "配偶者 死亡年月日"), ("text", "配偶者 理由 その他")]
    assert all(b[3] - b[1] < 8 for f in fields if f["name"] in names for b in _boxes_of(f))
    assert len([f for f in fields if f["type"] == "date" and 231 < f["year"][1] < 251]) == 1  # A欄 生年月日


def test_tinted_empty_cells_continue_their_row_and_a_spaced_out_label_reads_whole(
    fields: list[dict[str, Any]],
) -> None:
    """GIVEN the 事業所整理記号's first two cells tinted beige, nothing printed in them, and the
    A欄's row label 「個 人 番 号」 printed spaced out outside any box WHEN drafted THEN the
    symbol is the four cells (as the clerk kept it), the 12 cells a 個人番号 and the 整理番号
    box named by its label (the label had been 「号」, its last character)."""
    [symbol] = _starting(fields, 97.5, 61.2)
    assert (symbol["type"], symbol["segments"][0][4]) == ("digits", 4)
    [number] = _starting(fields, 357.5, 250.5)
    # (its bracket 「［基礎年金番号］」 too since the tinted strips beside it are one cell: 10 digits
    # at least, a 基礎年金番号)
    assert (number["type"], number["label"], number["min_digits"]) == (
        "my_number",
        "被保険者 個人番号［基礎年金番号］",
        10,
    )
    [insured] = _starting(fields, 99.5, 233.0)
    assert insured["label"] == "被保険者整理番号"  # its cell's whole print


def test_a_box_beside_stacked_labels_is_cut_into_their_rows(fields: list[dict[str, Any]]) -> None:
    """GIVEN one box beside the cell printing 「事業所所在地」, 「事業所名称」, 「事業主氏名」 and
    「電話番号」 one under another, no line between the rows WHEN drafted THEN one field per
    label, each its row of the box (was one phone field over all four)."""
    rows = [f for f in fields if f.get("box") and 80 < f["box"][1] < 200 and f["box"][0] < 120]
    assert [(f["label"], f["type"]) for f in rows] == [
        ("事業所所在地", "text"),
        ("事業所名称", "text"),
        ("事業主氏名", "text"),
        ("電話番号", "phone"),
    ]
    assert rows[2].get("spaced") and all(
        a["box"][3] < b["box"][1] for a, b in zip(rows, rows[1:], strict=False)
    )


def test_each_address_row_gets_the_postcode_written_after_its_printed_mark(
    fields: list[dict[str, Any]],
) -> None:
    """GIVEN 「〒　　―」 at the top of the 事業所所在地 row, the A欄's 住所 and the B欄's and C欄's
    address boxes, no cells printed for the digits WHEN drafted THEN five postcodes, 3 and 4
    digits each, labelled by their row, where the clerk drew them (none was drafted: ~12 edits
    each), the address written under that line."""
    postcodes = [f for f in fields if "postcode" in f["name"]]
    assert [(f["name"], f["label"], f["segments"][0][0]) for f in postcodes] == [
        ("employer_postcode", "事業所所在地 郵便番号", 107.1),
        ("insured_postcode", "被保険者 住所 郵便番号", 365.5),
        ("spouse_postcode", "配偶者 住所 郵便番号", 141.4),
        ("dep_postcode_1", "被扶養者1 住所 郵便番号", 141.4),
        ("dep_postcode_2", "被扶養者2 住所 郵便番号", 141.4),
    ]
    assert all(
        (f["type"], f["min_digits"], f["max_digits"], [s[4] for s in f["segments"]])
        == ("digits", 7, 7, [3, 4])
        for f in postcodes
    )
    [spouse] = [f for f in postcodes if 370 < f["segments"][0][1] < 380]
    assert spouse["segments"] == [[141.4, 373.6, 171.9, 383.0, 3], [180.6, 373.6, 221.4, 383.0, 4]]
    # the address boxes start under the 〒 line, labelled 住所 (the clerk moved them there; the
    # B欄's had been labelled 「⑤外国籍」, the C欄's 「⑤個人番号」)
    addresses = {tuple(f["box"]): f["label"] for f in fields if f["type"] == "text" and f["box"][0] < 136}
    assert addresses[(135.2, 383.5, 393.5, 392.8)] == "配偶者 住所"
    assert addresses[(135.2, 563.5, 344.5, 589.0)] == "被扶養者1 住所"
    assert addresses[(135.2, 684.4, 344.5, 709.8)] == "被扶養者2 住所"
    assert addresses[(100.8, 111.0, 317.2, 128.1)] == "事業所所在地"


def test_each_address_is_drafted_an_address_checked_against_the_postcode_of_its_block(
    fields: list[dict[str, Any]],
) -> None:
    """GIVEN the 事業所所在地 row and the A, B and C欄's 住所 rows (no 都道府県 printed), each with
    its 〒 line WHEN drafted THEN each address box is an address (``"address": true``) whose
    ``postcode`` is its own block's postcode (a clerk could not link them until the screen
    could; none was drafted), and no other box is an address (the A欄's address is drafted a
    tick box still)."""
    linked = {f["name"]: f.get("postcode") for f in fields if f.get("address")}
    assert linked == {
        "employer_address": "employer_postcode",
        "spouse_address": "spouse_postcode",
        "dep_address_1": "dep_postcode_1",
        "dep_address_2": "dep_postcode_2",
    }


def test_fields_are_named_and_labelled_by_their_block_and_row(fields: list[dict[str, Any]]) -> None:
    """GIVEN the blocks headed down the page's left edge (A.被保険者欄, B.配偶者欄 read as
    「Ｂ.配偶（第者３で号あ被る保被険扶者養）者欄」, C.その他の被扶養者欄１ and ２) WHEN drafted THEN
    each field is named for its block as the clerk named it (``spouse_birth_date``,
    ``dep_sex_1``, the 名's box under 「①氏名⑥住所」 ``dep_given_name_1``, its 1.同居/2.別居
    ``dep_living_1`` — was ``address_8`` —) and labelled by block and row (「被扶養者1 生年月日」,
    not 「②生年月日」; a date's era 「9.令和」 gives way to its row's heading)."""
    by_name = {f["name"]: f for f in fields}
    assert by_name["spouse_birth_date"]["label"] == "配偶者 生年月日"
    assert by_name["dep_birth_date_2"]["label"] == "被扶養者2 生年月日"
    assert by_name["dep_given_name_1"]["label"] == "被扶養者1 氏名（名）"
    assert by_name["dep_living_1"]["label"] == "被扶養者1 同居・別居"
    assert by_name["dep_sex_2"]["label"] == "被扶養者2 性別"
    assert by_name["insured_annual_income"]["label"] == "被保険者 収入（年収）"
    assert by_name["employer_name"]["label"] == "事業所名称"
    became = [f for f in fields if f["type"] == "date" and f["label"].endswith("被扶養者になった日")]
    assert [f["label"] for f in became] == ["被扶養者1 被扶養者になった日", "被扶養者2 被扶養者になった日"]
    assert not [f for f in fields if "配偶（第者" in f["label"] or re.match(r"\d\.", f["label"])]


def test_the_title_keeps_its_brackets() -> None:
    """GIVEN the title 「被扶養者 ( 異 動 ) 届」 printed with half-width brackets between its words
    WHEN drafted THEN 「被扶養者（異動）届」 (was 被扶養者異動届: the brackets dropped)."""
    assert real_draft("kyokai_hifuyosha_ido.pdf")["title"] == "被扶養者（異動）届"


def test_a_choice_drawn_beside_a_block_heading_is_labelled_by_its_options() -> None:
    """GIVEN the clerk's rectangles round the B欄's 「1.該当 2.非該当 3.変更」 (beside the block's
    heading printed down the page), its 海外特例要件 該当/非該当 (under the next cell's 「…でなく
    なった日」) and the C欄1's 該当/非該当/変更 WHEN 「選択肢を囲んで作成」 proposes them THEN each
    named and labelled by what its options are (were 「Ｂ.配偶（第者３で号あ被る保被険扶者養）者欄」,
    「被扶養者(第3号被保険者)でなくなった日」 and 「C．その他の被扶養者欄１」)."""
    from extractors.onboard.blank import one_page
    from extractors.onboard.choices import propose_choice, read_blank

    blank = read_blank(one_page((REAL_FORMS / "kyokai_hifuyosha_ido.pdf").read_bytes(), 0))
    proposed = [
        propose_choice(blank, area)
        for area in ((60.0, 396.0, 98.5, 446.0), (99.0, 445.0, 127.5, 489.0), (60.0, 590.0, 98.5, 634.0))
    ]
    assert [(p.name, p.label) for p in proposed] == [
        ("change_type", "該当・非該当・変更"),
        ("overseas_status", "海外特例要件該当・非該当"),
        ("change_type", "該当・非該当・変更"),
    ]
    assert [o.value for o in proposed[1].options] == [
        "overseas_exception_applicable",
        "overseas_exception_not_applicable",
    ]
