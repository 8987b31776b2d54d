"""Forms onboarded with ``kakunin forms add`` and the designer screen (issue 14 item 7), kept
each in its own forms folder (another insurer's forms: never among our four, loaded only when
``KAKUNIN_FORMS_DIRS`` names the folder). Every test is parametrised over those folders and
their templates, so a folder added to :data:`FOLDERS` is held to the same.

With a folder installed each of its forms is identified as itself (rendered, scanned and
shifted, printed at 95 %, and born-digital from its text layer), our four forms are still
themselves and 協会けんぽ's look-alikes (被扶養者（異動）届, 資格取得届/喪失届) stay none of
ours; without it, nothing of the folder is loaded and its pages are ``not_a_form``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
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

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
#: Each onboarded forms folder and the forms it holds (each once).
FOLDERS: dict[str, frozenset[str]] = {
    "forms-kyokai": frozenset({"kyokai_kofu_shinsei", "kyokai_jusho_henko"}),
}
#: 協会けんぽ's 交付申請書 is printed to 26 pt from the sheet's edges: shifted by 30 pt (as the
#: look-alikes are in CONDITIONS) its frame leaves the sheet. 20 pt (7 mm) either way.
ONBOARDED_CONDITIONS = {
    "rendered": lambda page: page,
    "scanned, shifted 20/15 pt": lambda page: scanned(shifted(page, 20, 15)),
    "shifted -20/-15 pt": lambda page: shifted(page, -20, -15),
    "printed at 95 %": lambda page: rescaled(page, 0.95),
}
#: Every onboarded template file, as ``folder/file`` (the test ids).
TEMPLATE_FILES = [
    f"{name}/{path.name}" for name in FOLDERS for path in sorted((FIXTURES / name).glob("*.json"))
]
OUR_FORMS = [t.form_id for t in load_templates(TEMPLATE_DIR)]


def folder_templates(folder: str) -> list[Template]:
    return [load_template(p) for p in sorted((FIXTURES / folder).glob("*.json"))]


def ours() -> list[Template]:
    """Our four forms, the shipped folder only (whatever ``KAKUNIN_FORMS_DIRS`` says)."""
    return list(load_templates(TEMPLATE_DIR))


def installed(folder: str) -> list[Template]:
    """Ours and the folder's, as with ``KAKUNIN_FORMS_DIRS=fixtures/<folder>``."""
    return [*ours(), *folder_templates(folder)]


def identified(
    page: np.ndarray, templates: list[Template], engine: OcrEngine, conditions: dict[str, Any] = CONDITIONS
) -> dict[str, tuple[str, str] | None]:
    """Per condition the page is made in, the form and version it is identified as (None: none)."""
    found = {
        condition: identify(make(page), templates, engine, DPI) for condition, make in conditions.items()
    }
    return {c: (f.template.form_id, f.template.form_version) if f else None for c, f in found.items()}


def test_there_is_a_template_to_test() -> None:
    assert len(TEMPLATE_FILES) >= sum(len(forms) for forms in FOLDERS.values()) > 0


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_the_folder_holds_its_forms_once_and_their_blanks(folder: str) -> None:
    """Only templates and their blanks; each form once: a footer that names no version cannot
    tell two versions apart, and the first would take every page."""
    templates = folder_templates(folder)
    assert sorted(t.form_id for t in templates) == sorted(FOLDERS[folder])
    names = {p.name for p in (FIXTURES / folder).iterdir()}
    assert names == {p.name for t in templates for p in (t.blank_pdf, t.blank_pdf.with_suffix(".json"))}


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_loaded_only_when_kakunin_forms_dirs_names_the_folder(
    monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    monkeypatch.delenv("KAKUNIN_FORMS_DIRS", raising=False)
    assert FIXTURES / folder not in installed_dirs()
    assert not {t.form_id for t in load_templates()} & FOLDERS[folder]
    monkeypatch.setenv("KAKUNIN_FORMS_DIRS", str(FIXTURES / folder))
    assert FOLDERS[folder] <= {t.form_id for t in load_templates()}


@pytest.mark.ocr
@pytest.mark.parametrize("file", TEMPLATE_FILES)
def test_identified_as_itself_and_only_when_installed(engine: OcrEngine, file: str) -> None:
    folder = file.split("/", 1)[0]
    template = load_template(FIXTURES / file)
    page = render(template.blank_pdf)
    itself = (template.form_id, template.form_version)
    assert identified(page, installed(folder), engine, ONBOARDED_CONDITIONS) == dict.fromkeys(
        ONBOARDED_CONDITIONS, itself
    )
    assert identify(ONBOARDED_CONDITIONS["scanned, shifted 20/15 pt"](page), ours(), engine, DPI) is None


@pytest.mark.ocr
@pytest.mark.parametrize("folder", sorted(FOLDERS))
@pytest.mark.parametrize("form_id", OUR_FORMS)
def test_our_forms_stay_themselves_with_the_folder_installed(
    engine: OcrEngine, folder: str, form_id: str
) -> None:
    template = next(t for t in ours() if t.form_id == form_id)
    found = identified(render(template.blank_pdf), installed(folder), engine)
    assert found == dict.fromkeys(CONDITIONS, (form_id, template.form_version))


@pytest.mark.ocr
@pytest.mark.parametrize("folder", sorted(FOLDERS))
@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alikes_stay_none_of_ours_with_the_folder_installed(
    engine: OcrEngine, folder: str, name: str
) -> None:
    for page_no in (0, 1):
        found = identified(render(REAL_FORMS / name, page_no), installed(folder), engine)
        assert found == dict.fromkeys(CONDITIONS), f"{name} p{page_no + 1}"


@pytest.mark.parametrize("folder", sorted(FOLDERS))
@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alikes_born_digital_stay_none_with_the_folder_installed(folder: str, name: str) -> None:
    forms = read_digital((REAL_FORMS / name).read_bytes(), installed(folder), date(2026, 11, 26))
    assert forms is not None and [f.form_id for f in forms] == [None, None]


@pytest.mark.parametrize("file", TEMPLATE_FILES)
def test_the_blank_is_identified_from_its_text_layer(file: str) -> None:
    template = load_template(FIXTURES / file)
    forms = read_digital(
        template.blank_pdf.read_bytes(), installed(file.split("/", 1)[0]), date(2026, 11, 26)
    )
    assert forms is not None and [f.form_id for f in forms] == [template.form_id]
    assert forms[0].form_version == template.form_version
