"""A choice's options proposed from its blank form: one gesture instead of one box per option.

Contract: :func:`read_blank` reads a one-page blank PDF once (its printed characters and words
from the text layer with pdfplumber, its □ tick boxes from the vector drawing and the □
characters, and the page rendered for □ printed as pictures). :func:`propose_choice` takes a
rectangle drawn round the printed options and returns a :class:`ChoiceProposal`: ✓ (``tick``)
with one option per □ inside it (drawn, typed, or only pixels — a picture □ smaller than a
printed rule, 「□ 発行が必要」, too), valued by the word printed beside each □; else ○
(``circle``) with one option per printed word or numbered item inside it (「1.男 2.女」,
「昭和・平成・令和」, 「同居・別居」), its box the printed item. :func:`propose_ticks` does the same
for tick boxes already drafted (the designer's 「選択肢にまとめる」). A lone □ (or a lone word to
circle) is no choice of one option: it is proposed as a ``checkbox`` (marked or not), labelled
by the word printed beside it.

Numbered items (two or more numbers 「1．」「(2)」「③」 inside the rectangle): an item runs from
its number to the next number, separators and brackets included (「1．健保・厚年」 is one
option), and a line under it in its column with no number continues it (「7．坑内員」 /
「（基金）」). Print with no number that continues no item — an instruction 「※…」, a sentence
「該当する項目を○で囲んでください。」 above the items, a cell's own 「⑥」 — is no option (nor is
an instruction line where nothing is numbered). A bracketed note is left out of an option's
word and box (「4.退職等（令和 年 月 日退職等）」 is 退職等) unless two items would otherwise
share a word: then it is kept (「5．男（基金）」 beside 「1．男」 is 男(基金), boxed with its note).

Values (what the API and the exports carry; reviewers see each option's printed words, its
``label``, which the designer keeps as the template's ``option_labels``): :func:`option_value`
of the word — the English value our own forms use for a known word (男 ``male``, 昭和 ``showa``,
その他 ``other``, 坑内員 ``mine_worker``, 死亡 ``death`` …; a kept note adds its own: 男(基金)
``male_fund``; 「75歳到達」 ``age_75``), else the word romanised (Hepburn, its words joined by
``_``: 短期在留 ``tanki_zairyuu``), else the word itself. A numbered item is valued by its word,
never its printed number (``mine_worker_fund``, not ``7`` or ``n7_kounai_in_kikin``): the number
is the insurer's code, not what a reviewer reads; where two options would take one value the
second is ``…_2``, and an option with no word is ``option_N``. A proposal, like the draft:
the admin corrects a value on the designer screen. :class:`NoChoice` (a Japanese message)
when the rectangle holds neither □ nor printed words.

A printed item the rectangle's edge cuts (a rectangle started inside 「1.留学」's number, or
through 「5.昭和」) is taken whole when its print reaches into the rectangle (at least half its
characters, each at least :data:`REACHES_IN` inside), else left out whole, none of its
characters an option's; either way the proposal names it (:attr:`ChoiceProposal.taken_whole`, :attr:`ChoiceProposal.left_out`) and
:meth:`ChoiceProposal.edge_note` says so in Japanese, so that no option goes missing unsaid.
"""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import pdfplumber

from extractors.onboard.blank import render, words_from
from extractors.onboard.draft import (
    DUPLICATE_CHAR_PT,
    NAME_WORDS,
    Printed,
    bounds,
    chars_in,
    inside,
    is_tick,
    label_boxes,
    label_for,
    printed_from,
)
from extractors.onboard.geometry import (
    closed_boxes,
    kept_while_unchanged,
    raster_mask,
    segment_mask,
    vector_segments,
)
from extractors.onboard.naming import options_kind, printed_down
from extractors.template import PtBox

