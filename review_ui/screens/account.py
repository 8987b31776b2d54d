"""The user's own account: changing the password (forced after a one-time or reset password)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from intake import auth
from review_ui.deps import ACCOUNT_SCREEN, COOKIE, AnyPostSessionDep, AnySessionDep, ServicesDep
from review_ui.screens.common import TEMPLATES
from review_ui.screens.login import LOGIN_ERRORS

#: What the screen says, by the code in its link (never text taken from the link).
ERRORS = {
    **auth.PASSWORD_PROBLEMS,
    "invalid": "今のパスワードが違います。",
    "locked": LOGIN_ERRORS["locked"],
    "unavailable": LOGIN_ERRORS["unavailable"],
    "mismatch": "新しいパスワードと確認用のパスワードが一致しません。",
}
NOTICES = {"changed": "パスワードを変更しました。ほかの端末のログインは終了しました。"}

router = APIRouter()


@router.get(ACCOUNT_SCREEN, response_class=HTMLResponse)
def password_page(
    request: Request, info: AnySessionDep, error: str | None = None, notice: str | None = None
) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request,
        "account.html",
        {
            "user": info.user,
            "csrf": info.csrf_token,
            "forced": info.user.must_change_password,
            "error": ERRORS.get(error or ""),
            "notice": NOTICES.get(notice or ""),
            "min_length": auth.PASSWORD_MIN,
        },
    )


@router.post(ACCOUNT_SCREEN)
def password_submit(
    request: Request,
    services: ServicesDep,
    _info: AnyPostSessionDep,
    current_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
    confirm_password: Annotated[str, Form()],
) -> Response:
    if new_password != confirm_password:
        return RedirectResponse(f"{ACCOUNT_SCREEN}?error=mismatch", status_code=303)
    try:
        auth.change_password(
            services,
            request.cookies.get(COOKIE, ""),
            current_password,
            new_password,
            request.client.host if request.client else "",
        )
    except auth.PasswordRefused as exc:
        return RedirectResponse(f"{ACCOUNT_SCREEN}?error={exc.code}", status_code=303)
    except auth.AuthError as exc:
        return RedirectResponse(f"{ACCOUNT_SCREEN}?error={exc.code}", status_code=303)
    return RedirectResponse(f"{ACCOUNT_SCREEN}?notice=changed", status_code=303)
