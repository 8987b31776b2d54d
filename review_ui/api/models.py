"""The API's bodies as pydantic models: what the OpenAPI document describes and what every route
is validated against on the way out (``response_model``), so the schema cannot drift from the
code. Timestamps are RFC 3339 with an offset (:func:`rfc3339`)."""

from __future__ import annotations

import datetime as dt  # a field of the events is named date
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from intake.domain import DocumentStatus, RecordStatus, TaskStatus


def rfc3339(moment: datetime | None) -> str | None:
    """A stored timestamp as RFC 3339 with its offset: SQLite gives back naive datetimes,
    which are stored in UTC, so a naive one is UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Open(BaseModel):
    """A body that may gain fields later: clients must ignore what they do not know."""

    model_config = ConfigDict(extra="allow")


# --- errors --------------------------------------------------------------------------------


class ErrorDetail(_Model):
    code: str = Field(description="安定したエラーコード（README の API 節に一覧）", examples=["not_found"])
    message: str = Field(description="日本語の説明", examples=["文書が見つかりません"])


class ErrorBody(_Open):
    """Every error: ``{"error": {"code", "message"}}``; an upload refused after it was stored
    also carries the document's ``id``, ``status`` and ``duplicate``."""

    error: ErrorDetail

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{"error": {"code": "unauthorized", "message": "API キーが無効です"}}]
        },
    )


# --- documents -----------------------------------------------------------------------------

FieldValue = str | bool | int | list[str] | None


class FieldOut(_Open):
    value: FieldValue = Field(description="正規化した値（個人番号は my_number スコープがなければ下 4 桁）")
    confidence: float = Field(ge=0, le=1)
    needs_review: bool


class FindingOut(_Open):
    field: str | None
    code: str = Field(examples=["check_digit"])
    message: str


class FormOut(_Open):
    """One form of a file (one page each): its fields and findings."""

    form_id: str | None = Field(
        default=None, examples=["kofu_shinsei"], description="null: どの様式でもないページ"
    )
    form_version: str | None = Field(default=None, examples=["SK-01 (2025.4)"])
    pages: list[int] = Field(default_factory=list)
    fields: dict[str, FieldOut] = Field(default_factory=dict)
    findings: list[FindingOut] = Field(default_factory=list)


class ExtractionOut(_Open):
    source: str = Field(default="", examples=["scan_0001.pdf"])
    error: ErrorDetail | None = None
    documents: list[FormOut] = Field(default_factory=list)


class TaskRef(_Model):
    task_id: int
    form_index: int
    form_id: str | None
    status: TaskStatus


class UploadAccepted(_Model):
    id: int
    status: DocumentStatus
    duplicate: bool = Field(description="true: 同じバイト列が既に受け付け済み（その文書の id）")

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"id": 12, "status": "received", "duplicate": False}]}
    )


class DocumentSummary(_Model):
    """A document as the list gives it (without its extraction)."""

    object: Literal["document"] = "document"
    id: int
    status: DocumentStatus
    source: str = Field(examples=["hotfolder", "upload"])
    original_name: str
    media_type: str
    pages: int
    forms: list[str | None] = Field(description="ページごとの様式 id（null: 様式でない）")
    received_at: str = Field(json_schema_extra={"format": "date-time"})
    updated_at: str = Field(json_schema_extra={"format": "date-time"})
    error: ErrorDetail | None
    url: str = Field(description="この文書の詳細（GET）")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "object": "document",
                    "id": 12,
                    "status": "in_review",
                    "source": "hotfolder",
                    "original_name": "scan_0001.pdf",
                    "media_type": "application/pdf",
                    "pages": 1,
                    "forms": ["kofu_shinsei"],
                    "received_at": "2026-12-01T09:30:00+00:00",
                    "updated_at": "2026-12-01T09:30:04+00:00",
                    "error": None,
                    "url": "/api/v1/documents/12",
                }
            ]
        },
    )


class DocumentOut(_Model):
    """One document: its state, review tasks and extraction (個人番号 masked without the
    ``my_number`` scope)."""

    object: Literal["document"] = "document"
    id: int
    status: DocumentStatus
    review: list[TaskRef]
    source: str
    original_name: str
    media_type: str
    pages: int
    received_at: str = Field(json_schema_extra={"format": "date-time"})
    error: ErrorDetail | None
    extraction: ExtractionOut | None
    records: list[int] = Field(description="この文書から作られた記録の id")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "object": "document",
                    "id": 12,
                    "status": "in_review",
                    "review": [{"task_id": 7, "form_index": 0, "form_id": "kofu_shinsei", "status": "open"}],
                    "source": "upload",
                    "original_name": "scan_0001.pdf",
                    "media_type": "application/pdf",
                    "pages": 1,
                    "received_at": "2026-12-01T09:30:00+00:00",
                    "error": None,
                    "extraction": {
                        "source": "scan_0001.pdf",
                        "error": None,
                        "documents": [
                            {
                                "form_id": "kofu_shinsei",
                                "form_version": "SK-01 (2025.4)",
                                "pages": [1],
                                "fields": {
                                    "insured_name": {
                                        "value": "健保 太郎",
                                        "confidence": 0.98,
                                        "needs_review": False,
                                    }
                                },
                                "findings": [],
                            }
                        ],
                    },
                    "records": [],
                }
            ]
        },
    )


class ReviewTaskOut(_Model):
    id: int
    document_id: int
    form_id: str | None
    status: TaskStatus
    doubtful_fields: int = Field(description="人の確認が要る項目の数")
    findings: int = Field(description="指摘の数")
    received_at: str = Field(json_schema_extra={"format": "date-time"})


class StatusInvariant(_Open):
    ok: bool
    documents: int
    problems: list[str]


