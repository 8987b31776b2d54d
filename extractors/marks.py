"""Mark scores: how strongly a □ is ticked or a word is circled, and what the marks say.

Contract: a :data:`MarkScore` gives, for a box (or a word to circle) and a style
(``"tick"``, ``"circle"``, or :data:`RING` for a word among words printed too close for the
ink round it to tell which one is circled), how strongly it is marked relative to the decision
threshold: above 1.0 is marked. On a scan the score is the writer's ink against the blank
form's ink (:func:`ink_scores`), for :data:`RING` the shape of a ring round the word's own
print (:mod:`extractors.fields.rings`); a born-digital PDF supplies its own (mark characters
in the text layer).
From scores, :func:`read_marks` and :func:`marked_all` give the value of a one-of or
any-of choice and a confidence in 0.5–1: how far the least clear box is from the threshold.
Nothing here reads text or decides review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extractors.fields import ink as inkmod
from extractors.fields import rings
from extractors.fields.paper import Paper
from extractors.identify import blank_page, blank_page_grey
from extractors.template import PtBox
from ocr.preprocess import binarize
from ocr.types import Image

#: How strongly a box (or a word, for ○) is marked: 1.0 is the decision threshold.
MarkScore = Callable[[PtBox, str], float]


@lru_cache(maxsize=16)
def blank_ink(pdf: Path, dpi: int) -> Image:
    """The blank form's ink at ``dpi``: the baseline that ticks and circles are measured against."""
    return binarize(blank_page(pdf, dpi))


@lru_cache(maxsize=16)
def blank_ink_grey(pdf: Path, dpi: int) -> Image:
    """:func:`blank_ink` of the blank as a grey scanner sees it (its colour print dark)."""
    return binarize(blank_page_grey(pdf, dpi))


#: The style a ○ option is scored in where its field's options are printed crowded
#: (:func:`crowded`): by a ring round its own print, not by the ink near it.
RING = "ring"


def ink_scores(paper: Paper) -> MarkScore:
    """Marks on a scan: writer's ink against the blank form's ink, relative to the threshold
    (a ○ among crowded words: the ring round the word, :func:`extractors.fields.rings.ring_score`)."""

    def score(box: PtBox, style: str) -> float:
        if style == RING:
            return rings.ring_score(paper, box)
        return inkmod.measure(paper, box, style) / inkmod.threshold(style)

    return score


def mark_confidence(score: float) -> float:
    """How far a mark is from the decision threshold, mapped to 0.5–1."""
    return float(min(1.0, 0.5 + abs(score - 1.0) / 2))


@dataclass(frozen=True)
class Mark:
    """A one-of choice as marked: the option (None: none marked), how sure, and whether
    more than one option was marked (then ``value`` is the most strongly marked)."""

    value: str | None
    confidence: float
    multiple: bool


#: A mark scoring at least this share of the threshold is faint (a ✓ whose vertex alone lies
#: in the □, the rest of it drawn up and out): where it is the one mark of a choice and the
#: other options hold next to nothing (below half of it), it is the option chosen, unsure.
FAINT = 0.5
#: A mark this sure that nothing is marked (all options' ink near zero).
SURELY_UNMARKED = 0.9


def read_marks(options: tuple[tuple[str, PtBox], ...], style: str, score: MarkScore) -> Mark:
    """The one option marked among ``options`` (name, box). Where none is marked clearly but
    one alone holds a faint mark (:data:`FAINT`), that one, with the low confidence of a mark
    near the threshold (a person confirms). ○ options printed crowded are scored by the ring
    round each one's own print (:data:`RING`): two of them ringed are two marks."""
    scores = _scores(options, style, score)
    marked = [(n, s) for n, s in scores if s > 1.0]
    confidence = min(mark_confidence(s) for _, s in scores)
    if not marked:
        faint = [(n, s) for n, s in scores if s >= FAINT]
        if len(faint) == 1 and all(s < FAINT / 2 for n, s in scores if n != faint[0][0]):
            return Mark(faint[0][0], confidence, False)
        if not faint and _ringed_unseen(options, style, score):
            return Mark(None, mark_confidence(1.0), False)
        return Mark(None, confidence, False)
    best = max(marked, key=lambda item: item[1])
    return Mark(best[0], confidence, len(marked) > 1)


def _ringed_unseen(options: tuple[tuple[str, PtBox], ...], style: str, score: MarkScore) -> bool:
    """Whether crowded ○ options, none of them seen ringed, still hold the writer's ink round a
    word (scored as a lone ○ is, at or above the threshold): a ring drawn over a printed
    dashed ring (協会けんぽ's 「海外特例要件該当」 printed 6.6 pt above 「…非該当」) runs on the
    print, and the ring finder sees none — read "none circled" at 0.9 it was accepted (5
    errors on a clerk's 被扶養者届). Then a person looks."""
    if scored_style(options, style) != RING:
        return False
    return any(score(box, "circle") >= 1.0 for _, box in options)


#: Options printed this close (points) that one's ○ reaches the other's surroundings.
CROWDED_PT = 2 * inkmod.CIRCLE_MARGIN_PT


def crowded(first: PtBox, second: PtBox) -> bool:
    """Whether two printed options lie so close that a ○ round one is measured round the
    other too (協会けんぽ's 資格取得届 prints its 備考 items 0.8 pt apart)."""
    gap_x = max(first[0], second[0]) - min(first[2], second[2])
    gap_y = max(first[1], second[1]) - min(first[3], second[3])
    return gap_x < CROWDED_PT and gap_y < CROWDED_PT


def scored_style(options: tuple[tuple[str, PtBox], ...], style: str) -> str:
    """The style ``options`` are scored in: :data:`RING` for ○ options where two of them are
    printed crowded (the ink near one word is the next one's ○ as much as its own), else
    ``style``."""
    boxes = [box for _, box in options]
    if style == "circle" and any(crowded(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]):
        return RING
    return style


def _scores(options: tuple[tuple[str, PtBox], ...], style: str, score: MarkScore) -> list[tuple[str, float]]:
    """Each option's score in the style its field is scored in (:func:`scored_style`)."""
    style = scored_style(options, style)
    return [(name, score(box, style)) for name, box in options]


def marked_all(
    options: tuple[tuple[str, PtBox], ...], style: str, score: MarkScore
) -> tuple[list[str], float]:
    """Every option marked among ``options`` (name, box), sorted by name, and how sure (the
    least clear option's distance from the threshold). ○ options printed crowded are scored
    by the ring round each one's own print (:data:`RING`)."""
    scores = _scores(options, style, score)
    chosen = sorted(name for name, s in scores if s > 1.0)
    confidence = min(mark_confidence(s) for _, s in scores)
    return chosen, confidence
