"""Identification per template (issue 14 item 3): each template brings its own page, marks,
footer code and title; a page is a form only when its printed structure fits the blank form
(a symmetric score), and another insurer's forms are never ours, scanned or born-digital.

Every image here is made by the test from the PDFs in ``fixtures/real-forms/`` and our blank
forms: rendered with pypdfium2, then shifted, rescaled or made to look scanned."""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader, PdfWriter

from extractors import identify as identify_module
from extractors.digital import read_digital
from extractors.identify import identify, match_footer, match_title, title_candidates
from extractors.template import TEMPLATE_DIR, Template, TemplateError, load_templates, parse_template
from ocr.engine import OcrEngine
from ocr.preprocess import Canvas, rotate

REAL_FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "real-forms"
DPI = 200
#: Another insurer's forms: our SK-02's title on another structure, and forms of other kinds.
LOOK_ALIKES = ["kyokai_hifuyosha_ido.pdf", "kyokai_shikaku_shutoku.pdf", "kyokai_shikaku_soshitsu.pdf"]
#: 協会けんぽ's 交付申請書: its title 「資格確認書 交付申請書」 is contained in our SK-01's.
SHORTER_TITLE = "資格確認書 交付申請書"


def render(pdf: Path | bytes, page: int = 0, dpi: int = DPI) -> np.ndarray:
    """A PDF page rendered to greyscale with pypdfium2."""
    document = pdfium.PdfDocument(pdf.read_bytes() if isinstance(pdf, Path) else pdf)
    try:
        return np.array(document[page].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
    finally:
        document.close()


def shifted(page: np.ndarray, dx_pt: float, dy_pt: float) -> np.ndarray:
    """The page moved on the paper by (dx, dy) points, white where it left."""
    move = np.float32([[1, 0, dx_pt * DPI / 72], [0, 1, dy_pt * DPI / 72]])
    return np.asarray(cv2.warpAffine(page, move, page.shape[::-1], borderValue=255), dtype=np.uint8)


def rescaled(page: np.ndarray, factor: float) -> np.ndarray:
    """The page printed at ``factor`` of its size, centred on the same sheet."""
    height, width = page.shape
    move = np.float32([[factor, 0, (1 - factor) * width / 2], [0, factor, (1 - factor) * height / 2]])
    return np.asarray(cv2.warpAffine(page, move, (width, height), borderValue=255), dtype=np.uint8)


def scanned(page: np.ndarray, seed: int = 3) -> np.ndarray:
    """Printed and scanned: turned 0.6°, blurred, greyer paper, sensor noise."""
    height, width = page.shape
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), 0.6, 1.0)
    image = cv2.warpAffine(page, turn, (width, height), borderValue=255)
    image = cv2.GaussianBlur(image, (0, 0), 0.8).astype(np.float32) * 0.85 + 25
    image += np.random.default_rng(seed).normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def with_shorter_title(template: Template) -> Template:
    """A fifth template onboarded from 協会けんぽ's 交付申請書, read where our forms are read
    (the same canvas and boxes), whose footer names no form and whose title our SK-01's
    contains."""
    return dataclasses.replace(
        template,
        form_id="kyokai_kofu_shinsei",
        form_code="KY-01",
        form_version="KY-01 (2024.12)",
        title=SHORTER_TITLE,
        blank_pdf=REAL_FORMS / "kyokai_kofu_shinsei.pdf",
        fields=(),
        code_pattern=None,
    )


def _kofu() -> Template:
    return next(t for t in load_templates() if t.form_id == "kofu_shinsei")


# -- templates carry their own page, marks and code ------------------------------------------


def _raw() -> dict[str, Any]:
    path = next(TEMPLATE_DIR.glob("kofu_shinsei.*.json"))
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_our_four_templates_state_their_page_marks_and_code() -> None:
    for template in load_templates():
        raw = json.loads(next(TEMPLATE_DIR.glob(f"{template.form_id}.*.json")).read_text(encoding="utf-8"))
        assert raw["page"]["orientation"] == template.orientation == "portrait"
        assert raw["page"]["marks"] == "squares" and template.canvas.marks
        assert template.code_pattern is not None
        assert template.code_pattern.pattern == raw["identify"]["code_pattern"]
        assert template.code_pattern.search(f"様式 {template.form_code} (2025.4)")


