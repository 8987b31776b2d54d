"""FastAPI application factory: ``uvicorn --factory review_ui.app:create_app``.

The routes live in :mod:`review_ui.api` (JSON) and :mod:`review_ui.screens` (HTML); what they
depend on (services, caller, session, CSRF, role) in :mod:`review_ui.deps`. This module joins
them and answers the checks' exceptions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from intake.errors import MESSAGES, ErrorCode
from intake.services import Services
from intake.settings import Settings, load_settings
from review_ui import api, ops, screens
from review_ui.api.common import error_response
from review_ui.api.schema import build_openapi
from review_ui.deps import LoginRequired, RoleRefused, Unauthorized
from review_ui.screens.common import error_page

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_INTERNAL_PAGE = (
    '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>エラー — Kakunin</title>'
    '<link rel="stylesheet" href="/static/kakunin.css"></head><body><main><p class="error">'
    f'{MESSAGES[ErrorCode.INTERNAL]}</p><p><a href="/">確認待ち一覧に戻る</a></p></main></body></html>'
)

health = APIRouter()


@health.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _plain_error(status: int) -> dict[str, str]:
    """A code of the table for an error Starlette raised itself (no such path, wrong method)."""
    if status == 404:
        return {"code": ErrorCode.NOT_FOUND, "message": "そのような API はありません"}
    if status == 405:
        return {"code": ErrorCode.METHOD_NOT_ALLOWED, "message": "この API はそのメソッドを受け付けません"}
    if status >= 500:
        return {"code": ErrorCode.INTERNAL, "message": MESSAGES[ErrorCode.INTERNAL]}
    return {"code": ErrorCode.INVALID_REQUEST, "message": "リクエストが正しくありません"}


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """API errors as {"error": {"code", "message"}}; screens keep their HTML pages."""
    if not request.url.path.startswith("/api/"):
        return await http_exception_handler(request, exc)
    detail = exc.detail if isinstance(exc.detail, dict) else _plain_error(exc.status_code)
    response = error_response(exc.status_code, str(detail.get("code")), str(detail.get("message")))
    response.headers.update(exc.headers or {})  # Allow on a 405
    return response


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return error_response(422, ErrorCode.INVALID_REQUEST, f"リクエストが正しくありません: {problems}")


async def _internal(request: Request, exc: Exception) -> Response:
    """An unexpected error: the API answers in its error shape with code ``internal`` and no
    detail (the traceback goes to the server's log); the screens a Japanese page. Starlette
    answers a 500 outside the middleware, so the security headers are set here too."""
    response: Response
    if request.url.path.startswith("/api/"):
        response = error_response(500, ErrorCode.INTERNAL, MESSAGES[ErrorCode.INTERNAL])
    else:
        response = HTMLResponse(_INTERNAL_PAGE, status_code=500)
    response.headers.update(SECURITY_HEADERS)
    return response


async def _unauthorized(request: Request, exc: Unauthorized) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message)


async def _to_login(request: Request, exc: LoginRequired) -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


async def _role_refused(request: Request, exc: RoleRefused) -> Response:
    return error_page(request, exc.user, exc.message, 403)


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        # A page may narrow or widen its own CSP (the API docs: data: images, blob: workers),
        # and say how it is cached (a page image: kept by the browser, revalidated by its ETag).
        if name not in ("Content-Security-Policy", "Cache-Control") or name not in response.headers:
            response.headers[name] = value
    return response


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="Kakunin",
        version="0.1.0",
        description="資格確認書 関係届出の受付・OCR・確認",
        docs_url=None,  # served offline under the CSP by review_ui.api.docs
        redoc_url=None,
    )
    app.state.services = Services(settings or load_settings())
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    app.include_router(screens.router, include_in_schema=False)  # the schema is the API's only
    app.include_router(api.router)
    app.include_router(health, include_in_schema=False)
    app.include_router(ops.router, include_in_schema=False)  # /readyz, /metrics
    app.exception_handler(StarletteHTTPException)(_http_error)
    app.exception_handler(RequestValidationError)(_invalid_request)
    app.exception_handler(Unauthorized)(_unauthorized)
    app.exception_handler(Exception)(_internal)
    app.exception_handler(LoginRequired)(_to_login)
    app.exception_handler(RoleRefused)(_role_refused)
    app.middleware("http")(_security_headers)
    app.openapi = partial(build_openapi, app)  # type: ignore[method-assign]
    return app
