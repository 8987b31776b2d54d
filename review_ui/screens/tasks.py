"""The task screen (keyboard-first) and its actions: claim and show, approve, reject, reveal a
個人番号, check one typed value, and the page images the field crops are cut from.

Claims, roles and states are checked in :mod:`intake.review` on every action; the routes add
login and the CSRF token (see :mod:`review_ui.deps`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from extractors.masking import mask_my_number
from extractors.review_input import from_input
from extractors.review_input import message as input_message
from extractors.template import Template, load_templates
from intake import review
from intake.auth import CAN_REVEAL
from intake.domain import RecordStatus
from intake.errors import ErrorCode
from intake.store.db import transaction
from intake.store.models import PageRow
from review_ui.deps import DbId, PostSessionDep, ServicesDep, SessionDep
from review_ui.labels import field_label, option_label
from review_ui.screens.common import FORM_NAMES, TEMPLATES, error_page

router = APIRouter()


def _template(form_id: str | None) -> Template | None:
    return next((t for t in load_templates() if t.form_id == form_id), None)


def _snippet(
    box: list[float] | None, page_sha: str | None, page_size: tuple[int, int], scale: float | None
) -> str | None:
    """CSS showing one field's box cut from the page image, 34 px high; ``scale`` is the page
    image's pixels per template point (from the image's size, not a fixed DPI)."""
    if not box or not page_sha or not scale:
        return None
    x0, y0, x1, y1 = (v * scale for v in box)
    height = 34.0
    s = height / max(y1 - y0, 1)
    width = min((x1 - x0) * s, 420)
    return (
        f"width:{width:.0f}px;height:{height:.0f}px;background-image:url(/images/{page_sha}.png);"
        f"background-size:{page_size[0] * s:.0f}px {page_size[1] * s:.0f}px;"
        f"background-position:{-x0 * s:.0f}px {-y0 * s:.0f}px"
    )


def _field_rows(view: review.TaskView, scale: float | None) -> list[dict[str, Any]]:
    """One row per field as the task screen shows it: 個人番号 masked, doubtful fields first."""
    fields: list[dict[str, Any]] = []
    for field in view.fields:
        sensitive = review.is_sensitive(field.name)
        display = mask_my_number(field.value) if sensitive else field.value
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
                "sensitive": sensitive,
                "options": field.options,
                "box": field.box,
                "snippet": _snippet(field.box, view.page_sha, view.page_size, scale),
                "findings": [f["message"] for f in view.findings if f.get("field") == field.name],
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
    "reject_reason": "差戻し理由を選んでください",
}


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


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(
    request: Request,
    services: ServicesDep,
    info: SessionDep,
    task_id: DbId,
    error: str | None = None,
    fields: str | None = None,
) -> HTMLResponse:
    try:
        review.claim(services, task_id, info.user)
        view = review.load_task(services, task_id)
    except review.ReviewError as exc:
        return error_page(request, info.user, exc.message, 409 if exc.code is ErrorCode.CLAIMED else 404)
    template = _template(view.form_id)
    scale = template.pixels_per_point(view.page_size[0]) if template else None
    return TEMPLATES.TemplateResponse(
        request,
        "task.html",
        {
            "option_label": option_label,
            "task": view,
            "fields": _field_rows(view, scale),
            "user": info.user,
            "csrf": info.csrf_token,
            "form_names": FORM_NAMES,
            "can_reveal": info.user.role in CAN_REVEAL,
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
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=403)
    return JSONResponse({"value": value})


@router.post("/tasks/{task_id}/check")
def check_value(
    services: ServicesDep,
    _info: PostSessionDep,
    task_id: DbId,
    field: Annotated[str, Form()],
    value: Annotated[str, Form()] = "",
) -> JSONResponse:
    """Validate one typed correction on the spot, with the validators of extraction."""
    try:
        view = review.load_task(services, task_id)
    except review.ReviewError as exc:
        return JSONResponse({"ok": False, "message": exc.message}, status_code=404)
    template = _template(view.form_id)
    spec = next((f for f in template.fields if f.name == field), None) if template else None
    if spec is None:
        return JSONResponse({"ok": False, "message": "項目が見つかりません"}, status_code=404)
    canonical, code = from_input(spec, value, date.today())
    shown = mask_my_number(canonical) if review.is_sensitive(field) else canonical
    return JSONResponse(
        {
            "ok": code in (None, "required"),
            "value": shown,
            "message": input_message(code) if code and code != "required" else "",
        }
    )


@router.get("/images/{sha}.png")
def image(services: ServicesDep, _info: SessionDep, sha: str) -> Response:
    """A stored page image, only for a logged-in user and only if a page of a document uses it
    (the file store also holds originals, which are not served)."""
    with transaction(services.sessions) as session:
        known = session.scalar(select(PageRow.id).where(PageRow.image_sha256 == sha).limit(1))
    if known is None or not services.files.exists(sha):
        raise HTTPException(404)
    return Response(
        services.files.get(sha), media_type="image/png", headers={"Cache-Control": "private, no-store"}
    )
