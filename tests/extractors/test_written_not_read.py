"""Review routing from what the recogniser gives: a field the paper shows written on, but
read as nothing, is an unreadable value for a person, never a blank blamed on the applicant
(``required``); a confident reading with one doubtful character goes to a person too."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

import numpy as np
from PIL import Image as PILImage

from extractors.plan import plan_crops
from extractors.read import page_paper, read_fields
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


class _ReadsDates:
    """Reads only the date boxes, as ``answers`` says per (field, part); nothing elsewhere."""

    info = EngineInfo("dates", "0", "none")

    def __init__(self, keys: list[tuple[str, str]], answers: dict[tuple[str, str], Recognition]) -> None:
        self.keys, self.answers = keys, answers

    def recognize(self, crops: Sequence[Image], alphabets: object = None) -> list[Recognition]:
        assert len(crops) == len(self.keys)
        return [self.answers.get(key, Recognition("", 0.0)) for key in self.keys]


def test_a_rule_broken_by_an_unsure_reading_is_illegible_not_the_applicants_error() -> None:
    """証明日 read a year early: with confidence, the applicant's error; without, a reading
    for a person to check (``illegible``, naming the rule). The same when the unsure value is
    the other date the rule compares (届出日 read a year late), though the finding names the
    証明日, read with confidence."""
    page, values = _filled_page()
    plan = plan_crops(TEMPLATE, page_paper(TEMPLATE, page, DRAW_DPI))
    keys = plan.keys
    submitted = date.fromisoformat(str(values["submission_date"]))
    certified = date.fromisoformat(str(values["employer_cert_date"]))

    def parts(name: str, day: date, year: int, confidence: float) -> dict[tuple[str, str], Recognition]:
        def written(part: str, number: int) -> str:  # as many digits as the hand wrote (07 or 7)
            return str(number).zfill(plan.cell_counts[(name, part)])

        return {
            ("_", "year"): Recognition(written("year", year), confidence),
            ("_", "month"): Recognition(written("month", day.month), 0.99),
            ("_", "day"): Recognition(written("day", day.day), 0.99),
        }

    cases = (
        ("employer_cert_date", 0.99, "cert_before_submission"),
        ("employer_cert_date", 0.7, "illegible"),
        ("submission_date", 0.7, "illegible"),
    )
    for unsure, confidence, code in cases:
        answers = {}
        for name, day, year in (
            ("submission_date", submitted, submitted.year - 2018 + (unsure == "submission_date")),
            ("employer_cert_date", certified, certified.year - 2018 - (unsure == "employer_cert_date")),
        ):
            for (_, part), rec in parts(name, day, year, confidence if name == unsure else 0.99).items():
                answers[(name, part)] = rec
        _, findings = read_fields(TEMPLATE, page, DRAW_DPI, _ReadsDates(keys, answers), date(2026, 11, 26))
        on_cert = [f for f in findings if f.field == "employer_cert_date"]
        assert [f.code for f in on_cert] == [code], (unsure, confidence, on_cert)
        assert "証明日" in on_cert[0].message
