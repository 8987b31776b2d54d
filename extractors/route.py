"""Review routing: which fields a person must look at, and the findings that say why.

Contract: :func:`finish` takes every field's recognitions (OCR of a scan, or a born-digital
PDF's text layer), the inked-cell counts, the mark scores, the fields the second model or a
seal put in doubt and, per field, whether the paper holds writing; it returns one
:class:`~extractors.model.FieldReading` per template field, in template order, and the
findings: each field's own (type checks, ``required``, ``illegible``) in field order, then
the form's cross-field rules (:func:`extractors.forms.check_form`). It guarantees that a
field goes to review (``needs_review``) when its confidence is below
:data:`REVIEW_THRESHOLD`, when it has a finding, or when a cross-field rule names it
(lateness, :data:`SETTLED`, excepted); that a field written on but read as nothing is
``illegible`` with confidence 0, never a blank; and that a failed check on a reading without
confidence is ``illegible`` (for a person), not an error blamed on the applicant.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date

from extractors.convert import DISAGREEMENT_CONFIDENCE, Converted, Counts, Recognitions, value_of
from extractors.forms import check_form
from extractors.marks import MarkScore
from extractors.model import FieldReading, FieldValue, Finding
from extractors.postcodes import (
    municipalities_of,
    place_readings,
    places,
    postcode_findings,
    postcode_for,
    spelled_as_japan_post,
)
from extractors.readings import (
    like_a_confirmed_word,
    name_reading,
    name_spaced_like_kana,
    settle_kana,
    settle_place_kana,
    spaced_like_name,
)
from extractors.template import FieldSpec, FieldType, Layout, Template
from extractors.validate import MESSAGES

#: Below this engine confidence a value goes to a person.
REVIEW_THRESHOLD = 0.90
#: Findings that do not say the applicant made a mistake: lateness (processed all the same),
#: a value the scan does not let us read with confidence (a person reads the original), and
#: one name written twice that reads one character apart (a misreading more often than not),
#: and a page that could not be aligned well on its form (every field goes to a person).
WARNINGS = {
    "late_notification",
    "illegible",
    "name_near_match",
    "alignment_poor",
    # The 事業所 master's value put in, or a value unlike it (extractors.employers): a person checks.
    "employer_proposed",
    "employer_mismatch",
}
#: Findings whose field needs no person: the value was read right, only the date is late.
SETTLED = {"late_notification"}
#: Value checks that, on an unconfident reading, become ``illegible``: their failure then
#: says more about the reading than the writing. (A digit-count failure is its own evidence,
#: unless the digits themselves were barely read: see :data:`DOUBTFUL_DIGITS`.)
#: (Nor does hiragana in a フリガナ box: the kana alphabet reads it only where it is written.)
UNSURE_CODES = {"phone", "amount", "date_invalid", "number_leading_zero"}
#: Below this confidence the digits read are no evidence of how many were written (a stroke
#: strayed into one of twelve cells, read 7 at 0.3): ``digits_count`` becomes ``illegible``.
DOUBTFUL_DIGITS = 0.5


def judged(
    codes: list[str], empty: bool, inked: bool, confidence: float, required: bool, scanned: bool
) -> list[str]:
    """The finding codes of one field. A required field with nothing written is ``required``.
    A value that fails its check, or could not be made into a value at all, *and* was read
    without confidence is more likely misread than miswritten: it is ``illegible`` (a person
    reads the original) rather than an error blamed on the applicant."""
    doubted = UNSURE_CODES | ({"digits_count"} if confidence < DOUBTFUL_DIGITS else set())
    unsure = scanned and confidence < REVIEW_THRESHOLD and (bool(set(codes) & doubted) or (empty and inked))
    if unsure:
        return [code for code in codes if code not in doubted | {"illegible"}] + ["illegible"]
    return codes + (["required"] if empty and required else [])


def finding(name: str | None, code: str) -> Finding:
    """The finding ``code`` on field ``name`` (None: the whole form), with its message."""
    return Finding(name, code, MESSAGES[code])


def finish(
    template: Template,
    recognitions: Recognitions,
    cell_counts: Counts,
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
        converted = value_of(spec, recognitions, cell_counts, score, today)
        reading, codes = _routed(spec, converted, spec.name in disputed, inked, scanned)
        findings += [finding(spec.name, code) for code in codes]
        readings.append(reading)

    if scanned:
        readings = [_spaced_like_its_kana(template, r, readings) for r in readings]
        readings = [_checked_against_name(template, r, readings) for r in readings]
        readings = [_like_a_confirmed_name(template, r, readings) for r in readings]
        readings = [_postcode_checked(template, r, readings) for r in readings]
        readings = [_checked_against_postcode(template, r, readings) for r in readings]
        readings = [_checked_against_place(template, r, readings) for r in readings]

    # Cross-field rules of the form: a broken rule is either a misreading or the applicant's
    # error, and either way a person looks at the fields it names and at every value the rule
    # rests on (warnings excepted): a 届出日 read 2019 for 2025, confidently, puts the 異動日
    # after it; the finding names the 異動日, and the 届出日 is what is wrong.
    cross = _cross_field(template, readings, today, inked, scanned)
    doubtful = {name for f, rests in cross if f.code not in SETTLED for name in {f.field, *rests}}
    readings = [replace(r, needs_review=True) if r.name in doubtful else r for r in readings]
    return readings, findings + [f for f, _ in cross]


def _routed(
    spec: FieldSpec, converted: Converted, disputed: bool, inked: Mapping[str, bool], scanned: bool
) -> tuple[FieldReading, list[str]]:
    """One field's reading, routed, and its finding codes."""
    value, confidence, raw, codes = converted
    if disputed:
        confidence = min(confidence, DISAGREEMENT_CONFIDENCE)
    written_on = inked[spec.name] if spec.name in inked else bool(raw.strip())
    if value is None and written_on:
        confidence = 0.0
    codes = judged(codes, value is None, written_on, confidence, spec.required, scanned)
    needs_review = bool(codes) or confidence < REVIEW_THRESHOLD
    return FieldReading(spec.name, value, confidence, needs_review, raw, spec.bounds()), codes


