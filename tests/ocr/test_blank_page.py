"""A blank page (a duplex back, a separator) is told from a page with anything on it: the
noise of a scanner or a fax and the shadows at the edges are not ink; one written word is."""

from __future__ import annotations

import numpy as np

from ocr.preprocess import is_blank_page
from ocr.raster import RasterLimits, rasterize
from tests.helpers import blank_pdf

A4 = (2339, 1654)  # 200 dpi


def _paper(level: int = 245) -> np.ndarray:
    return np.full(A4, level, np.uint8)


def test_white_and_grey_paper_are_blank() -> None:
    assert is_blank_page(_paper(255))
    assert is_blank_page(_paper(200))  # recycled grey paper, scanned dark


def test_scanner_specks_fax_noise_and_edge_shadows_are_not_ink() -> None:
    rng = np.random.default_rng(7)
    page = _paper()
    ys, xs = rng.integers(0, A4[0], 3000), rng.integers(0, A4[1], 3000)
    page[ys, xs] = 0  # single-pixel specks all over (a 1-bit fax line's noise)
    page[:, :40] = 30  # the scanner lid's shadow along one edge
    page[-50:, :] = 60  # and along the bottom
    assert is_blank_page(page)


def test_one_written_word_is_not_a_blank_page() -> None:
    page = _paper()
    for x in range(800, 900, 25):  # four strokes, a short word, 6 mm tall
        page[1200:1248, x : x + 4] = 20
    page[1220:1224, 800:880] = 20
    assert not is_blank_page(page)


def test_a_blank_form_is_not_a_blank_page() -> None:
    page = rasterize(blank_pdf("messhitsu"), "pdf", RasterLimits(dpi=200))[0]
    assert not is_blank_page(page)
