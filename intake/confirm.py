"""Confirming fields on the task screen, one (Enter) or many at once (a block, or every field
left as read): each confirmation is stored as an audit row ``field_confirmed`` naming the task,
the form and the field, so the trial of a new form counts what a person actually confirmed
(:func:`intake.store.form_trust.trial_batch`), not every field of an approved page.

The server checks what it checks for every action on a task: the task exists, it is not
finished, and this user holds its claim (role: whoever may hold it, see
:mod:`intake.workflow`). A confirmation at once never takes a field with a finding of the form,
a value that fails its checks (the validators of a typed value, :func:`intake.typed.check_typed`;
a required box left empty) nor a 個人番号 the user may not see: those stay for one-by-one review
and are returned with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from extractors.masking import is_my_number
from extractors.template import FieldSpec, Template
from intake import review, workflow
from intake.auth import User, sees_my_number
from intake.domain import ReviewTask, TaskStatus
from intake.errors import ErrorCode
from intake.services import Services
from intake.store import form_trust, repo
from intake.store import tasks as task_store
from intake.store.db import transaction
from intake.typed import check_typed, person_names

#: The audit action of one field confirmed (one row per field, at once or not).
CONFIRMED = form_trust.FIELD_CONFIRMED


class Scope(StrEnum):
    """How the fields were confirmed: one (Enter), a block at once, every field left as read."""

    ONE = "one"
    BLOCK = "block"
    ALL = "all"


class Left(StrEnum):
    """Why a field was not confirmed at once (it stays for one-by-one review)."""

    FINDING = "finding"
    INVALID = "invalid"
    MY_NUMBER = "my_number"
    UNKNOWN = "unknown"


#: What the task screen says of each field left.
LEFT_MESSAGES = {
    Left.FINDING: "指摘があるため1件ずつ確認してください",
    Left.INVALID: "値がチェックを通らないため1件ずつ確認してください",
    Left.MY_NUMBER: "個人番号はまとめて確認できません（権限のある人が確認します）",
    Left.UNKNOWN: "この書類の項目ではありません",
}


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation did: the fields confirmed, and those left with the reason."""

    confirmed: tuple[str, ...]
    left: tuple[tuple[str, Left], ...]


def _check_holder(task: ReviewTask, user: User, now: datetime, idle: timedelta) -> None:
    """Refuse unless ``user`` holds the task's claim, as approving requires
    (:func:`intake.workflow.act`): held by them, or theirs until it went idle with nobody
    having taken it since (the confirmation then takes the claim up again)."""
    state = workflow.state_of(task.status, task.claimed_by, task.claimed_at, None, now, idle)
    if state.status in (TaskStatus.DONE, TaskStatus.REJECTED):
        raise review.ReviewError(ErrorCode.CLOSED, "この書類は確認済みまたは差戻し済みです")
    if state.holder not in (None, user.name):
        raise review.ReviewError(ErrorCode.CLAIMED, f"{state.holder} さんが確認中です")
    if user.name not in (state.holder, state.idle_holder):
        raise review.ReviewError(ErrorCode.STATE, "書類を開いてから操作してください")


def as_text(value: Any) -> str:
    """A stored value as the text the validators of a typed value take."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _fails(spec: FieldSpec | None, value: Any, today: date, person: bool) -> bool:
    """Whether a value shown as read fails its checks (an empty required box fails too)."""
    if spec is None:
        return True
    _, code = check_typed(spec, as_text(value), today, person, value)
    return code is not None


def left_reason(field: review.FieldView, template: Template | None, user: User, today: date) -> Left | None:
    """Why ``field`` may not be confirmed at once (None: it may)."""
    if field.findings:
        return Left.FINDING
    if is_my_number(field.name) and not sees_my_number(user):
        return Left.MY_NUMBER
    specs = {s.name: s for s in template.fields} if template else {}
    person = field.name in person_names(template) if template else False
    if _fails(specs.get(field.name), field.value, today, person):
        return Left.INVALID
    return None


def confirm(
    services: Services, task_id: int, user: User, names: Sequence[str], scope: Scope, today: date
) -> Confirmation:
    """Confirm ``names`` of a task the user holds: one field (``Scope.ONE``, the value already
    checked on the screen as typed) or several at once (each value as read checked here, the
    fields with a finding, failing values and 個人番号 the user may not see left). Each field
    confirmed is one audit row ``field_confirmed``; the claim's idle time starts again.
    Raises :class:`intake.review.ReviewError` when the user does not hold the task."""
    now = datetime.now(UTC)
    idle = timedelta(seconds=services.settings.claim_idle_seconds)
    view = review.load_task(services, task_id)
    template = review.task_template(view)
    fields = {f.name: f for f in view.fields}
    confirmed: list[str] = []
    left: list[tuple[str, Left]] = []
    for name in dict.fromkeys(names):
        field = fields.get(name)
        reason = Left.UNKNOWN if field is None else None
        if field is not None and scope is not Scope.ONE:
            reason = left_reason(field, template, user, today)
        if reason is None:
            confirmed.append(name)
        else:
            left.append((name, reason))
    with transaction(services.sessions) as session:
        task = task_store.get(session, task_id, lock=True)
        if task is None:
            raise review.ReviewError(ErrorCode.NOT_FOUND, "確認タスクが見つかりません")
        _check_holder(task, user, now, idle)  # again, on the locked row
        for name in confirmed:
            repo.audit(
                session,
                user.name,
                CONFIRMED,
                task.document_id,
                task=task_id,
                form_index=task.form_index,
                field=name,
                scope=scope.value,
            )
        task_store.touch(session, task_id, now)
    return Confirmation(tuple(confirmed), tuple(left))
