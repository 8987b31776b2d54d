"""R1–R18 (forms README §4, combined as §4a says). Each rule reads a validated record and its
context and returns outcomes, per person where the form names people; ``decide`` runs them
all, gives each person one outcome, sets R13's validity on every card issued and picks the
record's summary by precedence.

Explanations quote the society's notice (../shared/seed/) where it has words for the case;
dates in them are 和暦, with the ISO date in the facts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from extractors.issuance import params
from extractors.issuance.deadlines import EVENT_DATES, is_late
from extractors.issuance.model import (
    ISSUE_KINDS,
    PRECEDENCE,
    Context,
    Decision,
    DecisionKind,
    Outcome,
    Person,
    PersonDecision,
    Record,
)
from extractors.issuance.places import LossPlace, loss_place
from extractors.normalize import wareki, without_spaces

Rule = Callable[[Record, Context], list[Outcome]]
K = DecisionKind

#: Where a card goes (R2, R16; §4a "任意継続 everywhere") and where a card comes back (R11, R12).
TO_EMPLOYER, TO_HOME, TO_UNION = "employer", "home", "union"
_SEND = {TO_EMPLOYER: "事業主を介して送付します。", TO_HOME: "ご自宅に送付します（任意継続）。"}

#: SK-01 reasons that are rule 1's exceptions (§4a): rule 4 (要配慮者) and rule 5 (マイナンバー
#: カードの紛失・更新中: no usable マイナ保険証 meanwhile, whatever the roster says).
R1_EXCEPTIONS = frozenset({"needs_assistance", "card_lost_or_renewing"})
#: What an SK-03 gives of a police report (R8, §3.3).
POLICE_REPORT = ("police_station", "police_report_date", "police_receipt_number")


def _date(value: object) -> date | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, date) else None


def _key(name: object) -> str:
    return str(without_spaces(str(name or "")))


def _person(ctx: Context, name: object) -> Person | None:
    return ctx.persons.get(_key(name))


def _voluntary(record: Record, ctx: Context) -> bool:
    """A 任意継続 household: the form's tick, the event's flag or the roster (§4a)."""
    values = record.values
    return (
        values.get("is_voluntary_continuation") is True
        or values.get("voluntary") is True
        or any(p.voluntary for p in ctx.persons.values())
    )


def _voluntary_end(record: Record, ctx: Context) -> date | None:
    """The last day of the household's 任意継続 (roster ``voluntary_until``, or the event's)."""
    ends = [_date(record.values.get("voluntary_until"))] + [p.voluntary_until for p in ctx.persons.values()]
    known = [e for e in ends if e is not None]
    return min(known) if known else None


def _delivery(record: Record, ctx: Context) -> tuple[DecisionKind, str]:
    """R16 and §4a: via the employer, or to the home of a 任意継続 household."""
    return (K.ISSUE_TO_HOME, TO_HOME) if _voluntary(record, ctx) else (K.ISSUE_VIA_EMPLOYER, TO_EMPLOYER)


def _return_to(record: Record, ctx: Context) -> tuple[str, str]:
    """R11, R12: a card comes back through the employer, or straight to the union (任意継続)."""
    if _voluntary(record, ctx):
        return TO_UNION, "健康保険組合へ直接返納してください（任意継続）"
    return TO_EMPLOYER, "各事業所の健康保険担当窓口に返納してください"


def _reasons(record: Record) -> set[str]:
    return set(record.values.get("reasons") or [])


def _targets(record: Record) -> list[tuple[str, dict[str, object]]]:
    """The people an SK-01 asks cards for: (name, their row)."""
    rows = []
    for row in (1, 2):
        values = {
            k.removeprefix(f"target{row}_"): v
            for k, v in record.values.items()
            if k.startswith(f"target{row}_")
        }
        if values.get("name"):
            rows.append((str(values["name"]), values))
    return rows


def _named(record: Record) -> list[str | None]:
    """The people whose cards an SK-03 is about, one outcome each (§4a); none named: the record."""
    return [name for name, _row in _targets(record)] or [None]


def _dependents(record: Record) -> list[tuple[int, str]]:
    return [
        (row, str(record.values[f"dep{row}_name"]))
        for row in (1, 2, 3)
        if record.values.get(f"dep{row}_name")
    ]


def _event_person(record: Record) -> str | None:
    return str(record.values["name"]) if record.values.get("name") else None


def _refused(record: Record, ctx: Context, name: str) -> bool:
    """R1: an SK-01 target who can use a マイナ保険証, unless reason 4 or 5 applies (§4a)."""
    if record.form_id != "kofu_shinsei" or _reasons(record) & R1_EXCEPTIONS:
        return False
    person = _person(ctx, name)
    return person is not None and person.can_use_myna


def _birth(record: Record, ctx: Context, name: str) -> date | None:
    """The person's birth date as the form or event gives it, else as the roster knows it."""
    values = record.values
    for prefix in ("target1_", "target2_", "dep1_", "dep2_", "dep3_"):
        if values.get(prefix + "name") and _key(values[prefix + "name"]) == _key(name):
            return _date(values.get(prefix + "birth_date"))
    if record.form_id == "jusho_shimei_henko":
        field = "dependent_birth_date" if values.get("target_type") == "dependent" else "insured_birth_date"
        if _date(values.get(field)):
            return _date(values.get(field))
    if record.event and _date(values.get("birth_date")):
        return _date(values.get("birth_date"))
    person = _person(ctx, name) or _person(ctx, values.get("name_old"))
    return person.birth_date if person is not None else None


