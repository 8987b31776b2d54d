"""Users, roles and server-side sessions (argon2 hashes; tokens stored only as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from redis.exceptions import RedisError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from intake.domain import aware
from intake.services import Services
from intake.store import api_keys, repo, users
from intake.store.api_keys import ApiKeyInfo
from intake.store.db import transaction
from intake.store.users import UserView

ROLES = ("reviewer", "approver", "admin")
#: Roles that may see a 個人番号 in full (after pressing reveal, which is audited).
CAN_REVEAL = {"approver", "admin"}
#: Roles that may give the second approval of the two-person rule.
CAN_APPROVE = {"approver", "admin"}
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_LIFETIME = timedelta(hours=12)
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_ATTEMPTS = 5
#: Failed logins from one client address, whatever the account names, within LOGIN_WINDOW.
LOGIN_ATTEMPTS_PER_ADDRESS = 30

#: Password policy [ASVS V2.1]: at least 12 characters, at most 128 (argon2 hashes any length,
#: the bound keeps a login from hashing megabytes), no composition rules; instead it must not be
#: a common password nor guessable by zxcvbn's estimate (score 3: about 10^8 guesses).
PASSWORD_MIN = 12
PASSWORD_MAX = 128
PASSWORD_MIN_SCORE = 3
#: What the policy says about a refused password, in Japanese, by code.
PASSWORD_PROBLEMS = {
    "too_short": f"パスワードは{PASSWORD_MIN}文字以上にしてください。",
    "too_long": f"パスワードは{PASSWORD_MAX}文字以内にしてください。",
    "common": "よく使われるパスワードです。別のパスワードにしてください。",
    "guessable": "推測されやすいパスワードです（名前・連続した文字・繰り返しなど）。長い文や無関係な語の組み合わせにしてください。",
    "same": "新しいパスワードが今のパスワードと同じです。",
}

_hasher = PasswordHasher()


class PasswordRefused(ValueError):
    """A password the policy refuses; ``code`` is a key of :data:`PASSWORD_PROBLEMS`."""

    def __init__(self, code: str) -> None:
        super().__init__(PASSWORD_PROBLEMS[code])
        self.code = code


@cache
def _common_passwords() -> frozenset[str]:
    """zxcvbn's 30,000 most common passwords (from leaked password lists)."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, name: str = "") -> str | None:
    """Why the policy refuses ``password`` for the user ``name`` (a code of
    :data:`PASSWORD_PROBLEMS`), or None when it is acceptable."""
    if len(password) < PASSWORD_MIN:
        return "too_short"
    if len(password) > PASSWORD_MAX:
        return "too_long"
    if password.lower() in _common_passwords():
        return "common"
    # zxcvbn looks at 72 characters at most; the strength of a prefix is a lower bound.
    estimate = zxcvbn(password[:72], user_inputs=[name, "kakunin", "admin"] if name else ["kakunin"])
    if int(estimate["score"]) < PASSWORD_MIN_SCORE:
        return "guessable"
    return None


def check_password(password: str, name: str = "") -> None:
    """Raise :class:`PasswordRefused` when the policy refuses ``password``."""
    problem = password_problem(password, name)
    if problem is not None:
        raise PasswordRefused(problem)


class AuthError(Exception):
    """Login refused; ``code`` is shown to the user in Japanese by the screens."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    must_change_password: bool
    #: The society's 事務取扱担当者 (番号法): may see a 個人番号 whatever the role.
    my_number_clerk: bool = False


def sees_my_number(user: User) -> bool:
    """The one rule for who may see a 個人番号: its digits (after reveal, audited) and its
    boxes in the page image: a role of :data:`CAN_REVEAL` or a user named 事務取扱担当者
    (``kakunin user my-number NAME``). Anyone else gets the image with those boxes blacked
    out, and a doubtful 個人番号 they leave goes to someone who may see it."""
    return user.role in CAN_REVEAL or user.my_number_clerk


def _user(stored: UserView) -> User:
    return User(stored.id, stored.name, stored.role, stored.must_change_password, stored.my_number_clerk)


@dataclass(frozen=True)
class SessionInfo:
    user: User
    csrf_token: str


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _one_time_password() -> str:
    """A generated password (16 characters, 96 bits): it must be changed at the first login."""
    return secrets.token_urlsafe(12)


def create_user(services: Services, name: str, role: str, password: str | None = None) -> str:
    """Add a user; returns the password (generated when none is given; never stored in clear).

    A generated password is one-time: the user must change it at the first login. A password
    a person chose is checked against the policy by whoever takes it from them
    (:func:`check_password`: ``kakunin user add --password-stdin``, the change screen)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    chosen = password or _one_time_password()
    with transaction(services.sessions) as session:
        if users.find(session, name) is not None:
            raise ValueError(f"user {name!r} already exists")
        users.add(session, name, role, _hasher.hash(chosen), must_change_password=password is None)
        repo.audit(session, "cli", "user_added", None, user=name, role=role)
    return chosen


