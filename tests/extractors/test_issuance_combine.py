"""How the issuance rules combine (forms README §4a), table by table, written from §4, §4a and
the society's notice (../shared/seed/): per-person outcomes, R13 on every card issued and on no
refused person, 任意継続 in every delivery and return, rule 1's exceptions, R8 by the 滅失場所,
applicant errors left after review, the age check only for people being covered, R17 over every
date of the form."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from extractors.issuance import Context, DecisionKind, Person, Record, decide
from extractors.issuance.places import LOSS_PLACE_UNCLEAR, LossPlace, loss_place, place_doubts
from extractors.model import Finding
from tests.extractors.test_issuance import kofu

TODAY = date(2026, 11, 26)
K = DecisionKind

TARO = Person("1234", "56", "健保 太郎", "ケンポ タロウ", date(1980, 4, 1), can_use_myna=True)
HANAKO = Person("1234", "56", "健保 花子", "ケンポ ハナコ", date(1982, 5, 3), can_use_myna=False)
JIRO = Person("1234", "56", "健保 次郎", "ケンポ ジロウ", date(2010, 1, 5), can_use_myna=False)
#: A 任意継続 household whose period ends on 2027-03-31 (roster column voluntary_until).
KEIZOKU = Person(
    "2002",
    "15",
    "継続 三郎",
    "ケイゾク サブロウ",
    date(1970, 7, 7),
    False,
    True,
    voluntary_until=date(2027, 3, 31),
)
KEIZOKU_WIFE = Person(
    "2002",
    "15",
    "継続 良子",
    "ケイゾク ヨシコ",
    date(1972, 2, 2),
    False,
    True,
    voluntary_until=date(2027, 3, 31),
)
#: Turns 75 on 2028-06-10: a card ends on 2028-06-09.
ELDER = Person("3003", "7", "長寿 一", "チョウジュ ハジメ", date(1953, 6, 10), can_use_myna=False)


def ctx(*persons: Person, fee_confirmed: bool = False, findings: tuple[Finding, ...] = ()) -> Context:
    return Context(TODAY, {p.name.replace(" ", ""): p for p in persons}, fee_confirmed, findings)


REISSUE = {
    "application_type": "reissue",
    "reasons": ["certificate_lost"],
    "reissue_count": "1",
    "fee_amount": 2000,
    "fee_transfer_date": "2026-11-18",
}


def ido(change_type: str, **values: Any) -> Record:
    base = {"change_type": change_type, "submission_date": "2026-11-20", "is_voluntary_continuation": False}
    return Record({**base, **values}, form_id="hifuyosha_ido")


def name_change(**values: Any) -> Record:
    base = {
        "change_kinds": ["name"],
        "attachments": ["certificate", "koseki"],
        "name_old": "健保 花子",
        "name_new": "桜井 花子",
        "submission_date": "2026-11-20",
    }
    return Record({**base, **values}, form_id="jusho_shimei_henko")


def messhitsu(**values: Any) -> Record:
    base = {"notification_type": "use_myna", "myna_hokensho_confirmed": True, "loss_cause": "lost"}
    return Record({**base, **values}, form_id="messhitsu")


POLICE = {
    "police_reported": "yes",
    "police_station": "渋谷警察署",
    "police_report_date": "2026-11-10",
    "police_receipt_number": "第123号",
}


# --- §4a "Per person" and "Rule 1's exceptions are rules 4 and 5" -------------------------------

PER_PERSON: list[tuple[str, Record, Context, DecisionKind, dict[str, DecisionKind]]] = [
    (
        "mixed SK-01: the insured has a マイナ保険証, the wife has none",
        kofu(
            target1_name="健保 太郎",
            target1_birth_date="1980-04-01",
            target2_type="dependent",
            target2_name="健保 花子",
            target2_birth_date="1982-05-03",
        ),
        ctx(TARO, HANAKO),
        K.ISSUE_VIA_EMPLOYER,
        {"健保 太郎": K.REFUSE, "健保 花子": K.ISSUE_VIA_EMPLOYER},
    ),
    (
        "everyone on the SK-01 has a マイナ保険証",
        kofu(target1_name="健保 太郎", target1_birth_date="1980-04-01"),
        ctx(TARO),
        K.REFUSE,
        {"健保 太郎": K.REFUSE},
    ),
    (
        "reason 5 (マイナンバーカード lost) although the roster says マイナ保険証",
        kofu(target1_name="健保 太郎", target1_birth_date="1980-04-01", reasons=["card_lost_or_renewing"]),
        ctx(TARO),
        K.ISSUE_VIA_EMPLOYER,
        {"健保 太郎": K.ISSUE_VIA_EMPLOYER},
    ),
    (
        "reason 6 (要配慮者) with a マイナ保険証",
        kofu(target1_name="健保 太郎", target1_birth_date="1980-04-01", reasons=["needs_assistance"]),
        ctx(TARO),
        K.ISSUE_VIA_EMPLOYER,
        {"健保 太郎": K.ISSUE_VIA_EMPLOYER},
    ),
    (
        "reissue asked for a person with a マイナ保険証, fee confirmed",
        kofu(target1_name="健保 太郎", target1_birth_date="1980-04-01", **REISSUE),
        ctx(TARO, fee_confirmed=True),
        K.REFUSE,
        {"健保 太郎": K.REFUSE},
    ),
    (
        "SK-02 増 of two: one ticked, one not",
        ido(
            "add",
            dep1_name="健保 次郎",
            dep1_birth_date="2010-01-05",
            dep1_certificate_required=True,
            dep2_name="健保 三子",
            dep2_birth_date="2026-11-01",
            dep2_certificate_required=False,
        ),
        ctx(),
        K.ISSUE_VIA_EMPLOYER,
        {"健保 次郎": K.ISSUE_VIA_EMPLOYER, "健保 三子": K.NO_ISSUE},
    ),
    (
        "SK-03 for two lost cards, at home",
        messhitsu(loss_place="自宅", target1_name="健保 太郎", target2_name="健保 一郎"),
        ctx(),
        K.WITHDRAW,
        {"健保 太郎": K.WITHDRAW, "健保 一郎": K.WITHDRAW},
    ),
]


@pytest.mark.parametrize(
    ("case", "record", "context", "summary", "per_person"), PER_PERSON, ids=[c[0] for c in PER_PERSON]
)
def test_each_person_gets_an_outcome_and_the_summary_issues_when_anyone_gets_a_card(
    case: str, record: Record, context: Context, summary: DecisionKind, per_person: dict[str, DecisionKind]
) -> None:
    """GIVEN a form naming several people WHEN decided THEN each has their own outcome and the
    record's kind is an issue kind when anyone gets a card, ``refuse`` only when all are refused."""
    decision = decide(record, context)
    assert {p.name: p.kind for p in decision.persons} == per_person
    assert decision.kind is summary
    assert decision.to_json()["persons"]


