"""A draft template from a blank form: boxes, cells and tick boxes made into typed fields.

Contract: :func:`draft_fields` takes the closed boxes of a blank page (points, see
:mod:`extractors.onboard.geometry`) and its printed characters (pdfplumber chars: ``text``,
``x0``, ``top``, ``x1``, ``bottom``) and returns the template's ``fields`` as JSON-ready
dicts, each with the printed label nearest it (``label``) and a guessed type. What the
draft guesses, a person checks on the overlay (:mod:`extractors.onboard.overlay`) and
corrects in the JSON: nothing here is final.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from extractors.onboard.geometry import Ticks, cells_on_ticks
from extractors.onboard.repeat import field_boxes
from extractors.template import PtBox

#: Share of a box's area covered by printed characters above which it is a label, not a
#: place to write (a shaded 「氏名」 cell, 「5.昭和 7.平成 9.令和」).
LABEL_COVER = 0.12
#: One-character cells: height and width range (pt) and width over height. (協会けんぽ's
#: 資格喪失届 prints its 個人番号 cells 40.0 pt tall in blocks 1–2, 40.2–40.3 in blocks 3–4.)
CELL_HEIGHT = (10.0, 42.0)
CELL_WIDTH = (7.0, 32.0)
CELL_ASPECT = (0.35, 1.6)
#: Tick boxes (□): side range (pt).
TICK_SIDE = (4.5, 14.0)
#: Cells this close (pt) are one run; runs this close, and under one heading, one field.
CELL_GAP = 2.5
RUN_GAP = 28.0
#: A text box is at least this wide and high (pt).
TEXT_MIN = (24.0, 9.0)
#: A text box is drafted this far (pt) inside its frame.
TEXT_INSET = 2.0
#: A katakana box (a フリガナ row, often only some 10 pt high over a dotted line) keeps at
#: least this much (pt) of its row's height, as the writing fills it: its inset up and down
#: shrinks from :data:`TEXT_INSET` down to :data:`KANA_INSET` (2 pt each way left a 資格取得届's
#: 9.8 pt row 5.8 pt, cutting the kana; a row of 12.5 pt or more keeps its 2 pt).
KANA_HEIGHT = 8.5
KANA_INSET = 0.5
#: How far (pt) a label may be from its box: to the left, or above.
LABEL_LEFT = 160.0
LABEL_ABOVE = 40.0
#: A printed text longer than this (characters) is an instruction, never a label.
LABEL_LONGEST = 24

KANA = re.compile(r"カタカナ|フリガナ|ﾌﾘｶﾞﾅ|ｶﾀｶﾅ|ﾌﾘｶﾞﾅ|カナ|ｶﾅ")
#: A katakana field printed as the reading of a name (its ``reading_of`` is proposed).
READING_WORDS = re.compile(r"フリガナ|カタカナ|ﾌﾘｶﾞﾅ|ｶﾀｶﾅ|ふりがな")
#: A text field printed as a name, whole or in part: 氏名, 名前, a box's own (氏) or (名).
NAME_WORDS_PRINTED = re.compile(r"氏名|名前|[（(]\s*[氏名]\s*[）)]|^[氏名]$")
#: A box for a person's whole name, by its label or what is printed in it (氏名, 事業主氏名,
#: a 社労士欄's 「氏 名 等」 printed spaced out; not a company's 名称): written 氏 and 名 with a
#: space between (``spaced``), unless it is one of a 氏 | 名 pair side by side.
WHOLE_NAME = re.compile(r"氏\s*名|名前")
#: How far (pt) a name's box may be below its フリガナ box, or beside it in its row.
READING_GAP = 24.0
#: A box with nothing printed in it this close (pt) right of a フリガナ box, in its row and
#: under the same label, continues the フリガナ row (the 名's reading beside the 氏's).
ROW_JOIN = 6.0
ERA_PRINTED = re.compile(r"(\d)\s*[.．]?\s*(昭和|平成|令和)")
#: Characters of one text this close (points) on the same place are one printed over itself
#: (a bold 年/月/日 made by printing it three times: 協会けんぽ's 資格喪失届, blocks 2–4).
DUPLICATE_CHAR_PT = 1.0
ERA_NAMES = {"昭和": "showa", "平成": "heisei", "令和": "reiwa"}
PREFECTURE_SUFFIXES = ("都", "道", "府", "県")

#: Fields whose tops lie this close (pt), or within half the shorter one's height, read as one
#: row (:func:`reading_order`).
ROW_SLACK = 3.0

#: Printed label words -> field name parts (the rest are ``field_NN``).
NAME_WORDS = [
    ("生年月日", "birth_date"),
    # 資格確認書等回収 「添付　枚」「返不能　枚」: cards sent back with the form, and those not
    ("返不能", "unreturnable"),
    ("添付", "attached"),
    # Our forms' names where they mean the same (../shared/forms/README.md).
    ("提出年月日", "submission_date"),
    ("提出日", "submission_date"),
    ("年月日", "date"),
    ("個人番号", "my_number"),
    ("マイナンバー", "my_number"),
    ("基礎年金番号", "pension_number"),
    ("郵便番号", "postcode"),
    ("電話", "phone"),
    ("住所", "address"),
    ("所在地", "address"),
    ("記号", "symbol"),
    ("整理記号", "office_symbol"),
    ("整理番号", "insured_number"),
    ("番号", "number"),
    ("氏名", "name"),
    ("名称", "company_name"),
    ("理由", "reason"),
    ("備考", "note"),
    ("対象者", "subject"),
    ("金額", "amount"),
]


@dataclass(frozen=True)
class Printed:
    """One printed character or word of the blank (points)."""

    text: str
    box: PtBox

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)


def printed_from(chars: Sequence[dict[str, Any]]) -> list[Printed]:
    """pdfplumber's chars as :class:`Printed` (blanks left out)."""
    return [
        Printed(str(c["text"]), (float(c["x0"]), float(c["top"]), float(c["x1"]), float(c["bottom"])))
        for c in chars
        if str(c["text"]).strip()
    ]


def inside(point: tuple[float, float], box: PtBox, margin: float = 0.0) -> bool:
    """Whether ``point`` lies in ``box`` (grown by ``margin``)."""
    return box[0] - margin <= point[0] <= box[2] + margin and box[1] - margin <= point[1] <= box[3] + margin


def _area(box: PtBox) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def chars_in(box: PtBox, printed: Sequence[Printed]) -> list[Printed]:
    """The printed characters whose centre is in ``box``, in reading order."""
    return sorted(
        (p for p in printed if inside(p.centre, box)), key=lambda p: (round(p.box[1] / 4), p.box[0])
    )


def is_label_box(box: PtBox, printed: Sequence[Printed], shaded: frozenset[PtBox] = frozenset()) -> bool:
    """A box shaded or mostly printed in: a label (or an instruction), not a place to write."""
    if box in shaded:
        return True
    covered = sum(_area(p.box) for p in chars_in(box, printed))
    return covered > LABEL_COVER * _area(box)


def is_cell(box: PtBox) -> bool:
    """A one-character cell by its size and shape."""
    width, height = box[2] - box[0], box[3] - box[1]
    return (
        CELL_HEIGHT[0] <= height <= CELL_HEIGHT[1]
        and CELL_WIDTH[0] <= width <= CELL_WIDTH[1]
        and CELL_ASPECT[0] <= width / height <= CELL_ASPECT[1]
    )


#: A date's 年, 月 or 日 printed in the corner of a cell the digits are written in (the
#: 被扶養者（異動）届's 「□□年□□月□□日」, each 年/月/日 at the top right of the part's last cell):
#: the character at most this share of the cell's height, within this (pt) of its top or bottom
#: edge and of its left or right side.
CORNER_PRINT = 0.4
CORNER_EDGE = 2.0


def corner_dated(box: PtBox, printed: Sequence[Printed]) -> bool:
    """Whether ``box`` is a one-character cell whose only print is a date's 年, 月 or 日 small in
    one of its corners: a cell of the date's digits with the print the reader ignores, not a
    label cell (a spreadsheet's 「年」 printed alone in a narrow cell of its own is one)."""
    if not is_cell(box):
        return False
    inside_ = chars_in(box, printed)
    if len(inside_) != 1 or inside_[0].text not in ("年", "月", "日"):
        return False
    char = inside_[0].box
    at_edge = char[1] - box[1] <= CORNER_EDGE or box[3] - char[3] <= CORNER_EDGE
    at_side = char[0] - box[0] <= CORNER_EDGE or box[2] - char[2] <= CORNER_EDGE
    return char[3] - char[1] <= CORNER_PRINT * (box[3] - box[1]) and at_edge and at_side


def is_tick(box: PtBox) -> bool:
    """A □ tick box by its size and shape."""
    width, height = box[2] - box[0], box[3] - box[1]
    return (
        TICK_SIDE[0] <= min(width, height)
        and max(width, height) <= TICK_SIDE[1]
        and abs(width - height) <= 2.5
    )


def bounds(boxes: Sequence[PtBox]) -> PtBox:
    """The smallest box around ``boxes``."""
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def runs(cells: Sequence[PtBox]) -> list[list[PtBox]]:
    """Cells in rows (same top and bottom), split where they stop touching."""
    rows: list[list[PtBox]] = []
    for cell in sorted(cells, key=lambda c: (round(c[1]), c[0])):
        for row in rows:
            last = row[-1]
            if (
                abs(last[1] - cell[1]) <= 2.0
                and abs(last[3] - cell[3]) <= 2.0
                and -CELL_GAP <= cell[0] - last[2] <= CELL_GAP
            ):
                row.append(cell)
                break
        else:
            rows.append([cell])
    return rows


