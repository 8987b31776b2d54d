"""Fault injection, repeated: workers killed with SIGKILL again and again while documents are
being read. Every run ends with the invariant and "exactly once" checked: one review task per
document, every document in review, none lost, none doubled.

Kakunin's workers are RQ SimpleWorkers (the OCR engine is built once per process), so the
process that runs the job is the worker's main process: killing it is killing the work horse.
"""

from __future__ import annotations

import os
import random
import signal
import struct
import subprocess
import time
import zlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fixtures.generate import ScanStyle, generate
from intake.accept import accept
from intake.reconcile import invariant, reconcile
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import ReviewTaskRow
from tests.helpers import document_statuses, worker_process

pytestmark = [pytest.mark.slow, pytest.mark.ocr]

#: The workers' heartbeat: a killed worker is gone from Redis 2 s later (3 beats and a second).
BEAT = "0.5"
#: Seconds after which a document left in "processing" by a dead worker is taken again.
STALE = 2.0


@pytest.fixture(autouse=True)
def _quick_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAKUNIN_WORKER_HEARTBEAT_SECONDS", BEAT)
    # A kill counts as an attempt, and the document a dead worker held goes back at the front:
    # here kills are the test, not a poison document (tests/intake/test_failure_lifecycle.py).
    monkeypatch.setenv("KAKUNIN_MAX_ATTEMPTS", "50")


def _with_text_chunk(png: bytes, note: str) -> bytes:
    """The same image with a tEXt chunk before IEND: other bytes, so another document."""
    body = b"Comment\0" + note.encode()
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    end = png.rindex(b"IEND") - 4
    return png[:end] + chunk + png[end:]


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """50 distinct files: 10 filled forms (200 dpi PNG; these tests are about the queue, not
    the scan), each in five byte-different copies."""
    out = tmp_path_factory.mktemp("scans")
    forms = generate(
        out / "forms", 10, seed=31337, today=date(2026, 11, 1), styles=[ScanStyle(".png", 200, False, False)]
    )
    copies = []
    for copy in range(5):
        for form in forms:
            path = out / f"{copy}_{form.name}"
            path.write_bytes(_with_text_chunk(form.read_bytes(), f"copy {copy}"))
            copies.append(path)
    return copies


def _kill(worker: subprocess.Popen[bytes]) -> None:
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()


def _recover(services: Services) -> None:
    """What `kakunin run` does every minute: a dead worker's documents go back in the queue."""
    time.sleep(STALE + 0.2)
    reconcile(services)


def _finish_and_check(services: Services, ids: set[int]) -> None:
    reconcile(services)  # anything the last kill left behind
    survivors = [worker_process(services, burst=True) for _ in range(2)]  # two cores: two workers
    assert [survivor.wait(timeout=900) for survivor in survivors] == [0, 0]
    statuses = document_statuses(services)
    assert set(statuses) == ids
    assert set(statuses.values()) == {"in_review"}, statuses
    with transaction(services.sessions) as session:
        per_document = dict(
            session.execute(
                select(ReviewTaskRow.document_id, func.count()).group_by(ReviewTaskRow.document_id)
            ).all()
        )
    assert per_document == {document_id: 1 for document_id in ids}  # exactly once each
    report = invariant(services)
    assert report["ok"], report


def _accept_all(services: Services, paths: list[Path]) -> set[int]:
    return {accept(services, path.read_bytes(), path.name, "hotfolder").document.id for path in paths}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_each_of_20_documents_survives_a_kill_during_its_ocr(services: Services, scans: list[Path]) -> None:
    """GIVEN 20 queued documents WHEN, for each of them in turn, the worker is killed with
    SIGKILL while it reads that document THEN reconcile re-queues it and in the end every
    document is in review exactly once."""
    ids = _accept_all(services, scans[:20])
    killed: set[int] = set()
    rng = random.Random(20)
    deadline = time.monotonic() + 1200
    while killed != ids and time.monotonic() < deadline:
        worker = worker_process(services)
        victim = None
        while victim is None and worker.poll() is None and time.monotonic() < deadline:
            busy = [
                d
                for d, status in document_statuses(services).items()
                if status == "processing" and d not in killed
            ]
            victim = busy[0] if busy else None
            time.sleep(0.02)
        time.sleep(rng.uniform(0.1, 0.6))  # into the reading: rasterised, aligned, OCR running
        if victim is not None and document_statuses(services)[victim] == "processing":
            killed.add(victim)
        _kill(worker)
        _recover(services)
    assert killed == ids, f"only {len(killed)} of {len(ids)} documents were caught mid-OCR"
    _finish_and_check(services, ids)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_worker_killed_again_and_again_during_a_50_document_run(
    services: Services, scans: list[Path]
) -> None:
    """GIVEN 50 documents WHEN the worker process is killed with SIGKILL at random moments,
    eight times over, and started again each time THEN every document ends in review exactly
    once and the invariant holds."""
    ids = _accept_all(services, scans)
    rng = random.Random(50)
    for kill in range(8):
        worker = worker_process(services)
        time.sleep(rng.uniform(3.0, 9.0))  # starting up, between jobs or mid-OCR: any moment
        if kill == 3:
            # Once, the worker is let finish a document however slow the machine (a loaded CI
            # runner loading the models took longer than the windows above, and no document
            # was done between eight kills): the kills then fall between jobs and mid-OCR both.
            deadline = time.monotonic() + 300
            while "in_review" not in document_statuses(services).values() and time.monotonic() < deadline:
                time.sleep(0.2)
        _kill(worker)
        _recover(services)
    assert "in_review" in document_statuses(services).values()  # work got done between the kills
    _finish_and_check(services, ids)
