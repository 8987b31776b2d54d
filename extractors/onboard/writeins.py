"""The small places a spreadsheet-made form leaves to write in its running text, proposed.

Contract: :func:`write_in_gaps` finds, on the blank's printed lines (pdfplumber characters as
:class:`extractors.onboard.draft.Printed`, blanks left out), each bracket left open to write
in (「その他（　　　）」, 「高・大学生（　　年生）」), :func:`inline_dates` each date written in
the room before a printed 年, 月 and 日 in a line of text (「1.死亡（令和　　年　　月　　日）」)
and :func:`underlines` each rule printed to write a count on (「添付 ＿＿＿ 枚」);
:func:`with_write_ins` adds them to the drafted fields (named and labelled, JSON-ready): a
``text`` field over the bracket's room, a ``date`` cut at its print. Only where no drafted
box lies (a phone's 「（　）」 in its drafted box is the phone's). A clerk drew each by hand on
協会けんぽ's 被扶養者（異動）届 (19 write-ins and 4 such dates): boxes as tall as the print.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from extractors.onboard.draft import (
    ERA_NAMES,
    Printed,
    name_for,
    printed_date_parts,
    reading_order,
    unique_name,
)
from extractors.onboard.geometry import Segment
from extractors.onboard.naming import block_named
from extractors.onboard.repeat import field_boxes
from extractors.template import PtBox

OPENING = frozenset("（(")
CLOSING = frozenset("）)")
#: Characters of one printed line: centres this close (pt) up and down, heights this close.
LINE_SLACK = 1.0
#: A bracket's room to write in is at least this many times the print's height wide (two
#: characters): 「（ﾌﾘｶﾞﾅ）」 or a 「（　）」 one space wide is no write-in.
WRITE_IN_ROOM = 2.0
#: A date's room before each of its printed 年, 月, 日 is at least this many times the print's
#: height wide (two half-width digits; 「年　月　日」 spaced out by one space is a heading).
DATE_ROOM = 1.25
#: What a bracket may print after its room (the unit written to: 「（　　年生）」), at most.
TAIL_LONGEST = 3
#: The box is drafted this far (pt) above and below the printed line: the clerk drew the
#: 被扶養者（異動）届's write-ins 0.4–1.2 pt over its top and 1.2–1.4 pt under its bottom.
ABOVE = 0.5
BELOW = 1.0
#: A word adjoins a bracket printed at most this far (pt) before it (a half-width space:
#: 「1. 死亡 （令和」).
ADJOINING = 2.5
#: An option or word is a bracket's, spaces before it, at most this many times the print's
#: height before it (「5.死亡　　（令和」: two spaces).
SPACED = 2.0
#: An option printed right above a bracket (its second line: 「4.その他」 over 「（　　）」) is
#: at most this far (pt) above it.
OPTION_ABOVE = 3.0
#: … or this share of a tall bracket's height.
OPTION_ABOVE_SHARE = 0.3
#: An option's number and its dot (「10.」, 「9 」 printed without one), left out of a label.
OPTION_NUMBER = re.compile(r"^\s*[0-9０-９]+(?:\s*[.．]\s*|\s+)(?=[^\s0-9０-９.．])")
#: A bracket's content that is a date's (「（令和　年　月　日）」): a date, not a write-in.
DATE_WORDS = re.compile(r"[年月日]")


@dataclass(frozen=True)
class WriteIn:
    """A bracket left open to write in: its room (points, as tall as the print), its opening
    bracket (what is printed before it names it) and what it prints after the room (「年生」)."""

    box: PtBox
    opening: Printed
    tail: str


@dataclass(frozen=True)
class InlineDate:
    """A date written in a line of text: its year, month and day parts (points), its era and
    the printed character right before it (a 「（」 after an option's word, or the era's 和)."""

    parts: tuple[PtBox, PtBox, PtBox]
    era: str
    opening: Printed | None


def _line_of(char: Printed, printed: Sequence[Printed]) -> list[Printed]:
    """The characters printed on ``char``'s line, left to right (as tall, centred alike)."""
    height = char.box[3] - char.box[1]
    return sorted(
        (
            p
            for p in printed
            if abs(p.centre[1] - char.centre[1]) <= LINE_SLACK
            and abs((p.box[3] - p.box[1]) - height) <= LINE_SLACK
        ),
        key=lambda p: p.box[0],
    )


