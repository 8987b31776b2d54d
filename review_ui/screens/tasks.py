"""The task screen (keyboard-first) and its actions: claim and show, approve, reject, send a
correction back (approver), let the claim go, take it over (approver, admin), reveal a
個人番号, check one typed value, and the page images the field crops are cut from.

Claims, roles and states are checked in :mod:`intake.review` (the transitions of
:mod:`intake.workflow`) on every action; the routes add login and the CSRF token (see
:mod:`review_ui.deps`).
"""

from __future__ import annotations

import contextlib
import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from extractors.masking import is_my_number
from extractors.normalize import wareki
from extractors.template import FieldType, Template, load_templates
from intake import confirm, review
from intake.auth import CAN_APPROVE, SessionInfo, User, sees_my_number
from intake.confirm import LEFT_MESSAGES, Scope
from intake.domain import RecordStatus, TaskStatus
from intake.errors import ErrorCode
from intake.services import Services
from intake.typed import check_typed, person_names
from intake.typed import message as input_message
from review_ui.clerk_input import ERA_CHOICES, shown_text, to_canonical, unit
from review_ui.deps import DbId, PostSessionDep, ServicesDep, SessionDep
from review_ui.labels import field_label, option_label, value_label
from review_ui.screens.common import (
    TEMPLATES,
    error_page,
    forget_left,
    form_names_shown,
    keep_left,
    left_on,
    shown,
    snippet,
)

router = APIRouter()


def _template(view: review.TaskView) -> Template | None:
    """The template of the task's form in the version its page was read as (its boxes are the
    page's: snippets, labels, the values' checks)."""
    return review.task_template(view)


def _text(spec: Any, value: Any) -> Any:
    """A field's value as its box shows it: a tick as it is, a choice by its printed label."""
    if isinstance(value, bool):
        return value
    if spec is not None and spec.type is FieldType.CHOICE and isinstance(value, str):
        return option_label(value, spec)
    return shown_text(spec, value)


