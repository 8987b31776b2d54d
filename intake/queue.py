"""Enqueueing: one RQ job per document, carrying only its id."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rq import Queue, Retry

log = logging.getLogger(__name__)

#: Dotted path so that enqueuing never imports the OCR stack.
JOB = "intake.jobs.process_document"


def job_id(document_id: int) -> str:
    return f"document-{document_id}"


def enqueue_document(queue: Queue, document_id: int) -> bool:
    """Queue a document; False when Redis is unavailable (the reconcile pass queues it later)."""
    try:
        queue.enqueue(
            JOB,
            document_id,
            job_id=job_id(document_id),
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
