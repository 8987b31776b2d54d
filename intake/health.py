"""What an operator's monitoring reads (issue 19 item 4): whether the service can work now
(:func:`readiness`: database, Redis, OCR models, disk space) and how it is doing
(:func:`snapshot`: documents by state, queue, reviews waiting, reading speed, failures by code,
the outbox). Numbers only: no name, no value read from a form, no 個人番号.

``review_ui.ops`` serves them as ``/readyz`` and ``/metrics`` (Prometheus text format).
"""

from __future__ import annotations

import importlib.util
import shutil
import statistics
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from redis.exceptions import RedisError
from rq.registry import FailedJobRegistry
from rq.worker import Worker
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from intake.domain import DocumentStatus, TaskStatus, aware
from intake.services import Services
from intake.store import metrics
from intake.store.db import transaction
from ocr.models import CATALOGUE

#: How many of the latest readings the seconds-per-page figures are taken over.
RECENT_READINGS = 200


@dataclass(frozen=True)
class Check:
    """One readiness check: its name, whether it passed, and a short reason (no secrets)."""

    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Readiness:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def _database(services: Services) -> Check:
    try:
        with services.db.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return Check("database", False, type(exc).__name__)
    return Check("database", True)


def _redis(services: Services) -> Check:
    try:
        services.redis.ping()
    except RedisError as exc:
        return Check("redis", False, type(exc).__name__)
    return Check("redis", True)


def _model_installed(name: str) -> bool:
    """Whether both files of a catalogued model are in their installed packages (looked up
    without importing them, and without assembling the model folder)."""
    source = CATALOGUE.get(name)
    return source is not None and all(_in_package(*where) for where in (source.onnx, source.yml))


def _in_package(package: str, relative: str) -> bool:
    spec = importlib.util.find_spec(package)
    locations = (spec.submodule_search_locations or []) if spec else []
    return any((Path(location) / relative).is_file() for location in locations)


def _models(services: Services) -> Check:
    ocr = services.settings.ocr
    if ocr.kind != "paddle":
        return Check("models", True, f"engine {ocr.kind}: not checked")
    wanted = [ocr.rec_model, ocr.det_model] + ([ocr.crosscheck_rec_model] if ocr.crosscheck_rec_model else [])
    missing = [name for name in wanted if not _model_installed(name)]
    return Check("models", not missing, f"missing: {', '.join(missing)}" if missing else "")


def _disk(services: Services) -> Check:
    directory = services.settings.data_dir
    try:
        free = shutil.disk_usage(directory if directory.exists() else directory.parent).free
    except OSError as exc:
        return Check("disk", False, type(exc).__name__)
    free_mb = free // (1024 * 1024)
    wanted = services.settings.min_free_disk_mb
    return Check("disk", free_mb >= wanted, f"{free_mb} MB free (at least {wanted} MB wanted)")


def readiness(services: Services) -> Readiness:
    """Whether this instance can do its work now: the database and Redis answer, the OCR
    models are installed, the data directory has room."""
    return Readiness((_database(services), _redis(services), _models(services), _disk(services)))


@dataclass(frozen=True)
class Snapshot:
    """The figures ``/metrics`` reports, read at one moment. None: not available (Redis away)."""

    documents: dict[str, int]
    failed_by_code: dict[str, int]
    refused_by_code: dict[str, int]
    review_tasks: dict[str, int]
    oldest_waiting_review_seconds: float
    seconds_per_page: dict[str, float]
    readings_sampled: int
    outbox_backlog: dict[str, int]
    outbox_failing: dict[str, int]
    outbox_oldest_seconds: float
    queue_depth: int | None = None
    failed_jobs: int | None = None
    workers: int | None = None
    redis_up: bool = True


def _seconds_per_page(services: Services) -> tuple[dict[str, float], int]:
    """Median, 95th percentile and mean of a reading's seconds per page, over the latest
    :data:`RECENT_READINGS` documents read (the worker's audit of each reading)."""
    with transaction(services.sessions) as session:
        rows = metrics.recent_readings(session, RECENT_READINGS)
    per_page = sorted(
        float(detail["seconds"]) / pages
        for detail, pages in rows
        if pages and isinstance(detail, dict) and isinstance(detail.get("seconds"), int | float)
    )
    if not per_page:
        return {}, 0
    p95 = per_page[min(len(per_page) - 1, int(round(0.95 * (len(per_page) - 1))))]
    return (
        {"0.5": statistics.median(per_page), "0.95": p95, "mean": statistics.fmean(per_page)},
        len(per_page),
    )


def _age(now: datetime, since: datetime | None) -> float:
    """Seconds from ``since`` to ``now`` (0 when there is nothing waiting)."""
    return (now - aware(since)).total_seconds() if since else 0.0


def snapshot(services: Services) -> Snapshot:
    """Read every figure of ``/metrics`` (a few grouped queries and Redis counters)."""
    now = datetime.now(UTC)
    with transaction(services.sessions) as session:
        stored = metrics.counts(session)
    per_page, sampled = _seconds_per_page(services)
    figures = Snapshot(
        documents={s.value: stored.documents.get(s.value, 0) for s in DocumentStatus},
        failed_by_code={str(code or "unknown"): n for code, n in stored.failed_by_code.items()},
        refused_by_code={str(code): n for code, n in stored.refused_by_code.items()},
        review_tasks={s.value: stored.review_tasks.get(s.value, 0) for s in TaskStatus},
        oldest_waiting_review_seconds=_age(now, stored.oldest_open_task),
        seconds_per_page=per_page,
        readings_sampled=sampled,
        outbox_backlog={str(k): v for k, v in stored.outbox_backlog.items()},
        outbox_failing={str(k): v for k, v in stored.outbox_failing.items()},
        outbox_oldest_seconds=_age(now, stored.oldest_outbox),
    )
    try:
        return replace(
            figures,
            queue_depth=services.queue.count,
            failed_jobs=FailedJobRegistry(queue=services.queue).count,
            workers=Worker.count(queue=services.queue),
        )
    except RedisError:
        return replace(figures, redis_up=False)
