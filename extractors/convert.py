"""Value conversion: what was read of one field (OCR text, mark scores) → its canonical value.

Contract: :func:`value_of` takes one field's spec, the recognitions by (field, part) and the
inked-cell counts (as :class:`extractors.plan.CropPlan` gives them, or a text layer does),
the mark scores and today's date, and returns ``(value, confidence, raw text, finding codes)``:
the value in its canonical form (``None`` where nothing makes a value), a confidence in 0–1
(1.0 for a blank read as blank), and the codes of the field's own type checks. A value a
rule changed (an old character form, a prefecture one character off) or read with one weak
character is never trusted more than :data:`DISAGREEMENT_CONFIDENCE`. It decides no review:
:mod:`extractors.route` does, from what this returns.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from extractors.fields.ink import AROUND
from extractors.marks import SURELY_UNMARKED, MarkScore, marked_all, read_marks
from extractors.model import FieldValue
from extractors.normalize import (
    PREFECTURES,
    amount_value,
    common_forms,
    digits_value,
    katakana_value,
    katakana_words,
    phone_value,
    sentence_end,
    settle_entity,
    settle_prefecture,
    settle_title,
    strip_stray_marks,
    text_value,
    wareki_to_date,
)
from extractors.template import FieldSpec, FieldType, Layout
from extractors.validate import check_digits, check_katakana, check_phone, phone_length_plausible
from ocr.types import Recognition

#: A reading whose least certain character is below this goes to a person, however confident
#: the reading as a whole (the mean over its characters) is.
#: Measured on the dev seed 1111 (96 forms): 0.5 costs +0.9 points of review and halves the
#: auto-accepted errors; 0.7 costs +3.6 points.
WEAK_CHARACTER = 0.5
#: A field the two models read differently (or a value a rule changed, or a reading with a
#: weak character) is never trusted more than this.
DISAGREEMENT_CONFIDENCE = 0.5
#: The writer's ink round an unticked □ (``ink.AROUND``) from which it goes to a person, in
#: the mark scores' unit (share of the area / ``ink.TICK_THRESHOLD``): 2 % of it inked.
TICK_AROUND_MIN = 0.25

#: (value, confidence, raw text, finding codes) of one field.
Converted = tuple[FieldValue, float, str, list[str]]
Recognitions = dict[tuple[str, str], Recognition]
Counts = dict[tuple[str, str], int]


def value_of(spec: FieldSpec, recs: Recognitions, counts: Counts, score: MarkScore, today: date) -> Converted:
    """(value, confidence, raw text, finding codes) for one field."""
    match spec.type.layout:
        case Layout.MARKS:
            return _marked(spec, score)
        case Layout.CELLS:
            return _boxed_number(spec, recs, counts)
        case Layout.DATE:
            return _date_of(spec, recs, counts, score, today)
        case Layout.BOX:
            return _text_of(spec, recs[(spec.name, "text")])


def _marked(spec: FieldSpec, score: MarkScore) -> Converted:
    """A checkbox (ticked or not), a one-of choice or an any-of group, from mark scores."""
    options = spec.options or ((("checked", spec.box),) if spec.box else ())
    if spec.type is FieldType.CHECKBOX_GROUP:
        chosen, confidence = marked_all(options, spec.style, score)
        return (chosen or None), confidence, "", []
    mark = read_marks(options, spec.style, score)
    if spec.type is FieldType.CHECKBOX:
        if (
            mark.value is None
            and spec.box
            and spec.style == "tick"
            and score(spec.box, AROUND) >= TICK_AROUND_MIN
        ):
            # Unticked inside, but the writer's strokes cross the □: a ✓ made large over a small
            # □ (its vertex on the frame, its arms outside) read unticked at 0.92–1.0 (13 on a
            # clerk's 資格喪失届). A person looks.
            return False, DISAGREEMENT_CONFIDENCE, "", []
        return mark.value is not None, mark.confidence, "", []
    return mark.value, mark.confidence, "", (["choice_multiple"] if mark.multiple else [])


def _boxed_number(spec: FieldSpec, recs: Recognitions, counts: Counts) -> Converted:
    """Digits written one per cell; a count of digits read unlike the cells inked halves the
    confidence."""
    rec = recs[(spec.name, "digits")]
    digits = digits_value(rec.text)
    if not digits:
        return None, 1.0 if counts[(spec.name, "digits")] == 0 else 0.0, rec.text, []
    confidence = rec.confidence if len(digits) == counts[(spec.name, "digits")] else rec.confidence * 0.5
    code = check_digits(digits, spec.min_digits, spec.max_digits, spec.type is FieldType.MY_NUMBER)
    return digits, confidence, rec.text, ([code] if code else [])


def _text_of(spec: FieldSpec, rec: Recognition) -> Converted:
    """Text read in one box: フリガナ, a phone number, an amount or free text."""
    if rec.text and rec.weakest < WEAK_CHARACTER:
        rec = replace(rec, confidence=min(rec.confidence, DISAGREEMENT_CONFIDENCE))
    match spec.type:
        case FieldType.KATAKANA if spec.segments:
            return _katakana_in_cells(_katakana_of(rec))
        case FieldType.KATAKANA:
            return _katakana_of(rec)
        case FieldType.PHONE:
            return _phone_of(rec)
        case FieldType.AMOUNT:
            return _amount_of(rec)
        case _:
            return _free_text_of(spec, rec)


def _as_read(value: str | None, rec: Recognition, codes: list[str]) -> Converted:
    """A value as read: the reading's confidence, or 1.0 for a blank read as blank."""
    return value, (rec.confidence if value else 1.0), rec.text, codes