def valid_until(birth: date | None, issued: date, voluntary_end: date | None = None) -> date:
    """R13: 令和11年12月1日 at the latest; earlier the day before the 75th birthday or at the
    end of 任意継続."""
    end = params.CERTIFICATE_EXPIRY
    while end <= issued:  # a card issued on or after the expiry: the next one (params.RENEWAL_YEARS)
        end = end.replace(year=end.year + params.RENEWAL_YEARS)
    if birth is not None:
        end = min(end, seventy_fifth_birthday(birth) - timedelta(days=1))
    if voluntary_end is not None:
        end = min(end, voluntary_end)
    return max(end, issued)


def seventy_fifth_birthday(birth: date) -> date:
    try:
        return birth.replace(year=birth.year + params.AGE_LIMIT)
    except ValueError:  # born on 29 February
        return date(birth.year + params.AGE_LIMIT, 3, 1)


def r1_no_double_holding(record: Record, ctx: Context) -> list[Outcome]:
    """R1: a person who can use a マイナ保険証 gets no 資格確認書; an SK-01 for them is refused,
    person by person, unless R4 (要配慮者) or R5 (マイナンバーカード紛失・更新中) applies (§4a)."""
    return [
        Outcome(
            "R1",
            K.REFUSE,
            "マイナ保険証を利用できる方には資格確認書を交付しません（「マイナ保険証」と「資格確認書」を併用することはできません）。",
            {"can_use_myna": True},
            name,
        )
        for name, _row in _targets(record)
        if _refused(record, ctx, name)
    ]


def r2_ex_officio(record: Record, ctx: Context) -> list[Outcome]:
    """R2: members who cannot use a マイナ保険証 get a card without application: new employees
    from the 資格取得届 (via the employer), transfers and 任意継続 from the monthly
    職権交付対象者リスト (任意継続: to the home); an SK-01 for a new card only speeds this up."""
    kind, delivery = _delivery(record, ctx)
    if record.event == "new_employee":
        return [
            Outcome(
                "R2",
                kind,
                "資格取得届に基づき「資格確認書」を職権交付し、" + _SEND[delivery],
                {"event": "new_employee", "delivery": delivery},
                _event_person(record),
            )
        ]
    if record.event == "shokken_list":
        words = (
            "職権交付対象者リストに基づき（任意継続）、職権交付し" + _SEND[delivery]
            if delivery == TO_HOME
            else "職権交付対象者リストに基づき職権交付し、" + _SEND[delivery]
        )
        return [
            Outcome(
                "R2",
                kind,
                words,
                {"event": "shokken_list", "voluntary": delivery == TO_HOME, "delivery": delivery},
                _event_person(record),
            )
        ]
    if record.form_id == "kofu_shinsei" and record.values.get("application_type") == "new":
        reasons = sorted(_reasons(record))
        out = []
        for name, _row in _targets(record):
            person = _person(ctx, name)
            if person is None or not person.can_use_myna:
                out.append(
                    Outcome(
                        "R2",
                        kind,
                        "マイナ保険証を利用できないため資格確認書を交付し、"
                        + _SEND[delivery]
                        + "（申請は職権交付を早めるものです。）",
                        {"reasons": reasons, "delivery": delivery},
                        name,
                    )
                )
        return out
    return []


