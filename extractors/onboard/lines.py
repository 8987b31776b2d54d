"""The printed lines of a one-page blank (its mask, :mod:`extractors.onboard.geometry`) and the
rectangles they close, read as ``kakunin forms add`` reads them (the PDF's vector drawing, else
the rendered page), kept while the file is unchanged: what the designer lines boxes up with
(「下の同じ欄に写す」) and counts a digits field's printed cells from (「マスの数」)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pdfplumber

from extractors.onboard.blank import MIN_VECTOR_SEGMENTS, render
from extractors.onboard.geometry import (
    closed_boxes,
    kept_while_unchanged,
    raster_mask,
    segment_mask,
    vector_segments,
)
from extractors.template import PtBox

#: A printed cell line is dark over at least this share of the box's height (a dotted too).
CELL_LINE_SHARE = 0.4
#: The page is rendered at this resolution to find the cell lines (dotted ones are no vector
#: segments the mask keeps).
CELLS_DPI = 200
#: Dark enough to be print (0 black, 255 white).
DARK = 160


@dataclass(frozen=True)
class BlankLines:
    """A blank page's size (points), its line mask (:data:`extractors.onboard.geometry.SCALE` pixels per point) and the
    rectangles its lines close."""

    size: tuple[float, float]
    mask: npt.NDArray[np.uint8]
    boxes: tuple[PtBox, ...]
    gray: npt.NDArray[np.uint8]


def read_lines(pdf: bytes) -> BlankLines:
    """The lines of the first page of the one-page blank ``pdf``."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        sheet = document.pages[0]
        size = (float(sheet.width), float(sheet.height))
        segments = vector_segments(sheet)
    gray = np.asarray(render(pdf, CELLS_DPI).convert("L"), dtype=np.uint8)
    mask = segment_mask(segments, size) if len(segments) >= MIN_VECTOR_SEGMENTS else raster_mask(gray, size)
    return BlankLines(size, mask, tuple(closed_boxes(mask)), gray)


#: :func:`read_lines` of the blank PDF at a path, kept while the file is unchanged.
blank_lines = kept_while_unchanged(read_lines)


def printed_cells(lines: BlankLines, box: PtBox) -> int | None:
    """How many cells the printed vertical lines inside ``box`` divide it into (solid or
    dotted dividers dark over :data:`CELL_LINE_SHARE` of its height on the rendered page; its
    own sides and a double rule counted once); None when no line divides it (the screen then
    keeps its guess from the box's shape)."""
    scale = CELLS_DPI / 72
    height, width = lines.gray.shape
    # The box's own sides and rules (1.5 pt in from each edge) are no dividers.
    x0, x1 = max(0, round((box[0] + 1.5) * scale)), min(width, round((box[2] - 1.5) * scale))
    y0, y1 = max(0, round((box[1] + 1.5) * scale)), min(height, round((box[3] - 1.5) * scale))
    if x1 - x0 < 8 or y1 - y0 < 4:
        return None
    dark = lines.gray[y0:y1, x0:x1] < DARK
    columns = dark.sum(axis=0) >= CELL_LINE_SHARE * (y1 - y0)
    starts = [int(i) for i in np.flatnonzero(columns[1:] & ~columns[:-1]) + 1]
    if columns[0]:
        starts.insert(0, 0)
    ends = [int(i) for i in np.flatnonzero(columns[:-1] & ~columns[1:])]
    # Two lines closer than 2 pt are one (a group's double rule).
    dividers = 0
    last_end = -(10**6)
    for start, end in zip(starts, ends + [len(columns) - 1], strict=False):
        if start - last_end > 2 * scale:
            dividers += 1
        last_end = end
    return dividers + 1 if dividers else None
