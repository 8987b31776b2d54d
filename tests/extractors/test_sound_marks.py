"""A ゛/゜ written in a kana cell of its own (「濁点・半濁点は1字として」) is seen in its cell and
put back on the kana before it (extractors.fields.sound_marks): the recogniser reads ス ス ゛ キ
as ススキ, and without the cells スズキ would be accepted as ススキ."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.fields.sound_marks import DOUBTFUL_MARKS, Cell, cell_kinds, with_marks
from extractors.normalize import joined_sound_marks, katakana_value
from ocr.types import Recognition

SIDE = 60  # a cell, pixels (about 21 pt at 200 dpi)
DPI = 200


def _kana() -> np.ndarray:
    """A cell holding a kana: strokes over most of its height."""
    ink = np.zeros((SIDE, SIDE), np.uint8)
    cv2.line(ink, (12, 12), (48, 12), 255, 3)
    cv2.line(ink, (40, 12), (14, 50), 255, 3)
    return ink


def _voiced() -> np.ndarray:
    """Two short strokes high in the cell: a ゛."""
    ink = np.zeros((SIDE, SIDE), np.uint8)
    cv2.line(ink, (14, 8), (18, 18), 255, 3)
    cv2.line(ink, (24, 6), (28, 16), 255, 3)
    return ink


def _semi_voiced() -> np.ndarray:
    """A small ring high in the cell: a ゜."""
    ink = np.zeros((SIDE, SIDE), np.uint8)
    cv2.circle(ink, (20, 14), 7, 255, 2)
    return ink


def _blob() -> np.ndarray:
    """A mark run into one blob on a coarse scan: a ゛ or a ゜, the ink does not say."""
    ink = np.zeros((SIDE, SIDE), np.uint8)
    cv2.rectangle(ink, (14, 8), (24, 16), 255, -1)
    return ink


def _small_tsu() -> np.ndarray:
    """A small kana: as short as a mark, but low in its cell."""
    ink = np.zeros((SIDE, SIDE), np.uint8)
    cv2.line(ink, (18, 36), (40, 52), 255, 3)
    return ink


BLANK = np.zeros((SIDE, SIDE), np.uint8)


def _read(text: str, confidence: float = 0.99) -> Recognition:
    return Recognition(text, confidence)


def test_cells_are_told_apart_by_the_size_and_place_of_their_ink() -> None:
    kinds = cell_kinds([_kana(), _kana(), _voiced(), _kana(), BLANK, _kana(), _semi_voiced(), _blob()], DPI)
    assert kinds == (
        Cell.KANA,
        Cell.KANA,
        Cell.VOICED,
        Cell.KANA,
        Cell.BLANK,
        Cell.KANA,
        Cell.SEMI_VOICED,
        Cell.MARK,
    )


def test_a_small_kana_low_in_its_cell_is_a_kana_not_a_mark() -> None:
    assert cell_kinds([_kana(), _small_tsu(), _kana(), _kana()], DPI)[1] is Cell.KANA


def test_a_mark_in_its_own_cell_goes_back_on_the_kana_before_it() -> None:
    kinds = (Cell.KANA, Cell.KANA, Cell.VOICED, Cell.KANA, Cell.BLANK, Cell.KANA, Cell.KANA)
    out = with_marks(_read("ススキ イチ"), kinds)
    assert out.text == "スズキ イチ"
    assert out.confidence == 0.99
    semi = with_marks(_read("ハク"), (Cell.KANA, Cell.SEMI_VOICED, Cell.KANA))
    assert semi.text == "パク"


def test_a_mark_the_recogniser_read_apart_or_on_its_kana_is_kept_once() -> None:
    kinds = (Cell.KANA, Cell.KANA, Cell.VOICED, Cell.KANA)
    assert with_marks(_read('スス"キ'), kinds).text == "スズキ"
    assert with_marks(_read("スズキ"), kinds).text == "スズキ"


def test_an_unclear_mark_is_the_one_its_kana_takes_and_doubtful_only_on_ha_row() -> None:
    # タ takes only ゛: a blob after it is a ゛, whatever its shape.
    assert with_marks(_read("タナカ"), (Cell.KANA, Cell.MARK, Cell.KANA, Cell.KANA)).text == "ダナカ"
    # ヘ takes both: ベ (the commoner in names) is proposed, and a person decides.
    out = with_marks(_read("ワタナヘ"), (Cell.KANA, Cell.KANA, Cell.KANA, Cell.KANA, Cell.MARK))
    assert out.text == "ワタナベ"
    assert out.confidence <= DOUBTFUL_MARKS


def test_a_reading_that_does_not_match_the_cells_goes_to_a_person() -> None:
    kinds = (Cell.KANA, Cell.KANA, Cell.VOICED, Cell.KANA)
    # The mark read as a kana of its own: one character too many for the kana cells.
    assert with_marks(_read("ススソキ"), kinds).confidence <= DOUBTFUL_MARKS
    # A mark after a blank cell, or one no kana takes (ン゛).
    assert with_marks(_read("ア"), (Cell.BLANK, Cell.VOICED, Cell.KANA)).confidence <= DOUBTFUL_MARKS
    assert with_marks(_read("アン"), (Cell.KANA, Cell.KANA, Cell.VOICED)).confidence <= DOUBTFUL_MARKS
    # バ read where the cells hold ハ and a ゜ (パ): which one is for a person.
    assert with_marks(_read("バ"), (Cell.KANA, Cell.SEMI_VOICED)).confidence <= DOUBTFUL_MARKS


def test_without_a_mark_cell_the_reading_is_untouched() -> None:
    reading = Recognition("ススキ", 0.97, (10.0, 30.0, 50.0))
    assert with_marks(reading, (Cell.KANA, Cell.KANA, Cell.KANA, Cell.BLANK)) is reading


def test_marks_read_apart_are_joined_in_katakana_values() -> None:
    assert joined_sound_marks('タ"カハシ') == "ダカハシ"
    assert joined_sound_marks("ハ°ク") == "パク"
    assert katakana_value("タ゛カハシ") == "ダカハシ"
    assert katakana_value("ケンシ”") == "ケンジ"
    # A mark no kana takes stays, and the value is not clean katakana.
    assert joined_sound_marks("ン゛") == "ン゛"


def test_kana_cells_are_read_in_an_alphabet_that_has_the_marks() -> None:
    """Without the marks in its alphabet the recogniser must read a lone ゛ as a kana (タソ)."""
    from pathlib import Path

    from extractors.plan import _alphabet
    from extractors.template import load_templates
    from ocr.types import ALPHABETS

    root = Path(__file__).resolve().parents[2]
    kofu = next(
        t for t in load_templates(root / "fixtures" / "forms-kyokai") if t.form_id == "kyokai_kofu_shinsei"
    )
    specs = {spec.name: spec for spec in kofu.fields}
    assert _alphabet(specs["name_kana_2"]) == "kana_cells"
    assert {'"', "ﾞ", "ﾟ"} <= ALPHABETS["kana_cells"]
    assert not {'"', "ﾞ"} & ALPHABETS["kana"]  # a フリガナ row stays kana only