def _cross_field(
    template: Template,
    readings: list[FieldReading],
    today: date,
    inked: Mapping[str, bool],
    scanned: bool,
) -> list[tuple[Finding, set[str]]]:
    """The findings of the form's cross-field rules on the values read, each with the fields
    whose values it rests on (see :func:`resting_on`)."""
    values = {r.name: r.value for r in readings}

    def rules(values: Mapping[str, object]) -> list[Finding]:
        return check_form(template.form_id, values, today) + postcode_findings(template, values)

    cross = rules(values)
    # A blank the rules complain of, where the paper shows writing, is a value not read: the
    # field's own ``illegible`` finding already says so.
    unread = {r.name for r in readings if r.value is None and inked.get(r.name, False)}
    cross = [f for f in cross if not (f.code == "required" and f.field in unread)]
    resting = resting_on(rules, values, cross)
    codes = [f.code for f in cross]  # as the rules gave them, before any becomes ``illegible``
    if scanned:
        # Values read by OCR only: a mark's confidence says how far its ink is from the
        # threshold, and a faint tick is still the applicant's.
        read = {spec.name for spec in template.fields if spec.type.layout is not Layout.MARKS}
        unsure = {
            r.name
            for r in readings
            if r.name in read and r.confidence < REVIEW_THRESHOLD and r.value is not None
        }
        # A rule resting on an unsure value (a 届出日 read 2019 for 2025 puts the 滅失日 after
        # it; a year read 1 for 7 makes a change late) says more about the reading than the
        # writing.
        cross = [
            _unsure_reading(f) if f.code not in _NOT_BLAME and resting[(f.field, f.code)] & unsure else f
            for f in cross
        ]
    return [(f, resting[(f.field, code)]) for f, code in zip(cross, codes, strict=True)]


def resting_on(
    rules: Callable[[Mapping[str, object]], list[Finding]],
    values: Mapping[str, object],
    findings: list[Finding],
) -> dict[tuple[str | None, str], set[str]]:
    """For each finding (field, code), the fields whose values it rests on: those without
    whose value (taken away, as if not written) the rule no longer finds it. Its own field
    counts only when that holds for it too (a ``required`` rests on what makes it required)."""
    resting: dict[tuple[str | None, str], set[str]] = {(f.field, f.code): set() for f in findings}
    if not findings:
        return resting
    for name, value in values.items():
        if value is None or value == [] or value is False:
            continue
        without = {**values, name: None}
        standing = {(f.field, f.code) for f in rules(without)}
        for key in resting:
            if key not in standing:
                resting[key].add(name)
    return resting


