"""Storage of the 事業所 master (table ``employers``): rows in, frozen
:class:`~extractors.employers.Employer` views out."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from extractors.employers import Employer
from intake.store.models import EmployerRow, RosterRow


def _view(row: EmployerRow) -> Employer:
    return Employer(row.code, row.name, row.address, row.phone, row.owner)


def upsert(session: Session, employer: Employer) -> None:
    """Insert the 事業所, or update the one with its 事業所記号."""
    row = session.scalar(select(EmployerRow).where(EmployerRow.code == employer.code))
    if row is None:
        row = EmployerRow(code=employer.code)
        session.add(row)
    row.name, row.address, row.phone, row.owner = (
        employer.name,
        employer.address,
        employer.phone,
        employer.owner,
    )


def all_employers(session: Session) -> tuple[Employer, ...]:
    """Every 事業所 of the master, by 事業所記号."""
    return tuple(_view(row) for row in session.scalars(select(EmployerRow).order_by(EmployerRow.code)))


def employer_of_member(session: Session, symbol: str, number: str) -> Employer | None:
    """The 事業所 the roster names for the member with 記号・番号 (None: not named, or not in
    the master)."""
    code = session.scalar(
        select(RosterRow.employer_code).where(
            RosterRow.symbol == symbol, RosterRow.number == number, RosterRow.employer_code.is_not(None)
        )
    )
    if code is None:
        return None
    row = session.scalar(select(EmployerRow).where(EmployerRow.code == code))
    return _view(row) if row else None
