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
from sqlalchemy import func, select

from intake.domain import aware
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import ApiKeyRow, SessionRow, UserRow

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

_hasher = PasswordHasher()


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


def sees_my_number(user: User) -> bool:
    """The one rule for who may see a 個人番号: its digits (after reveal, audited) and its
    boxes in the page image. Anyone else gets the image with those boxes blacked out."""
    return user.role in CAN_REVEAL


@dataclass(frozen=True)
class SessionInfo:
    user: User
    csrf_token: str


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(services: Services, name: str, role: str, password: str | None = None) -> str:
    """Add a user; returns the password (generated when none is given; never stored in clear)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    chosen = password or secrets.token_urlsafe(12)
    with transaction(services.sessions) as session:
        if session.scalar(select(UserRow).where(UserRow.name == name)):
            raise ValueError(f"user {name!r} already exists")
        session.add(
            UserRow(
                name=name,
                role=role,
                password_hash=_hasher.hash(chosen),
                must_change_password=password is None,
            )
        )
        repo.audit(session, "cli", "user_added", None, user=name, role=role)
    return chosen


def count_users(services: Services) -> int:
    with transaction(services.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)


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
        user = session.scalar(select(UserRow).where(UserRow.name == name))
        try:
            _hasher.verify(user.password_hash if user is not None else _dummy_hash(), password)
            if user is None:
                raise VerificationError("no such user")
        except (VerificationError, InvalidHashError):
            user = None
            repo.audit(session, name[:64], "login_failed", None, client=client)
    if user is None:
        raise AuthError("invalid")
    _release_attempt(services, name, client)
    with transaction(services.sessions) as session:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        session.add(SessionRow(token_hash=_digest(token), user_id=user.id, csrf_token=csrf, revoked=False))
        repo.audit(session, user.name, "login", None, client=client)
        return token, SessionInfo(User(user.id, user.name, user.role, user.must_change_password), csrf)


def current(services: Services, token: str | None, touch: bool = True) -> SessionInfo | None:
    """The live session behind a cookie token; idle and absolute limits end it.

    ``touch=False`` reads the session without counting as activity: the screens' background
    polling must not keep an unattended session alive past the idle timeout."""
    if not token:
        return None
    now = _now()
    with transaction(services.sessions) as session:
        row = session.scalar(select(SessionRow).where(SessionRow.token_hash == _digest(token)))
        if row is None or row.revoked:
            return None
        if now - aware(row.last_seen_at) > IDLE_TIMEOUT or now - aware(row.created_at) > ABSOLUTE_LIFETIME:
            row.revoked = True
            return None
        if touch:
            row.last_seen_at = now
        user = session.get(UserRow, row.user_id)
        if user is None:
            return None
        return SessionInfo(User(user.id, user.name, user.role, user.must_change_password), row.csrf_token)


def logout(services: Services, token: str | None) -> None:
    if not token:
        return
    with transaction(services.sessions) as session:
        row = session.scalar(select(SessionRow).where(SessionRow.token_hash == _digest(token)))
        if row is not None:
            row.revoked = True


#: API key scopes: read results, write (upload), and see 個人番号 in full.
SCOPES = ("read", "write", "my_number")


@dataclass(frozen=True)
class ApiKey:
    name: str
    scopes: frozenset[str]


def create_api_key(services: Services, name: str, scopes: list[str]) -> str:
    """A new bearer token (shown once; only its SHA-256 is stored)."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"scopes must be among {', '.join(SCOPES)}")
    token = "kk_" + secrets.token_urlsafe(32)
    with transaction(services.sessions) as session:
        if session.scalar(select(ApiKeyRow).where(ApiKeyRow.name == name)):
            raise ValueError(f"API key {name!r} already exists")
        session.add(ApiKeyRow(name=name, key_hash=_digest(token), scopes=sorted(set(scopes)), revoked=False))
        repo.audit(session, "cli", "apikey_created", None, key=name, scopes=sorted(set(scopes)))
    return token


def api_key(services: Services, token: str | None) -> ApiKey | None:
    if not token:
        return None
    with transaction(services.sessions) as session:
        row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == _digest(token)))
        if row is None or row.revoked:
            return None
        return ApiKey(row.name, frozenset(row.scopes))
