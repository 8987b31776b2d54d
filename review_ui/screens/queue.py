"""The queue: open review tasks, documents per state and failed documents."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from intake.domain import DocumentStatus
from intake.store import repo
from intake.store.db import transaction
from review_ui.deps import ServicesDep, SessionDep
from review_ui.screens.common import FORM_NAMES, ROLE_NAMES, STATUS_NAMES, TEMPLATES

router = APIRouter()

#: What the queue page says after an action; the link carries the code only, never the text.
NOTICES = {
    "pending_approval": "承認者の確認待ちにしました（個人番号・記号・番号の訂正）",
    "rejected": "差戻しました",
}


@router.get("/", response_class=HTMLResponse)
def queue_page(
    request: Request,
    services: ServicesDep,
    info: SessionDep,
    form_id: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    with transaction(services.sessions) as session:
        rows = repo.open_review_tasks(session, form_id or None)
        counts = repo.status_counts(session)
        failed = repo.list_documents(session, DocumentStatus.FAILED)
    return TEMPLATES.TemplateResponse(
        request,
        "queue.html",
        {
            "rows": rows,
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
