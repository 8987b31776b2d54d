"""Identification names the right form for each blank form, right way up or upside down."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from extractors.digital import read_digital
from extractors.identify import identify, match_footer, match_title
from extractors.template import load_templates
from ocr.engine import OcrEngine
from ocr.preprocess import rotate
from ocr.raster import RasterLimits, rasterize
from tests.helpers import blank_pdf

FORMS = ["kofu_shinsei", "hifuyosha_ido", "messhitsu", "jusho_shimei_henko"]


def test_footer_text_variants_map_to_codes() -> None:
    templates = load_templates()
    assert match_footer("様式 SK-03 (2025.4)", templates).form_id == "messhitsu"  # type: ignore[union-attr]
    assert match_footer("様式SKO2（2025.4）", templates).form_id == "hifuyosha_ido"  # type: ignore[union-attr]
    assert match_footer("さくら電機健康保険組合", templates) is None


def test_title_match_needs_a_close_title() -> None:
    templates = load_templates()
    assert match_title("健康保険 住所・氏名変更届", templates).form_id == "jusho_shimei_henko"  # type: ignore[union-attr]
    assert match_title("拝啓 時下ますます", templates) is None


@pytest.mark.ocr
@pytest.mark.parametrize("form_id", FORMS)
@pytest.mark.parametrize("rotation", [0, 180, 90])
def test_blank_forms_are_identified_in_any_orientation(
    engine: OcrEngine, form_id: str, rotation: int
) -> None:
    page = rasterize(blank_pdf(form_id), "pdf", RasterLimits(dpi=200))[0]
    found = identify(rotate(page, rotation), load_templates(), engine, 200)
    assert found is not None
    assert found.template.form_id == form_id
    assert found.marks_found


@pytest.mark.ocr
def test_blank_page_is_not_a_form(engine: OcrEngine) -> None:
    assert identify(np.full((2339, 1654), 255, np.uint8), load_templates(), engine, 200) is None


def test_title_match_ignores_what_is_read_around_the_title() -> None:
    templates = load_templates()
    # The society's name misread before the title, and another middle dot.
    assert match_title("健唐保 住所·氏名変更届", templates).form_id == "jusho_shimei_henko"  # type: ignore[union-attr]
    assert match_title("資格確認書滅失届", templates).form_id == "messhitsu"  # type: ignore[union-attr]


@pytest.mark.ocr
def test_page_with_cut_off_marks_shifted_and_upside_down_is_identified_by_its_structure(
    engine: OcrEngine,
) -> None:
    page = rasterize(blank_pdf("jusho_shimei_henko"), "pdf", RasterLimits(dpi=200))[0]
    shifted = np.full_like(page, 255)
    shifted[45:, 60:] = page[:-45, :-60]  # the scanner fed it crooked: marks off the edge
    shifted[:, -70:] = 255
    shifted[:120, :] = 255  # the top-left mark gone with the top strip
    found = identify(rotate(shifted, 180), load_templates(), engine, 200)
    assert found is not None
    assert found.template.form_id == "jusho_shimei_henko"
    assert not found.marks_found


LOOK_ALIKE = Path(__file__).resolve().parents[2] / "fixtures" / "real-forms" / "kyokai_hifuyosha_ido.pdf"


def test_another_insurers_form_with_our_title_is_not_ours_born_digital() -> None:
    """協会けんぽ's 被扶養者（異動）届 bears the title of our SK-02: its text layer holds
    little of our print, and no page of it is read as SK-02."""
    forms = read_digital(LOOK_ALIKE.read_bytes(), load_templates(), date(2026, 11, 26))
    assert forms is not None and len(forms) == 2
    assert [f.form_id for f in forms] == [None, None]
    assert all(f.findings[0].code == "not_a_form" for f in forms)


@pytest.mark.ocr
def test_another_insurers_form_with_our_title_is_not_ours_scanned(engine: OcrEngine) -> None:
    """The same page printed and scanned: its title reads like SK-02's, but its printed
    structure does not fit our blank form, and it is no form of ours."""
    page = rasterize(LOOK_ALIKE.read_bytes(), "pdf", RasterLimits(dpi=200))[0]
    assert identify(page, load_templates(), engine, 200) is None
