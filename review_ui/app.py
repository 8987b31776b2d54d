"""FastAPI application factory: ``uvicorn --factory review_ui.app:create_app``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request, UploadFile
from fastapi import Path as FastApiPath
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from extractors.masking import mask_extraction, mask_values
from intake import auth, events, review
from intake.accept import accept
from intake.domain import DocumentStatus
from intake.errors import ErrorCode, RejectedInput
from intake.reconcile import status_report
from intake.services import Services
from intake.settings import Settings, load_settings
from intake.store import repo
from intake.store.db import transaction
from review_ui import screens

#: Database ids are 32-bit on every backend; larger numbers are refused with 422, not a crash.
DbId = Annotated[int, FastApiPath(ge=1, le=2**31 - 1)]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]
Limit = Annotated[int, Query(ge=1, le=200)]


def _error(http_status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(
        status_code=http_status, content={"error": {"code": code, "message": message}, **extra}
    )


@dataclass(frozen=True)
class Caller:
    """Who calls the API: an API key (bearer) or a logged-in user of the screens."""

    name: str
    scopes: frozenset[str]


class Unauthorized(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _caller(services: Services, request: Request, scope: str) -> Caller:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        key = auth.api_key(services, header[7:].strip())
        if key is None:
            raise Unauthorized(401, "unauthorized", "API キーが無効です")
        if scope not in key.scopes:
            raise Unauthorized(403, "forbidden", f"この API キーには {scope} の権限がありません")
        return Caller(f"apikey:{key.name}", key.scopes)
    info = auth.current(services, request.cookies.get(screens.COOKIE))
    if info is None:
        raise Unauthorized(401, "unauthorized", "ログインまたは API キー（Authorization: Bearer）が必要です")
    return Caller(info.user.name, frozenset({"read", "write"}))  # screens users never get full 個人番号 here


def create_app(settings: Settings | None = None) -> FastAPI:
    services = Services(settings or load_settings())
    app = FastAPI(title="Kakunin", version="0.1.0", description="資格確認書 関係届出の受付・OCR・確認")
    app.state.services = services
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    app.include_router(screens.router(services))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """API errors as {"error": {"code", "message"}}; screens keep their HTML pages."""
        if not request.url.path.startswith("/api/"):
            return await http_exception_handler(request, exc)
        detail = (
            exc.detail
            if isinstance(exc.detail, dict)
            else {"code": f"http_{exc.status_code}", "message": str(exc.detail)}
        )
        return _error(exc.status_code, str(detail.get("code")), str(detail.get("message")))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return _error(422, "invalid_request", f"リクエストが正しくありません: {problems}")

    @app.exception_handler(Unauthorized)
    async def unauthorized(request: Request, exc: Unauthorized) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(screens.LoginRequired)
    async def to_login(request: Request, exc: screens.LoginRequired) -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; form-action 'self'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/documents", status_code=202)
    async def upload(request: Request, file: UploadFile) -> JSONResponse:
        caller = _caller(services, request, "write")
        limit = services.settings.limits.max_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
            return _error(
                413, ErrorCode.TOO_LARGE.value, f"ファイルが大きすぎます（上限 {limit:,} バイト）。"
            )
        data = await file.read(limit + 1)
        if len(data) > limit:
            return _error(
                413, ErrorCode.TOO_LARGE.value, f"ファイルが大きすぎます（上限 {limit:,} バイト）。"
            )
        try:
            result = accept(services, data, file.filename or "upload", source="upload", actor=caller.name)
        except RejectedInput as exc:
            return _error(422 if exc.code is ErrorCode.EMPTY else 413, exc.code.value, exc.message)
        document = result.document
        body = {"id": document.id, "status": document.status.value, "duplicate": not result.created}
        if document.status is DocumentStatus.FAILED:
            return _error(422, document.error_code or "unreadable", document.error_message or "", **body)
        return JSONResponse(status_code=202, content=body)

    @app.get("/api/v1/documents/{document_id}")
    def get_document(request: Request, document_id: DbId) -> dict[str, Any]:
        caller = _caller(services, request, "read")
        with transaction(services.sessions) as session:
            document = repo.get_document(session, document_id)
            if document is not None:
                repo.audit(
                    session,
                    caller.name,
                    "document_exported",
                    document_id,
                    my_number="my_number" in caller.scopes,
                )
        if document is None:
            raise HTTPException(404, detail={"code": "not_found", "message": "文書が見つかりません"})
        error = (
            {"code": document.error_code, "message": document.error_message} if document.error_code else None
        )
        extraction = dict(document.extraction) if document.extraction else None
        if extraction:
            extraction.pop("timings", None)
            if "my_number" not in caller.scopes:
                extraction = mask_extraction(extraction)
        with transaction(services.sessions) as session:
            tasks = [
                {"task_id": t.id, "form_index": t.form_index, "form_id": t.form_id, "status": t.status}
                for t in repo.review_tasks_of(session, document_id)
            ]
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

    @app.get("/api/v1/status")
    def status(request: Request) -> dict[str, Any]:
        """Queue depth, documents per state, failed jobs and the no-loss invariant."""
        _caller(services, request, "read")
        return status_report(services)

    @app.post("/api/v1/events", status_code=201)
    async def post_event(request: Request) -> JSONResponse:
        """An event without a form (new_employee, shokken_list, myna_registered, cert_expired)
        becomes a record and goes through the same rules."""
        caller = _caller(services, request, "write")
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "invalid_json", "JSON を送ってください")
        if not isinstance(body, dict) or not isinstance(body.get("kind"), str):
            return _error(
                422,
                "invalid_event",
                "kind（new_employee / shokken_list / myna_registered / cert_expired）が必要です",
            )
        try:
            result = events.record_event(
                services, body["kind"], {k: v for k, v in body.items() if k != "kind"}, caller.name
            )
        except ValueError as exc:
            return _error(422, "invalid_event", str(exc))
        return JSONResponse(status_code=201, content=result)

    @app.get("/api/v1/records")
    def records(
        request: Request,
        status: str | None = None,
        form_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> dict[str, Any]:
        """Records with their decisions, filtered by status, form and validation date (since/until,
        inclusive); paginated by offset/limit."""
        caller = _caller(services, request, "read")
        items = review.list_records(services, status, form_id, offset, limit, since, until)
        if "my_number" not in caller.scopes:
            for item in items:
                item["values"] = mask_values(item["values"])
        return {"items": items, "offset": offset, "limit": limit}

    @app.get("/api/v1/records/{record_id}")
    def record(request: Request, record_id: DbId) -> dict[str, Any]:
        caller = _caller(services, request, "read")
        view = review.record_view(services, record_id)
        if view is None:
            raise HTTPException(404, detail={"code": "not_found", "message": "記録が見つかりません"})
        if "my_number" not in caller.scopes:
            view["values"] = mask_values(view["values"])
        with transaction(services.sessions) as session:
            repo.audit(
                session,
                caller.name,
                "record_exported",
                view["document_id"],
                record=record_id,
                my_number="my_number" in caller.scopes,
            )
        return view

    @app.get("/api/v1/decisions")
    def decisions(request: Request, offset: Offset = 0, limit: Limit = 50) -> dict[str, Any]:
        _caller(services, request, "read")
        items = [
            r["decision"] | {"record_id": r["id"]}
            for r in review.list_records(services, "validated", None, offset, limit)
            if r["decision"]
        ]
        return {"items": items, "offset": offset, "limit": limit}

    @app.get("/api/v1/review-tasks")
    def review_tasks(request: Request, form_id: str | None = None) -> list[dict[str, Any]]:
        _caller(services, request, "read")
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

    return app
