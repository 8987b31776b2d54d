"""SK-04 住所・氏名変更届: cross-field checks of forms README §3.4 (rules 9, 10)."""

from __future__ import annotations

from datetime import date

from extractors.forms.common import (
    Values,
    employer_block,
    finding,
    must_be_blank,
    near_match,
    not_after,
    one_character_apart,
    required,
    when,
)
from extractors.issuance.deadlines import is_late, late_message
from extractors.model import Finding
from extractors.normalize import without_spaces

NAME_SECTION = [
    "name_old_kana",
    "name_old",
    "name_new_kana",
    "name_new",
    "name_change_date",
    "name_change_reason",
    "name_change_reason_other",
]
ADDRESS_SECTION = [
    "address_old_postal_code",
    "address_old",
    "address_new_postal_code",
    "address_new",
    "address_change_date",
    "dependent_living_after",
]
DEPENDENT_SECTION = [
    "dependent_name_kana",
    "dependent_name",
    "dependent_birth_date",
    "dependent_relationship",
]
PROOFS = {"marriage_cert", "koseki", "other"}
#: The name section less the その他 reason, which only 「その他」 asks for.
NAME_CHANGE_REQUIRED = NAME_SECTION[:-1]
#: The address section less the dependent's living arrangement, which only a dependent gives.
ADDRESS_CHANGE_REQUIRED = ADDRESS_SECTION[:-1]


def check(v: Values, today: date) -> list[Finding]:
    """SK-04's findings in the order of the form: the target, the name change, the address
    change, the attachments, the employer block."""
    kinds = set(v.options("change_kinds"))
    dependent = v.get("target_type") == "dependent"
    attachments = set(v.options("attachments"))
    out = _target(v, dependent)
    if "name" in kinds:
        out += _name_change(v, dependent, attachments)
    else:
        out += must_be_blank(v, NAME_SECTION, "氏名変更なし")
    if "address" in kinds:
        out += _address_change(v, dependent)
    else:
        out += must_be_blank(v, ADDRESS_SECTION, "住所変更なし")
    out += _attachments(v, attachments)
    out += employer_block(v)
    return out


def _target(v: Values, dependent: bool) -> list[Finding]:
    """The 被扶養者 section: required for a dependent's change, blank for the insured's own."""
    if dependent:
        return required(v, DEPENDENT_SECTION, "被扶養者の変更")
    return must_be_blank(v, DEPENDENT_SECTION, "被保険者本人の変更")


def _name_change(v: Values, dependent: bool, attachments: set[str]) -> list[Finding]:
    """A 氏名変更 (change_kinds has ``name``): its section written, a new name that differs from
    the old and is the one written as the person's name, its reason, date and attachments."""
    out = required(v, NAME_CHANGE_REQUIRED, "氏名変更")
    if v.filled("name_new") and without_spaces(v.get("name_new")) == without_spaces(v.get("name_old")):
        out.append(finding("name_new", "name_unchanged", "変更後の氏名が変更前と同じです"))
    out += _own_name_is_new_name(v, dependent)
    if (v.get("name_change_reason") == "other") != v.filled("name_change_reason_other"):
        out.append(
            finding(
                "name_change_reason_other",
                "other_text",
                "「その他」を選んだ場合のみ理由を記入してください",
            )
        )
    out += _not_after_submission(v, "name_change_date")
    out += _name_change_attachments(v, attachments)
    out += _late(v, "name_change_date", v.date("submission_date"))
    return out


def _own_name_is_new_name(v: Values, dependent: bool) -> list[Finding]:
    """The person's own name and its kana are written as they are after the change."""
    own_name, own_kana = (
        ("dependent_name", "dependent_name_kana") if dependent else ("insured_name", "insured_name_kana")
    )
    out: list[Finding] = []
    for own, new, old in (
        (own_name, "name_new", "name_old"),
        (own_kana, "name_new_kana", "name_old_kana"),
    ):
        if v.filled(own) and v.filled(new) and without_spaces(v.get(own)) != without_spaces(v.get(new)):
            # One character off the new name (and not the old name) is a misreading or a
            # slip for a person to check; the old name written again is the applicant's error.
            if one_character_apart(v.get(own), v.get(new)) and not (
                v.filled(old) and without_spaces(v.get(own)) == without_spaces(v.get(old))
            ):
                out.append(near_match(own))
            else:
                out.append(finding(own, "name_after_change", "氏名欄には変更後の氏名を記入してください"))
    return out


def _name_change_attachments(v: Values, attachments: set[str]) -> list[Finding]:
    """A 氏名変更 comes with the current card (unless none was issued) and a proof of the name."""
    return when(
        "certificate" not in attachments and not v.ticked("no_certificate_issued"),
        "attachments",
        "certificate_attachment",
        "氏名変更には現在の資格確認書の添付が必要です",
    ) + when(
        not attachments & PROOFS,
        "attachments",
        "proof_attachment",
        "氏名変更には証票書類（婚姻届受理済証明書・戸籍抄本等）の添付が必要です",
    )


def _address_change(v: Values, dependent: bool) -> list[Finding]:
    """A 住所変更 (change_kinds has ``address``): its section written, a new address that differs
    from the old, a dependent's living arrangement, its date."""
    out = required(v, ADDRESS_CHANGE_REQUIRED, "住所変更")
    if v.filled("address_new") and without_spaces(v.get("address_new")) == without_spaces(
        v.get("address_old")
    ):
        out.append(finding("address_new", "address_unchanged", "変更後の住所が変更前と同じです"))
    if dependent:
        out += required(v, ["dependent_living_after"], "被扶養者の住所変更")
    out += _not_after_submission(v, "address_change_date")
    out += _late(v, "address_change_date", v.date("submission_date"))
    return out


def _attachments(v: Values, attachments: set[str]) -> list[Finding]:
    """その他 named exactly when ticked; no card attached by one who says none was issued."""
    return when(
        ("other" in attachments) != v.filled("attachments_other_text"),
        "attachments_other_text",
        "other_text",
        "「その他」を選んだ場合のみ書類名を記入してください",
    ) + when(
        v.ticked("no_certificate_issued") and "certificate" in attachments,
        "no_certificate_issued",
        "certificate_conflict",
        "資格確認書の交付を受けていない場合、資格確認書は添付できません",
    )


def _not_after_submission(v: Values, changed_field: str) -> list[Finding]:
    return not_after(
        v, changed_field, "submission_date", "change_after_submission", "変更年月日が届出日より後です"
    )


def _late(v: Values, changed_field: str, submitted: date | None) -> list[Finding]:
    if is_late(v.date(changed_field), submitted):
        return [finding(changed_field, "late_notification", late_message("変更"))]
    return []
