"""Issue 16's attacks replayed against the app: each test fails if the attack gets through.

- item 1: parallel login guesses lock as serial ones do, per account and per client address;
  an unknown user costs a password check as a known one does; the login form has a CSRF token.
- item 3: a session cookie never authorises an API write; the API takes JSON only as JSON;
  the queue page's polling does not keep a session alive.
- item 4: a 個人番号 sent as a JSON number (or under another name, or nested) is refused; one
  stored raw before the check is masked to a key without the scope, on the record screen and
  in the JSON Lines export.
- item 5: hotfolder names that are not UTF-8 or too long go to rejected/ under a safe name, the
  original escaped in the reason; the watcher survives them.
- items 2 and 6 (accounts, uploads): ``tests/review_ui/test_accounts.py`` and
  ``tests/review_ui/test_uploads.py``.
- item 7 (the operator-bomb PDF made by the test, starved memory): ``tests/intake/test_sandbox.py``;
  item 8 (a forged pickle, a JSON job naming another function, a named callback, the Redis
  password): ``tests/intake/test_queue_jobs.py`` and ``tests/intake/test_redis_password.py``.
- item 9 (part): cookies are Secure outside localhost; a 500 carries the security headers and
  no internals; until=9999-12-31 is no 500; notices and errors come from codes, never from
  text in the link; the file store's folders are 0700 and its files 0600.
"""

from __future__ import annotations

import json
import os
import stat
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from intake import auth
from intake.auth import create_api_key
from intake.hotfolder import DONE, REJECTED, StabilityTracker, poll_once, watch
from intake.outbox import add_decision, deliver
from intake.reconcile import invariant
from intake.services import Services
from intake.store.db import transaction
from intake.store.files import FileStore
from intake.store.models import DocumentRow, RecordRow, SessionRow
from review_ui.app import SECURITY_HEADERS, create_app
from tests.helpers import blank_pdf, write
from tests.review_ui.conftest import login, login_token

EVENT = {"kind": "new_employee", "symbol": "3003", "number": "8", "name": "新入 花子"}


def _count(services: Services, row: type[RecordRow] | type[DocumentRow]) -> int:
    with transaction(services.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(row)) or 0)


def test_a_session_cookie_never_authorises_an_api_write(app: TestClient, services: Services) -> None:
    """GIVEN a reviewer's live session cookie WHEN the browser is made to post an event (as
    text/plain, as a form and as JSON) or an upload with only that cookie THEN 401 and nothing
    is recorded or stored."""
    login(app, "rev")
    as_text = app.post(
        "/api/v1/events",
        content='{"kind": "new_employee", "symbol": "3003", "number": "8", "name": "x"}',
        headers={"Content-Type": "text/plain"},
    )
    as_form = app.post("/api/v1/events", data=EVENT)
    as_json = app.post("/api/v1/events", json=EVENT)
    upload = app.post(
        "/api/v1/documents", files={"file": ("a.pdf", blank_pdf("messhitsu"), "application/pdf")}
    )
    for response in (as_text, as_form, as_json, upload):
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "unauthorized"
    assert _count(services, RecordRow) == 0 and _count(services, DocumentRow) == 0
    assert app.get("/", follow_redirects=False).status_code == 200  # the session itself still works


def test_the_events_api_takes_json_only_as_json(app: TestClient, services: Services) -> None:
    """GIVEN a write key WHEN an event is posted as text/plain or as a form THEN 415, no record."""
    token = create_api_key(services, "writer", ["read", "write"])
    headers = {"Authorization": f"Bearer {token}"}
    as_text = app.post(
        "/api/v1/events",
        content='{"kind": "new_employee", "symbol": "3003", "number": "8", "name": "x"}',
        headers={**headers, "Content-Type": "text/plain"},
    )
    as_form = app.post("/api/v1/events", data=EVENT, headers=headers)
    for response in (as_text, as_form):
        assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"
    assert _count(services, RecordRow) == 0
    assert app.post("/api/v1/events", json=EVENT, headers=headers).status_code == 201


def _age_sessions(services: Services, idle: timedelta) -> datetime:
    seen = datetime.now(UTC) - idle
    with transaction(services.sessions) as session:
        for row in session.scalars(select(SessionRow)):
            row.last_seen_at = seen
    return seen


