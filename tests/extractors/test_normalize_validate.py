"""Canonical values and value-type checks of the forms README §2 / §2a."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.normalize import (
    common_forms,
    digits_value,
    katakana_value,
    katakana_words,
    phone_value,
    sentence_end,
    settle_entity,
    settle_prefecture,
    settle_title,
    text_value,
    wareki,
    wareki_to_date,
)
from extractors.validate import (
    check_digits,
    check_katakana,
    check_phone,
    my_number_check_digit_ok,
    phone_length_plausible,
)


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("123456789018", True), ("123456789010", False), ("987654321093", True), ("12345", False)],
)
def test_my_number_check_digit_examples_from_the_readme(digits: str, valid: bool) -> None:
    assert my_number_check_digit_ok(digits) is valid


@pytest.mark.parametrize(
    ("era", "y", "m", "d", "expected"),
    [
        ("reiwa", 7, 4, 1, date(2025, 4, 1)),
        ("heisei", 31, 4, 30, date(2019, 4, 30)),
        ("heisei", 31, 5, 1, None),  # after 平成 ended
        ("showa", 64, 1, 7, date(1989, 1, 7)),
        ("showa", 64, 1, 8, None),
        ("reiwa", 1, 4, 30, None),  # before 令和 began
        ("reiwa", 6, 2, 29, date(2024, 2, 29)),
        ("reiwa", 7, 2, 29, None),  # not a leap year
        ("heisei", 0, 1, 1, None),
    ],
)
def test_wareki_dates_must_be_real_and_inside_the_era(
    era: str, y: int, m: int, d: int, expected: date | None
) -> None:
    assert wareki_to_date(era, y, m, d) == expected


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (date(2024, 12, 2), "令和6年12月2日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
    ],
)
def test_wareki_writes_a_date_as_messages_show_it(day: date, written: str) -> None:
    assert wareki(day) == written


def test_text_is_nfkc_trimmed_and_blank_is_none() -> None:
    assert text_value("  健保　太郎 ") == "健保 太郎"
    assert text_value("   ") is None


def test_katakana_half_width_becomes_full_width_and_only_lookalike_hiragana_change() -> None:
    assert katakana_value("ｹﾝﾎﾟ　ﾀﾛｳ") == "ケンポ タロウ"
    assert katakana_value("ワタナべ") == "ワタナベ"  # べ and ベ cannot be told apart in handwriting
    assert katakana_value("けんぽ") == "けんぽ"  # real hiragana stays, so the validator sees it
    assert katakana_value("ーケンポ") == "ケンポ"  # a long-vowel mark never starts a word


@pytest.mark.parametrize(
    ("read", "fixed"),
    [
        ("コバヤシ マュミ", "コバヤシ マユミ"),
        ("マッモトアャ", "マッモトアヤ"),
        ("ショウタ", "ショウタ"),
        ("リョウスケ", "リョウスケ"),
        ("ッカサ", "ツカサ"),
        ("ケンポ カズャ", "ケンポ カズヤ"),
        ("ティナ", "ティナ"),
        ("サトォ", "サトオ"),
        ("イノウェ", "イノウェ"),
    ],
)
def test_small_kana_only_where_spelling_allows(read: str, fixed: str) -> None:
    assert katakana_value(read) == fixed


def test_digits_map_lookalikes_and_drop_everything_else() -> None:
    assert digits_value("１２O4 l") == "12041"
    assert digits_value("") == ""


def test_phone_keeps_digits_and_hyphens_as_written() -> None:
    assert phone_value("０３ー１２３４～５６７８") == "03-1234-5678"
    assert phone_value("(090)1234-5678") == "090-1234-5678"


def test_type_checks_give_stable_codes() -> None:
    assert check_katakana("ケンポ タロウ") is None
    assert check_katakana("けんぽ") == "katakana"
    assert check_katakana("ケンポ1") == "katakana"
    assert check_phone("03-1234-5678") is None
    assert check_phone("1234-5678") == "phone"
    assert check_digits("1234", 4, 4) is None
    assert check_digits("123", 4, 4) == "digits_count"
    assert check_digits("012", 1, 6) == "number_leading_zero"
    assert check_digits("123456789010", 12, 12, my_number=True) == "check_digit"


def test_a_my_number_field_that_also_takes_a_pension_number_takes_exactly_its_length() -> None:
    """「個人番号（基礎年金番号）」 (min_digits 10): a 10-digit 基礎年金番号 has no check digit to
    fail; a 12-digit value is still a 個人番号 checked as one; 11 digits are a digit lost."""
    valid_my_number = "123456789018"
    assert check_digits(valid_my_number, 12, 12, my_number=True) is None
    assert check_digits("1234567890", 10, 12, my_number=True) is None
    assert check_digits(valid_my_number, 10, 12, my_number=True) is None
    assert check_digits("123456789010", 10, 12, my_number=True) == "check_digit"
    assert check_digits("12345678901", 10, 12, my_number=True) == "digits_count"
    assert check_digits("1234567890", 12, 12, my_number=True) == "digits_count"


@pytest.mark.parametrize(
    ("number", "plausible"),
    [
        ("090-1234-5678", True),
        ("080-333-2698", False),  # a mobile number one digit short: a digit was lost
        ("03-1234-5678", True),
        ("045-123-45678", False),  # a fixed line with 11 digits
        ("0120-123-456", True),
        ("0570-123-456", True),
        ("050-1234-5678", True),
    ],
)
def test_phone_length_follows_the_numbering_plan(number: str, plausible: bool) -> None:
    """Both lengths pass the forms README's check; the prefix says which one is likely."""
    assert check_phone(number) is None
    assert phone_length_plausible(number) is plausible


