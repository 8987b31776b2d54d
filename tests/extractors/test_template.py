"""Templates are data, validated on load: a bad file fails at start-up, not mid-job."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from extractors.template import (
    TEMPLATE_DIR,
    FieldType,
    Layout,
    TemplateError,
    load_templates,
    parse_template,
)

FORMS = {
    "kofu_shinsei": "SK-01",
    "hifuyosha_ido": "SK-02",
    "messhitsu": "SK-03",
    "jusho_shimei_henko": "SK-04",
}


def _my_number(raw: dict[str, Any]) -> dict[str, Any]:
    field: dict[str, Any] = next(f for f in raw["fields"] if f["type"] == "my_number")
    return field


def test_a_my_number_field_may_also_take_a_pension_number() -> None:
    """「個人番号（基礎年金番号）」: 10 to 12 digits is a 個人番号 field too (the 10-digit one a
    基礎年金番号); other counts are refused (below)."""
    raw = _raw()
    _my_number(raw).update(min_digits=10)
    parsed = parse_template(raw, TEMPLATE_DIR / "kofu_shinsei.json")
    assert [(f.min_digits, f.max_digits) for f in parsed.fields if f.type is FieldType.MY_NUMBER][0] == (10, 12)


def _raw() -> dict[str, Any]:
    path = next(TEMPLATE_DIR.glob("kofu_shinsei.*.json"))
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_one_template_per_form_with_its_code() -> None:
    templates = load_templates()
    assert {t.form_id: t.form_code for t in templates} == FORMS
    for template in templates:
        assert template.form_version == f"{template.form_code} (2025.4)"
        assert template.blank_pdf.is_file()
        assert template.field("submission_date").type == "date"
        assert template.field("submission_date").type is FieldType.DATE


def test_every_field_type_has_a_layout_and_its_keys() -> None:
    marks = {t for t in FieldType if t.layout is Layout.MARKS}
    assert marks == {FieldType.CHECKBOX, FieldType.CHOICE, FieldType.CHECKBOX_GROUP}
    assert all(t.needs for t in FieldType)
    used = {f.type for t in load_templates() for f in t.fields}
    assert used == set(FieldType)  # every type the templates use, and none unused


def test_field_names_follow_the_forms_readme() -> None:
    readme_names = {
        "submission_date",
        "insured_symbol",
        "insured_number",
        "insured_name",
        "insured_name_kana",
    }
    for template in load_templates():
        assert readme_names <= {f.name for f in template.fields}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda raw: raw["fields"][1].update(type="barcode"), "unknown type"),
        (lambda raw: raw["fields"][1].update(options={"new": [10, 10, 900, 20]}), "off the page"),
        (lambda raw: raw["fields"].append(copy.deepcopy(raw["fields"][0])), "duplicate"),
        (lambda raw: raw["fields"][3].pop("segments"), "needs segments"),
        (lambda raw: raw.pop("identify"), "missing key"),
        (lambda raw: _my_number(raw).update(min_digits=11), "個人番号の桁数は 12"),
        (lambda raw: _my_number(raw).update(min_digits=10, max_digits=10), "個人番号の桁数は 12"),
    ],
)
def test_invalid_templates_are_refused_with_the_reason(mutate: Any, message: str) -> None:
    raw = _raw()
    mutate(raw)
    with pytest.raises(TemplateError, match=message):
        parse_template(raw, TEMPLATE_DIR / "broken.json")


def test_missing_blank_pdf_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="blank form"):
        parse_template(_raw(), tmp_path / "elsewhere.json")


# -- every installed template and every onboarded form (issue 14 item 6) ----------------------

ONBOARDED = Path(__file__).resolve().parents[2] / "fixtures" / "forms-kyokai"


def _every_template() -> list[Any]:
    from extractors.template import load_template

    return [*load_templates(), *(load_template(p) for p in sorted(ONBOARDED.glob("*.json")))]


@pytest.mark.parametrize("template", _every_template(), ids=lambda t: f"{t.form_id}-{t.form_version}")
def test_every_template_is_benchmarkable_without_code(template: Any) -> None:
    """Each template, ours or onboarded: a name for people, every box on its page, and the
    generator fills every field by its type (no per-form code needed)."""
    import random
    from datetime import date

    from fixtures.generate import _fill

    assert template.display_name
    width, height = template.canvas.width_pt, template.canvas.height_pt
    for spec in template.fields:
        for box in spec.all_boxes():
            assert 0 <= box[0] < box[2] <= width and 0 <= box[1] < box[3] <= height, spec.name
    filled = _fill(template, random.Random(5), date(2026, 11, 1))
    assert set(filled.values) == {spec.name for spec in template.fields}
    assert any(value not in (None, False) for value in filled.values.values())
    drawn = {name for _, _, name in filled.draws}
    assert drawn <= set(filled.values)


def test_form_names_follow_the_templates() -> None:
    from extractors.template import form_names

    names = form_names()
    assert names[None] == "様式不明"
    assert names["kofu_shinsei"] == "資格確認書（新規・再）交付申請書"
    assert set(names) == {None, *(t.form_id for t in load_templates())}
