"""Issue 16 item 2 replayed: the password policy, the forced change of a one-time or reset
password at the first login, the change-password screen, disabled users, API keys that are
revoked or expire, and the audit of every account and key change.

The commands are run as an administrator runs them (``kakunin user …``, ``kakunin apikey …``
through the CLI), the screens as a browser uses them (login form, CSRF tokens)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner, Result

from intake import auth
from intake.cli import app as cli
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, UserRow
from tests.review_ui.conftest import login, login_token

GOOD = "しずかな湖に 朝の光 2026"
OTHER_GOOD = "marmalade tractor oboe lantern"


def _kakunin(services: Services, *args: str, stdin: str | None = None) -> Result:
    """Run ``kakunin ARGS`` with the test's settings in the environment, as an admin would."""
    settings = services.settings
    env = {
        "KAKUNIN_DATA_DIR": str(settings.data_dir),
        "KAKUNIN_DATABASE_URL": settings.resolved_database_url,
        "KAKUNIN_REDIS_URL": settings.redis_url,
    }
    return CliRunner().invoke(cli, list(args), input=stdin, env=env)


def _audit(services: Services) -> list[tuple[str, str, dict[str, object]]]:
    with transaction(services.sessions) as session:
        rows = session.scalars(select(AuditEventRow).order_by(AuditEventRow.id))
        return [(row.actor, row.action, dict(row.detail)) for row in rows]


def _log_in(client: TestClient, name: str, password: str) -> str:
    """Post the login form; the redirect's location (or the error code)."""
    client.cookies.clear()
    response = client.post(
        "/login",
        data={"username": name, "password": password, "csrf": login_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return response.headers["location"]


def _csrf(client: TestClient, path: str = "/account/password") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)  # type: ignore[union-attr]


def _change(
    client: TestClient, current: str, new: str, confirm: str | None = None, csrf: str | None = None
) -> str:
    response = client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
            "csrf": _csrf(client) if csrf is None else csrf,
        },
        follow_redirects=False,
    )
    if response.status_code != 303:
        return str(response.status_code)
    return response.headers["location"]


# --- the policy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("a", "too_short"),
        ("Tr0ub4dor&3", "too_short"),  # 11 characters, however mixed
        ("x" * 129, "too_long"),
        ("password1234", "common"),
        ("qwertyuiop12", "common"),
        ("1q2w3e4r5t6y", "common"),
        ("123456789012", "guessable"),
        ("aaaaaaaaaaaa", "guessable"),
        ("abcdefghijkl", "guessable"),
        ("P@ssw0rd2026!", "guessable"),  # composition rules would have taken it
        ("kakunin2026!", "guessable"),  # the product's name
        ("tanakahiroshi1", "guessable"),  # the user's own name
    ],
)
def test_the_policy_refuses_short_common_and_guessable_passwords(password: str, problem: str) -> None:
    assert auth.password_problem(password, "tanakahiroshi") == problem
    with pytest.raises(auth.PasswordRefused) as refused:
        auth.check_password(password, "tanakahiroshi")
    assert refused.value.code == problem


@pytest.mark.parametrize("password", [GOOD, OTHER_GOOD, "x7#Lq!92mZ@p", "y" * 20 + "Qz8!kLm3vB0w" * 9])
def test_the_policy_takes_long_unguessable_passwords(password: str) -> None:
    """No composition rule: a long phrase of words is fine, so is any character (ASVS 2.1.4)."""
    assert auth.password_problem(password, "rev") is None


def test_user_add_refuses_a_weak_password_from_stdin(services: Services) -> None:
    """The issue's reproduction: `kakunin user add … --password-stdin` took the password `a`."""
    weak = _kakunin(services, "user", "add", "weak", "--password-stdin", stdin="a\n")
    assert weak.exit_code != 0 and "12" in weak.output
    strong = _kakunin(services, "user", "add", "strong", "--password-stdin", stdin=GOOD + "\n")
    assert strong.exit_code == 0, strong.output
    with transaction(services.sessions) as session:
        assert set(session.scalars(select(UserRow.name))) == {"strong"}


# --- forced change of a one-time password ----------------------------------------------------