#: Findings that blame nobody, and stay as they are on an unsure reading.
_NOT_BLAME = {"illegible", "name_near_match", "alignment_poor"}


def _unsure_reading(broken: Finding) -> Finding:
    """A cross-field rule broken by a value read without confidence (a year read 1 for 7
    puts the 証明日 before the 届出日) says more about the reading than the writing, as
    ``judged`` has it for one field's own checks: ``illegible``, naming the rule."""
    why = broken.message
    return Finding(broken.field, "illegible", f"読み取りが不確かです（{why}）。原本の記載を確認してください")


def _postcode_checked(
    template: Template, reading: FieldReading, readings: list[FieldReading]
) -> FieldReading:
    """A 郵便番号 read one digit off the postcode of the town the address beside it names
    (8870517 for 8890517, 宮崎県延岡市赤水町): that postcode, for a person to confirm
    (:func:`extractors.postcodes.postcode_for`)."""
    address_spec = next((spec for spec in template.fields if spec.postcode == reading.name), None)
    if address_spec is None or not isinstance(reading.value, str):
        return reading
    address = next((r.value for r in readings if r.name == address_spec.name), None)
    if not isinstance(address, str):
        return reading
    found = postcode_for(address, reading.value)
    return reading if found is None else proposed(reading, found)


def _checked_against_postcode(
    template: Template, reading: FieldReading, readings: list[FieldReading]
) -> FieldReading:
    """An address read beside its 郵便番号: its municipality and town, one or two characters
    off the place Japan Post gives for the postcode, spelled as Japan Post spells it, for a
    person to confirm (:func:`extractors.postcodes.spelled_as_japan_post`). An address without
    one: its municipality, against those of its prefecture (名古崖市 → 名古屋市)."""
    spec = template.field(reading.name)
    if not spec.address or not isinstance(reading.value, str):
        return reading
    if spec.postcode is None:  # 事業所所在地: spelled against its prefecture's municipalities
        candidates = municipalities_of(reading.value)
    else:
        postcode = next((r.value for r in readings if r.name == spec.postcode), None)
        candidates = places(postcode) if isinstance(postcode, str) else ()
    spelled = spelled_as_japan_post(reading.value, candidates)
    return reading if spelled is None else proposed(reading, spelled)


def _checked_against_place(
    template: Template, reading: FieldReading, readings: list[FieldReading]
) -> FieldReading:
    """An address's フリガナ (a katakana field reading an address beside a 郵便番号) whose
    beginning is Japan Post's reading of the postcode's place but for kana sizes and
    dakuten (シパコウェン for 芝公園's シバコウエン): proposed as Japan Post spells it, for a
    person to confirm (:func:`extractors.readings.settle_place_kana`)."""
    spec = template.field(reading.name)
    if spec.type is not FieldType.KATAKANA or spec.reading_of is None or not isinstance(reading.value, str):
        return reading
    address = template.field(spec.reading_of)
    if not address.address or address.postcode is None:
        return reading
    postcode = next((r.value for r in readings if r.name == address.postcode), None)
    if not isinstance(postcode, str):
        return reading
    settled = settle_place_kana(reading.value, place_readings(postcode))
    return reading if settled is None else proposed(reading, settled)


def proposed(reading: FieldReading, value: FieldValue) -> FieldReading:
    """``reading`` with ``value`` in place of what was read: a proposal (a dictionary's
    spelling, a postcode's town, a name's reading) that a person confirms."""
    return replace(
        reading, value=value, confidence=min(reading.confidence, DISAGREEMENT_CONFIDENCE), needs_review=True
    )


