"""Builders for the retention, backup and encryption tests: a document taken in through
``accept``, read as the worker stores it (its page image in the store, a 個人番号 among its
readings), approved in review and its decision delivered to the JSON Lines export."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from extractors.model import FieldReading, FormReading
from intake import review
from intake.accept import accept
from intake.auth import User
from intake.outbox import deliver
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from tests.helpers import png_bytes, text_image

MY_NUMBER = "123456789018"
TODAY = date(2026, 11, 26)
APPROVER = User(1, "boss", "admin", False)


def scan(seed: int, text: str = "") -> bytes:
    """A PNG scan of its own (the seed makes its bytes unique), with ``text`` printed on it."""
    rng = np.random.default_rng(seed)
    image = np.full((120, 400), 255, np.uint8)
    if text:
        printed = text_image(text, height=60)[:, :400]
        image[20 : 20 + printed.shape[0], : printed.shape[1]] = printed
    image[-10:, :] = rng.integers(0, 255, (10, 400), dtype=np.uint8)
    return png_bytes(image)


def values(my_number: str = MY_NUMBER) -> dict[str, Any]:
    return {
        "application_type": "new",
        "insured_symbol": "1001",
        "insured_number": "1",
        "insured_name": "健保 太郎",
        "insured_my_number": my_number,
        "target1_type": "insured",
        "target1_name": "健保 太郎",
        "target1_my_number": my_number,
    }


def read_document(services: Services, seed: int) -> tuple[int, list[str]]:
    """A scan accepted and read as the worker stores it: (document id, [original, page image])."""
    result = accept(services, scan(seed, f"個人番号 {MY_NUMBER}"), f"scan{seed}.png", "upload")
    document_id = result.document.id
    page = services.files.put(scan(seed + 100_000, f"page {MY_NUMBER}"))
    form = FormReading(
        "kofu_shinsei",
        "SK-01 (2025.4)",
        (1,),
        tuple(FieldReading(n, v, 0.99, False, raw_text=str(v)) for n, v in values().items()),
    )
    with transaction(services.sessions) as session:
        assert repo.claim_for_processing(session, document_id) is not None
        repo.save_extraction(
            session,
            document_id,
            {"documents": [form.to_json()]},
            [form],
            [repo.StoredPage(1, page, 400, 120, 0, "kofu_shinsei")],
            "test",
        )
    return document_id, [result.document.sha256, page]


def approve(services: Services, document_id: int) -> int:
    """The document's task approved as read; the record id."""
    with transaction(services.sessions) as session:
        [task] = repo.review_tasks_of(session, document_id)
    review.claim(services, task.id, APPROVER)
    outcome = review.approve(services, task.id, APPROVER, {}, TODAY)
    assert outcome.decision is not None
    return outcome.record_id


def decided_document(
    services: Services, seed: int, now: datetime | None = None
) -> tuple[int, int, list[str]]:
    """A document read, approved and its decision delivered at ``now``: (document id,
    record id, its stored files)."""
    document_id, files = read_document(services, seed)
    record_id = approve(services, document_id)
    deliver(services, now or datetime.now(UTC))
    return document_id, record_id, files
