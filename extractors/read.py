"""Read every field of an aligned page: one batched OCR call per page, ink for marks."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from extractors.fields import ink as inkmod
from extractors.fields.crops import Circle, cell_crop, cells, seals, strip, under_seal, wide_gaps
from extractors.fields.paper import Paper, paper_of
from extractors.fields.writing import locate, other_boxes
from extractors.forms import check_form
from extractors.identify import blank_page, cell_rules
from extractors.model import FieldReading, FieldValue, Finding
from extractors.normalize import (
    amount_value,
    common_forms,
    digits_value,
    katakana_value,
    nfkc,
    phone_value,
    settle_prefecture,
    strip_stray_marks,
    text_value,
    wareki_to_date,
)
from extractors.readings import name_reading, settle_kana, spaced_like_name
from extractors.template import FieldSpec, PtBox, Segment, Template
from extractors.validate import MESSAGES, check_digits, check_katakana, check_phone, phone_length_plausible
from ocr.engine import OcrEngine
from ocr.preprocess import binarize
from ocr.types import Image, Recognition

#: Below this engine confidence a value goes to a person.
REVIEW_THRESHOLD = 0.90
#: A reading whose least certain character is below this goes to a person, however confident
#: the reading as a whole (the mean over its characters) is.
#: Measured on the dev seed 1111 (96 forms): 0.5 costs +0.9 points of review and halves the
#: auto-accepted errors; 0.7 costs +3.6 points.
WEAK_CHARACTER = 0.5
#: Field types read from ink marks (□ ticks, ○ circles), not by OCR.
MARK_TYPES = ("checkbox", "choice", "checkbox_group")
#: Field types read by OCR from one text box (or its ruled lines).
BOX_TEXT_TYPES = ("text", "katakana", "phone", "amount")
#: A one-character box with more extra ink than this holds a character.
CELL_INK = 0.012


@lru_cache(maxsize=16)
def blank_ink(pdf: Path, dpi: int) -> Image:
    """The blank form's ink at ``dpi``: the baseline that ticks and circles are measured against."""
    return binarize(blank_page(pdf, dpi))


@dataclass(frozen=True)
class _Mark:
    value: str | None
    confidence: float
    multiple: bool


#: How strongly a box (or a word, for ○) is marked: 1.0 is the decision threshold.
MarkScore = Callable[[PtBox, str], float]


def ink_scores(paper: Paper) -> MarkScore:
    """Marks on a scan: writer's ink against the blank form's ink, relative to the threshold."""
    return lambda box, style: inkmod.measure(paper, box, style) / inkmod.threshold(style)


def mark_confidence(score: float) -> float:
    """How far a mark is from the decision threshold, mapped to 0.5–1."""
    return float(min(1.0, 0.5 + abs(score - 1.0) / 2))


def _read_marks(options: tuple[tuple[str, PtBox], ...], style: str, score: MarkScore) -> _Mark:
    scores = [(name, score(box, style)) for name, box in options]
    marked = [(n, s) for n, s in scores if s > 1.0]
    confidence = min(mark_confidence(s) for _, s in scores)
    if not marked:
        return _Mark(None, confidence, False)
    best = max(marked, key=lambda item: item[1])
    return _Mark(best[0], confidence, len(marked) > 1)


def _inked_cells(segments: tuple[Segment, ...], paper: Paper) -> list[Image]:
    crops = []
    for segment in segments:
        for cell in cells(segment):
            if inkmod.measure(paper, cell, "tick") > CELL_INK:
                crops.append(cell_crop(paper.page, cell, paper.dpi))
    return crops


#: What the recogniser may write for the blank between two words.
_GAP_MARKS = set("ー-‐－一~〜 ")