def r3_dependent_added(record: Record, ctx: Context) -> list[Outcome]:
    """R3: SK-02 増 with 「資格確認書発行要否 □発行が必要」 ticked → a card for that dependent,
    via the employer (任意継続: to the home); not ticked → no card; a tick on a 減 form has no
    effect."""
    if record.form_id != "hifuyosha_ido":
        return []
    out = []
    add = record.values.get("change_type") == "add"
    kind, delivery = _delivery(record, ctx)
    for row, name in _dependents(record):
        ticked = record.values.get(f"dep{row}_certificate_required") is True
        newborn = record.values.get(f"dep{row}_change_reason") == "出生"
        facts = {
            "change_type": record.values.get("change_type"),
            "certificate_required": ticked,
            "newborn": newborn,
        }
        if add and ticked:
            words = (
                "被扶養者異動（増）届の資格確認書発行要否のチェック欄に基づき職権交付し、「資格確認書」は"
                + _SEND[delivery]
            )
            if newborn:
                words += "（新生児もマイナンバーカードの特急交付を受けられます。）"
            out.append(Outcome("R3", kind, words, {**facts, "delivery": delivery}, name))
        elif add:
            out.append(
                Outcome(
                    "R3",
                    K.NO_ISSUE,
                    "発行要否欄にチェックがないため資格確認書は交付しません（マイナ保険証をご利用ください）。",
                    facts,
                    name,
                )
            )
        elif ticked:
            out.append(
                Outcome(
                    "R3",
                    K.NO_ISSUE,
                    "減の届出の発行要否チェックは効果がありません（記入の不整合）。",
                    facts,
                    name,
                )
            )
    return out


def r4_needs_assistance(record: Record, ctx: Context) -> list[Outcome]:
    """R4: 要配慮者 (reason 6) get a card on application even with a マイナ保険証."""
    if record.form_id != "kofu_shinsei" or "needs_assistance" not in _reasons(record):
        return []
    kind, delivery = _delivery(record, ctx)
    return [
        Outcome(
            "R4",
            kind,
            "介助者等の補助が必要な方（要配慮者）には、マイナ保険証をお持ちでも申請により交付し、"
            + _SEND[delivery],
            {"reason": "needs_assistance", "delivery": delivery},
            name,
        )
        for name, _row in _targets(record)
    ]


def r5_card_lost_or_renewing(record: Record, ctx: Context) -> list[Outcome]:
    """R5: マイナンバーカード lost or being renewed (reason 5) → a card on application, whatever
    the roster says (§4a)."""
    if record.form_id != "kofu_shinsei" or "card_lost_or_renewing" not in _reasons(record):
        return []
    kind, delivery = _delivery(record, ctx)
    return [
        Outcome(
            "R5",
            kind,
            "マイナンバーカードの再交付手続き中のため資格確認書を交付し、"
            + _SEND[delivery]
            + "マイナンバーカードの再交付に1週間かかるのと同様、資格確認書も同程度の時間がかかりますので、"
            "マイナンバーカードが再交付されるまでお待ちいただくことをお勧めします。",
            {"reason": "card_lost_or_renewing", "delivery": delivery},
            name,
        )
        for name, _row in _targets(record)
    ]


