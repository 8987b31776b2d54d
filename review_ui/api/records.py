"""Records and decisions out; events without a form (new_employee …) in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

from extractors.template import load_templates
from intake import auth, events, review
from intake.domain import RecordStatus
from intake.errors import ErrorCode
from intake.privacy import mask_values
from intake.store import repo
from intake.store.db import transaction
from intake.store.listing import audit_after, decisions_after, record_ids_after
from review_ui.api.common import Cursor, PageLimit, aware, decode_cursor, error_response, one_of, page_links
from review_ui.api.models import (
    EVENT_BODY,
    AuditList,
    DecisionList,
    EventCreated,
    RecordList,
    RecordOut,
    rfc3339,
)
from review_ui.deps import COOKIE, Caller, DbId, Reader, ServicesDep, Unauthorized, Writer

router = APIRouter()


_EVENTS = TypeAdapter(EVENT_BODY)


@router.post("/api/v1/events", status_code=201, response_model=EventCreated, tags=["events"])
async def post_event(request: Request, services: ServicesDep, caller: Writer) -> JSONResponse:
    """An event without a form (its ``kind`` tells which: new_employee, shokken_list,
    myna_registered, cert_expired, retired, died …) becomes a record and goes through the same
    rules. The body must be declared JSON: a form or ``text/plain`` post is what a page of
    another site can send without asking. The body is checked against the schema's union."""
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
        return error_response(422, ErrorCode.INVALID_EVENT, f"kind（{' / '.join(events.KINDS)}）が必要です")
    try:
        _EVENTS.validate_python(body)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return error_response(422, ErrorCode.INVALID_EVENT, f"イベントが正しくありません: {problems}")
    try:
        result = events.record_event(
            services, body["kind"], {k: v for k, v in body.items() if k != "kind"}, caller.name
        )
    except ValueError as exc:
        return error_response(422, ErrorCode.INVALID_EVENT, str(exc))
    return JSONResponse(status_code=201, content=result)


def _day(value: date | None, later: bool = False) -> datetime | None:
    if value is None or (later and value >= date.max):
        return None  # the day after 9999-12-31 is no date: no upper bound
    start = datetime.combine(value, datetime.min.time(), UTC)
    return start + timedelta(days=1) if later else start


def _form_ids() -> set[str]:
    return {t.form_id for t in load_templates()}


def _record_out(view: review.RecordShown, caller: Caller) -> dict[str, Any]:
    record, decision = view.record, view.decision
    return {
        "object": "record",
        "id": record.id,
        "document_id": record.document_id,
        "form_id": record.form_id,
        "status": record.status,
        "values": view.values if caller.sees_my_number else mask_values(view.values),
        "corrected": view.corrected,
        "reviewed_by": view.reviewed_by,
        "validated_by": record.validated_by,
        "validated_at": rfc3339(record.validated_at),
        "decision": {
            "decision": decision.decision,
            "outcomes": decision.outcomes,
            "persons": decision.persons,
            "at": rfc3339(decision.created_at),
        }
        if decision
        else None,
    }


@router.get("/api/v1/records", response_model=RecordList, tags=["records"])
def records(
    request: Request,
    services: ServicesDep,
    caller: Reader,
    status: Annotated[str | None, Query(json_schema_extra={"enum": [s.value for s in RecordStatus]})] = None,
    form_id: str | None = None,
    since: Annotated[date | None, Query(description="この日以降に作られた記録")] = None,
    until: Annotated[date | None, Query(description="この日まで（含む）")] = None,
    cursor: Cursor = None,
    limit: PageLimit = 50,
) -> dict[str, Any]:
    """Records with their latest decision, oldest first, filtered by status, form and day
    (since/until, inclusive); paged with ``cursor`` (``next``)."""
    after = decode_cursor("records", cursor)
    one_of("status", status, [s.value for s in RecordStatus])
    one_of("form_id", form_id, _form_ids())
    with transaction(services.sessions) as session:
        ids = record_ids_after(session, after, limit + 1, status, form_id, _day(since), _day(until, True))
    views = [review.record_view(services, i) for i in ids[:limit]]
    items = [_record_out(view, caller) for view in views if view]
    return {"object": "list", "items": items, **page_links(request, "records", ids, limit, after)}