def _clear(box: PtBox, printed: Sequence[Printed]) -> bool:
    """Whether nothing is printed across ``box`` (a column of vertical print crossing a line)."""
    return not any(
        min(box[2], p.box[2]) - max(box[0], p.box[0]) > 0.5
        and min(box[3], p.box[3]) - max(box[1], p.box[1]) > 0.5
        for p in printed
    )


#: A bracket drawn as a curve (not a character) is at least this tall (pt) and at most this
#: share of its height wide.
DRAWN_BRACKET_HEIGHT = 4.0
DRAWN_BRACKET_WIDTH = 0.35


def drawn_brackets(curves: Sequence[Sequence[tuple[float, float]]]) -> list[Printed]:
    """Brackets drawn as curves (the points of each, points from the top left), as the
    characters they stand for: 「（」 bulging left, 「）」 right — 協会けんぽ's 資格喪失届
    draws its 「その他（　）」 brackets two lines tall. Its write-in is then found as a printed
    one (:func:`write_in_gaps`)."""
    found: list[Printed] = []
    for points in curves:
        if len(points) < 3:
            continue
        xs, ys = [x for x, _ in points], [y for _, y in points]
        box = (min(xs), min(ys), max(xs), max(ys))
        height, width = box[3] - box[1], box[2] - box[0]
        if height < DRAWN_BRACKET_HEIGHT or not 0 < width <= DRAWN_BRACKET_WIDTH * height:
            continue
        # Its ends and its middle: the middle further left than both ends is a 「（」.
        ends = (points[0][0] + points[-1][0]) / 2
        middle = [x for x, _ in points[1:-1]]  # the points between its ends
        if min(abs(points[0][1] - box[1]), abs(points[0][1] - box[3])) > 0.5:
            continue  # not drawn from one end to the other
        if max(middle) < ends - 0.5 * width:
            found.append(Printed("（", box))
        elif min(middle) > ends + 0.5 * width:
            found.append(Printed("）", box))
    return found


def write_in_gaps(printed: Sequence[Printed]) -> list[WriteIn]:
    """The brackets printed open to write in: a 「（」 and the next 「）」 of its line with room
    between them (:data:`WRITE_IN_ROOM`) and nothing printed in it but, at its end, a short
    unit (「年生」, :data:`TAIL_LONGEST`); the room from just after the 「（」 to just before the
    「）」 (or the unit). Not a bracket holding words (「（ﾌﾘｶﾞﾅ）」, 「（年収）」) or a date
    (「（令和　年　月　日）」, :func:`inline_dates`)."""
    found: list[WriteIn] = []
    for opening in (p for p in printed if p.text in OPENING):
        height = opening.box[3] - opening.box[1]
        after = [
            p for p in _line_of(opening, printed) if p.box[0] >= opening.box[2] - 0.5 and p is not opening
        ]
        closing = next((i for i, p in enumerate(after) if p.text in CLOSING), None)
        if closing is None or any(p.text in OPENING for p in after[:closing]):
            continue
        inside = after[:closing]
        end = after[closing].box[0]
        if inside:
            # Only a unit printed at the room's end, touching its 「）」 and each other.
            run = [*inside, after[closing]]
            if len(inside) > TAIL_LONGEST or any(
                b.box[0] - a.box[2] > ADJOINING for a, b in zip(run, run[1:], strict=False)
            ):
                continue
            tail = "".join(p.text for p in inside)
            if DATE_WORDS.search(tail) and not tail.endswith("生"):  # 「（　年）」 is a date's
                continue
            end = inside[0].box[0]
        room = (opening.box[2], opening.box[1], end, opening.box[3])
        if room[2] - room[0] < WRITE_IN_ROOM * height or not _clear(room, printed):
            continue
        box = (round(room[0], 1), round(room[1] - ABOVE, 1), round(room[2], 1), round(room[3] + BELOW, 1))
        found.append(WriteIn(box, opening, "".join(p.text for p in inside)))
    return found


