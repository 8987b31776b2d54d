"""Text crops that take in writing running over the box, trimmed to the writing, and word
spaces put back at the gaps between the characters read."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.fields.crops import seals, text_crop, trim_sides, under_seal, written
from extractors.read import judged, spaced_by_gaps
from ocr.preprocess import binarize
from ocr.types import Recognition

DPI = 72  # one pixel per point keeps the geometry readable


def _form() -> tuple[np.ndarray, np.ndarray]:
    """A blank form with one box (x 10–190, y 20–40 pt) and a filled copy whose writing runs
    10 pt over the bottom rule; a neighbour's stroke sits lower, apart from it."""
    blank = np.full((100, 200), 255, np.uint8)
    blank[20, 10:190] = 0
    blank[40, 10:190] = 0
    page = blank.copy()
    page[25:51, 50:53] = 0  # a stroke from inside the box to 10 px below its bottom rule
    page[62:70, 120:123] = 0  # writing of the box below: not ours
    return page, blank


def test_writing_over_the_bottom_rule_is_taken_in_and_the_rule_painted_out() -> None:
    page, blank = _form()
    inside = text_crop(page, (10, 20, 190, 40), DPI)
    grown = text_crop(page, (10, 20, 190, 40), DPI, binarize(page), binarize(blank))
    assert grown.shape[0] > inside.shape[0]
    dark_rows = [y for y in range(grown.shape[0]) if np.count_nonzero(grown[y] < 128) > 50]
    assert dark_rows == []  # the printed rule, crossing the whole crop, is gone
    assert np.count_nonzero(grown[-3:] < 128) > 0  # the stroke's end is in the crop
    assert grown.shape[0] < 62 - 20  # the neighbour's writing is not


def test_a_crop_without_overflow_is_the_inside_of_the_box() -> None:
    page, blank = _form()
    page[25:51, 50:53] = 255
    page[25:35, 50:53] = 0  # stays inside
    inside = text_crop(page, (10, 20, 190, 40), DPI)
    grown = text_crop(page, (10, 20, 190, 40), DPI, binarize(page), binarize(blank))
    assert np.array_equal(inside, grown)


def test_spaces_go_back_at_the_gaps_between_the_characters_read() -> None:
    whole = Recognition("カトウイチロウ", 0.95, (10.0, 30.0, 50.0, 120.0, 140.0, 160.0, 180.0))
    assert spaced_by_gaps(whole, [(65, 105)]).text == "カトウ イチロウ"
    assert spaced_by_gaps(whole, []).text == "カトウイチロウ"
    assert (
        spaced_by_gaps(Recognition("カトウイチロウ", 0.95), [(65, 105)]).text == "カトウイチロウ"
    )  # no positions


def test_two_gaps_two_spaces_and_a_gap_read_as_a_stroke_goes() -> None:
    whole = Recognition("代表取締役ー森健一", 0.9, (10, 30, 50, 70, 90, 130, 170, 210, 230))
    assert spaced_by_gaps(whole, [(105, 155), (185, 200)]).text == "代表取締役 森 健一"
    assert spaced_by_gaps(whole, [(105, 155), (185, 200)]).confidence == 0.9


def test_blank_sides_are_trimmed_but_the_gap_between_words_is_kept() -> None:
    crop = np.full((20, 300), 255, np.uint8)
    crop[5:15, 100:110] = 0  # 氏
    crop[5:15, 150:160] = 0  # 名, after a wide gap
    crop[3, 280] = 0  # one speck of scanner noise
    trimmed = trim_sides(crop)
    assert trimmed.shape == (20, 60 + 2 * 10)  # 氏, the gap and 名, plus half the height each side
    assert np.array_equal(trimmed[:, 10:70], crop[:, 100:160])
    assert np.array_equal(trim_sides(np.full((20, 50), 255, np.uint8)), np.full((20, 50), 255, np.uint8))


