"""The queue: open review tasks, documents per state and failed documents."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from intake import review
from intake.auth import CAN_APPROVE
from intake.domain import AWAITING_APPROVAL, DocumentStatus
from intake.errors import ErrorCode
from intake.store import repo
from intake.store.db import transaction
from review_ui.deps import ServicesDep, SessionDep
from review_ui.screens.common import FORM_NAMES, ROLE_NAMES, STATUS_NAMES, TEMPLATES

router = APIRouter()

#: What the queue page says after an action; the link carries the code only, never the text.
NOTICES = {
    "pending_approval": "承認者の確認待ちにしました（個人番号・記号・番号の訂正）",
    "rejected": "差戻しました",
    "reread": "選んだ様式で読み直しています。読み終わると一覧に出ます",
}
#: What the queue says after a refused action it was sent back to (a take-over).
ERRORS = {
    ErrorCode.FORBIDDEN.value: "確認中の書類を引き継げるのは承認者・管理者です",
    ErrorCode.TWO_PERSON.value: "ご自身の訂正は承認できません。別の承認者の承認が必要です",
    ErrorCode.CLOSED.value: "この書類は確認済みまたは差戻し済みです",
    ErrorCode.NOT_FOUND.value: "確認タスクが見つかりません",
}


@router.get("/", response_class=HTMLResponse)
def queue_page(
    request: Request,
    services: ServicesDep,
    info: SessionDep,
    form_id: str | None = None,
    notice: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    with transaction(services.sessions) as session:
        rows = repo.open_review_tasks(session, form_id or None)
        counts = repo.status_counts(session)
        failed = repo.list_documents(session, DocumentStatus.FAILED)
        awaiting = repo.count_tasks(session, AWAITING_APPROVAL) if info.user.role in CAN_APPROVE else None
    return TEMPLATES.TemplateResponse(
        request,
        "queue.html",
        {
            "rows": rows,
            "holders": {task.id: review.holder(services, task) for task, _ in rows},
            "awaiting": awaiting,
            "error": ERRORS.get(error or ""),
            "counts": counts,
            "failed": failed,
            "form_names": FORM_NAMES,
            "status_names": STATUS_NAMES,
            "form_id": form_id,
            "user": info.user,
            "csrf": info.csrf_token,
            "role_names": ROLE_NAMES,
            "notice": NOTICES.get(notice or ""),
        },
    )
