"""The writing of a text field is found where it is: over the box's rules, under a printed
label left of the template's box, small in a tall box, beside another field's mark; and the
print of a bold scan is not taken for writing."""

from __future__ import annotations

import numpy as np

from extractors.fields.paper import paper_of, print_spread
from extractors.fields.writing import locate, other_boxes
from ocr.preprocess import binarize, printed_rules
from ocr.types import Image

DPI = 72  # one pixel per point keeps the geometry readable
#: The template's box of the field: its writing area begins at x 60, after a printed label
#: in the cell (x 10–60); the cell is closed by vertical rules at x 10 and x 290.
BOX = (60.0, 40.0, 290.0, 70.0)


def _blank() -> Image:
    blank = np.full((160, 320), 255, np.uint8)
    blank[40, 10:291] = 0  # top rule of the cell
    blank[70, 10:291] = 0  # bottom rule
    blank[40:71, 10] = 0  # left rule
    blank[40:71, 290] = 0  # right rule
    blank[43:47, 14:40] = 0  # the small printed label (「変更後の氏名」) inside the cell
    return blank


def _read(
    page: Image, blank: Image, others: list[tuple[float, float, float, float]] = ()
) -> tuple[Image, bool]:  # type: ignore[assignment]
    paper = paper_of(page, binarize(blank), DPI)
    writing = locate(paper, BOX, printed_rules(blank, DPI).down, other_boxes(list(others), DPI))
    return writing.crop, writing.inked


def _dark_columns(crop: Image) -> np.ndarray:
    return np.flatnonzero((crop < 128).any(axis=0))


def test_writing_under_a_label_left_of_the_box_is_taken_in_and_the_label_painted_out() -> None:
    blank = _blank()
    page = blank.copy()
    page[50:64, 20:24] = 0  # the surname's strokes, under the label, left of the box
    page[50:64, 100:104] = 0  # the given name, in the box
    crop, inked = _read(page, blank)
    assert inked
    dark = _dark_columns(crop)
    assert dark[-1] - dark[0] == 103 - 20  # both words, nothing more
    assert np.count_nonzero(crop < 128) == 2 * 14 * 4  # the writing only: no label, no rule


def test_writing_over_the_bottom_rule_is_taken_in_and_the_rule_painted_out() -> None:
    blank = _blank()
    page = blank.copy()
    page[55:80, 100:103] = 0  # a stroke from inside the box to 10 pt below its bottom rule
    page[100:110, 150:153] = 0  # writing further down: another field's
    crop, _ = _read(page, blank)
    assert crop.shape[0] >= 25  # the whole stroke
    assert crop.shape[0] < 100 - 55  # not the writing below
    assert not any(np.count_nonzero(row < 128) > 10 for row in crop)  # the rule is gone


def test_small_writing_in_a_tall_box_gives_a_crop_as_tall_as_the_writing() -> None:
    """The recogniser scales every crop to one height: writing that fills a fifth of a crop
    is read at a fifth of the size, and digits between hyphens are lost."""
    blank = _blank()
    page = blank.copy()
    page[60:66, 100:103] = 0
    page[60:66, 110:113] = 0
    crop, inked = _read(page, blank)
    assert inked
    assert crop.shape[0] <= 6 + 2 * 2  # the writing and a margin, not the 30 pt box


def test_another_fields_mark_in_the_cell_is_not_this_fields_writing() -> None:
    blank = _blank()
    page = blank.copy()
    page[50:64, 100:104] = 0  # this field's writing
    page[52:60, 26:34] = 0  # a tick in another field's box in the cell, left of this box
    crop, _ = _read(page, blank, others=[(22.0, 48.0, 38.0, 64.0)])
    dark = _dark_columns(crop)
    assert dark[-1] - dark[0] == 3  # only this field's stroke


def test_a_speck_of_the_label_left_apart_before_the_box_is_not_read_with_the_writing() -> None:
    """The ）of 「㋐（通貨）」 left over by the print's removal lay in the amount's cell before
    its box, far from the figures, and was read as a 1 (12000 read 112000)."""
    blank = _blank()
    page = blank.copy()
    page[55:59, 46:48] = 0  # a speck between the label's end and the box, 4 px tall
    page[50:64, 100:104] = 0  # the writing, in the box: 14 px tall
    page[50:64, 110:114] = 0
    crop, inked = _read(page, blank)
    assert inked
    dark = _dark_columns(crop)
    assert dark[-1] - dark[0] == 113 - 100  # the writing alone
    page[53:60, 30:31] = 0  # a sliver half the writing's height, 1 px wide: no stroke either
    crop, _ = _read(page, blank)
    dark = _dark_columns(crop)
    assert dark[-1] - dark[0] == 113 - 100


