"""Issuance rules R1–R18: table-driven, one row per procedure of the society's notice."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from extractors.issuance import Context, DecisionKind, Person, Record, decide
from extractors.issuance.decide import valid_until

TODAY = date(2026, 11, 26)
K = DecisionKind

MYNA_USER = Person("1234", "56", "健保 太郎", "ケンポ タロウ", date(1980, 4, 1), can_use_myna=True)
NO_MYNA = Person("1234", "57", "健保 花子", "ケンポ ハナコ", date(1982, 5, 3), can_use_myna=False)


def ctx(*persons: Person, fee_confirmed: bool = False) -> Context:
    return Context(TODAY, {p.name.replace(" ", ""): p for p in persons}, fee_confirmed)


def kofu(**values: Any) -> Record:
    base = {
        "application_type": "new",
        "reasons": ["no_card"],
        "target1_type": "insured",
        "target1_name": "健保 花子",
        "target1_birth_date": "1982-05-03",
        "is_voluntary_continuation": False,
        "submission_date": "2026-11-20",
    }
    return Record({**base, **values}, form_id="kofu_shinsei")


CASES: list[tuple[str, Record, Context, DecisionKind, str]] = [
    (
        "new employee declares no マイナ保険証",
        Record({"name": "新入 一郎"}, event="new_employee"),
        ctx(),
        K.ISSUE_VIA_EMPLOYER,
        "R2",
    ),
    (
        "transfer within the union (national list)",
        Record({"name": "転籍 二郎"}, event="shokken_list"),
        ctx(),
        K.ISSUE_VIA_EMPLOYER,
        "R2",
    ),
    (
        "任意継続 from the national list",
        Record({"name": "継続 三郎", "voluntary": True}, event="shokken_list"),
        ctx(),
        K.ISSUE_TO_HOME,
        "R2",
    ),
    ("SK-01 new, no マイナ保険証", kofu(), ctx(NO_MYNA), K.ISSUE_VIA_EMPLOYER, "R2"),
    (
        "SK-01 new by a 任意継続 member: to the home",
        kofu(is_voluntary_continuation=True),
        ctx(NO_MYNA),
        K.ISSUE_TO_HOME,
        "R2",
    ),
    (
        "SK-01 for a person with a マイナ保険証 is refused",
        kofu(target1_name="健保 太郎"),
        ctx(MYNA_USER),
        K.REFUSE,
        "R1",
    ),
    (
        "要配慮者 gets a card despite a マイナ保険証",
        kofu(target1_name="健保 太郎", reasons=["needs_assistance"]),
        ctx(MYNA_USER),
        K.ISSUE_VIA_EMPLOYER,
        "R4",
    ),
    (
        "lost マイナンバーカード",
        kofu(reasons=["card_lost_or_renewing"]),
        ctx(NO_MYNA),
        K.ISSUE_VIA_EMPLOYER,
        "R5",
    ),
    (
        "lost card, reissue, fee not yet confirmed",
        kofu(
            application_type="reissue",
            reasons=["certificate_lost"],
            reissue_count="1",
            fee_amount=2000,
            fee_transfer_date="2026-11-18",
        ),
        ctx(NO_MYNA),
        K.REISSUE_PENDING_FEE,
        "R6",
    ),
    (
        "damaged card, reissue, fee confirmed",
        kofu(
            application_type="reissue",
            reasons=["certificate_damaged"],
            reissue_count="1",
            fee_amount=2000,
            fee_transfer_date="2026-11-18",
        ),
        ctx(NO_MYNA, fee_confirmed=True),
        K.REISSUE,
        "R6",
    ),
    (
        "lost card, no reissue (SK-03 use_myna)",
        Record(
            {"notification_type": "use_myna", "loss_cause": "lost", "loss_place": "自宅"}, form_id="messhitsu"
        ),
        ctx(),
        K.WITHDRAW,
        "R7",
    ),
    (
        "stolen card: police advice",
        Record(
            {
                "notification_type": "use_myna",
                "loss_cause": "stolen",
                "police_reported": "yes",
                "police_station": "渋谷警察署",
                "police_report_date": "2026-11-10",
                "police_receipt_number": "第123号",
            },
            form_id="messhitsu",
        ),
        ctx(),
        K.WITHDRAW,
        "R8",
    ),
    (
        "dependent added with the 発行要否 tick",
        Record(
            {"change_type": "add", "dep1_name": "健保 次郎", "dep1_certificate_required": True},
            form_id="hifuyosha_ido",
        ),
        ctx(),
        K.ISSUE_VIA_EMPLOYER,
        "R3",
    ),
    (
        "dependent added without the tick",
        Record(
            {"change_type": "add", "dep1_name": "健保 次郎", "dep1_certificate_required": False},
            form_id="hifuyosha_ido",
        ),
        ctx(),
        K.NO_ISSUE,
        "R3",
    ),
    (
        "newborn with the tick",
        Record(
            {
                "change_type": "add",
                "dep1_name": "健保 三子",
                "dep1_certificate_required": True,
                "dep1_change_reason": "出生",
            },
            form_id="hifuyosha_ido",
        ),
        ctx(),
        K.ISSUE_VIA_EMPLOYER,
        "R3",
    ),
    (
        "dependent removed: card returned",
        Record({"change_type": "remove", "dep1_name": "健保 次郎"}, form_id="hifuyosha_ido"),
        ctx(),
        K.WITHDRAW,
        "R12",
    ),
    (
        "name change with documents",
        Record(
            {
                "change_kinds": ["name"],
                "attachments": ["certificate", "koseki"],
                "name_old": "健保 花子",
                "name_new": "桜井 花子",
            },
            form_id="jusho_shimei_henko",
        ),
        ctx(NO_MYNA),
        K.ISSUE_VIA_EMPLOYER,
        "R9",
    ),
    (
        "name change without 証票書類",
        Record(
            {
                "change_kinds": ["name"],
                "attachments": ["certificate"],
                "name_old": "健保 花子",
                "name_new": "桜井 花子",
            },
            form_id="jusho_shimei_henko",
        ),
        ctx(NO_MYNA),
        K.NEEDS_DOCUMENTS,
        "R9",
    ),
    (
        "address change only",
        Record(
            {"change_kinds": ["address"], "address_new": "東京都港区芝公園4-2-8"},
            form_id="jusho_shimei_henko",
        ),
        ctx(),
        K.UPDATE_RECORD,
        "R10",
    ),
    (
        "leaving the society, card cannot be returned",
        Record({"notification_type": "after_loss_of_eligibility"}, form_id="messhitsu"),
        ctx(),
        K.WITHDRAW,
        "R12",
    ),
    (
        "マイナ保険証 registration completed",
        Record({"name": "健保 太郎"}, event="myna_registered"),
        ctx(),
        K.WITHDRAW,
        "R11",
    ),
    (
        "certificate expired, grace over",
        Record({"certificate_expired_on": "2026-05-10"}, event="cert_expired"),
        ctx(),
        K.ISSUE_VIA_EMPLOYER,
        "R15",
    ),
    (
        "certificate expired, still in grace",
        Record({"certificate_expired_on": "2026-10-10"}, event="cert_expired"),
        ctx(),
        K.NO_ISSUE,
        "R15",
    ),
]


@pytest.mark.parametrize(("case", "record", "context", "expected", "rule"), CASES, ids=[c[0] for c in CASES])
def test_procedure_gives_decision_with_explained_outcomes(
    case: str, record: Record, context: Context, expected: DecisionKind, rule: str
) -> None:
    decision = decide(record, context)
    assert decision.kind is expected, [o.to_json() for o in decision.outcomes]
    cited = [o for o in decision.outcomes if o.rule == rule]
    assert cited and all(o.explanation for o in cited)


def test_fees_only_for_reissue() -> None:
    free = decide(kofu(), ctx(NO_MYNA))
    assert any(o.rule == "R18" for o in free.outcomes)
    paid = decide(
        kofu(application_type="reissue", reasons=["certificate_lost"], reissue_count="2", fee_amount=4000),
        ctx(NO_MYNA),
    )
    [r6] = [o for o in paid.outcomes if o.rule == "R6"]
    assert r6.facts["fee_due"] == 4000 and not any(o.rule == "R18" for o in paid.outcomes)


def test_validity_ends_at_the_fixed_expiry_or_the_day_before_the_75th_birthday() -> None:
    assert valid_until(date(1980, 1, 1), TODAY) == date(2029, 12, 1)
    assert valid_until(date(1953, 6, 10), TODAY) == date(2028, 6, 9)


def test_late_notification_is_processed_with_a_warning() -> None:
    record = Record(
        {"change_kinds": ["address"], "address_change_date": "2026-11-01", "submission_date": "2026-11-20"},
        form_id="jusho_shimei_henko",
    )
    decision = decide(record, ctx())
    assert decision.kind is K.UPDATE_RECORD
    assert any(o.rule == "R17" for o in decision.outcomes)


def test_late_second_dependent_is_a_late_notification() -> None:
    """R17 looks at every dependent's 異動年月日 (forms README §4a), not only the first row's."""
    record = Record(
        {
            "change_type": "add",
            "submission_date": "2026-11-20",
            "dep1_name": "健保 一子",
            "dep1_change_date": "2026-11-18",
            "dep2_name": "健保 二郎",
            "dep2_change_date": "2026-11-01",
        },
        form_id="hifuyosha_ido",
    )
    [r17] = [o for o in decide(record, ctx()).outcomes if o.rule == "R17"]
    assert r17.facts["days_late"] == 19


def test_every_rule_has_a_docstring_citing_its_number() -> None:
    from extractors.issuance import RULES
    from extractors.issuance.decide import r13_validity

    for rule in [*RULES, r13_validity]:
        number = rule.__name__.split("_")[0].upper()
        assert rule.__doc__ and rule.__doc__.startswith(number), rule.__name__
