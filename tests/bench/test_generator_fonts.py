"""The benchmark generator writes every character its golden value holds: a hand font that
maps a character to an empty glyph (AoyagiKouzanT's 翔) would leave the paper without it, and
the benchmark would count a reading of what is really there as an error."""

from __future__ import annotations

from PIL import ImageFont

from fixtures.generate import ALL_HANDS, HELD_OUT_HAND_FONTS, PRINT_FONTS, _writing_font

BRUSH = next(path for path in HELD_OUT_HAND_FONTS if "Aoyagi" in path)


def _draws(path: str, char: str) -> bool:
    return ImageFont.truetype(path, 40).getmask(char).getbbox() is not None


def test_a_character_a_hand_cannot_draw_is_drawn_by_another_hand_of_its_set() -> None:
    assert not _draws(BRUSH, "翔")  # what the fallback is for
    other = _writing_font(BRUSH, "翔", HELD_OUT_HAND_FONTS)
    assert other != BRUSH and other in HELD_OUT_HAND_FONTS and _draws(other, "翔")


def test_a_character_the_hand_draws_stays_in_that_hand() -> None:
    assert _writing_font(BRUSH, "太", HELD_OUT_HAND_FONTS) == BRUSH
    assert _writing_font(BRUSH, " ", HELD_OUT_HAND_FONTS) == BRUSH
    for path in (*ALL_HANDS, *PRINT_FONTS):
        assert _writing_font(path, "高", HELD_OUT_HAND_FONTS) == path
