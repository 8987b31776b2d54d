"""協会けんぽ's two forms onboarded on the designer screen (issue 14 item 7), kept in their own
forms folder ``fixtures/forms-kyokai/`` (another insurer's forms: never among our four, loaded
only when ``KAKUNIN_FORMS_DIRS`` names that folder).

With the folder installed each form is identified as itself (rendered, scanned and shifted,
printed at 95 %, and born-digital from its text layer), our four forms are still themselves and
the look-alikes (被扶養者（異動）届, 資格取得届/喪失届) stay none of ours; without it, nothing
of the folder is loaded and its pages are ``not_a_form``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from extractors.digital import read_digital
from extractors.identify import identify
from extractors.template import TEMPLATE_DIR, Template, installed_dirs, load_template, load_templates
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

KYOKAI = Path(__file__).resolve().parents[2] / "fixtures" / "forms-kyokai"
FORM_IDS = ["kyokai_kofu_shinsei", "kyokai_jusho_henko"]
#: 交付申請書 is printed to 26 pt from the sheet's edges: shifted by 20 pt (7 mm), not 30.
KYOKAI_CONDITIONS = {
    "rendered": lambda page: page,
    "scanned, shifted 20/15 pt": lambda page: scanned(shifted(page, 20, 15)),
    "shifted -20/-15 pt": lambda page: shifted(page, -20, -15),
    "printed at 95 %": lambda page: rescaled(page, 0.95),
}


def kyokai() -> list[Template]:
    return [load_template(p) for p in sorted(KYOKAI.glob("*.json"))]


def ours() -> list[Template]:
    """Our four forms, the shipped folder only (whatever ``KAKUNIN_FORMS_DIRS`` says)."""
    return list(load_templates(TEMPLATE_DIR))


def installed() -> list[Template]:
    """Ours and the folder's, as with ``KAKUNIN_FORMS_DIRS=fixtures/forms-kyokai``."""
    return [*ours(), *kyokai()]


def test_the_folder_holds_only_the_two_forms_and_their_blanks() -> None:
    assert sorted(t.form_id for t in kyokai()) == sorted(FORM_IDS)
    names = {p.name for p in KYOKAI.iterdir()}
    assert names == {p.name for t in kyokai() for p in (t.blank_pdf, KYOKAI / f"{t.blank_pdf.stem}.json")}


def test_loaded_only_when_kakunin_forms_dirs_names_the_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAKUNIN_FORMS_DIRS", raising=False)
    assert KYOKAI not in installed_dirs()
    assert not {t.form_id for t in load_templates()} & set(FORM_IDS)
    monkeypatch.setenv("KAKUNIN_FORMS_DIRS", str(KYOKAI))
    assert set(FORM_IDS) <= {t.form_id for t in load_templates()}


@pytest.mark.ocr
@pytest.mark.parametrize("form_id", FORM_IDS)
def test_identified_as_itself_and_only_when_installed(engine: OcrEngine, form_id: str) -> None:
    template = next(t for t in kyokai() if t.form_id == form_id)
    page = render(template.blank_pdf)
    for condition, make in KYOKAI_CONDITIONS.items():
        found = identify(make(page), installed(), engine, DPI)
        assert found is not None and found.template.form_id == form_id, condition
    assert identify(KYOKAI_CONDITIONS["scanned, shifted 20/15 pt"](page), ours(), engine, DPI) is None


@pytest.mark.ocr
@pytest.mark.parametrize("form_id", ["kofu_shinsei", "hifuyosha_ido", "messhitsu", "jusho_shimei_henko"])
def test_our_forms_stay_themselves_with_the_folder_installed(engine: OcrEngine, form_id: str) -> None:
    template = next(t for t in ours() if t.form_id == form_id)
    page = render(template.blank_pdf)
    for condition, make in CONDITIONS.items():
        found = identify(make(page), installed(), engine, DPI)
        assert found is not None and found.template.form_id == form_id, condition


@pytest.mark.ocr
@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alikes_stay_none_of_ours_with_the_folder_installed(engine: OcrEngine, name: str) -> None:
    for page_no in (0, 1):
        page = render(REAL_FORMS / name, page_no)
        for condition, make in CONDITIONS.items():
            found = identify(make(page), installed(), engine, DPI)
            assert found is None, (
                f"{name} p{page_no + 1} {condition}: {found.template.form_id if found else ''}"
            )


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alikes_born_digital_stay_none_with_the_folder_installed(name: str) -> None:
    forms = read_digital((REAL_FORMS / name).read_bytes(), installed(), date(2026, 11, 26))
    assert forms is not None and [f.form_id for f in forms] == [None, None]


def test_the_blanks_are_identified_from_their_text_layer() -> None:
    for template in kyokai():
        forms = read_digital(template.blank_pdf.read_bytes(), installed(), date(2026, 11, 26))
        assert forms is not None and [f.form_id for f in forms] == [template.form_id]
        assert forms[0].form_version == template.form_version