def spaced_by_gaps(whole: Recognition, gaps: list[tuple[int, int]]) -> Recognition:
    """Put the word spaces back (the recogniser drops them) at the blank gaps seen in the
    crop, using where each character was read; a long-vowel mark or dash read *inside* a gap
    is the gap itself and goes. Without character positions the reading is left as it is."""
    text = whole.text.replace(" ", "")
    xs = [x for x, char in zip(whole.positions, whole.text, strict=False) if char != " "]
    if not gaps or not text or len(xs) != len(text):
        return whole
    out: list[str] = []
    placed: list[float] = []
    pending = sorted(gaps)
    for char, x in zip(text, xs, strict=True):
        if any(start <= x < end for start, end in pending) and char in _GAP_MARKS:
            continue
        while pending and x >= (pending[0][0] + pending[0][1]) / 2:
            pending.pop(0)
            if out and out[-1] != " ":
                out.append(" ")
                placed.append(x)
        out.append(char)
        placed.append(x)
    return replace(whole, text="".join(out).strip(), positions=tuple(placed))


def judged(
    codes: list[str], empty: bool, inked: bool, confidence: float, required: bool, scanned: bool
) -> list[str]:
    """The finding codes of one field. A required field with nothing written is ``required``.
    A value that fails its check, or could not be made into a value at all, *and* was read
    without confidence is more likely misread than miswritten: it is ``illegible`` (a person
    reads the original) rather than an error blamed on the applicant."""
    unsure = (
        scanned and confidence < REVIEW_THRESHOLD and (bool(set(codes) & UNSURE_CODES) or (empty and inked))
    )
    if unsure:
        return [code for code in codes if code not in UNSURE_CODES] + ["illegible"]
    return codes + (["required"] if empty and required else [])


def _finding(name: str | None, code: str) -> Finding:
    return Finding(name, code, MESSAGES[code])


def _comparable(text: str, part: str) -> str:
    """What two engines must agree on: digits for boxed numbers; otherwise the text without
    spaces and long-vowel/dash marks, which PP-OCRv5 emits for blank gaps (``ワタナベーユミ``)."""
    if part in ("digits", "year", "month", "day"):
        return digits_value(text)
    return re.sub(r"[\sー\-‐－~〜]", "", nfkc(text))


def disagreements(
    keys: list[tuple[str, str]], first: list[Recognition], second: list[Recognition]
) -> set[str]:
    """Fields where the cross-check model read something else than the primary one."""
    return {
        name
        for (name, part), a, b in zip(keys, first, second, strict=True)
        if (part in ("text", "digits", "year", "month", "day") or part.startswith("line"))
        and _comparable(a.text, part) != _comparable(b.text, part)
    }


#: Findings that do not say the applicant made a mistake: lateness (processed all the same),
#: a value the scan does not let us read with confidence (a person reads the original), and
#: one name written twice that reads one character apart (a misreading more often than not),
#: and a page that could not be aligned well on its form (every field goes to a person).
WARNINGS = {"late_notification", "illegible", "name_near_match", "alignment_poor"}
#: Findings whose field needs no person: the value was read right, only the date is late.
SETTLED = {"late_notification"}
#: Value checks that, on an unconfident reading, become ``illegible``: their failure then
#: says more about the reading than the writing. (A digit-count failure is its own evidence.)
#: (Nor does hiragana in a フリガナ box: the kana alphabet reads it only where it is written.)
UNSURE_CODES = {"phone", "amount", "date_invalid", "number_leading_zero"}
#: A field the two models read differently is never trusted more than this.
DISAGREEMENT_CONFIDENCE = 0.5


