"""フリガナ checked against the dictionary reading of the name it reads."""

from __future__ import annotations

import pytest

from extractors.readings import (
    Settled,
    kana_base,
    like_a_confirmed_word,
    lookalike,
    name_reading,
    name_spaced_like_kana,
    settle_kana,
    spaced_like_name,
)


def test_dictionary_reading_keeps_the_space_between_surname_and_given_name() -> None:
    assert name_reading("田中 健二") == "タナカ ケンジ"
    assert name_reading("井上 亮介") == "イノウエ リョウスケ"
    assert name_reading("") == ""


def test_kana_base_drops_marks_and_size() -> None:
    assert [kana_base(c) for c in "ダパョェヴ"] == list("タハヨエウ")


@pytest.mark.parametrize(
    ("kana", "name", "value", "agrees"),
    [
        ("ダナカ ケンジ", "田中 健二", "タナカ ケンジ", True),  # voicing at a word's start is settled
        (
            "イノウェ リヨウスケ",
            "井上 亮介",
            "イノウエ リョウスケ",
            True,
        ),  # small/large kana follow the kanji
        ("イノウエミサ キ", "井上 美咲", "イノウエ ミサキ", True),  # the space goes where the name has it
        (
            "ヤマサキ タロウ",
            "山崎 太郎",
            "ヤマサキ タロウ",
            False,
        ),  # 山崎 is ヤマサキ or ヤマザキ: kept, doubted
        ("タナカ ケンジ", "田中 健二", "タナカ ケンジ", True),
    ],
)
def test_reading_settles_only_marks_and_size(kana: str, name: str, value: str, agrees: bool) -> None:
    settled = settle_kana(kana, name_reading(name))
    assert settled is not None
    assert (settled.value, settled.agrees) == (value, agrees)


@pytest.mark.parametrize(
    ("kana", "reading"),
    [
        ("キムラ チヒロ", "キムラ センジン"),
        ("サトウ ハナコ", "タナカ ハナコ"),
        ("もり だいすけ", "モリ ダイスコ"),
        ("タナカ", ""),
    ],
)
def test_reading_never_changes_a_kana_into_another(kana: str, reading: str) -> None:
    settled = settle_kana(kana, reading)
    assert settled is None or settled.value == kana


def test_missing_or_misplaced_space_follows_the_surname() -> None:
    assert spaced_like_name("イノウエアヤ", "イノウエ サイ") == "イノウエ アヤ"
    assert spaced_like_name("ヤマモ トチヒロ", "ヤマモト センジン") == "ヤマモト チヒロ"
    assert spaced_like_name("やまだひろし", "ヤマダ ヒロシ") == "やまだ ひろし"
    assert (
        spaced_like_name("イノウエーリョウスケ", "イノウエ リヨウスケ") == "イノウエ リョウスケ"
    )  # the gap read as ー
    assert spaced_like_name("イノウエ アヤ", "イノウエ サイ") is None  # already right
    assert spaced_like_name("サトウアヤ", "イノウエ サイ") is None


def test_hiragana_furigana_is_settled_in_hiragana() -> None:
    settled = settle_kana("いとう しようた", name_reading("伊藤 翔太"))
    assert settled is not None and settled.value == "いとう しょうた"


def test_surname_is_settled_even_when_the_given_name_reading_is_unknown() -> None:
    # 彩 is アヤ here; the dictionary says サイ, so only 松本 can be compared.
    settled = settle_kana("マッモト アヤ", name_reading("松本 彩"))
    assert settled == Settled("マツモト アヤ", True)
    assert settle_kana("サトウ アヤ", name_reading("松本 彩")) is None


def test_one_kana_off_the_reading_is_doubted_and_a_stray_long_vowel_mark_goes() -> None:
    assert settle_kana("スズキ イナロウ", name_reading("鈴木 一郎")) == Settled("スズキ イナロウ", False)
    assert settle_kana("イノウエー ダイスケ", name_reading("井上 大輔")) == Settled("イノウエ ダイスケ", True)


@pytest.mark.parametrize(
    ("kana", "name", "value"),
    [
        ("コバヤン", "小林", "コバヤシ"),  # ン/シ written alike
        ("カトク", "加藤", "カトウ"),  # ク/ウ
        ("かとく", "加藤", "かとう"),  # written in hiragana, proposed in hiragana
        ("ヤマダ ヒロツ", "山田 博", "ヤマダ ヒロシ"),  # ツ/シ in the given name
    ],
)
def test_one_kana_written_like_the_readings_is_proposed_and_doubted(kana: str, name: str, value: str) -> None:
    assert settle_kana(kana, name_reading(name)) == Settled(value, False)


def test_an_unlike_kana_or_two_lookalikes_are_left_as_read() -> None:
    assert settle_kana("カトワク", name_reading("加藤")) is None  # another length
    assert settle_kana("カソク", name_reading("加藤")) is None  # two kana off
    assert settle_kana("カトエ", name_reading("加藤")) == Settled("カトエ", False)  # エ is not like ウ
    assert lookalike("シ", "ン") and not lookalike("シ", "シ") and not lookalike("ケ", "コ")


def test_a_name_read_without_its_space_takes_it_where_its_kana_has_it() -> None:
    assert name_spaced_like_kana("高橋美咲", "タカハシ ミサキ") == "高橋 美咲"
    # The kana's size and dakuten do not matter: the recogniser confuses them.
    assert name_spaced_like_kana("松本彩", "マッモト アヤ") == "松本 彩"
    # Already spaced, kana without a space, or a kana that is not the name's reading: unchanged.
    assert name_spaced_like_kana("高橋 美咲", "タカハシ ミサキ") is None
    assert name_spaced_like_kana("佐藤花子", "サトウハナコ") is None
    assert name_spaced_like_kana("佐藤花子", "スズキ ハナコ") is None


def test_a_kana_word_differing_from_a_confirmed_one_by_a_mark_takes_its_marks() -> None:
    assert like_a_confirmed_word("ダカハシ ミサキ", ["タカハシ ミサキ"]) == "タカハシ ミサキ"
    assert like_a_confirmed_word("ケンボ ダロウ", ["ケンポ タロウ"]) == "ケンポ タロウ"
    # Another word, the same words, or two confirmed spellings to choose from: as read.
    assert like_a_confirmed_word("サトウ ハナコ", ["タカハシ ミサキ"]) is None
    assert like_a_confirmed_word("サトウ ハナコ", ["サトウ ハナコ"]) is None
    assert like_a_confirmed_word("スズキ", ["ススキ", "スズキ"]) is None
