"""Frozen domain objects that leave the storage layer; ORM rows never do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


def aware(moment: datetime) -> datetime:
    """A timestamp with its zone: SQLite hands back naive UTC values, PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class DocumentStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    IN_REVIEW = "in_review"
    FAILED = "failed"
    VALIDATED = "validated"
    REJECTED = "rejected"


class TaskStatus(StrEnum):
    """A review task's state; stored as its value in ``review_tasks.status``. The transitions
    between them are :mod:`intake.workflow`'s table, checked on every action."""

    OPEN = "open"
    CLAIMED = "claimed"  # a reviewer has it open; others are refused
    PENDING_APPROVAL = "pending_approval"  # a sensitive correction waits for a second person; nobody holds it
    APPROVING = "approving"  # an approver has it open for the second approval
    DONE = "done"
    REJECTED = "rejected"


#: Tasks still waiting for a reviewer (the reviewers' queue).
OPEN_TASKS = (TaskStatus.OPEN, TaskStatus.CLAIMED)
#: Tasks waiting for the second approval (the approvers' 承認待ち list).
AWAITING_APPROVAL = (TaskStatus.PENDING_APPROVAL, TaskStatus.APPROVING)
#: Tasks not finished: the document is not validated while one of its tasks is here.
UNFINISHED_TASKS = OPEN_TASKS + AWAITING_APPROVAL


class RecordStatus(StrEnum):
    """A record's state; stored as its value in ``records.status``."""

    PENDING_APPROVAL = "pending_approval"  # a sensitive field corrected: a second person approves
    RETURNED = "returned"  # sent back by the approver with a reason; its task is open again
    VALIDATED = "validated"
    REOPENED = "reopened"  # validated, then opened again for a correction after approval


TERMINAL = {
    DocumentStatus.IN_REVIEW,
    DocumentStatus.FAILED,
    DocumentStatus.VALIDATED,
    DocumentStatus.REJECTED,
}


@dataclass(frozen=True)
class Document:
    id: int
    sha256: str
    source: str
    original_name: str
    media_type: str
    size_bytes: int
    page_count: int
    status: DocumentStatus
    error_code: str | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime
    extraction: dict[str, Any] | None = None


@dataclass(frozen=True)
class ReviewTask:
    id: int
    document_id: int
    form_index: int
    form_id: str | None
    status: TaskStatus
    doubtful_fields: int
    findings: int
    created_at: datetime
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    #: Which opening of the task's page holds the claim (a page left after a reload cannot
    #: release it).
    claim_nonce: str | None = None


@dataclass(frozen=True)
class RecordView:
    """A record as stored: the values of one form (or event) and its state. ``values`` also
    holds the review's notes under keys starting with ``_``."""

    id: int
    document_id: int | None
    form_index: int | None
    form_id: str | None
    values: dict[str, Any]
    status: RecordStatus
    validated_by: str | None = None
    validated_at: datetime | None = None


@dataclass(frozen=True)
class AcceptResult:
    document: Document
    created: bool  # False when the same bytes were already known