#: The page rendered at this resolution to find □ printed as pictures (no drawing, no text).
RASTER_DPI = 200
#: A rectangle is searched this much (pt) beyond its edges for the rules of a □ it cuts.
RASTER_MARGIN = 8.0
#: A □ found only as pixels has at least this much (pt) blank paper beside it, left or right.
SET_APART = 2.0
#: How far (pt) right of a □ its printed label may start; left of it, if none is right.
TICK_LABEL_REACH = 150.0
#: Within a line, a gap wider than this share of the characters' height parts two options.
ITEM_GAP = 0.45
#: Printed smaller than this share of the rectangle's usual print: a note (「注1」), no option.
NOTE_SIZE = 0.75
#: A label that lets several options be marked (「（複数可）」, 「複数選択」, 「すべて」).
SEVERAL = re.compile(r"複数|すべて|全て")
#: A character at least this share of which lies inside the rectangle reaches into it; a
#: printed item the rectangle's edge cuts is taken whole when half its characters do, else it
#: is left out whole and named on the screen.
REACHES_IN = 0.25
#: A left-out item longer than this (characters of its word) is a sentence, not named.
NAMED_LONGEST = 12
#: A romanised value is cut (at a word) to at most this many characters.
VALUE_LONGEST = 40
#: Characters that part options printed on one line (「男・女」, 「有／無」).
SEPARATORS = frozenset("・･/／|｜、,，")
BOX_CHARS = frozenset("□☐")
#: A numbered item's number: 「1.」「２．」「(3)」「①」, and the word after it.
NUMBERED = re.compile(r"^(?:[(（][0-9０-９]{1,2}[)）]|[0-9０-９]{1,2}[.．:：)）]?|[①-⑳])")
#: Known words and the values our own forms give them (the rest are romanised).
KNOWN_VALUES = {
    "男": "male",
    "男性": "male",
    "女": "female",
    "女性": "female",
    "明治": "meiji",
    "大正": "taisho",
    "昭和": "showa",
    "平成": "heisei",
    "令和": "reiwa",
    "同居": "together",
    "別居": "apart",
    "有": "yes",
    "有り": "yes",
    "あり": "yes",
    "はい": "yes",
    "無": "no",
    "無し": "no",
    "なし": "no",
    "いいえ": "no",
    "増": "add",
    "減": "remove",
    "新規": "new",
    "再交付": "reissue",
    "本人": "self",
    "被保険者": "insured",
    "被保険者本人": "insured",
    "新規交付": "new",
    "住所": "address",
    "氏名": "name",
    "婚姻": "marriage",
    "離婚": "divorce",
    "紛失": "lost",
    "盗難": "stolen",
    "焼失": "burned",
    "被扶養者": "dependent",
    "配偶者": "spouse",
    "その他": "other",
    "坑内員": "mine_worker",
    "基金": "fund",
    "退職": "retirement",
    "退職等": "retirement",
    "死亡": "death",
    "障害認定": "disability",
    "社会保障協定": "social_security_agreement",
    "他": "other",
    # 続柄 (a dependant's relationship to the insured): 「夫（未届）」 is a husband by a marriage
    # not registered, ``husband_common_law``.
    "夫": "husband",
    "妻": "wife",
    "未届": "common_law",
    "子": "child",
    "実子": "child",
    "養子": "adopted_child",
    "父母": "parents",
    "養父母": "adoptive_parents",
    "義父母": "parents_in_law",
    "祖父母": "grandparents",
    "曽祖父母": "great_grandparents",
    "兄姉": "elder_siblings",
    "弟妹": "younger_siblings",
    "兄弟姉妹": "siblings",
    "孫": "grandchild",
    # 職業 and the reasons a dependant is added or removed.
    "無職": "unemployed",
    "パート": "part_time",
    "年金受給者": "pensioner",
    "学生": "student",
    "小・中学生以下": "junior_high_or_younger",
    "高・大学生": "high_school_or_university",
    "就職": "employment",
    "離職": "left_job",
    "収入減": "income_decrease",
    "収入減少": "income_decrease",
    "収入増加": "income_increase",
    "出生": "birth",
    "配偶者の就職": "spouse_employment",
    # Why one living abroad still is a dependant (海外特例要件), or no longer is.
    "留学": "study_abroad",
    "同行家族": "accompanying_family",
    "特定活動": "designated_activities",
    "海外婚姻": "marriage_abroad",
    "国内転入": "moved_to_japan",
    "該当": "applicable",
    "非該当": "not_applicable",
    # The 協会けんぽ forms' 海外特例要件 (a dependent living abroad) ○ 該当 / 非該当.
    "海外特例要件該当": "overseas_exception_applicable",
    "海外特例要件非該当": "overseas_exception_not_applicable",
    "変更": "change",
    # Which telephone (「1.自宅 2.携帯 3.勤務先」).
    "自宅": "home",
    "携帯": "mobile",
    "勤務先": "work",
    "都": "to",
    "道": "do",
    "府": "fu",
    "県": "ken",
}
#: A choice's name from its printed label, before the draft's words (``choice`` otherwise).
CHOICE_NAMES = [
    ("続柄", "relationship"),  # before 性別: 「性別（続柄）」 offers 夫・妻
    ("性別", "sex"),
    ("職業", "occupation"),
    ("元号", "era"),
    ("同居", "living"),
    ("備考", "note"),
]


class NoChoice(ValueError):
    """Nothing to propose options from; the message is Japanese, for the admin."""


@dataclass(frozen=True)
class BlankPrint:
    """What a one-page blank prints: characters and words (text layer), the □ found in its
    drawing and text, and the page rendered in grey (for □ printed as pictures)."""

    size: tuple[float, float]
    chars: tuple[Printed, ...]
    words: tuple[Printed, ...]
    ticks: tuple[PtBox, ...]
    gray: npt.NDArray[np.uint8]
    #: The closed boxes its printed lines make (label cells among them).
    boxes: tuple[PtBox, ...] = ()


@dataclass(frozen=True)
class ProposedOption:
    """One option: its value, the printed word it was named from, and its box (points)."""

    value: str
    label: str
    box: PtBox


@dataclass(frozen=True)
class ChoiceProposal:
    """A choice field as proposed: how it is marked, a name and the printed label near it,
    its options in reading order (or in the order of the □ given), and its type: ``choice``
    (one), ``checkbox_group`` where the label says several may be marked (「複数可」), or
    ``checkbox`` for a lone □ or word (its one option's box is the checkbox's)."""

    style: str
    name: str
    label: str
    options: tuple[ProposedOption, ...]
    type: str = "choice"
    #: Printed items the rectangle's edge cut, taken whole (「1.留学」), as printed.
    taken_whole: tuple[str, ...] = ()
    #: Printed items the rectangle's edge only touched, left out (the admin draws again).
    left_out: tuple[str, ...] = ()

    def edge_note(self) -> str:
        """What the rectangle's edge cut, in Japanese for the admin (empty when nothing)."""
        return edge_note(self.taken_whole, self.left_out)

    def as_json(self) -> dict[str, Any]:
        """The proposal as the designer screen takes it (a ``checkbox`` with its one ``box``;
        ``edge``: :meth:`edge_note`)."""
        shown: dict[str, Any] = {
            "type": self.type,
            "style": self.style,
            "name": self.name,
            "label": self.label,
            "options": [
                {"value": o.value, "label": o.label, "box": [round(v, 1) for v in o.box]}
                for o in self.options
            ],
            "taken_whole": list(self.taken_whole),
            "left_out": list(self.left_out),
            "edge": self.edge_note(),
        }
        if self.type == "checkbox":
            shown["box"] = shown["options"][0]["box"]
        return shown


