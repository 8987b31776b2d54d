"""Enqueueing: one RQ job per document, carrying only its id.

Jobs travel as JSON (:data:`SERIALIZER`), never as pickles: whoever can write to Redis could
otherwise run any code in a worker by unpickling. And a worker runs only Kakunin's own job
functions (:class:`KakuninJob`): a job naming anything else, or asking for a callback, is
refused before anything of it is imported, and fails with a log line that says so.
"""

from __future__ import annotations

import logging
import subprocess
import time
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job
from rq.serializers import JSONSerializer

log = logging.getLogger(__name__)

#: Dotted path so that enqueuing never imports the OCR stack.
JOB = "intake.jobs.process_document"
#: The only functions a worker runs.
ALLOWED_JOBS = frozenset({JOB})
SERIALIZER = JSONSerializer


class ForgedJobError(RuntimeError):
    """A job in the queue that Kakunin did not put there."""


class KakuninJob(Job):
    """An RQ job that resolves only the functions of :data:`ALLOWED_JOBS` and no callbacks."""

    @property
    def func(self) -> Any:
        if self.func_name not in ALLOWED_JOBS:
            log.error("refused job %s: %r is not one of Kakunin's jobs", self.id, self.func_name)
            raise ForgedJobError(f"job {self.id}: {self.func_name!r} is not one of Kakunin's jobs")
        return super().func

    # Callbacks are functions named in the job's hash: a forged job could name any of them.
    @property
    def success_callback(self) -> None:
        return self._no_callback("success", self._success_callback_name)

    @property
    def failure_callback(self) -> None:
        return self._no_callback("failure", self._failure_callback_name)

    @property
    def stopped_callback(self) -> None:
        return self._no_callback("stopped", self._stopped_callback_name)

    def _no_callback(self, kind: str, name: object) -> None:
        if name:
            log.error("refused the %s callback %r of job %s", kind, name, self.id)
        return None


def job_id(document_id: int) -> str:
    return f"document-{document_id}"


def enqueue_document(queue: Queue, document_id: int, at_front: bool = False) -> bool:
    """Queue a document; False when Redis is unavailable (the reconcile pass queues it later).
    ``at_front``: before every waiting document (one a dead worker held)."""
    try:
        queue.enqueue(
            JOB,
            document_id,
            job_id=job_id(document_id),
            at_front=at_front,
            retry=Retry(max=3, interval=[10, 60, 300]),
            result_ttl=86400,
            failure_ttl=7 * 86400,
        )
    except RedisError as exc:
        log.warning("document %s stored but not queued (%s); reconcile will queue it", document_id, exc)
        return False
    return True


def redis_server_command(binary: str, port: int, directory: str, appendfsync: str = "everysec") -> list[str]:
    """redis-server as Kakunin needs it: local only, an append-only file (fsynced every second,
    or ``always``), no RDB snapshots, and no eviction: a queue must never drop a job for memory."""
    return [
        binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
        "--appendonly", "yes", "--appendfsync", appendfsync,
        "--maxmemory-policy", "noeviction", "--save", "",
    ]  # fmt: skip


def start_redis_server(binary: str, port: int, directory: str) -> tuple[subprocess.Popen[bytes], str]:
    """A local redis-server as :func:`redis_server_command` starts it, once it answers a ping
    (for the tests and benchmarks, which start their own); its URL. RuntimeError when it does
    not answer within 5 s."""
    process = subprocess.Popen(  # noqa: S603 - our own fixed command, no shell
        redis_server_command(binary, port, directory), stdout=subprocess.DEVNULL
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            if Redis.from_url(url).ping():
                return process, url
        except RedisError:  # not up yet
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"redis-server did not answer on port {port}")