def _era_key(value: Any, spec_era: str | None) -> str:
    """The era a date box's list starts on: the shown date's, else the era printed on the form."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            written = wareki(date.fromisoformat(value))
            return next(key for key, name in ERA_CHOICES if key and written.startswith(name))
    return spec_era or "reiwa"


def block_of(name: str) -> str:
    """The block of the form a field belongs to, for 「この欄をまとめて確認」: a numbered
    block by its number (``dep1_name``, ``target2_type``, ``name_kana_2``: 1, 2, 2), any other
    field by the first word of its name (``insured_…``, ``employer_…``)."""
    number = re.search(r"\d+", name)
    return f"#{int(number.group(0))}" if number else name.split("_", 1)[0]


def _field_rows(
    view: review.TaskView, template: Template | None, scale: float | None, user: User
) -> list[dict[str, Any]]:
    """One row per field as the task screen shows it, in the clerk's language (dates in 和暦
    with ISO beside, printed option labels, 〒 and 円): 個人番号 masked, doubtful fields first;
    a doubtful 個人番号 this user cannot see is said to go to an approver."""
    unseen = set(review.unseen_my_numbers(view, user)) if view.status is TaskStatus.CLAIMED else set()
    specs = {s.name: s for s in template.fields} if template else {}
    fields: list[dict[str, Any]] = []
    for field in view.fields:
        spec = specs.get(field.name)
        display = shown(field.name, field.value)
        before, after = unit(spec)
        is_date = spec is not None and spec.type is FieldType.DATE
        fields.append(
            {
                "name": field.name,
                "label": field_label(field.name, spec.label if spec else ""),
                "type": field.type,
                "value": _text(spec, display),
                "code": display if field.type == "choice" else None,
                "iso": display if is_date and isinstance(display, str) else "",
                "era": _era_key(display, spec.era if spec else None) if is_date else "",
                "before": before,
                "after": after,
                "chosen": display if isinstance(display, list) else [],
                "confidence": field.confidence,
                "needs_review": field.needs_review,
                "masked": is_my_number(field.name),
                "options": [(o, option_label(o, spec)) for o in field.options],
                "box": field.box,
                "snippet": snippet(field.box, view.page_sha, view.page_size, scale),
                "findings": [f.message for f in field.findings],
                "unseen": field.name in unseen,
                "block": block_of(field.name),
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
    "form_choice": "様式を選んでください",
    "return_reason": "差し戻す理由を入力してください",
}


#: What the task page says about the task finished before it (the link carries the code only).
TASK_NOTICES = {
    "pending_approval": "前の書類は承認者の確認待ちにしました（個人番号・記号・番号の訂正）",
    "reread": "前の書類は選んだ様式で読み直しています。読み終わると確認待ち一覧に出ます",
    "reopened": "確定した記録を開き直しました。値を直して承認してください",
}


def correction_rows(
    view: review.TaskView, scale: float | None, template: Template | None = None
) -> list[dict[str, Any]]:
    """Each value typed in place of the reading, beside the reading and its snippet (masked as
    every screen masks them), for the approver; labels and options as ``template`` prints them."""
    specs = {s.name: s for s in template.fields} if template else {}
    return [
        {
            "name": c.name,
            "label": field_label(c.name, specs[c.name].label if c.name in specs else ""),
            "reading": value_label(shown(c.name, c.reading), c.name, specs.get(c.name))
            if c.reading is not None
            else "（空欄）",
            "value": value_label(shown(c.name, c.value), c.name, specs.get(c.name))
            if c.value is not None
            else "（空欄）",
            "masked": is_my_number(c.name),
            "snippet": snippet(c.box, view.page_sha, view.page_size, scale),
        }
        for c in view.corrections
    ]


def _task_error(code: str | None, fields: str | None, known: dict[str, str]) -> str | None:
    """The refusal said on the task page, naming the refused fields of the task (``known``:
    each with its printed label) by their labels."""
    message = TASK_ERRORS.get(code or "")
    named = [field_label(f, known[f]) for f in (fields or "").split(",") if f in known]
    if message and named:
        message += f"：{'、'.join(named)}"
    return message


def _refused(task_id: int, exc: review.ReviewError, code: str | None = None) -> RedirectResponse:
    query = {"error": code or exc.code.value}
    if exc.fields:
        query["fields"] = ",".join(exc.fields)
    return RedirectResponse(f"/tasks/{task_id}?{urlencode(query)}", status_code=303)


#: What the error page adds when the user's own action on a task they had open was refused
#: because another holds it now (taken over, or their claim let go while idle).
LOST_CLAIM = "保存できませんでした。{holder}（引き継がれたか、操作のない時間が続いて確認が解除されました）。入力した内容は保存されていません。"


def _not_opened(
    request: Request,
    services: ServicesDep,
    info: SessionInfo,
    task_id: int,
    exc: review.ReviewError,
    error: str | None = None,
) -> Response:
    """A task that cannot be opened: a validated one shows its record; one held by another
    offers an approver or admin to take it over; otherwise the error page, with the way back.
    ``error``: the code of this user's refused action that brought them here."""
    if exc.code is ErrorCode.CLOSED:
        view = review.load_task(services, task_id)
        if view.record_id is not None and view.status is TaskStatus.DONE:
            return RedirectResponse(f"/records/{view.record_id}", status_code=303)
    status = 404 if exc.code is ErrorCode.NOT_FOUND else 409
    takeover = task_id if exc.code is ErrorCode.CLAIMED and info.user.role in CAN_APPROVE else None
    message = exc.message
    if exc.code is ErrorCode.CLAIMED and error == ErrorCode.CLAIMED.value:
        message = LOST_CLAIM.format(holder=exc.message)
    return error_page(request, info.user, message, status, takeover=takeover, csrf=info.csrf_token)


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(
    request: Request,
    services: ServicesDep,
    info: SessionDep,
    task_id: DbId,
    error: str | None = None,
    fields: str | None = None,
    done: int | None = None,
    notice: str | None = None,
) -> Response:
    try:
        review.claim(services, task_id, info.user)
        view = review.load_task(services, task_id)
    except review.ReviewError as exc:
        return _not_opened(request, services, info, task_id, exc, error)
    template = _template(view)
    scale = template.pixels_per_point(view.page_size[0]) if template else None
    response = TEMPLATES.TemplateResponse(
        request,
        "task.html",
        {
            "option_label": option_label,
            "task": view,
            "fields": _field_rows(view, template, scale, info.user),
            "eras": ERA_CHOICES,
            "done": done,
            "done_left": left_on(request, done),
            "notice": TASK_NOTICES.get(notice or ""),
            "corrections": correction_rows(view, scale, template),
            "approving": view.status is TaskStatus.APPROVING,
            "user": info.user,
            "csrf": info.csrf_token,
            "form_names": form_names_shown(),
            "can_reveal": sees_my_number(info.user),
            "error": _task_error(error, fields, _printed_labels(view, template)),
            "reasons": review.REJECT_REASONS,
            "unidentified": view.form_id is None,
            "form_choices": form_choices() if view.form_id is None else [],
            "page_w": template.canvas.width_pt if template else 595.28,
            "page_h": template.canvas.height_pt if template else 841.89,
            "general_findings": [f for f in view.findings if not f.field],
        },
    )
    forget_left(request, response)
    return response