def read_blank(pdf: bytes) -> BlankPrint:
    """A one-page blank's print (see the module's contract)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        # A character printed two or three times over itself (a bold 年/月/日) is one.
        sheet = document.pages[0].dedupe_chars(tolerance=DUPLICATE_CHAR_PT)
        size = (float(sheet.width), float(sheet.height))
        segments = vector_segments(sheet)
        chars = printed_from(sheet.chars)
        words = words_from(sheet)
    gray = np.asarray(render(pdf, RASTER_DPI).convert("L"), dtype=np.uint8)
    boxes = closed_boxes(segment_mask(segments, size) if segments else raster_mask(gray, size))
    drawn = [b for b in boxes if is_tick(b)] if segments else []
    ticks = [*drawn, *(p.box for p in chars if p.text in BOX_CHARS)]
    return BlankPrint(size, tuple(chars), tuple(words), tuple(ticks), gray, tuple(boxes))


#: :func:`read_blank` of the blank PDF at a path, kept while the file is unchanged.
blank_print = kept_while_unchanged(read_blank)


def propose_choice(blank: BlankPrint, area: PtBox) -> ChoiceProposal:
    """The choice printed in ``area``: ✓ when □ lie in it, else ○ round its printed words."""
    ticks = ticks_in(blank, area)
    if ticks:
        return _tick_proposal(blank, ticks, _label_near(blank, area))
    edge = edge_items(blank.chars, area, blank.boxes)
    dropped = {id(c) for _, _, chars in edge.left_out for c in chars}
    printed = _reading([*(c for c in chars_in(area, blank.chars) if id(c) not in dropped), *edge.chars])
    kept = options_print(printed, blank.boxes)
    # A heading caught in the rectangle (「⑪ 職業」 left of the options) is no option but
    # their label: looked for round the options' own print.
    label = _label_near(blank, bounds([p.box for p in kept]) if len(kept) < len(printed) else area)
    items = circled_items(kept)
    # Only cut items of the options' own cells are named (another cell's print is no option).
    cells = {_cell_of(p.centre, blank.boxes) for p in kept}
    taken = tuple(
        text
        for text, cell, chars in edge.taken
        if cell in cells and any(inside(c.centre, box) for c in chars for _, box in items)
    )
    # Where the options are numbered, print without a number is none (a write-in's 「年生）」).
    numbered = bool(_item_numbers(kept))
    left_out = tuple(
        text
        for text, cell, _ in edge.left_out
        if (cell in cells or not kept) and _named(text) and (not numbered or NUMBERED.match(text))
    )
    if not items:
        raise NoChoice(
            "囲んだ中に □ も印刷された語も見つかりません。選択肢の印刷された所を囲んでください"
            + (f"（{edge_note((), left_out)}）" if left_out else "")
        )
    options = _valued([(word, box) for word, box in items])
    if len(options) == 1:
        return dataclasses.replace(_lone(options[0], "circle", label), taken_whole=taken, left_out=left_out)
    # Options that say what the choice is (男/女, 同居/別居, 該当/非該当/変更) name it where the
    # label near the rectangle does not (the row above's 「住所」 over a 該当/非該当/変更 cell).
    kind = options_kind(o.value for o in options)
    if kind is not None and kind[1] not in label:
        return ChoiceProposal("circle", kind[0], kind[1], options, "choice", taken, left_out)
    return ChoiceProposal("circle", _name_for(label), label, options, _type_for(label), taken, left_out)


def edge_note(taken: Sequence[str], left_out: Sequence[str]) -> str:
    """The Japanese sentence naming the printed items the rectangle's edge cut: those taken
    whole, and those left out (to be drawn again); empty when it cut none."""
    said = []
    if taken:
        said.append(f"枠の端で切れた {'・'.join(f'「{t}」' for t in taken)} は丸ごと選択肢に入れました。")
    if left_out:
        said.append(
            f"枠の端にかかった {'・'.join(f'「{t}」' for t in left_out)} は選択肢に入れていません。"
            "入れるときは、その語まで囲み直してください。"
        )
    return "".join(said)


@dataclass(frozen=True)
class EdgeItems:
    """The printed items a rectangle's edge cuts (each its text as printed, its printed cell
    and its characters): those taken whole, with the characters outside the rectangle they add
    (``chars``), and those left out."""

    chars: tuple[Printed, ...]
    taken: tuple[tuple[str, PtBox | None, tuple[Printed, ...]], ...]
    left_out: tuple[tuple[str, PtBox | None, tuple[Printed, ...]], ...]


def edge_items(chars: Sequence[Printed], area: PtBox, cells: Sequence[PtBox]) -> EdgeItems:
    """The printed items (:func:`printed_items`) among ``chars`` that ``area``'s edge cuts: an
    item partly inside is taken whole when at least half its characters have
    :data:`REACHES_IN` of themselves inside (its print reaches into the rectangle), else it is
    left out whole. Items are read per printed cell (``cells``), so none runs into a
    neighbour's."""
    touched = [c for c in chars if _share_inside(c.box, area) > 0]
    if not touched:
        return EdgeItems((), (), ())
    height = max(c.box[3] - c.box[1] for c in touched)
    near = [c for c in chars if area[1] - height <= c.centre[1] <= area[3] + height]
    by_cell: dict[PtBox | None, list[Printed]] = {}
    for char in near:
        by_cell.setdefault(_cell_of(char.centre, cells), []).append(char)
    added: list[Printed] = []
    taken, left = [], []
    for cell, printed in by_cell.items():
        for item in printed_items(printed):
            shares = [_share_inside(c.box, area) for c in item]
            centred = [inside(c.centre, area) for c in item]
            if all(centred) or max(shares) <= 0:
                continue  # wholly inside, or untouched
            found = (unicodedata.normalize("NFKC", "".join(c.text for c in item)), cell, tuple(item))
            if 2 * sum(share >= REACHES_IN for share in shares) >= len(item):
                added.extend(c for c, c_in in zip(item, centred, strict=True) if not c_in)
                taken.append(found)
            else:
                left.append(found)
    return EdgeItems(tuple(added), tuple(taken), tuple(left))