def _katakana_of(rec: Recognition) -> Converted:
    value = katakana_value(rec.text)
    code = check_katakana(value) if value else None
    return _as_read(value, rec, [code] if code else [])


#: Small kana: one per cell, a small ッ and a full-size ツ differ only by their size in the
#: cell, which the strip of inked cells the recogniser reads does not keep.
_SMALL_KANA = frozenset("ァィゥェォッャュョヮヵヶ")


def _katakana_in_cells(converted: Converted) -> Converted:
    """katakana written one per cell: a reading with a small kana goes to a person (マツモト
    is read マッモト as often as the other way round)."""
    value, confidence, raw, codes = converted
    if isinstance(value, str) and not _SMALL_KANA.isdisjoint(value):
        return value, min(confidence, DISAGREEMENT_CONFIDENCE), raw, codes
    return converted


def _phone_of(rec: Recognition) -> Converted:
    value = phone_value(rec.text)
    if value and (code := check_phone(value)):
        return _as_read(value, rec, [code])
    if value and not phone_length_plausible(value):  # a digit lost or read twice
        return value, min(rec.confidence, DISAGREEMENT_CONFIDENCE), rec.text, []
    return _as_read(value, rec, [])


def _amount_of(rec: Recognition) -> Converted:
    amount = amount_value(rec.text)
    if amount is None:
        # Nothing written is a blank, read with confidence; something written that makes no
        # amount fails its check, read with none.
        written = bool(rec.text.strip())
        return None, (0.0 if written else 1.0), rec.text, (["amount"] if written else [])
    return amount, rec.confidence, rec.text, []


def _free_text_of(spec: FieldSpec, rec: Recognition) -> Converted:
    value = text_value(rec.text)
    off_by_one = False
    if value and spec.prefecture_printed:
        value = with_printed_suffix(value)
        off_by_one = near_printed_suffix(value)
    # An old character form may be the model's habit or the writer's own, and a prefecture,
    # a title or a kind of company one character off (干葉県, 株式会し) is most likely
    # misread: changed either way, a person decides.
    settled = value
    if value:
        words = katakana_words(common_forms(value))
        # Before the stray marks go: a sentence's last "：" is its 。 cut in two.
        ended = sentence_end(words) if spec.more_lines else words
        settled = settle_entity(strip_stray_marks(settle_title(ended))) or None
    if settled and spec.address:
        settled = _CHOME_AS_T.sub("丁", settle_prefecture(settled))
    read = value or ""
    doubtful = (
        off_by_one
        or bool(_DIGIT_AMONG_KANA.search(read))
        or bool(_LATIN_IN_KANJI.search(read))
        or not _RARE_LOOKALIKES.isdisjoint(read)
        or read.strip() in _LONE_STROKES
    )
    if settled != value or doubtful:
        return settled, min(rec.confidence, DISAGREEMENT_CONFIDENCE), rec.text, []
    return _as_read(value, rec, [])


#: A text that is one straight stroke and nothing else is more often a stroke of something else
#: in the box — the tail of a neighbouring word's ○, a bracket's or a rule's remnant — than
#: what a writer put there (「一」 accepted at 0.95 in three empty 7 pt その他（　） boxes).
_LONE_STROKES = frozenset({"一", "ー", "-", "－", "‐", "~", "〜", "1", "l", "I", "|", "丨", "/", "ノ"})


#: A Latin letter between kanji (or a number and a kanji) is a kanji misread: 丁 read T
#: (北1条西2T目 accepted at 0.97, both models alike on a clerk's 被扶養者届). Letters stand
#: apart on these forms (A棟 after a space, ABC株式会社 at a word's start).
_LATIN_IN_KANJI = re.compile(r"(?<=[0-9０-９一-龥々])[A-Za-zＡ-Ｚａ-ｚ](?=[一-龥々])")
#: 丁目 read with its 丁 as a T, in an address: 2T目 → 2丁目 (a proposal, see above).
_CHOME_AS_T = re.compile(r"(?<=[0-9０-９])[TＴ](?=目)")


