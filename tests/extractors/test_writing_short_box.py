"""Small writing in a short box (a 9 pt フリガナ row) is found whole: kana 2–3 pt tall whose
thin strokes the scan leaves a pale grey, which the page's ink threshold (set by the black
print) never reaches, are still the field's writing; the grey edge of a printed rule and
the noise of white paper are not."""

from __future__ import annotations

import numpy as np

from extractors.fields.paper import paper_of
from extractors.fields.writing import Writing, locate
from ocr.preprocess import binarize, printed_rules
from ocr.types import Image

DPI = 200
#: A 9 pt row (25 px at 200 dpi), its writing area from x 40 pt; the cell's vertical rules at
#: 20 pt and 300 pt.
BOX = (40.0, 100.0, 290.0, 109.0)
PAPER = 250
#: A pale stroke: 60 grey levels below the paper, far above a page threshold set by black print.
PALE = 190


def _px(pt: float) -> int:
    return int(round(pt * DPI / 72))


def _blank() -> Image:
    blank = np.full((_px(160), _px(320)), 255, np.uint8)
    x0, x1, y0, y1 = _px(20), _px(300), _px(100), _px(109)
    blank[y0 - 1 : y0 + 2, x0:x1] = 0  # the row's top and bottom rules
    blank[y1 - 1 : y1 + 2, x0:x1] = 0
    blank[y0:y1, x0 - 1 : x0 + 2] = 0  # its left and right rules
    blank[y0:y1, x1 - 1 : x1 + 2] = 0
    blank[_px(20) : _px(50), _px(30) : _px(290)] = 0  # a bold printed title: the page's threshold
    return blank


def _page(blank: Image, seed: int = 3) -> Image:
    """The blank form as scanned: paper a little grey and noisy, print black."""
    noise = np.random.default_rng(seed).normal(0, 3, blank.shape)
    return np.where(blank == 0, 20, np.clip(PAPER + noise, 0, 255)).astype(np.uint8)


def _kana_u(page: Image, x: int, y: int, level: int) -> None:
    """A ユ 7 px tall: a hook and a foot, 1 px strokes."""
    page[y + 1, x : x + 5] = level
    page[y + 1 : y + 6, x + 4] = level
    page[y + 6, x - 1 : x + 7] = level


def _kana_mi(page: Image, x: int, y: int, level: int) -> None:
    """A ミ 7 px tall: three short slanted dashes, 1 px thick, none touching another."""
    for dy, length in ((0, 3), (3, 3), (6, 4)):
        for i in range(length):
            page[y + dy + (i + 1) // 2, x + i] = level


def _read(page: Image, blank: Image) -> Writing:
    paper = paper_of(page, binarize(blank), DPI)
    return locate(paper, BOX, printed_rules(blank, DPI).down, [])


def test_a_pale_kana_beside_a_darker_one_in_a_short_box_is_kept() -> None:
    """ユミ, 2.5 pt tall in a 9 pt row: the ユ reaches the page's threshold, the ミ's three
    dashes stay a pale grey. The crop holds both (ユミ was read ユ: the ミ was cut off)."""
    blank = _blank()
    page = _page(blank)
    y = _px(105) - 4  # low in the row, as people write in it
    _kana_u(page, _px(45), y, 90)
    _kana_mi(page, _px(45) + 11, y, PALE)
    writing = _read(page, blank)
    assert writing.inked
    assert writing.ink is not None
    columns = np.flatnonzero(writing.ink.any(axis=0))
    assert columns[-1] - columns[0] >= 11 + 3  # from ユ's foot to the ミ's last dash
    pale = np.count_nonzero(writing.crop <= PALE + 10)
    assert pale >= 3 + 3 + 4 + 8  # the ミ's dashes are in the crop, beside the ユ


def test_a_short_box_written_only_in_pale_strokes_is_written_on() -> None:
    """Kana whose every stroke is pale are writing, not a blank box (a blank box is accepted
    as blank without a person)."""
    blank = _blank()
    page = _page(blank)
    y = _px(105) - 4
    _kana_u(page, _px(45), y, PALE)
    _kana_mi(page, _px(45) + 11, y, PALE)
    writing = _read(page, blank)
    assert writing.inked


def test_paper_noise_and_the_grey_edge_of_the_rules_are_not_writing() -> None:
    blank = _blank()
    page = _page(blank)
    edge = np.zeros_like(blank, dtype=bool)  # a grey halo 1–3 px around every printed stroke
    for d in (-3, -2, 2, 3):
        edge |= np.roll(blank == 0, d, axis=0) | np.roll(blank == 0, d, axis=1)
    page[edge & (blank != 0)] = PALE
    assert not _read(page, blank).inked
