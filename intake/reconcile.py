"""Re-enqueue documents stuck without a live job; report failed jobs and the invariant.

A job is live while RQ will still run it: queued (and really in the queue), scheduled for a
retry, or started by a worker whose heartbeat is still in Redis (:mod:`intake.worker` beats every
``worker_heartbeat_seconds``; its key expires after three missed beats). A document whose worker
died (kill -9, power loss) is known from that, within seconds, not from how long it has been
processing, and is queued again at the front. Retries RQ scheduled are moved to the queue here
when due, so they never wait for RQ's scheduler lock.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any, cast

from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.worker import Worker

from intake.domain import TERMINAL, DocumentStatus
from intake.hotfolder import PROCESSING, REJECTED
from intake.queue import SERIALIZER, KakuninJob, enqueue_document, job_id
from intake.services import Services
from intake.store import keeping, repo
from intake.store.db import transaction

_WAITING = {JobStatus.DEFERRED, JobStatus.SCHEDULED}


def _job(services: Services, document_id: int) -> Job | None:
    """The document's job, or None when Redis has none (never queued, expired, or lost)."""
    try:
        return KakuninJob.fetch(job_id(document_id), connection=services.redis, serializer=SERIALIZER)
    except NoSuchJobError:
        return None


def worker_alive(services: Services, name: str | None) -> bool:
    """Whether the worker ``name`` still beats: its key in RQ's worker registry has not expired."""
    return bool(name) and bool(services.redis.exists(Worker.redis_worker_namespace_prefix + str(name)))


def _live(services: Services, document_id: int, queued: set[str] | None = None) -> bool:
    """Whether a job will still run for this document.

    A job marked queued must really be in the queue (a Redis restart can keep the job but lose
    the pop that took it); a started job is live while the worker that took it beats.
    """
    job = _job(services, document_id)
    if job is None:
        return False
    status = job.get_status(refresh=True)
    if status == JobStatus.QUEUED:
        return queued is None or job.id in queued
    if status == JobStatus.STARTED:
        return worker_alive(services, job.worker_name)
    return status in _WAITING


def promote_due_retries(services: Services, now: float | None = None) -> list[str]:
    """Move the retries RQ scheduled whose time (before ``now``) has come into the queue. RQ's
    scheduler does the same, but only while it holds its lock, which a restart can leave taken
    for 10 minutes."""
    registry = ScheduledJobRegistry(queue=services.queue, serializer=SERIALIZER)  # type: ignore[no-untyped-call]
    promoted = []
    for due in registry.get_jobs_to_schedule(int(now or time.time())):
        if not registry.remove(due):
            continue  # the scheduler took it first
        try:
            job = KakuninJob.fetch(due, connection=services.redis, serializer=SERIALIZER)
        except NoSuchJobError:
            continue
        services.queue.enqueue_job(job)
        promoted.append(due)
    return promoted


def _forget_executions(services: Services, job: str) -> None:
    """Take the job's entries out of the started registry. Their execution hashes may have
    expired with the worker (RQ's ``remove_executions`` needs them), so by key prefix."""
    key = StartedJobRegistry(queue=services.queue, serializer=SERIALIZER).key
    listed = cast(list[bytes], services.redis.zrange(key, 0, -1))
    entries = [entry for entry in listed if entry.startswith(f"{job}:".encode())]
    if entries:
        services.redis.zrem(key, *entries)


def _requeue_from_dead_worker(services: Services, document_id: int) -> bool:
    """Queue again, at the front, a document whose job was started by a worker that no longer
    beats; its execution leaves RQ's started registry so that RQ does not retry it too."""
    job = _job(services, document_id)
    if job is None or job.get_status(refresh=True) != JobStatus.STARTED:
        return False
    if worker_alive(services, job.worker_name):
        return False
    _forget_executions(services, job.id)
    return enqueue_document(services.queue, document_id, at_front=True)


def reconcile(services: Services) -> dict[str, Any]:
    """Queue every received/processing document whose job is missing, failed, finished, or
    held by a dead worker; move due retries into the queue. Failed documents are left alone
    (``kakunin retry ID`` queues one again on purpose)."""
    with transaction(services.sessions) as session:
        stuck = repo.stuck_documents(session)
    orphaned = [
        d.id
        for d in stuck
        if d.status == DocumentStatus.PROCESSING and _requeue_from_dead_worker(services, d.id)
    ]
    promoted = promote_due_retries(services)
    with contextlib.suppress(RedisError):
        StartedJobRegistry(queue=services.queue, serializer=SERIALIZER).cleanup()
    try:
        queued: set[str] | None = set(services.queue.get_job_ids())
    except RedisError:
        queued = None
    requeued = orphaned + [
        d.id
        for d in stuck
        if d.id not in orphaned
        and not _live(services, d.id, queued)
        and enqueue_document(services.queue, d.id)
    ]
    failed: list[str] = []
    with contextlib.suppress(RedisError):
        failed = list(FailedJobRegistry(queue=services.queue).get_job_ids())
    return {"requeued": requeued, "orphaned": orphaned, "promoted": promoted, "failed_jobs": failed}


class PurgedDocumentError(Exception):
    """A document retention purged (its scan deleted) cannot be read again."""

    def __init__(self, document_id: int) -> None:
        super().__init__(document_id)
        self.document_id = document_id


def retry_document(services: Services, document_id: int, actor: str = "cli") -> bool:
    """Queue a failed document again on purpose (``kakunin retry ID``): its attempts start from
    zero and its error is cleared; audited. False when it is not failed (or does not exist);
    :class:`PurgedDocumentError` when retention deleted its scan (nothing changed)."""
    with transaction(services.sessions) as session:
        if keeping.is_purged(session, document_id):
            raise PurgedDocumentError(document_id)
        document = repo.reset_failed(session, document_id)
        if document is None:
            return False
        repo.audit(session, actor, "document_retried", document_id, code=document.error_code)
    return enqueue_document(services.queue, document_id)


def invariant(services: Services) -> dict[str, Any]:
    """Every file seen is archived and is a document in a terminal state (or queued with a
    live job), or is quarantined in rejected/ with a reason; none twice."""
    problems: list[str] = []
    with transaction(services.sessions) as session:
        rows = repo.stored_files(session)
    shas = [row.sha256 for row in rows]
    if len(shas) != len(set(shas)):
        problems.append("the same bytes are stored as two documents")
    suspects = []
    for row in rows:
        # A purged document's original was deleted on purpose (retention, intake/retention.py).
        if not row.purged and not services.files.exists(row.sha256):
            problems.append(f"document {row.id}: original missing from the file store")
        if row.status not in TERMINAL:
            suspects.append(row.id)
    try:
        problems += _without_live_job(services, suspects)
    except RedisError as exc:
        problems.append(f"Redis unavailable, jobs not checked: {exc}")
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


def _without_live_job(services: Services, candidates: list[int]) -> list[str]:
    """The documents still unfinished without a live job (or held by a worker that no longer
    beats). The database is read again after Redis, so a document that finished while Redis
    was being read (its job done, its row already in review) is no false alarm."""
    suspects = [d for d in candidates if not _live(services, d)]
    if not suspects:
        return []
    with transaction(services.sessions) as session:
        now = repo.statuses_of(session, suspects)
    return [
        f"document {d}: {now[d].value} without a live job"
        + (" (its worker no longer beats)" if now[d] == DocumentStatus.PROCESSING else "")
        for d in suspects
        if d in now and now[d] not in TERMINAL and not _live(services, d)
    ]


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