#: Characters next to never written on these forms, each the recogniser's reading of one that
#: often is: 干 and 于 of a hand's 千 (山本 干尋 for 千尋, 于人町 for 千人町), # of 井 (#上 for
#: 井上, accepted at 0.93–0.98 on a clerk's 被扶養者届).
_RARE_LOOKALIKES = frozenset("干于#＃")
#: One digit between kana and kana or kanji (さく5電機): a hand's ら, こ or ク read as 5, 2 or
#: 7 more often than a number written inside a word; numbers in addresses stand by kanji
#: (3丁目, 緑町503号室), by a hyphen or by a space.
_DIGIT_AMONG_KANA = re.compile(
    r"(?<![0-9])(?:[ぁ-ゖァ-ヺー][0-9](?=[ぁ-ゖァ-ヺー一-龥々])|(?<=[一-龥々])[0-9](?=[ぁ-ゖァ-ヺー]))(?![0-9])"
)


def _date_of(spec: FieldSpec, recs: Recognitions, counts: Counts, score: MarkScore, today: date) -> Converted:
    """A date from its year, month and day cells and its era (printed, or circled among
    ``era_options``); a date after ``today`` is ``future_date``."""
    parts = {part: recs[(spec.name, part)] for part, _ in spec.parts if part != "era"}
    numbers = {part: digits_value(r.text) for part, r in parts.items()}
    raw = "/".join(r.text for r in parts.values())
    confidence = min(r.confidence for r in parts.values()) if all(numbers.values()) else 0.0
    if any(len(numbers[p]) != counts[(spec.name, p)] for p in parts):
        confidence *= 0.5  # a digit was lost or invented between the boxes and the reading
    era_conf = 1.0
    if spec.era:
        era: str | None = spec.era
    elif spec.era_digits:
        era, era_conf = _era_by_digit(spec, recs[(spec.name, "era")])
    else:
        mark = read_marks(spec.era_options, spec.style, score)
        era, era_conf = mark.value, mark.confidence
    if not any(numbers.values()) and all(counts[(spec.name, p)] == 0 for p in parts):
        return None, 1.0, raw, []
    if era is None:
        # No era marked, surely: the applicant's omission. Marks too faint to tell: a person
        # reads the original (never blamed on the applicant).
        return None, 0.0, raw, ["era_missing" if era_conf >= SURELY_UNMARKED else "illegible"]
    if not all(numbers.values()):
        return None, 0.0, raw, ["date_invalid"]
    result = wareki_to_date(era, int(numbers["year"]), int(numbers["month"]), int(numbers["day"]))
    if result is None:
        return None, 0.0, raw, ["date_invalid"]
    codes = ["future_date"] if result > today else []
    return result.isoformat(), min(confidence, era_conf), raw, codes


def _era_by_digit(spec: FieldSpec, rec: Recognition) -> tuple[str | None, float]:
    """The era a digit written in the date's era cell stands for (``era_digits``, as printed
    beside the cell), and how sure: None with 1.0 when the cell is blank (the applicant's
    omission), None with 0.0 for a digit that names no era (a person reads it)."""
    digits = digits_value(rec.text)
    if not digits:
        return None, (0.0 if rec.text.strip() else 1.0)
    era = dict(spec.era_digits).get(digits[-1]) if len(digits) == 1 else None
    return era, (rec.confidence if era else 0.0)


def with_printed_suffix(address: str) -> str:
    """An address read around a printed 都/道/府/県 (``prefecture_printed``): the prefecture's
    name read before the print, the rest after it, the suffix put back (東京港区… → 東京都港区…).
    The suffix follows from the name (one prefecture per name), so the circle round it need
    not be read. An address already beginning with its prefecture is left as it is."""
    if address.startswith(PREFECTURES):
        return address
    for prefecture in PREFECTURES:
        stem = prefecture[:-1]
        if address.startswith(stem):
            # The circle round the printed suffix, where it reaches the rest, is read as one.
            return prefecture + address[len(stem) :].lstrip(_CIRCLE_READINGS)
    return address


def near_printed_suffix(address: str) -> bool:
    """Whether an address read around a printed 都/道/府/県 begins one character off a
    prefecture's name (曼知名古屋市: 愛知 or 高知): the writer wrote the prefecture there and
    the recogniser misread it. Left as read (a city written without its prefecture, 高松市, is
    one character off 高知 too), for a person to decide."""
    return not address.startswith(PREFECTURES) and any(
        len(address) >= len(prefecture)
        and sum(a != b for a, b in zip(address, prefecture[:-1], strict=False)) == 1
        for prefecture in PREFECTURES
    )


#: What the recogniser makes of the edge of a circle drawn round a printed 都/道/府/県.
_CIRCLE_READINGS = " ○〇◯0OoC()（）「」'’・.,、|"
