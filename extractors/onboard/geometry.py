"""The boxes of a blank form: every closed region its printed lines make, in points.

The lines come from the PDF's vector drawing (pdfplumber: lines, rectangle edges, thin
rectangles, straight curve pieces) when it has any, else from the rendered page (long dark
runs found by OpenCV morphology, as for a scanned blank). Either way they are drawn on one
mask and the white regions they close are the boxes: a form printed as rectangles, as
separate lines or as a spreadsheet's thin filled bars gives the same boxes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import cv2
import numpy as np
import numpy.typing as npt

from extractors.template import PtBox

#: What a blank's reader makes of it (:func:`kept_while_unchanged`).
Read = TypeVar("Read")

#: Mask pixels per point: a 0.25 pt gap between two cells still shows.
SCALE = 4.0
#: A filled rectangle thinner than this (pt) is a printed line, not an area.
THIN_PT = 2.5
#: Regions smaller than this (pt, either side) are the gaps between double rules.
MIN_SIDE_PT = 4.0
#: A region larger than this share of the page is the page (or a frame around everything).
MAX_AREA_SHARE = 0.35


@dataclass(frozen=True)
class Segment:
    """A printed line (points, top-left origin): horizontal or vertical, or a piece of a
    curve from (x0, y0) to (x1, y1)."""

    x0: float
    y0: float
    x1: float
    y1: float


def vector_segments(page: Any) -> list[Segment]:
    """The straight horizontal and vertical lines a pdfplumber page draws: its lines, the
    edges of its rectangles (stroked, or filled: a shaded label cell bounds the box beside
    it), its thin filled rectangles (spreadsheet borders) and the straight pieces of its
    curves."""
    found: list[Segment] = []
    for line in page.lines:
        found += _straight([(line["x0"], line["top"]), (line["x1"], line["bottom"])])
    for x0, y0, x1, y1 in _tints_joined(page.rects):
        if min(x1 - x0, y1 - y0) <= THIN_PT:
            found.append(Segment(x0, y0, x1, y1))
        else:  # stroked or filled (a shaded label cell): its edges bound the boxes beside it
            found += [
                Segment(x0, y0, x1, y0),
                Segment(x0, y1, x1, y1),
                Segment(x0, y0, x0, y1),
                Segment(x1, y0, x1, y1),
            ]
    for curve in page.curves:
        # Every piece, straight or not: a frame's rounded corner closes the boxes inside it.
        points = [(float(x), float(y)) for x, y in curve.get("pts", [])]
        found += [Segment(ax, ay, bx, by) for (ax, ay), (bx, by) in zip(points, points[1:], strict=False)]
    return found


#: Filled rectangles of one colour this close (pt) are one area when they touch.
TINT_SLACK = 0.3


def _tints_joined(rects: Sequence[dict[str, Any]]) -> list[tuple[float, float, float, float]]:
    """The rectangles' (x0, top, x1, bottom), the strips a tinted cell is filled with joined:
    協会けんぽ's 資格喪失届 fills block 1's label cells in strips 4–5 pt tall, one above the
    other, whose edges cut 「④個人番号（基礎年金番号）」's cell into 19 boxes (block 2's is one
    rectangle). Filled, unstroked rectangles of one colour and one column that touch are one."""
    plain: list[tuple[float, float, float, float]] = []
    tints: dict[Any, list[list[float]]] = {}
    for rect in rects:
        box = (float(rect["x0"]), float(rect["top"]), float(rect["x1"]), float(rect["bottom"]))
        if rect.get("fill") and not rect.get("stroke") and min(box[2] - box[0], box[3] - box[1]) > THIN_PT:
            tints.setdefault(str(rect.get("non_stroking_color")), []).append(list(box))
        else:
            plain.append(box)
    for strips in tints.values():
        strips.sort(key=lambda b: (round(b[0], 1), round(b[2], 1), b[1]))
        joined: list[list[float]] = []
        for strip in strips:
            last = joined[-1] if joined else None
            if (
                last is not None
                and abs(last[0] - strip[0]) <= TINT_SLACK
                and abs(last[2] - strip[2]) <= TINT_SLACK
                and strip[1] <= last[3] + TINT_SLACK
            ):
                last[3] = max(last[3], strip[3])
            else:
                joined.append(strip)
        plain += [(b[0], b[1], b[2], b[3]) for b in joined]
    return plain


def _straight(points: Sequence[tuple[float, float]]) -> list[Segment]:
    """The horizontal and vertical pieces of a polyline."""
    pieces = []
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        if abs(ay - by) < 0.5 or abs(ax - bx) < 0.5:
            pieces.append(Segment(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
    return pieces


def segment_mask(segments: Iterable[Segment], size: tuple[float, float]) -> npt.NDArray[np.uint8]:
    """The lines drawn on a mask (255 = line) of the page at :data:`SCALE` px/pt."""
    width, height = round(size[0] * SCALE), round(size[1] * SCALE)
    mask = np.zeros((height, width), np.uint8)
    for seg in segments:
        if abs(seg.x1 - seg.x0) >= 0.5 and abs(seg.y1 - seg.y0) >= 0.5:  # a curve's piece
            start = (round(seg.x0 * SCALE), round(seg.y0 * SCALE))
            cv2.line(mask, start, (round(seg.x1 * SCALE), round(seg.y1 * SCALE)), (255,), thickness=2)
            continue
        x0, x1 = sorted((round(seg.x0 * SCALE), round(seg.x1 * SCALE)))
        y0, y1 = sorted((round(seg.y0 * SCALE), round(seg.y1 * SCALE)))
        cv2.rectangle(mask, (x0, y0), (x1, y1), (255,), thickness=-1)
    return mask


def raster_mask(gray: npt.NDArray[np.uint8], size: tuple[float, float]) -> npt.NDArray[np.uint8]:
    """The printed rules of a rendered or scanned blank (any resolution), on a mask of the
    page at :data:`SCALE` px/pt: dark runs at least 6 pt long, across or down."""
    width, height = round(size[0] * SCALE), round(size[1] * SCALE)
    page = cv2.resize(gray, (width, height), interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(page, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    run = round(6 * SCALE)
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1)))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, run)))
    return np.asarray(cv2.bitwise_or(across, down), dtype=np.uint8)


def divided(
    mask: npt.NDArray[np.uint8],
    left: tuple[float, float, float, float],
    right: tuple[float, float, float, float],
) -> bool:
    """Whether a printed vertical line stands between two boxes of one row, longer than the
    row is high (a column's divider, not a cell's side)."""
    x0, x1 = round(left[2] * SCALE) + 3, round(right[0] * SCALE) - 3
    top, bottom = min(left[1], right[1]) - 3, max(left[3], right[3]) + 3
    y0, y1 = max(0, round(top * SCALE)), round(bottom * SCALE)
    if x1 <= x0:
        return False
    strip = mask[y0:y1, x0:x1] > 0
    return bool(strip.size) and bool((strip.sum(axis=0) >= 0.95 * (y1 - y0)).any())


def closed_boxes(mask: npt.NDArray[np.uint8]) -> list[PtBox]:
    """The white regions the lines of ``mask`` close (not touching the page's edge), as
    their bounding boxes in points, top to bottom then left to right."""
    height, width = mask.shape
    # Lines a hair apart (a cell drawn as its own rectangle beside the next) close the gap.
    joined = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_not(joined), connectivity=4)
    boxes: list[PtBox] = []
    for index in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[index])
        if x == 0 or y == 0 or x + w >= width or y + h >= height:
            continue
        if w < MIN_SIDE_PT * SCALE or h < MIN_SIDE_PT * SCALE:
            continue
        if w * h > MAX_AREA_SHARE * width * height or area < 0.6 * w * h:
            continue  # the page, or a region that is no box (lines that do not close it)
        # The dilation ate a pixel each side: the box is the region grown back to its lines.
        boxes.append(
            (
                round((x - 1) / SCALE, 1),
                round((y - 1) / SCALE, 1),
                round((x + w + 1) / SCALE, 1),
                round((y + h + 1) / SCALE, 1),
            )
        )
    return sorted(boxes, key=lambda b: (round(b[1]), b[0]))


def kept_while_unchanged(read: Callable[[bytes], Read]) -> Callable[[Path], Read]:
    """``read`` of a file's bytes, given the file's path, kept while the file is unchanged on
    disk (its modification time and size are part of the key: a blank replaced is read
    again); the few last blanks opened on the designer screen, read once each."""

    @lru_cache(maxsize=4)
    def cached(path: Path, stamp: tuple[int, int]) -> Read:
        del stamp  # part of the key only
        return read(path.read_bytes())

    def of(path: Path) -> Read:
        stat = path.stat()
        return cached(path.resolve(), (stat.st_mtime_ns, stat.st_size))

    return of


#: Print this dark (0 black, 255 white) on a rendered blank is ink.
INK = 160
#: A cell tick (a short solid or dotted divider between the digits of a box) is dark over at
#: least this share of the lower half of its box, and stands at least this high (pt).
TICK_SHARE = 0.45
TICK_HEIGHT = 6.0
#: A dotted tick's dots are at most this far apart (pt).
TICK_DOT_GAP = 1.5
#: Ticks evenly spaced: each step within this share of the mean step, the step a cell's width.
TICK_EVEN = 0.15
TICK_STEP = (7.0, 32.0)


@dataclass(frozen=True)
class Ticks:
    """The cell ticks printed in a box: their x (pt, left to right) and the top of the tallest."""

    xs: tuple[float, ...]
    top: float


def cell_ticks(gray: npt.NDArray[np.uint8], px_per_pt: float, frame: PtBox) -> Ticks | None:
    """The ticks dividing a box into digit cells (「報酬月額 ㋒合計」: dotted marks rising from
    the box's bottom rule, one between each two digits), as the rendered blank ``gray``
    (``px_per_pt`` pixels a point) shows them inside ``frame``; None unless at least three
    stand evenly spaced a cell's width apart (a printed letter or 「円」 is no tick)."""
    height, width = gray.shape
    x0, x1 = max(0, round((frame[0] + 1.5) * px_per_pt)), min(width, round((frame[2] - 1.5) * px_per_pt))
    y0, y1 = max(0, round(frame[1] * px_per_pt)), min(height, round((frame[3] - 1.0) * px_per_pt))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    dark = gray[y0:y1, x0:x1] < INK
    lower = dark[(y1 - y0) // 2 :]
    columns = lower.sum(axis=0) >= TICK_SHARE * lower.shape[0]
    found: list[tuple[float, float]] = []
    index = 0
    while index < len(columns):
        if not columns[index]:
            index += 1
            continue
        end = index
        while end + 1 < len(columns) and columns[end + 1]:
            end += 1
        inked = np.asarray(dark[:, index : end + 1].any(axis=1), dtype=np.bool_)
        top = _run_top(inked, round(TICK_DOT_GAP * px_per_pt))
        found.append(((x0 + (index + end + 1) / 2) / px_per_pt, (y0 + top) / px_per_pt))
        index = end + 1
    tall = [(x, top) for x, top in found if frame[3] - 1.0 - top >= TICK_HEIGHT]
    if len(tall) < 3:
        return None
    steps = [b[0] - a[0] for a, b in zip(tall, tall[1:], strict=False)]
    mean = sum(steps) / len(steps)
    if not TICK_STEP[0] <= mean <= TICK_STEP[1] or any(abs(s - mean) > TICK_EVEN * mean for s in steps):
        return None
    return Ticks(tuple(round(x, 1) for x, _ in tall), round(min(top for _, top in tall), 1))


def _run_top(column: npt.NDArray[np.bool_], gap: int) -> int:
    """The top row of the run of ink rising from the bottom of ``column`` (gaps up to ``gap``
    rows, a dotted line's, bridged)."""
    top, light = len(column), 0
    for row in range(len(column) - 1, -1, -1):
        if column[row]:
            top, light = row, 0
        else:
            light += 1
            if light > gap and top < len(column):
                break
    return top


def cells_on_ticks(ticks: Ticks, frame: PtBox, bottom: float) -> list[float]:
    """The digit cells the ticks divide a box into, one more than the ticks, the first and
    the last as wide as the step between ticks (inside ``frame``), from the top of the ticks
    down to ``bottom``: a segment ``[x0, top, x1, bottom, cells]``."""
    step = (ticks.xs[-1] - ticks.xs[0]) / (len(ticks.xs) - 1)
    left = max(frame[0], ticks.xs[0] - step)
    right = min(frame[2], ticks.xs[-1] + step)
    return [round(left, 1), ticks.top, round(right, 1), round(bottom, 1), len(ticks.xs) + 1]
