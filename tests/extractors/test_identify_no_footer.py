"""A form that prints no footer to identify it by (issue 14 item 3): its template says
``identify.footer: null`` (the designer screen clears the region), it loads only with no code
pattern, and identification reads its title alone (nothing is read where a footer would be)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from extractors.identify import identify
from extractors.template import Template, TemplateError, load_template, parse_template
from ocr.types import EngineInfo, Image, Recognition
from tests.extractors.test_identify_per_template import DPI, render

KYOKAI = Path(__file__).resolve().parents[2] / "fixtures" / "forms-kyokai"
#: 協会けんぽ's 住所変更届: its footer prints no form code (code_pattern null), and its kept
#: template has its footer region cleared on the designer screen (v4).
JUSHO = next(KYOKAI.glob("kyokai_jusho_henko.*.json"))
#: The footer region its draft proposed (the bottom-left corner), as the versions before v4 had it.
DRAFTED_FOOTER = [20, 555.2, 160, 587.2]


class _ReadsTheTitle:
    """A recogniser that reads the form's title in every crop, and keeps each crop's size."""

    info = EngineInfo("title", "0", ("none",))

    def __init__(self, title: str) -> None:
        self.title = title
        self.crops: list[tuple[int, ...]] = []

    def recognize(self, crops: Sequence[Image], alphabets: object = None) -> list[Recognition]:
        self.crops += [crop.shape[:2] for crop in crops]
        return [Recognition(self.title, 0.99) for _ in crops]

    def read_page(self, page: Image) -> list[Any]:
        return []


def _raw(**identify: object) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(JUSHO.read_text(encoding="utf-8"))
    raw["identify"].update(identify)
    return raw


def _size(template: Template, box: tuple[float, float, float, float]) -> tuple[int, ...]:
    from extractors.fields.crops import text_crop

    return text_crop(render(template.blank_pdf), box, DPI).shape[:2]


def test_a_form_without_a_footer_loads_with_its_title_alone() -> None:
    template = parse_template(_raw(footer=None), JUSHO)
    assert not template.has_footer and template.code_pattern is None
    assert template.footer_box == template.title_box  # what the readers leave as print, once
    assert not load_template(JUSHO).has_footer  # as kept (v4)
    assert parse_template(_raw(footer=DRAFTED_FOOTER), JUSHO).has_footer


@pytest.mark.parametrize("pattern", ["absent", r"KY-?04\s*\((?P<year>\d{4})\.(?P<month>\d{1,2})"])
def test_no_footer_with_a_code_pattern_is_refused(pattern: str) -> None:
    raw = _raw(footer=None, code_pattern=pattern)
    if pattern == "absent":
        del raw["identify"]["code_pattern"]  # the form code's default pattern
    with pytest.raises(TemplateError, match="identify.footer is null"):
        parse_template(raw, JUSHO)


def test_a_missing_footer_key_is_still_refused() -> None:
    raw = _raw()
    del raw["identify"]["footer"]
    with pytest.raises(TemplateError, match="missing key 'footer'"):
        parse_template(raw, JUSHO)


def test_identification_reads_no_footer_where_the_form_has_none() -> None:
    with_footer = parse_template(_raw(footer=DRAFTED_FOOTER), JUSHO)
    without = parse_template(_raw(footer=None), JUSHO)
    page = render(with_footer.blank_pdf)
    engine = _ReadsTheTitle(with_footer.title)
    found = identify(page, [without], engine, DPI)
    assert found is not None and found.template is without and found.footer_text == ""
    assert engine.crops == [_size(without, without.title_box)]
    # The same form with its footer region: the footer is read first, then the title.
    engine = _ReadsTheTitle(with_footer.title)
    found = identify(page, [with_footer], engine, DPI)
    assert found is not None and found.template is with_footer
    assert engine.crops == [
        _size(with_footer, with_footer.footer_box),
        _size(with_footer, with_footer.title_box),
    ]