def test_a_refused_person_is_told_no_validity_and_no_reissue() -> None:
    """The notice's reissue and R13's validity are for cards issued, never for a refused person."""
    decision = decide(kofu(target1_name="健保 太郎", **REISSUE), ctx(TARO, fee_confirmed=True))
    words = " ".join(o.explanation for o in decision.outcomes)
    assert "有効期限" not in words and "入金を確認しました" not in words
    assert not any(o.rule in ("R6", "R13") for o in decision.outcomes)


# --- §4a "Rule 13 applies to every card issued" --------------------------------------------------

VALIDITY: list[tuple[str, Record, Context, dict[str, date]]] = [
    ("SK-01 new", kofu(), ctx(HANAKO), {"健保 花子": date(2029, 12, 1)}),
    (
        "new employee (資格取得届)",
        Record({"name": "新入 一郎", "birth_date": "2000-04-01"}, event="new_employee"),
        ctx(),
        {"新入 一郎": date(2029, 12, 1)},
    ),
    (
        "職権交付対象者リスト, holder turns 75 before 2029-12-01",
        Record({"name": "長寿 一", "birth_date": "1953-06-10", "voluntary": False}, event="shokken_list"),
        ctx(),
        {"長寿 一": date(2028, 6, 9)},
    ),
    (
        "職権交付対象者リスト, 任意継続 ending 2027-03-31",
        Record({"name": "継続 三郎", "birth_date": "1970-07-07", "voluntary": True}, event="shokken_list"),
        ctx(KEIZOKU),
        {"継続 三郎": date(2027, 3, 31)},
    ),
    (
        "SK-02 増 with 発行が必要: only the ticked dependent",
        ido(
            "add",
            dep1_name="健保 次郎",
            dep1_birth_date="2010-01-05",
            dep1_certificate_required=True,
            dep2_name="健保 三子",
            dep2_birth_date="2026-11-01",
        ),
        ctx(),
        {"健保 次郎": date(2029, 12, 1)},
    ),
    ("new-name card after SK-04", name_change(), ctx(HANAKO), {"桜井 花子": date(2029, 12, 1)}),
    (
        "reissue, fee confirmed",
        kofu(**REISSUE),
        ctx(HANAKO, fee_confirmed=True),
        {"健保 花子": date(2029, 12, 1)},
    ),
    (
        "card after a certificate expiry (R15), 75th birthday first",
        Record({"name": "長寿 一", "certificate_expired_on": "2026-05-10"}, event="cert_expired"),
        ctx(ELDER),
        {"長寿 一": date(2028, 6, 9)},
    ),
    (
        "SK-01 new by a 任意継続 dependent: capped by the end of 任意継続",
        kofu(
            is_voluntary_continuation=True,
            target1_type="dependent",
            target1_name="継続 良子",
            target1_birth_date="1972-02-02",
        ),
        ctx(KEIZOKU, KEIZOKU_WIFE),
        {"継続 良子": date(2027, 3, 31)},
    ),
    (
        "mixed SK-01: only the person issued",
        kofu(
            target1_name="健保 太郎",
            target2_type="dependent",
            target2_name="健保 花子",
            target2_birth_date="1982-05-03",
        ),
        ctx(TARO, HANAKO),
        {"健保 花子": date(2029, 12, 1)},
    ),
    ("refused SK-01", kofu(target1_name="健保 太郎"), ctx(TARO), {}),
    ("SK-02 減", ido("remove", dep1_name="健保 次郎"), ctx(), {}),
]