def heading_of(box: PtBox, labels: Sequence[tuple[PtBox, str]], boxes: Sequence[PtBox] = ()) -> PtBox | None:
    """The label box right above ``box`` whose width spans its centre (a column heading;
    ``labels``: label boxes only, a loose printed word heads no column). A list of numbered
    options or print without a word (「5.昭和 7.平成 9.令和」, 「1.男 2.女」, 「④」 over a
    spreadsheet's 個人番号 cells) heads no column, nor a label with another of ``boxes`` between
    it and ``box`` (the （氏） printed in a name box above a date's cells)."""
    centre = (box[0] + box[2]) / 2
    above = [
        (box[1] - lb[3], lb)
        for lb, text in labels
        if lb[0] <= centre <= lb[2]
        and -1.0 <= box[1] - lb[3] <= LABEL_ABOVE
        and lb[3] - lb[1] < 40
        and len(text) <= LABEL_LONGEST  # an instruction printed above heads no column
        and (not boxes or (_label_part(text) and not _box_between(lb, box, boxes)))
    ]
    return min(above)[1] if above else None


def _box_between(label: PtBox, box: PtBox, boxes: Sequence[PtBox]) -> bool:
    """Whether one of ``boxes`` ends between ``label`` and the box under it, across its centre."""
    centre = (box[0] + box[2]) / 2
    return any(
        other[0] <= centre <= other[2] and label[3] + 2.0 < other[3] <= box[1] + 1.0 and other != label
        for other in boxes
    )


def split_by_heading(
    run: list[PtBox], labels: Sequence[tuple[PtBox, str]], boxes: Sequence[PtBox] = ()
) -> list[list[PtBox]]:
    """A run of touching cells cut where the heading above the cells changes (a spreadsheet
    form's 記号 and 番号 cells touch, each under its own heading; ``boxes``: the page's boxes,
    see :func:`heading_of`)."""
    pieces: list[list[PtBox]] = []
    current: PtBox | None = None
    for cell in run:
        heading = heading_of(cell, labels, boxes)
        # On a spreadsheet (``boxes`` given) only a heading of its own cuts a run, not a cell
        # under none: a label slice over one cell (the 氏名 row's 5 pt 「氏名」 over a date).
        unheaded = bool(boxes) and (heading is None or current is None)
        if not pieces or (heading != current and not unheaded):
            pieces.append([cell])
            current = heading
        else:
            pieces[-1].append(cell)
    return pieces


def text_between(left: PtBox, right: PtBox, printed: Sequence[Printed]) -> str:
    """What is printed between two boxes of one row."""
    gap = (left[2], min(left[1], right[1]), right[0], max(left[3], right[3]))
    if gap[2] <= gap[0]:
        return ""
    return "".join(p.text for p in chars_in(gap, printed))


def label_for(box: PtBox, labels: Sequence[tuple[PtBox, str]], own: str = "") -> str:
    """The printed label nearest ``box``: to its left in its row first, then above it; else
    what is printed in its own top-left corner (``own``)."""
    height = box[3] - box[1]
    # A sentence printed near a box is an instruction, not its label: a label printed before
    # it (「(1)氏名（カタカナ）姓と名の間は…」) is kept.
    labels = [(lb, short) for lb, text in labels if (short := _label_part(text))]
    left = [
        (box[0] - lb[2], text)
        for lb, text in labels
        if -1.0 <= box[0] - lb[2] <= LABEL_LEFT
        and min(box[3], lb[3]) - max(box[1], lb[1]) >= 0.4 * min(height, lb[3] - lb[1])
    ]
    above = [
        (box[1] - lb[3], text)
        for lb, text in labels
        if -1.0 <= box[1] - lb[3] <= LABEL_ABOVE and min(box[2], lb[2]) - max(box[0], lb[0]) > 0
    ]
    # A heading printed right on top of the box, from its start, is its label (a row of
    # 「(2)氏名（カタカナ）」 cells beside a vertical 「被扶養者」), unless the box's row has a
    # heading of its own right beside it (「事業所整理記号」 left of its cells, a 「月」 of
    # 「令和 年 月 日提出」 printed over them).
    # A label ending just past the box's start, most of it left of the box, is the heading
    # of a row above that goes on to the left (the 資格喪失届's 「不該当年月日」 over the next
    # block's 生年月日 cells), not this box's.
    right_on_top = [
        (box[1] - lb[3], text)
        for lb, text in labels
        if -1.0 <= box[1] - lb[3] <= 8.0
        and lb[0] - 12.0 <= box[0] <= lb[2]
        and not (lb[0] < box[0] and lb[2] - box[0] < box[0] - lb[0] and lb[2] < box[2])
    ]
    if right_on_top:
        on_top = min(right_on_top)[1]
        # A フリガナ caption on top of the box is its own whatever heads the row.
        own_row = [(box[0] - lb[2], text) for lb, text in labels if _row_heading(box, lb)]
        return min(own_row)[1] if own_row and not KANA.search(on_top) else on_top
    if left:
        near_left = min(left)
        if not above or near_left[0] <= 3 * min(above)[0] + 20:
            return near_left[1]
    if above:
        return min(above)[1]
    return own


def _row_heading(box: PtBox, label: PtBox) -> bool:
    """Whether ``label`` is the heading of ``box``'s own row: a cell beside it on its left
    (within :data:`ROW_HEADING_GAP`) as high as the row (not a word printed in it), printed
    across (a heading printed down a block, 「被扶養者」 left of two rows of cells, heads the
    block, not a row) and not much taller."""
    height = box[3] - box[1]
    across = min(box[3], label[3]) - max(box[1], label[1])
    return (
        label[2] - label[0] >= label[3] - label[1]
        and -1.0 <= box[0] - label[2] <= ROW_HEADING_GAP
        and across >= 0.8 * height
        and label[3] - label[1] <= ROW_HEADING_TALLER * height
    )


#: A row's own heading is this close (pt) left of its box, and at most this many times as tall.
ROW_HEADING_GAP = 64.0
ROW_HEADING_TALLER = 1.6
#: A printed list of numbered options (「1.男 5.男（基金）」, 「5.昭和 7.平成 9.令和」): the print
#: of a choice, never another box's label.
NUMBERED_OPTION = re.compile(r"(?<![0-9０-９.．])[0-9０-９]\s*[.．]\s*(?=[^\s0-9０-９])")
#: A label has a word in it (not a lone 「—」 or bracket printed in a cell).
WORDED = re.compile(r"[一-龥ぁ-ゖァ-ヺｦ-ﾟA-Za-zＡ-Ｚａ-ｚ]")


def _label_part(text: str) -> str:
    """``text`` as a label: itself when short, else what comes before its first closing
    bracket when that is short; empty for an instruction, a list of numbered options or
    print with no word in it."""
    if len(NUMBERED_OPTION.findall(text)) >= 2 or not WORDED.search(text):
        return ""
    if len(text) <= LABEL_LONGEST:
        return text
    head = re.match(r"[^）]{1,20}）", text)
    return head.group(0) if head else ""


def name_for(label: str, taken: set[str], kana: bool = False) -> str:
    """An ASCII field name from a printed label (the first known word), unique in ``taken``;
    ``kana``: a katakana field whatever its label says (a フリガナ row continued)."""
    kana = kana or bool(KANA.search(label))
    base = next((name for word, name in NAME_WORDS if word in label), "field")
    if kana and base in ("name", "field"):
        base = "name_kana"
    name, index = base, 2
    while name in taken or name == "field":
        name = f"{base}_{index}"
        index += 1
    taken.add(name)
    return name


def _round(box: PtBox) -> list[float]:
    return [round(v, 1) for v in box]


#: A 基礎年金番号 has 10 digits.
PENSION_NUMBER_DIGITS = 10


def _digits_field(cells: list[PtBox], label: str) -> dict[str, Any]:
    """Cells of one field (one or several runs) as a digits, my_number or katakana field."""
    segments = [[*_round(bounds(run)), len(run)] for run in runs(cells)]
    count = len(cells)
    if KANA.search(label):
        return {"type": "katakana", "box": _round(bounds(cells)), "segments": segments, "spaced": True}
    if ("個人番号" in label or "マイナンバー" in label) and count == 12:
        # 「個人番号（基礎年金番号）」: either number may be written, a 基礎年金番号 in 10 digits
        # (a 10-digit value is then taken as one, a 12-digit one checked as a 個人番号).
        shortest = PENSION_NUMBER_DIGITS if "基礎年金番号" in label else 12
        return {"type": "my_number", "segments": segments, "min_digits": shortest, "max_digits": 12}
    if "郵便" in label:
        return {"type": "digits", "segments": segments, "min_digits": count, "max_digits": count}
    if "電話" in label:
        return {"type": "digits", "segments": segments, "min_digits": 10, "max_digits": count}
    return {"type": "digits", "segments": segments, "min_digits": 1, "max_digits": count}


def _era_digits(near: PtBox, printed: Sequence[Printed]) -> dict[str, str]:
    """「1.昭和 2.平成 3.令和」 printed near a date's era cell: digit -> era."""
    zone = (near[0] - 4, near[1] - 6, near[2] + 60, near[3] + 6)
    text = "".join(p.text for p in chars_in(zone, printed))
    return {digit: ERA_NAMES[era] for digit, era in ERA_PRINTED.findall(text)}