def read_fields(
    template: Template,
    page: Image,
    dpi: int,
    engine: OcrEngine,
    today: date,
    crosscheck: OcrEngine | None = None,
    alignment: float = 1.0,
) -> tuple[list[FieldReading], list[Finding]]:
    """Read every field of ``template`` from a page already aligned to its canvas at ``dpi``.

    With ``crosscheck``, a second model reads the same crops; where it disagrees, the field
    goes to review however confident the primary model was. ``alignment`` is how well the
    page shows the form's printed rules where they belong (see
    :func:`extractors.identify.aligned_on_structure`): below ``ALIGNMENT_TRUSTED`` every
    field goes to a person, with a finding that says why.
    """
    paper = page_paper(template, page, dpi)
    circles = seals(paper.writing, dpi)
    plan = plan_crops(template, page, dpi, paper, circles)
    keys, crops, cell_counts = plan.keys, plan.crops, plan.cell_counts
    alphabets = plan.alphabets(template)
    primary = engine.recognize(crops, alphabets)
    # Text under a seal that could not be dropped out (grey or 1-bit scans) is not trusted
    # however confident the recogniser is: the seal's strokes read as (), 印, 代 …
    sealed = {
        spec.name
        for spec in template.fields
        if spec.type in BOX_TEXT_TYPES
        and spec.box
        and any(under_seal(box, circles, dpi) for box in (spec.box, *spec.more_lines))
    }
    disputed: set[str] = set(sealed)
    if crosscheck:
        # Every crop but the 個人番号's (its check digit catches a misread digit): a date's
        # 7 read as 1 still makes a date, a postcode's 9 read as 7 still a postcode.
        # A crop the primary model is unsure of sends its field to review anyway: no second read.
        kinds = {spec.name: spec.type for spec in template.fields}
        chosen = [
            i
            for i, (name, _) in enumerate(keys)
            if kinds[name] != "my_number"
            and name not in sealed
            and primary[i].text
            and primary[i].confidence >= REVIEW_THRESHOLD
        ]
        second = crosscheck.recognize([crops[i] for i in chosen], [alphabets[i] for i in chosen])
        disputed |= disagreements([keys[i] for i in chosen], [primary[i] for i in chosen], second)
    recognitions = dict(zip(keys, primary, strict=True))
    for name, gaps in plan.gaps.items():
        recognitions[(name, "text")] = spaced_by_gaps(recognitions[(name, "text")], gaps)
    for (name, part), count in cell_counts.items():
        if part == "lines":  # ruled lines of one text: written as one running text
            lines = [recognitions[(name, f"line{i}")] for i in range(count)]
            used = [line for line in lines if line.text]
            recognitions[(name, "text")] = Recognition(
                "".join(line.text for line in used),
                min((u.confidence for u in used), default=0.0),
                weakest=min((u.weakest for u in used), default=0.0),
            )

    readings, findings = finish(
        template, recognitions, cell_counts, ink_scores(paper), today, disputed, inked=plan.inked
    )
    if alignment < ALIGNMENT_TRUSTED:
        readings = [
            replace(r, needs_review=True, confidence=min(r.confidence, DISAGREEMENT_CONFIDENCE))
            for r in readings
        ]
        findings = [_finding(None, "alignment_poor"), *findings]
    return readings, findings


#: Below this agreement of the aligned page with the form's printed rules, nothing read from
#: it is trusted: a field read a few millimetres off is another field's box.
ALIGNMENT_TRUSTED = 0.9


def page_paper(template: Template, page: Image, dpi: int) -> Paper:
    """The aligned page as the field readers measure it (title and footer: print only)."""
    return paper_of(page, blank_ink(template.blank_pdf, dpi), dpi, (template.title_box, template.footer_box))