def test_a_template_without_marks_and_a_landscape_template_load() -> None:
    raw = _raw()
    for key in ("mark_top_left", "mark_bottom_right", "mark_size"):
        del raw["page"][key]
    raw["page"]["marks"] = "none"
    raw["page"]["orientation"] = "portrait"
    template = parse_template(raw, TEMPLATE_DIR / "kofu_shinsei.x.json")
    assert not template.canvas.marks
    landscape = copy.deepcopy(_raw())
    page = landscape["page"]
    page["width"], page["height"] = page["height"], page["width"]
    del page["orientation"]
    landscape["fields"] = []
    landscape["identify"]["footer"] = [30.0, 560.0, 118.0, 577.0]
    assert parse_template(landscape, TEMPLATE_DIR / "kofu_shinsei.x.json").orientation == "landscape"


@pytest.mark.parametrize(
    ("key", "value"),
    [("orientation", "landscape"), ("marks", "corner-dots")],
)
def test_a_page_that_contradicts_itself_fails_on_load(key: str, value: str) -> None:
    raw = _raw()
    raw["page"][key] = value
    with pytest.raises(TemplateError, match=key):
        parse_template(raw, TEMPLATE_DIR / "kofu_shinsei.x.json")


def test_a_bad_code_pattern_fails_on_load() -> None:
    raw = _raw()
    raw["identify"]["code_pattern"] = "SK-(01"
    with pytest.raises(TemplateError, match="code_pattern"):
        parse_template(raw, TEMPLATE_DIR / "kofu_shinsei.x.json")


def test_the_footer_is_matched_with_each_templates_own_code_pattern() -> None:
    """A form whose footer code is not 「SK-0n」 is named by its own pattern."""
    other = dataclasses.replace(
        _kofu(),
        form_id="other_insurer",
        form_code="KY-01",
        form_version="KY-01 (2024.12)",
        code_pattern=re.compile(r"資\s*確\s*(?P<year>\d{4})\.(?P<month>\d{1,2})"),
    )
    templates = [*load_templates(), other]
    assert match_footer("資確 2024.12", templates) is other
    assert match_footer("様式 SK-01 (2025.4)", templates) is _kofu()
    assert match_footer("様式 SK-01 (2024.12)", [other]) is None


# -- a shorter title cannot steal a longer one ------------------------------------------------


def test_a_shorter_title_does_not_steal_a_longer_one() -> None:
    fifth = with_shorter_title(_kofu())
    templates = [fifth, *load_templates()]  # onboarded first, or sorted first by its name
    assert match_title("資格確認書（新規・再）交付申請書", templates) is _kofu()
    assert [t.form_id for t in title_candidates("資格確認書（新規・再）交付申請書", templates)] == [
        "kofu_shinsei",
        "kyokai_kofu_shinsei",
    ]
    assert match_title("健康保険 資格確認書 交付申請書", templates) is fifth


@pytest.mark.ocr
def test_an_sk01_page_with_its_footer_covered_is_not_taken_by_a_shorter_title(engine: OcrEngine) -> None:
    page = render(_kofu().blank_pdf)
    x0, y0, x1, y1 = (round(v * DPI / 72) for v in _kofu().footer_box)
    page[y0 - 4 : y1 + 4, x0 - 4 : x1 + 4] = 255  # a sticky note over 「様式 SK-01」
    found = identify(page, [with_shorter_title(_kofu()), *load_templates()], engine, DPI)
    assert found is not None
    assert found.template.form_id == "kofu_shinsei"


# -- a symmetric structure score ------------------------------------------------------------


