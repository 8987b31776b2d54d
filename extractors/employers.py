"""The society's 事業所 master against a form's employer block (事業所所在地, 名称, 電話番号,
事業主氏名; forms README §3).

The block is matched to one 事業所 by its name, phone or address, tolerant to misreads (a
character or two off, one digit of the phone); the match must be unique. Each field of the
block is then checked against the master:

- read with confidence and the same as the master (spaces aside): left alone;
- read with confidence and different: ``employer_mismatch`` (a person reads both: a misreading
  or a 事業所 that moved), the value left as read;
- read without confidence (under a seal, the second model disagreeing, unsure) and partly the
  master's value (half of its characters, in order): the master's value is *proposed*
  (``employer_proposed``): the field keeps going to review with the master's value in it,
  for a person to confirm. The master never lets a field be auto-accepted.

A field with nothing read, or only a seal's strokes, is left as it is (事業所所在地 and
電話番号 are optional: a seal pressed over a blank box is no writing to replace).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from rapidfuzz.distance import LCSseq, Levenshtein

from extractors.model import FieldReading, Finding, FormReading

#: The employer block's fields, by the master's column that holds their value.
BLOCK = {
    "name": "employer_name",
    "address": "employer_address",
    "phone": "employer_phone",
    "owner": "employer_owner_name",
}
#: Below this confidence a field read is not trusted over the master (route.REVIEW_THRESHOLD).
TRUSTED = 0.90
#: The confidence of a value proposed from the master (as any proposal: route.proposed).
PROPOSED_CONFIDENCE = 0.5
MESSAGES = {
    "employer_proposed": "事業所マスタ（{code} {name}）の値を入れました。原本と照合して確定してください",
    "employer_mismatch": "事業所マスタ（{code} {name}）では「{value}」です。原本を確認してください",
}


@dataclass(frozen=True)
class Employer:
    """One 事業所 of the society's master (CSV columns 事業所記号, 名称, 所在地, 電話番号, 事業主)."""

    code: str
    name: str
    address: str
    phone: str
    owner: str

    def value(self, column: str) -> str:
        """The master's value of ``column`` (a key of :data:`BLOCK`)."""
        return str(getattr(self, column))


def _plain(text: str) -> str:
    """What two spellings of one value share: NFKC, no spaces, no hyphens."""
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-‐－ー―]", "", folded) if not folded.isascii() else re.sub(r"[\s\-]", "", folded)


#: What a seal pressed over a blank box reads as: brackets, circles, 印 and punctuation.
_SEAL_MARKS = re.compile(r"[\s()（）〔〕「」\[\]{}○〇◯印・.,、。'\"|/\\\-ー_]*")


def _seal_only(text: str) -> bool:
    """Whether ``text`` holds nothing but what a seal's strokes read as (no writing)."""
    return _SEAL_MARKS.fullmatch(unicodedata.normalize("NFKC", text)) is not None


def _digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


def same(column: str, read: str, master: str) -> bool:
    """Whether ``read`` says what the master says (spaces, hyphens and full-width forms aside)."""
    if column == "phone":
        return _digits(read) == _digits(master)
    return _plain(read) == _plain(master)


def near(column: str, read: str, master: str) -> bool:
    """Whether ``read`` is a misreading of ``master``: a phone one digit off (same length), a
    name or owner off by at most a quarter of its characters (one at least), an address by at
    most a sixth (two at least)."""
    if column == "phone":
        a, b = _digits(read), _digits(master)
        return len(a) == len(b) >= 10 and sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    a, b = _plain(read), _plain(master)
    if not a or not b:
        return False
    allowed = max(2, len(b) // 6) if column == "address" else max(1, len(b) // 4)
    return Levenshtein.distance(a, b, score_cutoff=allowed) <= allowed


def _partly(column: str, read: str, master: str) -> bool:
    """Whether an unsure reading is part of the master's value misread: at least two of its
    characters, and half of them, are the master's in order (代表取締役 機郎 of 代表取締役
    桜井 一郎), not a seal's stroke read as 1."""
    a, b = (_digits(read), _digits(master)) if column == "phone" else (_plain(read), _plain(master))
    common = LCSseq.similarity(a, b)
    return common >= 2 and 2 * common >= len(a)


def match(values: Mapping[str, object], master: Sequence[Employer]) -> Employer | None:
    """The one 事業所 the block ``values`` (field name → value) names: the entries whose name,
    phone or address is the value read or near it; of those, the one with the most fields
    alike. None when none is, or two are equally alike. One phone digit off alone is not
    enough: another field must agree, or the phone must be the same."""
    scored: list[tuple[int, Employer]] = []
    for employer in master:
        exact = alike = 0
        for column, field in BLOCK.items():
            read = values.get(field)
            if not isinstance(read, str) or not read.strip():
                continue
            if same(column, read, employer.value(column)):
                exact += 1
            elif near(column, read, employer.value(column)):
                alike += 1
        if exact or alike >= 2 or (alike and column_alike(values, employer)):
            scored.append((2 * exact + alike, employer))
    if not scored:
        return None
    scored.sort(key=lambda pair: -pair[0])
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


def column_alike(values: Mapping[str, object], employer: Employer) -> bool:
    """Whether the name or address read (not only the phone) is near the master's."""
    for column in ("name", "address"):
        read = values.get(BLOCK[column])
        if isinstance(read, str) and near(column, read, employer.value(column)):
            return True
    return False


def checked(form: FormReading, master: Sequence[Employer]) -> FormReading:
    """``form`` with its employer block checked against ``master`` (see the module's
    docstring); unchanged when the form has no employer block or it names no 事業所 of it."""
    names = {f.name for f in form.fields}
    if not master or form.form_id is None or "employer_name" not in names:
        return form
    values = {f.name: f.value for f in form.fields}
    employer = match(values, master)
    if employer is None:
        return form
    columns = {field: column for column, field in BLOCK.items()}
    fields: list[FieldReading] = []
    findings: list[Finding] = []
    for reading in form.fields:
        column = columns.get(reading.name)
        if column is None or not employer.value(column):
            fields.append(reading)
            continue
        new, finding = _checked_field(reading, column, employer)
        fields.append(new)
        findings += [finding] if finding else []
    extra = {**form.extra, "employer": employer.code}
    return replace(form, fields=tuple(fields), findings=form.findings + tuple(findings), extra=extra)


def _checked_field(
    reading: FieldReading, column: str, employer: Employer
) -> tuple[FieldReading, Finding | None]:
    """One field of the block against the master's value: kept, proposed or doubted."""
    master = employer.value(column)
    read = reading.value
    if isinstance(read, str) and same(column, read, master):
        return reading, None
    if not isinstance(read, str) or _seal_only(read):
        # Nothing read (a blank box, or writing not read: a person reads the original), or
        # only a seal's strokes ((), 印): the master does not write in what may be left out.
        return reading, None
    unsure = reading.confidence < TRUSTED
    if unsure and not _partly(column, read, master):
        return reading, None  # not a misreading of the master's value (a seal's stroke read 1)
    if unsure:
        proposal = replace(
            reading,
            value=master,
            confidence=min(reading.confidence, PROPOSED_CONFIDENCE),
            needs_review=True,
        )
        message = MESSAGES["employer_proposed"].format(code=employer.code, name=employer.name)
        return proposal, Finding(reading.name, "employer_proposed", message)
    message = MESSAGES["employer_mismatch"].format(code=employer.code, name=employer.name, value=master)
    return replace(reading, needs_review=True), Finding(reading.name, "employer_mismatch", message)