def test_a_speck_after_the_box_apart_from_the_writing_is_not_read_with_it() -> None:
    """After an amount's box its cell holds the printed 円: a speck of it (or of the cell's
    rule) far after the figures is no writing (12000 read 120001); writing that runs on past
    the box's end is."""
    blank = _blank()
    box = (60.0, 40.0, 200.0, 70.0)  # the box ends 90 pt before the cell's right rule
    page = blank.copy()
    page[50:64, 100:104] = 0  # the writing
    page[56:62, 240:242] = 0  # a speck in the cell, 40 pt after the box
    paper = paper_of(page, binarize(blank), DPI)
    dark = _dark_columns(locate(paper, box, printed_rules(blank, DPI).down, []).crop)
    assert dark[-1] - dark[0] == 3
    for x in range(115, 210, 15):  # now the writing runs on past the box's end
        page[50:64, x : x + 4] = 0
    paper = paper_of(page, binarize(blank), DPI)
    dark = _dark_columns(locate(paper, box, printed_rules(blank, DPI).down, []).crop)
    assert dark[-1] - dark[0] == 208 - 100  # to its last stroke, not the speck


def test_specks_and_a_rule_a_pixel_off_are_not_writing() -> None:
    blank = _blank()
    page = blank.copy()
    page[41, 10:291] = 0  # the top rule one pixel lower
    page[55, 120] = page[58, 200] = 0  # scanner specks
    assert not _read(page, blank)[1]


def test_the_print_of_a_bold_scan_is_not_writing_and_its_spread_is_measured() -> None:
    blank = _blank()
    page = blank.copy()
    bold = binarize(blank) > 0
    for dy in (-2, -1, 1, 2):  # every printed stroke 2 px thicker on each side
        page[np.roll(bold, dy, axis=0)] = 0
        page[np.roll(bold, dy, axis=1)] = 0
    assert print_spread(binarize(page), binarize(blank), DPI, ((8.0, 38.0, 292.0, 72.0),)) >= 2
    paper = paper_of(page, binarize(blank), DPI, ((8.0, 38.0, 292.0, 72.0),))
    assert not locate(paper, BOX, printed_rules(blank, DPI).down, []).inked


def test_kana_written_just_above_the_name_stays_the_kana_fields_and_out_of_the_names() -> None:
    """A フリガナ row above the name's box: kana written low and a name written high come
    within a rule's height of each other; each is still its own field's writing."""
    kana_box, name_box = (60.0, 24.0, 290.0, 40.0), (60.0, 40.0, 290.0, 70.0)
    blank = _blank()
    blank[24, 10:291] = 0  # top rule of the kana row (its bottom is the name's top rule)
    blank[24:41, 10] = blank[24:41, 290] = 0
    page = blank.copy()
    page[30:38, 100:104] = 0  # two kana, low in their row
    page[30:38, 140:144] = 0
    page[42:60, 101:105] = 0  # the name's strokes start just under the rule, under the kana
    page[42:60, 141:145] = 0
    paper = paper_of(page, binarize(blank), DPI)
    down = printed_rules(blank, DPI).down
    kana = locate(paper, kana_box, down, other_boxes([name_box], DPI))
    name = locate(paper, name_box, down, other_boxes([kana_box], DPI))
    kana_rows = np.flatnonzero((kana.crop < 128).any(axis=1))
    name_rows = np.flatnonzero((name.crop < 128).any(axis=1))
    assert kana.inked and name.inked
    assert 6 <= kana_rows[-1] - kana_rows[0] < 8  # the kana, none of the name below
    assert 14 <= name_rows[-1] - name_rows[0] < 18  # the name, none of the kana above


def test_a_pale_last_kana_after_the_writing_is_taken_into_the_crop() -> None:
    """ミ of マユミ written 2–3 pt tall scans as light grey strokes (170–200) that the page's
    threshold, set by the black print, never reaches: it was left out of the crop and lost."""
    blank = _blank()
    page = blank.copy()
    page[52:56, 100:104] = 100  # マ, ユ: 4 pt tall, grey writing the threshold finds
    page[52:56, 106:110] = 100
    page[52, 112:115] = 190  # ミ: three pale strokes, 1 px each
    page[54, 112:115] = 190
    page[55, 112:116] = 190
    page[52:56, 250:252] = 200  # a pale smudge far off (more than a character away): not writing
    crop, inked = _read(page, blank)
    assert inked
    dark = np.flatnonzero((crop < 220).any(axis=0))
    assert dark[-1] - dark[0] == 115 - 100  # マ, ユ and the pale ミ; not the smudge


