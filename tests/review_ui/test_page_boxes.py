"""The task screen's field crops: a box in template points lands on its place in the page image,
whatever resolution the page was rasterised at (``KAKUNIN_OCR__DPI``)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from extractors.model import FieldReading, FormReading
from extractors.template import load_templates
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import ReviewTaskRow
from tests.helpers import document_in_processing
from tests.review_ui.conftest import login

FIELD = "insured_name"


def _task_with_page_at(services: Services, dpi: int) -> tuple[int, tuple[float, float, float, float]]:
    """A review task of one SK-01 page stored as its aligned image at ``dpi``; returns (task, box)."""
    template = next(t for t in load_templates() if t.form_id == "kofu_shinsei")
    box = template.field(FIELD).box
    assert box is not None
    width = round(template.canvas.width_pt * dpi / 72)
    height = round(template.canvas.height_pt * dpi / 72)
    form = FormReading(
        "kofu_shinsei", template.form_version, (1,), (FieldReading(FIELD, "健保 太郎", 0.5, True, box=box),)
    )
    with transaction(services.sessions) as session:
        document_id = document_in_processing(session)
        page = repo.StoredPage(1, "d" * 64, width, height, 0, "kofu_shinsei")
        repo.save_extraction(session, document_id, {"documents": []}, [form], [page], "test")
    with transaction(services.sessions) as session:
        return int(session.scalars(select(ReviewTaskRow.id)).one()), box


def _shown_region(style: str, page_width: int) -> tuple[float, float]:
    """Where on the page image (pixels) the crop's top-left corner is, from its CSS."""
    numbers = re.search(r"background-size:(-?\d+)px (-?\d+)px;background-position:(-?\d+)px (-?\d+)px", style)
    assert numbers, style
    size_x, _size_y, pos_x, pos_y = (float(n) for n in numbers.groups())
    shrink = size_x / page_width
    return -pos_x / shrink, -pos_y / shrink


@pytest.mark.parametrize("dpi", [200, 300])
def test_field_crop_lands_on_its_box_in_the_page_image(app: TestClient, services: Services, dpi: int) -> None:
    task_id, box = _task_with_page_at(services, dpi)
    login(app, "rev")
    page = app.get(f"/tasks/{task_id}")
    assert page.status_code == 200
    style = re.search(rf'data-field="{FIELD}".*?class="snippet" style="([^"]+)"', page.text, re.S)
    assert style, page.text
    template = next(t for t in load_templates() if t.form_id == "kofu_shinsei")
    x, y = _shown_region(style.group(1), round(template.canvas.width_pt * dpi / 72))
    assert x == pytest.approx(box[0] * dpi / 72, abs=2)
    assert y == pytest.approx(box[1] * dpi / 72, abs=2)
