"""Re-enqueue documents stuck without a live job; report failed jobs and the invariant."""

from __future__ import annotations

import contextlib
from typing import Any

from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from intake.queue import enqueue_document, job_id
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction

_LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def reconcile(services: Services) -> dict[str, Any]:
    """Queue every received/processing document whose job is missing, failed or finished."""
    with transaction(services.sessions) as session:
        stuck = repo.stuck_documents(session)
    requeued = []
    for document in stuck:
        try:
            job = Job.fetch(job_id(document.id), connection=services.redis)
            live = job.get_status(refresh=True) in _LIVE
        except Exception:  # noqa: BLE001 - NoSuchJobError and friends: no live job
            live = False
        if not live and enqueue_document(services.queue, document.id):
            requeued.append(document.id)
    failed = []
    with contextlib.suppress(RedisError):
        failed = list(FailedJobRegistry(queue=services.queue).get_job_ids())
    return {"requeued": requeued, "failed_jobs": failed}


def status_report(services: Services) -> dict[str, Any]:
    with transaction(services.sessions) as session:
        counts = repo.status_counts(session)
    try:
        depth: int | None = services.queue.count
    except RedisError:
        depth = None
    return {"documents": counts, "queue_depth": depth}
