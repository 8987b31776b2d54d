"""Crops handed to the OCR engine: free-text boxes and one-character-per-box strips."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.template import PtBox, Segment, Template
from ocr.preprocess import grey_percentile
from ocr.types import Box, Image, pt_to_px

#: Text boxes are read this far (points) inside their printed rules.
TEXT_INSET_PT = 1.6
_CELL_INSET = 0.16  # share of the cell side cut away so printed cell walls never reach the model


#: Printed rules are removed from the writer's ink with this margin (pixels at 200 dpi).
_RULE_MARGIN = 2


def text_crop(page: Image, box: PtBox, dpi: int) -> Image:
    """The box's inside, its printed rules inset away (the footer and title; field writing is
    found where it is by :mod:`extractors.fields.writing`)."""
    b = inside_box(box, dpi)
    return np.ascontiguousarray(page[max(b.y0, 0) : b.y1, max(b.x0, 0) : b.x1])


def inside_box(box: PtBox, dpi: int) -> Box:
    """The box's inside in pixels, its printed rules inset away."""
    inset = TEXT_INSET_PT
    return Template.to_pixels((box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset), dpi)


def widened(blank: Image, dpi: int, margin: int | None = None) -> Image:
    """The blank form's ink widened by ``margin`` pixels (default ``_RULE_MARGIN`` at 200 dpi)."""
    margin = max(1, round(_RULE_MARGIN * dpi / 200)) if margin is None else margin
    return np.asarray(cv2.dilate(blank, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)), dtype=np.uint8)


def writers_ink(ink: Image, blank: Image, dpi: int, margin: int | None = None) -> Image:
    """The writer's ink: the page's ink (a region of it) minus the blank form's printed ink
    over the same region, widened by ``margin`` pixels (default ``_RULE_MARGIN``) to absorb a
    pixel of misalignment."""
    return np.asarray(cv2.bitwise_and(ink, cv2.bitwise_not(widened(blank, dpi, margin))), dtype=np.uint8)


#: Paper at most this light (its 75th percentile grey level) is a shaded cell's grey tint.
SHADED_PAPER = 225


def on_white(crop: Image) -> Image:
    """A grey crop whose paper is a shaded cell's tint (darker than :data:`SHADED_PAPER`) with
    that paper made white and the writing darkened alike; any other crop as it is. The
    recogniser then sees the writing on white as everywhere else, not grey on grey between
    white patches where the print was painted out (a postcode written in the 資格取得届's grey
    住所 cell read 3003 for 3300063)."""
    if crop.ndim != 2 or crop.size == 0:
        return crop
    paper = grey_percentile(crop, 75)
    if paper >= SHADED_PAPER or paper <= 0:
        return crop
    return np.ascontiguousarray(np.clip(crop.astype(np.float32) * (255.0 / paper), 0, 255).astype(np.uint8))