def r6_reissue(record: Record, ctx: Context) -> list[Outcome]:
    """R6: reissue after loss or damage: 2,000円 per card paid in advance by bank transfer, with
    交付枚数, 手数料額 and 振込日 on the form (else ``needs_documents``); issued once the payment
    is confirmed, via the employer (任意継続: to the home); a refused person gets none (R1)."""
    if record.form_id != "kofu_shinsei" or record.values.get("application_type") != "reissue":
        return []
    names = [name for name, _row in _targets(record) if not _refused(record, ctx, name)]
    if not names:
        return []
    facts = _fee_facts(record, ctx)
    missing = _reissue_missing(record)
    if missing:
        return [
            Outcome(
                "R6",
                K.NEEDS_DOCUMENTS,
                "再交付には予め再交付手数料の振込を行ったうえでの申請が必要です。不足・誤り: "
                + "、".join(label for _field, label in missing),
                {**facts, "missing": [field for field, _label in missing]},
                name,
            )
            for name in names
        ]
    _kind, delivery = _delivery(record, ctx)
    if ctx.fee_confirmed:
        kind = K.REISSUE
        message = "再交付手数料の入金を確認しました。再交付した「資格確認書」は、" + _SEND[delivery]
    else:
        kind = K.REISSUE_PENDING_FEE
        message = (
            f"1枚につき{params.FEE_PER_CARD:,}円の再交付手数料の入金を確認したうえで再交付し、"
            + _SEND[delivery]
        )
    return [Outcome("R6", kind, message, {**facts, "delivery": delivery}, name) for name in names]


def _reissue_count(record: Record) -> int:
    """The 交付枚数 written on an SK-01 (0 when it is not a number)."""
    count_text = str(record.values.get("reissue_count") or "")
    return int(count_text) if count_text.isdigit() else 0


def _fee_facts(record: Record, ctx: Context) -> dict[str, object]:
    """R6's facts: the cards and fee written, the fee they call for, the payment confirmed."""
    count = _reissue_count(record)
    return {
        "reissue_count": count,
        "fee_amount": record.values.get("fee_amount"),
        "fee_transfer_date": record.values.get("fee_transfer_date"),
        "fee_due": params.FEE_PER_CARD * count,
        "fee_confirmed": ctx.fee_confirmed,
    }


def _reissue_missing(record: Record) -> list[tuple[str, str]]:
    """What a reissue lacks or has wrong, as (field, its label): a 交付枚数 other than the
    people named, a 手数料額 other than FEE_PER_CARD for each, no 振込日."""
    people = len(_targets(record))
    due = params.FEE_PER_CARD * people
    missing = []
    if _reissue_count(record) != people:
        missing.append(("reissue_count", f"交付枚数（{people}枚）"))
    if record.values.get("fee_amount") != due:
        missing.append(("fee_amount", f"手数料額（1枚{params.FEE_PER_CARD:,}円、{due:,}円）"))
    if not record.values.get("fee_transfer_date"):
        missing.append(("fee_transfer_date", "手数料の振込日"))
    return missing


def r7_loss_without_reissue(record: Record, ctx: Context) -> list[Outcome]:
    """R7: SK-03 use_myna: no new card, no fee; the lost card is invalidated."""
    if record.form_id == "messhitsu" and record.values.get("notification_type") == "use_myna":
        return [
            Outcome(
                "R7",
                K.WITHDRAW,
                f"資格確認書滅失届を受け付けました。再交付を要しないため{params.FEE_PER_CARD:,}円のご負担は生じません。今後はマイナ保険証をご利用ください。",
                {"notification_type": "use_myna", "fee": 0},
                name,
            )
            for name in _named(record)
        ]
    return []


