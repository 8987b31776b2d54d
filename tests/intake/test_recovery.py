"""Recovery in seconds, not minutes (issue 19 item 2): a job whose worker died is known from
the worker's heartbeat in RQ's worker registry, not from its age, and after a power loss
(the whole `kakunin run` process group killed mid-OCR) every document left ``processing`` is
read again within 2 minutes of the restart."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rq.job import JobStatus
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from intake.accept import accept
from intake.queue import SERIALIZER, KakuninJob, job_id
from intake.reconcile import invariant, reconcile
from intake.services import Services
from intake.settings import Settings
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import ReviewTaskRow
from intake.worker import queue_worker
from tests.conftest import SAMPLES, free_port, readable_samples
from tests.helpers import document_statuses


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_started_job_is_live_while_its_worker_beats_and_orphaned_once_it_stops(services: Services) -> None:
    """GIVEN a job started by a worker WHEN its heartbeat key is in Redis THEN reconcile leaves
    it alone, however long it runs; WHEN the key has expired (the worker died) THEN reconcile
    queues the document again at the front of the queue, and the invariant names it meanwhile."""
    first = accept(services, (SAMPLES / "sample_2025_0003_messhitsu.pdf").read_bytes(), "m.pdf", "upload")
    accept(services, (SAMPLES / "sample_2025_0002_kofu_shinsei.tif").read_bytes(), "k.tif", "upload")
    worker = queue_worker(services)
    worker.register_birth()
    job = KakuninJob.fetch(job_id(first.document.id), connection=services.redis, serializer=SERIALIZER)
    services.queue.remove(job)
    worker.prepare_execution(job)
    worker.prepare_job_execution(job)
    with transaction(services.sessions) as session:
        repo.claim_for_processing(session, first.document.id)
    assert job.get_status(refresh=True) == JobStatus.STARTED

    report = reconcile(services)
    assert report["requeued"] == [] and report["orphaned"] == []
    assert invariant(services)["ok"], invariant(services)

    services.redis.delete(worker.key)  # three beats missed: the key expired
    problems = invariant(services)["problems"]
    assert any(f"document {first.document.id}: processing" in p for p in problems), problems
    report = reconcile(services)
    assert report["orphaned"] == [first.document.id] == report["requeued"]
    assert services.queue.get_job_ids()[0] == job_id(first.document.id)  # at the front
    assert job.get_status(refresh=True) == JobStatus.QUEUED
    assert reconcile(services)["requeued"] == []  # queued once, not again on the next pass


def test_the_heartbeat_ttl_is_three_beats_also_mid_job(services: Services) -> None:
    """RQ gives a SimpleWorker's key the job timeout plus a minute; ours lives three beats."""
    services.settings.worker_heartbeat_seconds = 2.0
    worker = queue_worker(services)
    worker.register_birth()
    worker.heartbeat(10_000)
    assert 0 < services.redis.ttl(worker.key) <= 7


def _run(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    """`kakunin run` in a process group of its own, as a machine would start it."""
    env = {
        **os.environ,
        "KAKUNIN_DATA_DIR": str(settings.data_dir),
        "KAKUNIN_REDIS_URL": settings.redis_url,
        "KAKUNIN_FEED_SAMPLES": "false",
        "KAKUNIN_OCR__THREADS": "1",
        "KAKUNIN_HOTFOLDER_STABLE_SECONDS": "0.3",
    }
    log = (settings.data_dir / "run.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "intake.cli", "run", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _power_loss(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    time.sleep(0.5)  # the group's other members die with it


def _wait(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
@pytest.mark.ocr
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")
def test_after_a_power_loss_mid_ocr_every_document_is_read_again_within_2_minutes(tmp_path: Path) -> None:
    """GIVEN `kakunin run` reading scans from its hotfolder WHEN its whole process group (web,
    worker, watcher, the Redis it started) is killed with SIGKILL while a document is being
    read, and `kakunin run` is started again THEN every document left processing is in review
    within 2 minutes of the restart, each exactly once, and the invariant holds."""
    settings = Settings(
        data_dir=tmp_path / "var", redis_url=f"redis://127.0.0.1:{free_port()}/0", feed_samples=False
    )
    settings.hotfolder_dir.mkdir(parents=True)
    scans = readable_samples()
    for scan in scans:
        shutil.copy(scan, settings.hotfolder_dir / scan.name)
    port = free_port()
    run = _run(settings, port)
    try:
        database = settings.data_dir / "kakunin.sqlite3"
        assert _wait(database.exists, 120)
        services = Services(settings)
        busy: set[int] = set()

        def caught_mid_ocr() -> bool:
            try:
                statuses = document_statuses(services)
            except OperationalError:  # the file exists before `kakunin run` has migrated it
                return False
            busy.update(d for d, s in statuses.items() if s == "processing")
            return bool(busy)

        assert _wait(caught_mid_ocr, 300), "no document was ever seen processing"
        time.sleep(0.3)  # into the reading
        _power_loss(run)
        left = {d for d, s in document_statuses(services).items() if s == "processing"}
        assert left, "the kill came after the reading finished"
        restarted = time.monotonic()
        run = _run(settings, port)
        services = Services(settings)  # the restarted Redis, its password from the data dir

        def read_again() -> bool:
            statuses = document_statuses(services)
            return all(statuses.get(d) == "in_review" for d in left)

        assert _wait(read_again, 120), document_statuses(services)
        elapsed = time.monotonic() - restarted
        print(f"documents {sorted(left)} read again {elapsed:.1f} s after the restart")
        assert _wait(lambda: len(document_statuses(services)) == len(scans), 120)
        assert _wait(lambda: set(document_statuses(services).values()) == {"in_review"}, 300)
        with transaction(services.sessions) as session:
            per_document = dict(
                session.execute(
                    select(ReviewTaskRow.document_id, func.count()).group_by(ReviewTaskRow.document_id)
                ).all()
            )
        assert set(per_document.values()) == {1}, per_document  # not doubled by the second reading
        assert invariant(services)["ok"], invariant(services)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)  # web, worker, watcher and the Redis it started
        run.wait()
