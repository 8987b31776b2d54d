"""A blank page in a batch (a duplex back, a separator sheet) is noted as blank, is never
taken for a form of some kind, and gives a reviewer nothing to do."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pytest
from PIL import Image

from intake.pipeline import extract
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from ocr.engine import OcrEngine
from ocr.raster import RasterLimits
from tests.conftest import SAMPLES
from tests.helpers import document_in_processing


def _batch_with_a_blank_back() -> bytes:
    pages = [Image.open(SAMPLES / "sample_2025_0000_hifuyosha_ido.jpg").convert("L")]
    back = np.full((pages[0].height, pages[0].width), 248, np.uint8)
    back[:, :30] = 40  # the scanner's edge shadow
    pages.append(Image.fromarray(back))
    out = io.BytesIO()
    pages[0].save(out, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw")
    return out.getvalue()


@pytest.mark.ocr
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_blank_back_of_a_batch_is_noted_and_makes_no_review_task(
    engine: OcrEngine, services: Services
) -> None:
    result = extract(
        _batch_with_a_blank_back(), "tiff", "batch.tif", engine, RasterLimits(dpi=200), date(2026, 11, 26)
    )
    assert result.error is None
    form, back = result.forms
    assert form.form_id == "hifuyosha_ido"
    assert (back.form_id, [f.code for f in back.findings], back.pages) == (None, ["blank_page"], (2,))
    with transaction(services.sessions) as session:
        document_id = document_in_processing(session, "batch.tif", pages=2)
        pages = [
            repo.StoredPage(1, "d" * 64, 10, 10, 0, "hifuyosha_ido"),
            repo.StoredPage(2, "e" * 64, 10, 10, 0, None),
        ]
        repo.save_extraction(session, document_id, result.to_json(), result.forms, pages, "test")
    with transaction(services.sessions) as session:
        tasks = repo.open_review_tasks(session)
    assert [task.form_id for task, _ in tasks] == ["hifuyosha_ido"]