def r8_police(record: Record, ctx: Context) -> list[Outcome]:
    """R8: a card stolen, or lost outside the home (by the 滅失場所, §4a), is reported to the
    police with 警察署, 届出年月日 and 受理番号 on the SK-03 — for a theft required (else
    ``needs_documents``), for a loss outside the home asked for; a card found later must not be
    used and is returned. A place that does not say whether it is the home went to review as
    ``loss_place_unclear`` (:func:`places.place_doubts`); after review it is asked, not guessed."""
    cause = record.values.get("loss_cause")
    if record.form_id != "messhitsu" or cause not in ("stolen", "lost"):
        return []
    place = loss_place(record.values.get("loss_place"))
    facts = {
        "loss_cause": cause,
        "loss_place": place.value if place else None,
        "police_reported": record.values.get("police_reported"),
    }
    if cause == "lost" and place is LossPlace.HOME:
        return []
    missing = [] if record.values.get("police_reported") == "yes" else ["police_reported"]
    missing += [f for f in POLICE_REPORT if not record.values.get(f)]
    found = "後で見つかった資格確認書は使用せず返納してください。"
    if not missing:
        return [Outcome("R8", K.WITHDRAW, "警察への届出を確認しました。" + found, facts)]
    if cause == "stolen":
        return [
            Outcome(
                "R8",
                K.NEEDS_DOCUMENTS,
                "盗難の場合は警察への届出が必要です。届出先の警察署・届出年月日・受理番号を記入してください"
                "（資格確認書は身分証明書としても広く利用されるため）。",
                {**facts, "missing": missing},
            )
        ]
    where = "自宅外で紛失した場合は" if place is LossPlace.OUTSIDE else "滅失場所が自宅内でなければ"
    return [
        Outcome(
            "R8",
            K.WITHDRAW,
            f"{where}警察に届け出て、届出先の警察署・届出年月日・受理番号をお知らせください"
            "（資格確認書は身分証明書としても広く利用されるため）。" + found,
            facts,
        )
    ]


def r9_name_change(record: Record, ctx: Context) -> list[Outcome]:
    """R9: name change: SK-04 with the current card and a 証票書類; the old card is withdrawn and
    a card in the new name is issued ex officio (free) if no マイナ保険証 can be used, via the
    employer (任意継続: to the home)."""
    if record.form_id != "jusho_shimei_henko" or "name" not in (record.values.get("change_kinds") or []):
        return []
    attachments = set(record.values.get("attachments") or [])
    has_card = record.values.get("no_certificate_issued") is not True
    facts = {"attachments": sorted(attachments), "has_certificate": has_card}
    missing = []
    if not attachments & {"marriage_cert", "koseki", "other"}:
        missing.append("attachments")
    if has_card and "certificate" not in attachments:
        missing.append("certificate")
    new_name = str(record.values["name_new"]) if record.values.get("name_new") else None
    if missing:
        return [
            Outcome(
                "R9",
                K.NEEDS_DOCUMENTS,
                "氏名変更には「資格確認書」と「証票書類」（婚姻届受理済証明書、または戸籍抄本等）の添付が必要です。",
                {**facts, "missing": missing},
                new_name,
            )
        ]
    person = _person(ctx, record.values.get("name_old")) or _person(ctx, new_name)
    if not has_card or (person is not None and person.can_use_myna):
        return [
            Outcome(
                "R9",
                K.UPDATE_RECORD,
                "氏名を変更しました（資格確認書の交付はありません）。",
                facts,
                new_name,
            )
        ]
    kind, delivery = _delivery(record, ctx)
    return [
        Outcome(
            "R9",
            kind,
            "「氏名変更した資格確認書」に更新し（手数料はかかりません）、"
            + _SEND[delivery]
            + "旧い資格確認書は回収します。",
            {**facts, "delivery": delivery},
            new_name,
        )
    ]


def r10_address_change(record: Record, ctx: Context) -> list[Outcome]:
    """R10: address change: the record is updated; no new card."""
    if record.form_id == "jusho_shimei_henko" and "address" in (record.values.get("change_kinds") or []):
        return [
            Outcome(
                "R10",
                K.UPDATE_RECORD,
                "住所を変更しました。資格確認書の再発行はありません。",
                {"address_new": record.values.get("address_new")},
            )
        ]
    return []


def r11_myna_registered(record: Record, ctx: Context) -> list[Outcome]:
    """R11: a card holder completes the マイナ保険証 registration → the card is returned through
    the employer (任意継続: straight to the union)."""
    if record.event != "myna_registered":
        return []
    to, words = _return_to(record, ctx)
    return [
        Outcome(
            "R11",
            K.WITHDRAW,
            f"マイナ保険証の利用登録が完了したため、資格確認書の返納をお願いします（{words}）。",
            {"event": "myna_registered", "delivery": to},
            _event_person(record),
        )
    ]


