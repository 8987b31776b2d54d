"""Documents: upload, one document with its extraction, the review tasks, the service's status."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from redis.exceptions import RedisError

from extractors.template import load_templates
from intake import auth
from intake.accept import accept
from intake.domain import Document, DocumentStatus
from intake.errors import MESSAGES, ErrorCode, RejectedInput, TransientFailure
from intake.page_images import masked_image
from intake.privacy import mask_extraction, my_number_boxes
from intake.reconcile import status_report
from intake.store import repo
from intake.store.db import transaction
from intake.store.listing import DocumentFilter, PageView, documents_after, page_of, record_ids_of_document
from review_ui.api.common import (
    Cursor,
    PageLimit,
    aware,
    decode_cursor,
    error_response,
    one_of,
    page_links,
    refusal,
)
from review_ui.api.models import (
    DocumentList,
    DocumentOut,
    ReviewTaskOut,
    StatusOut,
    UploadAccepted,
    rfc3339,
)
from review_ui.deps import Caller, DbId, Reader, ServicesDep, Writer

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks  # a TypedDict for type checkers only

router = APIRouter()

#: Where a document came from (``documents.source``).
SOURCES = ("hotfolder", "upload")

#: What a multipart body may carry besides the file's bytes (boundaries, part headers, small
#: fields): a body longer than the limit plus this is refused while it streams.
MULTIPART_OVERHEAD = 64 * 1024

#: The request body as the OpenAPI document describes it (the route reads the stream itself).
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


class _TooLarge(Exception):
    """The upload went past the size limit while streaming."""


class _FilePart:
    """Collects the ``file`` part of a multipart body in memory as it streams, up to ``limit``
    bytes: nothing reaches a temporary file, and the first byte past the limit ends the read."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data: bytearray | None = None
        self.filename = ""
        self._capturing = False
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
        }

    def _part_begin(self) -> None:
        self._disposition = b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if bytes(self._header_name).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        # The first part named "file" is the upload; any other part is read past and dropped.
        self._capturing = options.get(b"name") == b"file" and self.data is None
        if self._capturing:
            self.data = bytearray()
            self.filename = options.get(b"filename", b"").decode("utf-8", "replace")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._capturing and self.data is not None:
            self.data += data[start:end]
            if len(self.data) > self.limit:
                raise _TooLarge

    def _part_end(self) -> None:
        self._capturing = False


