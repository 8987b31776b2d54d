"""A ring drawn round one printed word among words printed so close that a ○ round one crosses
the next one's print (協会けんぽ's 資格取得届 prints its 備考 items 0.8 pt apart).

There, ink near a word says little: the ○ round the word below runs through this word's lower
half. What tells a ring round *this* word from a neighbour's is its shape, as the ink shows it:

- **It closes round the word.** The page's ink (print and writing alike: a ring drawn over the
  next word's print is still a wall there) keeps a fill started on the middle of the word's
  centre line from escaping within :data:`REACH_PT` of the word. A neighbour's ring crosses the
  word and leaves it open at both ends; the fill gets out.
- **It turns at the word's ends.** A small printed cell can close round an uncircled word with a
  neighbour's ring as its fourth side; the writer's ink then reaches the word's ends from that
  ring's side only (all above or all below the word). A ring round the word reaches its ends
  from both sides, or level with it.
- **A ring left open** (its stroke not meeting its start) is no enclosure, yet the writer's ink
  lies all round the word: a person looks (:data:`OPEN_RING`).

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
from ocr.types import Box, Image, pt_to_px

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
#: Share of the whole course (sides and ends) inked above which an unclosed ring may still be
#: one left open by the writer: a person looks. A neighbour's ring inks at most about half of it.
OPEN_COURSE_MIN = 0.75
#: Writer's ink pixels (at 200 dpi, scaled by area) that make a stretch of the course inked.
INKED_PX = 2
#: Scores, relative to the decision threshold 1.0 (see :func:`extractors.marks.mark_confidence`:
#: 0.2 and below or 1.8 and above are sure).
RING = 2.0
#: Closed round the word, its ends inked from both sides but too few: a person looks.
PARTLY = 0.6
#: Closed round the word by a neighbour's ring and printed rules (ends inked from one side).
CELL = 0.2
#: Not closed, but inked all round (a ring left open): a person looks.
OPEN_RING = 0.6
#: Not closed and not inked all round: at most this (the course's inked share scaled).
OPEN = 0.2


@dataclass(frozen=True)
class Ring:
    """What the ink shows round one word: closed round it or not, how many of its end
    directions are inked and from which side, and the share of its whole course inked."""

    closed: bool
    ends: int
    #: The ends' ink comes from both sides (above and below) or level with the word.
    balanced: bool
    course: float


def ring_score(paper: Paper, box: PtBox) -> float:
    """How surely a ring is drawn round the word printed in ``box`` (1.0: the threshold)."""
    return score_of(ring_round(paper, box))


def score_of(ring: Ring) -> float:
    """A mark score from what the ink shows round a word (see the module's docstring)."""
    if ring.closed:
        if not ring.balanced:
            return CELL
        return RING if ring.ends >= ENDS_MIN else PARTLY
    if ring.course >= OPEN_COURSE_MIN:
        return OPEN_RING
    return OPEN * ring.course


def ring_round(paper: Paper, box: PtBox) -> Ring:
    """What the page's and the writer's ink show round the word printed in ``box``."""
    dpi = paper.dpi
    height, width = paper.ink.shape[:2]
    word = Template.to_pixels(box, dpi)
    reach = max(2, round(pt_to_px(REACH_PT, dpi)))
    x0, y0 = max(0, word.x0 - reach), max(0, word.y0 - reach)
    x1, y1 = min(width, word.x1 + reach), min(height, word.y1 + reach)
    if x1 - x0 < 3 or y1 - y0 < 3 or word.x1 <= word.x0 or word.y1 <= word.y0:
        return Ring(False, 0, False, 0.0)
    closed = _closed(paper.ink[y0:y1, x0:x1], (word.x0 - x0, word.y0 - y0, word.x1 - x0, word.y1 - y0))
    inked = _course(paper, word, (x0, y0, x1, y1))
    ends = inked[2 * SIDE_BINS :]
    up = bool(ends[0] or ends[END_BINS])
    down = bool(ends[END_BINS - 1] or ends[2 * END_BINS - 1])
    level = bool(ends[1 : END_BINS - 1].any() or ends[END_BINS + 1 : 2 * END_BINS - 1].any())
    return Ring(closed, int(ends.sum()), level or (up and down), float(inked.mean()))


def _closed(ink: Image, word: tuple[int, int, int, int]) -> bool:
    """Whether ``ink`` (the zone round the word, the word at ``word`` in its pixels) closes
    round the middle of the word's centre line: no fill from there reaches the zone's edge."""
    left, top, right, bottom = word
    middle = (top + bottom) // 2
    margin = (right - left) * 15 // 100
    free = np.asarray(ink == 0, dtype=np.uint8)
    _, labels = cv2.connectedComponents(free, connectivity=4)
    seeds = labels[max(middle - 1, 0) : middle + 2, left + margin : max(right - margin, left + margin + 1)]
    seeds = np.unique(seeds[seeds > 0])
    if seeds.size == 0:
        return False
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return not bool(np.isin(seeds, edge).any())


def _course(paper: Paper, word: Box, zone: tuple[int, int, int, int]) -> npt.NDArray[np.bool_]:
    """Which stretches of the course round the word's print hold writer's ink: the top side's
    :data:`SIDE_BINS`, the bottom side's, then the left end's :data:`END_BINS` directions (up,
    level, down) and the right end's."""
    x0, y0, x1, y1 = zone
    left, top, right, bottom = _printed(paper, word)
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
    least = max(1, round(INKED_PX * (paper.dpi / 200) ** 2))
    return np.asarray(counts >= least, dtype=np.bool_)


def _printed(paper: Paper, word: Box) -> tuple[int, int, int, int]:
    """The word's printed extent (pixels): the blank form's ink inside its box, or the box."""
    left, top = max(word.x0, 0), max(word.y0, 0)
    ys, xs = np.nonzero(paper.blank[top : word.y1, left : word.x1])
    if xs.size == 0:
        return word.x0, word.y0, word.x1, word.y1
    return left + int(xs.min()), top + int(ys.min()), left + int(xs.max()) + 1, top + int(ys.max()) + 1