def test_a_one_time_password_opens_only_the_change_screen(app: TestClient, services: Services) -> None:
    """GIVEN a user added with a generated one-time password (as `kakunin run` adds admin)
    WHEN they log in THEN every screen and the API send them to the change screen until they
    have chosen a password that passes the policy; then the one-time password is dead."""
    added = _kakunin(services, "user", "add", "newbie", "--role", "approver")
    assert added.exit_code == 0, added.output
    one_time = added.output.rsplit(": ", 1)[1].strip()
    assert _log_in(app, "newbie", one_time) == "/account/password"
    for path in ("/", "/approvals", "/stats"):
        held = app.get(path, follow_redirects=False)
        assert held.status_code == 303 and held.headers["location"] == "/account/password", path
    assert app.get("/api/v1/review-tasks").status_code == 403
    page = app.get("/account/password")
    assert page.status_code == 200 and "パスワード変更" in page.text and 'id="forced"' in page.text

    assert _change(app, one_time, "short") == "/account/password?error=too_short"
    assert _change(app, one_time, "password1234") == "/account/password?error=common"
    assert _change(app, one_time, GOOD, confirm=GOOD + "!") == "/account/password?error=mismatch"
    assert _change(app, "wrong-one-time", GOOD) == "/account/password?error=invalid"
    assert _change(app, one_time, one_time) == "/account/password?error=same"
    assert app.get("/", follow_redirects=False).status_code == 303  # still held
    assert _change(app, one_time, GOOD) == "/account/password?notice=changed"
    assert "パスワードを変更しました" in app.get("/account/password?notice=changed").text
    assert app.get("/", follow_redirects=False).status_code == 200
    assert app.get("/api/v1/review-tasks").status_code == 200

    assert _log_in(app, "newbie", one_time) == "/login?error=invalid"
    assert _log_in(app, "newbie", GOOD) == "/"
    actions = [action for _, action, _ in _audit(services)]
    assert actions.count("password_changed") == 1 and "password_change_failed" in actions


def test_the_change_screen_needs_its_csrf_token(app: TestClient, services: Services) -> None:
    login(app, "rev")
    assert _change(app, "pw-rev-long", GOOD, csrf="") == "403"
    assert _change(app, "pw-rev-long", GOOD, csrf="forged") == "403"
    assert _log_in(app, "rev", "pw-rev-long") == "/"  # unchanged


def test_guessing_the_current_password_on_the_change_screen_locks(
    app: TestClient, services: Services
) -> None:
    """A session left open is no way around the login limit: wrong current passwords count."""
    login(app, "rev")
    codes = [_change(app, f"guess-{n}", GOOD).rsplit("=", 1)[1] for n in range(auth.LOGIN_ATTEMPTS + 1)]
    assert codes == ["invalid"] * auth.LOGIN_ATTEMPTS + ["locked"]
    assert _change(app, "pw-rev-long", GOOD).endswith("error=locked")  # even the right one, for now


