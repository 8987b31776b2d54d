"""A form printed partly in colour is identified however it is scanned: 協会けんぽ's 資格喪失届
fills its 提出者記入欄 and 被保険者 label columns in red. A colour scan is read through its red
channel (red seals vanish, and so does that red print); a grey or black-and-white scan keeps it
dark — bands the blank, read the same way, lacks. A fresh clerk found every grey and 1-bit
render of the blank answered not_a_form (the benchmark's generated scans drop the red too, so
its 100 % hid it)."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as PILImage
from PIL import ImageFilter

from extractors.identify import identify
from extractors.onboard.blank import draft_template, render
from extractors.template import Template, load_template
from ocr.raster import RasterLimits, rasterize
from ocr.types import EngineInfo, Image, Recognition

REAL_FORMS = Path(__file__).resolve().parents[2] / "fixtures" / "real-forms"
DPI = 200


class _ReadsTheTitle:
    """A recogniser that reads the form's title (and nothing else matters here) in every crop."""

    info = EngineInfo("title", "0", ("none",))

    def __init__(self, title: str) -> None:
        self.title = title

    def recognize(self, crops: Sequence[Image], alphabets: object = None) -> list[Recognition]:
        return [Recognition(self.title, 0.99) for _ in crops]

    def read_page(self, page: Image) -> list[Any]:
        return []


@pytest.fixture(scope="module")
def loss_form(tmp_path_factory: pytest.TempPathFactory) -> tuple[Template, PILImage.Image]:
    """The 資格喪失届's page 1 as drafted (installed as a template), and its blank in colour."""
    folder = tmp_path_factory.mktemp("forms")
    draft = draft_template(
        (REAL_FORMS / "kyokai_shikaku_soshitsu.pdf").read_bytes(), 0, "loss", "2201", "2025.4"
    )
    (folder / str(draft.template["blank_pdf"])).write_bytes(draft.blank_pdf)
    path = folder / "loss.2201_2025_4.json"
    path.write_text(json.dumps(draft.template, ensure_ascii=False), encoding="utf-8")
    return load_template(path), render(draft.blank_pdf, DPI).convert("RGB")


def _scanned(image: PILImage.Image, kind: str, angle: float, shift: tuple[int, int]) -> Image:
    """``image`` turned and shifted a little as a feeder does, saved as a PNG of ``kind``
    (colour, grey, or 1-bit at a scanner's threshold) and read back as the service reads it."""
    moved = image.rotate(angle, resample=PILImage.BICUBIC, translate=shift, fillcolor=(255, 255, 255))
    moved = moved.filter(ImageFilter.GaussianBlur(0.6))
    if kind == "grey":
        moved = moved.convert("L")
    elif kind == "1-bit":
        moved = moved.convert("L").point(lambda v: 255 if v > 160 else 0).convert("1")
    out = io.BytesIO()
    moved.save(out, "PNG")
    return rasterize(out.getvalue(), "png", RasterLimits(dpi=DPI))[0]


@pytest.mark.parametrize(
    ("kind", "angle", "shift"),
    [
        ("colour", 0.0, (0, 0)),
        ("grey", 0.0, (0, 0)),
        ("1-bit", 0.0, (0, 0)),
        ("grey", 0.8, (25, -18)),
        ("1-bit", -0.6, (-30, 22)),
    ],
)
def test_a_form_printed_in_red_is_identified_scanned_in_colour_grey_or_black_and_white(
    loss_form: tuple[Template, PILImage.Image], kind: str, angle: float, shift: tuple[int, int]
) -> None:
    """GIVEN the 資格喪失届 (red label columns) scanned in colour, grey or 1-bit, in place or
    turned and shifted WHEN identified (its title read) THEN it is that form every time (grey and
    1-bit were not_a_form: their black bands off the blank's print, ECC led astray by them)."""
    template, blank = loss_form
    page = _scanned(blank, kind, angle, shift)
    found = identify(page, [template], _ReadsTheTitle(template.title), DPI)  # type: ignore[arg-type]
    assert found is not None and found.template is template, kind
    assert found.alignment >= 0.9