def inline_dates(printed: Sequence[Printed]) -> list[InlineDate]:
    """The dates written in a line of text: a printed 年, 月 and 日 in that order on one line,
    each after room to write (:data:`DATE_ROOM`) with nothing printed in it; cut at the print
    (:func:`extractors.onboard.draft.printed_date_parts`) from just after the character
    before the year (「（令和」's 和) to just before the 日, as tall as the print; of the era
    printed right before the room (令和 where none is: the era a form is filled in now)."""
    found: list[InlineDate] = []
    for year in (p for p in printed if p.text == "年"):
        line = _line_of(year, printed)
        before = [p for p in line if p.box[2] <= year.box[0] + 0.5]
        after = [p for p in line if p.box[0] >= year.box[2] - 0.5]
        if not before or len(after) < 2 or after[0].text != "月" or not after[1].text.startswith("日"):
            continue
        month, day = after[0], after[1]
        start = before[-1]
        height = year.box[3] - year.box[1]
        rooms = [
            (start.box[2], year.box[0]),
            (year.box[2], month.box[0]),
            (month.box[2], day.box[0]),
        ]
        if any(b - a < DATE_ROOM * height for a, b in rooms):
            continue
        where = (start.box[2], year.box[1] - ABOVE, day.box[0], year.box[3] + BELOW)
        if not _clear(
            (where[0], year.box[1], where[2], year.box[3]), [p for p in printed if p not in (year, month)]
        ):
            continue
        parts = printed_date_parts(where, printed)
        if parts is None:
            continue
        era = "".join(p.text for p in before[-2:])
        # The bracket the date is written in (「死亡（令和」), right before its era or room.
        lead = before[:-2] if era in ERA_NAMES else before
        opening = lead[-1] if lead and lead[-1].text in OPENING else None
        rounded = tuple((round(a, 1), round(t, 1), round(b, 1), round(u, 1)) for a, t, b, u in parts)
        found.append(InlineDate((rounded[0], rounded[1], rounded[2]), ERA_NAMES.get(era, "reiwa"), opening))
    return found


#: An underline to write on is at least this many times its print's height long (two
#: characters) and at most :data:`UNDERLINE_LONGEST` pt: a longer rule parts the page.
UNDERLINE_ROOM = 2.0
UNDERLINE_LONGEST = 150.0
#: The print an underline is written between stands on it: its bottom at most this far (pt)
#: above the rule (or a little below: the rule drawn through the print's descent).
ON_THE_LINE = 3.0
#: Its unit is printed at most this many times the print's height after the rule's end.
UNIT_GAP = 2.0
#: The box over an underline is this many times the print's height tall (a count written a
#: little larger than the print: the clerk drew 資格喪失届's 11.5 pt over 5.4 pt print).
UNDERLINE_HEIGHT = 2.0
#: The word before an underline is printed at most this many times its height before it.
WORD_BEFORE_RULE = 8.0
#: A rule's end stands free: no other rule within this much (pt) of it (a box's edge is no
#: underline).
FREE_END = 1.0


@dataclass(frozen=True)
class Underline:
    """A rule printed to write on between a word and its unit (「添付 ＿＿＿ 枚」): the box over
    it (points), the character right after it (its unit's first) and the unit printed."""

    box: PtBox
    unit: Printed
    tail: str


