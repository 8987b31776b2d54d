"""The member roster: CSV import, lookup for the rules, and the cross-check of records.

CSV format (UTF-8, header row; see README "Member roster"):
    symbol,number,name,name_kana,birth_date,relationship,can_use_myna,voluntary,certificate_expiry,
    voluntary_until,employer_code
(``employer_code``, optional: the member's 事業所記号 in the employers master.)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from extractors.issuance import Person
from extractors.model import Finding
from extractors.normalize import without_spaces
from intake.services import Services
from intake.store import roster as store
from intake.store.db import transaction
from intake.store.roster import RosterEntry

COLUMNS = [
    "symbol",
    "number",
    "name",
    "name_kana",
    "birth_date",
    "relationship",
    "can_use_myna",
    "voluntary",
    "certificate_expiry",
    "voluntary_until",
    "employer_code",
]
TRUE = {"1", "true", "yes", "y", "○", "可"}


@dataclass(frozen=True)
class ImportReport:
    imported: int
    errors: list[str]


def _bool(text: str) -> bool:
    return text.strip().lower() in TRUE


def import_csv(services: Services, text: str) -> ImportReport:
    """Insert or update every row; a bad row is reported by line number and skipped."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS[:7] if c not in (reader.fieldnames or [])]
    if missing:
        return ImportReport(0, [f"ヘッダーに列がありません: {', '.join(missing)}"])
    imported, errors = 0, []
    with transaction(services.sessions) as session:
        for line, row in enumerate(reader, start=2):
            try:
                date.fromisoformat(row["birth_date"].strip())
                voluntary_until = (row.get("voluntary_until") or "").strip() or None
                if voluntary_until is not None:
                    date.fromisoformat(voluntary_until)
                if not (
                    row["symbol"].strip().isdigit()
                    and row["number"].strip().isdigit()
                    and row["name"].strip()
                ):
                    raise ValueError("symbol/number must be digits and name must be filled")
            except (ValueError, AttributeError) as exc:
                errors.append(f"{line} 行目: {exc}")
                continue
            entry = RosterEntry(
                symbol=row["symbol"].strip(),
                number=row["number"].strip(),
                name=row["name"].strip(),
                name_kana=row["name_kana"].strip(),
                birth_date=row["birth_date"].strip(),
                relationship=(row.get("relationship") or "本人").strip() or "本人",
                can_use_myna=_bool(row["can_use_myna"]),
                voluntary=_bool(row.get("voluntary") or ""),
                certificate_expiry=(row.get("certificate_expiry") or "").strip() or None,
                voluntary_until=voluntary_until,
                employer_code=(row.get("employer_code") or "").strip() or None,
            )
            store.upsert(session, entry)
            imported += 1
    return ImportReport(imported, errors)


def roster_loaded(services: Services) -> bool:
    with transaction(services.sessions) as session:
        return store.loaded(session)


def members(services: Services, symbol: str | None, number: str | None) -> list[RosterEntry]:
    """The roster's people under 記号・番号 (none when either is missing)."""
    if not symbol or not number:
        return []
    with transaction(services.sessions) as session:
        return store.members(session, symbol, number)


def persons(services: Services, values: dict[str, Any]) -> dict[str, Person]:
    """The roster's people of a record (the insured and their dependents), keyed by name."""
    out = {}
    for row in members(services, values.get("insured_symbol"), values.get("insured_number")):
        out[str(without_spaces(row.name))] = Person(
            row.symbol,
            row.number,
            row.name,
            row.name_kana,
            date.fromisoformat(row.birth_date),
            row.can_use_myna,
            row.voluntary,
            date.fromisoformat(row.certificate_expiry) if row.certificate_expiry else None,
            voluntary_until=date.fromisoformat(row.voluntary_until) if row.voluntary_until else None,
        )
    return out


def cross_check(services: Services, values: dict[str, Any]) -> list[Finding]:
    """Unknown 記号・番号, or a name or birth date that differs from the roster → findings."""
    symbol, number = values.get("insured_symbol"), values.get("insured_number")
    if not symbol or not number:
        return []
    rows = members(services, symbol, number)
    if not rows:
        return [Finding("insured_number", "roster_unknown", "記号・番号が加入者名簿にありません")]
    insured = next((r for r in rows if r.relationship == "本人"), None)
    out = []
    if insured is not None:
        if values.get("insured_name") and without_spaces(values["insured_name"]) != without_spaces(
            insured.name
        ):
            out.append(Finding("insured_name", "roster_mismatch", "氏名が加入者名簿と一致しません"))
        if values.get("insured_birth_date") and values["insured_birth_date"] != insured.birth_date:
            out.append(Finding("insured_birth_date", "roster_mismatch", "生年月日が加入者名簿と一致しません"))
    return out
