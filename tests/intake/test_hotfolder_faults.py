"""Hotfolder under stress: slow writers, rename writers, duplicates under many names, and two
watcher processes on one folder — every file exactly once, none lost."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from intake.accept import accept
from intake.hotfolder import DONE, REJECTED, StabilityTracker, poll_once
from intake.reconcile import invariant
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import DocumentRow
from tests.helpers import png_bytes, service_env

pytestmark = pytest.mark.slow


def _shas(services: Services) -> list[str]:
    with transaction(services.sessions) as session:
        return list(session.scalars(select(DocumentRow.sha256)))


def _poll_until_quiet(services: Services, root: Path, tracker: StabilityTracker, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        poll_once(services, root, tracker)
        time.sleep(0.1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_slow_writer_is_taken_only_when_complete(services: Services) -> None:
    """GIVEN a 20 MB file written in chunks over 30 s WHEN the watcher polls all along THEN the
    document holds the complete file, once."""
    root = services.settings.hotfolder_dir
    root.mkdir(parents=True, exist_ok=True)
    chunks = [os.urandom(1024 * 1024) for _ in range(20)]
    full = b"%PDF-1.7\n" + b"".join(chunks)
    target = root / "slow-scan.pdf"

    def writer() -> None:
        with open(target, "wb") as handle:
            handle.write(full[:9])
            for chunk in chunks:
                handle.write(chunk)
                handle.flush()
                time.sleep(1.5)

    thread = threading.Thread(target=writer)
    thread.start()
    tracker = StabilityTracker(delay=2.0)
    while thread.is_alive():
        poll_once(services, root, tracker)
        time.sleep(0.2)
    _poll_until_quiet(services, root, tracker, 4.0)
    assert _shas(services) == [hashlib.sha256(full).hexdigest()]
    assert invariant(services)["ok"], invariant(services)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_rename_writer_and_duplicates_under_many_names_and_uploads(services: Services) -> None:
    root = services.settings.hotfolder_dir
    root.mkdir(parents=True, exist_ok=True)
    data = png_bytes(np.random.default_rng(3).integers(0, 255, (50, 50), dtype=np.uint8))
    (root / "scan.png.part").write_bytes(data)  # scanners write a temporary name first …
    tracker = StabilityTracker(delay=0.3)
    _poll_until_quiet(services, root, tracker, 1.0)
    assert _shas(services) == []  # … which is never taken
    os.replace(root / "scan.png.part", root / "scan.png")
    for name in ("copy1.png", "copy2.png"):
        (root / name).write_bytes(data)
    _poll_until_quiet(services, root, tracker, 1.5)
    for _ in range(2):
        assert not accept(services, data, "upload.png", "upload").created
    assert len(_shas(services)) == 1
    assert sorted(p.name for p in (root / DONE).iterdir()) == ["copy1.png", "copy2.png", "scan.png"]
    assert invariant(services)["ok"], invariant(services)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_two_watchers_on_one_folder_take_each_of_500_files_once(services: Services) -> None:
    root = services.settings.hotfolder_dir
    root.mkdir(parents=True, exist_ok=True)
    for index in range(500):
        (root / f"f{index:03d}.pdf").write_bytes(
            b"%PDF-1.7 broken " + str(index).encode()
        )  # unique, unreadable
    env = service_env(
        services.settings, KAKUNIN_HOTFOLDER_STABLE_SECONDS="0.5", KAKUNIN_HOTFOLDER_POLL_SECONDS="0.2"
    )
    watchers = [
        subprocess.Popen(
            [sys.executable, "-m", "intake.cli", "watch"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.time() + 240
        while time.time() < deadline and any(p.is_file() for p in root.iterdir()):
            time.sleep(0.5)
        time.sleep(1.0)
    finally:
        for watcher in watchers:
            watcher.terminate()
            watcher.wait(timeout=30)
    shas = _shas(services)
    assert len(shas) == 500 and len(set(shas)) == 500
    rejected = [p for p in (root / REJECTED).iterdir() if not p.name.endswith(".reason.txt")]
    assert len(rejected) == 500
    assert not [p for p in root.iterdir() if p.is_file()]
    assert invariant(services)["ok"], invariant(services)
