"""``accept``: the one door every document comes through (hotfolder, upload, CLI).

Order matters and is the promise: check limits → hash → archive the original (fsynced) →
commit the row → enqueue. A crash after any step leaves nothing lost: an archived file
without a row is simply stored again; a row without a job is queued by reconcile.
"""

from __future__ import annotations

from intake import intake_errors
from intake.domain import AcceptResult, DocumentStatus
from intake.errors import MESSAGES, ErrorCode, RejectedInput, rejected_from_raster, transient
from intake.outbox import emit_document
from intake.queue import enqueue_document
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.files import sha256_of
from ocr.errors import RasterError
from ocr.raster import MEDIA_TYPES, count_pages, sniff_type


def _check_content(data: bytes, max_pages: int) -> tuple[str, int, ErrorCode | None, str | None]:
    """(media type, pages, error code, message) judged from the bytes alone, never the name."""
    kind = sniff_type(data[:2048])
    if kind is None:
        return "application/octet-stream", 0, ErrorCode.UNSUPPORTED_TYPE, None
    try:
        pages = count_pages(data, kind)
    except RasterError as exc:
        rejected = rejected_from_raster(exc)
        return MEDIA_TYPES[kind], 0, rejected.code, rejected.message
    if pages > max_pages:
        return (
            MEDIA_TYPES[kind],
            pages,
            ErrorCode.TOO_MANY_PAGES,
            f"{pages} ページあります（上限 {max_pages}）。分割して提出してください。",
        )
    if pages == 0:
        return MEDIA_TYPES[kind], 0, ErrorCode.UNREADABLE, "ページがありません。"
    return MEDIA_TYPES[kind], pages, None, None


def accept(
    services: Services, data: bytes, original_name: str, source: str, actor: str = "system"
) -> AcceptResult:
    """Store a document and queue it; the same bytes twice give the same document.

    Raises :class:`RejectedInput` for input that is not kept at all (empty, over the size
    limit). Input that is kept but cannot be processed (wrong type, encrypted, corrupt, too
    many pages) becomes a ``failed`` document with a code and a message. Raises
    :class:`TransientFailure` when the database or the file store is unavailable: nothing was
    committed, and the same bytes may be given again.
    """
    limits = services.settings.limits
    refused: RejectedInput | None = None
    if not data:
        refused = RejectedInput(ErrorCode.EMPTY)
    elif len(data) > limits.max_bytes:
        refused = RejectedInput(
            ErrorCode.TOO_LARGE,
            f"ファイルが大きすぎます（{len(data):,} バイト、上限 {limits.max_bytes:,} バイト）。",
        )
    if refused is not None:  # on the 受付エラー list, then refused
        intake_errors.record(
            services, intake_errors.REFUSED, source, original_name, refused.code.value, refused.message
        )
        raise refused
    digest = sha256_of(data)
    with transient("database unavailable"), transaction(services.sessions) as session:
        existing = repo.find_by_sha(session, digest)
    if existing:
        intake_errors.record(
            services,
            intake_errors.DUPLICATE,
            source,
            original_name,
            "duplicate",
            f"受付番号 {existing.id} と同じファイルです",
            existing.id,
        )
        return AcceptResult(existing, created=False)

    media_type, pages, error, message = _check_content(data, limits.max_pages)
    with transient("file store unavailable"):
        services.files.put(data)
    status = DocumentStatus.FAILED if error else DocumentStatus.RECEIVED
    with transient("database unavailable"), transaction(services.sessions) as session:
        document, created = repo.insert_document(
            session,
            sha256=digest,
            source=source,
            original_name=original_name,
            media_type=media_type,
            size_bytes=len(data),
            page_count=pages,
            status=status,
            error_code=error.value if error else None,
            error_message=(message or MESSAGES[error]) if error else None,
        )
        if created:
            repo.audit(
                session,
                actor,
                "document_received",
                document.id,
                source=source,
                name=original_name,
                status=status.value,
            )
            emit_document(  # in this transaction: the webhook targets hear of it (issue 18 item 5)
                session,
                f"document.{status.value}",
                document.id,
                source=source,
                **({"code": error.value} if error else {}),
            )
    if created and error is not None:
        intake_errors.record(
            services,
            intake_errors.REFUSED,
            source,
            original_name,
            error.value,
            document.error_message or MESSAGES[error],
            document.id,
        )
    if created and status is DocumentStatus.RECEIVED:
        enqueue_document(services.queue, document.id)
    return AcceptResult(document, created)
