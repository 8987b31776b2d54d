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
    row_all_or_nothing,
    same_as_insured,
)
from extractors.model import Finding

ROW = ["type", "name_kana", "name", "birth_date", "relationship"]
CORE = ["type", "name_kana", "name", "birth_date"]


def check(v: Values, today: date) -> list[Finding]:
    out: list[Finding] = []
    submitted = v.date("submission_date")
    # §4a: the age check is for people being issued a card; after_loss_of_eligibility (the
    # 75th birthday among its reasons) is exactly what rule 12 asks for.
    if v.get("notification_type") != "after_loss_of_eligibility":
        out += age_check(v, "insured_birth_date", submitted)
    out += not_after(
        v, "loss_date", "submission_date", "loss_after_submission", "滅失年月日が届出日より後です"
    )
    use_myna = v.get("notification_type") == "use_myna"
    if use_myna != v.ticked("myna_hokensho_confirmed"):
        out.append(
            finding(
                "myna_hokensho_confirmed",
                "myna_confirmation",
                "再交付を希望しない場合は、マイナ保険証を利用する旨の確認欄にチェックしてください"
                if use_myna
                else "確認欄のチェックは「再交付を希望しない」場合のみです",
            )
        )
    out += required(v, [f"target1_{f}" for f in CORE], "対象者")
    out += row_all_or_nothing(v, [f"target2_{f}" for f in ROW], [f"target2_{f}" for f in CORE], "2人目")
    insured_rows = [r for r in (1, 2) if v.get(f"target{r}_type") == "insured"]
    if len(insured_rows) > 1:
        out.append(finding("target2_type", "two_insured_rows", "被保険者本人は1行のみ記入できます"))
    for r in (1, 2):
        p = f"target{r}_"
        if v.get(p + "type") == "insured":
            out += same_as_insured(
                v,
                p,
                [
                    ("name_kana", "insured_name_kana"),
                    ("name", "insured_name"),
                    ("birth_date", "insured_birth_date"),
                ],
            )
        elif v.get(p + "type") == "dependent":
            out += required(v, [p + "relationship"], "被扶養者の続柄")
    if (v.get("loss_cause") == "other") != v.filled("loss_cause_other_text"):
        out.append(
            finding("loss_cause_other_text", "other_text", "「その他」を選んだ場合のみ事由を記入してください")
        )
    reported = v.get("police_reported") == "yes"
    if v.get("loss_cause") == "stolen" and not reported:
        out.append(finding("police_reported", "stolen_police", "盗難の場合は警察への届出が必要です"))
    if reported:
        out += required(
            v, ["police_station", "police_report_date", "police_receipt_number"], "警察へ届出済の場合"
        )
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
    else:
        out += must_be_blank(
            v, ["police_station", "police_report_date", "police_receipt_number"], "警察へ届出していない場合"
        )
    out += employer_block(v)
    return out