def _printed_labels(view: review.TaskView, template: Template | None) -> dict[str, str]:
    """Each field of the task with the label its template prints for it (empty: none)."""
    specs = {s.name: s.label for s in template.fields} if template else {}
    return {f.name: specs.get(f.name, "") for f in view.fields}


def clerk_values(template: Template | None, form: Any) -> dict[str, str]:
    """The values of the approve form, in the clerk's language, as the text the validators
    take (:func:`review_ui.clerk_input.to_canonical`): ``f_`` a box, a list or a date (its era
    in ``era_``), ``cb_`` a checkbox (present = ticked), ``g_`` each ticked option of a group
    (an empty ``g_`` always sent, so a group with none ticked is still submitted)."""
    specs = {s.name: s for s in template.fields} if template else {}
    submitted: dict[str, str] = {}
    for key, value in form.multi_items():
        name = key[2:]
        if key.startswith("f_"):
            spec = specs.get(name)
            era = form.get(f"era_{name}")
            submitted[name] = (
                to_canonical(spec, str(value), None if era is None else str(era))[0] if spec else str(value)
            )
        elif key.startswith("cb_"):
            submitted[name] = "true" if form.get(key) == "on" or "on" in form.getlist(key) else "false"
        elif key.startswith("g_"):
            submitted[name] = ",".join(str(v) for v in form.getlist(key) if v)
    return submitted


def next_url(services: Services, user: User, approvals: bool) -> str | None:
    """The task to open after one is finished: for an approver coming from the 承認待ち list
    the next approval nobody holds that is not their own correction, otherwise the oldest
    task nobody holds; None when there is none."""
    if approvals:
        for view in review.pending_approvals(services):
            if view.claimed_by is None and view.corrected_by != user.name:
                return f"/tasks/{view.task_id}"
        return None
    task_id = review.next_free_task(services, user)
    return f"/tasks/{task_id}" if task_id is not None else None


@router.post("/tasks/{task_id}/approve")
async def approve(request: Request, services: ServicesDep, info: PostSessionDep, task_id: DbId) -> Response:
    """Approve with the values as the clerk typed them; then the next task nobody holds opens
    (``/records/{id}/next``), saying which of the form's findings the values approved still
    leave (the applicant's errors among them make the decision 「書類の追加が必要」)."""
    form = await request.form()
    try:
        template = _template(review.load_task(services, task_id))
        submitted = clerk_values(template, form)
        result = review.approve(services, task_id, info.user, submitted, date.today())
    except review.ReviewError as exc:
        return _refused(task_id, exc)
    if result.status is RecordStatus.VALIDATED:
        back = "?from=approvals" if form.get("back") == "approvals" else ""
        response = RedirectResponse(f"/records/{result.record_id}/next{back}", status_code=303)
        if result.findings:
            keep_left(response, request, result.record_id, result.findings)
        return response
    following = next_url(services, info.user, False)
    return RedirectResponse(f"{following or '/'}?notice=pending_approval", status_code=303)


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


@router.post("/tasks/{task_id}/form")
def choose_form(
    services: ServicesDep, info: PostSessionDep, task_id: DbId, form_id: Annotated[str, Form()] = ""
) -> Response:
    """A page without a form: the reviewer says which form it is and it is read again as that
    form (issue 15 item 8); meanwhile the next task nobody holds opens."""
    try:
        review.choose_form(services, task_id, info.user, form_id)
    except review.ReviewError as exc:
        return _refused(task_id, exc, "form_choice" if exc.code is ErrorCode.INVALID else None)
    following = next_url(services, info.user, False)
    return RedirectResponse(f"{following or '/'}?notice=reread", status_code=303)


def form_choices() -> list[tuple[str, str]]:
    """The installed templates a reviewer may choose for a page without a form: (form id,
    Japanese name with the printed form code)."""
    first: dict[str, Template] = {}
    for template in load_templates():  # a form once, however many versions are installed
        first.setdefault(template.form_id, template)
    return [
        (t.form_id, f"{form_names_shown().get(t.form_id) or t.title}（{t.form_code}）")
        for t in first.values()
    ]


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


