"""Decisions the roster makes due on a day, without a form (forms README §4a "Events from the
roster"): the 75th birthday and the end of 任意継続 (R12: the card is invalid and comes back), and
a card's expiry while its holder still cannot use a マイナ保険証 (R13: renewed ex officio).

:func:`due` runs daily in ``kakunin run`` and by hand as ``kakunin events due [--dry-run]``; each
event is recorded once, by a key of kind, 記号・番号, name and date, so running it twice, or in two
processes at once, decides nothing twice. 退職 and death come through the events API.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from extractors.issuance.decide import seventy_fifth_birthday
from intake.events import record_event_once
from intake.services import Services
from intake.store import roster as store
from intake.store.db import transaction
from intake.store.roster import RosterEntry

#: An event missed on its day (the service was down) is still made this many days later; older
#: ones are left to a person, so a roster imported late does not flood the day with decisions.
CATCH_UP_DAYS = 7
ACTOR = "roster-events"


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def roster_events(row: RosterEntry) -> list[tuple[str, date]]:
    """The events one roster row holds: the 75th birthday and the day after the end of 任意継続
    (R12), and the card's expiry while no マイナ保険証 can be used and the person is still covered
    the day after (R13; otherwise the R12 event says it all)."""
    birth = _day(row.birth_date)
    if birth is None:
        return []
    seventy_five = seventy_fifth_birthday(birth)
    voluntary_until = _day(row.voluntary_until) if row.voluntary else None
    out = [("turned_75", seventy_five)]
    if voluntary_until is not None:
        out.append(("voluntary_ended", voluntary_until + timedelta(days=1)))
    expiry = _day(row.certificate_expiry)
    if (
        expiry is not None
        and not row.can_use_myna
        and expiry + timedelta(days=1) < seventy_five
        and (voluntary_until is None or expiry < voluntary_until)
    ):
        out.append(("card_expiry", expiry))
    return out


def event_key(kind: str, row: RosterEntry, day: date) -> str:
    return f"{kind}:{row.symbol}-{row.number}:{row.name}:{day.isoformat()}"


def due(services: Services, today: date, dry_run: bool = False) -> list[dict[str, Any]]:
    """Record the roster's events due on ``today`` (and those missed in the last
    ``CATCH_UP_DAYS`` days), each once, as decisions delivered like any other; ``dry_run`` lists
    them and decides nothing."""
    with transaction(services.sessions) as session:
        rows = store.everyone(session)
        done = store.event_keys(session)
    out = []
    for row in rows:
        for kind, day in roster_events(row):
            key = event_key(kind, row, day)
            if not today - timedelta(days=CATCH_UP_DAYS) < day <= today or key in done:
                continue
            item: dict[str, Any] = {"kind": kind, "name": row.name, "date": day.isoformat(), "key": key}
            if not dry_run:
                values = {
                    "symbol": row.symbol,
                    "number": row.number,
                    "name": row.name,
                    "birth_date": row.birth_date,
                    "date": day.isoformat(),
                    "voluntary": row.voluntary,
                    "voluntary_until": row.voluntary_until,
                }
                result = record_event_once(services, kind, values, ACTOR, today, key)
                if result is None:  # recorded by another run meanwhile
                    continue
                item |= {"record_id": result["record_id"], "decision": result["decision"]}
            out.append(item)
    return out