def _date_field(runs_: list[list[PtBox]], printed: Sequence[Printed]) -> dict[str, Any] | None:
    """Runs of one row that make a date: [era cell] year 年 month 月 day 日 (two cells each),
    or one run of six cells (YYMMDD) beside a printed era list."""
    boxes = [bounds(run) for run in runs_]
    if len(runs_) == 1 and len(runs_[0]) == 6:
        cells = runs_[0]
        parts = [bounds(cells[0:2]), bounds(cells[2:4]), bounds(cells[4:6])]
        era_cell: PtBox | None = None
    elif len(runs_) >= 3 and all(len(run) == 2 for run in runs_[-3:]):
        parts = boxes[-3:]
        era_cell = boxes[-4] if len(runs_) >= 4 and len(runs_[-4]) == 1 else None
    elif len(runs_) == 3 and [text_between(boxes[i], boxes[i + 1], printed) for i in (0, 1)] == ["年", "月"]:
        # A spreadsheet's date: one cell (or a few) each for year, month and day, the 年 and
        # 月 printed in cells of their own between them (「9.令和 □年□月□日」).
        parts, era_cell = boxes, None
    else:
        return None
    field: dict[str, Any] = {
        "type": "date",
        "year": _round(parts[0]),
        "month": _round(parts[1]),
        "day": _round(parts[2]),
    }
    if era_cell is not None and (digits := _era_digits(era_cell, printed)):
        field |= {"era_box": _round(era_cell), "era_digits": digits}
        return field
    left = (parts[0][0] - 70, parts[0][1] - 4, parts[0][0], parts[0][3] + 4)
    before = "".join(p.text for p in chars_in(left, printed))
    digits = {d: ERA_NAMES[e] for d, e in ERA_PRINTED.findall(before)}
    words = _era_words(left, printed)
    if digits and len(words) == 1:
        # One era printed (「9.令和」): the date is of that era, nothing to circle.
        field["era"] = ERA_NAMES[words[0].text]
        return field
    if digits:
        # The era list is printed, with no cell of its own: the writer circles one.
        field["era_options"] = {
            ERA_NAMES[p.text[-2:]] if len(p.text) >= 2 else p.text: _round(p.box)
            for p in _era_words(left, printed)
        }
        field["style"] = "circle"
        if not field["era_options"]:
            del field["era_options"]
    if "era_options" not in field:
        field["era"] = "reiwa" if "令和" in before else "reiwa"
    return field


def _era_words(zone: PtBox, printed: Sequence[Printed]) -> list[Printed]:
    """The printed era names (two characters each) in ``zone``, as words."""
    chars = chars_in(zone, printed)
    words: list[Printed] = []
    for first, second in zip(chars, chars[1:], strict=False):
        if first.text + second.text in ERA_NAMES:
            words.append(Printed(first.text + second.text, bounds([first.box, second.box])))
    return words


def _prefecture_choice(box: PtBox, printed: Sequence[Printed]) -> dict[str, list[float]] | None:
    """The printed 都 道 府 県 inside an address box, to be circled: suffix -> its box."""
    found = {p.text: _round(p.box) for p in chars_in(box, printed) if p.text in PREFECTURE_SUFFIXES}
    return found if len(found) == 4 else None


def _text_type(label: str) -> str:
    if "電話" in label:
        return "phone"
    if "金額" in label or label.endswith("円"):
        return "amount"
    if KANA.search(label):
        return "katakana"
    return "text"


def label_boxes(
    boxes: Sequence[PtBox], printed: Sequence[Printed], shaded: frozenset[PtBox] = frozenset()
) -> list[tuple[PtBox, str]]:
    """Each label box (shaded or printed in) with its text."""
    labelled = [
        (box, "".join(p.text for p in chars_in(box, printed)))
        for box in boxes
        if is_label_box(box, printed, shaded)
    ]
    return _stacked_joined([(box, text) for box, text in labelled if text.strip()])


#: Two label cells one on top of the other, as wide (within this, pt) and touching (within
#: this, pt), are one label cut by a printed line (「⑥個人」 over 「番号（基礎年金番号）」).
STACKED_SLACK = 1.5


def _stacked_joined(labels: list[tuple[PtBox, str]]) -> list[tuple[PtBox, str]]:
    """Label cells one right on top of the other in one column, as wide, joined into one; a
    cell holding only its item number (「⑤」 over 「取得区分」) with the cell under it."""
    joined: list[tuple[PtBox, str]] = []
    for box, text in sorted(labels, key=lambda item: (item[0][0], item[0][1])):
        last = joined[-1] if joined else None
        if (
            last is not None
            and abs(last[0][0] - box[0]) <= STACKED_SLACK
            and abs(last[0][2] - box[2]) <= STACKED_SLACK
            and -STACKED_SLACK <= box[1] - last[0][3] <= STACKED_SLACK
            and (_unfinished(last[1]) or ITEM_ONLY.fullmatch(last[1]))
        ):
            joined[-1] = (bounds([last[0], box]), last[1] + text)
            continue
        joined.append((box, text))
    return joined


#: A cell printing only an item number (「⑤」).
ITEM_ONLY = re.compile(r"\s*[①-⑳]\s*")


def _unfinished(text: str) -> bool:
    """A label cut off: an item number and one word with no closing (「⑥個人」)."""
    return bool(re.fullmatch(r"[①-⑳][一-龥]{1,2}", text.strip()))


def loose_words(boxes: Sequence[PtBox], words: Sequence[Printed]) -> list[tuple[PtBox, str]]:
    """Each printed word outside any box (a heading printed over cells, a note); a word
    printed spaced out, one character each (「個 人 番 号」), as one."""
    loose = [w for w in words if not any(inside(w.centre, box) for box in boxes) and w.text.strip()]
    return [(w.box, w.text) for w in _spaced_joined(loose)]


#: Characters of a word printed spaced out stand at most this many of their widths apart.
SPACED_OUT = 1.2


def _spaced_joined(words: Sequence[Printed]) -> list[Printed]:
    """Words of one character on one line, each at most :data:`SPACED_OUT` of its width
    from the next, joined into one word (a spreadsheet centres 「個 人 番 号」 in its cell by
    spaces; read apart, the label of the row beside it was its last character 「号」)."""
    joined: list[tuple[Printed, bool]] = []  # a word, and whether it is single characters
    for word in sorted(words, key=lambda w: (round(w.centre[1]), w.box[0])):
        width = word.box[2] - word.box[0]
        if joined and len(word.text) == 1:
            last, single = joined[-1]
            if (
                single
                and abs(last.centre[1] - word.centre[1]) <= 1.0
                and 0 <= word.box[0] - last.box[2] <= SPACED_OUT * width
            ):
                joined[-1] = (Printed(last.text + word.text, bounds([last.box, word.box])), True)
                continue
        joined.append((word, len(word.text) == 1))
    return [word for word, _ in joined]


@dataclass
class _Names:
    """What drafting has named so far: names taken, each field's label and what is printed in
    its box (for the reading proposals), and the katakana fields continuing a フリガナ row."""

    taken: set[str] = dataclasses.field(default_factory=set)
    printed_here: dict[str, str] = dataclasses.field(default_factory=dict)
    kana_rows: set[str] = dataclasses.field(default_factory=set)


@dataclass(frozen=True)
class _Sorted:
    """A blank page's boxes by what they are for."""

    headings: list[tuple[PtBox, str]]
    labels: list[tuple[PtBox, str]]
    boxes: list[PtBox]
    ticks: list[PtBox]
    cells: list[PtBox]
    texts: list[PtBox]


def draft_fields(
    boxes: Sequence[PtBox],
    printed: Sequence[Printed],
    words: Sequence[Printed],
    shaded: frozenset[PtBox] = frozenset(),
    divider: Callable[[PtBox, PtBox], bool] = lambda left, right: False,
    ticks: Callable[[PtBox], Ticks | None] = lambda box: None,
) -> list[dict[str, Any]]:
    """The draft fields of a blank page (see the module's contract), in reading order.
    ``shaded``: the boxes printed grey (label cells); ``divider``: whether a printed column
    divider stands between two boxes of a row; ``ticks``: the cell ticks printed in a box
    (:func:`extractors.onboard.geometry.cell_ticks`), which make it digit cells."""
    page = _sorted_boxes(boxes, printed, words, shaded)
    names = _Names()
    drafted = [
        *_cell_fields(page, printed, divider, names),
        *_text_fields(page, printed, names, ticks),
        *_tick_fields(page, words, names),
    ]
    drafted += _printed_dates(
        printed, boxes, [box for _, spec in drafted for box in field_boxes(spec)], names
    )
    postcodes = _printed_postcodes(page, printed, [spec for _, spec in drafted], names)
    drafted = [*_under_postcodes(drafted, postcodes, names), *postcodes]
    propose_readings([spec for _, spec in drafted], names.printed_here, names.kana_rows)
    return reading_order([spec for _, spec in drafted])


