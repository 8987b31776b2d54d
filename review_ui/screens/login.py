"""Logging in and out of the screens."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from intake import auth, review
from review_ui.deps import ACCOUNT_SCREEN, COOKIE, AnyPostSessionDep, ServicesDep, secure_cookies
from review_ui.screens.common import TEMPLATES

#: The login form's own CSRF token (double submit: this cookie and the form's hidden field).
LOGIN_CSRF_COOKIE = "kakunin_login_csrf"

LOGIN_ERRORS = {
    "invalid": "ユーザー名またはパスワードが違います。",
    "locked": f"ログインの失敗が続いたため、{auth.LOGIN_WINDOW // timedelta(minutes=1)}分間ログインできません。",
    "csrf": "画面の有効期限が切れました。もう一度ログインしてください。",
    "unavailable": "一時的にログインできません。しばらくしてから再度お試しください。",
    "disabled": "このアカウントは利用停止中です。管理者に連絡してください。",
}

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, error: str | None = None) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = TEMPLATES.TemplateResponse(
        request, "login.html", {"error": LOGIN_ERRORS.get(error or ""), "csrf": token}
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/login",
        max_age=3600,
    )
    return response


def _forged(request: Request, csrf: str) -> bool:
    """A login post not made by our own form: no or another token than the cookie's (a page of
    another site cannot read or set it), or a browser saying the post comes from another
    origin (a page on another port of this host is same-site, not same-origin)."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not csrf or not cookie or not hmac.compare_digest(csrf.encode(), cookie.encode()):
        return True
    return request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none")


@router.post("/login")
def login_submit(
    request: Request,
    services: ServicesDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if _forged(request, csrf):
        return RedirectResponse("/login?error=csrf", status_code=303)
    try:
        token, info = auth.login(services, username, password, request.client.host if request.client else "")
    except auth.AuthError as exc:
        return RedirectResponse(f"/login?error={exc.code}", status_code=303)
    # A one-time or reset password opens only the change-password screen (deps.current_session).
    response = RedirectResponse(ACCOUNT_SCREEN if info.user.must_change_password else "/", status_code=303)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login", secure=secure_cookies(request), httponly=True)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        max_age=int(auth.ABSOLUTE_LIFETIME.total_seconds()),
    )
    return response


@router.post("/logout")
def logout(request: Request, services: ServicesDep, info: AnyPostSessionDep) -> Response:
    review.release_all(services, info.user)  # the tasks this user held let go
    auth.logout(services, request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, secure=secure_cookies(request), httponly=True, samesite="strict")
    return response