def print_painted_out(crop: Image, blank: Image, dpi: int, margin: int) -> Image:
    """``crop`` of the page in grey with the blank form's print over the same region
    (``blank``), widened by ``margin`` pixels, painted white (a shaded cell's tint too,
    :func:`on_white`): what the recogniser is given of a box where the print must never be
    read."""
    out = np.array(crop, copy=True)
    if out.ndim == 3:
        out = np.asarray(cv2.cvtColor(out, cv2.COLOR_BGR2GRAY))
    out = np.array(on_white(out), copy=True)
    out[widened(np.ascontiguousarray(blank), dpi, margin) > 0] = 255
    return np.ascontiguousarray(out)


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
    without the printed cell walls that it would read as 1 or |. Rows above and below the
    writing of every cell are left out (:func:`ink_rows`): digits written small in tall cells
    (a 郵便番号 row 40 pt high) come to the recogniser a third of its input high otherwise,
    and the second model then reads 2619781 as 6."""
    if not crops:
        return np.full((8, 8), 255, dtype=np.uint8)
    height = max(c.shape[0] for c in crops)
    top, bottom = ink_rows(crops, height)
    crops = [c[top:bottom] for c in crops]
    height = max(c.shape[0] for c in crops)
    gap = np.full((height, max(4, height // 2)), 255, dtype=np.uint8)
    parts: list[Image] = [gap]
    for crop in crops:
        pad = np.full((height, crop.shape[1]), 255, dtype=np.uint8)
        pad[: crop.shape[0], :] = crop
        parts += [pad, gap]
    return np.ascontiguousarray(np.hstack(parts))


#: A pixel this much darker than the crop's paper (median) is ink.
PAPER_CONTRAST = 40
#: Paper kept above and below the writing of a strip of cells, as a share of the writing's
#: height (the engine adds its own margin besides).
STRIP_MARGIN = 0.25


def ink_rows(crops: list[Image], height: int) -> tuple[int, int]:
    """The rows (first, last + 1) of cells of ``height`` rows (top-aligned) that hold the
    writing of any of them, with :data:`STRIP_MARGIN` of paper around; all rows where no
    pixel is ink."""
    inked = np.zeros(height, dtype=bool)
    for crop in crops:
        if crop.size:
            paper = float(np.median(crop))
            inked[: crop.shape[0]] |= (crop < paper - PAPER_CONTRAST).any(axis=1)
    rows = np.flatnonzero(inked)
    if not rows.size:
        return 0, height
    margin = max(2, int((rows[-1] - rows[0] + 1) * STRIP_MARGIN))
    return max(0, int(rows[0]) - margin), min(height, int(rows[-1]) + 1 + margin)


#: A blank run at least this share of the writing's height may be the space between words.
WORD_GAP = 0.5
#: At most this many spaces are looked for (代表取締役 森 健一 has two).
MAX_SPACES = 2


def wide_gaps(crop: Image) -> list[tuple[int, int]]:
    """The crop's widest blank column runs (first and last+1 column, left to right; at most
    ``MAX_SPACES``) that are wide enough to be spaces between words; [] when there is none."""
    if crop.size == 0:
        return []
    # Ink against this crop's own paper, not a fixed level: the thin grey 一 of a printed
    # 聖一郎 is far lighter than 128 and is a character, not the space between words.
    ink = crop < float(np.median(crop)) - PAPER_CONTRAST
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
    return [(int(inked[i]) + 1, int(inked[i + 1])) for i in sorted(order)]


#: A seal (丸印: 社判, 代表者印, 認印) is a ring this size across (points; 8–25 mm).
SEAL_DIAMETER_PT = (22.0, 72.0)
#: How perfect a circle must be to be taken for a seal (OpenCV HOUGH_GRADIENT_ALT param2);
#: on generated scans seals are found from 0.45 down and no handwriting up to 0.45 is taken.
SEAL_ROUNDNESS = 0.5

#: A circle on the page: centre x, centre y, radius (pixels).
Circle = tuple[float, float, float]


def seals(writing: Image, dpi: int) -> list[Circle]:
    """Round seals on the page: circles of the writer's ink (the page's ink minus the printed
    form). Red seals are dropped from colour scans before this; on grey or 1-bit scans they
    cannot be, and the text under them needs a person."""
    if not writing.any():
        return []
    low, high = (pt_to_px(d / 2, dpi) for d in SEAL_DIAMETER_PT)
    found = cv2.HoughCircles(
        cv2.GaussianBlur(writing, (5, 5), 1.5),
        cv2.HOUGH_GRADIENT_ALT,
        dp=1.5,
        minDist=low,
        param1=300,
        param2=SEAL_ROUNDNESS,
        minRadius=int(low),
        maxRadius=int(high),
    )
    return [] if found is None else [(float(x), float(y), float(r)) for x, y, r in found[0]]


def under_seal(box: PtBox, circles: list[Circle], dpi: int) -> bool:
    """Whether a seal's ring reaches the box: its centre is within a radius of the box."""
    inner = Template.to_pixels(box, dpi)
    for cx, cy, r in circles:
        dx = max(inner.x0 - cx, 0.0, cx - inner.x1)
        dy = max(inner.y0 - cy, 0.0, cy - inner.y1)
        if (dx * dx + dy * dy) ** 0.5 <= r:
            return True
    return False
