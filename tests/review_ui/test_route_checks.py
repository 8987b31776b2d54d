"""Every route's checks, table-driven over the URLs: the screens need a login, every form post
a valid CSRF token, the supervisor pages a role, the API a key or a session. The checks are
FastAPI dependencies (review_ui.deps), so they run before a route's body, for every route."""

from __future__ import annotations

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
    [("/stats", {"appr", "adm"}), ("/approvals", {"appr", "adm"}), ("/admin/audit", {"adm"})],
)
def test_supervisor_pages_check_the_role(app: TestClient, url: str, allowed: set[str]) -> None:
    for user in ("rev", "appr", "adm"):
        login(app, user)
        response = app.get(url)
        if user in allowed:
            assert response.status_code == 200, user
        else:
            assert response.status_code == 403 and "のみ閲覧できます" in response.text, user


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
