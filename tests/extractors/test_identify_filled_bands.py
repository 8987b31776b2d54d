"""A filled page of a form printed with solid or tinted bands is identified (issue 14).

協会けんぽ's 被保険者資格取得届 prints its 被保険者1–4 blocks beside solid green bands and
shades its label cells grey. On the blank the bands are lighter than the print's threshold;
on a filled, darker scan the writing moves the page's threshold above them and they come out
as ink: their edges are long lines the blank's black print never shows. The blank's tinted
areas are its print too, so those lines lie on it.

The page is made here from ``fixtures/real-forms/kyokai_shikaku_shutoku.pdf`` (its first page
as the blank of a template installed for the test): written on, ticked and scanned darker."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
from pypdf import PdfWriter

from extractors.identify import OWN_LINES_FIT, STRUCTURE_FITS, identify, structure_fit
from extractors.template import Template, load_templates
from ocr.preprocess import Canvas
from tests.extractors.test_identify_no_footer import _ReadsTheTitle
from tests.extractors.test_identify_per_template import DPI, REAL_FORMS, render

TITLE = "被保険者資格取得届"
#: A scanner's tone curve darker than the PDF's (grey levels to the power 1.6): the green
#: band (146 of 255 rendered) comes out at about 106, black and white stay.
DARK_SCAN_GAMMA = 1.6


def shikaku_template(tmp_path: Path) -> Template:
    """The first page of 協会けんぽ's 資格取得届 as a template without marks or footer code,
    its title read where it is printed (as ``kakunin forms add`` makes it)."""
    writer = PdfWriter(clone_from=REAL_FORMS / "kyokai_shikaku_shutoku.pdf")
    while len(writer.pages) > 1:
        writer.remove_page(len(writer.pages) - 1)
    blank = tmp_path / "kyokai_shikaku_shutoku.pdf"
    with blank.open("wb") as out:
        writer.write(out)
    width, height = float(writer.pages[0].mediabox.width), float(writer.pages[0].mediabox.height)
    title_box = (217.4, 20.5, 369.0, 44.5)
    return dataclasses.replace(
        next(t for t in load_templates() if t.form_id == "kofu_shinsei"),
        form_id="kyokai_shikaku_shutoku",
        form_code="KY-05",
        form_version="KY-05 (2024.12)",
        title=TITLE,
        blank_pdf=blank,
        canvas=Canvas(width, height, (0.0, 0.0), (width, height), 0.0, marks=False),
        footer_box=title_box,
        title_box=title_box,
        fields=(),
        orientation="portrait",
        code_pattern=None,
        has_footer=False,
    )


def filled_dark_scan(blank: np.ndarray) -> np.ndarray:
    """The blank written on (digits in black across the 被保険者 blocks, two ticks and a
    long stroke through a printed line) and scanned darker (:data:`DARK_SCAN_GAMMA`)."""
    page = blank.copy()
    height, width = page.shape
    for row in range(8):
        y = int(height * (0.12 + 0.7 * row / 8))
        cv2.putText(
            page,
            "0123456789 8 0 3",
            (int(width * 0.2), y),
            cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
            2.0,
            0,
            3,
            cv2.LINE_AA,
        )
    for x, y in ((0.8, 0.3), (0.82, 0.5)):
        start = (int(width * x), int(height * y))
        cv2.line(page, start, (start[0] + 25, start[1] + 20), 0, 3, cv2.LINE_AA)
        cv2.line(page, (start[0] + 25, start[1] + 20), (start[0] + 90, start[1] - 40), 0, 3, cv2.LINE_AA)
    cv2.line(page, (int(width * 0.62), int(height * 0.43)), (int(width * 0.9), int(height * 0.425)), 0, 3)
    curve = (255 * (np.arange(256) / 255) ** DARK_SCAN_GAMMA).astype(np.uint8)
    return np.asarray(curve[page], dtype=np.uint8)


def test_a_filled_dark_scan_of_a_form_with_solid_bands_is_identified(tmp_path: Path) -> None:
    shikaku = shikaku_template(tmp_path)
    page = filled_dark_scan(render(shikaku.blank_pdf))
    found = identify(page, [*load_templates(), shikaku], _ReadsTheTitle(TITLE), DPI)
    assert found is not None and found.template.form_id == "kyokai_shikaku_shutoku"
    rules_found, own = structure_fit(found.aligned, shikaku, DPI)
    assert rules_found >= STRUCTURE_FITS and own >= OWN_LINES_FIT


def test_the_bands_of_a_dark_scan_lie_on_the_blank_forms_print(tmp_path: Path) -> None:
    shikaku = shikaku_template(tmp_path)
    blank = render(shikaku.blank_pdf)
    # Already in place (rendered from the blank itself): the fit alone, no alignment.
    assert structure_fit(filled_dark_scan(blank), shikaku, DPI)[1] >= 0.99