def printed_items(chars: Sequence[Printed]) -> list[list[Printed]]:
    """``chars`` as printed items, each a run of characters on one line (no gap wider than
    :data:`ITEM_GAP` of their height) cut where a number begins an item (「1.留学」, 「5.昭和」),
    or, in a run with no number, at a separator (「昭和・平成」); a bracketed note after a word
    is an item of its own (「減」 and 「（被扶養者でなくなった）」: an option is its word)."""
    items: list[list[Printed]] = []
    for line in _lines(chars):
        runs: list[list[Printed]] = []
        for char in line:
            last = runs[-1][-1] if runs else None
            if last is not None and char.box[0] - last.box[2] <= ITEM_GAP * (char.box[3] - char.box[1]):
                runs[-1].append(char)
            else:
                runs.append([char])
        for run in runs:
            numbered = any(_starts_number(run, at) for at in range(len(run)))
            piece: list[Printed] = []
            for at, char in enumerate(run):
                note = char.text in "（(" and bool(piece) and bool(re.match(r"\w", piece[-1].text))
                if piece and (note or (numbered and _starts_number(run, at))):
                    items.append(piece)
                    piece = []
                if not numbered and char.text in SEPARATORS:
                    if piece:
                        items.append(piece)
                    piece = []
                    continue
                piece.append(char)
            if piece:
                items.append(piece)
    return items


def _named(text: str) -> bool:
    """Whether a left-out printed item would have made an option, so that the screen names it:
    a word besides its number, no instruction nor sentence (:data:`NAMED_LONGEST`)."""
    number = NUMBERED.match(text)
    rest = text[number.end() :] if number else text
    if text.startswith(("（", "(")):  # a bracketed note: no option's word
        return False
    return bool(re.search(r"\w", rest)) and not _instruction(text) and len(core_word(text)) <= NAMED_LONGEST


def _share_inside(box: PtBox, area: PtBox) -> float:
    """The share of ``box`` lying inside ``area`` (0 to 1)."""
    width = min(box[2], area[2]) - max(box[0], area[0])
    height = min(box[3], area[3]) - max(box[1], area[1])
    whole = (box[2] - box[0]) * (box[3] - box[1])
    return max(0.0, width) * max(0.0, height) / whole if whole > 0 else 0.0


def _reading(chars: Sequence[Printed]) -> list[Printed]:
    """Characters in :func:`chars_in`'s reading order."""
    return sorted(chars, key=lambda p: (round(p.box[1] / 4), p.box[0]))


def options_print(printed: Sequence[Printed], cells: Sequence[PtBox]) -> list[Printed]:
    """The characters of a rectangle that may be options: those printed in the cell holding
    its options (the one with the most numbered items, else with the most print that reads as
    options), and in another printed cell only where that cell's numbered items carry on its
    numbering (「1.該当」 in the row above 「2.非該当 3.変更」). Print of another cell caught by
    a rectangle drawn a little wide — the heading left of the options (「⑪ 職業」), the next
    cell's 「⑫ 収入（年収）」 or 「〒」 — is none, nor is a neighbour's own list (numbered from
    1 again)."""
    groups: dict[PtBox | None, list[Printed]] = {}
    for char in printed:
        groups.setdefault(_cell_of(char.centre, cells), []).append(char)
    if len(groups) < 2:
        return list(printed)
    numbers = {cell: _item_numbers(chars) for cell, chars in groups.items()}
    main = max(groups, key=lambda c: (len(numbers[c]), bool(circled_items(groups[c])), len(groups[c])))
    kept = {main} | {
        cell for cell in groups if numbers[main] and numbers[cell] and not numbers[cell] & numbers[main]
    }
    return [char for char in printed if _cell_of(char.centre, cells) in kept]


def _cell_of(point: tuple[float, float], cells: Sequence[PtBox]) -> PtBox | None:
    """The smallest printed cell holding ``point`` (None outside every closed cell)."""
    holding = [cell for cell in cells if inside(point, cell)]
    return min(holding, key=lambda c: (c[2] - c[0]) * (c[3] - c[1])) if holding else None


def _item_numbers(chars: Sequence[Printed]) -> set[int]:
    """The numbers of the numbered items among ``chars`` (「1.」「(2)」, a word after it on its
    line); a circled 「⑪」 is a heading's item mark, no option's number."""
    found: set[int] = set()
    for line in _lines(chars):
        for at in range(len(line)):
            if not _starts_number(line, at) or re.match(r"[①-⑳]", line[at].text):
                continue
            text = "".join(p.text for p in line[at:])
            number = NUMBERED.match(text)
            if number and re.match(r"\s*\w", text[number.end() :]):
                found.add(int(re.sub(r"\D", "", unicodedata.normalize("NFKC", number.group(0)))))
    return found


def propose_ticks(blank: BlankPrint, ticks: Sequence[PtBox]) -> ChoiceProposal:
    """One ✓ choice of the tick boxes ``ticks`` (drafted, picked on the screen), in their
    order, each valued by the word printed beside it."""
    if not ticks:
        raise NoChoice("まとめるチェック欄（□）を選んでください")
    return _tick_proposal(blank, list(ticks), _label_near(blank, bounds(list(ticks))))


def _tick_proposal(blank: BlankPrint, ticks: list[PtBox], label: str) -> ChoiceProposal:
    words = [tick_label(blank, tick, ticks) for tick in ticks]
    options = _valued([(core_word(word), tick) for word, tick in zip(words, ticks, strict=True)])
    # The option keeps the whole printed label (「再交付（紛失・盗難・毀損等）」), valued by its word.
    labelled = tuple(ProposedOption(o.value, word, o.box) for o, word in zip(options, words, strict=True))
    if len(labelled) == 1:
        return _lone(labelled[0], "tick", label)
    return ChoiceProposal("tick", _name_for(label), label, labelled, _type_for(label))


