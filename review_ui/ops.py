"""Probes and metrics for operators (issue 19 item 4), on the web port.

- ``GET /healthz``: the process answers (served by :mod:`review_ui.app`).
- ``GET /readyz``: 200 when the database and Redis answer, the OCR models are installed and
  the data directory has room (``KAKUNIN_MIN_FREE_DISK_MB``); 503 with the failed checks
  otherwise. Check names and short reasons only: no URL, no password, no path.
- ``GET /metrics``: Prometheus text format, off unless ``KAKUNIN_METRICS_ENABLED`` (404), and
  with ``KAKUNIN_METRICS_TOKEN`` set only for ``Authorization: Bearer <token>`` (401). Counts
  and durations only (:func:`intake.health.snapshot`): nothing read from a form.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from intake.health import Snapshot, readiness, snapshot
from intake.services import Services

router = APIRouter()


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Whether this instance can work now: each check with ok and a short reason."""
    services: Services = request.app.state.services
    state = await run_in_threadpool(readiness, services)
    body = {
        "status": "ok" if state.ok else "unavailable",
        "checks": {c.name: {"ok": c.ok, **({"detail": c.detail} if c.detail else {})} for c in state.checks},
    }
    return JSONResponse(body, status_code=200 if state.ok else 503)


def _allowed(request: Request, services: Services) -> None:
    settings = services.settings
    if not settings.metrics_enabled:
        raise HTTPException(404)
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {settings.metrics_token}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """The figures of :func:`intake.health.snapshot` in Prometheus text format."""
    services: Services = request.app.state.services
    _allowed(request, services)
    figures = await run_in_threadpool(snapshot, services)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(figures))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def _gauge(name: str, documentation: str, values: dict[str, float], label: str) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


class SnapshotCollector(Collector):
    """One scrape's figures as Prometheus metric families (names prefixed ``kakunin_``)."""

    def __init__(self, figures: Snapshot) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        f = self.figures
        yield _gauge("kakunin_documents", "Documents by state.", dict(f.documents), "state")
        yield _gauge(
            "kakunin_documents_failed", "Failed documents by error code.", dict(f.failed_by_code), "code"
        )
        yield _gauge(
            "kakunin_intake_refused",
            "Files refused at the hotfolder or upload, not yet acknowledged, by error code.",
            dict(f.refused_by_code),
            "code",
        )
        yield _gauge("kakunin_review_tasks", "Review tasks by state.", dict(f.review_tasks), "state")
        yield GaugeMetricFamily(
            "kakunin_review_oldest_waiting_seconds",
            "Age of the oldest review task waiting for a reviewer (0: none waits).",
            value=f.oldest_waiting_review_seconds,
        )
        yield _gauge(
            "kakunin_ocr_seconds_per_page",
            "Seconds a reading took per page over the latest readings (quantile 0.5, 0.95, mean).",
            dict(f.seconds_per_page),
            "quantile",
        )
        yield GaugeMetricFamily(
            "kakunin_ocr_readings_sampled",
            "Readings the seconds-per-page figures are taken over.",
            value=f.readings_sampled,
        )
        yield _gauge(
            "kakunin_outbox_backlog",
            "Decisions not yet delivered, by target.",
            dict(f.outbox_backlog),
            "target",
        )
        yield _gauge(
            "kakunin_outbox_delivery_failing",
            "Undelivered decisions whose delivery failed at least once, by target.",
            dict(f.outbox_failing),
            "target",
        )
        yield GaugeMetricFamily(
            "kakunin_outbox_oldest_undelivered_seconds",
            "Age of the oldest undelivered decision (0: none).",
            value=f.outbox_oldest_seconds,
        )
        yield GaugeMetricFamily(
            "kakunin_redis_up", "Whether Redis answered this scrape.", value=int(f.redis_up)
        )
        for name, documentation, value in (
            ("kakunin_queue_depth", "Documents waiting in the queue.", f.queue_depth),
            ("kakunin_queue_failed_jobs", "Jobs in RQ's failed-job registry.", f.failed_jobs),
            ("kakunin_workers", "Workers whose heartbeat is in Redis.", f.workers),
        ):
            if value is not None:
                yield GaugeMetricFamily(name, documentation, value=value)