def finish(
    template: Template,
    recognitions: dict[tuple[str, str], Recognition],
    cell_counts: dict[tuple[str, str], int],
    score: MarkScore,
    today: date,
    disputed: set[str] | frozenset[str] = frozenset(),
    scanned: bool = True,
    inked: Mapping[str, bool] | None = None,
) -> tuple[list[FieldReading], list[Finding]]:
    """Readings to canonical values, type checks, confidence and review routing, then the
    form's cross-field rules. Shared by scans (OCR + ink) and born-digital PDFs (text layer,
    ``scanned`` False: typed kana are not checked against the names' dictionary readings).

    ``inked`` says, per field, whether the paper holds writing there: a field written on but
    read as nothing is unreadable (confidence 0, ``illegible``), never a blank."""
    inked = inked or {}
    readings: list[FieldReading] = []
    findings: list[Finding] = []
    for spec in template.fields:
        value, confidence, raw, codes = _value_of(spec, recognitions, cell_counts, score, today)
        if spec.name in disputed:
            confidence = min(confidence, DISAGREEMENT_CONFIDENCE)
        written_on = inked[spec.name] if spec.name in inked else bool(raw.strip())
        if value is None and written_on:
            confidence = 0.0
        codes = judged(codes, value is None, written_on, confidence, spec.required, scanned)
        findings += [_finding(spec.name, code) for code in codes]
        needs_review = bool(codes) or confidence < REVIEW_THRESHOLD
        readings.append(FieldReading(spec.name, value, confidence, needs_review, raw, spec.bounds()))

    if scanned:
        readings = [_checked_against_name(template, r, readings) for r in readings]

    # Cross-field rules of the form: a broken rule is either a misreading or the applicant's
    # error, and either way a person looks at the fields it names (warnings excepted).
    cross = check_form(template.form_id, {r.name: r.value for r in readings}, today)
    # A blank the rules complain of, where the paper shows writing, is a value not read: the
    # field's own ``illegible`` finding already says so.
    unread = {r.name for r in readings if r.value is None and inked.get(r.name, False)}
    cross = [f for f in cross if not (f.code == "required" and f.field in unread)]
    if scanned:
        # Values read by OCR only: a mark's confidence says how far its ink is from the
        # threshold, and a faint tick is still the applicant's.
        read = {spec.name for spec in template.fields if spec.type not in MARK_TYPES}
        unsure = {
            r.name
            for r in readings
            if r.name in read and r.confidence < REVIEW_THRESHOLD and r.value is not None
        }
        cross = [_unsure_reading(f) if f.field in unsure and f.code not in WARNINGS else f for f in cross]
    doubtful = {f.field for f in cross if f.code not in SETTLED}
    readings = [replace(r, needs_review=True) if r.name in doubtful else r for r in readings]
    return readings, findings + cross


def _unsure_reading(broken: Finding) -> Finding:
    """A cross-field rule broken by a value read without confidence (a year read 1 for 7
    puts the 証明日 before the 届出日) says more about the reading than the writing, as
    ``judged`` has it for one field's own checks: ``illegible``, naming the rule."""
    why = broken.message
    return Finding(broken.field, "illegible", f"読み取りが不確かです（{why}）。原本の記載を確認してください")


def _checked_against_name(
    template: Template, reading: FieldReading, readings: list[FieldReading]
) -> FieldReading:
    """A フリガナ reading checked against the dictionary reading of the name it reads: the
    kana it settles are replaced (and a person confirms); where the two still differ by a
    dakuten, the field goes to review as read."""
    spec = template.field(reading.name)
    name = next((r.value for r in readings if r.name == spec.reading_of), None) if spec.reading_of else None
    if not isinstance(name, str) or not isinstance(reading.value, str):
        return reading
    spelled = name_reading(name)
    settled = settle_kana(reading.value, spelled)
    if settled is None:
        spaced = spaced_like_name(reading.value, spelled)
        if spaced is None:
            return reading
        if " " in reading.value:  # the gap analysis put it elsewhere: a person confirms
            return replace(
                reading,
                value=spaced,
                confidence=min(reading.confidence, DISAGREEMENT_CONFIDENCE),
                needs_review=True,
            )
        return replace(reading, value=spaced)
    if settled.agrees and settled.value == reading.value:
        return reading
    return replace(
        reading,
        value=settled.value,
        confidence=min(reading.confidence, DISAGREEMENT_CONFIDENCE),
        needs_review=True,
    )


