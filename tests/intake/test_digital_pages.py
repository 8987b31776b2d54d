"""A PC-filled (born-digital) PDF gets its page rows like a scan (issue 19 item 9): read from
its text layer without OCR, its pages rendered and stored for the review screens, its
``page_count`` the number of pages (it was 0)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from fixtures.digital import generate_digital
from intake import jobs
from intake.accept import accept
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import PageRow
from intake.worker import queue_worker
from ocr.types import EngineInfo

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class NoOcr:
    """An engine that must not be called: a text layer needs no OCR."""

    info = EngineInfo("none", "0", ())

    def recognize(self, crops: Sequence[Any], alphabets: Sequence[str | None] | None = None) -> list[Any]:
        raise AssertionError("OCR called on a born-digital PDF")

    def read_page(self, page: Any) -> list[Any]:
        raise AssertionError("OCR called on a born-digital PDF")


def test_a_born_digital_pdf_gets_its_page_rows(services: Services, tmp_path: Path) -> None:
    [path] = generate_digital(tmp_path, 1, seed=19, today=date(2026, 11, 1))
    document_id = accept(services, path.read_bytes(), path.name, "upload").document.id
    jobs._context = jobs.WorkerContext(services, NoOcr())  # type: ignore[arg-type]
    try:
        queue_worker(services).work(burst=True)
    finally:
        jobs._context = None
    with transaction(services.sessions) as session:
        document = repo.get_document(session, document_id)
        pages = [
            (p.page_no, p.image_sha256, p.width, p.height, p.form_id)
            for p in session.scalars(select(PageRow).where(PageRow.document_id == document_id))
        ]
    assert document is not None and document.status.value == "in_review"
    assert document.page_count == 1
    [(page_no, image, width, height, form_id)] = pages
    form = document.extraction["documents"][0]["form_id"] if document.extraction else None
    assert page_no == 1 and form_id == form is not None
    assert services.files.exists(image) and width > 1000 and height > 1000  # A4 at 200 dpi