def test_a_pale_first_kana_blurred_into_one_blot_is_taken_into_the_crop() -> None:
    """ミ of ミサキ written 2 pt tall before サキ in an 8.5 pt フリガナ row scanned as one light-grey
    blot (its three strokes run together: 28 px in 6 x 7 beside writing 7 px tall, at 200 dpi):
    too thick for a stroke at half the writing's height, it was left out (read サキ)."""
    blank = _blank()
    page = blank.copy()
    page[52:57, 100:104] = 100  # サ, キ: 5 pt tall, grey writing the threshold finds
    page[52:57, 106:110] = 100
    blot = np.full((5, 6), 255, np.uint8)
    blot[0, 0:4] = blot[1, 1:5] = blot[2, 1:4] = blot[3, 2:6] = blot[4, 0:3] = 190  # ミ: 18 px
    page[52:57, 91:97] = blot
    crop, inked = _read(page, blank)
    assert inked
    dark = np.flatnonzero((crop < 220).any(axis=0))
    assert dark[-1] - dark[0] == 109 - 91  # the pale ミ, サ and キ


def test_a_pale_last_kana_after_writing_nearly_five_points_tall_is_taken_into_the_crop() -> None:
    """シ of ヒロシ written in a felt-pen hand 4.7 pt tall, its three short strokes scanned light
    grey (190–210) beside ヒロ at 110–190, was left out of the crop (read ヒ): faint writing was
    followed only after writing at most 4.5 pt tall."""
    blank = _blank()
    page = blank.copy()
    page[51:56, 100:104] = 100  # ヒ, ロ: 5 pt tall, grey writing the threshold finds
    page[51:56, 106:110] = 100
    page[51, 112:115] = 190  # シ: three pale strokes, 1 px each
    page[53, 112:115] = 190
    page[55, 112:116] = 190
    crop, inked = _read(page, blank)
    assert inked
    dark = np.flatnonzero((crop < 220).any(axis=0))
    assert dark[-1] - dark[0] == 115 - 100  # ヒ, ロ and the pale シ


def test_a_pale_first_character_before_the_writing_is_taken_into_the_crop_within_the_box() -> None:
    """入 of 「入院中」 written 4 pt tall scans light grey, 院中 dark: the crop began at 院 and
    was read 院中 with confidence. Pale strokes before the box's start (under the printed
    「（」 or its label) are not followed."""
    blank = _blank()
    page = blank.copy()
    page[52:56, 100:104] = 100  # 院, 中: grey writing the threshold finds
    page[52:56, 106:110] = 100
    page[52, 93:96] = 190  # 入: three pale strokes, 1 px each
    page[54, 93:96] = 190
    page[55, 93:97] = 190
    crop, inked = _read(page, blank)
    assert inked
    dark = np.flatnonzero((crop < 220).any(axis=0))
    assert dark[-1] - dark[0] == 109 - 93  # 入 too
    early = blank.copy()
    early[52:56, 63:67] = 100  # writing at the box's start …
    early[52, 55:58] = 190  # … and pale strokes before it, outside the box
    early[54, 55:58] = 190
    early[55, 55:59] = 190
    crop, _ = _read(early, blank)
    dark = np.flatnonzero((crop < 220).any(axis=0))
    assert dark[-1] - dark[0] == 66 - 63


def test_pale_noise_and_the_grey_halo_of_print_are_not_taken_for_writing() -> None:
    blank = _blank()
    page = blank.copy()
    page[52:56, 100:104] = 100
    page[52:56, 106:110] = 100
    page[53, 113] = 200  # a single pale pixel: scanner noise
    page[48:60, 95:98] = 200  # a grey blob, thick as it is tall: shading, no stroke
    crop, _ = _read(page, blank)
    dark = np.flatnonzero((crop < 220).any(axis=0))
    assert dark[-1] - dark[0] == 109 - 100


def test_larger_writing_is_not_followed_into_pale_print_beside_it() -> None:
    """A name 10 pt tall has strokes the threshold finds; pale strokes beside it are a seal
    scanned grey or a shaded label, not a character the threshold lost."""
    blank = _blank()
    page = blank.copy()
    page[50:60, 100:108] = 100
    page[52, 116:122] = 190  # past the crop's side margin (5 pt), within a character's reach
    page[56, 116:122] = 190
    crop, _ = _read(page, blank)
    dark = np.flatnonzero((crop < 220).any(axis=0))
    assert dark[-1] - dark[0] == 107 - 100


def test_an_empty_box_gives_a_crop_without_the_print_inside_it() -> None:
    """An empty address row holds a printed 都道府県: the recogniser read it as 静, 解, 最."""
    blank = _blank()
    blank[52:60, 150:158] = 0  # print inside the box (a printed 都)
    page = blank.copy()
    crop, inked = _read(page, blank)
    assert not inked
    assert not (crop < 128).any()