def underlines(rules: Sequence[Segment], printed: Sequence[Printed]) -> list[Underline]:
    """The rules printed to write a number on: a horizontal rule standing free (no rule at its
    ends or over it: no box's edge), :data:`UNDERLINE_ROOM` to :data:`UNDERLINE_LONGEST` long,
    a short unit standing on its line right after it (「枚」, :data:`TAIL_LONGEST` characters
    at most, :data:`UNIT_GAP`) and nothing printed over it; the box from the rule up
    :data:`UNDERLINE_HEIGHT` times the print's height (less where print stands above)."""
    flat = [r for r in rules if abs(r.y1 - r.y0) <= 1.0 and r.x1 - r.x0 > 0]
    upright = [r for r in rules if abs(r.x1 - r.x0) <= 1.0 and r.y1 - r.y0 > 1.0]
    found: list[Underline] = []
    for rule in flat:
        y = (rule.y0 + rule.y1) / 2
        on_it = [p for p in printed if p.text.strip() and -1.0 <= y - p.box[3] <= ON_THE_LINE]
        after = sorted((p for p in on_it if p.box[0] >= rule.x1 - 0.5), key=lambda p: p.box[0])
        if not after:
            continue
        unit = after[0]
        height = unit.box[3] - unit.box[1]
        if unit.box[0] - rule.x1 > UNIT_GAP * height:
            continue
        if not UNDERLINE_ROOM * height <= rule.x1 - rule.x0 <= UNDERLINE_LONGEST:
            continue
        run = [unit]
        for p in after[1:]:
            if p.box[0] - run[-1].box[2] > ADJOINING:
                break
            run.append(p)
        if len(run) > TAIL_LONGEST:
            continue  # a sentence goes on after the rule: no unit
        top = y - UNDERLINE_HEIGHT * height
        if any(
            abs(end - other.x0) <= FREE_END and other.y0 - FREE_END <= y <= other.y1 + FREE_END
            for end in (rule.x0, rule.x1)
            for other in upright
        ) or any(
            other is not rule
            and top - FREE_END < (other.y0 + other.y1) / 2 < y - FREE_END
            and min(other.x1, rule.x1) - max(other.x0, rule.x0) > 0.5 * (rule.x1 - rule.x0)
            for other in flat
        ):
            continue  # a box's edge, or a rule of a table
        above = [
            p.box[3]
            for p in printed
            if p.box[3] <= y - height and min(p.box[2], rule.x1) > max(p.box[0], rule.x0)
        ]
        top = max([top, *[b + 0.5 for b in above if b > top]])
        box = (round(rule.x0, 1), round(top, 1), round(rule.x1, 1), round(y + 0.5, 1))
        if not _clear((box[0], box[1], box[2], y - 0.5), printed):
            continue
        found.append(Underline(box, unit, "".join(p.text for p in run)))
    return found


#: Boxes overlapping by at most this much (pt) one way are apart: a line's box and the next
#: line's, each drafted a little over its print (:data:`ABOVE`, :data:`BELOW`), touch.
OVERLAP_SLACK = 1.5


def _overlaps(a: PtBox, b: PtBox) -> bool:
    """Whether two boxes overlap by more than :data:`OVERLAP_SLACK` both ways."""
    return (
        min(a[2], b[2]) - max(a[0], b[0]) > OVERLAP_SLACK
        and min(a[3], b[3]) - max(a[1], b[1]) > OVERLAP_SLACK
    )


@dataclass(frozen=True)
class _Option:
    """A drafted choice's option: the choice, the option's value, its label and printed box."""

    choice: dict[str, Any]
    value: str
    label: str
    box: PtBox


def _options(fields: Sequence[dict[str, Any]]) -> list[_Option]:
    found: list[_Option] = []
    for field in fields:
        if field.get("type") != "choice":
            continue
        labels = dict(field.get("option_labels") or {})
        for value, box in dict(field.get("options") or {}).items():
            found.append(
                _Option(field, str(value), str(labels.get(value, "")), (box[0], box[1], box[2], box[3]))
            )
    return found


