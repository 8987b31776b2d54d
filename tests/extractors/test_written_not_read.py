"""Review routing from what the recogniser gives: a field the paper shows written on, but
read as nothing, is an unreadable value for a person, never a blank blamed on the applicant
(``required``); a confident reading with one doubtful character goes to a person too."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

import numpy as np
from PIL import Image as PILImage

from extractors.read import read_fields
from extractors.template import load_templates
from fixtures.generate import DRAW_DPI, HANDS, _draw, _fill
from ocr.raster import RasterLimits, rasterize
from ocr.types import EngineInfo, Image, Recognition


class _ReadsNothing:
    """A recogniser that sees no text in any crop (a pen too pale or too odd for it)."""

    info = EngineInfo("nothing", "0", "none")

    def recognize(self, crops: Sequence[Image], alphabets: object = None) -> list[Recognition]:
        return [Recognition("", 0.0) for _ in crops]


class _ReadsWithOneWeakCharacter:
    """Every crop read as 3 characters, confident on the whole, one of them at ``weakest``."""

    info = EngineInfo("weak", "0", "none")

    def __init__(self, weakest: float) -> None:
        self.weakest = weakest

    def recognize(self, crops: Sequence[Image], alphabets: object = None) -> list[Recognition]:
        return [Recognition("サトウ", 0.95, (), self.weakest) for _ in crops]


TEMPLATE = next(t for t in load_templates() if t.form_id == "kofu_shinsei")


def _filled_page() -> tuple[np.ndarray, dict[str, object]]:
    """A reissue application (it has an amount) filled by hand, aligned, at DRAW_DPI."""
    filled = next(
        f
        for seed in range(200)
        if (f := _fill(TEMPLATE, random.Random(seed), date(2026, 11, 1))).values["application_type"]
        == "reissue"
    )
    blank = rasterize(TEMPLATE.blank_pdf.read_bytes(), "pdf", RasterLimits(dpi=DRAW_DPI))[0]
    image = PILImage.fromarray(blank).convert("RGB")
    _draw(image, filled, random.Random(1), HANDS["dev"])
    return np.asarray(image.convert("L")), dict(filled.values)


def test_one_weak_character_sends_a_confident_reading_to_review() -> None:
    page, _ = _filled_page()
    for weakest, reviewed in ((0.3, True), (0.9, False)):
        readings, _ = read_fields(
            TEMPLATE, page, DRAW_DPI, _ReadsWithOneWeakCharacter(weakest), date(2026, 11, 26)
        )
        assert {r.name: r for r in readings}["insured_address"].needs_review is reviewed, weakest


def test_written_fields_read_as_nothing_are_illegible_and_blank_ones_stay_blank() -> None:
    template = TEMPLATE
    page, values = _filled_page()

    readings, findings = read_fields(template, page, DRAW_DPI, _ReadsNothing(), date(2026, 11, 26))

    by_name = {r.name: r for r in readings}
    codes = {(f.field, f.code) for f in findings}
    for name in ("fee_amount", "insured_name", "insured_address"):
        assert values[name] is not None
        assert by_name[name].value is None and by_name[name].needs_review, name
        assert (name, "illegible") in codes and (name, "required") not in codes, name
    unwritten = [s.name for s in template.fields if s.type == "text" and values.get(s.name) is None]
    assert unwritten, "the test needs a blank text field"
    for name in unwritten:
        assert by_name[name].confidence == 1.0 and not by_name[name].needs_review, name