def test_changing_the_password_ends_the_users_other_sessions(app: TestClient, services: Services) -> None:
    from review_ui.app import create_app

    with TestClient(create_app(services.settings)) as elsewhere:
        login(elsewhere, "rev")
        assert elsewhere.get("/", follow_redirects=False).status_code == 200
        login(app, "rev")
        assert _change(app, "pw-rev-long", GOOD) == "/account/password?notice=changed"
        assert app.get("/", follow_redirects=False).status_code == 200  # this one goes on
        gone = elsewhere.get("/", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"] == "/login"


def test_reset_password_prints_a_one_time_password_that_must_be_changed(
    app: TestClient, services: Services
) -> None:
    login(app, "rev")
    reset = _kakunin(services, "user", "reset-password", "rev")
    assert reset.exit_code == 0, reset.output
    one_time = reset.output.rsplit(": ", 1)[1].strip()
    gone = app.get("/", follow_redirects=False)
    assert gone.headers["location"] == "/login"  # the reset ended the session
    assert _log_in(app, "rev", "pw-rev-long") == "/login?error=invalid"
    assert _log_in(app, "rev", one_time) == "/account/password"
    assert _change(app, one_time, OTHER_GOOD) == "/account/password?notice=changed"
    assert ("cli", "password_reset", {"user": "rev"}) in _audit(services)
    assert _kakunin(services, "user", "reset-password", "nobody").exit_code != 0


# --- disabled users --------------------------------------------------------------------------


def test_a_disabled_user_cannot_log_in_and_loses_their_sessions(app: TestClient, services: Services) -> None:
    """The issue's reproduction: `kakunin user revoke` ended sessions but the user logged in
    again. `kakunin user disable` ends them and keeps the user out until `enable`."""
    login(app, "rev")
    disabled = _kakunin(services, "user", "disable", "rev")
    assert disabled.exit_code == 0, disabled.output
    gone = app.get("/", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/login"
    assert _log_in(app, "rev", "pw-rev-long") == "/login?error=disabled"
    assert "利用停止中" in app.get("/login?error=disabled").text
    assert _log_in(app, "rev", "wrong-password") == "/login?error=invalid"  # no hint without it
    assert _kakunin(services, "user", "enable", "rev").exit_code == 0
    assert _log_in(app, "rev", "pw-rev-long") == "/"
    actions = [(actor, action) for actor, action, _ in _audit(services)]
    assert ("cli", "user_disabled") in actions and ("cli", "user_enabled") in actions
    assert ("rev", "login_disabled") in actions
    assert _kakunin(services, "user", "disable", "nobody").exit_code != 0


def test_revoke_ends_sessions_and_is_audited(app: TestClient, services: Services) -> None:
    login(app, "rev")
    assert _kakunin(services, "user", "revoke", "rev").exit_code == 0
    assert app.get("/", follow_redirects=False).headers["location"] == "/login"
    assert ("cli", "sessions_revoked", {"user": "rev"}) in _audit(services)


# --- API keys --------------------------------------------------------------------------------


def _token(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_an_api_key_can_be_revoked(app: TestClient, services: Services) -> None:
    token = _token(_kakunin(services, "apikey", "create", "payroll", "--scope", "read"))
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.get("/api/v1/review-tasks", headers=bearer).status_code == 200
    assert _kakunin(services, "apikey", "revoke", "payroll").exit_code == 0
    assert app.get("/api/v1/review-tasks", headers=bearer).status_code == 401
    assert _kakunin(services, "apikey", "revoke", "nobody").exit_code != 0
    assert ("cli", "apikey_revoked", {"key": "payroll"}) in _audit(services)


def test_an_api_key_with_an_expiry_stops_working_then(
    app: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _token(
        _kakunin(services, "apikey", "create", "temp", "--scope", "read", "--expires-in-days", "1")
    )
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.get("/api/v1/review-tasks", headers=bearer).status_code == 200
    later = datetime.now(UTC) + timedelta(days=1, minutes=1)
    monkeypatch.setattr(auth, "_now", lambda: later)  # a day and a minute later
    assert app.get("/api/v1/review-tasks", headers=bearer).status_code == 401
    assert _kakunin(services, "apikey", "create", "past", "--expires", "2020-01-01").exit_code != 0
    created = [detail for _, action, detail in _audit(services) if action == "apikey_created"]
    assert created[0]["key"] == "temp" and str(created[0]["expires_at"]).startswith(later.date().isoformat())


def test_apikey_list_shows_every_key_but_never_a_secret(app: TestClient, services: Services) -> None:
    import hashlib

    first = _token(_kakunin(services, "apikey", "create", "scanner", "--scope", "write"))
    second = _token(
        _kakunin(services, "apikey", "create", "payroll", "--scope", "read", "--scope", "my_number")
    )
    _kakunin(services, "apikey", "revoke", "scanner")
    listed = _kakunin(services, "apikey", "list")
    assert listed.exit_code == 0, listed.output
    rows = [line.split("\t") for line in listed.output.strip().splitlines()]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("payroll", "my_number,read", "active"),
        ("scanner", "write", "revoked"),
    ]
    for secret in (first, second):
        assert (
            secret not in listed.output and hashlib.sha256(secret.encode()).hexdigest() not in listed.output
        )