def r12_loss_of_eligibility(record: Record, ctx: Context) -> list[Outcome]:
    """R12: 退職, removal of a dependent (SK-02 減), 75th birthday, death: the card is invalid
    from that day and returned within 5 days through the employer (任意継続: straight to the
    union); SK-03 after_loss_of_eligibility if it cannot be."""
    if record.form_id == "hifuyosha_ido" and record.values.get("change_type") == "remove":
        to, words = _return_to(record, ctx)
        return [
            Outcome(
                "R12",
                K.WITHDRAW,
                f"被扶養者でなくなった日から資格確認書は使えません。{params.DEADLINE_DAYS}日以内に{words}。",
                {"change_type": "remove", "delivery": to},
                name,
            )
            for _row, name in _dependents(record)
        ]
    if (
        record.form_id == "messhitsu"
        and record.values.get("notification_type") == "after_loss_of_eligibility"
    ):
        return [
            Outcome(
                "R12",
                K.WITHDRAW,
                "資格喪失により返納できない資格確認書を無効として記録します。",
                {"notification_type": "after_loss_of_eligibility"},
                name,
            )
            for name in _named(record)
        ]
    if record.event in LOSS_EVENTS:
        day = _date(record.values.get("date")) or ctx.today
        to, words = _return_to(record, ctx)
        return [
            Outcome(
                "R12",
                K.WITHDRAW,
                f"{wareki(day)}{LOSS_EVENTS[record.event]}、資格確認書は使えません。"
                f"{params.DEADLINE_DAYS}日以内に{words}。",
                {"event": record.event, "date": day, "delivery": to},
                _event_person(record),
            )
        ]
    return []


#: Events of the roster or the API that end a person's coverage (R12), in the words of a notice.
LOSS_EVENTS = {
    "retired": "の退職により当健康保険組合の資格を喪失したため",
    "died": "に亡くなられたため",
    "turned_75": f"の{params.AGE_LIMIT}歳の誕生日から後期高齢者医療制度の対象となるため",
    "voluntary_ended": "に任意継続被保険者の資格が終了したため",
}


def r13_renewal(record: Record, ctx: Context) -> list[Outcome]:
    """R13: at a card's expiry, a holder who still cannot use a マイナ保険証 gets a new card ex
    officio, via the employer (任意継続: to the home); one who can gets none."""
    if record.event != "card_expiry":
        return []
    name = _event_person(record)
    person = _person(ctx, name)
    expiry = _date(record.values.get("date")) or ctx.today
    if person is not None and person.can_use_myna:
        return [
            Outcome(
                "R13",
                K.NO_ISSUE,
                f"資格確認書は{wareki(expiry)}で有効期限を迎えます。マイナ保険証をご利用いただけるため、更新はしません。",
                {"event": "card_expiry", "date": expiry},
                name,
            )
        ]
    kind, delivery = _delivery(record, ctx)
    return [
        Outcome(
            "R13",
            kind,
            f"資格確認書が{wareki(expiry)}で有効期限を迎え、マイナ保険証を利用できないため、"
            "新しい資格確認書を職権交付し、" + _SEND[delivery],
            {"event": "card_expiry", "date": expiry, "delivery": delivery},
            name,
        )
    ]