@pytest.mark.ocr
def test_a_page_with_our_print_and_much_more_is_not_ours(engine: OcrEngine) -> None:
    """Our SK-02 printed over by another form's rules: every rule of ours is there (and the
    footer reads SK-02), but most of the page's structure is not ours."""
    ours = render(next(t for t in load_templates() if t.form_id == "hifuyosha_ido").blank_pdf)
    other = render(REAL_FORMS / "kyokai_hifuyosha_ido.pdf")
    assert identify(np.minimum(ours, other), load_templates(), engine, DPI) is None


def test_a_text_page_with_our_print_and_much_more_is_not_ours() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(_kofu().blank_pdf.read_bytes()))
    writer.pages[0].merge_page(PdfReader(REAL_FORMS / "kyokai_shikaku_shutoku.pdf").pages[0])
    buffer = io.BytesIO()
    writer.write(buffer)
    forms = read_digital(buffer.getvalue(), load_templates(), date(2026, 11, 26))
    assert forms is not None and [f.form_id for f in forms] == [None]
    assert forms[0].findings[0].code == "not_a_form"


def test_the_text_layer_identifies_on_the_whole_page_not_its_first_line() -> None:
    """協会けんぽ's blank 交付申請書 begins with 「申請書（HP・支部用）」 in its bleed area:
    once onboarded, it is its form all the same."""
    fifth = with_shorter_title(_kofu())
    data = (REAL_FORMS / "kyokai_kofu_shinsei.pdf").read_bytes()
    forms = read_digital(data, [*load_templates(), fifth], date(2026, 11, 26))
    assert forms is not None and [f.form_id for f in forms] == ["kyokai_kofu_shinsei"]
    forms = read_digital(data, load_templates(), date(2026, 11, 26))
    assert forms is not None and [f.form_id for f in forms] == [None]


# -- another insurer's forms are never ours -------------------------------------------------


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_another_insurers_forms_born_digital_are_not_ours(name: str) -> None:
    forms = read_digital((REAL_FORMS / name).read_bytes(), load_templates(), date(2026, 11, 26))
    assert forms is not None and len(forms) == 2
    assert [f.form_id for f in forms] == [None, None]
    assert all(f.findings[0].code == "not_a_form" for f in forms)


CONDITIONS = {
    "rendered": lambda page: page,
    "scanned, shifted 30/25 pt": lambda page: scanned(shifted(page, 30, 25)),
    "shifted -35/-28 pt": lambda page: shifted(page, -35, -28),
    "printed at 95 %": lambda page: rescaled(page, 0.95),
}


@pytest.mark.ocr
@pytest.mark.parametrize("name", LOOK_ALIKES)
@pytest.mark.parametrize("page_no", [0, 1])
def test_another_insurers_forms_scanned_are_not_ours(engine: OcrEngine, name: str, page_no: int) -> None:
    page = render(REAL_FORMS / name, page_no)
    for condition, make in CONDITIONS.items():
        found = identify(make(page), load_templates(), engine, DPI)
        assert found is None, f"{name} p{page_no + 1} {condition}: {found.template.form_id if found else ''}"


@pytest.mark.ocr
@pytest.mark.parametrize("form_id", ["kofu_shinsei", "hifuyosha_ido", "messhitsu", "jusho_shimei_henko"])
def test_our_forms_shifted_rescaled_and_scanned_are_still_ours(engine: OcrEngine, form_id: str) -> None:
    template = next(t for t in load_templates() if t.form_id == form_id)
    page = render(template.blank_pdf)
    for condition, make in CONDITIONS.items():
        found = identify(make(page), load_templates(), engine, DPI)
        assert found is not None and found.template.form_id == form_id, condition


# -- a landscape form without marks, read in its own boxes --------------------------------


def first_page(pdf: Path, folder: Path) -> Path:
    """The first page of ``pdf`` alone (the form; later pages are instructions), in ``folder``."""
    writer = PdfWriter(clone_from=pdf)
    while len(writer.pages) > 1:
        writer.remove_page(len(writer.pages) - 1)
    blank = folder / pdf.name
    with blank.open("wb") as out:
        writer.write(out)
    return blank


