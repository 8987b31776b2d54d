"""Reading a one-of choice from the ink scores of its options: a clear mark, none, two, and
the faint mark of a ✓ drawn mostly outside its □ (one option alone holds ink, too little to
pass the threshold): chosen, unsure, so that a person confirms instead of the applicant being
blamed for an era not marked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import cv2
import numpy as np
import pytest

from extractors.convert import value_of
from extractors.fields.paper import Paper, paper_of
from extractors.fields.rings import Ring, score_of
from extractors.marks import (
    RING,
    SURELY_UNMARKED,
    MarkScore,
    ink_scores,
    marked_all,
    read_marks,
    scored_style,
)
from extractors.template import PtBox, load_templates
from ocr.types import Recognition

ERAS = (
    ("showa", (0.0, 0.0, 6.0, 6.0)),
    ("heisei", (0.0, 10.0, 6.0, 16.0)),
    ("reiwa", (0.0, 20.0, 6.0, 26.0)),
)


def scores(**by_option: float) -> MarkScore:
    boxes = {box: name for name, box in ERAS}
    return lambda box, style: by_option.get(boxes[box], 0.0)


def test_a_clear_mark_is_read_surely_and_no_mark_is_surely_none() -> None:
    mark = read_marks(ERAS, "tick", scores(heisei=2.5))
    assert (mark.value, mark.multiple) == ("heisei", False) and mark.confidence >= SURELY_UNMARKED
    none = read_marks(ERAS, "tick", scores())
    assert none.value is None and none.confidence >= SURELY_UNMARKED


def test_the_one_faint_mark_of_a_choice_is_chosen_but_unsure() -> None:
    faint = read_marks(ERAS, "tick", scores(showa=0.9))
    assert faint.value == "showa" and faint.confidence < SURELY_UNMARKED
    # two faint marks, or a faint one beside another's stray ink, choose nothing
    assert read_marks(ERAS, "tick", scores(showa=0.9, reiwa=0.8)).value is None
    assert read_marks(ERAS, "tick", scores(showa=0.9, reiwa=0.6)).value is None
    # a speck is not a mark
    assert read_marks(ERAS, "tick", scores(showa=0.3)).value is None


def test_a_date_without_an_era_is_the_applicants_omission_only_when_surely_unmarked() -> None:
    template = next(t for t in load_templates() if t.form_id == "messhitsu")
    spec = template.field("target1_birth_date")
    boxes = {box: 0.0 for _, box in spec.era_options}
    recs = {
        (spec.name, "year"): Recognition("44", 0.99),
        (spec.name, "month"): Recognition("7", 0.99),
        (spec.name, "day"): Recognition("18", 0.99),
    }
    counts = {(spec.name, "year"): 2, (spec.name, "month"): 1, (spec.name, "day"): 2}
    today = date(2026, 11, 26)
    unmarked = value_of(spec, recs, counts, lambda box, style: boxes[box], today)
    assert (unmarked[0], unmarked[3]) == (None, ["era_missing"])
    showa = spec.era_options[0][1]
    speck = value_of(spec, recs, counts, lambda box, style: 0.4 if box == showa else 0.0, today)
    assert (speck[0], speck[3]) == (None, ["illegible"])
    faint = value_of(spec, recs, counts, lambda box, style: 0.9 if box == showa else 0.0, today)
    assert faint[0] == "1969-07-18" and faint[1] < SURELY_UNMARKED and faint[3] == []


#: 協会けんぽ's 資格取得届 備考 as printed (points): items in two columns, one above the other
#: 0.8 pt apart, so that a ○ round one runs through the print of the ones above and below.
REMARKS = (
    ("seventy", (380.0, 297.9, 432.7, 303.1)),
    ("two_offices", (380.0, 304.9, 448.1, 310.1)),
    ("part_time", (463.0, 291.0, 515.5, 296.1)),
    ("retired", (463.0, 297.9, 536.2, 303.1)),
    ("other", (462.9, 304.9, 484.2, 310.1)),
)
#: 種別 as printed: 1.男 2.女 3.坑内員 stacked 0.6 pt apart, the 基金 ones 23 pt to the right.
KINDS = (
    ("male", (498.2, 225.5, 510.7, 231.3)),
    ("female", (498.2, 231.9, 510.7, 237.7)),
    ("miner", (498.2, 238.3, 522.2, 244.0)),
    ("male_fund", (533.8, 225.5, 563.5, 231.3)),
    ("female_fund", (533.8, 231.9, 563.5, 237.7)),
)
#: 取得区分 as printed: three items 6 pt apart in a small ruled cell (its rules: x, then y).
CELL_RULES = ((67.5, 96.5), (253.5, 288.5))
KINDS_IN_CELL = (
    ("health", (70.4, 258.3, 94.9, 262.7)),
    ("mutual", (69.5, 268.7, 93.0, 273.3)),
    ("seamen", (69.5, 279.1, 93.0, 283.7)),
)
DPI = 200
PAGE = (600.0, 340.0)  # points: a strip of the form holding the items above


def _px(v: float) -> int:
    return int(round(v * DPI / 72))


def _printed(words: tuple[tuple[str, PtBox], ...], rules: bool = False) -> np.ndarray:
    """The blank form's ink (255): each word as a row of glyph-like characters filling its
    box's height (a frame and a cross per character, the box's height wide)."""
    ink = np.zeros((_px(PAGE[1]), _px(PAGE[0])), np.uint8)
    for _, (x0, y0, x1, y1) in words:
        size = y1 - y0
        x = x0
        while x + size * 0.8 <= x1 + 0.01:
            a, b, c, d = _px(x + 0.3), _px(y0 + 0.4), _px(x + size * 0.8), _px(y1 - 0.4)
            cv2.rectangle(ink, (a, b), (c, d), 255, 1)
            cv2.line(ink, (a, (b + d) // 2), (c, (b + d) // 2), 255, 1)
            cv2.line(ink, ((a + c) // 2, b), ((a + c) // 2, d), 255, 1)
            x += size * 0.9
    if rules:
        (left, right), (top, bottom) = CELL_RULES
        cv2.rectangle(ink, (_px(left), _px(top)), (_px(right), _px(bottom)), 255, 2)
    return ink


def _ellipse(ink: np.ndarray, box: PtBox, margin: float, tilt: float = 0.0, gap: float = 0.0) -> None:
    """A ○ drawn round ``box`` ``margin`` points out (tilted by ``tilt`` degrees; ``gap``
    degrees of it left undrawn: a ring not closed)."""
    x0, y0, x1, y1 = box
    centre = (_px((x0 + x1) / 2), _px((y0 + y1) / 2))
    axes = (_px((x1 - x0) / 2 + margin), _px((y1 - y0) / 2 + margin))
    cv2.ellipse(ink, centre, axes, tilt, gap / 2, 360 - gap / 2, 255, 2)


def _hand_ring(ink: np.ndarray, box: PtBox) -> None:
    """A ○ as a hand draws it: a wobbly rounded box, off centre, its end drawn past its start."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2 + 0.8, (y0 + y1) / 2 - 0.4
    a, b = (x1 - x0) / 2 + 2.2, (y1 - y0) / 2 + 2.4
    points = []
    for step in range(0, 390, 6):
        t = np.radians(step)
        wobble = 1.0 + 0.05 * np.sin(3 * t) + 0.03 * np.cos(5 * t)
        # a superellipse: flatter sides and rounder corners than an ellipse
        u = np.sign(np.cos(t)) * abs(np.cos(t)) ** 0.6
        v = np.sign(np.sin(t)) * abs(np.sin(t)) ** 0.6
        points.append((_px(cx + a * wobble * u), _px(cy + b * wobble * v)))
    cv2.polylines(ink, [np.array(points, np.int32)], False, 255, 2)


