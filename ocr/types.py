"""Engine-neutral value types that cross the OCR boundary."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: A greyscale (H, W) or colour (H, W, 3) uint8 image.
Image = npt.NDArray[np.uint8]

#: PDF and template coordinates are in points: 72 to the inch.
POINTS_PER_INCH = 72.0


def px_per_pt(dpi: float) -> float:
    """How many pixels one point is at ``dpi``: the one point-to-pixel scale (rendering a PDF,
    warping onto a template, a template box on its page image)."""
    return dpi / POINTS_PER_INCH


def pt_to_px(points: float, dpi: float) -> float:
    """A length in points as pixels at ``dpi`` (not rounded)."""
    return points * dpi / POINTS_PER_INCH


def pt_per_px(dpi: float) -> float:
    """How many points one pixel is at ``dpi`` (the inverse of :func:`px_per_pt`)."""
    return POINTS_PER_INCH / dpi


@dataclass(frozen=True)
class Box:
    """Axis-aligned rectangle in image pixels, top-left origin, x1/y1 exclusive."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Recognition:
    """Text read from one crop; confidence is normalised to 0–1 by the adapter."""

    text: str
    confidence: float
    #: x of each character of ``text`` in crop pixels, where the engine knows it (CTC time
    #: steps); () otherwise. Lets a caller put back word spaces at the blank gaps it sees.
    positions: tuple[float, ...] = ()
    #: Probability of the least certain character (``confidence`` is their mean), where the
    #: engine knows it: one doubtful character (バ/パ) hides in a long, confident reading.
    weakest: float = 1.0


@dataclass(frozen=True)
class TextLine:
    """A line found by full-page detection and its recognised text."""

    text: str
    confidence: float
    box: Box


@dataclass(frozen=True)
class EngineInfo:
    """What produced a reading; stored with every reading."""

    engine: str
    version: str
    models: tuple[str, ...]

    def label(self) -> str:
        return f"{self.engine} {self.version} ({', '.join(self.models)})"


def _written_japanese() -> frozenset[str]:
    """Every character of Japanese writing as offices exchange it: those Shift_JIS (cp932:
    JIS X 0208 with the NEC and IBM extensions, which hold 髙 and 﨑) can encode. The
    recogniser's dictionary also holds simplified Chinese (离 苍 电 让), which a hand-written
    離 蒼 電 譲 is often read as; none of them is written on a Japanese form."""
    chars = []
    for code in range(0x20, 0x10000):
        char = chr(code)
        try:
            char.encode("cp932")
        except UnicodeEncodeError:
            continue
        chars.append(char)
    return frozenset(chars)


#: Characters a field may hold, by name: a recogniser restricted to them picks the likeliest
#: allowed character where it would otherwise pick a look-alike of another script (ス大キ for
#: スズキ, 7タナベ for ワタナベ, 离 for 離). Hiragana stay in "kana" so that a フリガナ written
#: in hiragana is read as written and the validator can say so.
ALPHABETS: dict[str, frozenset[str]] = {
    "japanese": _written_japanese(),
    "kana": frozenset(
        [chr(c) for c in range(0x3041, 0x3097)] + [chr(c) for c in range(0x30A1, 0x30FB)] + ["ー", "・", " "]
    ),
    "digits": frozenset("0123456789"),
}
#: Katakana written one per cell, where the form asks for a ゛/゜ in a cell of its own
#: (「濁点・半濁点は1字として」): the kana and what the model writes for a mark on its own
#: (a half-width ﾞ/ﾟ, quotation marks, a degree sign). Without them a lone ゛ is forced to the
#: likeliest kana (タ゛ read タソ); the reader joins a mark to the kana before it.
ALPHABETS["kana_cells"] = ALPHABETS["kana"] | frozenset("ﾞﾟ\"”°")