def reading_order(fields: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Template fields (JSON dicts) in the order a person reads the page: rows top to bottom,
    each left to right. A field is placed by the top-left corner of the rectangle round all its
    boxes; a field whose top lies within half the shorter one's height (at least
    :data:`ROW_SLACK`) of the top of a row's first field is in that row. The one order of a
    template's fields: the draft is made in it and the designer saves in it, so reviewers go
    through an onboarded form as it reads, a field drawn last included. A field whose boxes
    cannot be read comes after the others, in its turn."""
    placed: list[tuple[PtBox, int]] = []
    unplaced: list[int] = []
    for index, field in enumerate(fields):
        try:
            boxes = field_boxes(field)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):
            boxes = []
        if boxes:
            placed.append((bounds(boxes), index))
        else:
            unplaced.append(index)
    rows: list[list[tuple[PtBox, int]]] = []
    for box, index in sorted(placed, key=lambda item: (item[0][1], item[0][0], item[1])):
        if rows:
            first = rows[-1][0][0]
            slack = max(ROW_SLACK, 0.5 * min(first[3] - first[1], box[3] - box[1]))
            if box[1] - first[1] <= slack:
                rows[-1].append((box, index))
                continue
        rows.append([(box, index)])
    order = [index for row in rows for _, index in sorted(row, key=lambda item: (item[0][0], item[1]))]
    return [fields[index] for index in [*order, *unplaced]]


def _sorted_boxes(
    boxes: Sequence[PtBox], printed: Sequence[Printed], words: Sequence[Printed], shaded: frozenset[PtBox]
) -> _Sorted:
    """Label cells and loose words as labels; the rest as tick boxes, one-character cells and
    text boxes (a box framing cells or ticks is no place to write)."""
    headings = label_boxes(boxes, printed, shaded)
    labels = [*headings, *loose_words(boxes, words)]
    # A cell printing only a date's 年/月/日 small in its corner is a cell of that date's
    # digits (the writing fills the rest of it), not a label.
    writable = [
        b
        for b in boxes
        if not is_label_box(b, printed, shaded) or (b not in shaded and corner_dated(b, printed))
    ]
    writable += _tinted_cells(boxes, printed, shaded, writable)
    ticks = [b for b in writable if is_tick(b)]
    ticks += [p.box for p in printed if p.text == "□"]
    # A cell with an era printed in it (「9.令和」 beside a date) is print, no place to write.
    cells = [b for b in writable if is_cell(b) and not is_tick(b) and not _era_printed(b, printed)]
    small = [*cells, *ticks]
    texts = [
        b
        for b in writable
        if b not in small
        and b[2] - b[0] >= TEXT_MIN[0]
        and b[3] - b[1] >= TEXT_MIN[1]
        # A box around cells or tick boxes is their frame, no place to write.
        and not any(inside(((c[0] + c[2]) / 2, (c[1] + c[3]) / 2), b) for c in small)
        and not _no_writing(b, printed)
    ]
    headings, labels, texts = _stacked_rows(headings, labels, texts, printed)
    return _Sorted(headings, labels, list(boxes), ticks, cells, texts)


def _stacked_rows(
    headings: list[tuple[PtBox, str]],
    labels: list[tuple[PtBox, str]],
    texts: list[PtBox],
    printed: Sequence[Printed],
) -> tuple[list[tuple[PtBox, str]], list[tuple[PtBox, str]], list[PtBox]]:
    """A label cell printing several labels one under another, beside one text box as tall
    (a spreadsheet's 「事業所所在地 / 事業所名称 / 事業主氏名 / 電話番号」 cell and the one box
    right of it, no line between the rows): the box cut into one row per label, midway
    between them, and each label its own (the clerk drew the four rows)."""
    for heading in list(headings):
        cell = heading[0]
        beside = [
            t
            for t in texts
            if abs(t[0] - cell[2]) <= 2.0 and abs(t[1] - cell[1]) <= 3.0 and abs(t[3] - cell[3]) <= 3.0
        ]
        inside_ = chars_in(cell, printed)
        if len(NUMBERED_OPTION.findall("".join(p.text for p in inside_))) >= 2:
            continue  # options to circle (「1.同居 2.別居」), not labels
        # An item mark alone (「①」 over 「被保険者整理番号」) is its label's, no row of its own.
        groups = [g for g in _label_groups(inside_) if not ITEM_ONLY.fullmatch(g[0])]
        if len(beside) != 1 or len(groups) < 2 or not all(WORDED.search(text) for text, _ in groups):
            continue
        box = beside[0]
        cuts = (
            [box[1]] + [(a[1][3] + b[1][1]) / 2 for a, b in zip(groups, groups[1:], strict=False)] + [box[3]]
        )
        rows = [(box[0], top, box[2], bottom) for top, bottom in zip(cuts, cuts[1:], strict=False)]
        split = [
            ((cell[0], row[1], cell[2], row[3]), text) for row, (text, _) in zip(rows, groups, strict=True)
        ]
        headings = [h for h in headings if h != heading] + split
        labels = [lb for lb in labels if lb != heading] + split
        texts = [t for t in texts if t != box] + rows
    return headings, labels, texts


#: Lines of one label are at most this share of a line's height apart; further, another label.
LABEL_LINE_GAP = 1.0


def _label_groups(chars: Sequence[Printed]) -> list[tuple[str, PtBox]]:
    """The printed labels stacked in a cell: its lines (characters of one height) joined
    where they lie close under each other, each group's text and box, top to bottom."""
    lines: list[list[Printed]] = []
    for char in sorted(chars, key=lambda p: (p.centre[1], p.box[0])):
        if lines and abs(lines[-1][0].centre[1] - char.centre[1]) <= 2.0:
            lines[-1].append(char)
        else:
            lines.append([char])
    groups: list[tuple[str, PtBox]] = []
    for line in lines:
        text = "".join(p.text for p in sorted(line, key=lambda p: p.box[0]))
        box = bounds([p.box for p in line])
        if groups and box[1] - groups[-1][1][3] <= LABEL_LINE_GAP * (box[3] - box[1]):
            groups[-1] = (groups[-1][0] + text, bounds([groups[-1][1], box]))
        else:
            groups.append((text, box))
    return groups


#: What an office-use box prints in it: the insurer's stamp, no place for the writer.
OFFICE_USE = re.compile(r"受\s*付\s*印")


def _no_writing(box: PtBox, printed: Sequence[Printed]) -> bool:
    """A box whose own print says it is no place to write: a list of numbered options printed
    in it (「1.男 2.女」: a choice circled, not text; the designer makes it a choice) or an
    office-use stamp box (「受付印」)."""
    text = "".join(p.text for p in chars_in(box, printed))
    return len(NUMBERED_OPTION.findall(text)) >= 2 or bool(OFFICE_USE.search(text))


def _tinted_cells(
    boxes: Sequence[PtBox], printed: Sequence[Printed], shaded: frozenset[PtBox], writable: Sequence[PtBox]
) -> list[PtBox]:
    """The shaded one-character cells with nothing printed in them that continue a row of
    cells to write in (a spreadsheet tints the first cells of its 事業所整理記号): cells
    too, not labels."""
    cells = [b for b in writable if is_cell(b)]
    tinted = [b for b in boxes if b in shaded and is_cell(b) and not chars_in(b, printed)]
    found: list[PtBox] = []
    grown = True
    while grown:
        grown = False
        for box in tinted:
            if box not in found and any(_beside(box, cell) for cell in [*cells, *found]):
                found.append(box)
                grown = True
    return found


def _beside(a: PtBox, b: PtBox) -> bool:
    """Two cells of one row touching side by side (within :data:`CELL_GAP`)."""
    return (
        abs(a[1] - b[1]) <= 2.0
        and abs(a[3] - b[3]) <= 2.0
        and (abs(b[0] - a[2]) <= CELL_GAP or abs(a[0] - b[2]) <= CELL_GAP)
    )


def _era_printed(box: PtBox, printed: Sequence[Printed]) -> bool:
    """Whether an era's name (昭和, 平成, 令和) is printed in ``box``."""
    text = "".join(p.text for p in chars_in(box, printed))
    return any(era in text for era in ERA_NAMES)


def _cell_fields(
    page: _Sorted, printed: Sequence[Printed], divider: Callable[[PtBox, PtBox], bool], names: _Names
) -> list[tuple[PtBox, dict[str, Any]]]:
    """The fields written one character per cell: dates, digits, kana."""
    drafted: list[tuple[PtBox, dict[str, Any]]] = []
    # A run of six cells printing 年 and 月 is one date (YYMMDD), whatever is printed over it
    # (the row above's 「月」, 「日」 and 「⑭理由」 over the 被扶養者（異動）届's ⑯ cells).
    pieces = [
        piece
        for run in runs(page.cells)
        for piece in ([run] if _dated(run, printed) else split_by_heading(run, page.headings, page.boxes))
    ]
    for group in _continued(_fields_of_runs(pieces, page.labels, printed, divider), printed):
        where = bounds([c for run in group for c in run])
        label = label_for(where, page.labels)
        date = _date_field(group, printed)
        cells_of = date if date is not None else _digits_field([c for run in group for c in run], label)
        if cells_of["type"] == "katakana" and len(runs([c for run in group for c in run])) > 1:
            # Two rows of cells: the first is read (its blank cell is the space between the
            # names); the second, for a name longer than the first row, is kept as a segment.
            cells_of["box"] = _round(bounds(runs([c for run in group for c in run])[0]))
        name = name_for("年月日" if date else label, names.taken)
        names.printed_here[name] = label
        drafted.append((where, {"name": name, "label": label, **cells_of}))
    return drafted


