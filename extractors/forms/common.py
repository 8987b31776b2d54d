"""Helpers shared by the per-form checks: typed access to values and the shared blocks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from rapidfuzz.distance import Levenshtein

from extractors.issuance.params import AGE_LIMIT
from extractors.model import Finding
from extractors.normalize import without_spaces


class Values:
    """Read-only view of a form's canonical values with typed getters."""

    def __init__(self, values: Mapping[str, object]) -> None:
        self._values = values

    def get(self, name: str) -> object:
        return self._values.get(name)

    def filled(self, name: str) -> bool:
        value = self._values.get(name)
        # An amount of 0 is filled in: compare by identity, since 0 == False in Python.
        return not (value is None or value is False or value == "" or value == [])

    def text(self, name: str) -> str | None:
        value = self._values.get(name)
        return value if isinstance(value, str) else None

    def date(self, name: str) -> date | None:
        value = self._values.get(name)
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return None
        return None

    def options(self, name: str) -> list[str]:
        value = self._values.get(name)
        return [str(v) for v in value] if isinstance(value, list) else []

    def ticked(self, name: str) -> bool:
        return self._values.get(name) is True


def finding(field: str | None, code: str, message: str) -> Finding:
    return Finding(field, code, message)


def when(broken: bool, field: str | None, code: str, message: str) -> list[Finding]:
    """The finding of a rule, when it is broken."""
    return [finding(field, code, message)] if broken else []


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def required(v: Values, names: list[str], why: str) -> list[Finding]:
    return [finding(n, "required", f"必須項目が空欄です（{why}）") for n in names if not v.filled(n)]


def must_be_blank(v: Values, names: list[str], why: str) -> list[Finding]:
    return [finding(n, "must_be_blank", f"この欄は記入不要です（{why}）") for n in names if v.filled(n)]


def age_check(v: Values, birth_field: str, on: date | None) -> list[Finding]:
    """Age < 75 on the relevant date (forms README §2 Age limit)."""
    birth = v.date(birth_field)
    if birth and on and age_on(birth, on) >= AGE_LIMIT:
        return [finding(birth_field, "age_limit", f"{AGE_LIMIT}歳以上の方は後期高齢者医療制度の対象です")]
    return []


def symbol_number_or_my_number(v: Values, my_number_field: str | None) -> list[Finding]:
    """記号＋番号 both or neither; 個人番号 required when they are blank (§3.1 insured_symbol)."""
    has_symbol, has_number = v.filled("insured_symbol"), v.filled("insured_number")
    out = []
    if has_symbol != has_number:
        missing = "insured_number" if has_symbol else "insured_symbol"
        out.append(finding(missing, "symbol_number_pair", "記号と番号は両方記入してください"))
    if not has_symbol and not has_number:
        if my_number_field is None:
            out += required(v, ["insured_symbol", "insured_number"], "記号・番号")
        elif not v.filled(my_number_field):
            out.append(
                finding(my_number_field, "required", "記号・番号が不明な場合は個人番号を記入してください")
            )
    return out


def employer_block(v: Values) -> list[Finding]:
    """事業主 block required unless 任意継続 (rule 16); 証明日 ≥ 申請日/届出日 (§3.1)."""
    if v.ticked("is_voluntary_continuation"):
        return []
    out = required(v, ["employer_cert_date", "employer_name", "employer_owner_name"], "事業主の証明")
    cert, submitted = v.date("employer_cert_date"), v.date("submission_date")
    if cert and submitted and cert < submitted:
        out.append(
            finding("employer_cert_date", "cert_before_submission", "事業主の証明日が申請日より前です")
        )
    return out


def row_all_or_nothing(v: Values, row_fields: list[str], core: list[str], label: str) -> list[Finding]:
    """A table row is all-or-nothing: once any field is written, its core fields are required."""
    if not any(v.filled(n) for n in row_fields):
        return []
    return required(v, core, f"{label}を記入する場合")


#: Two written copies of one name that differ in a single character.
NAME_NEAR_MATCH = "name_near_match"
_NEAR_MATCH_MESSAGE = "同じ氏名のはずの2か所が1文字だけ異なります。原本を確認してください"


def one_character_apart(a: object, b: object) -> bool:
    """Two names (spaces aside) that differ by one character inserted, dropped or changed.
    The same name written twice on one form and read that way is far more likely one misread
    character than two different people, so it is routed to a person rather than reported as
    the applicant's error; two different names (a different surname) differ by more."""
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    left, right = a.replace(" ", "").replace("\u3000", ""), b.replace(" ", "").replace("\u3000", "")
    return min(len(left), len(right)) >= 2 and Levenshtein.distance(left, right) == 1


def near_match(field: str) -> Finding:
    return finding(field, NAME_NEAR_MATCH, _NEAR_MATCH_MESSAGE)


def same_as_insured(v: Values, prefix: str, pairs: list[tuple[str, str]]) -> list[Finding]:
    """A target row of type insured repeats the 被保険者 block (§3.1 target1_*). Names one
    character apart are sent to a person as ``name_near_match`` (see ``one_character_apart``);
    dates must match exactly."""
    out = []
    for own, insured in pairs:
        a, b = v.get(prefix + own), v.get(insured)
        if a is not None and b is not None and without_spaces(a) != without_spaces(b):
            if not own.endswith("date") and one_character_apart(a, b):
                out.append(near_match(prefix + own))
            else:
                out.append(
                    finding(
                        prefix + own, "target_mismatch", "被保険者本人の欄と被保険者欄の記入が一致しません"
                    )
                )
    return out


def not_after(v: Values, earlier: str, later: str, code: str, message: str) -> list[Finding]:
    a, b = v.date(earlier), v.date(later)
    return [finding(earlier, code, message)] if a and b and a > b else []


def target_rows(v: Values, row: list[str], core: list[str], why: str) -> list[Finding]:
    """The two target rows (``target1_*``, ``target2_*``) of SK-01 and SK-03: the first
    required, the second all-or-nothing, and 被保険者本人 in one row at the most."""
    out = required(v, [f"target1_{f}" for f in core], why)
    out += row_all_or_nothing(v, [f"target2_{f}" for f in row], [f"target2_{f}" for f in core], "2人目")
    if all(v.get(f"target{r}_type") == "insured" for r in (1, 2)):
        out.append(finding("target2_type", "two_insured_rows", "被保険者本人は1行のみ記入できます"))
    return out
