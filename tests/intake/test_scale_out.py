"""Scale-out: two worker processes on one PostgreSQL, one Redis and one file store process a
batch with no document lost or done twice."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import select

from intake.accept import accept
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, DocumentRow, ReviewTaskRow
from tests.conftest import readable_samples
from tests.helpers import service_env

pytestmark = [pytest.mark.slow, pytest.mark.ocr]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_workers_share_one_postgresql_and_one_redis(services: Services) -> None:
    scans = readable_samples()
    ids = {accept(services, scan.read_bytes(), scan.name, "hotfolder").document.id for scan in scans}
    env = service_env(services.settings, KAKUNIN_OCR__THREADS="1")
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "intake.cli", "worker", "--burst"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err.decode()[-2000:]
    with transaction(services.sessions) as session:
        statuses = dict(session.execute(select(DocumentRow.id, DocumentRow.status)).all())
        tasks = Counter(session.scalars(select(ReviewTaskRow.document_id)))
        extracted = Counter(
            session.scalars(
                select(AuditEventRow.document_id).where(AuditEventRow.action == "document_extracted")
            )
        )
    assert set(statuses) == ids and set(statuses.values()) == {"in_review"}
    assert all(tasks[i] == 1 for i in ids)  # one review task per single-page document, none doubled
    assert all(extracted[i] == 1 for i in ids)  # each document processed exactly once


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_worker_recycles_after_max_jobs(services: Services) -> None:
    """A worker started with --max-jobs exits cleanly after that many jobs, leaving the rest
    queued for the fresh worker that `kakunin run` starts in its place."""
    scans = readable_samples()[:2]
    for scan in scans:
        accept(services, scan.read_bytes(), scan.name, "hotfolder")
    env = service_env(services.settings)
    worker = subprocess.run(
        [sys.executable, "-m", "intake.cli", "worker", "--max-jobs", "1"],
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr.decode()[-2000:]
    with transaction(services.sessions) as session:
        statuses = sorted(session.scalars(select(DocumentRow.status)))
    assert statuses == ["in_review", "received"]
    assert services.queue.count == 1
