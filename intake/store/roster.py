"""Storage of the member roster (table ``roster``) and of the roster events already decided
(table ``roster_events``): rows in, frozen :class:`RosterEntry` views out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.store.models import RosterEventRow, RosterRow
from intake.store.views import view_of


@dataclass(frozen=True)
class RosterEntry:
    """A member or dependent as the roster knows them (dates as ISO text, as imported)."""

    symbol: str
    number: str
    name: str
    name_kana: str
    birth_date: str
    relationship: str  # 本人 for the insured
    can_use_myna: bool
    voluntary: bool = False
    certificate_expiry: str | None = None
    voluntary_until: str | None = None  # last day of 任意継続
    employer_code: str | None = None


def _entry(row: RosterRow) -> RosterEntry:
    return view_of(RosterEntry, row)


def upsert(session: Session, entry: RosterEntry) -> None:
    """Insert the member, or update the one with the same 記号・番号 and name."""
    row = session.scalar(
        select(RosterRow).where(
            RosterRow.symbol == entry.symbol, RosterRow.number == entry.number, RosterRow.name == entry.name
        )
    )
    if row is None:
        row = RosterRow(symbol=entry.symbol, number=entry.number, name=entry.name)
        session.add(row)
    row.name_kana = entry.name_kana
    row.birth_date = entry.birth_date
    row.relationship = entry.relationship
    row.can_use_myna = entry.can_use_myna
    row.voluntary = entry.voluntary
    row.certificate_expiry = entry.certificate_expiry
    row.voluntary_until = entry.voluntary_until
    row.employer_code = entry.employer_code


def loaded(session: Session) -> bool:
    """Whether the roster holds anyone."""
    return session.scalar(select(RosterRow.id).limit(1)) is not None


def members(session: Session, symbol: str, number: str) -> list[RosterEntry]:
    """The people the roster knows under 記号・番号 (the insured and their dependents)."""
    query = select(RosterRow).where(RosterRow.symbol == symbol, RosterRow.number == number)
    return [_entry(row) for row in session.scalars(query)]


def everyone(session: Session) -> list[RosterEntry]:
    """Every member and dependent, in the order they were imported."""
    return [_entry(row) for row in session.scalars(select(RosterRow).order_by(RosterRow.id))]


def event_keys(session: Session) -> set[str]:
    """The keys of the roster events already turned into decisions."""
    return set(session.scalars(select(RosterEventRow.key)))


def event_recorded(session: Session, key: str) -> bool:
    """Whether the roster event ``key`` was already turned into a decision."""
    return session.scalar(select(RosterEventRow.id).where(RosterEventRow.key == key)) is not None


def add_event(session: Session, key: str, record_id: int) -> None:
    """Remember that the roster event ``key`` made the record ``record_id``; a key recorded
    meanwhile by another process fails here (IntegrityError), so nothing is committed twice."""
    session.add(RosterEventRow(key=key, record_id=record_id))
    session.flush()
