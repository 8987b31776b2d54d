"""Retention (issue 19 item 7): a document's scan, page images and unmasked 個人番号 are gone
``retention_days`` after its decision was delivered; the masked record and the decision stay,
and what was deleted is audited."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from intake import review
from intake.events import record_event
from intake.page_images import prepare_masked
from intake.reconcile import invariant
from intake.retention import purge
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, DecisionRow, DocumentRow, FieldReadingRow, RecordRow
from tests.helpers import service_env
from tests.intake.keeping_helpers import APPROVER, MY_NUMBER, decided_document, read_document


def _my_number_anywhere(services: Services) -> list[str]:
    """Every place the database still holds the 個人番号 in full."""
    found = []
    with transaction(services.sessions) as session:
        for reading in session.scalars(select(FieldReadingRow)):
            if MY_NUMBER in json.dumps(reading.value) or MY_NUMBER in reading.raw_text:
                found.append(f"reading {reading.id}")
        for document in session.scalars(select(DocumentRow)):
            if MY_NUMBER in json.dumps(document.extraction, ensure_ascii=False):
                found.append(f"document {document.id}")
        for record in session.scalars(select(RecordRow)):
            if MY_NUMBER in json.dumps(record.values, ensure_ascii=False):
                found.append(f"record {record.id}")
    return found


def test_purge_deletes_the_scan_and_page_images_and_masks_the_my_number(
    services: Services, tmp_path: Path
) -> None:
    """GIVEN a document whose decision was delivered (retention 90 days) and one still in review
    WHEN purge runs 89 days later THEN nothing goes; 91 days later THEN the decided one's
    original and page image (and the masked copy kept beside it) are gone from the store and
    its 個人番号 from every row (the last four digits stay), its record and decision remain, an
    audit event lists the files; the one in review is untouched."""
    services.settings.export_dir = tmp_path / "export"
    now = datetime.now(UTC)
    old_id, old_record, old_files = decided_document(services, 1)
    new_id, new_files = read_document(services, 2)
    assert all(services.files.exists(name) for name in old_files + new_files)
    # The masked page images kept beside the page images (intake.page_images), as the worker makes them.
    assert prepare_masked(services, old_files + new_files) == 2

    assert purge(services, now + timedelta(days=89)).documents == ()
    report = purge(services, now + timedelta(days=91))

    assert [d.document_id for d in report.documents] == [old_id]
    assert not any(services.files.exists(name) for name in old_files)
    assert not any(list(services.files.path(name).parent.glob(f"{name}.*")) for name in old_files)
    assert all(services.files.exists(name) for name in new_files)
    assert [len(list(services.files.path(n).parent.glob(f"{n}.*"))) for n in new_files] == [0, 1]
    with transaction(services.sessions) as session:
        readings = session.scalars(
            select(FieldReadingRow).where(
                FieldReadingRow.document_id == old_id, FieldReadingRow.field_name == "insured_my_number"
            )
        ).all()
        assert [r.value for r in readings] == ["********9018"] and readings[0].raw_text == "********9018"
        record = session.get(RecordRow, old_record)
        assert record is not None and record.values["insured_my_number"] == "********9018"
        assert record.values["insured_name"] == "健保 太郎" and record.purged_at is not None
        assert session.scalars(select(DecisionRow).where(DecisionRow.record_id == old_record)).all()
        document = session.get(DocumentRow, old_id)
        assert document is not None and document.purged_at is not None
        assert MY_NUMBER not in json.dumps(document.extraction)
        [event] = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "document_purged")
        ).all()
        assert event.actor == "retention" and event.document_id == old_id
        assert sorted(event.detail["files"]) == sorted(old_files) and event.detail["my_number_readings"] == 2
    assert [f for f in _my_number_anywhere(services) if "document" in f] == [f"document {new_id}"]
    view = review.record_view(services, old_record)  # the record screen still shows it, masked
    assert view is not None
    assert purge(services, now + timedelta(days=92)).documents == ()  # once
    assert invariant(services)["problems"] == []  # a purged original is no missing one


def test_dry_run_lists_and_changes_nothing(services: Services, tmp_path: Path) -> None:
    """GIVEN a document past its period WHEN purge runs with dry_run THEN it is listed with its
    files and bytes, and the files, the rows and the audit stay as they were."""
    services.settings.export_dir = tmp_path / "export"
    document_id, _, files = decided_document(services, 3)
    report = purge(services, datetime.now(UTC) + timedelta(days=100), dry_run=True)
    assert [d.document_id for d in report.documents] == [document_id]
    assert report.documents[0].bytes > 0 and sorted(report.documents[0].files) == sorted(files)
    assert all(services.files.exists(name) for name in files)
    assert _my_number_anywhere(services)
    with transaction(services.sessions) as session:
        assert not session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "document_purged")
        ).all()


def test_an_undelivered_decision_keeps_everything(services: Services, tmp_path: Path) -> None:
    """GIVEN a decision whose webhook has not answered for 100 days WHEN purge runs THEN the
    document is kept whole: the period runs from delivery, not from the decision."""
    services.settings.export_dir = tmp_path / "export"
    services.settings.webhook_url = "http://127.0.0.1:9/never"
    services.settings.webhook_timeout_seconds = 0.5
    document_id, _, files = decided_document(services, 4)
    assert purge(services, datetime.now(UTC) + timedelta(days=100)).documents == ()
    assert all(services.files.exists(name) for name in files)


def test_a_rejected_document_and_an_api_event_are_purged_after_the_period(services: Services) -> None:
    """GIVEN a document rejected in review and an API event with a 個人番号, both older than the
    period WHEN purge runs THEN the rejected scan is deleted and the event's record masked."""
    document_id, files = read_document(services, 5)
    with transaction(services.sessions) as session:
        from intake.store import repo

        [task] = repo.review_tasks_of(session, document_id)
    review.claim(services, task.id, APPROVER)
    review.reject(services, task.id, APPROVER, next(iter(review.REJECT_REASONS)))
    event = record_event(services, "new_employee", {"name": "新入 一郎", "my_number": MY_NUMBER}, "api")
    report = purge(services, datetime.now(UTC) + timedelta(days=91))
    assert [d.document_id for d in report.documents] == [document_id]
    assert report.records == (event["record_id"],)
    assert not any(services.files.exists(name) for name in files)
    assert _my_number_anywhere(services) == []


