"""Find the writing of a text field where it is, not where the template's box says.

People write under a small printed label inside the box (「変更後の氏名」), start left of where
the box's writing area was drawn, rise over the top rule, sink below the bottom one, and
write smaller or larger than the box. The writer's ink (see :mod:`extractors.fields.paper`)
around the box is split into pieces; each piece belongs to the field whose box holds its
middle, or to this field when it touches this box and no other box claims it. The crop is
the rectangle around this field's pieces, tight above and below (the recogniser scales a
crop to a fixed height, and writing that fills a fifth of it loses digits between hyphens),
with the printed form and every other field's writing painted out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from extractors.fields.crops import (
    TEXT_INSET_PT,
    Circle,
    inside_box,
    on_white,
    print_painted_out,
    under_seal,
    widened,
)
from extractors.fields.faint import holds_pale_writing
from extractors.fields.paper import Paper
from extractors.template import PtBox, Template
from ocr.preprocess import grey_percentile
from ocr.types import Box, Image, pt_per_px, pt_to_px

#: Writing may reach this share of the box height above and below it.
OVERFLOW = 0.6
#: The box may widen to its printed cell by up to this much on each side (points): the
#: writing area of a box with a label inside begins after the label, the writer does not.
CELL_REACH_PT = 60.0
#: A column of the blank form's vertical rules counts as the cell's edge when a rule covers
#: this share of the box's middle rows.
CELL_EDGE_SHARE = 0.6
#: Writing is followed past the cell's end by up to this share of the box height.
BEYOND = 1.5
#: A piece of writing this close (share of the box height) above or below the field's
#: writing belongs to it.
NEAR = 0.35
#: Paper kept above and below the writing, as a share of its height.
VERTICAL_MARGIN = 0.15
#: Paper kept left and right of the writing, as a share of its height.
SIDE_MARGIN = 0.5
#: A stroke at least this tall (points, ~0.9 mm) is writing; scanner specks and slivers of a
#: printed rule left by a misalignment are smaller. (Kana squeezed into an 11 pt フリガナ row
#: are under 3 pt tall: a taller threshold took them for specks and the field for blank.)
WRITTEN_MIN_HEIGHT_PT = 2.5
#: … or at least this share of the box's height, where the box is so short that its writing is
#: smaller still: ユミ in a 9 pt フリガナ row stood 6 px tall at 200 dpi (ミ's strokes 1–2 px),
#: and the field was taken for blank and auto-accepted as such.
SHORT_BOX_SHARE = 0.3


@dataclass(frozen=True)
class Writing:
    """The crop handed to the recogniser and whether the paper holds writing there at all."""

    crop: Image
    inked: bool
    #: The writer's ink of this field in ``crop`` (same shape, nonzero where it is), where
    #: the writing was found; None for a blank crop. Lets a reader measure each character.
    ink: Image | None = None


def cell_columns(rules_down: Image, box: Box, others: list[Box], dpi: int) -> tuple[int, int]:
    """The columns of the printed cell around ``box`` (pixels): out to the nearest vertical
    rule on each side, at most ``CELL_REACH_PT``, never over another field's box."""
    height = box.y1 - box.y0
    rows = slice(max(box.y0 + height // 4, 0), max(box.y0 + 3 * height // 4, box.y0 + 1))
    band = rules_down[rows] > 0
    edge = band.sum(axis=0) >= CELL_EDGE_SHARE * band.shape[0]
    reach = int(round(pt_to_px(CELL_REACH_PT, dpi)))
    width = band.shape[1]
    # The inner box stops short of its own rules by an inset; a rule that close is the box's
    # own edge, and the box is not widened (what is left of a rule there is no writing).
    own_edge = max(2, int(round(pt_to_px(2 * TEXT_INSET_PT, dpi))))
    left = box.x0
    for x in range(box.x0, max(box.x0 - reach, 0) - 1, -1):
        if x < width and edge[x]:
            if box.x0 - x <= own_edge:
                left = box.x0
            break
        left = x
    right = box.x1
    for x in range(box.x1, min(box.x1 + reach, width)):
        if edge[x]:
            if x - box.x1 <= own_edge:
                right = box.x1
            break
        right = x + 1
    for other in others:
        if other.y1 <= box.y0 or other.y0 >= box.y1:
            continue  # not beside this box
        if other.x1 <= box.x0:
            left = max(left, other.x1)
        elif other.x0 >= box.x1:
            right = min(right, other.x0)
    return left, right


def locate(
    paper: Paper,
    box: PtBox,
    rules_down: Image,
    others: list[Box],
    seals: Sequence[Circle] = (),
    rings: Sequence[Box] = (),
    reaches: Sequence[Box] = (),
) -> Writing:
    """This field's writing in and around ``box``, as a crop for the recogniser.

    ``others``: the boxes of the page's other fields (pixels), whose writing is theirs.
    ``seals``: round seals found on the page; what lies inside one is the seal's own
    lettering (代表取締役印 beside the owner's name), not the field's writing. ``rings``:
    where the rings round ○ options nearby run (pixels): what lies there is a ring's, though
    the field's cell is not cut short at them. ``reaches``: as far as those rings may run
    (pixels), into the box too: a piece wholly within one is a ring's arc dipping into the
    box (the ○ round 「2. 短期在留」 over an empty 「3.その他（　）」 was read 1 there)."""
    inner = inside_box(box, paper.dpi)
    page_h, page_w = paper.ink.shape[:2]
    if inner.y1 <= inner.y0 or inner.x1 <= inner.x0:
        return Writing(np.full((8, 8), 255, np.uint8), False)
    left, right = cell_columns(rules_down, inner, others, paper.dpi)
    reach = int(round((inner.y1 - inner.y0) * OVERFLOW))
    top, bottom = max(0, inner.y0 - reach), min(page_h, inner.y1 + reach)
    left, right = max(0, left), min(page_w, right)
    # Writing that runs past the cell's end is followed this far (a character or two: 4階, た。).
    far = min(page_w, right + int(round((inner.y1 - inner.y0) * BEYOND)))
    writing, labels, stats = _pieces(paper, top, bottom, left, far)
    box_top, box_bottom, cell_end = inner.y0 - top, inner.y1 - top, right - left
    own = Box(inner.x0 - left, box_top, cell_end, box_bottom)
    mine, dots = _writing_pieces(
        stats,
        _bridge(paper),
        box_bottom - box_top,
        own,
        inner.x1 - left,
        [*others, *rings],
        seals,
        (left, top, far, bottom),
        reaches,
    )
    if mine:
        region = _Region(top, bottom, left, far, writing, labels, stats, dots, cell_end, own.x0)
        found = _cut(paper, region, mine, inner.y1 - inner.y0, (inner.y1 - inner.y0, inner.x1 - inner.x0))
        if found.inked:
            return found
    # Nothing the threshold calls writing. Pale strokes in the box (writing 2–3 pt tall
    # scanned light grey) still make it written on: read as nothing, it goes to a person as
    # unreadable instead of being accepted as a blank. (Not under a seal: a red seal scanned
    # grey is pale strokes, and no one's writing.)
    pale = holds_pale_writing(paper, (box,), pale_only=True) and not under_seal(box, list(seals), paper.dpi)
    return Writing(_unwritten(paper, inner), pale)


def _writing_pieces(
    stats: npt.NDArray[np.int32],
    bridge: int,
    line_height: int,
    own: Box,
    own_end: int,
    others: list[Box],
    seals: Sequence[Circle],
    origin: tuple[int, int, int, int],
    reaches: Sequence[Box] = (),
) -> tuple[list[int], list[int]]:
    """Which pieces of a region are the field's writing, and which are dots (゛, ゜ or specks).

    ``line_height``: the height of one line of writing; ``own``: the field's rows and columns in the region (its left edge to the cell's end);
    a piece centred there is the field's even inside another field's box that overlaps it,
    up to ``own_end`` (where the field's own box ends). ``origin``: the region's page
    columns and rows (left, top, right, bottom); ``others``: the other fields' boxes on the
    page, whose writing is theirs; ``seals``: round seals, whose lettering is no one's."""
    left, top, right, bottom = origin
    claimed = [
        Box(o.x0 - left, o.y0 - top, o.x1 - left, o.y1 - top)
        for o in others
        if o.x1 > left and o.x0 < right and o.y1 > top and o.y0 < bottom
    ]
    candidates: list[int] = []
    # Dots too small to be a piece of writing on their own are left where they are: beside
    # the writing they are a ゛ or a ゜, elsewhere they are painted out with the paper.
    dots: list[int] = []
    for label in range(1, len(stats)):
        x, y, w, h, area = (int(v) for v in stats[label])
        if area < 4:
            dots.append(label)
            continue
        if h <= bridge and w > 3 * line_height:
            continue  # slivers of a printed rule
        cx, cy = x + w / 2, y + h / 2
        in_own = own.y0 <= cy < own.y1 and own.x0 <= cx < own_end
        if not in_own and any(c.x0 <= cx < c.x1 and c.y0 <= cy < c.y1 for c in claimed):
            continue  # another field's writing
        if any(math.hypot(cx + left - sx, cy + top - sy) <= radius for sx, sy, radius in seals):
            continue  # a seal's lettering
        if any(
            r.x0 <= x + left and x + left + w <= r.x1 and r.y0 <= y + top and y + top + h <= r.y1
            for r in reaches
        ):
            continue  # a ring's arc, however far into the box
        candidates.append(label)
    # Pieces in the cell that reach into the field's rows are its writing; then pieces close
    # above or below them (strokes cut apart by a rule the writing sank over) and pieces
    # that carry the line on past the cell's end.
    mine = [
        label
        for label in candidates
        if stats[label, cv2.CC_STAT_LEFT] < own.x1
        and stats[label, cv2.CC_STAT_TOP] < own.y1
        and stats[label, cv2.CC_STAT_TOP] + stats[label, cv2.CC_STAT_HEIGHT] > own.y0
    ]
    mine = _run_on_from_the_box(mine, stats, own.x0, own_end, line_height)
    for _ in range(3):
        grown = _follow(mine, candidates, stats, own.x1, line_height)
        if len(grown) == len(mine):
            break
        mine = grown
    return mine, dots


def _run_on_from_the_box(
    mine: list[int], stats: npt.NDArray[np.int32], box_start: int, box_end: int, reach: int
) -> list[int]:
    """The pieces of ``mine`` in the box's columns, and those of the cell beside the box that
    belong to the same writing. Before the box: pieces the line runs on from (each at most
    ``reach`` from the writing kept so far) or strokes as tall as half the writing at least
    (a surname written under the cell's label, a word's width before the given name; a
    sliver of print 6 px tall and 2 wide, ink less than the writing's height, is none). After
    the box: pieces the line runs on to. A speck of a printed label left over by the print's
    removal (the ）of 「㋐（通貨）」 before an amount's box), or of the 円 and the rule after it,
    lies apart in the cell and was read as a 1 (12000 read 112000 and 120001). When nothing
    lies in the box's columns, all is kept: it is read, and a person sees what it was."""
    left = [int(stats[label, cv2.CC_STAT_LEFT]) for label in mine]
    right = [x0 + int(stats[label, cv2.CC_STAT_WIDTH]) for label, x0 in zip(mine, left, strict=True)]
    pieces = list(zip(mine, left, right, strict=True))
    inside = [label for label, x0, x1 in pieces if x1 > box_start and x0 < box_end]
    if not inside:
        return mine
    start = min(x0 for label, x0, x1 in pieces if label in inside)
    end = max(x1 for label, x0, x1 in pieces if label in inside)
    tall = max(int(stats[label, cv2.CC_STAT_HEIGHT]) for label in inside)
    kept = list(inside)
    for label, x0, x1 in sorted((p for p in pieces if p[2] <= box_start), key=lambda p: -p[2]):
        height, area = int(stats[label, cv2.CC_STAT_HEIGHT]), int(stats[label, cv2.CC_STAT_AREA])
        if start - x1 <= reach or (2 * height >= tall and area >= tall):
            kept.append(label)
            start = min(start, x0)
    for label, x0, x1 in sorted((p for p in pieces if p[1] >= box_end), key=lambda p: p[1]):
        if x0 - end <= reach:
            kept.append(label)
            end = max(end, x1)
    return sorted(kept)


def _unwritten(paper: Paper, inner: Box) -> Image:
    """The box as the page shows it where no writing was found, the printed form painted out:
    a pale pen below the threshold may still be read, never the print inside the box (the
    address row's printed 都道府県 was read as 静, 解, 最 on an empty row)."""
    rows, cols = slice(inner.y0, inner.y1), slice(inner.x0, inner.x1)
    return print_painted_out(paper.page[rows, cols], paper.blank[rows, cols], paper.dpi, paper.spread)


def _bridge(paper: Paper) -> int:
    """How tall a gap a printed rule cuts into a stroke (pixels)."""
    return 2 * paper.spread + 3


def _pieces(
    paper: Paper, top: int, bottom: int, left: int, right: int
) -> tuple[Image, npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """The writer's ink in the rows and columns given, and its pieces (labels, stats)."""
    writing = paper.text_ink[top:bottom, left:right]
    # A stroke cut by a printed rule is joined again by closing gaps as tall as the rule.
    # Only over the print: kana written low in its row and a name written high under it
    # are two fields' writing, however close, when white paper lies between them.
    closed = cv2.morphologyEx(writing, cv2.MORPH_CLOSE, np.ones((_bridge(paper), 1), np.uint8))
    printed_here = widened(paper.blank[top:bottom, left:right], paper.dpi, paper.spread) > 0
    joined = np.where(printed_here, closed, writing).astype(np.uint8)
    _, labels, found, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    return writing, np.asarray(labels, dtype=np.int32), np.asarray(found, dtype=np.int32)


@dataclass(frozen=True)
class _Region:
    """Where a field's writing was looked for: its page rows and columns, the writer's ink
    there, its pieces (labels and stats of the joined ink) and the dots among them."""

    top: int
    bottom: int
    left: int
    right: int
    writing: Image
    labels: npt.NDArray[np.int32]
    stats: npt.NDArray[np.int32]
    dots: list[int]
    #: Where the field's printed cell ends (region columns): faint writing is followed to it.
    cell_end: int | None = None
    #: Where the field's box starts (region columns): faint writing is followed back to it.
    own_start: int = 0


def _cut(
    paper: Paper, region: _Region, mine: list[int], box_height: int, blank_shape: tuple[int, int]
) -> Writing:
    """The crop around the pieces ``mine`` of ``region``, everything else painted out; a
    blank crop of ``blank_shape`` when they are specks and slivers only."""
    stats, top, left = region.stats, region.top, region.left
    boxes = stats[mine]
    y0 = int(boxes[:, cv2.CC_STAT_TOP].min())
    y1 = int((boxes[:, cv2.CC_STAT_TOP] + boxes[:, cv2.CC_STAT_HEIGHT]).max())
    x0 = int(boxes[:, cv2.CC_STAT_LEFT].min())
    x1 = int((boxes[:, cv2.CC_STAT_LEFT] + boxes[:, cv2.CC_STAT_WIDTH]).max())
    tall = y1 - y0
    min_height = min(pt_to_px(WRITTEN_MIN_HEIGHT_PT, paper.dpi), SHORT_BOX_SHARE * box_height)
    min_width = max(2, round(paper.dpi / 100))  # a sliver one pixel wide is a rule, not a "1"
    inked = bool(
        np.any((boxes[:, cv2.CC_STAT_HEIGHT] >= min_height) & (boxes[:, cv2.CC_STAT_WIDTH] >= min_width))
    )
    if not inked:  # specks and slivers only: nothing is written, nothing is to be read
        return Writing(np.full(blank_shape, 255, np.uint8), False)
    faint = _faint_writing(paper, region, mine, Box(x0, y0, x1, y1))
    if faint is not None:
        x0, x1 = min(x0, faint.x0), max(x1, faint.x1)
    keep_v, keep_h = max(2, int(round(tall * VERTICAL_MARGIN))), int(round(tall * SIDE_MARGIN))
    r0, r1 = max(0, y0 - keep_v), min(region.bottom - top, y1 + keep_v)
    c0, c1 = max(0, x0 - keep_h), min(region.right - left, x1 + keep_h)
    crop = np.array(paper.page[top + r0 : top + r1, left + c0 : left + c1], copy=True)
    if crop.ndim == 3:
        crop = np.ascontiguousarray(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY))
    crop = np.array(on_white(crop), copy=True)  # a shaded cell's tint white, as the paint below
    # The printed form (labels, rules) and every piece of writing that is not this field's.
    # (Keeping a rule's pixels where this writing's strokes cross it was measured: a 。's foot
    # came back, and so did a bar through 蒼 that made it 薈; the print goes, all of it.)
    printed = widened(paper.blank[top + r0 : top + r1, left + c0 : left + c1], paper.dpi, paper.spread) > 0
    kept = np.isin(region.labels[r0:r1, c0:c1], mine + _beside(region.dots, stats, Box(x0, y0, x1, y1)))
    others_ink = (region.writing[r0:r1, c0:c1] > 0) & ~kept
    crop[printed | others_ink] = 255
    own_ink = ((region.writing[r0:r1, c0:c1] > 0) & kept & ~printed).astype(np.uint8)
    if faint is not None:  # the faint kana are the writer's ink too (their height is measured)
        own_ink[faint.mask[r0:r1, c0:c1] > 0] = 1
    return Writing(np.ascontiguousarray(crop), inked, own_ink)


#: Grey pixels this much below the paper (grey levels), at least, may be faint writing …
FAINT_MIN_CONTRAST = 30
#: … or this share of the way from the paper to the writing's own grey, if more.
FAINT_SHARE = 0.35
#: A faint piece this far (share of the writing's height) from the writing still continues it.
FAINT_REACH = 1.2
#: Only writing at most this tall (points) is followed into faint strokes: larger writing has
#: strokes thick enough for the threshold, and beside it pale print (a label cell's grey
#: shading, a red seal scanned grey) is no writing. (4.5 pt left シ of a felt-pen ヒロシ
#: 4.7 pt tall out of the crop; 6 pt changed nothing on our own, the outside or the 協会けんぽ
#: sets.)
FAINT_MAX_HEIGHT_PT = 6.0
#: Faint writing is taken in when it adds at least this much (share of the writing's height):
#: a character, not a stroke's pale end.
FAINT_MIN_WIDTH = 0.4
#: A faint piece is a stroke: at most this thick on average (share of the writing's height).
#: (0.5 left out a ミ 2 pt tall whose three strokes blurred into one blot, 28 px in 6 x 7
#: beside サキ 7 px tall; 0.6 changed nothing on our own, the outside or the 協会けんぽ sets.)
FAINT_STROKE = 0.6


@dataclass(frozen=True)
class _Faint:
    """Faint writing that continues a field's writing in its line: its columns (region
    columns) and its pixels (a mask over the whole region)."""

    x0: int
    x1: int
    mask: Image


def _faint_writing(paper: Paper, region: _Region, mine: list[int], writing: Box) -> _Faint | None:
    """Pale strokes in the writing's rows that carry it on after its end within its cell,
    too light for the page's threshold (set by the black print): the last kana of a フリガナ
    written 2–3 pt tall, whose strokes are 1–2 px wide and scan as light grey (ミ of マユミ
    at grey 170–200 beside マユ at 150), was left out of the crop and never read. A piece
    counts when it is darker than the paper by :data:`FAINT_MIN_CONTRAST` (or
    :data:`FAINT_SHARE` of the writing's own contrast), off the print and off other fields'
    writing, at least two pixels tall or wide, and the pieces run on from the writing with
    gaps under :data:`FAINT_REACH` of its height. None when there is none."""
    if region.cell_end is None:
        return None
    top, left = region.top, region.left
    end = min(region.cell_end, region.right - left)
    tall = writing.y1 - writing.y0
    if not 0 < tall <= pt_to_px(FAINT_MAX_HEIGHT_PT, paper.dpi) or (end <= writing.x1 and writing.x0 <= 0):
        return None
    rows = slice(top + writing.y0, top + writing.y1)
    page = paper.page[rows, left : left + end]
    grey = np.asarray(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page, np.uint8)
    own = np.isin(region.labels[writing.y0 : writing.y1, :end], mine) & (
        region.writing[writing.y0 : writing.y1, :end] > 0
    )
    if not own.any():
        return None
    level = float(np.median(grey[own]))
    paper_level = grey_percentile(np.ascontiguousarray(grey), 90)
    contrast = max(FAINT_MIN_CONTRAST, FAINT_SHARE * (paper_level - level))
    pale_print = paper.blank if paper.pale_print is None else paper.pale_print
    printed = widened(pale_print[rows, left : left + end], paper.dpi, paper.spread) > 0
    others = (region.writing[writing.y0 : writing.y1, :end] > 0) & ~own
    # Off other ink and its grey rim too: the anti-aliased edge of a ring's dark stroke is pale.
    others = cv2.dilate(others.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    candidate = ((grey.astype(np.int16) < paper_level - contrast) & ~printed & ~others).astype(np.uint8)
    candidate[:, writing.x0 : writing.x1] = 0  # the writing's own columns: already in the crop
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidate, connectivity=8)
    # A piece touching the print is the grey halo of a rule or a label, not a stroke.
    halo = np.unique(labels[cv2.dilate(printed.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0])
    strokes = [
        label
        for label in range(1, count)
        if label not in halo
        and stats[label, cv2.CC_STAT_AREA] >= 3
        and max(stats[label, cv2.CC_STAT_WIDTH], stats[label, cv2.CC_STAT_HEIGHT]) >= 2
        and stats[label, cv2.CC_STAT_AREA]
        <= FAINT_STROKE * tall * max(stats[label, cv2.CC_STAT_WIDTH], stats[label, cv2.CC_STAT_HEIGHT], 1) + 1
    ]
    pieces = sorted(
        (
            int(stats[label, cv2.CC_STAT_LEFT]),
            int(stats[label, cv2.CC_STAT_LEFT] + stats[label, cv2.CC_STAT_WIDTH]),
        )
        for label in strokes
    )
    reach = FAINT_REACH * tall
    x0, x1 = writing.x0, writing.x1
    for start, stop in pieces:  # rightwards from the writing's end
        if start >= x1 and start - x1 <= reach:
            x1 = stop
    for start, stop in reversed(pieces):  # leftwards from its start, within the box
        if stop <= x0 and x0 - stop <= reach and start >= region.own_start:
            x0 = start
    # Only a character more counts, before or after the writing: a pale tail of a stroke moves
    # the crop's edge by a pixel or two, and the recogniser then lost the first kana (アヤ read
    # ヤ). (A pale first character: 「入院中」 whose 入 scanned light grey was read 院中.)
    if x1 - writing.x1 < FAINT_MIN_WIDTH * tall:
        x1 = writing.x1
    if writing.x0 - x0 < FAINT_MIN_WIDTH * tall:
        x0 = writing.x0
    if (x0, x1) == (writing.x0, writing.x1):
        return None
    kept = np.zeros(region.labels.shape, np.uint8)
    taken = np.isin(
        labels,
        [
            label
            for label in strokes
            if stats[label, cv2.CC_STAT_LEFT] >= x0
            and stats[label, cv2.CC_STAT_LEFT] + stats[label, cv2.CC_STAT_WIDTH] <= x1
        ],
    )
    kept[writing.y0 : writing.y1, :end][taken] = 255
    return _Faint(x0, x1, kept)


def cell_of(box: PtBox, rules_down: Image, others: list[PtBox], dpi: int) -> PtBox:
    """``box`` widened to its printed cell (see :func:`cell_columns`), in points: where a
    born-digital form's typed words belong to this field."""
    left, right = cell_columns(rules_down, Template.to_pixels(box, dpi), other_boxes(others, dpi), dpi)
    scale = pt_per_px(dpi)
    return (min(box[0], left * scale), box[1], max(box[2], right * scale), box[3])


def _follow(
    mine: list[int], candidates: list[int], stats: npt.NDArray[np.int32], cell_end: int, box_height: int
) -> list[int]:
    """``mine`` and the candidates that continue it: level with it and at most one writing
    height after its end (in the cell or past it), or, in the cell, overlapping its columns
    and at most ``NEAR`` box heights above or below it."""
    if not mine:
        return mine
    boxes = stats[mine]
    ax0, ay0 = int(boxes[:, cv2.CC_STAT_LEFT].min()), int(boxes[:, cv2.CC_STAT_TOP].min())
    ax1 = int((boxes[:, cv2.CC_STAT_LEFT] + boxes[:, cv2.CC_STAT_WIDTH]).max())
    ay1 = int((boxes[:, cv2.CC_STAT_TOP] + boxes[:, cv2.CC_STAT_HEIGHT]).max())
    grown = list(mine)
    for label in candidates:
        if label in mine:
            continue
        x, y, w, h = (int(v) for v in stats[label][:4])
        on_the_line = y < ay1 and y + h > ay0
        if on_the_line and 0 <= x - ax1 <= ay1 - ay0:
            # Right after the line and level with it, in the cell or past its end: a 。 sunk
            # below the box's bottom rule, 4階 written on past the cell.
            grown.append(label)
        elif x < cell_end:
            gap = max(ay0 - (y + h), y - ay1, 0)
            if x < ax1 and x + w > ax0 and gap <= NEAR * box_height:
                grown.append(label)
    return grown


def _beside(dots: list[int], stats: npt.NDArray[np.int32], writing: Box) -> list[int]:
    """The dots inside the writing's rectangle or at its top right (where ゛ sits)."""
    reach = max(2, (writing.y1 - writing.y0) // 3)
    return [
        label
        for label in dots
        if writing.x0 <= stats[label, cv2.CC_STAT_LEFT] <= writing.x1 + reach
        and writing.y0 - reach <= stats[label, cv2.CC_STAT_TOP] <= writing.y1
    ]


def other_boxes(boxes: list[PtBox], dpi: int) -> list[Box]:
    """Template boxes in pixels, for :func:`locate`'s ``others``."""
    return [Template.to_pixels(b, dpi) for b in boxes]


#: Of a text ruled in lines, a piece this tall or wide (share of a line's height) is a
#: character or most of one, and carries a line; smaller ones (゛, 。, 、, a stroke of a kanji
#: cut off) go with the line they sit beside.
LINE_ANCHOR = 0.3
#: A piece continues a line when this share of its rows lies within the rows of the line's
#: last characters: a line that drifts down or up is followed, character by character.
LINE_OVERLAP = 0.3
#: The characters of a line whose rows the next piece is compared with.
LINE_RECENT = 3


def locate_lines(
    paper: Paper,
    boxes: Sequence[PtBox],
    rules_down: Image,
    others: list[Box],
    seals: Sequence[Circle] = (),
    rings: Sequence[Box] = (),
) -> list[Writing]:
    """The writing of a text ruled in several lines (``boxes``, top to bottom), one crop per
    line as the writer wrote them, not as the rules cut them.

    People do not keep to the dotted rules: a line drifts down over the rule into the next
    line's box, a 。 sits on the rule. The writing in and around all the boxes is split into
    the writer's lines by following each line from left to right, piece by piece (see
    :data:`LINE_OVERLAP`); the n-th line found is the n-th line read. ``others`` are the boxes
    of the other fields (not these lines)."""
    inners = [inside_box(box, paper.dpi) for box in boxes]
    page_h, page_w = paper.ink.shape[:2]
    line_height = int(np.median([inner.y1 - inner.y0 for inner in inners]))
    if line_height <= 0 or any(inner.x1 <= inner.x0 for inner in inners):
        return [locate(paper, box, rules_down, others, seals, rings) for box in boxes]
    first, last = inners[0], inners[-1]
    left, right = cell_columns(rules_down, first, others, paper.dpi)
    reach = int(round(line_height * OVERFLOW))
    top, bottom = max(0, first.y0 - reach), min(page_h, last.y1 + reach)
    left, right = max(0, left), min(page_w, right)
    far = min(page_w, right + int(round(line_height * BEYOND)))
    writing, labels, stats = _pieces(paper, top, bottom, left, far)
    rows = (first.y0 - top, last.y1 - top)
    own = Box(first.x0 - left, rows[0], right - left, rows[1])
    mine, dots = _writing_pieces(
        stats,
        _bridge(paper),
        line_height,
        own,
        right - left,
        [*others, *rings],
        seals,
        (left, top, far, bottom),
    )
    region = _Region(top, bottom, left, far, writing, labels, stats, dots)
    lines = writer_lines(stats, mine, line_height)
    blank = (line_height, first.x1 - first.x0)
    found = [_cut(paper, region, line, line_height, blank) for line in lines[: len(boxes)]]
    if len(lines) > len(boxes):  # more lines than rules: the rest read on with the last
        found[-1] = _cut(
            paper, region, [label for line in lines[len(boxes) - 1 :] for label in line], line_height, blank
        )
    return found + [Writing(np.full(blank, 255, np.uint8), False)] * (len(boxes) - len(found))


def writer_lines(stats: npt.NDArray[np.int32], pieces: Sequence[int], line_height: int) -> list[list[int]]:
    """``pieces`` (labels into ``stats``) grouped into the writer's lines, top to bottom.

    Pieces one above the other with little paper between them are one glyph first (a
    character cut in two by a rule it was written over, the parts of 三). Glyphs of a
    character's size (:data:`LINE_ANCHOR`) are taken left to right; each goes to the line
    with the most of its rows within the rows of the line's last :data:`LINE_RECENT` glyphs
    (at least :data:`LINE_OVERLAP`), else starts a line. Smaller glyphs then join the line of
    the nearest character within a line's height (farther off they are specks, left out)."""
    members = _glyphs(stats, pieces, line_height)
    glyphs = [_extent(stats, glyph) for glyph in members]
    anchor_size = LINE_ANCHOR * line_height
    order = sorted(range(len(glyphs)), key=lambda g: glyphs[g].x0)
    anchors = [
        g for g in order if max(glyphs[g].y1 - glyphs[g].y0, glyphs[g].x1 - glyphs[g].x0) >= anchor_size
    ]
    lines: list[list[int]] = []  # glyph indices
    for glyph in anchors:
        y0, y1 = glyphs[glyph].y0, glyphs[glyph].y1
        best, best_share = -1, LINE_OVERLAP
        for index, line in enumerate(lines):
            recent = line[-LINE_RECENT:]
            ly0, ly1 = min(glyphs[g].y0 for g in recent), max(glyphs[g].y1 for g in recent)
            share = (min(y1, ly1) - max(y0, ly0)) / max(1, y1 - y0)
            if share >= best_share:
                best, best_share = index, share
        if best < 0:
            lines.append([glyph])
        else:
            lines[best].append(glyph)
    as_pieces = [[piece for g in line for piece in members[g]] for line in lines]
    small = [piece for g in order if g not in anchors for piece in members[g]]
    if not as_pieces:
        return [small] if small else []
    as_pieces = _fragments_joined(stats, as_pieces, line_height)

    def centre(piece: int) -> tuple[float, float]:
        return (
            float(stats[piece, cv2.CC_STAT_LEFT] + stats[piece, cv2.CC_STAT_WIDTH] / 2),
            float(stats[piece, cv2.CC_STAT_TOP] + stats[piece, cv2.CC_STAT_HEIGHT] / 2),
        )

    for piece in small:
        px, py = centre(piece)
        distances = [
            min(math.hypot(px - centre(a)[0], py - centre(a)[1]) for a in line) for line in as_pieces
        ]
        nearest = int(np.argmin(distances))
        if distances[nearest] <= line_height:  # farther off, a speck of the scan: no one's
            as_pieces[nearest].append(piece)

    def starts_at(line: list[int]) -> float:
        leftmost = min(line, key=lambda p: int(stats[p, cv2.CC_STAT_LEFT]))
        return float(stats[leftmost, cv2.CC_STAT_TOP] + stats[leftmost, cv2.CC_STAT_HEIGHT] / 2)

    return sorted(as_pieces, key=starts_at)


#: Pieces one above the other this close (share of a line's height) are one glyph.
GLYPH_GAP = 0.15


def _glyphs(stats: npt.NDArray[np.int32], pieces: Sequence[int], line_height: int) -> list[list[int]]:
    """``pieces`` joined where one lies above another, their columns overlapping by half the
    narrower one, with at most :data:`GLYPH_GAP` of a line's height between them."""
    parent = {piece: piece for piece in pieces}

    def root(piece: int) -> int:
        while parent[piece] != piece:
            parent[piece] = parent[parent[piece]]
            piece = parent[piece]
        return piece

    gap_limit = max(2, int(round(GLYPH_GAP * line_height)))
    boxes = {piece: _extent(stats, [piece]) for piece in pieces}
    for i, a in enumerate(pieces):
        for b in pieces[i + 1 :]:
            ba, bb = boxes[a], boxes[b]
            overlap = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
            if overlap < 0.5 * min(ba.x1 - ba.x0, bb.x1 - bb.x0):
                continue
            if max(bb.y0 - ba.y1, ba.y0 - bb.y1) <= gap_limit:
                parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for piece in pieces:
        groups.setdefault(root(piece), []).append(piece)
    return list(groups.values())


def _extent(stats: npt.NDArray[np.int32], line: list[int]) -> Box:
    boxes = stats[line]
    return Box(
        int(boxes[:, cv2.CC_STAT_LEFT].min()),
        int(boxes[:, cv2.CC_STAT_TOP].min()),
        int((boxes[:, cv2.CC_STAT_LEFT] + boxes[:, cv2.CC_STAT_WIDTH]).max()),
        int((boxes[:, cv2.CC_STAT_TOP] + boxes[:, cv2.CC_STAT_HEIGHT]).max()),
    )


def _fragments_joined(
    stats: npt.NDArray[np.int32], lines: list[list[int]], line_height: int
) -> list[list[int]]:
    """Lines of one character's width within half a line's height above or below a longer
    line, and a character's width beside it, joined to it: the top of a 家 whose parts do not
    touch, or a 。 sunk below the rule, started a "line" of its own."""
    kept = [line for line in lines if _extent(stats, line).x1 - _extent(stats, line).x0 >= line_height]
    if not kept:
        return lines
    for line in lines:
        if any(line is k for k in kept):
            continue
        box = _extent(stats, line)

        def gap(other: list[int], box: Box = box) -> tuple[int, int]:
            o = _extent(stats, other)
            return max(o.y0 - box.y1, box.y0 - o.y1, 0), max(o.x0 - box.x1, box.x0 - o.x1, 0)

        nearest = min(kept, key=lambda other: sum(gap(other)))
        down, across = gap(nearest)
        if down <= line_height // 2 and across <= line_height:
            nearest.extend(line)
        else:
            kept.append(line)
    return kept