def landscape_template(tmp_path: Path) -> Template:
    """協会けんぽ's 住所変更届 (A4 landscape, no marks, no footer code) as a fifth template:
    its first page as the blank, its title and 様式コード read where they are printed."""
    blank = first_page(REAL_FORMS / "kyokai_jusho_henko.pdf", tmp_path)
    width, height = 841.89, 595.28
    return dataclasses.replace(
        _kofu(),
        form_id="kyokai_jusho_henko",
        form_code="KY-04",
        form_version="KY-04 (2024.12)",
        title="被保険者住所変更届",
        blank_pdf=blank,
        canvas=Canvas(width, height, (0.0, 0.0), (width, height), 0.0, marks=False),
        footer_box=(60.0, 45.0, 160.0, 90.0),
        title_box=(340.0, 66.0, 545.0, 100.0),
        fields=(),
        orientation="landscape",
        code_pattern=None,
    )


@pytest.mark.ocr
@pytest.mark.parametrize("rotation", [0, 90])
def test_a_landscape_form_without_marks_is_identified_in_its_own_boxes(
    engine: OcrEngine, tmp_path: Path, rotation: int
) -> None:
    landscape = landscape_template(tmp_path)
    page = rotate(scanned(render(landscape.blank_pdf)), rotation)
    found = identify(page, [*load_templates(), landscape], engine, DPI)
    assert found is not None
    assert found.template.form_id == "kyokai_jusho_henko"
    height, width = found.aligned.shape
    assert width > height and abs(width - 841.89 * DPI / 72) < 2  # upright, on its own canvas
    # Without its template it is none of ours.
    assert identify(page, load_templates(), engine, DPI) is None


def test_a_landscape_form_is_identified_from_its_text_layer(tmp_path: Path) -> None:
    landscape = landscape_template(tmp_path)
    forms = read_digital(landscape.blank_pdf.read_bytes(), [*load_templates(), landscape], date(2026, 11, 26))
    assert forms is not None and [f.form_id for f in forms] == ["kyokai_jusho_henko"]


# -- a sibling form: the same layout and most of the title, another form ----------------------


def loss_template(tmp_path: Path) -> Template:
    """協会けんぽ's 資格喪失届 as a fifth template (A4 portrait, no marks, no footer code): its
    sibling 資格取得届 shares its paper, its layout in large part and its title but two
    characters (「被保険者資格取得届」 / 「被保険者資格喪失届」)."""
    blank = first_page(REAL_FORMS / "kyokai_shikaku_soshitsu.pdf", tmp_path)
    width, height = 595.2, 841.68
    return dataclasses.replace(
        _kofu(),
        form_id="kyokai_shikaku_soshitsu",
        form_code="2201",
        form_version="2201 (2024.12)",
        title="被保険者資格喪失届",
        blank_pdf=blank,
        canvas=Canvas(width, height, (0.0, 0.0), (width, height), 0.0, marks=False),
        title_box=(218.6, 17.1, 372.4, 41.3),
        has_footer=False,
        fields=(),
        code_pattern=None,
    )


@pytest.mark.ocr
def test_a_sibling_form_is_not_the_installed_one_and_is_given_up_after_a_coarse_look(
    engine: OcrEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Named by its title, the sibling is aligned on the installed form's structure; once the
    coarse pass shows it does not fit, the finer and perspective passes (seconds) are not run."""
    loss = loss_template(tmp_path)
    templates = [*load_templates(), loss]
    # The installed form itself is identified, scanned: the coarse look does not give it up.
    found = identify(scanned(render(loss.blank_pdf)), templates, engine, DPI)
    assert found is not None and found.template.form_id == "kyokai_shikaku_soshitsu"

    passes: list[bool] = []
    real_refine = identify_module.refine_to_reference

    def counted(*args: Any, **kwargs: Any) -> Any:
        passes.append(bool(kwargs.get("perspective", False)))
        return real_refine(*args, **kwargs)

    monkeypatch.setattr(identify_module, "refine_to_reference", counted)
    assert identify(render(REAL_FORMS / "kyokai_shikaku_shutoku.pdf"), templates, engine, DPI) is None
    assert passes and not any(passes)  # no homography tried on the page of another form
