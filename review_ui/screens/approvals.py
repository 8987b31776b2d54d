"""The approvers' 承認待ち list: records whose hand-corrected 個人番号・記号・番号 wait for a
second person, each corrected value beside the reading and its snippet (issue 15 item 3)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from intake import review
from intake.auth import CAN_APPROVE, SessionInfo
from intake.store import repo
from intake.store.db import transaction
from review_ui.deps import ServicesDep, role_in
from review_ui.screens.common import TEMPLATES, form_names_shown
from review_ui.screens.tasks import correction_rows

Approver = Annotated[
    SessionInfo,
    Depends(role_in(frozenset(CAN_APPROVE), "承認待ち一覧は承認者・管理者のみ閲覧できます")),
]
NOTICES = {"returned": "確認者に差し戻しました"}

router = APIRouter()


def _row(view: review.TaskView, user: str) -> dict[str, Any]:
    template = review.task_template(view)
    scale = template.pixels_per_point(view.page_size[0]) if template else None
    return {
        "task": view,
        "corrections": correction_rows(view, scale, template),
        "own": view.corrected_by == user,
    }


@router.get("/approvals", response_class=HTMLResponse)
def approvals_page(
    request: Request, services: ServicesDep, info: Approver, notice: str | None = None
) -> HTMLResponse:
    views = review.pending_approvals(services)
    with transaction(services.sessions) as session:
        repo.audit(session, info.user.name, "approvals_viewed", None, tasks=[v.task_id for v in views])
    return TEMPLATES.TemplateResponse(
        request,
        "approvals.html",
        {
            "rows": [_row(v, info.user.name) for v in views],
            "user": info.user,
            "csrf": info.csrf_token,
            "form_names": form_names_shown(),
            "notice": NOTICES.get(notice or ""),
        },
    )