def r13_validity(record: Record, ctx: Context, issued: Sequence[str]) -> list[Outcome]:
    """R13: every card issued (and no refused person's) expires on 令和11年12月1日 at the latest,
    earlier on the day before the 75th birthday or at the end of 任意継続 (§4a)."""
    voluntary_end = _voluntary_end(record, ctx)
    out = []
    for name in issued:
        birth = _birth(record, ctx, name)
        until = valid_until(birth, ctx.today, voluntary_end)
        why = ""
        if (
            birth is not None
            and until == seventy_fifth_birthday(birth) - timedelta(days=1) < params.CERTIFICATE_EXPIRY
        ):
            why = f"（{params.AGE_LIMIT}歳の誕生日の前日まで）"
        elif voluntary_end is not None and until == voluntary_end < params.CERTIFICATE_EXPIRY:
            why = "（任意継続被保険者の資格の終了日まで）"
        out.append(
            Outcome(
                "R13",
                K.NO_ISSUE,
                f"交付する資格確認書の有効期限は{wareki(until)}です{why}。",
                {"valid_until": until, "voluntary_until": voluntary_end},
                name,
            )
        )
    return out


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def r15_certificate_expired(record: Record, ctx: Context) -> list[Outcome]:
    """R15: a マイナ保険証 whose electronic certificate expired stays usable for 3 months after
    the end of that month; then a card is issued ex officio (R2), via the employer (任意継続: to
    the home)."""
    if record.event != "cert_expired":
        return []
    expired = _date(record.values.get("certificate_expired_on"))
    if expired is None:
        return []
    limit = _month_end(expired)
    for _ in range(params.CERT_GRACE_MONTHS):
        limit = _month_end(limit + timedelta(days=1))
    name = _event_person(record)
    if ctx.today <= limit:
        return [
            Outcome(
                "R15",
                K.NO_ISSUE,
                f"電子証明書の有効期限が切れた月の末日から{params.CERT_GRACE_MONTHS}か月間、"
                f"{wareki(limit)}までマイナ保険証を利用できます。",
                {"usable_until": limit},
                name,
            )
        ]
    kind, delivery = _delivery(record, ctx)
    return [
        Outcome(
            "R15",
            kind,
            f"電子証明書の有効期限が切れた月の末日から{params.CERT_GRACE_MONTHS}か月（{wareki(limit)}まで）を"
            "過ぎたため、資格確認書を職権交付し、" + _SEND[delivery],
            {"usable_until": limit, "delivery": delivery},
            name,
        )
    ]


def r17_deadlines(record: Record, ctx: Context) -> list[Outcome]:
    """R17: SK-02 and SK-04 within 5 days of the event — every dependent's 異動年月日 and each
    change date (§4a); late forms are still processed."""
    submitted = _date(record.values.get("submission_date"))
    events = [_date(record.values.get(f)) for f in EVENT_DATES.get(record.form_id or "", ())]
    late = [e for e in events if e is not None and is_late(e, submitted)]
    if submitted is None or not late:
        return []
    return [
        Outcome(
            "R17",
            K.NO_ISSUE,
            f"届出期限（{params.DEADLINE_DAYS}日以内）を過ぎていますが、処理は行います。",
            {"days_late": (submitted - min(late)).days},
        )
    ]


def r18_fees(record: Record, ctx: Context) -> list[Outcome]:
    """R18: only reissue (R6) costs money; 新規交付, ex-officio issue, 滅失届 and the new-name
    card of R9 are free."""
    if record.form_id in ("messhitsu", "jusho_shimei_henko") or (
        record.form_id == "kofu_shinsei" and record.values.get("application_type") == "new"
    ):
        return [Outcome("R18", K.NO_ISSUE, "この手続きに手数料はかかりません。", {"fee": 0})]
    return []


#: Every rule run on a record, in order. R13 runs after them, on the people who get a card.
#: R14 (transition of old 保険証) is not decided automatically (§4a); R16 (route) is the
#: delivery choice inside each issuing rule and the 事業主 block checked on every form.
RULES: list[Rule] = [
    r1_no_double_holding,
    r2_ex_officio,
    r3_dependent_added,
    r4_needs_assistance,
    r5_card_lost_or_renewing,
    r6_reissue,
    r7_loss_without_reissue,
    r8_police,
    r9_name_change,
    r10_address_change,
    r11_myna_registered,
    r12_loss_of_eligibility,
    r13_renewal,
    r15_certificate_expired,
    r17_deadlines,
    r18_fees,
]

#: Findings that are not the applicant's errors: a late form is processed with a warning (R17),
#: a name read one character apart is a reading doubt, a 発行要否 tick on a 減 has no effect (R3).
NOT_APPLICANT_ERRORS = frozenset(
    {"late_notification", "name_near_match", "certificate_on_remove", "must_be_blank"}
)


