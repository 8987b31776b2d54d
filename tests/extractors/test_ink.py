"""Ticks and ○ circles measured as ink against the blank form, robust to how bold the scan
prints the form itself."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.fields.ink import measure, threshold

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


def test_a_bold_scan_of_the_print_is_not_a_circle_but_a_circle_still_is() -> None:
    blank = _blank()
    limit = threshold("circle")
    assert measure(_bolder(blank), blank, WORD, DPI, "circle") < limit
    assert measure(_circled(_bolder(blank)), blank, WORD, DPI, "circle") > limit
    assert measure(_circled(blank), blank, WORD, DPI, "circle") > limit
    assert measure(blank, blank, WORD, DPI, "circle") < limit
