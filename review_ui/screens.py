"""Server-rendered Japanese screens: login, queue, task (keyboard-first), audit log."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi import Path as FastApiPath
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from extractors.masking import mask_my_number, mask_values
from extractors.review_input import from_input
from extractors.review_input import message as input_message
from extractors.template import load_templates
from intake import auth, review
from intake.auth import CAN_REVEAL, SessionInfo
from intake.domain import DocumentStatus
from intake.services import Services
from intake.store import repo
from intake.store.db import transaction
from intake.store.models import AuditEventRow, PageRow
from review_ui.labels import decision_label, field_label, option_label, value_label
from review_ui.stats import statistics

DbId = Annotated[int, FastApiPath(ge=1, le=2**31 - 1)]
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
COOKIE = "kakunin_session"
FORM_NAMES = {
    "kofu_shinsei": "資格確認書（新規・再）交付申請書",
    "hifuyosha_ido": "被扶養者（異動）届",
    "messhitsu": "資格確認書 滅失届",
    "jusho_shimei_henko": "住所・氏名変更届",
    None: "様式不明",
}
STATUS_NAMES = {
    "received": "受付済",
    "processing": "処理中",
    "in_review": "確認待ち",
    "failed": "エラー",
    "validated": "確定",
    "rejected": "差戻し",
}
ROLE_NAMES = {"reviewer": "確認者", "approver": "承認者", "admin": "管理者"}
LOGIN_ERRORS = {
    "invalid": "ユーザー名またはパスワードが違います。",
    "locked": f"ログインの失敗が続いたため、{auth.LOGIN_WINDOW // timedelta(minutes=1)}分間ログインできません。",
}


class LoginRequired(Exception):
    """Raised by pages when no live session exists; answered with a redirect to /login."""


def _session(request: Request) -> SessionInfo:
    services: Services = request.app.state.services
    info = auth.current(services, request.cookies.get(COOKIE))
    if info is None:
        raise LoginRequired
    return info


def _csrf(request: Request, info: SessionInfo, token: str | None) -> None:
    if not token or token != info.csrf_token:
        raise HTTPException(
            403, detail={"code": "csrf", "message": "画面の有効期限が切れました。再読み込みしてください。"}
        )


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


def router(services: Services) -> APIRouter:
    pages = APIRouter()

    @pages.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, error: str | None = None) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, "login.html", {"error": LOGIN_ERRORS.get(error or "")})

    @pages.post("/login")
    def login_submit(request: Request, username: str = Form(...), password: str = Form(...)) -> Response:
        try:
            token, _info = auth.login(
                services, username, password, request.client.host if request.client else ""
            )
        except auth.AuthError as exc:
            return RedirectResponse(f"/login?error={exc.code}", status_code=303)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=False,
            max_age=int(auth.ABSOLUTE_LIFETIME.total_seconds()),
        )
        return response

    @pages.post("/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        info = _session(request)
        _csrf(request, info, csrf)
        auth.logout(services, request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @pages.get("/", response_class=HTMLResponse)
    def queue_page(request: Request, form_id: str | None = None, notice: str | None = None) -> HTMLResponse:
        info = _session(request)
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
                "notice": notice,
            },
        )

    @pages.get("/tasks/{task_id}", response_class=HTMLResponse)
    def task_page(request: Request, task_id: DbId, error: str | None = None) -> HTMLResponse:
        info = _session(request)
        try:
            review.claim(services, task_id, info.user)
            view = review.load_task(services, task_id)
        except review.ReviewError as exc:
            return TEMPLATES.TemplateResponse(
                request,
                "error.html",
                {"message": exc.message, "user": info.user},
                status_code=409 if exc.code == "claimed" else 404,
            )
        template = next((t for t in load_templates() if t.form_id == view.form_id), None)
        scale = template.pixels_per_point(view.page_size[0]) if template else None
        fields: list[dict[str, Any]] = []
        for field in view.fields:
            sensitive = review.is_sensitive(field.name)
            display = mask_my_number(field.value) if sensitive else field.value
            if isinstance(display, list):
                display = ",".join(display)
            snippet = _snippet(field.box, view.page_sha, view.page_size, scale)
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
                    "snippet": snippet,
                    "findings": [f["message"] for f in view.findings if f.get("field") == field.name],
                }
            )
        fields.sort(key=lambda f: not f["needs_review"])  # doubtful fields first
        return TEMPLATES.TemplateResponse(
            request,
            "task.html",
            {
                "option_label": option_label,
                "task": view,
                "fields": fields,
                "user": info.user,
                "csrf": info.csrf_token,
                "form_names": FORM_NAMES,
                "can_reveal": info.user.role in CAN_REVEAL,
                "error": error,
                "reasons": review.REJECT_REASONS,
                "page_w": template.canvas.width_pt if template else 595.28,
                "page_h": template.canvas.height_pt if template else 841.89,
                "general_findings": [f for f in view.findings if not f.get("field")],
            },
        )

    @pages.post("/tasks/{task_id}/approve")
    async def approve(request: Request, task_id: DbId) -> Response:
        info = _session(request)
        form = await request.form()
        _csrf(request, info, str(form.get("csrf", "")))
        submitted = {k.removeprefix("f_"): str(v) for k, v in form.items() if k.startswith("f_")}
        for key in [k for k in form if k.startswith("cb_")]:  # checkboxes: present = ticked
            submitted[key.removeprefix("cb_")] = "true" if form.get(key) == "on" else "false"
        try:
            result = review.approve(services, task_id, info.user, submitted, date.today())
        except review.ReviewError as exc:
            return RedirectResponse(f"/tasks/{task_id}?error={quote(exc.message)}", status_code=303)
        if result["status"] == "validated":
            return RedirectResponse(f"/records/{result['record_id']}?approved=1", status_code=303)
        notice = "承認者の確認待ちにしました（個人番号・記号・番号の訂正）"
        return RedirectResponse(f"/?notice={quote(notice)}", status_code=303)

    @pages.post("/tasks/{task_id}/reject")
    def reject(
        request: Request, task_id: DbId, reason: str = Form(...), note: str = Form(""), csrf: str = Form("")
    ) -> Response:
        info = _session(request)
        _csrf(request, info, csrf)
        try:
            review.reject(services, task_id, info.user, reason, note)
        except review.ReviewError as exc:
            return RedirectResponse(f"/tasks/{task_id}?error={quote(exc.message)}", status_code=303)
        return RedirectResponse(f"/?notice={quote('差戻しました')}", status_code=303)

    @pages.post("/tasks/{task_id}/reveal")
    def reveal(request: Request, task_id: DbId, field: str = Form(...), csrf: str = Form("")) -> JSONResponse:
        info = _session(request)
        _csrf(request, info, csrf)
        try:
            value = review.reveal(services, task_id, info.user, field)
        except review.ReviewError as exc:
            return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=403)
        return JSONResponse({"value": value})

    @pages.post("/tasks/{task_id}/check")
    def check_value(
        request: Request, task_id: DbId, field: str = Form(...), value: str = Form(""), csrf: str = Form("")
    ) -> JSONResponse:
        """Validate one typed correction on the spot, with the validators of extraction."""
        info = _session(request)
        _csrf(request, info, csrf)
        view = review.load_task(services, task_id)
        template = next((t for t in load_templates() if t.form_id == view.form_id), None)
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

    @pages.get("/stats", response_class=HTMLResponse)
    def stats_page(request: Request) -> HTMLResponse:
        info = _session(request)
        if info.user.role not in ("approver", "admin"):
            return TEMPLATES.TemplateResponse(
                request,
                "error.html",
                {"message": "統計は承認者・管理者のみ閲覧できます", "user": info.user},
                status_code=403,
            )
        return TEMPLATES.TemplateResponse(
            request,
            "stats.html",
            {
                "user": info.user,
                "csrf": info.csrf_token,
                "stats": statistics(services),
                "form_names": FORM_NAMES,
                "status_names": STATUS_NAMES,
                "label": field_label,
            },
        )

    @pages.get("/records/{record_id}", response_class=HTMLResponse)
    def record_page(request: Request, record_id: DbId) -> HTMLResponse:
        info = _session(request)
        view = review.record_view(services, record_id)
        if view is None:
            return TEMPLATES.TemplateResponse(
                request, "error.html", {"message": "記録が見つかりません", "user": info.user}, status_code=404
            )
        view["values"] = mask_values(view["values"])
        with transaction(services.sessions) as session:
            repo.audit(session, info.user.name, "record_viewed", view["document_id"], record=record_id)
        return TEMPLATES.TemplateResponse(
            request,
            "record.html",
            {
                "record": view,
                "user": info.user,
                "csrf": info.csrf_token,
                "form_names": FORM_NAMES,
                "label": field_label,
                "value_label": value_label,
                "decision_label": decision_label,
            },
        )

    @pages.get("/images/{sha}.png")
    def image(request: Request, sha: str) -> Response:
        _session(request)
        with transaction(services.sessions) as session:
            known = session.scalar(select(PageRow.id).where(PageRow.image_sha256 == sha).limit(1))
        if known is None or not services.files.exists(sha):
            raise HTTPException(404)
        return Response(
            services.files.get(sha), media_type="image/png", headers={"Cache-Control": "private, no-store"}
        )

    @pages.get("/admin/audit", response_class=HTMLResponse)
    def audit_page(request: Request, action: str | None = None, actor: str | None = None) -> HTMLResponse:
        info = _session(request)
        if info.user.role != "admin":
            return TEMPLATES.TemplateResponse(
                request,
                "error.html",
                {"message": "管理者のみ閲覧できます", "user": info.user},
                status_code=403,
            )
        query = select(AuditEventRow).order_by(AuditEventRow.id.desc()).limit(500)
        if action:
            query = query.where(AuditEventRow.action == action)
        if actor:
            query = query.where(AuditEventRow.actor == actor)
        with transaction(services.sessions) as session:
            events = [(e.at, e.actor, e.action, e.document_id, e.detail) for e in session.scalars(query)]
        return TEMPLATES.TemplateResponse(
            request, "audit.html", {"events": events, "user": info.user, "action": action, "actor": actor}
        )

    return pages