def _last_seen(services: Services) -> datetime:
    with transaction(services.sessions) as session:
        value = session.scalars(select(SessionRow.last_seen_at)).one()
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_the_queue_pages_polling_does_not_keep_a_session_alive(app: TestClient, services: Services) -> None:
    """GIVEN a session idle for 29 minutes WHEN the queue page's poll reads the task count
    THEN it is answered, the idle clock does not move, and a minute later the session is over."""
    login(app, "rev")
    seen = _age_sessions(services, timedelta(minutes=29))
    for _ in range(3):
        assert app.get("/api/v1/review-tasks").status_code == 200
    assert abs(_last_seen(services) - seen) < timedelta(seconds=1)
    _age_sessions(services, timedelta(minutes=31))
    assert app.get("/api/v1/review-tasks").status_code == 401
    assert app.get("/", follow_redirects=False).headers["location"] == "/login"


def _burst(app: TestClient, attempts: list[tuple[str, str]]) -> list[str]:
    """Post every (username, password) at once; the outcome of each: invalid, locked or ok."""
    csrf = login_token(app)

    def post(attempt: tuple[str, str]) -> str:
        response = app.post(
            "/login",
            data={"username": attempt[0], "password": attempt[1], "csrf": csrf},
            follow_redirects=False,
        )
        location = response.headers["location"]
        return "ok" if location == "/" else location.removeprefix("/login?error=")

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(post, attempts))


def _sessions(services: Services) -> int:
    with transaction(services.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(SessionRow)) or 0)


def test_parallel_login_guesses_lock_as_serial_ones_do(app: TestClient, services: Services) -> None:
    """GIVEN an account WHEN 20 wrong passwords are sent at once THEN only LOGIN_ATTEMPTS of them
    reach the password check and the rest are locked; WHEN 20 more are sent at once with the right
    password among them THEN every one is locked and no session is opened."""
    outcomes = _burst(app, [("rev", f"guess-{i}") for i in range(20)])
    assert outcomes.count("invalid") == auth.LOGIN_ATTEMPTS
    assert outcomes.count("locked") == 20 - auth.LOGIN_ATTEMPTS
    attempts = [("rev", f"guess-{i}") for i in range(20)]
    attempts[12] = ("rev", "pw-rev-long")
    assert set(_burst(app, attempts)) == {"locked"}
    assert _sessions(services) == 0


def test_a_burst_with_the_right_password_checks_at_most_the_limit(
    app: TestClient, services: Services
) -> None:
    """GIVEN a fresh account WHEN 30 guesses, the right one 13th, are sent at once THEN at most
    LOGIN_ATTEMPTS passwords are checked (the right one only if it came early), and afterwards
    the right password is locked out."""
    attempts = [("rev", f"guess-{i}") for i in range(30)]
    attempts[12] = ("rev", "pw-rev-long")
    outcomes = _burst(app, attempts)
    assert outcomes.count("invalid") + outcomes.count("ok") <= auth.LOGIN_ATTEMPTS
    assert _sessions(services) == outcomes.count("ok") <= 1
    assert _burst(app, [("rev", "pw-rev-long")]) == ["locked"]


def test_guesses_over_many_accounts_from_one_address_lock_the_address(
    app: TestClient, services: Services
) -> None:
    """GIVEN one client address WHEN it guesses at 40 different account names at once THEN at
    most LOGIN_ATTEMPTS_PER_ADDRESS are checked, and a real user's right password from that
    address is locked out too."""
    outcomes = _burst(app, [(f"user{i}", "guess") for i in range(40)])
    assert outcomes.count("invalid") == auth.LOGIN_ATTEMPTS_PER_ADDRESS
    assert _burst(app, [("rev2", "pw-rev2-long")]) == ["locked"]
    assert _sessions(services) == 0


