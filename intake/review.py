"""Review: claim a task, show it, approve (→ validated record → rules → decision) or reject."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from extractors.forms import check_form
from extractors.masking import is_my_number
from extractors.review_input import from_input, message
from extractors.rules import Context, Record, decide
from extractors.template import Template, load_templates
from intake.auth import CAN_APPROVE, CAN_REVEAL, User
from intake.domain import OPEN_TASKS, DocumentStatus, RecordStatus, TaskStatus
from intake.errors import ErrorCode
from intake.outbox import add_decision
from intake.roster import persons as roster_persons
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import DecisionRow, DocumentRow, FieldReadingRow, PageRow, RecordRow, ReviewTaskRow

#: Hand corrections of these fields need a second person (two-person rule).
SENSITIVE = ("my_number", "insured_symbol", "insured_number")
REJECT_REASONS = {
    "illegible": "判読できない",
    "wrong_form": "様式が違う",
    "incomplete": "記入漏れ・添付漏れ",
    "duplicate": "重複提出",
    "other": "その他",
}


class ReviewError(Exception):
    """A review action refused: not found, claimed by another, invalid values, two-person rule."""

    def __init__(self, code: ErrorCode, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        #: The fields whose values were refused (code ``invalid``).
        self.fields = fields


@dataclass(frozen=True)
class FieldView:
    name: str
    type: str
    value: Any
    confidence: float
    needs_review: bool
    box: list[float] | None
    options: list[str]


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
    findings: list[dict[str, Any]]
    record_id: int | None


def _template(form_id: str | None) -> Template | None:
    return next((t for t in load_templates() if t.form_id == form_id), None)


def is_sensitive(name: str) -> bool:
    return is_my_number(name) or name in SENSITIVE


def load_task(services: Services, task_id: int) -> TaskView:
    with transaction(services.sessions) as session:
        task = session.get(ReviewTaskRow, task_id)
        if task is None:
            raise ReviewError(ErrorCode.NOT_FOUND, "確認タスクが見つかりません")
        document = session.get(DocumentRow, task.document_id)
        readings = session.scalars(
            select(FieldReadingRow)
            .where(
                FieldReadingRow.document_id == task.document_id, FieldReadingRow.form_index == task.form_index
            )
            .order_by(FieldReadingRow.id)
        ).all()
        page = session.scalar(
            select(PageRow)
            .where(PageRow.document_id == task.document_id)
            .order_by(PageRow.page_no)
            .offset(task.form_index)
            .limit(1)
        )
        record = session.scalar(
            select(RecordRow).where(
                RecordRow.document_id == task.document_id, RecordRow.form_index == task.form_index
            )
        )
        extraction = (document.extraction or {}) if document else {}
        docs = extraction.get("documents", [])
        findings = docs[task.form_index]["findings"] if task.form_index < len(docs) else []
        template = _template(task.form_id)
        specs = {f.name: f for f in template.fields} if template else {}
        fields = [
            FieldView(
                r.field_name,
                specs[r.field_name].type if r.field_name in specs else "text",
                r.value,
                r.confidence,
                r.needs_review,
                r.box,
                [n for n, _ in specs[r.field_name].options] if r.field_name in specs else [],
            )
            for r in readings
        ]
        return TaskView(
            task.id,
            task.document_id,
            task.form_id,
            TaskStatus(task.status),
            task.claimed_by,
            page.image_sha256 if page else None,
            (page.width, page.height) if page else (0, 0),
            fields,
            findings,
            record.id if record else None,
        )


def claim(services: Services, task_id: int, user: User) -> None:
    """Take a task so two people never work on the same form; a task claimed by someone else is refused."""
    with transaction(services.sessions) as session:
        task = session.get(ReviewTaskRow, task_id, with_for_update=True)
        if task is None:
            raise ReviewError(ErrorCode.NOT_FOUND, "確認タスクが見つかりません")
        if task.status == TaskStatus.CLAIMED and task.claimed_by not in (None, user.name):
            raise ReviewError(ErrorCode.CLAIMED, f"{task.claimed_by} さんが確認中です")
        if task.status in OPEN_TASKS:
            task.status, task.claimed_by = TaskStatus.CLAIMED.value, user.name
        repo.audit(session, user.name, "task_viewed", task.document_id, task=task_id)


def approve(
    services: Services, task_id: int, user: User, submitted: dict[str, str], today: date
) -> dict[str, Any]:
    """Validate the reviewer's values; create the record (pending a second approver when a
    sensitive field was corrected by hand), run the rules and store the decision."""
    view = load_task(services, task_id)
    template = _template(view.form_id)
    if template is None:
        raise ReviewError(ErrorCode.NOT_A_FORM, "様式不明の書類は承認できません。差戻してください。")
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    corrected: list[str] = []
    read = {f.name: f.value for f in view.fields}
    for spec in template.fields:
        if spec.name in submitted:
            value, code = from_input(spec, submitted[spec.name], today)
            if code and code != "required":
                errors[spec.name] = message(code)
            if value != read.get(spec.name):
                corrected.append(spec.name)
        else:
            value = read.get(spec.name)
        values[spec.name] = value
    if errors:
        raise ReviewError(
            ErrorCode.INVALID, "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=tuple(errors)
        )
    cross = check_form(template.form_id, values, today)
    second_needed = any(is_sensitive(name) for name in corrected)
    with transaction(services.sessions) as session:
        task = session.get(ReviewTaskRow, task_id, with_for_update=True)
        if task is None:  # deleted between load_task and here
            raise ReviewError(ErrorCode.NOT_FOUND, "確認タスクが見つかりません")
        if task.status == TaskStatus.CLAIMED and task.claimed_by not in (None, user.name):
            raise ReviewError(ErrorCode.CLAIMED, f"{task.claimed_by} さんが確認中です")
        record = session.scalar(
            select(RecordRow).where(
                RecordRow.document_id == task.document_id, RecordRow.form_index == task.form_index
            )
        )
        if record is not None and record.status == RecordStatus.PENDING_APPROVAL:
            if user.role not in CAN_APPROVE or user.name == record.values.get("_reviewed_by"):
                raise ReviewError(
                    ErrorCode.TWO_PERSON, "個人番号・記号・番号の訂正は、確認者とは別の承認者の承認が必要です"
                )
            second_needed = False
        status = RecordStatus.PENDING_APPROVAL if second_needed else RecordStatus.VALIDATED
        stored = {
            **values,
            "_reviewed_by": record.values.get("_reviewed_by") if record is not None else user.name,
            "_corrected": corrected,
        }
        if record is None:
            record = RecordRow(
                document_id=task.document_id,
                form_index=task.form_index,
                form_id=task.form_id,
                values=stored,
                status=status.value,
            )
            session.add(record)
        else:
            record.values, record.status = stored, status.value
        if status is RecordStatus.VALIDATED:
            record.validated_by = user.name
            record.validated_at = datetime.now(UTC)
            task.status = TaskStatus.DONE.value
        session.flush()
        decision = None
        if status is RecordStatus.VALIDATED:
            # The form's findings still there after review are the applicant's to fix: the rules
            # decide such a record needs_documents, naming each (forms README §4a).
            result = decide(
                Record(values, form_id=template.form_id),
                Context(today, roster_persons(services, values), findings=tuple(cross)),
            )
            decision = result.to_json()
            add_decision(session, services, record.id, decision)
            remaining = session.scalars(
                select(ReviewTaskRow).where(
                    ReviewTaskRow.document_id == task.document_id,
                    ReviewTaskRow.status.in_([s.value for s in OPEN_TASKS]),
                )
            ).all()
            if not remaining:
                session.get(DocumentRow, task.document_id).status = DocumentStatus.VALIDATED.value  # type: ignore[union-attr]
        repo.audit(
            session,
            user.name,
            "task_approved" if status is RecordStatus.VALIDATED else "task_reviewed",
            task.document_id,
            task=task_id,
            corrected=corrected,
            status=status,
        )
        return {
            "record_id": record.id,
            "status": status,
            "decision": decision,
            "findings": [f.to_json() for f in cross],
        }


def reject(services: Services, task_id: int, user: User, reason: str, note: str = "") -> None:
    if reason not in REJECT_REASONS:
        raise ReviewError(ErrorCode.INVALID, "差戻し理由を選んでください")
    with transaction(services.sessions) as session:
        task = session.get(ReviewTaskRow, task_id, with_for_update=True)
        if task is None:
            raise ReviewError(ErrorCode.NOT_FOUND, "確認タスクが見つかりません")
        task.status = TaskStatus.REJECTED.value
        document = session.get(DocumentRow, task.document_id)
        if document is not None:
            document.status = DocumentStatus.REJECTED.value
            document.error_code = f"rejected_{reason}"
            document.error_message = f"差戻し: {REJECT_REASONS[reason]}" + (f"（{note}）" if note else "")
        repo.audit(session, user.name, "task_rejected", task.document_id, task=task_id, reason=reason)


def reveal(services: Services, task_id: int, user: User, field: str) -> str | None:
    """The full 個人番号 of one field, for a role that may see it; every reveal is audited."""
    if user.role not in CAN_REVEAL:
        raise ReviewError(ErrorCode.FORBIDDEN, "個人番号を表示する権限がありません")
    view = load_task(services, task_id)
    value = next((f.value for f in view.fields if f.name == field), None)
    with transaction(services.sessions) as session:
        repo.audit(session, user.name, "my_number_revealed", view.document_id, task=task_id, field=field)
    return value if isinstance(value, str) else None


def record_view(services: Services, record_id: int) -> dict[str, Any] | None:
    """A record with who validated it and its decision, as the screens and the API show it."""
    with transaction(services.sessions) as session:
        record = session.get(RecordRow, record_id)
        if record is None:
            return None
        decision = session.scalar(
            select(DecisionRow).where(DecisionRow.record_id == record_id).order_by(DecisionRow.id.desc())
        )
        values = {k: v for k, v in record.values.items() if not k.startswith("_")}
        return {
            "id": record.id,
            "document_id": record.document_id,
            "form_id": record.form_id,
            "status": record.status,
            "values": values,
            "corrected": record.values.get("_corrected", []),
            "reviewed_by": record.values.get("_reviewed_by"),
            "validated_by": record.validated_by,
            "validated_at": record.validated_at.isoformat() if record.validated_at else None,
            "decision": {
                "decision": decision.decision,
                "outcomes": decision.outcomes,
                "persons": decision.persons or [],
                "at": decision.created_at.isoformat(),
            }
            if decision
            else None,
        }


def list_records(
    services: Services,
    status: str | None = None,
    form_id: str | None = None,
    offset: int = 0,
    limit: int = 50,
    since: date | None = None,
    until: date | None = None,
) -> list[dict[str, Any]]:
    with transaction(services.sessions) as session:
        query = select(RecordRow.id).order_by(RecordRow.id)
        if since:
            query = query.where(RecordRow.created_at >= datetime.combine(since, datetime.min.time(), UTC))
        if until and until < date.max:  # the day after 9999-12-31 is no date: no upper bound
            query = query.where(
                RecordRow.created_at < datetime.combine(until, datetime.min.time(), UTC) + timedelta(days=1)
            )
        if status:
            query = query.where(RecordRow.status == status)
        if form_id:
            query = query.where(RecordRow.form_id == form_id)
        ids = list(session.scalars(query.offset(offset).limit(min(limit, 200))))
    return [view for view in (record_view(services, i) for i in ids) if view]