def _text_fields(
    page: _Sorted,
    printed: Sequence[Printed],
    names: _Names,
    ticks: Callable[[PtBox], Ticks | None] = lambda box: None,
) -> list[tuple[PtBox, dict[str, Any]]]:
    """The fields written freely in a box: text, kana, phone, amount, addresses; a box with
    cell ticks printed in it (dotted marks between digits) is digit cells aligned on them
    (read as an amount, the ticks were taken for 1s: 2001 for 2000)."""
    drafted: list[tuple[PtBox, dict[str, Any]]] = []
    owns = {box: "".join(p.text for p in chars_in(box, printed)) for box in page.texts}
    label_of = {box: label_for(box, page.labels, owns[box]) for box in page.texts}
    # A name's half under its フリガナ row (a spreadsheet's 「（氏）」 box right below the
    # 「（ﾌﾘｶﾞﾅ）」 heading takes that heading for its label): written in kanji, a 氏名.
    label_of |= {box: "氏名" for box in page.texts if _name_half_under_kana(label_of[box], owns[box])}
    kinds = {box: _text_type(label_of[box] + owns[box]) for box in page.texts}
    continued = _kana_rows_continued(page.texts, owns, label_of, kinds)
    for box in page.texts:
        own, label = owns[box], label_of[box]
        kind = "katakana" if box in continued else kinds[box]
        name = name_for(label + own if kind == "katakana" else label, names.taken, box in continued)
        names.printed_here[name] = label + own
        if box in continued:
            names.kana_rows.add(name)
        found = ticks(box) if kind in ("amount", "text") and box not in continued else None
        if found is not None:
            segment = cells_on_ticks(found, box, box[3] - TEXT_INSET)
            cells = int(segment[4])
            spec_cells = {"type": "digits", "segments": [segment], "min_digits": 1, "max_digits": cells}
            drafted.append((box, {"name": name, "label": _with_caption(label, own), **spec_cells}))
            continue
        suffixes = _prefecture_choice(box, printed)
        # Drafted inside its frame: a crop that starts on a shaded label cell's edge reads it
        # as a mark and takes its gap for the space between two names.
        down = _kana_inset(box) if kind == "katakana" else TEXT_INSET
        inside = chars_in(box, printed)
        box = (box[0] + TEXT_INSET, box[1] + down, box[2] - TEXT_INSET, box[3] - down)
        label_end = _after_printed_label(box, inside)
        if label_end is not None:
            box = (max(box[0], label_end + LABEL_GAP), box[1], box[2], box[3])
        unit_start = _before_printed_unit(box, inside) if kind == "amount" else None
        if unit_start is not None:
            box = (box[0], box[1], min(box[2], unit_start - UNIT_GAP), box[3])
        spec: dict[str, Any] = {
            "name": name,
            "label": _with_caption(label, own),
            "type": kind,
            "box": _round(box),
        }
        if kind in ("text", "katakana") and WHOLE_NAME.search(label + own):
            spec["spaced"] = True  # family and given name, a space between
        if suffixes:
            # Written around the printed 都道府県 (the prefecture's name before it, the rest
            # after it) and read as one line: the print is no writing, the suffix is put back
            # from the name and what the circle round it is read as is dropped.
            spec |= {"address": True, "prefecture_printed": suffixes}
        drafted.append((box, spec))
    return _split_names_unspaced(drafted)


def _name_half_under_kana(label: str, own: str) -> bool:
    """Whether a box printing only its caption （氏） or （名） (no フリガナ of its own) is
    labelled by a フリガナ heading: the kanji half of a name, not its reading."""
    caption = CAPTION.match(own.strip())
    return (
        caption is not None
        and caption.group(1) in ("氏", "名")
        and not KANA.search(own)
        and bool(KANA.search(label))
    )


#: A box's own caption, printed first in it: a word in brackets, after an item mark
#: (「（氏）」, 「㋐(通貨)」, 「㋒（合計 ㋐+㋑）」: 氏, 通貨, 合計).
CAPTION = re.compile(r"[^\w（(]?\s*[（(]\s*([一-龥]{1,4})[^（()）]{0,10}[）)]")


def _with_caption(label: str, own: str) -> str:
    """The label with the caption the box prints first in itself: the 資格取得届's 氏名 boxes
    「（氏）」 and 「（名）」 are 氏名（氏） and 氏名（名）, its 報酬月額 boxes 「㋐(通貨)」 and
    「㋒（合計 ㋐+㋑）」 報酬月額（通貨） and 報酬月額（合計）."""
    caption = CAPTION.match(own.strip())
    if caption is None or not label or label.endswith(f"（{caption.group(1)}）"):
        return label
    return f"{label}（{caption.group(1)}）"


#: A label printed inside a box at its left (（フリガナ）, （氏）, 名）) starts this close to
#: the box's edge (pt), and takes at most this share of its width.
LABEL_AT_EDGE = 4.0
LABEL_MAX_SHARE = 0.4
#: Writing starts this far (pt) after such a label: people leave a little room after print
#: (the clerk put the 住所変更届's フリガナ box 4.3 pt past its (ﾌﾘｶﾞﾅ)), and a first kana
#: written closer is taken off with the print's spread (カトウ read トウ, surely).
LABEL_GAP = 4.0
#: A box at most this tall (pt) holds one line (a フリガナ row): a label anywhere in its height
#: is in the writing's way.
SHORT_ROW = 12.0


def _after_printed_label(box: PtBox, inside: Sequence[Printed]) -> float | None:
    """Where writing starts in ``box``: after a short label printed inside it at its left
    (協会けんぽ's 資格喪失届 prints 「ﾌﾘｶﾞﾅ）」 and 「（氏）」 in the writing boxes), else at its
    edge (None). People write after such a label; a box drafted over it had the first kana of a name
    written on the print and lost with it (モト for マツモト)."""
    middle = (box[1] + box[3]) / 2
    # In the writing's line: across the box's middle, or anywhere in a row too short for a
    # second line (a フリガナ row); not a small caption over a tall box's writing (the
    # 住所変更届's 「(氏)」 above where the name goes).
    short = box[3] - box[1] <= SHORT_ROW
    run = sorted((p for p in inside if short or p.box[1] <= middle <= p.box[3]), key=lambda p: p.box[0])
    if not run or run[0].box[0] - box[0] > LABEL_AT_EDGE:
        return None
    end = run[0].box[2]
    for char in run[1:]:
        if char.box[0] - end > 3.0:  # a gap: the label ended
            break
        end = char.box[2]
    return end if end - box[0] <= LABEL_MAX_SHARE * (box[2] - box[0]) else None


#: The unit an amount box prints at its right end, after the room for the figure
#: (「（年収）　　　　円」), longest first: the writing ends before it.
UNITS = ("万円", "千円", "円")
#: Writing ends this far (pt) before such a unit: the clerk ended the 被扶養者（異動）届's 収入
#: boxes 0.6 to 1.6 pt before the printed 円 (a figure written over it reads the 円 as a digit).
UNIT_GAP = 1.0


def _before_printed_unit(box: PtBox, inside: Sequence[Printed]) -> float | None:
    """Where writing ends in an amount ``box``: before a unit (円, 万円, 千円) printed inside it
    at its right end, the mirror of :func:`_after_printed_label` (協会けんぽ's 被扶養者（異動）届
    prints 「円」 in the bottom right corner of each 収入 box), else at its edge (None). The
    unit may sit anywhere in the box's height (printed low, beside the figure's baseline), but
    ends within :data:`LABEL_AT_EDGE` of the box's right edge and leaves the writing most of it."""
    if not inside:
        return None
    last = max(inside, key=lambda p: p.box[2])
    if abs(box[2] - last.box[2]) > LABEL_AT_EDGE:
        return None
    # The characters printed on the unit's line, right to left, while they touch.
    line = sorted(
        (p for p in inside if abs(p.centre[1] - last.centre[1]) <= 2.0 and p.box[2] <= last.box[2]),
        key=lambda p: p.box[2],
        reverse=True,
    )
    run = [line[0]]
    for char in line[1:]:
        if run[-1].box[0] - char.box[2] > 3.0:  # a gap: the unit began after it
            break
        run.append(char)
    text = "".join(p.text for p in reversed(run))
    unit = next((u for u in UNITS if text.endswith(u)), None)
    if unit is None:
        return None
    start = run[len(unit) - 1].box[0]
    return start if start - box[0] >= (1 - LABEL_MAX_SHARE) * (box[2] - box[0]) else None


#: Two name boxes side by side at most this far apart (pt) are one name cut in 氏 | 名.
NAME_HALVES_GAP = 12.0


def _split_names_unspaced(drafted: list[tuple[PtBox, dict[str, Any]]]) -> list[tuple[PtBox, dict[str, Any]]]:
    """A name written in two boxes side by side (氏 | 名, 協会けんぽ's 資格取得届) holds one word
    each: neither box takes a space between family and given name (``spaced``), which only a
    name written whole in one box has."""
    named = [(box, spec) for box, spec in drafted if spec.get("spaced")]
    halves: set[str] = set()
    for box, spec in named:
        # The other half may be labelled otherwise (the 住所変更届's (名) box takes the 生年月日
        # printed beyond it): any box of its type beside it.
        for other, other_spec in drafted:
            same_row = min(box[3], other[3]) - max(box[1], other[1]) >= 0.8 * min(
                box[3] - box[1], other[3] - other[1]
            )
            if (
                other_spec is not spec
                and other_spec["type"] == spec["type"]
                and same_row
                and 0 <= other[0] - box[2] <= NAME_HALVES_GAP
            ):
                halves |= {spec["name"], other_spec["name"]}
    return [
        (box, {k: v for k, v in spec.items() if k != "spaced"} if spec["name"] in halves else spec)
        for box, spec in drafted
    ]


#: Room (pt) left blank before a printed 年, 月 and 日 for the writing: a date to fill in
#: (「令和　　年　　月　　日提出」), not a printed date or a heading 「年月日」.
DATE_ROOM = 10.0


def _printed_dates(
    printed: Sequence[Printed], boxes: Sequence[PtBox], drafted: Sequence[PtBox], names: _Names
) -> list[tuple[PtBox, dict[str, Any]]]:
    """The dates written in the room left before a printed 年, 月 and 日 on one line, where no
    cells are drawn (a spreadsheet's 「令和　年　月　日提出」 over the form, 「事業主等受付年月日
    令和　年　月　日」 in one cell): cut at the print (:func:`printed_date_parts`), of the era
    printed before the year. Not a date inside a list of options (「1.死亡（令和　年　月　日）」:
    the option's own detail) nor one over a box already drafted."""
    found: list[tuple[PtBox, dict[str, Any]]] = []
    for year in (p for p in printed if p.text == "年"):
        line = sorted(
            (p for p in printed if abs(p.centre[1] - year.centre[1]) <= 2.0), key=lambda p: p.box[0]
        )
        before = [p for p in line if p.box[2] <= year.box[0] + 0.5]
        after = [p for p in line if p.box[0] >= year.box[2] - 0.5]
        if len(after) < 2 or after[0].text != "月" or not after[1].text.startswith("日"):
            continue
        month, day = after[0], after[1]
        start = before[-1].box[2] if before else year.box[0] - 4 * DATE_ROOM
        if min(year.box[0] - start, month.box[0] - year.box[2], day.box[0] - month.box[2]) < DATE_ROOM:
            continue
        cell = next((b for b in boxes if inside(year.centre, b)), None)
        if any(next((b for b in boxes if inside(p.centre, b)), None) != cell for p in (month, day)):
            continue  # printed in cells of their own: the cells are the date's (drafted so)
        if (
            cell is not None
            and len(NUMBERED_OPTION.findall("".join(p.text for p in chars_in(cell, printed)))) >= 2
        ):
            continue
        top, bottom = year.box[1] - 3.0, year.box[3] + 3.0
        if cell is not None:
            top, bottom = max(top, cell[1] + 1.0), min(bottom, cell[3] - 1.0)
        where = (start + 1.0, top, day.box[0], bottom)
        if any(_overlap(b, where) for b in drafted):
            continue
        parts = printed_date_parts(where, printed, boxes)
        if parts is None:
            continue
        era = "".join(p.text for p in before[-2:])
        spec = {
            "name": name_for("年月日", names.taken),
            "label": _date_label(cell, printed, where),
            "type": "date",
            "year": _round(parts[0]),
            "month": _round(parts[1]),
            "day": _round(parts[2]),
            "era": ERA_NAMES.get(era, "reiwa"),
        }
        found.append((where, spec))
    return found


