"""Small kana told by their size on the paper, not by the recogniser's guess.

A handwritten ッ differs from a ツ (ョ from ヨ, ェ from エ …) by its size alone. The recogniser
reads a crop scaled to one height, and a name written one character per box, or squeezed
into a フリガナ row, loses exactly that: 「マツモト」 came back 「マッモト」, 「イノウエ」
「イノウェ」, auto-accepted. The writer's own ink says which it is: a small kana is much
shorter than the other kana of the same line.

Contract: :func:`kana_heights` measures the height of the ink under each character the
recogniser placed (its CTC position); :func:`sized` returns the reading with each kana of a
small/large pair set to the size its ink has, or, where the ink leaves it open, the reading
as read and marked doubtful (``confidence`` lowered, so a person looks). Nothing is changed
where positions are unknown or no other kana gives the line's height.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from extractors.normalize import SEMI_VOICED_MARKS, VOICED_MARKS
from ocr.types import Image, Recognition

_SMALL = "ァィゥェォッャュョ" + "ぁぃぅぇぉっゃゅょ"
_LARGE = "アイウエオツヤユヨ" + "あいうえおつやゆよ"
_TO_LARGE = dict(zip(_SMALL, _LARGE, strict=True))
_TO_SMALL = dict(zip(_LARGE, _SMALL, strict=True))
#: Marks whose height says nothing of the line's (a long-vowel bar, a middle dot, a ゛/゜
#: written in a cell of its own).
_FLAT = set("ー-‐－一・･ 　") | set(VOICED_MARKS) | set(SEMI_VOICED_MARKS)

#: Pairs whose large kana is as tall as most kana (ツ, ヤ, ア …): a small one is told by its
#: height alone. Measured on generated hands (dev, 96 forms, 238 such kana): a large one at
#: 0.78–1.8 of the line's height (one outlier at 0.59), font small kana at ~0.5–0.6.
_TALL = set("ァィゥォッャ" + "ぁぃぅぉっゃ" + "アイウオツヤ" + "あいうおつや")
#: A kana of a tall pair whose ink is at most this share of the line's height is the small
#: one, at least ``TALL_LARGE_AT_LEAST`` the large one; between the two a person decides.
TALL_SMALL_AT_MOST = 0.62
TALL_LARGE_AT_LEAST = 0.75
#: ユ, ヨ and エ are flat even at full size (0.67–0.81 of the line, measured as above) and
#: their small kana reach 0.79: only a clear height decides, otherwise the reading stands
#: (the spelling rules and a name's dictionary reading settle most of them later).
FLAT_SMALL_AT_MOST = 0.5
FLAT_LARGE_AT_LEAST = 0.85
#: Confidence of a reading whose kana size the ink leaves open (below the review threshold).
DOUBTFUL_SIZE = 0.5


def kana_heights(ink: Image, positions: Sequence[float]) -> list[int]:
    """Height (pixels) of the ink under each character: the rows inked in the columns
    between the midpoints to its neighbours (half a pitch beyond the first and last)."""
    if ink.size == 0 or not positions:
        return [0] * len(positions)
    width = ink.shape[1]
    columns = np.flatnonzero(ink.any(axis=0))
    heights: list[int] = []
    for index, x in enumerate(positions):
        pitch_left = x - positions[index - 1] if index > 0 else None
        pitch_right = positions[index + 1] - x if index + 1 < len(positions) else None
        pitch = pitch_left or pitch_right or float(width)
        left = x - (pitch_left if pitch_left is not None else pitch) / 2
        right = x + (pitch_right if pitch_right is not None else pitch) / 2
        lo, hi = max(0, int(round(left))), min(width, int(round(right)))
        if hi <= lo or not columns.size:
            heights.append(0)
            continue
        rows = np.flatnonzero(ink[:, lo:hi].any(axis=1))
        heights.append(int(rows[-1] - rows[0] + 1) if rows.size else 0)
    return heights


def sized(reading: Recognition, ink: Image | None) -> Recognition:
    """``reading`` with each kana of a small/large pair (ッ/ツ, ョ/ヨ, ェ/エ …) sized as its
    ink is against the other kana of the line; doubtful where the ink is in between."""
    if ink is None or not reading.positions or len(reading.positions) != len(reading.text):
        return reading
    placed = [
        (i, char, x)
        for i, (char, x) in enumerate(zip(reading.text, reading.positions, strict=True))
        if char not in _FLAT
    ]
    if len(placed) < 2:
        return reading
    heights = kana_heights(ink, [x for _, _, x in placed])
    paired = [char in _TO_LARGE or char in _TO_SMALL for _, char, _ in placed]
    others = [h for h, pair in zip(heights, paired, strict=True) if not pair and h > 0]
    if not others:
        return reading
    line = statistics.median(others)
    text = list(reading.text)
    doubtful = False
    for (index, char, _), height, pair in zip(placed, heights, paired, strict=True):
        if not pair or height <= 0:
            continue
        share = height / line
        tall = char in _TALL
        if share <= (TALL_SMALL_AT_MOST if tall else FLAT_SMALL_AT_MOST):
            text[index] = _TO_SMALL.get(char, char)
        elif share >= (TALL_LARGE_AT_LEAST if tall else FLAT_LARGE_AT_LEAST):
            text[index] = _TO_LARGE.get(char, char)
        elif tall:
            doubtful = True
    out = replace(reading, text="".join(text))
    if doubtful:
        out = replace(out, confidence=min(out.confidence, DOUBTFUL_SIZE))
    return out
