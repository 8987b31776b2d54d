"""A text ruled in several lines is read as the writer wrote its lines, not as the rules cut
them: a line that drifts down over a dotted rule stays one line, a 。 sitting on the rule
stays at the end of its line, and two lines written in two rows stay two."""

from __future__ import annotations

import numpy as np

from extractors.fields.paper import paper_of
from extractors.fields.writing import locate_lines, writer_lines
from ocr.preprocess import binarize, printed_rules
from ocr.types import Image

DPI = 72  # one pixel per point
#: Three ruled lines of one text (the 紛失の状況 of SK-03), 24 pt each, rules at y 40/64/88/112.
LINES = ((20.0, 40.0, 380.0, 64.0), (20.0, 64.0, 380.0, 88.0), (20.0, 88.0, 380.0, 112.0))


def _blank() -> Image:
    blank = np.full((160, 420), 255, np.uint8)
    for y in (40, 112):
        blank[y, 10:391] = 0  # the frame
    for y in (64, 88):
        blank[y, 10:391:4] = 0  # dotted rules between the lines
    blank[40:113, 10] = blank[40:113, 390] = 0
    return blank


def _character(page: Image, x: int, y: int, size: int = 14) -> None:
    """A block character: an outline with a cross, about as dense as a kanji."""
    page[y : y + size, x : x + 2] = 0
    page[y : y + size, x + size - 2 : x + size] = 0
    page[y : y + 2, x : x + size] = 0
    page[y + size - 2 : y + size, x : x + size] = 0
    page[y + size // 2, x : x + size] = 0


def _lines_of(page: Image) -> list[tuple[bool, Image]]:
    blank = _blank()
    paper = paper_of(page, binarize(blank), DPI)
    found = locate_lines(paper, LINES, printed_rules(blank, DPI).down, [])
    return [(writing.inked, writing.crop) for writing in found]


def _characters_in(crop: Image) -> int:
    """Block characters side by side in a crop (runs of dark columns)."""
    dark = (crop < 128).any(axis=0).astype(int)
    return int(np.count_nonzero(np.diff(np.concatenate([[0], dark])) == 1))


def test_a_line_drifting_down_over_the_rule_is_one_line_not_two_halves() -> None:
    page = _blank()
    # Twelve characters, each a little lower than the last: the last four sit below the
    # dotted rule at y 64, in the second line's box.
    for i in range(12):
        _character(page, 30 + i * 26, 44 + i * 2)
    (first_inked, first), (second_inked, _), (third_inked, _) = _lines_of(page)
    assert first_inked and not second_inked and not third_inked
    assert _characters_in(first) == 12


def test_a_full_stop_on_the_rule_stays_at_the_end_of_its_line() -> None:
    page = _blank()
    for i in range(6):
        _character(page, 30 + i * 26, 46)
    # 。 drawn across the dotted rule at y 64, right after the last character.
    page[60:69, 190:192] = page[60:69, 197:199] = 0
    page[60:62, 190:199] = page[67:69, 190:199] = 0
    (inked, first), (second_inked, _), _ = _lines_of(page)
    assert inked and not second_inked
    rows = np.flatnonzero((first < 128).any(axis=1))
    columns = np.flatnonzero((first < 128).any(axis=0))
    assert rows[-1] - rows[0] >= 20  # down to the 。's foot below the rule
    assert columns[-1] - columns[0] >= 165  # the 。 is in the crop, after the six


def test_two_lines_written_in_two_rows_stay_two_lines_in_order() -> None:
    page = _blank()
    for i in range(8):
        _character(page, 30 + i * 26, 45)
    for i in range(3):
        _character(page, 30 + i * 26, 69)
    (first_inked, first), (second_inked, second), (third_inked, _) = _lines_of(page)
    assert first_inked and second_inked and not third_inked
    assert (_characters_in(first), _characters_in(second)) == (8, 3)


def test_a_character_in_parts_that_do_not_touch_is_not_a_line_of_its_own() -> None:
    # 三-like parts (three short strokes one above another) and ordinary characters after.
    stats = np.array(
        [
            [0, 0, 0, 0, 0],
            [10, 40, 14, 3, 42],  # stroke 1 of the first character
            [10, 46, 14, 3, 42],  # stroke 2
            [10, 52, 14, 3, 42],  # stroke 3
            [36, 40, 14, 15, 120],
            [62, 41, 14, 15, 120],
        ],
        dtype=np.int32,
    )
    lines = writer_lines(stats, [1, 2, 3, 4, 5], line_height=24)
    assert len(lines) == 1 and sorted(lines[0]) == [1, 2, 3, 4, 5]
