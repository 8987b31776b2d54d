"""Small kana are told from large ones by the height of the writer's ink, not the recogniser's
guess (extractors.fields.kana_size): a ツ as tall as its neighbours is a ツ even when read ッ."""

from __future__ import annotations

import numpy as np

from extractors.fields.kana_size import DOUBTFUL_SIZE, kana_heights, sized
from ocr.types import Recognition

PITCH = 40
LINE = 30


def _ink(heights: list[int]) -> np.ndarray:
    """A line of characters one per ``PITCH`` columns, each ink ``height`` tall, bottoms aligned."""
    ink = np.zeros((LINE + 10, PITCH * len(heights)), np.uint8)
    for index, height in enumerate(heights):
        x = index * PITCH + 8
        ink[5 + LINE - height : 5 + LINE, x : x + PITCH - 16] = 1
    return ink


def _read(text: str, confidence: float = 0.99) -> Recognition:
    return Recognition(text, confidence, tuple(i * PITCH + PITCH / 2 for i in range(len(text))))


def test_heights_are_measured_under_each_character() -> None:
    assert kana_heights(_ink([30, 15, 30]), [20.0, 60.0, 100.0]) == [30, 15, 30]


def test_a_full_height_tsu_read_small_is_made_large() -> None:
    out = sized(_read("マッモト"), _ink([30, 29, 30, 30]))
    assert out.text == "マツモト"
    assert out.confidence == 0.99


def test_a_short_tsu_read_large_is_made_small() -> None:
    assert sized(_read("ハツトリ"), _ink([30, 15, 30, 30])).text == "ハットリ"


def test_a_tsu_of_middling_height_goes_to_a_person() -> None:
    out = sized(_read("マッモト"), _ink([30, 20, 30, 30]))
    assert out.text == "マッモト"
    assert out.confidence <= DOUBTFUL_SIZE


def test_a_flat_kana_is_changed_only_by_a_clear_height() -> None:
    # ユ is flat at full size: at 0.7 of the line it may be either, and the reading stands.
    assert sized(_read("シュン"), _ink([30, 21, 30])).text == "シュン"
    assert sized(_read("ュミ"), _ink([30, 30])).text == "ユミ"
    assert sized(_read("キヨウ"), _ink([30, 12, 30])).text == "キョウ"


def test_nothing_changes_without_positions_or_a_line_to_compare_with() -> None:
    assert sized(Recognition("マッモト", 0.9), _ink([30, 30, 30, 30])).text == "マッモト"
    assert sized(_read("ッ"), _ink([30])).text == "ッ"
    # Only kana of pairs: no other kana gives the line's height.
    assert sized(_read("ツヤ"), _ink([30, 10])).text == "ツヤ"
    assert sized(_read("マッモト"), None).text == "マッモト"