@pytest.mark.parametrize(("case", "record", "context", "expected"), VALIDITY, ids=[c[0] for c in VALIDITY])
def test_every_card_issued_carries_its_validity_and_no_refused_person_one(
    case: str, record: Record, context: Context, expected: dict[str, date]
) -> None:
    """R13 + §4a: 令和11年12月1日 at the latest, the day before the 75th birthday, the end of
    任意継続; written in 和暦 in the explanation, ISO in the data."""
    decision = decide(record, context)
    r13 = {o.person: o for o in decision.outcomes if o.rule == "R13"}
    assert {name: o.facts["valid_until"] for name, o in r13.items()} == expected
    assert {p.name: p.valid_until for p in decision.persons if p.valid_until} == expected
    for o in r13.values():
        until = o.facts["valid_until"]
        assert f"令和{until.year - 2018}年{until.month}月{until.day}日" in o.explanation
        assert until.isoformat() not in o.explanation
        assert o.to_json()["facts"]["valid_until"] == until.isoformat()


def test_the_end_of_voluntary_continuation_is_named_in_the_explanation() -> None:
    record = Record(
        {"name": "継続 三郎", "birth_date": "1970-07-07", "voluntary": True}, event="shokken_list"
    )
    [r13] = [o for o in decide(record, ctx(KEIZOKU)).outcomes if o.rule == "R13"]
    assert "令和9年3月31日" in r13.explanation and "任意継続" in r13.explanation


# --- §4a "任意継続 everywhere" -------------------------------------------------------------------