@dataclass(frozen=True)
class CropPlan:
    """Every OCR crop of a page, keyed by (field, part), so the engine sees one batch."""

    keys: list[tuple[str, str]]
    crops: list[Image]
    cell_counts: dict[tuple[str, str], int]
    #: Blank gaps (crop columns) where a word space may be, per spaced text field.
    gaps: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    #: Whether the writer put ink in each OCR-read field, judged from the paper, not the text.
    inked: dict[str, bool] = field(default_factory=dict)

    def alphabets(self, template: Template) -> list[str | None]:
        """The alphabet each crop is read in: kana for フリガナ, digits for boxed numbers and
        dates, anything for free text, phone numbers and amounts."""
        kinds = {spec.name: spec.type for spec in template.fields}
        return [
            "kana"
            if kinds[name] == "katakana"
            else "digits"
            if kinds[name] in ("digits", "my_number", "date")
            else None
            for name, _ in self.keys
        ]


def plan_crops(
    template: Template,
    page: Image,
    dpi: int,
    paper: Paper | None = None,
    circles: Sequence[Circle] = (),
) -> CropPlan:
    """Cut the crops of every OCR-read field: the writing of each text box found where it is
    (:func:`extractors.fields.writing.locate`), and one-character boxes joined into strips of
    the inked cells."""
    paper = page_paper(template, page, dpi) if paper is None else paper
    rules_down = cell_rules(template.blank_pdf, dpi).down
    # Every box of the form in pixels, once per page: each text box's neighbours are the rest.
    all_boxes = [box for spec in template.fields for box in spec.all_boxes()]
    everything = list(zip(all_boxes, other_boxes(all_boxes, dpi), strict=True))
    keys: list[tuple[str, str]] = []
    crops: list[Image] = []
    cell_counts: dict[tuple[str, str], int] = {}
    gaps: dict[str, list[tuple[int, int]]] = {}
    inked: dict[str, bool] = {}

    def found(box: PtBox) -> tuple[Image, bool]:
        others = [pixels for other, pixels in everything if other != box]
        writing = locate(paper, box, rules_down, others, circles)
        return writing.crop, writing.inked

    for spec in template.fields:
        if spec.type in BOX_TEXT_TYPES and spec.box and spec.more_lines:
            lines = [found(line) for line in (spec.box, *spec.more_lines)]
            inked[spec.name] = any(ink for _, ink in lines)
            for index, (crop, _) in enumerate(lines):
                keys.append((spec.name, f"line{index}"))
                crops.append(crop)
            cell_counts[(spec.name, "lines")] = len(lines)
        elif spec.type in BOX_TEXT_TYPES and spec.box:
            crop, inked[spec.name] = found(spec.box)
            keys.append((spec.name, "text"))
            crops.append(crop)
            if spec.spaced:
                gaps[spec.name] = wide_gaps(crop)
        elif spec.type in ("digits", "my_number"):
            filled = _inked_cells(spec.segments, paper)
            cell_counts[(spec.name, "digits")] = len(filled)
            inked[spec.name] = bool(filled)
            keys.append((spec.name, "digits"))
            crops.append(strip(filled))
        elif spec.type == "date":
            for part, box in spec.parts:
                filled = _inked_cells((Segment(box, 2),), paper)
                cell_counts[(spec.name, part)] = len(filled)
                inked[spec.name] = inked.get(spec.name, False) or bool(filled)
                keys.append((spec.name, part))
                crops.append(strip(filled))
    return CropPlan(keys, crops, cell_counts, gaps, inked)


