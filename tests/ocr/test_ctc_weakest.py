"""The recogniser's least certain character (``Recognition.weakest``, which sends a reading to a
person under ``WEAK_CHARACTER``) is a written character's: a space the model emits for a gap is
no doubt about what was written (an address whose printed 都 was taken off read at 0.49 for
the gap, every character at ≥ 0.85, and went to a person)."""

from __future__ import annotations

import numpy as np
import pytest

from ocr.paddle import _CtcDecode

CHARACTERS = ["blank", "大", "阪", " ", "市"]


def _pred(steps: list[tuple[int, float]]) -> list[np.ndarray]:
    """One image's CTC output: at each step the given character with the given probability,
    the rest spread over the others."""
    probs = np.zeros((1, len(steps), len(CHARACTERS)), dtype=np.float32)
    for t, (index, p) in enumerate(steps):
        probs[0, t, :] = (1.0 - p) / (len(CHARACTERS) - 1)
        probs[0, t, index] = p
    return [probs]


def test_a_weak_space_is_not_the_weakest_character() -> None:
    decode = _CtcDecode(CHARACTERS)
    texts, _ = decode(_pred([(1, 0.99), (2, 0.98), (0, 0.9), (3, 0.49), (1, 0.97), (2, 0.99), (4, 0.95)]))
    assert texts == ["大阪 大阪市"]
    assert decode.weakest == [pytest.approx(0.95)]


def test_a_weak_written_character_is_still_the_weakest() -> None:
    decode = _CtcDecode(CHARACTERS)
    decode(_pred([(1, 0.99), (2, 0.41), (3, 0.49), (4, 0.95)]))
    assert decode.weakest == [pytest.approx(0.41)]


def test_a_reading_of_spaces_alone_keeps_their_probability() -> None:
    decode = _CtcDecode(CHARACTERS)
    decode(_pred([(3, 0.3)]))
    assert decode.weakest == [pytest.approx(0.3)]
