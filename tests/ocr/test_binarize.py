"""Ink of the page: Otsu's threshold is set by the black print, so a light-grey stroke that
touches darker ink is ink too (hysteresis), while paper noise as pale never becomes ink."""

from __future__ import annotations

import numpy as np

from ocr.preprocess import binarize, binarize_faint


def _page() -> np.ndarray:
    page = np.full((200, 300), 250, np.uint8)
    page[20:30, 20:280] = 0  # black print: it sets Otsu's threshold
    page[60:62, 40:120] = 100  # a light-grey stroke's darker core ...
    page[58:66, 40:120] = np.where(page[58:66, 40:120] == 100, 100, 190)  # ... and its pale edges
    page[100:104, 40:44] = 190  # pale noise on its own
    return page


def test_a_pale_stroke_touching_ink_is_ink_and_pale_noise_alone_is_not() -> None:
    page = _page()
    assert not binarize(page)[58:66, 40:120].all()  # Otsu alone keeps only the core
    faint = binarize_faint(page)
    assert faint[58:66, 40:120].all()
    assert not faint[100:104, 40:44].any()
    assert faint[20:30, 20:280].all() and not faint[150:, :].any()