def test_an_unknown_user_costs_a_password_check_as_a_known_one(
    app: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a known and an unknown user name WHEN each fails to log in THEN both run one argon2
    verification, and take comparable time (a name cannot be told from the answer's delay)."""
    verified: list[str] = []
    real = auth._hasher

    class Spy:
        def hash(self, password: str) -> str:
            return real.hash(password)

        def verify(self, hash_: str, password: str) -> bool:
            verified.append(hash_)
            return real.verify(hash_, password)

    monkeypatch.setattr(auth, "_hasher", Spy())

    def timed(name: str) -> float:
        start = time.perf_counter()
        with pytest.raises(auth.AuthError):
            auth.login(services, name, "wrong", "198.51.100.7")
        return time.perf_counter() - start

    timed("nobody-warmup")  # the dummy hash is made once, on first use
    known = statistics.median(timed("rev") for _ in range(3))
    unknown = statistics.median(timed(f"nobody{i}") for i in range(3))
    assert len(verified) == 7 and all(h.startswith("$argon2") for h in verified)
    assert unknown > known / 4, (known, unknown)


def test_a_login_post_not_made_by_our_form_is_refused(app: TestClient, services: Services) -> None:
    """GIVEN a page of another site (or another port of this host) WHEN it posts the login form
    with the attacker's credentials (login CSRF) THEN no session is opened."""
    app.cookies.clear()
    no_token = app.post("/login", data={"username": "rev", "password": "pw-rev-long"}, follow_redirects=False)
    csrf = login_token(app)
    other_token = app.post(
        "/login",
        data={"username": "rev", "password": "pw-rev-long", "csrf": csrf + "x"},
        follow_redirects=False,
    )
    same_site = app.post(
        "/login",
        data={"username": "rev", "password": "pw-rev-long", "csrf": csrf},
        headers={"Sec-Fetch-Site": "same-site"},
        follow_redirects=False,
    )
    for response in (no_token, other_token, same_site):
        assert response.headers["location"] == "/login?error=csrf"
    assert _sessions(services) == 0
    assert "画面の有効期限" in app.get("/login?error=csrf").text
    login(app, "rev")  # our own form still works


def _keys(services: Services) -> tuple[dict[str, str], dict[str, str]]:
    writer = create_api_key(services, "writer", ["read", "write"])
    full = create_api_key(services, "full", ["read", "my_number"])
    return {"Authorization": f"Bearer {writer}"}, {"Authorization": f"Bearer {full}"}


@pytest.mark.parametrize(
    "values",
    [
        {"my_number": 332770964655},  # the reproduction: a JSON number
        {"my_number": 123456789018},  # a number even with a right check digit
        {"my_number": "123456789019"},  # wrong check digit
        {"my_number": ["123456789018"]},
        {"myNumber": "123456789018"},  # another spelling would escape masking
        {"dependent": {"my_number": "123456789018"}},  # nested: masking looks at top-level names
    ],
)
def test_a_my_number_that_is_not_a_valid_string_is_refused(
    app: TestClient, services: Services, values: dict[str, object]
) -> None:
    """GIVEN a write key WHEN an event carries a 個人番号 of another JSON type, spelling or depth
    THEN 422 invalid_event and nothing is stored."""
    writer, _full = _keys(services)
    response = app.post("/api/v1/events", json={**EVENT, **values}, headers=writer)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_event"
    assert _count(services, RecordRow) == 0


def test_a_my_number_string_is_stored_canonical_and_returned_masked(
    app: TestClient, services: Services
) -> None:
    """GIVEN a 個人番号 in full-width digits with a hyphen WHEN it is posted THEN it is stored as
    12 digits, masked to a key without the scope and shown in full to one with it."""
    writer, full = _keys(services)
    created = app.post(
        "/api/v1/events", json={**EVENT, "my_number": "１２３４-５６７８-９０１８"}, headers=writer
    )
    assert created.status_code == 201, created.text
    record_id = created.json()["record_id"]
    masked = app.get(f"/api/v1/records/{record_id}", headers=writer).json()["values"]["my_number"]
    assert masked == "********9018"
    assert (
        app.get(f"/api/v1/records/{record_id}", headers=full).json()["values"]["my_number"] == "123456789018"
    )


def test_a_my_number_stored_raw_as_a_number_never_leaves_unmasked(
    app: TestClient, services: Services, tmp_path: Path
) -> None:
    """GIVEN a record stored before the edge check, with ``"my_number": 332770964655`` (a JSON
    number) WHEN a read-only key lists and reads it, a reviewer opens it, and the decision is
    exported to JSON Lines THEN every one shows ********4655 and never the number."""
    services.settings.export_dir = tmp_path / "export"
    with transaction(services.sessions) as session:
        row = RecordRow(
            document_id=None,
            form_index=None,
            form_id=None,
            values={"name": "古い 記録", "my_number": 332770964655, "_event": "new_employee"},
            status="validated",
            validated_by="api",
        )
        session.add(row)
        session.flush()
        record_id = row.id
        add_decision(session, services, record_id, {"decision": "issue_via_employer", "outcomes": []})
    reader = create_api_key(services, "reader", ["read"])
    headers = {"Authorization": f"Bearer {reader}"}
    one = app.get(f"/api/v1/records/{record_id}", headers=headers)
    listed = app.get("/api/v1/records", headers=headers)
    login(app, "rev")
    screen = app.get(f"/records/{record_id}")
    assert deliver(services)["delivered"] == 1
    export_file = next((tmp_path / "export").glob("*.jsonl"))
    assert stat.S_IMODE(export_file.stat().st_mode) == 0o600  # item 9: owner only
    export = export_file.read_text(encoding="utf-8")
    assert one.json()["values"]["my_number"] == "********4655"
    assert listed.json()["items"][0]["values"]["my_number"] == "********4655"
    assert json.loads(export)["values"]["my_number"] == "********4655"
    for text in (one.text, listed.text, screen.text, export):
        assert "332770964655" not in text and "33277096" not in text


SHIFT_JIS_NAME = "テスト.pdf".encode("shift_jis")  # a Windows scanner's name, not UTF-8
LONG_NAME = ("a" * 222 + ".pdf").encode()  # 226 bytes: "File name too long" once claimed


def _rejected_reasons(root: Path) -> dict[str, str]:
    return {
        p.name.removesuffix(".reason.txt"): p.read_text(encoding="utf-8")
        for p in (root / REJECTED).glob("*.reason.txt")
    }


def test_unusable_hotfolder_names_are_rejected_under_a_safe_name(services: Services) -> None:
    """GIVEN a file named in Shift_JIS bytes, one with a 226-byte name and a good one WHEN the
    hotfolder is polled THEN the two bad names go to rejected/ as unusable-name-….pdf with the
    original (escaped) in the reason, the good one is taken, nothing stays behind, and the
    no-loss invariant holds."""
    root = services.settings.hotfolder_dir
    root.mkdir(parents=True, exist_ok=True)
    for name in (SHIFT_JIS_NAME, LONG_NAME):
        with open(os.path.join(os.fsencode(root), name), "wb") as handle:
            handle.write(b"%PDF-1.4 whatever")
    write(root / "good.pdf", blank_pdf("messhitsu"))
    tracker = StabilityTracker(delay=0.0)
    outcomes = poll_once(services, root, tracker, now=0.0) + poll_once(services, root, tracker, now=10.0)
    assert sorted(outcomes) == ["done", "rejected", "rejected"]
    assert (root / DONE / "good.pdf").is_file()
    reasons = _rejected_reasons(root)
    assert len(reasons) == 2 and all(n.startswith("unusable-name-") and n.endswith(".pdf") for n in reasons)
    texts = "\n".join(reasons.values())
    assert texts.count("unusable_name:") == 2
    assert "original_name: \\x83e\\x83X\\x83g.pdf" in texts  # every byte kept, escaped
    assert f"original_name: {LONG_NAME.decode()}" in texts
    assert not [p for p in root.iterdir() if p.is_file()]
    assert invariant(services)["ok"]


def test_the_watcher_survives_a_name_it_cannot_decode(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN a running watcher WHEN a folder and a file with names that are not UTF-8 are dropped
    (watchfiles stops with "Unable to decode path") THEN the watcher keeps going on polling, takes
    a good file dropped after them, and rejects the bad one."""
    root = services.settings.hotfolder_dir
    root.mkdir(parents=True, exist_ok=True)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            watch(services, stop_after=6.0)
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever stopped it
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(1.0)
    os.mkdir(os.path.join(os.fsencode(root), b"scans\xff"))
    with open(os.path.join(os.fsencode(root), SHIFT_JIS_NAME), "wb") as handle:
        handle.write(b"%PDF-1.4 whatever")
    time.sleep(1.0)
    write(root / "after.pdf", blank_pdf("messhitsu"))
    thread.join(timeout=30)
    assert not thread.is_alive() and failures == []
    assert "file events stopped" in caplog.text  # watchfiles did give up on the name
    assert (root / DONE / "after.pdf").is_file()
    assert any("\\x83e\\x83X\\x83g.pdf" in text for text in _rejected_reasons(root).values())


def test_cookies_are_secure_by_default_outside_localhost(services: Services) -> None:
    """GIVEN the default settings WHEN the login page is served under a host name or over HTTPS
    THEN its cookie is Secure; on plain HTTP to 127.0.0.1 (kakunin run) it is not."""
    app = create_app(services.settings)
    for base, secure in (
        ("http://kakunin.example", True),
        ("https://kakunin.example", True),
        ("http://127.0.0.1:8000", False),
        ("http://localhost:8000", False),
    ):
        with TestClient(app, base_url=base) as client:
            cookie = client.get("/login").headers["set-cookie"]
        assert ("secure" in cookie.lower()) is secure, (base, cookie)
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    services.settings.cookie_secure = True
    with TestClient(create_app(services.settings), base_url="http://127.0.0.1:8000") as client:
        assert "secure" in client.get("/login").headers["set-cookie"].lower()


def test_a_500_carries_the_security_headers_and_no_internals(services: Services) -> None:
    """GIVEN a screen and an API route that fail unexpectedly WHEN they are called THEN 500 with
    every security header, a Japanese page or the API's error shape, and no exception text."""
    app = create_app(services.settings)

    @app.get("/boom")
    def screen_boom() -> None:
        raise RuntimeError("secret detail")

    @app.get("/api/v1/boom")
    def api_boom() -> None:
        raise RuntimeError("secret detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        screen, api = client.get("/boom"), client.get("/api/v1/boom")
    for response in (screen, api):
        assert response.status_code == 500 and "secret" not in response.text
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, name
    assert "内部エラー" in screen.text and screen.headers["content-type"].startswith("text/html")
    assert api.json()["error"]["code"] == "internal"


def test_records_until_the_last_day_of_the_calendar_is_not_a_500(app: TestClient, services: Services) -> None:
    reader = create_api_key(services, "reader", ["read"])
    response = app.get(
        "/api/v1/records", params={"until": "9999-12-31"}, headers={"Authorization": f"Bearer {reader}"}
    )
    assert response.status_code == 200 and response.json()["items"] == []


def test_the_queue_page_shows_notices_from_codes_only(app: TestClient) -> None:
    """GIVEN a logged-in reviewer WHEN a link puts text into ?notice= THEN the page does not show
    it; a known code shows its own message."""
    login(app, "rev")
    forged = app.get(
        "/", params={"notice": "システム障害のため https://evil.example で再ログインしてください"}
    )
    assert "evil.example" not in forged.text and "再ログイン" not in forged.text
    assert "差戻しました" in app.get("/", params={"notice": "rejected"}).text


@pytest.mark.ocr
def test_the_task_page_shows_errors_from_codes_only(app: TestClient, task_id: int) -> None:
    """GIVEN a task WHEN a link puts text into ?error= or an unknown name into ?fields= THEN
    neither is shown; a refused approval shows the code's message and the refused field's label."""
    login(app, "rev")
    forged = app.get(
        f"/tasks/{task_id}", params={"error": "個人番号を https://evil.example に送ってください"}
    )
    assert forged.status_code == 200 and "evil.example" not in forged.text
    shown = app.get(f"/tasks/{task_id}", params={"error": "invalid", "fields": "insured_name,<b>evil</b>"})
    assert "値が正しくない項目があります" in shown.text and "evil" not in shown.text


def test_the_file_store_keeps_originals_private(tmp_path: Path) -> None:
    """GIVEN a umask that would make files world-readable WHEN an original is stored THEN every
    folder the store makes is 0700 and the file 0600."""
    old = os.umask(0o022)
    try:
        store = FileStore(tmp_path / "store")
        digest = store.put(b"%PDF-1.4 personal data")
    finally:
        os.umask(old)
    path = store.path(digest)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, path.parent.parent, tmp_path / "store"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
