"""Review: claim a task, show it, approve (→ validated record → rules → decision), send a
correction back or reject; the transitions are :mod:`intake.workflow`'s, checked here on the
locked row of every action."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from extractors.forms import check_form
from extractors.issuance import Context, Record, decide
from extractors.masking import is_my_number
from extractors.model import Finding
from extractors.template import Template, load_templates, template_for
from intake import page_images, workflow
from intake.auth import User, sees_my_number
from intake.domain import (
    AWAITING_APPROVAL,
    UNFINISHED_TASKS,
    DocumentStatus,
    RecordStatus,
    RecordView,
    ReviewTask,
    TaskStatus,
)
from intake.errors import ErrorCode
from intake.outbox import add_decision, emit_document
from intake.queue import enqueue_document
from intake.reread import with_forced
from intake.roster import persons as roster_persons
from intake.services import Services
from intake.store import decisions, records, repo
from intake.store import tasks as task_store
from intake.store.db import transaction
from intake.typed import check_typed, message, person_names
from intake.workflow import ReviewError as ReviewError

#: Hand corrections of these fields need a second person (two-person rule).
SENSITIVE = ("my_number", "insured_symbol", "insured_number")
REJECT_REASONS = {
    "illegible": "判読できない",
    "wrong_form": "様式が違う",
    "incomplete": "記入漏れ・添付漏れ",
    "duplicate": "重複提出",
    "other": "その他",
}


@dataclass(frozen=True)
class FieldView:
    name: str
    type: str
    value: Any
    confidence: float
    needs_review: bool
    box: list[float] | None
    options: list[str]
    #: What was read (``value`` differs while a correction waits for approval).
    reading: Any = None
    #: The form's findings that name this field.
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class TaskView:
    task_id: int
    document_id: int
    form_id: str | None
    status: TaskStatus
    claimed_by: str | None
    page_sha: str | None
    page_size: tuple[int, int]
    fields: list[FieldView]
    #: Every finding of the form as read (those naming a field are also on its FieldView).
    findings: tuple[Finding, ...]
    record_id: int | None
    #: Whose sensitive correction waits for the second approval.
    corrected_by: str | None = None
    #: The values typed in place of the readings, while they wait for the second approval.
    corrections: list[Correction] = field(default_factory=list)
    #: Why the approver sent the last correction back.
    returned: Returned | None = None
    #: The opening of the page that holds the claim (see :func:`release`).
    claim_nonce: str | None = None
    #: The version of the form the page was read as (its template's boxes are the page's).
    form_version: str | None = None
    #: A validated record opened again for a correction (by whom, why), until approved again.
    reopened: Reopened | None = None


def _form_read(extraction: dict[str, Any] | None, form_id: str | None, page_no: int | None) -> dict[str, Any]:
    """The form read on page ``page_no`` in a document's extraction JSON, found by its
    ``pages`` and ``form_id`` (not by its place in the list); empty when there is none."""
    docs = (extraction or {}).get("documents") or []
    return next(
        (
            doc
            for doc in docs
            if isinstance(doc, dict) and page_no in (doc.get("pages") or []) and doc.get("form_id") == form_id
        ),
        {},
    )


def _findings(form: dict[str, Any]) -> tuple[Finding, ...]:
    """A form's findings in the extraction JSON, as :class:`Finding` objects."""
    return tuple(
        Finding(f.get("field"), str(f.get("code", "")), str(f.get("message", "")))
        for f in form.get("findings") or []
        if isinstance(f, dict)
    )


def _template(form_id: str | None, version: str | None) -> Template | None:
    """The template of the form's own version (its boxes: the page's 個人番号 cells, the
    snippets); the first installed version only when the version is no longer installed."""
    return template_for(form_id, version)


def task_template(view: TaskView) -> Template | None:
    """The template a task's page was read with: its form in its own version."""
    return _template(view.form_id, view.form_version)


def is_sensitive(name: str) -> bool:
    return is_my_number(name) or name in SENSITIVE


@dataclass(frozen=True)
class Returned:
    """Why an approver sent a correction back, and who."""

    by: str
    reason: str


@dataclass(frozen=True)
class Reopened:
    """Who opened a validated record again for a correction, why, and the decision its new
    approval supersedes (issue 15 item 7)."""

    by: str
    reason: str
    decision_id: int | None


