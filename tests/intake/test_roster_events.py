"""Roster import and cross-check; events without a form become records with decisions (R2, R11)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from intake.events import import_shokken, record_event
from intake.roster import cross_check, import_csv, persons, roster_loaded
from intake.services import Services
from intake.store.db import transaction
from intake.store.models import DecisionRow

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_roster_import_reports_bad_rows_and_updates_existing(services: Services) -> None:
    assert not roster_loaded(services)
    text = (FIXTURES / "roster_sample.csv").read_text(
        encoding="utf-8"
    ) + "9,9,,,not-a-date,本人,false,false,\n"
    report = import_csv(services, text)
    assert report.imported == 4 and len(report.errors) == 1 and "6 行目" in report.errors[0]
    assert (
        import_csv(services, (FIXTURES / "roster_sample.csv").read_text(encoding="utf-8")).imported == 4
    )  # upsert, no duplicates
    people = persons(services, {"insured_symbol": "1001", "insured_number": "1"})
    assert set(people) == {"健保太郎", "健保花子", "健保一郎"}
    assert people["健保花子"].can_use_myna


def test_missing_columns_are_refused(services: Services) -> None:
    report = import_csv(services, "symbol,name\n1,x\n")
    assert report.imported == 0 and "ヘッダー" in report.errors[0]


def test_cross_check_finds_unknown_numbers_and_mismatches(services: Services) -> None:
    import_csv(services, (FIXTURES / "roster_sample.csv").read_text(encoding="utf-8"))
    assert (
        cross_check(
            services,
            {
                "insured_symbol": "1001",
                "insured_number": "1",
                "insured_name": "健保 太郎",
                "insured_birth_date": "1980-04-01",
            },
        )
        == []
    )
    assert [f.code for f in cross_check(services, {"insured_symbol": "9999", "insured_number": "1"})] == [
        "roster_unknown"
    ]
    codes = [
        (f.field, f.code)
        for f in cross_check(
            services,
            {
                "insured_symbol": "1001",
                "insured_number": "1",
                "insured_name": "健保 次郎",
                "insured_birth_date": "1980-04-02",
            },
        )
    ]
    assert codes == [("insured_name", "roster_mismatch"), ("insured_birth_date", "roster_mismatch")]


def test_events_become_records_with_decisions(services: Services) -> None:
    hired = record_event(
        services, "new_employee", {"symbol": "3003", "number": "7", "name": "新入 一郎"}, "api"
    )
    assert hired["decision"] == "issue_via_employer" and hired["outcomes"][0]["rule"] == "R2"
    returned = record_event(services, "myna_registered", {"name": "健保 太郎"}, "api")
    assert returned["decision"] == "withdraw"
    count, errors = import_shokken(services, (FIXTURES / "shokken_sample.csv").read_text(encoding="utf-8"))
    assert (count, errors) == (2, [])
    with transaction(services.sessions) as session:
        kinds = sorted(session.scalars(select(DecisionRow.decision)))
    assert kinds == ["issue_to_home", "issue_via_employer", "issue_via_employer", "withdraw"]


def test_worker_sends_roster_mismatches_to_review(services: Services) -> None:
    from extractors.model import FieldReading, FormReading
    from intake.jobs import with_roster_check

    form = FormReading(
        "messhitsu",
        "SK-03 (2025.4)",
        (1,),
        (
            FieldReading("insured_symbol", "1001", 0.99, False),
            FieldReading("insured_number", "1", 0.99, False),
            FieldReading("insured_name", "健保 次郎", 0.99, False),
        ),
    )
    assert with_roster_check(services, form) == form  # no roster yet: nothing to compare with
    import_csv(services, (FIXTURES / "roster_sample.csv").read_text(encoding="utf-8"))
    checked = with_roster_check(services, form)
    assert [f.code for f in checked.findings] == ["roster_mismatch"]
    assert {f.name: f.needs_review for f in checked.fields}["insured_name"] is True


def test_voluntary_until_is_imported_and_caps_the_card_sent_home(services: Services) -> None:
    """GIVEN a roster whose 任意継続 member's period ends on 2027-03-31 (column voluntary_until)
    WHEN the 職権交付対象者リスト names her THEN the card goes to the home and expires on that day
    (R13, forms README §4a); WHEN she registers her マイナ保険証 THEN the card goes straight back to
    the union (R11)."""
    import_csv(services, (FIXTURES / "roster_sample.csv").read_text(encoding="utf-8"))
    people = persons(services, {"insured_symbol": "2002", "insured_number": "15"})
    assert people["佐藤花子"].voluntary_until == date(2027, 3, 31)
    issued = record_event(
        services,
        "shokken_list",
        {
            "symbol": "2002",
            "number": "15",
            "name": "佐藤 花子",
            "birth_date": "1975-11-30",
            "voluntary": True,
        },
        "api",
        today=date(2026, 11, 26),
    )
    assert issued["decision"] == "issue_to_home"
    assert issued["persons"] == [
        {"name": "佐藤 花子", "decision": "issue_to_home", "valid_until": "2027-03-31", "delivery": "home"}
    ]
    [r13] = [o for o in issued["outcomes"] if o["rule"] == "R13"]
    assert "令和9年3月31日" in r13["explanation"]
    returned = record_event(
        services, "myna_registered", {"symbol": "2002", "number": "15", "name": "佐藤 花子"}, "api"
    )
    assert (
        returned["persons"][0]["delivery"] == "union"
        and "健康保険組合" in returned["outcomes"][0]["explanation"]
    )


def test_a_bad_voluntary_until_is_reported_by_line(services: Services) -> None:
    text = "symbol,number,name,name_kana,birth_date,relationship,can_use_myna,voluntary,certificate_expiry,voluntary_until\n"
    text += "2002,15,佐藤 花子,サトウ ハナコ,1975-11-30,本人,false,true,,2027-13-01\n"
    report = import_csv(services, text)
    assert report.imported == 0 and "2 行目" in report.errors[0]


def test_an_unclear_loss_place_goes_to_review() -> None:
    """§4a R8: a 滅失場所 that does not say whether the card was lost at home is sent to review."""
    from extractors.model import FieldReading, FormReading
    from intake.jobs import with_rule_doubts

    def sk03(place: str) -> FormReading:
        return FormReading(
            "messhitsu",
            "SK-03 (2025.4)",
            (1,),
            (
                FieldReading("loss_cause", "lost", 0.99, False),
                FieldReading("loss_place", place, 0.99, False),
                FieldReading("police_reported", "no", 0.99, False),
            ),
        )

    assert with_rule_doubts(sk03("自宅内")) == sk03("自宅内")
    checked = with_rule_doubts(sk03("不明"))
    assert [f.code for f in checked.findings] == ["loss_place_unclear"]
    assert {f.name: f.needs_review for f in checked.fields}["loss_place"] is True
