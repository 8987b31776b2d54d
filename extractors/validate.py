"""Value-type checks of the forms README §2, each a pure function returning a finding code or None."""

from __future__ import annotations

import re

KATAKANA = re.compile(r"^[\u30A1-\u30F6\u30FC\u30FB\u3000 ]+$")
PHONE = re.compile(r"^[0-9()\- ]+$")

MESSAGES: dict[str, str] = {
    "required": "必須項目が空欄です",
    "postal_code_mismatch": "住所が郵便番号の地域と一致しません（郵便番号か住所の誤り）。両方を確認してください",
    "digits_count": "桁数が正しくありません",
    "check_digit": "個人番号の検査用数字が一致しません",
    "katakana": "フリガナはカタカナで記入してください",
    "phone": "電話番号は0から始まる10桁または11桁です",
    "date_invalid": "日付が正しくありません（元号の範囲外または存在しない日付）",
    "era_missing": "元号が選択されていません",
    "choice_multiple": "選択肢が複数選ばれています",
    "number_leading_zero": "番号の先頭が0です",
    "not_a_form": "登録済みのどの様式とも識別できません（他の保険者の様式・未登録の様式を含む）",
    "blank_page": "白紙のページです（両面スキャンの裏面・区切り紙）。読み取りの対象外にしました",
    "future_date": "日付が処理日より後です",
    "amount": "金額は数字で記入してください",
    "illegible": "読み取りが不確かです。原本の記載を確認してください",
    "alignment_poor": "用紙の位置合わせが不確かです（傾き・ゆがみ・欠け）。全項目を原本で確認してください",
}


def my_number_check_digit_ok(digits: str) -> bool:
    """個人番号の検査用数字 (forms README §2): weights 6,5,4,3,2,7,6,5,4,3,2 on d1…d11."""
    if not re.fullmatch(r"\d{12}", digits):
        return False
    weights = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    remainder = sum(int(d) * w for d, w in zip(digits[:11], weights, strict=True)) % 11
    check = 0 if remainder <= 1 else 11 - remainder
    return check == int(digits[11])


def check_katakana(value: str) -> str | None:
    return None if KATAKANA.match(value) and re.search(r"[\u30A1-\u30F6]", value) else "katakana"


def check_phone(value: str) -> str | None:
    digits = re.sub(r"\D", "", value)
    if not PHONE.match(value) or len(digits) not in (10, 11) or not digits.startswith("0"):
        return "phone"
    return None


def phone_length_plausible(value: str) -> bool:
    """Whether a phone number has the length its prefix has in the Japanese numbering plan:
    0X0 services (携帯 070/080/090, IP 050, 020, 060) have 11 digits (0570 and 0990 have 10),
    fixed lines and 0120 have 10. Not a finding (the forms README accepts 10 or 11 digits for
    any number): a reading that fails it has most likely lost or gained a digit, and goes to a
    person."""
    digits = re.sub(r"\D", "", value)
    eleven = re.match(r"0[2-9]0", digits) is not None and not digits.startswith(("0570", "0990"))
    return len(digits) == (11 if eleven else 10)


#: A 個人番号 has 12 digits.
MY_NUMBER_DIGITS = 12


def check_digits(value: str, min_digits: int, max_digits: int, my_number: bool = False) -> str | None:
    """A number written one digit per cell: its count of digits, a 個人番号's check digit, a
    free number's leading zero.

    A 個人番号 field whose template asks fewer than 12 digits at least holds, in its 12 cells,
    either a 個人番号 or another number of exactly that length: 協会けんぽ's 資格喪失届 asks
    「個人番号（基礎年金番号）」, a 基礎年金番号 being 10 digits (``min_digits`` 10). Only the
    12-digit one has a check digit; any other length is a count of digits lost or gained."""
    if my_number and min_digits < MY_NUMBER_DIGITS and len(value) == min_digits:
        return None
    if my_number and len(value) != MY_NUMBER_DIGITS and min_digits < MY_NUMBER_DIGITS:
        return "digits_count"
    if not min_digits <= len(value) <= max_digits:
        return "digits_count"
    if my_number and not my_number_check_digit_ok(value):
        return "check_digit"
    if min_digits == 1 and value.startswith("0"):
        return "number_leading_zero"
    return None
