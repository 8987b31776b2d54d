"""The second model's check: a second recogniser reads the same crops; where the two disagree,
the field is in doubt.

Contract: :func:`second_readings` has a second model read again the crops worth a second
read (see there), and :func:`disagreements` names the fields it reads otherwise than the
primary one (compared as digits for boxed numbers and dates, as text without spaces and
long-vowel/dash marks otherwise; the halves of a spaced word are not compared). Neither
decides anything else: what doubt does to a field is :mod:`extractors.route`'s. :func:`settled` then picks, for a disputed field written in
boxes (numbers, dates), the model whose reading makes a value that can be: the field stays in
review either way, but the reviewer starts from the likelier value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence, Set
from dataclasses import replace
from datetime import date

from extractors.convert import value_of
from extractors.fields.sound_marks import Cell
from extractors.marks import MarkScore
from extractors.normalize import digits_value, joined_sound_marks, nfkc
from extractors.plan import CropKey, CropPlan
from extractors.postcodes import place_confirms, places
from extractors.route import REVIEW_THRESHOLD
from extractors.template import FieldSpec, FieldType, Layout, Template
from ocr.engine import OcrEngine
from ocr.types import Recognition

#: Fields written one character per box: a number, a date.
_BOXED = (Layout.CELLS, Layout.DATE)


def second_readings(
    second: OcrEngine,
    template: Template,
    plan: CropPlan,
    alphabets: Sequence[str | None],
    primary: Sequence[Recognition],
    skip: Set[str] = frozenset(),
) -> dict[int, Recognition]:
    """``second``'s readings of ``plan``'s crops (in ``alphabets``), by crop index: every crop
    but the 個人番号's (its check digit catches a misread digit: a date's 7 read as 1 still
    makes a date, a postcode's 9 read as 7 still a postcode), those of ``skip`` fields
    (already in doubt), and a crop the primary model read as nothing, or without confidence
    in a text (its field goes to review anyway; an unsure digit of a number or a date, and an
    unsure フリガナ, whose kana the primary loses at 13 pixels high, are read again all the
    same, for :func:`settled`)."""
    kinds = {spec.name: spec.type for spec in template.fields}
    chosen = [
        i
        for i, (name, _) in enumerate(plan.keys)
        if kinds[name] is not FieldType.MY_NUMBER
        and name not in skip
        and primary[i].text
        and (
            primary[i].confidence >= REVIEW_THRESHOLD
            or kinds[name].layout in _BOXED
            or kinds[name] is FieldType.KATAKANA
        )
    ]
    again = second.recognize([plan.crops[i] for i in chosen], [alphabets[i] for i in chosen])
    return dict(zip(chosen, again, strict=True))


def settled(
    template: Template,
    plan: CropPlan,
    primary: Sequence[Recognition],
    second: dict[int, Recognition],
    disputed: Set[str],
    score: MarkScore,
    today: date,
) -> list[Recognition]:
    """``primary`` with the second model's readings taken for each disputed field written in
    boxes (numbers, dates) where they make the likelier value (:func:`_likelier`), and for
    each disputed crop it reads with the sound marks the primary lost.

    Why: on a lone handwritten digit the models fail differently (the primary reads a 7 with
    a short bar as 1, the second reads it right; elsewhere the reverse), and a date or number
    that cannot be, or is less sure, is the worse guess. Only the value a reviewer starts
    from changes: a disputed field is in review whichever reading is shown. Text is left to
    the primary model, the stronger reader of words, but where the second reads the same
    words with a ゛ or ゜ more (:func:`_marks_lost`), or the same フリガナ with a kana or two
    more (:func:`_kana_lost`)."""
    chosen = list(primary)
    kinds = {spec.name: spec.type for spec in template.fields}
    for i, (name, _) in enumerate(plan.keys):
        youon = youon_read(primary[i].text, second[i].text) if i in second else None
        if kinds[name] is FieldType.KATAKANA and youon is not None:
            confidence = min(primary[i].confidence, second[i].confidence)
            chosen[i] = replace(primary[i], text=youon, confidence=confidence)
    for i, (name, _) in enumerate(plan.keys):
        if name not in disputed or i not in second:
            continue
        if _marks_lost(primary[i].text, second[i].text) or (
            kinds[name] is FieldType.KATAKANA and _kana_lost(primary[i].text, second[i].text)
        ):
            chosen[i] = second[i]
    for spec in template.fields:
        if spec.name not in disputed or spec.type.layout not in _BOXED:
            continue
        indices = [i for i, (name, _) in enumerate(plan.keys) if name == spec.name and i in second]
        if not indices:
            continue
        other = list(chosen)
        for i in indices:
            other[i] = second[i]
        if _likelier(spec, plan, other, chosen, indices, template, score, today):
            chosen = other
    return chosen


#: The voiced and semi-voiced sound marks (゛ ゜) as Unicode writes them apart (NFD).
_SOUND_MARKS = str.maketrans("", "", "\u3099\u309a")


def _marks_lost(first: str, second: str) -> bool:
    """Whether ``second`` is ``first`` with more ゛/゜ and nothing else changed: て read where
    で is written. The two small strokes of a ゛ are what a recogniser loses at 48 pixels high
    (both models were seen to), rarely what it invents, so the marked reading is the likelier."""
    a, b = unicodedata.normalize("NFD", first), unicodedata.normalize("NFD", second)
    return a != b and a.translate(_SOUND_MARKS) == b.translate(_SOUND_MARKS) and len(b) > len(a)


#: At most this many kana one model read and the other lost.
KANA_LOST_MAX = 2


def _kana_lost(first: str, second: str) -> bool:
    """Whether ``second`` is ``first`` with one or two kana more and the rest in order: マト
    read where マコト is written, チヒ for チヒロ. In a フリガナ written 2–3 pt tall the
    primary model drops a small kana (seen: the last or a middle one, at 13 pixels high) far
    more often than the second model invents one, so the longer reading is the likelier
    start for the reviewer (the field is in review either way)."""
    a, b = first.replace(" ", ""), second.replace(" ", "")
    if not a or not 0 < len(b) - len(a) <= KANA_LOST_MAX:
        return False
    rest = iter(b)
    if not all(char in rest for char in a):
        return False
    # What the second read more must be katakana letters: a speck read as 「で・」 is no kana
    # the primary lost.
    extra = list(b)
    for char in a:
        extra.remove(char)
    return all("ァ" <= char <= "ヶ" for char in extra)


#: A form's edition, e.g. ``SK-01 (2025.4)``: no date the applicant writes of the present
#: (a 届出日, a 証明日, an 異動日) is before it.
_EDITION = re.compile(r"\((\d{4})\.(\d{1,2})\)")


def _likelier(
    spec: FieldSpec,
    plan: CropPlan,
    other: list[Recognition],
    current: list[Recognition],
    indices: list[int],
    template: Template,
    score: MarkScore,
    today: date,
) -> bool:
    """Whether ``other`` gives ``spec`` a likelier value than ``current``: one that passes its
    checks, then (a date) one on or after the form's edition when the other is not (a birth
    date is before it whichever reading is right, so this decides nothing there), then the
    more confident reading of the disputed crops."""

    def rank(read: list[Recognition]) -> tuple[bool, bool, float]:
        value, _, _, codes = value_of(spec, plan.recognitions(read), plan.cell_counts, score, today)
        recent = isinstance(value, str) and spec.type.layout is Layout.DATE and value >= edition
        return (value is not None and not codes, recent, min(read[i].confidence for i in indices))

    found = _EDITION.search(template.form_version)
    edition = date(int(found[1]), int(found[2]), 1).isoformat() if found else ""
    return rank(other) > rank(current)


def _comparable(text: str, part: str) -> str:
    """What two engines must agree on: digits for boxed numbers; otherwise the text without
    spaces and long-vowel/dash marks, which PP-OCRv5 emits for blank gaps (``ワタナベーユミ``),
    with a ゛/゜ read apart joined to its kana (タ" and ダ are one reading) and a 一 between
    two digits taken as the dash it is in an address (市場町1一1 is 市場町1-1)."""
    if part in ("digits", "year", "month", "day"):
        return digits_value(text)
    text = re.sub(r"(?<=\d)一(?=\d)", "-", nfkc(joined_sound_marks(text)))
    return re.sub(r"[\sー\-‐－~〜]", "", text)


def disagreements(
    keys: list[CropKey],
    first: list[Recognition],
    second: list[Recognition],
    kana_cells: Mapping[CropKey, Sequence[Cell]] | None = None,
    sized: Collection[CropKey] = (),
) -> set[str]:
    """Fields where the cross-check model read something else than the primary one — but for
    a row of kana cells where the primary read one kana per written cell and the second the
    same kana with one or two lost (:func:`_lost_a_cell`), and for a フリガナ whose kana are
    sized on the writer's ink (``sized``) where the two differ only as :func:`_kana_alike`."""
    cells = kana_cells or {}
    return {
        name
        for (name, part), a, b in zip(keys, first, second, strict=True)
        if (part in ("text", "digits", "year", "month", "day") or part.startswith("line"))
        and _comparable(a.text, part) != _comparable(b.text, part)
        and not ((name, part) in cells and _lost_a_cell(a.text, b.text, cells[(name, part)]))
        and not ((name, part) in sized and _kana_alike(a.text, b.text))
        and not ((name, part) in sized and youon_read(a.text, b.text) is not None)
    }


#: The kana a 拗音 is written after (キ, シ, チ … : キョウ, ショウ, リョウ).
_I_ROW = frozenset("キシチニヒミリギジヂビピ")


def youon_read(first: str, second: str) -> str | None:
    """The reading with ョ where two readings of a フリガナ differ only in ヨ/ョ, each between
    an イ-row kana and ウ (シヨウタ/ショウタ: ショウタ); None where they differ otherwise.

    Why: a small ョ written in a cell or a row is told from ヨ by its size alone, which the
    recognisers lose (the primary read シヨウタ, リヨウスケ, the second ショウタ, リョウスケ: 4 of the
    9 wrong フリガナ of 協会けんぽ's forms, all sent to a person); the spelling settles it: a
    拗音 before a long vowel (ショウ, キョウ, リョウ) is how names are written, a large ヨ
    there all but unheard of (キヨシ, チヨ keep theirs: no ウ after). Not ュ/ユ: ミユウ is a name."""
    if len(first) != len(second) or first == second:
        return None
    out = []
    for index, (a, b) in enumerate(zip(first, second, strict=True)):
        if a == b:
            out.append(a)
            continue
        if {a, b} != {"ヨ", "ョ"}:
            return None
        between = 0 < index < len(first) - 1 and first[index - 1] in _I_ROW and first[index + 1] == "ウ"
        if not between:
            return None
        out.append("ョ")
    return "".join(out)


#: Small kana whose size the ink tells alone, their large one being as tall as most kana
#: (``kana_size._TALL``). Not ュ/ョ/ェ: those are told apart less surely, and the second model
#: reading ショウタ where the primary read シヨウタ was the only sign of a wrong ヨ (3 accepted).
_SIZE_FREE = str.maketrans("ァィゥォッャ", "アイウオツヤ")


def _kana_alike(first: str, second: str) -> bool:
    """Whether the second reading of a フリガナ is the primary's but for a kana's size (ッ/ツ,
    ャ/ヤ: the size is then measured on the ink, :mod:`extractors.fields.kana_size`, whatever
    either model read) or for a ゛/゜ the primary read and the second lost (a recogniser loses
    those two small strokes far more often than it invents them). 「マッモト」/「マツモト」 and
    「ヤマタ”ヒロシ」/「ヤマタヒロシ」 sent right フリガナ to a person: 10 of 24 on a 協会けんぽ form."""
    a = unicodedata.normalize("NFD", _comparable(first, "text")).translate(_SIZE_FREE)
    b = unicodedata.normalize("NFD", _comparable(second, "text")).translate(_SIZE_FREE)
    if a == b:
        return True
    return len(b) < len(a) and a.translate(_SOUND_MARKS) == b.translate(_SOUND_MARKS)


def confirmed_by_postcode(
    template: Template,
    plan: CropPlan,
    primary: Sequence[Recognition],
    second: dict[int, Recognition],
    disputed: Set[str],
    score: MarkScore,
    today: date,
) -> set[str]:
    """The disputed addresses whose dispute the 郵便番号 beside them settles for the primary
    reading (:func:`extractors.postcodes.place_confirms`): the postcode read surely and not
    disputed itself, the primary's address beginning with the town it stands for, the second
    model's reading differing only in that town's name. Two things the writer wrote — the
    digits and the place — agree with Japan Post; the second model lost a stroke (芝公園 read
    芝公, 愛知 read 曼知: 13 of the 48 right addresses of 協会けんぽ's forms went to a person
    for it)."""
    recognitions = plan.recognitions(primary)
    out = set()
    for spec in template.fields:
        if spec.name not in disputed or not spec.address or not spec.postcode or spec.postcode in disputed:
            continue
        crops = [i for i, (name, _) in enumerate(plan.keys) if name == spec.name]
        if len(crops) != 1 or crops[0] not in second or plan.keys[crops[0]][1] != "text":
            continue
        code, surely, _, problems = value_of(
            template.field(spec.postcode), recognitions, plan.cell_counts, score, today
        )
        if not isinstance(code, str) or len(code) != 7 or surely < REVIEW_THRESHOLD or problems:
            continue
        first = value_of(spec, recognitions, plan.cell_counts, score, today)[0]
        other = {**recognitions, plan.keys[crops[0]]: second[crops[0]]}
        other_value = value_of(spec, other, plan.cell_counts, score, today)[0]
        if (
            isinstance(first, str)
            and isinstance(other_value, str)
            and place_confirms(first, other_value, places(code))
        ):
            out.add(spec.name)
    return out


def _lost_a_cell(first: str, second: str, kinds: Sequence[Cell]) -> bool:
    """Whether, in a row of kana cells, ``first`` reads one kana per cell written with a kana
    and ``second`` is the same with a kana or two lost (タナカケンジ and タナケンジ in six
    kana cells): the cells say which reading is whole, so the second model's loss is no
    doubt about the first. (Measured on 協会けんぽ's 交付申請書: the second model drops a
    kana of a cell row far more often than the two read different kana.)"""
    a, b = joined_sound_marks(first).replace(" ", ""), joined_sound_marks(second).replace(" ", "")
    written = sum(kind is Cell.KANA for kind in kinds)
    return len(a) == written and _kana_lost(b, a)