def _owner(
    opening: Printed, end: float, printed: Sequence[Printed], options: Sequence[_Option]
) -> _Option | None:
    """The option a bracket (its 「（」 to ``end``) details: the one printed right before its
    「（」 (「6.その他（」); else, a space or another word printed before it, the 「その他」 of
    those a space before it or right above it (「4.その他」 over 「2.パート　（　　）」: the bracket
    is its second line; 「2.その他　（」 under 「1.国内転入」), else the one above, else the one
    a space or two before (「1.国内転入　（令和　年　月　日）」)."""
    middle = opening.centre[1]
    height = opening.box[3] - opening.box[1]
    # (A bracket drawn two lines tall has its option further above: 4.3 pt on the 資格喪失届.)
    reach_above = max(OPTION_ABOVE, OPTION_ABOVE_SHARE * height)
    same_line = [o for o in options if o.box[1] - LINE_SLACK <= middle <= o.box[3] + LINE_SLACK]
    adjoining = [o for o in same_line if -ADJOINING <= opening.box[0] - o.box[2] <= ADJOINING]
    if adjoining:
        return adjoining[0]
    before = [p for p in _line_of(opening, printed) if p.box[2] <= opening.box[0] + 0.5]
    if before and opening.box[0] - before[-1].box[2] <= ADJOINING:
        return None  # a word of its own before it (「電話番号（」)
    spaced = [o for o in same_line if 0 <= opening.box[0] - o.box[2] <= SPACED * height]
    above = [
        o
        for o in sorted(options, key=lambda o: opening.box[1] - o.box[3])
        if 0 <= opening.box[1] - o.box[3] <= reach_above
        and o.box[0] - 2.0 <= end
        and opening.box[0] <= o.box[2]
    ]
    other = [o for o in [*spaced, *above] if o.value == "other" or "その他" in o.label]
    return next(iter([*other, *above, *spaced]), None)


def _word_before(char: Printed, printed: Sequence[Printed]) -> str:
    """The word printed right before ``char`` on its line (characters touching, a space at
    most before ``char``, :data:`SPACED`), its option number kept (「10.その他」)."""
    before = [p for p in _line_of(char, printed) if p.box[2] <= char.box[0] + 0.5]
    word: list[str] = []
    edge, slack = char.box[0], SPACED * (char.box[3] - char.box[1])
    for p in reversed(before):
        if edge - p.box[2] > slack:
            break
        word.insert(0, p.text)
        edge, slack = p.box[0], ADJOINING
    return "".join(word).strip()


def _over_underlines(field: dict[str, Any], lines: Sequence[Underline]) -> bool:
    """Whether ``field`` is a text box holding an underline's box (more than half of it)."""
    box = field.get("box")
    if field.get("type") != "text" or not box or field.get("more_lines"):
        return False
    return any(
        max(0.0, min(box[2], u.box[2]) - max(box[0], u.box[0]))
        * max(0.0, min(box[3], u.box[3]) - max(box[1], u.box[1]))
        > 0.5 * (u.box[2] - u.box[0]) * (u.box[3] - u.box[1])
        for u in lines
    )


def _word_before_rule(line: Underline, printed: Sequence[Printed]) -> str:
    """The word printed on an underline's line before it (「添付」 of 「添付 ＿＿ 枚」)."""
    # On the unit's line: centred within its height (a word printed larger than the unit too).
    height = line.unit.box[3] - line.unit.box[1]
    middle = line.unit.centre[1]
    before = sorted(
        (
            p
            for p in printed
            if p.text.strip()
            and abs(p.centre[1] - middle) <= height / 2
            and p.box[2] <= line.box[0] + 0.5
            and line.box[0] - p.box[2] <= WORD_BEFORE_RULE * height
        ),
        key=lambda p: p.box[0],
    )
    word: list[str] = []
    edge = line.box[0]
    for p in reversed(before):
        if word and edge - p.box[2] > ADJOINING:
            break
        word.insert(0, p.text)
        edge = p.box[0]
    return "".join(word).strip()


def _after_choice(choice: str, word: str) -> str:
    """A name after a choice's (``dep_occupation_1`` + other: ``dep_occupation_other_1``)."""
    found = re.fullmatch(r"(.*?)(_\d+)?", choice)
    head, number = (found.group(1), found.group(2) or "") if found else (choice, "")
    return f"{head}_{word}{number}"