#: (case, record, context, person's kind, delivery, words the explanation must have, words it must not)
VOLUNTARY: list[tuple[str, Record, Context, DecisionKind, str, str, str]] = [
    (
        "R2 SK-01 ticked",
        kofu(is_voluntary_continuation=True),
        ctx(HANAKO),
        K.ISSUE_TO_HOME,
        "home",
        "自宅",
        "事業主",
    ),
    (
        "R2 SK-01 not ticked, roster says 任意継続",
        kofu(target1_name="継続 三郎", target1_birth_date="1970-07-07"),
        ctx(KEIZOKU),
        K.ISSUE_TO_HOME,
        "home",
        "自宅",
        "事業主",
    ),
    (
        "R2 list, 任意継続",
        Record({"name": "継続 三郎", "voluntary": True}, event="shokken_list"),
        ctx(),
        K.ISSUE_TO_HOME,
        "home",
        "自宅",
        "事業主",
    ),
    (
        "R3 SK-02 増 of a 任意継続 member",
        ido("add", is_voluntary_continuation=True, dep1_name="継続 四郎", dep1_certificate_required=True),
        ctx(),
        K.ISSUE_TO_HOME,
        "home",
        "自宅",
        "事業主",
    ),
    (
        "R6 reissue confirmed, 任意継続",
        kofu(is_voluntary_continuation=True, **REISSUE),
        ctx(HANAKO, fee_confirmed=True),
        K.REISSUE,
        "home",
        "自宅",
        "事業主",
    ),
    (
        "R6 reissue confirmed, employee",
        kofu(**REISSUE),
        ctx(HANAKO, fee_confirmed=True),
        K.REISSUE,
        "employer",
        "事業主を介して送付",
        "自宅",
    ),
    (
        "R9 new-name card, 任意継続",
        name_change(is_voluntary_continuation=True),
        ctx(HANAKO),
        K.ISSUE_TO_HOME,
        "home",
        "自宅",
        "事業主",
    ),
    (
        "R15 certificate expiry of a roster 任意継続 member",
        Record({"name": "継続 三郎", "certificate_expired_on": "2026-05-10"}, event="cert_expired"),
        ctx(KEIZOKU),
        K.ISSUE_TO_HOME,
        "home",
        "自宅",
        "事業主",
    ),
    (
        "R11 マイナ保険証 registered, 任意継続",
        Record({"name": "継続 三郎"}, event="myna_registered"),
        ctx(KEIZOKU),
        K.WITHDRAW,
        "union",
        "健康保険組合",
        "事業主",
    ),
    (
        "R11 マイナ保険証 registered, employee",
        Record({"name": "健保 太郎"}, event="myna_registered"),
        ctx(TARO),
        K.WITHDRAW,
        "employer",
        "各事業所の健康保険担当窓口",
        "健康保険組合",
    ),
    (
        "R12 SK-02 減, 任意継続",
        ido("remove", is_voluntary_continuation=True, dep1_name="継続 良子"),
        ctx(),
        K.WITHDRAW,
        "union",
        "健康保険組合",
        "事業主",
    ),
    (
        "R12 SK-02 減, employee",
        ido("remove", dep1_name="健保 次郎"),
        ctx(),
        K.WITHDRAW,
        "employer",
        "健康保険担当窓口に返納",
        "健康保険組合",
    ),
]


@pytest.mark.parametrize(
    ("case", "record", "context", "kind", "delivery", "has", "lacks"),
    VOLUNTARY,
    ids=[c[0] for c in VOLUNTARY],
)
def test_voluntary_continuation_cards_go_home_and_come_back_straight_to_the_union(
    case: str, record: Record, context: Context, kind: DecisionKind, delivery: str, has: str, lacks: str
) -> None:
    """§4a: a 任意継続 household's cards go to the home (R2, R3, R6, R9, R15), its returns go
    straight to the union (R11, R12) — in the kind, the delivery and the words."""
    decision = decide(record, context)
    [person] = decision.persons
    assert (person.kind, person.delivery) == (kind, delivery)
    deciding = [o for o in decision.outcomes if o.person == person.name and o.decision is kind]
    assert deciding and all(has in o.explanation and lacks not in o.explanation for o in deciding)


# --- §4a "Rule 8 (police)" -----------------------------------------------------------------------

PLACES: list[tuple[str, LossPlace | None]] = [
    ("自宅", LossPlace.HOME),
    ("自宅内", LossPlace.HOME),
    ("家の中", LossPlace.HOME),
    ("自宅の居間", LossPlace.HOME),
    ("駅のホーム", LossPlace.OUTSIDE),
    ("電車内", LossPlace.OUTSIDE),
    ("自宅近くの路上", LossPlace.OUTSIDE),
    ("自宅から駅までの間", LossPlace.OUTSIDE),
    ("不明", None),
    ("自宅か会社か不明", None),
    ("", None),
    ("山", None),
]


