"""The worker process: builds the OCR engine once, then runs jobs from the queue."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from redis.client import Pipeline
from rq import SimpleWorker
from rq.job import Job
from rq.registry import StartedJobRegistry

from intake.jobs import init_worker
from intake.queue import SERIALIZER, KakuninJob
from intake.services import Services

log = logging.getLogger(__name__)


class KakuninWorker(SimpleWorker):
    """A SimpleWorker whose heartbeat is short and kept up by a thread, even while a job runs.

    RQ's SimpleWorker sends no heartbeat while it runs a job and gives its key the job's
    timeout plus a minute, so a worker killed mid-job looked alive for 11 minutes. Here the
    worker's key (RQ's worker registry) and the running job's entry in the started-job registry
    live ``3 × beat_seconds`` and are renewed every ``beat_seconds`` by a thread: a worker that
    dies is gone from Redis within seconds, and :func:`intake.reconcile.reconcile` queues the
    document it held again.
    """

    beat_seconds: float = 5.0

    @property
    def heartbeat_ttl(self) -> int:
        """Seconds a beat keeps the worker alive in Redis: three beats and a second."""
        return int(3 * self.beat_seconds) + 1

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        return self.heartbeat_ttl

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        # RQ asks for the worker TTL plus a minute (or the job's timeout): never more than ours.
        super().heartbeat(min(timeout or self.heartbeat_ttl, self.heartbeat_ttl), pipeline=pipeline)

    def beat(self) -> None:
        """One heartbeat of the worker and of the execution it is running, if any."""
        if not self.connection.exists(self.key):
            return  # not registered yet, or gone: a beat must not make a key RQ did not
        executions = list(self.executions.values())
        with self.connection.pipeline() as pipeline:
            self.heartbeat(self.heartbeat_ttl, pipeline=pipeline)
            for execution in executions:
                registry = StartedJobRegistry(
                    self.queues[0].name, connection=self.connection, serializer=self.serializer
                )
                execution.heartbeat(registry, self.heartbeat_ttl, pipeline)
            pipeline.execute()

    def _keep_beating(self, stop: threading.Event) -> None:
        while not stop.wait(self.beat_seconds):
            try:
                self.beat()
            except Exception:  # noqa: BLE001 - Redis away for a moment: the next beat tries again
                log.warning("worker %s: heartbeat not sent", self.name, exc_info=True)

    def work(self, *args: Any, **kwargs: Any) -> bool:
        stop = threading.Event()
        beating = threading.Thread(target=self._keep_beating, args=(stop,), daemon=True, name="heartbeat")
        beating.start()
        try:
            return bool(super().work(*args, **kwargs))
        finally:
            stop.set()
            beating.join(timeout=5)


def run_worker(services: Services, burst: bool = False, max_jobs: int | None = None) -> None:
    """Work the document queue. ``burst`` stops when the queue is empty (tests, batch runs).

    A SimpleWorker runs jobs in this process, so the models loaded by ``init_worker`` serve
    every job; ONNX Runtime's thread pools are not safe to inherit through ``fork``.
    """
    lower_priority(services.settings.worker_nice)
    context = init_worker(services)
    log.info("OCR engine ready: %s", context.engine.info.label())
    queue_worker(services).work(burst=burst, with_scheduler=True, max_jobs=max_jobs)


def lower_priority(niceness: int) -> int:
    """Lower this process's CPU priority by ``niceness`` (``KAKUNIN_WORKER_NICE``): with the
    web on the same cores, a reviewer's page is served first and OCR takes the rest. Returns
    the process's niceness afterwards."""
    return os.nice(niceness) if niceness > 0 else os.nice(0)


def queue_worker(services: Services) -> KakuninWorker:
    """A worker of the document queue that reads jobs as JSON and runs only Kakunin's own
    (:mod:`intake.queue`); the caller starts it (``work``) once the OCR engine is ready."""
    worker = KakuninWorker(
        [services.queue], connection=services.redis, serializer=SERIALIZER, job_class=KakuninJob
    )
    worker.beat_seconds = services.settings.worker_heartbeat_seconds
    return worker
