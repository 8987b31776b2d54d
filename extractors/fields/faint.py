"""Pale strokes the page's threshold misses: writing 2–3 pt tall scanned light grey.

The page's ink threshold (Otsu) is set by the black print; strokes one or two pixels wide of
writing squeezed into a 7 pt box scan at grey 170–200 and never reach it. Such a box was
taken for empty and its blank auto-accepted at confidence 1.0 (「2,000」 in a 7.5 pt 収入 box,
dates written in 「（令和　年　月　日）」). Here a box's pale strokes are found against the
box's own paper, off the printed form and its grey halo, so that a box holding them is not
called blank.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractors.fields.crops import widened
from extractors.fields.paper import Paper
from extractors.template import PtBox, Template
from ocr.preprocess import grey_percentile
from ocr.types import Image, pt_to_px

#: A pixel this much darker than the box's paper (grey levels) may be a pale stroke: scanner
#: noise and paper texture stay within it (measured: σ of 3–8 on generated scans).
PALE_CONTRAST = 40
#: A pale piece is a stroke when it has at least this many pixels …
PALE_MIN_AREA = 4
#: … and a box holds writing when it has at least this many such strokes, …
PALE_MIN_STROKES = 2
#: … or one stroke a character tall (points) lying wholly inside the box, clear of its edges:
#: a lone digit 「（ 7 年生）」 3–4 pt tall is one stroke (read blank at 1.0: 13 auto-accepted
#: errors on a clerk's 被扶養者届). One stroke anywhere was not enough: the tips of a
#: neighbour's writing reaching in over an edge made 43 of 465 empty boxes written on.
PALE_CHARACTER_PT = 2.8
#: … and upright: at least this many times as tall as wide (a round speck 2 pt across in an
#: empty box was taken for a character: scanner dust, a pen's dot).
PALE_CHARACTER_UPRIGHT = 1.3


def pale_strokes(paper: Paper, box: PtBox) -> list[int]:
    """The pale strokes inside ``box``, by their size (pixels): pieces of at least
    :data:`PALE_MIN_AREA` pixels darker than the box's paper by :data:`PALE_CONTRAST`, not
    touching the printed form."""
    return [size for size, _ in _pale_pieces(paper, box)]


def pale_aspect(paper: Paper, box: PtBox) -> float:
    """Width / height of the writing in ``box``, pale strokes and dark alike (0.0 for none):
    the top bar of a 7 4 pt tall scans light grey, and the threshold's ink alone is a 1's."""
    extents = _pale_pieces_at(paper, box)
    if not extents:
        return 0.0
    x0 = min(x for _, x, _, _, _, _ in extents)
    x1 = max(x + w for _, x, _, w, _, _ in extents)
    y0 = min(y for _, _, y, _, _, _ in extents)
    y1 = max(y + h for _, _, y, _, h, _ in extents)
    return (x1 - x0) / max(1, y1 - y0)


def _pale_pieces(paper: Paper, box: PtBox, pale_only: bool = False) -> list[tuple[int, bool]]:
    """Each pale stroke of ``box``: its size (pixels) and whether it is a character on its
    own (:data:`PALE_CHARACTER_PT` tall, clear of the box's edges); ``pale_only``: none
    holding the threshold's writer's ink."""
    return [(size, character) for size, _, _, _, _, character in _pale_pieces_at(paper, box, pale_only)]


def _pale_pieces_at(
    paper: Paper, box: PtBox, pale_only: bool = False
) -> list[tuple[int, int, int, int, int, bool]]:
    """Each pale stroke of ``box``: its size, left, top, width and height (pixels) and whether
    it is a character on its own; ``pale_only``: none holding the threshold's writer's ink."""
    b = Template.to_pixels(box, paper.dpi)
    height, width = paper.page.shape[:2]
    # Looked at with a margin: a rule just outside the box, its grey halo reaching in, is print.
    margin = paper.spread + 2
    top, left = max(b.y0 - margin, 0), max(b.x0 - margin, 0)
    rows, cols = slice(top, min(b.y1 + margin, height)), slice(left, min(b.x1 + margin, width))
    page = paper.page[rows, cols]
    if page.size == 0 or b.y1 <= b.y0 or b.x1 <= b.x0:
        return []
    grey = np.asarray(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page, np.uint8)
    inside = np.ascontiguousarray(grey[b.y0 - top : b.y1 - top, b.x0 - left : b.x1 - left])
    paper_level = grey_percentile(inside, 90) if inside.size else 255.0
    printed = widened(_print(paper)[rows, cols], paper.dpi, paper.spread) > 0
    pale = ((grey.astype(np.int16) < paper_level - PALE_CONTRAST) & ~printed).astype(np.uint8)
    count, labels, stats, centres = cv2.connectedComponentsWithStats(pale, connectivity=8)
    # A piece touching the print is the grey halo of a rule or a printed word; a piece whose
    # middle is outside the box is another box's.
    halo = set(
        np.unique(labels[cv2.dilate(printed.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0]).tolist()
    )
    halo |= {
        label
        for label in range(1, count)
        if not (b.x0 <= centres[label][0] + left < b.x1 and b.y0 <= centres[label][1] + top < b.y1)
    }
    if pale_only:
        halo |= set(np.unique(labels[paper.writing[rows, cols] > 0]).tolist())
    tall_enough = pt_to_px(PALE_CHARACTER_PT, paper.dpi)
    pieces = []
    for label in range(1, count):
        size = int(stats[label, cv2.CC_STAT_AREA])
        if label in halo or size < PALE_MIN_AREA:
            continue
        x, y = int(stats[label, cv2.CC_STAT_LEFT]) + left, int(stats[label, cv2.CC_STAT_TOP]) + top
        w, h = int(stats[label, cv2.CC_STAT_WIDTH]), int(stats[label, cv2.CC_STAT_HEIGHT])
        clear = b.x0 < x and x + w < b.x1 and b.y0 < y and y + h < b.y1
        # A digit is taller than wide (a 7 3–4 pt tall: 1.4–2 times); a speck of dust or a
        # pen's dot is round.
        upright = h >= PALE_CHARACTER_UPRIGHT * w
        pieces.append((size, x, y, w, h, clear and upright and h >= tall_enough))
    return pieces


def _print(paper: Paper) -> Image:
    """The blank form's print, its pale grey too where known."""
    return paper.blank if paper.pale_print is None else paper.pale_print


def holds_pale_writing(paper: Paper, boxes: tuple[PtBox, ...], *, pale_only: bool = False) -> bool:
    """Whether the boxes together hold enough pale strokes to be writing, not noise: two
    strokes, or one a character on its own. ``pale_only``: a piece holding ink the page's
    threshold took for writing is none (where that ink was found and judged someone else's:
    the arc of a ○ round the option above an empty 「その他（　）」 crossing its box)."""
    pieces = [piece for box in boxes for piece in _pale_pieces(paper, box, pale_only)]
    return len(pieces) >= PALE_MIN_STROKES or any(character for _, character in pieces)
