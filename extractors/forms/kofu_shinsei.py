"""SK-01 資格確認書（新規・再）交付申請書: cross-field checks of forms README §3.1."""

from __future__ import annotations

from datetime import date

from extractors.forms.common import (
    Values,
    age_check,
    employer_block,
    finding,
    must_be_blank,
    required,
    row_all_or_nothing,
    same_as_insured,
    symbol_number_or_my_number,
)
from extractors.issuance.params import FEE_PER_CARD, REGIME_START
from extractors.model import Finding
from extractors.normalize import wareki

REISSUE_REASONS = {"certificate_lost", "certificate_damaged"}
ROW = ["type", "name_kana", "name", "birth_date", "sex", "relationship", "my_number"]
CORE = ["type", "name_kana", "name", "birth_date", "sex"]


def check(v: Values, today: date) -> list[Finding]:
    out: list[Finding] = []
    submitted = v.date("submission_date")
    if submitted and submitted < REGIME_START:
        out.append(
            finding("submission_date", "before_regime", f"申請日は{wareki(REGIME_START)}以降の日付です")
        )
    out += symbol_number_or_my_number(v, "insured_my_number")
    out += age_check(v, "insured_birth_date", submitted)

    rows = [r for r in (1, 2) if any(v.filled(f"target{r}_{f}") for f in ROW)]
    out += required(v, [f"target1_{f}" for f in CORE], "交付対象者")
    out += row_all_or_nothing(v, [f"target2_{f}" for f in ROW], [f"target2_{f}" for f in CORE], "2人目")
    insured_rows = [r for r in rows if v.get(f"target{r}_type") == "insured"]
    if len(insured_rows) > 1:
        out.append(finding("target2_type", "two_insured_rows", "被保険者本人は1行のみ記入できます"))
    for r in rows:
        prefix = f"target{r}_"
        if v.get(prefix + "type") == "insured":
            out += same_as_insured(
                v,
                prefix,
                [
                    ("name_kana", "insured_name_kana"),
                    ("name", "insured_name"),
                    ("birth_date", "insured_birth_date"),
                    ("sex", "insured_sex"),
                ],
            )
            relationship = v.text(prefix + "relationship")
            if relationship and relationship != "本人":
                out.append(
                    finding(
                        prefix + "relationship", "relationship_for_insured", "本人の場合、続柄は記入不要です"
                    )
                )
        elif v.get(prefix + "type") == "dependent":
            out += required(v, [prefix + "relationship"], "被扶養者の続柄")
        out += age_check(v, prefix + "birth_date", submitted)

    reasons = set(v.options("reasons"))
    reissue = v.get("application_type") == "reissue"
    if reissue and not reasons & REISSUE_REASONS:
        out.append(finding("reasons", "reissue_reason", "再交付の場合は申請理由7または8を選んでください"))
    if not reissue and reasons & REISSUE_REASONS:
        out.append(finding("application_type", "reissue_reason", "申請理由7・8は再交付の場合のみ選べます"))
    if ("other" in reasons) != v.filled("reason_other_text"):
        out.append(
            finding("reason_other_text", "other_text", "「その他」を選んだ場合のみ理由を記入してください")
        )

    if reissue:
        out += required(v, ["reissue_count", "fee_amount", "fee_transfer_date"], "再交付")
        count = v.get("reissue_count")
        if isinstance(count, str) and count.isdigit():
            if int(count) != len(rows):
                out.append(
                    finding("reissue_count", "reissue_count_rows", "交付枚数と交付対象者の人数が一致しません")
                )
            fee = v.get("fee_amount")
            if isinstance(fee, int) and fee != FEE_PER_CARD * int(count):
                out.append(
                    finding("fee_amount", "fee_amount", f"手数料額は1枚{FEE_PER_CARD:,}円×交付枚数です")
                )
        paid = v.date("fee_transfer_date")
        if paid and submitted and paid > submitted:
            out.append(
                finding(
                    "fee_transfer_date",
                    "fee_after_submission",
                    "手数料は申請日までに振り込んでください（前払い）",
                )
            )
    else:
        out += must_be_blank(v, ["reissue_count", "fee_amount", "fee_transfer_date"], "新規交付")
    out += employer_block(v)
    return out