@pytest.mark.parametrize(("text", "expected"), PLACES, ids=[p[0] or "blank" for p in PLACES])
def test_loss_place_is_home_outside_or_unclear(text: str, expected: LossPlace | None) -> None:
    assert loss_place(text) is expected


#: (case, record, R8's kind or None when R8 does not apply, the record's kind)
POLICE_CASES: list[tuple[str, Record, DecisionKind | None, DecisionKind]] = [
    ("lost at home: no police", messhitsu(loss_place="自宅内"), None, K.WITHDRAW),
    ("lost in the train, no report: asked to report", messhitsu(loss_place="電車内"), K.WITHDRAW, K.WITHDRAW),
    ("lost in the train, reported", messhitsu(loss_place="電車内", **POLICE), K.WITHDRAW, K.WITHDRAW),
    ("lost, place unclear after review: asked", messhitsu(loss_place="不明"), K.WITHDRAW, K.WITHDRAW),
    (
        "stolen at home, no report",
        messhitsu(loss_cause="stolen", loss_place="自宅"),
        K.NEEDS_DOCUMENTS,
        K.NEEDS_DOCUMENTS,
    ),
    (
        "stolen, reported without 受理番号",
        messhitsu(loss_cause="stolen", loss_place="駅", **{**POLICE, "police_receipt_number": None}),
        K.NEEDS_DOCUMENTS,
        K.NEEDS_DOCUMENTS,
    ),
    ("stolen, reported", messhitsu(loss_cause="stolen", loss_place="駅", **POLICE), K.WITHDRAW, K.WITHDRAW),
    ("burned: no police", messhitsu(loss_cause="burned", loss_place="自宅"), None, K.WITHDRAW),
]


@pytest.mark.parametrize(("case", "record", "r8", "summary"), POLICE_CASES, ids=[c[0] for c in POLICE_CASES])
def test_police_report_for_theft_and_for_a_loss_outside_the_home(
    case: str, record: Record, r8: DecisionKind | None, summary: DecisionKind
) -> None:
    """R8 + §4a: always for theft (required: §3.3 stolen ⇒ reported); for a loss unless the
    滅失場所 says the home; a card found later is not used."""
    decision = decide(record, ctx())
    cited = [o for o in decision.outcomes if o.rule == "R8"]
    assert [o.decision for o in cited] == ([r8] if r8 else [])
    assert all("警察" in o.explanation for o in cited)
    assert decision.kind is summary


DOUBTS: list[tuple[str, dict[str, Any], bool]] = [
    (
        "lost, place unclear, no report",
        {"loss_cause": "lost", "loss_place": "不明", "police_reported": "no"},
        True,
    ),
    ("lost at home", {"loss_cause": "lost", "loss_place": "自宅の居間", "police_reported": "no"}, False),
    ("lost in the train", {"loss_cause": "lost", "loss_place": "電車内", "police_reported": "no"}, False),
    (
        "lost, place unclear, reported anyway",
        {"loss_cause": "lost", "loss_place": "山", "police_reported": "yes"},
        False,
    ),
    (
        "stolen: police whatever the place",
        {"loss_cause": "stolen", "loss_place": "不明", "police_reported": "no"},
        False,
    ),
]


@pytest.mark.parametrize(("case", "values", "doubt"), DOUBTS, ids=[c[0] for c in DOUBTS])
def test_an_unclear_place_goes_to_review_instead_of_a_guess(
    case: str, values: dict[str, Any], doubt: bool
) -> None:
    """§4a R8: where the 滅失場所 does not say whether it is the home, the field goes to review."""
    found = place_doubts("messhitsu", values)
    assert [(f.field, f.code) for f in found] == ([("loss_place", LOSS_PLACE_UNCLEAR)] if doubt else [])


# --- §4a "Applicant errors left after review" and "The age check is for people being covered" ----

AGE = Finding("dep1_birth_date", "age_limit", "75歳以上の方は後期高齢者医療制度の対象です")