def with_write_ins(
    fields: Sequence[dict[str, Any]],
    printed: Sequence[Printed],
    headings: Sequence[tuple[PtBox, str]],
    width: float,
    rules: Sequence[Segment] = (),
) -> list[dict[str, Any]]:
    """``fields`` (named in their blocks, :func:`extractors.onboard.naming.block_named`) with
    each write-in bracket and inline date of the page where no drafted box lies, in reading
    order. One detailing an option of a drafted choice is named after it (the choice
    ``spouse_occupation``'s その他: ``spouse_occupation_other``, its label 「配偶者 職業 その他」;
    the date of 「1.死亡（令和…）」: ``spouse_death_date``, 「配偶者 死亡年月日」); another by the
    word printed before it, in its block (``headings``: the page's label cells) — a
    bracket only after a numbered option (「9 その他（」): after a word of running text it may be
    an aside. An underline of ``rules`` (the page's printed lines, :func:`underlines`) is a
    ``text`` box named and labelled by the word before it and its unit (「添付 ＿ 枚」:
    ``attached``, 「添付（枚）」)."""
    # A text box drafted over a cell printing underlines to write on is no place to write: the
    # underlines are (the 資格喪失届's 「資格確認書等回収 添付＿枚 返不能＿枚」 cell was one box).
    lines = underlines(rules, printed)
    fields = [f for f in fields if not _over_underlines(f, lines)]
    taken = {str(f.get("name")) for f in fields}
    drafted = [b for f in fields for b in field_boxes(f)]
    options = _options(fields)
    added: list[dict[str, Any]] = []  # named after a choice
    loose: list[dict[str, Any]] = []  # named in their block
    for date in inline_dates(printed):
        if any(_overlaps(b, part) for b in drafted for part in date.parts):
            continue
        loose.append(_date_spec(date, printed, options))
        drafted += list(date.parts)
    for gap in write_in_gaps(printed):
        if any(_overlaps(b, gap.box) for b in drafted):
            continue
        owner = _owner(gap.opening, gap.box[2], printed, options)
        tail = f"（{gap.tail}）" if gap.tail else ""
        if owner is not None:
            name = unique_name(_after_choice(str(owner.choice["name"]), owner.value), taken)
            label = f"{owner.choice.get('label', '')} {OPTION_NUMBER.sub('', owner.label)}{tail}".strip()
            added.append({"name": name, "label": label, "type": "text", "box": list(gap.box)})
        else:
            # Only after an option of a printed list the draft made no choice of (「9 その他（」):
            # a bracket after a word of running text may be its aside (「その他（　）」 beside
            # the 住所変更届's □ 住民票住所以外の居所 is left to the clerk, who kept none).
            numbered = _word_before(gap.opening, printed)
            if not OPTION_NUMBER.match(numbered):
                continue
            word = OPTION_NUMBER.sub("", numbered).strip()
            base = "other" if "その他" in word else "write_in"
            loose.append({"name": base, "label": f"{word}{tail}", "type": "text", "box": list(gap.box)})
        drafted.append(gap.box)
    for line in lines:
        if any(_overlaps(b, line.box) for b in drafted):
            continue
        word = OPTION_NUMBER.sub("", _word_before_rule(line, printed)).strip()
        loose.append(
            {
                "name": name_for(word, set()),
                "label": f"{word}（{line.tail}）",
                "type": "text",
                "box": list(line.box),
            }
        )
        drafted.append(line.box)
    for spec in block_named(_named_apart(loose), headings, width):
        spec["name"] = unique_name(str(spec["name"]), taken)
        added.append(spec)
    return reading_order([*fields, *added])


def _date_spec(date: InlineDate, printed: Sequence[Printed], options: Sequence[_Option]) -> dict[str, Any]:
    """An inline date as a template's date, named and labelled by the option (or word) printed
    before its bracket (「1.死亡（令和」: ``death_date``, 「死亡年月日」; its block named later)."""
    opening = date.opening
    owner = _owner(opening, opening.box[2], printed, options) if opening else None
    said = owner.label if owner else _word_before(opening, printed) if opening else ""
    word = OPTION_NUMBER.sub("", said).strip()
    return {
        "name": f"{owner.value}_date" if owner is not None else "date",
        "label": word if word.endswith("年月日") else f"{word}年月日",
        "type": "date",
        "year": list(date.parts[0]),
        "month": list(date.parts[1]),
        "day": list(date.parts[2]),
        "era": date.era,
    }


def _named_apart(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fields given distinct draft names (``other``, ``other_2`` …) before their block names them."""
    taken: set[str] = set()
    return [{**f, "name": unique_name(str(f["name"]), taken)} for f in fields]
