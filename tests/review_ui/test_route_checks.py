"""Every route's checks, table-driven over the URLs: the screens need a login, every form post
a valid CSRF token, the supervisor pages a role, the API a key or a session. The checks are
FastAPI dependencies (review_ui.deps), so they run before a route's body, for every route."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.review_ui.conftest import login

PAGES = ["/", "/tasks/1", "/records/1", "/approvals", "/stats", "/admin/audit", f"/images/{'a' * 64}.png"]
POSTS = {
    "/logout": {},
    "/tasks/1/approve": {},
    "/tasks/1/reject": {"reason": "illegible"},
    "/tasks/1/return": {"reason": "番号が違います"},
    "/tasks/1/release": {},
    "/tasks/1/takeover": {},
    "/tasks/1/reveal": {"field": "insured_my_number"},
    "/tasks/1/check": {"field": "insured_name", "value": "x"},
    "/tasks/1/confirm": {"field": "insured_name", "scope": "all"},
}
API = ["/api/v1/documents/1", "/api/v1/status", "/api/v1/records", "/api/v1/records/1", "/api/v1/decisions"]


@pytest.mark.parametrize("url", PAGES)
def test_a_screen_without_a_session_sends_to_the_login_page(app: TestClient, url: str) -> None:
    response = app.get(url, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


@pytest.mark.parametrize("url", list(POSTS))
def test_a_form_post_without_a_session_sends_to_the_login_page(app: TestClient, url: str) -> None:
    response = app.post(url, data={**POSTS[url], "csrf": "x"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


@pytest.mark.parametrize("url", list(POSTS))
@pytest.mark.parametrize("csrf", [None, "", "forged"])
def test_a_form_post_without_the_sessions_csrf_token_is_refused(
    app: TestClient, url: str, csrf: str | None
) -> None:
    """GIVEN a logged-in reviewer WHEN a form is posted with no, an empty or a forged token
    THEN 403 with code csrf, and nothing else happens (the session stays live)."""
    login(app, "rev")
    data = dict(POSTS[url]) | ({} if csrf is None else {"csrf": csrf})
    response = app.post(url, data=data, follow_redirects=False)
    assert response.status_code == 403 and "画面の有効期限が切れました" in response.text
    assert app.get("/", follow_redirects=False).status_code == 200


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/stats", {"appr", "adm"}),
        ("/approvals", {"appr", "adm"}),
        ("/admin/audit", {"adm"}),
        ("/admin/audit.csv", {"adm"}),
        ("/admin/forms", {"adm"}),
    ],
)
def test_supervisor_pages_check_the_role(app: TestClient, url: str, allowed: set[str]) -> None:
    for user in ("rev", "appr", "adm"):
        login(app, user)
        response = app.get(url)
        if user in allowed:
            assert response.status_code == 200, user
        else:
            assert response.status_code == 403 and re.search("のみ(閲覧でき|使え)ます", response.text), user


def test_checking_a_value_of_an_unknown_task_is_404_not_a_crash(app: TestClient) -> None:
    csrf = login(app, "rev")
    response = app.post("/tasks/999999/check", data={"field": "insured_name", "value": "x", "csrf": csrf})
    assert response.status_code == 404 and response.json()["ok"] is False


@pytest.mark.parametrize("url", API)
def test_the_api_needs_a_key_or_a_session(app: TestClient, url: str) -> None:
    response = app.get(url)
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    login(app, "rev")
    assert app.get(url).status_code in (200, 404)


#: Routes anyone may call: the login, the probes, the offline API docs and their schema, the
#: static files. /metrics is guarded by its own bearer token (tests/review_ui/test_metrics.py).
PUBLIC = {"/login", "/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json"}
PUBLIC_PREFIXES = ("/docs", "/api/docs-assets/")  # the docs pages' own scripts and styles


def _every_route(app: TestClient) -> list[tuple[str, str]]:
    """(method, concrete URL) of every route the app has, path parameters filled in. FastAPI
    0.16x keeps an included router as one entry that lists its routes' effective contexts."""
    from fastapi.routing import APIRoute  # noqa: PLC0415 - only this test walks the routes

    found: list[tuple[str, set[str], dict[str, object]]] = []
    for route in app.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, APIRoute):
            found.append((route.path, set(route.methods), dict(route.param_convertors)))
        elif hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                found.append((context.path, set(context.methods or ()), dict(context.param_convertors)))
    filled: list[tuple[str, str]] = []
    for path, methods, params in found:
        if path in PUBLIC or path.startswith(PUBLIC_PREFIXES):
            continue
        url = path
        for name in params:
            url = url.replace("{" + name + "}", "a" * 64 if name == "sha" else "1")
        filled += [(method, url) for method in sorted(methods - {"HEAD", "OPTIONS"})]
    return filled


def test_every_route_the_app_has_refuses_a_caller_without_a_session_or_key(app: TestClient) -> None:
    """GIVEN every route of the app (walked, not listed: a new route is covered the day it is
    added) WHEN called without a session or key THEN a screen sends to the login page and the
    API answers 401 — never the route's body."""
    routes = _every_route(app)
    assert len(routes) >= 40  # the walk found the app's routes
    for method, url in routes:
        response = app.request(method, url, data={"csrf": "x"}, follow_redirects=False)
        if url.startswith("/api/"):
            assert response.status_code == 401, (method, url, response.status_code)
        else:
            assert response.status_code == 303 and response.headers["location"] == "/login", (
                method,
                url,
                response.status_code,
            )
