"""The queue runs only Kakunin's own jobs (issue 16 item 8): jobs travel as JSON, so a pickle
written into Redis by someone else is never unpickled; a job naming another function, or
asking for a callback, is refused and fails; the worker carries on."""

from __future__ import annotations

import pathlib
from pathlib import Path

import pytest
from rq import Callback, Queue
from rq.job import JobStatus
from rq.registry import FailedJobRegistry

from intake import jobs
from intake.queue import JOB, SERIALIZER, KakuninJob, enqueue_document
from intake.services import Services
from intake.worker import queue_worker

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class _TouchWhenUnpickled:
    """A pickle that creates a file as it is loaded: what a forged pickle job could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (pathlib.Path.touch, (self.path,))


def _forger(services: Services) -> Queue:
    """The same queue as seen by someone who can write to Redis with RQ's defaults (pickle)."""
    return Queue(services.settings.queue_name, connection=services.redis)


def _run_worker(services: Services) -> None:
    jobs._context = jobs.WorkerContext(services, object())  # type: ignore[arg-type]  # no OCR here
    try:
        queue_worker(services).work(burst=True)
    finally:
        jobs._context = None


def _failed(services: Services) -> set[str]:
    return set(FailedJobRegistry(queue=services.queue).get_job_ids())


def test_a_pickled_job_is_never_unpickled(services: Services, tmp_path: Path) -> None:
    marker = tmp_path / "unpickled"
    forged = _forger(services).enqueue(JOB, _TouchWhenUnpickled(marker))
    _run_worker(services)
    assert not marker.exists()
    assert forged.id in _failed(services)


def test_a_job_naming_another_function_is_refused(services: Services, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    forged = services.queue.enqueue("pathlib.Path.touch", str(marker))  # JSON, as ours are
    _run_worker(services)
    assert not marker.exists()
    assert forged.id in _failed(services)
    assert KakuninJob.fetch(forged.id, connection=services.redis, serializer=SERIALIZER).get_status() == (
        JobStatus.FAILED
    )


CALLED: list[object] = []


def record_call(*args: object) -> None:
    """A function a forged job could name as its callback: it notes that it ran."""
    CALLED.append(args)


def test_a_callback_a_job_asks_for_is_not_run(services: Services) -> None:
    CALLED.clear()
    # Our own job function for a document that does not exist (it is skipped, successfully),
    # with a success callback naming any importable function.
    job = services.queue.enqueue(JOB, 999_999, on_success=Callback(f"{__name__}.record_call"))
    _run_worker(services)
    assert CALLED == []
    assert KakuninJob.fetch(job.id, connection=services.redis, serializer=SERIALIZER).get_status() == (
        JobStatus.FINISHED
    )


def test_the_worker_runs_our_jobs_after_refusing_forged_ones(services: Services, tmp_path: Path) -> None:
    _forger(services).enqueue(JOB, _TouchWhenUnpickled(tmp_path / "unpickled"))
    services.queue.enqueue("pathlib.Path.touch", str(tmp_path / "ran"))
    assert enqueue_document(services.queue, 999_999)
    _run_worker(services)
    ours = KakuninJob.fetch("document-999999", connection=services.redis, serializer=SERIALIZER)
    assert ours.get_status() == JobStatus.FINISHED and ours.return_value() == "skipped"
    assert not (tmp_path / "unpickled").exists() and not (tmp_path / "ran").exists()
