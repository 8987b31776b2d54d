"""R1–R18 (forms README §4). Each rule reads a validated record and its context and returns
outcomes; ``decide`` runs them all and picks the record's decision by precedence.

Explanations quote the society's notice (../shared/seed/) where it has words for the case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from extractors.normalize import without_spaces
from extractors.rules import params
from extractors.rules.deadlines import EVENT_DATES, is_late
from extractors.rules.model import PRECEDENCE, Context, Decision, DecisionKind, Outcome, Person, Record

Rule = Callable[[Record, Context], list[Outcome]]
K = DecisionKind


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


def _voluntary(record: Record) -> bool:
    return record.values.get("is_voluntary_continuation") is True


def _delivery(record: Record) -> DecisionKind:
    """R16: via the employer, or to the home of a 任意継続 member."""
    return K.ISSUE_TO_HOME if _voluntary(record) else K.ISSUE_VIA_EMPLOYER


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


def valid_until(birth: date | None, issued: date, voluntary_end: date | None = None) -> date:
    """R13: 令和11年12月1日 at the latest; earlier at the 75th birthday or the end of 任意継続."""
    end = params.CERTIFICATE_EXPIRY
    if birth is not None:
        try:
            seventy_five = birth.replace(year=birth.year + params.AGE_LIMIT)
        except ValueError:  # born on 29 February
            seventy_five = date(birth.year + params.AGE_LIMIT, 3, 1)
        end = min(end, seventy_five - timedelta(days=1))
    if voluntary_end is not None:
        end = min(end, voluntary_end)
    return max(end, issued)


def r1_no_double_holding(record: Record, ctx: Context) -> list[Outcome]:
    """R1: a person who can use a マイナ保険証 gets no 資格確認書; an SK-01 for them is refused
    (unless R4, 要配慮者, applies)."""
    if record.form_id != "kofu_shinsei" or "needs_assistance" in (record.values.get("reasons") or []):
        return []
    out = []
    for name, _row in _targets(record):
        person = _person(ctx, name)
        if person is not None and person.can_use_myna:
            out.append(
                Outcome(
                    "R1",
                    K.REFUSE,
                    "マイナ保険証を利用できる方には資格確認書を交付しません（併用はできません）。",
                    {"can_use_myna": True},
                    name,
                )
            )
    return out


def r2_ex_officio(record: Record, ctx: Context) -> list[Outcome]:
    """R2: members who cannot use a マイナ保険証 get a card without application: new employees
    from the 資格取得届, transfers and 任意継続 from the monthly 職権交付対象者リスト; an SK-01
    for a new card only speeds this up."""
    if record.event == "new_employee":
        return [
            Outcome(
                "R2",
                K.ISSUE_VIA_EMPLOYER,
                "資格取得届に基づき職権交付し、事業主を介して送付します。",
                {"event": "new_employee"},
                str(record.values.get("name") or ""),
            )
        ]
    if record.event == "shokken_list":
        voluntary = record.values.get("voluntary") is True
        kind = K.ISSUE_TO_HOME if voluntary else K.ISSUE_VIA_EMPLOYER
        words = (
            "職権交付しご自宅に送付します（任意継続）。"
            if voluntary
            else "職権交付対象者リストに基づき職権交付し、事業主を介して送付します。"
        )
        return [
            Outcome(
                "R2",
                kind,
                words,
                {"event": "shokken_list", "voluntary": voluntary},
                str(record.values.get("name") or ""),
            )
        ]
    if record.form_id == "kofu_shinsei" and record.values.get("application_type") == "new":
        reasons = sorted(record.values.get("reasons") or [])
        out = []
        for name, _row in _targets(record):
            person = _person(ctx, name)
            if person is None or not person.can_use_myna:
                out.append(
                    Outcome(
                        "R2",
                        _delivery(record),
                        "マイナ保険証を利用できないため資格確認書を交付します（申請は職権交付を早めるものです）。",
                        {"reasons": reasons},
                        name,
                    )
                )
        return out
    return []


def r3_dependent_added(record: Record, ctx: Context) -> list[Outcome]:
    """R3: SK-02 増 with 「資格確認書発行要否 □発行が必要」 ticked → a card for that dependent
    via the employer; not ticked → no card; a tick on a 減 form has no effect."""
    if record.form_id != "hifuyosha_ido":
        return []
    out = []
    add = record.values.get("change_type") == "add"
    for row in (1, 2, 3):
        name = record.values.get(f"dep{row}_name")
        if not name:
            continue
        ticked = record.values.get(f"dep{row}_certificate_required") is True
        newborn = record.values.get(f"dep{row}_change_reason") == "出生"
        facts = {
            "change_type": record.values.get("change_type"),
            "certificate_required": ticked,
            "newborn": newborn,
        }
        if add and ticked:
            words = "被扶養者異動（増）届の資格確認書発行要否欄のチェックに基づき職権交付し、事業主を介して送付します。"
            if newborn:
                words += "（新生児もマイナンバーカードの特急交付を受けられます。）"
            out.append(Outcome("R3", _delivery(record), words, facts, str(name)))
        elif add:
            out.append(
                Outcome(
                    "R3",
                    K.NO_ISSUE,
                    "発行要否欄にチェックがないため資格確認書は交付しません（マイナ保険証をご利用ください）。",
                    facts,
                    str(name),
                )
            )
        elif ticked:
            out.append(
                Outcome(
                    "R3",
                    K.NO_ISSUE,
                    "減の届出の発行要否チェックは効果がありません（記入の不整合）。",
                    facts,
                    str(name),
                )
            )
    return out


def r4_needs_assistance(record: Record, ctx: Context) -> list[Outcome]:
    """R4: 要配慮者 (reason 6) get a card on application even with a マイナ保険証."""
    if record.form_id == "kofu_shinsei" and "needs_assistance" in (record.values.get("reasons") or []):
        return [
            Outcome(
                "R4",
                _delivery(record),
                "介助者等の補助が必要な方（要配慮者）には、マイナ保険証をお持ちでも申請により交付します。",
                {"reason": "needs_assistance"},
                name,
            )
            for name, _row in _targets(record)
        ]
    return []


def r5_card_lost_or_renewing(record: Record, ctx: Context) -> list[Outcome]:
    """R5: マイナンバーカード lost or being renewed (reason 5) → a card on application."""
    if record.form_id == "kofu_shinsei" and "card_lost_or_renewing" in (record.values.get("reasons") or []):
        return [
            Outcome(
                "R5",
                _delivery(record),
                "マイナンバーカードの紛失・更新中のため交付します。再交付まで約1週間かかるため、カードの再交付をお待ちいただくこともできます。",
                {"reason": "card_lost_or_renewing"},
                name,
            )
            for name, _row in _targets(record)
        ]
    return []


def r6_reissue(record: Record, ctx: Context) -> list[Outcome]:
    """R6: reissue after loss or damage: 2,000円 per card paid in advance; issued once the
    payment is confirmed; a damaged card is attached."""
    if record.form_id != "kofu_shinsei" or record.values.get("application_type") != "reissue":
        return []
    count = int(str(record.values.get("reissue_count") or "0") or 0)
    fee = record.values.get("fee_amount")
    facts = {
        "reissue_count": count,
        "fee_amount": fee,
        "fee_transfer_date": record.values.get("fee_transfer_date"),
        "fee_due": params.FEE_PER_CARD * count,
        "fee_confirmed": ctx.fee_confirmed,
    }
    if not ctx.fee_confirmed:
        return [
            Outcome(
                "R6",
                K.REISSUE_PENDING_FEE,
                f"再交付手数料（1枚{params.FEE_PER_CARD:,}円）の入金確認後に再交付します。",
                facts,
            )
        ]
    return [
        Outcome(
            "R6",
            K.REISSUE,
            "再交付手数料の入金を確認しました。再交付した資格確認書は事業主を介して送付します。",
            facts,
        )
    ]


def r7_loss_without_reissue(record: Record, ctx: Context) -> list[Outcome]:
    """R7: SK-03 use_myna: no new card, no fee; the lost card is invalidated."""
    if record.form_id == "messhitsu" and record.values.get("notification_type") == "use_myna":
        return [
            Outcome(
                "R7",
                K.WITHDRAW,
                "資格確認書滅失届を受け付けました。再交付はせず、手数料はかかりません。今後はマイナ保険証をご利用ください。",
                {"notification_type": "use_myna", "fee": 0},
            )
        ]
    return []


def r8_police(record: Record, ctx: Context) -> list[Outcome]:
    """R8: stolen (or lost outside the home): report to the police; a found card must not be used."""
    if record.form_id != "messhitsu" or record.values.get("loss_cause") not in ("stolen", "lost"):
        return []
    facts = {
        "loss_cause": record.values.get("loss_cause"),
        "police_reported": record.values.get("police_reported"),
    }
    return [
        Outcome(
            "R8",
            K.WITHDRAW,
            "資格確認書は身分証明書としても利用されるため、警察への届出をお勧めします。後で見つかったカードは使用せず返納してください。",
            facts,
        )
    ]


def r9_name_change(record: Record, ctx: Context) -> list[Outcome]:
    """R9: name change: SK-04 with the current card and a 証票書類; the old card is withdrawn and
    a card in the new name is issued ex officio (free) if no マイナ保険証 can be used."""
    if record.form_id != "jusho_shimei_henko" or "name" not in (record.values.get("change_kinds") or []):
        return []
    attachments = set(record.values.get("attachments") or [])
    has_card = record.values.get("no_certificate_issued") is not True
    facts = {"attachments": sorted(attachments), "has_certificate": has_card}
    if not attachments & {"marriage_cert", "koseki", "other"} or (
        has_card and "certificate" not in attachments
    ):
        return [
            Outcome(
                "R9",
                K.NEEDS_DOCUMENTS,
                "氏名変更には「資格確認書」と「証票書類」（婚姻届受理済証明書、または戸籍抄本等）の添付が必要です。",
                facts,
            )
        ]
    new_name = record.values.get("name_new")
    person = _person(ctx, record.values.get("name_old"))
    if not has_card or (person is not None and person.can_use_myna):
        return [
            Outcome(
                "R9",
                K.UPDATE_RECORD,
                "氏名を変更しました（資格確認書の交付はありません）。",
                facts,
                str(new_name),
            )
        ]
    return [
        Outcome(
            "R9",
            _delivery(record),
            "「氏名変更した資格確認書」に更新します（手数料はかかりません）。旧い資格確認書は回収します。",
            facts,
            str(new_name),
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
    """R11: a card holder completes the マイナ保険証 registration → the card is returned."""
    if record.event == "myna_registered":
        return [
            Outcome(
                "R11",
                K.WITHDRAW,
                "マイナ保険証の利用登録が完了したため、資格確認書を事業主を介して返納してください。",
                {"event": "myna_registered"},
                str(record.values.get("name") or ""),
            )
        ]
    return []


def r12_loss_of_eligibility(record: Record, ctx: Context) -> list[Outcome]:
    """R12: 退職, removal of a dependent (SK-02 減), 75th birthday, death: the card is invalid
    from that day and returned within 5 days; SK-03 after_loss_of_eligibility if it cannot be."""
    if record.form_id == "hifuyosha_ido" and record.values.get("change_type") == "remove":
        return [
            Outcome(
                "R12",
                K.WITHDRAW,
                f"被扶養者でなくなった日から資格確認書は使えません。{params.DEADLINE_DAYS}日以内に事業主へ返納してください。",
                {"change_type": "remove"},
                str(record.values.get(f"dep{row}_name")),
            )
            for row in (1, 2, 3)
            if record.values.get(f"dep{row}_name")
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
            )
        ]
    return []


def r13_validity(record: Record, ctx: Context) -> list[Outcome]:
    """R13: every issued card expires on 令和11年12月1日 at the latest (75th birthday earlier)."""
    if record.form_id != "kofu_shinsei":
        return []
    out = []
    for name, row in _targets(record):
        until = valid_until(_date(row.get("birth_date")), ctx.today)
        out.append(
            Outcome(
                "R13",
                K.NO_ISSUE,
                f"交付する資格確認書の有効期限は{until.isoformat()}です。",
                {"valid_until": until},
                name,
            )
        )
    return out


def r15_certificate_expired(record: Record, ctx: Context) -> list[Outcome]:
    """R15: a マイナ保険証 whose electronic certificate expired stays usable 3 months after that
    month; then a card is issued ex officio (R2)."""
    if record.event != "cert_expired":
        return []
    expired = _date(record.values.get("certificate_expired_on"))
    if expired is None:
        return []
    month_end = (expired.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    limit = month_end
    for _ in range(params.CERT_GRACE_MONTHS):
        limit = (limit + timedelta(days=1)).replace(day=28) + timedelta(days=4)
        limit = limit.replace(day=1) - timedelta(days=1)
    if ctx.today <= limit:
        return [
            Outcome(
                "R15",
                K.NO_ISSUE,
                f"電子証明書の期限切れ後も{limit.isoformat()}までマイナ保険証を利用できます。",
                {"usable_until": limit},
            )
        ]
    return [
        Outcome(
            "R15",
            K.ISSUE_VIA_EMPLOYER,
            f"電子証明書の有効期限切れから{params.CERT_GRACE_MONTHS}か月を過ぎたため、資格確認書を職権交付します。",
            {"usable_until": limit},
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


#: Every rule in order. R14 (transition of old 保険証) and R16 (route) shape the others:
#: R16 is the delivery choice inside each issuing rule, R14 the regime start checked on SK-01.
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
    r13_validity,
    r15_certificate_expired,
    r17_deadlines,
    r18_fees,
]


def decide(record: Record, ctx: Context) -> Decision:
    """Run every rule; the decision is the highest-precedence outcome (R1 refusal first)."""
    outcomes = tuple(outcome for rule in RULES for outcome in rule(record, ctx))
    kinds = {o.decision for o in outcomes}
    kind = next((k for k in PRECEDENCE if k in kinds and k is not K.NO_ISSUE), K.NO_ISSUE)
    return Decision(kind, outcomes)
