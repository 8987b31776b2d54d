"""Pale strokes: writing 2–3 pt tall scanned light grey makes a box written on, so that its
blank is never auto-accepted; the blank form's own pale print and paper noise do not."""

from __future__ import annotations

import numpy as np

from extractors.fields.faint import holds_pale_writing, pale_strokes
from extractors.fields.paper import paper_of
from extractors.fields.writing import locate, other_boxes
from ocr.preprocess import binarize, printed_rules
from ocr.types import Image, Recognition

DPI = 72  # one pixel per point
BOX = (60.0, 40.0, 200.0, 48.0)  # a 8 pt 収入 box


def _blank() -> Image:
    blank = np.full((100, 260), 255, np.uint8)
    blank[39, 50:211] = 0  # the box's rules
    blank[49, 50:211] = 0
    blank[39:50, 50] = 0
    blank[39:50, 210] = 0
    blank[20, 10:250] = 0  # a black title rule elsewhere (Otsu's threshold is the print's)
    return blank


def _paper(page: Image, blank: Image, grey: Image | None = None):  # type: ignore[no-untyped-def]
    return paper_of(page, binarize(blank), DPI, (), grey if grey is not None else blank)


def _pale_2000(page: Image) -> None:
    for x in (70, 75, 80, 85):  # 「2000」 3 pt tall, strokes one pixel wide, grey 190
        page[42, x : x + 3] = 190
        page[44, x : x + 3] = 190
        page[42:45, x + 2] = 190


def test_pale_writing_in_a_small_box_is_found_and_the_box_is_written_on() -> None:
    blank = _blank()
    page = blank.copy()
    _pale_2000(page)
    paper = _paper(page, blank)
    assert len(pale_strokes(paper, BOX)) == 4
    writing = locate(paper, BOX, printed_rules(blank, DPI).down, other_boxes([], DPI))
    assert writing.inked  # read as nothing, it goes to a person, never a blank accepted


def test_an_empty_box_with_paper_noise_is_blank() -> None:
    blank = _blank()
    page = blank.copy()
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 6, page.shape)
    page = np.clip(page.astype(np.float64) + noise, 0, 255).astype(np.uint8)
    page[43, 100] = 150  # a lone speck
    paper = _paper(page, blank)
    assert not holds_pale_writing(paper, (BOX,))
    writing = locate(paper, BOX, printed_rules(blank, DPI).down, other_boxes([], DPI))
    assert not writing.inked


def test_the_forms_own_pale_print_is_not_writing() -> None:
    """A dashed grey ring printed round 都 (the 交付申請書's address row): not in the binarised
    blank, it is in the blank as rendered, and it is print."""
    blank = _blank()
    for x in (100, 104, 108, 112):
        blank[41:43, x : x + 2] = 200  # the ring's dashes, grey 200
        blank[45:47, x : x + 2] = 200
    page = blank.copy()
    assert pale_strokes(_paper(page, blank, blank), BOX) == []
    # Without the rendered blank (the binarised one only) the dashes would pass for strokes.
    assert pale_strokes(paper_of(page, binarize(blank), DPI), BOX)


def test_the_grey_edge_of_a_rule_just_outside_the_box_is_not_writing() -> None:
    """A scan a pixel off the blank: the bottom rule's grey edge reaches into the box (every
    empty フリガナ row of a 被扶養者届 was taken for written on)."""
    blank = _blank()
    page = blank.copy()
    for x in (70, 90, 110):
        page[47, x : x + 10] = 180  # the rule's grey edge, in pieces, inside the box
    assert not holds_pale_writing(_paper(page, blank), (BOX,))


def test_a_date_holding_only_pale_digits_is_written_on() -> None:
    """The plan marks a date written on when its cells hold pale strokes only, so that read as
    nothing it goes to a person (「（令和　年　月　日）」 written 2 pt tall was accepted blank)."""
    from extractors.identify import blank_page
    from extractors.plan import plan_crops
    from extractors.read import page_paper
    from extractors.template import load_templates

    dpi = 100
    template = next(t for t in load_templates() if t.form_id == "kofu_shinsei")
    blank = blank_page(template.blank_pdf, dpi)
    page = blank.copy() if blank.ndim == 2 else blank[..., 0].copy()
    assert not plan_crops(template, page_paper(template, page, dpi)).inked["submission_date"]
    x0, y0 = round(323 * dpi / 72), round(90 * dpi / 72)  # inside the year's cells
    for dx in (0, 6):  # two digits 4 px tall, strokes a pixel wide, grey 190
        page[y0 : y0 + 5, x0 + dx] = 190
        page[y0, x0 + dx : x0 + dx + 3] = 190
    assert plan_crops(template, page_paper(template, page, dpi)).inked["submission_date"]