#: The dashes a form prints between a postcode's 3 and 4 digits (「〒　　―　　　」).
DASHES = frozenset("―－-ー—‐−")
#: A written digit is about this many times as wide as the printed 〒 is high; a postcode's
#: first digits need room for at least two of them, its last for three.
DIGIT_WIDTH = 1.4
#: Below a postcode's line the writing box goes on for at least this much (pt) for another
#: line (the address under it); less, and the postcode takes the box down to its bottom.
POSTCODE_BELOW = TEXT_MIN[1]
#: Field types whose boxes a postcode's line never lies over (cells, a date, a choice).
OWN_BOXES = frozenset({"digits", "my_number", "date", "choice", "checkbox", "checkbox_group"})


def _printed_postcodes(
    page: _Sorted, printed: Sequence[Printed], drafted: Sequence[dict[str, Any]], names: _Names
) -> list[tuple[PtBox, dict[str, Any]]]:
    """The postcodes written after a printed 〒 where no cells are printed for them (the
    被扶養者（異動）届's address rows: 「〒　　―　　　　」 at the top of the address box): a
    ``digits`` field of 3 and 4 digits, as 郵便番号 cells are (the 3 up to the printed dash,
    the 4 after it; no dash, a digit's room left for the one written), labelled by its row's
    heading (「住所 郵便番号」). Not where cells, a date or a choice are drafted on the line (a
    〒 before printed cells is their label), nor where the 〒 has no room after it (a label
    cell printing 「〒」)."""
    cells = [*page.cells, *page.ticks]
    taken = [box for spec in drafted if spec.get("type") in OWN_BOXES for box in field_boxes(spec)]
    found: list[tuple[PtBox, dict[str, Any]]] = []
    marks = sorted(_postcode_marks(printed), key=lambda p: (round(p.box[1]), p.box[0]))
    for mark in marks:  # named down the page: postcode, postcode_2 …
        frame = _frame_of(mark.centre, page.boxes)
        if frame is None:
            continue
        line = sorted(
            (
                p
                for p in printed
                if abs(p.centre[1] - mark.centre[1]) <= 2.0
                and p.box[0] >= mark.box[2] - 0.5
                and inside(p.centre, frame)
            ),
            key=lambda p: p.box[0],
        )
        dash = line[0] if line and line[0].text in DASHES else None
        end = min([p.box[0] for p in line if p is not dash] + [frame[2]]) - 1.0
        height = mark.box[3] - mark.box[1]
        spans = _postcode_spans(mark.box[2], dash, end, DIGIT_WIDTH * height)
        if spans is None:
            continue
        region = _stacked_under(frame, page.boxes)
        # Digits are written taller than the 〒 is printed: up to a 〒's height above it where
        # the box leaves room (not over the print above), from the 〒's top where it does not.
        above = [
            p.box[3]
            for p in printed
            if p.box[3] <= mark.box[1] + 0.5
            and p.box[0] < spans[1][1]
            and p.box[2] > spans[0][0]
            and inside(p.centre, frame)
        ]
        room = max([region[1] + 1.0, mark.box[1] - height] + [b + 0.5 for b in above])
        top = min(room, mark.box[1])
        bottom = mark.box[3] + 0.4 * height
        if region[3] - bottom < POSTCODE_BELOW:
            bottom = region[3] - 1.0  # no line under it: the postcode's writing may fill the row
        where = (spans[0][0], top, spans[1][1], bottom)
        if any(_overlap(b, where) for b in [*cells, *taken]):
            continue
        where = (mark.box[0], top, where[2], bottom)  # the line, its 〒 included
        heading = _row_label(mark, page.labels)
        spec = {
            "name": name_for("郵便番号", names.taken),
            "label": f"{heading} 郵便番号" if heading else "郵便番号",
            "type": "digits",
            "segments": [
                [*_round((a, top, b, bottom)), count] for (a, b), count in zip(spans, (3, 4), strict=True)
            ],
            "min_digits": 7,
            "max_digits": 7,
        }
        found.append((where, spec))
    return found


def _under_postcodes(
    drafted: list[tuple[PtBox, dict[str, Any]]],
    postcodes: Sequence[tuple[PtBox, dict[str, Any]]],
    names: _Names,
) -> list[tuple[PtBox, dict[str, Any]]]:
    """The text boxes a postcode's line (:func:`_printed_postcodes`) starts: their writing is
    the address under that line, so each starts below it, from its 〒 on (the clerk moved the
    被扶養者（異動）届's address boxes under the 〒 line, two gestures a row), labelled by the
    row (「住所」, where the draft had taken a label of the row above, 「⑤外国籍」). A box with
    too little room under the line is left as it is."""
    out: list[tuple[PtBox, dict[str, Any]]] = []
    for box, spec in drafted:
        frame = _field_box(spec)
        line = next(
            (
                (where, postcode)
                for where, postcode in postcodes
                if frame is not None
                and spec["type"] == "text"
                and _overlap(frame, where)
                and where[1] - frame[1] <= 0.5 * (frame[3] - frame[1])
                and frame[3] - where[3] >= POSTCODE_BELOW
            ),
            None,
        )
        if frame is None or line is None:
            out.append((box, spec))
            continue
        where, postcode = line
        # From the 〒 on (the draft had started the box after it, as after a printed label).
        moved = {**spec, "box": _round((min(frame[0], where[0] + 1.0), where[3] + 0.5, frame[2], frame[3]))}
        heading = str(postcode["label"]).removesuffix("郵便番号").strip()
        if heading and heading not in str(spec.get("label", "")):
            moved["label"] = heading
            moved["name"] = name_for(heading, names.taken)
            names.printed_here[moved["name"]] = heading
        out.append((box, moved))
    return out


def address_rows(
    fields: Sequence[dict[str, Any]], printed: Sequence[Printed], boxes: Sequence[PtBox]
) -> list[dict[str, Any]]:
    """The address rows of a cell whose 〒 line has nothing drafted under it: the cell is
    shaded (a label cell to the draft) and prints an instruction over its 〒 line — the
    資格取得届's 住所 row: 「日本年金機構に提出する際、…」, 「〒　―　　（フリガナ）」, the address
    written under them — so no text box was drafted, and a clerk drew the address and its
    reading every time. The address: under the 〒 line to the cell's bottom, from the 〒 to
    the first print in its rows (``printed`` with the brackets drawn as curves: the 理由's
    「（」); its フリガナ: after a printed フリガナ on the 〒 line, to the first print after it.
    Each where at least a text box's least size is left, nothing is printed and no drafted
    field lies (run after the choices: a row drafted beside a cell's options would hide
    them); a cell printing labels under its 〒 line (協会けんぽ's 住所変更届's 事業主 cell) is
    left to the admin."""
    taken = [box for spec in fields for box in field_boxes(spec)]
    names = {str(spec.get("name")) for spec in fields}
    found: list[dict[str, Any]] = []
    for postcode in (spec for spec in fields if is_printed_postcode(spec)):
        where = bounds(field_boxes(postcode))
        mark = next(
            (
                p
                for p in printed
                if p.text == "〒"
                and abs(p.centre[1] - (where[1] + where[3]) / 2) <= 3.0
                and 0 <= where[0] - p.box[2] <= 6.0
            ),
            None,
        )
        start = mark.box[0] if mark is not None else where[0]
        frame = _frame_of(((where[0] + where[2]) / 2, (where[1] + where[3]) / 2), boxes)
        if frame is None:
            continue
        region = _stacked_under(frame, boxes)
        top, bottom = where[3] + 0.5, region[3] - 0.5
        if bottom - top < POSTCODE_BELOW:
            continue  # the postcode fills its row: no line under it
        address = (
            min(start, frame[0] + TEXT_INSET),
            top,
            _print_after(where[2], (top, bottom), frame, printed),
            bottom,
        )
        if address[2] - address[0] < TEXT_MIN[0] or any(_overlap(address, box) for box in taken):
            continue
        if chars_in(address, printed):
            continue  # labels printed under the line (事業所等所在地, 名称 …): rows of their own
        heading = str(postcode.get("label", "")).removesuffix("郵便番号").strip() or "住所"
        base = name_for(heading if ADDRESS_HEADING.search(heading) else "住所", set())
        name = unique_name(base, names)
        found.append({"name": name, "label": heading, "type": "text", "box": _round(address)})
        reading = _reading_after(where, frame, printed)
        if reading is not None and not any(_overlap(reading, box) for box in taken):
            kana = unique_name(f"{base}_kana", names)
            spec = {"name": kana, "label": f"{heading} フリガナ", "type": "katakana", "box": _round(reading)}
            # Read against Japan Post's reading of the postcode's place (extractors.route).
            found.append({**spec, "reading_of": name})
    return found


