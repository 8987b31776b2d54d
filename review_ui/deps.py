"""What the routes depend on (FastAPI ``Depends``): the services, who calls the API, the screen
session, its CSRF token and the role a page needs.

Every check here runs on the server before the route's body. A failed check raises; the
handlers in :mod:`review_ui.app` answer it (API errors as JSON, screens with a redirect to the
login page or the error page), so a route never has to remember to call a check.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from fastapi import Path as FastApiPath

from intake import auth
from intake.auth import SessionInfo, User
from intake.errors import ErrorCode
from intake.services import Services

#: The screens' session cookie.
COOKIE = "kakunin_session"

#: Hosts where a plain-HTTP cookie is allowed when ``cookie_secure`` is unset.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def secure_cookies(request: Request) -> bool:
    """Whether the screens' cookies get the ``Secure`` flag (see ``Settings.cookie_secure``)."""
    services: Services = request.app.state.services
    configured = services.settings.cookie_secure
    if configured is not None:
        return configured
    return request.url.scheme == "https" or (request.url.hostname or "") not in LOCAL_HOSTS


#: Database ids are 32-bit on every backend; larger numbers are refused with 422, not a crash.
DbId = Annotated[int, FastApiPath(ge=1, le=2**31 - 1)]


def services_of(request: Request) -> Services:
    """The one :class:`Services` built by ``create_app``."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(services_of)]


# --- screens -------------------------------------------------------------------------------


class LoginRequired(Exception):
    """No live session: answered with a redirect to /login."""


class RoleRefused(Exception):
    """The user's role may not see this page: answered with the error page and 403."""

    def __init__(self, user: User, message: str) -> None:
        super().__init__(message)
        self.user, self.message = user, message


#: Where a user with a one-time or reset password is sent until they have changed it.
ACCOUNT_SCREEN = "/account/password"


def any_session(request: Request, services: ServicesDep) -> SessionInfo:
    """The live session of the cookie, even one that must change its password first: for the
    change-password screen and logout only."""
    info = auth.current(services, request.cookies.get(COOKIE))
    if info is None:
        raise LoginRequired
    return info


AnySessionDep = Annotated[SessionInfo, Depends(any_session)]


def current_session(info: AnySessionDep) -> SessionInfo:
    """The live session of the cookie; login is required for every screen but the login page,
    and a user holding a one-time or reset password sees no screen but the change-password one
    (303 there, so the administrator's password printed in a log stops working at first use)."""
    if info.user.must_change_password:
        raise HTTPException(303, detail="password change required", headers={"Location": ACCOUNT_SCREEN})
    return info


SessionDep = Annotated[SessionInfo, Depends(current_session)]


def _csrf_matches(info: SessionInfo, csrf: str) -> SessionInfo:
    if not csrf or not hmac.compare_digest(csrf.encode(), info.csrf_token.encode()):
        raise HTTPException(
            403,
            detail={
                "code": ErrorCode.CSRF,
                "message": "画面の有効期限が切れました。再読み込みしてください。",
            },
        )
    return info


def checked_csrf(info: SessionDep, csrf: Annotated[str, Form()] = "") -> SessionInfo:
    """The session of a form post whose ``csrf`` field matches the session's token."""
    return _csrf_matches(info, csrf)


def checked_csrf_any(info: AnySessionDep, csrf: Annotated[str, Form()] = "") -> SessionInfo:
    """As :func:`checked_csrf`, for a session that may still have to change its password."""
    return _csrf_matches(info, csrf)


#: A logged-in user's form post with a valid CSRF token.
PostSessionDep = Annotated[SessionInfo, Depends(checked_csrf)]
#: The same, for the change-password screen and logout (no forced redirect).
AnyPostSessionDep = Annotated[SessionInfo, Depends(checked_csrf_any)]


def role_in(roles: frozenset[str], message: str) -> Callable[[SessionInfo], SessionInfo]:
    """A dependency: the session, when its user has one of ``roles``; else the error page."""

    def check(info: SessionDep) -> SessionInfo:
        if info.user.role not in roles:
            raise RoleRefused(info.user, message)
        return info

    return check


# --- API -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """Who calls the API: an API key (bearer), or for reads a logged-in user of the screens."""

    name: str
    scopes: frozenset[str]

    @property
    def sees_my_number(self) -> bool:
        return "my_number" in self.scopes


class Unauthorized(Exception):
    """No key, a wrong key or a key without the scope: answered as a JSON error."""

    def __init__(self, status: int, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _caller(services: Services, request: Request, scope: str) -> Caller:
    """The API's caller. Writes take a bearer key only: a browser sends the session cookie by
    itself (a page of another site or another port of this host could make it post), and a
    bearer header it never adds on its own. Reads also accept the screens' session, without
    extending its idle time (the queue page polls the task count)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        key = auth.api_key(services, header[7:].strip())
        if key is None:
            raise Unauthorized(401, ErrorCode.UNAUTHORIZED, "API キーが無効です")
        if scope not in key.scopes:
            raise Unauthorized(403, ErrorCode.FORBIDDEN, f"この API キーには {scope} の権限がありません")
        return Caller(f"apikey:{key.name}", key.scopes)
    if scope != "read":
        raise Unauthorized(
            401, ErrorCode.UNAUTHORIZED, "書き込みには API キー（Authorization: Bearer）が必要です"
        )
    info = auth.current(services, request.cookies.get(COOKIE), touch=False)
    if info is None:
        raise Unauthorized(
            401, ErrorCode.UNAUTHORIZED, "ログインまたは API キー（Authorization: Bearer）が必要です"
        )
    if info.user.must_change_password:
        raise Unauthorized(403, ErrorCode.FORBIDDEN, "パスワードを変更してから利用してください")
    return Caller(info.user.name, frozenset({"read"}))  # screens users never get full 個人番号 here


def _reader(request: Request, services: ServicesDep) -> Caller:
    return _caller(services, request, "read")


def _writer(request: Request, services: ServicesDep) -> Caller:
    return _caller(services, request, "write")


#: An API caller with the ``read`` scope (API key) or a screen session.
Reader = Annotated[Caller, Depends(_reader)]
#: An API caller with the ``write`` scope: an API key only, never the screens' cookie.
Writer = Annotated[Caller, Depends(_writer)]