def _lone(option: ProposedOption, style: str, near: str) -> ChoiceProposal:
    """A lone □ (or a lone word to circle) is no choice among options but a ``checkbox``:
    marked or not. Its label is the word printed beside it (「被保険者と配偶者は同居している」),
    else the label near the rectangle; named from that label (``checkbox`` otherwise)."""
    label = option.label or near
    name = _name_for(label)
    return ChoiceProposal(style, "checkbox" if name == "choice" else name, label, (option,), "checkbox")


def printed_labels(blank: BlankPrint, options: Sequence[tuple[str, PtBox]], style: str) -> dict[str, str]:
    """Each option's printed label, for a template made before labels were kept
    (``option_labels``): for ✓ the word printed beside its □, for ○ the word printed in its box
    (without its number); an option with nothing printed there is left out."""
    boxes = [box for _, box in options]
    labels: dict[str, str] = {}
    for value, box in options:
        if style == "circle":
            items = circled_items(chars_in(box, blank.chars))
            label = items[0][0] if len(items) == 1 else ""
        else:
            label = tick_label(blank, box, boxes)
        if label:
            labels[value] = label
    return labels


def ticks_in(blank: BlankPrint, area: PtBox) -> list[PtBox]:
    """The □ inside ``area``, in reading order: drawn or printed as □ characters, and those
    only rendered (pictures) found on the rendered page."""
    found = [t for t in blank.ticks if inside(_centre(t), area)]
    for tick in _raster_ticks(blank, area):
        if not any(inside(_centre(tick), other) or inside(_centre(other), tick) for other in found):
            found.append(tick)
    return sorted(found, key=lambda t: (round(t[1] / 4), t[0]))


def _raster_ticks(blank: BlankPrint, area: PtBox) -> list[PtBox]:
    """The □ in ``area`` as the rendered page shows them, not inside a printed character (the
    enclosed parts of 口 or 日): closed regions of a □'s size between printed rules, and □
    smaller than a rule (sides under 6 pt, 「□ 発行が必要」) found as hollow squares of ink."""
    scale = RASTER_DPI / 72
    x0, y0 = max(0.0, area[0] - RASTER_MARGIN), max(0.0, area[1] - RASTER_MARGIN)
    x1, y1 = min(blank.size[0], area[2] + RASTER_MARGIN), min(blank.size[1], area[3] + RASTER_MARGIN)
    crop = blank.gray[round(y0 * scale) : round(y1 * scale), round(x0 * scale) : round(x1 * scale)]
    if crop.shape[0] < 8 or crop.shape[1] < 8:
        return []
    letters = [p.box for p in blank.chars if p.text not in BOX_CHARS]
    found: list[PtBox] = []
    crop = np.ascontiguousarray(crop)
    for box in closed_boxes(raster_mask(crop, (x1 - x0, y1 - y0))):
        # The region is the □'s inside: its frame is some half a point further out.
        found.append((box[0] + x0 - 0.5, box[1] + y0 - 0.5, box[2] + x0 + 0.5, box[3] + y0 + 0.5))
    for box in _hollow_squares(crop, scale):
        tick = (box[0] + x0, box[1] + y0, box[2] + x0, box[3] + y0)
        if not any(inside(_centre(tick), other) for other in found):
            found.append(tick)
    kept = [
        (round(t[0], 1), round(t[1], 1), round(t[2], 1), round(t[3], 1))
        for t in found
        if is_tick(t) and inside(_centre(t), area) and not any(inside(_centre(t), b) for b in letters)
    ]
    return kept


