"""The 受付エラー list (issue 15 item 9): files refused at the hotfolder or upload — not taken
(empty, too large, a name that cannot be used) or taken as a failed document (encrypted,
corrupt, not an image …) — and files sent again that repeat a stored document. Each stays on
the list until someone acknowledges it (audited)."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from intake.services import Services
from intake.store import intake_errors as store
from intake.store.db import transaction
from intake.store.intake_errors import IntakeError

log = logging.getLogger(__name__)
REFUSED, DUPLICATE = "refused", "duplicate"
#: How many the list shows at once, newest first.
LIMIT = 200


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
            store.add(session, kind, source, name, code, message, document_id)
    except SQLAlchemyError:
        log.warning("intake error not listed (database unavailable): %s %s %s", kind, name, code)


def listed(services: Services, acknowledged: bool = False) -> list[IntakeError]:
    """The errors still to acknowledge (or, with ``acknowledged``, those acknowledged), newest
    first."""
    with transaction(services.sessions) as session:
        return store.listed(session, acknowledged, LIMIT)


def count_open(services: Services) -> int:
    """How many errors nobody has acknowledged yet."""
    with transaction(services.sessions) as session:
        return store.count_open(session)


def acknowledge(services: Services, error_id: int, actor: str) -> bool:
    """Mark one error seen by ``actor`` (audited); False when there is no such error or it was
    acknowledged already."""
    with transaction(services.sessions) as session:
        return store.acknowledge(session, error_id, actor)
