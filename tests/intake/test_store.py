"""Storage on both SQLite and PostgreSQL, through the real migrations."""

from __future__ import annotations

from extractors.model import FieldReading, Finding, FormReading
from intake.domain import DocumentStatus
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction


def _insert(services: Services, sha: str = "a" * 64) -> tuple[int, bool]:
    with transaction(services.sessions) as session:
        document, created = repo.insert_document(
            session,
            sha256=sha,
            source="upload",
            original_name="scan.pdf",
            media_type="application/pdf",
            size_bytes=10,
            page_count=1,
            status=DocumentStatus.RECEIVED,
        )
    return document.id, created


def test_same_sha_gives_the_existing_document(services: Services) -> None:
    first, created = _insert(services)
    again, created_again = _insert(services)
    assert created and not created_again
    assert first == again


def test_status_moves_received_processing_in_review_with_tasks_and_readings(services: Services) -> None:
    document_id, _ = _insert(services)
    with transaction(services.sessions) as session:
        claimed = repo.claim_for_processing(session, document_id)
    assert claimed is not None and claimed.status is DocumentStatus.PROCESSING
    form = FormReading(
        "kofu_shinsei",
        "SK-01 (2025.4)",
        (1,),
        (
            FieldReading("insured_name", "健保 太郎", 0.98, False),
            FieldReading("insured_symbol", "1234", 0.5, True),
        ),
        (Finding("insured_symbol", "digits_count", "桁数が正しくありません"),),
    )
    with transaction(services.sessions) as session:
        repo.save_extraction(
            session,
            document_id,
            {"documents": []},
            [form],
            [repo.StoredPage(1, "b" * 64, 100, 200, 0, "kofu_shinsei")],
            "test",
        )
        # saving twice (a retried job) replaces, never duplicates
        repo.save_extraction(
            session,
            document_id,
            {"documents": []},
            [form],
            [repo.StoredPage(1, "b" * 64, 100, 200, 0, "kofu_shinsei")],
            "test",
        )
    with transaction(services.sessions) as session:
        document = repo.get_document(session, document_id)
        tasks = repo.open_review_tasks(session)
        assert repo.claim_for_processing(session, document_id) is None  # terminal: not processed again
    assert document is not None and document.status is DocumentStatus.IN_REVIEW
    assert len(tasks) == 1
    task, _ = tasks[0]
    assert (task.form_id, task.doubtful_fields, task.findings) == ("kofu_shinsei", 1, 1)


def test_failed_keeps_code_and_message(services: Services) -> None:
    document_id, _ = _insert(services)
    with transaction(services.sessions) as session:
        repo.mark_failed(session, document_id, "unreadable", "読めません")
    with transaction(services.sessions) as session:
        document = repo.get_document(session, document_id)
        assert repo.status_counts(session) == {"failed": 1}
    assert document is not None
    assert (document.status, document.error_code, document.error_message) == (
        DocumentStatus.FAILED,
        "unreadable",
        "読めません",
    )
