"""One aligned page and what is known of its print: the base every field reader measures on.

The writer's ink is the page's ink minus the blank form's printed ink, widened by how far the
print spreads on *this* scan: a blurred, dark or low-resolution scan prints every rule and
word bolder than the blank form, and a page aligned a pixel or two off moves them. Measured
once per page (on the title and footer, which hold print only), so ticks, circles, "written
or not" and the writing's place in a box all see the same writer's ink.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractors.fields.crops import writers_ink
from extractors.template import PtBox, Template
from ocr.preprocess import binarize, binarize_faint, grey_percentile
from ocr.types import Image

#: The print is taken to spread at least this far (inches; 2 px at 200 dpi): a pixel of
#: misalignment and the grey edge of a printed stroke.
SPREAD_MIN_IN = 0.01
#: ... and at most this far (inches; 7 px at 200 dpi): beyond it, writing near the print
#: would be taken for print.
SPREAD_MAX_IN = 0.035
#: Share of the print-only areas' ink that may stay outside the widened print.
SPREAD_LEFTOVER = 0.01


@dataclass(frozen=True)
class Paper:
    """An aligned page, its ink, the blank form's ink and the writer's ink, at ``dpi``."""

    page: Image
    ink: Image
    blank: Image
    dpi: int
    #: How far (pixels) the print spreads on this scan beyond the blank form's print.
    spread: int
    #: The writer's ink (255): the page's ink away from the (widened) printed form.
    writing: Image
    #: The writer's ink for finding text: as ``writing``, with the pale pixels joined to ink
    #: (:func:`ocr.preprocess.binarize_faint`), so that the thin strokes of a pale pen or of
    #: light-grey typing hold together. Marks are measured on ``writing``: a pale halo of a
    #: printed □ is no tick. (None: the same as ``writing``.)
    text_writing: Image | None = None
    #: The blank form's print down to its palest grey (255): dashed rings round printed
    #: choices, a label cell's shading, which the binarised ``blank`` leaves out; where pale
    #: strokes of writing are looked for, these are print. (None: ``blank``.)
    pale_print: Image | None = None

    @property
    def text_ink(self) -> Image:
        """The writer's ink to find text in (see :attr:`text_writing`)."""
        return self.writing if self.text_writing is None else self.text_writing

    def region(self, box: PtBox) -> tuple[slice, slice]:
        """Row and column slices of ``box`` clipped to the page."""
        b = Template.to_pixels(box, self.dpi)
        height, width = self.ink.shape[:2]
        return slice(max(b.y0, 0), min(b.y1, height)), slice(max(b.x0, 0), min(b.x1, width))


def print_spread(ink: Image, blank: Image, dpi: int, print_only: tuple[PtBox, ...]) -> int:
    """The smallest widening (pixels) of the blank form's print that covers all but
    ``SPREAD_LEFTOVER`` of the page's ink in ``print_only`` areas (title, footer)."""
    low = max(1, round(SPREAD_MIN_IN * dpi))
    high = max(low, round(SPREAD_MAX_IN * dpi))
    regions = []
    for box in print_only:
        b = Template.to_pixels(box, dpi)
        rows, cols = slice(max(b.y0, 0), b.y1), slice(max(b.x0, 0), b.x1)
        if ink[rows, cols].size and np.count_nonzero(ink[rows, cols]):
            regions.append((ink[rows, cols], blank[rows, cols]))
    if not regions:
        return low
    total = sum(np.count_nonzero(page) for page, _ in regions)
    for margin in range(low, high + 1):
        kernel = np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)
        left = sum(
            np.count_nonzero(cv2.bitwise_and(page, cv2.bitwise_not(cv2.dilate(printed, kernel))))
            for page, printed in regions
        )
        if left <= SPREAD_LEFTOVER * total:
            return margin
    return high


#: A pixel of the blank form this much darker than its paper (grey levels) is print, however
#: pale (for :attr:`Paper.pale_print`).
PALE_PRINT_CONTRAST = 24


def paper_of(
    page: Image,
    blank: Image,
    dpi: int,
    print_only: tuple[PtBox, ...] = (),
    blank_grey: Image | None = None,
) -> Paper:
    """The page as field readers measure it (``blank``: the blank form's ink at ``dpi``;
    ``blank_grey``: the blank form as rendered, for its pale print)."""
    ink = binarize(page)
    blank = blank[: ink.shape[0], : ink.shape[1]]
    spread = print_spread(ink, blank, dpi, print_only)
    writing = writers_ink(ink, blank, dpi, spread)
    text_writing = writers_ink(binarize_faint(page), blank, dpi, spread)
    pale = None
    if blank_grey is not None:
        rendered = blank_grey[: ink.shape[0], : ink.shape[1]]
        grey = np.ascontiguousarray(
            cv2.cvtColor(rendered, cv2.COLOR_BGR2GRAY) if rendered.ndim == 3 else rendered, dtype=np.uint8
        )
        printed = grey.astype(np.int16) < grey_percentile(grey, 90) - PALE_PRINT_CONTRAST
        pale = np.asarray(np.where(printed, 255, blank), dtype=np.uint8)
    return Paper(page, ink, blank, dpi, spread, writing, text_writing, pale)