def test_pale_strokes_under_a_seal_are_the_seals() -> None:
    """A red seal pressed over an empty 事業主氏名 scans as pale grey lettering."""
    blank = _blank()
    page = blank.copy()
    _pale_2000(page)
    paper = _paper(page, blank)
    seal = [(80.0, 44.0, 12.0)]  # a seal found on the page, over the pale strokes
    writing = locate(paper, BOX, printed_rules(blank, DPI).down, other_boxes([], DPI), seal)
    assert not writing.inked


def test_one_pale_digit_clear_of_the_edges_is_writing_a_neighbours_tip_is_not() -> None:
    """GIVEN a lone 「7」 4 pt tall written pale in 「（　年生）」 WHEN looked at THEN the box is
    written on (one stroke, but an upright character, wholly inside); a round speck, or the
    tip of a neighbour's writing reaching in over the box's edge, one stroke as tall, is not."""
    blank = _blank()
    seven = blank.copy()
    seven[42, 100:103] = 190
    seven[42:46, 102] = 190
    assert holds_pale_writing(_paper(seven, blank), (BOX,))
    speck = blank.copy()  # a round speck as tall (dust, a pen's dot): no character
    speck[42:45, 120:123] = 190
    assert not holds_pale_writing(_paper(speck, blank), (BOX,))
    tip = blank.copy()
    tip[44:48, 150] = 190  # runs down into the box's bottom rule's row: from below
    tip[44:48, 151] = 190
    assert not holds_pale_writing(_paper(tip, blank), (BOX,))


def test_the_cells_holding_pale_writing_are_read_when_no_cell_is_inked() -> None:
    """GIVEN a row of two cells, a lone pale 「7」 in the first WHEN the cells to read are
    chosen THEN the first is (read as a proposal: ``CropPlan.pale``), the empty one is not;
    an empty row gives none."""
    from extractors.plan import _pale_cells
    from extractors.template import Segment

    blank = _blank()
    seven = blank.copy()
    seven[42, 100:103] = 190
    seven[42:46, 102] = 190
    row = (Segment((90.0, 40.0, 130.0, 48.0), 2),)  # cells 90–110 and 110–130
    assert len(_pale_cells(row, _paper(seven, blank))) == 1
    assert _pale_cells(row, _paper(blank.copy(), blank)) == []


def test_a_date_part_reads_its_pale_cell_beside_a_dark_one_and_a_changed_value_is_a_proposal() -> None:
    """GIVEN a day written 「1 3」 whose 1 is one thin pale stroke and whose 3 is dark WHEN the
    cells to read are chosen THEN both are, the pale one's place noted (the day was read 03
    and accepted for 13); a pale cell read as a leading 0 changes nothing and is no doubt,
    read as another digit (or not one digit per cell) it makes the field a proposal."""
    from extractors.plan import CropPlan, _with_pale_cells, pale_cells_matter
    from extractors.template import Segment

    blank = _blank()
    page = blank.copy()
    page[42:47, 95] = 190  # the pale 1, 5 pt tall, one pixel wide
    page[42, 112:117] = 0  # a dark 3
    page[44, 113:117] = 0
    page[46, 112:117] = 0
    page[42:47, 116] = 0
    key = ("death_date", "day")
    plan = CropPlan([key], [], {})
    crops, _ = _with_pale_cells((Segment((90.0, 40.0, 130.0, 48.0), 2),), _paper(page, blank), plan, key)
    assert len(crops) == 2 and plan.pale_cells == {key: (0,)}
    plan.cell_counts[key] = 2
    assert pale_cells_matter(plan, [Recognition("13", 0.96)]) == {"death_date"}
    assert pale_cells_matter(plan, [Recognition("03", 0.99)]) == set()
    assert pale_cells_matter(plan, [Recognition("3", 0.99)]) == {"death_date"}


def test_a_part_of_a_date_is_read_when_its_pale_strokes_straddle_its_two_cells() -> None:
    """GIVEN a month 「10」 4 pt tall and pale, its 1 and its 0 each one short stroke lying
    astride the unprinted border of the box's two cells WHEN the cells to read are chosen
    THEN both are (no cell alone holds a character, the box holds two strokes: it was read
    blank); an empty box gives none."""
    from extractors.plan import _pale_cells
    from extractors.template import Segment

    blank = _blank()
    page = blank.copy()
    page[43:45, 107:109] = 190  # the 1: a 2 pt stroke left of the border at 110
    page[43:45, 111:113] = 190  # the 0: as short, right of it
    row = (Segment((90.0, 40.0, 130.0, 48.0), 2),)
    assert len(_pale_cells(row, _paper(page, blank))) == 2
    assert _pale_cells(row, _paper(blank.copy(), blank)) == []


