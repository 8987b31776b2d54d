"""The roster's events without a form (forms README §4a): the 75th birthday and the end of
任意継続 take the card back (R12), a card's expiry with no usable マイナ保険証 renews it (R13) — on
the day, each once, delivered like any decision."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from intake.events import record_event
from intake.outbox import deliver
from intake.roster import import_csv
from intake.roster_events import due
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import AuditEventRow, DecisionRow

TODAY = date(2026, 11, 26)
ROSTER = """symbol,number,name,name_kana,birth_date,relationship,can_use_myna,voluntary,certificate_expiry,voluntary_until
3003,7,長寿 一,チョウジュ ハジメ,1951-11-26,本人,false,false,2029-12-01,
2002,15,継続 三郎,ケイゾク サブロウ,1970-07-07,本人,false,true,2026-11-25,2026-11-25
1001,1,健保 太郎,ケンポ タロウ,1980-04-01,本人,true,false,2026-11-26,
1001,1,健保 花子,ケンポ ハナコ,1982-05-03,妻,false,false,2026-11-24,
4004,2,古参 二,コサン ニ,1951-10-27,本人,false,false,2029-12-01,
"""


def decisions(services: Services) -> int:
    with transaction(services.sessions) as session:
        return int(session.scalar(select(func.count(DecisionRow.id))) or 0)


def test_roster_events_are_decided_on_the_day_once_and_delivered(services: Services, tmp_path: Path) -> None:
    """GIVEN a roster WHEN the daily job runs THEN a 75th birthday today, a 任意継続 that ended
    yesterday and a card expired two days ago (no マイナ保険証) become decisions per person — a
    マイナ保険証 user's expiry and a birthday a month ago do not; a dry run decides nothing, a
    second run nothing more; each decision reaches the export."""
    services.settings.export_dir = tmp_path / "export"
    assert import_csv(services, ROSTER).errors == []
    planned = due(services, TODAY, dry_run=True)
    assert sorted((p["kind"], p["name"]) for p in planned) == [
        ("card_expiry", "健保 花子"),
        ("turned_75", "長寿 一"),
        ("voluntary_ended", "継続 三郎"),
    ]
    assert decisions(services) == 0
    made = {item["kind"]: item for item in due(services, TODAY)}
    assert {k: v["decision"] for k, v in made.items()} == {
        "turned_75": "withdraw",
        "voluntary_ended": "withdraw",
        "card_expiry": "issue_via_employer",
    }
    assert due(services, TODAY) == [] and due(services, date(2026, 11, 27)) == []
    assert decisions(services) == 3
    with transaction(services.sessions) as session:
        audited = list(
            session.scalars(select(AuditEventRow.actor).where(AuditEventRow.action == "event_recorded"))
        )
    assert audited == ["roster-events"] * 3
    deliver(services)
    lines = [
        json.loads(line)
        for line in next((tmp_path / "export").glob("*.jsonl")).read_text("utf-8").splitlines()
    ]
    persons = {p["name"]: p for line in lines for p in line["persons"]}
    assert persons["長寿 一"] == {
        "name": "長寿 一",
        "decision": "withdraw",
        "valid_until": None,
        "delivery": "employer",
    }
    assert persons["継続 三郎"]["delivery"] == "union"
    assert persons["健保 花子"]["valid_until"] == "2029-12-01"


def test_retirement_and_death_come_through_the_events_api(services: Services) -> None:
    """R12: 退職 and death, sent as events, take the card back through the employer."""
    retired = record_event(
        services, "retired", {"name": "健保 太郎", "date": "2026-11-30"}, "api", today=TODAY
    )
    died = record_event(services, "died", {"name": "健保 花子", "date": "2026-11-20"}, "api", today=TODAY)
    assert retired["decision"] == died["decision"] == "withdraw"
    assert "令和8年11月30日" in retired["outcomes"][0]["explanation"]
