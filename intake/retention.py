"""Retention (issue 19 item 7): scans, page images and unmasked 個人番号 are kept only
``retention_days`` after a document's decision was delivered (or it was rejected or failed).

``purge`` then deletes the document's files from the store, masks every 個人番号 in its rows
(readings, extraction JSON, records: the last four digits stay, as every screen shows them)
and keeps the record and the decision; each purged document is audited with what was deleted.
Records without a document (API events) are masked the same way. Copies left in the
hotfolder's ``done/`` and ``rejected/`` folders older than the period are deleted too.
`kakunin purge [--dry-run]` runs it; `kakunin run` runs it once a day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from intake.hotfolder import DONE, REJECTED
from intake.privacy import mask_any, mask_extraction, mask_values
from intake.services import Services
from intake.store import keeping
from intake.store.db import transaction
from intake.store.repo import audit

ACTOR = "retention"


@dataclass(frozen=True)
class PurgedDocument:
    """One document purged (or that would be, in a dry run)."""

    document_id: int
    status: str
    files: tuple[str, ...]
    bytes: int
    my_number_readings: int
    records: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "status": self.status,
            "files": list(self.files),
            "bytes": self.bytes,
            "my_number_readings": self.my_number_readings,
            "records": list(self.records),
        }


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    dry_run: bool
    documents: tuple[PurgedDocument, ...] = ()
    records: tuple[int, ...] = ()
    hotfolder_files: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff.isoformat(timespec="seconds"),
            "dry_run": self.dry_run,
            "documents": [d.to_json() for d in self.documents],
            "records": list(self.records),
            "hotfolder_files": list(self.hotfolder_files),
        }


def cutoff_of(days: int, now: datetime) -> datetime:
    """What was delivered (rejected, failed) before this moment is past its keeping period."""
    return now - timedelta(days=days)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _old_hotfolder_copies(services: Services, cutoff: datetime) -> list[Path]:
    """Files left in done/ (copies of accepted originals) and rejected/ (refused files and their
    reasons) older than the cutoff."""
    root = services.settings.hotfolder_dir
    found = []
    for folder in (root / DONE, root / REJECTED):
        if folder.is_dir():
            # ctime: when the file was moved there (a rename sets it), not the scanner's mtime,
            # which may be old, so a file refused today is not deleted before anyone saw it.
            found += [
                p
                for p in folder.iterdir()
                if p.is_file() and max(p.stat().st_mtime, p.stat().st_ctime) < cutoff.timestamp()
            ]
    return sorted(found)


def purge(
    services: Services, now: datetime | None = None, dry_run: bool = False, wait: bool = True
) -> PurgeReport:
    """Delete what is past its keeping period (see the module's docstring); with ``dry_run``
    only report it. Each document is purged in its own transaction, its files deleted before
    the rows are marked, so an interrupted purge is finished by the next one. Without ``wait``,
    raises :class:`BlockingIOError` when a backup or a key rotation is running."""
    now = now or datetime.now(UTC)
    days = services.settings.retention_days
    cutoff = cutoff_of(days, now)
    if days <= 0:
        return PurgeReport(cutoff, dry_run)
    with services.files.maintenance(wait):
        with transaction(services.sessions) as session:
            document_ids = keeping.purgeable_documents(session, cutoff)
            record_ids = keeping.maskable_records(session, cutoff)
        done = [_purge_document(services, document_id, now, dry_run) for document_id in document_ids]
        if not dry_run:
            for record_id in record_ids:
                _mask_record(services, record_id, now)
        copies = _old_hotfolder_copies(services, cutoff)
        if copies and not dry_run:
            _delete_hotfolder_copies(services, copies)
    return PurgeReport(
        cutoff,
        dry_run,
        tuple(done),
        tuple(record_ids),
        tuple(f"{p.parent.name}/{p.name}" for p in copies),
    )


def _purge_document(services: Services, document_id: int, now: datetime, dry_run: bool) -> PurgedDocument:
    """One document past its period, in its own transaction: its files deleted, then its
    個人番号 masked and the purge audited (with ``dry_run``, only what that would be)."""
    store = services.files
    with transaction(services.sessions) as session:
        plan = keeping.plan_purge(session, document_id)
        size = sum(_size(store.path(name)) for name in plan.files)
        purged = PurgedDocument(
            document_id, plan.status, plan.files, size, plan.my_number_readings, plan.records
        )
        if dry_run:
            return purged
        for name in plan.files:
            store.delete(name)
        keeping.mark_purged(session, document_id, now, mask_any, mask_values, mask_extraction)
        audit(
            session,
            ACTOR,
            "document_purged",
            document_id,
            retention_days=services.settings.retention_days,
            status=plan.status,
            files=list(plan.files),
            bytes=size,
            my_number_readings=plan.my_number_readings,
            records=list(plan.records),
        )
    return purged


def _mask_record(services: Services, record_id: int, now: datetime) -> None:
    """An API event's record past its period: its 個人番号 masked, audited."""
    with transaction(services.sessions) as session:
        keeping.mask_record(session, record_id, now, mask_values)
        audit(
            session,
            ACTOR,
            "record_masked",
            None,
            record=record_id,
            retention_days=services.settings.retention_days,
        )


def _delete_hotfolder_copies(services: Services, copies: list[Path]) -> None:
    """The hotfolder's old copies deleted, audited (the first 1,000 named)."""
    for path in copies:
        path.unlink(missing_ok=True)
    with transaction(services.sessions) as session:
        audit(
            session,
            ACTOR,
            "hotfolder_purged",
            None,
            files=[f"{p.parent.name}/{p.name}" for p in copies][:1000],
            count=len(copies),
        )
