"""Corrections after approval in the state machine (issue 15 item 7): who may reopen which
task, and what a reopened task may still do."""

from __future__ import annotations

import pytest

from intake.auth import User
from intake.domain import RecordStatus, TaskStatus
from intake.errors import ErrorCode
from intake.workflow import Action, ReviewError, TaskState, act, record_status, reopen

REV = User(1, "rev", "reviewer", False)
APPR, ADM = User(3, "appr", "approver", False), User(4, "adm", "admin", False)
CLERK = User(5, "clerk", "reviewer", False, my_number_clerk=True)
T = TaskStatus


@pytest.mark.parametrize("user", [APPR, ADM])
def test_an_approver_or_admin_reopens_a_done_task_and_holds_it(user: User) -> None:
    assert reopen(TaskState(T.DONE, None, None), user) is T.CLAIMED
    assert record_status(Action.REOPEN, T.CLAIMED) is RecordStatus.REOPENED


@pytest.mark.parametrize("user", [REV, CLERK])
def test_a_reviewer_never_reopens(user: User) -> None:
    with pytest.raises(ReviewError) as refused:
        reopen(TaskState(T.DONE, None, None), user)
    assert refused.value.code is ErrorCode.FORBIDDEN


@pytest.mark.parametrize("status", [T.OPEN, T.CLAIMED, T.PENDING_APPROVAL, T.APPROVING, T.REJECTED])
def test_only_a_done_task_is_reopened(status: TaskStatus) -> None:
    with pytest.raises(ReviewError) as refused:
        reopen(TaskState(status, "appr" if status in (T.CLAIMED, T.APPROVING) else None, None), ADM)
    assert refused.value.code is ErrorCode.STATE


def test_a_reopened_task_is_approved_not_rejected() -> None:
    state = TaskState(T.CLAIMED, "appr", None, reopened=True)
    with pytest.raises(ReviewError) as refused:
        act(Action.REJECT, state, APPR)
    assert refused.value.code is ErrorCode.STATE
    assert act(Action.APPROVE, state, APPR) is T.DONE
    assert act(Action.APPROVE, state, APPR, second_needed=True) is T.PENDING_APPROVAL
    assert act(Action.REJECT, TaskState(T.CLAIMED, "appr", None), APPR) is T.REJECTED
