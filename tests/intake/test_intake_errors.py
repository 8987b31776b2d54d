"""Files refused at the door and duplicates go on the 受付エラー list (issue 15 item 9)."""

from __future__ import annotations

import os

import pytest

from intake import intake_errors
from intake.accept import accept
from intake.errors import RejectedInput
from intake.hotfolder import StabilityTracker, poll_once
from intake.services import Services
from tests.conftest import SAMPLES


def test_refused_kept_failed_and_duplicate_files_are_listed(services: Services) -> None:
    with pytest.raises(RejectedInput):
        accept(services, b"", "empty.pdf", "hotfolder")
    failed = accept(services, b"%PDF-1.4 garbage", "broken.pdf", "upload").document
    data = (SAMPLES / "negative_letter.png").read_bytes()
    first = accept(services, data, "letter.png", "upload").document
    again = accept(services, data, "letter (2).png", "hotfolder")
    assert not again.created
    listed = {e.name: e for e in intake_errors.listed(services)}
    assert set(listed) == {"empty.pdf", "broken.pdf", "letter (2).png"}
    assert listed["empty.pdf"].kind == "refused" and listed["empty.pdf"].code == "empty"
    assert listed["empty.pdf"].source == "hotfolder" and listed["empty.pdf"].document_id is None
    assert listed["broken.pdf"].document_id == failed.id and listed["broken.pdf"].source == "upload"
    duplicate = listed["letter (2).png"]
    assert duplicate.kind == "duplicate" and duplicate.document_id == first.id
    assert duplicate.original_name == "letter.png" and f"受付番号 {first.id}" in duplicate.message
    assert intake_errors.count_open(services) == 3


def test_acknowledged_once_and_audited(services: Services) -> None:
    from tests.review_ui.conftest import audit_actions

    with pytest.raises(RejectedInput):
        accept(services, b"", "empty.pdf", "upload")
    (error,) = intake_errors.listed(services)
    assert intake_errors.acknowledge(services, error.id, "rev")
    assert not intake_errors.acknowledge(services, error.id, "rev2")  # already acknowledged
    assert intake_errors.listed(services) == [] and intake_errors.count_open(services) == 0
    (seen,) = intake_errors.listed(services, acknowledged=True)
    assert seen.acknowledged_by == "rev"
    assert audit_actions(services).count("intake_error_acknowledged") == 1


def test_a_hotfolder_name_that_cannot_be_used_is_listed(services: Services) -> None:
    root = services.settings.hotfolder_dir
    root.mkdir(parents=True, exist_ok=True)
    (root / os.fsdecode("テスト.pdf".encode("shift_jis"))).write_bytes(b"%PDF-")
    tracker = StabilityTracker(delay=0.0)
    poll_once(services, root, tracker, now=0.0)
    poll_once(services, root, tracker, now=1.0)
    (error,) = intake_errors.listed(services)
    assert error.code == "unusable_name" and error.source == "hotfolder" and error.name.endswith(".pdf")