def _spaced_like_its_kana(
    template: Template, reading: FieldReading, readings: list[FieldReading]
) -> FieldReading:
    """A name written 氏 名 but read without the space (the writer's gap narrower than the
    recogniser's idea of one) takes it where its フリガナ, written in boxes with an empty one
    between the words, has it and the name's dictionary reading agrees
    (:func:`extractors.readings.name_spaced_like_kana`)."""
    spec = template.field(reading.name)
    kana_spec = next((k for k in template.fields if k.reading_of == spec.name), None)
    if kana_spec is None or spec.address or not isinstance(reading.value, str):
        return reading  # (an address's フリガナ: :func:`_checked_against_place`)
    if not spec.spaced:
        # A name the template says is one word (no 氏と名の間に空白: the 氏 of a form with a
        # box for each) read with a space: a wide gap between two characters (松 本), never
        # the writer's; its フリガナ's gap may be read too (マツ モト), and says nothing more.
        return replace(reading, value=reading.value.replace(" ", ""))
    kana = next((r.value for r in readings if r.name == kana_spec.name), None)
    spaced = name_spaced_like_kana(reading.value, kana) if isinstance(kana, str) else None
    return reading if spaced is None else replace(reading, value=spaced)


def _a_character_lost(kana: str, spelled: str) -> bool:
    """Whether a フリガナ is its name's dictionary reading with a character or two missing at
    one end (マツモ for 松本, トウ for 加藤): the writing's first or last character lost at
    the box's edge and the rest read surely. (A name read otherwise, 沙織 written サオリ or
    シオリ, is no such case: only a reading that is all there but its ends.)"""
    bare, whole = kana.replace(" ", ""), spelled.replace(" ", "")
    lost = len(whole) - len(bare)
    return bool(bare) and 0 < lost <= 2 and (whole.startswith(bare) or whole.endswith(bare))


def _like_a_confirmed_name(
    template: Template, reading: FieldReading, readings: list[FieldReading]
) -> FieldReading:
    """A フリガナ with no name of its own to check it (a dependent's name written in kana
    only) whose word differs only by a dakuten, a handakuten or size from a word of a
    フリガナ confirmed by its name's dictionary reading on the same form (ダカハシ beside
    タカハシ for 高橋, ケンボ beside ケンポ for 健保) takes that word's marks: the same family
    name, or the same person, misread by a stroke. Always a proposal a person confirms
    (:func:`extractors.readings.like_a_confirmed_word`)."""
    spec = template.field(reading.name)
    if spec.type is not FieldType.KATAKANA or spec.reading_of or not isinstance(reading.value, str):
        return reading
    confirmed = [
        r.value
        for r in readings
        if isinstance(r.value, str)
        and not r.needs_review
        and (other := template.field(r.name)).type is FieldType.KATAKANA
        and other.reading_of
    ]
    marked = like_a_confirmed_word(reading.value, confirmed)
    return reading if marked is None else proposed(reading, marked)


def _checked_against_name(
    template: Template, reading: FieldReading, readings: list[FieldReading]
) -> FieldReading:
    """A フリガナ reading checked against the dictionary reading of the name it reads: the
    kana it settles are replaced (and a person confirms); where the two still differ by a
    dakuten, the field goes to review as read."""
    spec = template.field(reading.name)
    if spec.reading_of is None:
        return reading
    target = template.field(spec.reading_of)
    if target.address:
        return reading  # a place, not a name: :func:`_checked_against_place`
    name = next((r.value for r in readings if r.name == target.name), None)
    if not isinstance(name, str) or not isinstance(reading.value, str):
        return reading
    spelled = name_reading(name)
    settled = settle_kana(reading.value, spelled)
    if settled is None:
        if _a_character_lost(reading.value, spelled):
            # Not proposed: a name has other readings (聖奈 セイナ, the dictionary's セイナツ).
            return replace(reading, confidence=min(reading.confidence, DISAGREEMENT_CONFIDENCE), needs_review=True)
        spaced = spaced_like_name(reading.value, spelled)
        if spaced is None:
            return reading
        if " " in reading.value:  # the gap analysis put it elsewhere: a person confirms
            return proposed(reading, spaced)
        return replace(reading, value=spaced)
    if settled.agrees and settled.value == reading.value:
        if " " in settled.value and " " not in spelled and not target.spaced:
            # Every kana is the reading of a name of one word (名 alone): the space read
            # in it is a wide gap between two letters, never the writer's.
            return replace(reading, value=settled.value.replace(" ", ""))
        return reading
    return proposed(reading, settled.value)
