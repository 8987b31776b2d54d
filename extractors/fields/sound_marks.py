"""A ゛ or ゜ written in a kana cell of its own, seen on the paper and put back on its kana.

Forms with katakana one per cell ask for the sound marks in a cell of their own
(「濁点（゛）、半濁点（゜）は1字としてご記入ください」): スズキ is written ス ス ゛ キ. The
recogniser reads such a row as one line and drops the lone mark (two short strokes at the top
of an otherwise blank cell), so スズキ came back ススキ at confidence 0.99 and was accepted.
The cells say what the line lost: a cell whose ink is small and high is a mark, and it belongs
to the kana in the cell before it.

Contract: :func:`cell_kinds` classifies the cells of a field from the writer's ink (blank, a
kana, a ゛, a ゜, or a mark it cannot tell); :func:`with_marks` returns the reading with each
mark joined to its kana where the reading's characters match the kana cells one to one, and
marked doubtful (``confidence`` lowered, so a person looks) where they do not, or where a ハ行
kana's mark is unclear (proposed as ゛). Nothing changes for a field without a mark cell.
"""

from __future__ import annotations

import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from enum import StrEnum

import cv2
import numpy as np

from extractors.normalize import joined_sound_marks
from ocr.types import Image, Recognition


class Cell(StrEnum):
    """What the writer put in one kana cell."""

    BLANK = "blank"
    KANA = "kana"
    VOICED = "voiced"  # ゛
    SEMI_VOICED = "semi_voiced"  # ゜
    MARK = "mark"  # a ゛ or a ゜, which one the ink does not say


#: A cell's ink at most this share of the line's height (the median of the inked cells) and
#: ending above :data:`MARK_BOTTOM_AT_MOST` of the cell is a mark: a small kana (ッ, ャ) is as
#: small but sits low in its cell, a long-vowel bar is low and wide.
MARK_HEIGHT_AT_MOST = 0.5
MARK_BOTTOM_AT_MOST = 0.6
#: A loop inside a mark's ink of at least this share of its bounding box makes it a ゜.
LOOP_AT_LEAST = 0.12
#: Confidence of a reading whose marks the cells leave open (below the review threshold).
DOUBTFUL_MARKS = 0.5
_COMBINING = {Cell.VOICED: "\u3099", Cell.SEMI_VOICED: "\u309a"}


def cell_kinds(cell_inks: Sequence[Image], dpi: int) -> tuple[Cell, ...]:
    """The kind of each cell from its writer's ink (binary, non-zero where inked; specks left
    out): blank, a kana, or a mark — a ゛ (two strokes, no loop), a ゜ (one loop) or
    :attr:`Cell.MARK` when the ink is a mark but says neither."""
    speck = max(4, round(1.5 * (dpi / 100) ** 2))
    boxes: list[tuple[int, int, int, int, bool] | None] = []
    for ink in cell_inks:
        count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
        pieces = [stats[i] for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= speck]
        if not pieces:
            boxes.append(None)
            continue
        y0 = min(int(p[cv2.CC_STAT_TOP]) for p in pieces)
        y1 = max(int(p[cv2.CC_STAT_TOP] + p[cv2.CC_STAT_HEIGHT]) for p in pieces)
        x0 = min(int(p[cv2.CC_STAT_LEFT]) for p in pieces)
        x1 = max(int(p[cv2.CC_STAT_LEFT] + p[cv2.CC_STAT_WIDTH]) for p in pieces)
        loop = _largest_hole(ink) >= LOOP_AT_LEAST * (x1 - x0) * (y1 - y0)
        boxes.append((y0, y1, len(pieces), ink.shape[0], loop))
    heights = [b[1] - b[0] for b in boxes if b is not None]
    if len(heights) < 3:
        return tuple(Cell.BLANK if b is None else Cell.KANA for b in boxes)
    line = statistics.median(heights)
    kinds: list[Cell] = []
    for box in boxes:
        if box is None:
            kinds.append(Cell.BLANK)
            continue
        y0, y1, strokes, cell_height, loop = box
        if y1 - y0 > MARK_HEIGHT_AT_MOST * line or y1 > MARK_BOTTOM_AT_MOST * cell_height:
            kinds.append(Cell.KANA)
        elif loop and strokes == 1:
            kinds.append(Cell.SEMI_VOICED)
        elif not loop and strokes == 2:
            kinds.append(Cell.VOICED)
        else:
            kinds.append(Cell.MARK)
    return tuple(kinds)


