"""Fault injection: kill things mid-run and check the invariant — every document exactly once,
none lost."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from sqlalchemy import select

from intake.accept import accept
from intake.queue import redis_server_command
from intake.reconcile import invariant, reconcile
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import ReviewTaskRow
from tests.conftest import SAMPLES, readable_samples
from tests.helpers import document_statuses, worker_process

pytestmark = [pytest.mark.slow, pytest.mark.ocr]


def _wait_until_some(services: Services, status: str, seconds: float = 120) -> None:
    """Poll until at least one document has ``status`` (e.g. a worker is mid-OCR)."""
    deadline = time.time() + seconds
    while time.time() < deadline and status not in document_statuses(services).values():
        time.sleep(0.05)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_worker_killed_mid_ocr_loses_nothing(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN documents being processed WHEN the worker is killed with SIGKILL during OCR
    THEN reconcile re-queues what it held (its heartbeat stopped) and a new worker finishes
    everything exactly once."""
    monkeypatch.setenv("KAKUNIN_WORKER_HEARTBEAT_SECONDS", "0.5")  # dead 2 s after the kill
    scans = readable_samples()
    ids = {accept(services, scan.read_bytes(), scan.name, "hotfolder").document.id for scan in scans}
    victim = worker_process(services, burst=False)
    _wait_until_some(services, "processing")
    os.kill(victim.pid, signal.SIGKILL)  # mid-OCR: a document is in "processing"
    victim.wait()
    assert "processing" in document_statuses(services).values()
    time.sleep(2.5)
    report = reconcile(services)
    assert report["requeued"]
    survivor = worker_process(services, burst=True)
    assert survivor.wait(timeout=600) == 0
    statuses = document_statuses(services)
    assert set(statuses) == ids and set(statuses.values()) == {"in_review"}
    with transaction(services.sessions) as session:
        tasks = list(session.scalars(select(ReviewTaskRow.document_id)))
    assert sorted(tasks) == sorted(ids)  # one task each: nothing done twice
    assert invariant(services)["ok"], invariant(services)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sigterm_lets_the_running_job_finish(services: Services) -> None:
    accept(services, (SAMPLES / "sample_2025_0003_messhitsu.pdf").read_bytes(), "m.pdf", "hotfolder")
    worker = worker_process(services, burst=False)
    _wait_until_some(services, "processing")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=120) == 0
    assert set(document_statuses(services).values()) == {"in_review"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_redis_killed_and_restarted_mid_run_loses_nothing(services: Services, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """GIVEN a run in progress WHEN Redis is killed with SIGKILL and restarted from its
    append-only file THEN reconcile and a worker finish every document exactly once."""
    import shutil

    from redis import Redis

    from tests.conftest import free_port

    port = free_port()
    directory = tmp_path / "redis"
    directory.mkdir()
    command = redis_server_command(
        shutil.which("redis-server") or "redis-server", port, str(directory), "always"
    )

    def start_redis() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if Redis(port=port).ping():
                    break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        return process

    redis = start_redis()
    services.settings.redis_url = f"redis://127.0.0.1:{port}/0"
    monkeypatch.setenv("KAKUNIN_WORKER_HEARTBEAT_SECONDS", "0.5")
    own = Services(services.settings)
    scans = readable_samples()
    ids = {accept(own, scan.read_bytes(), scan.name, "hotfolder").document.id for scan in scans}
    worker = worker_process(own, burst=False)
    _wait_until_some(own, "in_review")
    redis.kill()  # SIGKILL mid-run
    redis.wait()
    time.sleep(1.0)
    redis = start_redis()  # replays the append-only file
    try:
        worker.terminate()
        worker.wait(timeout=120)
        time.sleep(2.5)
        reconcile(own)
        survivor = worker_process(own, burst=True)
        assert survivor.wait(timeout=600) == 0
        statuses = document_statuses(own)
        assert set(statuses) == ids and set(statuses.values()) == {"in_review"}
        with transaction(own.sessions) as session:
            tasks = list(session.scalars(select(ReviewTaskRow.document_id)))
        assert sorted(tasks) == sorted(ids)
        assert invariant(own)["ok"], invariant(own)
    finally:
        redis.kill()
        redis.wait()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def _retries_left(services: Services, ids: set[int]) -> list[int | None]:
    """How many retries each document's job has left (3 until it failed once)."""
    from intake.queue import SERIALIZER, KakuninJob, job_id

    return [
        KakuninJob.fetch(job_id(i), connection=services.redis, serializer=SERIALIZER).retries_left
        for i in ids
    ]


def test_database_unavailable_for_a_while_delays_but_loses_nothing(services: Services) -> None:
    """GIVEN queued documents WHEN PostgreSQL is down as the worker takes them THEN the jobs
    fail as transient, are retried after the back-off, and finish once it is back."""
    from intake.store.db import upgrade
    from tests.conftest import PgCluster

    cluster = PgCluster()
    try:
        services.settings.database_url = cluster.url
        own = Services(services.settings)
        upgrade(own.db)
        scans = readable_samples()[:2]
        ids = {accept(own, scan.read_bytes(), scan.name, "hotfolder").document.id for scan in scans}
        own.db.dispose()
        cluster.stop()
        worker = worker_process(own, burst=False)
        # The database comes back only once the worker has met the outage on a job (a fixed
        # 6 s wait was too short on a loaded machine: the worker was still loading its models
        # when the database returned, and the outage was never hit).
        deadline = time.time() + 180
        while time.time() < deadline and not any(n is not None and n < 3 for n in _retries_left(own, ids)):
            time.sleep(0.5)
        cluster.start()
        deadline = time.time() + 150
        while time.time() < deadline and set(document_statuses(own).values()) != {"in_review"}:
            time.sleep(1)
        worker.terminate()
        worker.wait(timeout=120)
        assert set(document_statuses(own)) == ids and set(document_statuses(own).values()) == {"in_review"}
        retried = _retries_left(own, ids)
        assert any(left is not None and left < 3 for left in retried), retried  # the outage was really hit
        assert invariant(own)["ok"], invariant(own)
    finally:
        cluster.remove()
