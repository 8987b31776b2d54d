"""The cross-check rule: which readings of two models count as a disagreement."""

from __future__ import annotations

from extractors.crosscheck import disagreements
from ocr.types import Recognition


def r(text: str) -> Recognition:
    return Recognition(text, 0.99)


def test_boxed_digits_are_compared_as_digits() -> None:
    keys = [("insured_symbol", "digits"), ("birth", "year")]
    assert disagreements(keys, [r("1 2 3 4"), r("07")], [r("1234"), r("O7")]) == set()
    assert disagreements(keys, [r("1234"), r("07")], [r("1284"), r("07")]) == {"insured_symbol"}


def test_text_ignores_spaces_and_the_long_vowel_v5_puts_in_gaps() -> None:
    keys = [("insured_name_kana", "text")]
    assert disagreements(keys, [r("ワタナベ ユミ")], [r("ワタナベーユミー")]) == set()
    assert disagreements(keys, [r("ワタナベ ユミ")], [r("ワタナベ ユ三")]) == {"insured_name_kana"}


def test_word_halves_are_not_compared() -> None:
    assert disagreements([("x", "left")], [r("ア")], [r("イ")]) == set()
