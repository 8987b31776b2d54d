"""Logging in and out of the screens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from intake import auth
from review_ui.deps import COOKIE, PostSessionDep, ServicesDep
from review_ui.screens.common import TEMPLATES

LOGIN_ERRORS = {
    "invalid": "ユーザー名またはパスワードが違います。",
    "locked": f"ログインの失敗が続いたため、{auth.LOGIN_WINDOW // timedelta(minutes=1)}分間ログインできません。",
}

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, error: str | None = None) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "login.html", {"error": LOGIN_ERRORS.get(error or "")})


@router.post("/login")
def login_submit(
    request: Request,
    services: ServicesDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    try:
        token, _info = auth.login(services, username, password, request.client.host if request.client else "")
    except auth.AuthError as exc:
        return RedirectResponse(f"/login?error={exc.code}", status_code=303)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=False,
        max_age=int(auth.ABSOLUTE_LIFETIME.total_seconds()),
    )
    return response


@router.post("/logout")
def logout(request: Request, services: ServicesDep, _info: PostSessionDep) -> Response:
    auth.logout(services, request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