def _paper_with(blank: np.ndarray, *rings: Callable[[np.ndarray], None]) -> Paper:
    """A scan of the form with ``rings`` drawn on it, as the readers measure it."""
    page = blank.copy()
    for ring in rings:
        ring(page)
    return paper_of(np.asarray(255 - page, np.uint8), blank, DPI)


def _round(words: tuple[tuple[str, PtBox], ...], name: str, **shape: float) -> Callable[[np.ndarray], None]:
    box = dict(words)[name]
    if shape.get("hand"):
        return lambda ink: _hand_ring(ink, box)
    return lambda ink: _ellipse(
        ink, box, shape.get("margin", 3.2), shape.get("tilt", 0.0), shape.get("gap", 0.0)
    )


RING_SHAPES = (
    {"margin": 3.2},  # as wide as the generator draws it
    {"margin": 1.6},  # tight
    {"margin": 4.4, "tilt": 2.0},  # loose and tilted
    {"hand": 1.0},  # a wobbly rounded box, off centre, its end past its start
)


@pytest.mark.parametrize("shape", RING_SHAPES)
def test_a_ring_round_one_of_crowded_items_is_read_on_that_item_alone(shape: dict[str, float]) -> None:
    """GIVEN 備考 items printed 0.8 pt apart and one ○ round the middle one (退職後…), which runs
    through the print of the items above and below WHEN the group is read THEN that one item,
    sure (the ink near the neighbours, as much as near it, read 2–4 items at confidence 0.5: 5 %
    of a clerk's groups exact); the same for a ○ round the item of a one-of 種別 printed 0.6 pt
    from the next, with no choice_multiple (18 of 24 clean forms had one)."""
    paper = _paper_with(_printed(REMARKS), _round(REMARKS, "retired", **shape))
    chosen, sure = marked_all(REMARKS, "circle", ink_scores(paper))
    assert chosen == ["retired"] and sure >= SURELY_UNMARKED
    paper = _paper_with(_printed(KINDS), _round(KINDS, "female", **shape))
    mark = read_marks(KINDS, "circle", ink_scores(paper))
    assert (mark.value, mark.multiple) == ("female", False) and mark.confidence >= SURELY_UNMARKED


