"""The printed lines of a one-page blank (its mask, :mod:`extractors.onboard.geometry`) and the
rectangles they close, read as ``kakunin forms add`` reads them (the PDF's vector drawing, else
the rendered page), kept while the file is unchanged: what the designer lines boxes up with
(「下の同じ欄に写す」) and counts a digits field's printed cells from (「マスの数」)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pdfplumber

from extractors.onboard.blank import MIN_VECTOR_SEGMENTS, render
from extractors.onboard.geometry import SCALE, closed_boxes, raster_mask, segment_mask, vector_segments
from extractors.template import PtBox

#: A printed cell line is at least this share of the box's height (a dotted divider too).
CELL_LINE_SHARE = 0.5


@dataclass(frozen=True)
class BlankLines:
    """A blank page's size (points), its line mask (:data:`SCALE` pixels per point) and the
    rectangles its lines close."""

    size: tuple[float, float]
    mask: npt.NDArray[np.uint8]
    boxes: tuple[PtBox, ...]


def read_lines(pdf: bytes) -> BlankLines:
    """The lines of the first page of the one-page blank ``pdf``."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        sheet = document.pages[0]
        size = (float(sheet.width), float(sheet.height))
        segments = vector_segments(sheet)
    if len(segments) >= MIN_VECTOR_SEGMENTS:
        mask = segment_mask(segments, size)
    else:
        mask = raster_mask(np.asarray(render(pdf, 200).convert("L"), dtype=np.uint8), size)
    return BlankLines(size, mask, tuple(closed_boxes(mask)))


@lru_cache(maxsize=4)
def _cached(path: Path, stamp: tuple[int, int]) -> BlankLines:
    del stamp  # part of the key only: a blank replaced on disk is read again
    return read_lines(path.read_bytes())


def blank_lines(path: Path) -> BlankLines:
    """:func:`read_lines` of the blank PDF at ``path``, kept while the file is unchanged."""
    stat = path.stat()
    return _cached(path.resolve(), (stat.st_mtime_ns, stat.st_size))


def printed_cells(lines: BlankLines, box: PtBox) -> int | None:
    """How many cells the printed vertical lines inside ``box`` divide it into (solid or
    dotted dividers crossing at least half its height, its own sides left out); None when no
    line divides it (the screen then guesses from the box's shape)."""
    height, width = lines.mask.shape
    x0, x1 = max(0, round(box[0] * SCALE)), min(width, round(box[2] * SCALE))
    y0, y1 = max(0, round(box[1] * SCALE)), min(height, round(box[3] * SCALE))
    if x1 - x0 < 8 or y1 - y0 < 4:
        return None
    strip = lines.mask[y0:y1, x0:x1] > 0
    columns = strip.sum(axis=0) >= CELL_LINE_SHARE * (y1 - y0)
    # The box's own sides (within 1.5 pt of its edges) are no dividers.
    margin = round(1.5 * SCALE)
    columns[:margin] = False
    columns[-margin:] = False
    runs = int(np.count_nonzero(columns[1:] & ~columns[:-1])) + int(columns[0])
    return runs + 1 if runs else None
