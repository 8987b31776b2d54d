"""A ring drawn round one printed word among words printed so close that a ○ round one crosses
the next one's print (協会けんぽ's 資格取得届 prints its 備考 items 0.8 pt apart).

There, ink near a word says little: the ○ round the word below runs through this word's lower
half. What tells a ring round *this* word from a neighbour's is its shape, as the ink shows it:

- **It closes round the word.** The page's ink (print and writing alike: a ring drawn over the
  next word's print is still a wall there) keeps a fill started on the middle of the word's
  centre line from escaping within :data:`REACH_PT` of the word. A neighbour's ring crosses the
  word and leaves it open at both ends; the fill gets out.
- **It runs outside the word's print.** The space closed round the word reaches past its print
  above or below it. A neighbour's ring drawn wide can close round a word with the print of
  the line beside it, running through the word: then nothing reaches past its print, and a
  person looks (:data:`PARTLY`).
- **It turns at the word's ends.** A small printed cell can close round an uncircled word with a
  neighbour's ring as its fourth side; the writer's ink then reaches the word's ends from that
  ring's side only (all above or all below the word). A ring round the word reaches its ends
  from both sides, or level with it.
- **A ring left open** (its stroke not meeting its start) is no enclosure, yet the writer's ink
  lies round most of the word and through none of it: a person looks (:data:`OPEN_RING`).

Measured on 24 generated 資格取得届 (seed 4242, held-out hands: 485 ringed words, 1,339 not)
every ringed word is closed round, none of the others is but those a neighbour's ring closes
in a small cell (their ends inked from one side). The generator draws ellipses; rings of other
shapes (superellipses, tilted, off centre, wobbly, from 1.2 to 4.5 pt out, drawn past their
start) drawn on the blank form were read as well, bar a few ringed so wide that they close
round the neighbour in a small cell or through its print.

:func:`ring_score` gives this as a mark score (1.0: the decision threshold, as
:func:`extractors.marks.ink_scores` gives a tick's). It measures one word alone: whether it is
the one chosen among several is :mod:`extractors.marks`' question.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from extractors.fields.paper import Paper
from extractors.template import PtBox, Template
from ocr.types import Box, pt_to_px

#: How far (points) from the word a ring may run and still count as round it. A fill from the
#: word that gets this far is not enclosed.
REACH_PT = 8.0
#: Writer's ink counts for the ring's course from this far inside the word's printed extent
#: (points; a ring drawn tight grazes the print) to :data:`REACH_PT` outside it.
INNER_PT = 0.6
#: The course round a word: its top and bottom sides in this many stretches each, each end in
#: :data:`END_BINS` directions (up, level, down).
SIDE_BINS = 8
END_BINS = 3
#: A ring round the word shows its ink in at least this many of the word's 2 × END_BINS end
#: directions (the rest hidden by the next words' print, or by the ring cutting the word's end).
ENDS_MIN = 3
#: Share of the whole course (sides and ends) inked from which an unclosed ring with nothing
#: through the word may still be one left open by the writer: a person looks.
OPEN_COURSE_MIN = 0.6
#: Writer's ink pixels (at 200 dpi, scaled by area) that make a stretch of the course inked.
INKED_PX = 2
#: The middle of a word's print (shares of its printed width and height): writer's ink there
#: is a stroke through the word, not round it.
CORE_X = (0.15, 0.85)
CORE_Y = (0.1, 0.9)
#: How far (points) past the word's print the space closed round it must reach (above or
#: below) to show a ring outside the print.
OUTSIDE_PT = 0.5
#: Scores, relative to the decision threshold 1.0 (see :func:`extractors.marks.mark_confidence`:
#: 0.2 and below or 1.8 and above are sure).
RING = 2.0
#: Closed round the word, its ends inked from both sides but too few: a person looks.
PARTLY = 0.6
#: Closed round the word by a neighbour's ring and printed rules (ends inked from one side).
CELL = 0.2
#: Not closed, nothing through the word, but inked round most of it (a ring left open): a
#: person looks.
OPEN_RING = 0.6
#: Not closed otherwise: at most this (the course's inked share scaled).
OPEN = 0.2


@dataclass(frozen=True)
class Ring:
    """What the ink shows round one word: closed round it or not, crossed or not, how many of
    its end directions are inked and from which side, and the share of its whole course inked."""

    closed: bool
    #: Writer's ink runs through the middle of the word's print.
    crossed: bool
    ends: int
    #: The ends' ink comes from both sides (above and below) or level with the word.
    balanced: bool
    course: float
    #: The space closed round the word reaches past its print above or below it (in the
    #: middle of its width): a ring runs outside the print there. Closed without that, the
    #: word is walled in by print and a stroke through it (a neighbour's ring drawn wide).
    outside: bool


def ring_score(paper: Paper, box: PtBox) -> float:
    """How surely a ring is drawn round the word printed in ``box`` (1.0: the threshold)."""
    return score_of(ring_round(paper, box))


def score_of(ring: Ring) -> float:
    """A mark score from what the ink shows round a word (see the module's docstring)."""
    if ring.closed:
        if not ring.outside:
            return PARTLY
        if not ring.balanced:
            return CELL
        return RING if ring.ends >= ENDS_MIN else PARTLY
    if ring.course >= OPEN_COURSE_MIN and not ring.crossed:
        return OPEN_RING
    return OPEN * ring.course


def ring_round(paper: Paper, box: PtBox) -> Ring:
    """What the page's and the writer's ink show round the word printed in ``box``."""
    zone = _zone(paper, box)
    if zone is None:
        return Ring(False, False, 0, False, 0.0, False)
    x0, y0, x1, y1 = zone
    word = Template.to_pixels(box, paper.dpi)
    labels, space = _enclosing(paper, box)
    printed = _printed(paper, word)
    inked = _course(paper, printed, (x0, y0, x1, y1))
    ends = inked[2 * SIDE_BINS :]
    up = bool(ends[0] or ends[END_BINS])
    down = bool(ends[END_BINS - 1] or ends[2 * END_BINS - 1])
    level = bool(ends[1 : END_BINS - 1].any() or ends[END_BINS + 1 : 2 * END_BINS - 1].any())
    return Ring(
        bool(space.size),
        _crossed(paper, printed),
        int(ends.sum()),
        level or (up and down),
        float(inked.mean()),
        _outside(paper.dpi, labels, space, printed, zone),
    )


def _zone(paper: Paper, box: PtBox) -> tuple[int, int, int, int] | None:
    """The pixels (x0, y0, x1, y1) within :data:`REACH_PT` of ``box``, clipped to the page."""
    height, width = paper.ink.shape[:2]
    word = Template.to_pixels(box, paper.dpi)
    reach = max(2, round(pt_to_px(REACH_PT, paper.dpi)))
    x0, y0 = max(0, word.x0 - reach), max(0, word.y0 - reach)
    x1, y1 = min(width, word.x1 + reach), min(height, word.y1 + reach)
    if x1 - x0 < 3 or y1 - y0 < 3 or word.x1 <= word.x0 or word.y1 <= word.y0:
        return None
    return x0, y0, x1, y1


def _seeds(box: PtBox, dpi: int, zone: tuple[int, int, int, int]) -> tuple[slice, slice]:
    """Where a fill round the word in ``box`` starts, in ``zone``'s pixels: the middle of the
    word's centre line (three pixels high, its ends left out)."""
    word = Template.to_pixels(box, dpi)
    middle = (word.y0 + word.y1) // 2 - zone[1]
    margin = (word.x1 - word.x0) * 15 // 100
    left, right = word.x0 + margin - zone[0], max(word.x1 - margin, word.x0 + margin + 1) - zone[0]
    height, width = zone[3] - zone[1], zone[2] - zone[0]
    return slice(min(max(middle - 1, 0), height), min(max(middle + 2, 0), height)), slice(
        min(max(left, 0), width), min(max(right, 0), width)
    )


def _enclosing(paper: Paper, box: PtBox) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """The paper round the word in ``box`` (its zone's pixels labelled by connected stretch of
    paper, the page's ink of print and writing alike as walls) and the labels of the stretch
    that closes round the middle of the word's centre line (empty: a fill from there reaches
    the zone's edge)."""
    zone = _zone(paper, box)
    none = np.zeros(0, dtype=np.int32)
    if zone is None:
        return np.zeros((0, 0), dtype=np.int32), none
    x0, y0, x1, y1 = zone
    free = np.asarray(paper.ink[y0:y1, x0:x1] == 0, dtype=np.uint8)
    _, found = cv2.connectedComponents(free, connectivity=4, ltype=cv2.CV_32S)
    labels = np.asarray(found, dtype=np.int32)
    rows, cols = _seeds(box, paper.dpi, zone)
    seeds = np.unique(labels[rows, cols])
    seeds = np.asarray(seeds[seeds > 0], dtype=np.int32)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    if seeds.size == 0 or np.isin(seeds, edge).any():
        return labels, none
    return labels, seeds


def _outside(
    dpi: int,
    labels: npt.NDArray[np.int32],
    space: npt.NDArray[np.int32],
    printed: tuple[int, int, int, int],
    zone: tuple[int, int, int, int],
) -> bool:
    """Whether the closed ``space`` (labels in ``labels``, over ``zone``) reaches
    :data:`OUTSIDE_PT` past the ``printed`` word above or below it, in its middle columns."""
    if space.size == 0:
        return False
    left, top, right, bottom = printed
    margin = (right - left) * 15 // 100
    cols = slice(max(left + margin - zone[0], 0), max(right - margin - zone[0], 0))
    past = max(1, round(pt_to_px(OUTSIDE_PT, dpi)))
    above = labels[: max(top - past - zone[1], 0), cols]
    below = labels[max(bottom + past - zone[1], 0) :, cols]
    return bool(np.isin(above, space).any() or np.isin(below, space).any())


def _course(
    paper: Paper, printed: tuple[int, int, int, int], zone: tuple[int, int, int, int]
) -> npt.NDArray[np.bool_]:
    """Which stretches of the course round the word's print (``printed``, pixels) hold
    writer's ink: the top side's :data:`SIDE_BINS`, the bottom side's, then the left end's
    :data:`END_BINS` directions (up, level, down) and the right end's."""
    x0, y0, x1, y1 = zone
    left, top, right, bottom = printed
    half = (bottom - top) / 2
    centre = (top + bottom) / 2
    start, end = left + half, right - half
    if start > end:
        start = end = (left + right) / 2
    rows, cols = np.mgrid[y0:y1, x0:x1]
    px = cols + 0.5
    dy = rows + 0.5 - centre
    dx = px - np.clip(px, start, end)
    outside = np.hypot(dx, dy) - half
    band = (outside >= -pt_to_px(INNER_PT, paper.dpi)) & (outside <= pt_to_px(REACH_PT, paper.dpi))
    along = np.clip((px - start) / max(end - start, 1e-6), 0.0, 0.999)
    side = (along * SIDE_BINS).astype(int) + np.where(dy < 0, 0, SIDE_BINS)
    angle = np.arctan2(dy, np.abs(dx))
    direction = np.clip(((angle + np.pi / 2) / np.pi * END_BINS).astype(int), 0, END_BINS - 1)
    ends = 2 * SIDE_BINS + direction + np.where(px <= start, 0, END_BINS)
    bins = np.where((px > start) & (px < end), side, ends)
    writing = paper.writing[y0:y1, x0:x1] > 0
    counts = np.bincount(bins[band & writing], minlength=2 * (SIDE_BINS + END_BINS))
    return np.asarray(counts >= _least(paper.dpi), dtype=np.bool_)


def _least(dpi: int) -> int:
    """Writer's ink pixels that count as a stroke's piece (:data:`INKED_PX` at ``dpi``)."""
    return max(1, round(INKED_PX * (dpi / 200) ** 2))


def _crossed(paper: Paper, printed: tuple[int, int, int, int]) -> bool:
    """Whether writer's ink runs through the middle of the word's print (:data:`CORE_X`,
    :data:`CORE_Y`): a ring round a neighbour drawn through it."""
    left, top, right, bottom = printed
    width, height = right - left, bottom - top
    core = paper.writing[
        top + int(height * CORE_Y[0]) : top + int(np.ceil(height * CORE_Y[1])),
        left + int(width * CORE_X[0]) : left + int(np.ceil(width * CORE_X[1])),
    ]
    return int(np.count_nonzero(core)) >= _least(paper.dpi)


def _printed(paper: Paper, word: Box) -> tuple[int, int, int, int]:
    """The word's printed extent (pixels): the blank form's ink inside its box, or the box."""
    left, top = max(word.x0, 0), max(word.y0, 0)
    ys, xs = np.nonzero(paper.blank[top : word.y1, left : word.x1])
    if xs.size == 0:
        return word.x0, word.y0, word.x1, word.y1
    return left + int(xs.min()), top + int(ys.min()), left + int(xs.max()) + 1, top + int(ys.max()) + 1
