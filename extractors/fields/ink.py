"""Ticks, crosses, filled boxes and hand-drawn ○ measured as ink against the blank form."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.fields.crops import writers_ink
from extractors.fields.paper import Paper
from extractors.template import PtBox, Template
from ocr.types import Image, pt_to_px

#: Extra ink share (page minus blank) above which a □ counts as marked.
TICK_THRESHOLD = 0.08
#: The ``style`` that measures the writer's ink round a □ (not only in it), this share of its
#: side out on every side: a ✓ made over a 5 pt □ leaves its ink on the □'s frame and outside.
AROUND = "around"
AROUND_REACH = 0.5
#: Between these, the mark is too faint or too stray to trust without a person.
AMBIGUOUS = (0.04, 0.16)
#: A ○ is drawn around the word: look this far (points) outside the printed word.
CIRCLE_MARGIN_PT = 5.0
CIRCLE_THRESHOLD = 0.05


def ink_share(ink: Image, box: PtBox, dpi: int, inset_pt: float = 0.0) -> float:
    """Share of ink pixels (255) inside ``box`` shrunk by ``inset_pt``."""
    b = Template.to_pixels((box[0] + inset_pt, box[1] + inset_pt, box[2] - inset_pt, box[3] - inset_pt), dpi)
    region = ink[max(b.y0, 0) : b.y1, max(b.x0, 0) : b.x1]
    return float(np.count_nonzero(region)) / region.size if region.size else 0.0


#: Around a printed word, the blank form's ink is widened by this much (points) before the
#: page's ink is compared with it pixel by pixel: a ○ is drawn further out than that.
PRINT_MARGIN_PT = 1.2
#: Share of a word's surroundings inked away from the print, below which it is not circled.
#: Measured on generated scans (seed 1111, 150–300 dpi): words not circled 0–0.002, circled
#: words 0.03 and more.
CIRCLE_OUTSIDE_MIN = 0.01
#: Between this and :data:`CIRCLE_OUTSIDE_MIN` with the word's surroundings well inked, the
#: ○ may lie on printed lines: a ring drawn over a printed dashed ring (the 被扶養者届's
#: 「海外特例要件該当」, circled: 0.0088–0.0165 away from the print, a neighbour's ring leaking in
#: 0.0088) was read "not circled" at 0.9 and accepted. There a person decides.
CIRCLE_OUTSIDE_DOUBT = 0.005


def measure(paper: Paper, box: PtBox, style: str) -> float:
    """Ink added by the writer in a □ (inside the frame) or around a word (for a ○)."""
    dpi = paper.dpi
    if style == "circle":
        area = (
            box[0] - CIRCLE_MARGIN_PT,
            box[1] - CIRCLE_MARGIN_PT,
            box[2] + CIRCLE_MARGIN_PT,
            box[3] + CIRCLE_MARGIN_PT,
        )
        # The difference of ink shares does not care how well the page is aligned, but it also
        # grows when the scan prints the word bolder than the blank form (low resolution, blur,
        # a dark scan). A ○ also leaves ink away from the printed word; with next to none
        # there, the difference is the print's boldness, and the word is not circled.
        added = ink_share(paper.ink, area, dpi) - ink_share(paper.blank, area, dpi)
        outside = _outside_print(paper, area)
        if outside >= CIRCLE_OUTSIDE_MIN:
            return added
        if outside >= CIRCLE_OUTSIDE_DOUBT and added >= CIRCLE_THRESHOLD:
            return CIRCLE_THRESHOLD  # at the threshold: neither marked nor blank for sure
        return outside
    if style == AROUND:
        reach = AROUND_REACH * min(box[2] - box[0], box[3] - box[1])
        return ink_share(paper.writing, (box[0] - reach, box[1] - reach, box[2] + reach, box[3] + reach), dpi)
    # The writer's ink only: a frame printed bolder or a pixel off is not a tick. The inset
    # keeps what is left of the frame out all the same, and so does leaving out a sliver of
    # it along the region's edge (:func:`without_frame_slivers`).
    inset = min(box[2] - box[0], box[3] - box[1]) * 0.18
    b = Template.to_pixels((box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset), dpi)
    region = paper.writing[max(b.y0, 0) : b.y1, max(b.x0, 0) : b.x1]
    if region.size == 0:
        return 0.0
    return float(np.count_nonzero(without_frame_slivers(region, dpi))) / region.size


#: A sliver of a □'s frame left in the measured region is at most this thick (points)...
FRAME_SLIVER_PT = 0.25
#: ... and runs along this share of the region's side at least.
FRAME_SLIVER_RUN = 0.6


def without_frame_slivers(region: Image, dpi: int) -> Image:
    """``region`` (the writer's ink inside a □, inset) without the slivers of the □'s frame a
    scan a pixel or two off leaves along its edges: a piece at most :data:`FRAME_SLIVER_PT`
    thick running along :data:`FRAME_SLIVER_RUN` of the side it lies on, at that side. (The
    資格取得届's 5.4 pt 「□ 発行が必要」 on a 1-bit scan: its right frame a 2 px line at the
    region's edge, 0.18 of it inked, read ticked at 1.0.) A tick's strokes cross the box."""
    height, width = region.shape[:2]
    thin = max(2, round(pt_to_px(FRAME_SLIVER_PT, dpi)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats((region > 0).astype(np.uint8), connectivity=8)
    out = np.array(region, copy=True)
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label][:4])
        upright = w <= thin and h >= FRAME_SLIVER_RUN * height and (x <= thin or x + w >= width - thin)
        lying = h <= thin and w >= FRAME_SLIVER_RUN * width and (y <= thin or y + h >= height - thin)
        if upright or lying:
            out[labels == label] = 0
    return out


def threshold(style: str) -> float:
    return CIRCLE_THRESHOLD if style == "circle" else TICK_THRESHOLD


def _outside_print(paper: Paper, area: PtBox) -> float:
    """Share of ``area`` inked on the page away from the blank form's (widened) printed ink."""
    rows, cols = paper.region(area)
    page = paper.ink[rows, cols]
    if page.size == 0:
        return 0.0
    reach = max(1, round(pt_to_px(PRINT_MARGIN_PT, paper.dpi)), paper.spread)
    return float(np.count_nonzero(writers_ink(page, paper.blank[rows, cols], paper.dpi, reach))) / page.size


def ink_aspect(paper: Paper, cell: PtBox) -> float:
    """Width / height of the writer's ink in ``cell`` (specks left out): a handwritten 1 is
    narrow, a 7 or a 4 is not. 0.0 for a cell without ink."""
    rows, cols = paper.region(cell)
    count, _, stats, _ = cv2.connectedComponentsWithStats(paper.writing[rows, cols], connectivity=8)
    speck = max(4, round(1.5 * (paper.dpi / 100) ** 2))
    pieces = [stats[i] for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= speck]
    if not pieces:
        return 0.0
    x0 = min(int(p[cv2.CC_STAT_LEFT]) for p in pieces)
    x1 = max(int(p[cv2.CC_STAT_LEFT] + p[cv2.CC_STAT_WIDTH]) for p in pieces)
    y0 = min(int(p[cv2.CC_STAT_TOP]) for p in pieces)
    y1 = max(int(p[cv2.CC_STAT_TOP] + p[cv2.CC_STAT_HEIGHT]) for p in pieces)
    return (x1 - x0) / max(1, y1 - y0)