class StatusOut(_Open):
    documents: dict[str, int] = Field(examples=[{"in_review": 3, "failed": 1}])
    queue_depth: int | None = Field(description="null: Redis が応答しない")
    failed_jobs: int | None
    invariant: StatusInvariant


# --- records and decisions -----------------------------------------------------------------


class OutcomeOut(_Open):
    rule: str = Field(examples=["R2"])
    decision: str = Field(examples=["issue_via_employer"])
    explanation: str
    facts: dict[str, Any]
    person: str | None


class PersonOut(_Open):
    name: str
    decision: str = Field(examples=["issue_via_employer"])
    valid_until: dt.date | None
    delivery: str | None = Field(examples=["employer", "home", "union"])


class DecisionBrief(_Model):
    decision: str = Field(examples=["issue_via_employer"])
    outcomes: list[OutcomeOut]
    persons: list[PersonOut]
    at: str = Field(json_schema_extra={"format": "date-time"})


class RecordOut(_Model):
    """A validated (or waiting) record: canonical values (個人番号 masked without the scope)
    and its latest decision."""

    object: Literal["record"] = "record"
    id: int
    document_id: int | None
    form_id: str | None
    status: RecordStatus
    values: dict[str, Any]
    corrected: list[str]
    reviewed_by: str | None
    validated_by: str | None
    validated_at: str | None = Field(json_schema_extra={"format": "date-time"})
    decision: DecisionBrief | None


class DecisionOut(_Model):
    """One decision. A record decided again (a correction) gets a new decision that
    ``supersedes`` the earlier one, whose ``superseded_by`` then names it."""

    object: Literal["decision"] = "decision"
    id: int
    record_id: int
    document_id: int | None
    form_id: str | None
    event: str | None
    decision: str = Field(examples=["issue_via_employer"])
    outcomes: list[OutcomeOut]
    persons: list[PersonOut]
    at: str = Field(json_schema_extra={"format": "date-time"})
    supersedes: int | None
    superseded_by: int | None


class EventCreated(_Open):
    record_id: int
    decision: str
    outcomes: list[OutcomeOut]
    persons: list[PersonOut]

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{"record_id": 31, "decision": "issue_via_employer", "outcomes": [], "persons": []}]
        },
    )


class AuditEventOut(_Model):
    object: Literal["audit_event"] = "audit_event"
    id: int
    at: str = Field(json_schema_extra={"format": "date-time"})
    actor: str
    action: str = Field(examples=["document_exported"])
    document_id: int | None
    detail: dict[str, Any]


# --- lists ---------------------------------------------------------------------------------


class _Page(_Model):
    next: str | None = Field(
        description="次のページの URL（同じ条件）。null: これが最後のページ",
        examples=["/api/v1/documents?cursor=ZDoxMg&limit=50"],
    )
    cursor: str | None = Field(
        description="このページの最後の位置。後で `cursor=` に渡すと、それ以降に増えたものだけが返る（ポーリング用）"
    )
    limit: int


class DocumentList(_Page):
    object: Literal["list"] = "list"
    items: list[DocumentSummary]


class RecordList(_Page):
    object: Literal["list"] = "list"
    items: list[RecordOut]


class DecisionList(_Page):
    object: Literal["list"] = "list"
    items: list[DecisionOut]


class AuditList(_Page):
    object: Literal["list"] = "list"
    items: list[AuditEventOut]


# --- events in -----------------------------------------------------------------------------


class _Event(_Open):
    """What every event may carry; further fields are kept as they are sent (scalars or flat
    lists; a 個人番号 only in a field named ``…my_number``)."""

    symbol: str | None = Field(default=None, description="記号（4 桁）", examples=["3003"])
    number: str | None = Field(default=None, description="番号", examples=["8"])
    name: str | None = Field(default=None, examples=["新入 花子"])
    birth_date: dt.date | None = None
    voluntary: bool | None = Field(default=None, description="任意継続被保険者")
    my_number: str | None = Field(default=None, description="個人番号（12 桁）")


class NewEmployee(_Event):
    """事業主の資格取得届（マイナ保険証を使えない人）: R2."""

    kind: Literal["new_employee"]


class ShokkenList(_Event):
    """職権交付対象者リストの 1 行: R2."""

    kind: Literal["shokken_list"]


class MynaRegistered(_Event):
    """マイナ保険証の利用登録が済んだ: R11（資格確認書を返納）."""

    kind: Literal["myna_registered"]


class CertExpired(_Event):
    """マイナンバーカードの電子証明書が失効した: R15."""

    kind: Literal["cert_expired"]
    date: dt.date | None = Field(default=None, description="失効日")


class _DatedPerson(_Event):
    name: str = Field(examples=["退職 太郎"])
    date: dt.date = Field(description="その日")


class Retired(_DatedPerson):
    """退職: R12（資格確認書は使えなくなる）."""

    kind: Literal["retired"]


class Died(_DatedPerson):
    """死亡: R12."""

    kind: Literal["died"]


class Turned75(_DatedPerson):
    """75 歳の誕生日（名簿から毎日作られる）: R12."""

    kind: Literal["turned_75"]


class VoluntaryEnded(_DatedPerson):
    """任意継続の終了（名簿から）: R12."""

    kind: Literal["voluntary_ended"]


class CardExpiry(_DatedPerson):
    """資格確認書の有効期限（名簿から）: R13."""

    kind: Literal["card_expiry"]


#: The body of ``POST /api/v1/events``: one of its kinds, told apart by ``kind``.
EVENT_BODY = Annotated[
    NewEmployee
    | ShokkenList
    | MynaRegistered
    | CertExpired
    | Retired
    | Died
    | Turned75
    | VoluntaryEnded
    | CardExpiry,
    Field(discriminator="kind"),
]
