"""Storage of API keys (table ``api_keys``): rows in, frozen :class:`ApiKeyInfo` and
:class:`StoredKey` views out. A key arrives here only as its SHA-256 (``key_hash``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.domain import aware
from intake.store.models import ApiKeyRow


@dataclass(frozen=True)
class ApiKeyInfo:
    """What ``kakunin apikey list`` shows of a key: never its secret nor its hash."""

    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked: bool

    def state(self, now: datetime) -> str:
        if self.revoked:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active"


def _info(row: ApiKeyRow) -> ApiKeyInfo:
    return ApiKeyInfo(
        row.name,
        tuple(row.scopes),
        aware(row.created_at),
        aware(row.expires_at) if row.expires_at else None,
        row.revoked,
    )


def exists(session: Session, name: str) -> bool:
    """Whether a key (live or revoked) is called ``name``."""
    return session.scalar(select(ApiKeyRow.id).where(ApiKeyRow.name == name)) is not None


def add(session: Session, name: str, key_hash: str, scopes: list[str], expires_at: datetime | None) -> None:
    """Store a new live key."""
    session.add(ApiKeyRow(name=name, key_hash=key_hash, scopes=scopes, revoked=False, expires_at=expires_at))


def revoke(session: Session, name: str) -> bool:
    """Refuse the key called ``name`` from now on; False when there is none."""
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.name == name))
    if row is None:
        return False
    row.revoked = True
    return True


def all_keys(session: Session) -> list[ApiKeyInfo]:
    """Every key by name."""
    return [_info(row) for row in session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.name))]


def by_hash(session: Session, key_hash: str) -> ApiKeyInfo | None:
    """The key whose token hashes to ``key_hash`` (live or not)."""
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash))
    return _info(row) if row else None
