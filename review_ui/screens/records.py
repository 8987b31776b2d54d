"""A validated (or pending) record with its decision and the decisions it superseded; every
view is audited. An approver or admin reopens a validated record for a correction after
approval, with a reason (issue 15 item 7; checked in :func:`intake.review.reopen`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from extractors.template import template_for
from intake import review
from intake.auth import CAN_APPROVE
from intake.domain import RecordStatus
from intake.errors import ErrorCode
from intake.privacy import mask_values
from intake.store import repo
from intake.store.db import transaction
from review_ui.deps import DbId, PostSessionDep, ServicesDep, SessionDep
from review_ui.labels import decision_label, field_label, value_label
from review_ui.screens.common import TEMPLATES, error_page, forget_left, form_names_shown, left_on
from review_ui.screens.tasks import next_url

router = APIRouter()


@router.get("/records/{record_id}/next")
def next_after(
    services: ServicesDep, info: SessionDep, record_id: DbId, from_: Annotated[str, Query(alias="from")] = ""
) -> RedirectResponse:
    """Where an approval leads (issue 15 item 6): the next task nobody holds, saying which
    record was just made; the record itself when there is no task left."""
    following = next_url(services, info.user, from_ == "approvals")
    if following is None:
        return RedirectResponse(f"/records/{record_id}?approved=1", status_code=303)
    return RedirectResponse(f"{following}?done={record_id}", status_code=303)


#: What the record page says after a refused reopening (the link carries the code only).
RECORD_ERRORS = {
    ErrorCode.INVALID.value: "訂正する理由を入力してください",
    ErrorCode.FORBIDDEN.value: "確定した記録を訂正できるのは承認者・管理者です",
    ErrorCode.STATE.value: "確定した記録ではないため訂正を始められません",
    ErrorCode.CLAIMED.value: "他の人が確認中です",
    ErrorCode.NOT_FOUND.value: "確認タスクが見つかりません",
    f"cancel_{ErrorCode.STATE.value}": "訂正中の記録ではないため取り消せません",
    f"cancel_{ErrorCode.CLAIMED.value}": "他の人が訂正中のため取り消せません（引き継いでから取り消してください）",
    f"cancel_{ErrorCode.FORBIDDEN.value}": "承認後の訂正を取り消せるのは承認者・管理者です",
    f"cancel_{ErrorCode.NOT_FOUND.value}": "記録が見つかりません",
}
RECORD_STATUS = {
    "validated": "確定",
    "pending_approval": "承認待ち",
    "returned": "差戻し（確認者へ）",
    "reopened": "訂正中",
}


@router.post("/records/{record_id}/reopen")
def reopen(
    services: ServicesDep, info: PostSessionDep, record_id: DbId, reason: Annotated[str, Form()] = ""
) -> Response:
    """Correction after approval: an approver or admin opens the validated record again with a
    reason; its task opens for them, starting from the values validated."""
    try:
        task_id = review.reopen(services, record_id, info.user, reason)
    except review.ReviewError as exc:
        return RedirectResponse(f"/records/{record_id}?error={exc.code.value}", status_code=303)
    return RedirectResponse(f"/tasks/{task_id}?notice=reopened", status_code=303)


@router.post("/records/{record_id}/cancel-reopen")
def cancel_reopen(services: ServicesDep, info: PostSessionDep, record_id: DbId) -> Response:
    """取消 of a correction after approval: the reopened record is validated again as it was,
    its decision still in force (audited); back to the record."""
    try:
        review.cancel_reopen(services, record_id, info.user)
    except review.ReviewError as exc:
        return RedirectResponse(f"/records/{record_id}?error=cancel_{exc.code.value}", status_code=303)
    return RedirectResponse(f"/records/{record_id}?notice=cancelled", status_code=303)


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record_page(
    request: Request,
    services: ServicesDep,
    info: SessionDep,
    record_id: DbId,
    error: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    view = review.record_view(services, record_id)
    if view is None:
        return error_page(request, info.user, "記録が見つかりません", 404)
    with transaction(services.sessions) as session:
        repo.audit(session, info.user.name, "record_viewed", view.record.document_id, record=record_id)
    # The form's fields as its template prints them: an onboarded form's labels and options.
    template = template_for(view.record.form_id)
    specs = {spec.name: spec for spec in template.fields} if template else {}
    response = TEMPLATES.TemplateResponse(
        request,
        "record.html",
        {
            "left": left_on(request, record_id),
            "record": view.record,
            "shown": view,
            "values": mask_values(view.values),
            "user": info.user,
            "csrf": info.csrf_token,
            "form_names": form_names_shown(),
            "label": lambda name: field_label(name, specs[name].label if name in specs else ""),
            "value_label": lambda value, name: value_label(value, name, specs.get(name)),
            "decision_label": decision_label,
            "history": review.record_history(services, record_id),
            "status_label": RECORD_STATUS,
            "can_reopen": info.user.role in CAN_APPROVE and view.record.status == RecordStatus.VALIDATED,
            "error": RECORD_ERRORS.get(error or ""),
            "notice": "承認後の訂正を取り消しました。前の判定のままです" if notice == "cancelled" else None,
            "can_cancel": info.user.role in CAN_APPROVE,
        },
    )
    forget_left(request, response)
    return response
