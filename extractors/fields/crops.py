"""Crops handed to the OCR engine: free-text boxes and one-character-per-box strips."""

from __future__ import annotations

import numpy as np

from extractors.template import PtBox, Segment, Template
from ocr.types import Image

_TEXT_INSET_PT = 1.6
_CELL_INSET = 0.16  # share of the cell side cut away so printed cell walls never reach the model


def text_crop(page: Image, box: PtBox, dpi: int) -> Image:
    b = Template.to_pixels((box[0] + _TEXT_INSET_PT, box[1] + _TEXT_INSET_PT, box[2] - _TEXT_INSET_PT, box[3] - _TEXT_INSET_PT), dpi)
    return np.ascontiguousarray(page[b.y0 : b.y1, b.x0 : b.x1])


def cells(segment: Segment) -> list[PtBox]:
    x0, y0, x1, y1 = segment.box
    width = (x1 - x0) / segment.cells
    return [(x0 + i * width, y0, x0 + (i + 1) * width, y1) for i in range(segment.cells)]


def cell_crop(page: Image, cell: PtBox, dpi: int) -> Image:
    dx = (cell[2] - cell[0]) * _CELL_INSET
    dy = (cell[3] - cell[1]) * _CELL_INSET
    b = Template.to_pixels((cell[0] + dx, cell[1] + dy, cell[2] - dx, cell[3] - dy), dpi)
    return page[b.y0 : b.y1, b.x0 : b.x1]


def strip(crops: list[Image]) -> Image:
    """Cells side by side with white gaps: one line of text the recogniser reads in one call,
    without the printed cell walls that it would read as 1 or |."""
    if not crops:
        return np.full((8, 8), 255, dtype=np.uint8)
    height = max(c.shape[0] for c in crops)
    gap = np.full((height, max(4, height // 2)), 255, dtype=np.uint8)
    parts: list[Image] = [gap]
    for crop in crops:
        pad = np.full((height, crop.shape[1]), 255, dtype=np.uint8)
        pad[: crop.shape[0], :] = crop
        parts += [pad, gap]
    return np.ascontiguousarray(np.hstack(parts))


#: A blank run at least this share of the writing's height may be the space between words.
WORD_GAP = 0.5
#: At most this many spaces are looked for (代表取締役 森 健一 has two).
MAX_SPACES = 2


def split_at_wide_gaps(crop: Image) -> list[Image]:
    """The crop cut at its widest blank column runs (widest first, at most ``MAX_SPACES``)
    when they are wide enough to be spaces; [] when there is none.

    Callers read the pieces and the whole: when the pieces read the same as the whole, the
    spaces between words (which the recogniser drops) are known to be there.
    """
    if crop.size == 0:
        return []
    ink = crop < 128
    rows = np.flatnonzero(ink.sum(axis=1) > 0)
    inked = np.flatnonzero(ink.sum(axis=0) > 0)
    if rows.size == 0 or inked.size < 2:
        return []
    height = rows[-1] - rows[0] + 1
    steps = np.diff(inked)  # a step > 1 jumps over a blank run of step - 1 columns
    gaps = steps[steps > 1] - 1
    widest = int(steps.max()) - 1
    typical = float(np.median(np.sort(gaps)[:-1])) if gaps.size > 1 else 0.0  # without the space itself
    # A space is wide against the writing's height, against the usual gap between characters,
    # and not much narrower than the widest gap (a second space is as wide as the first).
    floor = max(WORD_GAP * height, 2.0 * typical, 0.7 * widest)
    order = [int(i) for i in np.argsort(-steps)[:MAX_SPACES] if steps[i] - 1 >= floor]
    if not order:
        return []
    pieces, left = [], 0
    for index in sorted(order):
        pieces.append(crop[:, left : int(inked[index]) + 2])
        left = int(inked[index + 1]) - 1
    pieces.append(crop[:, left:])
    return [np.ascontiguousarray(p) for p in pieces]
