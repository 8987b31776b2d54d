"""Users, roles and server-side sessions (argon2 hashes; tokens stored only as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from intake.domain import aware
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import ApiKeyRow, AuditEventRow, SessionRow, UserRow

ROLES = ("reviewer", "approver", "admin")
#: Roles that may see a 個人番号 in full (after pressing reveal, which is audited).
CAN_REVEAL = {"approver", "admin"}
#: Roles that may give the second approval of the two-person rule.
CAN_APPROVE = {"approver", "admin"}
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_LIFETIME = timedelta(hours=12)
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_ATTEMPTS = 5

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


def login(services: Services, name: str, password: str, client: str) -> tuple[str, SessionInfo]:
    """Check the password and open a session; returns (cookie token, session)."""
    since = _now() - LOGIN_WINDOW
    with transaction(services.sessions) as session:
        failures = (
            session.scalar(
                select(func.count())
                .select_from(AuditEventRow)
                .where(
                    AuditEventRow.action == "login_failed",
                    AuditEventRow.actor == name[:64],
                    AuditEventRow.at >= since,
                )
            )
            or 0
        )
        if failures >= LOGIN_ATTEMPTS:
            raise AuthError("locked")
        user = session.scalar(select(UserRow).where(UserRow.name == name))
        try:
            if user is None:
                raise VerificationError("no such user")
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            user = None
            # Recorded and committed before refusing: the count of failures is the rate limit.
            repo.audit(session, name[:64], "login_failed", None, client=client)
    if user is None:
        raise AuthError("invalid")
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
