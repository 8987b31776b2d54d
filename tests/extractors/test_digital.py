"""Born-digital PDFs: values come from the text layer by position, without OCR."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

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