def _reopened(record: RecordView | None) -> Reopened | None:
    """The reopening of a record not yet approved again; None for any other record."""
    if record is None or record.status == RecordStatus.VALIDATED:
        return None
    return _reopening_in(record.values.get("_reopened"))


def _reopening_in(info: object) -> Reopened | None:
    """A reopening as a record's ``_reopened`` note keeps it (None: no note)."""
    if not isinstance(info, dict):
        return None
    decision = info.get("decision")
    return Reopened(
        str(info.get("by", "")), str(info.get("reason", "")), decision if isinstance(decision, int) else None
    )


@dataclass(frozen=True)
class Correction:
    """One value a person typed in place of the reading, as the approver checks it."""

    name: str
    reading: Any
    value: Any
    box: list[float] | None


def _now() -> datetime:
    return datetime.now(UTC)


def _idle(services: Services) -> timedelta:
    return timedelta(seconds=services.settings.claim_idle_seconds)


def _record_of(session: Session, task: ReviewTask, lock: bool = False) -> RecordView | None:
    return records.of_form(session, task.document_id, task.form_index, lock)


def _state(services: Services, task: ReviewTask, record: RecordView | None) -> workflow.TaskState:
    corrected_by = record.values.get("_reviewed_by") if record is not None else None
    return workflow.state_of(
        task.status,
        task.claimed_by,
        task.claimed_at,
        corrected_by,
        _now(),
        _idle(services),
        _reopened(record) is not None,
    )


def holder(services: Services, task: ReviewTask) -> str | None:
    """Who holds a task's claim now (an idle claim is nobody's), as the queue shows it."""
    state = workflow.state_of(task.status, task.claimed_by, task.claimed_at, None, _now(), _idle(services))
    return state.holder


def _locked(session: Session, task_id: int) -> ReviewTask:
    task = task_store.get(session, task_id, lock=True)
    if task is None:
        raise ReviewError(ErrorCode.NOT_FOUND, "確認タスクが見つかりません")
    return task


def _hold(
    session: Session, task: ReviewTask, status: TaskStatus, user: User | None, nonce: str | None = None
) -> None:
    """Store the task's state and who holds it: a held state names its holder and the moment,
    any other state nobody."""
    if status in workflow.LET_GO and user is not None:
        task_store.hold(session, task.id, status, user.name, _now(), nonce or task.claim_nonce)
    else:
        task_store.hold(session, task.id, status, None, None, None)


def _returned(record: RecordView | None) -> Returned | None:
    if record is None or record.status != RecordStatus.RETURNED:
        return None
    returned = record.values.get("_returned") or {}
    return Returned(str(returned.get("by", "")), str(returned.get("reason", "")))


def load_task(services: Services, task_id: int) -> TaskView:
    """A task as its page shows it. While it waits for the second approval, each field shows
    the value waiting (the reading stays beside it)."""
    with transaction(services.sessions) as session:
        task = task_store.get(session, task_id)
        if task is None:
            raise ReviewError(ErrorCode.NOT_FOUND, "確認タスクが見つかりません")
        document = repo.get_document(session, task.document_id)
        readings = task_store.readings(session, task.document_id, task.form_index)
        page = task_store.page_of_form(session, task.document_id, task.form_index)
        record = _record_of(session, task)
        state = _state(services, task, record)
    reopened = _reopened(record)
    waiting = _waiting(record, state, reopened)
    read = _form_read(document.extraction if document else None, task.form_id, page.page_no if page else None)
    version = read.get("form_version") if isinstance(read.get("form_version"), str) else None
    findings = _findings(read)
    fields = _field_views(readings, _template(task.form_id, version), waiting, findings)
    # The approver checks what was typed by hand and the doubtful 個人番号 the reviewer
    # could not see (see unseen_my_numbers).
    corrected = set(waiting.get("_corrected", [])) | set(waiting.get("_unseen", []))
    return TaskView(
        task.id,
        task.document_id,
        task.form_id,
        state.status,
        state.holder,
        page.image_sha256 if page else None,
        (page.width, page.height) if page else (0, 0),
        fields,
        findings,
        record.id if record else None,
        corrected_by=state.corrected_by if waiting else None,
        corrections=[Correction(f.name, f.reading, f.value, f.box) for f in fields if f.name in corrected],
        returned=_returned(record),
        claim_nonce=task.claim_nonce if state.holder else None,
        form_version=version,
        reopened=reopened,
    )


