"""End to end with a real Redis and a real RQ worker: hotfolder or upload -> in_review."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rq import SimpleWorker

from intake import jobs
from intake.accept import accept
from intake.domain import DocumentStatus
from intake.hotfolder import DONE, StabilityTracker, poll_once
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.worker import queue_worker
from ocr.engine import OcrEngine
from tests.conftest import SAMPLES
from tests.helpers import write

pytestmark = pytest.mark.ocr


@pytest.fixture
def worker(services: Services, engine: OcrEngine) -> Iterator[SimpleWorker]:
    jobs._context = jobs.WorkerContext(services, engine)  # the session's engine: models load once
    yield queue_worker(services)
    jobs._context = None


def test_hotfolder_file_becomes_a_review_task(services: Services, worker: SimpleWorker) -> None:
    sample = SAMPLES / "sample_2025_0003_messhitsu.pdf"
    root = services.settings.hotfolder_dir
    write(root / sample.name, sample.read_bytes())
    tracker = StabilityTracker(delay=0.0)
    assert poll_once(services, root, tracker, now=0.0) + poll_once(services, root, tracker, now=1.0) == [
        "done"
    ]
    assert (root / DONE / sample.name).is_file()

    worker.work(burst=True)

    with transaction(services.sessions) as session:
        [document] = repo.list_documents(session)
        tasks = repo.open_review_tasks(session)
    assert document.status is DocumentStatus.IN_REVIEW
    assert document.extraction is not None
    assert document.extraction["documents"][0]["form_id"] == "messhitsu"
    assert [t.form_id for t, _ in tasks] == ["messhitsu"]


def test_not_a_form_and_broken_image_end_in_review_or_failed(
    services: Services, worker: SimpleWorker
) -> None:
    letter = accept(services, (SAMPLES / "negative_letter.png").read_bytes(), "letter.png", "upload")
    broken = accept(services, (SAMPLES / "negative_letter.png").read_bytes()[:3000], "broken.png", "upload")
    worker.work(burst=True)
    with transaction(services.sessions) as session:
        letter_doc = repo.get_document(session, letter.document.id)
        broken_doc = repo.get_document(session, broken.document.id)
    assert letter_doc is not None and letter_doc.status is DocumentStatus.IN_REVIEW
    assert letter_doc.extraction["documents"][0]["form_id"] is None  # type: ignore[index]
    assert broken_doc is not None and broken_doc.status is DocumentStatus.FAILED
    assert broken_doc.error_code == "unreadable"


def test_a_second_job_for_a_finished_document_does_nothing(services: Services, worker: SimpleWorker) -> None:
    result = accept(services, (SAMPLES / "sample_2025_0002_kofu_shinsei.tif").read_bytes(), "k.tif", "upload")
    worker.work(burst=True)
    assert jobs.process_document(result.document.id) == "skipped"
