"""SQLAlchemy 2.0 tables. Rows stay inside ``intake.store``; domain objects leave it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from intake.domain import TaskStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    source: Mapped[str] = mapped_column(String(32))
    original_name: Mapped[str] = mapped_column(String(512))
    media_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), index=True)
    error_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    extraction: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    #: When retention deleted its scan and page images and masked its 個人番号 (0012).
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PageRow(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "page_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    page_no: Mapped[int] = mapped_column(Integer)
    image_sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    form_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class FieldReadingRow(Base):
    __tablename__ = "field_readings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    form_index: Mapped[int] = mapped_column(Integer)
    field_name: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    confidence: Mapped[float] = mapped_column(Float)
    needs_review: Mapped[bool] = mapped_column(Boolean)
    raw_text: Mapped[str] = mapped_column(Text, default="")
    box: Mapped[list[float] | None] = mapped_column(JSON, nullable=True)
    engine: Mapped[str] = mapped_column(String(128), default="")


class ReviewTaskRow(Base):
    __tablename__ = "review_tasks"
    __table_args__ = (UniqueConstraint("document_id", "form_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    form_index: Mapped[int] = mapped_column(Integer)
    form_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.OPEN.value, index=True)
    doubtful_fields: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: When the holder last acted on it (an idle claim lets go, intake.workflow); from 0009.
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: Which opening of the page holds the claim: a page left after a reload cannot release it.
    claim_nonce: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RecordRow(Base):
    __tablename__ = "records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), nullable=True, index=True)
    form_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    form_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    validated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    validated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: When retention masked its 個人番号 (0012).
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DecisionRow(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    decision: Mapped[str] = mapped_column(String(32))
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: One entry per person named (name, decision, valid_until, delivery); NULL before 0007.
    persons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEventRow(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    document_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A disabled user cannot log in and has no live session (``kakunin user disable``).
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The society's 事務取扱担当者: sees a 個人番号 whatever the role (migration 0013).
    my_number_clerk: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: A key is refused from this moment on (None: until revoked).
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RosterRow(Base):
    """A member or dependent as the society's roster knows them (imported from CSV)."""

    __tablename__ = "roster"
    __table_args__ = (UniqueConstraint("symbol", "number", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    symbol: Mapped[str] = mapped_column(String(8), index=True)
    number: Mapped[str] = mapped_column(String(8), index=True)
    name: Mapped[str] = mapped_column(String(128))
    name_kana: Mapped[str] = mapped_column(String(128))
    birth_date: Mapped[str] = mapped_column(String(10))
    relationship: Mapped[str] = mapped_column(String(16))  # 本人 for the insured
    can_use_myna: Mapped[bool] = mapped_column(Boolean)
    voluntary: Mapped[bool] = mapped_column(Boolean, default=False)
    certificate_expiry: Mapped[str | None] = mapped_column(String(10), nullable=True)
    voluntary_until: Mapped[str | None] = mapped_column(String(10), nullable=True)  # last day of 任意継続
    #: The member's 事業所 (事業所記号 of the employers master), if the roster names it.
    employer_code: Mapped[str | None] = mapped_column(String(16), nullable=True)


class EmployerRow(Base):
    """One 事業所 of the society's master (imported from CSV, issue 20)."""

    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(256))
    phone: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(128))


class OutboxRow(Base):
    """One decision to deliver to one downstream target; delivered exactly once."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("decision_id", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The decision delivered ("webhook", "jsonl"); None for another event (0015).
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), index=True, nullable=True)
    target: Mapped[str] = mapped_column(String(16))  # "webhook" | "jsonl" | "hook:<webhook_targets.id>"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: The idempotency key, the same on every attempt (Standard Webhooks ``webhook-id``; 0015).
    event_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    #: ``document.received`` … ``decision.superseded`` (:data:`intake.webhooks.EVENT_TYPES`).
    event_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: What is sent, as it was when the change happened (never re-read at delivery time).
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class WebhookTargetRow(Base):
    """A receiver of signed webhooks (``kakunin webhook add``): its own ``whsec_`` secret and
    the event types it takes (empty: all)."""

    __tablename__ = "webhook_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list[str]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RosterEventRow(Base):
    """A roster event already turned into a decision: the unique key makes the daily job
    idempotent (kind, 記号, 番号, name, date)."""

    __tablename__ = "roster_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IntakeErrorRow(Base):
    """A file refused at the hotfolder or upload (kept or not), or a duplicate of a stored
    document, for the 受付エラー list until acknowledged (issue 15 item 9)."""

    __tablename__ = "intake_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    #: "refused" (not taken, or taken as a failed document) or "duplicate".
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    code: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    #: The failed document kept for it, or the document a duplicate repeats.
    document_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class FormTrustRow(Base):
    """The state of one form version's template content (issue 14 trust gate): ``production``
    (本番) or ``trial`` (試行中), by form id, version and the content's fingerprint (0016)."""

    __tablename__ = "form_trust"

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FormTrialPageRow(Base):
    """A form a worker read with a template on trial: the first batch an admin measures (0016)."""

    __tablename__ = "form_trial_pages"
    __table_args__ = (UniqueConstraint("document_id", "form_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    form_index: Mapped[int] = mapped_column(Integer)
    form_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
