"""Storage of users (table ``users``) and their server-side sessions (table ``sessions``):
rows in, frozen :class:`UserView` and :class:`SessionView` views out. Tokens arrive here
only as their SHA-256 (``token_hash``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from intake.store.models import SessionRow, UserRow
from intake.store.views import view_of


@dataclass(frozen=True)
class UserView:
    """A user as stored, with the argon2 hash the login verifies against."""

    id: int
    name: str
    role: str
    password_hash: str
    must_change_password: bool
    disabled: bool
    my_number_clerk: bool


@dataclass(frozen=True)
class SessionView:
    """A login session as stored."""

    id: int
    user_id: int
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    revoked: bool


def _user(row: UserRow) -> UserView:
    return view_of(UserView, row, my_number_clerk=bool(row.my_number_clerk))


def _row(session: Session, name: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.name == name))
    if row is None:
        raise ValueError(f"no user {name!r}")
    return row


def find(session: Session, name: str) -> UserView | None:
    """The user called ``name``."""
    row = session.scalar(select(UserRow).where(UserRow.name == name))
    return _user(row) if row else None


def get(session: Session, user_id: int) -> UserView | None:
    """The user with id ``user_id``."""
    row = session.get(UserRow, user_id)
    return _user(row) if row else None


def named(session: Session, name: str) -> UserView:
    """The user called ``name``; ValueError when there is none."""
    return _user(_row(session, name))


def add(session: Session, name: str, role: str, password_hash: str, must_change_password: bool) -> None:
    """Store a new user (the caller checks the name is free)."""
    session.add(
        UserRow(name=name, role=role, password_hash=password_hash, must_change_password=must_change_password)
    )


def count(session: Session) -> int:
    """How many users there are."""
    return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)


def set_disabled(session: Session, name: str, disabled: bool) -> UserView:
    """Disable or enable the user called ``name`` (ValueError: no such user)."""
    row = _row(session, name)
    row.disabled = disabled
    return _user(row)


def set_my_number_clerk(session: Session, name: str, on: bool) -> UserView:
    """Name the user 事務取扱担当者 or take it back (ValueError: no such user)."""
    row = _row(session, name)
    row.my_number_clerk = on
    return _user(row)


def set_password(session: Session, name: str, password_hash: str, must_change_password: bool) -> UserView:
    """Replace the user's password hash (ValueError: no such user)."""
    row = _row(session, name)
    row.password_hash = password_hash
    row.must_change_password = must_change_password
    return _user(row)


def open_session(session: Session, token_hash: str, user_id: int, csrf_token: str) -> None:
    """Store a new live session."""
    session.add(SessionRow(token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, revoked=False))


def find_session(session: Session, token_hash: str) -> SessionView | None:
    """The session behind a cookie token's hash (revoked or not)."""
    row = session.scalar(select(SessionRow).where(SessionRow.token_hash == token_hash))
    if row is None:
        return None
    return SessionView(row.id, row.user_id, row.csrf_token, row.created_at, row.last_seen_at, row.revoked)


def revoke_session(session: Session, session_id: int) -> None:
    """End one session."""
    session.execute(update(SessionRow).where(SessionRow.id == session_id).values(revoked=True))


def touch_session(session: Session, session_id: int, now: datetime) -> None:
    """Count ``now`` as the session's latest activity."""
    session.execute(update(SessionRow).where(SessionRow.id == session_id).values(last_seen_at=now))


def end_sessions(session: Session, user_id: int, keep_hash: str | None = None) -> None:
    """Revoke every session of the user but the one whose token hash is ``keep_hash``."""
    statement = update(SessionRow).where(SessionRow.user_id == user_id, SessionRow.revoked.is_(False))
    if keep_hash is not None:
        statement = statement.where(SessionRow.token_hash != keep_hash)
    session.execute(statement.values(revoked=True))
