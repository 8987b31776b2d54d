"""A document the pipeline cannot get through ends ``failed`` once, without a loop (issue 19
item 1): after ``max_attempts`` starts it is failed with ``internal`` and a Japanese message,
audited, shown by the API, left alone by reconcile, and queued again only on purpose
(``kakunin retry ID``). Reconcile no longer reads every exception as "no such job"."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rq.job import JobStatus
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select
from typer.testing import CliRunner

from intake import jobs
from intake import reconcile as reconcile_module
from intake.accept import accept
from intake.auth import create_api_key
from intake.cli import app as cli
from intake.domain import DocumentStatus
from intake.queue import SERIALIZER, KakuninJob, job_id
from intake.reconcile import (
    PurgedDocumentError,
    invariant,
    promote_due_retries,
    reconcile,
    retry_document,
)
from intake.retention import purge
from intake.services import Services
from intake.settings import Settings
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import AuditEventRow
from intake.worker import queue_worker
from ocr.engine import REGISTRY, EngineOptions
from ocr.types import EngineInfo
from review_ui.app import create_app
from tests.conftest import SAMPLES
from tests.helpers import service_env

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SCAN = SAMPLES / "sample_2025_0003_messhitsu.pdf"
CALLS: list[str] = []


class CrashingEngine:
    """An engine with a bug: anything it is asked raises (not an OcrEngineError)."""

    info = EngineInfo("crashing", "0", ("none",))

    def recognize(self, crops: Sequence[Any], alphabets: Sequence[str | None] | None = None) -> list[Any]:
        CALLS.append("recognize")
        raise RuntimeError("a reader bug on an odd scan")

    def read_page(self, page: Any) -> list[Any]:
        CALLS.append("read_page")
        raise RuntimeError("a reader bug on an odd scan")


def build_crashing_engine(options: EngineOptions) -> CrashingEngine:
    return CrashingEngine()


@pytest.fixture
def crashing(services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """The services of a worker whose OCR engine is the crashing one, registered by kind."""
    monkeypatch.setitem(REGISTRY, "crashing", f"{__name__}:build_crashing_engine")
    services.settings.ocr.kind = "crashing"
    services.settings.ocr.crosscheck_rec_model = ""
    services.settings.max_attempts = 3
    CALLS.clear()
    jobs._context = None
    jobs.init_worker(services)
    yield services
    jobs._context = None


def _work(services: Services) -> None:
    """One burst of an in-process worker, then what `kakunin run`'s reconcile pass does, with
    every retry RQ scheduled taken as due (the back-off is not under test)."""
    queue_worker(services).work(burst=True)
    promote_due_retries(services, now=10**10)
    reconcile(services)


def _audits(services: Services, action: str) -> list[AuditEventRow]:
    with transaction(services.sessions) as session:
        rows = list(session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)))
        session.expunge_all()
    return rows


def _document(services: Services, document_id: int) -> Any:
    with transaction(services.sessions) as session:
        return repo.get_document(session, document_id)


def test_a_crashing_engine_fails_the_document_once_without_a_loop(crashing: Services) -> None:
    """GIVEN a registered engine that raises on every call WHEN its document is worked, retried
    and reconciled over and over THEN it is read exactly max_attempts times and ends failed,
    code internal, a Japanese message, one audit event; reconcile leaves it alone."""
    document_id = accept(crashing, SCAN.read_bytes(), "m.pdf", "hotfolder").document.id
    for _ in range(8):  # far more rounds than attempts: a loop would show here
        _work(crashing)
    document = _document(crashing, document_id)
    assert document.status is DocumentStatus.FAILED
    assert document.error_code == "internal"
    assert "3 回" in (document.error_message or "") and "管理者" in (document.error_message or "")
    assert len(CALLS) == 3, CALLS  # one call per attempt, each raising
    (event,) = _audits(crashing, "document_failed")
    assert event.document_id == document_id
    assert event.detail == {"code": "internal", "attempts": 3, "cause": "RuntimeError"}
    report = reconcile(crashing)
    assert report["requeued"] == [] and document_id not in report["orphaned"]
    job = KakuninJob.fetch(job_id(document_id), connection=crashing.redis, serializer=SERIALIZER)
    assert job.get_status() == JobStatus.FINISHED  # given up on purpose: not left to RQ's failures
    assert not ScheduledJobRegistry(queue=crashing.queue).get_job_ids()
    assert invariant(crashing)["ok"], invariant(crashing)


def test_a_document_whose_workers_died_under_it_fails_at_the_next_start(crashing: Services) -> None:
    """GIVEN a document started max_attempts times by workers that died under it (claimed,
    never finished) WHEN a worker takes it again THEN it is failed (internal, cause
    worker_lost) without being read a fourth time."""
    document_id = accept(crashing, SCAN.read_bytes(), "m.pdf", "hotfolder").document.id
    for _ in range(3):  # what three killed workers leave behind
        with transaction(crashing.sessions) as session:
            repo.claim_for_processing(session, document_id)
    queue_worker(crashing).work(burst=True)
    document = _document(crashing, document_id)
    assert document.status is DocumentStatus.FAILED and document.error_code == "internal"
    assert CALLS == []
    (event,) = _audits(crashing, "document_failed")
    assert event.detail == {"code": "internal", "attempts": 3, "cause": "worker_lost"}


def test_retry_queues_a_failed_document_again_on_purpose(crashing: Services) -> None:
    """GIVEN a document failed after its attempts WHEN `kakunin retry ID` is run THEN it is
    received again with its attempts from zero, audited, and read again (here: failing again
    after three more attempts); a document that is not failed is refused."""
    document_id = accept(crashing, SCAN.read_bytes(), "m.pdf", "hotfolder").document.id
    for _ in range(5):
        _work(crashing)
    assert _document(crashing, document_id).status is DocumentStatus.FAILED
    runner = CliRunner()
    env = service_env(crashing.settings)
    result = runner.invoke(cli, ["retry", str(document_id)], env=env)
    assert result.exit_code == 0, result.output
    document = _document(crashing, document_id)
    assert document.status is DocumentStatus.RECEIVED and document.error_code is None
    (event,) = _audits(crashing, "document_retried")
    assert event.actor == "cli" and event.detail == {"code": "internal"}
    for _ in range(5):
        _work(crashing)
    assert _document(crashing, document_id).status is DocumentStatus.FAILED
    assert len(CALLS) == 6  # three attempts before the retry, three after
    assert len(_audits(crashing, "document_failed")) == 2
    refused = runner.invoke(cli, ["retry", "999999"], env=env)
    assert refused.exit_code == 1
    assert not retry_document(crashing, 999_999)


def test_retry_refuses_a_purged_document_in_one_line(crashing: Services) -> None:
    """GIVEN a failed document whose scan retention purged WHEN `kakunin retry ID` is run THEN
    it is refused with one line naming the purge (exit 1), and the document stays failed,
    unqueued and unaudited as retried."""
    document_id = accept(crashing, SCAN.read_bytes(), "m.pdf", "hotfolder").document.id
    for _ in range(5):
        _work(crashing)
    assert _document(crashing, document_id).status is DocumentStatus.FAILED
    report = purge(crashing, datetime.now(UTC) + timedelta(days=crashing.settings.retention_days + 1))
    assert [d.document_id for d in report.documents] == [document_id]
    result = CliRunner().invoke(cli, ["retry", str(document_id)], env=service_env(crashing.settings))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "purged" in lines[0] and str(document_id) in lines[0], result.output
    assert "Traceback" not in result.output
    document = _document(crashing, document_id)
    assert document.status is DocumentStatus.FAILED and document.error_code == "internal"
    assert _audits(crashing, "document_retried") == []
    with pytest.raises(PurgedDocumentError):
        retry_document(crashing, document_id)
    assert crashing.queue.count == 0


def test_the_api_shows_the_failure(crashing: Services, settings: Settings) -> None:
    """GIVEN a document given up as internal WHEN the API is asked for it THEN it answers
    failed with code internal and the Japanese message, never a traceback."""
    document_id = accept(crashing, SCAN.read_bytes(), "m.pdf", "hotfolder").document.id
    for _ in range(5):
        _work(crashing)
    token = create_api_key(crashing, "reader", ["read"])
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {token}"}) as client:
        body = client.get(f"/api/v1/documents/{document_id}").json()
    text = repr(body)
    assert "internal" in text and "回続けて異常終了" in text
    assert "RuntimeError" not in text and "reader bug" not in text


def test_reconcile_does_not_take_redis_being_down_for_a_missing_job(services: Services) -> None:
    """GIVEN Redis unreachable WHEN reconcile runs THEN it fails loudly (the pass is retried)
    instead of taking every job for missing; the invariant says Redis was not checked."""
    accept(services, SCAN.read_bytes(), "m.pdf", "hotfolder")
    services.settings.redis_url = "redis://127.0.0.1:1/0"
    away = Services(services.settings)
    with pytest.raises(Exception, match="(?i)connect") as raised:
        reconcile(away)
    assert "NoSuchJob" not in type(raised.value).__name__
    report = invariant(away)
    assert not report["ok"] and any("Redis unavailable" in p for p in report["problems"])


def test_a_document_finishing_during_the_check_is_no_false_alarm(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a document being processed WHEN its job finishes and its row turns in_review
    between the invariant's read of the database and its read of Redis THEN the invariant is
    still ok (the database is read again for the suspects)."""
    document_id = accept(services, SCAN.read_bytes(), "m.pdf", "hotfolder").document.id
    with transaction(services.sessions) as session:
        repo.claim_for_processing(session, document_id)
    real_live = reconcile_module._live

    def finishing_live(own: Services, checked: int, queued: set[str] | None = None) -> bool:
        with transaction(own.sessions) as session:
            repo.save_extraction(session, checked, {"documents": []}, [], [], "test")
        services.redis.delete(f"rq:job:{job_id(checked)}")  # its job done and gone
        return real_live(own, checked, queued)

    monkeypatch.setattr(reconcile_module, "_live", finishing_live)
    report = invariant(services)
    assert report["ok"], report
