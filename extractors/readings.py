"""フリガナ against the name it reads: the kanji's dictionary reading settles the kana the
recogniser confuses by a stroke (a dakuten ダ/タ, a handakuten パ/バ) or by size (ョ/ヨ, ェ/エ).

The dictionary (pykakasi) knows common readings, not every name's: a reading is used only
where it differs from the written kana by such marks alone or by one kana written alike
(シ/ン, ク/ウ), never to change a kana into an unlike one, and a field it changed always goes
to a person.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jaconv

_SMALL_TO_LARGE = str.maketrans("ァィゥェォャュョッヵヶヮ", "アイウエオヤユヨツカケワ")
_MARKS = ("\u3099", "\u309a")  # combining dakuten, handakuten
#: Katakana a hand writes so alike that the recogniser takes one for another (a stroke's
#: slant or length tells them apart): シ/ツ/ソ/ン, ウ/ク/フ/ワ, コ/ロ/ユ, ヌ/ス, ナ/メ, チ/テ,
#: ヨ/ヲ. One such kana off a name's dictionary reading is a misread, not another reading.
_LOOKALIKES = ("シツソン", "ウクフワ", "コロユ", "ヌス", "ナメ", "チテ", "ヨヲ")


@lru_cache(maxsize=1)
def _kakasi() -> Any:
    import pykakasi  # imported late: its dictionary loads in ~0.1 s and only readers need it

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


@lru_cache(maxsize=4096)
def name_reading(name: str) -> str:
    """Katakana reading of a written name per the dictionary, a space where the name has
    one (氏 名); '' when a character has no reading (the dictionary then echoes it back)."""
    words = []
    for word in name.replace("\u3000", " ").split():
        words.append("".join(str(item["kana"]) for item in _kakasi().convert(word)))
    reading = " ".join(words)
    if any(not _is_katakana(char) for char in reading.replace(" ", "")):
        return ""
    return reading


def _is_katakana(char: str) -> bool:
    return "\u30a1" <= char <= "\u30fa" or char == "ー"


def kana_base(char: str) -> str:
    """A kana without dakuten/handakuten and at full size: what a smudged or small stroke
    leaves of it (ダ→タ, パ→ハ, ョ→ヨ, ヴ→ウ)."""
    return _unmarked(char).translate(_SMALL_TO_LARGE)


def lookalike(first: str, second: str) -> bool:
    """Whether two different katakana are written alike (:data:`_LOOKALIKES`)."""
    return first != second and any(first in group and second in group for group in _LOOKALIKES)


def _unmarked(char: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", char) if c not in _MARKS)


@dataclass(frozen=True)
class Settled:
    """What the dictionary reading says about a フリガナ reading."""

    value: str  # the kana, with what the reading settles replaced
    agrees: bool  # the reading and the (settled) kana are the same


def settle_kana(kana: str, reading: str) -> Settled | None:
    """Compare ``kana`` (as read, spaces kept) with the dictionary ``reading`` of its name:
    the whole name first, then 氏 and 名 each on its own (the dictionary often misses a given
    name's reading while knowing the surname's). A word whose reading is unknown or another
    name tells nothing and is left as read; None when no word could be compared."""
    whole = _settle_letters(kana, reading)
    if whole is not None:
        return whole
    words, readings = kana.split(" "), reading.split(" ")
    if len(words) != 2 or len(readings) != 2:
        return None
    parts = [_settle_word(word, said) for word, said in zip(words, readings, strict=True)]
    if not any(parts):
        return None
    value = " ".join(part.value if part else word for part, word in zip(parts, words, strict=True))
    return Settled(value, all(part.agrees for part in parts if part))


def _settle_word(word: str, reading: str) -> Settled | None:
    """One word (氏 or 名); a ー at its edge that the reading lacks is the gap between the
    words read as a stroke, and goes."""
    trimmed = word
    if not reading.endswith("ー"):
        trimmed = trimmed.rstrip("ー")
    if not reading.startswith("ー"):
        trimmed = trimmed.lstrip("ー")
    settled = _settle_letters(trimmed, reading) if trimmed else None
    if settled is not None and trimmed != word:
        return Settled(settled.value, settled.agrees)
    return settled


def _settle_letters(kana: str, reading: str) -> Settled | None:
    """Compare ``kana`` (as read, spaces kept) with the dictionary ``reading`` of its name.

    None when they differ in a way the reading cannot settle (another kana, another length,
    no reading). Otherwise the kana where the reading decides (and, when all letters agree,
    the space between 氏 and 名 where the name has it), which is where the two differ
    only by size (リヨウ/リョウ: a name's small kana follow its kanji) or by a dakuten at the
    start of 氏 or 名 (ダナカ/タナカ: sequential voicing never voices a word's first kana).
    A dakuten elsewhere is left as written (山崎 is ヤマサキ or ヤマザキ), with ``agrees`` False.
    """
    letters = [i for i, char in enumerate(kana) if char != " "]
    spelled = reading.replace(" ", "")
    if not spelled or len(letters) != len(spelled):
        return None
    out = list(kana)
    agrees = True
    others = 0
    for index, wanted in zip(letters, spelled, strict=True):
        written = kana[index]
        have = jaconv.hira2kata(written)  # フリガナ written in hiragana is compared as katakana
        if have == wanted:
            continue
        if kana_base(have) != kana_base(wanted):
            # Another kana. One among three or more that match is likelier a misread (イナロウ
            # for イチロウ) than another reading of the name: doubted, not changed — unless
            # the two are written alike (コバヤン for 小林, カトク for 加藤): the reading's
            # kana is then proposed, and a person confirms it (``agrees`` stays False).
            others += 1
            if others > 1 or len(spelled) < 3:
                return None
            agrees = False
            if lookalike(kana_base(have), kana_base(wanted)):
                out[index] = wanted if have == written else jaconv.kata2hira(wanted)
            continue
        word_start = index == 0 or kana[index - 1] == " "
        size_only = have.translate(_SMALL_TO_LARGE) == wanted.translate(_SMALL_TO_LARGE)
        if size_only or word_start:  # size only, or voicing at a word's start
            out[index] = wanted if have == written else jaconv.kata2hira(wanted)
        else:
            agrees = False
    settled = "".join(out)
    if " " in reading:
        # Where the gap between 氏 and 名 falls is known from the name once the letters align.
        bare = settled.replace(" ", "")
        cut = reading.index(" ")
        settled = f"{bare[:cut]} {bare[cut:]}"
    return Settled(settled, agrees)


def settle_place_kana(kana: str, readings: tuple[str, ...]) -> str | None:
    """An address's フリガナ whose beginning is one of Japan Post's ``readings`` of the place
    its 郵便番号 stands for (:func:`extractors.postcodes.place_readings`) but for a kana's
    size or its dakuten/handakuten (シパコウェン for シバコウエン, チジヨウ for チジョウ): that
    beginning spelled as Japan Post spells it, the rest (番地, a building's name) as read.
    Never another kana: a beginning off by any other letter, or read in hiragana, is left
    alone. None when nothing is to change."""
    for reading in readings:  # the longest first
        head = kana[: len(reading)]
        if len(head) < len(reading) or head == reading or " " in head:
            continue
        if all(kana_base(have) == kana_base(wanted) for have, wanted in zip(head, reading, strict=True)):
            return reading + kana[len(reading) :]
    return None


def spaced_like_name(kana: str, reading: str) -> str | None:
    """``kana`` with its space (missing or misplaced) after the surname when the kana (or
    their hiragana) begin with the surname's dictionary reading (イノウエアヤ, 井上 彩 →
    イノウエ アヤ; ヤマモ トチヒロ, 山本 千尋 → ヤマモト チヒロ); None when that changes nothing."""
    words = reading.split(" ")
    bare = kana.replace(" ", "")
    if len(words) != 2 or not words[0] or len(bare) <= len(words[0]):
        return None
    if not jaconv.hira2kata(bare).startswith(words[0]):
        return None
    # A long-vowel mark never begins a word: one there is the gap between 氏 and 名 read as ー.
    given = bare[len(words[0]) :].lstrip("ー")
    spaced = f"{bare[: len(words[0])]} {given}"
    return spaced if given and spaced != kana else None


def name_spaced_like_kana(name: str, kana: str) -> str | None:
    """``name`` with the space between 氏 and 名 put where its フリガナ has it, when the name
    was read without one (高橋美咲 with タカハシ ミサキ → 高橋 美咲): the one place where
    the dictionary reading of the name's first characters is the kana's first word (compared
    without dakuten and size, which the recogniser confuses). None when the name has a space
    already, the kana has not exactly one, or no single place fits."""
    words = kana.split()
    if " " in name or "\u3000" in name or len(words) != 2:
        return None
    surname = "".join(kana_base(char) for char in jaconv.hira2kata(words[0]))
    fits = [
        cut
        for cut in range(1, len(name))
        if (reading := name_reading(name[:cut])) and "".join(kana_base(c) for c in reading) == surname
    ]
    if len(fits) != 1:
        return None
    return f"{name[: fits[0]]} {name[fits[0] :]}"


def like_a_confirmed_word(kana: str, confirmed: list[str]) -> str | None:
    """``kana`` with each word that differs from a word of a ``confirmed`` reading only by a
    dakuten, a handakuten or size spelled as that word (ダカハシ ミサキ, confirmed タカハシ
    ミサキ → タカハシ ミサキ); None when no word changes."""
    words = [word for reading in confirmed for word in reading.split()]
    out = []
    for word in kana.split(" "):
        bare = "".join(kana_base(char) for char in jaconv.hira2kata(word))
        same = {w for w in words if len(w) == len(word) and "".join(kana_base(c) for c in w) == bare}
        out.append(same.pop() if len(same) == 1 else word)  # itself, or two to choose from: as read
    changed = " ".join(out)
    return changed if changed != kana else None
