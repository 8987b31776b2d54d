"""Pages for supervisors: statistics (approvers and admins) and the audit log (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from intake.auth import SessionInfo
from intake.store.db import transaction
from intake.store.models import AuditEventRow
from review_ui.deps import ServicesDep, role_in
from review_ui.labels import field_label
from review_ui.screens.common import FORM_NAMES, STATUS_NAMES, TEMPLATES
from review_ui.stats import statistics

Supervisor = Annotated[
    SessionInfo,
    Depends(role_in(frozenset({"approver", "admin"}), "統計は承認者・管理者のみ閲覧できます")),
]
Admin = Annotated[SessionInfo, Depends(role_in(frozenset({"admin"}), "管理者のみ閲覧できます"))]

router = APIRouter()


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, services: ServicesDep, info: Supervisor) -> HTMLResponse:
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


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    services: ServicesDep,
    info: Admin,
    action: str | None = None,
    actor: str | None = None,
) -> HTMLResponse:
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