APPLICANT: list[tuple[str, Record, Context, DecisionKind, list[str]]] = [
    (
        "reissue without 振込日",
        kofu(**{**REISSUE, "fee_transfer_date": None}),
        ctx(HANAKO, findings=(Finding("fee_transfer_date", "required", "必須項目が空欄です（再交付）"),)),
        K.NEEDS_DOCUMENTS,
        ["fee_transfer_date"],
    ),
    (
        "reissue with the wrong fee",
        kofu(**{**REISSUE, "fee_amount": 1000}),
        ctx(HANAKO, fee_confirmed=True),
        K.NEEDS_DOCUMENTS,
        ["fee_amount"],
    ),
    (
        "name change without 証票書類",
        name_change(attachments=["certificate"]),
        ctx(HANAKO),
        K.NEEDS_DOCUMENTS,
        ["attachments"],
    ),
    (
        "theft without a police report",
        messhitsu(loss_cause="stolen", loss_place="駅", police_reported="no"),
        ctx(),
        K.NEEDS_DOCUMENTS,
        ["police_reported", "police_station", "police_report_date", "police_receipt_number"],
    ),
    (
        "SK-02 増 with two errors left: each named",
        ido("add", dep1_name="健保 次郎", dep1_certificate_required=True),
        ctx(
            findings=(
                Finding("dep1_my_number", "required", "個人番号を記入してください"),
                Finding("employer_name", "required", "必須項目が空欄です（事業主の証明）"),
            )
        ),
        K.NEEDS_DOCUMENTS,
        ["dep1_my_number", "employer_name"],
    ),
    (
        "a late SK-02 is processed (warning only)",
        ido("add", dep1_name="健保 次郎", dep1_certificate_required=True),
        ctx(findings=(Finding("dep1_change_date", "late_notification", "5日を過ぎた届出です"),)),
        K.ISSUE_VIA_EMPLOYER,
        [],
    ),
    (
        "SK-02 増 of a person aged 75: being covered, flagged",
        ido("add", dep1_name="長寿 一", dep1_certificate_required=True),
        ctx(findings=(AGE,)),
        K.NEEDS_DOCUMENTS,
        ["dep1_birth_date"],
    ),
    (
        "SK-02 減 at the 75th birthday: not flagged",
        ido("remove", dep1_name="長寿 一", dep1_change_reason="後期高齢者医療制度加入"),
        ctx(findings=(AGE,)),
        K.WITHDRAW,
        [],
    ),
    (
        "SK-03 after_loss_of_eligibility at the 75th birthday: not flagged",
        Record(
            {"notification_type": "after_loss_of_eligibility", "loss_cause": "other"}, form_id="messhitsu"
        ),
        ctx(
            findings=(
                Finding("insured_birth_date", "age_limit", "75歳以上の方は後期高齢者医療制度の対象です"),
            )
        ),
        K.WITHDRAW,
        [],
    ),
]


@pytest.mark.parametrize(
    ("case", "record", "context", "summary", "missing"), APPLICANT, ids=[c[0] for c in APPLICANT]
)
def test_applicant_errors_left_after_review_ask_for_documents_naming_each(
    case: str, record: Record, context: Context, summary: DecisionKind, missing: list[str]
) -> None:
    """§4a: a validated record with applicant errors still there is ``needs_documents`` — no card,
    no validity — and names what is missing; the 75-year check never flags a 減 or an
    after_loss_of_eligibility."""
    decision = decide(record, context)
    assert decision.kind is summary, [o.to_json() for o in decision.outcomes]
    asked = [o for o in decision.outcomes if o.decision is K.NEEDS_DOCUMENTS]
    named = [str(f) for o in asked for f in o.facts["missing"]]
    assert sorted(named) == sorted(missing)
    assert all(o.explanation for o in asked)
    if missing:
        assert not any(o.rule == "R13" for o in decision.outcomes)
        assert all(p.kind is not K.ISSUE_VIA_EMPLOYER for p in decision.persons)


# --- §4a "Rule 17 looks at every date of the form" -----------------------------------------------

