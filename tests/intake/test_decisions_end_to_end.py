"""Issue 21's end-to-end cases (forms README §4, §4a), each through the product's own entry
points only — a form read by the worker (``save_extraction``), claimed and approved in review,
or the roster's daily job (``due``) — to the decision per person and the webhook that carries it.

The expectations are written from §4a, not from the current outputs: a mixed SK-01 refuses only
the マイナ保険証 user (R1) and issues the dependent's card with its validity (R2, R13); a
任意継続 member's card goes to the home, capped by the roster's ``voluntary_until`` (R2, R13);
a 75th birthday takes the card back on the day, once (R12)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from extractors.model import FieldReading, FormReading
from intake import review
from intake.auth import User
from intake.domain import DocumentStatus, RecordStatus
from intake.outbox import deliver
from intake.roster import import_csv
from intake.roster_events import due
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction

TODAY = date(2026, 11, 26)
REVIEWER = User(1, "rev", "reviewer", False)
ROSTER = """symbol,number,name,name_kana,birth_date,relationship,can_use_myna,voluntary,certificate_expiry,voluntary_until
1001,1,健保 太郎,ケンポ タロウ,1980-04-01,本人,true,false,,
1001,1,健保 花子,ケンポ ハナコ,1982-05-03,妻,false,false,2029-12-01,
2002,15,継続 三郎,ケイゾク サブロウ,1970-07-07,本人,false,true,,2027-03-31
3003,7,長寿 一,チョウジュ ハジメ,1951-11-26,本人,false,false,2029-12-01,
"""


class Receiver(BaseHTTPRequestHandler):
    """The downstream system: records each POST with its idempotency key."""

    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Receiver.received.append({"key": self.headers["Idempotency-Key"], **body})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook(services: Services) -> Iterator[list[dict[str, Any]]]:
    """A local HTTP receiver set as the webhook, and the roster of issue 21's cases imported."""
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    services.settings.webhook_url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    services.settings.export_dir = None
    assert import_csv(services, ROSTER).errors == []
    yield Receiver.received
    server.shutdown()


EMPLOYER = {
    "employer_cert_date": "2026-11-21",
    "employer_address": "東京都港区芝1-1",
    "employer_phone": "03-9999-0000",
    "employer_name": "さくら電機株式会社",
    "employer_owner_name": "桜 一郎",
}


def sk01(**values: Any) -> dict[str, Any]:
    """A complete, consistent SK-01 新規交付 (no finding under §3.1), with ``values`` over it."""
    base: dict[str, Any] = {
        "submission_date": "2026-11-20",
        "application_type": "new",
        "is_voluntary_continuation": False,
        "insured_symbol": "1001",
        "insured_number": "1",
        "insured_name_kana": "ケンポ タロウ",
        "insured_name": "健保 太郎",
        "insured_birth_date": "1980-04-01",
        "insured_sex": "male",
        "insured_postal_code": "1000001",
        "insured_phone": "03-1234-5678",
        "insured_address": "東京都千代田区千代田1-1",
        "target1_type": "insured",
        "target1_name_kana": "ケンポ タロウ",
        "target1_name": "健保 太郎",
        "target1_birth_date": "1980-04-01",
        "target1_sex": "male",
        "reasons": ["not_registered"],
        **EMPLOYER,
    }
    return {k: v for k, v in {**base, **values}.items() if v is not None}


def through_review(services: Services, values: dict[str, Any], sha: str) -> tuple[int, dict[str, Any]]:
    """The SK-01 as the worker stores it (every field read surely), then claimed and approved by
    a reviewer as read: the record and the decision ``approve`` stored."""
    form = FormReading(
        "kofu_shinsei",
        "SK-01 (2025.4)",
        (1,),
        tuple(FieldReading(name, value, 0.99, False) for name, value in values.items()),
    )
    with transaction(services.sessions) as session:
        document, _ = repo.insert_document(
            session,
            sha256=sha * 64,
            source="upload",
            original_name="sk01.pdf",
            media_type="application/pdf",
            size_bytes=10,
            page_count=1,
            status=DocumentStatus.RECEIVED,
        )
        assert repo.claim_for_processing(session, document.id) is not None
        repo.save_extraction(
            session,
            document.id,
            {"documents": []},
            [form],
            [repo.StoredPage(1, "b" * 64, 100, 200, 0, "kofu_shinsei")],
            "t",
        )
    with transaction(services.sessions) as session:
        [(task, _)] = [t for t in repo.open_review_tasks(session) if t[0].document_id == document.id]
    review.claim(services, task.id, REVIEWER)
    result = review.approve(services, task.id, REVIEWER, {}, TODAY)
    assert result.status is RecordStatus.VALIDATED and result.findings == ()
    assert result.decision is not None
    return result.record_id, result.decision