def _hollow_squares(gray: npt.NDArray[np.uint8], scale: float) -> list[PtBox]:
    """□ drawn as pixels (points from the crop's corner, ``scale`` px/pt): a connected run of
    ink of a □'s size whose four sides are ink along their length and whose inside is blank."""
    ink = np.asarray(gray < 128, dtype=np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    squares: list[PtBox] = []
    for index in range(1, count):
        x, y, w, h = (int(v) for v in stats[index][:4])
        box = (x / scale, y / scale, (x + w) / scale, (y + h) / scale)
        if not is_tick(box) or min(w, h) < 9:
            continue
        frame = labels[y : y + h, x : x + w] == index
        sides = (
            frame[:2].any(axis=0),
            frame[-2:].any(axis=0),
            frame[:, :2].any(axis=1),
            frame[:, -2:].any(axis=1),
        )
        within = ink[y + 3 : y + h - 3, x + 3 : x + w - 3]
        if (
            min(float(side.mean()) for side in sides) >= 0.9
            and float(within.mean()) <= 0.02
            and _set_apart(ink, (x, y, w, h), scale)
        ):
            squares.append(box)
    return squares


def _set_apart(ink: npt.NDArray[np.uint8], square: tuple[int, int, int, int], scale: float) -> bool:
    """Whether a square of ink has blank paper beside it, left or right (a □ before or after its
    words), unlike 口 set amid the characters of a line (「窓口へ」 on a scanned blank)."""
    x, y, w, h = square
    band = max(round(SET_APART * scale), round(0.4 * w))
    left = ink[y : y + h, max(0, x - band) : x]
    right = ink[y : y + h, x + w : x + w + band]
    return not left.any() or not right.any()


def tick_label(blank: BlankPrint, tick: PtBox, others: Sequence[PtBox] = ()) -> str:
    """The word printed beside a □: the first to its right in its row (before the next □),
    else the last to its left; empty when none."""
    row = [w for w in blank.words if tick[1] - 2 <= w.centre[1] <= tick[3] + 2 and w.text not in BOX_CHARS]
    stops = [o[0] for o in others if o[0] > tick[2] and abs(_centre(o)[1] - _centre(tick)[1]) <= 4]
    stop = min([*stops, tick[2] + TICK_LABEL_REACH])
    right = sorted((w for w in row if tick[2] - 1 <= w.box[0] < stop), key=lambda w: w.box[0])
    if right:
        # A number printed apart from its words (「1.」 then 「マイナンバーカードを…」) takes them.
        text = right[0].text
        for word in right[1:]:
            if not NUMBERED.fullmatch(text):
                break
            text += word.text
        return _clean(text)
    left = [w for w in row if tick[0] - TICK_LABEL_REACH <= w.box[2] <= tick[0] + 1]
    return _clean(max(left, key=lambda w: w.box[2]).text) if left else ""


def _clean(text: str) -> str:
    """A printed label without a leading □, an opening bracket left open (「その他（」) or a
    closing one and a full stop it does not open (「…同居している。）」)."""
    text = text.lstrip("".join(BOX_CHARS)).strip()
    text = re.sub(r"[（(][^）)]*$", "", text).strip() or text
    while text and text[-1] in "）)" and text.count(text[-1]) > text.count("（" if text[-1] == "）" else "("):
        text = text[:-1].rstrip("。．.、")
    return text.rstrip("。．")


def core_word(text: str) -> str:
    """The word an option is valued by: its printed text without its number (「1.」「(2)」「③」)
    and a bracketed note after it (「再交付（紛失・盗難・毀損等）」 is 再交付); the text itself
    when nothing else is left."""
    number = NUMBERED.match(text)
    rest = text[len(number.group(0)) :] if number and len(number.group(0)) < len(text) else text
    word = rest.strip("（）() ") if rest.startswith(("（", "(")) else re.split(r"[（(]", rest)[0]
    word = word.strip().rstrip("。．.、，,") if re.search(r"\w", word) else text
    # A closing bracket it does not open: the end of a write-in 「（　　）」 printed under the
    # item (「4.その他」 over 「(　)」).
    while word[-1:] in ("）", ")") and word.count(word[-1]) > word.count("（" if word[-1] == "）" else "("):
        word = word[:-1].rstrip()
    return unicodedata.normalize("NFKC", word)


def circled_items(chars: Sequence[Printed]) -> list[tuple[str, PtBox]]:
    """The options printed among ``chars`` (the characters inside a rectangle), each its word
    and the box of its number and word. Numbered items (two or more: 「1．男 5．男（基金）」)
    are read by :func:`_numbered`; otherwise one option per word of each line, parted by a
    separator (・ ／ 、), a gap or a number. A bracketed note after a word is left out of it
    (「増（被扶養者になった）」 is 増), and so is print much smaller than the rest (「注1」) and an
    instruction (「※…」, a sentence ending 「。」)."""
    if not chars:
        return []
    usual = float(np.median([p.box[3] - p.box[1] for p in chars]))
    lines = _lines([p for p in chars if p.box[3] - p.box[1] >= NOTE_SIZE * usual])
    numbered = _numbered(lines)
    if numbered is not None:
        return numbered
    items: list[tuple[str, PtBox]] = []
    for line in lines:
        if _instruction("".join(p.text for p in line)):
            continue
        for token in _tokens(line):
            item = _item(token)
            if item is not None:
                items.append(item)
    return items


def _instruction(text: str) -> bool:
    """Whether printed text is an instruction, not an option: 「※…」, or a sentence
    (「該当する項目を○で囲んでください。」)."""
    text = text.strip().strip("（）() 　")
    return text.startswith(("※", "＊", "*")) or text.endswith(("。", "ください", "下さい"))


def _numbered(lines: Sequence[Sequence[Printed]]) -> list[tuple[str, PtBox]] | None:
    """Numbered items (None when fewer than two numbers begin an item): each runs from its
    number to the next number or its line's end, separators and brackets included (「1．健保・
    厚年」 is one item), and takes a line printed under it in its column that holds no number
    (「7．坑内員」 above 「（基金）」). Any other print without a number — a sentence or a heading
    above the items — is no option. An item's word is :func:`core_word` of it, its bracketed
    note kept where two items would otherwise have one word (「5．男（基金）」 beside 「1．男」 is
    「男(基金)」, valued ``male_fund``); its box covers its number and its word (and then its note)."""
    cuts = [[at for at in range(len(line)) if _starts_number(line, at)] for line in lines]
    if sum(len(c) for c in cuts) < 2:
        return None
    items: list[list[Printed]] = []
    last_line: list[int] = []  # the line each item last took characters from
    reach: list[float] = []  # how far right its column runs (the next number on its line)
    for index, (line, starts) in enumerate(zip(lines, cuts, strict=True)):
        head = line[: starts[0]] if starts else list(line)
        for part in _parts(head):
            if _instruction("".join(p.text for p in part)):
                continue
            owner = _owner(part, items, last_line, reach, index)
            if owner is not None:
                items[owner].extend(part)
                last_line[owner] = index
        for nth, at in enumerate(starts):
            end = starts[nth + 1] if nth + 1 < len(starts) else len(line)
            items.append(list(line[at:end]))
            last_line.append(index)
            reach.append(line[end].box[0] if end < len(line) else float("inf"))
    texts = ["".join(p.text for p in item) for item in items]
    words = [core_word(text) for text in texts]
    found: list[tuple[str, PtBox]] = []
    for item, text, word in zip(items, texts, words, strict=True):
        lead = NUMBERED.match(text)
        if lead and not text[lead.end() :].strip():
            continue  # a number with no word (a cell's own 「⑥」 caught in the rectangle)
        note = _note(text)
        if words.count(word) > 1 and note:
            word = unicodedata.normalize("NFKC", f"{word}（{note}）")
            _, box = _boxed(item, text, keep_note=True)
        else:
            _, box = _boxed(item, text, keep_note=False)
        if re.search(r"\w", word):
            found.append((word, box))
    return found


def _parts(chars: Sequence[Printed]) -> list[list[Printed]]:
    """Characters of one line parted where a gap is wider than two characters."""
    parts: list[list[Printed]] = []
    for char in chars:
        if parts and char.box[0] - parts[-1][-1].box[2] <= 2 * (char.box[3] - char.box[1]):
            parts[-1].append(char)
        else:
            parts.append([char])
    return parts


def _owner(
    part: Sequence[Printed],
    items: Sequence[Sequence[Printed]],
    last_line: Sequence[int],
    reach: Sequence[float],
    line: int,
) -> int | None:
    """The numbered item a line of print without a number continues: the item on the line
    just above whose column (its number to the next number right of it) the print starts in."""
    x = part[0].box[0]
    height = part[0].box[3] - part[0].box[1]
    owners = [
        index
        for index, item in enumerate(items)
        if last_line[index] == line - 1
        and item[0].box[0] - 0.5 * height <= x < reach[index]
        and part[0].box[1] - max(p.box[3] for p in item) <= height
    ]
    return max(owners, key=lambda index: items[index][0].box[0]) if owners else None


def _note(text: str) -> str:
    """The bracketed note after an item's word (「坑内員（基金）」: 基金), without its number."""
    number = NUMBERED.match(text)
    rest = text[len(number.group(0)) :] if number else text
    found = re.match(r"[^（(]+[（(]([^）)]*)", rest)
    return found.group(1).strip() if found else ""


def _lines(chars: Sequence[Printed]) -> list[list[Printed]]:
    """Characters in printed lines (centres within half a character's height), top to bottom,
    each left to right."""
    lines: list[list[Printed]] = []
    for char in sorted(chars, key=lambda p: p.centre[1]):
        height = char.box[3] - char.box[1]
        if lines and abs(char.centre[1] - np.mean([p.centre[1] for p in lines[-1]])) <= 0.5 * height:
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda p: p.box[0]) for line in lines]


