"""Records and decisions out; events without a form (new_employee …) in."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from intake import events, review
from intake.domain import RecordStatus
from intake.errors import ErrorCode
from intake.privacy import mask_values
from intake.store import repo
from intake.store.db import transaction
from review_ui.api.common import Limit, Offset, error_response
from review_ui.deps import DbId, Reader, ServicesDep, Writer

router = APIRouter()


@router.post("/api/v1/events", status_code=201)
async def post_event(request: Request, services: ServicesDep, caller: Writer) -> JSONResponse:
    """An event without a form (new_employee, shokken_list, myna_registered, cert_expired)
    becomes a record and goes through the same rules. The body must be declared JSON: a form
    or ``text/plain`` post is what a page of another site can send without asking."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        return error_response(
            415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type: application/json で送ってください"
        )
    try:
        body = await request.json()
    except ValueError:
        return error_response(400, ErrorCode.INVALID_JSON, "JSON を送ってください")
    if not isinstance(body, dict) or not isinstance(body.get("kind"), str):
        return error_response(
            422,
            ErrorCode.INVALID_EVENT,
            "kind（new_employee / shokken_list / myna_registered / cert_expired）が必要です",
        )
    try:
        result = events.record_event(
            services, body["kind"], {k: v for k, v in body.items() if k != "kind"}, caller.name
        )
    except ValueError as exc:
        return error_response(422, ErrorCode.INVALID_EVENT, str(exc))
    return JSONResponse(status_code=201, content=result)


@router.get("/api/v1/records")
def records(
    services: ServicesDep,
    caller: Reader,
    status: str | None = None,
    form_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> dict[str, Any]:
    """Records with their decisions, filtered by status, form and validation date (since/until,
    inclusive); paginated by offset/limit."""
    items = review.list_records(services, status, form_id, offset, limit, since, until)
    if not caller.sees_my_number:
        for item in items:
            item["values"] = mask_values(item["values"])
    return {"items": items, "offset": offset, "limit": limit}


@router.get("/api/v1/records/{record_id}")
def record(services: ServicesDep, caller: Reader, record_id: DbId) -> dict[str, Any]:
    view = review.record_view(services, record_id)
    if view is None:
        raise HTTPException(404, detail={"code": ErrorCode.NOT_FOUND, "message": "記録が見つかりません"})
    if not caller.sees_my_number:
        view["values"] = mask_values(view["values"])
    with transaction(services.sessions) as session:
        repo.audit(
            session,
            caller.name,
            "record_exported",
            view["document_id"],
            record=record_id,
            my_number=caller.sees_my_number,
        )
    return view


@router.get("/api/v1/decisions")
def decisions(
    services: ServicesDep, _caller: Reader, offset: Offset = 0, limit: Limit = 50
) -> dict[str, Any]:
    items = [
        r["decision"] | {"record_id": r["id"]}
        for r in review.list_records(services, RecordStatus.VALIDATED, None, offset, limit)
        if r["decision"]
    ]
    return {"items": items, "offset": offset, "limit": limit}