async def _read_upload(request: Request, limit: int) -> _FilePart | None:
    """The ``file`` part of the multipart body, read as it streams; None when the body is not
    multipart or has no file part. Raises :class:`_TooLarge` at the first byte past the limit
    (of the file, or of the whole body past the limit plus the multipart overhead)."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        return None
    part = _FilePart(limit)
    parser = MultipartParser(boundary, part.callbacks())
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit + MULTIPART_OVERHEAD:
                raise _TooLarge
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        return None
    return part if part.data is not None else None


def _invalid_upload() -> JSONResponse:
    return error_response(
        422, ErrorCode.INVALID_REQUEST, "リクエストが正しくありません: multipart/form-data の file が必要です"
    )


@router.post(
    "/api/v1/documents",
    status_code=202,
    openapi_extra=_UPLOAD_BODY,
    response_model=UploadAccepted,
    tags=["documents"],
)
async def upload(request: Request, services: ServicesDep, caller: Writer) -> JSONResponse:
    """Accept one file (multipart ``file``). The key and its scope are checked (``Writer``)
    before a byte of the body is read, then the key's rate; the body is read as it streams and
    refused at the first byte past the limit, with nothing written anywhere. Accepting (hash,
    archive, database, queue) runs in a thread, off the event loop."""
    limit = services.settings.limits.max_bytes
    too_large = f"ファイルが大きすぎます（上限 {limit:,} バイト）。"
    # The rest of a refused body is not read: the connection is closed after the answer.
    close = {"Connection": "close"}
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        return refusal(413, ErrorCode.TOO_LARGE, too_large, close)
    per_minute = services.settings.upload_rate_per_minute
    if per_minute > 0:
        try:
            wait = await run_in_threadpool(auth.upload_wait, services, caller.name, per_minute)
        except RedisError:
            return refusal(503, ErrorCode.UNAVAILABLE, MESSAGES[ErrorCode.UNAVAILABLE], close)
        if wait:
            return refusal(
                429,
                ErrorCode.RATE_LIMITED,
                f"アップロードが多すぎます（1分間に {per_minute} 件まで）。{wait} 秒後に再度お試しください。",
                {**close, "Retry-After": str(wait)},
            )
    try:
        part = await _read_upload(request, limit)
    except _TooLarge:
        return refusal(413, ErrorCode.TOO_LARGE, too_large, close)
    if part is None or part.data is None:
        return _invalid_upload()
    try:
        result = await run_in_threadpool(
            accept, services, bytes(part.data), part.filename or "upload", source="upload", actor=caller.name
        )
    except RejectedInput as exc:
        return error_response(422 if exc.code is ErrorCode.EMPTY else 413, exc.code, exc.message)
    except TransientFailure:
        return error_response(503, ErrorCode.UNAVAILABLE, MESSAGES[ErrorCode.UNAVAILABLE])
    document = result.document
    body = {"id": document.id, "status": document.status.value, "duplicate": not result.created}
    if document.status is DocumentStatus.FAILED:
        return error_response(
            422, document.error_code or ErrorCode.UNREADABLE, document.error_message or "", **body
        )
    return JSONResponse(status_code=202, content=body)


def _error(document: Document) -> dict[str, str] | None:
    if not document.error_code:
        return None
    return {"code": document.error_code, "message": document.error_message or ""}


def _document_json(
    document: Document, tasks: list[dict[str, Any]], records: list[int], caller: Caller
) -> dict[str, Any]:
    extraction = dict(document.extraction) if document.extraction else None
    if extraction:
        extraction.pop("timings", None)
        if not caller.sees_my_number:
            extraction = mask_extraction(extraction)
    return {
        "object": "document",
        "id": document.id,
        "status": document.status.value,
        "review": tasks,
        "source": document.source,
        "original_name": document.original_name,
        "media_type": document.media_type,
        "pages": document.page_count,
        "received_at": rfc3339(document.created_at),
        "error": _error(document),
        "extraction": extraction,
        "records": records,
    }


_NOT_FOUND = {"code": ErrorCode.NOT_FOUND, "message": "文書が見つかりません"}


@router.get("/api/v1/documents", response_model=DocumentList, tags=["documents"])
def list_documents(
    request: Request,
    services: ServicesDep,
    _caller: Reader,
    status: Annotated[
        str | None, Query(json_schema_extra={"enum": [s.value for s in DocumentStatus]})
    ] = None,
    source: Annotated[str | None, Query(json_schema_extra={"enum": list(SOURCES)})] = None,
    since: Annotated[datetime | None, Query(description="受付がこの時刻以降（RFC 3339）")] = None,
    until: Annotated[datetime | None, Query(description="受付がこの時刻より前（RFC 3339）")] = None,
    form: Annotated[str | None, Query(description="このフォーム id と読まれたページを含む")] = None,
    cursor: Cursor = None,
    limit: PageLimit = 50,
) -> dict[str, Any]:
    """Documents, oldest first: every file taken in from the hotfolder or an upload. Filter by
    state, source, time received and form; page with ``cursor`` (``next``). Keep the last
    ``cursor`` and ask again later to get only the documents received since."""
    after = decode_cursor("documents", cursor)
    where = DocumentFilter(
        status=one_of("status", status, [s.value for s in DocumentStatus]),
        source=one_of("source", source, SOURCES),
        since=aware(since),
        until=aware(until),
        form_id=one_of("form", form, {t.form_id for t in load_templates()}),
    )
    with transaction(services.sessions) as session:
        rows = documents_after(session, after, limit + 1, where)
    items = [
        {
            "object": "document",
            "id": row.document.id,
            "status": row.document.status.value,
            "source": row.document.source,
            "original_name": row.document.original_name,
            "media_type": row.document.media_type,
            "pages": row.document.page_count,
            "forms": list(row.forms),
            "received_at": rfc3339(row.document.created_at),
            "updated_at": rfc3339(row.document.updated_at),
            "error": _error(row.document),
            "url": f"/api/v1/documents/{row.document.id}",
        }
        for row in rows[:limit]
    ]
    links = page_links(request, "documents", [row.document.id for row in rows], limit, after)
    return {"object": "list", "items": items, **links}


@router.get("/api/v1/documents/{document_id}", response_model=DocumentOut, tags=["documents"])
def get_document(services: ServicesDep, caller: Reader, document_id: DbId) -> dict[str, Any]:
    """One document: its state, its review tasks, the records made from it and its extraction
    (個人番号 to the last four digits unless the key has the ``my_number`` scope)."""
    with transaction(services.sessions) as session:
        document = repo.get_document(session, document_id)
        if document is not None:
            repo.audit(
                session, caller.name, "document_exported", document_id, my_number=caller.sees_my_number
            )
    if document is None:
        raise HTTPException(404, detail=_NOT_FOUND)
    with transaction(services.sessions) as session:
        tasks = [
            {"task_id": t.id, "form_index": t.form_index, "form_id": t.form_id, "status": t.status}
            for t in repo.review_tasks_of(session, document_id)
        ]
        records = record_ids_of_document(session, document_id)
    return _document_json(document, tasks, records, caller)


_PNG = {200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}, "description": "PNG"}}


@router.get(
    "/api/v1/documents/{document_id}/pages/{page_no}",
    response_class=Response,
    responses=_PNG,  # type: ignore[arg-type]
    tags=["documents"],
)
def page_png(
    services: ServicesDep,
    caller: Reader,
    document_id: DbId,
    page_no: Annotated[int, Path(ge=1, le=10_000)],
) -> Response:
    """Page ``page_no`` (from 1) as the PNG the reader read. Every 個人番号 box (its form
    version's cells and where the reading was found, widened) is blacked out on the server
    unless the key has the ``my_number`` scope; the fetch is audited."""
    with transaction(services.sessions) as session:
        page = page_of(session, document_id, page_no)
        if page is not None:
            repo.audit(
                session,
                caller.name,
                "page_exported",
                document_id,
                page=page_no,
                my_number=caller.sees_my_number,
            )
    if page is None or not services.files.exists(page.image_sha256):
        raise HTTPException(404, detail={"code": ErrorCode.NOT_FOUND, "message": "ページが見つかりません"})
    if caller.sees_my_number:
        data = services.files.get(page.image_sha256)
    else:  # made once and kept encrypted beside the image, as the review screens do
        data = masked_image(services.files, page.image_sha256, _my_number_boxes(page))
    return Response(data, media_type="image/png", headers={"Cache-Control": "no-store"})


def _my_number_boxes(page: PageView) -> list[tuple[tuple[float, float, float, float], float]]:
    """The page's 個人番号 boxes with their template's page width: the cells of the template
    of the page's form and version (another version's cells may lie elsewhere) and where the
    readings were found."""
    templates = [t for t in load_templates() if t.form_id == page.form_id]
    template = next((t for t in templates if t.form_version == page.form_version), None)
    if template is None and templates:
        template = templates[0]
    if template is None:
        return []
    width = template.canvas.width_pt
    return [(box, width) for box in [*my_number_boxes(template), *page.my_number_boxes]]


@router.get("/api/v1/status", response_model=StatusOut, tags=["service"])
def status(services: ServicesDep, _caller: Reader) -> dict[str, Any]:
    """Queue depth, documents per state, failed jobs and the no-loss invariant."""
    return status_report(services)


@router.get("/api/v1/review-tasks", response_model=list[ReviewTaskOut], tags=["review"])
def review_tasks(services: ServicesDep, _caller: Reader, form_id: str | None = None) -> list[dict[str, Any]]:
    """Review tasks waiting for a person, oldest first (at most 200)."""
    with transaction(services.sessions) as session:
        rows = repo.open_review_tasks(session, form_id)
    return [
        {
            "id": t.id,
            "document_id": d.id,
            "form_id": t.form_id,
            "status": t.status,
            "doubtful_fields": t.doubtful_fields,
            "findings": t.findings,
            "received_at": rfc3339(d.created_at),
        }
        for t, d in rows
    ]