#: A row heading that says it is an address.
ADDRESS_HEADING = re.compile(r"住\s*所|所在地")


def _print_after(start: float, rows: tuple[float, float], frame: PtBox, printed: Sequence[Printed]) -> float:
    """Where the first print after ``start`` in ``rows`` begins, within ``frame`` (a point
    short of it), or the frame's end less its inset where there is none."""
    after = [
        p.box[0]
        for p in printed
        if p.box[0] >= start
        and p.box[0] < frame[2]
        and min(p.box[3], rows[1]) - max(p.box[1], rows[0]) > 1.0
        and frame[1] <= p.centre[1] <= frame[3]
    ]
    return min(after) - 1.0 if after else frame[2] - TEXT_INSET


def _reading_after(where: PtBox, frame: PtBox, printed: Sequence[Printed]) -> PtBox | None:
    """The row after a フリガナ printed on a postcode's line (「〒　―　　（フリガナ）」), as high
    as the line, to the first print after it; None where none is printed or no room is left."""
    line = sorted(
        (p for p in printed if p.box[0] >= where[2] - 0.5 and where[1] <= p.centre[1] <= where[3]),
        key=lambda p: p.box[0],
    )
    text = "".join(p.text for p in line)
    found = KANA.search(text)
    if found is None:
        return None
    end = found.end() + (1 if text[found.end() : found.end() + 1] in ("）", ")") else 0)
    start = line[end - 1].box[2] + 1.0
    box = (start, where[1], _print_after(start, (where[1], where[3]), frame, printed), where[3])
    return box if box[2] - box[0] >= TEXT_MIN[0] else None


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3`` … the first not in ``taken`` (added to it)."""
    new, index = name, 2
    while new in taken:
        new, index = f"{name}_{index}", index + 1
    taken.add(new)
    return new


def is_printed_postcode(field: dict[str, Any]) -> bool:
    """Whether a drafted field is a postcode written after a printed 〒 (:func:`_printed_postcodes`):
    a line of its own at the top of its cell, not the cell's writing (the 資格取得届's address
    cell also prints the 理由 to circle where no address is given)."""
    segments = field.get("segments") or []
    return (
        field.get("type") == "digits"
        and str(field.get("label", "")).endswith("郵便番号")
        and [s[4] for s in segments if len(s) == 5] == [3, 4]
        and len({s[1] for s in segments}) == 1
    )


#: What a form prints before a postcode to write: its mark, or the word spelled out.
POSTCODE_WORD = "郵便番号"


def _postcode_marks(printed: Sequence[Printed]) -> list[Printed]:
    """Each printed 〒, and each 郵便番号 printed as one word (its characters side by side on
    one line), as one mark."""
    marks = [p for p in printed if p.text == "〒"]
    chars = sorted(printed, key=lambda p: (round(p.centre[1]), p.box[0]))
    size = len(POSTCODE_WORD)
    for index in range(len(chars) - size + 1):
        run = chars[index : index + size]
        if "".join(p.text for p in run) == POSTCODE_WORD and all(
            abs(a.centre[1] - b.centre[1]) <= 1.0 and -0.5 <= b.box[0] - a.box[2] <= 2.0
            for a, b in zip(run, run[1:], strict=False)
        ):
            marks.append(Printed(POSTCODE_WORD, bounds([p.box for p in run])))
    return marks


def _frame_of(point: tuple[float, float], boxes: Sequence[PtBox]) -> PtBox | None:
    """The smallest box holding ``point``."""
    holding = [b for b in boxes if inside(point, b)]
    return min(holding, key=_area) if holding else None


def _postcode_spans(
    start: float, dash: Printed | None, end: float, digit: float
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Where a postcode's 3 and 4 digits are written after a 〒 ending at ``start``: up to the
    printed ``dash`` and after it (the digits as wide as the first three's room, at least
    ``digit``), or without one 3 digits, a digit's room, 4 digits; none past ``end``. None
    where there is no room for them (print right after the 〒, a dash far off)."""
    if dash is not None:
        first = (start + 0.5, dash.box[0] - 1.0)
        if not 2 * digit <= first[1] - first[0] <= 6 * digit:
            return None
        digit = max(digit, (first[1] - first[0]) / 3)
        second = (dash.box[2] + 1.0, min(end, dash.box[2] + 1.0 + 4 * digit))
    else:
        first = (start + 0.5, start + 0.5 + 3 * digit)
        second = (first[1] + digit, min(end, first[1] + 5 * digit))
    if second[1] - second[0] < 3 * digit or first[1] > end:
        return None
    return first, second


def _stacked_under(frame: PtBox, boxes: Sequence[PtBox]) -> PtBox:
    """``frame`` with the boxes right under it as wide (a spreadsheet's row cut in slices by
    thin rectangles drawn over it): the row the writing has."""
    region = frame
    grown = True
    while grown:
        grown = False
        for box in boxes:
            if (
                abs(box[0] - region[0]) <= 2.0
                and abs(box[2] - region[2]) <= 2.0
                and 0.0 <= box[1] - region[3] <= 1.5
            ):
                region = (region[0], region[1], region[2], box[3])
                grown = True
    return region


def _row_label(mark: Printed, labels: Sequence[tuple[PtBox, str]]) -> str:
    """The heading of the row a printed mark is in: the nearest label to its left whose box
    spans the mark's line (「⑦住所」, the 事業所所在地 of a stacked label cell), its item mark
    left out; a list of options or an instruction is none."""
    left = [
        (mark.box[0] - lb[2], short)
        for lb, text in labels
        if (short := _label_part(text))
        and lb[2] <= mark.box[0] + 1.0
        and lb[1] - 1.0 <= mark.centre[1] <= lb[3] + 1.0
        and mark.box[0] - lb[2] <= LABEL_LEFT
    ]
    # A label cell printing several items (「①氏名」 over 「⑥住所」, joined): the last item's.
    return re.split(r"[①-⑳]", min(left)[1])[-1].strip() if left else ""


def _overlap(a: PtBox, b: PtBox) -> bool:
    """Whether two boxes overlap by more than a printed line's slack (2 pt) both ways."""
    return min(a[2], b[2]) - max(a[0], b[0]) > 2.0 and min(a[3], b[3]) - max(a[1], b[1]) > 2.0


def _date_label(cell: PtBox | None, printed: Sequence[Printed], where: PtBox) -> str:
    """A printed date's label: what its cell prints before it on its line (「事業主等受付年月日」),
    else what its line prints after it (「提出」 of 「日提出」: 提出年月日)."""
    if cell is not None:
        head = "".join(p.text for p in chars_in((cell[0], where[1], where[0] - 1.0, where[3]), printed))
        head = re.sub(r"(令和|平成|昭和)$", "", head)
        if WORDED.search(head):
            return head
    tail = "".join(
        p.text
        for p in sorted(printed, key=lambda p: p.box[0])
        if abs(p.centre[1] - (where[1] + where[3]) / 2) <= 3.0
        and where[2] - 0.5 <= p.box[0] <= where[2] + 40.0
    )
    return f"{tail[1:]}年月日" if tail.startswith("日") and len(tail) > 1 else "年月日"


def _tick_fields(
    page: _Sorted, words: Sequence[Printed], names: _Names
) -> list[tuple[PtBox, dict[str, Any]]]:
    """A checkbox per tick box, named by the word printed right of it."""
    drafted: list[tuple[PtBox, dict[str, Any]]] = []
    for box in page.ticks:
        right = (box[2], box[1] - 2, box[2] + 120, box[3] + 2)
        words_right = [w for w in words if inside(w.centre, right)]
        label = min(words_right, key=lambda w: w.box[0]).text if words_right else label_for(box, page.labels)
        spec = {"name": name_for(label, names.taken), "label": label, "type": "checkbox", "box": _round(box)}
        drafted.append((box, spec))
    return drafted


def _kana_inset(frame: PtBox) -> float:
    """How far (pt) a katakana box is drafted inside its frame up and down: the text inset,
    less where that would leave the row under :data:`KANA_HEIGHT`."""
    spare = (frame[3] - frame[1] - KANA_HEIGHT) / 2
    return min(TEXT_INSET, max(KANA_INSET, spare))


def _kana_rows_continued(
    texts: Sequence[PtBox], owns: dict[PtBox, str], label_of: dict[PtBox, str], kinds: dict[PtBox, str]
) -> set[PtBox]:
    """The text boxes continuing a フリガナ row: nothing printed in them, right of a katakana
    box of their row (touching, or nearly) under the same label or none (the 名's reading
    beside the 氏's, whose box alone prints 「(ﾌﾘｶﾞﾅ)」)."""
    kana = [box for box in texts if kinds[box] == "katakana"]
    continued: set[PtBox] = set()
    for box in texts:
        if kinds[box] != "text" or owns[box].strip():
            continue
        for row in kana:
            if (
                label_of[box] in (label_of[row], "")
                and abs(row[1] - box[1]) <= 2.0
                and abs(row[3] - box[3]) <= 2.0
                and -1.0 <= box[0] - row[2] <= ROW_JOIN
            ):
                continued.add(box)
                break
    return continued


