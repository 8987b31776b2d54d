"""Text crops that take in writing running over the box, and word pieces that the whole
reading may have lost characters of."""

from __future__ import annotations

import numpy as np

from extractors.fields.crops import text_crop, trim_sides
from extractors.read import DISAGREEMENT_CONFIDENCE, with_spaces
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


def test_pieces_that_agree_with_the_whole_put_the_spaces_back() -> None:
    out = with_spaces(
        Recognition("カトウイチロウ", 0.95), [Recognition("カトウ", 0.99), Recognition("イチロウ", 0.93)]
    )
    assert out == Recognition("カトウ イチロウ", 0.93)


def test_pieces_win_when_the_whole_lost_a_character_but_a_person_confirms() -> None:
    out = with_spaces(
        Recognition("カトウチロウ", 0.91), [Recognition("カトウ", 0.99), Recognition("イチロウ", 0.88)]
    )
    assert out.text == "カトウ イチロウ"
    assert out.confidence <= DISAGREEMENT_CONFIDENCE


def test_noise_read_at_the_end_of_a_piece_does_not_beat_the_whole() -> None:
    whole = Recognition("ヤマダヒロシ", 0.99)
    # The gap is still known from the first piece, which agrees with the whole.
    assert with_spaces(whole, [Recognition("ヤマダ", 0.99), Recognition("ヒロシのまた", 0.6)]) == Recognition(
        "ヤマダ ヒロシ", 0.99
    )


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


def test_a_gap_read_as_a_long_vowel_mark_is_a_space() -> None:
    out = with_spaces(
        Recognition("スズキーケンジ", 0.95), [Recognition("スズキ", 0.99), Recognition("ケンジ", 0.97)]
    )
    assert out == Recognition("スズキ ケンジ", 0.95)