def _value_of(
    spec: FieldSpec,
    recs: dict[tuple[str, str], Recognition],
    counts: dict[tuple[str, str], int],
    score: MarkScore,
    today: date,
) -> tuple[FieldValue, float, str, list[str]]:
    """(value, confidence, raw text, finding codes) for one field."""
    codes: list[str] = []
    if spec.type in MARK_TYPES:
        options = spec.options or ((("checked", spec.box),) if spec.box else ())
        if spec.type == "checkbox_group":
            scores = [(n, score(b, spec.style)) for n, b in options]
            chosen = sorted(n for n, s in scores if s > 1.0)
            conf = min(mark_confidence(s) for _, s in scores)
            return (chosen or None), conf, "", codes
        mark = _read_marks(options, spec.style, score)
        if spec.type == "checkbox":
            return mark.value is not None, mark.confidence, "", codes
        if mark.multiple:
            codes.append("choice_multiple")
        return mark.value, mark.confidence, "", codes

    if spec.type in ("digits", "my_number"):
        rec = recs[(spec.name, "digits")]
        digits = digits_value(rec.text)
        if not digits:
            return None, 1.0 if counts[(spec.name, "digits")] == 0 else 0.0, rec.text, codes
        confidence = rec.confidence if len(digits) == counts[(spec.name, "digits")] else rec.confidence * 0.5
        code = check_digits(digits, spec.min_digits, spec.max_digits, spec.type == "my_number")
        if code:
            codes.append(code)
        return digits, confidence, rec.text, codes

    if spec.type == "date":
        return _date_of(spec, recs, counts, score, today)

    rec = recs[(spec.name, "text")]
    if rec.text and rec.weakest < WEAK_CHARACTER:
        rec = replace(rec, confidence=min(rec.confidence, DISAGREEMENT_CONFIDENCE))
    if spec.type == "katakana":
        value = katakana_value(rec.text)
        if value and (code := check_katakana(value)):
            codes.append(code)
    elif spec.type == "phone":
        value = phone_value(rec.text)
        if value and (code := check_phone(value)):
            codes.append(code)
        elif value and not phone_length_plausible(value):  # a digit lost or read twice
            return value, min(rec.confidence, DISAGREEMENT_CONFIDENCE), rec.text, codes
    elif spec.type == "amount":
        amount = amount_value(rec.text)
        if amount is None and rec.text.strip():
            codes.append("amount")
        return (
            amount,
            (rec.confidence if amount is not None else 1.0 if not rec.text.strip() else 0.0),
            rec.text,
            codes,
        )
    else:
        value = text_value(rec.text)
        # An old character form may be the model's habit or the writer's own, and a prefecture
        # one character off (干葉県) is most likely misread: changed either way, a person decides.
        settled = strip_stray_marks(common_forms(value)) or None if value else value
        if settled and spec.address:
            settled = settle_prefecture(settled)
        if settled != value:
            return settled, min(rec.confidence, DISAGREEMENT_CONFIDENCE), rec.text, codes
    return value, (rec.confidence if value else 1.0), rec.text, codes


def _date_of(
    spec: FieldSpec,
    recs: dict[tuple[str, str], Recognition],
    counts: dict[tuple[str, str], int],
    score: MarkScore,
    today: date,
) -> tuple[FieldValue, float, str, list[str]]:
    parts = {part: recs[(spec.name, part)] for part, _ in spec.parts}
    numbers = {part: digits_value(r.text) for part, r in parts.items()}
    raw = "/".join(r.text for r in parts.values())
    confidence = min(r.confidence for r in parts.values()) if all(numbers.values()) else 0.0
    if any(len(numbers[p]) != counts[(spec.name, p)] for p in parts):
        confidence *= 0.5  # a digit was lost or invented between the boxes and the reading
    era_conf = 1.0
    if spec.era:
        era: str | None = spec.era
    else:
        mark = _read_marks(spec.era_options, spec.style, score)
        era, era_conf = mark.value, mark.confidence
    if not any(numbers.values()) and all(counts[(spec.name, p)] == 0 for p in parts):
        return None, 1.0, raw, []
    if era is None:
        return None, 0.0, raw, ["era_missing"]
    if not all(numbers.values()):
        return None, 0.0, raw, ["date_invalid"]
    result = wareki_to_date(era, int(numbers["year"]), int(numbers["month"]), int(numbers["day"]))
    if result is None:
        return None, 0.0, raw, ["date_invalid"]
    codes = ["future_date"] if result > today else []
    return result.isoformat(), min(confidence, era_conf), raw, codes
