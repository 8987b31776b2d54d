"""Forms onboarded with ``kakunin forms add`` (issue 14 item 7) installed beside ours: they are
identified as themselves, they steal no page of SK-01…SK-04, and another insurer's
look-alikes stay none of ours. Without them installed (the default) their pages are
``not_a_form``.

The onboarded templates are the examples in ``fixtures/onboarding/kyokai/``; pages are
rendered from the blank PDFs and shifted, rescaled or made to look scanned as in
``test_identify_per_template``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from extractors.digital import read_digital
from extractors.identify import identify
from extractors.template import Template, load_template, load_templates
from ocr.engine import OcrEngine
from tests.extractors.test_identify_per_template import (
    CONDITIONS,
    DPI,
    LOOK_ALIKES,
    REAL_FORMS,
    render,
    rescaled,
    scanned,
    shifted,
)

ONBOARDED = Path(__file__).resolve().parents[2] / "fixtures" / "onboarding" / "kyokai"


#: 協会けんぽ's 交付申請書 is printed to 26 pt from the sheet's edges: shifted by 30 pt (as
#: the look-alikes are in CONDITIONS) its frame leaves the sheet. 20 pt (7 mm) either way.
ONBOARDED_CONDITIONS = {
    "rendered": lambda page: page,
    "scanned, shifted 20/15 pt": lambda page: scanned(shifted(page, 20, 15)),
    "shifted -20/-15 pt": lambda page: shifted(page, -20, -15),
    "printed at 95 %": lambda page: rescaled(page, 0.95),
}


def onboarded() -> list[Template]:
    return [load_template(p) for p in sorted(ONBOARDED.glob("*.json"))]


def installed() -> list[Template]:
    """Our four and the two onboarded forms, as a society that added them has them."""
    return [*load_templates(), *onboarded()]


@pytest.mark.ocr
@pytest.mark.parametrize("form_id", ["kyokai_kofu_shinsei", "kyokai_jusho_henko"])
def test_an_onboarded_form_is_identified_as_itself_and_only_when_installed(
    engine: OcrEngine, form_id: str
) -> None:
    template = next(t for t in onboarded() if t.form_id == form_id)
    page = render(template.blank_pdf)
    for condition, make in ONBOARDED_CONDITIONS.items():
        found = identify(make(page), installed(), engine, DPI)
        assert found is not None and found.template.form_id == form_id, condition
    assert (
        identify(ONBOARDED_CONDITIONS["scanned, shifted 20/15 pt"](page), load_templates(), engine, DPI)
        is None
    )


@pytest.mark.ocr
@pytest.mark.parametrize("form_id", ["kofu_shinsei", "hifuyosha_ido", "messhitsu", "jusho_shimei_henko"])
def test_onboarded_forms_steal_no_page_of_ours(engine: OcrEngine, form_id: str) -> None:
    template = next(t for t in load_templates() if t.form_id == form_id)
    page = render(template.blank_pdf)
    for condition, make in CONDITIONS.items():
        found = identify(make(page), installed(), engine, DPI)
        assert found is not None and found.template.form_id == form_id, condition


@pytest.mark.ocr
@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alikes_stay_none_of_ours_with_onboarded_forms_installed(engine: OcrEngine, name: str) -> None:
    for page_no in (0, 1):
        page = render(REAL_FORMS / name, page_no)
        for condition, make in CONDITIONS.items():
            found = identify(make(page), installed(), engine, DPI)
            assert found is None, (
                f"{name} p{page_no + 1} {condition}: {found.template.form_id if found else ''}"
            )


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alikes_born_digital_stay_none_of_ours_with_onboarded_forms_installed(name: str) -> None:
    forms = read_digital((REAL_FORMS / name).read_bytes(), installed(), date(2026, 11, 26))
    assert forms is not None and [f.form_id for f in forms] == [None, None]


def test_the_onboarded_blanks_are_identified_from_their_text_layer() -> None:
    for template in onboarded():
        forms = read_digital(template.blank_pdf.read_bytes(), installed(), date(2026, 11, 26))
        assert forms is not None and [f.form_id for f in forms] == [template.form_id]
        assert forms[0].form_version == template.form_version