def _not_being_covered(record: Record) -> bool:
    """SK-02 減 and SK-03 after_loss_of_eligibility end a coverage: the 75-year check is not for
    them (§4a "The age check is for people being covered")."""
    values = record.values
    return (record.form_id == "hifuyosha_ido" and values.get("change_type") == "remove") or (
        record.form_id == "messhitsu" and values.get("notification_type") == "after_loss_of_eligibility"
    )


def _rule_for_field(record: Record, field: str) -> str:
    """The rule whose procedure asks for a field (for naming an applicant error)."""
    if field.startswith("employer_"):
        return "R16"
    if field.startswith(("fee_", "reissue_")):
        return "R6"
    if field.startswith(("police_", "loss_place")):
        return "R8"
    values = record.values
    if record.form_id == "kofu_shinsei":
        return "R6" if values.get("application_type") == "reissue" else "R2"
    if record.form_id == "hifuyosha_ido":
        return "R12" if values.get("change_type") == "remove" else "R3"
    if record.form_id == "messhitsu":
        return "R12" if values.get("notification_type") == "after_loss_of_eligibility" else "R7"
    if record.form_id == "jusho_shimei_henko":
        return "R9" if "name" in (values.get("change_kinds") or []) else "R10"
    return "R16"


def applicant_errors(record: Record, ctx: Context, named: set[str]) -> list[Outcome]:
    """§4a: the form's errors still there after review make it ``needs_documents``, one outcome
    naming each (fields a rule already named are not repeated)."""
    out = []
    for finding in ctx.findings:
        if finding.code in NOT_APPLICANT_ERRORS or (
            finding.code == "age_limit" and _not_being_covered(record)
        ):
            continue
        if finding.field is not None and finding.field in named:
            continue
        out.append(
            Outcome(
                _rule_for_field(record, finding.field or ""),
                K.NEEDS_DOCUMENTS,
                f"記入の不備が残っています: {finding.message}",
                {
                    "field": finding.field,
                    "code": finding.code,
                    "missing": [finding.field] if finding.field else [],
                },
            )
        )
    return out


def _first(kinds: set[DecisionKind], skip: frozenset[DecisionKind] = frozenset()) -> DecisionKind:
    return next((k for k in PRECEDENCE if k in kinds and k is not K.NO_ISSUE and k not in skip), K.NO_ISSUE)


def decide(record: Record, ctx: Context) -> Decision:
    """Run every rule; give each person named one outcome (§4a "Per person") — ``needs_documents``
    instead of a card while the record lacks something — and R13's validity on every card; the
    record's summary is an issue kind when anyone gets a card, ``refuse`` only when everyone
    named is refused."""
    outcomes = [outcome for rule in RULES for outcome in rule(record, ctx)]
    named = {str(f) for o in outcomes for f in o.facts.get("missing", [])}
    outcomes += applicant_errors(record, ctx, named)
    blocked = any(o.decision is K.NEEDS_DOCUMENTS and o.person is None for o in outcomes)

    names = list(dict.fromkeys(o.person for o in outcomes if o.person))
    kinds = {}
    for name in names:
        kind = _first({o.decision for o in outcomes if o.person == name})
        kinds[name] = K.NEEDS_DOCUMENTS if blocked and kind in ISSUE_KINDS else kind
    issued = [name for name in names if kinds[name] in ISSUE_KINDS]
    outcomes += r13_validity(record, ctx, issued)

    persons = []
    for name in names:
        chosen = [o for o in outcomes if o.person == name and o.decision is kinds[name]]
        delivery = next((str(o.facts["delivery"]) for o in chosen if "delivery" in o.facts), None)
        until = next(
            (o.facts["valid_until"] for o in outcomes if o.person == name and "valid_until" in o.facts), None
        )
        persons.append(PersonDecision(name, kinds[name], until, delivery))

    everyone_refused = bool(names) and all(kinds[n] is K.REFUSE for n in names)
    live = {o.decision for o in outcomes if o.person is None} | {kinds[n] for n in names}
    kind = K.REFUSE if everyone_refused else _first(live, frozenset({K.REFUSE}))
    return Decision(kind, tuple(outcomes), tuple(persons))