def count_users(services: Services) -> int:
    with transaction(services.sessions) as session:
        return users.count(session)


@cache
def _dummy_hash() -> str:
    """A hash to verify against for an unknown user, so that it takes as long as a known one."""
    return _hasher.hash(secrets.token_urlsafe(16))


#: INCR that starts the window on the first attempt, atomic inside Redis.
_RESERVE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""


def _attempt_keys(name: str, client: str) -> tuple[str, str]:
    return (
        "kakunin:login:account:" + hashlib.sha256(name.encode("utf-8", "replace")).hexdigest(),
        "kakunin:login:address:" + hashlib.sha256(client.encode("utf-8", "replace")).hexdigest(),
    )


def _reserve_attempt(services: Services, name: str, client: str) -> bool:
    """Count this attempt before the password is checked; False once the account or the address
    is over its limit. The count is one atomic INCR per key in Redis, so parallel guesses are
    counted as serial ones are: only the first LOGIN_ATTEMPTS reach the password check."""
    window_ms = int(LOGIN_WINDOW.total_seconds() * 1000)
    account, address = _attempt_keys(name, client)
    try:
        reserve = services.redis.register_script(_RESERVE)
        on_account = int(reserve(keys=[account], args=[window_ms]))
        on_address = int(reserve(keys=[address], args=[window_ms]))
    except RedisError as exc:
        raise AuthError("unavailable") from exc
    return on_account <= LOGIN_ATTEMPTS and on_address <= LOGIN_ATTEMPTS_PER_ADDRESS


def _release_attempt(services: Services, name: str, client: str) -> None:
    """A successful login is not a failure: give its reservation back."""
    try:
        for key in _attempt_keys(name, client):
            services.redis.decr(key)
    except RedisError:
        pass  # the count stays one higher until the window ends: the safe side


def login(services: Services, name: str, password: str, client: str) -> tuple[str, SessionInfo]:
    """Check the password and open a session; returns (cookie token, session).

    Every attempt is counted first (atomically, per account and per client address); an unknown
    user is verified against a dummy hash, so a wrong name and a wrong password take as long."""
    if not _reserve_attempt(services, name, client):
        with transaction(services.sessions) as session:
            repo.audit(session, name[:64], "login_locked", None, client=client)
        raise AuthError("locked")
    with transaction(services.sessions) as session:
        user = users.find(session, name)
        try:
            _hasher.verify(user.password_hash if user is not None else _dummy_hash(), password)
            if user is None:
                raise VerificationError("no such user")
        except (VerificationError, InvalidHashError):
            user = None
            repo.audit(session, name[:64], "login_failed", None, client=client)
    if user is None:
        raise AuthError("invalid")
    if user.disabled:
        # Said only to whoever knows the password; the attempt stays counted.
        with transaction(services.sessions) as session:
            repo.audit(session, user.name, "login_disabled", None, client=client)
        raise AuthError("disabled")
    _release_attempt(services, name, client)
    with transaction(services.sessions) as session:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        users.open_session(session, _digest(token), user.id, csrf)
        repo.audit(session, user.name, "login", None, client=client)
        return token, SessionInfo(_user(user), csrf)


def current(services: Services, token: str | None, touch: bool = True) -> SessionInfo | None:
    """The live session behind a cookie token; idle and absolute limits end it.

    ``touch=False`` reads the session without counting as activity: the screens' background
    polling must not keep an unattended session alive past the idle timeout."""
    if not token:
        return None
    now = _now()
    with transaction(services.sessions) as session:
        row = users.find_session(session, _digest(token))
        if row is None or row.revoked:
            return None
        if now - aware(row.last_seen_at) > IDLE_TIMEOUT or now - aware(row.created_at) > ABSOLUTE_LIFETIME:
            users.revoke_session(session, row.id)
            return None
        if touch:
            users.touch_session(session, row.id, now)
        user = users.get(session, row.user_id)
        if user is None or user.disabled:
            users.revoke_session(session, row.id)
            return None
        return SessionInfo(_user(user), row.csrf_token)


def logout(services: Services, token: str | None) -> None:
    if not token:
        return
    with transaction(services.sessions) as session:
        row = users.find_session(session, _digest(token))
        if row is not None:
            users.revoke_session(session, row.id)


def revoke_sessions(services: Services, name: str, actor: str = "cli") -> None:
    """End every session of a user at once (the user may log in again)."""
    with transaction(services.sessions) as session:
        user = users.named(session, name)
        users.end_sessions(session, user.id)
        repo.audit(session, actor, "sessions_revoked", None, user=name)


def set_disabled(services: Services, name: str, disabled: bool, actor: str = "cli") -> None:
    """Disable a user (no login, every session ended at once) or enable them again."""
    with transaction(services.sessions) as session:
        user = users.set_disabled(session, name, disabled)
        if disabled:
            users.end_sessions(session, user.id)
        repo.audit(session, actor, "user_disabled" if disabled else "user_enabled", None, user=name)


