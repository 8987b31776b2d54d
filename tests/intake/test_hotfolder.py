"""Hotfolder: a file is taken only when stable, and leaves only after its row is committed."""

from __future__ import annotations

import os
from pathlib import Path

from intake.hotfolder import (
    DONE,
    REJECTED,
    StabilityTracker,
    display_name,
    is_candidate_name,
    poll_once,
    scan,
)
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from tests.helpers import blank_pdf, write


def test_tracker_waits_until_size_and_mtime_hold_still() -> None:
    tracker = StabilityTracker(delay=2.0)
    path = Path("a.pdf")
    assert tracker.observe([(path, 10, 1)], now=0.0) == []
    assert tracker.observe([(path, 20, 2)], now=1.5) == []  # still growing: clock restarts
    assert tracker.observe([(path, 20, 2)], now=3.0) == []
    assert tracker.observe([(path, 20, 2)], now=3.6) == [path]


def test_tracker_gives_empty_files_longer() -> None:
    tracker = StabilityTracker(delay=1.0)
    path = Path("e.pdf")
    tracker.observe([(path, 0, 1)], now=0.0)
    assert tracker.observe([(path, 0, 1)], now=1.5) == []
    assert tracker.observe([(path, 0, 1)], now=3.1) == [path]


def test_temporary_and_hidden_names_are_ignored() -> None:
    assert is_candidate_name("scan001.pdf")
    for name in ("scan001.pdf.part", "scan.tmp", "scan.pdf~", ".hidden.pdf", "x.crdownload"):
        assert not is_candidate_name(name)


def test_display_name_survives_bad_bytes_and_controls() -> None:
    assert display_name("a\nb.pdf") == "a_b.pdf"
    shift_jis_name = os.fsdecode("テスト.pdf".encode("shift_jis"))
    assert display_name(shift_jis_name).endswith(".pdf")
    assert "\ufffd" in display_name(shift_jis_name)
    assert display_name("カ\u3099.pdf") == "ガ.pdf"  # NFD kana become NFC


def test_scan_skips_symlinks_fifos_and_own_folders(tmp_path: Path) -> None:
    write(tmp_path / "ok.pdf", b"%PDF-")
    write(tmp_path / "batch" / "inner.pdf", b"%PDF-")
    write(tmp_path / DONE / "old.pdf", b"%PDF-")
    target = write(tmp_path.parent / "outside.pdf", b"secret")
    (tmp_path / "link.pdf").symlink_to(target)
    os.mkfifo(tmp_path / "pipe.pdf")
    names = sorted(p.relative_to(tmp_path).as_posix() for p, _, _ in scan(tmp_path))
    assert names == ["batch/inner.pdf", "ok.pdf"]


def test_files_move_to_done_or_rejected_after_their_row_is_committed(services: Services) -> None:
    root = services.settings.hotfolder_dir
    write(root / "form.pdf", blank_pdf("kofu_shinsei"))
    write(root / "letter.pdf", b"not really a pdf")
    write(root / "empty.pdf", b"")
    tracker = StabilityTracker(delay=0.0)
    outcomes = poll_once(services, root, tracker, now=0.0) + poll_once(services, root, tracker, now=10.0)
    assert sorted(outcomes) == ["done", "rejected", "rejected"]
    assert (root / DONE / "form.pdf").is_file()
    assert "unsupported_type" in (root / REJECTED / "letter.pdf.reason.txt").read_text(encoding="utf-8")
    assert "empty" in (root / REJECTED / "empty.pdf.reason.txt").read_text(encoding="utf-8")
    assert not [p for p in root.iterdir() if p.is_file()]
    with transaction(services.sessions) as session:
        assert repo.status_counts(session) == {"received": 1, "failed": 1}
