"""The 受付エラー list (issue 15 item 9): files refused at the hotfolder or upload — not taken
(empty, too large, a name that cannot be used) or taken as a failed document (encrypted,
corrupt, not an image …) — and files sent again that repeat a stored document. Each stays on
the list until someone acknowledges it (audited)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import DocumentRow, IntakeErrorRow

log = logging.getLogger(__name__)
REFUSED, DUPLICATE = "refused", "duplicate"
#: How many the list shows at once, newest first.
LIMIT = 200


@dataclass(frozen=True)
class IntakeError:
    id: int
    at: datetime
    kind: str
    source: str
    name: str
    code: str
    message: str
    document_id: int | None
    #: The name the repeated document was received under (duplicates).
    original_name: str | None
    acknowledged_by: str | None


def record(
    services: Services,
    kind: str,
    source: str,
    name: str,
    code: str,
    message: str,
    document_id: int | None = None,
) -> None:
    """Put a refused file or a duplicate on the list. Never raises: a file refused while the
    database is down is still refused (and logged)."""
    try:
        with transaction(services.sessions) as session:
            session.add(
                IntakeErrorRow(
                    kind=kind,
                    source=source[:16],
                    name=name[:255],
                    code=code[:32],
                    message=message,
                    document_id=document_id,
                )
            )
    except SQLAlchemyError:
        log.warning("intake error not listed (database unavailable): %s %s %s", kind, name, code)


def listed(services: Services, acknowledged: bool = False) -> list[IntakeError]:
    """The errors still to acknowledge (or, with ``acknowledged``, those acknowledged), newest
    first."""
    with transaction(services.sessions) as session:
        query = (
            select(IntakeErrorRow, DocumentRow.original_name)
            .outerjoin(DocumentRow, DocumentRow.id == IntakeErrorRow.document_id)
            .where(
                IntakeErrorRow.acknowledged_at.is_not(None)
                if acknowledged
                else IntakeErrorRow.acknowledged_at.is_(None)
            )
            .order_by(IntakeErrorRow.at.desc(), IntakeErrorRow.id.desc())
            .limit(LIMIT)
        )
        return [
            IntakeError(
                row.id,
                row.at,
                row.kind,
                row.source,
                row.name,
                row.code,
                row.message,
                row.document_id,
                original,
                row.acknowledged_by,
            )
            for row, original in session.execute(query).all()
        ]


def count_open(services: Services) -> int:
    """How many errors nobody has acknowledged yet."""
    with transaction(services.sessions) as session:
        query = (
            select(func.count()).select_from(IntakeErrorRow).where(IntakeErrorRow.acknowledged_at.is_(None))
        )
        return int(session.scalar(query) or 0)


def acknowledge(services: Services, error_id: int, actor: str) -> bool:
    """Mark one error seen by ``actor`` (audited); False when there is no such error or it was
    acknowledged already."""
    with transaction(services.sessions) as session:
        row = session.get(IntakeErrorRow, error_id, with_for_update=True)
        if row is None or row.acknowledged_at is not None:
            return False
        row.acknowledged_by, row.acknowledged_at = actor, datetime.now(UTC)
        repo.audit(
            session,
            actor,
            "intake_error_acknowledged",
            row.document_id,
            error=row.id,
            kind=row.kind,
            name=row.name,
            code=row.code,
        )
        return True