@router.post("/tasks/{task_id}/seen")
def seen(
    services: ServicesDep, info: PostSessionDep, task_id: DbId, ms: Annotated[int, Form()] = 0
) -> Response:
    """The page's visibility beacon: how long the task was in front of the clerk (statistics
    count review time only while the page is visible)."""
    try:
        review.seen(services, task_id, info.user, ms)
    except review.ReviewError as exc:
        return Response(status_code=404 if exc.code is ErrorCode.NOT_FOUND else 409)
    return Response(status_code=204)


@router.post("/tasks/{task_id}/check")
def check_value(
    services: ServicesDep,
    info: PostSessionDep,
    task_id: DbId,
    field: Annotated[str, Form()],
    value: Annotated[str, Form()] = "",
    era: Annotated[str | None, Form()] = None,
) -> JSONResponse:
    """Validate one typed value on the spot, in the clerk's language, with the validators of
    extraction (the same check as on approval: :func:`intake.typed.check_typed`)."""
    try:
        view = review.load_task(services, task_id)
        review.touch(services, task_id, info.user)
    except review.ReviewError as exc:
        return JSONResponse({"ok": False, "message": exc.message}, status_code=404)
    template = _template(view)
    spec = next((f for f in template.fields if f.name == field), None) if template else None
    if spec is None or template is None:
        return JSONResponse({"ok": False, "message": "項目が見つかりません"}, status_code=404)
    text, code = to_canonical(spec, value, era)
    canonical, code = (
        (None, code)
        if code
        else check_typed(
            spec, text, date.today(), spec.name in person_names(template), _shown_value(view, field)
        )
    )
    is_date = spec.type is FieldType.DATE and isinstance(canonical, str)
    return JSONResponse(
        {
            "ok": code in (None, "required"),
            "value": shown(field, canonical),
            "iso": canonical if is_date else "",
            "message": input_message(code) if code and code != "required" else "",
        }
    )


@router.post("/tasks/{task_id}/confirm")
def confirm_fields(
    services: ServicesDep,
    info: PostSessionDep,
    task_id: DbId,
    field: Annotated[list[str], Form()],
    scope: Annotated[str, Form()] = Scope.ONE.value,
) -> JSONResponse:
    """Confirm one field (Enter, its typed value checked by ``/check`` first) or several at
    once (「この欄をまとめて確認」 Alt+B, 「残りをすべて確認」 Alt+A): only the claim's
    holder, each field audited; a field with a finding, a value failing its checks or a
    個人番号 this user may not see is left for one-by-one review, with the reason
    (:func:`intake.confirm.confirm`)."""
    try:
        chosen = Scope(scope)
        done = confirm.confirm(services, task_id, info.user, field, chosen, date.today())
    except ValueError:
        return JSONResponse(
            {"error": {"code": ErrorCode.INVALID, "message": "確認の範囲が正しくありません"}}, 400
        )
    except review.ReviewError as exc:
        status = {ErrorCode.NOT_FOUND: 404, ErrorCode.FORBIDDEN: 403}.get(exc.code, 409)
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=status)
    return JSONResponse(
        {
            "confirmed": list(done.confirmed),
            "left": [
                {"field": name, "reason": why, "message": LEFT_MESSAGES[why]} for name, why in done.left
            ],
        }
    )


def _shown_value(view: review.TaskView, name: str) -> Any:
    return next((f.value for f in view.fields if f.name == name), None)


@router.get("/images/{sha}.png")
def image(request: Request, services: ServicesDep, info: SessionDep, sha: str) -> Response:
    """A stored page image, only for a logged-in user and only if a page of a document uses it
    (the file store also holds originals, which are not served); the 個人番号 boxes blacked
    out for a user who may not see them (:func:`intake.review.page_image`).

    The browser keeps it (``private``) but asks again each time (``no-cache``) with its ETag,
    answered 304 without the bytes when this user gets the same image: the full and the masked
    image have different ETags, so a copy kept for one user is never confirmed to another who
    may not see it (after a logout, a change of role)."""
    known = _entity_tags(request.headers.get("if-none-match", ""))
    found = review.page_image(services, sha, info.user, known)
    if found is None:
        raise HTTPException(404)
    headers = {"ETag": found.etag, "Cache-Control": "private, no-cache", "Vary": "Cookie"}
    if found.data is None:
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type="image/png", headers=headers)


def _entity_tags(header: str) -> frozenset[str]:
    """The entity tags of an ``If-None-Match`` header, quoted (a weak ``W/`` one as the strong
    one: a page image's bytes never change under its tag); ``*`` is not taken."""
    tags = (t.strip() for t in header.split(","))
    return frozenset(t.removeprefix("W/") for t in tags if t.startswith(('"', 'W/"')))
