"""Ink of the page: Otsu's threshold is set by the black print, so a light-grey stroke that
touches darker ink is ink too (hysteresis), while paper noise as pale never becomes ink."""

from __future__ import annotations

import numpy as np
import pytest

from ocr.preprocess import binarize, binarize_faint, grey_percentile


def _page() -> np.ndarray:
    page = np.full((200, 300), 250, np.uint8)
    page[20:30, 20:280] = 0  # black print: it sets Otsu's threshold
    page[58:66, 40:120] = 135  # a light-grey stroke's pale edges ...
    page[60:62, 40:120] = 120  # ... around its darker core (Otsu's threshold lands on it)
    page[100:104, 40:44] = 135  # pale noise on its own
    return page


def test_a_pale_stroke_touching_ink_is_ink_and_pale_noise_alone_is_not() -> None:
    page = _page()
    assert not binarize(page)[58:66, 40:120].all()  # Otsu alone keeps only the core
    faint = binarize_faint(page)
    assert faint[58:66, 40:120].all()
    assert not faint[100:104, 40:44].any()
    assert faint[20:30, 20:280].all() and not faint[150:, :].any()


def test_the_grey_fringe_around_a_stroke_stays_paper() -> None:
    """Blur and JPEG leave a fringe half-way to the paper around every stroke: not ink."""
    page = _page()
    page[56:58, 40:120] = 185
    assert not binarize_faint(page)[56:58, 40:120].any()


def test_grey_percentile_is_numpys_percentile_from_the_histogram() -> None:
    rng = np.random.default_rng(7)
    for shape in [(2338, 1654), (41, 300), (3, 3), (1, 1), (2, 1)]:
        image = rng.integers(0, 256, shape, dtype=np.uint8)
        image[: shape[0] // 2] = 250  # a paper-white half: many equal values
        for q in (0.0, 0.5, 50.0, 90.0, 100.0):
            assert grey_percentile(image, q) == pytest.approx(float(np.percentile(image, q)), abs=1e-9)
    colour = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    assert grey_percentile(colour, 90) == pytest.approx(float(np.percentile(colour, 90)))
