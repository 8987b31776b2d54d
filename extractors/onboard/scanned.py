"""The print of a scanned blank, read by OCR: a blank form that is a scan (an image, or a PDF
of one) has no text layer, so its labels, title and printed options would all be missing
from the draft. The page's text lines, found and read by the OCR engine, are turned into
the words and characters :mod:`extractors.onboard.draft` labels boxes with.

A line's characters are laid out evenly along it, a full-width character twice as wide as a
half-width one (digits, Latin letters, ASCII punctuation); a line much taller than wide is
printed down (「被保険者」 along a block's left edge), its characters stacked."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from extractors.onboard.draft import Printed
from extractors.template import PtBox
from ocr.types import TextLine, px_per_pt

#: A line at least this many times as tall as wide, of two characters or more, is printed down.
PRINTED_DOWN = 1.5
#: Lines read below this confidence are left out: a stamp, a logo or a rule read as text.
MIN_CONFIDENCE = 0.5


def _width(char: str) -> float:
    """A character's share of a line's width: 1 for a full-width one, 0.5 for a half-width one."""
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 0.5


def _in_points(line: TextLine, dpi: float) -> PtBox:
    scale = px_per_pt(dpi)
    box = line.box
    return (box.x0 / scale, box.y0 / scale, box.x1 / scale, box.y1 / scale)


def line_characters(text: str, box: PtBox) -> list[Printed]:
    """The characters of one printed line laid out over its box (blanks left out)."""
    x0, y0, x1, y1 = box
    if len(text) > 1 and (y1 - y0) >= PRINTED_DOWN * (x1 - x0):
        step = (y1 - y0) / len(text)
        return [
            Printed(char, (x0, y0 + i * step, x1, y0 + (i + 1) * step))
            for i, char in enumerate(text)
            if char.strip()
        ]
    total = sum(_width(char) for char in text) or 1.0
    unit = (x1 - x0) / total
    characters, left = [], x0
    for char in text:
        right = left + _width(char) * unit
        if char.strip():
            characters.append(Printed(char, (left, y0, right, y1)))
        left = right
    return characters


def line_words(text: str, box: PtBox) -> list[Printed]:
    """The words of one printed line (split at blanks), each over its characters."""
    words: list[Printed] = []
    current: list[Printed] = []
    for char in [*line_characters(text.replace("\u3000", " "), box), None]:
        if current and (char is None or char.box[0] - current[-1].box[2] > 0.01):
            # A blank between two characters leaves a gap in their boxes: a new word.
            words.append(
                Printed(
                    "".join(c.text for c in current),
                    (current[0].box[0], current[0].box[1], current[-1].box[2], current[-1].box[3]),
                )
            )
            current = []
        if char is not None:
            current.append(char)
    return words


def printed_by_ocr(lines: Sequence[TextLine], dpi: float) -> tuple[list[Printed], list[Printed]]:
    """The characters and the words of a scanned blank's text lines (found and read at
    ``dpi``), in points from the page's top-left corner; lines read unsure left out."""
    characters: list[Printed] = []
    words: list[Printed] = []
    for line in lines:
        text = line.text.strip()
        if not text or line.confidence < MIN_CONFIDENCE:
            continue
        box = _in_points(line, dpi)
        characters.extend(line_characters(text, box))
        words.extend(line_words(text, box))
    return characters, words