def _starts_number(line: Sequence[Printed], at: int) -> bool:
    """Whether a numbered item (「2.」「(3)」「②」) begins at ``line[at]``."""
    text = "".join(p.text for p in line[at : at + 4])
    before = line[at - 1].text if at else ""
    if text[:1] in "(（" or re.match(r"[①-⑳]", text):
        return NUMBERED.match(text) is not None
    return bool(re.match(r"[0-9０-９]{1,2}[.．:：)）]", text)) and not re.match(r"[0-9０-９(（]", before)


def _tokens(line: Sequence[Printed]) -> list[list[Printed]]:
    """A line's characters cut into options at separators, gaps and numbers."""
    tokens: list[list[Printed]] = [[]]
    for at, char in enumerate(line):
        if char.text in SEPARATORS:
            tokens.append([])
            continue
        previous = tokens[-1][-1] if tokens[-1] else None
        gap = char.box[0] - previous.box[2] if previous else 0.0
        if previous is not None and (
            gap > ITEM_GAP * (char.box[3] - char.box[1]) or _starts_number(line, at)
        ):
            tokens.append([])
        tokens[-1].append(char)
    return [token for token in tokens if token]


def _item(token: Sequence[Printed]) -> tuple[str, PtBox] | None:
    """An option's word (:func:`core_word`) and the box of its number and word (a bracketed
    note after the word left out); None for print that is no word (a lone bracket)."""
    text = "".join(p.text for p in token)
    if not re.search(r"\w", text):
        return None
    return _boxed(token, text, keep_note=False)


def _boxed(chars: Sequence[Printed], text: str, keep_note: bool) -> tuple[str, PtBox]:
    """:func:`core_word` of ``text`` (the characters ``chars``) and the box of its number and
    word, and of its bracketed note up to its closing bracket if ``keep_note``."""
    number = NUMBERED.match(text)
    start = len(number.group(0)) if number and len(number.group(0)) < len(text) else 0
    note = re.search(r"[（(]", text[start + 1 :])
    end = start + 1 + note.start() if note else len(text)
    if note and keep_note:
        closing = re.search(r"[）)]", text[end:])
        end = end + closing.end() if closing else len(text)
    kept, length = [], 0
    for char in chars:
        if length >= end:
            break
        kept.append(char.box)
        length += len(char.text)
    return core_word(text), bounds(kept)


def option_value(word: str) -> str:
    """The value an option printed as ``word`` takes (see the module's contract)."""
    word = unicodedata.normalize("NFKC", word).strip()
    word = re.sub(r"\(\s*\)", "", word).strip() or word  # 「その他（　）」: a write-in adds nothing
    if word in KNOWN_VALUES:
        return KNOWN_VALUES[word]
    parts = [part for part in re.split(r"[・･]", word) if part]
    if len(parts) > 1 and all(part in KNOWN_VALUES for part in parts):  # 「就職・収入増加」
        return "_or_".join(KNOWN_VALUES[part] for part in parts)
    noted = re.fullmatch(r"([^(]+)\(([^)]+)\)", word)
    if noted and re.search(r"\w", noted.group(2)):  # 「男(基金)」: male_fund
        return f"{option_value(noted.group(1))}_{option_value(noted.group(2))}"
    besides = re.fullmatch(r"\d+以外の(.+)", word)
    if besides:  # 「2.1以外の子」: other_child, not 1_igai_no_ko (the number is item 1's)
        return f"other_{option_value(besides.group(1))}"
    aged = re.fullmatch(r"(\d+)歳到達", word)
    if aged:  # 「75歳到達」
        return f"age_{aged.group(1)}"
    word = re.sub(r"(\d+)歳", r"\1 sai ", word)  # 「70歳以上」: 70_sai_ijou, not 70_toshi_ijou
    if re.fullmatch(r"[A-Za-z0-9_ ]+", word):
        return re.sub(r"\s+", "_", word.lower().strip())
    pieces = _readings(word)
    romanised = re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", "_".join(pieces).lower())).strip("_")
    if len(romanised) > VALUE_LONGEST:  # a sentence printed as a label: its first words
        romanised = romanised[: VALUE_LONGEST + 1].rsplit("_", 1)[0]
        romanised = re.sub(r"(_(no|wo|ha|ga|ni|to|de|mo))+$", "", romanised)  # no particle at its end
    return romanised or word