def test_a_month_written_pale_beside_a_dark_year_is_read_on_one_stroke() -> None:
    """GIVEN a date whose year is written dark and whose month is a pale 「4」 scanned as one
    short stroke WHEN the month's cells are chosen THEN the stroke's cell is read, its place
    noted as pale (a proposal): a month goes with its year, and it was read blank."""
    from extractors.plan import CropPlan, _with_pale_cells
    from extractors.template import Segment

    blank = _blank()
    page = blank.copy()
    page[43:45, 95:97] = 190  # one stroke 2 pt tall: alone, no character
    key = ("moved_date", "month")
    plan = CropPlan([key], [], {})
    crops, _ = _with_pale_cells((Segment((90.0, 40.0, 130.0, 48.0), 2),), _paper(page, blank), plan, key)
    assert len(crops) == 1 and plan.pale_cells == {key: (0,)}
    assert not holds_pale_writing(_paper(page, blank), ((90.0, 40.0, 130.0, 48.0),))


def test_a_cells_crop_has_the_print_in_its_corner_painted_out_and_the_writing_kept() -> None:
    """GIVEN a date cell printing its 「年」 in the top corner (協会けんぽ's 被扶養者届) and a
    digit written below it WHEN the cell's crop is cut THEN the 年 is gone and the digit
    is whole (「年 over 7」 was read as nothing)."""
    from extractors.plan import _cell_image

    blank = np.full((100, 260), 255, np.uint8)
    blank[20, 90:131] = 0  # the cell's rules: 100–120 × 20–60 …
    blank[60, 90:131] = 0
    blank[20:61, 100] = 0
    blank[20:61, 120] = 0
    blank[25:30, 112:118] = 0  # … its printed 年 in the top right corner
    page = blank.copy()
    page[33:50, 107:109] = 30  # a 1 written below it
    crop = _cell_image(_paper(page, blank), (100.0, 20.0, 120.0, 60.0))
    dark = crop < 128
    assert int(dark.sum()) == 17 * 2  # the digit, every pixel of it, and nothing else


def test_a_seven_whose_top_bar_scanned_pale_is_too_wide_for_a_one() -> None:
    """GIVEN a 7 4 pt tall whose stem is dark and whose top bar scanned light grey WHEN its
    cell's shape is measured THEN it is a 7's (wider than a 1 may be): of the threshold's ink
    alone it was a 1's, and 令和7年 read 令和1年 was accepted."""
    from extractors.fields import ink as inkmod
    from extractors.plan import ONE_MAX_ASPECT, _shape

    blank = _blank()
    page = blank.copy()
    page[42, 99:104] = 190  # the bar, pale
    page[42:46, 103] = 40  # the stem, dark, 4 pt
    paper = _paper(page, blank)
    cell = (95.0, 40.0, 110.0, 48.0)
    assert inkmod.ink_aspect(paper, cell) <= ONE_MAX_ASPECT < _shape(paper, cell)
    one = blank.copy()
    one[42:46, 103] = 40  # a 1: narrow either way
    assert _shape(_paper(one, blank), cell) <= ONE_MAX_ASPECT
    footed = blank.copy()  # a larger 1 (6 pt) with a pale foot: its dark ink decides
    footed[41:47, 103] = 40
    footed[46, 99:107] = 190
    assert _shape(_paper(footed, blank), cell) <= ONE_MAX_ASPECT


def test_dark_ink_judged_someone_elses_is_no_pale_writing_of_the_box() -> None:
    """GIVEN a box holding only a dark stroke with its grey rim (ink the page's threshold finds:
    a ring's arc dipping into an empty write-in, judged the ring's) WHEN asked for pale
    writing only THEN there is none; pale strokes alone still are (the arc was read 1)."""
    blank = _blank()
    page = blank.copy()
    for x in (100, 110):  # the dark arc's two pieces in the box, each with its grey rim
        page[43:46, x : x + 3] = 30
        page[43:46, x - 1] = page[43:46, x + 3] = 180
    paper = _paper(page, blank)
    assert holds_pale_writing(paper, (BOX,))  # as before: dark and pale alike
    assert not holds_pale_writing(paper, (BOX,), pale_only=True)
    pale = blank.copy()
    _pale_2000(pale)
    assert holds_pale_writing(_paper(pale, blank), (BOX,), pale_only=True)
