"""SK-03 資格確認書 滅失届: cross-field checks of forms README §3.3 (rules 7, 8, 12)."""

from __future__ import annotations

from datetime import date

from extractors.forms.common import (
    Values,
    age_check,
    employer_block,
    finding,
    must_be_blank,
    not_after,
    required,
    same_as_insured,
    target_rows,
)
from extractors.model import Finding

ROW = ["type", "name_kana", "name", "birth_date", "relationship"]
CORE = ["type", "name_kana", "name", "birth_date"]
POLICE = ["police_station", "police_report_date", "police_receipt_number"]


def check(v: Values, today: date) -> list[Finding]:
    """SK-03's findings in the order of the form: the 被保険者 and the loss, the マイナ保険証
    check, the target rows, the cause, the police report, the employer block."""
    submitted = v.date("submission_date")
    out: list[Finding] = []
    # §4a: the age check is for people being issued a card; after_loss_of_eligibility (the
    # 75th birthday among its reasons) is exactly what rule 12 asks for.
    if v.get("notification_type") != "after_loss_of_eligibility":
        out += age_check(v, "insured_birth_date", submitted)
    out += not_after(
        v, "loss_date", "submission_date", "loss_after_submission", "滅失年月日が届出日より後です"
    )
    out += _myna_confirmation(v)
    out += target_rows(v, ROW, CORE, "対象者")
    for r in (1, 2):
        out += _target_row(v, f"target{r}_")
    if (v.get("loss_cause") == "other") != v.filled("loss_cause_other_text"):
        out.append(
            finding("loss_cause_other_text", "other_text", "「その他」を選んだ場合のみ事由を記入してください")
        )
    out += _police(v)
    out += employer_block(v)
    return out


def _myna_confirmation(v: Values) -> list[Finding]:
    """The マイナ保険証 box ticked exactly when no new card is wanted (rule 12)."""
    use_myna = v.get("notification_type") == "use_myna"
    if use_myna == v.ticked("myna_hokensho_confirmed"):
        return []
    return [
        finding(
            "myna_hokensho_confirmed",
            "myna_confirmation",
            "再交付を希望しない場合は、マイナ保険証を利用する旨の確認欄にチェックしてください"
            if use_myna
            else "確認欄のチェックは「再交付を希望しない」場合のみです",
        )
    ]


def _target_row(v: Values, prefix: str) -> list[Finding]:
    """本人 repeats the 被保険者 block; a dependent gives the 続柄."""
    if v.get(prefix + "type") == "insured":
        return same_as_insured(
            v,
            prefix,
            [
                ("name_kana", "insured_name_kana"),
                ("name", "insured_name"),
                ("birth_date", "insured_birth_date"),
            ],
        )
    if v.get(prefix + "type") == "dependent":
        return required(v, [prefix + "relationship"], "被扶養者の続柄")
    return []


def _police(v: Values) -> list[Finding]:
    """A theft is reported to the police; a report is written in full, dated between the loss
    and the notification; no report, no police fields."""
    reported = v.get("police_reported") == "yes"
    out: list[Finding] = []
    if v.get("loss_cause") == "stolen" and not reported:
        out.append(finding("police_reported", "stolen_police", "盗難の場合は警察への届出が必要です"))
    if not reported:
        return out + must_be_blank(v, POLICE, "警察へ届出していない場合")
    out += required(v, POLICE, "警察へ届出済の場合")
    out += not_after(
        v, "loss_date", "police_report_date", "police_before_loss", "警察への届出日が滅失年月日より前です"
    )
    out += not_after(
        v,
        "police_report_date",
        "submission_date",
        "police_after_submission",
        "警察への届出日が届出日より後です",
    )
    return out