def test_two_crowded_items_ringed_are_both_read_and_the_one_between_them_is_not() -> None:
    """GIVEN 短時間 and その他 ringed, 退職後 printed between them (each ○ runs through its
    print) WHEN read THEN the two, sure: each ring closes round its own item, none round the
    one between; two rings in a one-of choice are still two (choice_multiple)."""
    ringed = (_round(REMARKS, "part_time"), _round(REMARKS, "other", hand=1.0))
    chosen, sure = marked_all(REMARKS, "circle", ink_scores(_paper_with(_printed(REMARKS), *ringed)))
    assert chosen == ["other", "part_time"] and sure >= SURELY_UNMARKED
    both = _paper_with(_printed(KINDS), _round(KINDS, "male"), _round(KINDS, "miner"))
    mark = read_marks(KINDS, "circle", ink_scores(both))
    assert mark.multiple and mark.value in ("male", "miner")


def test_a_neighbours_ring_closing_a_small_cell_does_not_circle_the_items_in_it() -> None:
    """GIVEN 取得区分's three items in a small ruled cell and a ○ round the middle one that
    crosses the cell's side rules (the rules and that ring close round the items above and
    below it too) WHEN read THEN the middle one, sure, no choice_multiple."""
    blank = _printed(KINDS_IN_CELL, rules=True)
    paper = _paper_with(blank, _round(KINDS_IN_CELL, "mutual", margin=4.0))
    mark = read_marks(KINDS_IN_CELL, "circle", ink_scores(paper))
    assert (mark.value, mark.multiple) == ("mutual", False) and mark.confidence >= SURELY_UNMARKED