@router.get("/api/v1/records/{record_id}", response_model=RecordOut, tags=["records"])
def record(services: ServicesDep, caller: Reader, record_id: DbId) -> dict[str, Any]:
    """One record with its latest decision (個人番号 masked without the ``my_number`` scope)."""
    view = review.record_view(services, record_id)
    if view is None:
        raise HTTPException(404, detail={"code": ErrorCode.NOT_FOUND, "message": "記録が見つかりません"})
    with transaction(services.sessions) as session:
        repo.audit(
            session,
            caller.name,
            "record_exported",
            view.record.document_id,
            record=record_id,
            my_number=caller.sees_my_number,
        )
    return _record_out(view, caller)


@router.get("/api/v1/decisions", response_model=DecisionList, tags=["records"])
def decisions(
    request: Request,
    services: ServicesDep,
    _caller: Reader,
    record_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    since: Annotated[datetime | None, Query(description="この時刻以降の判定（RFC 3339）")] = None,
    cursor: Cursor = None,
    limit: PageLimit = 50,
) -> dict[str, Any]:
    """Every decision, oldest first, each with its id, what it was made on (form or event) and
    ``supersedes``/``superseded_by`` when its record was decided again; paged with ``cursor``."""
    after = decode_cursor("decisions", cursor)
    with transaction(services.sessions) as session:
        rows = decisions_after(session, after, limit + 1, record_id, aware(since))
    items = [
        {
            "object": "decision",
            "id": d.id,
            "record_id": d.record_id,
            "document_id": d.document_id,
            "form_id": d.form_id,
            "event": d.event,
            "decision": d.decision,
            "outcomes": list(d.outcomes),
            "persons": list(d.persons),
            "at": rfc3339(d.created_at),
            "supersedes": d.supersedes,
            "superseded_by": d.superseded_by,
        }
        for d in rows[:limit]
    ]
    return {
        "object": "list",
        "items": items,
        **page_links(request, "decisions", [d.id for d in rows], limit, after),
    }


def _auditor(request: Request, services: ServicesDep) -> str:
    """An API key with the ``audit`` scope, or an administrator's screen session."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        key = auth.api_key(services, header[7:].strip())
        if key is None:
            raise Unauthorized(401, ErrorCode.UNAUTHORIZED, "API キーが無効です")
        if "audit" not in key.scopes:
            raise Unauthorized(403, ErrorCode.FORBIDDEN, "この API キーには audit の権限がありません")
        return f"apikey:{key.name}"
    info = auth.current(services, request.cookies.get(COOKIE), touch=False)
    if info is None:
        raise Unauthorized(
            401, ErrorCode.UNAUTHORIZED, "ログインまたは API キー（Authorization: Bearer）が必要です"
        )
    if info.user.role != "admin" or info.user.must_change_password:
        raise Unauthorized(403, ErrorCode.FORBIDDEN, "監査ログは管理者だけが見られます")
    return info.user.name


@router.get("/api/v1/audit-events", response_model=AuditList, tags=["audit"])
def audit_events(
    request: Request,
    services: ServicesDep,
    _auditor_name: Annotated[str, Depends(_auditor)],
    action: Annotated[str | None, Query(max_length=32)] = None,
    document_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    cursor: Cursor = None,
    limit: PageLimit = 50,
) -> dict[str, Any]:
    """The audit log, oldest first (administrators: a key with the ``audit`` scope); paged with
    ``cursor``."""
    after = decode_cursor("audit", cursor)
    with transaction(services.sessions) as session:
        rows = audit_after(session, after, limit + 1, action, document_id)
    items = [
        {
            "object": "audit_event",
            "id": a.id,
            "at": rfc3339(a.at),
            "actor": a.actor,
            "action": a.action,
            "document_id": a.document_id,
            "detail": a.detail,
        }
        for a in rows[:limit]
    ]
    return {
        "object": "list",
        "items": items,
        **page_links(request, "audit", [a.id for a in rows], limit, after),
    }