def set_my_number_clerk(services: Services, name: str, on: bool, actor: str = "cli") -> None:
    """Name a user 事務取扱担当者 (they see 個人番号 from their next request on) or take it back;
    audited."""
    with transaction(services.sessions) as session:
        users.set_my_number_clerk(session, name, on)
        repo.audit(session, actor, "my_number_clerk_set" if on else "my_number_clerk_unset", None, user=name)


def reset_password(services: Services, name: str, actor: str = "cli") -> str:
    """Give a user a new one-time password (returned, shown once), to be changed at the next
    login; their sessions end."""
    password = _one_time_password()
    with transaction(services.sessions) as session:
        user = users.set_password(session, name, _hasher.hash(password), must_change_password=True)
        users.end_sessions(session, user.id)
        repo.audit(session, actor, "password_reset", None, user=name)
    return password


def change_password(
    services: Services, token: str, current_password: str, new_password: str, client: str
) -> None:
    """The logged-in user (cookie ``token``) replaces their password.

    The current password is checked as a login is (counted against the same limits, so a left-open
    session cannot be used to guess it); the new one must pass the policy and differ from it. The
    user's other sessions end; this one goes on, no longer bound to change the password."""
    info = current(services, token)
    if info is None:
        raise AuthError("invalid")
    name = info.user.name
    if not _reserve_attempt(services, name, client):
        with transaction(services.sessions) as session:
            repo.audit(session, name, "password_change_locked", None, client=client)
        raise AuthError("locked")
    with transaction(services.sessions) as session:
        user = users.named(session, name)
        try:
            verified: bool = _hasher.verify(user.password_hash, current_password)
        except (VerificationError, InvalidHashError):
            verified = False
            repo.audit(session, name, "password_change_failed", None, client=client)
    if not verified:  # raised outside the transaction, so that the audit row is kept
        raise AuthError("invalid")
    _release_attempt(services, name, client)
    if new_password == current_password:
        raise PasswordRefused("same")
    check_password(new_password, name)
    with transaction(services.sessions) as session:
        user = users.set_password(session, name, _hasher.hash(new_password), must_change_password=False)
        users.end_sessions(session, user.id, keep_hash=_digest(token))
        repo.audit(session, name, "password_changed", None, client=client)


#: API key scopes: read results, write (upload), and see 個人番号 in full.
SCOPES = ("read", "write", "my_number", "audit")  # audit: GET /api/v1/audit-events (admins)


@dataclass(frozen=True)
class ApiKey:
    name: str
    scopes: frozenset[str]


def create_api_key(
    services: Services, name: str, scopes: list[str], expires_at: datetime | None = None, actor: str = "cli"
) -> str:
    """A new bearer token (shown once; only its SHA-256 is stored), valid until revoked or
    until ``expires_at`` when given."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"scopes must be among {', '.join(SCOPES)}")
    if expires_at is not None and aware(expires_at) <= _now():
        raise ValueError("the expiry must be in the future")
    token = "kk_" + secrets.token_urlsafe(32)
    with transaction(services.sessions) as session:
        if api_keys.exists(session, name):
            raise ValueError(f"API key {name!r} already exists")
        api_keys.add(session, name, _digest(token), sorted(set(scopes)), expires_at)
        repo.audit(
            session,
            actor,
            "apikey_created",
            None,
            key=name,
            scopes=sorted(set(scopes)),
            expires_at=expires_at.isoformat() if expires_at else None,
        )
    return token


def revoke_api_key(services: Services, name: str, actor: str = "cli") -> None:
    """Refuse a key from now on (it stays listed as revoked; its name cannot be reused)."""
    with transaction(services.sessions) as session:
        if not api_keys.revoke(session, name):
            raise ValueError(f"no API key {name!r}")
        repo.audit(session, actor, "apikey_revoked", None, key=name)


def list_api_keys(services: Services) -> list[ApiKeyInfo]:
    """Every key by name, with its scopes, dates and whether it is revoked."""
    with transaction(services.sessions) as session:
        return api_keys.all_keys(session)


def api_key(services: Services, token: str | None) -> ApiKey | None:
    """The live key of a bearer token: not revoked, not expired."""
    if not token:
        return None
    with transaction(services.sessions) as session:
        key = api_keys.by_hash(session, _digest(token))
    if key is None or key.state(_now()) != "active":
        return None
    return ApiKey(key.name, frozenset(key.scopes))


#: A fixed window per key: INCR, the window started by the first call; returns the count and
#: the milliseconds left in the window.
_RATE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
"""


def upload_wait(services: Services, who: str, per_minute: int) -> int:
    """Count one upload of the API caller ``who``; 0 when it is within ``per_minute``, else the seconds until
    the key's window ends (the Retry-After). Raises ``RedisError`` when Redis cannot count."""
    rate = services.redis.register_script(_RATE)
    name = "kakunin:upload:" + hashlib.sha256(who.encode()).hexdigest()
    count, left_ms = (int(x) for x in rate(keys=[name], args=[60_000]))
    if count <= per_minute:
        return 0
    return max(1, -(-left_ms // 1000))
