"""``accept``: the one door every document comes through (hotfolder, upload, CLI).

Order matters and is the promise: check limits → hash → archive the original (fsynced) →
commit the row → enqueue. A crash after any step leaves nothing lost: an archived file
without a row is simply stored again; a row without a job is queued by reconcile.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake import intake_errors
from intake.domain import AcceptResult, Document, DocumentStatus
from intake.errors import MESSAGES, ErrorCode, RejectedInput, rejected_from_raster, transient
from intake.outbox import emit_document
from intake.queue import enqueue_document
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.files import sha256_of
from ocr.errors import RasterError
from ocr.raster import MEDIA_TYPES, count_pages, sniff_type


@dataclass(frozen=True)
class _Content:
    """What the bytes alone say of a file: its media type, its pages, and why it cannot be
    processed (``error`` and an optional message; None: it can)."""

    media_type: str
    pages: int = 0
    error: ErrorCode | None = None
    message: str | None = None

    @property
    def status(self) -> DocumentStatus:
        return DocumentStatus.FAILED if self.error else DocumentStatus.RECEIVED

    @property
    def error_message(self) -> str | None:
        return (self.message or MESSAGES[self.error]) if self.error else None


def _check_content(data: bytes, max_pages: int) -> _Content:
    """Judged from the bytes alone, never the name."""
    kind = sniff_type(data[:2048])
    if kind is None:
        return _Content("application/octet-stream", error=ErrorCode.UNSUPPORTED_TYPE)
    try:
        pages = count_pages(data, kind)
    except RasterError as exc:
        rejected = rejected_from_raster(exc)
        return _Content(MEDIA_TYPES[kind], error=rejected.code, message=rejected.message)
    if pages > max_pages:
        return _Content(
            MEDIA_TYPES[kind],
            pages,
            ErrorCode.TOO_MANY_PAGES,
            f"{pages} ページあります（上限 {max_pages}）。分割して提出してください。",
        )
    if pages == 0:
        return _Content(MEDIA_TYPES[kind], error=ErrorCode.UNREADABLE, message="ページがありません。")
    return _Content(MEDIA_TYPES[kind], pages)


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
    _refuse_unkept(services, data, original_name, source)
    digest = sha256_of(data)
    existing = _already_stored(services, digest, original_name, source)
    if existing:
        return AcceptResult(existing, created=False)
    content = _check_content(data, services.settings.limits.max_pages)
    with transient("file store unavailable"):
        services.files.put(data)
    document, created = _commit(services, data, digest, original_name, source, actor, content)
    if created and content.error is not None:
        intake_errors.record(
            services,
            intake_errors.REFUSED,
            source,
            original_name,
            content.error.value,
            document.error_message or MESSAGES[content.error],
            document.id,
        )
    if created and content.status is DocumentStatus.RECEIVED:
        enqueue_document(services.queue, document.id)
    return AcceptResult(document, created)


def _refuse_unkept(services: Services, data: bytes, original_name: str, source: str) -> None:
    """Raise :class:`RejectedInput` for bytes not kept at all (empty, over the size limit),
    after putting them on the 受付エラー list."""
    max_bytes = services.settings.limits.max_bytes
    if not data:
        refused = RejectedInput(ErrorCode.EMPTY)
    elif len(data) > max_bytes:
        refused = RejectedInput(
            ErrorCode.TOO_LARGE,
            f"ファイルが大きすぎます（{len(data):,} バイト、上限 {max_bytes:,} バイト）。",
        )
    else:
        return
    intake_errors.record(
        services, intake_errors.REFUSED, source, original_name, refused.code.value, refused.message
    )
    raise refused


def _already_stored(services: Services, digest: str, original_name: str, source: str) -> Document | None:
    """The document these bytes already are, put on the 受付エラー list as a duplicate."""
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
    return existing


def _commit(
    services: Services,
    data: bytes,
    digest: str,
    original_name: str,
    source: str,
    actor: str,
    content: _Content,
) -> tuple[Document, bool]:
    """The document's row, its audit entry and its webhook event in one transaction; created
    False when another door committed the same bytes first."""
    status, error = content.status, content.error
    with transient("database unavailable"), transaction(services.sessions) as session:
        document, created = repo.insert_document(
            session,
            sha256=digest,
            source=source,
            original_name=original_name,
            media_type=content.media_type,
            size_bytes=len(data),
            page_count=content.pages,
            status=status,
            error_code=error.value if error else None,
            error_message=content.error_message,
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
    return document, created
