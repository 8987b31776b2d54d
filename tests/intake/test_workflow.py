"""The review state machine (intake.workflow), table-driven: every state against every action
and role. The same rules are replayed through the screens by tests/review_ui/test_review_flow.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intake.auth import User
from intake.domain import RecordStatus, TaskStatus
from intake.errors import ErrorCode
from intake.workflow import (
    Action,
    ReviewError,
    TaskState,
    act,
    claim,
    record_status,
    release,
    state_of,
    take_over,
)

REV, REV2 = User(1, "rev", "reviewer", False), User(2, "rev2", "reviewer", False)
APPR, ADM = User(3, "appr", "approver", False), User(4, "adm", "admin", False)
T = TaskStatus


def _refused(code: ErrorCode, call, *args) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReviewError) as refused:
        call(*args)
    assert refused.value.code is code


@pytest.mark.parametrize(
    ("state", "user", "after"),
    [
        (TaskState(T.OPEN, None, None), REV, T.CLAIMED),
        (TaskState(T.CLAIMED, "rev", None), REV, T.CLAIMED),
        (TaskState(T.PENDING_APPROVAL, None, "rev"), APPR, T.APPROVING),
        (TaskState(T.PENDING_APPROVAL, None, "rev"), ADM, T.APPROVING),
        (TaskState(T.APPROVING, "appr", "rev"), APPR, T.APPROVING),
    ],
)
def test_who_may_open_a_task(state: TaskState, user: User, after: TaskStatus) -> None:
    assert claim(state, user) is after


@pytest.mark.parametrize(
    ("state", "user", "code"),
    [
        (TaskState(T.CLAIMED, "rev", None), REV2, ErrorCode.CLAIMED),
        (TaskState(T.CLAIMED, "rev", None), APPR, ErrorCode.CLAIMED),
        (TaskState(T.PENDING_APPROVAL, None, "rev"), REV, ErrorCode.AWAITING_APPROVAL),
        (TaskState(T.PENDING_APPROVAL, None, "rev"), REV2, ErrorCode.AWAITING_APPROVAL),
        (TaskState(T.PENDING_APPROVAL, None, "appr"), APPR, ErrorCode.TWO_PERSON),
        (TaskState(T.APPROVING, "adm", "rev"), APPR, ErrorCode.CLAIMED),
        (TaskState(T.DONE, None, None), APPR, ErrorCode.CLOSED),
        (TaskState(T.REJECTED, None, None), REV, ErrorCode.CLOSED),
    ],
)
def test_who_may_not_open_a_task(state: TaskState, user: User, code: ErrorCode) -> None:
    _refused(code, claim, state, user)


def test_approve_needs_the_claim_and_a_sensitive_correction_waits() -> None:
    held = TaskState(T.CLAIMED, "rev", None)
    assert act(Action.APPROVE, held, REV) is T.DONE
    assert act(Action.APPROVE, held, REV, second_needed=True) is T.PENDING_APPROVAL
    _refused(ErrorCode.STATE, act, Action.APPROVE, TaskState(T.OPEN, None, None), REV)  # never opened
    approving = TaskState(T.APPROVING, "appr", "rev")
    assert act(Action.APPROVE, approving, APPR) is T.DONE
    assert act(Action.APPROVE, approving, APPR, second_needed=True) is T.PENDING_APPROVAL
    for finished in (T.DONE, T.REJECTED):
        for user in (REV, APPR, ADM):
            _refused(ErrorCode.CLOSED, act, Action.APPROVE, TaskState(finished, None, None), user)


def test_an_idle_claim_lets_go_but_its_holder_may_still_act_while_nobody_took_it() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    idle = timedelta(minutes=10)
    fresh = state_of("claimed", "rev", now - timedelta(minutes=9), None, now, idle)
    assert fresh == TaskState(T.CLAIMED, "rev", None)
    stale = state_of("claimed", "rev", now - timedelta(minutes=11), None, now, idle)
    assert stale.status is T.OPEN and stale.holder is None
    assert claim(stale, REV2) is T.CLAIMED
    assert act(Action.APPROVE, stale, REV) is T.DONE
    _refused(ErrorCode.STATE, act, Action.APPROVE, stale, REV2)
    assert state_of("approving", "appr", None, "rev", now, idle) == TaskState(
        T.PENDING_APPROVAL, None, "rev", "appr"
    )


def test_reject_and_return_each_in_their_own_state() -> None:
    assert act(Action.REJECT, TaskState(T.CLAIMED, "rev", None), REV) is T.REJECTED
    _refused(ErrorCode.CLAIMED, act, Action.REJECT, TaskState(T.CLAIMED, "rev", None), REV2)
    _refused(ErrorCode.STATE, act, Action.REJECT, TaskState(T.APPROVING, "appr", "rev"), APPR)
    _refused(ErrorCode.AWAITING_APPROVAL, act, Action.REJECT, TaskState(T.PENDING_APPROVAL, None, "rev"), REV)
    assert act(Action.RETURN, TaskState(T.APPROVING, "appr", "rev"), APPR) is T.OPEN
    _refused(ErrorCode.STATE, act, Action.RETURN, TaskState(T.CLAIMED, "appr", None), APPR)
    assert record_status(Action.RETURN, T.OPEN) is RecordStatus.RETURNED
    assert record_status(Action.APPROVE, T.DONE) is RecordStatus.VALIDATED
    assert record_status(Action.APPROVE, T.PENDING_APPROVAL) is RecordStatus.PENDING_APPROVAL
    assert record_status(Action.REJECT, T.REJECTED) is None


def test_release_and_take_over() -> None:
    assert release(TaskState(T.CLAIMED, "rev", None), REV) is T.OPEN
    assert release(TaskState(T.APPROVING, "appr", "rev"), APPR) is T.PENDING_APPROVAL
    assert release(TaskState(T.CLAIMED, "rev", None), REV2) is None
    assert release(TaskState(T.DONE, None, None), REV) is None
    assert take_over(TaskState(T.CLAIMED, "rev", None), APPR) is T.CLAIMED
    assert take_over(TaskState(T.APPROVING, "appr", "rev"), ADM) is T.APPROVING
    _refused(ErrorCode.FORBIDDEN, take_over, TaskState(T.CLAIMED, "rev", None), REV2)
    _refused(ErrorCode.TWO_PERSON, take_over, TaskState(T.APPROVING, "adm", "appr"), APPR)
    _refused(ErrorCode.CLOSED, take_over, TaskState(T.DONE, None, None), ADM)
