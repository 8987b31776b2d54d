"""The worker process: builds the OCR engine once, then runs jobs from the queue."""

from __future__ import annotations

import logging

from rq import SimpleWorker

from intake.jobs import init_worker
from intake.queue import SERIALIZER, KakuninJob
from intake.services import Services

log = logging.getLogger(__name__)


def run_worker(services: Services, burst: bool = False, max_jobs: int | None = None) -> None:
    """Work the document queue. ``burst`` stops when the queue is empty (tests, batch runs).

    A SimpleWorker runs jobs in this process, so the models loaded by ``init_worker`` serve
    every job; ONNX Runtime's thread pools are not safe to inherit through ``fork``.
    """
    context = init_worker(services)
    log.info("OCR engine ready: %s", context.engine.info.label())
    queue_worker(services).work(burst=burst, with_scheduler=True, max_jobs=max_jobs)


def queue_worker(services: Services) -> SimpleWorker:
    """A worker of the document queue that reads jobs as JSON and runs only Kakunin's own
    (:mod:`intake.queue`); the caller starts it (``work``) once the OCR engine is ready."""
    return SimpleWorker(
        [services.queue], connection=services.redis, serializer=SERIALIZER, job_class=KakuninJob
    )