def test_pale_writing_is_not_trimmed_away() -> None:
    crop = np.full((20, 300), 245, np.uint8)
    crop[5:15, 100:110] = 40  # dark
    crop[5:15, 150:160] = 190  # a pale stroke, lighter than any fixed "ink" level
    assert trim_sides(crop).shape[1] == 60 + 2 * 10


def test_a_failed_check_on_an_unsure_reading_is_illegible_not_the_applicants_error() -> None:
    # 03-966644: a digit lost by the recogniser, read at 0.5
    assert judged(["phone"], False, True, 0.5, True, True) == ["illegible"]
    # the same written clearly (read at 0.98): the applicant's number is wrong
    assert judged(["phone"], False, True, 0.98, True, True) == ["phone"]
    # nothing written in a required box, and something written that makes no amount
    assert judged([], True, False, 1.0, True, True) == ["required"]
    assert judged(["amount"], True, True, 0.0, True, True) == ["illegible"]
    # a typed (born-digital) value is never illegible
    assert judged(["phone"], False, True, 0.5, False, False) == ["phone"]
    # a digit-count failure is its own evidence and stays
    assert judged(["digits_count"], False, True, 0.4, True, True) == ["digits_count"]


def test_writing_is_told_from_the_paper_not_from_the_text_read() -> None:
    """A box is written on when a character-sized stroke is there; specks and a printed rule
    shifted by a pixel (a misalignment the widened rules absorb) are not writing."""
    page, blank = _form()
    box = (10, 20, 190, 40)
    assert written(binarize(page), binarize(blank), box, DPI)
    clean = blank.copy()
    clean[21, 10:190] = 0  # the top rule one pixel lower
    clean[30, 100] = clean[31, 140] = 0  # scanner specks
    assert not written(binarize(clean), binarize(blank), box, DPI)


def test_a_field_written_on_but_read_as_nothing_is_illegible_not_blank() -> None:
    assert judged([], empty=True, inked=True, confidence=0.0, required=True, scanned=True) == ["illegible"]
    assert judged([], empty=True, inked=False, confidence=1.0, required=True, scanned=True) == ["required"]


def _sealed_page(ring: bool) -> tuple[np.ndarray, np.ndarray]:
    """A 200 dpi strip with one box (x 100–300, y 100–126 pt), a word written in it and, with
    ``ring``, a round seal 34 pt across pressed over its right end (as grey as a red seal
    scanned in grey)."""
    dpi_scale = 200 / 72
    blank = np.full((int(250 * dpi_scale), int(400 * dpi_scale)), 255, np.uint8)
    x0, y0, x1, y1 = (int(v * dpi_scale) for v in (100, 100, 300, 126))
    cv2.rectangle(blank, (x0, y0), (x1, y1), 0, 2)
    page = blank.copy()
    for i, char in enumerate("ABCDEFG"):  # strokes of a handwritten word, some of them round
        cv2.putText(page, char, (x0 + 15 + 60 * i, y1 - 18), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.4, 30, 3)
    cv2.circle(page, (x0 + 60, y0 + 36), 28, 40, 2)  # a ○ no larger than the writing
    if ring:
        cv2.circle(page, (int(270 * dpi_scale), int(113 * dpi_scale)), int(17 * dpi_scale), 90, 5)
    return page, blank


def test_a_round_seal_over_a_box_is_found_and_writing_is_not_taken_for_one() -> None:
    """Text under a seal that colour drop-out could not remove goes to a person: the seal is a
    ring of seal size reaching the box; written strokes, even a small ○, are not."""
    box, elsewhere = (100.0, 100.0, 300.0, 126.0), (100.0, 200.0, 300.0, 226.0)
    page, blank = _sealed_page(ring=True)
    circles = seals(binarize(page), binarize(blank), 200)
    assert under_seal(box, circles, 200) and not under_seal(elsewhere, circles, 200)
    page, blank = _sealed_page(ring=False)
    assert seals(binarize(page), binarize(blank), 200) == []
