"""Documents: upload, one document with its extraction, the review tasks, the service's status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse

from intake.accept import accept
from intake.domain import Document, DocumentStatus
from intake.errors import MESSAGES, ErrorCode, RejectedInput, TransientFailure
from intake.privacy import mask_extraction
from intake.reconcile import status_report
from intake.store import repo
from intake.store.db import transaction
from review_ui.api.common import error_response
from review_ui.deps import Caller, DbId, Reader, ServicesDep, Writer

router = APIRouter()


@router.post("/api/v1/documents", status_code=202)
async def upload(request: Request, services: ServicesDep, caller: Writer, file: UploadFile) -> JSONResponse:
    limit = services.settings.limits.max_bytes
    too_large = f"ファイルが大きすぎます（上限 {limit:,} バイト）。"
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        return error_response(413, ErrorCode.TOO_LARGE, too_large)
    data = await file.read(limit + 1)
    if len(data) > limit:
        return error_response(413, ErrorCode.TOO_LARGE, too_large)
    try:
        result = accept(services, data, file.filename or "upload", source="upload", actor=caller.name)
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


def _document_json(document: Document, tasks: list[dict[str, Any]], caller: Caller) -> dict[str, Any]:
    error = {"code": document.error_code, "message": document.error_message} if document.error_code else None
    extraction = dict(document.extraction) if document.extraction else None
    if extraction:
        extraction.pop("timings", None)
        if not caller.sees_my_number:
            extraction = mask_extraction(extraction)
    return {
        "id": document.id,
        "status": document.status.value,
        "review": tasks,
        "source": document.source,
        "original_name": document.original_name,
        "media_type": document.media_type,
        "pages": document.page_count,
        "received_at": document.created_at.isoformat(),
        "error": error,
        "extraction": extraction,
    }


@router.get("/api/v1/documents/{document_id}")
def get_document(services: ServicesDep, caller: Reader, document_id: DbId) -> dict[str, Any]:
    with transaction(services.sessions) as session:
        document = repo.get_document(session, document_id)
        if document is not None:
            repo.audit(
                session, caller.name, "document_exported", document_id, my_number=caller.sees_my_number
            )
    if document is None:
        raise HTTPException(404, detail={"code": ErrorCode.NOT_FOUND, "message": "文書が見つかりません"})
    with transaction(services.sessions) as session:
        tasks = [
            {"task_id": t.id, "form_index": t.form_index, "form_id": t.form_id, "status": t.status}
            for t in repo.review_tasks_of(session, document_id)
        ]
    return _document_json(document, tasks, caller)


@router.get("/api/v1/status")
def status(services: ServicesDep, _caller: Reader) -> dict[str, Any]:
    """Queue depth, documents per state, failed jobs and the no-loss invariant."""
    return status_report(services)


@router.get("/api/v1/review-tasks")
def review_tasks(services: ServicesDep, _caller: Reader, form_id: str | None = None) -> list[dict[str, Any]]:
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
            "received_at": d.created_at.isoformat(),
        }
        for t, d in rows
    ]
