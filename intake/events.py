"""Events that arrive without a form (rules R2, R11, R12, R13, R15): each becomes a record and a
decision.

- ``new_employee``: the employer's 資格取得届 with the note that the person cannot use a マイナ保険証
- ``shokken_list``: a row of the monthly 職権交付対象者リスト from the national system
- ``myna_registered``: the holder completed the マイナ保険証 registration (card comes back)
- ``cert_expired``: the マイナンバーカード's electronic certificate expired on a date
- ``retired``, ``died``: with ``name`` and ``date``, through the API (R12: the card comes back)
- ``turned_75``, ``voluntary_ended``, ``card_expiry``: made from the roster on the day by
  :mod:`intake.roster_events`, each once (R12; R13: renewed while no マイナ保険証 can be used)
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from extractors.issuance import Context, Decision, Record, decide
from intake.outbox import add_decision
from intake.privacy import check_event_values
from intake.roster import persons
from intake.services import Services
from intake.store import repo
from intake.store import roster as roster_store
from intake.store.db import transaction
from intake.store.records import add_event_record

KINDS = (
    "new_employee",
    "shokken_list",
    "myna_registered",
    "cert_expired",
    "retired",
    "died",
    "turned_75",
    "voluntary_ended",
    "card_expiry",
)
SHOKKEN_COLUMNS = ["symbol", "number", "name", "birth_date", "voluntary"]


def record_event(
    services: Services, kind: str, values: dict[str, Any], actor: str, today: date | None = None
) -> dict[str, Any]:
    """Store the event as a validated record, run the rules, store the decision. The values are
    checked first (:func:`intake.privacy.check_event_values`); a ValueError refuses the event."""
    values, decision = _decide(services, kind, values, today)
    with transaction(services.sessions) as session:
        return _store(session, services, kind, values, actor, decision)


def record_event_once(
    services: Services, kind: str, values: dict[str, Any], actor: str, today: date, key: str
) -> dict[str, Any] | None:
    """As :func:`record_event`, once per ``key``: a key already recorded (by an earlier run, or
    by another process at the same moment) gives ``None`` and changes nothing."""
    values, decision = _decide(services, kind, values, today)
    try:
        with transaction(services.sessions) as session:
            if roster_store.event_recorded(session, key):
                return None
            result = _store(session, services, kind, values, actor, decision)
            roster_store.add_event(session, key, result["record_id"])  # a key recorded meanwhile fails
            return result
    except IntegrityError:
        return None


def _decide(
    services: Services, kind: str, values: dict[str, Any], today: date | None
) -> tuple[dict[str, Any], Decision]:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    values = check_event_values(values)
    context = Context(
        today or date.today(),
        persons(services, {"insured_symbol": values.get("symbol"), "insured_number": values.get("number")}),
    )
    return values, decide(Record(values, event=kind), context)


def _store(
    session: Session, services: Services, kind: str, values: dict[str, Any], actor: str, decision: Decision
) -> dict[str, Any]:
    record_id = add_event_record(session, kind, values, actor)
    add_decision(session, services, record_id, decision.to_json())
    repo.audit(session, actor, "event_recorded", None, kind=kind, record=record_id)
    return {"record_id": record_id, **decision.to_json()}


def import_shokken(services: Services, text: str, actor: str = "shokken-import") -> tuple[int, list[str]]:
    """The monthly 職権交付対象者リスト (CSV: symbol,number,name,birth_date,voluntary): one event per row."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in SHOKKEN_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return 0, [f"ヘッダーに列がありません: {', '.join(missing)}"]
    count, errors = 0, []
    for line, row in enumerate(reader, start=2):
        try:
            date.fromisoformat(row["birth_date"].strip())
        except ValueError as exc:
            errors.append(f"{line} 行目: {exc}")
            continue
        values = {
            "symbol": row["symbol"].strip(),
            "number": row["number"].strip(),
            "name": row["name"].strip(),
            "birth_date": row["birth_date"].strip(),
            "voluntary": row["voluntary"].strip().lower() in ("1", "true", "yes"),
        }
        record_event(services, "shokken_list", values, actor)
        count += 1
    return count, errors