def delivered(services: Services, received: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One outbox pass (as ``kakunin run`` does); what the receiver got in it."""
    before = len(received)
    outcome = deliver(services, datetime.now(UTC) + timedelta(seconds=1))
    assert outcome["failed"] == 0
    return received[before:]


def test_a_mixed_sk01_refuses_the_myna_user_and_issues_the_dependents_card(
    services: Services, webhook: list[dict[str, Any]]
) -> None:
    """§4a "Per person": GIVEN an SK-01 for the insured (roster: can use a マイナ保険証) and his
    wife (cannot) WHEN it is approved in review THEN he is refused (R1, told no validity), she is
    issued a card through the employer valid to 令和11年12月1日 (R2, R13), the record's kind is
    an issue kind — and the webhook carries exactly that, per person, once."""
    values = sk01(
        target2_type="dependent",
        target2_name_kana="ケンポ ハナコ",
        target2_name="健保 花子",
        target2_birth_date="1982-05-03",
        target2_sex="female",
        target2_relationship="妻",
    )
    record_id, decision = through_review(services, values, "a")
    assert decision["decision"] == "issue_via_employer"
    persons = {p["name"]: p for p in decision["persons"]}
    assert persons["健保 太郎"]["decision"] == "refuse" and persons["健保 太郎"]["valid_until"] is None
    assert persons["健保 花子"] == {
        "name": "健保 花子",
        "decision": "issue_via_employer",
        "valid_until": "2029-12-01",
        "delivery": "employer",
    }
    taro = " ".join(o["explanation"] for o in decision["outcomes"] if o["person"] == "健保 太郎")
    assert "有効期限" not in taro  # R13 is for cards issued only
    hanako = [o for o in decision["outcomes"] if o["person"] == "健保 花子"]
    assert {o["rule"] for o in hanako} >= {"R13"}
    assert any("令和11年12月1日" in o["explanation"] for o in hanako)
    shown = review.record_view(services, record_id)  # what the record screen and the API show
    assert shown is not None and shown.decision is not None and shown.decision.persons == decision["persons"]

    [payload] = delivered(services, webhook)
    assert payload["key"] == f"decision-{payload['decision_id']}"
    assert payload["form_id"] == "kofu_shinsei"
    assert payload["decision"] == "issue_via_employer"
    assert payload["persons"] == decision["persons"]
    assert delivered(services, webhook) == []  # once


def test_a_voluntary_member_gets_the_card_at_home_capped_by_the_end_of_the_period(
    services: Services, webhook: list[dict[str, Any]]
) -> None:
    """§4a "任意継続 everywhere" and R13: GIVEN a 任意継続被保険者 whose period ends on 2027-03-31
    (roster ``voluntary_until``) WHEN his SK-01 (事業主 block blank, R16) is approved THEN the
    card goes to the home, not through the employer, expiring on 令和9年3月31日 — in the
    webhook too."""
    values = sk01(
        is_voluntary_continuation=True,
        insured_symbol="2002",
        insured_number="15",
        insured_name_kana="ケイゾク サブロウ",
        insured_name="継続 三郎",
        insured_birth_date="1970-07-07",
        target1_name_kana="ケイゾク サブロウ",
        target1_name="継続 三郎",
        target1_birth_date="1970-07-07",
        **dict.fromkeys(EMPLOYER),
    )
    _, decision = through_review(services, values, "b")
    assert decision["decision"] == "issue_to_home"
    assert decision["persons"] == [
        {"name": "継続 三郎", "decision": "issue_to_home", "valid_until": "2027-03-31", "delivery": "home"}
    ]
    words = " ".join(o["explanation"] for o in decision["outcomes"])
    assert "自宅" in words and "事業主を介して" not in words
    assert "令和9年3月31日" in words

    [payload] = delivered(services, webhook)
    assert payload["decision"] == "issue_to_home"
    assert payload["persons"] == decision["persons"]
    assert payload["values"]["is_voluntary_continuation"] is True


def test_a_75th_birthday_in_the_roster_takes_the_card_back_once(
    services: Services, webhook: list[dict[str, Any]]
) -> None:
    """R12, §4a "Events from the roster": GIVEN a member turning 75 today WHEN the daily job runs
    THEN his card is withdrawn (returned through the employer) and the webhook says so; WHEN the
    job runs again, that day or the next, THEN nothing is decided or sent twice."""
    assert [p["name"] for p in due(services, TODAY, dry_run=True)] == ["長寿 一"]
    assert delivered(services, webhook) == []  # a dry run decides nothing
    [made] = due(services, TODAY)
    assert (made["kind"], made["decision"]) == ("turned_75", "withdraw")

    [payload] = delivered(services, webhook)
    assert payload["record_id"] == made["record_id"]
    assert payload["decision"] == "withdraw"
    assert payload["persons"] == [
        {"name": "長寿 一", "decision": "withdraw", "valid_until": None, "delivery": "employer"}
    ]
    [r12] = [o for o in payload["outcomes"] if o["rule"] == "R12"]
    assert "令和8年11月26日" in r12["explanation"] and "事業" in r12["explanation"]

    assert due(services, TODAY) == [] and due(services, TODAY + timedelta(days=1)) == []
    assert delivered(services, webhook) == []
    assert [p["decision_id"] for p in webhook] == [payload["decision_id"]]
