"""Ticks and ○ circles measured as ink against the blank form, robust to how bold the scan
prints the form itself."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.fields.crops import writers_ink
from extractors.fields.ink import ink_aspect, measure, threshold
from extractors.fields.paper import Paper
from extractors.plan import ONE_MAX_ASPECT, _one_by_its_shape
from ocr.types import Recognition

DPI = 200
WORD = (100.0, 100.0, 130.0, 112.0)  # a printed word such as 別居 (points)


def _px(v: float) -> int:
    return int(round(v * DPI / 72))


def _blank() -> np.ndarray:
    """Binarized blank form (255 = ink) with the printed word as a few strokes."""
    ink = np.zeros((_px(200), _px(250)), np.uint8)
    x0, y0, x1, y1 = (_px(v) for v in WORD)
    for x in range(x0 + 3, x1 - 2, 9):
        cv2.line(ink, (x, y0 + 4), (x + 5, y1 - 4), 255, 2)
    cv2.line(ink, (x0 + 3, (y0 + y1) // 2), (x1 - 3, (y0 + y1) // 2), 255, 2)
    return ink


def _bolder(ink: np.ndarray) -> np.ndarray:
    """The same print as a low-resolution or dark scan renders it: strokes twice as thick."""
    return np.asarray(cv2.dilate(ink, np.ones((3, 3), np.uint8)), dtype=np.uint8)


def _circled(ink: np.ndarray) -> np.ndarray:
    out = ink.copy()
    x0, y0, x1, y1 = (_px(v) for v in WORD)
    centre, axes = ((x0 + x1) // 2, (y0 + y1) // 2), ((x1 - x0) // 2 + 8, (y1 - y0) // 2 + 8)
    cv2.ellipse(out, centre, axes, 0, 0, 360, 255, 3)
    return out


def _paper(ink: np.ndarray, blank: np.ndarray, spread: int = 2) -> Paper:
    return Paper(255 - ink, ink, blank, DPI, spread, writers_ink(ink, blank, DPI, spread))


def test_a_bold_scan_of_the_print_is_not_a_circle_but_a_circle_still_is() -> None:
    blank = _blank()
    limit = threshold("circle")
    assert measure(_paper(_bolder(blank), blank), WORD, "circle") < limit
    assert measure(_paper(_circled(_bolder(blank)), blank), WORD, "circle") > limit
    assert measure(_paper(_circled(blank), blank), WORD, "circle") > limit
    assert measure(_paper(blank, blank), WORD, "circle") < limit


BOX = (100.0, 150.0, 107.6, 157.6)  # a printed □ (points)


def _box_form() -> np.ndarray:
    ink = np.zeros((_px(200), _px(250)), np.uint8)
    x0, y0, x1, y1 = (_px(v) for v in BOX)
    cv2.rectangle(ink, (x0, y0), (x1, y1), 255, 1)
    return ink


def test_a_box_printed_bold_and_a_pixel_off_is_not_a_tick_but_a_tick_is() -> None:
    """A blurred or dark scan thickens the printed frame inwards, and a page aligned a pixel
    off moves it: neither is the writer's ink once the print spread is measured."""
    blank = _box_form()
    bold = np.roll(cv2.dilate(blank, np.ones((7, 7), np.uint8)), 1, axis=1)
    limit = threshold("tick")
    assert measure(_paper(bold, blank, spread=4), BOX, "tick") < limit
    ticked = bold.copy()
    x0, y0, x1, y1 = (_px(v) for v in BOX)
    cv2.line(ticked, (x0 + 4, (y0 + y1) // 2), ((x0 + x1) // 2, y1 - 4), 255, 3)
    cv2.line(ticked, ((x0 + x1) // 2, y1 - 4), (x1 + 6, y0 - 6), 255, 3)
    assert measure(_paper(ticked, blank, spread=4), BOX, "tick") > limit


SMALL_BOX = (100.0, 150.0, 105.4, 155.0)  # the 資格取得届's 5.4 pt 「□ 発行が必要」


def test_a_small_boxs_frame_a_few_pixels_off_is_not_a_tick_but_a_tick_is() -> None:
    """GIVEN a 5.4 pt □ whose right frame a 1-bit scan left 4 px inwards of the blank's (beyond
    the measured print spread: a 2 px line at the measured region's edge, 0.18 of it, read
    ticked at 1.0) WHEN measured THEN it is no tick; a tick over that frame still is."""
    blank = np.zeros((_px(200), _px(250)), np.uint8)
    x0, y0, x1, y1 = (_px(v) for v in SMALL_BOX)
    cv2.rectangle(blank, (x0, y0), (x1, y1), 255, 1)
    scanned = np.zeros_like(blank)
    cv2.rectangle(scanned, (x0, y0), (x1 - 4, y1), 255, 2)  # the right frame 4 px in, bolder
    limit = threshold("tick")
    assert measure(_paper(scanned, blank, spread=1), SMALL_BOX, "tick") < limit
    ticked = scanned.copy()
    cv2.line(ticked, (x0 + 3, (y0 + y1) // 2), ((x0 + x1) // 2, y1 - 3), 255, 3)
    cv2.line(ticked, ((x0 + x1) // 2, y1 - 3), (x1 + 4, y0 - 4), 255, 3)
    assert measure(_paper(ticked, blank, spread=1), SMALL_BOX, "tick") > limit


def test_a_one_read_on_ink_too_wide_for_a_one_goes_to_a_person() -> None:
    """令和7年 read 令和1年 by both models: the 7's ink is as wide as half its height, a 1's is
    a narrow stroke; a 1 read on wide ink is doubtful, a 1 on narrow ink and a 7 are not."""
    blank = np.zeros((_px(100), _px(100)), np.uint8)
    ink = blank.copy()
    cell_one, cell_seven = (10.0, 10.0, 30.0, 40.0), (40.0, 10.0, 60.0, 40.0)
    cv2.line(ink, (_px(20), _px(14)), (_px(20), _px(36)), 255, 3)  # 1
    cv2.line(ink, (_px(44), _px(14)), (_px(56), _px(14)), 255, 3)  # 7: the bar ...
    cv2.line(ink, (_px(56), _px(14)), (_px(49), _px(36)), 255, 3)  # ... and the stem
    paper = _paper(ink, blank)
    one, seven = ink_aspect(paper, cell_one), ink_aspect(paper, cell_seven)
    assert one < ONE_MAX_ASPECT < seven
    assert _one_by_its_shape(Recognition("71", 0.98), (seven, one)).confidence == 0.98
    doubtful = _one_by_its_shape(Recognition("11", 0.98), (seven, one))
    assert doubtful.text == "11" and doubtful.confidence <= 0.5  # as read, for a person to decide


def _ringed(ink: np.ndarray) -> np.ndarray:
    """The word printed inside a dashed ring (the 被扶養者届's 「海外特例要件該当」)."""
    out = ink.copy()
    x0, y0, x1, y1 = (_px(v) for v in WORD)
    centre, axes = ((x0 + x1) // 2, (y0 + y1) // 2), ((x1 - x0) // 2 + 12, (y1 - y0) // 2 + 12)
    for start in range(0, 360, 20):
        cv2.ellipse(out, centre, axes, 0, start, start + 12, 255, 2)
    return out


def test_a_circle_drawn_over_a_printed_dashed_ring_is_never_read_blank_for_sure() -> None:
    from extractors.marks import mark_confidence

    blank = _ringed(_blank())
    page = blank.copy()
    x0, y0, x1, y1 = (_px(v) for v in WORD)
    centre = ((x0 + x1) // 2, (y0 + y1) // 2)
    # The writer's ring lies on the printed one but for a sixth of it, drawn a little wider.
    cv2.ellipse(page, centre, ((x1 - x0) // 2 + 12, (y1 - y0) // 2 + 12), 0, 0, 360, 255, 3)
    cv2.ellipse(page, centre, ((x1 - x0) // 2 + 18, (y1 - y0) // 2 + 16), 0, 0, 60, 255, 3)
    score = measure(_paper(page, blank), WORD, "circle") / threshold("circle")
    assert mark_confidence(score) < 0.6  # a person decides
    # The dashed ring alone, not circled, stays surely blank.
    assert measure(_paper(blank, blank), WORD, "circle") / threshold("circle") < 0.5


def test_a_large_tick_over_a_small_box_is_no_sure_blank_and_an_empty_box_is() -> None:
    """GIVEN a ✓ made over a 7.6 pt □, its vertex on the frame's bottom and its arms outside
    (a clerk's 資格喪失届: 13 such read unticked at 0.92–1.0) WHEN the checkbox is read THEN it
    goes to a person; an empty □ is a sure blank, and the tick is still no tick inside."""
    from datetime import date

    from extractors.convert import value_of
    from extractors.marks import ink_scores
    from extractors.template import FieldSpec, FieldType

    blank = _box_form()
    x0, y0, x1, y1 = (_px(v) for v in BOX)
    ticked = blank.copy()
    cv2.line(ticked, (x0 - 10, y1 - 8), (x0 - 1, y1 + 3), 255, 2)  # the short arm, left of the □
    cv2.line(ticked, (x0 - 1, y1 + 3), (x0 + 4, y0 - 24), 255, 2)  # the long arm up its left frame
    spec = FieldSpec("over70", FieldType.CHECKBOX, box=BOX)

    def read(page: np.ndarray) -> tuple[object, float]:
        value, confidence, _, _ = value_of(spec, {}, {}, ink_scores(_paper(page, blank)), date(2026, 12, 1))
        return value, confidence

    assert measure(_paper(ticked, blank), BOX, "tick") < threshold("tick")  # little of it inside
    assert read(ticked) == (False, 0.5)
    value, confidence = read(blank.copy())
    assert value is False and confidence > 0.9
