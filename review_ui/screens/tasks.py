"""The task screen (keyboard-first) and its actions: claim and show, approve, reject, send a
correction back (approver), let the claim go, take it over (approver, admin), reveal a
個人番号, check one typed value, and the page images the field crops are cut from.

Claims, roles and states are checked in :mod:`intake.review` (the transitions of
:mod:`intake.workflow`) on every action; the routes add login and the CSRF token (see
:mod:`review_ui.deps`).
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from extractors.masking import is_my_number
from extractors.review_input import from_input
from extractors.review_input import message as input_message
from extractors.template import Template, load_templates
from intake import review
from intake.auth import CAN_APPROVE, SessionInfo, User, sees_my_number
from intake.domain import RecordStatus, TaskStatus
from intake.errors import ErrorCode
from review_ui.deps import DbId, PostSessionDep, ServicesDep, SessionDep
from review_ui.labels import field_label, option_label, value_label
from review_ui.screens.common import FORM_NAMES, TEMPLATES, error_page, shown, snippet

router = APIRouter()


def _template(form_id: str | None) -> Template | None:
    return next((t for t in load_templates() if t.form_id == form_id), None)


def _field_rows(view: review.TaskView, scale: float | None, user: User) -> list[dict[str, Any]]:
    """One row per field as the task screen shows it: 個人番号 masked, doubtful fields first;
    a doubtful 個人番号 this user cannot see is said to go to an approver."""
    unseen = set(review.unseen_my_numbers(view, user)) if view.status is TaskStatus.CLAIMED else set()
    fields: list[dict[str, Any]] = []
    for field in view.fields:
        display = shown(field.name, field.value)
        if isinstance(display, list):
            display = ",".join(display)
        fields.append(
            {
                "name": field.name,
                "label": field_label(field.name),
                "type": field.type,
                "value": display,
                "confidence": field.confidence,
                "needs_review": field.needs_review,
                "masked": is_my_number(field.name),
                "options": field.options,
                "box": field.box,
                "snippet": snippet(field.box, view.page_sha, view.page_size, scale),
                "findings": [f["message"] for f in view.findings if f.get("field") == field.name],
                "unseen": field.name in unseen,
            }
        )
    fields.sort(key=lambda f: not f["needs_review"])
    return fields


#: What the task page says after a refused action. The link carries only the code (and, for
#: refused values, the field names, shown through their labels): never text to display.
TASK_ERRORS = {
    ErrorCode.NOT_FOUND.value: "確認タスクが見つかりません",
    ErrorCode.CLAIMED.value: "他の確認者が確認中です",
    ErrorCode.NOT_A_FORM.value: "様式不明の書類は承認できません。差戻してください。",
    ErrorCode.TWO_PERSON.value: "個人番号・記号・番号の訂正は、確認者とは別の承認者の承認が必要です",
    ErrorCode.INVALID.value: "値が正しくない項目があります",
    ErrorCode.CLOSED.value: "この書類は確認済みまたは差戻し済みです",
    ErrorCode.AWAITING_APPROVAL.value: "承認者の承認待ちです（個人番号・記号・番号の訂正）",
    ErrorCode.STATE.value: "この書類の今の状態ではその操作はできません",
    ErrorCode.FORBIDDEN.value: "この操作の権限がありません",
    "reject_reason": "差戻し理由を選んでください",
    "return_reason": "差し戻す理由を入力してください",
}


def correction_rows(view: review.TaskView, scale: float | None) -> list[dict[str, Any]]:
    """Each value typed in place of the reading, beside the reading and its snippet (masked as
    every screen masks them), for the approver."""
    return [
        {
            "name": c.name,
            "label": field_label(c.name),
            "reading": value_label(shown(c.name, c.reading)) if c.reading is not None else "（空欄）",
            "value": value_label(shown(c.name, c.value)) if c.value is not None else "（空欄）",
            "masked": is_my_number(c.name),
            "snippet": snippet(c.box, view.page_sha, view.page_size, scale),
        }
        for c in view.corrections
    ]


def _task_error(code: str | None, fields: str | None, known: set[str]) -> str | None:
    message = TASK_ERRORS.get(code or "")
    named = [field_label(f) for f in (fields or "").split(",") if f in known]
    if message and named:
        message += f"：{'、'.join(named)}"
    return message


def _refused(task_id: int, exc: review.ReviewError, code: str | None = None) -> RedirectResponse:
    query = {"error": code or exc.code.value}
    if exc.fields:
        query["fields"] = ",".join(exc.fields)
    return RedirectResponse(f"/tasks/{task_id}?{urlencode(query)}", status_code=303)


def _not_opened(
    request: Request, services: ServicesDep, info: SessionInfo, task_id: int, exc: review.ReviewError
) -> Response:
    """A task that cannot be opened: a validated one shows its record; one held by another
    offers an approver or admin to take it over; otherwise the error page, with the way back."""
    if exc.code is ErrorCode.CLOSED:
        view = review.load_task(services, task_id)
        if view.record_id is not None and view.status is TaskStatus.DONE:
            return RedirectResponse(f"/records/{view.record_id}", status_code=303)
    status = 404 if exc.code is ErrorCode.NOT_FOUND else 409
    takeover = task_id if exc.code is ErrorCode.CLAIMED and info.user.role in CAN_APPROVE else None
    return error_page(request, info.user, exc.message, status, takeover=takeover, csrf=info.csrf_token)


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(
    request: Request,
    services: ServicesDep,
    info: SessionDep,
    task_id: DbId,
    error: str | None = None,
    fields: str | None = None,
) -> Response:
    try:
        review.claim(services, task_id, info.user)
        view = review.load_task(services, task_id)
    except review.ReviewError as exc:
        return _not_opened(request, services, info, task_id, exc)
    template = _template(view.form_id)
    scale = template.pixels_per_point(view.page_size[0]) if template else None
    return TEMPLATES.TemplateResponse(
        request,
        "task.html",
        {
            "option_label": option_label,
            "task": view,
            "fields": _field_rows(view, scale, info.user),
            "corrections": correction_rows(view, scale),
            "approving": view.status is TaskStatus.APPROVING,
            "user": info.user,
            "csrf": info.csrf_token,
            "form_names": FORM_NAMES,
            "can_reveal": sees_my_number(info.user),
            "error": _task_error(error, fields, {f.name for f in view.fields}),
            "reasons": review.REJECT_REASONS,
            "page_w": template.canvas.width_pt if template else 595.28,
            "page_h": template.canvas.height_pt if template else 841.89,
            "general_findings": [f for f in view.findings if not f.get("field")],
        },
    )


@router.post("/tasks/{task_id}/approve")
async def approve(request: Request, services: ServicesDep, info: PostSessionDep, task_id: DbId) -> Response:
    form = await request.form()
    submitted = {k.removeprefix("f_"): str(v) for k, v in form.items() if k.startswith("f_")}
    for key in [k for k in form if k.startswith("cb_")]:  # checkboxes: present = ticked
        submitted[key.removeprefix("cb_")] = "true" if form.get(key) == "on" else "false"
    try:
        result = review.approve(services, task_id, info.user, submitted, date.today())
    except review.ReviewError as exc:
        return _refused(task_id, exc)
    if result["status"] is RecordStatus.VALIDATED:
        return RedirectResponse(f"/records/{result['record_id']}?approved=1", status_code=303)
    return RedirectResponse("/?notice=pending_approval", status_code=303)


@router.post("/tasks/{task_id}/return")
def return_for_correction(
    services: ServicesDep, info: PostSessionDep, task_id: DbId, reason: Annotated[str, Form()] = ""
) -> Response:
    """The approver sends a correction back to the reviewers with a reason."""
    try:
        review.return_for_correction(services, task_id, info.user, reason)
    except review.ReviewError as exc:
        return _refused(task_id, exc, "return_reason" if exc.code is ErrorCode.INVALID else None)
    return RedirectResponse("/approvals?notice=returned", status_code=303)


@router.post("/tasks/{task_id}/release")
def release(
    services: ServicesDep,
    info: PostSessionDep,
    task_id: DbId,
    claim: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """Let the task go (Esc, or the page left: a beacon); back to the list it came from. Only
    the opening of the page that holds the claim lets it go (``claim``, its nonce)."""
    with contextlib.suppress(review.ReviewError):  # a task gone: nothing to let go
        review.release(services, task_id, info.user, claim or None)
    return RedirectResponse("/approvals" if back == "approvals" else "/", status_code=303)


@router.post("/tasks/{task_id}/takeover")
def take_over(services: ServicesDep, info: PostSessionDep, task_id: DbId) -> Response:
    """An approver or admin takes over a task another holds (audited)."""
    try:
        review.take_over(services, task_id, info.user)
    except review.ReviewError as exc:
        return RedirectResponse(f"/?{urlencode({'error': exc.code.value})}", status_code=303)
    return RedirectResponse(f"/tasks/{task_id}", status_code=303)


@router.post("/tasks/{task_id}/reject")
def reject(
    services: ServicesDep,
    info: PostSessionDep,
    task_id: DbId,
    reason: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        review.reject(services, task_id, info.user, reason, note)
    except review.ReviewError as exc:
        return _refused(task_id, exc, "reject_reason" if exc.code is ErrorCode.INVALID else None)
    return RedirectResponse("/?notice=rejected", status_code=303)


@router.post("/tasks/{task_id}/reveal")
def reveal(
    services: ServicesDep, info: PostSessionDep, task_id: DbId, field: Annotated[str, Form()]
) -> JSONResponse:
    try:
        value = review.reveal(services, task_id, info.user, field)
    except review.ReviewError as exc:
        status = 404 if exc.code is ErrorCode.NOT_FOUND else 403
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=status)
    return JSONResponse({"value": value})


@router.post("/tasks/{task_id}/check")
def check_value(
    services: ServicesDep,
    info: PostSessionDep,
    task_id: DbId,
    field: Annotated[str, Form()],
    value: Annotated[str, Form()] = "",
) -> JSONResponse:
    """Validate one typed correction on the spot, with the validators of extraction."""
    try:
        view = review.load_task(services, task_id)
        review.touch(services, task_id, info.user)
    except review.ReviewError as exc:
        return JSONResponse({"ok": False, "message": exc.message}, status_code=404)
    template = _template(view.form_id)
    spec = next((f for f in template.fields if f.name == field), None) if template else None
    if spec is None:
        return JSONResponse({"ok": False, "message": "項目が見つかりません"}, status_code=404)
    canonical, code = from_input(spec, value, date.today())
    return JSONResponse(
        {
            "ok": code in (None, "required"),
            "value": shown(field, canonical),
            "message": input_message(code) if code and code != "required" else "",
        }
    )


@router.get("/images/{sha}.png")
def image(services: ServicesDep, info: SessionDep, sha: str) -> Response:
    """A stored page image, only for a logged-in user and only if a page of a document uses it
    (the file store also holds originals, which are not served); the 個人番号 boxes blacked
    out for a user who may not see them (:func:`intake.review.page_image`)."""
    data = review.page_image(services, sha, info.user)
    if data is None:
        raise HTTPException(404)
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, no-store"})