def _field_box(field: dict[str, Any]) -> PtBox | None:
    box = field.get("box")
    if isinstance(box, list) and len(box) == 4:
        return (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
    return None


def _reading_gap(kana: PtBox, name: PtBox) -> float | None:
    """How far (pt) the box ``name`` is below the フリガナ box ``kana`` (overlapping across at
    least half the narrower) or beside it in its row (overlapping down at least half the
    lower); None when it is neither within :data:`READING_GAP`."""
    across = min(kana[2], name[2]) - max(kana[0], name[0])
    down = min(kana[3], name[3]) - max(kana[1], name[1])
    below = name[1] - kana[3]
    if across >= 0.5 * min(kana[2] - kana[0], name[2] - name[0]) and -2.0 <= below <= READING_GAP:
        return max(0.0, below)
    beside = max(name[0] - kana[2], kana[0] - name[2])
    if down >= 0.5 * min(kana[3] - kana[1], name[3] - name[1]) and -2.0 <= beside <= READING_GAP:
        return max(0.0, beside)
    return None


def propose_readings(fields: list[dict[str, Any]], printed_here: dict[str, str], kana_rows: set[str]) -> None:
    """Propose ``reading_of`` (the reader settles a kana read from the name's dictionary
    reading and spaces it as 氏 名): each katakana field printed as a フリガナ/カタカナ (or
    continuing such a row) reads the nearest text field printed as a name (氏名, 名前, its
    own (氏) or (名)) just below it or beside it. ``printed_here``: each field's label and
    what is printed in its box. A proposal, like a label or a type: the admin confirms it
    on the designer screen."""
    names = [
        (box, field["name"])
        for field in fields
        if field["type"] == "text"
        and (box := _field_box(field)) is not None
        and NAME_WORDS_PRINTED.search(printed_here.get(field["name"], ""))
    ]
    for field in fields:
        kana = _field_box(field)
        if field["type"] != "katakana" or kana is None:
            continue
        if not (field["name"] in kana_rows or READING_WORDS.search(printed_here.get(field["name"], ""))):
            continue
        near = [(gap, name) for box, name in names if (gap := _reading_gap(kana, box)) is not None]
        if near:
            field["reading_of"] = min(near)[1]


def _fields_of_runs(
    pieces: list[list[PtBox]],
    labels: Sequence[tuple[PtBox, str]],
    printed: Sequence[Printed],
    divider: Callable[[PtBox, PtBox], bool],
) -> list[list[list[PtBox]]]:
    """Runs of one row joined into one field when close together and under one heading (or
    none): 個人番号 in three runs of four, a date's era, year, month and day cells."""
    groups: list[list[list[PtBox]]] = []
    for run in sorted(pieces, key=lambda r: (round(r[0][1]), r[0][0])):
        if groups:
            last = groups[-1][-1]
            same_row = abs(last[0][1] - run[0][1]) <= 3.0 and abs(last[0][3] - run[0][3]) <= 6.0
            gap = run[0][0] - last[-1][2]
            between = text_between(last[-1], run[0], printed)
            dated = bool(re.fullmatch(r"[年月]", between)) or bool(ERA_PRINTED.search(between))
            short = len(between) <= 1 or dated
            heading = dated or (
                heading_of(run[0], labels) == heading_of(groups[-1][0][0], labels)
                and not _headed_apart(groups[-1][-1], run, labels)
            )
            apart = divider(last[-1], run[0])
            if (
                same_row
                and 0 < gap <= RUN_GAP + (60 if ERA_PRINTED.search(between) else 0)
                and short
                and heading
                and not apart
            ):
                groups[-1].append(run)
                continue
        groups.append([run])
    return groups


def _continued(groups: list[list[list[PtBox]]], printed: Sequence[Printed] = ()) -> list[list[list[PtBox]]]:
    """A row of cells right below another, starting where it starts and as wide or narrower,
    with nothing printed between: the same field's second row (a long フリガナ); never a date's
    row (six cells, 年 and 月 printed in them) continued: not the 資格取得届's 生年月日 over its
    取得年月日, nor the 資格喪失届's 喪失年月日 over the next row's first cell."""
    out: list[list[list[PtBox]]] = []
    for group in groups:
        first = group[0][0]
        for index, earlier in enumerate(out):
            above = earlier[-1]
            top = bounds([c for run in earlier for c in run])
            if (
                len(group) == 1
                and not _dated(above, printed)
                and abs(above[0][0] - first[0]) <= 2.0
                and 0 <= first[1] - top[3] <= 8.0
                and bounds(group[0])[2] <= top[2] + 2
            ):
                out[index] = [*earlier, group[0]]
                break
        else:
            out.append(group)
    return out


def _dated(run: list[PtBox], printed: Sequence[Printed]) -> bool:
    """A run of six cells with 年 and 月 printed in it: a date's YYMMDD."""
    text = "".join(p.text for p in chars_in(bounds(run), printed))
    return len(run) == 6 and "年" in text and "月" in text


def _words_over(run: list[PtBox], labels: Sequence[tuple[PtBox, str]]) -> set[PtBox]:
    """The printed words right above a run of cells (within 15 pt, over one of its cells)."""
    return {
        lb
        for lb, _ in labels
        if any(lb[0] < c[2] and c[0] < lb[2] and 0 <= c[1] - lb[3] <= 15.0 for c in run)
        and lb[3] - lb[1] < 15
    }


def _headed_apart(left: list[PtBox], right: list[PtBox], labels: Sequence[tuple[PtBox, str]]) -> bool:
    """Two runs under printed headings of their own (記号（左づめ） and 番号（左づめ））."""
    over_left, over_right = _words_over(left, labels), _words_over(right, labels)
    return bool(over_left) and bool(over_right) and not (over_left & over_right)


#: A printed 年/月/日 belongs to a date drawn round it when its centre is this close (pt) to the
#: date's rectangle (日 is often printed just past the writing, at the rectangle's edge).
DATE_WORD_REACH = 8.0


def printed_date_parts(
    box: PtBox, printed: Sequence[Printed], boxes: Sequence[PtBox] = ()
) -> tuple[PtBox, PtBox, PtBox] | None:
    """A date drawn as one rectangle, cut between the printed 年, 月 and 日 in it: where no
    cells are printed (「令和　年　月　日提出」) the year before 年, the month between 年 and 月,
    the day between 月 and 日 (or the rectangle's end when 日 lies beyond it); where each is
    printed in a cell of its own among the blank's ``boxes`` (a 年 in the corner of the year's
    last cell, :func:`printed_cell_parts`) each part its cells, border to border. None unless
    年 and 月 are printed in its row, in that order, inside it (then equal thirds stay)."""
    middle = (box[1] + box[3]) / 2
    row = sorted(
        (
            p
            for p in printed
            if (p.box[1] <= middle <= p.box[3] or box[1] <= p.centre[1] <= box[3])
            and box[0] - 1.0 <= p.centre[0] <= box[2] + DATE_WORD_REACH
        ),
        key=lambda p: p.box[0],
    )
    year = next((p for p in row if p.text == "年" and p.centre[0] <= box[2]), None)
    month = next((p for p in row if year is not None and p.text == "月" and p.box[0] >= year.box[2]), None)
    if year is None or month is None or month.centre[0] > box[2]:
        return None
    day = next((p for p in row if p.text.startswith("日") and p.box[0] >= month.box[2]), None)
    celled = printed_cell_parts(box, (year, month, day), printed, boxes)
    if celled is not None:
        return celled
    end = min(box[2], day.box[0]) if day is not None else box[2]
    if not (box[0] < year.box[0] and year.box[2] < month.box[0] and month.box[2] < end):
        return None
    top, bottom = box[1], box[3]
    cuts = [(box[0], year.box[0]), (year.box[2], month.box[0]), (month.box[2], end)]
    year_part, month_part, day_part = ((round(a, 1), top, round(b, 1), bottom) for a, b in cuts)
    return year_part, month_part, day_part


def printed_cell_parts(
    box: PtBox,
    words: tuple[Printed, Printed, Printed | None],
    printed: Sequence[Printed],
    boxes: Sequence[PtBox],
) -> tuple[PtBox, PtBox, PtBox] | None:
    """A date drawn over printed cells, its 年, 月 (and 日) ``words`` each in a cell of its own
    (the 被扶養者（異動）届's 「□□年□□月□□日」, each printed small in the corner of its part's last
    cell): the year from the first cell in the rectangle up to the 年's cell's right border, the
    month on from there to the 月's, the day on to the 日's (or the last cell in the rectangle),
    top and bottom the cells' own (the corner print lies inside the part; the reader takes the
    blank's print off the writing). Cells holding other print (an era's 「9.令和」) are no part.
    None where the words share a cell or lie in none (「令和　年　月　日」 in one cell)."""
    middle = (box[1] + box[3]) / 2

    def cell_of(word: Printed) -> PtBox | None:
        holding = [b for b in boxes if inside(word.centre, b) and b[1] <= middle <= b[3]]
        return min(holding, key=_area) if holding else None

    year_cell, month_cell = cell_of(words[0]), cell_of(words[1])
    day_cell = cell_of(words[2]) if words[2] is not None else None
    marked = [c for c in (year_cell, month_cell, day_cell) if c is not None]
    if year_cell is None or month_cell is None or len(set(marked)) < len(marked):
        return None
    if any(c[2] - c[0] > 0.5 * (box[2] - box[0]) for c in marked):
        return None  # a cell as wide as the date: the date's one line, no cells of its own
    top, bottom = year_cell[1], year_cell[3]
    cells = sorted(
        (
            c
            for c in boxes
            if abs(c[1] - top) <= 2.0
            and abs(c[3] - bottom) <= 2.0
            and box[0] <= (c[0] + c[2]) / 2 <= box[2]
            and (c in marked or not chars_in(c, printed))
        ),
        key=lambda c: c[0],
    )
    ends = [year_cell[2], month_cell[2], day_cell[2] if day_cell is not None else max(c[2] for c in cells)]
    parts: list[PtBox] = []
    start = box[0]
    for end in ends:
        own = [c for c in cells if c[0] >= start - 1.0 and c[2] <= end + 1.0]
        if not own:
            return None
        part = bounds(own)
        parts.append((round(part[0], 1), round(part[1], 1), round(part[2], 1), round(part[3], 1)))
        start = end
    return parts[0], parts[1], parts[2]