def test_what_the_ink_shows_round_a_word_makes_its_score() -> None:
    """A word closed round, by a ring that runs outside its print and turns at its ends from
    both sides, is surely ringed; closed round only by print and a stroke through it (a
    neighbour's ring drawn wide past its centre line), or with its ends inked from one side
    only (a neighbour's ring and a cell's rules), it is not surely; a stroke through a word
    is no ring left open."""
    ringed = Ring(closed=True, crossed=True, ends=5, balanced=True, course=0.8, outside=True)
    assert score_of(ringed) >= 1.8
    walled = Ring(closed=True, crossed=True, ends=4, balanced=True, course=0.2, outside=False)
    assert 0.2 < score_of(walled) < 1.0
    cell = Ring(closed=True, crossed=False, ends=2, balanced=False, course=0.45, outside=True)
    assert score_of(cell) <= 0.2
    left_open = Ring(closed=False, crossed=False, ends=5, balanced=True, course=0.7, outside=False)
    assert 0.2 < score_of(left_open) < 1.0
    through = Ring(closed=False, crossed=True, ends=5, balanced=True, course=0.7, outside=False)
    assert score_of(through) <= 0.2


def test_a_ring_left_open_among_crowded_items_goes_to_a_person() -> None:
    """GIVEN a ○ round 退職後 whose stroke stops well short of its start (a quarter of it
    undrawn) WHEN read THEN not read surely either way: a person looks."""
    paper = _paper_with(_printed(REMARKS), _round(REMARKS, "retired", gap=40.0))
    _, confidence = marked_all(REMARKS, "circle", ink_scores(paper))
    assert confidence < SURELY_UNMARKED


def test_options_far_apart_and_ticks_keep_the_ink_measure() -> None:
    """Options printed apart are scored by the ink round them as before (``circle``), ticks
    as ticks; only a field with two options crowded is scored ring by ring."""
    apart = (("a", (100.0, 100.0, 120.0, 106.0)), ("b", (150.0, 100.0, 170.0, 106.0)))
    assert scored_style(apart, "circle") == "circle"
    assert scored_style(REMARKS, "circle") == RING
    assert scored_style(REMARKS, "tick") == "tick"
    seen: list[str] = []

    def score(box: PtBox, style: str) -> float:
        seen.append(style)
        return 0.0

    read_marks(apart, "circle", score)
    marked_all(REMARKS, "circle", score)
    assert seen == ["circle"] * len(apart) + [RING] * len(REMARKS)


def test_crowded_options_no_ring_seen_but_ink_round_a_word_go_to_a_person() -> None:
    """GIVEN two ○ options printed 6.6 pt apart (協会けんぽ's 海外特例要件該当 / 非該当), each
    inside a printed dashed ring WHEN the writer's ring runs over the printed one, so the ring
    finder sees none, but a word's surroundings hold the writer's ink as a lone ○'s would
    THEN the choice is not "none circled" surely: a person looks. With no ink round either
    word it is surely none; a ring seen is read as before."""
    crowded_options = (
        ("applies", (403.0, 557.1, 428.4, 568.6)),
        ("not_applies", (405.7, 575.2, 429.0, 585.9)),
    )
    assert scored_style(crowded_options, "circle") == RING

    def score(ring: dict[str, float], circle: dict[str, float]) -> MarkScore:
        names = {box: name for name, box in crowded_options}
        return lambda box, style: (ring if style == RING else circle).get(names[box], 0.0)

    unseen = read_marks(crowded_options, "circle", score({}, {"not_applies": 1.0}))
    assert unseen.value is None and unseen.confidence < SURELY_UNMARKED
    surely_none = read_marks(crowded_options, "circle", score({}, {"not_applies": 0.4}))
    assert surely_none.value is None and surely_none.confidence >= SURELY_UNMARKED
    seen = read_marks(crowded_options, "circle", score({"applies": 2.0}, {"not_applies": 1.5}))
    assert seen.value == "applies" and seen.confidence >= SURELY_UNMARKED