def test_twins_take_the_script_of_the_kana_beside_them() -> None:
    # り/リ and へ/ヘ look the same written by hand: the neighbours decide.
    assert (
        text_value("火災によリ書類とともに焼失した。証明あリ。")
        == "火災により書類とともに焼失した。証明あり。"
    )
    assert text_value("ヘルパー") == "ヘルパー"
    assert text_value("東京へ行く") == "東京へ行く"  # no kana beside it: left as read
    assert (
        katakana_value("もリ だいすけ") == "もり だいすけ"
    )  # hiragana written stays hiragana (the validator flags it)
    assert katakana_value("ヘイセイ") == "ヘイセイ"


def test_old_character_forms_become_the_common_ones() -> None:
    assert common_forms("吉田 惠子") == "吉田 恵子"
    assert common_forms("収入增") == "収入増"
    assert common_forms("東京都港区芝公園4-2-8") == "東京都港区芝公園4-2-8"
    assert text_value("収入减") == "収入減"  # a simplified Chinese form is never written on these forms


def test_a_bare_radical_read_for_a_katakana_becomes_that_katakana() -> None:
    assert common_forms("京都市下京区烏丸通七条下儿") == "京都市下京区烏丸通七条下ル"
    assert common_forms("卜ヨタ") == "トヨタ"
    assert common_forms("下京区") == "下京区"


@pytest.mark.parametrize(
    ("read", "settled"),
    [
        ("干葉県千葉市中央区市場町1-1", "千葉県千葉市中央区市場町1-1"),  # 千 misread
        ("神奈州県横浜市西区", "神奈川県横浜市西区"),
        ("千葉県千葉市中央区", "千葉県千葉市中央区"),  # already right
        ("大阪市北区梅田1丁目", "大阪市北区梅田1丁目"),  # no prefecture written: 市 is not 府
        ("港区芝公園4-2-8", "港区芝公園4-2-8"),
    ],
)
def test_an_address_one_character_off_a_prefecture_begins_with_it(read: str, settled: str) -> None:
    assert settle_prefecture(read) == settled


def test_marks_read_from_specks_at_a_values_ends_go_and_real_brackets_stay() -> None:
    from extractors.normalize import strip_stray_marks

    assert strip_stray_marks(")母") == "母"
    assert strip_stray_marks("さくら電機株式会社」") == "さくら電機株式会社"
    assert strip_stray_marks("小宮山 颯太郎 ·") == "小宮山 颯太郎"
    assert strip_stray_marks("ハイツ南 202.") == "ハイツ南 202"
    assert strip_stray_marks("(株)さくら") == "(株)さくら"
    assert strip_stray_marks("さくら(株)") == "さくら(株)"
    assert strip_stray_marks("財布をすられた。") == "財布をすられた。"


def test_look_alikes_inside_a_katakana_word_become_katakana() -> None:
    assert katakana_words("福岡県久留米市螢川町384 力一サ第2 708") == "福岡県久留米市螢川町384 カーサ第2 708"
    assert katakana_words("大丸863-10 八イツ桜 1105") == "大丸863-10 ハイツ桜 1105"
    assert katakana_words("横行1481-1 7ーバン緑町503号室") == "横行1481-1 アーバン緑町503号室"
    # kanji where they belong stay: after a kanji, in a short run, without any katakana
    for kept in ("第一ビル5階", "山口タロウ", "一ノ瀬", "八ヶ岳", "一二三", "北1条西2丁目"):
        assert katakana_words(kept) == kept


def test_a_sentences_last_maru_read_as_a_digit_is_a_maru() -> None:
    assert sentence_end("財布などと一緒に盗まれた6") == "財布などと一緒に盗まれた。"
    assert sentence_end("混雑した電車内で財布をすられた1") == "混雑した電車内で財布をすられた。"
    assert sentence_end("なくした。") == "なくした。" and sentence_end("約10") == "約10"
    assert sentence_end("洗濯機で洗ってしまい、廃棄した:") == "洗濯機で洗ってしまい、廃棄した。"


def test_a_kind_of_company_one_character_off_is_spelled_as_registered() -> None:
    assert settle_entity("さくらエンジニアリング株式会し") == "さくらエンジニアリング株式会社"
    assert settle_entity("株式会杜さくら商事") == "株式会社さくら商事"
    assert settle_entity("医療法入 さくら会") == "医療法人 さくら会"
    # spelled right, two characters off, between two kinds (合同/合資), or nothing but the kind
    for kept in ("さくら電機株式会社", "さくら電機株式公舎", "さくら合X会社", "株式会し", "佐藤 花子"):
        assert settle_entity(kept) == kept


def test_a_title_one_character_off_is_spelled_as_titles_are() -> None:
    assert settle_title("代表取紬役 白崎 文哉") == "代表取締役 白崎 文哉"
    assert settle_title("代表取締殳社長 神田 正之") == "代表取締役社長 神田 正之"
    # another title, one character apart, is not a misreading; names are left alone
    for kept in ("代表取締役会長 神田 正之", "所長 安永 孝広", "佐藤 花子", "代表取締役 森 健一"):
        assert settle_title(kept) == kept
