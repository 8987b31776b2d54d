"""Reading a one-of choice from the ink scores of its options: a clear mark, none, two, and
the faint mark of a ✓ drawn mostly outside its □ (one option alone holds ink, too little to
pass the threshold): chosen, unsure, so that a person confirms instead of the applicant being
blamed for an era not marked."""

from __future__ import annotations

from datetime import date

from extractors.convert import value_of
from extractors.marks import SURELY_UNMARKED, MarkScore, marked_all, read_marks
from extractors.template import load_templates
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


#: 協会けんぽ's 資格取得届 備考: numbered items printed 0.8 pt apart in a column, and one far
#: to the right (the clerk's option boxes).
REMARKS = (
    ("1", (378.5, 297.2, 388.0, 303.6)),
    ("2", (378.5, 304.4, 388.0, 310.8)),
    ("3", (461.5, 290.2, 471.0, 296.6)),
)


def remark_scores(**by_option: float) -> MarkScore:
    boxes = {box: name for name, box in REMARKS}
    return lambda box, style: by_option.get(boxes[box], 0.0)


def test_a_circle_reaching_the_crowded_word_beside_it_is_no_second_choice() -> None:
    """GIVEN ○ options printed 0.8 pt apart, one circled and its ○ spilling into its
    neighbour's surroundings (both over the threshold: a clerk's 資格喪失届 had a false
    ``choice_multiple`` on 21 of 24 clean forms) WHEN read THEN the strongest is the value,
    not multiple, as sure as the marks say (a neighbour's ink at 1.6 times the threshold: not
    sure); two far-apart options both circled are
    still two; ticks in □ are not affected."""
    spilled = read_marks(REMARKS, "circle", remark_scores(**{"1": 3.5, "2": 1.6}))
    assert (spilled.value, spilled.multiple) == ("1", False) and spilled.confidence < 0.9
    apart = read_marks(REMARKS, "circle", remark_scores(**{"1": 3.5, "3": 3.0}))
    assert (apart.value, apart.multiple) == ("1", True)
    ticked = read_marks(REMARKS, "tick", remark_scores(**{"1": 3.5, "2": 1.6}))
    assert ticked.multiple


def test_crowded_circles_marked_together_in_a_group_go_to_a_person() -> None:
    """GIVEN a ○ group (備考, any of) whose ○ round 1 reaches 2 WHEN read THEN both are
    reported, unsure (it auto-accepted 1,2 at confidence 1.0: 82 of a clerk's 117
    auto-accepted errors); 1 and 3 circled, far apart, are read as sure as before."""
    crowded, unsure = marked_all(REMARKS, "circle", remark_scores(**{"1": 3.5, "2": 2.4}))
    assert crowded == ["1", "2"] and unsure <= 0.5
    apart, sure = marked_all(REMARKS, "circle", remark_scores(**{"1": 3.5, "3": 3.0}))
    assert apart == ["1", "3"] and sure >= SURELY_UNMARKED
