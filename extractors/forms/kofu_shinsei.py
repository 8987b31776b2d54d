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
    same_as_insured,
    symbol_number_or_my_number,
    target_rows,
)
from extractors.issuance.params import FEE_PER_CARD, REGIME_START
from extractors.model import Finding
from extractors.normalize import wareki

REISSUE_REASONS = {"certificate_lost", "certificate_damaged"}
ROW = ["type", "name_kana", "name", "birth_date", "sex", "relationship", "my_number"]
CORE = ["type", "name_kana", "name", "birth_date", "sex"]


def check(v: Values, today: date) -> list[Finding]:
    """SK-01's findings in the order of the form: the date and the 被保険者, the target rows,
    the reasons, the reissue's fee, the employer block."""
    submitted = v.date("submission_date")
    out = _before_regime(submitted)
    out += symbol_number_or_my_number(v, "insured_my_number")
    out += age_check(v, "insured_birth_date", submitted)
    rows = [r for r in (1, 2) if any(v.filled(f"target{r}_{f}") for f in ROW)]
    out += target_rows(v, ROW, CORE, "交付対象者")
    for r in rows:
        out += _target_row(v, f"target{r}_", submitted)
    reissue = v.get("application_type") == "reissue"
    out += _reasons(v, reissue)
    if reissue:
        out += _reissue(v, len(rows), submitted)
    else:
        out += must_be_blank(v, ["reissue_count", "fee_amount", "fee_transfer_date"], "新規交付")
    out += employer_block(v)
    return out


def _before_regime(submitted: date | None) -> list[Finding]:
    """An application dated before the 資格確認書 regime began."""
    if submitted and submitted < REGIME_START:
        return [finding("submission_date", "before_regime", f"申請日は{wareki(REGIME_START)}以降の日付です")]
    return []


def _target_row(v: Values, prefix: str, submitted: date | None) -> list[Finding]:
    """One written target row: 本人 repeats the 被保険者 block (続柄 blank or 本人), a
    dependent gives the 続柄; both under the age limit."""
    out: list[Finding] = []
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
                finding(prefix + "relationship", "relationship_for_insured", "本人の場合、続柄は記入不要です")
            )
    elif v.get(prefix + "type") == "dependent":
        out += required(v, [prefix + "relationship"], "被扶養者の続柄")
    out += age_check(v, prefix + "birth_date", submitted)
    return out


def _reasons(v: Values, reissue: bool) -> list[Finding]:
    """Reasons 7・8 exactly for a reissue; その他 written exactly when chosen."""
    reasons = set(v.options("reasons"))
    out: list[Finding] = []
    if reissue and not reasons & REISSUE_REASONS:
        out.append(finding("reasons", "reissue_reason", "再交付の場合は申請理由7または8を選んでください"))
    if not reissue and reasons & REISSUE_REASONS:
        out.append(finding("application_type", "reissue_reason", "申請理由7・8は再交付の場合のみ選べます"))
    if ("other" in reasons) != v.filled("reason_other_text"):
        out.append(
            finding("reason_other_text", "other_text", "「その他」を選んだ場合のみ理由を記入してください")
        )
    return out


def _reissue(v: Values, rows: int, submitted: date | None) -> list[Finding]:
    """A reissue: as many cards as target rows, FEE_PER_CARD a card, paid before applying."""
    out = required(v, ["reissue_count", "fee_amount", "fee_transfer_date"], "再交付")
    count = v.get("reissue_count")
    if isinstance(count, str) and count.isdigit():
        if int(count) != rows:
            out.append(
                finding("reissue_count", "reissue_count_rows", "交付枚数と交付対象者の人数が一致しません")
            )
        fee = v.get("fee_amount")
        if isinstance(fee, int) and fee != FEE_PER_CARD * int(count):
            out.append(finding("fee_amount", "fee_amount", f"手数料額は1枚{FEE_PER_CARD:,}円×交付枚数です"))
    paid = v.date("fee_transfer_date")
    if paid and submitted and paid > submitted:
        out.append(
            finding(
                "fee_transfer_date",
                "fee_after_submission",
                "手数料は申請日までに振り込んでください（前払い）",
            )
        )
    return out
