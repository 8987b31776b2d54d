"""SK-02 被扶養者（異動）届: cross-field checks of forms README §3.2."""

from __future__ import annotations

from datetime import date

from extractors.forms.common import (
    Values,
    age_check,
    employer_block,
    finding,
    required,
    row_all_or_nothing,
    symbol_number_or_my_number,
)
from extractors.issuance.deadlines import is_late, late_message
from extractors.model import Finding

ROW = [
    "name_kana",
    "name",
    "birth_date",
    "sex",
    "relationship",
    "my_number",
    "change_date",
    "change_reason",
    "occupation",
    "annual_income",
    "living",
    "certificate_required",
]
CORE = ["name_kana", "name", "birth_date", "sex", "relationship", "change_date", "change_reason"]
FEMALE = ("妻", "母", "長女", "次女", "三女", "娘", "姉", "妹", "祖母", "義母")
MALE = ("夫", "父", "長男", "次男", "三男", "息子", "兄", "弟", "祖父", "義父")


def check(v: Values, today: date) -> list[Finding]:
    out: list[Finding] = []
    submitted = v.date("submission_date")
    add = v.get("change_type") == "add"
    out += symbol_number_or_my_number(v, "insured_my_number")
    if add:  # §4a: the age check is for people being covered, never a 減 (rule 12 asks for it)
        out += age_check(v, "insured_birth_date", submitted)
    out += required(v, [f"dep1_{f}" for f in CORE], "被扶養者")
    without_number = False
    for row in (1, 2, 3):
        p = f"dep{row}_"
        if not any(v.filled(p + f) for f in ROW):
            continue
        out += row_all_or_nothing(v, [p + f for f in ROW], [p + f for f in CORE], f"被扶養者{row}")
        if add:
            out += required(v, [p + "occupation", p + "annual_income", p + "living"], "増の場合")
            if not v.filled(p + "my_number"):
                without_number = True
        elif v.ticked(p + "certificate_required"):
            out.append(
                finding(
                    p + "certificate_required",
                    "certificate_on_remove",
                    "減の届出に資格確認書発行要否のチェックは不要です",
                )
            )
        if v.text(p + "relationship") == "本人":
            out.append(finding(p + "relationship", "relationship_self", "続柄に「本人」は記入できません"))
        number = v.get(p + "my_number")
        if number and number == v.get("insured_my_number"):
            out.append(finding(p + "my_number", "same_my_number", "被扶養者の個人番号が被保険者と同じです"))
        out += _sex_matches_relationship(v, p)
        birth, changed = v.date(p + "birth_date"), v.date(p + "change_date")
        if birth and changed and changed < birth:
            out.append(finding(p + "change_date", "change_before_birth", "異動年月日が生年月日より前です"))
        if changed and submitted:
            if changed > submitted:
                out.append(
                    finding(p + "change_date", "change_after_submission", "異動年月日が届出日より後です")
                )
            elif is_late(changed, submitted):
                out.append(finding(p + "change_date", "late_notification", late_message("異動")))
        if add:
            out += age_check(v, p + "birth_date", changed)
    if add and without_number and not v.ticked("employer_confirmed"):
        out.append(
            finding(
                "employer_confirmed",
                "employer_confirmation",
                "個人番号を記入しない場合は事業主確認欄にチェックが必要です",
            )
        )
    out += employer_block(v)
    return out


def _sex_matches_relationship(v: Values, p: str) -> list[Finding]:
    relationship, sex = v.text(p + "relationship"), v.get(p + "sex")
    if not relationship or sex is None:
        return []
    expected = (
        "female" if relationship.startswith(FEMALE) else "male" if relationship.startswith(MALE) else None
    )
    if expected and sex != expected:
        return [finding(p + "sex", "sex_relationship", "性別と続柄が一致しません")]
    return []
