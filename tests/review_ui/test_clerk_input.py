"""The clerk's language (issue 15 item 5): dates as written, printed option labels, 〒 and 円."""

from __future__ import annotations

import pytest

from extractors.template import load_templates
from review_ui.clerk_input import date_to_iso, shown_text, to_canonical, unit

KOFU = next(t for t in load_templates() if t.form_id == "kofu_shinsei")
JUSHO = next(t for t in load_templates() if t.form_id == "jusho_shimei_henko")


@pytest.mark.parametrize(
    ("text", "era", "iso", "code"),
    [
        ("R7.6.5", None, "2025-06-05", None),
        ("令和7年6月5日", None, "2025-06-05", None),
        ("ｒ７．６．５", None, "2025-06-05", None),
        ("7.6.5", "reiwa", "2025-06-05", None),  # the era chosen from the list
        ("49.11.7", "showa", "1974-11-07", None),
        ("S49.11.7", "reiwa", "1974-11-07", None),  # an era written wins over the list
        ("令和元年5月1日", None, "2019-05-01", None),
        ("2025-06-05", "reiwa", "2025-06-05", None),  # ISO (the API's) passes
        ("7.6.5", None, "7.6.5", "era_missing"),
        ("R7.2.30", None, "R7.2.30", "date_invalid"),
        ("H31.5.1", None, "H31.5.1", "date_invalid"),  # 平成 ended on 30 April 2019
        ("7.6.5", "", "7.6.5", "date_invalid"),  # 西暦 wants four digits
    ],
)
def test_dates_as_written(text: str, era: str | None, iso: str, code: str | None) -> None:
    assert date_to_iso(text, era) == (iso, code)


def test_a_date_with_its_era_printed_takes_the_era_of_the_form() -> None:
    assert to_canonical(KOFU.field("submission_date"), "7.6.5") == ("2025-06-05", None)
    assert to_canonical(KOFU.field("insured_birth_date"), "49.11.7") == ("49.11.7", "era_missing")


def test_options_by_their_printed_labels() -> None:
    assert to_canonical(JUSHO.field("change_kinds"), "住所、氏名") == ("address,name", None)
    assert to_canonical(JUSHO.field("change_kinds"), "address,name") == ("address,name", None)
    assert to_canonical(KOFU.field("reasons"), "1 カード未取得,返納した") == ("no_card,card_returned", None)
    assert to_canonical(KOFU.field("insured_sex"), "女") == ("female", None)


def test_hiragana_typed_in_a_furigana_box_is_its_katakana() -> None:
    assert to_canonical(KOFU.field("insured_name_kana"), "けんぽ たろう") == ("ケンポ タロウ", None)


def test_values_shown_as_written() -> None:
    assert shown_text(KOFU.field("submission_date"), "2025-06-05") == "令和7年6月5日"
    assert shown_text(KOFU.field("insured_birth_date"), "1974-11-07") == "昭和49年11月7日"
    assert shown_text(KOFU.field("insured_postal_code"), "1234567") == "123-4567"
    assert shown_text(KOFU.field("fee_amount"), 2000) == "2,000"
    assert shown_text(JUSHO.field("change_kinds"), ["address", "name"]) == "住所、氏名"
    assert unit(KOFU.field("insured_postal_code")) == ("〒", "")
    assert unit(KOFU.field("fee_amount")) == ("", "円")
    # What is shown comes back as the same value when the clerk leaves it.
    for name, value in (("submission_date", "2025-06-05"), ("insured_birth_date", "1974-11-07")):
        assert to_canonical(KOFU.field(name), shown_text(KOFU.field(name), value)) == (value, None)


def test_records_and_approvals_show_dates_as_written() -> None:
    from review_ui.labels import value_label

    assert value_label("2025-06-05") == "令和7年6月5日（2025-06-05）"
    assert value_label("1974-11-07") == "昭和49年11月7日（1974-11-07）"
    assert value_label(["address", "name"]) == "住所、氏名"
    assert value_label("1234567", "insured_postal_code") == "〒123-4567"
    assert value_label("1234567", "insured_number") == "1234567"


def test_a_field_takes_the_label_printed_on_its_form_and_ours_only_without_one() -> None:
    """An onboarded form's admin labels its fields; a canonical name there (insured_number)
    is what its form prints (整理番号), not what ours print (番号)."""
    from review_ui.labels import field_label

    assert field_label("insured_number", "整理番号") == "整理番号"
    assert field_label("insured_number") == "番号"  # our forms' templates carry no labels
    assert field_label("insured_name") == "被保険者 氏名"
    assert field_label("postcode", "⑤郵便番号") == "⑤郵便番号"
    assert field_label("postcode") == "postcode"