LATE: list[tuple[str, Record, int | None]] = [
    (
        "third dependent late",
        ido(
            "add",
            dep1_name="健保 一子",
            dep1_change_date="2026-11-18",
            dep2_name="健保 二郎",
            dep2_change_date="2026-11-19",
            dep3_name="健保 三子",
            dep3_change_date="2026-11-02",
        ),
        18,
    ),
    (
        "SK-04: name on time, address late",
        Record(
            {
                "change_kinds": ["name", "address"],
                "attachments": ["certificate", "koseki"],
                "name_change_date": "2026-11-18",
                "address_change_date": "2026-11-03",
                "submission_date": "2026-11-20",
            },
            form_id="jusho_shimei_henko",
        ),
        17,
    ),
    ("all on time", ido("add", dep1_name="健保 一子", dep1_change_date="2026-11-17"), None),
]


@pytest.mark.parametrize(("case", "record", "days_late"), LATE, ids=[c[0] for c in LATE])
def test_deadline_looks_at_every_date_of_the_form(case: str, record: Record, days_late: int | None) -> None:
    late = [o.facts["days_late"] for o in decide(record, ctx()).outcomes if o.rule == "R17"]
    assert late == ([days_late] if days_late is not None else [])


# --- Wording of the notice ---------------------------------------------------------------------


def test_wording_of_the_notice_for_a_lost_card_and_a_certificate_expiry() -> None:
    """R5 says why one might wait (the notice, 1.(7)); R15 counts from the end of the expiry month."""
    [r5] = [
        o for o in decide(kofu(reasons=["card_lost_or_renewing"]), ctx(HANAKO)).outcomes if o.rule == "R5"
    ]
    assert "資格確認書も同程度の時間がかかりますので" in r5.explanation
    expired = Record({"name": "健保 花子", "certificate_expired_on": "2026-05-10"}, event="cert_expired")
    [r15] = [o for o in decide(expired, ctx(HANAKO)).outcomes if o.rule == "R15"]
    assert "月の末日から" in r15.explanation and "令和8年8月31日" in r15.explanation


# --- §4a "Events from the roster, without a form" ----------------------------------------------

#: (case, event record, context, person's kind, delivery, valid_until or None, words in the explanation)
EVENTS: list[tuple[str, Record, Context, DecisionKind, str, date | None, str]] = [
    (
        "退職",
        Record({"name": "健保 太郎", "date": "2026-11-30"}, event="retired"),
        ctx(TARO),
        K.WITHDRAW,
        "employer",
        None,
        "令和8年11月30日",
    ),
    (
        "death",
        Record({"name": "健保 花子", "date": "2026-11-20"}, event="died"),
        ctx(HANAKO),
        K.WITHDRAW,
        "employer",
        None,
        "健康保険担当窓口に返納",
    ),
    (
        "75th birthday of an employee",
        Record({"name": "長寿 一", "date": "2028-06-10"}, event="turned_75"),
        ctx(ELDER),
        K.WITHDRAW,
        "employer",
        None,
        "後期高齢者医療制度",
    ),
    (
        "end of 任意継続",
        Record({"name": "継続 三郎", "date": "2027-04-01"}, event="voluntary_ended"),
        ctx(KEIZOKU),
        K.WITHDRAW,
        "union",
        None,
        "健康保険組合へ直接返納",
    ),
    (
        "card expiry, still no マイナ保険証: renewed ex officio",
        Record({"name": "健保 花子", "date": "2029-12-01"}, event="card_expiry"),
        Context(date(2029, 12, 1), {"健保花子": HANAKO}),
        K.ISSUE_VIA_EMPLOYER,
        "employer",
        date(2034, 12, 1),
        "職権交付",
    ),
    (
        "card expiry, renewed card ends the day before the 75th birthday",
        Record({"name": "長寿 一", "date": "2029-12-01"}, event="card_expiry"),
        Context(date(2026, 11, 26), {"長寿一": ELDER}),
        K.ISSUE_VIA_EMPLOYER,
        "employer",
        date(2028, 6, 9),
        "令和11年12月1日",
    ),
]


@pytest.mark.parametrize(
    ("case", "record", "context", "kind", "delivery", "until", "words"), EVENTS, ids=[c[0] for c in EVENTS]
)
def test_roster_events_end_or_renew_a_card(
    case: str,
    record: Record,
    context: Context,
    kind: DecisionKind,
    delivery: str,
    until: date | None,
    words: str,
) -> None:
    """R12: 退職, death, the 75th birthday and the end of 任意継続 make the card invalid, returned
    through the employer (任意継続: straight to the union); R13: at expiry a holder who still
    cannot use a マイナ保険証 gets a new card ex officio."""
    decision = decide(record, context)
    [person] = decision.persons
    assert (person.kind, person.delivery, person.valid_until) == (kind, delivery, until)
    assert decision.kind is kind
    assert any(words in o.explanation for o in decision.outcomes)


