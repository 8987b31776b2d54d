"""Re-enqueue documents stuck without a live job; report failed jobs and the invariant."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError
from rq.job import JobStatus
from rq.registry import FailedJobRegistry, StartedJobRegistry
from sqlalchemy import select

from intake.domain import TERMINAL, DocumentStatus, aware
from intake.hotfolder import PROCESSING, REJECTED
from intake.queue import SERIALIZER, KakuninJob, enqueue_document, job_id
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import DocumentRow

_LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def _live(services: Services, document_id: int, queued: set[str] | None = None, stale: bool = False) -> bool:
    """Whether a job will still run for this document.

    A job marked queued must really be in the queue (a Redis restart can keep the job but lose
    the pop that took it); a started job counts as live until the document goes stale.
    """
    try:
        job = KakuninJob.fetch(job_id(document_id), connection=services.redis, serializer=SERIALIZER)
        status = job.get_status(refresh=True)
    except Exception:  # noqa: BLE001 - NoSuchJobError and friends: no live job
        return False
    if status == JobStatus.QUEUED:
        return queued is None or job.id in queued
    if status == JobStatus.STARTED:
        return not stale
    return status in _LIVE


def reconcile(services: Services) -> dict[str, Any]:
    """Queue every received/processing document whose job is missing, failed or finished.

    Jobs of a killed worker stay "started" until their heartbeat runs out; RQ's registry
    cleanup moves them to failed first, so they are queued again here.
    """
    with contextlib.suppress(RedisError):
        StartedJobRegistry(queue=services.queue).cleanup()
    with transaction(services.sessions) as session:
        stuck = repo.stuck_documents(session)
    # A document processing for longer than any job may run belongs to a worker that died
    # (kill -9, power loss): its job may still look "started" in Redis. Jobs are idempotent,
    # so queuing it again is safe even if that worker was only slow.
    stale_before = datetime.now(UTC) - timedelta(seconds=services.settings.processing_stale_seconds)
    try:
        queued: set[str] | None = set(services.queue.get_job_ids())
    except RedisError:
        queued = None
    requeued = [
        d.id
        for d in stuck
        if not _live(services, d.id, queued, stale=aware(d.updated_at) < stale_before)
        and enqueue_document(services.queue, d.id)
    ]
    failed: list[str] = []
    with contextlib.suppress(RedisError):
        failed = list(FailedJobRegistry(queue=services.queue).get_job_ids())
    return {"requeued": requeued, "failed_jobs": failed}


def invariant(services: Services) -> dict[str, Any]:
    """Every file seen is archived and is a document in a terminal state (or queued with a
    live job), or is quarantined in rejected/ with a reason; none twice."""
    problems: list[str] = []
    with transaction(services.sessions) as session:
        rows = session.execute(select(DocumentRow.id, DocumentRow.sha256, DocumentRow.status)).all()
    shas = [sha for _, sha, _ in rows]
    if len(shas) != len(set(shas)):
        problems.append("the same bytes are stored as two documents")
    for document_id, sha, status in rows:
        if not services.files.exists(sha):
            problems.append(f"document {document_id}: original missing from the file store")
        if DocumentStatus(status) not in TERMINAL and not _live(services, document_id):
            problems.append(f"document {document_id}: {status} without a live job")
    hotfolder = services.settings.hotfolder_dir
    rejected = hotfolder / REJECTED
    if rejected.is_dir():
        for path in rejected.iterdir():
            if not path.name.endswith(".reason.txt") and not Path(str(path) + ".reason.txt").exists():
                problems.append(f"rejected file without a reason: {path.name}")
    leftovers = list((hotfolder / PROCESSING).glob("*")) if (hotfolder / PROCESSING).is_dir() else []
    if leftovers:
        problems.append(
            f"{len(leftovers)} claimed file(s) not yet accepted (a watcher restart picks them up)"
        )
    return {"ok": not problems, "documents": len(rows), "problems": problems}


def status_report(services: Services) -> dict[str, Any]:
    with transaction(services.sessions) as session:
        counts = repo.status_counts(session)
    try:
        depth: int | None = services.queue.count
        failed: int | None = FailedJobRegistry(queue=services.queue).count
    except RedisError:
        depth = failed = None
    return {
        "documents": counts,
        "queue_depth": depth,
        "failed_jobs": failed,
        "invariant": invariant(services),
    }
