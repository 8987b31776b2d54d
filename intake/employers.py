"""The society's 事業所 master: CSV import, and the check of a form's employer block against it
(:mod:`extractors.employers`), in the service (the database's master, the roster's 事業所 of
the member first) and in ``kakunin extract --employers FILE`` (a file, no database).

CSV format (UTF-8, header row; see README "事業所マスタ"):
    事業所記号,名称,所在地,電話番号,事業主
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from extractors.employers import Employer, checked, match
from extractors.model import FormReading
from extractors.normalize import nfkc
from intake.services import Services
from intake.store import employers as store
from intake.store.db import transaction

COLUMNS = ["事業所記号", "名称", "所在地", "電話番号", "事業主"]


@dataclass(frozen=True)
class ParsedMaster:
    """The 事業所 of a CSV file, and its bad rows by line number (skipped)."""

    employers: tuple[Employer, ...]
    errors: tuple[str, ...]


def parse_csv(text: str) -> ParsedMaster:
    """Every row of a master CSV as an :class:`Employer` (values NFKC, spaces collapsed); a row
    without 事業所記号 or 名称, or a 事業所記号 given twice, is reported and skipped."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return ParsedMaster((), (f"ヘッダーに列がありません: {', '.join(missing)}",))
    found: dict[str, Employer] = {}
    errors: list[str] = []
    for line, row in enumerate(reader, start=2):
        code, name, address, phone, owner = (nfkc(row.get(c) or "") for c in COLUMNS)
        if not code or not name:
            errors.append(f"{line} 行目: 事業所記号と名称は必須です")
            continue
        if code in found:
            errors.append(f"{line} 行目: 事業所記号 {code} が重複しています")
            continue
        found[code] = Employer(code, name, address, phone, owner)
    return ParsedMaster(tuple(found.values()), tuple(errors))


def load_file(path: Path) -> ParsedMaster:
    """A master CSV file (UTF-8, a BOM allowed) for a run without a database."""
    return parse_csv(path.read_text(encoding="utf-8-sig"))


def import_csv(services: Services, text: str) -> ParsedMaster:
    """Insert or update every good row of the CSV (by 事業所記号); what was imported and the
    bad rows."""
    parsed = parse_csv(text)
    with transaction(services.sessions) as session:
        for employer in parsed.employers:
            store.upsert(session, employer)
    return parsed


def master(services: Services) -> tuple[Employer, ...]:
    """The database's 事業所 master (empty until one is imported)."""
    with transaction(services.sessions) as session:
        return store.all_employers(session)


def named_by_roster(services: Services, form: FormReading) -> Employer | None:
    """The 事業所 the roster names for the form's insured (記号・番号), if any."""
    values = {f.name: f.value for f in form.fields}
    symbol, number = values.get("insured_symbol"), values.get("insured_number")
    if not isinstance(symbol, str) or not isinstance(number, str):
        return None
    with transaction(services.sessions) as session:
        return store.employer_of_member(session, symbol, number)


def check_form(
    form: FormReading, employers: Sequence[Employer], named: Employer | None = None
) -> FormReading:
    """``form``'s employer block against the master: against the roster's 事業所 of the member
    first when that one is alike, else the whole master (:func:`extractors.employers.checked`)."""
    if named is not None and match({f.name: f.value for f in form.fields}, [named]) is not None:
        return checked(form, [named])
    return checked(form, employers)


def with_employer_check(services: Services, form: FormReading) -> FormReading:
    """The service's check: skipped while no master has been imported."""
    employers = master(services)
    if not employers or form.form_id is None:
        return form
    return check_form(form, employers, named_by_roster(services, form))