def _waiting(
    record: RecordView | None, state: workflow.TaskState, reopened: Reopened | None
) -> dict[str, Any]:
    """The values a task shows in place of its readings: those waiting for approval, or, for a
    record reopened after approval, the values validated; none otherwise."""
    if record is None:
        return {}
    if state.status in AWAITING_APPROVAL and record.values:
        return dict(record.values)
    if reopened is not None:
        # A correction after approval starts from the values validated, not the readings.
        return dict(record.values.get("_reopened", {}).get("values") or {})
    return {}


def _field_views(
    readings: list[task_store.Reading],
    template: Template | None,
    waiting: dict[str, Any],
    findings: tuple[Finding, ...],
) -> list[FieldView]:
    """Each reading as the task shows it: its type and options from the template, the value
    waiting in place of the reading, the findings that name it."""
    specs = {f.name: f for f in template.fields} if template else {}
    return [
        FieldView(
            r.field_name,
            specs[r.field_name].type if r.field_name in specs else "text",
            waiting.get(r.field_name, r.value),
            r.confidence,
            r.needs_review,
            r.box,
            [n for n, _ in specs[r.field_name].options] if r.field_name in specs else [],
            r.value,
            tuple(f for f in findings if f.field == r.field_name),
        )
        for r in readings
    ]


def claim(services: Services, task_id: int, user: User) -> None:
    """Open a task: the user holds it until they act, let it go, log out or leave it idle.
    Refused when another holds it, when it is finished, or when it waits for an approval this
    user may not give (:func:`intake.workflow.claim`). Each opening gets its own nonce, so
    the release sent by a page left behind (a reload) does not free the page now open."""
    with transaction(services.sessions) as session:
        task = _locked(session, task_id)
        state = _state(services, task, _record_of(session, task))
        after = workflow.claim(state, user)
        if state.holder is None and task.claimed_by not in (None, user.name):
            repo.audit(
                session, user.name, "claim_expired", task.document_id, task=task_id, former=task.claimed_by
            )
        _hold(session, task, after, user, secrets.token_hex(16))
        repo.audit(session, user.name, "task_viewed", task.document_id, task=task_id)


def touch(services: Services, task_id: int, user: User) -> None:
    """The holder acted on the task (checked a value): its claim's idle time starts again."""
    with transaction(services.sessions) as session:
        task = _locked(session, task_id)
        if _state(services, task, None).holder == user.name:
            task_store.touch(session, task_id, _now())


def release(services: Services, task_id: int, user: User, nonce: str | None = None) -> bool:
    """Let a task go (Esc, leaving the page); only its holder can, and only with the nonce of
    the opening that holds it when one is given. True when it was let go."""
    with transaction(services.sessions) as session:
        task = _locked(session, task_id)
        after = workflow.release(_state(services, task, None), user)
        if after is None or (nonce is not None and nonce != task.claim_nonce):
            return False
        _hold(session, task, after, None)
        repo.audit(session, user.name, "claim_released", task.document_id, task=task_id)
        return True


def release_all(services: Services, user: User) -> int:
    """Let every task the user holds go (logout); how many."""
    with transaction(services.sessions) as session:
        ids = task_store.held_by(session, user.name)
    return sum(release(services, task_id, user) for task_id in ids)


def take_over(services: Services, task_id: int, user: User) -> str | None:
    """An approver or admin takes a task another holds; audited with whose it was."""
    with transaction(services.sessions) as session:
        task = _locked(session, task_id)
        state = _state(services, task, _record_of(session, task))
        after = workflow.take_over(state, user)
        former = state.holder if state.holder != user.name else None
        _hold(session, task, after, user, secrets.token_hex(16))
        if former:
            repo.audit(
                session, user.name, "claim_taken_over", task.document_id, task=task_id, **{"from": former}
            )
        return former


