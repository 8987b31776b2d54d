"""accept(): limits, type from content, dedupe by bytes, row committed before the job is queued."""

from __future__ import annotations

import numpy as np
import pytest

from intake.accept import accept
from intake.domain import DocumentStatus
from intake.errors import ErrorCode, RejectedInput
from intake.queue import SERIALIZER, KakuninJob, job_id
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from tests.helpers import blank_pdf, png_bytes


def test_valid_pdf_is_stored_committed_and_queued(services: Services) -> None:
    data = blank_pdf("kofu_shinsei")
    result = accept(services, data, "scan.pdf", "upload")
    assert result.created and result.document.status is DocumentStatus.RECEIVED
    assert services.files.get(result.document.sha256) == data
    job = KakuninJob.fetch(job_id(result.document.id), connection=services.redis, serializer=SERIALIZER)
    assert list(job.args) == [result.document.id]  # the job carries the id only (as JSON)
    with transaction(services.sessions) as session:
        assert repo.get_document(session, result.document.id) is not None


def test_same_bytes_twice_give_one_document_and_one_job(services: Services) -> None:
    data = blank_pdf("messhitsu")
    first = accept(services, data, "a.pdf", "hotfolder")
    second = accept(services, data, "copy of a.pdf", "upload")
    assert second.document.id == first.document.id and not second.created
    assert services.queue.count == 1


def test_png_named_pdf_is_taken_as_png(services: Services) -> None:
    result = accept(services, png_bytes(np.full((100, 80), 255, np.uint8)), "scan.pdf", "upload")
    assert result.document.media_type == "image/png"
    assert result.document.status is DocumentStatus.RECEIVED


def test_empty_file_is_rejected_without_a_row(services: Services) -> None:
    with pytest.raises(RejectedInput) as caught:
        accept(services, b"", "empty.pdf", "upload")
    assert caught.value.code is ErrorCode.EMPTY
    with transaction(services.sessions) as session:
        assert repo.status_counts(session) == {}


def test_oversized_file_is_rejected_before_it_is_stored(services: Services) -> None:
    services.settings.limits.max_bytes = 1000
    with pytest.raises(RejectedInput) as caught:
        accept(services, b"%PDF-" + b"x" * 2000, "big.pdf", "upload")
    assert caught.value.code is ErrorCode.TOO_LARGE
    assert not services.settings.store_dir.exists() or not any(services.settings.store_dir.rglob("*"))


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"Dear member, this is a letter", ErrorCode.UNSUPPORTED_TYPE),
        (b"%PDF-1.7 garbage", ErrorCode.UNREADABLE),
    ],
)
def test_unusable_content_becomes_a_failed_document_with_a_reason(
    services: Services, data: bytes, code: ErrorCode
) -> None:
    result = accept(services, data, "x.pdf", "upload")
    assert result.document.status is DocumentStatus.FAILED
    assert result.document.error_code == code.value
    assert result.document.error_message
    assert services.files.exists(result.document.sha256)  # kept, so it can be traced
    assert services.queue.count == 0
