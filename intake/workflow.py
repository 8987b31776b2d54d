"""One state machine for review tasks and their records (issue 15 items 1–3).

A task is ``open`` (nobody holds it), ``claimed`` (a reviewer has it open), ``pending_approval``
(a hand-corrected 個人番号/記号/番号, or a doubtful 個人番号 left by a reviewer who may not
see it, waits for a second person; nobody holds it),
``approving`` (an approver has it open for that approval), ``done`` or ``rejected``. Its record
follows: ``pending_approval``, ``returned`` (sent back with a reason), ``validated`` or
``reopened`` (a validated record opened again for a correction; approved again, its new
decision supersedes the old one).

::

    open ──claim──> claimed ──approve──> done                     (record validated)
      ^  <─release─    │  └──approve (sensitive correction)──> pending_approval (record pending)
      │                └──reject──> rejected                          │   ^
      │                                                        claim │   │ release
      └──────────── return (with a reason; record returned) ──── approving ──approve──> done
    claimed (no form) ──reread (the form chosen)──> replaced by the new reading's task
                                              approve (a sensitive value changed) ──> pending_approval
    done ──reopen (approver/admin, a reason; record reopened)──> claimed by the one reopening
         (its approval makes a new decision that supersedes the old one: item 7)
    reopened (held by nobody else) ──cancel (approver/admin)──> done (record validated as before)

Every action is checked here, on the server, against who holds the claim, the state and the
role: the functions are pure (no database); :mod:`intake.review` locks the row, asks here for
the next state and stores it. A claim left idle longer than the timeout counts as let go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from intake.auth import CAN_APPROVE, User
from intake.domain import RecordStatus, TaskStatus, aware
from intake.errors import ErrorCode

#: A held state and the state it returns to when its claim lets go.
LET_GO = {TaskStatus.CLAIMED: TaskStatus.OPEN, TaskStatus.APPROVING: TaskStatus.PENDING_APPROVAL}


class ReviewError(Exception):
    """A review action refused: not found, claimed by another, invalid values, two-person rule."""

    def __init__(self, code: ErrorCode, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        #: The fields whose values were refused (code ``invalid``).
        self.fields = fields


class Action(StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    #: A page without a form read again with the form the reviewer chose (the task is replaced).
    REREAD = "reread"
    #: A validated record opened again for a correction after approval (issue 15 item 7).
    REOPEN = "reopen"


@dataclass(frozen=True)
class TaskState:
    """A task as the rules see it: an idle claim already counts as let go."""

    status: TaskStatus
    #: Who holds the claim (``claimed`` / ``approving`` only).
    holder: str | None
    #: Whose sensitive correction waits for a second person (``pending_approval`` / ``approving``).
    corrected_by: str | None
    #: Who held the claim until it went idle (nobody has taken the task since).
    idle_holder: str | None = None
    #: A validated record reopened for a correction: its approval supersedes a decision.
    reopened: bool = False


def state_of(
    status: str,
    claimed_by: str | None,
    claimed_at: datetime | None,
    corrected_by: str | None,
    now: datetime,
    idle: timedelta,
    reopened: bool = False,
) -> TaskState:
    """The state of a stored task at ``now``; a claim idle longer than ``idle`` (or from before
    claims had a time) has let go."""
    current = TaskStatus(status)
    if current not in LET_GO:
        return TaskState(current, None, corrected_by, reopened=reopened)
    if claimed_by is None or claimed_at is None or now - aware(claimed_at) > idle:
        return TaskState(LET_GO[current], None, corrected_by, claimed_by, reopened)
    return TaskState(current, claimed_by, corrected_by, reopened=reopened)


def _may_approve(state: TaskState, user: User) -> None:
    if user.role not in CAN_APPROVE:
        raise ReviewError(ErrorCode.AWAITING_APPROVAL, "承認者の承認待ちです（個人番号・記号・番号の訂正）")
    if user.name == state.corrected_by:
        raise ReviewError(ErrorCode.TWO_PERSON, "ご自身の訂正は承認できません。別の承認者の承認が必要です")


def _closed(state: TaskState) -> ReviewError:
    if state.status is TaskStatus.DONE:
        return ReviewError(
            ErrorCode.CLOSED, "この書類は確認済みです（訂正は記録の画面から承認者・管理者が行います）"
        )
    return ReviewError(ErrorCode.CLOSED, "この書類は差戻し済みです")


def claim(state: TaskState, user: User) -> TaskStatus:
    """The state once ``user`` opens the task; refused when another holds it, when it is
    finished, or when it waits for an approval this user may not give."""
    if state.status is TaskStatus.OPEN:
        return TaskStatus.CLAIMED
    if state.status is TaskStatus.PENDING_APPROVAL:
        _may_approve(state, user)
        return TaskStatus.APPROVING
    if state.status in LET_GO:
        if state.holder == user.name:
            return state.status
        raise ReviewError(ErrorCode.CLAIMED, f"{state.holder} さんが確認中です")
    raise _closed(state)


def release(state: TaskState, user: User) -> TaskStatus | None:
    """The state once ``user`` lets the task go; None when they do not hold it (nothing to do)."""
    if state.status in LET_GO and state.holder == user.name:
        return LET_GO[state.status]
    return None


def take_over(state: TaskState, user: User) -> TaskStatus:
    """An approver or admin takes a claim another holds (the caller audits whose it was)."""
    if user.role not in CAN_APPROVE:
        raise ReviewError(ErrorCode.FORBIDDEN, "確認中の書類を引き継げるのは承認者・管理者です")
    if state.status not in LET_GO or state.holder in (None, user.name):
        return claim(state, user)
    if state.status is TaskStatus.APPROVING:
        _may_approve(state, user)
    return state.status


def reopen(state: TaskState, user: User) -> TaskStatus:
    """The state once an approver or admin reopens the validated record of a finished task for
    a correction (with a reason, checked by the caller): held by them."""
    if user.role not in CAN_APPROVE:
        raise ReviewError(ErrorCode.FORBIDDEN, "確定した記録を訂正できるのは承認者・管理者です")
    if state.status is not TaskStatus.DONE:
        raise ReviewError(ErrorCode.STATE, "確定した記録ではありません")
    return TaskStatus.CLAIMED


def cancel_reopen(state: TaskState, user: User) -> TaskStatus:
    """The state once an approver or admin cancels the correction of a reopened record that
    nobody else holds: done again, the record validated with the decision in force unchanged."""
    if user.role not in CAN_APPROVE:
        raise ReviewError(ErrorCode.FORBIDDEN, "承認後の訂正を取り消せるのは承認者・管理者です")
    if not state.reopened or state.status in (TaskStatus.DONE, TaskStatus.REJECTED):
        raise ReviewError(ErrorCode.STATE, "訂正中の記録ではありません")
    if state.holder not in (None, user.name):
        raise ReviewError(ErrorCode.CLAIMED, f"{state.holder} さんが確認中です")
    return TaskStatus.DONE


def act(action: Action, state: TaskState, user: User, second_needed: bool = False) -> TaskStatus:
    """The state after approve / return / reject by ``user``, who must hold the task's claim
    (or have held it until it went idle, nobody having taken it since); ``second_needed``: the
    values approved hold a sensitive correction by this user, which waits for another person."""
    held = claim(state, user)  # refuses the finished, another's claim, an approval not theirs
    if user.name not in (state.holder, state.idle_holder):
        raise ReviewError(ErrorCode.STATE, "書類を開いてから操作してください")
    if action is Action.REJECT:
        if held is not TaskStatus.CLAIMED:
            raise ReviewError(ErrorCode.STATE, "承認待ちの書類は差戻しできません。確認者に戻してください")
        if state.reopened:  # its decision went downstream: only a new decision replaces it
            raise ReviewError(
                ErrorCode.STATE, "訂正中の確定済みの記録は差戻しできません。訂正して承認してください"
            )
        return TaskStatus.REJECTED
    if action is Action.REREAD:
        if held is not TaskStatus.CLAIMED:
            raise ReviewError(ErrorCode.STATE, "承認待ちの書類は読み直せません")
        return TaskStatus.OPEN
    if action is Action.RETURN:
        if held is not TaskStatus.APPROVING:
            raise ReviewError(ErrorCode.STATE, "承認待ちの書類ではありません")
        return TaskStatus.OPEN
    return TaskStatus.PENDING_APPROVAL if second_needed else TaskStatus.DONE


def record_status(action: Action, after: TaskStatus) -> RecordStatus | None:
    """The record's state after an action that left the task in ``after``; None: no record
    is made or changed (a rejection)."""
    if action is Action.RETURN:
        return RecordStatus.RETURNED
    if action is Action.REOPEN:
        return RecordStatus.REOPENED
    if action is Action.APPROVE:
        return RecordStatus.VALIDATED if after is TaskStatus.DONE else RecordStatus.PENDING_APPROVAL
    return None