def test_old_hotfolder_copies_are_deleted(services: Services) -> None:
    """GIVEN copies in done/ and a refused file in rejected/, moved there today, two of them
    with a scanner's mtime 120 days old WHEN purge runs today THEN all stay (the period runs
    from when the file was moved there, so a refusal is not deleted before anyone saw it);
    91 days later THEN all three are deleted and audited."""
    root = services.settings.hotfolder_dir
    (root / "done").mkdir(parents=True)
    (root / "rejected").mkdir(parents=True)
    paths = [root / "done" / "a.pdf", root / "rejected" / "b.pdf", root / "done" / "c.pdf"]
    for path in paths:
        path.write_bytes(b"%PDF-1.4")
    stamp = (datetime.now(UTC) - timedelta(days=120)).timestamp()
    for path in paths[:2]:
        os.utime(path, (stamp, stamp))
    assert purge(services).hotfolder_files == ()
    report = purge(services, datetime.now(UTC) + timedelta(days=91))
    assert sorted(report.hotfolder_files) == ["done/a.pdf", "done/c.pdf", "rejected/b.pdf"]
    assert not any(path.exists() for path in paths)
    with transaction(services.sessions) as session:
        [event] = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "hotfolder_purged")
        ).all()
        assert event.detail["count"] == 3


def test_kakunin_purge_dry_run_prints_what_it_would_delete(services: Services, tmp_path: Path) -> None:
    """`kakunin purge --dry-run --on DATE` prints what would go by that day as JSON and deletes
    nothing."""
    services.settings.export_dir = tmp_path / "export"
    document_id, _, files = decided_document(services, 6)
    later = (datetime.now(UTC) + timedelta(days=100)).date().isoformat()
    done = subprocess.run(
        [sys.executable, "-m", "intake.cli", "purge", "--dry-run", "--on", later],
        env=service_env(services.settings),
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout)
    assert report["dry_run"] and [d["document_id"] for d in report["documents"]] == [document_id]
    assert all(services.files.exists(name) for name in files)
