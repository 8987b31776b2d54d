"""The queue (open review tasks with their file name and source, documents per state, failed
documents) and the 受付エラー list: files refused at the hotfolder or upload and duplicates,
each acknowledged once, audited (issue 15 item 9)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from intake import intake_errors, review
from intake.auth import CAN_APPROVE
from intake.domain import AWAITING_APPROVAL, DocumentStatus
from intake.errors import ErrorCode
from intake.store import repo
from intake.store.db import transaction
from review_ui.deps import DbId, PostSessionDep, ServicesDep, SessionDep
from review_ui.screens.common import ROLE_NAMES, STATUS_NAMES, TEMPLATES, form_names_shown

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


#: Where a file came in, as the clerk says it.
SOURCE_NAMES = {"hotfolder": "ホットフォルダ", "upload": "アップロード", "cli": "コマンド"}
KIND_NAMES = {intake_errors.REFUSED: "受付不可", intake_errors.DUPLICATE: "重複"}


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
    refused = intake_errors.count_open(services)
    return TEMPLATES.TemplateResponse(
        request,
        "queue.html",
        {
            "rows": rows,
            "holders": {task.id: review.holder(services, task) for task, _ in rows},
            "routed": review.routed(services, info.user, [task for task, _ in rows]),
            "awaiting": awaiting,
            "intake_errors": refused,
            "sources": SOURCE_NAMES,
            "error": ERRORS.get(error or ""),
            "counts": counts,
            "failed": failed,
            "form_names": form_names_shown(),
            "status_names": STATUS_NAMES,
            "form_id": form_id,
            "user": info.user,
            "csrf": info.csrf_token,
            "role_names": ROLE_NAMES,
            "notice": NOTICES.get(notice or ""),
        },
    )


@router.get("/intake-errors", response_class=HTMLResponse)
def intake_errors_page(
    request: Request, services: ServicesDep, info: SessionDep, seen: bool = False, notice: str | None = None
) -> HTMLResponse:
    """The 受付エラー list: what was refused at the hotfolder or upload (name, reason, time) and
    the duplicates (the document they repeat); ``seen``: those already acknowledged."""
    return TEMPLATES.TemplateResponse(
        request,
        "intake_errors.html",
        {
            "errors": intake_errors.listed(services, acknowledged=seen),
            "seen": seen,
            "sources": SOURCE_NAMES,
            "kinds": KIND_NAMES,
            "user": info.user,
            "csrf": info.csrf_token,
            "notice": "確認済みにしました" if notice == "acknowledged" else None,
        },
    )


@router.post("/intake-errors/{error_id}/ack")
def acknowledge_intake_error(services: ServicesDep, info: PostSessionDep, error_id: DbId) -> RedirectResponse:
    """Mark one 受付エラー seen (audited); one already seen or unknown changes nothing."""
    intake_errors.acknowledge(services, error_id, info.user.name)
    return RedirectResponse("/intake-errors?notice=acknowledged", status_code=303)