def _merge(
    template: Template, view: TaskView, submitted: dict[str, str], today: date
) -> tuple[dict[str, Any], list[str], list[str]]:
    """The values to store, the fields whose value differs from the reading, and the fields this
    submission changed (against what the page showed). Refused values raise ``invalid``."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    shown = {f.name: f.value for f in view.fields}
    read = {f.name: f.reading for f in view.fields}
    changed: list[str] = []
    names = person_names(template)
    for spec in template.fields:
        value = shown.get(spec.name)
        if spec.name in submitted:
            value, code = check_typed(
                spec, submitted[spec.name], today, spec.name in names, shown.get(spec.name)
            )
            if code and code != "required":
                errors[spec.name] = message(code)
            if value != shown.get(spec.name):
                changed.append(spec.name)
        values[spec.name] = value
    if errors:
        raise ReviewError(
            ErrorCode.INVALID, "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=tuple(errors)
        )
    corrected = [name for name, value in values.items() if value != read.get(name)]
    return values, corrected, changed


def unseen_my_numbers(view: TaskView, user: User) -> list[str]:
    """The doubtful 個人番号 fields a user who may not see them (their boxes are black in the
    page image) leaves as read: nobody has checked them, so the record goes to the approvers'
    承認待ち list, where someone with the right checks them against the page (issue 15 item 4)."""
    if sees_my_number(user):
        return []
    return [f.name for f in view.fields if is_my_number(f.name) and f.needs_review]


@dataclass(frozen=True)
class Approval:
    """What an approval did: the record (validated, or waiting for a second person), the
    decision made on a validated record, and the form's cross-field findings on the values
    approved (the applicant's errors among them make the decision ``needs_documents``)."""

    record_id: int
    status: RecordStatus
    decision: dict[str, Any] | None
    findings: tuple[Finding, ...]


def approve(services: Services, task_id: int, user: User, submitted: dict[str, str], today: date) -> Approval:
    """Validate the user's values and take the task one step on (:func:`intake.workflow.act`):
    a sensitive field corrected by this user waits for another person (the claim lets go, the
    record is pending); otherwise the record is validated, the rules run and the decision is
    stored. At the second approval, a sensitive value the approver changes is their own
    correction and waits for a third person."""
    view = load_task(services, task_id)
    template = task_template(view)
    if template is None:
        raise ReviewError(ErrorCode.NOT_A_FORM, "様式不明の書類は承認できません。差戻してください。")
    values, corrected, changed = _merge(template, view, submitted, today)
    approving = view.status in AWAITING_APPROVAL
    # Values already validated (a record reopened) or waiting for approval were checked by a
    # second person: only what this user changes now is their correction.
    checked = approving or view.reopened is not None
    unseen = [] if checked else unseen_my_numbers(view, user)
    second_needed = bool(unseen) or any(is_sensitive(name) for name in (changed if checked else corrected))
    cross = check_form(template.form_id, values, today)
    with transaction(services.sessions) as session:
        task = _locked(session, task_id)
        record = _record_of(session, task, lock=True)
        state = _state(services, task, record)
        if (state.status in AWAITING_APPROVAL) != approving:
            raise ReviewError(ErrorCode.STATE, "書類の状態が変わりました。開き直してください")
        after = workflow.act(workflow.Action.APPROVE, state, user, second_needed)
        status = workflow.record_status(workflow.Action.APPROVE, after) or RecordStatus.VALIDATED
        reviewed_by = user.name if second_needed or not approving else state.corrected_by
        stored = _stored(values, reviewed_by, corrected, unseen, record)
        record_id = _keep_record(session, task, record, stored, status, user)
        _hold(session, task, after, None)
        decision = None
        supersedes = None
        if status is RecordStatus.VALIDATED:
            supersedes = decisions.previous(session, record_id)
            decision = _decide(session, services, task.document_id, record_id, template, values, cross, today)
        repo.audit(
            session,
            user.name,
            "task_approved" if status is RecordStatus.VALIDATED else "task_reviewed",
            task.document_id,
            task=task_id,
            corrected=corrected,
            changed=changed,
            status=status,
            **({"unseen": unseen} if unseen else {}),
            **({"supersedes": supersedes} if supersedes is not None else {}),
        )
        return Approval(record_id, status, decision, tuple(cross))


def _stored(
    values: dict[str, Any],
    reviewed_by: str | None,
    corrected: list[str],
    unseen: list[str],
    record: RecordView | None,
) -> dict[str, Any]:
    """The record's values as stored: the values approved with who reviewed them, what was
    corrected by hand, the 個人番号 left unseen and a reopening's notes."""
    stored = {**values, "_reviewed_by": reviewed_by, "_corrected": corrected}
    if unseen:
        stored["_unseen"] = unseen
    if record is not None and "_reopened" in record.values:
        stored["_reopened"] = record.values["_reopened"]
    return stored


def _keep_record(
    session: Session,
    task: ReviewTask,
    record: RecordView | None,
    stored: dict[str, Any],
    status: RecordStatus,
    user: User,
) -> int:
    """The task's record made or updated with ``stored`` in ``status`` (validated: by
    ``user`` now); its id."""
    if record is None:
        record = records.add_form_record(
            session, task.document_id, task.form_index, task.form_id, stored, status
        )
    validated = (user.name, _now()) if status is RecordStatus.VALIDATED else None
    return records.update(session, record.id, stored, status, validated).id


def _decide(
    session: Session,
    services: Services,
    document_id: int,
    record_id: int,
    template: Template,
    values: dict[str, Any],
    cross: list[Any],
    today: date,
) -> dict[str, Any]:
    """The rules' decision on a validated record, stored with its outbox rows; the document is
    validated once none of its tasks is unfinished."""
    # The form's findings still there after review are the applicant's to fix: the rules
    # decide such a record needs_documents, naming each (forms README §4a).
    result = decide(
        Record(values, form_id=template.form_id),
        Context(today, roster_persons(services, values), findings=tuple(cross)),
    )
    decision = result.to_json()
    add_decision(session, services, record_id, decision)
    remaining = task_store.any_unfinished(session, document_id, UNFINISHED_TASKS)
    if not remaining and repo.set_status(session, document_id, DocumentStatus.VALIDATED):
        emit_document(session, "review.completed", document_id, status=DocumentStatus.VALIDATED.value)
    return decision


def reopen(services: Services, record_id: int, user: User, reason: str) -> int:
    """Correction after approval (issue 15 item 7): an approver or admin opens a validated
    record again, with a reason; its task is theirs (:func:`intake.workflow.reopen`), its
    fields start from the values validated, and its next approval makes a new decision that
    supersedes the one in force (delivered downstream as a new event naming it). Audited;
    returns the task's id."""
    reason = reason.strip()
    if not reason:
        raise ReviewError(ErrorCode.INVALID, "訂正する理由を入力してください")
    with transaction(services.sessions) as session:
        record, task = _record_and_task(session, record_id)
        task_id = task.id
        after = workflow.reopen(_state(services, task, record), user)
        if record.status != RecordStatus.VALIDATED:
            raise ReviewError(ErrorCode.STATE, "確定した記録ではありません")
        decision_id = decisions.previous(session, record.id)
        validated = {k: v for k, v in record.values.items() if not k.startswith("_")}
        kept = {k: v for k, v in record.values.items() if k not in ("_returned", "_unseen")}
        earlier = record.values.get("_reopened")
        reopened_values = {
            **kept,
            "_reopened": {
                "by": user.name,
                "reason": reason[:500],
                "at": _now().isoformat(),
                "decision": decision_id,
                "values": validated,
                # What a cancel restores (cancel_reopen): the record's own notes and the
                # correction before this one, if any (without the values it kept).
                "meta": {k: v for k, v in kept.items() if k.startswith("_") and k != "_reopened"},
                "previous": {k: earlier.get(k) for k in ("by", "reason", "at", "decision")}
                if isinstance(earlier, dict)
                else None,
            },
        }
        status = workflow.record_status(workflow.Action.REOPEN, after) or RecordStatus.REOPENED
        records.update(session, record.id, reopened_values, status)
        _hold(session, task, after, user, secrets.token_hex(16))
        if repo.set_status(session, task.document_id, DocumentStatus.IN_REVIEW):
            emit_document(session, "document.in_review", task.document_id, record_id=record.id, reopened=True)
        repo.audit(
            session,
            user.name,
            "record_reopened",
            record.document_id,
            record=record.id,
            task=task_id,
            reason=reason[:500],
            decision=decision_id,
        )
        return task_id


def _record_and_task(session: Session, record_id: int) -> tuple[RecordView, ReviewTask]:
    """A record and its task, both locked."""
    record = records.get(session, record_id, lock=True)
    if record is None or record.document_id is None:
        raise ReviewError(ErrorCode.NOT_FOUND, "記録が見つかりません")
    task_id = task_store.id_of_form(session, record.document_id, record.form_index)
    if task_id is None:
        raise ReviewError(ErrorCode.NOT_FOUND, "確認タスクが見つかりません")
    return record, _locked(session, task_id)


def cancel_reopen(services: Services, record_id: int, user: User) -> int:
    """Cancel a correction after approval (issue 15 item 7): an approver or admin gives a
    reopened record back as it was validated, nobody else holding its task
    (:func:`intake.workflow.cancel_reopen`): the values validated and the decision in force
    stay, whatever was typed or waits for approval since the reopening is dropped, the task
    is done again. Audited; the document's ``review.completed`` event says so downstream.
    Returns the task's id."""
    with transaction(services.sessions) as session:
        record, task = _record_and_task(session, record_id)
        info = record.values.get("_reopened")
        after = workflow.cancel_reopen(_state(services, task, record), user)
        if not isinstance(info, dict):  # _state saw it reopened: its notes are there
            raise ReviewError(ErrorCode.STATE, "訂正中の記録ではありません")
        meta = info.get("meta")
        if not isinstance(meta, dict):  # reopened before the notes were kept
            meta = {
                k: v
                for k, v in record.values.items()
                if k.startswith("_") and k not in ("_reopened", "_returned", "_unseen")
            }
        previous = info.get("previous")
        restored = {
            **meta,
            **(info.get("values") or {}),
            **({"_reopened": previous} if isinstance(previous, dict) else {}),
        }
        records.update(session, record.id, restored, RecordStatus.VALIDATED)
        _hold(session, task, after, None)
        remaining = task_store.any_unfinished(session, task.document_id, UNFINISHED_TASKS, besides=task.id)
        if not remaining and repo.set_status(session, task.document_id, DocumentStatus.VALIDATED):
            emit_document(
                session,
                "review.completed",
                task.document_id,
                status=DocumentStatus.VALIDATED.value,
                record_id=record.id,
                reopen_cancelled=True,
            )
        repo.audit(
            session,
            user.name,
            "record_reopen_cancelled",
            record.document_id,
            record=record.id,
            task=task.id,
            reason=str(info.get("reason", ""))[:500],
            decision=info.get("decision"),
        )
        return task.id


@dataclass(frozen=True)
class DecisionMade:
    """One decision of a record: its id, its summary, when it was made (ISO time) and the
    decision it superseded (None: the first)."""

    id: int
    decision: str
    at: str
    supersedes: int | None


@dataclass(frozen=True)
class RecordHistory:
    """What the record page adds for people: every decision of the record, newest first, the
    correction after approval it went through last (never the values it kept: a 個人番号 among
    them) and the reopening under way, if any."""

    decisions: list[DecisionMade]
    reopened: Reopened | None
    reopening: Reopened | None


def record_history(services: Services, record_id: int) -> RecordHistory:
    """A record's decisions and corrections after approval (:class:`RecordHistory`)."""
    with transaction(services.sessions) as session:
        record = records.get(session, record_id)
        rows = decisions.of_record(session, record_id)
    made = [
        DecisionMade(row.id, row.decision, row.created_at.isoformat(), rows[i - 1].id if i else None)
        for i, row in enumerate(rows)
    ]
    last = _reopening_in(record.values.get("_reopened")) if record is not None else None
    return RecordHistory(made[::-1], last, _reopened(record))


def return_for_correction(services: Services, task_id: int, user: User, reason: str) -> None:
    """The approver sends a correction back with a reason: the task is open again for the
    reviewers, the record ``returned`` (it names who sent it back and why)."""
    reason = reason.strip()
    if not reason:
        raise ReviewError(ErrorCode.INVALID, "差し戻す理由を入力してください")
    with transaction(services.sessions) as session:
        task = _locked(session, task_id)
        record = _record_of(session, task, lock=True)
        after = workflow.act(workflow.Action.RETURN, _state(services, task, record), user)
        if record is None:  # a task waiting for approval always has its record
            raise ReviewError(ErrorCode.STATE, "承認待ちの書類ではありません")
        status = workflow.record_status(workflow.Action.RETURN, after) or RecordStatus.RETURNED
        returned = {**record.values, "_returned": {"by": user.name, "reason": reason[:500]}}
        records.update(session, record.id, returned, status)
        _hold(session, task, after, None)
        repo.audit(
            session, user.name, "approval_returned", task.document_id, task=task_id, reason=reason[:500]
        )


def reject(services: Services, task_id: int, user: User, reason: str, note: str = "") -> None:
    """Reject the document of a task the user holds (or nobody holds) in review; never a task
    waiting for approval, finished or held by another (:func:`intake.workflow.act`)."""
    if reason not in REJECT_REASONS:
        raise ReviewError(ErrorCode.INVALID, "差戻し理由を選んでください")
    with transaction(services.sessions) as session:
        task = _locked(session, task_id)
        after = workflow.act(workflow.Action.REJECT, _state(services, task, _record_of(session, task)), user)
        _hold(session, task, after, None)
        code = f"rejected_{reason}"
        text = f"差戻し: {REJECT_REASONS[reason]}" + (f"（{note}）" if note else "")
        if repo.mark_rejected(session, task.document_id, code, text):
            emit_document(session, "document.rejected", task.document_id, code=code)
        repo.audit(session, user.name, "task_rejected", task.document_id, task=task_id, reason=reason)


def choose_form(services: Services, task_id: int, user: User, form_id: str) -> int:
    """Read a page without a form again as the form the reviewer chose (issue 15 item 8): the
    document goes back through the pipeline (the worker's job, :mod:`intake.reread`) with that
    page read as ``form_id``; its tasks are replaced by those of the new reading. Only the
    holder of the task, only while no other page of the document is held or finished (their
    work would be read again too). Audited; returns the document's id."""
    if form_id not in {t.form_id for t in load_templates()}:
        raise ReviewError(ErrorCode.INVALID, "様式を選んでください")
    with transaction(services.sessions) as session:
        task = _locked(session, task_id)
        if task.form_id is not None:
            raise ReviewError(ErrorCode.STATE, "様式の分かっている書類です")
        workflow.act(workflow.Action.REREAD, _state(services, task, None), user)
        others_busy = any(
            _state(services, other, None).status is not TaskStatus.OPEN
            for other in task_store.of_document(session, task.document_id)
            if other.id != task.id
        )
        if others_busy or records.any_of_document(session, task.document_id):
            raise ReviewError(
                ErrorCode.STATE,
                "同じ書類の他のページが確認中・確認済みのため読み直せません。差戻してください",
            )
        page = task_store.page_of_form(session, task.document_id, task.form_index)
        document = repo.lock_document(session, task.document_id)
        if page is None or document is None:
            raise ReviewError(ErrorCode.NOT_FOUND, "書類のページが見つかりません")
        repo.read_again(session, document.id, with_forced(document.extraction, page.page_no, form_id))
        task_store.delete_of_document(session, document.id)  # the new reading makes them again
        repo.audit(
            session, user.name, "form_chosen", task.document_id, task=task_id, form=form_id, page=page.page_no
        )
        document_id = task.document_id
    enqueue_document(services.queue, document_id)
    return document_id


def doubtful_my_number(services: Services, tasks: list[ReviewTask]) -> set[int]:
    """The ids of those tasks with a doubtful 個人番号 (a reading to review)."""
    wanted = {(t.document_id, t.form_index): t.id for t in tasks}
    if not wanted:
        return set()
    with transaction(services.sessions) as session:
        rows = task_store.doubtful_fields(session, {d for d, _ in wanted})
    return {wanted[(d, i)] for d, i, name in rows if (d, i) in wanted and is_my_number(name)}


def routed(services: Services, user: User, tasks: list[ReviewTask]) -> set[int]:
    """The tasks routed to this user first (issue 15 item 4): to someone who may see a 個人番号
    (:func:`intake.auth.sees_my_number`, the 事務取扱担当者) those with a doubtful one, which
    only they can settle at once; to anyone else those without (theirs would wait for an
    approver)."""
    doubtful = doubtful_my_number(services, tasks)
    if sees_my_number(user):
        return doubtful
    return {t.id for t in tasks} - doubtful


def next_free_task(services: Services, user: User | None = None) -> int | None:
    """The oldest task in review nobody holds (an idle claim is nobody's), as the queue's Enter
    opens it, those routed to ``user`` (:func:`routed`) first; None when there is none."""
    with transaction(services.sessions) as session:
        rows = repo.open_review_tasks(session)
    free = [task for task, _ in rows if holder(services, task) is None]
    first = routed(services, user, free) if user is not None else set()
    return next((t.id for t in free if t.id in first), None) or next((t.id for t in free), None)


def pending_approvals(services: Services) -> list[TaskView]:
    """Tasks waiting for the second approval, oldest first (the approvers' 承認待ち list)."""
    with transaction(services.sessions) as session:
        ids = task_store.ids_in(session, AWAITING_APPROVAL, 200)
    return [load_task(services, task_id) for task_id in ids]


#: The longest visible time one beacon may report (a page left in front of nobody all day is
#: not review work; the claim lets go after its idle time anyway).
MAX_SEEN_MS = 30 * 60 * 1000


def seen(services: Services, task_id: int, user: User, ms: int) -> None:
    """Review time: ``ms`` milliseconds this user had the task's page in front of them (the
    page's visibility beacon), audited as ``task_seen`` with the task's form; clamped to
    :data:`MAX_SEEN_MS`. Only for a user who opened the task (its ``task_viewed``)."""
    ms = max(0, min(int(ms), MAX_SEEN_MS))
    with transaction(services.sessions) as session:
        task = task_store.get(session, task_id)
        if task is None:
            raise ReviewError(ErrorCode.NOT_FOUND, "確認タスクが見つかりません")
        if not repo.has_audit(session, user.name, "task_viewed", task.document_id, task_id):
            raise ReviewError(ErrorCode.STATE, "書類を開いてから操作してください")
        if ms:
            repo.audit(
                session, user.name, "task_seen", task.document_id, task=task_id, ms=ms, form=task.form_id
            )


def reveal(services: Services, task_id: int, user: User, field: str) -> str | None:
    """The full 個人番号 of one field, for a role that may see it; every reveal and every refused
    reveal is audited. Only a 個人番号 field is revealed (every other value is shown as it is)."""
    view = load_task(services, task_id)
    if not is_my_number(field) or field not in {f.name for f in view.fields}:
        raise ReviewError(ErrorCode.NOT_FOUND, "個人番号の項目が見つかりません")
    if not sees_my_number(user):
        with transaction(services.sessions) as session:
            repo.audit(
                session, user.name, "my_number_reveal_refused", view.document_id, task=task_id, field=field
            )
        raise ReviewError(ErrorCode.FORBIDDEN, "個人番号を表示する権限がありません")
    value = next((f.value for f in view.fields if f.name == field), None)
    with transaction(services.sessions) as session:
        repo.audit(session, user.name, "my_number_revealed", view.document_id, task=task_id, field=field)
    return value if isinstance(value, str) else None


def page_image(
    services: Services, sha: str, user: User, known: Collection[str] = ()
) -> page_images.PageImage | None:
    """A stored page image as this user may see it: for a user who may not see a 個人番号
    (:func:`intake.auth.sees_my_number`), every 個人番号 box of every form on a page using the
    image (the template's cells and the readings' boxes) is blacked out here, on the server,
    so the field crops cut from it show black too; that masked image is made once and kept
    (:mod:`intake.page_images`). ``known``: the entity tags the browser holds (its data is None
    when this user's is one of them). None: no page uses this image (the file store also holds
    originals, which are never served)."""
    return page_images.page_image(services, sha, sees_my_number(user), known)


@dataclass(frozen=True)
class RecordShown:
    """A record as the screens and the API show it: the record as stored and its decision in
    force (None: none yet), with the review's notes kept beside its values read out."""

    record: RecordView
    decision: decisions.StoredDecision | None

    @property
    def values(self) -> dict[str, Any]:
        """The record's values, without the notes kept beside them."""
        return {k: v for k, v in self.record.values.items() if not k.startswith("_")}

    @property
    def corrected(self) -> list[str]:
        """The fields whose value a person typed in place of the reading."""
        return list(self.record.values.get("_corrected", []))

    @property
    def reviewed_by(self) -> str | None:
        """Who reviewed the values (made the correction the approver checked)."""
        reviewed = self.record.values.get("_reviewed_by")
        return str(reviewed) if reviewed is not None else None


def record_view(services: Services, record_id: int) -> RecordShown | None:
    """A record with who validated it and its decision, as the screens and the API show it."""
    with transaction(services.sessions) as session:
        record = records.get(session, record_id)
        if record is None:
            return None
        latest = decisions.previous(session, record_id)
        return RecordShown(record, decisions.get(session, latest) if latest is not None else None)
