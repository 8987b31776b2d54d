"""Probes and metrics (issue 19 item 4): /healthz, /readyz (database, Redis, models, disk) and
/metrics in the Prometheus text format, off unless switched on, behind a token when one is
set, carrying counts and durations only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from intake import jobs
from intake.accept import accept
from intake.errors import RejectedInput
from intake.events import record_event
from intake.outbox import deliver
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import ReviewTaskRow
from intake.worker import queue_worker
from ocr.engine import OcrEngine
from review_ui.app import create_app
from tests.conftest import SAMPLES

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

TOKEN = "scrape-secret-0123456789"  # noqa: S105 - a test token
NAME, MY_NUMBER = "新入 一郎", "123456789018"


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    services.settings.min_free_disk_mb = 1
    services.settings.metrics_enabled = True
    services.settings.metrics_token = TOKEN
    with TestClient(create_app(services.settings)) as test_client:
        yield test_client


def _scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_healthz_and_readyz_answer_when_all_is_well(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "models", "disk"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_fails_without_redis_or_disk_and_says_which(services: Services) -> None:
    """GIVEN Redis unreachable and less free disk than wanted WHEN /readyz is asked THEN 503
    names those two checks, and leaks no URL or password."""
    services.settings.redis_url = "redis://:hunter2-password@127.0.0.1:1/0"
    services.settings.min_free_disk_mb = 10**12
    with TestClient(create_app(services.settings)) as client:
        ready = client.get("/readyz")
        healthy = client.get("/healthz")
    assert ready.status_code == 503 and healthy.status_code == 200
    checks = ready.json()["checks"]
    assert not checks["redis"]["ok"] and not checks["disk"]["ok"]
    assert checks["database"]["ok"] and checks["models"]["ok"]
    assert "hunter2" not in ready.text and "127.0.0.1" not in ready.text


def test_readyz_fails_when_a_model_is_not_installed(services: Services) -> None:
    services.settings.min_free_disk_mb = 1
    services.settings.ocr.crosscheck_rec_model = "PP-OCRv9_imaginary_rec"
    with TestClient(create_app(services.settings)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["models"] == {"ok": False, "detail": "missing: PP-OCRv9_imaginary_rec"}


def test_metrics_are_off_by_default_and_behind_the_token(services: Services) -> None:
    with TestClient(create_app(services.settings)) as client:
        assert client.get("/metrics").status_code == 404
    services.settings.metrics_enabled = True
    services.settings.metrics_token = TOKEN
    with TestClient(create_app(services.settings)) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    services.settings.metrics_token = None
    with TestClient(create_app(services.settings)) as client:
        assert client.get("/metrics").status_code == 200  # switched on without a token: open


def test_metrics_report_states_queue_reviews_speed_failures_and_outbox(
    services: Services, client: TestClient, engine: OcrEngine
) -> None:
    """GIVEN a document read into review, one queued, one failed as unreadable, a refused
    empty file and a decision whose webhook fails WHEN /metrics is scraped THEN each figure is
    there with its value, and no name or 個人番号 is in the text."""
    read = accept(services, (SAMPLES / "sample_2025_0003_messhitsu.pdf").read_bytes(), "m.pdf", "upload")
    jobs._context = jobs.WorkerContext(services, engine)
    try:
        queue_worker(services).work(burst=True)
    finally:
        jobs._context = None
    accept(services, (SAMPLES / "sample_2025_0002_kofu_shinsei.tif").read_bytes(), "k.tif", "upload")
    accept(services, b"%PDF-1.4 not really a pdf", "broken.pdf", "upload")
    with pytest.raises(RejectedInput):
        accept(services, b"", "empty.pdf", "hotfolder")
    services.settings.webhook_url = "http://127.0.0.1:1/hook"
    record_event(services, "new_employee", {"name": NAME, "my_number": MY_NUMBER}, "api")
    deliver(services)

    metrics = _scrape(client)
    assert metrics[("kakunin_documents", (("state", "in_review"),))] == 1
    assert metrics[("kakunin_documents", (("state", "received"),))] == 1
    assert metrics[("kakunin_documents", (("state", "failed"),))] == 1
    assert metrics[("kakunin_documents", (("state", "processing"),))] == 0
    assert metrics[("kakunin_documents_failed", (("code", "unreadable"),))] == 1
    assert metrics[("kakunin_intake_refused", (("code", "empty"),))] == 1
    assert metrics[("kakunin_queue_depth", ())] == 1
    assert metrics[("kakunin_review_tasks", (("state", "open"),))] >= 1
    assert 0 < metrics[("kakunin_review_oldest_waiting_seconds", ())] < 600
    assert metrics[("kakunin_ocr_readings_sampled", ())] == 1
    per_page = metrics[("kakunin_ocr_seconds_per_page", (("quantile", "0.5"),))]
    assert 0 < per_page < 120
    assert metrics[("kakunin_outbox_backlog", (("target", "webhook"),))] == 1
    assert metrics[("kakunin_outbox_delivery_failing", (("target", "webhook"),))] == 1
    assert metrics[("kakunin_redis_up", ())] == 1
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert NAME not in text and MY_NUMBER not in text and "m.pdf" not in text
    with transaction(services.sessions) as session:
        assert session.scalars(select(ReviewTaskRow.document_id)).all() == [read.document.id]