def _largest_hole(ink: Image) -> float:
    """Area (pixels) of the largest closed loop the ink draws (a ゜ draws one; two strokes of
    a ゛ run together on a coarse scan leave at most a pixel or two)."""
    binary = np.ascontiguousarray((ink > 0).astype(np.uint8))
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return 0.0
    holes = [cv2.contourArea(c) for c, h in zip(contours, hierarchy[0], strict=True) if h[3] >= 0]
    return max(holes, default=0.0)


def with_marks(reading: Recognition, kinds: Sequence[Cell]) -> Recognition:
    """``reading`` of a row of kana cells with each mark cell's ゛/゜ joined to the kana of the
    cell before it. A mark the recogniser read apart (タ") is joined first. Doubtful where the
    kana read are not one per kana cell, a mark follows no kana, is unclear, or makes no kana
    (ン゛). Unchanged where no cell holds a mark."""
    if not any(kind in (Cell.VOICED, Cell.SEMI_VOICED, Cell.MARK) for kind in kinds):
        return reading
    joined = _joined(reading)
    chars = [i for i, char in enumerate(joined.text) if char != " "]
    kana_cells = [i for i, kind in enumerate(kinds) if kind is Cell.KANA]
    if len(chars) != len(kana_cells):
        return _doubtful(joined)
    text = list(joined.text)
    doubtful = False
    for index, kind in enumerate(kinds):
        if kind not in (Cell.VOICED, Cell.SEMI_VOICED, Cell.MARK):
            continue
        if index == 0 or kinds[index - 1] is not Cell.KANA:
            doubtful = True
            continue
        at = chars[kana_cells.index(index - 1)]
        decomposed = unicodedata.normalize("NFD", text[at])
        base, marks = decomposed[0], decomposed[1:]
        mark, sure = _mark_for(base, kind)
        if mark is None or (marks and marks != mark):
            doubtful = True  # a mark no kana takes, or ダ read where the cells say パ
            continue
        doubtful = doubtful or not sure
        text[at] = unicodedata.normalize("NFC", base + mark)
    out = replace(joined, text="".join(text))
    return _doubtful(out) if doubtful else out


def _mark_for(base: str, kind: Cell) -> tuple[str | None, bool]:
    """The combining mark a mark cell of ``kind`` puts on ``base``, and whether that is sure:
    the one the kana takes when it takes only one (カ takes only ゛, whatever the ink looked
    like); on ハ行, which take both, the one the ink shows, or where it shows neither the ゛
    (ベ and ボ are far commoner in names than ペ and ポ), not sure; None for a kana that takes
    neither."""
    takes = [m for m in _COMBINING.values() if len(unicodedata.normalize("NFC", base + m)) == 1]
    if not takes:
        return None, False
    if len(takes) == 1:
        return takes[0], True
    if kind is Cell.MARK:
        return _COMBINING[Cell.VOICED], False
    return _COMBINING[kind], True


def _joined(reading: Recognition) -> Recognition:
    """The reading with a mark read as a character of its own (タ") joined to its kana; the
    mark's position goes with it."""
    text = joined_sound_marks(reading.text)
    if text == reading.text:
        return reading
    positions = reading.positions
    if len(positions) == len(reading.text):
        kept: list[float] = []
        cursor = 0
        for char in text:  # the joined text is the original with some marks taken out
            while cursor < len(reading.text) and not _starts(reading.text[cursor], char):
                cursor += 1
            kept.append(positions[min(cursor, len(positions) - 1)])
            cursor += 1
        positions = tuple(kept)
    else:
        positions = ()
    return replace(reading, text=text, positions=positions)


def _starts(read: str, joined: str) -> bool:
    return read == joined or unicodedata.normalize("NFD", joined)[0] == read


def _doubtful(reading: Recognition) -> Recognition:
    return replace(reading, confidence=min(reading.confidence, DOUBTFUL_MARKS))