def test_a_card_reaching_expiry_is_not_renewed_for_a_myna_user() -> None:
    decision = decide(Record({"name": "健保 太郎", "date": "2029-12-01"}, event="card_expiry"), ctx(TARO))
    assert decision.kind is K.NO_ISSUE and not any(
        o.rule == "R13" and o.facts.get("valid_until") for o in decision.outcomes
    )


# --- Wording checked against the notice (../shared/seed/), rule by rule -------------------------

#: The society's notice, as in ../shared/seed/000_6c5ff7e4db57654a.txt (copied so the suite runs alone).
SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed_notice.txt"

#: (rule, a record it decides, context, a phrase of the notice its explanation must carry)
NOTICE_WORDS: list[tuple[str, Record, Context, str]] = [
    (
        "R1",
        kofu(target1_name="健保 太郎"),
        ctx(TARO),
        "「マイナ保険証」と「資格確認書」を併用することはできません",
    ),
    (
        "R2",
        Record({"name": "新入 一郎"}, event="new_employee"),
        ctx(),
        "「資格確認書」を職権交付し、事業主を介して送付します",
    ),
    ("R2", Record({"name": "転籍 二郎"}, event="shokken_list"), ctx(), "職権交付対象者リスト"),
    (
        "R2",
        Record({"name": "継続 三郎", "voluntary": True}, event="shokken_list"),
        ctx(),
        "職権交付しご自宅に送付します",
    ),
    (
        "R3",
        ido("add", dep1_name="健保 次郎", dep1_certificate_required=True),
        ctx(),
        "チェック欄に基づき職権交付し、「資格確認書」は事業主を介して送付します",
    ),
    ("R5", kofu(reasons=["card_lost_or_renewing"]), ctx(HANAKO), "資格確認書も同程度の時間がかかりますので"),
    ("R6", kofu(**REISSUE), ctx(HANAKO), "1枚につき2,000円の再交付手数料"),
    (
        "R6",
        kofu(**REISSUE),
        ctx(HANAKO, fee_confirmed=True),
        "再交付した「資格確認書」は、事業主を介して送付します",
    ),
    ("R7", messhitsu(loss_place="自宅"), ctx(), "再交付を要しないため2,000円のご負担は生じません"),
    ("R8", messhitsu(loss_cause="stolen", loss_place="駅"), ctx(), "身分証明書としても広く利用されるため"),
    ("R9", name_change(), ctx(HANAKO), "「氏名変更した資格確認書」に更新"),
    ("R9", name_change(attachments=["certificate"]), ctx(HANAKO), "「資格確認書」と「証票書類」"),
    ("R11", Record({"name": "健保 太郎"}, event="myna_registered"), ctx(TARO), "返納をお願いします"),
    ("R12", ido("remove", dep1_name="健保 次郎"), ctx(), "各事業所の健康保険担当窓口に"),
    (
        "R12",
        Record({"name": "健保 太郎", "date": "2026-11-30"}, event="retired"),
        ctx(TARO),
        "各事業所の健康保険担当窓口に",
    ),
]


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@pytest.mark.parametrize(
    ("rule", "record", "context", "phrase"), NOTICE_WORDS, ids=[f"{w[0]} {w[3]}" for w in NOTICE_WORDS]
)
def test_explanations_use_the_words_of_the_notice(
    rule: str, record: Record, context: Context, phrase: str
) -> None:
    """Item 6 of issue 21: each rule's explanation carries the notice's own phrase for the case
    (compared after NFKC: the notice writes (増) with half-width brackets)."""
    assert _plain(phrase) in _plain(SEED.read_text(encoding="utf-8"))
    explanations = [o.explanation for o in decide(record, context).outcomes if o.rule == rule]
    assert any(_plain(phrase) in _plain(e) for e in explanations), explanations