#: One kanji the dictionary reads alone by its native reading where, bound to the kanji before
#: (suffix) or after it (prefix), it is read as in a compound: 年金受給者 is …jukyuusha, not
#: …jukyuu_mono; 未届 mitodoke, not hitsuji_todoke; 曽祖父母 sousofubo, not sousofu_haha.
BOUND_SUFFIX = {"者": "sha", "母": "bo", "父": "fu"}
BOUND_PREFIX = {"未": "mi"}


def _readings(word: str) -> list[str]:
    """The Hepburn reading of ``word``'s pieces as the dictionary cuts them, a one-kanji
    piece bound to its kanji neighbour read as in a compound and joined to it."""
    pieces = [(str(item["orig"]), str(item["hepburn"])) for item in _kakasi().convert(word)]
    readings: list[str] = []
    glue = False  # the piece before was a bound prefix: this one is read on with it
    for at, (orig, reading) in enumerate(pieces):
        before = pieces[at - 1][0] if at else ""
        after = pieces[at + 1][0] if at + 1 < len(pieces) else ""
        if glue:
            readings[-1] += reading
            glue = False
        elif orig in BOUND_SUFFIX and readings and _kanji(before):
            readings[-1] += BOUND_SUFFIX[orig]
        elif orig in BOUND_PREFIX and _kanji(after):
            readings.append(BOUND_PREFIX[orig])
            glue = True
        else:
            readings.append(reading)
    return readings


def _kanji(text: str) -> bool:
    return bool(re.fullmatch(r"[一-龥々]+", text))


@lru_cache(maxsize=1)
def _kakasi() -> Any:
    import pykakasi  # noqa: PLC0415 - its dictionary loads only when a proposal needs it

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def _valued(items: Sequence[tuple[str, PtBox]]) -> tuple[ProposedOption, ...]:
    """Options with their values, each value once (a second 「その他」 is ``other_2``); an
    option with no printed word is ``option_N``, for the admin to name."""
    taken: set[str] = set()
    options = []
    for number, (word, box) in enumerate(items, start=1):
        base = option_value(word) if word else f"option_{number}"
        value, index = base, 2
        while value in taken:
            value, index = f"{base}_{index}", index + 1
        taken.add(value)
        options.append(ProposedOption(value, word, box))
    return tuple(options)


def _label_near(blank: BlankPrint, area: PtBox) -> str:
    """The printed label nearest the rectangle, outside it (left in its row, or above), whole:
    the text of a label cell (「④ 種 別」, 「⑧ 被 扶 / 養 者」 printed spaced out or down two
    lines: 種別, 被扶養者), else a printed word, its characters printed spaced out joined
    (「備 考」: 備考); without its item mark (:data:`ITEM_MARK`)."""
    cells = [
        box
        for box, _ in label_boxes(blank.boxes, blank.chars)
        if not inside(_centre(area), box)  # the cell the options are printed in
    ]
    # A cell's label stands where it is printed (a rectangle drawn by hand may overlap its cell);
    # a block's heading printed down the page (read across, garbled: 「Ｂ.配偶（第者３で号あ被る
    # 保被険扶者養）者欄」) labels no choice, nor does any of its characters.
    printed = [
        (bounds([c.box for c in chars]), "".join(c.text for c in chars))
        for box in cells
        if not printed_down(box) and (chars := chars_in(box, blank.chars))
    ]
    loose = [
        w
        for w in blank.words
        if not inside(w.centre, area) and not any(inside(w.centre, box) for box in cells)
    ]
    words = [(w.box, w.text) for w in spaced_joined(loose)]
    label = _clean(label_for(area, [*printed, *words]))
    return ITEM_MARK.sub("", label).rstrip("：:")


#: A label's item mark: 「④」, 「ウ」 or 「○ア」 before its word (「ウ備考」 is 備考).
ITEM_MARK = re.compile(r"^(?:[①-⑳]|○?[ア-ン](?=[一-龥]))\s*")


#: Characters of one word printed spaced out (「備 考」, 「氏 名 等」) stand at most this many
#: times their height apart.
SPACED_OUT = 1.6


def spaced_joined(words: Sequence[Printed]) -> list[Printed]:
    """The printed words, a word printed spaced out joined into one: a word of one or two
    characters following another on its line at most :data:`SPACED_OUT` times their height
    after it, both ending and starting in kanji or kana."""
    joined: list[Printed] = []
    for word in sorted(words, key=lambda w: (round(w.box[1]), w.box[0])):
        last = joined[-1] if joined else None
        if (
            last is not None
            and len(word.text) <= 2
            and abs(word.box[1] - last.box[1]) <= 1.0
            and abs(word.box[3] - last.box[3]) <= 1.0
            and 0 <= word.box[0] - last.box[2] <= SPACED_OUT * (word.box[3] - word.box[1])
            and _spaced_char(last.text[-1])
            and _spaced_char(word.text[0])
        ):
            joined[-1] = Printed(last.text + word.text, bounds([last.box, word.box]))
            continue
        joined.append(word)
    return joined


def _spaced_char(char: str) -> bool:
    return bool(re.match(r"[一-龥ぁ-ゖァ-ヺ]", char))


def _name_for(label: str) -> str:
    """A field name for a choice from its label: a known word's, else ``choice``."""
    return next((name for word, name in [*CHOICE_NAMES, *NAME_WORDS] if word in label), "choice")


def _type_for(label: str) -> str:
    """``checkbox_group`` where the printed label lets several be marked, else ``choice``."""
    return "checkbox_group" if SEVERAL.search(label) else "choice"


def _centre(box: PtBox) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
