"""Born-digital PDFs: values come from the text layer by position, without OCR."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import RectangleObject

from extractors.digital import has_text_layer, read_digital
from extractors.template import load_templates
from fixtures.digital import generate_digital
from tests.helpers import blank_pdf


def test_pc_filled_forms_are_read_exactly_from_the_text_layer(tmp_path: Path) -> None:
    total = right = 0
    for path in generate_digital(tmp_path, 8, seed=11, today=date(2026, 11, 1)):
        golden = json.loads(path.with_name(path.name + ".golden.json").read_text(encoding="utf-8"))[
            "documents"
        ][0]
        [form] = read_digital(path.read_bytes(), load_templates(), date(2026, 11, 26)) or []
        assert form.form_id == golden["form_id"]
        assert form.engine == "pdf-text-layer"
        values = {f.name: f.value for f in form.fields}
        for name, want in golden["fields"].items():
            total += 1
            right += values[name] == want
        assert [f.code for f in form.findings if f.code != "late_notification"] == []
    assert right / total >= 0.99, f"{right}/{total}"


def test_blank_form_pdf_reads_empty_fields() -> None:
    data = blank_pdf("messhitsu")
    assert has_text_layer(data)
    [form] = read_digital(data, load_templates(), date(2026, 11, 26)) or []
    assert form.form_id == "messhitsu"
    assert all(f.value in (None, False) for f in form.fields)


def test_scanned_pdf_has_no_text_layer() -> None:
    sample = Path(__file__).resolve().parents[2] / "fixtures" / "samples" / "sample_2025_0003_messhitsu.pdf"
    assert not has_text_layer(sample.read_bytes())


def _page_box_moved(data: bytes, dx: float, dy: float) -> bytes:
    """The same PDF, its page box starting at (dx, dy) and its drawing moved with it: the page
    looks the same, its PDF coordinates are off by (dx, dy) (協会けんぽ's 資格取得届 is drawn so,
    at (-8.4, 8.4))."""
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for source in reader.pages:
        page = writer.add_page(source)
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        page.add_transformation(Transformation().translate(dx, dy))
        box = RectangleObject((dx, dy, dx + width, dy + height))
        page.mediabox, page.cropbox = box, box
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pc_filled_form_whose_page_box_does_not_start_at_0_0_is_read_in_its_boxes(tmp_path: Path) -> None:
    """GIVEN PC-filled forms redrawn with their page box starting at (-8.4, 8.4) (they look
    the same) WHEN read from the text layer THEN each is identified and read as the original
    (the characters taken from the top-left of the page as shown, not the PDF's origin)."""
    for path in generate_digital(tmp_path, 4, seed=5, today=date(2026, 11, 1)):
        [original] = read_digital(path.read_bytes(), load_templates(), date(2026, 11, 26)) or []
        moved = _page_box_moved(path.read_bytes(), -8.39055, 8.39055)
        with pdfplumber.open(io.BytesIO(moved)) as document:
            assert document.pages[0].cropbox[:2] == pytest.approx((-8.39055, -8.39055))
        [form] = read_digital(moved, load_templates(), date(2026, 11, 26)) or []
        assert form.form_id == original.form_id is not None
        assert {f.name: f.value for f in form.fields} == {f.name: f.value for f in original.fields}
